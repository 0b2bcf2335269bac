// The reference outputs and the check: computed by the interpreter for small
// functions and by the untransformed build for large ones, with a tolerance
// that grows with the reduction, and messages that say where a result is wrong.
#include "search/reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "workloads/workloads.h"

namespace kiln::search {
namespace {

std::vector<const void*> outputs_of(const Reference& ref, std::vector<std::string>& copies) {
  std::vector<const void*> out;
  for (const ReferenceParam& p : ref.params) {
    copies.push_back(p.output ? p.data : std::string());
    out.push_back(p.output ? copies.back().data() : nullptr);
  }
  return out;
}

TEST(Reference, SmallFunctionsUseTheInterpreterLargeOnesTheUntransformedBuild) {
  const Reference small =
      make_reference(Task::from_workload("matmul", {{"M", 16}, {"N", 16}, {"K", 8}}, Target("llvm")));
  EXPECT_EQ(small.computed_by, "interpreter");
  const Reference large = make_reference(
      Task::from_workload("matmul", {{"M", 512}, {"N", 512}, {"K", 512}}, Target("llvm")));
  EXPECT_EQ(large.computed_by, "llvm (untransformed)");
  ASSERT_EQ(large.params.size(), 3u);
  EXPECT_FALSE(large.params[0].output);
  EXPECT_TRUE(large.params[2].output);
  // Float32, a reduction of 512: 8 ulps x 513 x the largest |C| (about 10).
  EXPECT_GT(large.params[2].tolerance, 8 * 0x1p-23 * 513);
  EXPECT_LT(large.params[2].tolerance, 8 * 0x1p-23 * 513 * 100);
  // The same inputs every time (a fixed seed).
  EXPECT_EQ(large.params[0].data,
            make_reference(Task::from_workload("matmul", {{"M", 512}, {"N", 512}, {"K", 512}},
                                               Target("llvm")))
                .params[0]
                .data);
}

TEST(Reference, TheCheckSaysWhereAndByHowMuch) {
  const Reference ref =
      make_reference(Task::from_workload("matmul", {{"M", 16}, {"N", 16}, {"K", 8}}, Target("llvm")));
  std::vector<std::string> copies;
  std::vector<const void*> outputs = outputs_of(ref, copies);
  EXPECT_TRUE(check_outputs(ref, outputs).ok);
  EXPECT_EQ(check_outputs(ref, outputs).max_error, 0);
  // One element off by 3.1; a rounding-sized error elsewhere passes.
  float* c = reinterpret_cast<float*>(copies.back().data());
  c[12 * 16 + 7] += 3.1f;
  c[0] += 1e-6f;
  const CheckResult bad = check_outputs(ref, outputs);
  EXPECT_FALSE(bad.ok);
  EXPECT_NEAR(bad.max_error, 3.1, 1e-5);
  EXPECT_NE(bad.message.find("max abs error 3.1 at C[12, 7]"), std::string::npos) << bad.message;
  // An element nobody wrote stays NaN: never a match.
  c[12 * 16 + 7] = NAN;
  EXPECT_FALSE(check_outputs(ref, outputs).ok);
}

TEST(Reference, RoundTripsThroughBytes) {
  const Reference ref =
      make_reference(Task::from_workload("softmax", {{"M", 4}, {"N", 8}}, Target("llvm")));
  const Reference back = Reference::deserialize(ref.serialize());
  ASSERT_EQ(back.params.size(), ref.params.size());
  for (size_t i = 0; i < ref.params.size(); ++i) {
    EXPECT_EQ(back.params[i].name, ref.params[i].name);
    EXPECT_EQ(back.params[i].data, ref.params[i].data);
    EXPECT_EQ(back.params[i].initial, ref.params[i].initial);
    EXPECT_EQ(back.params[i].tolerance, ref.params[i].tolerance);
  }
  EXPECT_THROW(Reference::deserialize("KILNREF1 and then nonsense"), std::invalid_argument);
}

}  // namespace
}  // namespace kiln::search

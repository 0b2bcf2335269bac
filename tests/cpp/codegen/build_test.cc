// build() for the CPU end to end: every workload, unscheduled and under
// random schedules, compiled by LLVM and checked against the interpreter.
#include "codegen/build.h"

#include <gtest/gtest.h>

#include "fuzz/build_check.h"
#include "fuzz/fuzzer.h"
#include "fuzz/random_schedule.h"
#include "ir/interpreter.h"
#include "schedule/schedule.h"
#include "workloads/workloads.h"

namespace kiln {
namespace {

ir::PrimFunc workload(const std::string& name) {
  return workloads::get(name, fuzz::fuzz_shape(name)).func;
}

std::string check_llvm(const ir::PrimFunc& func) {
  fuzz::Arguments expected = fuzz::make_arguments(func, 3);
  ir::interpret(func, expected.views);
  return fuzz::check_built_kernel(func, Target("llvm"), 3, expected);
}

TEST(BuildLLVM, EveryWorkloadUnscheduled) {
  for (const std::string& name : workloads::list())
    EXPECT_EQ(check_llvm(workload(name)), "") << name;
}

TEST(BuildLLVM, RandomSchedulesOfEveryWorkload) {
  const std::vector<std::string> names = workloads::list();
  for (uint64_t seed = 0; seed < 60; ++seed) {
    const std::string& name = names[seed % names.size()];
    sched::Schedule sch(workload(name), seed, sched::ErrorRenderLevel::kFast);
    sched::RandomEngine rng(seed * 0x9e3779b97f4a7c15ull + 1);
    fuzz::ScheduleStats stats;
    fuzz::apply_random_primitives(sch, rng, 8, &stats, {.thread_binding = false});
    EXPECT_EQ(check_llvm(sch.func()), "") << name << " seed " << seed << "\n"
                                          << sch.trace().as_python();
    if (HasFailure()) return;
  }
}

TEST(BuildLLVM, AGpuScheduleIsRefusedWithTheLoopAndTheAxis) {
  sched::Schedule sch(workload("matmul"));
  auto loops = sch.get_loops(sch.get_block("C"));
  sch.bind(loops[0], "blockIdx.x");
  try {
    build(sch.func(), Target("llvm"));
    FAIL() << "built a GPU schedule for the CPU";
  } catch (const BuildError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("blockIdx.x"), std::string::npos) << what;
    EXPECT_NE(what.find("cuda or opencl"), std::string::npos) << what;
  }
}

TEST(BuildLLVM, SignatureCarriesNamesShapesAndDtypes) {
  runtime::KernelSignature sig = signature_of(workload("matmul"));
  ASSERT_EQ(sig.params.size(), 3u);
  EXPECT_EQ(sig.name, "matmul");
  EXPECT_EQ(sig.params[0].name, "A");
  EXPECT_EQ(runtime::dtype_str(sig.params[0].dtype), "float32");
  EXPECT_EQ(sig.params[2].shape, (std::vector<int64_t>{6, 10}));
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

TEST(BuildLLVM, TimeAModuleAsUsersDo) {
  const ir::PrimFunc f = workloads::get("softmax", {{"M", 16}, {"N", 64}}).func;
  Module m = build(f, Target("llvm"));
  std::vector<NDArray> args;
  for (const ir::Buffer& p : f->params)
    args.push_back(NDArray::empty(ir::static_shape(p), runtime::parse_dtype("float32")));
  for (int64_t i = 0; i < args[0].num_elements(); ++i) static_cast<float*>(args[0].data())[i] = 0.5f;
  const runtime::TimingResult r = time(m, args);
  EXPECT_EQ(r.samples_s.size(), 30u);  // the defaults
  EXPECT_GT(r.median_s, 0);
  EXPECT_LE(r.ci95_s[0], r.median_s);
  EXPECT_GE(r.ci95_s[1], r.median_s);
  EXPECT_GE(r.number * r.median_s, 0.5e-3);  // samples of about 1 ms at least
}

}  // namespace
}  // namespace kiln

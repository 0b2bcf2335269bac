#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/primitives/sampling.h"
#include "schedule/schedule.h"
#include "tests/cpp/schedule/differential.h"
#include "workloads/workloads.h"

namespace kiln::sched {
namespace {

ir::PrimFunc matmul(int m, int n, int k) {
  return workloads::get("matmul", {{"M", m}, {"N", n}, {"K", k}}).func;
}

// The schedule is exactly as before a refused primitive.
void expect_unchanged(const Schedule& before, const Schedule& after) {
  EXPECT_TRUE(before.func() == after.func() || ir::structural_equal(before.func(), after.func()));
  EXPECT_EQ(before.trace().size(), after.trace().size());
}

TEST(Split, DivisibleAndNonDivisibleFactorsComputeTheSame) {
  for (int64_t inner : {2, 4, 5, 7, 16}) {
    Schedule sch(matmul(12, 10, 9));
    BlockRV c = sch.get_block("C");
    auto loops = sch.get_loops(c);
    auto ij = sch.split(loops[0], {std::monostate(), inner});
    auto kk = sch.split(loops[2], {int64_t{2}, std::monostate()});
    sch.reorder({kk[0], ij[1], loops[1], kk[1]});
    EXPECT_EQ(testing::max_output_difference(sch.original(), sch.func(), 2), 0.0) << inner;
  }
}

TEST(Split, PredicateOnlyWhenFactorsOverCover) {
  Schedule sch(matmul(16, 16, 16));
  auto loops = sch.get_loops(sch.get_block("C"));
  sch.split(loops[0], {std::monostate(), int64_t{4}});
  EXPECT_EQ(ir::to_script(sch.func()).find("where("), std::string::npos);
  sch.split(loops[1], {std::monostate(), int64_t{5}});
  EXPECT_NE(ir::to_script(sch.func()).find("where("), std::string::npos);
}

TEST(Split, Errors) {
  Schedule sch(matmul(10, 10, 10));
  auto loops = sch.get_loops(sch.get_block("C"));
  for (const std::vector<Factor>& bad :
       std::vector<std::vector<Factor>>{{int64_t{0}, std::monostate()},
                                        {std::monostate(), std::monostate()},
                                        {int64_t{2}, int64_t{3}},
                                        {int64_t{10}}}) {
    Schedule copy = sch.copy();
    EXPECT_THROW(copy.split(loops[0], bad), ScheduleError);
    expect_unchanged(sch, copy);
  }
  try {
    sch.split(loops[0], {int64_t{0}, std::monostate()});
    FAIL();
  } catch (const ScheduleError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("loop `i` (extent 10)"), std::string::npos) << what;
    EXPECT_NE(what.find("factors must be positive"), std::string::npos) << what;
    EXPECT_NE(what.find("for i"), std::string::npos) << "rendered loop missing: " << what;
  }
}

TEST(Fuse, FusedLoopComputesTheSameAndSplitsBack) {
  Schedule sch(workloads::get("conv2d_nhwc").func);
  auto loops = sch.get_loops(sch.get_block("conv2d"));
  LoopRV f = sch.fuse({loops[0], loops[1], loops[2]});
  auto parts = sch.split(f, {std::monostate(), int64_t{7}});
  sch.reorder({loops[3], parts[0]});
  EXPECT_LE(testing::max_output_difference(sch.original(), sch.func(), 2), 1e-6);
}

TEST(Fuse, Errors) {
  Schedule sch(matmul(8, 8, 8));
  auto loops = sch.get_loops(sch.get_block("C"));
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.fuse({loops[0], loops[2]}), ScheduleError);  // not adjacent
  EXPECT_THROW(copy.fuse({loops[1], loops[0]}), ScheduleError);  // inner first
  expect_unchanged(sch, copy);
  sch.parallel(loops[0]);
  EXPECT_THROW(sch.fuse({loops[0], loops[1]}), ScheduleError);  // already parallel
}

TEST(Reorder, Errors) {
  Schedule sch(workloads::get("softmax").func);
  auto a = sch.get_loops(sch.get_block("row_max"));
  auto b = sch.get_loops(sch.get_block("exp"));
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.reorder({a[0], b[0]}), ScheduleError);  // different nests
  EXPECT_THROW(copy.reorder({a[0], a[0]}), ScheduleError);  // twice
  expect_unchanged(sch, copy);
}

TEST(ForKind, ReductionLoopsCannotRunInParallel) {
  Schedule sch(matmul(8, 8, 8));
  auto loops = sch.get_loops(sch.get_block("C"));
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.parallel(loops[2]), ScheduleError);
  EXPECT_THROW(copy.vectorize(loops[2]), ScheduleError);
  EXPECT_THROW(copy.bind(loops[2], "blockIdx.x"), ScheduleError);
  EXPECT_THROW(copy.bind(loops[0], "warp.x"), ScheduleError);
  expect_unchanged(sch, copy);
  copy.bind(loops[2], "threadIdx.x");  // cross-thread reduction is allowed
  copy.unroll(loops[1]);
  copy.parallel(loops[0]);
  EXPECT_EQ(testing::max_output_difference(copy.original(), copy.func(), 2), 0.0);
}

TEST(Annotate, SetAndRemove) {
  Schedule sch(matmul(8, 8, 8));
  BlockRV c = sch.get_block("C");
  auto loops = sch.get_loops(c);
  sch.annotate(loops[0], "pragma_auto_unroll_max_step", Attr(int64_t{16}));
  sch.annotate(c, "meta_schedule.tiling_structure", Attr(std::string("SSRSRS")));
  EXPECT_NE(ir::to_script(sch.func()).find("pragma_auto_unroll_max_step"), std::string::npos);
  sch.unannotate(loops[0], "pragma_auto_unroll_max_step");
  EXPECT_EQ(ir::to_script(sch.func()).find("pragma_auto_unroll_max_step"), std::string::npos);
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.unannotate(loops[0], "pragma_auto_unroll_max_step"), ScheduleError);
  expect_unchanged(sch, copy);
}

TEST(Trace, PrintsPythonAndRoundTripsThroughJson) {
  Schedule sch(matmul(64, 64, 64), /*seed=*/3);
  BlockRV c = sch.get_block("C");
  auto loops = sch.get_loops(c);
  auto tile = sch.sample_perfect_tile(loops[0], 2, 16, std::vector<int64_t>{8, 8});
  auto ij = sch.split(loops[0], {tile[0], tile[1]});
  sch.reorder({loops[1], ij[1]});
  sch.vectorize(ij[1]);
  EXPECT_EQ(sch.trace().as_python(),
            "b0 = sch.get_block(\"C\")\n"
            "l1, l2, l3 = sch.get_loops(b0)\n"
            "v4, v5 = sch.sample_perfect_tile(l1, n=2, max_innermost_factor=16, decision=[8, 8])\n"
            "l6, l7 = sch.split(l1, factors=[v4, v5])\n"
            "sch.reorder(l2, l7)\n"
            "sch.vectorize(l7)\n");
  Trace again = Trace::from_json(nlohmann::json::parse(sch.trace().to_json().dump()));
  Schedule replay(sch.original());
  again.apply_to(replay);
  EXPECT_TRUE(ir::structural_equal(replay.func(), sch.func()));
  EXPECT_EQ(replay.trace().as_python(), sch.trace().as_python());
}

TEST(Trace, ChangedAndStaleDecisionsReplay) {
  Schedule sch(matmul(64, 64, 64));
  auto loops = sch.get_loops(sch.get_block("C"));
  auto tile = sch.sample_perfect_tile(loops[0], 2, 64);
  sch.split(loops[0], {tile[0], tile[1]});
  // Changed decision: the replayed program uses it.
  Schedule changed(sch.original());
  sch.trace().with_decision(2, std::vector<int64_t>{4, 16}).apply_to(changed);
  EXPECT_NE(ir::to_script(changed.func()).find("grid(4, 16"), std::string::npos)
      << ir::to_script(changed.func());
  // Stale decision (does not multiply to the extent): repaired by resampling.
  Schedule stale(sch.original());
  sch.trace().with_decision(2, std::vector<int64_t>{5, 5}).apply_to(stale);
  auto decision = std::get<std::vector<int64_t>>(*stale.trace().decision_of(2));
  EXPECT_EQ(decision[0] * decision[1], 64);
  EXPECT_EQ(testing::max_output_difference(stale.original(), stale.func(), 2), 0.0);
}

TEST(Trace, BadJsonIsAClearError) {
  for (const char* bad :
       {R"({"instructions": 3})", R"({"version": 1, "instructions": [{"kind": "nope"}]})",
        R"({"version": 1, "instructions": [{"kind": "get_loops", "inputs": ["b9"]}]})"}) {
    EXPECT_THROW(Trace::from_json(nlohmann::json::parse(bad)), std::invalid_argument) << bad;
  }
}

TEST(Sampling, SameSeedSameDecisions) {
  auto run = [](uint64_t seed) {
    Schedule sch(matmul(96, 96, 96), seed);
    auto loops = sch.get_loops(sch.get_block("C"));
    std::vector<int64_t> out;
    for (int r = 0; r < 5; ++r)
      for (ExprRV v : sch.sample_perfect_tile(loops[r % 3], 3, 8)) out.push_back(sch.value(v));
    out.push_back(sch.value(sch.sample_categorical({1, 2, 3}, {0.2, 0.3, 0.5})));
    return out;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(Sampling, PerfectTilesMultiplyToTheExtentAndRespectTheLimit) {
  RandomEngine rng(1);
  for (int64_t extent : {1, 2, 7, 12, 64, 97, 360, 1024}) {
    for (int n = 1; n <= 4; ++n) {
      for (int trial = 0; trial < 50; ++trial) {
        auto tile = sample_perfect_tile(rng, extent, n, 16);
        int64_t product = 1;
        for (int64_t f : tile) product *= f;
        EXPECT_EQ(product, extent);
        if (n > 1) {
          EXPECT_LE(tile.back(), 16);
        }
      }
    }
  }
}

}  // namespace
}  // namespace kiln::sched

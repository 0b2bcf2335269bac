#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/ir_utils.h"
#include "schedule/schedule.h"
#include "tests/cpp/schedule/schedule_checks.h"
#include "workloads/workloads.h"

namespace kiln::sched {
namespace {

using testing::check_golden;
using testing::expect_round_trip;
using testing::expect_same_outputs;
using testing::expect_unchanged;

ir::PrimFunc workload(const std::string& name, const std::map<std::string, int64_t>& shape = {}) {
  return workloads::get(name, shape).func;
}

// `setup` (valid steps) then `failing`, which must throw a ScheduleError
// whose message contains `text` and leave the schedule as `setup` left it.
void expect_error(const Schedule& sch, const std::function<void(Schedule&)>& setup,
                  const std::function<void(Schedule&)>& failing, const std::string& text) {
  Schedule prepared = sch.copy();
  setup(prepared);
  Schedule copy = prepared.copy();
  try {
    failing(copy);
    ADD_FAILURE() << "no error, expected: " << text;
  } catch (const ScheduleError& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
  expect_unchanged(prepared, copy);
}

void no_setup(Schedule&) {}

TEST(DecomposeReduction, Golden) {
  check_golden("decompose_reduction/matmul.kiln", [](Schedule& sch) {
    BlockRV c = sch.get_block("C");
    auto loops = sch.get_loops(c);
    sch.decompose_reduction(c, loops[0]);
  });
  check_golden("decompose_reduction/matmul_tiled.kiln", [](Schedule& sch) {
    BlockRV c = sch.get_block("C");
    auto loops = sch.get_loops(c);
    auto i = sch.split(loops[0], {std::monostate(), int64_t{4}});
    auto k = sch.split(loops[2], {std::monostate(), int64_t{4}});
    sch.reorder({i[0], loops[1], k[0], i[1], k[1]});
    sch.decompose_reduction(c, k[0]);
  });
  check_golden("decompose_reduction/reduce_sum.kiln", [](Schedule& sch) {
    BlockRV b = sch.get_block("B");
    auto loops = sch.get_loops(b);
    sch.decompose_reduction(b, loops[1]);
  });
}

TEST(RFactor, Golden) {
  check_golden("rfactor/matmul.kiln", [](Schedule& sch) {
    BlockRV c = sch.get_block("C");
    auto loops = sch.get_loops(c);
    auto k = sch.split(loops[2], {std::monostate(), int64_t{4}});
    sch.rfactor(k[1], 0);
  });
  check_golden("rfactor/reduce_sum.kiln", [](Schedule& sch) {
    auto loops = sch.get_loops(sch.get_block("B"));
    auto k = sch.split(loops[1], {std::monostate(), int64_t{8}});
    sch.rfactor(k[0], 1);
  });
  check_golden("rfactor/softmax_row_max.kiln", [](Schedule& sch) {
    auto loops = sch.get_loops(sch.get_block("row_max"));
    sch.rfactor(loops[1], 0);
  });
}

// ---- errors: each leaves the schedule as it was

TEST(DecomposeReduction, Errors) {
  Schedule sch(workload("softmax", {{"M", 8}, {"N", 8}}));
  BlockRV row_max = sch.get_block("row_max");
  BlockRV exp = sch.get_block("exp");
  auto max_loops = sch.get_loops(row_max);
  auto exp_loops = sch.get_loops(exp);
  expect_error(
      sch, no_setup, [&](Schedule& s) { s.decompose_reduction(row_max, exp_loops[0]); },
      "is not an ancestor");
  expect_error(
      sch, no_setup, [&](Schedule& s) { s.decompose_reduction(exp, exp_loops[0]); }, "has no init");
  std::vector<LoopRV> k;
  expect_error(
      sch,
      [&](Schedule& s) {
        k = s.split(max_loops[1], {std::monostate(), int64_t{2}});
      },
      [&](Schedule& s) { s.decompose_reduction(row_max, k[1]); }, "carries the reduction");
}

TEST(DecomposeReduction, RefusesLoopsThatRepeatInstances) {
  // A unit loop made into a loop of extent 2 that no binding uses would run
  // the whole reduction twice: the original re-runs the init, a hoisted init
  // would not. Build it by hand in the text form.
  const char* text = R"(@kiln.prim_func
def f(A: Buffer((4, 4), "float32"), B: Buffer((4,), "float32")):
    for r, i, k in grid(2, 4, 4):
        with block("B"):
            vi, vk = axis.remap("SR", [i, k])
            reads(A[vi, vk])
            writes(B[vi])
            with init():
                B[vi] = 0.0
            B[vi] = B[vi] + A[vi, vk]
)";
  Schedule sch(ir::parse_prim_func(text));
  BlockRV b = sch.get_block("B");
  auto loops = sch.get_loops(b);
  Schedule copy = sch.copy();
  EXPECT_THROW(copy.decompose_reduction(b, loops[0]), ScheduleError);
  expect_unchanged(sch, copy);
  sch.decompose_reduction(b, loops[1]);  // under the repeating loop it is fine
  expect_same_outputs(sch, 1);
}

TEST(RFactor, Errors) {
  Schedule sch(workload("matmul", {{"M", 8}, {"N", 8}, {"K", 8}}));
  BlockRV c = sch.get_block("C");
  auto loops = sch.get_loops(c);
  expect_error(
      sch, no_setup, [&](Schedule& s) { s.rfactor(loops[0], 0); }, "is not a reduction loop");
  expect_error(
      sch, no_setup, [&](Schedule& s) { s.rfactor(loops[2], 3); }, "factor_axis 3 is out of range");
  expect_error(
      sch, no_setup, [&](Schedule& s) { s.rfactor(loops[2], -4); },
      "factor_axis -4 is out of range");
  expect_error(
      sch, [&](Schedule& s) { s.unroll(loops[2]); }, [&](Schedule& s) { s.rfactor(loops[2], 0); },
      "not serial");
  std::vector<LoopRV> k;
  expect_error(
      sch,
      [&](Schedule& s) {
        k = s.split(loops[2], {std::monostate(), int64_t{2}});
        s.fuse({loops[1], k[0]});
      },
      [&](Schedule& s) { s.rfactor(k[1], 0); }, "used by both spatial and reduction");
  expect_error(
      sch, [&](Schedule& s) { s.decompose_reduction(c, loops[2]); },
      [&](Schedule& s) { s.rfactor(loops[1], 0); }, "holds 2 blocks");
  expect_error(
      sch, [&](Schedule& s) { s.decompose_reduction(c, loops[0]); },
      [&](Schedule& s) { s.rfactor(loops[2], 0); }, "has no init");

  // Another block runs first under the outermost loop: the rf nest, placed
  // before that loop, would run before it.
  const char* producer_first = R"(@kiln.prim_func
def f(A: Buffer((4, 4), "float32"), D: Buffer((4, 4), "float32"), B: Buffer((4,), "float32")):
    for i in range(4):
        for j in range(4):
            with block("D"):
                vi, vj = axis.remap("SS", [i, j])
                reads(A[vi, vj])
                writes(D[vi, vj])
                D[vi, vj] = A[vi, vj]
        for k in range(4):
            with block("B"):
                vi, vk = axis.remap("SR", [i, k])
                reads(A[vi, vk])
                writes(B[vi])
                with init():
                    B[vi] = 0.0
                B[vi] = B[vi] + A[vi, vk]
)";
  Schedule second(ir::parse_prim_func(producer_first));
  auto second_loops = second.get_loops(second.get_block("B"));
  expect_error(
      second, no_setup, [&](Schedule& s) { s.rfactor(second_loops[1], 0); },
      "is not the first block");

  // A loop under the reduction loop that no iter var uses repeats the
  // reduction.
  const char* unbound = R"(@kiln.prim_func
def f(A: Buffer((4, 4), "float32"), B: Buffer((4,), "float32")):
    for i, k, r in grid(4, 4, 2):
        with block("B"):
            vi, vk = axis.remap("SR", [i, k])
            reads(A[vi, vk])
            writes(B[vi])
            with init():
                B[vi] = 0.0
            B[vi] = B[vi] + A[vi, vk]
)";
  Schedule repeated(ir::parse_prim_func(unbound));
  auto repeated_loops = repeated.get_loops(repeated.get_block("B"));
  expect_error(
      repeated, no_setup, [&](Schedule& s) { s.rfactor(repeated_loops[1], 0); },
      "is used by no iter var");

  // A combiner that is not a known reducer.
  const char* text = R"(@kiln.prim_func
def f(A: Buffer((4, 4), "float32"), B: Buffer((4,), "float32")):
    for i, k in grid(4, 4):
        with block("B"):
            vi, vk = axis.remap("SR", [i, k])
            reads(A[vi, vk])
            writes(B[vi])
            with init():
                B[vi] = 0.0
            B[vi] = B[vi] - A[vi, vk]
)";
  Schedule odd(ir::parse_prim_func(text));
  auto odd_loops = odd.get_loops(odd.get_block("B"));
  expect_error(
      odd, no_setup, [&](Schedule& s) { s.rfactor(odd_loops[1], 0); }, "not a known reducer");
}

// ---- differential: valid uses on several workloads compute the same

TEST(DecomposeReduction, EveryLegalLoopComputesTheSame) {
  struct Case {
    std::string workload, block;
    size_t inputs;
  };
  for (const Case& c : {Case{"matmul", "C", 2}, Case{"reduce_sum", "B", 1},
                        Case{"softmax", "row_sum", 1}, Case{"softmax", "row_max", 1},
                        Case{"layernorm", "sq_sum", 3}, Case{"batch_matmul", "C", 2}}) {
    ir::PrimFunc func = workload(c.workload, {});
    for (size_t at = 0;; ++at) {
      Schedule sch(func);
      BlockRV b = sch.get_block(c.block);
      auto loops = sch.get_loops(b);
      if (at >= loops.size()) break;
      sch.decompose_reduction(b, loops[at]);
      expect_same_outputs(sch, c.inputs);
      expect_round_trip(sch);
    }
  }
}

TEST(DecomposeReduction, AfterSplitReorderAndWithPredicates) {
  // Matmul tiled SSRSRS with non-dividing splits; decompose at the first
  // reduction loop and at every spatial loop above it.
  ir::PrimFunc func = workload("matmul", {{"M", 12}, {"N", 10}, {"K", 9}});
  for (int at = 0; at < 3; ++at) {
    Schedule sch(func);
    BlockRV c = sch.get_block("C");
    auto loops = sch.get_loops(c);
    auto i = sch.split(loops[0], {std::monostate(), int64_t{5}});
    auto j = sch.split(loops[1], {std::monostate(), int64_t{4}});
    auto k = sch.split(loops[2], {std::monostate(), int64_t{4}});
    sch.reorder({i[0], j[0], k[0], i[1], k[1], j[1]});
    LoopRV target = at == 0 ? i[0] : at == 1 ? j[0] : k[0];
    BlockRV init = sch.decompose_reduction(c, target);
    EXPECT_EQ(sch.block_name(init), "C_init");
    expect_same_outputs(sch, 2);
    expect_round_trip(sch);
  }
  // A spatial loop fused with a reduction loop: the init runs over the fused loop.
  Schedule sch(func);
  BlockRV c = sch.get_block("C");
  auto loops = sch.get_loops(c);
  LoopRV jk = sch.fuse({loops[1], loops[2]});
  auto parts = sch.split(jk, {std::monostate(), int64_t{7}});
  sch.decompose_reduction(c, parts[0]);
  expect_same_outputs(sch, 2);
}

TEST(RFactor, EveryReductionLoopComputesTheSame) {
  struct Case {
    std::string workload, block;
    size_t inputs;
  };
  for (const Case& c :
       {Case{"matmul", "C", 2}, Case{"reduce_sum", "B", 1}, Case{"softmax", "row_max", 1},
        Case{"softmax", "row_sum", 1}, Case{"layernorm", "row_sum", 3},
        Case{"layernorm", "sq_sum", 3}, Case{"batch_matmul", "C", 2}}) {
    ir::PrimFunc func = workload(c.workload, {});
    int64_t inner = 4;
    for (int axis : {0, -1}) {
      Schedule sch(func);
      BlockRV b = sch.get_block(c.block);
      auto loops = sch.get_loops(b);
      auto k = sch.split(loops.back(), {std::monostate(), inner});
      BlockRV rf = sch.rfactor(axis == 0 ? k[1] : k[0], axis);
      EXPECT_EQ(sch.block_name(rf), c.block + "_rf");
      expect_same_outputs(sch, c.inputs);
      expect_round_trip(sch);
      // The rf block is itself a reduction: it decomposes, and so does the write-back.
      auto rf_loops = sch.get_loops(rf);
      sch.decompose_reduction(rf, rf_loops[0]);
      auto wb_loops = sch.get_loops(b);
      sch.decompose_reduction(b, wb_loops.back());
      expect_same_outputs(sch, c.inputs);
    }
  }
}

TEST(RFactor, NonDividingSplitsAndReorder) {
  ir::PrimFunc func = workload("matmul", {{"M", 6}, {"N", 5}, {"K", 10}});
  for (int64_t inner : {3, 4, 7}) {
    for (int which = 0; which < 2; ++which) {
      Schedule sch(func);
      BlockRV c = sch.get_block("C");
      auto loops = sch.get_loops(c);
      auto i = sch.split(loops[0], {std::monostate(), int64_t{4}});
      auto k = sch.split(loops[2], {std::monostate(), inner});
      sch.reorder({i[0], k[0], loops[1], i[1], k[1]});
      // The rfactor loop may lie above spatial loops: they stay around the
      // write-back block.
      sch.rfactor(which == 0 ? k[0] : k[1], 0);
      expect_same_outputs(sch, 2);
      expect_round_trip(sch);
    }
  }
  // Explicit factors that over-cover: some partial results get no
  // contribution at all, and the write-back must skip them.
  Schedule sch(func);
  auto loops = sch.get_loops(sch.get_block("C"));
  auto k = sch.split(loops[2], {int64_t{4}, int64_t{8}});
  sch.rfactor(k[0], 0);
  expect_same_outputs(sch, 2);
}

TEST(DecomposeReduction, InitReadingABufferWrittenUnderTheLoop) {
  const char* text = R"(@kiln.prim_func
def f(A: Buffer((4, 4), "float32"), D: Buffer((4, 4), "float32"), B: Buffer((4,), "float32")):
    for i in range(4):
        for j in range(4):
            with block("D"):
                vi, vj = axis.remap("SS", [i, j])
                reads(A[vi, vj])
                writes(D[vi, vj])
                D[vi, vj] = A[vi, vj] * 2.0
        for k in range(4):
            with block("B"):
                vi, vk = axis.remap("SR", [i, k])
                reads(D[vi, 0], A[vi, vk])
                writes(B[vi])
                with init():
                    B[vi] = D[vi, 0]
                B[vi] = B[vi] + A[vi, vk]
)";
  Schedule sch(ir::parse_prim_func(text));
  BlockRV b = sch.get_block("B");
  auto loops = sch.get_loops(b);
  expect_error(
      sch, no_setup, [&](Schedule& s) { s.decompose_reduction(b, loops[0]); }, "writes `D`");
  sch.decompose_reduction(b, loops[1]);
  expect_same_outputs(sch, 1);
}

// After blockize the init is a loop nest with a block of its own: it still
// decomposes. Once pad_einsum has staged that block through a buffer the
// outer block allocates (the fuzzer's case), the init cannot leave.
TEST(DecomposeReduction, BlockizedInitDecomposesUnlessItUsesTheBlocksOwnBuffer) {
  Schedule sch(workload("softmax", {{"M", 6}, {"N", 10}}));
  BlockRV outer = sch.blockize(sch.get_loops(sch.get_block("row_max"))[0]);
  LoopRV unit = sch.add_unit_loop(outer);
  Schedule plain = sch.copy();
  plain.decompose_reduction(outer, unit);
  expect_same_outputs(plain, 1);
  expect_error(
      sch, [&](Schedule& s) { s.pad_einsum(s.get_block("row_max_init"), {4}); },
      [&](Schedule& s) { s.decompose_reduction(outer, unit); },
      "uses `row_max_pad`, which the block allocates");
}

// Random loop nests (splits that may not divide, reorders, fuses), then
// rfactor and decompose_reduction at random loops: each either refuses and
// leaves the schedule unchanged, or computes the same.
TEST(Reduction, RandomLoopNestsNeverMiscompute) {
  struct Case {
    std::string workload, block;
    std::map<std::string, int64_t> shape;
    size_t inputs;
  };
  const Case cases[] = {{"matmul", "C", {{"M", 6}, {"N", 5}, {"K", 7}}, 2},
                        {"reduce_sum", "B", {{"M", 5}, {"N", 12}}, 1},
                        {"batch_matmul", "C", {{"B", 2}, {"M", 3}, {"N", 4}, {"K", 6}}, 2},
                        {"softmax", "row_max", {{"M", 3}, {"N", 10}}, 1}};
  std::mt19937 rng(7);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  int applied = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const Case& c = cases[trial % 4];
    Schedule sch(workload(c.workload, c.shape));
    BlockRV b = sch.get_block(c.block);
    for (int step = 0; step < 3; ++step) {
      auto loops = sch.get_loops(b);
      Schedule before = sch.copy();
      try {
        switch (pick(3)) {
          case 0:
            sch.split(loops[pick(loops.size())], {std::monostate(), int64_t(2 + pick(3))});
            break;
          case 1: sch.reorder({loops[pick(loops.size())], loops[pick(loops.size())]}); break;
          default: {
            if (loops.size() < 2) break;
            size_t at = pick(loops.size() - 1);
            sch.fuse({loops[at], loops[at + 1]});
          }
        }
      } catch (const ScheduleError&) {
        expect_unchanged(before, sch);
      }
    }
    auto try_primitive = [&](const std::function<void()>& f) {
      Schedule before = sch.copy();
      try {
        f();
        ++applied;
        expect_same_outputs(sch, c.inputs);
      } catch (const ScheduleError&) {
        expect_unchanged(before, sch);
      }
    };
    auto loops = sch.get_loops(b);
    LoopRV rf_loop = loops[pick(loops.size())];
    int axis = static_cast<int>(pick(3)) - 1;
    try_primitive([&] { sch.rfactor(rf_loop, axis); });
    std::vector<BlockRV> blocks{b};
    if (find_block(sch.func(), c.block + "_rf").defined())
      blocks.push_back(sch.get_block(c.block + "_rf"));
    BlockRV target = blocks[pick(blocks.size())];
    auto target_loops = sch.get_loops(target);
    LoopRV at = target_loops[pick(target_loops.size())];
    try_primitive([&] { sch.decompose_reduction(target, at); });
  }
  EXPECT_GT(applied, 100);
}

}  // namespace
}  // namespace kiln::sched

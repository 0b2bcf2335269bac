#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/schedule.h"
#include "tests/cpp/schedule/schedule_checks.h"
#include "workloads/workloads.h"

namespace kiln::sched {
namespace {

using testing::check_golden;
using testing::expect_round_trip;
using testing::expect_same_outputs;
using testing::expect_unchanged;

ir::PrimFunc matmul(int64_t m, int64_t n, int64_t k) {
  return workloads::get("matmul", {{"M", m}, {"N", n}, {"K", k}}).func;
}

ir::PrimFunc small_conv() {
  return workloads::get("conv2d_nhwc", {{"N", 1}, {"H", 6}, {"W", 5}, {"C", 3}, {"K", 4}}).func;
}

// `failing` must throw a ScheduleError whose message contains `text` and
// leave the schedule as it was.
void expect_error(const Schedule& sch, const std::function<void(Schedule&)>& failing,
                  const std::string& text) {
  Schedule copy = sch.copy();
  try {
    failing(copy);
    ADD_FAILURE() << "no error, expected: " << text;
  } catch (const ScheduleError& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
  expect_unchanged(sch, copy);
}

// ---- pad_einsum

TEST(PadEinsum, MatmulOddShapes) {
  for (int64_t tile : {4, 8, 16}) {
    Schedule sch(matmul(7, 13, 9));
    sch.pad_einsum(sch.get_block("C"), {tile, tile, tile});
    expect_same_outputs(sch, 2);
    expect_round_trip(sch);
  }
}

TEST(PadEinsum, OnlySomeIterVars) {
  Schedule sch(matmul(7, 16, 9));
  sch.pad_einsum(sch.get_block("C"), {8, 4, 1});
  expect_same_outputs(sch, 2);
}

TEST(PadEinsum, AfterReorderThenSplit) {
  Schedule sch(matmul(5, 6, 7));
  BlockRV c = sch.get_block("C");
  std::vector<LoopRV> loops = sch.get_loops(c);
  sch.reorder({loops[2], loops[0]});
  sch.pad_einsum(c, {4, 4, 4});
  std::vector<LoopRV> after = sch.get_loops(c);
  sch.split(after[0], {std::monostate(), int64_t{4}});
  expect_same_outputs(sch, 2);
  expect_round_trip(sch);
}

TEST(PadEinsum, SoftmaxStages) {
  // row_sum adds exp values (zero in the padding); exp and softmax are
  // elementwise: any padding of them is sound.
  for (const char* block : {"exp", "row_sum", "softmax"}) {
    Schedule sch(workloads::get("softmax", {{"M", 5}, {"N", 7}}).func);
    sch.pad_einsum(sch.get_block(block), {4, 8});
    expect_same_outputs(sch, 1);
  }
}

TEST(PadEinsum, BatchMatmul) {
  for (int64_t transpose_b : {0, 1}) {
    Schedule sch(
        workloads::get("batch_matmul",
                       {{"B", 3}, {"M", 5}, {"N", 6}, {"K", 7}, {"transpose_b", transpose_b}})
            .func);
    sch.pad_einsum(sch.get_block("C"), {1, 4, 4, 8});
    expect_same_outputs(sch, 2);
    expect_round_trip(sch);
  }
}

TEST(PadEinsum, TwiceGivesDistinctBufferNames) {
  Schedule sch(matmul(7, 13, 9));
  BlockRV c = sch.get_block("C");
  sch.pad_einsum(c, {4, 4, 4});
  sch.pad_einsum(c, {16, 16, 16});
  expect_same_outputs(sch, 2);
  expect_round_trip(sch);
  EXPECT_NE(ir::to_script(sch.func()).find("A_pad_pad = alloc_buffer"), std::string::npos);
}

TEST(PadEinsum, ReductionThatPaddingChanges) {
  // A max over zero padding could exceed a row of negative values.
  Schedule sch(workloads::get("softmax", {{"M", 5}, {"N", 7}}).func);
  BlockRV row_max = sch.get_block("row_max");
  expect_error(
      sch,
      [row_max](Schedule& s) {
        s.pad_einsum(row_max, {1, 8});
      },
      "cannot be shown to add zero");
}

TEST(PadEinsum, PaddingSizeMismatch) {
  Schedule sch(matmul(7, 13, 9));
  BlockRV c = sch.get_block("C");
  expect_error(
      sch,
      [c](Schedule& s) {
        s.pad_einsum(c, {4, 4});
      },
      "has 3 iter vars");
}

TEST(PadEinsum, NonPositivePadding) {
  Schedule sch(matmul(7, 13, 9));
  BlockRV c = sch.get_block("C");
  expect_error(
      sch,
      [c](Schedule& s) {
        s.pad_einsum(c, {4, 0, 4});
      },
      "non-positive");
}

TEST(PadEinsum, NotEinsumLike) {
  Schedule sch(matmul(8, 8, 8));
  std::vector<LoopRV> loops = sch.get_loops(sch.get_block("C"));
  sch.split(loops[0], {int64_t{2}, int64_t{4}});
  BlockRV c = sch.get_block("C");
  expect_error(
      sch,
      [c](Schedule& s) {
        s.pad_einsum(c, {4, 4, 4});
      },
      "not bound one loop per iter var");
  Schedule conv(small_conv());
  BlockRV conv_block = conv.get_block("conv2d");
  expect_error(
      conv,
      [conv_block](Schedule& s) {
        s.pad_einsum(conv_block, {4, 4, 4, 4, 4, 4, 4});
      },
      "not an iter var");
}

TEST(PadEinsum, NotAloneInItsNest) {
  // After compute_at, the producer runs inside the consumer's loops: padding
  // those loops would run it out of bounds.
  Schedule sch(workloads::get("dense_bias_relu", {{"M", 5}, {"N", 6}, {"K", 7}}).func);
  BlockRV bias = sch.get_block("bias_add");
  BlockRV relu = sch.get_block("relu");
  sch.reverse_compute_at(relu, sch.get_loops(bias)[1]);
  expect_error(
      sch,
      [bias](Schedule& s) {
        s.pad_einsum(bias, {4, 4});
      },
      "not alone in a perfect loop nest");
}

TEST(PadEinsum, OutputReadOutsideReduction) {
  // C accumulates into what it held before: a padded C would start empty.
  Schedule sch(ir::parse_prim_func(R"(@kiln.prim_func
def accumulate(A: Buffer((5, 6), "float32"), B: Buffer((6, 7), "float32"), C: Buffer((5, 7), "float32")):
    for i, j, k in grid(5, 7, 6):
        with block("C"):
            vi, vj, vk = axis.remap("SSR", [i, j, k])
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
)"));
  BlockRV c = sch.get_block("C");
  expect_error(
      sch,
      [c](Schedule& s) {
        s.pad_einsum(c, {4, 4, 4});
      },
      "other than as the accumulator");
}

TEST(PadEinsum, Golden) {
  check_golden("pad_einsum/matmul_odd_to_4.kiln", [](Schedule& sch) {
    sch.pad_einsum(sch.get_block("C"), {4, 4, 4});
  });
}

// ---- decompose_padding

TEST(DecomposePadding, Conv2dAtEveryLoop) {
  Schedule base(small_conv());
  const size_t depth = base.get_loops(base.get_block("pad")).size();
  for (size_t l = 0; l < depth; ++l) {
    Schedule sch(small_conv());
    BlockRV pad = sch.get_block("pad");
    BlockRV fill = sch.decompose_padding(pad, sch.get_loops(pad)[l]);
    EXPECT_EQ(sch.block_name(fill), "pad_pad_const");
    expect_same_outputs(sch, 2);
    expect_round_trip(sch);
  }
}

TEST(DecomposePadding, AfterSplit) {
  Schedule sch(small_conv());
  BlockRV pad = sch.get_block("pad");
  std::vector<LoopRV> loops = sch.get_loops(pad);
  sch.split(loops[1], {std::monostate(), int64_t{4}});
  sch.decompose_padding(pad, sch.get_loops(pad)[2]);
  expect_same_outputs(sch, 2);
}

TEST(DecomposePadding, LoopNotAncestor) {
  Schedule sch(small_conv());
  BlockRV pad = sch.get_block("pad");
  LoopRV conv_loop = sch.get_loops(sch.get_block("conv2d"))[0];
  expect_error(
      sch, [=](Schedule& s) { s.decompose_padding(pad, conv_loop); }, "is not an ancestor");
}

TEST(DecomposePadding, NotAPaddingBlock) {
  Schedule sch(small_conv());
  BlockRV conv = sch.get_block("conv2d");
  LoopRV conv_loop = sch.get_loops(conv)[0];
  expect_error(
      sch, [=](Schedule& s) { s.decompose_padding(conv, conv_loop); }, "is a reduction block");
  // A spatial block whose store is no select with a constant.
  Schedule relu(
      workloads::get("conv2d_bias_relu_nhwc", {{"H", 4}, {"W", 4}, {"C", 2}, {"K", 2}}).func);
  BlockRV bias = relu.get_block("bias_add");
  LoopRV bias_loop = relu.get_loops(bias)[0];
  expect_error(
      relu, [=](Schedule& s) { s.decompose_padding(bias, bias_loop); }, "does not store select");
}

TEST(DecomposePadding, OtherBlockUnderLoop) {
  Schedule sch(small_conv());
  BlockRV pad = sch.get_block("pad");
  sch.compute_at(pad, sch.get_loops(sch.get_block("conv2d"))[1]);
  LoopRV outer = sch.get_loops(pad)[0];
  expect_error(
      sch, [=](Schedule& s) { s.decompose_padding(pad, outer); }, "also accesses buffer");
}

TEST(DecomposePadding, Golden) {
  check_golden("decompose_padding/pad2d_inner_loop.kiln", [](Schedule& sch) {
    BlockRV pad = sch.get_block("pad");
    sch.decompose_padding(pad, sch.get_loops(pad)[1]);
  });
}

}  // namespace
}  // namespace kiln::sched

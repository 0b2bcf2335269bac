// Memory: gathers and scatters, guarded loads that must not run when not
// chosen, masked vector loads, stack and heap allocations and their failure.
#include <gtest/gtest.h>

#include "runtime/error.h"
#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Expr;
using ir::Var;

TEST(LlvmMemory, EightLaneGatherAndScatter) {
  ir::Buffer a = flat("A", f32, 512), c = flat("C", f32, 512), d = flat("D", f32, 512);
  Var i("i");
  // Stride 3, and a permutation computed per lane (7 * l mod 64).
  Expr strided = ir::ramp(i * 8, i32(3), 8);
  Expr permuted = ir::floormod(ir::ramp(i * 8, i32(1), 8) * ir::broadcast(i32(7), 8),
                               ir::broadcast(i32(512), 8));
  Expr contiguous = ir::ramp(i * 8, i32(1), 8);
  ir::Stmt body =
      ir::seq({store(c, load(a, strided), contiguous),
               store(d, load(a, contiguous) * ir::broadcast(ir::float_imm(f32, 2), 8), permuted)});
  ir::PrimFunc f = ir::make_prim_func("gather", {a, c, d}, loop(i, 21, body));
  expect_matches_interpreter(f);
  const std::string ll = jit_build(f).get_source("ll");
  EXPECT_TRUE(ll.find("masked.gather") != std::string::npos ||
              ll.find("extractelement") != std::string::npos);
}

TEST(LlvmMemory, GuardedSelectDoesNotLoadWhenNotChosen) {
  // Padding: B[i] = select(1 <= i, A[i - 1], 0), whose load at i = 0 is out
  // of bounds; and a guard that depends on data with a load a gigabyte away.
  ir::Buffer a = flat("A", f32, 64), b = flat("B", f32, 65), c = flat("C", f32, 64);
  ir::Buffer d = flat("D", DataType::Bool(), 64);
  Var i("i");
  ir::Stmt pad =
      loop(i, 65, store(b, ir::select(i32(1) <= i, load(a, i - 1), ir::float_imm(f32, 0)), i));
  Expr far = load(a, i + i32(1 << 28));
  Expr guard = load(a, i) > ir::float_imm(f32, 100);
  ir::Stmt far_select = loop(i, 64, store(c, ir::select(guard, far, load(a, i)), i));
  ir::Stmt short_circuit =
      loop(i, 64, store(d, ir::logical_and(guard, far > ir::float_imm(f32, 0)), i));
  ir::Stmt or_circuit =
      loop(i, 64, store(d, ir::logical_or(ir::logical_not(guard), far > ir::float_imm(f32, 0)), i));
  for (const ir::Stmt& s : {pad, far_select, short_circuit, or_circuit}) {
    expect_matches_interpreter(ir::make_prim_func("guarded", {a, b, c, d}, s));
  }
}

TEST(LlvmMemory, VectorSelectLoadsOnlyChosenLanes) {
  ir::Buffer a = flat("A", f32, 64), b = flat("B", f32, 64), c = flat("C", f32, 64);
  Var i("i");
  Expr idx = ir::ramp(i * 8, i32(1), 8);
  Expr reversed = ir::ramp(i32(63) - i * 8, i32(-1), 8);
  Expr zero = ir::broadcast(ir::float_imm(f32, 0), 8);
  Expr positive = load(a, idx) > zero;
  ir::Stmt contiguous = store(c, ir::select(positive, load(b, idx), load(a, idx) * zero), idx);
  ir::Stmt gathered = store(c, ir::select(positive, load(b, reversed), zero), idx);
  for (const ir::Stmt& s : {contiguous, gathered}) {
    expect_matches_interpreter(ir::make_prim_func("masked", {a, b, c}, loop(i, 8, s)));
  }
  // The gather keeps its mask (a masked contiguous load from a buffer known
  // to be dereferenceable may become a plain load and a select).
  const std::string ll =
      jit_build(ir::make_prim_func("masked", {a, b, c}, loop(i, 8, gathered))).get_source("ll");
  EXPECT_NE(ll.find("masked.gather"), std::string::npos) << ll;
}

// tmp = A * 2 in a scratch buffer, C = tmp reversed.
ir::PrimFunc scratch(int64_t n) {
  ir::Buffer a = flat("A", f32, n), c = flat("C", f32, n), tmp = flat("tmp", f32, n);
  Var i("i"), j("j");
  ir::Stmt body =
      ir::allocate(tmp, ir::seq({loop(i, n, store(tmp, load(a, i) * ir::float_imm(f32, 2), i)),
                                 loop(j, n, store(c, load(tmp, i32(n - 1) - j), j))}));
  return ir::make_prim_func("scratch", {a, c}, body);
}

TEST(LlvmMemory, SmallAllocationOnTheStackLargeOnTheHeap) {
  expect_matches_interpreter(scratch(1000));
  expect_matches_interpreter(scratch(40000));  // 160 KB
  EXPECT_EQ(jit_build(scratch(1000)).get_source("ll").find("aligned_alloc"), std::string::npos);
  const std::string heap = jit_build(scratch(40000)).get_source("ll");
  EXPECT_NE(heap.find("aligned_alloc"), std::string::npos);
  EXPECT_NE(heap.find("@free"), std::string::npos);
}

TEST(LlvmMemory, FailedHeapAllocationReturnsWorkspaceError) {
  // A terabyte: the allocation fails, and the kernel reports it. The indices
  // come from memory so that the optimizer cannot drop the allocation.
  const DataType i64 = DataType::Int(64);
  ir::Buffer a = flat("A", i64, 4), tmp = flat("tmp", i64, int64_t{1} << 37);
  ir::Stmt body = ir::allocate(tmp, ir::seq({store(tmp, load(a, i32(0)), load(a, i32(1))),
                                             store(a, load(tmp, load(a, i32(2))), i32(3))}));
  runtime::Module m = jit_build(ir::make_prim_func("huge", {a}, body));
  runtime::NDArray arr = runtime::NDArray::empty({4}, runtime::parse_dtype("int64"));
  for (int k = 0; k < 4; ++k) static_cast<int64_t*>(arr.data())[k] = 0;
  EXPECT_NE(m.get_source("ll").find("aligned_alloc"), std::string::npos);
  try {
    m(arr);
    ADD_FAILURE() << "expected a workspace error";
  } catch (const runtime::RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("workspace"), std::string::npos) << e.what();
  }
}

TEST(LlvmMemory, BoolBuffersAreBytes) {
  ir::Buffer a = flat("A", DataType::Bool(), 64), c = flat("C", DataType::Bool(), 64);
  Var i("i");
  Expr idx = ir::ramp(i * 8, i32(1), 8);
  Expr strided = ir::ramp(i, i32(8), 8);
  ir::PrimFunc f = ir::make_prim_func("bools", {a, c},
                                      loop(i, 8, store(c, ir::logical_not(load(a, idx)), strided)));
  expect_matches_interpreter(f);
}

}  // namespace
}  // namespace kiln::codegen::testing

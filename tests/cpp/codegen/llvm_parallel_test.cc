// Parallel loops: outlined bodies that capture loop and let variables and
// buffers, with per-thread allocations inside, run on the thread pool.
#include <gtest/gtest.h>

#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Expr;
using ir::Var;

// for o in 3: let s = o * 0.5 in
//   parallel for p in 16:
//     allocate tmp[width]: tmp[j] = A[p*width + j] * s + o
//     C[o][p*width + j] = tmp[width-1-j] + p
ir::PrimFunc parallel_with_allocation(int64_t width) {
  const int64_t n = 16 * width;
  ir::Buffer a = flat("A", f32, n), c = flat("C", f32, 3 * n), tmp = flat("tmp", f32, width);
  Var o("o"), p("p"), j("j"), k("k"), s("s", f32);
  ir::Stmt inner = ir::allocate(
      tmp,
      ir::seq({loop(j, width, store(tmp, load(a, p * i32(width) + j) * s + ir::cast(f32, o), j)),
               loop(k, width,
                    store(c, load(tmp, i32(width - 1) - k) + ir::cast(f32, p),
                          o * i32(n) + p * i32(width) + k))}));
  ir::Stmt par = loop(p, 16, inner, ir::ForKind::kParallel);
  ir::Stmt body = loop(o, 3, ir::let_stmt(s, ir::cast(f32, o) * ir::float_imm(f32, 0.5), par));
  return ir::make_prim_func("parallel_alloc", {a, c}, body);
}

TEST(LlvmParallel, OutlinedBodyWithAllocationAndCaptures) {
  expect_matches_interpreter(parallel_with_allocation(64));
  const std::string ll = jit_build(parallel_with_allocation(64)).get_source("ll");
  EXPECT_NE(ll.find("parallel_alloc__parallel0"), std::string::npos);
}

TEST(LlvmParallel, HeapAllocationPerIteration) {
  expect_matches_interpreter(parallel_with_allocation(20000));  // 80 KB per thread
}

TEST(LlvmParallel, VectorBodyAndInt64Loop) {
  const DataType i64 = DataType::Int(64);
  ir::Buffer a = flat("A", f32, 1024), c = flat("C", f32, 1024);
  Var p("p", i64);
  Expr idx = ir::ramp(p * ir::int_imm(i64, 8), ir::int_imm(i64, 1), 8);
  ir::PrimFunc f = ir::make_prim_func(
      "par_vec", {a, c},
      loop(p, 128, store(c, load(a, idx) + load(a, idx), idx), ir::ForKind::kParallel));
  expect_matches_interpreter(f);
}

}  // namespace
}  // namespace kiln::codegen::testing

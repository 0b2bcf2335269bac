// Compile time of a tiled 64x64x64 matmul loop nest: printed for the log
// (the search compiles thousands of kernels), and checked for correctness.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Expr;
using ir::Var;

// C[64x64] = A[64x64] * B[64x64], tiled 8x8 with the j tile in 8 lanes:
//   parallel for io in 8: for jo in 8:
//     for ii in 8: C[row, jo*8 : +8] = 0
//     for k in 64: for ii in 8: C[row, jo*8 : +8] += A[row, k] * B[k, jo*8 : +8]
ir::PrimFunc tiled_matmul() {
  ir::Buffer a = flat("A", f32, 4096), b = flat("B", f32, 4096), c = flat("C", f32, 4096);
  Var io("io"), jo("jo"), ii("ii"), k("k"), ii2("ii2");
  auto c_tile = [&](const Var& i) { return ir::ramp((io * 8 + i) * 64 + jo * 8, i32(1), 8); };
  ir::Stmt init = loop(ii, 8, store(c, ir::broadcast(ir::float_imm(f32, 0), 8), c_tile(ii)));
  Expr update = load(c, c_tile(ii2)) + ir::broadcast(load(a, (io * 8 + ii2) * 64 + k), 8) *
                                           load(b, ir::ramp(k * 64 + jo * 8, i32(1), 8));
  ir::Stmt reduce = loop(k, 64, loop(ii2, 8, store(c, update, c_tile(ii2))));
  ir::Stmt body = loop(io, 8, loop(jo, 8, ir::seq({init, reduce})), ir::ForKind::kParallel);
  return ir::make_prim_func("matmul", {a, b, c}, body);
}

TEST(LlvmCompileTime, TiledMatmul64) {
  ir::PrimFunc f = tiled_matmul();
  expect_matches_interpreter(f, {}, {1e-5, 1e-5});
  std::vector<CompileTimes> runs;
  for (int r = 0; r < 5; ++r) runs.push_back(compile_times(jit_build(f)));
  std::sort(runs.begin(), runs.end(),
            [](const auto& x, const auto& y) { return x.total_ms() < y.total_ms(); });
  const auto& median = runs[runs.size() / 2];
  std::printf(
      "[compile time] 64x64x64 tiled matmul: %.1f ms wall (emit %.1f, O3 %.1f, codegen %.1f, "
      "jit %.1f); thread CPU %.1f ms, of which O3 %.1f; median of %zu builds\n",
      median.total_ms(), median.emit_ms, median.optimize_ms, median.codegen_ms, median.jit_ms,
      median.total_cpu_ms, median.optimize_cpu_ms, runs.size());
}

}  // namespace
}  // namespace kiln::codegen::testing

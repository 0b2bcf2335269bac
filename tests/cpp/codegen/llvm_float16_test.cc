// float16 and bfloat16 arithmetic: computed in float and rounded back after
// every operation, bit-exact against the interpreter's per-operation
// rounding, scalar and vector, with mixed-precision accumulation.
#include <gtest/gtest.h>

#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Expr;
using ir::Var;

constexpr int64_t kN = 512;

ir::PrimFunc half_ops(DataType t, int lanes) {
  ir::Buffer a = flat("A", t, kN), b = flat("B", t, kN), c = flat("C", t, kN);
  ir::Buffer sum = flat("S", t, kN), mn = flat("M", t, kN), lt = flat("L", DataType::Bool(), kN);
  Var i("i");
  Expr idx = lanes == 1 ? Expr(i) : ir::ramp(i * lanes, i32(1), lanes);
  Expr x = load(a, idx), y = load(b, idx), z = load(c, idx);
  ir::Stmt body = ir::seq({
      store(sum, (x * y + z) / (x - y), idx),
      store(mn, ir::max(ir::min(x, y), z), idx),
      store(lt, x < y, idx),
  });
  return ir::make_prim_func("half_" + t.str(), {a, b, c, sum, mn, lt}, loop(i, kN / lanes, body));
}

TEST(LlvmFloat16, ArithmeticRoundsPerOperation) {
  for (DataType t : {DataType::Float(16), DataType::BFloat16()}) {
    for (int lanes : {1, 8, 16}) {
      SCOPED_TRACE(t.str() + " x" + std::to_string(lanes));
      expect_matches_interpreter(
          half_ops(t, lanes), {uniform(-8, 8), uniform(-8, 8), uniform(-100, 100)}, {0, 0}, lanes);
    }
  }
}

// A float16 dot product accumulated in float32, stored back as float16.
TEST(LlvmFloat16, MixedPrecisionDot) {
  for (DataType t : {DataType::Float(16), DataType::BFloat16()}) {
    const DataType f32 = DataType::Float(32);
    ir::Buffer a = flat("A", t, 256), b = flat("B", t, 256), c = flat("C", t, 1);
    ir::Buffer acc = flat("acc", f32, 1, "local");
    Var k("k");
    ir::Stmt body =
        ir::allocate(acc, ir::seq({store(acc, ir::float_imm(f32, 0), i32(0)),
                                   loop(k, 256,
                                        store(acc,
                                              load(acc, i32(0)) + ir::cast(f32, load(a, k)) *
                                                                      ir::cast(f32, load(b, k)),
                                              i32(0))),
                                   store(c, ir::cast(t, load(acc, i32(0))), i32(0))}));
    SCOPED_TRACE(t.str());
    expect_matches_interpreter(ir::make_prim_func("dot", {a, b, c}, body), {}, {1e-2, 1e-3});
  }
}

}  // namespace
}  // namespace kiln::codegen::testing

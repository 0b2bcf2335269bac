// Intrinsic calls on scalars and vectors of float16/32/64 and bfloat16:
// LLVM intrinsics where they exist, libm lane by lane (tanh, erf) otherwise.
// sigmoid and rsqrt are expanded before the backend and rejected here.
#include <gtest/gtest.h>

#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Expr;
using ir::Intrinsic;
using ir::Var;

constexpr int64_t kN = 256;

// Exact halves among the values, so that round() meets its ties.
Filler with_halves() {
  return [](void* data, DataType t, int64_t n, std::mt19937& rng) {
    uniform(-3, 3)(data, t, n, rng);
    for (int64_t i = 0; i < n; i += 4) {
      const double v = static_cast<double>(static_cast<int>(rng() % 13) - 6) + 0.5;
      uniform(v, v)(static_cast<char*>(data) + i * t.bytes(), t, 1, rng);
    }
  };
}

ir::PrimFunc intrinsics(DataType t, int lanes) {
  ir::Buffer a = flat("A", t, kN), b = flat("B", t, kN), c = flat("C", t, kN);
  std::vector<ir::Buffer> params = {a, b, c};
  std::vector<ir::Stmt> body;
  Var i("i");
  Expr idx = lanes == 1 ? Expr(i) : ir::ramp(i * lanes, i32(1), lanes);
  Expr x = load(a, idx), y = load(b, idx), z = load(c, idx);
  Expr positive = ir::call(Intrinsic::kFabs, {x});
  auto out = [&](const std::string& name, Expr value) {
    ir::Buffer buf = flat(name, value.dtype().element_of(), kN);
    params.push_back(buf);
    body.push_back(store(buf, value, idx));
  };
  out("exp", ir::call(Intrinsic::kExp, {x}));
  out("log", ir::call(Intrinsic::kLog, {positive}));
  out("sqrt", ir::call(Intrinsic::kSqrt, {positive}));
  out("tanh", ir::call(Intrinsic::kTanh, {x}));
  out("erf", ir::call(Intrinsic::kErf, {x}));
  out("fabs", positive);
  out("floor", ir::call(Intrinsic::kFloor, {x}));
  out("ceil", ir::call(Intrinsic::kCeil, {x}));
  out("round", ir::call(Intrinsic::kRound, {x}));
  out("pow", ir::call(Intrinsic::kPow, {positive, y}));
  out("fma", ir::call(Intrinsic::kFma, {x, y, z}));
  out("isnan", ir::call(Intrinsic::kIsNan, {ir::call(Intrinsic::kLog, {x})}));
  return ir::make_prim_func("intrinsics_" + t.str(), params, loop(i, kN / lanes, ir::seq(body)));
}

TEST(LlvmIntrinsics, ScalarsAndVectorsOfEveryFloatType) {
  for (DataType t :
       {DataType::Float(32), DataType::Float(64), DataType::Float(16), DataType::BFloat16()}) {
    // 16-bit results may differ by one unit in the last place: the
    // interpreter computes them in double, the backend in float.
    const Tolerance tol = t.bits() == 16 ? Tolerance{1e-2, 1e-3} : Tolerance{2e-6, 1e-6};
    for (int lanes : {1, 4, 8}) {
      SCOPED_TRACE(t.str() + " x" + std::to_string(lanes));
      expect_matches_interpreter(intrinsics(t, lanes), {with_halves(), with_halves()}, tol, lanes);
    }
  }
}

TEST(LlvmIntrinsics, VectorCallsUseIntrinsicsAndLibm) {
  runtime::Module m = jit_build(intrinsics(DataType::Float(32), 8));
  const std::string ll = m.get_source("ll");
  EXPECT_NE(ll.find("tanhf"), std::string::npos);
  EXPECT_NE(ll.find("erff"), std::string::npos);
  EXPECT_NE(ll.find("@llvm.sqrt.v8f32"), std::string::npos) << ll;
}

TEST(LlvmIntrinsics, SigmoidAndRsqrtMustBeExpandedFirst) {
  const DataType f32 = DataType::Float(32);
  ir::Buffer a = flat("A", f32, 8), c = flat("C", f32, 8);
  Var i("i");
  for (Intrinsic op : {Intrinsic::kSigmoid, Intrinsic::kRsqrt}) {
    ir::PrimFunc f = ir::make_prim_func("unexpanded", {a, c},
                                        loop(i, 8, store(c, ir::call(op, {load(a, i)}), i)));
    try {
      jit_build(f);
      ADD_FAILURE() << "expected an internal error";
    } catch (const std::logic_error& e) {
      EXPECT_NE(std::string(e.what()).find(ir::intrinsic_name(op)), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("internal error"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace kiln::codegen::testing

// Arithmetic, comparisons and logic on every integer type and on floats,
// scalar and vector, against the interpreter: wrapping, truncating and
// floor division with negative operands and MIN / -1, min/max and
// comparisons with NaN, select, and/or/not.
#include <gtest/gtest.h>

#include <limits>

#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Expr;
using ir::ExprKind;
using ir::Var;

constexpr int64_t kN = 512;

// A binary node as it is, without the constructor's folding or type rules
// (floordiv on floats is legal in lowered code).
Expr raw(ExprKind kind, Expr a, Expr b) {
  const DataType t = ir::is_comparison(kind) ? DataType::Bool(a.dtype().lanes()) : a.dtype();
  return Expr(std::make_shared<ir::BinaryNode>(kind, t, std::move(a), std::move(b)));
}

// Random bits with the edges mixed in: 0, 1, -1, MIN, MAX; divisors never 0.
Filler integer_edges(bool divisor) {
  return [divisor](void* data, DataType t, int64_t n, std::mt19937& rng) {
    random_bits()(data, t, n, rng);
    char* p = static_cast<char*>(data);
    const int bits = t.bits();
    const uint64_t min = t.is_int() ? uint64_t{1} << (bits - 1) : 0;
    const uint64_t edges[] = {0, 1, ~uint64_t{0}, min, min - 1, 7, static_cast<uint64_t>(-7)};
    for (int64_t i = 0; i < n; ++i, p += t.bytes()) {
      if (i % 5 == 0) std::memcpy(p, &edges[(i / 5) % 7], t.bytes());
      if (divisor) {
        uint64_t v = 0;
        std::memcpy(&v, p, t.bytes());
        if (v == 0) {
          const uint64_t one = i % 2 ? 1 : ~uint64_t{0};
          std::memcpy(p, &one, t.bytes());
        }
      }
    }
  };
}

const ExprKind kIntOps[] = {ExprKind::kAdd, ExprKind::kSub,      ExprKind::kMul,
                            ExprKind::kDiv, ExprKind::kFloorDiv, ExprKind::kFloorMod,
                            ExprKind::kMin, ExprKind::kMax};
const ExprKind kComparisons[] = {ExprKind::kEQ, ExprKind::kNE, ExprKind::kLT,
                                 ExprKind::kLE, ExprKind::kGT, ExprKind::kGE};

// out_k[i] = A[i] op_k B[i] for every operation, over `lanes` lanes.
ir::PrimFunc all_ops(DataType t, int lanes, bool integer) {
  ir::Buffer a = flat("A", t, kN), b = flat("B", t, kN);
  std::vector<ir::Buffer> params = {a, b};
  std::vector<ir::Stmt> body;
  Var i("i");
  Expr idx = lanes == 1 ? Expr(i) : ir::ramp(i * lanes, i32(1), lanes);
  Expr x = load(a, idx), y = load(b, idx);
  std::vector<ExprKind> ops;
  if (integer) {
    ops.assign(std::begin(kIntOps), std::end(kIntOps));
  } else {
    ops = {ExprKind::kAdd,      ExprKind::kSub,      ExprKind::kMul, ExprKind::kDiv,
           ExprKind::kFloorDiv, ExprKind::kFloorMod, ExprKind::kMin, ExprKind::kMax};
  }
  for (ExprKind op : ops) {
    ir::Buffer out = flat("out" + std::to_string(params.size()), t, kN);
    params.push_back(out);
    body.push_back(store(out, raw(op, x, y), idx));
  }
  for (ExprKind op : kComparisons) {
    ir::Buffer out = flat("cmp" + std::to_string(params.size()), DataType::Bool(), kN);
    params.push_back(out);
    body.push_back(store(out, raw(op, x, y), idx));
  }
  return ir::make_prim_func("ops_" + t.str() + "x" + std::to_string(lanes), params,
                            loop(i, kN / lanes, ir::seq(body)));
}

class LlvmIntArith : public ::testing::TestWithParam<DataType> {};

TEST_P(LlvmIntArith, EveryOperationScalarAndVector) {
  const DataType t = GetParam();
  for (int lanes : {1, 8}) {
    SCOPED_TRACE(t.str() + " x" + std::to_string(lanes));
    expect_matches_interpreter(all_ops(t, lanes, true), {integer_edges(false), integer_edges(true)},
                               {}, 7 + lanes);
  }
}

INSTANTIATE_TEST_SUITE_P(Types, LlvmIntArith,
                         ::testing::Values(DataType::Int(8), DataType::Int(16), DataType::Int(32),
                                           DataType::Int(64), DataType::UInt(8), DataType::UInt(16),
                                           DataType::UInt(32), DataType::UInt(64)),
                         [](const auto& info) { return info.param.str(); });

// NaN, infinities, signed zeros and ordinary values, in both operands.
Filler float_specials() {
  return [](void* data, DataType t, int64_t n, std::mt19937& rng) {
    uniform(-4, 4)(data, t, n, rng);
    const double specials[] = {
        std::numeric_limits<double>::quiet_NaN(), INFINITY, -INFINITY, 0.0, -0.0, 1.5, -2.5};
    for (int64_t i = 0; i < n; i += 3) {
      const double v = specials[(i / 3 + rng() % 2) % 7];
      uniform(v, v)(static_cast<char*>(data) + i * t.bytes(), t, 1, rng);
    }
  };
}

TEST(LlvmFloatArith, EveryOperationWithNaNScalarAndVector) {
  for (DataType t : {DataType::Float(32), DataType::Float(64)}) {
    for (int lanes : {1, 4, 8}) {
      SCOPED_TRACE(t.str() + " x" + std::to_string(lanes));
      // Exact: no operation here is fused into another.
      expect_matches_interpreter(all_ops(t, lanes, false), {float_specials(), float_specials()},
                                 {0, 0}, 3 + lanes);
    }
  }
}

TEST(LlvmFloatArith, ContractedMultiplyAddIsWithinTolerance) {
  const DataType f32 = DataType::Float(32);
  ir::Buffer a = flat("A", f32, kN), b = flat("B", f32, kN), c = flat("C", f32, kN);
  Var i("i");
  ir::PrimFunc f = ir::make_prim_func(
      "muladd", {a, b, c}, loop(i, kN, store(c, load(a, i) * load(b, i) + load(c, i), i)));
  expect_matches_interpreter(f, {}, {1e-6, 1e-6});
}

TEST(LlvmLogic, SelectAndOrNotOnScalarsAndVectors) {
  const DataType i32t = DataType::Int(32);
  ir::Buffer a = flat("A", i32t, kN), b = flat("B", i32t, kN);
  ir::Buffer out = flat("out", i32t, kN), flags = flat("flags", DataType::Bool(), kN);
  for (int lanes : {1, 8}) {
    Var i("i");
    Expr idx = lanes == 1 ? Expr(i) : ir::ramp(i * lanes, i32(1), lanes);
    Expr x = load(a, idx), y = load(b, idx);
    auto splat = [&](int64_t v) { return lanes == 1 ? i32(v) : ir::broadcast(i32(v), lanes); };
    Expr p = x > splat(0), q = y < splat(3), r = load(flags, idx);
    Expr value = ir::select(ir::logical_and(p, ir::logical_not(q)), x - y,
                            ir::select(ir::logical_or(q, r), y, splat(-1)));
    ir::Stmt body =
        ir::seq({store(out, value, idx),
                 store(flags, ir::logical_or(ir::logical_and(p, r), ir::eq(q, r)), idx)});
    ir::PrimFunc f = ir::make_prim_func("logic", {a, b, out, flags}, loop(i, kN / lanes, body));
    SCOPED_TRACE(lanes);
    expect_matches_interpreter(f, {uniform(-5, 5), uniform(-5, 5)});
  }
}

TEST(LlvmLogic, LetBindsScalarsAndVectors) {
  const DataType f32 = DataType::Float(32);
  ir::Buffer a = flat("A", f32, 64), c = flat("C", f32, 64);
  Var i("i"), x("x", DataType::Float(32, 8)), s("s", f32);
  Expr idx = ir::ramp(i * 8, i32(1), 8);
  Expr body = ir::let(x, load(a, idx), x * x + x);
  ir::Stmt st = ir::let_stmt(s, ir::float_imm(f32, 0.5),
                             loop(i, 8, store(c, body * ir::broadcast(s, 8), idx)));
  expect_matches_interpreter(ir::make_prim_func("lets", {a, c}, st));
}

}  // namespace
}  // namespace kiln::codegen::testing

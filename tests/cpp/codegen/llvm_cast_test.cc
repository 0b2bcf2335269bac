// Every cast pair among bool, int/uint 8-64, float16/32/64 and bfloat16, on
// random bit patterns (NaN, infinities and out-of-range values included),
// scalar and vector, bit-exact against the interpreter.
#include <gtest/gtest.h>

#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Expr;
using ir::Var;

const std::vector<DataType>& all_types() {
  static const std::vector<DataType> types = {
      DataType::Bool(),    DataType::Int(8),    DataType::Int(16),   DataType::Int(32),
      DataType::Int(64),   DataType::UInt(8),   DataType::UInt(16),  DataType::UInt(32),
      DataType::UInt(64),  DataType::Float(16), DataType::Float(32), DataType::Float(64),
      DataType::BFloat16()};
  return types;
}

constexpr int64_t kN = 1024;

// out_k[i] = cast<type k>(A[i]) for every type.
ir::PrimFunc casts_from(DataType from, int lanes) {
  ir::Buffer a = flat("A", from, kN);
  std::vector<ir::Buffer> params = {a};
  std::vector<ir::Stmt> body;
  Var i("i");
  Expr idx = lanes == 1 ? Expr(i) : ir::ramp(i * lanes, i32(1), lanes);
  for (DataType to : all_types()) {
    if (to == from) continue;
    ir::Buffer out = flat("to_" + to.str(), to, kN);
    params.push_back(out);
    Expr value = Expr(std::make_shared<ir::CastNode>(to.with_lanes(lanes), load(a, idx)));
    body.push_back(store(out, value, idx));
  }
  return ir::make_prim_func("cast_" + from.str(), params, loop(i, kN / lanes, ir::seq(body)));
}

class LlvmCast : public ::testing::TestWithParam<DataType> {};

TEST_P(LlvmCast, ToEveryTypeScalarAndVector) {
  for (int lanes : {1, 4, 8}) {
    SCOPED_TRACE(GetParam().str() + " x" + std::to_string(lanes));
    expect_matches_interpreter(casts_from(GetParam(), lanes), {random_bits()}, {0, 0}, 11 + lanes);
  }
}

INSTANTIATE_TEST_SUITE_P(From, LlvmCast, ::testing::ValuesIn(all_types()),
                         [](const auto& info) { return info.param.str(); });

// Values that round differently when converted twice (through float) than
// once: integers near a 16-bit float's rounding ties, and doubles just off
// a float16/bfloat16 tie.
TEST(LlvmCastRounding, DoubleRoundingCases) {
  const DataType i64 = DataType::Int(64), f64 = DataType::Float(64);
  ir::Buffer a = flat("A", i64, 8), d = flat("D", f64, 8);
  ir::Buffer bf_from_int = flat("BI", DataType::BFloat16(), 8);
  ir::Buffer bf_from_double = flat("BD", DataType::BFloat16(), 8);
  ir::Buffer h_from_double = flat("HD", DataType::Float(16), 8);
  Var i("i");
  ir::Stmt body = ir::seq({
      store(bf_from_int, ir::cast(DataType::BFloat16(), load(a, i)), i),
      store(bf_from_double, ir::cast(DataType::BFloat16(), load(d, i)), i),
      store(h_from_double, ir::cast(DataType::Float(16), load(d, i)), i),
  });
  ir::PrimFunc f = ir::make_prim_func("ties", {a, d, bf_from_int, bf_from_double, h_from_double},
                                      loop(i, 8, body));
  auto ints = [](void* data, DataType, int64_t n, std::mt19937&) {
    const int64_t v[8] = {(1LL << 30) + (1LL << 22) + 1,
                          (1LL << 40) + (1LL << 32) + 3,
                          -((1LL << 30) + (1LL << 22) + 1),
                          (1LL << 62) + (1LL << 54) + 1,
                          INT64_MIN,
                          INT64_MAX,
                          257,
                          -257};
    std::memcpy(data, v, sizeof(v));
  };
  auto doubles = [](void* data, DataType, int64_t n, std::mt19937&) {
    const double v[8] = {1.0 + 1.0 / 256 + 1e-12,
                         1.0 + 1.0 / 2048 + 1e-12,
                         -(1.0 + 1.0 / 256 + 1e-12),
                         65520.0 - 1e-9,
                         65520.0,
                         3.4e38,
                         1e-40,
                         -1.0 - 1.0 / 2048 - 1e-13};
    std::memcpy(data, v, sizeof(v));
  };
  expect_matches_interpreter(f, {ints, doubles}, {0, 0});
}

}  // namespace
}  // namespace kiln::codegen::testing

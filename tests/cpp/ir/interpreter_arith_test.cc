// Value semantics of the interpreter, as property tests on random inputs:
// integer wrap-around, floor division, float16/bfloat16 rounding against a
// brute-force reference, float32 rounding, casts and intrinsics.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <type_traits>

#include "interpreter_test_util.h"
#include "ir/interpreter/float16.h"

namespace kiln::ir {
namespace {

using testing::serial;
using testing::view;

// out[i] = op(a[i], b[i]) over n elements of `type`.
PrimFunc elementwise(ExprKind kind, DataType type, int64_t n) {
  Buffer a = make_buffer("A", type, {n});
  Buffer b = make_buffer("B", type, {n});
  Var i("i");
  Expr value = binary(kind, buffer_load(a, {i}), buffer_load(b, {i}));
  Buffer out = make_buffer("C", value.dtype(), {n});
  return make_prim_func("elementwise", {a, b, out},
                        make_root_block(serial(i, n, buffer_store(out, value, {i}))));
}

template <typename T>
DataType dtype_of() {
  if constexpr (std::is_same_v<T, bool>) return DataType::Bool();
  if constexpr (std::is_same_v<T, float>) return DataType::Float(32);
  if constexpr (std::is_same_v<T, double>) return DataType::Float(64);
  if constexpr (std::is_signed_v<T>) return DataType::Int(8 * sizeof(T));
  return DataType::UInt(8 * sizeof(T));
}

// Random integers with the edges (0, ±1, min, max) over-represented.
template <typename T>
std::vector<T> random_ints(size_t n, std::mt19937_64& rng) {
  std::vector<T> out(n);
  const T edges[] = {0,
                     1,
                     static_cast<T>(-1),
                     std::numeric_limits<T>::min(),
                     std::numeric_limits<T>::max(),
                     static_cast<T>(std::numeric_limits<T>::min() + 1)};
  for (T& x : out) {
    if (rng() % 4 == 0) {
      x = edges[rng() % std::size(edges)];
    } else if (rng() % 2) {
      x = static_cast<T>(static_cast<int64_t>(rng() % 201) - 100);  // small, both signs
    } else {
      x = static_cast<T>(rng());
    }
  }
  return out;
}

template <typename T, typename R>
std::vector<R> run_elementwise(ExprKind kind, std::vector<T> a, std::vector<T> b) {
  const int64_t n = static_cast<int64_t>(a.size());
  PrimFunc func = elementwise(kind, dtype_of<T>(), n);
  std::vector<R> out(n);
  const DataType result = func->params[2]->dtype;
  interpret(func,
            {view(a, dtype_of<T>(), {n}), view(b, dtype_of<T>(), {n}), view(out, result, {n})});
  return out;
}

// Wrapping arithmetic, written independently: through uint64_t, then a
// modular conversion to T (defined behaviour since C++20).
template <typename T>
T wrapped(ExprKind kind, T x, T y) {
  const uint64_t a = static_cast<uint64_t>(x), b = static_cast<uint64_t>(y);
  switch (kind) {
    case ExprKind::kAdd: return static_cast<T>(a + b);
    case ExprKind::kSub: return static_cast<T>(a - b);
    case ExprKind::kMul: return static_cast<T>(a * b);
    default: return 0;
  }
}

template <typename T>
void check_integer_type() {
  SCOPED_TRACE(dtype_of<T>().str());
  std::mt19937_64 rng(sizeof(T) * 7 + std::is_signed_v<T>);
  const size_t n = 2000;
  std::vector<T> a = random_ints<T>(n, rng), b = random_ints<T>(n, rng);
  for (ExprKind kind : {ExprKind::kAdd, ExprKind::kSub, ExprKind::kMul}) {
    std::vector<T> got = run_elementwise<T, T>(kind, a, b);
    for (size_t e = 0; e < n; ++e) {
      ASSERT_EQ(got[e], wrapped(kind, a[e], b[e]))
          << binary_op_name(kind) << " of " << +a[e] << " and " << +b[e];
    }
  }
  std::vector<T> mins = run_elementwise<T, T>(ExprKind::kMin, a, b);
  std::vector<T> maxs = run_elementwise<T, T>(ExprKind::kMax, a, b);
  std::vector<uint8_t> lt = run_elementwise<T, uint8_t>(ExprKind::kLT, a, b);
  std::vector<uint8_t> ge = run_elementwise<T, uint8_t>(ExprKind::kGE, a, b);
  std::vector<uint8_t> eq = run_elementwise<T, uint8_t>(ExprKind::kEQ, a, b);
  for (size_t e = 0; e < n; ++e) {
    ASSERT_EQ(mins[e], std::min(a[e], b[e]));
    ASSERT_EQ(maxs[e], std::max(a[e], b[e]));
    ASSERT_EQ(lt[e], a[e] < b[e]);
    ASSERT_EQ(ge[e], a[e] >= b[e]);
    ASSERT_EQ(eq[e], a[e] == b[e]);
  }
  // Division (no zero divisors here; they are an error, tested elsewhere).
  for (T& y : b) {
    if (y == 0) y = 3;
  }
  std::vector<T> div = run_elementwise<T, T>(ExprKind::kDiv, a, b);
  std::vector<T> fdiv = run_elementwise<T, T>(ExprKind::kFloorDiv, a, b);
  std::vector<T> fmod = run_elementwise<T, T>(ExprKind::kFloorMod, a, b);
  for (size_t e = 0; e < n; ++e) {
    const T x = a[e], y = b[e];
    if (std::is_signed_v<T> && x == std::numeric_limits<T>::min() && y == static_cast<T>(-1)) {
      // The one overflowing quotient wraps, like the other operations.
      ASSERT_EQ(div[e], x);
      ASSERT_EQ(fdiv[e], x);
      ASSERT_EQ(fmod[e], 0);
      continue;
    }
    ASSERT_EQ(div[e], static_cast<T>(x / y)) << +x << " / " << +y;
    // Floor semantics, checked by definition in 128-bit arithmetic: x = q*y + r
    // with r in [0, y) for y > 0 and in (y, 0] for y < 0.
    const __int128 q = fdiv[e], r = fmod[e];
    ASSERT_EQ(q * y + r, static_cast<__int128>(x)) << +x << " // " << +y;
    if (y > 0) {
      ASSERT_TRUE(r >= 0 && r < y) << +x << " % " << +y << " = " << static_cast<int64_t>(r);
    } else {
      ASSERT_TRUE(r <= 0 && r > y) << +x << " % " << +y << " = " << static_cast<int64_t>(r);
    }
  }
}

TEST(InterpreterArith, IntegerOpsWrapToTheirWidth) {
  check_integer_type<int8_t>();
  check_integer_type<int16_t>();
  check_integer_type<int32_t>();
  check_integer_type<int64_t>();
  check_integer_type<uint8_t>();
  check_integer_type<uint16_t>();
  check_integer_type<uint32_t>();
  check_integer_type<uint64_t>();
}

TEST(InterpreterArith, Float32OpsRoundLikeFloat) {
  std::mt19937_64 rng(11);
  const size_t n = 4000;
  std::vector<float> a(n), b(n);
  for (size_t e = 0; e < n; ++e) {
    // Random bit patterns: every exponent, subnormals, inf and NaN included.
    a[e] = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    b[e] = e % 2 ? std::bit_cast<float>(static_cast<uint32_t>(rng()))
                 : a[e] * std::ldexp(1.0f + static_cast<float>(rng() % 1000) / 999.0f, -3);
  }
  auto same = [](float x, float y) {
    return std::bit_cast<uint32_t>(x) == std::bit_cast<uint32_t>(y) ||
           (std::isnan(x) && std::isnan(y));
  };
  std::vector<float> add = run_elementwise<float, float>(ExprKind::kAdd, a, b);
  std::vector<float> sub = run_elementwise<float, float>(ExprKind::kSub, a, b);
  std::vector<float> mul = run_elementwise<float, float>(ExprKind::kMul, a, b);
  std::vector<float> div = run_elementwise<float, float>(ExprKind::kDiv, a, b);
  for (size_t e = 0; e < n; ++e) {
    ASSERT_TRUE(same(add[e], a[e] + b[e])) << a[e] << " + " << b[e];
    ASSERT_TRUE(same(sub[e], a[e] - b[e])) << a[e] << " - " << b[e];
    ASSERT_TRUE(same(mul[e], a[e] * b[e])) << a[e] << " * " << b[e];
    ASSERT_TRUE(same(div[e], a[e] / b[e])) << a[e] << " / " << b[e];
  }
}

// A brute-force reference for rounding to a 16-bit float format: decode the
// candidates from their bits by the format's definition, find the two
// neighbours of |x| by binary search over the (monotonic) positive bit
// patterns, take the nearer, ties to the even pattern.
struct Format16 {
  int exp_bits;
  int mant_bits;
  double decode(uint32_t bits) const {  // positive, finite patterns only
    const int bias = (1 << (exp_bits - 1)) - 1;
    const uint32_t e = bits >> mant_bits, m = bits & ((1u << mant_bits) - 1);
    if (e == 0) return std::ldexp(static_cast<double>(m), 1 - bias - mant_bits);
    return std::ldexp(static_cast<double>(m | (1u << mant_bits)),
                      static_cast<int>(e) - bias - mant_bits);
  }
  uint32_t inf_bits() const { return ((1u << exp_bits) - 1) << mant_bits; }
  uint16_t round(double x) const {
    const uint32_t sign = std::signbit(x) ? 1u << (exp_bits + mant_bits) : 0;
    const double mag = std::fabs(x);
    const uint32_t max_finite = inf_bits() - 1;
    // The value one step past the largest finite number, where rounding
    // overflows to infinity.
    const double overflow = std::ldexp(1.0, (1 << (exp_bits - 1)));
    if (mag >= overflow) return static_cast<uint16_t>(sign | inf_bits());
    uint32_t lo = 0, hi = inf_bits();  // decode(lo) <= mag < value(hi)
    while (hi - lo > 1) {
      const uint32_t mid = (lo + hi) / 2;
      (decode(mid) <= mag ? lo : hi) = mid;
    }
    const double below = decode(lo);
    const double above = hi > max_finite ? overflow : decode(hi);
    uint32_t pick;
    if (mag - below < above - mag) {
      pick = lo;
    } else if (mag - below > above - mag) {
      pick = hi;
    } else {
      pick = lo % 2 == 0 ? lo : hi;
    }
    return static_cast<uint16_t>(sign | pick);
  }
};
constexpr Format16 kHalf{5, 10};
constexpr Format16 kBFloat16{8, 7};

// Doubles that stress rounding: random float bit patterns (subnormals, inf,
// NaN included), exact midpoints between neighbouring 16-bit values (ties),
// midpoints nudged by one double ulp, and values near the overflow threshold.
std::vector<double> rounding_inputs(const Format16& fmt, std::mt19937_64& rng) {
  std::vector<double> out;
  for (int e = 0; e < 20000; ++e) out.push_back(std::bit_cast<float>(static_cast<uint32_t>(rng())));
  for (int e = 0; e < 20000; ++e) {
    const uint32_t bits = static_cast<uint32_t>(rng() % (fmt.inf_bits() - 1));
    const double mid = (fmt.decode(bits) + fmt.decode(bits + 1)) / 2;
    const double sign = rng() % 2 ? -1.0 : 1.0;
    out.push_back(sign * mid);
    out.push_back(sign * std::nextafter(mid, 0.0));
    out.push_back(sign * std::nextafter(mid, INFINITY));
  }
  for (double scale : {1.0, 1.0 / 1024, 1.0 / (1 << 20)}) {
    for (int e = 0; e < 1000; ++e)
      out.push_back(std::ldexp(static_cast<double>(rng() % 4096), -24) * scale);
  }
  const double overflow = std::ldexp(1.0, 1 << (fmt.exp_bits - 1));
  const double max_finite = fmt.decode(fmt.inf_bits() - 1);
  const double threshold = (overflow + max_finite) / 2;
  for (double v :
       {max_finite, threshold, std::nextafter(threshold, 0.0), overflow, 1e300, 0.0, -0.0}) {
    out.push_back(v);
    out.push_back(-v);
  }
  out.push_back(INFINITY);
  out.push_back(-INFINITY);
  out.push_back(std::numeric_limits<double>::quiet_NaN());
  return out;
}

void check_rounding(const Format16& fmt, uint16_t (*convert)(double), double (*back)(uint16_t),
                    uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (double x : rounding_inputs(fmt, rng)) {
    const uint16_t got = convert(x);
    if (std::isnan(x)) {
      ASSERT_TRUE(std::isnan(back(got))) << x;
      continue;
    }
    ASSERT_EQ(got, fmt.round(x)) << std::hexfloat << x;
  }
  // Every pattern decodes to the value its definition gives and round-trips.
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    const double v = back(static_cast<uint16_t>(bits));
    const uint32_t mag = bits & 0x7FFF;
    if (mag > fmt.inf_bits()) {
      ASSERT_TRUE(std::isnan(v)) << bits;
      continue;
    }
    if (mag < fmt.inf_bits()) {
      ASSERT_EQ(std::fabs(v), fmt.decode(mag)) << bits;
    }
    ASSERT_EQ(convert(v), bits) << bits;
  }
}

TEST(InterpreterArith, HalfConversionRoundsToNearestEven) {
  check_rounding(kHalf, &double_to_half_bits, &half_bits_to_double, 21);
}

TEST(InterpreterArith, BFloat16ConversionRoundsToNearestEven) {
  check_rounding(kBFloat16, &double_to_bfloat16_bits, &bfloat16_bits_to_double, 22);
}

// Through the interpreter: float32 values cast to float16/bfloat16 and
// stored; then float16/bfloat16 arithmetic, each result rounded once.
void check_16bit_program(const Format16& fmt, DataType type, uint64_t seed) {
  SCOPED_TRACE(type.str());
  std::mt19937_64 rng(seed);
  const int64_t n = 5000;
  std::vector<float> src(n);
  for (float& x : src) {
    x = rng() % 3 ? std::ldexp(
                        static_cast<float>(static_cast<int64_t>(rng() % 200001) - 100000) / 1000.0f,
                        static_cast<int>(rng() % 40) - 30)
                  : std::bit_cast<float>(static_cast<uint32_t>(rng()));
  }
  Buffer in = make_buffer("X", DataType::Float(32), {n});
  Buffer out = make_buffer("Y", type, {n});
  Var i("i");
  PrimFunc convert = make_prim_func(
      "convert", {in, out},
      make_root_block(serial(i, n, buffer_store(out, cast(type, buffer_load(in, {i})), {i}))));
  std::vector<uint16_t> converted(n);
  interpret(convert, {view(src, DataType::Float(32), {n}), view(converted, type, {n})});
  for (int64_t e = 0; e < n; ++e) {
    if (std::isnan(src[e])) continue;
    ASSERT_EQ(converted[e], fmt.round(src[e])) << std::hexfloat << src[e];
  }

  // Arithmetic on finite values: the exact result (sums and products of
  // 16-bit floats are exact in double) rounded once by the reference.
  std::vector<uint16_t> a(n), b(n);
  auto decode = [&](uint16_t bits) {
    const double m = fmt.decode(bits & 0x7FFF);
    return bits & 0x8000 ? -m : m;
  };
  for (int64_t e = 0; e < n; ++e) {
    do {
      a[e] = static_cast<uint16_t>(rng());
    } while ((a[e] & 0x7FFF) >= fmt.inf_bits());
    // Nearby magnitudes make cancellation and ties common.
    const uint32_t sign = (a[e] & 0x8000) ^ (rng() % 2 ? 0x8000 : 0);
    const uint32_t magnitude = std::min<uint32_t>((a[e] & 0x7FFF) + rng() % 64, fmt.inf_bits() - 1);
    b[e] = static_cast<uint16_t>(sign | magnitude);
  }
  for (ExprKind kind : {ExprKind::kAdd, ExprKind::kSub, ExprKind::kMul}) {
    PrimFunc func = elementwise(kind, type, n);
    std::vector<uint16_t> c(n);
    interpret(func, {view(a, type, {n}), view(b, type, {n}), view(c, type, {n})});
    for (int64_t e = 0; e < n; ++e) {
      const double x = decode(a[e]), y = decode(b[e]);
      const double exact = kind == ExprKind::kAdd ? x + y : kind == ExprKind::kSub ? x - y : x * y;
      // A zero result keeps IEEE's sign rules; compare those by value.
      if (exact == 0) {
        ASSERT_EQ(c[e] & 0x7FFF, 0);
        continue;
      }
      ASSERT_EQ(c[e], fmt.round(exact)) << x << " " << binary_op_name(kind) << " " << y;
    }
  }
}

TEST(InterpreterArith, Float16ProgramsRoundEveryOperation) {
  check_16bit_program(kHalf, DataType::Float(16), 31);
}

TEST(InterpreterArith, BFloat16ProgramsRoundEveryOperation) {
  check_16bit_program(kBFloat16, DataType::BFloat16(), 32);
}

// out = f(x) for a unary expression built from a float32 or int32 load.
template <typename In, typename Out>
std::vector<Out> run_unary(const std::vector<In>& input, DataType out_type,
                           const std::function<Expr(Expr)>& f) {
  const int64_t n = static_cast<int64_t>(input.size());
  Buffer in = make_buffer("X", dtype_of<In>(), {n});
  Buffer out = make_buffer("Y", out_type, {n});
  Var i("i");
  PrimFunc func = make_prim_func(
      "unary", {in, out},
      make_root_block(serial(i, n, buffer_store(out, f(buffer_load(in, {i})), {i}))));
  std::vector<In> data = input;
  std::vector<Out> result(n);
  interpret(func, {view(data, dtype_of<In>(), {n}), view(result, out_type, {n})});
  return result;
}

TEST(InterpreterArith, CastsTruncateWrapAndSaturateDeterministically) {
  const std::vector<float> values = {-2.7f,  -0.5f,   0.0f, 0.9f,  2.5f,  127.9f, 128.5f,
                                     300.5f, -129.0f, 3e9f, -3e9f, 1e30f, NAN,    INFINITY};
  auto to_i32 = run_unary<float, int32_t>(values, DataType::Int(32),
                                          [](Expr x) { return cast(DataType::Int(32), x); });
  auto to_i8 = run_unary<float, int8_t>(values, DataType::Int(8),
                                        [](Expr x) { return cast(DataType::Int(8), x); });
  auto to_u8 = run_unary<float, uint8_t>(values, DataType::UInt(8),
                                         [](Expr x) { return cast(DataType::UInt(8), x); });
  auto to_bool = run_unary<float, uint8_t>(values, DataType::Bool(),
                                           [](Expr x) { return cast(DataType::Bool(), x); });
  for (size_t e = 0; e < values.size(); ++e) {
    const float v = values[e];
    // Truncate toward zero after clamping to int64, then wrap; NaN gives 0.
    int64_t t = 0;
    if (!std::isnan(v)) {
      t = v >= 9.2e18f    ? std::numeric_limits<int64_t>::max()
          : v <= -9.2e18f ? std::numeric_limits<int64_t>::min()
                          : static_cast<int64_t>(v);
    }
    EXPECT_EQ(to_i32[e], static_cast<int32_t>(t)) << v;
    EXPECT_EQ(to_i8[e], static_cast<int8_t>(t)) << v;
    EXPECT_EQ(to_u8[e], static_cast<uint8_t>(t)) << v;
    EXPECT_EQ(to_bool[e], v != 0.0f || std::isnan(v)) << v;
  }
  EXPECT_EQ(to_i32[0], -2);
  EXPECT_EQ(to_u8[7], 44);  // 300 wraps

  std::mt19937_64 rng(41);
  std::vector<int32_t> ints = random_ints<int32_t>(3000, rng);
  auto narrowed = run_unary<int32_t, int16_t>(ints, DataType::Int(16),
                                              [](Expr x) { return cast(DataType::Int(16), x); });
  auto widened = run_unary<int32_t, uint64_t>(ints, DataType::UInt(64),
                                              [](Expr x) { return cast(DataType::UInt(64), x); });
  auto floated = run_unary<int32_t, float>(ints, DataType::Float(32),
                                           [](Expr x) { return cast(DataType::Float(32), x); });
  for (size_t e = 0; e < ints.size(); ++e) {
    ASSERT_EQ(narrowed[e], static_cast<int16_t>(ints[e]));
    ASSERT_EQ(widened[e], static_cast<uint64_t>(static_cast<int64_t>(ints[e])));
    ASSERT_EQ(floated[e], static_cast<float>(ints[e]));
  }
  // int64 to float32 rounds once, directly (not through double).
  std::vector<int64_t> big = {(int64_t{1} << 60) + (int64_t{1} << 36) + 1,
                              -((int64_t{1} << 60) + (int64_t{1} << 36) + 1),
                              std::numeric_limits<int64_t>::max()};
  auto big_f32 = run_unary<int64_t, float>(big, DataType::Float(32),
                                           [](Expr x) { return cast(DataType::Float(32), x); });
  auto big_f16 = run_unary<int64_t, uint16_t>(big, DataType::Float(16),
                                              [](Expr x) { return cast(DataType::Float(16), x); });
  for (size_t e = 0; e < big.size(); ++e) {
    EXPECT_EQ(big_f32[e], static_cast<float>(big[e]));
    EXPECT_EQ(big_f16[e] & 0x7FFF, 0x7C00);  // beyond 65504: infinity
  }
}

TEST(InterpreterArith, IntrinsicsMatchTheC_Library) {
  std::mt19937 rng(51);
  std::vector<float> x = testing::random_floats(500, rng, -6, 6);
  x.insert(x.end(), {-2.5f, -0.5f, 0.5f, 1.5f, 2.5f, 0.0f, NAN});
  using Fn = std::function<Expr(Expr)>;
  struct Case {
    const char* name;
    Fn build;
    std::function<float(float)> reference;
  };
  const std::vector<Case> cases = {
      {"exp", [](Expr v) { return call(Intrinsic::kExp, {v}); },
       [](float v) { return std::exp(v); }},
      {"log", [](Expr v) { return call(Intrinsic::kLog, {call(Intrinsic::kFabs, {v})}); },
       [](float v) { return std::log(std::fabs(v)); }},
      {"sqrt", [](Expr v) { return call(Intrinsic::kSqrt, {v}); },
       [](float v) { return std::sqrt(v); }},
      {"rsqrt", [](Expr v) { return call(Intrinsic::kRsqrt, {v}); },
       [](float v) { return 1.0f / std::sqrt(v); }},
      {"tanh", [](Expr v) { return call(Intrinsic::kTanh, {v}); },
       [](float v) { return std::tanh(v); }},
      {"sigmoid", [](Expr v) { return call(Intrinsic::kSigmoid, {v}); },
       [](float v) { return 1.0f / (1.0f + std::exp(-v)); }},
      {"erf", [](Expr v) { return call(Intrinsic::kErf, {v}); },
       [](float v) { return std::erf(v); }},
      {"floor", [](Expr v) { return call(Intrinsic::kFloor, {v}); },
       [](float v) { return std::floor(v); }},
      {"ceil", [](Expr v) { return call(Intrinsic::kCeil, {v}); },
       [](float v) { return std::ceil(v); }},
      {"round", [](Expr v) { return call(Intrinsic::kRound, {v}); },
       [](float v) { return std::round(v); }},
      {"pow",
       [](Expr v) {
         return call(Intrinsic::kPow, {call(Intrinsic::kFabs, {v}), v});
       },
       [](float v) { return std::pow(std::fabs(v), v); }},
      {"fma",
       [](Expr v) {
         return call(Intrinsic::kFma, {v, v, Expr(-1.0f)});
       },
       [](float v) { return std::fma(v, v, -1.0f); }},
  };
  for (const Case& c : cases) {
    std::vector<float> got = run_unary<float, float>(x, DataType::Float(32), c.build);
    for (size_t e = 0; e < x.size(); ++e) {
      const float want = c.reference(x[e]);
      if (std::isnan(want)) {
        ASSERT_TRUE(std::isnan(got[e])) << c.name << "(" << x[e] << ")";
      } else {
        ASSERT_EQ(got[e], want) << c.name << "(" << x[e] << ")";
      }
    }
  }
  // round() is half away from zero.
  std::vector<float> rounded =
      run_unary<float, float>({-2.5f, -0.5f, 0.5f, 2.5f}, DataType::Float(32),
                              [](Expr v) { return call(Intrinsic::kRound, {v}); });
  EXPECT_EQ(rounded, (std::vector<float>{-3.0f, -1.0f, 1.0f, 3.0f}));
  auto nan_flags = run_unary<float, uint8_t>({1.0f, NAN, INFINITY}, DataType::Bool(),
                                             [](Expr v) { return call(Intrinsic::kIsNan, {v}); });
  EXPECT_EQ(nan_flags, (std::vector<uint8_t>{0, 1, 0}));
  // float64 computes in double.
  std::vector<double> d = {0.1, 1.7, 3.3};
  auto exps = run_unary<double, double>(d, DataType::Float(64),
                                        [](Expr v) { return call(Intrinsic::kExp, {v}); });
  for (size_t e = 0; e < d.size(); ++e) EXPECT_EQ(exps[e], std::exp(d[e]));
}

}  // namespace
}  // namespace kiln::ir

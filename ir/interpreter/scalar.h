// How the interpreter holds and converts values of each element type.
//
// Every lane of every value is a Scalar: integers and bools as int64_t,
// already wrapped to their width (sign-extended for intN, zero-extended for
// uintN below 64 bits, the bit pattern for uint64), floats as double, already
// rounded to their precision. Keeping values canonical this way lets
// comparisons and memory stores use them as they are.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ir/dtype.h"
#include "ir/interpreter/float16.h"

namespace kiln::ir::interp {

union Scalar {
  int64_t i;
  double f;
};

inline Scalar int_scalar(int64_t v) {
  Scalar s;
  s.i = v;
  return s;
}
inline Scalar float_scalar(double v) {
  Scalar s;
  s.f = v;
  return s;
}

// The element types the interpreter stores in memory, one per scalar dtype.
enum class Format : uint8_t {
  kBool,
  kI8,
  kI16,
  kI32,
  kI64,
  kU8,
  kU16,
  kU32,
  kU64,
  kF16,
  kBF16,
  kF32,
  kF64,
};

// Throws InterpreterError for types the interpreter cannot hold (handles, void).
Format format_of(DataType t);

constexpr bool is_float_format(Format f) { return f >= Format::kF16; }
constexpr bool is_unsigned_format(Format f) { return f >= Format::kU8 && f <= Format::kU64; }
constexpr bool is_signed_format(Format f) { return f >= Format::kI8 && f <= Format::kI64; }
constexpr int format_bits(Format f) {
  switch (f) {
    case Format::kBool: return 1;
    case Format::kI8:
    case Format::kU8: return 8;
    case Format::kI16:
    case Format::kU16:
    case Format::kF16:
    case Format::kBF16: return 16;
    case Format::kI32:
    case Format::kU32:
    case Format::kF32: return 32;
    case Format::kI64:
    case Format::kU64:
    case Format::kF64: return 64;
  }
  return 0;
}
// Bytes of one element in memory (bool takes a byte, as in NumPy and DLPack).
constexpr int format_bytes(Format f) { return f == Format::kBool ? 1 : format_bits(f) / 8; }

// Calls `fn` with F as a compile-time constant.
template <typename Fn>
auto dispatch_format(Format f, Fn&& fn) {
  using F = Format;
  switch (f) {
    case F::kBool: return fn(std::integral_constant<F, F::kBool>{});
    case F::kI8: return fn(std::integral_constant<F, F::kI8>{});
    case F::kI16: return fn(std::integral_constant<F, F::kI16>{});
    case F::kI32: return fn(std::integral_constant<F, F::kI32>{});
    case F::kI64: return fn(std::integral_constant<F, F::kI64>{});
    case F::kU8: return fn(std::integral_constant<F, F::kU8>{});
    case F::kU16: return fn(std::integral_constant<F, F::kU16>{});
    case F::kU32: return fn(std::integral_constant<F, F::kU32>{});
    case F::kU64: return fn(std::integral_constant<F, F::kU64>{});
    case F::kF16: return fn(std::integral_constant<F, F::kF16>{});
    case F::kBF16: return fn(std::integral_constant<F, F::kBF16>{});
    case F::kF32: return fn(std::integral_constant<F, F::kF32>{});
    case F::kF64: return fn(std::integral_constant<F, F::kF64>{});
  }
  return fn(std::integral_constant<F, F::kF64>{});
}

// Wraps an integer to the width and signedness of F (bool: nonzero is 1).
template <Format F>
inline int64_t wrap_int(uint64_t v) {
  constexpr int kBits = format_bits(F);
  if constexpr (F == Format::kBool) {
    return v != 0;
  } else if constexpr (kBits == 64) {
    return static_cast<int64_t>(v);
  } else if constexpr (is_signed_format(F)) {
    // Shifting the sign bit to the top and back sign-extends it.
    return static_cast<int64_t>(v << (64 - kBits)) >> (64 - kBits);
  } else {
    return static_cast<int64_t>(v & ((uint64_t{1} << kBits) - 1));
  }
}
int64_t wrap_int(Format f, uint64_t v);

// Rounds a double to the precision of the float format F.
template <Format F>
inline double round_float(double v) {
  if constexpr (F == Format::kF64) {
    return v;
  } else if constexpr (F == Format::kF32) {
    return static_cast<double>(static_cast<float>(v));
  } else if constexpr (F == Format::kF16) {
    return half_bits_to_double(double_to_half_bits(v));
  } else {
    static_assert(F == Format::kBF16);
    return bfloat16_bits_to_double(double_to_bfloat16_bits(v));
  }
}
double round_float(Format f, double v);

// Reads and writes one element of format F at `p`.
template <Format F>
inline Scalar load_element(const char* p) {
  auto read = [p](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (F) {
    case Format::kBool: return int_scalar(read(uint8_t{}) != 0);
    case Format::kI8: return int_scalar(read(int8_t{}));
    case Format::kI16: return int_scalar(read(int16_t{}));
    case Format::kI32: return int_scalar(read(int32_t{}));
    case Format::kI64: return int_scalar(read(int64_t{}));
    case Format::kU8: return int_scalar(read(uint8_t{}));
    case Format::kU16: return int_scalar(read(uint16_t{}));
    case Format::kU32: return int_scalar(read(uint32_t{}));
    case Format::kU64: return int_scalar(static_cast<int64_t>(read(uint64_t{})));
    case Format::kF16: return float_scalar(half_bits_to_double(read(uint16_t{})));
    case Format::kBF16: return float_scalar(bfloat16_bits_to_double(read(uint16_t{})));
    case Format::kF32: return float_scalar(read(float{}));
    case Format::kF64: return float_scalar(read(double{}));
  }
  return int_scalar(0);
}

template <Format F>
inline void store_element(char* p, Scalar s) {
  auto write = [p](auto v) { std::memcpy(p, &v, sizeof(v)); };
  switch (F) {
    case Format::kBool: write(static_cast<uint8_t>(s.i != 0)); break;
    case Format::kI8: write(static_cast<int8_t>(s.i)); break;
    case Format::kI16: write(static_cast<int16_t>(s.i)); break;
    case Format::kI32: write(static_cast<int32_t>(s.i)); break;
    case Format::kI64: write(s.i); break;
    case Format::kU8: write(static_cast<uint8_t>(s.i)); break;
    case Format::kU16: write(static_cast<uint16_t>(s.i)); break;
    case Format::kU32: write(static_cast<uint32_t>(s.i)); break;
    case Format::kU64: write(static_cast<uint64_t>(s.i)); break;
    case Format::kF16: write(double_to_half_bits(s.f)); break;
    case Format::kBF16: write(double_to_bfloat16_bits(s.f)); break;
    case Format::kF32: write(static_cast<float>(s.f)); break;
    case Format::kF64: write(s.f); break;
  }
}

using LoadFn = Scalar (*)(const char*);
using StoreFn = void (*)(char*, Scalar);
LoadFn load_fn(Format f);
StoreFn store_fn(Format f);

// A constant of format `f` with the given value, canonical (wrapped/rounded).
Scalar make_int_constant(Format f, int64_t v);
Scalar make_float_constant(Format f, double v);

// The value fresh allocations are filled with: NaN for floats, the largest
// value for integers, true for bool.
Scalar poison_value(Format f);

// Converts a canonical value of format `from` to format `to`: integers wrap,
// floats round to nearest even, float to integer truncates toward zero (NaN
// gives 0, values beyond int64 clamp to its range before wrapping), anything
// to bool is "nonzero" (NaN is true, as in C).
Scalar cast_scalar(Format from, Format to, Scalar v);

}  // namespace kiln::ir::interp

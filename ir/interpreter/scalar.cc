#include "ir/interpreter/scalar.h"

#include <bit>
#include <cmath>
#include <limits>

#include "ir/interpreter.h"

namespace kiln::ir::interp {

Format format_of(DataType t) {
  switch (t.code()) {
    case DataType::Code::kBool: return Format::kBool;
    case DataType::Code::kBFloat: return Format::kBF16;
    case DataType::Code::kInt:
      switch (t.bits()) {
        case 8: return Format::kI8;
        case 16: return Format::kI16;
        case 32: return Format::kI32;
        case 64: return Format::kI64;
      }
      break;
    case DataType::Code::kUInt:
      switch (t.bits()) {
        case 8: return Format::kU8;
        case 16: return Format::kU16;
        case 32: return Format::kU32;
        case 64: return Format::kU64;
      }
      break;
    case DataType::Code::kFloat:
      switch (t.bits()) {
        case 16: return Format::kF16;
        case 32: return Format::kF32;
        case 64: return Format::kF64;
      }
      break;
    case DataType::Code::kHandle: break;
  }
  throw InterpreterError("the interpreter cannot hold values of type " + t.str() +
                         ": only bool, int8/16/32/64, uint8/16/32/64, float16/32/64 and "
                         "bfloat16 (with any lane count) have a meaning on host memory");
}

int64_t wrap_int(Format f, uint64_t v) {
  return dispatch_format(f, [v](auto tag) -> int64_t {
    if constexpr (is_float_format(decltype(tag)::value)) {
      return static_cast<int64_t>(v);
    } else {
      return wrap_int<decltype(tag)::value>(v);
    }
  });
}

double round_float(Format f, double v) {
  return dispatch_format(f, [v](auto tag) -> double {
    if constexpr (is_float_format(decltype(tag)::value)) {
      return round_float<decltype(tag)::value>(v);
    } else {
      return v;
    }
  });
}

LoadFn load_fn(Format f) {
  return dispatch_format(f, [](auto tag) -> LoadFn { return &load_element<decltype(tag)::value>; });
}

StoreFn store_fn(Format f) {
  return dispatch_format(f,
                         [](auto tag) -> StoreFn { return &store_element<decltype(tag)::value>; });
}

Scalar make_int_constant(Format f, int64_t v) {
  if (is_float_format(f)) return float_scalar(round_float(f, static_cast<double>(v)));
  return int_scalar(wrap_int(f, static_cast<uint64_t>(v)));
}

Scalar make_float_constant(Format f, double v) {
  if (is_float_format(f)) return float_scalar(round_float(f, v));
  return cast_scalar(Format::kF64, f, float_scalar(v));
}

Scalar poison_value(Format f) {
  if (is_float_format(f)) return float_scalar(std::numeric_limits<double>::quiet_NaN());
  if (f == Format::kBool) return int_scalar(1);
  if (f == Format::kU64) return int_scalar(-1);  // all ones: the largest uint64
  if (is_unsigned_format(f)) return int_scalar((int64_t{1} << format_bits(f)) - 1);
  return int_scalar(format_bits(f) == 64 ? std::numeric_limits<int64_t>::max()
                                         : (int64_t{1} << (format_bits(f) - 1)) - 1);
}

namespace {

// An integer as a double that rounds to any narrower float format exactly as
// the integer itself would: beyond 53 bits, the bits that do not fit are
// folded into the lowest kept bit ("round to odd"), so that rounding twice
// cannot turn a near-tie into a tie.
double integer_to_double_round_to_odd(uint64_t magnitude, bool negative) {
  if (magnitude >> 53) {
    const int shift = 64 - std::countl_zero(magnitude) - 53;
    const uint64_t dropped = magnitude & ((uint64_t{1} << shift) - 1);
    magnitude = (magnitude >> shift) << shift;
    if (dropped) magnitude |= uint64_t{1} << shift;
  }
  const double d = static_cast<double>(magnitude);
  return negative ? -d : d;
}

double integer_to_float(Format from, Format to, int64_t v) {
  const bool is_unsigned64 = from == Format::kU64;
  if (to == Format::kF64) {
    return is_unsigned64 ? static_cast<double>(static_cast<uint64_t>(v)) : static_cast<double>(v);
  }
  if (to == Format::kF32) {
    return is_unsigned64 ? static_cast<float>(static_cast<uint64_t>(v)) : static_cast<float>(v);
  }
  const bool negative = !is_unsigned64 && v < 0;
  const uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return round_float(to, integer_to_double_round_to_odd(magnitude, negative));
}

int64_t float_to_integer(double v, Format to) {
  if (std::isnan(v)) return 0;
  constexpr double kTwoTo63 = 9223372036854775808.0;
  constexpr double kTwoTo64 = 18446744073709551616.0;
  if (to == Format::kU64 && v >= kTwoTo63) {
    return v >= kTwoTo64 ? -1 : static_cast<int64_t>(static_cast<uint64_t>(v));
  }
  int64_t clamped;
  if (v >= kTwoTo63) {
    clamped = std::numeric_limits<int64_t>::max();
  } else if (v < -kTwoTo63) {
    clamped = std::numeric_limits<int64_t>::min();
  } else {
    clamped = static_cast<int64_t>(v);  // truncates toward zero
  }
  return wrap_int(to, static_cast<uint64_t>(clamped));
}

}  // namespace

Scalar cast_scalar(Format from, Format to, Scalar v) {
  if (from == to) return v;
  const bool from_float = is_float_format(from);
  if (to == Format::kBool) return int_scalar(from_float ? v.f != 0.0 : v.i != 0);
  if (is_float_format(to)) {
    if (from_float) return float_scalar(round_float(to, v.f));
    return float_scalar(integer_to_float(from, to, v.i));
  }
  if (from_float) return int_scalar(float_to_integer(v.f, to));
  return int_scalar(wrap_int(to, static_cast<uint64_t>(v.i)));
}

}  // namespace kiln::ir::interp

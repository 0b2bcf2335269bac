// Bit-exact conversions between double/float and the 16-bit float formats
// (IEEE binary16 "half" and bfloat16), rounding to nearest, ties to even.
// Converting from double directly (not through float) keeps a float16 or
// bfloat16 operation computed in double correctly rounded: going through
// float would round twice.
#pragma once

#include <cstdint>

namespace kiln::ir {

uint16_t double_to_half_bits(double value);
uint16_t double_to_bfloat16_bits(double value);
inline uint16_t float_to_half_bits(float value) { return double_to_half_bits(value); }
inline uint16_t float_to_bfloat16_bits(float value) { return double_to_bfloat16_bits(value); }

// Exact (every half and bfloat16 value is a float).
double half_bits_to_double(uint16_t bits);
double bfloat16_bits_to_double(uint16_t bits);
inline float half_bits_to_float(uint16_t bits) {
  return static_cast<float>(half_bits_to_double(bits));
}
inline float bfloat16_bits_to_float(uint16_t bits) {
  return static_cast<float>(bfloat16_bits_to_double(bits));
}

}  // namespace kiln::ir

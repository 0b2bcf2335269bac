#include "ir/interpreter/float16.h"

#include <bit>
#include <cmath>

namespace kiln::ir {

namespace {

constexpr int kDoubleMantissaBits = 52;
constexpr uint64_t kDoubleMantissaMask = (uint64_t{1} << kDoubleMantissaBits) - 1;

// Rounds a double to a binary float format with `kExpBits` exponent bits and
// `kMantBits` stored mantissa bits (with subnormals, inf and NaN) and returns
// its bit pattern.
template <int kExpBits, int kMantBits>
uint16_t round_double_to_bits(double value) {
  constexpr int kBias = (1 << (kExpBits - 1)) - 1;
  constexpr int kMinExp = 1 - kBias;  // exponent of the smallest normal
  constexpr int kMaxExp = kBias;
  constexpr uint32_t kInfBits = ((1u << kExpBits) - 1) << kMantBits;
  constexpr int kSignShift = kExpBits + kMantBits;

  const uint64_t bits = std::bit_cast<uint64_t>(value);
  const uint32_t sign = static_cast<uint32_t>(bits >> 63) << kSignShift;
  const uint64_t magnitude = bits & ~(uint64_t{1} << 63);
  const int biased_exp = static_cast<int>(magnitude >> kDoubleMantissaBits);
  const uint64_t mantissa = magnitude & kDoubleMantissaMask;

  if (biased_exp == 0x7FF) {
    if (mantissa == 0) return static_cast<uint16_t>(sign | kInfBits);
    // A quiet NaN that keeps the top of the payload.
    uint32_t payload = static_cast<uint32_t>(mantissa >> (kDoubleMantissaBits - kMantBits));
    return static_cast<uint16_t>(sign | kInfBits | (1u << (kMantBits - 1)) | payload);
  }
  // Double subnormals are far below the smallest subnormal of either format.
  if (biased_exp == 0) return static_cast<uint16_t>(sign);
  const int exp = biased_exp - 1023;
  if (exp > kMaxExp) return static_cast<uint16_t>(sign | kInfBits);

  const uint64_t significand = mantissa | (uint64_t{1} << kDoubleMantissaBits);
  // Normal results keep kMantBits + 1 bits of the significand; subnormal ones
  // are counted in units of the smallest subnormal, 2^(kMinExp - kMantBits).
  const int shift = exp >= kMinExp ? kDoubleMantissaBits - kMantBits
                                   : kDoubleMantissaBits + kMinExp - kMantBits - exp;
  if (shift > 63) return static_cast<uint16_t>(sign);
  uint64_t kept = significand >> shift;
  const uint64_t rest = significand & ((uint64_t{1} << shift) - 1);
  const uint64_t half = uint64_t{1} << (shift - 1);
  if (rest > half || (rest == half && (kept & 1))) ++kept;

  uint64_t result;
  if (exp >= kMinExp) {
    // `kept` includes the implicit bit, so a mantissa that rounds up to the
    // next power of two carries into the exponent (and up to inf) by itself.
    result = (static_cast<uint64_t>(exp + kBias - 1) << kMantBits) + kept;
    if (result >= kInfBits) result = kInfBits;
  } else {
    // Rounding up to 1 << kMantBits gives the smallest normal, as it should.
    result = kept;
  }
  return static_cast<uint16_t>(sign | result);
}

template <int kExpBits, int kMantBits>
double bits_to_double(uint16_t bits) {
  constexpr int kBias = (1 << (kExpBits - 1)) - 1;
  constexpr uint32_t kExpMask = (1u << kExpBits) - 1;
  const bool negative = (bits >> (kExpBits + kMantBits)) & 1;
  const uint32_t exp = (bits >> kMantBits) & kExpMask;
  const uint32_t mantissa = bits & ((1u << kMantBits) - 1);
  double magnitude;
  if (exp == kExpMask) {
    if (mantissa != 0) {
      // Keep the payload so that NaN bits survive a round trip.
      uint64_t d = (uint64_t{0x7FF} << kDoubleMantissaBits) |
                   (static_cast<uint64_t>(mantissa) << (kDoubleMantissaBits - kMantBits));
      if (negative) d |= uint64_t{1} << 63;
      return std::bit_cast<double>(d);
    }
    magnitude = INFINITY;
  } else if (exp == 0) {
    magnitude = std::ldexp(static_cast<double>(mantissa), 1 - kBias - kMantBits);
  } else {
    magnitude = std::ldexp(static_cast<double>(mantissa | (1u << kMantBits)),
                           static_cast<int>(exp) - kBias - kMantBits);
  }
  return negative ? -magnitude : magnitude;
}

}  // namespace

uint16_t double_to_half_bits(double value) { return round_double_to_bits<5, 10>(value); }
uint16_t double_to_bfloat16_bits(double value) { return round_double_to_bits<8, 7>(value); }
double half_bits_to_double(uint16_t bits) { return bits_to_double<5, 10>(bits); }
double bfloat16_bits_to_double(uint16_t bits) { return bits_to_double<8, 7>(bits); }

}  // namespace kiln::ir

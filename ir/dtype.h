// Scalar and vector data types of the IR (float16/32/64, bfloat16, ints, bool).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace kiln::ir {

class DataType {
 public:
  enum class Code : uint8_t { kInt, kUInt, kFloat, kBFloat, kBool, kHandle };

  constexpr DataType() : code_(Code::kHandle), bits_(0), lanes_(0) {}
  constexpr DataType(Code code, int bits, int lanes = 1)
      : code_(code), bits_(static_cast<uint8_t>(bits)), lanes_(static_cast<uint16_t>(lanes)) {}

  static constexpr DataType Int(int bits, int lanes = 1) { return {Code::kInt, bits, lanes}; }
  static constexpr DataType UInt(int bits, int lanes = 1) { return {Code::kUInt, bits, lanes}; }
  static constexpr DataType Float(int bits, int lanes = 1) { return {Code::kFloat, bits, lanes}; }
  static constexpr DataType BFloat16(int lanes = 1) { return {Code::kBFloat, 16, lanes}; }
  static constexpr DataType Bool(int lanes = 1) { return {Code::kBool, 1, lanes}; }
  // The type of statements-as-expressions (Evaluate of a void call).
  static constexpr DataType Void() { return {Code::kHandle, 0, 0}; }

  Code code() const { return code_; }
  int bits() const { return bits_; }
  int lanes() const { return lanes_; }
  int bytes() const { return (bits_ + 7) / 8; }

  bool is_int() const { return code_ == Code::kInt; }
  bool is_uint() const { return code_ == Code::kUInt; }
  // Signed or unsigned integer (not bool).
  bool is_integer() const { return is_int() || is_uint(); }
  bool is_float() const { return code_ == Code::kFloat || code_ == Code::kBFloat; }
  bool is_bfloat16() const { return code_ == Code::kBFloat; }
  bool is_bool() const { return code_ == Code::kBool; }
  bool is_void() const { return code_ == Code::kHandle && bits_ == 0; }
  bool is_scalar() const { return lanes_ == 1; }
  bool is_vector() const { return lanes_ > 1; }

  DataType element_of() const { return {code_, bits_, 1}; }
  DataType with_lanes(int lanes) const { return {code_, bits_, lanes}; }
  DataType with_bits(int bits) const { return {code_, bits, lanes_}; }

  bool operator==(const DataType& o) const {
    return code_ == o.code_ && bits_ == o.bits_ && lanes_ == o.lanes_;
  }
  bool operator!=(const DataType& o) const { return !(*this == o); }

  // "float32", "int8", "float32x8", "bool", "bfloat16".
  std::string str() const;
  // Inverse of str(); throws std::invalid_argument naming the bad text.
  static DataType parse(const std::string& text);
  // Same as parse() but returns false instead of throwing.
  static bool try_parse(const std::string& text, DataType* out);

  uint32_t hash() const {
    return (static_cast<uint32_t>(code_) << 24) ^ (static_cast<uint32_t>(bits_) << 16) ^ lanes_;
  }

 private:
  Code code_;
  uint8_t bits_;
  uint16_t lanes_;
};

}  // namespace kiln::ir

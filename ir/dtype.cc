#include "ir/dtype.h"

#include <stdexcept>

namespace kiln::ir {

std::string DataType::str() const {
  if (is_void()) return "void";
  std::string base;
  switch (code_) {
    case Code::kInt: base = "int" + std::to_string(bits_); break;
    case Code::kUInt: base = "uint" + std::to_string(bits_); break;
    case Code::kFloat: base = "float" + std::to_string(bits_); break;
    case Code::kBFloat: base = "bfloat16"; break;
    case Code::kBool: base = "bool"; break;
    case Code::kHandle: base = "handle"; break;
  }
  if (lanes_ != 1) base += "x" + std::to_string(lanes_);
  return base;
}

bool DataType::try_parse(const std::string& text, DataType* out) {
  std::string s = text;
  int lanes = 1;
  // A trailing "xN" gives the lane count; "x" never appears in the base names.
  auto x = s.find('x');
  if (x != std::string::npos) {
    std::string lane_text = s.substr(x + 1);
    if (lane_text.empty() || lane_text.size() > 5) return false;
    for (char c : lane_text)
      if (c < '0' || c > '9') return false;
    lanes = std::stoi(lane_text);
    if (lanes < 1 || lanes > 65535) return false;
    s = s.substr(0, x);
  }
  auto bits_after = [&](const std::string& prefix, int* bits) {
    if (s.rfind(prefix, 0) != 0) return false;
    std::string b = s.substr(prefix.size());
    if (b.empty() || b.size() > 2) return false;
    for (char c : b)
      if (c < '0' || c > '9') return false;
    *bits = std::stoi(b);
    return true;
  };
  int bits = 0;
  if (s == "bool") {
    *out = Bool(lanes);
  } else if (s == "bfloat16") {
    *out = BFloat16(lanes);
  } else if (s == "void") {
    *out = Void();
    return lanes == 1;
  } else if (bits_after("uint", &bits)) {
    if (bits != 8 && bits != 16 && bits != 32 && bits != 64) return false;
    *out = UInt(bits, lanes);
  } else if (bits_after("int", &bits)) {
    if (bits != 8 && bits != 16 && bits != 32 && bits != 64) return false;
    *out = Int(bits, lanes);
  } else if (bits_after("float", &bits)) {
    if (bits != 16 && bits != 32 && bits != 64) return false;
    *out = Float(bits, lanes);
  } else {
    return false;
  }
  return true;
}

DataType DataType::parse(const std::string& text) {
  DataType t;
  if (!try_parse(text, &t))
    throw std::invalid_argument("unknown data type \"" + text +
                                "\": expected one of float16/32/64, bfloat16, int8/16/32/64, "
                                "uint8/16/32/64 or bool, optionally with lanes (\"float32x8\")");
  return t;
}

}  // namespace kiln::ir

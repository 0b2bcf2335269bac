// Text forms of DLPack data types and devices, the spelling kiln's metadata,
// messages and Python API share ("float32", "cuda:0").
#include <charconv>
#include <string>

#include "runtime/error.h"
#include "runtime/ndarray.h"

namespace kiln::runtime {

namespace {

// The types a kernel parameter may have, for the message about unknown text.
constexpr const char* kKnownDtypes =
    "bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float16, float32, float64, "
    "bfloat16 (add xN for N vector lanes: float32x4)";

bool parse_positive(std::string_view text, int* out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end && *out > 0;
}

bool parse_scalar(std::string_view text, DLDataType* out) {
  auto bits_after = [&](std::string_view prefix, uint8_t code, std::initializer_list<int> allowed) {
    if (text.substr(0, prefix.size()) != prefix) return false;
    int bits = 0;
    if (!parse_positive(text.substr(prefix.size()), &bits)) return false;
    for (int b : allowed) {
      if (b == bits) {
        *out = DLDataType{code, static_cast<uint8_t>(bits), 1};
        return true;
      }
    }
    return false;
  };
  if (text == "bool") {
    *out = DLDataType{kDLBool, 8, 1};
    return true;
  }
  if (text == "bfloat16") {
    *out = DLDataType{kDLBfloat, 16, 1};
    return true;
  }
  return bits_after("uint", kDLUInt, {8, 16, 32, 64}) ||
         bits_after("int", kDLInt, {8, 16, 32, 64}) || bits_after("float", kDLFloat, {16, 32, 64});
}

}  // namespace

DLDataType parse_dtype(const std::string& text) {
  DLDataType t;
  if (parse_scalar(text, &t)) return t;
  // "float32x4": the lanes follow the last 'x' (no scalar name contains one).
  const size_t x = text.rfind('x');
  if (x == std::string::npos || !parse_scalar(std::string_view(text).substr(0, x), &t))
    throw RuntimeError("unknown dtype `" + text + "`: kiln knows " + kKnownDtypes);
  int lanes = 0;
  if (!parse_positive(std::string_view(text).substr(x + 1), &lanes) || lanes > 65535)
    throw RuntimeError("unknown dtype `" + text +
                       "`: the lanes after `x` must be a whole number from 1 to 65535, as in "
                       "float32x4");
  t.lanes = static_cast<uint16_t>(lanes);
  return t;
}

std::string dtype_str(DLDataType t) {
  std::string base;
  const std::string bits = std::to_string(t.bits);
  switch (t.code) {
    case kDLInt: base = "int" + bits; break;
    case kDLUInt:
      // TVM and older exporters spell bool as a 1-bit unsigned integer.
      base = t.bits == 1 ? "bool" : "uint" + bits;
      break;
    case kDLFloat: base = "float" + bits; break;
    case kDLBfloat: base = "bfloat" + bits; break;
    case kDLComplex: base = "complex" + bits; break;
    case kDLOpaqueHandle: base = "handle" + bits; break;
    case kDLBool: base = t.bits == 8 ? "bool" : "bool" + bits; break;
    default: base = "dtype(code=" + std::to_string(t.code) + ", bits=" + bits + ")"; break;
  }
  return t.lanes == 1 ? base : base + "x" + std::to_string(t.lanes);
}

namespace {

struct DeviceName {
  DLDeviceType type;
  const char* name;
};

constexpr DeviceName kDeviceNames[] = {
    {kDLCPU, "cpu"},
    {kDLCUDA, "cuda"},
    {kDLCUDAHost, "cuda_host"},
    {kDLOpenCL, "opencl"},
    {kDLVulkan, "vulkan"},
    {kDLMetal, "metal"},
    {kDLVPI, "vpi"},
    {kDLROCM, "rocm"},
    {kDLROCMHost, "rocm_host"},
    {kDLExtDev, "ext_dev"},
    {kDLCUDAManaged, "cuda_managed"},
};

}  // namespace

std::string device_str(DLDevice d) {
  if (d.device_type == kDLCPU) return "cpu";
  for (const DeviceName& n : kDeviceNames) {
    if (n.type == d.device_type) return std::string(n.name) + ":" + std::to_string(d.device_id);
  }
  return "device(type=" + std::to_string(static_cast<int>(d.device_type)) +
         "):" + std::to_string(d.device_id);
}

DLDevice parse_device(const std::string& text) {
  std::string_view name = text;
  int id = 0;
  if (size_t colon = name.find(':'); colon != std::string_view::npos) {
    std::string_view digits = name.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || id < 0)
      throw RuntimeError("unknown device `" + text +
                         "`: the index after `:` must be a whole number, as in cuda:0");
    name = name.substr(0, colon);
  }
  for (const DeviceName& n : kDeviceNames) {
    if (name == n.name) return DLDevice{n.type, id};
  }
  throw RuntimeError("unknown device `" + text + "`: expected cpu, cuda[:N] or opencl[:N]");
}

}  // namespace kiln::runtime

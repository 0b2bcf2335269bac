// check_arguments: every way a call's tensors can fail a kernel's signature,
// each with a message naming the kernel, the parameter, what it expected,
// what it was given and how to fix the call.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/module.h"

namespace kiln::runtime {

namespace {

std::string shape_str(const int64_t* shape, int ndim) {
  std::string s = "(";
  for (int i = 0; i < ndim; ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (ndim == 1 ? ",)" : ")");
}

std::string shape_str(const std::vector<int64_t>& shape) {
  return shape_str(shape.data(), static_cast<int>(shape.size()));
}

bool same_dtype(DLDataType expected, DLDataType given) {
  // A 1-bit unsigned integer is how TVM-era exporters spell a byte-wide bool.
  auto canonical = [](DLDataType t) {
    if (t.code == kDLUInt && t.bits == 1) return DLDataType{kDLBool, 8, t.lanes};
    return t;
  };
  return canonical(expected) == canonical(given);
}

bool same_shape(const std::vector<int64_t>& expected, const DLTensor& given) {
  if (given.ndim != static_cast<int>(expected.size())) return false;
  for (int i = 0; i < given.ndim; ++i) {
    if (given.shape[i] != expected[i]) return false;
  }
  return true;
}

std::vector<int64_t> row_major_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

// The device a module's arguments live on, as a user would name it.
std::string device_name(DLDeviceType type) {
  const std::string s = device_str(DLDevice{type, 0});
  return type == kDLCPU ? s : s.substr(0, s.find(':'));
}

std::string param_names(const KernelSignature& signature) {
  std::string s;
  for (size_t i = 0; i < signature.params.size(); ++i)
    s += (i ? ", " : "") + signature.params[i].name;
  return s;
}

}  // namespace

void check_arguments(const KernelSignature& signature, const std::vector<const DLTensor*>& args,
                     DLDeviceType device) {
  const std::string kernel = "kernel `" + signature.name + "`";
  const size_t count = signature.params.size();
  if (args.size() != count)
    throw RuntimeError(kernel + " takes " + std::to_string(count) +
                       (count == 1 ? " argument (" : " arguments (") + param_names(signature) +
                       ") but was given " + std::to_string(args.size()) +
                       "; pass one array per parameter, in that order");

  for (size_t i = 0; i < count; ++i) {
    const ParamInfo& param = signature.params[i];
    const std::string where =
        kernel + ", argument " + std::to_string(i) + " (`" + param.name + "`): ";
    const DLTensor* arg = args[i];
    if (arg == nullptr)
      throw RuntimeError(where + "the tensor is null; pass an array of " + dtype_str(param.dtype) +
                         " " + shape_str(param.shape));

    // Step 1. Where the data lives, what it is, how much of it. A GPU module
    // also takes host arrays: it copies them in and the outputs back.
    if (arg->device.device_type != device && arg->device.device_type != kDLCPU)
      throw RuntimeError(where + "expected an array on " + device_name(device) + ", given one on " +
                         device_str(arg->device) + "; move it there first (kiln.nd.array(x, " +
                         "device=\"" + device_name(device) + "\"), x.to(\"" + device_name(device) +
                         "\") in PyTorch)");
    // The GPU runtimes drive device 0 only (its primary context, its queue):
    // a pointer into another device's memory means nothing to them.
    if (arg->device.device_type != kDLCPU && arg->device.device_id != 0)
      throw RuntimeError(where + "the array is on " + device_str(arg->device) + ", but kiln runs " +
                         device_name(device) + " kernels on " + device_name(device) +
                         ":0 only; move it there first (kiln.nd.array(x, device=\"" +
                         device_name(device) + ":0\"), x.to(\"" + device_name(device) +
                         ":0\") in PyTorch)");
    if (!same_dtype(param.dtype, arg->dtype))
      throw RuntimeError(where + "expected dtype " + dtype_str(param.dtype) + ", given " +
                         dtype_str(arg->dtype) + "; convert it first (x.astype(\"" +
                         dtype_str(param.dtype) + "\"))");
    if (!same_shape(param.shape, *arg))
      throw RuntimeError(where + "expected shape " + shape_str(param.shape) + ", given " +
                         shape_str(arg->shape, arg->ndim) + "; the kernel was built for " +
                         shape_str(param.shape) + ", so pass an array of that shape or build " +
                         "the kernel again for this one");

    // Step 2. How it is laid out: the kernel indexes a flat row-major buffer
    // from data + byte_offset. Host arrays the kernel cannot take where they
    // lie are copied (CPU: runtime/staging.h; GPU: the upload); an array on
    // a device is used in place, so its vector loads need the alignment.
    if (!is_contiguous(*arg))
      throw RuntimeError(where + "the array is not contiguous (strides " +
                         shape_str(arg->strides, arg->ndim) + " in elements, row-major would be " +
                         shape_str(row_major_strides(param.shape)) +
                         "); pass a contiguous copy (np.ascontiguousarray(x), x.contiguous() in "
                         "PyTorch) or a kiln.nd.array");
    const uintptr_t address = reinterpret_cast<uintptr_t>(arg->data) + arg->byte_offset;
    if (arg->device.device_type != kDLCPU && signature.alignment > 1 &&
        address % static_cast<uintptr_t>(signature.alignment) != 0)
      throw RuntimeError(where + "the data is not " + std::to_string(signature.alignment) +
                         "-byte aligned (its address is " +
                         std::to_string(address % signature.alignment) +
                         " bytes past a multiple; " +
                         "a slice such as a[1:] starts inside its array's memory); pass an " +
                         "aligned copy: kiln.nd.array(x, device=...) or x.clone()");
  }
}

}  // namespace kiln::runtime

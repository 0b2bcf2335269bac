// NDArray: a reference-counted, contiguous tensor on a device (CPU memory is
// KILN_BUFFER_ALIGNMENT-aligned or better), with DLPack import and export so
// NumPy and PyTorch tensors pass without copies.
#pragma once

#include <dlpack/dlpack.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

// DLPack 0.8 added kDLBool = 6 (one byte per element, what NumPy and PyTorch
// export for bool); an older dlpack.h (Debian 12 has 0.6) lacks the name.
#if defined(DLPACK_VERSION) && !defined(DLPACK_MAJOR_VERSION) && DLPACK_VERSION < 80
inline constexpr uint8_t kDLBool = 6;
#endif

namespace kiln::runtime {

// "float32", "int8", "bfloat16", "bool"; throws RuntimeError for unknown text.
DLDataType parse_dtype(const std::string& text);
std::string dtype_str(DLDataType t);
inline bool operator==(DLDataType a, DLDataType b) {
  return a.code == b.code && a.bits == b.bits && a.lanes == b.lanes;
}
inline bool operator!=(DLDataType a, DLDataType b) { return !(a == b); }
// "cpu", "cuda:0", "opencl:0".
std::string device_str(DLDevice d);
// Inverse of device_str ("cuda" means "cuda:0"); throws RuntimeError.
DLDevice parse_device(const std::string& text);

// Row-major with no gaps: strides null, or equal to the row-major ones except
// along size-1 dimensions (never stepped along, so any stride fits).
bool is_contiguous(const DLTensor& tensor);

class NDArray {
 public:
  NDArray() = default;
  // Uninitialized memory on `device` (CPU: 64-byte aligned).
  static NDArray empty(std::vector<int64_t> shape, DLDataType dtype, DLDevice device = {kDLCPU, 0});
  // Takes ownership of `tensor` (calls its deleter when the last NDArray
  // referring to it goes); no copy.
  static NDArray from_dlpack(DLManagedTensor* tensor);
  // A new DLManagedTensor that keeps this array alive until its deleter runs.
  DLManagedTensor* to_dlpack() const;

  bool defined() const { return state_ != nullptr; }
  const DLTensor& tensor() const;
  void* data() const { return tensor().data; }
  std::vector<int64_t> shape() const;
  DLDataType dtype() const { return tensor().dtype; }
  DLDevice device() const { return tensor().device; }
  int64_t num_elements() const;
  int64_t num_bytes() const;
  // Row-major with no gaps (strides absent or equal to the row-major ones).
  bool is_contiguous() const;
  // Copies all bytes from/to another array of the same size (any devices the
  // runtime can reach); throws RuntimeError when sizes differ.
  void copy_from(const NDArray& other) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace kiln::runtime

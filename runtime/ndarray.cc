// NDArray: one State per tensor, shared by every NDArray and DLPack export
// that refers to it. The State owns the memory through `owner`, whose deleter
// is either the device's free or the DLPack producer's deleter, so the same
// code serves allocated and imported tensors on any device.
#include "runtime/ndarray.h"

#include <cstring>
#include <string>
#include <vector>

#include "runtime/c_api.h"
#include "runtime/device_api.h"
#include "runtime/error.h"

namespace kiln::runtime {

namespace {

// CPU arrays are aligned for the widest vector loads (AVX-512, a cache line),
// beyond the KILN_BUFFER_ALIGNMENT the kernels require.
constexpr size_t kCpuAlignment = 64;
static_assert(kCpuAlignment % KILN_BUFFER_ALIGNMENT == 0);

std::string shape_str(const int64_t* shape, int ndim) {
  std::string s = "(";
  for (int i = 0; i < ndim; ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (ndim == 1 ? ",)" : ")");
}

int64_t element_bytes(DLDataType t) { return (int64_t{t.bits} * t.lanes + 7) / 8; }

}  // namespace

struct NDArray::State {
  DLTensor tensor{};
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // empty: row-major (tensor.strides is null)
  std::shared_ptr<void> owner;   // frees the memory when the last reference goes
};

NDArray NDArray::empty(std::vector<int64_t> shape, DLDataType dtype, DLDevice device) {
  if (dtype.bits == 0 || dtype.lanes == 0)
    throw RuntimeError("NDArray::empty: dtype " + dtype_str(dtype) +
                       " has no size; use a type such as float32");
  int64_t bytes = element_bytes(dtype);
  for (int64_t extent : shape) {
    if (extent < 0)
      throw RuntimeError("NDArray::empty: shape " + shape_str(shape.data(), int(shape.size())) +
                         " has a negative extent; every extent must be 0 or more");
    if (__builtin_mul_overflow(bytes, extent, &bytes))
      throw RuntimeError("NDArray::empty: shape " + shape_str(shape.data(), int(shape.size())) +
                         " of " + dtype_str(dtype) + " is more bytes than memory can address");
  }
  std::shared_ptr<DeviceAPI> api = get_device_api(device, "allocate an NDArray");
  void* data = api->alloc(device, static_cast<size_t>(bytes), kCpuAlignment);

  auto state = std::make_shared<State>();
  state->owner = std::shared_ptr<void>(data, [api, device](void* p) { api->free(device, p); });
  state->shape = std::move(shape);
  state->tensor.data = data;
  state->tensor.device = device;
  state->tensor.ndim = static_cast<int>(state->shape.size());
  state->tensor.dtype = dtype;
  state->tensor.shape = state->shape.data();
  NDArray array;
  array.state_ = std::move(state);
  return array;
}

NDArray NDArray::from_dlpack(DLManagedTensor* managed) {
  if (managed == nullptr)
    throw RuntimeError(
        "NDArray::from_dlpack: the DLManagedTensor is null; pass the one a "
        "producer's __dlpack__ or to_dlpack returned");
  // Owned from here on, even if what follows throws.
  std::shared_ptr<void> owner(managed, [](void* p) {
    auto* m = static_cast<DLManagedTensor*>(p);
    if (m->deleter) m->deleter(m);
  });
  const DLTensor& t = managed->dl_tensor;
  if (t.ndim < 0 || (t.ndim > 0 && t.shape == nullptr))
    throw RuntimeError("NDArray::from_dlpack: the tensor has ndim " + std::to_string(t.ndim) +
                       " but no shape; the producer exported a damaged DLTensor");
  auto state = std::make_shared<State>();
  state->shape.assign(t.shape, t.shape + t.ndim);
  if (t.strides) state->strides.assign(t.strides, t.strides + t.ndim);
  state->tensor = t;
  state->tensor.shape = state->shape.data();
  state->tensor.strides = t.strides ? state->strides.data() : nullptr;
  state->owner = std::move(owner);
  NDArray array;
  array.state_ = std::move(state);
  return array;
}

namespace {

// What a DLPack consumer holds: the tensor and a reference that keeps the
// exporting array alive.
struct ExportedTensor {
  DLManagedTensor managed;
  std::shared_ptr<void> keep_alive;
};

}  // namespace

DLManagedTensor* NDArray::to_dlpack() const {
  auto* exported = new ExportedTensor{};
  exported->managed.dl_tensor = tensor();  // its shape/strides point into the kept State
  exported->keep_alive = state_;
  exported->managed.manager_ctx = exported;
  exported->managed.deleter = [](DLManagedTensor* self) {
    delete static_cast<ExportedTensor*>(self->manager_ctx);
  };
  return &exported->managed;
}

const DLTensor& NDArray::tensor() const {
  if (!state_)
    throw RuntimeError(
        "the NDArray is undefined (default-constructed); create one with "
        "NDArray::empty or NDArray::from_dlpack");
  return state_->tensor;
}

std::vector<int64_t> NDArray::shape() const {
  const DLTensor& t = tensor();
  return std::vector<int64_t>(t.shape, t.shape + t.ndim);
}

int64_t NDArray::num_elements() const {
  const DLTensor& t = tensor();
  int64_t n = 1;
  for (int i = 0; i < t.ndim; ++i) n *= t.shape[i];
  return n;
}

int64_t NDArray::num_bytes() const { return num_elements() * element_bytes(dtype()); }

bool is_contiguous(const DLTensor& t) {
  if (t.strides == nullptr) return true;
  for (int i = 0; i < t.ndim; ++i) {
    if (t.shape[i] == 0) return true;  // no elements: nothing is out of place
  }
  int64_t expected = 1;
  for (int i = t.ndim - 1; i >= 0; --i) {
    // A size-1 dimension is never stepped along, so its stride is free.
    if (t.shape[i] != 1 && t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

bool NDArray::is_contiguous() const { return runtime::is_contiguous(tensor()); }

void NDArray::copy_from(const NDArray& other) const {
  const DLTensor& dst = tensor();
  const DLTensor& src = other.tensor();
  const int64_t bytes = num_bytes();
  auto describe = [](const NDArray& a) {
    return dtype_str(a.dtype()) + " " + shape_str(a.tensor().shape, a.tensor().ndim) + " on " +
           device_str(a.device());
  };
  if (other.num_bytes() != bytes)
    throw RuntimeError("copy_from: sizes differ: the destination " + describe(*this) + " is " +
                       std::to_string(bytes) + " bytes, the source " + describe(other) + " is " +
                       std::to_string(other.num_bytes()) + "; copy between arrays of one size");
  if (!is_contiguous() || !other.is_contiguous())
    throw RuntimeError("copy_from: the " +
                       std::string(is_contiguous() ? "source " + describe(other)
                                                   : "destination " + describe(*this)) +
                       " is not contiguous; copy_from copies whole row-major arrays, so pass a "
                       "contiguous one");
  if (bytes == 0) return;
  const size_t n = static_cast<size_t>(bytes);
  const bool src_host = src.device.device_type == kDLCPU;
  const bool dst_host = dst.device.device_type == kDLCPU;
  if (src_host && dst_host) {
    std::memmove(static_cast<char*>(dst.data) + dst.byte_offset,
                 static_cast<const char*>(src.data) + src.byte_offset, n);
  } else if (src_host) {
    get_device_api(dst.device, "copy to an NDArray")
        ->copy_from_host(static_cast<const char*>(src.data) + src.byte_offset, dst.device, dst.data,
                         dst.byte_offset, n);
  } else if (dst_host) {
    get_device_api(src.device, "copy from an NDArray")
        ->copy_to_host(src.device, src.data, src.byte_offset,
                       static_cast<char*>(dst.data) + dst.byte_offset, n);
  } else {
    // Between two devices: through the host, which every DeviceAPI reaches.
    std::vector<char> staging(n);
    get_device_api(src.device, "copy from an NDArray")
        ->copy_to_host(src.device, src.data, src.byte_offset, staging.data(), n);
    get_device_api(dst.device, "copy to an NDArray")
        ->copy_from_host(staging.data(), dst.device, dst.data, dst.byte_offset, n);
  }
}

}  // namespace kiln::runtime

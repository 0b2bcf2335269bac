// The device registry and the CPU's DeviceAPI (aligned host memory).
#include "runtime/device_api.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include "runtime/cuda/cuda_device_api.h"
#include "runtime/error.h"
#include "runtime/ndarray.h"
#include "runtime/opencl/opencl_device_api.h"

namespace kiln::runtime {

namespace {

class CpuDeviceAPI final : public DeviceAPI {
 public:
  void* alloc(DLDevice device, size_t bytes, size_t alignment) override {
    if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0)
      throw RuntimeError("cannot allocate " + std::to_string(bytes) +
                         " bytes on the CPU aligned to " + std::to_string(alignment) +
                         ": the alignment must be a power of two, at least " +
                         std::to_string(sizeof(void*)));
    // A zero-byte array still gets a distinct, aligned address.
    void* data = nullptr;
    if (posix_memalign(&data, alignment, bytes == 0 ? alignment : bytes) != 0)
      throw RuntimeError("out of host memory: cannot allocate " + std::to_string(bytes) +
                         " bytes for an NDArray; use smaller arrays or free some first");
    return data;
  }
  void free(DLDevice device, void* data) override { std::free(data); }
  void copy_to_host(DLDevice device, const void* data, uint64_t offset, void* host,
                    size_t bytes) override {
    std::memcpy(host, static_cast<const char*>(data) + offset, bytes);
  }
  void copy_from_host(const void* host, DLDevice device, void* data, uint64_t offset,
                      size_t bytes) override {
    std::memcpy(static_cast<char*>(data) + offset, host, bytes);
  }
};

struct Registry {
  std::mutex mutex;
  std::map<DLDeviceType, std::shared_ptr<DeviceAPI>> apis;
  Registry() { apis[kDLCPU] = std::make_shared<CpuDeviceAPI>(); }
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: arrays may outlive main's statics
  return *r;
}

// What provides each device's memory, for the message when it is missing.
std::string module_for(DLDeviceType type) {
  switch (type) {
    case kDLCUDA:
    case kDLCUDAHost:
    case kDLCUDAManaged: return "the CUDA module";
    case kDLOpenCL: return "the OpenCL module";
    default: return "a device module for it";
  }
}

}  // namespace

void register_device_api(DLDeviceType type, std::shared_ptr<DeviceAPI> api) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (api)
    r.apis[type] = std::move(api);
  else
    r.apis.erase(type);
}

std::shared_ptr<DeviceAPI> find_device_api(DLDeviceType type) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto it = r.apis.find(type);
  return it == r.apis.end() ? nullptr : it->second;
}

std::shared_ptr<DeviceAPI> get_device_api(DLDevice device, const char* action) {
  if (auto api = find_device_api(device.device_type)) return api;
  // The GPU device APIs register on first use, so that arrays on a GPU work
  // before any kernel was built (they load their drivers lazily).
  if (device.device_type == kDLCUDA) cuda::register_cuda_device_api();
  if (device.device_type == kDLOpenCL) opencl::register_opencl_device_api();
  if (auto api = find_device_api(device.device_type)) return api;
  throw RuntimeError(std::string("cannot ") + action + " on " + device_str(device) +
                     ": device memory needs " + module_for(device.device_type) +
                     ", which is not loaded in this process (kiln built without it, or its "
                     "driver was not found); use the CPU (device \"cpu\") instead");
}

}  // namespace kiln::runtime

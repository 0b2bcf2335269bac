#include "runtime/cuda/cuda_device_api.h"

#include <memory>
#include <string>

#include "runtime/cuda/cuda_driver.h"
#include "runtime/device_api.h"
#include "runtime/error.h"

namespace kiln::runtime::cuda {

namespace {

CUdeviceptr address(const void* data, uint64_t offset) {
  return reinterpret_cast<CUdeviceptr>(data) + offset;
}

void check_device(DLDevice device) {
  // The driver's primary context is device 0's; more devices need one context each.
  if (device.device_id != 0)
    throw RuntimeError("cuda:" + std::to_string(device.device_id) +
                       " is not supported: kiln runs on cuda:0 only");
}

class CudaDeviceAPI final : public DeviceAPI {
 public:
  void* alloc(DLDevice device, size_t bytes, size_t alignment) override {
    check_device(device);
    // cuMemAlloc aligns to at least 256 bytes, more than any kernel needs.
    if (alignment > 256)
      throw RuntimeError("cannot align CUDA memory to " + std::to_string(alignment) +
                         " bytes: cuMemAlloc guarantees 256");
    CUdeviceptr p = 0;
    check(driver().cuMemAlloc(&p, bytes ? bytes : 1),
          ("cuMemAlloc(" + std::to_string(bytes) + " bytes)").c_str());
    return reinterpret_cast<void*>(p);
  }
  void free(DLDevice device, void* data) override {
    driver().cuMemFree(reinterpret_cast<CUdeviceptr>(data));
  }
  void copy_to_host(DLDevice device, const void* data, uint64_t offset, void* host,
                    size_t bytes) override {
    if (bytes) check(driver().cuMemcpyDtoH(host, address(data, offset), bytes), "cuMemcpyDtoH");
  }
  void copy_from_host(const void* host, DLDevice device, void* data, uint64_t offset,
                      size_t bytes) override {
    if (bytes) check(driver().cuMemcpyHtoD(address(data, offset), host, bytes), "cuMemcpyHtoD");
  }
};

}  // namespace

void register_cuda_device_api() {
  static const bool registered = [] {
    register_device_api(kDLCUDA, std::make_shared<CudaDeviceAPI>());
    return true;
  }();
  (void)registered;
}

}  // namespace kiln::runtime::cuda

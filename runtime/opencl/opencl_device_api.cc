#include "runtime/opencl/opencl_device_api.h"

#include <memory>
#include <string>

#include "runtime/device_api.h"
#include "runtime/error.h"
#include "runtime/opencl/opencl_context.h"

namespace kiln::runtime::opencl {

namespace {

class OpenCLDeviceAPI final : public DeviceAPI {
 public:
  void* alloc(DLDevice device, size_t bytes, size_t alignment) override {
    if (device.device_id != 0)
      throw RuntimeError("opencl:" + std::to_string(device.device_id) +
                         " is not supported: kiln uses one OpenCL device (opencl:0); pick it "
                         "with KILN_OPENCL_DEVICE=<platform>:<device>");
    // A cl_mem is a handle: the alignment of the memory behind it is the
    // device's (CL_DEVICE_MEM_BASE_ADDR_ALIGN, at least 128 bytes), not ours.
    return alloc_memory(bytes);
  }
  void free(DLDevice device, void* data) override { free_memory(data); }
  void copy_to_host(DLDevice device, const void* data, uint64_t offset, void* host,
                    size_t bytes) override {
    read(host, const_cast<void*>(data), offset, bytes);
  }
  void copy_from_host(const void* host, DLDevice device, void* data, uint64_t offset,
                      size_t bytes) override {
    write(data, offset, host, bytes);
  }
};

}  // namespace

void register_opencl_device_api() {
  static const bool registered = [] {
    register_device_api(kDLOpenCL, std::make_shared<OpenCLDeviceAPI>());
    return true;
  }();
  (void)registered;
}

}  // namespace kiln::runtime::opencl

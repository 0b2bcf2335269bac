// DeviceAPI: how the runtime allocates and copies memory on one kind of
// device. The CPU is registered by default; the CUDA and OpenCL modules
// register theirs when they load, so NDArray reaches a device without this
// library linking the device's driver.
#pragma once

#include <dlpack/dlpack.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace kiln::runtime {

class DeviceAPI {
 public:
  virtual ~DeviceAPI() = default;
  // `bytes` (may be 0) on `device`, aligned to `alignment` bytes or better;
  // never null. Throws RuntimeError when the device is out of memory.
  virtual void* alloc(DLDevice device, size_t bytes, size_t alignment) = 0;
  virtual void free(DLDevice device, void* data) = 0;
  // Device addresses are opaque (an OpenCL buffer is a cl_mem handle), so
  // offsets travel beside them rather than folded in.
  virtual void copy_to_host(DLDevice device, const void* data, uint64_t offset, void* host,
                            size_t bytes) = 0;
  virtual void copy_from_host(const void* host, DLDevice device, void* data, uint64_t offset,
                              size_t bytes) = 0;
};

// Makes `api` the one for `type`, replacing any before it (arrays allocated by
// the old one keep it alive until they go); a null `api` unregisters `type`.
void register_device_api(DLDeviceType type, std::shared_ptr<DeviceAPI> api);
// The API registered for `type`, or null.
std::shared_ptr<DeviceAPI> find_device_api(DLDeviceType type);
// Same, but throws RuntimeError naming the module that provides `device`;
// `action` says what needed it ("allocate an NDArray").
std::shared_ptr<DeviceAPI> get_device_api(DLDevice device, const char* action);

}  // namespace kiln::runtime

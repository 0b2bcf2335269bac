#include "runtime/cuda/cuda_driver.h"

#include <dlfcn.h>

#include <initializer_list>

#include "runtime/error.h"

namespace kiln::runtime::cuda {

namespace {

struct LoadedDriver {
  DriverTable table{};
  bool ok = false;
  std::string reason;
  CUcontext context = nullptr;
};

// Resolves the first of `names` the library exports: versioned entry points
// (cuMemAlloc_v2, cuEventElapsedTime_v2) replaced the plain ones over time.
template <typename F>
bool resolve(void* lib, F* slot, std::initializer_list<const char*> names, std::string* missing) {
  for (const char* name : names) {
    if (void* sym = dlsym(lib, name)) {
      *slot = reinterpret_cast<F>(sym);
      return true;
    }
  }
  *missing = *names.begin();
  return false;
}

std::string error_text(const DriverTable& t, CUresult result) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (t.cuGetErrorName) t.cuGetErrorName(result, &name);
  if (t.cuGetErrorString) t.cuGetErrorString(result, &text);
  std::string out = name ? name : "CUDA error " + std::to_string(result);
  if (text) out += std::string(" (") + text + ")";
  return out;
}

LoadedDriver load() {
  LoadedDriver d;
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* err = dlerror();
    d.reason = std::string("libcuda.so.1 could not be loaded (") + (err ? err : "not found") +
               "); install the NVIDIA driver to run CUDA kernels";
    return d;
  }
  DriverTable& t = d.table;
  std::string missing;
  bool all = resolve(lib, &t.cuInit, {"cuInit"}, &missing) &&
             resolve(lib, &t.cuGetErrorName, {"cuGetErrorName"}, &missing) &&
             resolve(lib, &t.cuGetErrorString, {"cuGetErrorString"}, &missing) &&
             resolve(lib, &t.cuDeviceGet, {"cuDeviceGet"}, &missing) &&
             resolve(lib, &t.cuDeviceGetCount, {"cuDeviceGetCount"}, &missing) &&
             resolve(lib, &t.cuDeviceGetName, {"cuDeviceGetName"}, &missing) &&
             resolve(lib, &t.cuDeviceGetAttribute, {"cuDeviceGetAttribute"}, &missing) &&
             resolve(lib, &t.cuDevicePrimaryCtxRetain, {"cuDevicePrimaryCtxRetain"}, &missing) &&
             resolve(lib, &t.cuCtxSetCurrent, {"cuCtxSetCurrent"}, &missing) &&
             resolve(lib, &t.cuCtxSynchronize, {"cuCtxSynchronize"}, &missing) &&
             resolve(lib, &t.cuMemAlloc, {"cuMemAlloc_v2"}, &missing) &&
             resolve(lib, &t.cuMemFree, {"cuMemFree_v2"}, &missing) &&
             resolve(lib, &t.cuMemcpyHtoD, {"cuMemcpyHtoD_v2"}, &missing) &&
             resolve(lib, &t.cuMemcpyDtoH, {"cuMemcpyDtoH_v2"}, &missing) &&
             resolve(lib, &t.cuMemcpyDtoD, {"cuMemcpyDtoD_v2"}, &missing) &&
             resolve(lib, &t.cuModuleLoadData, {"cuModuleLoadData"}, &missing) &&
             resolve(lib, &t.cuModuleUnload, {"cuModuleUnload"}, &missing) &&
             resolve(lib, &t.cuModuleGetFunction, {"cuModuleGetFunction"}, &missing) &&
             resolve(lib, &t.cuFuncSetAttribute, {"cuFuncSetAttribute"}, &missing) &&
             resolve(lib, &t.cuLaunchKernel, {"cuLaunchKernel"}, &missing) &&
             resolve(lib, &t.cuEventCreate, {"cuEventCreate"}, &missing) &&
             resolve(lib, &t.cuEventDestroy, {"cuEventDestroy_v2", "cuEventDestroy"}, &missing) &&
             resolve(lib, &t.cuEventRecord, {"cuEventRecord"}, &missing) &&
             resolve(lib, &t.cuEventSynchronize, {"cuEventSynchronize"}, &missing) &&
             resolve(lib, &t.cuEventElapsedTime, {"cuEventElapsedTime_v2", "cuEventElapsedTime"},
                     &missing);
  if (!all) {
    d.reason = "libcuda.so.1 has no " + missing + "; the driver is too old for kiln (CUDA 11+)";
    return d;
  }
  if (CUresult r = t.cuInit(0); r != 0) {
    d.reason = "cuInit failed: " + error_text(t, r);
    return d;
  }
  int count = 0;
  if (CUresult r = t.cuDeviceGetCount(&count); r != 0 || count == 0) {
    d.reason = "the CUDA driver sees no device";
    return d;
  }
  CUdevice device = 0;
  if (CUresult r = t.cuDeviceGet(&device, 0); r != 0) {
    d.reason = "cuDeviceGet(0) failed: " + error_text(t, r);
    return d;
  }
  if (CUresult r = t.cuDevicePrimaryCtxRetain(&d.context, device); r != 0) {
    d.reason = "cuDevicePrimaryCtxRetain failed: " + error_text(t, r);
    return d;
  }
  d.ok = true;
  return d;
}

LoadedDriver& loaded() {
  // Loaded once; the library stays mapped for the process's lifetime because
  // kernels and device memory outlive any one caller.
  static LoadedDriver d = load();
  return d;
}

}  // namespace

bool driver_available(std::string* reason) {
  const LoadedDriver& d = loaded();
  if (!d.ok && reason) *reason = d.reason;
  return d.ok;
}

const DriverTable& driver() {
  LoadedDriver& d = loaded();
  if (!d.ok) throw RuntimeError("no CUDA driver: " + d.reason);
  // The primary context is current per thread; setting it is cheap.
  thread_local bool current = false;
  if (!current) {
    check(d.table.cuCtxSetCurrent(d.context), "cuCtxSetCurrent");
    current = true;
  }
  return d.table;
}

void check(CUresult result, const char* what) {
  if (result == 0) return;
  throw RuntimeError(std::string(what) + " failed: " + error_text(loaded().table, result));
}

}  // namespace kiln::runtime::cuda

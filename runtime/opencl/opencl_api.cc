#include "runtime/opencl/opencl_api.h"

#ifdef KILN_WITH_OPENCL

#include <dlfcn.h>

#include <cstdio>

#include "runtime/error.h"

namespace kiln::runtime::opencl {

namespace {

constexpr const char* kLibrary = "libOpenCL.so.1";

struct LoadedApi {
  ApiTable table{};
  bool ok = false;
  std::string reason;
};

template <typename F>
bool resolve(void* lib, F* slot, const char* name, std::string* missing) {
  if (void* sym = dlsym(lib, name)) {
    *slot = reinterpret_cast<F>(sym);
    return true;
  }
  *missing = name;
  return false;
}

std::string last_dl_error() {
  const char* err = dlerror();
  return err ? err : "not found";
}

// The loader in a new link-map namespace (see opencl_api.h for the LLVM clash
// this avoids). That namespace gets its own libc, so PoCL sees the
// environment as it was at this call (POCL_*, OCL_ICD_VENDORS set later in the
// process are not seen); OpenCL hands no malloc'd memory across the API, so
// the two heaps never meet.
void* open_library(std::string* reason) {
  if (void* lib = dlmopen(LM_ID_NEWLM, kLibrary, RTLD_NOW | RTLD_LOCAL)) return lib;
  const std::string isolated_error = last_dl_error();
  // dlmopen fails where the plain dlopen may not: glibc's namespaces (16) or
  // their static TLS are used up, or a libc without dlmopen namespaces.
  void* lib = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    *reason = std::string(kLibrary) + " could not be loaded (" + last_dl_error() +
              "); install the OpenCL ICD loader (ocl-icd-libopencl1) and a platform "
              "(pocl-opencl-icd for the CPU)";
    return nullptr;
  }
  // Once per process: the table is loaded once.
  std::fprintf(stderr,
               "kiln: warning: dlmopen(LM_ID_NEWLM, \"%s\") failed (%s); loaded it with dlopen "
               "instead. If this process also links kiln's LLVM, PoCL's LLVM may bind to it and "
               "clBuildProgram may crash; run OpenCL kernels from a process without LLVM (for "
               "example a build with -DKILN_WITH_LLVM=OFF) if it does.\n",
               kLibrary, isolated_error.c_str());
  return lib;
}

LoadedApi load() {
  LoadedApi d;
  void* lib = open_library(&d.reason);
  if (!lib) return d;
  ApiTable& t = d.table;
  std::string missing;
  bool all = resolve(lib, &t.clGetPlatformIDs, "clGetPlatformIDs", &missing) &&
             resolve(lib, &t.clGetPlatformInfo, "clGetPlatformInfo", &missing) &&
             resolve(lib, &t.clGetDeviceIDs, "clGetDeviceIDs", &missing) &&
             resolve(lib, &t.clGetDeviceInfo, "clGetDeviceInfo", &missing) &&
             resolve(lib, &t.clCreateContext, "clCreateContext", &missing) &&
             resolve(lib, &t.clCreateCommandQueue, "clCreateCommandQueue", &missing) &&
             resolve(lib, &t.clCreateBuffer, "clCreateBuffer", &missing) &&
             resolve(lib, &t.clReleaseMemObject, "clReleaseMemObject", &missing) &&
             resolve(lib, &t.clEnqueueWriteBuffer, "clEnqueueWriteBuffer", &missing) &&
             resolve(lib, &t.clEnqueueReadBuffer, "clEnqueueReadBuffer", &missing) &&
             resolve(lib, &t.clEnqueueCopyBuffer, "clEnqueueCopyBuffer", &missing) &&
             resolve(lib, &t.clFinish, "clFinish", &missing) &&
             resolve(lib, &t.clCreateProgramWithSource, "clCreateProgramWithSource", &missing) &&
             resolve(lib, &t.clBuildProgram, "clBuildProgram", &missing) &&
             resolve(lib, &t.clGetProgramBuildInfo, "clGetProgramBuildInfo", &missing) &&
             resolve(lib, &t.clReleaseProgram, "clReleaseProgram", &missing) &&
             resolve(lib, &t.clCreateKernel, "clCreateKernel", &missing) &&
             resolve(lib, &t.clReleaseKernel, "clReleaseKernel", &missing) &&
             resolve(lib, &t.clSetKernelArg, "clSetKernelArg", &missing) &&
             resolve(lib, &t.clEnqueueNDRangeKernel, "clEnqueueNDRangeKernel", &missing) &&
             resolve(lib, &t.clWaitForEvents, "clWaitForEvents", &missing) &&
             resolve(lib, &t.clGetEventProfilingInfo, "clGetEventProfilingInfo", &missing) &&
             resolve(lib, &t.clReleaseEvent, "clReleaseEvent", &missing);
  if (!all) {
    d.reason = std::string(kLibrary) + " has no " + missing +
               "; it is not an OpenCL 1.2 ICD loader (install ocl-icd-libopencl1)";
    return d;
  }
  d.ok = true;
  return d;
}

const LoadedApi& loaded() {
  // Loaded once, never closed: buffers, programs and PoCL's threads live in
  // the library for the rest of the process.
  static const LoadedApi d = load();
  return d;
}

}  // namespace

bool api_available(std::string* reason) {
  const LoadedApi& d = loaded();
  if (!d.ok && reason) *reason = d.reason;
  return d.ok;
}

const ApiTable& api() {
  const LoadedApi& d = loaded();
  if (!d.ok) throw RuntimeError("no OpenCL device: " + d.reason);
  return d.table;
}

}  // namespace kiln::runtime::opencl

#endif  // KILN_WITH_OPENCL

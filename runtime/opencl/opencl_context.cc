#include "runtime/opencl/opencl_context.h"

#include "runtime/error.h"

#ifdef KILN_WITH_OPENCL

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/opencl/opencl_api.h"

namespace kiln::runtime::opencl {

namespace {

std::string error_name(cl_int code) {
  switch (code) {
    case CL_DEVICE_NOT_FOUND: return "CL_DEVICE_NOT_FOUND";
    case CL_OUT_OF_RESOURCES: return "CL_OUT_OF_RESOURCES";
    case CL_OUT_OF_HOST_MEMORY: return "CL_OUT_OF_HOST_MEMORY";
    case CL_MEM_OBJECT_ALLOCATION_FAILURE: return "CL_MEM_OBJECT_ALLOCATION_FAILURE";
    case CL_BUILD_PROGRAM_FAILURE: return "CL_BUILD_PROGRAM_FAILURE";
    case CL_INVALID_VALUE: return "CL_INVALID_VALUE";
    case CL_INVALID_KERNEL_NAME: return "CL_INVALID_KERNEL_NAME";
    case CL_INVALID_KERNEL_ARGS: return "CL_INVALID_KERNEL_ARGS";
    case CL_INVALID_WORK_GROUP_SIZE: return "CL_INVALID_WORK_GROUP_SIZE";
    case CL_INVALID_WORK_ITEM_SIZE: return "CL_INVALID_WORK_ITEM_SIZE";
    case CL_INVALID_BUFFER_SIZE: return "CL_INVALID_BUFFER_SIZE";
    case CL_INVALID_MEM_OBJECT: return "CL_INVALID_MEM_OBJECT";
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR (no OpenCL platform)";
    default: return "OpenCL error " + std::to_string(code);
  }
}

void check(cl_int code, const std::string& what) {
  if (code != CL_SUCCESS) throw RuntimeError(what + " failed: " + error_name(code));
}

std::string platform_string(cl_platform_id p, cl_platform_info what) {
  size_t n = 0;
  api().clGetPlatformInfo(p, what, 0, nullptr, &n);
  std::string s(n, '\0');
  api().clGetPlatformInfo(p, what, n, s.data(), nullptr);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

std::string device_string(cl_device_id d, cl_device_info what) {
  size_t n = 0;
  api().clGetDeviceInfo(d, what, 0, nullptr, &n);
  std::string s(n, '\0');
  api().clGetDeviceInfo(d, what, n, s.data(), nullptr);
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

template <typename T>
T device_value(cl_device_id d, cl_device_info what) {
  T v{};
  api().clGetDeviceInfo(d, what, sizeof(T), &v, nullptr);
  return v;
}

struct Context {
  bool ok = false;
  std::string reason;
  DeviceInfo info;
  cl_device_id device = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
  std::mutex mutex;  // guards `programs`
  std::map<size_t, std::pair<std::string, cl_program>> programs;
};

// KILN_OPENCL_DEVICE="p:d" picks device d of platform p; the default is 0:0.
bool pick_device(Context& c) {
  if (!api_available(&c.reason)) return false;
  cl_uint num_platforms = 0;
  if (api().clGetPlatformIDs(0, nullptr, &num_platforms) != CL_SUCCESS || num_platforms == 0) {
    c.reason = "the OpenCL ICD loader found no platform (install pocl-opencl-icd for the CPU)";
    return false;
  }
  std::vector<cl_platform_id> platforms(num_platforms);
  api().clGetPlatformIDs(num_platforms, platforms.data(), nullptr);
  unsigned want_platform = 0, want_device = 0;
  if (const char* env = std::getenv("KILN_OPENCL_DEVICE")) {
    if (std::sscanf(env, "%u:%u", &want_platform, &want_device) != 2) {
      c.reason = std::string("KILN_OPENCL_DEVICE=\"") + env +
                 "\" is not <platform>:<device> (for example 0:0)";
      return false;
    }
  }
  if (want_platform >= num_platforms) {
    c.reason = "KILN_OPENCL_DEVICE names platform " + std::to_string(want_platform) + " of " +
               std::to_string(num_platforms);
    return false;
  }
  cl_platform_id platform = platforms[want_platform];
  cl_uint num_devices = 0;
  api().clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &num_devices);
  if (want_device >= num_devices) {
    c.reason = "OpenCL platform \"" + platform_string(platform, CL_PLATFORM_NAME) + "\" has " +
               std::to_string(num_devices) + " devices; wanted device " +
               std::to_string(want_device);
    return false;
  }
  std::vector<cl_device_id> devices(num_devices);
  api().clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, num_devices, devices.data(), nullptr);
  c.device = devices[want_device];
  c.info.platform = platform_string(platform, CL_PLATFORM_NAME);
  c.info.name = device_string(c.device, CL_DEVICE_NAME);
  c.info.max_work_group_size =
      static_cast<int64_t>(device_value<size_t>(c.device, CL_DEVICE_MAX_WORK_GROUP_SIZE));
  size_t sizes[3] = {0, 0, 0};
  api().clGetDeviceInfo(c.device, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof(sizes), sizes, nullptr);
  for (int i = 0; i < 3; ++i) c.info.max_work_item_sizes[i] = static_cast<int64_t>(sizes[i]);
  c.info.local_mem_size =
      static_cast<int64_t>(device_value<cl_ulong>(c.device, CL_DEVICE_LOCAL_MEM_SIZE));
  c.info.global_mem_cache_size =
      static_cast<int64_t>(device_value<cl_ulong>(c.device, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE));
  c.info.compute_units =
      static_cast<int64_t>(device_value<cl_uint>(c.device, CL_DEVICE_MAX_COMPUTE_UNITS));
  const std::string extensions = " " + device_string(c.device, CL_DEVICE_EXTENSIONS) + " ";
  c.info.has_fp16 = extensions.find(" cl_khr_fp16 ") != std::string::npos;
  c.info.has_fp64 = extensions.find(" cl_khr_fp64 ") != std::string::npos;
  return true;
}

Context& context() {
  static Context* c = [] {
    // Never destroyed: PoCL's own teardown at exit races with static
    // destructors that would release its objects.
    auto* ctx = new Context;
    if (!pick_device(*ctx)) return ctx;
    cl_int err = CL_SUCCESS;
    ctx->context = api().clCreateContext(nullptr, 1, &ctx->device, nullptr, nullptr, &err);
    if (err != CL_SUCCESS) {
      ctx->reason = "clCreateContext failed: " + error_name(err);
      return ctx;
    }
    ctx->queue =
        api().clCreateCommandQueue(ctx->context, ctx->device, CL_QUEUE_PROFILING_ENABLE, &err);
    if (err != CL_SUCCESS) {
      ctx->reason = "clCreateCommandQueue failed: " + error_name(err);
      return ctx;
    }
    ctx->ok = true;
    return ctx;
  }();
  return *c;
}

Context& ready() {
  Context& c = context();
  if (!c.ok) throw RuntimeError("no OpenCL device: " + c.reason);
  return c;
}

cl_mem mem(Memory m) { return static_cast<cl_mem>(m); }

}  // namespace

bool opencl_available(std::string* reason) {
  Context& c = context();
  if (!c.ok && reason) *reason = c.reason;
  return c.ok;
}

const DeviceInfo& device_info() { return ready().info; }

Memory alloc_memory(size_t bytes) {
  cl_int err = CL_SUCCESS;
  // OpenCL refuses empty buffers; an empty tensor still gets a handle.
  cl_mem m =
      api().clCreateBuffer(ready().context, CL_MEM_READ_WRITE, bytes ? bytes : 1, nullptr, &err);
  check(err, "api().clCreateBuffer(" + std::to_string(bytes) + " bytes)");
  return m;
}

void free_memory(Memory memory) {
  if (memory) api().clReleaseMemObject(mem(memory));
}

void write(Memory dst, size_t offset, const void* src, size_t bytes) {
  if (!bytes) return;
  check(api().clEnqueueWriteBuffer(ready().queue, mem(dst), CL_TRUE, offset, bytes, src, 0, nullptr,
                                   nullptr),
        "clEnqueueWriteBuffer");
}

void read(void* dst, Memory src, size_t offset, size_t bytes) {
  if (!bytes) return;
  check(api().clEnqueueReadBuffer(ready().queue, mem(src), CL_TRUE, offset, bytes, dst, 0, nullptr,
                                  nullptr),
        "clEnqueueReadBuffer");
}

void copy(Memory dst, size_t dst_offset, Memory src, size_t src_offset, size_t bytes) {
  if (!bytes) return;
  Context& c = ready();
  check(api().clEnqueueCopyBuffer(c.queue, mem(src), mem(dst), src_offset, dst_offset, bytes, 0,
                                  nullptr, nullptr),
        "clEnqueueCopyBuffer");
  check(api().clFinish(c.queue), "clFinish");
}

Program build_program(const std::string& source) {
  Context& c = ready();
  const size_t key = std::hash<std::string>()(source);
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.programs.find(key);
  // The text is compared too: a hash collision must not run the wrong kernel.
  if (it != c.programs.end() && it->second.first == source) return it->second.second;
  const char* text = source.c_str();
  const size_t length = source.size();
  cl_int err = CL_SUCCESS;
  cl_program program = api().clCreateProgramWithSource(c.context, 1, &text, &length, &err);
  check(err, "clCreateProgramWithSource");
  err = api().clBuildProgram(program, 1, &c.device, "-cl-std=CL1.2", nullptr, nullptr);
  if (err != CL_SUCCESS) {
    size_t n = 0;
    api().clGetProgramBuildInfo(program, c.device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &n);
    std::string log(n, '\0');
    api().clGetProgramBuildInfo(program, c.device, CL_PROGRAM_BUILD_LOG, n, log.data(), nullptr);
    api().clReleaseProgram(program);
    throw RuntimeError("OpenCL C did not build on \"" + c.info.name + "\" (" + error_name(err) +
                       "); this is a kiln bug, please report it with the source:\n" + log +
                       "\n--- source ---\n" + source);
  }
  c.programs[key] = {source, program};
  return program;
}

Kernel create_kernel(Program program, const std::string& name) {
  cl_int err = CL_SUCCESS;
  cl_kernel k = api().clCreateKernel(static_cast<cl_program>(program), name.c_str(), &err);
  check(err, "api().clCreateKernel(" + name + ")");
  return k;
}

void release_kernel(Kernel kernel) {
  if (kernel) api().clReleaseKernel(static_cast<cl_kernel>(kernel));
}

void set_arg_memory(Kernel kernel, int index, Memory memory) {
  cl_mem m = mem(memory);
  check(api().clSetKernelArg(static_cast<cl_kernel>(kernel), static_cast<cl_uint>(index),
                             sizeof(cl_mem), &m),
        "api().clSetKernelArg(" + std::to_string(index) + ")");
}

int64_t enqueue(Kernel kernel, const int64_t grid[3], const int64_t block[3], bool profile) {
  Context& c = ready();
  size_t global[3], local[3];
  for (int i = 0; i < 3; ++i) {
    global[i] = static_cast<size_t>(grid[i] * block[i]);
    local[i] = static_cast<size_t>(block[i]);
  }
  cl_event event = nullptr;
  check(api().clEnqueueNDRangeKernel(c.queue, static_cast<cl_kernel>(kernel), 3, nullptr, global,
                                     local, 0, nullptr, profile ? &event : nullptr),
        "clEnqueueNDRangeKernel");
  if (!profile) return 0;
  api().clWaitForEvents(1, &event);
  cl_ulong start = 0, end = 0;
  api().clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof(start), &start, nullptr);
  api().clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof(end), &end, nullptr);
  api().clReleaseEvent(event);
  return static_cast<int64_t>(end - start);
}

void finish() { check(api().clFinish(ready().queue), "clFinish"); }

}  // namespace kiln::runtime::opencl

#else  // !KILN_WITH_OPENCL

namespace kiln::runtime::opencl {

namespace {
constexpr const char* kNoOpenCL =
    "no OpenCL device: kiln was configured without OpenCL (CMake found no CL/cl.h); install "
    "opencl-headers and reconfigure (and, to run kernels, ocl-icd-libopencl1 and "
    "pocl-opencl-icd)";
[[noreturn]] void unavailable() { throw RuntimeError(kNoOpenCL); }
}  // namespace

bool opencl_available(std::string* reason) {
  if (reason) *reason = kNoOpenCL;
  return false;
}
const DeviceInfo& device_info() { unavailable(); }
Memory alloc_memory(size_t) { unavailable(); }
void free_memory(Memory) {}
void write(Memory, size_t, const void*, size_t) { unavailable(); }
void read(void*, Memory, size_t, size_t) { unavailable(); }
void copy(Memory, size_t, Memory, size_t, size_t) { unavailable(); }
Program build_program(const std::string&) { unavailable(); }
Kernel create_kernel(Program, const std::string&) { unavailable(); }
void release_kernel(Kernel) {}
void set_arg_memory(Kernel, int, Memory) { unavailable(); }
int64_t enqueue(Kernel, const int64_t[3], const int64_t[3], bool) { unavailable(); }
void finish() { unavailable(); }

}  // namespace kiln::runtime::opencl

#endif  // KILN_WITH_OPENCL

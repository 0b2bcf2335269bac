#include "codegen/gpu/gpu_target.h"

#include <stdexcept>

#include "runtime/cuda/cuda_driver.h"
#include "runtime/opencl/opencl_context.h"

namespace kiln::codegen {

namespace {

struct CudaPreset {
  const char* arch;
  int sm_count;
  int64_t max_shared_memory_per_block;  // opt-in maximum per block
};

// Values from NVIDIA's CUDA C Programming Guide (compute capabilities table)
// and each device's datasheet.
constexpr CudaPreset kCudaPresets[] = {
    {"sm_80", 108, 163 * 1024},  // A100 SXM4
    {"sm_86", 82, 99 * 1024},    // RTX 3090
    {"sm_89", 128, 99 * 1024},   // RTX 4090
    {"sm_90", 132, 227 * 1024},  // H100 SXM
};

void fill_common_cuda(Target& target) {
  target.has_fp16 = target.has_fp64 = true;
  target.max_threads_per_block = 1024;
  target.warp_size = 32;
  target.max_block_dims[0] = 1024;
  target.max_block_dims[1] = 1024;
  target.max_block_dims[2] = 64;
}

// The device's values when device 0 is of `arch`.
bool fill_from_cuda_device(Target& target, const std::string& arch) {
  using namespace runtime::cuda;
  if (!driver_available()) return false;
  const DriverTable& d = driver();
  CUdevice device = 0;
  if (d.cuDeviceGet(&device, 0) != 0) return false;
  auto attribute = [&](int which) {
    int v = 0;
    d.cuDeviceGetAttribute(&v, which, device);
    return v;
  };
  const std::string device_arch = "sm_" + std::to_string(attribute(kComputeCapabilityMajor)) +
                                  std::to_string(attribute(kComputeCapabilityMinor));
  if (device_arch != arch) return false;
  target.max_threads_per_block = attribute(kMaxThreadsPerBlock);
  target.warp_size = attribute(kWarpSize);
  target.max_block_dims[0] = attribute(kMaxBlockDimX);
  target.max_block_dims[1] = attribute(kMaxBlockDimY);
  target.max_block_dims[2] = attribute(kMaxBlockDimZ);
  target.sm_count = attribute(kMultiprocessorCount);
  target.max_shared_memory_per_block = attribute(kMaxSharedMemoryPerBlockOptin);
  if (target.max_shared_memory_per_block == 0)
    target.max_shared_memory_per_block = attribute(kMaxSharedMemoryPerBlock);
  return true;
}

void fill_opencl(Target& target) {
  // Sub-groups are no OpenCL 1.2 concept: cross-thread reductions use a
  // __local tree, so the "warp" is one work-item, unless -warp_size asks for
  // warps emulated through __local memory.
  const std::string warp = target.option("warp_size");
  target.warp_size = warp.empty() ? 1 : std::stoi(warp);
  if (runtime::opencl::opencl_available()) {
    const runtime::opencl::DeviceInfo& info = runtime::opencl::device_info();
    target.max_threads_per_block = static_cast<int>(info.max_work_group_size);
    for (int i = 0; i < 3; ++i)
      target.max_block_dims[i] = static_cast<int>(info.max_work_item_sizes[i]);
    target.max_shared_memory_per_block = info.local_mem_size;
    target.sm_count = static_cast<int>(info.compute_units);
    target.has_fp16 = info.has_fp16;
    target.has_fp64 = info.has_fp64;
    return;
  }
  // Shaped like PoCL 3's CPU device, so that schedules checked here run there.
  target.max_threads_per_block = 4096;
  target.max_block_dims[0] = target.max_block_dims[1] = target.max_block_dims[2] = 4096;
  target.max_shared_memory_per_block = 4 * 1024 * 1024;
  target.sm_count = 1;
  target.has_fp64 = true;  // and no cl_khr_fp16 on x86 CPUs
}

}  // namespace

std::string cuda_arch_presets() {
  std::string out;
  for (const CudaPreset& p : kCudaPresets) out += (out.empty() ? "" : ", ") + std::string(p.arch);
  return out;
}

std::string default_cuda_arch() {
  using namespace runtime::cuda;
  if (driver_available()) {
    const DriverTable& d = driver();
    CUdevice device = 0;
    int major = 0, minor = 0;
    if (d.cuDeviceGet(&device, 0) == 0 &&
        d.cuDeviceGetAttribute(&major, kComputeCapabilityMajor, device) == 0 &&
        d.cuDeviceGetAttribute(&minor, kComputeCapabilityMinor, device) == 0)
      return "sm_" + std::to_string(major) + std::to_string(minor);
  }
  return "sm_90";
}

void fill_gpu_parameters(Target& target) {
  if (target.kind() == "opencl") return fill_opencl(target);
  if (target.kind() != "cuda") return;
  const std::string arch =
      target.option("arch").empty() ? default_cuda_arch() : target.option("arch");
  fill_common_cuda(target);
  if (fill_from_cuda_device(target, arch)) return;
  for (const CudaPreset& p : kCudaPresets) {
    if (arch != p.arch) continue;
    target.sm_count = p.sm_count;
    target.max_shared_memory_per_block = p.max_shared_memory_per_block;
    return;
  }
  throw std::invalid_argument("target `" + target.str() + "`: no preset for -arch=" + arch +
                              " and no such device present; use one of " + cuda_arch_presets());
}

}  // namespace kiln::codegen

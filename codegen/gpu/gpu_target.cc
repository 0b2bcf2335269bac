#include "codegen/gpu/gpu_target.h"

#include <stdexcept>

#include "runtime/cuda/cuda_driver.h"
#include "runtime/opencl/opencl_context.h"

namespace kiln::codegen {

namespace {

struct CudaPreset {
  const char* arch;
  int sm_count;
  int max_threads_per_sm;
  int64_t max_shared_memory_per_block_kb;  // the opt-in maximum
  int64_t max_shared_memory_per_sm_kb;
  int64_t l2_cache_mb;
};

// From NVIDIA's CUDA C Programming Guide (the compute capabilities table) and
// each device's datasheet. Every one has 64 K registers per block and per SM.
constexpr CudaPreset kCudaPresets[] = {
    {"sm_80", 108, 2048, 163, 164, 40},  // A100 SXM4
    {"sm_86", 82, 1536, 99, 100, 6},     // RTX 3090
    {"sm_89", 128, 1536, 99, 100, 72},   // RTX 4090
    {"sm_90", 132, 2048, 227, 228, 50},  // H100 SXM
};
constexpr int kRegistersPerSm = 64 * 1024;

// "sm_90" → 90; 0 when it is not of that form.
int compute_capability_of(const std::string& arch) {
  if (arch.size() < 5 || arch.rfind("sm_", 0) != 0 ||
      arch.find_first_not_of("0123456789", 3) != std::string::npos)
    return 0;
  return std::stoi(arch.substr(3));
}

std::vector<std::string> tensor_core_instructions(int compute_capability) {
  std::vector<std::string> out;
  if (compute_capability >= 70) out.push_back("wmma");
  if (compute_capability >= 80) out.push_back("mma.sync");
  if (compute_capability == 90) out.push_back("wgmma");
  return out;
}

void fill_common_cuda(Target& target, const std::string& arch) {
  target.compute_capability = compute_capability_of(arch);
  target.tensor_core_instructions = tensor_core_instructions(target.compute_capability);
  target.has_fp16 = target.has_fp64 = true;
  target.max_threads_per_block = 1024;
  target.warp_size = 32;
  target.max_block_dims[0] = 1024;
  target.max_block_dims[1] = 1024;
  target.max_block_dims[2] = 64;
  target.max_registers_per_block = target.max_registers_per_sm = kRegistersPerSm;
}

// The arch of CUDA device 0, or "" without a driver and device.
std::string device_arch() {
  using namespace runtime::cuda;
  if (!driver_available()) return "";
  const DriverTable& d = driver();
  CUdevice device = 0;
  int major = 0, minor = 0;
  if (d.cuDeviceGet(&device, 0) != 0 ||
      d.cuDeviceGetAttribute(&major, kComputeCapabilityMajor, device) != 0 ||
      d.cuDeviceGetAttribute(&minor, kComputeCapabilityMinor, device) != 0)
    return "";
  return "sm_" + std::to_string(major) + std::to_string(minor);
}

void fill_from_cuda_device(Target& target) {
  using namespace runtime::cuda;
  const DriverTable& d = driver();
  CUdevice device = 0;
  d.cuDeviceGet(&device, 0);
  auto attribute = [&](int which) {
    int v = 0;
    d.cuDeviceGetAttribute(&v, which, device);
    return v;
  };
  target.max_threads_per_block = attribute(kMaxThreadsPerBlock);
  target.max_threads_per_sm = attribute(kMaxThreadsPerMultiprocessor);
  target.warp_size = attribute(kWarpSize);
  target.max_block_dims[0] = attribute(kMaxBlockDimX);
  target.max_block_dims[1] = attribute(kMaxBlockDimY);
  target.max_block_dims[2] = attribute(kMaxBlockDimZ);
  target.sm_count = attribute(kMultiprocessorCount);
  target.max_shared_memory_per_block = attribute(kMaxSharedMemoryPerBlockOptin);
  if (target.max_shared_memory_per_block == 0)
    target.max_shared_memory_per_block = attribute(kMaxSharedMemoryPerBlock);
  target.max_shared_memory_per_sm = attribute(kMaxSharedMemoryPerMultiprocessor);
  target.max_registers_per_block = attribute(kMaxRegistersPerBlock);
  target.max_registers_per_sm = attribute(kMaxRegistersPerMultiprocessor);
  target.l2_cache_bytes = attribute(kL2CacheSize);
  target.hardware_source = "device";
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
    target.max_shared_memory_per_block = target.max_shared_memory_per_sm = info.local_mem_size;
    target.sm_count = static_cast<int>(info.compute_units);
    target.l2_cache_bytes = info.global_mem_cache_size;
    target.has_fp16 = info.has_fp16;
    target.has_fp64 = info.has_fp64;
    target.hardware_source = "device";
    return;
  }
  // Shaped like PoCL 3's CPU device, so that schedules checked here run there.
  target.max_threads_per_block = 4096;
  target.max_block_dims[0] = target.max_block_dims[1] = target.max_block_dims[2] = 4096;
  target.max_shared_memory_per_block = target.max_shared_memory_per_sm = 4 * 1024 * 1024;
  target.sm_count = 1;
  target.has_fp64 = true;  // and no cl_khr_fp16 on x86 CPUs
  target.hardware_source = "preset";
}

}  // namespace

std::string cuda_arch_presets() {
  std::string out;
  for (const CudaPreset& p : kCudaPresets) out += (out.empty() ? "" : ", ") + std::string(p.arch);
  return out;
}

void fill_gpu_parameters(Target& target, std::map<std::string, std::string>* options) {
  if (target.kind() == "opencl") return fill_opencl(target);
  // "cuda" alone is the GPU present; a named arch never touches the driver.
  const bool named = options->count("arch") > 0;
  const std::string present = named ? "" : device_arch();
  const std::string arch = named ? (*options)["arch"] : present.empty() ? "sm_90" : present;
  (*options)["arch"] = arch;
  fill_common_cuda(target, arch);
  if (!present.empty()) return fill_from_cuda_device(target);
  for (const CudaPreset& p : kCudaPresets) {
    if (arch != p.arch) continue;
    target.sm_count = p.sm_count;
    target.max_threads_per_sm = p.max_threads_per_sm;
    target.max_shared_memory_per_block = p.max_shared_memory_per_block_kb * 1024;
    target.max_shared_memory_per_sm = p.max_shared_memory_per_sm_kb * 1024;
    target.l2_cache_bytes = p.l2_cache_mb * 1024 * 1024;
    target.hardware_source = "preset";
    return;
  }
  throw std::invalid_argument("target `" + target.kind() + " -arch=" + arch +
                              "`: kiln has no preset for " + arch + "; use one of " +
                              cuda_arch_presets() + ", or \"cuda\" for the GPU in this machine");
}

}  // namespace kiln::codegen

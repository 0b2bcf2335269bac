// What a GPU module needs to run one compiled function: the device kernels
// it launches, in order, with their launch configurations. The compiler
// computes these (codegen/passes/gpu_split_kernels); the CUDA and OpenCL
// runtimes only read them, so the runtime stays free of the compiler.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "runtime/module.h"

namespace kiln::runtime {

struct LaunchConfig {
  // Thread blocks (CUDA grid; OpenCL: work-groups per dimension).
  std::array<int64_t, 3> grid = {1, 1, 1};
  // Threads per block (CUDA block; OpenCL: local work size).
  std::array<int64_t, 3> block = {1, 1, 1};
  // Shared memory sized at launch (bytes); static __shared__ arrays are not counted.
  int64_t dynamic_shared_bytes = 0;
  int64_t threads_per_block() const { return block[0] * block[1] * block[2]; }
};

// One __global__ / __kernel function of the source.
struct DeviceKernel {
  std::string name;
  LaunchConfig launch;
  // The kernel's arguments: indices into [the function's parameters...,
  // its workspaces...].
  std::vector<int> params;
};

// A function the user calls: its signature and the kernels that compute it,
// launched one after the other on the same stream / queue.
struct GpuFunction {
  KernelSignature signature;
  std::vector<DeviceKernel> kernels;
  // Per parameter: whether some kernel writes it (host arrays are copied back
  // only then).
  std::vector<bool> written;
  // Device memory (bytes) each call allocates for intermediate buffers that
  // pass values between its kernels.
  std::vector<int64_t> workspace_bytes;
};

// A function's launch description as JSON, and its inverse (throws
// RuntimeError naming the bad field), for artifacts another process loads.
nlohmann::json gpu_function_json(const GpuFunction& function);
GpuFunction parse_gpu_function(const nlohmann::json& json, const std::string& where);

// What every GPU module (CUDA, OpenCL) keeps: its functions, whose
// signatures are its kernels, and a device timer.
class GpuModuleNode : public ModuleNode {
 public:
  explicit GpuModuleNode(std::vector<GpuFunction> functions);
  const std::vector<KernelSignature>& kernels() const override { return signatures_; }
  const std::vector<GpuFunction>& functions() const { return functions_; }
  // Milliseconds per call of function `index` measured on the device (the
  // mean of `number` calls after one warm-up call).
  virtual double time_ms(size_t index, const std::vector<const DLTensor*>& args, int number) = 0;

 protected:
  std::vector<GpuFunction> functions_;

 private:
  std::vector<KernelSignature> signatures_;
};

// Bytes of a contiguous tensor's data.
size_t tensor_bytes(const DLTensor& t);

}  // namespace kiln::runtime

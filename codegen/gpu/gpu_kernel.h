// A lowered function cut into device kernels (codegen/passes/gpu_split_kernels):
// what the source printer prints and the runtime launches.
#pragma once

#include <string>
#include <vector>

#include "ir/function.h"
#include "runtime/gpu_launch.h"

namespace kiln::codegen::gpu {

struct GpuKernel {
  std::string name;
  // The kernel's statement. Thread-bound loops are kept: the printer reads
  // their variables from the hardware indices (and guards a loop shorter
  // than the launch).
  ir::Stmt body;
  // The buffers the kernel reads or writes, in the order of `arguments`
  // (function parameters first, then workspaces).
  std::vector<ir::Buffer> buffers;
  // Indices into [program params..., program workspaces...].
  std::vector<int> arguments;
  runtime::LaunchConfig launch;
};

struct GpuProgram {
  std::string name;
  std::vector<ir::Buffer> params;
  // Global buffers of the function that are not parameters: allocated per
  // call by the runtime, they carry values from one kernel to the next.
  std::vector<ir::Buffer> workspaces;
  std::vector<GpuKernel> kernels;
};

}  // namespace kiln::codegen::gpu

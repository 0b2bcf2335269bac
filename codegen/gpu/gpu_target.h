// Hardware parameters of GPU targets: read from the device when one is
// present (CUDA driver, clGetDeviceInfo), else taken from a named preset.
//
//   cuda -arch=sm_80  A100      cuda -arch=sm_86  RTX 3090
//   cuda -arch=sm_89  RTX 4090  cuda -arch=sm_90  H100 SXM
//   opencl            the OpenCL device in use (PoCL's CPU device here), or
//                     a preset shaped like it when there is none
#pragma once

#include <string>

#include "codegen/target.h"

namespace kiln::codegen {

// Fills max_threads_per_block, max_shared_memory_per_block (bytes a block
// may use, the opt-in maximum on CUDA), warp_size, max_block_dims and
// sm_count. A CUDA target takes the device's values when a device of its
// arch is present. Throws std::invalid_argument for an arch with no preset.
void fill_gpu_parameters(Target& target);

// The arch of CUDA device 0 ("sm_90") when a driver and device are present,
// else "sm_90": what "cuda" without -arch means.
std::string default_cuda_arch();

// The archs with a preset, for messages: "sm_80, sm_86, sm_89, sm_90".
std::string cuda_arch_presets();

}  // namespace kiln::codegen

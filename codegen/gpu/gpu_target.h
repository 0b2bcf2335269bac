// Hardware parameters of GPU targets: a named CUDA arch takes a preset and
// touches no driver; "cuda" without -arch and "opencl" stand for the device
// present and read it (a preset where there is none).
//
//   cuda -arch=sm_80  A100 SXM   cuda -arch=sm_86  RTX 3090
//   cuda -arch=sm_89  RTX 4090   cuda -arch=sm_90  H100 SXM
//   opencl            the OpenCL device in use (PoCL's CPU device here), or
//                     a preset shaped like it when there is none
#pragma once

#include <map>
#include <string>

#include "codegen/target.h"

namespace kiln::codegen {

// Fills the GPU fields of `target` (a cuda or opencl target) and resolves
// the options of its key: a missing -arch becomes the device's. Throws
// std::invalid_argument for an arch with no preset.
void fill_gpu_parameters(Target& target, std::map<std::string, std::string>* options);

// The archs with a preset, for messages: "sm_80, sm_86, sm_89, sm_90".
std::string cuda_arch_presets();

}  // namespace kiln::codegen

// The C header export_library writes beside a shared library. It states each
// function's parameters in order with their dtypes and shapes, and how to
// call it: for a CPU library the C declarations of its entries and how to
// wire the parallel loops; for a CUDA library the kernels to launch, in
// order, with their grid, block, dynamic shared memory and arguments.
#pragma once

#include <string>
#include <vector>

#include "runtime/gpu_launch.h"
#include "runtime/module.h"

namespace kiln::codegen {

// `library` is the library's file name ("libmm.so"); `target` the target
// text. Parameters the kernel never writes are declared const.
std::string c_header(const std::vector<runtime::KernelSignature>& kernels,
                     const std::string& library, const std::string& target);

// The header of a CUDA library (codegen/gpu/cuda_export.h), whose cubin is
// for `arch` ("sm_90").
std::string cuda_c_header(const std::vector<runtime::GpuFunction>& functions,
                          const std::string& library, const std::string& target,
                          const std::string& arch);

// The C element type of a dtype ("float", "int8_t", "uint16_t" for float16 bits).
std::string c_type(DLDataType dtype);

}  // namespace kiln::codegen

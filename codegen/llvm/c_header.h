// The C header export_library writes beside a shared library: one
// declaration per typed and packed entry, with the argument order, shapes
// and dtypes in a comment, and how to wire the parallel loops.
#pragma once

#include <string>
#include <vector>

#include "runtime/module.h"

namespace kiln::codegen::llvm_backend {

// `library` is the library's file name ("libmm.so"); `target` the target
// text. Parameters the kernel never writes are declared const.
std::string c_header(const std::vector<runtime::KernelSignature>& kernels,
                     const std::string& library, const std::string& target);

// The C element type of a dtype ("float", "int8_t", "uint16_t" for float16 bits).
std::string c_type(DLDataType dtype);

}  // namespace kiln::codegen::llvm_backend

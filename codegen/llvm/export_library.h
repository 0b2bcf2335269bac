// export_library for the LLVM backend: links an object file into a shared
// library with the system C compiler and writes the C header beside it.
#pragma once

#include <string>

namespace kiln::codegen::llvm_backend {

// Writes `path` (a shared library: `CC -shared -o path obj.o -lm`, with
// $CC, else cc, gcc or clang from PATH) and `header` to the same path with
// extension .h (libmm.so -> libmm.h). Throws runtime::RuntimeError when no
// compiler is found, the link fails (with its output) or a file cannot be
// written.
void export_shared_library(const std::string& path, const std::string& object,
                           const std::string& header);

// The C compiler export_shared_library would use; "" when there is none.
std::string find_c_compiler();

}  // namespace kiln::codegen::llvm_backend

// The shared library export_library writes: the system C compiler links
// (or compiles and links) what a backend produced into libNAME.so, and the
// C header goes beside it. Used by the LLVM backend (an object file) and the
// CUDA backend (a C file holding the cubin).
#pragma once

#include <string>

namespace kiln::codegen {

// One input of the link, written to a scratch folder first: `name` says what
// the compiler makes of it ("kernels.o", "kernels.c").
struct LibraryInput {
  std::string name;
  std::string contents;
};

// Writes `path` (`CC -shared -fPIC -o path input -lm`, with $CC, else cc, gcc
// or clang from PATH) and `header` to the same path with extension .h
// (libmm.so -> libmm.h). Throws runtime::RuntimeError when no compiler is
// found, the compiler fails (with its output) or a file cannot be written.
void write_shared_library(const std::string& path, const LibraryInput& input,
                          const std::string& header);

// The C compiler write_shared_library would use; "" when there is none.
std::string find_c_compiler();

}  // namespace kiln::codegen

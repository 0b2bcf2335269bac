// glibc's vector math library (libmvec) for the code kiln compiles. Without
// it LLVM turns every vector exp, log or pow kiln emits into one libm call per
// lane: a softmax's exp ran at about 3 ns an element. With it the loop
// vectorizer and the code generator call libmvec's 4- and 8-lane variants
// (_ZGVbN4v_expf, _ZGVdN8v_expf, ...), the mapping LLVM 16 knows
// (-vector-library=LIBMVEC-X86).
#pragma once

#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/Target/TargetMachine.h>

namespace kiln::codegen::llvm_backend {

// Whether code for `tm` calls libmvec: the library loads in this process
// (once, with RTLD_GLOBAL, so that the JIT links its symbols) and the CPU
// has AVX2, which the 8-lane variants run on. Where it does not load (no
// glibc), kernels keep LLVM's per-lane calls and still link. A process that
// loads compiled code loads libmvec first (the JIT does; an exported
// library names it).
bool uses_vector_library(const llvm::TargetMachine& tm);

// Loads libmvec into the process if it is there; true when it is.
bool load_vector_library();

// The library facts for `tm`'s triple, with libmvec's vector functions when
// uses_vector_library(tm).
llvm::TargetLibraryInfoImpl library_info(const llvm::TargetMachine& tm);

// Lanes of the widest libmvec variant LLVM maps (8): a wider vector call is
// split into calls of this many lanes.
inline constexpr int kVectorLibraryLanes = 8;

}  // namespace kiln::codegen::llvm_backend

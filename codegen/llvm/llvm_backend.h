// The LLVM CPU backend: lowered PrimFuncs → LLVM IR → O3 → machine code in
// the process (ORC JIT), behind the C ABI of runtime/c_api.h.
//
//   Module m = codegen::build_llvm({{lowered, signature}}, Target("llvm"));
//   m.get_source("ll");         // optimized LLVM IR; "asm": assembly
//   m.export_library("libk.so"); // a shared library and libk.h beside it
#pragma once

#include <string>
#include <vector>

#include "codegen/artifact.h"
#include "codegen/target.h"
#include "ir/function.h"
#include "runtime/module.h"

namespace kiln::codegen {

// One kernel to compile: `func` in lowered form (codegen/lowered_form.h) and
// its logical signature, whose name is the kernel's symbol.
struct LoweredKernel {
  ir::PrimFunc func;
  runtime::KernelSignature signature;
};

// Compiles the kernels for an "llvm" target into one relocatable object,
// loading nothing: an Artifact of kind "llvm" whose signatures say, per
// parameter, whether the kernel writes it and wants it on a cache line.
// `keep_ir`: also the optimized LLVM IR as text (get_source("ll")). Throws
// BuildError when a kernel cannot run on a CPU (a GPU schedule, an unknown
// storage scope) or the target is not this machine's architecture;
// std::logic_error when the input breaks the lowered form.
Artifact compile_llvm(const std::vector<LoweredKernel>& kernels, const Target& target,
                      bool keep_ir);

// Loads an "llvm" artifact into this process (ORC JIT). A target with
// features this CPU lacks loads (for get_source and export_library), and
// calling its kernels is a RuntimeError naming them.
runtime::Module load_llvm(Artifact artifact);

// compile_llvm (keeping the IR), then load_llvm.
runtime::Module build_llvm(const std::vector<LoweredKernel>& kernels, const Target& target);

// The compile times of a module load_llvm made; throws std::invalid_argument
// for any other module.
CompileTimes compile_times(const runtime::Module& module);

}  // namespace kiln::codegen

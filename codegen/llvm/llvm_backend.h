// The LLVM CPU backend: lowered PrimFuncs → LLVM IR → O3 → machine code in
// the process (ORC JIT), behind the C ABI of runtime/c_api.h.
//
//   Module m = codegen::build_llvm({{lowered, signature}}, Target("llvm"));
//   m.get_source("ll");         // optimized LLVM IR; "asm": assembly
//   m.export_library("libk.so"); // a shared library and libk.h beside it
#pragma once

#include <string>
#include <vector>

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

// JIT-compiles the kernels for an "llvm" target into one module. Throws
// BuildError when a kernel cannot run on a CPU (a GPU schedule, an unknown
// storage scope) or the target is not this machine's architecture;
// std::logic_error when the input breaks the lowered form. A target with
// features this CPU lacks builds (for get_source and export_library), and
// calling its kernels is a RuntimeError naming them.
runtime::Module build_llvm(const std::vector<LoweredKernel>& kernels, const Target& target);

// Where build_llvm spent its time on a module, in milliseconds of wall clock (and of
// the building thread's CPU time, which other work on the machine does not
// inflate).
struct CompileTimes {
  double emit_ms = 0;      // IR → LLVM IR (and verification)
  double optimize_ms = 0;  // the O3 pipeline
  double codegen_ms = 0;   // LLVM IR → object file
  double jit_ms = 0;       // linking into the process
  double optimize_cpu_ms = 0;
  double total_cpu_ms = 0;
  double total_ms() const { return emit_ms + optimize_ms + codegen_ms + jit_ms; }
};

// The compile times of a module build_llvm made; throws std::invalid_argument
// for any other module.
CompileTimes compile_times(const runtime::Module& module);

}  // namespace kiln::codegen

// Artifact: a compiled function as bytes, before anything is loaded. build()
// compiles one and loads it; the tuner's builder compiles one in a worker
// process and hands it, serialized, to the process that runs it.
//
//   llvm    a relocatable object for the target CPU, and the kernels'
//           signatures (their packed entries are NAME__packed)
//   cuda    a cubin for the arch, with the CUDA C and PTX it came from, and
//           each function's kernels and launch configurations
//   opencl  the OpenCL C source (the device builds it when loaded), and the
//           same launch descriptions
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/gpu_launch.h"
#include "runtime/module.h"

namespace kiln::codegen {

// Where compiling went, in milliseconds of wall clock (and of the compiling
// thread's CPU time, which other work on the machine does not inflate).
struct CompileTimes {
  double lower_ms = 0;     // the lowering passes
  double emit_ms = 0;      // lowered form → LLVM IR, or GPU source
  double optimize_ms = 0;  // LLVM's O3 pipeline
  double codegen_ms = 0;   // LLVM IR → object file, or NVRTC → cubin
  double jit_ms = 0;       // loading: linking into the process (llvm)
  double optimize_cpu_ms = 0;
  double total_cpu_ms = 0;
  // From the lowered form to loaded code (lowering not counted).
  double total_ms() const { return emit_ms + optimize_ms + codegen_ms + jit_ms; }
};

struct Artifact {
  std::string kind;    // "llvm", "cuda", "opencl"
  std::string target;  // Target::str() of what it was compiled for
  std::string binary;  // llvm: the object; cuda: the cubin; opencl: the source
  std::string source;  // cuda: the CUDA C; llvm: the optimized LLVM IR when kept
  std::string ptx;     // cuda
  std::vector<runtime::KernelSignature> signatures;  // llvm: one per kernel
  std::vector<runtime::GpuFunction> functions;       // cuda, opencl
  CompileTimes times;

  // One string: a JSON header, then the byte sections.
  std::string serialize() const;
  // Throws std::invalid_argument naming what is wrong with `bytes`.
  static Artifact deserialize(std::string_view bytes);
};

}  // namespace kiln::codegen

// build: compile a (scheduled) PrimFunc for a target into a callable Module.
//
//   kiln::Module m = kiln::build(func, kiln::Target("llvm"));
//   m(a, b, c);                       // NDArrays, in parameter order
//   m.get_source("ll");               // the LLVM IR; "asm" the assembly
//   m.export_library("libmm.so");     // and libmm.h beside it
#pragma once

#include "codegen/artifact.h"
#include "codegen/target.h"
#include "ir/function.h"
#include "runtime/module.h"
#include "runtime/time_evaluator.h"

namespace kiln {

using runtime::Module;
using runtime::NDArray;

// Lowers `func` (codegen/passes/pipeline.h) and compiles it with the
// target's backend, then loads it into this process. Throws BuildError when
// the function cannot be compiled for the target (a GPU schedule on the CPU,
// a limit exceeded, ...).
Module build(const ir::PrimFunc& func, const Target& target);

// The first half of build: lowers and compiles, loading nothing (what the
// tuner's builder does in its worker processes). `keep_source`: also the
// optimized LLVM IR of a CPU artifact (get_source("ll") of its module).
codegen::Artifact compile(const ir::PrimFunc& func, const Target& target, bool keep_source = false);

// The second half: an artifact (from this process or another) as a module.
// Throws BuildError when its kind cannot be loaded by this build of kiln.
Module load_artifact(codegen::Artifact artifact);

class BuildError : public std::runtime_error {
 public:
  explicit BuildError(const std::string& what) : std::runtime_error(what) {}
};

// Times the module's only kernel on `args` with the runtime's protocol
// (runtime/time_evaluator.h: warm-up, samples, median and its 95% interval).
//   runtime::TimingResult r = kiln::time(m, {a, b, c});
inline runtime::TimingResult time(const Module& module, const std::vector<NDArray>& args,
                                  const runtime::TimingOptions& options = {}) {
  std::vector<const DLTensor*> tensors;
  for (const NDArray& a : args) tensors.push_back(&a.tensor());
  return runtime::time_kernel(module.entry(), tensors, options);
}

// The logical signature of `func`: parameter names, dtypes and shapes.
runtime::KernelSignature signature_of(const ir::PrimFunc& func);

}  // namespace kiln

// LlvmModule: the runtime module build_llvm returns. Kernels run through
// their packed entries in JIT memory; the optimized IR, the object file and
// the target travel with it for get_source() and export_library().
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "codegen/llvm/c_header.h"
#include "codegen/llvm/jit.h"
#include "codegen/llvm/llvm_backend.h"
#include "codegen/llvm/target_machine.h"
#include "runtime/packed_function_module.h"

namespace kiln::codegen::llvm_backend {

struct ModuleArtifacts {
  MachineSpec machine;
  std::string target;  // the Target's text, for the header
  std::string ir;      // optimized LLVM IR
  std::string object;  // position-independent object file
  std::vector<runtime::KernelSignature> kernels;
  CompileTimes times;
  // The target's features this CPU lacks: its kernels must not run here.
  std::string missing_features;
};

class LlvmModule final : public runtime::PackedFunctionModule {
 public:
  LlvmModule(std::vector<runtime::KernelSignature> kernels, std::vector<kiln_packed_fn> entries,
             std::shared_ptr<JitCode> code, ModuleArtifacts artifacts);

  std::string kind() const override { return "llvm"; }
  // Refuses to run code for features this CPU lacks (it would die of SIGILL).
  void run(size_t index, const std::vector<const DLTensor*>& args) override;
  // "ll": the optimized LLVM IR; "asm": the target's assembly (made on the
  // first request).
  std::string get_source(const std::string& format) const override;
  void export_library(const std::string& path) const override;
  const CompileTimes& compile_times() const { return artifacts_.times; }

 private:
  ModuleArtifacts artifacts_;
  mutable std::mutex mutex_;
  mutable std::string assembly_;
};

}  // namespace kiln::codegen::llvm_backend

// LlvmModule: the runtime module load_llvm returns. Kernels run through their
// packed entries in JIT memory; the artifact (object, signatures, target, the
// IR when kept) travels with it for get_source() and export_library().
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "codegen/artifact.h"
#include "codegen/llvm/jit.h"
#include "runtime/packed_function_module.h"

namespace kiln::codegen::llvm_backend {

class LlvmModule final : public runtime::PackedFunctionModule {
 public:
  // `missing_features`: the target's features this CPU lacks ("" if none).
  LlvmModule(std::vector<kiln_packed_fn> entries, std::shared_ptr<JitCode> code,
             Artifact artifact, std::string missing_features);

  std::string kind() const override { return "llvm"; }
  // Refuses to run code for features this CPU lacks (it would die of SIGILL).
  void run(size_t index, const std::vector<const DLTensor*>& args) override;
  // "ll": the optimized LLVM IR (when the artifact kept it); "asm": the
  // target's assembly (made on the first request).
  std::string get_source(const std::string& format) const override;
  void export_library(const std::string& path) const override;
  const CompileTimes& compile_times() const { return artifact_.times; }

 private:
  Artifact artifact_;
  std::string missing_features_;
  mutable std::mutex mutex_;
  mutable std::string assembly_;
};

}  // namespace kiln::codegen::llvm_backend

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
#include "codegen/llvm/target_machine.h"
#include "runtime/packed_function_module.h"

namespace kiln::codegen::llvm_backend {

// Where build_llvm spent its time, in milliseconds of wall clock (and of
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

struct ModuleArtifacts {
  MachineSpec machine;
  std::string target;  // the Target's text, for the header
  std::string ir;      // optimized LLVM IR
  std::string object;  // position-independent object file
  std::vector<HeaderKernel> kernels;
  CompileTimes times;
};

class LlvmModule final : public runtime::PackedFunctionModule {
 public:
  LlvmModule(std::vector<runtime::KernelSignature> kernels, std::vector<kiln_packed_fn> entries,
             std::shared_ptr<JitCode> code, ModuleArtifacts artifacts);

  std::string kind() const override { return "llvm"; }
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

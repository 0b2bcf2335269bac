#include "codegen/llvm/llvm_module.h"

#include <llvm/AsmParser/Parser.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/SourceMgr.h>

#include <filesystem>
#include <stdexcept>

#include "codegen/llvm/export_library.h"
#include "codegen/llvm/machine_code.h"
#include "runtime/error.h"

namespace kiln::codegen::llvm_backend {

LlvmModule::LlvmModule(std::vector<runtime::KernelSignature> kernels,
                       std::vector<kiln_packed_fn> entries, std::shared_ptr<JitCode> code,
                       ModuleArtifacts artifacts)
    : PackedFunctionModule(std::move(kernels), std::move(entries), std::move(code)),
      artifacts_(std::move(artifacts)) {}

void LlvmModule::run(size_t index, const std::vector<const DLTensor*>& args) {
  if (!artifacts_.missing_features.empty()) {
    throw runtime::RuntimeError(
        "kernel `" + kernels()[index].name + "` was compiled for `" + artifacts_.target +
        "`, which needs " + artifacts_.missing_features +
        ", and this CPU lacks them; it can be exported (export_library) to run on such a "
        "machine. Build for \"llvm\" to run here");
  }
  PackedFunctionModule::run(index, args);
}

std::string LlvmModule::get_source(const std::string& format) const {
  if (format == "ll") return artifacts_.ir;
  if (format != "asm") {
    throw runtime::RuntimeError("get_source(\"" + format +
                                "\"): an llvm module has the formats \"ll\" (LLVM IR) and "
                                "\"asm\" (assembly)");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (assembly_.empty()) {
    // Codegen consumes the IR it runs on: re-read the kept text.
    llvm::LLVMContext context;
    llvm::SMDiagnostic error;
    std::unique_ptr<llvm::Module> module = llvm::parseAssemblyString(artifacts_.ir, error, context);
    if (!module) {
      throw runtime::RuntimeError("get_source(\"asm\"): cannot re-read the module's IR: " +
                                  error.getMessage().str());
    }
    std::unique_ptr<llvm::TargetMachine> tm = make_target_machine(artifacts_.machine);
    assembly_ = emit_assembly(module.get(), tm.get());
  }
  return assembly_;
}

void LlvmModule::export_library(const std::string& path) const {
  const std::string library = std::filesystem::path(path).filename().string();
  export_shared_library(path, artifacts_.object,
                        c_header(artifacts_.kernels, library, artifacts_.target));
}

}  // namespace kiln::codegen::llvm_backend

namespace kiln::codegen {

CompileTimes compile_times(const runtime::Module& module) {
  const auto* node = dynamic_cast<const llvm_backend::LlvmModule*>(module.node());
  if (!node) {
    throw std::invalid_argument("compile_times: the module is not one build_llvm made (kind `" +
                                (module.defined() ? module.node()->kind() : "none") + "`)");
  }
  return node->compile_times();
}

}  // namespace kiln::codegen

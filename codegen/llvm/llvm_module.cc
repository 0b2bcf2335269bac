#include "codegen/llvm/llvm_module.h"

#include <llvm/AsmParser/Parser.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/SourceMgr.h>

#include <filesystem>
#include <stdexcept>

#include "codegen/c_header.h"
#include "codegen/llvm/llvm_backend.h"
#include "codegen/llvm/machine_code.h"
#include "codegen/llvm/target_machine.h"
#include "codegen/shared_library.h"
#include "runtime/error.h"

namespace kiln::codegen::llvm_backend {

LlvmModule::LlvmModule(std::vector<kiln_packed_fn> entries, std::shared_ptr<JitCode> code,
                       Artifact artifact, std::string missing_features)
    : PackedFunctionModule(artifact.signatures, std::move(entries), std::move(code)),
      artifact_(std::move(artifact)),
      missing_features_(std::move(missing_features)) {}

void LlvmModule::run(size_t index, const std::vector<const DLTensor*>& args) {
  if (!missing_features_.empty()) {
    throw runtime::RuntimeError(
        "kernel `" + kernels()[index].name + "` was compiled for `" + artifact_.target +
        "`, which needs " + missing_features_ +
        ", and this CPU lacks them; it can be exported (export_library) to run on such a "
        "machine. Build for \"llvm\" to run here");
  }
  PackedFunctionModule::run(index, args);
}

std::string LlvmModule::get_source(const std::string& format) const {
  if (format == "ll") {
    if (artifact_.source.empty())
      throw runtime::RuntimeError(
          "get_source(\"ll\"): this module was loaded from an artifact compiled without its IR; "
          "kiln.build keeps it");
    return artifact_.source;
  }
  if (format != "asm") {
    throw runtime::RuntimeError("get_source(\"" + format +
                                "\"): an llvm module has the formats \"ll\" (LLVM IR) and "
                                "\"asm\" (assembly)");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (assembly_.empty()) {
    // Codegen consumes the IR it runs on: re-read the kept text.
    if (artifact_.source.empty())
      throw runtime::RuntimeError(
          "get_source(\"asm\"): this module was loaded from an artifact compiled without its IR; "
          "kiln.build keeps it");
    llvm::LLVMContext context;
    llvm::SMDiagnostic error;
    std::unique_ptr<llvm::Module> module =
        llvm::parseAssemblyString(artifact_.source, error, context);
    if (!module) {
      throw runtime::RuntimeError("get_source(\"asm\"): cannot re-read the module's IR: " +
                                  error.getMessage().str());
    }
    std::unique_ptr<llvm::TargetMachine> tm =
        make_target_machine(machine_spec(Target(artifact_.target)));
    assembly_ = emit_assembly(module.get(), tm.get());
  }
  return assembly_;
}

void LlvmModule::export_library(const std::string& path) const {
  const std::string library = std::filesystem::path(path).filename().string();
  write_shared_library(path, {"kernels.o", artifact_.binary},
                       c_header(artifact_.signatures, library, artifact_.target));
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

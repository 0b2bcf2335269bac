#include "codegen/llvm/machine_code.h"

#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/Support/raw_ostream.h>

#include "codegen/build.h"
#include "codegen/llvm/vector_library.h"

namespace kiln::codegen::llvm_backend {

namespace {

std::string emit(llvm::Module* module, llvm::TargetMachine* tm, llvm::CodeGenFileType type) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  // The code generator still runs on the legacy pass manager in LLVM 16.
  llvm::legacy::PassManager passes;
  // ReplaceWithVeclib reads it: vector intrinsics left by the emitter (a
  // 4- or 8-lane exp) become libmvec calls instead of one call per lane.
  passes.add(new llvm::TargetLibraryInfoWrapperPass(library_info(*tm)));
  if (tm->addPassesToEmitFile(passes, out, nullptr, type)) {
    throw BuildError("LLVM cannot emit " +
                     std::string(type == llvm::CGFT_ObjectFile ? "object files" : "assembly") +
                     " for " + tm->getTargetTriple().str());
  }
  passes.run(*module);
  return std::string(buffer.data(), buffer.size());
}

}  // namespace

std::string emit_object(llvm::Module* module, llvm::TargetMachine* tm) {
  return emit(module, tm, llvm::CGFT_ObjectFile);
}

std::string emit_assembly(llvm::Module* module, llvm::TargetMachine* tm) {
  return emit(module, tm, llvm::CGFT_AssemblyFile);
}

}  // namespace kiln::codegen::llvm_backend

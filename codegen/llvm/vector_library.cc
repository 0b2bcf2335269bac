#include "codegen/llvm/vector_library.h"

#include <dlfcn.h>
#include <llvm/MC/MCSubtargetInfo.h>

namespace kiln::codegen::llvm_backend {

bool load_vector_library() {
  static const bool loaded = dlopen("libmvec.so.1", RTLD_NOW | RTLD_GLOBAL) != nullptr;
  return loaded;
}

bool uses_vector_library(const llvm::TargetMachine& tm) {
  return tm.getTargetTriple().isX86() && tm.getTargetTriple().isOSLinux() &&
         tm.getMCSubtargetInfo()->checkFeatures("+avx2") && load_vector_library();
}

llvm::TargetLibraryInfoImpl library_info(const llvm::TargetMachine& tm) {
  llvm::TargetLibraryInfoImpl info(tm.getTargetTriple());
  if (uses_vector_library(tm))
    info.addVectorizableFunctionsFromVecLib(llvm::TargetLibraryInfoImpl::LIBMVEC_X86,
                                            tm.getTargetTriple());
  return info;
}

}  // namespace kiln::codegen::llvm_backend

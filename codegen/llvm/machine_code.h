// Machine code from an optimized module: an object file (for the JIT and
// export_library) or assembly text (get_source("asm")).
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <string>

namespace kiln::codegen::llvm_backend {

// Codegen changes the IR it runs on: print the IR first if it is wanted.
std::string emit_object(llvm::Module* module, llvm::TargetMachine* tm);
std::string emit_assembly(llvm::Module* module, llvm::TargetMachine* tm);

}  // namespace kiln::codegen::llvm_backend

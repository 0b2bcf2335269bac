// The O3 pipeline of LLVM's new pass manager for a target machine, whose
// TargetTransformInfo tells the loop and SLP vectorizers the real vector
// width and costs.
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

namespace kiln::codegen::llvm_backend {

void optimize_module(llvm::Module* module, llvm::TargetMachine* tm);

}  // namespace kiln::codegen::llvm_backend

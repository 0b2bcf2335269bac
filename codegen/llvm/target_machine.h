// The LLVM TargetMachine for an "llvm" Target: its triple, CPU and features,
// position-independent code (one object serves the JIT and export_library).
#pragma once

#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

#include "codegen/target.h"

namespace kiln::codegen::llvm_backend {

struct MachineSpec {
  std::string triple;
  std::string cpu;
  std::string features;
};

// The target's triple, CPU and -mattr (Target resolved and checked them).
MachineSpec machine_spec(const Target& target);

std::unique_ptr<llvm::TargetMachine> make_target_machine(const MachineSpec& spec);

}  // namespace kiln::codegen::llvm_backend

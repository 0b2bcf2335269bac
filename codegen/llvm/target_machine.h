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

// The target's -mtriple/-mcpu/-mattr; missing ones from host_cpu() (the
// host's features only when the CPU is the host's too).
MachineSpec machine_spec(const Target& target);

// Throws BuildError when LLVM does not know the triple or the CPU.
std::unique_ptr<llvm::TargetMachine> make_target_machine(const MachineSpec& spec);

}  // namespace kiln::codegen::llvm_backend

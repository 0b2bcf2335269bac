#include "codegen/llvm/target_machine.h"

#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>

#include <mutex>

#include "codegen/build.h"

namespace kiln::codegen {

namespace {

void initialize_native_target() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

}  // namespace

namespace llvm_backend {

MachineSpec machine_spec(const Target& target) {
  return {target.triple, target.option("mcpu"), target.option("mattr")};
}

std::unique_ptr<llvm::TargetMachine> make_target_machine(const MachineSpec& spec) {
  initialize_native_target();
  std::string error;
  const llvm::Target* t = llvm::TargetRegistry::lookupTarget(spec.triple, error);
  if (!t) {
    throw BuildError("target triple `" + spec.triple + "`: " + error +
                     "; this kiln's LLVM compiles for the host (" + llvm::sys::getProcessTriple() +
                     "): drop -mtriple or give that one");
  }
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(
      t->createTargetMachine(spec.triple, spec.cpu, spec.features, options, llvm::Reloc::PIC_,
                             llvm::CodeModel::Small, llvm::CodeGenOpt::Aggressive));
  if (!tm) throw BuildError("LLVM cannot create a target machine for `" + spec.triple + "`");
  return tm;
}

}  // namespace llvm_backend
}  // namespace kiln::codegen

#include "codegen/llvm/target_machine.h"

#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>

#include <algorithm>
#include <mutex>

#include "codegen/build.h"
#include "codegen/llvm/llvm_backend.h"

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

HostCpu host_cpu() {
  HostCpu host;
  host.triple = llvm::sys::getProcessTriple();
  host.cpu = llvm::sys::getHostCPUName().str();
  llvm::StringMap<bool> features;
  std::vector<std::string> enabled, disabled;
  if (llvm::sys::getHostCPUFeatures(features)) {
    for (const auto& f : features) {
      (f.getValue() ? enabled : disabled).push_back(f.getKey().str());
    }
  }
  std::sort(enabled.begin(), enabled.end());
  std::sort(disabled.begin(), disabled.end());
  // Disabled features are listed too: a CPU name can imply a feature that
  // this machine (or its hypervisor) turned off.
  for (const std::string& f : enabled) host.features += (host.features.empty() ? "+" : ",+") + f;
  for (const std::string& f : disabled) host.features += (host.features.empty() ? "-" : ",-") + f;
  auto has = [&](const char* name) {
    auto it = features.find(name);
    return it != features.end() && it->getValue();
  };
  host.vector_bytes = has("avx512f") ? 64 : (has("avx") || has("avx2")) ? 32 : 16;
  return host;
}

namespace llvm_backend {

MachineSpec machine_spec(const Target& target) {
  MachineSpec spec{target.option("mtriple"), target.option("mcpu"), target.option("mattr")};
  if (spec.triple.empty() || spec.cpu.empty()) {
    const HostCpu host = host_cpu();
    if (spec.triple.empty()) spec.triple = host.triple;
    if (spec.cpu.empty()) {
      spec.cpu = host.cpu;
      if (spec.features.empty()) spec.features = host.features;
    }
  }
  return spec;
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
  // Check the CPU first: LLVM would only warn on stderr and ignore it.
  // (LLVM 16 cannot list features; an unknown one is a warning there.)
  std::unique_ptr<llvm::MCSubtargetInfo> generic(t->createMCSubtargetInfo(spec.triple, "", ""));
  if (generic && !generic->isCPUStringValid(spec.cpu)) {
    throw BuildError("target cpu `" + spec.cpu + "` is unknown to LLVM for " + spec.triple +
                     " (-mcpu); use a name `llc -mcpu=help` lists, or drop -mcpu for the host's");
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

// CPU names and features through LLVM's MCSubtargetInfo (what the code
// generator itself will use), so that "-mcpu=znver4" means what LLVM makes
// of it. LLVM 16 cannot list a target's feature names, so the ISA features
// are those the host reports (getHostCPUFeatures names every one of its
// architecture); targets of another architecture keep their -mattr as given.
#include "codegen/llvm/cpu_features.h"

#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/TargetParser/X86TargetParser.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

namespace kiln::codegen {

namespace {

struct HostFeatures {
  std::string triple;
  std::vector<std::string> names;  // every ISA feature of the host's architecture, sorted
  std::set<std::string> on;        // those this machine has
};

const HostFeatures& host_features() {
  static const HostFeatures host = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargetMCs();
    HostFeatures h;
    h.triple = llvm::sys::getProcessTriple();
    llvm::StringMap<bool> map;
    if (llvm::sys::getHostCPUFeatures(map)) {
      for (const auto& f : map) {
        h.names.push_back(f.getKey().str());
        if (f.getValue()) h.on.insert(f.getKey().str());
      }
    }
    std::sort(h.names.begin(), h.names.end());
    return h;
  }();
  return host;
}

bool same_architecture(const std::string& a, const std::string& b) {
  return llvm::Triple(a).getArch() == llvm::Triple(b).getArch();
}

const llvm::Target& lookup_target(const std::string& triple) {
  host_features();  // registers every target
  std::string error;
  const llvm::Target* t = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!t) {
    throw std::invalid_argument("target triple `" + triple + "` is unknown to LLVM (" + error +
                                "); drop -mtriple for this machine's (" + host_features().triple +
                                ")");
  }
  return *t;
}

std::unique_ptr<llvm::MCSubtargetInfo> subtarget(const std::string& triple, const std::string& cpu,
                                                 const std::string& mattr) {
  return std::unique_ptr<llvm::MCSubtargetInfo>(
      lookup_target(triple).createMCSubtargetInfo(triple, cpu, mattr));
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

// The ISA features on for `cpu` with `mattr`, among the host's feature names.
std::set<std::string> enabled_features(const std::string& triple, const std::string& cpu,
                                       const std::string& mattr) {
  std::unique_ptr<llvm::MCSubtargetInfo> sti = subtarget(triple, cpu, mattr);
  std::set<std::string> on;
  for (const std::string& f : host_features().names)
    if (sti->checkFeatures("+" + f)) on.insert(f);
  return on;
}

bool is_amd_name(const std::string& cpu) {
  for (const char* prefix : {"znver", "bdver", "btver", "amdfam", "athlon", "opteron", "k8", "k6",
                             "barcelona"})
    if (cpu.rfind(prefix, 0) == 0) return true;
  return false;
}

std::string x86_vendor() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0, &eax, &ebx, &ecx, &edx)) {
    char vendor[13] = {};
    std::memcpy(vendor, &ebx, 4);
    std::memcpy(vendor + 4, &edx, 4);
    std::memcpy(vendor + 8, &ecx, 4);
    return vendor;
  }
#endif
  return "";
}

// The host's CPU as LLVM names it. For a CPU newer than this LLVM, the known
// x86 CPU of the same vendor (or an x86-64-vN level) with the most of the
// host's features, less those it has and the host lacks (a hypervisor hides
// some, e.g. pku): its scheduling model is the closest LLVM has, and -mattr
// corrects the features.
std::string host_cpu_name() {
  const std::string name = llvm::sys::getHostCPUName().str();
  const HostFeatures& host = host_features();
  const llvm::Triple triple(host.triple);
  if (name != "generic" || !triple.isX86()) return name;
  llvm::SmallVector<llvm::StringRef, 64> candidates;
  llvm::X86::fillValidCPUArchList(candidates, triple.isArch64Bit());
  const bool amd = x86_vendor() == "AuthenticAMD";
  std::string best = name;
  long best_score = 0;
  for (llvm::StringRef c : candidates) {
    const std::string cpu = c.str();
    if (cpu.rfind("x86-64", 0) != 0 && is_amd_name(cpu) != amd) continue;
    long score = 0;
    for (const std::string& f : enabled_features(host.triple, cpu, ""))
      score += host.on.count(f) ? 1 : -1;
    if (score > best_score) best = cpu, best_score = score;
  }
  return best;
}

CpuFeatures describe(const std::string& triple, const std::string& cpu, const std::string& mattr) {
  const HostFeatures& host = host_features();
  std::unique_ptr<llvm::MCSubtargetInfo> generic = subtarget(triple, "", "");
  if (!generic->isCPUStringValid(cpu)) {
    throw std::invalid_argument("target cpu `" + cpu + "` is unknown to LLVM for " + triple +
                                " (-mcpu); use a name `llc -mcpu=help` lists (znver4, "
                                "skylake-avx512, ...), or drop -mcpu for this machine's");
  }
  CpuFeatures out;
  out.triple = triple;
  out.cpu = cpu;
  if (!same_architecture(triple, host.triple)) {
    // No list of this architecture's features: -mattr as given.
    std::vector<std::string> items = split_list(mattr);
    std::sort(items.begin(), items.end());
    for (const std::string& f : items) {
      out.mattr += (out.mattr.empty() ? "" : ",") + f;
      if (f[0] == '+') out.enabled.push_back(f.substr(1));
    }
    out.has_fma = llvm::Triple(triple).isAArch64();
    return out;
  }
  for (const std::string& item : split_list(mattr)) {
    const std::string name = item.substr(1);
    if ((item[0] != '+' && item[0] != '-') ||
        !std::binary_search(host.names.begin(), host.names.end(), name)) {
      throw std::invalid_argument("target feature `" + item + "` (-mattr) is not a " + triple +
                                  " ISA feature LLVM knows; write them as +name or -name, e.g. "
                                  "-mattr=+avx512f,-avx512bw (`kiln target` lists this "
                                  "machine's)");
    }
  }
  const std::set<std::string> on = enabled_features(triple, cpu, mattr);
  const std::set<std::string> own = enabled_features(triple, cpu, "");
  for (const std::string& f : host.names) {
    const bool is_on = on.count(f) > 0, is_own = own.count(f) > 0;
    if (is_on != is_own) out.mattr += std::string(out.mattr.empty() ? "" : ",") + (is_on ? "+" : "-") + f;
  }
  out.enabled.assign(on.begin(), on.end());
  const bool x86 = llvm::Triple(triple).isX86();
  out.vector_bytes = x86 && on.count("avx512f") ? 64 : x86 && on.count("avx") ? 32 : 16;
  out.has_fma = x86 ? on.count("fma") || on.count("fma4") : llvm::Triple(triple).isAArch64();
  return out;
}

}  // namespace

CpuFeatures resolve_cpu(const std::string& triple, const std::string& cpu,
                        const std::string& mattr) {
  const std::string t =
      triple.empty() ? host_features().triple : llvm::Triple::normalize(triple);
  if (cpu.empty()) {
    if (!same_architecture(t, host_features().triple)) {
      throw std::invalid_argument("target triple `" + t + "` is not this machine's (" +
                                  host_features().triple + "); name its CPU with -mcpu");
    }
    if (!mattr.empty()) {
      // The host's CPU with features changed: resolve from the host's own.
      const CpuFeatures& host = host_cpu_features();
      return resolve_cpu(t, host.cpu, host.mattr.empty() ? mattr : host.mattr + "," + mattr);
    }
    return host_cpu_features();
  }
  // Parsing records and targets happens often: remember each answer.
  static std::mutex mutex;
  static std::map<std::tuple<std::string, std::string, std::string>, CpuFeatures> memo;
  const auto key = std::make_tuple(t, cpu, mattr);
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = memo.find(key);
    if (it != memo.end()) return it->second;
  }
  CpuFeatures resolved = describe(t, cpu, mattr);
  std::lock_guard<std::mutex> lock(mutex);
  return memo.emplace(key, std::move(resolved)).first->second;
}

const CpuFeatures& host_cpu_features() {
  static const CpuFeatures host = [] {
    const HostFeatures& h = host_features();
    std::string all;
    for (const std::string& f : h.names)
      all += std::string(all.empty() ? "" : ",") + (h.on.count(f) ? "+" : "-") + f;
    return describe(h.triple, host_cpu_name(), all);
  }();
  return host;
}

std::string features_missing_on_host(const std::vector<std::string>& enabled) {
  const HostFeatures& host = host_features();
  std::string missing;
  for (const std::string& f : enabled)
    if (!host.on.count(f)) missing += (missing.empty() ? "" : ", ") + f;
  return missing;
}

}  // namespace kiln::codegen

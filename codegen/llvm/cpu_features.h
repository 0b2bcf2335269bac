// What LLVM knows of a CPU: the features a CPU name implies, whether a name
// exists, and which CPU this machine is. Target (codegen/target.h) parses
// "llvm" targets with it; nothing here starts a JIT or a thread.
#pragma once

#include <string>
#include <vector>

namespace kiln::codegen {

struct CpuFeatures {
  std::string triple;
  std::string cpu;  // a name LLVM knows ("znver4")
  // The features that differ from the CPU's own, "+a,-b", sorted: with
  // `cpu`, the canonical spelling of the target (empty when it has exactly
  // the CPU's features).
  std::string mattr;
  std::vector<std::string> enabled;  // every ISA feature on, sorted
  int vector_bytes = 16;             // the widest vector register
  bool has_fma = false;
};

// Resolves -mtriple, -mcpu and -mattr ("" where absent). Without a CPU, the
// host's CPU and features. Throws std::invalid_argument naming an unknown
// triple, CPU or feature, and what to use instead.
CpuFeatures resolve_cpu(const std::string& triple, const std::string& cpu,
                        const std::string& mattr);

// This machine: its triple, the CPU LLVM names it (when the CPU is newer than
// this LLVM, which calls it "generic", the known CPU of its vendor with the
// most of its features, e.g. znver4 for a Zen 5), and its features. Computed
// once per process.
const CpuFeatures& host_cpu_features();

// The ISA features of `enabled` that this machine lacks ("avx512f, ...";
// empty when code for them can run here).
std::string features_missing_on_host(const std::vector<std::string>& enabled);

}  // namespace kiln::codegen

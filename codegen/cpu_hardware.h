// A CPU's cores and caches, for the search and the cost model: read from
// this machine (Linux sysfs) or taken from a preset for a named CPU. Reading
// the host has no side effect (no thread is started, nothing is loaded).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kiln::codegen {

struct CpuHardware {
  std::string model_name;  // "AMD EPYC 9R45" (host only; "" for a preset)
  int physical_cores = 0;  // that this process may run on (0: unknown)
  int hardware_threads = 0;
  int64_t l1d_cache_bytes = 0;  // per core
  int64_t l2_cache_bytes = 0;   // per core
  int64_t l3_cache_bytes = 0;   // one L3, shared by the cores it serves (0: none)
  int cache_line_bytes = 0;
};

// This machine, read once per process. Caches sysfs does not list come from
// sysconf; cores and threads count the CPUs of this process's affinity mask.
const CpuHardware& host_cpu_hardware();

// The caches of a typical part of LLVM CPU `cpu` ("znver4", "skylake-avx512"),
// or nullopt when kiln has no preset for it.
std::optional<CpuHardware> cpu_hardware_preset(const std::string& cpu);

// Caches of a typical x86-64 server core, for a CPU with no preset.
CpuHardware default_cpu_hardware();

}  // namespace kiln::codegen

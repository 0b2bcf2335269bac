// This machine's CPU cores and caches (Linux sysfs), for the timer's cache
// flush, the search and the cost model. Reading them has no side effect (no
// thread is started, nothing is loaded). codegen/cpu_presets.h has the same
// for CPUs kiln is not running on.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::runtime {

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
// sysconf (typical sizes where that fails too); cores and threads count the
// CPUs of this process's affinity mask.
const CpuHardware& host_cpu_hardware();

}  // namespace kiln::runtime

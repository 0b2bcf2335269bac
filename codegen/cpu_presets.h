// The caches of CPUs kiln is not running on, by LLVM CPU name: what a
// target such as "llvm -mcpu=skylake-avx512" describes when it is not this
// machine (runtime/cpu_hardware.h reads this one).
#pragma once

#include <optional>
#include <string>

#include "runtime/cpu_hardware.h"

namespace kiln::codegen {

// The caches of a typical part of `cpu` ("znver4", "skylake-avx512"), or
// nullopt when kiln has no preset for it.
std::optional<runtime::CpuHardware> cpu_hardware_preset(const std::string& cpu);

// Caches of a typical x86-64 server core, for a CPU with no preset.
runtime::CpuHardware default_cpu_hardware();

}  // namespace kiln::codegen

#include "codegen/cpu_presets.h"

namespace kiln::codegen {

using runtime::CpuHardware;

namespace {

struct Preset {
  const char* cpu;
  int64_t l1d_kb, l2_kb, l3_kb;  // per core, per core, one L3
};

// From the vendors' optimization manuals; the L3 is one CCX's on AMD and a
// typical server part's on Intel, where it depends on the core count.
constexpr Preset kPresets[] = {
    {"znver1", 32, 512, 8 * 1024},          {"znver2", 32, 512, 16 * 1024},
    {"znver3", 32, 512, 32 * 1024},         {"znver4", 32, 1024, 32 * 1024},
    {"haswell", 32, 256, 30 * 1024},        {"broadwell", 32, 256, 35 * 1024},
    {"skylake", 32, 256, 8 * 1024},         {"skylake-avx512", 32, 1024, 28 * 1024},
    {"cascadelake", 32, 1024, 28 * 1024},   {"cooperlake", 32, 1024, 38 * 1024},
    {"icelake-server", 48, 1280, 48 * 1024}, {"icelake-client", 48, 512, 8 * 1024},
    {"tigerlake", 48, 1280, 12 * 1024},     {"alderlake", 48, 1280, 30 * 1024},
    {"sapphirerapids", 48, 2048, 60 * 1024}, {"emeraldrapids", 48, 2048, 160 * 1024},
    {"neoverse-n1", 64, 1024, 32 * 1024},   {"neoverse-v1", 64, 1024, 32 * 1024},
    {"neoverse-v2", 64, 2048, 114 * 1024},
};

}  // namespace

std::optional<CpuHardware> cpu_hardware_preset(const std::string& cpu) {
  for (const Preset& p : kPresets) {
    if (cpu != p.cpu) continue;
    CpuHardware hw;
    hw.l1d_cache_bytes = p.l1d_kb << 10;
    hw.l2_cache_bytes = p.l2_kb << 10;
    hw.l3_cache_bytes = p.l3_kb << 10;
    hw.cache_line_bytes = 64;
    return hw;
  }
  return std::nullopt;
}

CpuHardware default_cpu_hardware() {
  CpuHardware hw;
  hw.l1d_cache_bytes = 32 << 10;
  hw.l2_cache_bytes = 1 << 20;
  hw.l3_cache_bytes = 32 << 20;
  hw.cache_line_bytes = 64;
  return hw;
}

}  // namespace kiln::codegen

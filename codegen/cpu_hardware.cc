#include "codegen/cpu_hardware.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <utility>

namespace kiln::codegen {

namespace {

std::string read_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// "48K", "1024K", "32M" → bytes; 0 when unreadable.
int64_t parse_size(const std::string& text) {
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (...) {
    return 0;
  }
  const std::string unit = text.substr(used);
  if (unit == "K") return value << 10;
  if (unit == "M") return value << 20;
  if (unit == "G") return value << 30;
  return unit.empty() ? value : 0;
}

// The caches sysfs lists for CPU `cpu`.
void read_sysfs_caches(int cpu, CpuHardware* hw) {
  const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cache/index";
  for (int index = 0;; ++index) {
    const std::string base = dir + std::to_string(index) + "/";
    const std::string level = read_line(base + "level");
    if (level.empty()) break;
    const std::string type = read_line(base + "type");
    const int64_t size = parse_size(read_line(base + "size"));
    if (type == "Instruction" || size <= 0) continue;
    if (level == "1") hw->l1d_cache_bytes = size;
    if (level == "2") hw->l2_cache_bytes = size;
    if (level == "3") hw->l3_cache_bytes = size;
    const int64_t line = parse_size(read_line(base + "coherency_line_size"));
    if (line > 0 && hw->cache_line_bytes == 0) hw->cache_line_bytes = static_cast<int>(line);
  }
}

std::string model_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const size_t colon = line.find(':');
    return colon == std::string::npos ? "" : line.substr(line.find_first_not_of(' ', colon + 1));
  }
  return "";
}

CpuHardware read_host() {
  CpuHardware hw;
  hw.model_name = model_name();
  cpu_set_t mask;
  CPU_ZERO(&mask);
  std::set<std::pair<std::string, std::string>> cores;
  int first_cpu = 0;
  if (sched_getaffinity(0, sizeof(mask), &mask) == 0) {
    hw.hardware_threads = CPU_COUNT(&mask);
    first_cpu = -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (!CPU_ISSET(cpu, &mask)) continue;
      if (first_cpu < 0) first_cpu = cpu;
      const std::string topology =
          "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
      cores.insert({read_line(topology + "physical_package_id"), read_line(topology + "core_id")});
    }
  } else {
    hw.hardware_threads = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  }
  // Without topology files every CPU counts as a core.
  bool have_topology = !cores.empty();
  for (const auto& core : cores) have_topology &= !core.second.empty();
  hw.physical_cores = have_topology ? static_cast<int>(cores.size()) : hw.hardware_threads;
  read_sysfs_caches(first_cpu < 0 ? 0 : first_cpu, &hw);
  auto fallback = [](int64_t* field, int name) {
    if (*field <= 0) *field = std::max<int64_t>(0, sysconf(name));
  };
  fallback(&hw.l1d_cache_bytes, _SC_LEVEL1_DCACHE_SIZE);
  fallback(&hw.l2_cache_bytes, _SC_LEVEL2_CACHE_SIZE);
  fallback(&hw.l3_cache_bytes, _SC_LEVEL3_CACHE_SIZE);
  if (hw.cache_line_bytes <= 0)
    hw.cache_line_bytes = static_cast<int>(std::max<long>(0, sysconf(_SC_LEVEL1_DCACHE_LINESIZE)));
  const CpuHardware typical = default_cpu_hardware();
  if (hw.l1d_cache_bytes <= 0) hw.l1d_cache_bytes = typical.l1d_cache_bytes;
  if (hw.l2_cache_bytes <= 0) hw.l2_cache_bytes = typical.l2_cache_bytes;
  if (hw.cache_line_bytes <= 0) hw.cache_line_bytes = typical.cache_line_bytes;
  return hw;
}

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

const CpuHardware& host_cpu_hardware() {
  static const CpuHardware host = read_host();
  return host;
}

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

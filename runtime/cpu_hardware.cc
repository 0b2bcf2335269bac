#include "runtime/cpu_hardware.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <utility>

namespace kiln::runtime {

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
  // Typical sizes where neither says.
  if (hw.l1d_cache_bytes <= 0) hw.l1d_cache_bytes = 32 << 10;
  if (hw.l2_cache_bytes <= 0) hw.l2_cache_bytes = 1 << 20;
  if (hw.cache_line_bytes <= 0) hw.cache_line_bytes = 64;
  return hw;
}

}  // namespace

const CpuHardware& host_cpu_hardware() {
  static const CpuHardware host = read_host();
  return host;
}

}  // namespace kiln::runtime

#include "codegen/target.h"

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "codegen/cpu_presets.h"
#include "codegen/gpu/gpu_target.h"
#include "runtime/thread_pool.h"
#ifdef KILN_WITH_LLVM
#include "codegen/llvm/cpu_features.h"
#endif

namespace kiln {

namespace {

// Each kind's options, in the order the key prints them.
const std::vector<std::string>& known_options(const std::string& kind) {
  // -num_cores=N: the threads parallel loops use (the tuner schedules for it).
  static const std::vector<std::string> llvm = {"mtriple", "mcpu", "mattr", "num_cores"};
  static const std::vector<std::string> cuda = {"arch", "fast_math"};
  // -warp_size=N: N work-items act as a warp (shuffles through __local
  // memory), so that CUDA's warp-level lowering runs, and is checked, on PoCL.
  static const std::vector<std::string> opencl = {"warp_size", "fast_math"};
  if (kind == "llvm") return llvm;
  if (kind == "cuda") return cuda;
  return opencl;
}

// A whole number in [low, high], or -1.
int parse_int_in(const std::string& v, int low, int high) {
  if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos)
    return -1;
  const int n = std::stoi(v);
  return n >= low && n <= high ? n : -1;
}

// Checks one option's value, and drops a value that means the default.
void check_option(const std::string& text, const std::string& name,
                  std::map<std::string, std::string>* options) {
  const std::string v = (*options)[name];
  auto refuse = [&](const std::string& expected) {
    throw std::invalid_argument("target `" + text + "`: -" + name + " takes " + expected +
                                ", not `" + v + "`");
  };
  if (name == "fast_math") {
    if (v != "0" && v != "1") refuse("0 or 1");
    if (v == "0") options->erase(name);
  } else if (name == "warp_size") {
    const int n = parse_int_in(v, 1, 64);
    if (n < 1 || (n & (n - 1)) != 0) refuse("a power of two from 1 to 64 (32 emulates CUDA's warps)");
    if (n == 1) options->erase(name);
  } else if (name == "num_cores") {
    if (parse_int_in(v, 1, runtime::kMaxThreads) < 1)
      refuse("a thread count from 1 to " + std::to_string(runtime::kMaxThreads));
    (*options)[name] = std::to_string(std::stoi(v));
  } else if (v.empty()) {
    refuse("a value");
  }
}

}  // namespace

Target::Target(const std::string& text) {
  std::istringstream in(text);
  in >> kind_;
  if (kind_ != "llvm" && kind_ != "cuda" && kind_ != "opencl")
    throw std::invalid_argument("target `" + text + "`: unknown kind `" + kind_ +
                                "`; use llvm, cuda or opencl (e.g. \"llvm -mcpu=znver4\", "
                                "\"cuda -arch=sm_90\")");
  const std::vector<std::string>& known = known_options(kind_);
  std::string word;
  while (in >> word) {
    const size_t eq = word.find('=');
    if (word.size() < 2 || word[0] != '-' || eq == std::string::npos)
      throw std::invalid_argument("target `" + text + "`: option `" + word +
                                  "` is not of the form -name=value");
    const std::string name = word.substr(1, eq - 1);
    bool ok = false;
    for (const std::string& k : known) ok |= k == name;
    if (!ok) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "-" : ", -") + k;
      throw std::invalid_argument("target `" + text + "`: unknown option `-" + name + "` for " +
                                  kind_ + "; known: " + list);
    }
    options_[name] = word.substr(eq + 1);
    check_option(text, name, &options_);
  }
  if (kind_ == "llvm") {
    parse_llvm(text);
  } else {
    codegen::fill_gpu_parameters(*this, &options_);
  }
}

void Target::parse_llvm(const std::string& text) {
#ifdef KILN_WITH_LLVM
  codegen::CpuFeatures cpu;
  try {
    cpu = codegen::resolve_cpu(option("mtriple"), option("mcpu"), option("mattr"));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("target `" + text + "`: " + e.what());
  }
  const codegen::CpuFeatures& host = codegen::host_cpu_features();
  triple = cpu.triple;
  features = cpu.enabled;
  vector_bytes = cpu.vector_bytes;
  has_fma = cpu.has_fma;
  options_["mcpu"] = cpu.cpu;
  options_.erase("mattr");
  if (!cpu.mattr.empty()) options_["mattr"] = cpu.mattr;
  options_.erase("mtriple");
  if (cpu.triple != host.triple) options_["mtriple"] = cpu.triple;
  if (!options_.count("num_cores"))
    options_["num_cores"] = std::to_string(runtime::configured_num_threads());
  num_cores = std::stoi(options_["num_cores"]);

  const bool this_machine =
      cpu.triple == host.triple && cpu.cpu == host.cpu && cpu.mattr == host.mattr;
  runtime::CpuHardware hw;
  if (this_machine) {
    hw = runtime::host_cpu_hardware();
    hardware_source = "host";
  } else if (auto preset = codegen::cpu_hardware_preset(cpu.cpu)) {
    hw = *preset;
    hardware_source = "preset";
  } else {
    hw = codegen::default_cpu_hardware();
    hardware_source = "default";
  }
  cpu_model_name = hw.model_name;
  physical_cores = hw.physical_cores;
  hardware_threads = hw.hardware_threads;
  l1d_cache_bytes = hw.l1d_cache_bytes;
  l2_cache_bytes = hw.l2_cache_bytes;
  l3_cache_bytes = hw.l3_cache_bytes;
  cache_line_bytes = hw.cache_line_bytes;
#else
  throw std::invalid_argument("target `" + text +
                              "`: this kiln was built without LLVM (KILN_WITH_LLVM=OFF); "
                              "rebuild with it, or use a cuda or opencl target");
#endif
}

std::string Target::option(const std::string& name) const {
  auto it = options_.find(name);
  return it == options_.end() ? "" : it->second;
}

std::string Target::str() const {
  std::string out = kind_;
  for (const std::string& name : known_options(kind_)) {
    auto it = options_.find(name);
    if (it != options_.end()) out += " -" + name + "=" + it->second;
  }
  return out;
}

nlohmann::json Target::describe() const {
  nlohmann::json j = {{"key", str()}, {"kind", kind_}, {"hardware_source", hardware_source}};
  if (kind_ == "llvm") {
    j["triple"] = triple;
    j["cpu"] = option("mcpu");
    if (!cpu_model_name.empty()) j["cpu_model_name"] = cpu_model_name;
    j["features"] = features;
    j["vector_bytes"] = vector_bytes;
    j["has_fma"] = has_fma;
    j["num_cores"] = num_cores;
    if (physical_cores > 0) j["physical_cores"] = physical_cores;
    if (hardware_threads > 0) j["hardware_threads"] = hardware_threads;
    j["l1d_cache_bytes"] = l1d_cache_bytes;
    j["l2_cache_bytes"] = l2_cache_bytes;
    j["l3_cache_bytes"] = l3_cache_bytes;
    j["cache_line_bytes"] = cache_line_bytes;
    return j;
  }
  if (kind_ == "cuda") {
    j["arch"] = option("arch");
    j["compute_capability"] = std::to_string(compute_capability / 10) + "." +
                              std::to_string(compute_capability % 10);
  }
  j["sm_count"] = sm_count;
  j["max_threads_per_block"] = max_threads_per_block;
  j["max_threads_per_sm"] = max_threads_per_sm;
  j["max_block_dims"] = {max_block_dims[0], max_block_dims[1], max_block_dims[2]};
  j["warp_size"] = warp_size;
  j["max_shared_memory_per_block"] = max_shared_memory_per_block;
  j["max_shared_memory_per_sm"] = max_shared_memory_per_sm;
  j["max_registers_per_block"] = max_registers_per_block;
  j["max_registers_per_sm"] = max_registers_per_sm;
  j["l2_cache_bytes"] = l2_cache_bytes;
  j["tensor_core_instructions"] = tensor_core_instructions;
  j["has_fp16"] = has_fp16;
  j["has_fp64"] = has_fp64;
  return j;
}

}  // namespace kiln

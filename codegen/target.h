// Target: what to compile for, parsed from a string, and the hardware it
// stands for (what the search's rules and the cost model read).
//
//   "llvm"                             this machine's CPU (name, features,
//                                      cores and caches read from it)
//   "llvm -mcpu=znver4"                a given CPU: its features are the ones
//                                      LLVM gives that name; caches from a
//                                      preset; nothing is read from this host
//   "llvm -mcpu=znver4 -mattr=-avx512f -num_cores=8"
//                                      features changed, 8 threads
//   "cuda -arch=sm_90"                 an NVIDIA GPU of that arch, from a
//                                      preset: no driver is loaded
//   "cuda"                             the GPU in this machine (queried through
//                                      the driver; the sm_90 preset without one)
//   "opencl"                           the OpenCL device in use (PoCL on the
//                                      CPU), or a preset shaped like it
//   "opencl -warp_size=32", "cuda -arch=sm_90 -fast_math=1"
//
// Parsing checks everything (an unknown CPU, feature or arch is refused
// here, not at the first build) and starts nothing: a tuner can parse the
// targets of records and of machines it is not on.
//
// str() is the canonical key: kind, the resolved CPU or arch, and the
// options that change the code (for CPUs: the features that differ from the
// CPU's own, and the thread count). Equal targets share it, Target(t.str())
// == t, and tuning records are filed under it. describe() is the full
// hardware description records carry.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace kiln {

class Target {
 public:
  // Throws std::invalid_argument naming the unknown kind, option or value,
  // and what to write instead.
  explicit Target(const std::string& text);
  Target(const char* text) : Target(std::string(text)) {}  // NOLINT

  // "llvm", "cuda" or "opencl".
  const std::string& kind() const { return kind_; }
  bool is_gpu() const { return kind_ != "llvm"; }
  // The canonical key: "llvm -mcpu=znver4 -mattr=+avxvnni -num_cores=2".
  std::string str() const;
  // An option of the key ("" when absent): "mcpu", "mattr", "mtriple",
  // "num_cores", "arch", "fast_math", "warp_size".
  std::string option(const std::string& name) const;
  // Everything below as JSON, with the key and where the values came from.
  nlohmann::json describe() const;

  bool operator==(const Target& other) const { return str() == other.str(); }
  bool operator!=(const Target& other) const { return !(*this == other); }

  // Where the hardware values come from: "host" (this machine's CPU),
  // "device" (the GPU or OpenCL device present), "preset" (a named CPU or
  // arch), "default" (a CPU kiln has no preset for: typical values).
  std::string hardware_source;

  // ---- CPU (llvm)
  std::string triple;                  // "x86_64-pc-linux-gnu"
  std::vector<std::string> features;   // every ISA feature on, sorted
  int num_cores = 1;                   // threads parallel loops use
  int vector_bytes = 16;               // widest vector register
  bool has_fma = false;
  int physical_cores = 0;              // of this machine (0: not this machine)
  int hardware_threads = 0;
  int64_t l1d_cache_bytes = 0;         // per core
  int64_t l2_cache_bytes = 0;          // per core on CPUs; the whole L2 on GPUs
  int64_t l3_cache_bytes = 0;          // one L3, shared by the cores it serves
  int cache_line_bytes = 0;
  std::string cpu_model_name;          // "AMD EPYC 9R45" (this machine only)

  // ---- GPU (cuda, opencl)
  int compute_capability = 0;               // cuda: 90 for sm_90
  int sm_count = 0;                         // SMs (OpenCL: compute units)
  int max_threads_per_block = 0;
  int max_threads_per_sm = 0;
  int max_block_dims[3] = {0, 0, 0};
  int warp_size = 0;                        // OpenCL: 1, or -warp_size
  int64_t max_shared_memory_per_block = 0;  // bytes, the opt-in maximum on CUDA
  int64_t max_shared_memory_per_sm = 0;
  int max_registers_per_block = 0;          // 32-bit registers
  int max_registers_per_sm = 0;
  // Tensor-core instruction families: "wmma", "mma.sync" (sm_80+), "wgmma"
  // (sm_90).
  std::vector<std::string> tensor_core_instructions;
  // Whether kernels may compute in float16 / float64 (OpenCL: the device's
  // cl_khr_fp16 / cl_khr_fp64; every CUDA arch kiln targets has both).
  bool has_fp16 = false;
  bool has_fp64 = false;

 private:
  void parse_llvm(const std::string& text);

  std::string kind_;
  std::map<std::string, std::string> options_;  // the key's options
};

}  // namespace kiln

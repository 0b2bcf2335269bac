// Target: what to compile for, parsed from a string.
//
//   "llvm"                                   the host CPU (name and features
//                                            read from the machine)
//   "llvm -mcpu=znver4 -mattr=+avx512f,..."  a given CPU
//   "cuda -arch=sm_90"                       an NVIDIA GPU of that arch
//   "opencl"                                 an OpenCL device (PoCL on the CPU)
//   "cuda -arch=sm_90 -fast_math=1"          GPU math with the fast, less exact
//                                            intrinsics (__expf, native_exp, ...)
//
// Hardware parameters come from the device when one is present, from a named
// preset otherwise; they are part of every tuning record.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace kiln {

class Target {
 public:
  // Throws std::invalid_argument naming the unknown kind or option.
  explicit Target(const std::string& text);
  Target(const char* text) : Target(std::string(text)) {}  // NOLINT

  // "llvm", "cuda" or "opencl".
  const std::string& kind() const { return kind_; }
  bool is_gpu() const { return kind_ != "llvm"; }
  // The canonical text: kind, then every option resolved ("llvm -mcpu=znver3
  // -mattr=+avx2,+fma,..."), so that two equal targets print the same.
  std::string str() const;
  // An option's value ("" when absent): "mcpu", "mattr", "mtriple", "arch",
  // "fast_math".
  std::string option(const std::string& name) const;

  // ---- hardware parameters
  int num_cores = 1;                        // llvm: threads the runtime uses
  int vector_bytes = 16;                    // llvm: widest native vector register
  int max_threads_per_block = 0;            // gpu
  int64_t max_shared_memory_per_block = 0;  // gpu, bytes
  int warp_size = 0;                        // gpu (OpenCL: the sub-group size, 1 on PoCL)
  int max_block_dims[3] = {0, 0, 0};
  int sm_count = 0;  // cuda
  // gpu: whether kernels may compute in float16 / float64 (OpenCL: the
  // device's cl_khr_fp16 / cl_khr_fp64; every CUDA arch kiln targets has both).
  bool has_fp16 = false;
  bool has_fp64 = false;

 private:
  std::string kind_;
  std::map<std::string, std::string> options_;
};

}  // namespace kiln

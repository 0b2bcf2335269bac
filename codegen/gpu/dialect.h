// The two spellings of one GPU kernel language: CUDA C (NVRTC) and OpenCL C
// 1.2. The source printer (source_printer.h) is shared; everything that
// differs between the two is a method here.
#pragma once

#include <string>

#include "ir/dtype.h"
#include "ir/expr.h"

namespace kiln::codegen::gpu {

class Dialect {
 public:
  enum class Kind { kCUDA, kOpenCL };
  static const Dialect& cuda();
  static const Dialect& opencl();

  Kind kind() const { return kind_; }
  bool is_cuda() const { return kind_ == Kind::kCUDA; }
  const char* name() const { return is_cuda() ? "CUDA" : "OpenCL"; }

  // Scalar or vector (lanes 2, 3, 4, 8, 16) C type; a bool *buffer* element
  // is stored as a byte (storage_type), a bool value is `bool`.
  // Throws BuildError for a type the dialect has no spelling of.
  std::string type(ir::DataType t) const;
  std::string storage_type(ir::DataType t) const;

  // `extern "C" __global__ void __launch_bounds__(n)` / `__kernel void ...`.
  std::string kernel_prefix(int64_t threads_per_block, const int64_t block[3]) const;
  // A kernel parameter: `float* __restrict__ A` / `__global float* restrict A`.
  std::string pointer_param(ir::DataType element, bool read_only, const std::string& name) const;
  // The declaration of a shared array at the top of a kernel.
  std::string shared_array(ir::DataType element, const std::string& name, int64_t count) const;
  // `(int)blockIdx.x` / `(int)get_group_id(0)` for "blockIdx.x", ...
  std::string thread_index(const std::string& tag) const;
  // Waits for every thread of the block and makes shared writes visible.
  std::string barrier() const;
  // A vector of lanes `lanes` from comma-separated scalars.
  std::string make_vector(ir::DataType t, const std::string& lanes) const;
  // Lane `i` of a vector value: `.x` .. `.w`, `.s0` .. `.sf`.
  std::string lane(int lanes, int i) const;
  // `*(float4*)(ptr)` / `vload4(0, ptr)` for an aligned contiguous load.
  std::string vector_load(ir::DataType t, const std::string& pointer) const;
  std::string vector_store(ir::DataType t, const std::string& pointer,
                           const std::string& value) const;
  // Math on `t` (float32, float64; float16 computes in float32).
  std::string math_function(ir::Intrinsic op, ir::DataType t, bool fast_math) const;
  std::string float_min(ir::DataType t) const;
  std::string float_max(ir::DataType t) const;
  // A float literal, with infinities and NaN spelled the dialect's way.
  std::string float_literal(ir::DataType t, double value) const;
  // `__shfl_xor_sync(0xffffffff, v, mask, width)`; CUDA only (OpenCL's
  // emulated warps shuffle through __local memory: KernelPrinter).
  std::string warp_shuffle_xor(const std::string& value, const std::string& mask, int width) const;
  // Lines before the first kernel: includes, extension pragmas.
  std::string preamble(bool uses_half, bool uses_double) const;

 private:
  explicit Dialect(Kind kind) : kind_(kind) {}
  Kind kind_;
};

}  // namespace kiln::codegen::gpu

// Helpers for the GPU tests: build a lowered function for OpenCL (PoCL's CPU
// device) or CUDA (NVRTC), run it on random inputs, compare with the
// interpreter.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "codegen/gpu/build_gpu.h"
#include "codegen/gpu/nvrtc.h"
#include "ir/buffer.h"
#include "ir/interpreter.h"
#include "ir/op.h"
#include "runtime/cuda/cuda_driver.h"
#include "runtime/module.h"
#include "runtime/ndarray.h"
#include "runtime/opencl/opencl_context.h"

namespace kiln::codegen::gpu_testing {

inline runtime::KernelSignature flat_signature(const ir::PrimFunc& func) {
  runtime::KernelSignature sig;
  sig.name = func->name;
  for (const ir::Buffer& p : func->params)
    sig.params.push_back({p->name, runtime::parse_dtype(p->dtype.str()), ir::static_shape(p)});
  return sig;
}

// Host memory for every parameter, float32 or int32, filled at random.
struct HostArgs {
  std::vector<std::vector<float>> data;
  std::vector<ir::TensorView> views;
  std::vector<DLTensor> tensors;
  std::vector<std::vector<int64_t>> shapes;

  HostArgs(const ir::PrimFunc& func, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (const ir::Buffer& p : func->params) {
      if (p->dtype != ir::DataType::Float(32))
        throw std::logic_error("gpu tests use float32 parameters");
      std::vector<float> d(static_cast<size_t>(ir::num_elements(p)));
      for (float& x : d) x = dist(rng);
      data.push_back(std::move(d));
      shapes.push_back(ir::static_shape(p));
    }
    for (size_t i = 0; i < data.size(); ++i) {
      views.push_back({data[i].data(), ir::DataType::Float(32), shapes[i]});
      DLTensor t{};
      t.data = data[i].data();
      t.device = {kDLCPU, 0};
      t.ndim = static_cast<int>(shapes[i].size());
      t.dtype = {kDLFloat, 32, 1};
      t.shape = shapes[i].data();
      tensors.push_back(t);
    }
  }
  std::vector<const DLTensor*> pointers() const {
    std::vector<const DLTensor*> out;
    for (const DLTensor& t : tensors) out.push_back(&t);
    return out;
  }
};

// Whether kernels for `target_kind` ("opencl" or "cuda") can be built and
// run here; when not, `reason` says why (no PoCL, no NVRTC, no CUDA driver).
inline bool device_available(const std::string& target_kind, std::string* reason) {
  if (target_kind != "cuda") return runtime::opencl::opencl_available(reason);
  if (!gpu::nvrtc_available()) {
    if (reason) *reason = "kiln was built without NVRTC";
    return false;
  }
  return runtime::cuda::driver_available(reason);
}

// The target kinds of device_available() that can run kernels here.
inline std::vector<std::string> runnable_kinds() {
  std::vector<std::string> kinds;
  for (const char* kind : {"opencl", "cuda"})
    if (device_available(kind, nullptr)) kinds.push_back(kind);
  return kinds;
}

#define KILN_REQUIRE_DEVICE(target_kind)                                       \
  do {                                                                         \
    std::string reason;                                                        \
    if (!::kiln::codegen::gpu_testing::device_available(target_kind, &reason)) \
      GTEST_SKIP() << reason;                                                  \
  } while (0)

// Runs function 0 of `m` on fresh inputs and expects parameters `first`.. of
// the result to equal the interpreter's on `reference` (the same function
// before scheduling or lowering), within `tolerance` relative error.
inline void expect_module_matches_interpreter(const runtime::Module& m,
                                              const ir::PrimFunc& reference, size_t first,
                                              float tolerance, uint32_t seed,
                                              const std::string& source_format) {
  HostArgs expected(reference, seed), actual(reference, seed);
  ir::interpret(reference, expected.views);
  m.node()->run(0, actual.pointers());
  for (size_t p = first; p < expected.data.size(); ++p) {
    int mismatches = 0;
    for (size_t i = 0; i < expected.data[p].size(); ++i) {
      const float e = expected.data[p][i], a = actual.data[p][i];
      if (!(std::fabs(e - a) <= tolerance * (1.0f + std::fabs(e))) && ++mismatches <= 5)
        ADD_FAILURE() << reference->params[p]->name << "[" << i << "]: " << source_format
                      << " kernel " << a << ", interpreter " << e;
    }
    EXPECT_EQ(mismatches, 0) << "in " << reference->params[p]->name << "\n"
                             << m.get_source(source_format);
  }
}

// The get_source format of the kernel source for `target` (its text).
inline std::string source_format(const std::string& target) {
  return target.rfind("cuda", 0) == 0 ? "cuda" : "cl";
}

// Builds a lowered function with build_gpu for `target` and checks every
// parameter against the interpreter.
inline void expect_lowered_matches_interpreter(const ir::PrimFunc& lowered,
                                               const std::string& target, float tolerance = 1e-4f,
                                               uint32_t seed = 7) {
  runtime::Module m = build_gpu(lowered, flat_signature(lowered), Target(target));
  expect_module_matches_interpreter(m, lowered, 0, tolerance, seed, source_format(target));
}

}  // namespace kiln::codegen::gpu_testing

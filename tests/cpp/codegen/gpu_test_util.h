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
#include "codegen/gpu/gpu_target.h"
#include "ir/buffer.h"
#include "ir/interpreter.h"
#include "ir/op.h"
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

inline Target gpu_target(const std::string& text) {
  Target t(text);
  fill_gpu_parameters(t);
  return t;
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

inline bool opencl_or_skip(std::string* reason) {
  return runtime::opencl::opencl_available(reason);
}

// Runs `lowered` through build_gpu on OpenCL and compares every parameter
// with the interpreter's result on the same inputs.
inline void expect_opencl_matches_interpreter(const ir::PrimFunc& lowered, float tolerance = 1e-4f,
                                              uint32_t seed = 7) {
  runtime::Module m = build_gpu(lowered, flat_signature(lowered), gpu_target("opencl"));
  HostArgs expected(lowered, seed), actual(lowered, seed);
  ir::interpret(lowered, expected.views);
  m.node()->run(0, actual.pointers());
  for (size_t p = 0; p < expected.data.size(); ++p) {
    int mismatches = 0;
    for (size_t i = 0; i < expected.data[p].size(); ++i) {
      const float e = expected.data[p][i], a = actual.data[p][i];
      if (std::fabs(e - a) > tolerance * (1.0f + std::fabs(e)) && ++mismatches <= 5)
        ADD_FAILURE() << lowered->params[p]->name << "[" << i << "]: OpenCL " << a
                      << ", interpreter " << e << "\n"
                      << m.get_source("cl");
    }
    EXPECT_EQ(mismatches, 0) << "in " << lowered->params[p]->name;
  }
}

}  // namespace kiln::codegen::gpu_testing

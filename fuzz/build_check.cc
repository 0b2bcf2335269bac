#include "fuzz/build_check.h"

#include "codegen/build.h"

namespace kiln::fuzz {

std::string check_built_kernel(const ir::PrimFunc& func, const Target& target, uint64_t seed,
                               const Arguments& expected) {
  Module module = build(func, target);
  Arguments got = make_arguments(func, seed);
  // Non-owning DLTensors over the host arrays (std::vector's storage is
  // 16-byte aligned, what kernels require).
  std::vector<DLTensor> tensors(got.views.size());
  std::vector<const DLTensor*> args;
  for (size_t i = 0; i < got.views.size(); ++i) {
    ir::TensorView& v = got.views[i];
    tensors[i] = DLTensor{v.data,
                          {kDLCPU, 0},
                          static_cast<int32_t>(v.shape.size()),
                          runtime::parse_dtype(v.dtype.str()),
                          v.shape.data(),
                          nullptr,
                          0};
    args.push_back(&tensors[i]);
  }
  module.entry()(args);
  return compare_outputs(expected, got);
}

}  // namespace kiln::fuzz

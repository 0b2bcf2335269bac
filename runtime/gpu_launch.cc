#include "runtime/gpu_launch.h"

namespace kiln::runtime {

GpuModuleNode::GpuModuleNode(std::vector<GpuFunction> functions)
    : functions_(std::move(functions)) {
  for (const GpuFunction& f : functions_) signatures_.push_back(f.signature);
}

size_t tensor_bytes(const DLTensor& t) {
  size_t n = 1;
  for (int i = 0; i < t.ndim; ++i) n *= static_cast<size_t>(t.shape[i]);
  return n * ((t.dtype.bits * t.dtype.lanes + 7) / 8);
}

}  // namespace kiln::runtime

#include "runtime/gpu_launch.h"

#include <nlohmann/json.hpp>

#include "runtime/metadata.h"

namespace kiln::runtime {

using nlohmann::json;

json gpu_function_json(const GpuFunction& f) {
  json kernels = json::array();
  for (const DeviceKernel& k : f.kernels)
    kernels.push_back({{"name", k.name},
                       {"grid", k.launch.grid},
                       {"block", k.launch.block},
                       {"dynamic_shared_bytes", k.launch.dynamic_shared_bytes},
                       {"params", k.params}});
  return {{"signature", signature_json(f.signature)},
          {"kernels", std::move(kernels)},
          {"written", f.written},
          {"workspace_bytes", f.workspace_bytes}};
}

GpuFunction parse_gpu_function(const json& j, const std::string& where) {
  try {
    GpuFunction f;
    f.signature = parse_signature(j.at("signature"), where + ".signature");
    for (const json& k : j.at("kernels")) {
      DeviceKernel kernel;
      kernel.name = k.at("name").get<std::string>();
      kernel.launch.grid = k.at("grid").get<std::array<int64_t, 3>>();
      kernel.launch.block = k.at("block").get<std::array<int64_t, 3>>();
      kernel.launch.dynamic_shared_bytes = k.at("dynamic_shared_bytes").get<int64_t>();
      kernel.params = k.at("params").get<std::vector<int>>();
      f.kernels.push_back(std::move(kernel));
    }
    f.written = j.at("written").get<std::vector<bool>>();
    f.workspace_bytes = j.at("workspace_bytes").get<std::vector<int64_t>>();
    return f;
  } catch (const json::exception& e) {
    throw RuntimeError("GPU launch description " + where + ": " + e.what());
  }
}

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

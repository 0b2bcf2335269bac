// export_library for CUDA: a shared library that holds a module's cubin, the
// PTX and CUDA C it came from and each function's launches (the metadata of
// runtime/metadata.h), and no host code, so that loading it needs neither a
// GPU nor the CUDA toolkit; and beside it a C header that says how to launch
// each kernel (codegen/c_header.h). runtime::load_module loads it back.
#pragma once

#include <string>
#include <vector>

#include "runtime/cuda/cuda_module.h"
#include "runtime/gpu_launch.h"

namespace kiln::codegen::gpu {

// The CUDA module build() makes: it runs as any CUDA module, and exports.
class CompiledCudaModule final : public runtime::cuda::CudaModuleNode {
 public:
  // `target`: the text of the target it was compiled for.
  CompiledCudaModule(runtime::cuda::CudaBinary binary, std::vector<runtime::GpuFunction> functions,
                     std::string target);
  // Writes the shared library `path` and its header beside it (libmm.so ->
  // libmm.h); throws runtime::RuntimeError when no C compiler is found or a
  // file cannot be written.
  void export_library(const std::string& path) const override;

 private:
  std::string target_;
};

// The C source the library is compiled from: the metadata, the cubin, the
// PTX and the CUDA C as byte arrays under their symbols (runtime/metadata.h).
std::string cuda_library_source(const runtime::cuda::CudaBinary& binary,
                                const std::vector<runtime::GpuFunction>& functions);

}  // namespace kiln::codegen::gpu

// LibraryModule: the kernels of a shared library that export_library wrote,
// loaded with dlopen (load_module, module.h). The library stays loaded while
// any Module or Kernel from it lives.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/packed_function_module.h"

namespace kiln::runtime {

class LibraryModule final : public PackedFunctionModule {
 public:
  // `handle` is the dlopen handle; its deleter dlcloses it.
  LibraryModule(std::string path, std::vector<KernelSignature> kernels,
                std::vector<kiln_packed_fn> entries, std::shared_ptr<void> handle);

  std::string kind() const override { return "library"; }
  const std::string& path() const { return path_; }
  // A loaded library is already exported: this copies its file to `path`,
  // with the C header beside it when there is one (libmm.h beside libmm.so).
  void export_library(const std::string& path) const override;

 private:
  std::string path_;
};

}  // namespace kiln::runtime

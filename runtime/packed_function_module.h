// PackedFunctionModule: a module whose kernels are packed C entries
// (kiln_packed_fn, c_api.h) in memory that `keep_alive` owns: a dlopen'ed
// library, or the LLVM JIT's code. Backends subclass it for kind(),
// get_source() and export_library(); running is the same for all of them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/c_api.h"
#include "runtime/module.h"
#include "runtime/staging.h"

namespace kiln::runtime {

class PackedFunctionModule : public ModuleNode {
 public:
  // entries[i] runs kernels[i]; both lists have one item per kernel.
  PackedFunctionModule(std::vector<KernelSignature> kernels, std::vector<kiln_packed_fn> entries,
                       std::shared_ptr<void> keep_alive);

  const std::vector<KernelSignature>& kernels() const override { return kernels_; }
  // Calls entry `index` with each argument's data + byte_offset, or an
  // aligned copy of it (runtime/staging.h); a non-zero status is a
  // RuntimeError naming the kernel and the status.
  void run(size_t index, const std::vector<const DLTensor*>& args) override;

 private:
  std::vector<KernelSignature> kernels_;
  std::vector<kiln_packed_fn> entries_;
  std::shared_ptr<void> keep_alive_;
  std::vector<std::unique_ptr<CopyReports>> copy_reports_;  // one per kernel
};

// "could not allocate its workspace (KILN_ERROR_WORKSPACE)" for a kiln_status.
std::string status_description(int32_t status);

}  // namespace kiln::runtime

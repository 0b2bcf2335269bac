// Running packed entries: flatten the arguments to data pointers (aligned
// copies where needed), call, and turn a status code into a RuntimeError.
#include "runtime/packed_function_module.h"

#include <array>

namespace kiln::runtime {

PackedFunctionModule::PackedFunctionModule(std::vector<KernelSignature> kernels,
                                           std::vector<kiln_packed_fn> entries,
                                           std::shared_ptr<void> keep_alive)
    : kernels_(std::move(kernels)),
      entries_(std::move(entries)),
      keep_alive_(std::move(keep_alive)) {
  if (kernels_.size() != entries_.size())
    throw RuntimeError("PackedFunctionModule: " + std::to_string(kernels_.size()) +
                       " kernel signatures but " + std::to_string(entries_.size()) +
                       " entries; pass one entry per kernel, in the same order");
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i] == nullptr)
      throw RuntimeError("PackedFunctionModule: the entry of kernel `" + kernels_[i].name +
                         "` is null; resolve its packed symbol before making the module");
    copy_reports_.push_back(std::make_unique<CopyReports>());
  }
}

void PackedFunctionModule::run(size_t index, const std::vector<const DLTensor*>& args) {
  // Most kernels have a few parameters: keep their pointers on the stack.
  std::array<void*, 16> small;
  std::vector<void*> large;
  void** data = small.data();
  if (args.size() > small.size()) {
    large.resize(args.size());
    data = large.data();
  }
  StagedArguments staged(kernels_[index], args, data, *copy_reports_[index]);
  if (int32_t status = entries_[index](data); status != KILN_OK)
    throw RuntimeError("kernel `" + kernels_[index].name +
                       "` failed: " + status_description(status));
  staged.write_back();
}

std::string status_description(int32_t status) {
  switch (status) {
    case KILN_OK: return "no error (KILN_OK)";
    case KILN_ERROR_WORKSPACE: return "could not allocate its workspace (KILN_ERROR_WORKSPACE)";
  }
  return "status " + std::to_string(status) +
         ", which this runtime does not know (the module may be newer than the runtime; "
         "load it with the kiln that built it)";
}

}  // namespace kiln::runtime

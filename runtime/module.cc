// Module and Kernel: finding a kernel by name, checking a call's arguments,
// and the defaults for backends without source or export.
#include "runtime/module.h"

namespace kiln::runtime {

std::string ModuleNode::get_source(const std::string& format) const {
  throw RuntimeError("a `" + kind() + "` module has no `" + format +
                     "` source: it keeps no source of any format; get the source from the "
                     "module kiln.build returned, before export");
}

void ModuleNode::export_library(const std::string& path) const {
  throw RuntimeError("cannot export a `" + kind() + "` module to `" + path +
                     "`: this kind of module cannot be written as a shared library; build the "
                     "kernels for an llvm or cuda target and export that module");
}

Kernel::Kernel(std::shared_ptr<ModuleNode> module, size_t index)
    : module_(std::move(module)), index_(index) {
  if (!module_) throw RuntimeError("Kernel: the module is undefined");
  if (index_ >= module_->kernels().size())
    throw RuntimeError("Kernel: index " + std::to_string(index_) + " is out of range: the `" +
                       module_->kind() + "` module has " +
                       std::to_string(module_->kernels().size()) + " kernels");
}

const KernelSignature& Kernel::signature() const { return module_->kernels()[index_]; }

void Kernel::check(const std::vector<const DLTensor*>& args) const {
  check_arguments(signature(), args, module_->device_type());
}

void Kernel::operator()(const std::vector<const DLTensor*>& args) const {
  check(args);
  module_->run(index_, args);
}

void Kernel::operator()(const std::vector<NDArray>& args) const {
  std::vector<const DLTensor*> tensors;
  tensors.reserve(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].defined())
      throw RuntimeError("kernel `" + signature().name + "`, argument " + std::to_string(i) +
                         ": the NDArray is undefined (default-constructed); pass an allocated "
                         "one (NDArray::empty)");
    tensors.push_back(&args[i].tensor());
  }
  (*this)(tensors);
}

ModuleNode& Module::checked_node() const {
  if (!node_)
    throw RuntimeError(
        "the Module is undefined (default-constructed); get one from kiln::build "
        "or load_module");
  return *node_;
}

Kernel Module::get(const std::string& name) const {
  const std::vector<KernelSignature>& kernels = checked_node().kernels();
  for (size_t i = 0; i < kernels.size(); ++i) {
    if (kernels[i].name == name) return Kernel(node_, i);
  }
  std::string names;
  for (const KernelSignature& k : kernels) names += (names.empty() ? "" : ", ") + k.name;
  throw RuntimeError("the module has no kernel `" + name +
                     "`; its kernels are: " + (names.empty() ? "(none)" : names));
}

Kernel Module::entry() const {
  const std::vector<KernelSignature>& kernels = checked_node().kernels();
  if (kernels.size() == 1) return Kernel(node_, 0);
  if (kernels.empty()) throw RuntimeError("the module has no kernels, so there is none to call");
  std::string names;
  for (const KernelSignature& k : kernels) names += (names.empty() ? "" : ", ") + k.name;
  throw RuntimeError("the module has " + std::to_string(kernels.size()) + " kernels (" + names +
                     "), so calling it is ambiguous; pick one with module.get(\"name\")");
}

std::vector<std::string> Module::kernel_names() const {
  std::vector<std::string> names;
  for (const KernelSignature& k : checked_node().kernels()) names.push_back(k.name);
  return names;
}

}  // namespace kiln::runtime

// Module and Kernel: compiled code a user calls with tensors.
//
// A Module holds one or more kernels, each with a signature (parameter names,
// dtypes, static shapes). Calling checks every argument against the signature
// first: a wrong count, shape, dtype, device, layout or alignment is a
// RuntimeError naming the kernel, the parameter and the fix, never a crash.
// Backends (the LLVM JIT, an exported library, CUDA, OpenCL) implement
// ModuleNode; nothing here knows the compiler.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/error.h"
#include "runtime/ndarray.h"

namespace kiln::runtime {

struct ParamInfo {
  std::string name;
  DLDataType dtype;
  std::vector<int64_t> shape;
  bool written = true;  // false: the kernel only reads it
  // CPU: the alignment the kernel runs much faster with (a cache line, for a
  // buffer it reads with wide vectors many times over), 0 when none matters.
  // A host array not so aligned is copied to aligned memory for the call
  // (runtime/staging.h).
  int64_t preferred_alignment = 0;
};

struct KernelSignature {
  std::string name;
  std::vector<ParamInfo> params;
  // Bytes the kernel's entry needs every buffer's data aligned to. The
  // runtime copies a host array that is not; an array on a device must be.
  int64_t alignment = 16;
};

// Throws RuntimeError unless `args` fit `signature` on `device` (host arrays
// of any alignment fit: the module copies them where needed).
void check_arguments(const KernelSignature& signature, const std::vector<const DLTensor*>& args,
                     DLDeviceType device);

class ModuleNode {
 public:
  virtual ~ModuleNode() = default;
  // "llvm", "library" (a loaded shared library), "cuda", "opencl".
  virtual std::string kind() const = 0;
  // The device type the kernels' arguments live on.
  virtual DLDeviceType device_type() const { return kDLCPU; }
  virtual const std::vector<KernelSignature>& kernels() const = 0;
  // Runs kernel `index`; the arguments were checked already.
  virtual void run(size_t index, const std::vector<const DLTensor*>& args) = 0;
  // "ll", "asm", "cuda", "ptx", "cl", ...; throws RuntimeError listing the
  // formats this module has.
  virtual std::string get_source(const std::string& format) const;
  // Writes a shared library (and a C header beside it); throws RuntimeError
  // when the backend cannot.
  virtual void export_library(const std::string& path) const;
};

class Kernel {
 public:
  Kernel(std::shared_ptr<ModuleNode> module, size_t index);
  const KernelSignature& signature() const;
  ModuleNode* module() const { return module_.get(); }
  size_t index() const { return index_; }
  // Throws RuntimeError unless `args` fit the kernel (what a call checks).
  void check(const std::vector<const DLTensor*>& args) const;
  void operator()(const std::vector<const DLTensor*>& args) const;
  void operator()(const std::vector<NDArray>& args) const;
  template <typename... Arrays>
  void operator()(const NDArray& first, const Arrays&... rest) const {
    (*this)(std::vector<NDArray>{first, rest...});
  }

 private:
  std::shared_ptr<ModuleNode> module_;
  size_t index_;
};

class Module {
 public:
  Module() = default;
  explicit Module(std::shared_ptr<ModuleNode> node) : node_(std::move(node)) {}
  bool defined() const { return node_ != nullptr; }
  ModuleNode* node() const { return node_.get(); }
  // Throws RuntimeError listing the kernels when `name` is not one.
  Kernel get(const std::string& name) const;
  // The module's only kernel; throws when it has several.
  Kernel entry() const;
  std::vector<std::string> kernel_names() const;
  template <typename... Args>
  void operator()(const Args&... args) const {
    entry()(args...);
  }
  std::string get_source(const std::string& format) const {
    return checked_node().get_source(format);
  }
  void export_library(const std::string& path) const { checked_node().export_library(path); }

 private:
  // Throws RuntimeError when the module is undefined.
  ModuleNode& checked_node() const;

  std::shared_ptr<ModuleNode> node_;
};

// Loads a library written by Module::export_library (dlopen), wires its
// parallel loops to this process's thread pool and reads its kernels from the
// embedded metadata. A CUDA library's kernels run through the CUDA driver,
// found when first called. Throws RuntimeError when the file is missing or is
// not a kiln library.
Module load_module(const std::string& path);

}  // namespace kiln::runtime

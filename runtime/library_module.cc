// load_module: dlopen a kiln library, read its metadata, wire its parallel
// loops to this process's pool and resolve every kernel's packed entry.
#include "runtime/library_module.h"

#include <dlfcn.h>

#include <filesystem>
#include <system_error>

#include "runtime/cuda/cuda_module.h"
#include "runtime/metadata.h"

namespace kiln::runtime {

namespace fs = std::filesystem;

LibraryModule::LibraryModule(std::string path, std::vector<KernelSignature> kernels,
                             std::vector<kiln_packed_fn> entries, std::shared_ptr<void> handle)
    : PackedFunctionModule(std::move(kernels), std::move(entries), std::move(handle)),
      path_(std::move(path)) {}

namespace {

// A loaded library is already exported: exporting it again copies its file
// to `to`, with the C header beside it when there is one (libmm.h beside
// libmm.so).
void copy_library(const std::string& loaded_from, const std::string& to) {
  std::error_code ec;
  const fs::path from = loaded_from;
  if (fs::equivalent(from, to, ec)) return;  // it is that file already
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec)
    throw RuntimeError("cannot export the library loaded from `" + loaded_from + "` to `" + to +
                       "`: " + ec.message() + "; choose a path in a writable directory");
  const fs::path header_from = fs::path(from).replace_extension(".h");
  if (fs::exists(header_from, ec)) {
    fs::copy_file(header_from, fs::path(to).replace_extension(".h"),
                  fs::copy_options::overwrite_existing, ec);
    if (ec)
      throw RuntimeError("exported the library to `" + to + "` but not its header `" +
                         header_from.string() + "`: " + ec.message());
  }
}

// The functions of a CUDA library, launched through the CUDA driver as the
// module kiln::build made them is (it keeps copies of the library's bytes).
class CudaLibraryModule final : public cuda::CudaModuleNode {
 public:
  CudaLibraryModule(std::string path, cuda::CudaBinary binary, std::vector<GpuFunction> functions)
      : CudaModuleNode(std::move(binary), std::move(functions)), path_(std::move(path)) {}
  void export_library(const std::string& path) const override { copy_library(path_, path); }

 private:
  std::string path_;
};

std::string last_dl_error() {
  const char* e = dlerror();
  return e ? e : "unknown dlopen error";
}

// Step 3 of load_module for a CUDA library: its cubin, PTX and CUDA C.
Module load_cuda_library(const std::string& what, const std::string& path, void* handle,
                         const char* metadata) {
  CudaLibraryMetadata parsed;
  try {
    parsed = parse_cuda_metadata(metadata);
  } catch (const RuntimeError& e) {
    throw RuntimeError(what + ": the library's " + e.what() +
                       " (the file is damaged, or was not written by kiln)");
  }
  auto symbol = [&](const char* name) {
    const void* found = dlsym(handle, name);
    if (found == nullptr)
      throw RuntimeError(what + ": `" + path + "` is a CUDA library without the symbol `" + name +
                         "`; the file is damaged or was not written by Module.export_library");
    return found;
  };
  const auto* cubin = static_cast<const char*>(symbol(kCudaCubinSymbol));
  const auto* cubin_size = static_cast<const size_t*>(symbol(kCudaCubinSizeSymbol));
  cuda::CudaBinary binary{static_cast<const char*>(symbol(kCudaSourceSymbol)),
                          static_cast<const char*>(symbol(kCudaPtxSymbol)),
                          std::string(cubin, *cubin_size), parsed.arch};
  return Module(
      std::make_shared<CudaLibraryModule>(path, std::move(binary), std::move(parsed.functions)));
}

}  // namespace

void LibraryModule::export_library(const std::string& path) const { copy_library(path_, path); }

Module load_module(const std::string& path) {
  const std::string what = "load_module(\"" + path + "\")";
  // Step 1. The file: dlopen would search the library path for a bare name,
  // so name the file absolutely.
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw RuntimeError(what + ": there is no file at `" + path + "` (relative paths start at " +
                       fs::current_path(ec).string() +
                       "); pass the path Module.export_library wrote");
  const std::string absolute = fs::absolute(path, ec).string();
  void* raw = dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (raw == nullptr)
    throw RuntimeError(what + ": cannot load it as a shared library: " + last_dl_error() +
                       "; load a library that Module.export_library wrote on a machine like this");
  std::shared_ptr<void> handle(raw, [](void* h) { dlclose(h); });

  // Step 2. The metadata says which kernels it has and their signatures.
  const auto* metadata = static_cast<const char*>(dlsym(raw, "__kiln_module_metadata"));
  if (metadata == nullptr)
    throw RuntimeError(what + ": `" + path + "` is not a kiln library: it has no " +
                       "`__kiln_module_metadata` symbol; load only libraries written by " +
                       "Module.export_library");
  std::string kind;
  std::vector<KernelEntry> entries;
  try {
    kind = metadata_kind(metadata);
    if (kind == "cpu") entries = parse_metadata_entries(metadata);
  } catch (const RuntimeError& e) {
    throw RuntimeError(what + ": the library's " + e.what() +
                       " (the file is damaged, or was not written by kiln)");
  }
  // A CUDA library: the driver loads its cubin on the first call.
  if (kind == "cuda") return load_cuda_library(what, absolute, raw, metadata);
  if (kind != "cpu")
    throw RuntimeError(what + ": the library holds `" + kind +
                       "` kernels, and this runtime loads CPU and CUDA libraries only; load it "
                       "with the kiln that exported it");

  // Step 3. Its parallel loops run on this process's pool. A library with no
  // parallel loop may omit the hook.
  if (auto* hook = static_cast<kiln_parallel_for_fn*>(dlsym(raw, "__kiln_parallel_for")))
    *hook = &kiln_parallel_for;

  // Step 4. Every kernel's packed entry.
  std::vector<KernelSignature> kernels;
  std::vector<kiln_packed_fn> functions;
  for (KernelEntry& entry : entries) {
    void* symbol = dlsym(raw, entry.symbol.c_str());
    if (symbol == nullptr)
      throw RuntimeError(what + ": the metadata lists kernel `" + entry.signature.name +
                         "` but the library has no symbol `" + entry.symbol +
                         "`; the file is damaged or was not written by Module.export_library");
    functions.push_back(reinterpret_cast<kiln_packed_fn>(symbol));
    kernels.push_back(std::move(entry.signature));
  }
  return Module(std::make_shared<LibraryModule>(absolute, std::move(kernels), std::move(functions),
                                                std::move(handle)));
}

}  // namespace kiln::runtime

// The kernel metadata a compiled module embeds as `__kiln_module_metadata`
// (c_api.h), so that a loaded library knows its kernels' signatures:
//
//   {"version": 1, "kernels": [{"name": "matmul", "symbol": "matmul__packed",
//     "alignment": 16, "params": [{"name": "A", "dtype": "float32",
//     "shape": [64, 64], "written": false, "preferred_alignment": 64}, ...]},
//     ...]}
//
// "written" and "preferred_alignment" may be absent (libraries exported
// before kiln wrote them): true and 0.
//
// A CUDA library (export_library of a cuda module) holds no host code. Its
// metadata is
//
//   {"version": 1, "kind": "cuda", "arch": "sm_90", "functions": [...]}
//
// with each function as gpu_function_json writes it (gpu_launch.h), and the
// library defines kCudaCubinSymbol (kCudaCubinSizeSymbol bytes, a size_t),
// and kCudaPtxSymbol and kCudaSourceSymbol (the CUDA C), NUL-terminated.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "runtime/gpu_launch.h"
#include "runtime/module.h"

namespace kiln::runtime {

inline constexpr int kMetadataVersion = 1;

// A kernel as the metadata lists it: its signature and its packed entry.
struct KernelEntry {
  KernelSignature signature;
  std::string symbol;
};

// "matmul" -> "matmul__packed", the packed entry's symbol.
std::string packed_symbol(const std::string& kernel_name);

// The JSON text for `kernels`, each with symbol packed_symbol(name).
std::string metadata_json(const std::vector<KernelSignature>& kernels);

// One kernel's entry of the metadata ({"name", "symbol", "alignment",
// "params"}), and its inverse (throws RuntimeError naming `where`).
nlohmann::json signature_json(const KernelSignature& signature);
KernelSignature parse_signature(const nlohmann::json& json, const std::string& where);

// Inverses of metadata_json; throw RuntimeError naming the bad field
// ("kernels[0].params[1].dtype: ...") when `json` is not valid metadata.
std::vector<KernelEntry> parse_metadata_entries(const std::string& json);
std::vector<KernelSignature> parse_metadata(const std::string& json);

// "cpu" when the metadata has no "kind" (a library of host code), else its
// kind ("cuda"). Throws RuntimeError when `json` is not a metadata object of
// this version.
std::string metadata_kind(const std::string& json);

inline constexpr const char* kCudaCubinSymbol = "__kiln_cuda_cubin";
inline constexpr const char* kCudaCubinSizeSymbol = "__kiln_cuda_cubin_size";
inline constexpr const char* kCudaPtxSymbol = "__kiln_cuda_ptx";
inline constexpr const char* kCudaSourceSymbol = "__kiln_cuda_source";

struct CudaLibraryMetadata {
  std::string arch;  // "sm_90": what the cubin runs on
  std::vector<GpuFunction> functions;
};

// A CUDA library's metadata text, and its inverse (throws RuntimeError
// naming the bad field).
std::string cuda_metadata_json(const CudaLibraryMetadata& metadata);
CudaLibraryMetadata parse_cuda_metadata(const std::string& json);

}  // namespace kiln::runtime

#include "codegen/gpu/cuda_export.h"

#include <filesystem>

#include "codegen/c_header.h"
#include "codegen/shared_library.h"
#include "runtime/metadata.h"

namespace kiln::codegen::gpu {

namespace {

// `const type name[] = "...";`: the bytes as a C string literal, one
// literal per line, printable characters as they are and the rest as octal
// escapes (the compiler adds a NUL, so a text reads as a C string).
std::string byte_array(const std::string& type, const std::string& name, const std::string& bytes) {
  std::string out = "const " + type + " " + name + "[] =\n  \"";
  size_t line = 0;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\' && c != '?') {
      out += c;
      ++line;
    } else {
      const char escaped[5] = {'\\', static_cast<char>('0' + (byte >> 6)),
                               static_cast<char>('0' + ((byte >> 3) & 7)),
                               static_cast<char>('0' + (byte & 7)), 0};
      out += escaped;
      line += 4;
    }
    if (line >= 96 || c == '\n') {
      out += "\"\n  \"";
      line = 0;
    }
  }
  return out + "\";\n";
}

}  // namespace

CompiledCudaModule::CompiledCudaModule(runtime::cuda::CudaBinary binary,
                                       std::vector<runtime::GpuFunction> functions,
                                       std::string target)
    : CudaModuleNode(std::move(binary), std::move(functions)), target_(std::move(target)) {}

void CompiledCudaModule::export_library(const std::string& path) const {
  const std::string library = std::filesystem::path(path).filename().string();
  write_shared_library(path, {"kernels.c", cuda_library_source(binary(), functions())},
                       cuda_c_header(functions(), library, target_, binary().arch));
}

std::string cuda_library_source(const runtime::cuda::CudaBinary& binary,
                                const std::vector<runtime::GpuFunction>& functions) {
  std::string out =
      "/* A CUDA library written by kiln's export_library. */\n#include <stddef.h>\n\n";
  out += byte_array("char", "__kiln_module_metadata",
                    runtime::cuda_metadata_json({binary.arch, functions}));
  out += byte_array("unsigned char", runtime::kCudaCubinSymbol, binary.cubin);
  out += "const size_t " + std::string(runtime::kCudaCubinSizeSymbol) + " = " +
         std::to_string(binary.cubin.size()) + ";\n";
  out += byte_array("char", runtime::kCudaPtxSymbol, binary.ptx);
  out += byte_array("char", runtime::kCudaSourceSymbol, binary.source);
  return out;
}

}  // namespace kiln::codegen::gpu

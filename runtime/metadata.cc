// Writing and reading the module metadata (metadata.h). The reader checks
// every field, since the text comes from a file on disk.
#include "runtime/metadata.h"

#include <nlohmann/json.hpp>

namespace kiln::runtime {

namespace {

using nlohmann::json;

// A JSON value as a message shows it: whole when short, cut when long.
std::string brief(const json& value) {
  std::string text = value.dump();
  return text.size() <= 60 ? text : text.substr(0, 57) + "...";
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw RuntimeError("kernel metadata: " + where + ": " + what);
}

const json& field(const json& object, const char* name, const std::string& where) {
  auto it = object.find(name);
  if (it == object.end()) fail(where, std::string("the field `") + name + "` is missing");
  return *it;
}

std::string string_field(const json& object, const char* name, const std::string& where) {
  const json& value = field(object, name, where);
  if (!value.is_string()) fail(where + "." + name, "expected a string, found " + brief(value));
  return value.get<std::string>();
}

int64_t integer(const json& value, const std::string& where, int64_t min) {
  if (!value.is_number_integer() || value.get<int64_t>() < min)
    fail(where,
         "expected a whole number of at least " + std::to_string(min) + ", found " + brief(value));
  return value.get<int64_t>();
}

const json& array_field(const json& object, const char* name, const std::string& where) {
  const json& value = field(object, name, where);
  if (!value.is_array()) fail(where + "." + name, "expected an array, found " + brief(value));
  return value;
}

ParamInfo parse_param(const json& p, const std::string& where) {
  if (!p.is_object()) fail(where, "expected an object, found " + brief(p));
  ParamInfo param;
  param.name = string_field(p, "name", where);
  const std::string dtype = string_field(p, "dtype", where);
  try {
    param.dtype = parse_dtype(dtype);
  } catch (const RuntimeError& e) {
    fail(where + ".dtype", e.what());
  }
  const json& shape = array_field(p, "shape", where);
  for (size_t d = 0; d < shape.size(); ++d)
    param.shape.push_back(integer(shape[d], where + ".shape[" + std::to_string(d) + "]", 0));
  // Optional (libraries exported before kiln wrote them): the safe defaults.
  if (auto it = p.find("written"); it != p.end()) {
    if (!it->is_boolean()) fail(where + ".written", "expected true or false, found " + brief(*it));
    param.written = it->get<bool>();
  }
  if (auto it = p.find("preferred_alignment"); it != p.end())
    param.preferred_alignment = integer(*it, where + ".preferred_alignment", 0);
  return param;
}

}  // namespace

KernelSignature parse_signature(const json& k, const std::string& where) {
  if (!k.is_object()) fail(where, "expected an object, found " + brief(k));
  KernelSignature sig;
  sig.name = string_field(k, "name", where);
  const int64_t alignment = integer(field(k, "alignment", where), where + ".alignment", 1);
  if ((alignment & (alignment - 1)) != 0)
    fail(where + ".alignment", "expected a power of two, found " + std::to_string(alignment));
  sig.alignment = alignment;
  const json& params = array_field(k, "params", where);
  for (size_t i = 0; i < params.size(); ++i)
    sig.params.push_back(parse_param(params[i], where + ".params[" + std::to_string(i) + "]"));
  return sig;
}

json signature_json(const KernelSignature& k) {
  json params = json::array();
  for (const ParamInfo& p : k.params)
    params.push_back({{"name", p.name},
                      {"dtype", dtype_str(p.dtype)},
                      {"shape", p.shape},
                      {"written", p.written},
                      {"preferred_alignment", p.preferred_alignment}});
  return {{"name", k.name},
          {"symbol", packed_symbol(k.name)},
          {"alignment", k.alignment},
          {"params", std::move(params)}};
}

namespace {

KernelEntry parse_kernel(const json& k, const std::string& where) {
  KernelEntry entry;
  if (k.is_object()) entry.symbol = string_field(k, "symbol", where);
  entry.signature = parse_signature(k, where);
  return entry;
}

}  // namespace

std::string packed_symbol(const std::string& kernel_name) { return kernel_name + "__packed"; }

std::string metadata_json(const std::vector<KernelSignature>& kernels) {
  json list = json::array();
  for (const KernelSignature& k : kernels) list.push_back(signature_json(k));
  return json{{"version", kMetadataVersion}, {"kernels", std::move(list)}}.dump();
}

namespace {

// The metadata object, its version checked.
json parse_root(const std::string& text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    fail("the text", std::string("is not JSON (") + e.what() + ")");
  }
  if (!root.is_object()) fail("the text", "expected a JSON object, found " + brief(root));
  const int64_t version = integer(field(root, "version", "the object"), "version", 1);
  if (version != kMetadataVersion)
    fail("version", "the module has metadata version " + std::to_string(version) +
                        ", this runtime reads version " + std::to_string(kMetadataVersion) +
                        "; load it with the kiln that exported it, or export it again");
  return root;
}

}  // namespace

std::string metadata_kind(const std::string& text) {
  const json root = parse_root(text);
  if (!root.contains("kind")) return "cpu";
  return string_field(root, "kind", "the object");
}

std::string cuda_metadata_json(const CudaLibraryMetadata& metadata) {
  json functions = json::array();
  for (const GpuFunction& f : metadata.functions) functions.push_back(gpu_function_json(f));
  return json{{"version", kMetadataVersion},
              {"kind", "cuda"},
              {"arch", metadata.arch},
              {"functions", std::move(functions)}}
      .dump();
}

CudaLibraryMetadata parse_cuda_metadata(const std::string& text) {
  const json root = parse_root(text);
  CudaLibraryMetadata metadata;
  metadata.arch = string_field(root, "arch", "the object");
  const json& functions = array_field(root, "functions", "the object");
  for (size_t i = 0; i < functions.size(); ++i)
    metadata.functions.push_back(
        parse_gpu_function(functions[i], "functions[" + std::to_string(i) + "]"));
  return metadata;
}

std::vector<KernelEntry> parse_metadata_entries(const std::string& text) {
  const json root = parse_root(text);
  const json& kernels = array_field(root, "kernels", "the object");
  std::vector<KernelEntry> entries;
  for (size_t i = 0; i < kernels.size(); ++i)
    entries.push_back(parse_kernel(kernels[i], "kernels[" + std::to_string(i) + "]"));
  return entries;
}

std::vector<KernelSignature> parse_metadata(const std::string& text) {
  std::vector<KernelSignature> signatures;
  for (KernelEntry& e : parse_metadata_entries(text)) signatures.push_back(std::move(e.signature));
  return signatures;
}

}  // namespace kiln::runtime

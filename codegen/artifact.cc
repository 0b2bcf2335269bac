// The byte form: "KILNART1", then four sections (runtime/byte_sections.h):
// the JSON header, binary, source, ptx. The header has
// the kind, the target, the signatures or launch descriptions, and the times.
#include "codegen/artifact.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "runtime/byte_sections.h"
#include "runtime/metadata.h"

namespace kiln::codegen {

namespace {

constexpr std::string_view kMagic = "KILNART1";

}  // namespace

std::string Artifact::serialize() const {
  nlohmann::json header = {{"kind", kind},
                           {"target", target},
                           {"times_ms",
                            {times.lower_ms, times.emit_ms, times.optimize_ms, times.codegen_ms,
                             times.jit_ms, times.optimize_cpu_ms, times.total_cpu_ms}}};
  nlohmann::json sigs = nlohmann::json::array();
  for (const runtime::KernelSignature& s : signatures) sigs.push_back(runtime::signature_json(s));
  header["signatures"] = std::move(sigs);
  nlohmann::json funcs = nlohmann::json::array();
  for (const runtime::GpuFunction& f : functions) funcs.push_back(runtime::gpu_function_json(f));
  header["functions"] = std::move(funcs);
  std::string out(kMagic);
  runtime::append_section(out, header.dump());
  runtime::append_section(out, binary);
  runtime::append_section(out, source);
  runtime::append_section(out, ptx);
  return out;
}

Artifact Artifact::deserialize(std::string_view bytes) {
  if (bytes.substr(0, kMagic.size()) != kMagic)
    throw std::invalid_argument("artifact: the bytes do not start with " + std::string(kMagic));
  bytes.remove_prefix(kMagic.size());
  Artifact a;
  std::string_view header_text;
  try {
    header_text = runtime::take_section(bytes, "header");
    a.binary = runtime::take_section(bytes, "binary");
    a.source = runtime::take_section(bytes, "source");
    a.ptx = runtime::take_section(bytes, "ptx");
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("artifact: ") + e.what());
  }
  try {
    const nlohmann::json header = nlohmann::json::parse(header_text);
    a.kind = header.at("kind").get<std::string>();
    a.target = header.at("target").get<std::string>();
    const auto t = header.at("times_ms").get<std::vector<double>>();
    if (t.size() != 7) throw std::invalid_argument("artifact: times_ms has " +
                                                   std::to_string(t.size()) + " entries, not 7");
    a.times = {t[0], t[1], t[2], t[3], t[4], t[5], t[6]};
    const nlohmann::json& sigs = header.at("signatures");
    for (size_t i = 0; i < sigs.size(); ++i)
      a.signatures.push_back(
          runtime::parse_signature(sigs[i], "signatures[" + std::to_string(i) + "]"));
    const nlohmann::json& funcs = header.at("functions");
    for (size_t i = 0; i < funcs.size(); ++i)
      a.functions.push_back(
          runtime::parse_gpu_function(funcs[i], "functions[" + std::to_string(i) + "]"));
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("artifact: bad header: ") + e.what());
  } catch (const runtime::RuntimeError& e) {
    throw std::invalid_argument(std::string("artifact: ") + e.what());
  }
  if (a.kind != "llvm" && a.kind != "cuda" && a.kind != "opencl")
    throw std::invalid_argument("artifact: unknown kind `" + a.kind + "`");
  return a;
}

}  // namespace kiln::codegen

// The module metadata: the agreed JSON format, a round trip, and an error
// naming the field for each way the text can be wrong.
#include "runtime/metadata.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cpp/runtime/expect_error.h"

namespace kiln::runtime {
namespace {

// The example the runtime and the LLVM backend agreed on.
constexpr const char* kAgreed = R"({"version": 1, "kernels": [{"name": "matmul",
  "symbol": "matmul__packed", "alignment": 16, "params": [
  {"name": "A", "dtype": "float32", "shape": [64, 64]},
  {"name": "B", "dtype": "float32", "shape": [64, 64]},
  {"name": "C", "dtype": "float32", "shape": [64, 64]}]}]})";

TEST(Metadata, ReadsTheAgreedFormat) {
  std::vector<KernelEntry> entries = parse_metadata_entries(kAgreed);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].symbol, "matmul__packed");
  const KernelSignature& k = entries[0].signature;
  EXPECT_EQ(k.name, "matmul");
  EXPECT_EQ(k.alignment, 16);
  ASSERT_EQ(k.params.size(), 3u);
  EXPECT_EQ(k.params[1].name, "B");
  EXPECT_EQ(dtype_str(k.params[1].dtype), "float32");
  EXPECT_EQ(k.params[1].shape, (std::vector<int64_t>{64, 64}));
  // Without "written" and "preferred_alignment" (libraries exported before
  // kiln wrote them): written, no alignment wanted.
  EXPECT_TRUE(k.params[1].written);
  EXPECT_EQ(k.params[1].preferred_alignment, 0);
}

TEST(Metadata, WritesTheAgreedFormatAndReadsItBack) {
  std::vector<KernelSignature> kernels = {
      {"matmul",
       {{"A", parse_dtype("float32"), {64, 64}, false, 64}, {"C", parse_dtype("float32"), {64, 64}}},
       16},
      {"mask \"x\"", {{"m", parse_dtype("bool"), {}}, {"y", parse_dtype("bfloat16"), {3}}}, 64},
  };
  const std::string text = metadata_json(kernels);
  // Exactly the agreed fields, nothing more.
  const nlohmann::json json = nlohmann::json::parse(text);
  EXPECT_EQ(json.size(), 2u);
  EXPECT_EQ(json["version"], 1);
  EXPECT_EQ(json["kernels"][0], nlohmann::json::parse(R"({"name": "matmul",
      "symbol": "matmul__packed", "alignment": 16, "params": [
      {"name": "A", "dtype": "float32", "shape": [64, 64], "written": false,
       "preferred_alignment": 64},
      {"name": "C", "dtype": "float32", "shape": [64, 64], "written": true,
       "preferred_alignment": 0}]})"));
  EXPECT_EQ(json["kernels"][1]["params"][0],
            nlohmann::json::parse(R"({"name": "m", "dtype": "bool", "shape": [], "written": true,
                                      "preferred_alignment": 0})"));

  std::vector<KernelSignature> back = parse_metadata(text);
  ASSERT_EQ(back.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(back[k].name, kernels[k].name);
    EXPECT_EQ(back[k].alignment, kernels[k].alignment);
    ASSERT_EQ(back[k].params.size(), kernels[k].params.size());
    for (size_t p = 0; p < back[k].params.size(); ++p) {
      EXPECT_EQ(back[k].params[p].name, kernels[k].params[p].name);
      EXPECT_TRUE(back[k].params[p].dtype == kernels[k].params[p].dtype);
      EXPECT_EQ(back[k].params[p].shape, kernels[k].params[p].shape);
      EXPECT_EQ(back[k].params[p].written, kernels[k].params[p].written);
      EXPECT_EQ(back[k].params[p].preferred_alignment, kernels[k].params[p].preferred_alignment);
    }
  }
  EXPECT_EQ(packed_symbol("conv2d"), "conv2d__packed");
}

TEST(Metadata, ErrorsNameTheBadField) {
  EXPECT_RUNTIME_ERROR(parse_metadata("{not json"), "kernel metadata: the text", "is not JSON");
  EXPECT_RUNTIME_ERROR(parse_metadata("[1, 2]"), "expected a JSON object, found [1,2]");
  EXPECT_RUNTIME_ERROR(parse_metadata(R"({"kernels": []})"), "the field `version` is missing");
  EXPECT_RUNTIME_ERROR(parse_metadata(R"({"version": 2, "kernels": []})"), "metadata version 2",
                       "this runtime reads version 1", "export it again");
  EXPECT_RUNTIME_ERROR(parse_metadata(R"({"version": 1, "kernels": {}})"),
                       "the object.kernels: expected an array");
  EXPECT_RUNTIME_ERROR(parse_metadata(R"({"version": 1, "kernels": [{"name": "k"}]})"),
                       "kernels[0]: the field `symbol` is missing");
  const std::string head = R"({"version": 1, "kernels": [{"name": "k", "symbol": "k__packed", )";
  EXPECT_RUNTIME_ERROR(parse_metadata(head + R"("alignment": 12, "params": []}]})"),
                       "kernels[0].alignment: expected a power of two, found 12");
  EXPECT_RUNTIME_ERROR(parse_metadata(head + R"("alignment": "16", "params": []}]})"),
                       "kernels[0].alignment: expected a whole number of at least 1");
  EXPECT_RUNTIME_ERROR(
      parse_metadata(head + R"("alignment": 16, "params": [{"name": "A", "dtype": "floaty",
                                "shape": [2]}]}]})"),
      "kernels[0].params[0].dtype: unknown dtype `floaty`");
  EXPECT_RUNTIME_ERROR(
      parse_metadata(head + R"("alignment": 16, "params": [{"name": "A", "dtype": "int8"},
                                {"name": "B", "dtype": "int8", "shape": [2, -1]}]}]})"),
      "kernels[0].params[0]: the field `shape` is missing");
  EXPECT_RUNTIME_ERROR(
      parse_metadata(head + R"("alignment": 16, "params": [{"name": "B", "dtype": "int8",
                                "shape": [2, -1]}]}]})"),
      "kernels[0].params[0].shape[1]: expected a whole number of at least 0, found -1");
  EXPECT_RUNTIME_ERROR(
      parse_metadata(head + R"("alignment": 16, "params": [{"name": 7, "dtype": "int8",
                                "shape": []}]}]})"),
      "kernels[0].params[0].name: expected a string, found 7");
  EXPECT_RUNTIME_ERROR(
      parse_metadata(head + R"("alignment": 16, "params": [{"name": "A", "dtype": "int8",
                                "shape": [], "written": 1}]}]})"),
      "kernels[0].params[0].written: expected true or false, found 1");
  EXPECT_RUNTIME_ERROR(
      parse_metadata(head + R"("alignment": 16, "params": [{"name": "A", "dtype": "int8",
                                "shape": [], "preferred_alignment": -64}]}]})"),
      "kernels[0].params[0].preferred_alignment: expected a whole number of at least 0");
}

// A CUDA library's metadata: the arch and each function's launches.
TEST(Metadata, CudaLibrariesRoundTripAndSayTheirKind) {
  GpuFunction f;
  f.signature = {"add",
                 {{"A", parse_dtype("float32"), {256}}, {"C", parse_dtype("float32"), {256}}}};
  f.kernels = {{"add_kernel0", {{2, 1, 1}, {128, 1, 1}, 0}, {0, 2}},
               {"add_kernel1", {{1, 1, 1}, {256, 1, 1}, 65536}, {2, 1}}};
  f.written = {false, true};
  f.workspace_bytes = {1024};
  const std::string text = cuda_metadata_json({"sm_90", {f}});
  EXPECT_EQ(metadata_kind(text), "cuda");
  EXPECT_EQ(metadata_kind(kAgreed), "cpu");
  const CudaLibraryMetadata read = parse_cuda_metadata(text);
  EXPECT_EQ(read.arch, "sm_90");
  ASSERT_EQ(read.functions.size(), 1u);
  EXPECT_EQ(gpu_function_json(read.functions[0]), gpu_function_json(f));

  EXPECT_RUNTIME_ERROR(metadata_kind(R"({"version": 2, "kind": "cuda"})"), "metadata version 2");
  EXPECT_RUNTIME_ERROR(parse_cuda_metadata(R"({"version": 1, "kind": "cuda", "functions": []})"),
                       "the field `arch` is missing");
  EXPECT_RUNTIME_ERROR(
      parse_cuda_metadata(R"({"version": 1, "kind": "cuda", "arch": "sm_90", "functions": [{}]})"),
      "GPU launch description functions[0]");
}

}  // namespace
}  // namespace kiln::runtime

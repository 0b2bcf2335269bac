// Module, Kernel and PackedFunctionModule with kernels compiled into this
// test: lookup by name, calls with NDArrays and DLTensors, status codes as
// errors, and the defaults of backends without source or export.
#include "runtime/module.h"

#include <gtest/gtest.h>

#include "runtime/packed_function_module.h"
#include "tests/cpp/runtime/expect_error.h"

namespace kiln::runtime {
namespace {

extern "C" int32_t scale_packed(void* const* args) {
  const float* x = static_cast<const float*>(args[0]);
  float* y = static_cast<float*>(args[1]);
  for (int i = 0; i < 16; ++i) y[i] = 2.0f * x[i];
  return KILN_OK;
}

extern "C" int32_t workspace_failure_packed(void* const*) { return KILN_ERROR_WORKSPACE; }
extern "C" int32_t unknown_failure_packed(void* const*) { return 42; }

KernelSignature signature(const std::string& name) {
  const DLDataType f32 = parse_dtype("float32");
  return KernelSignature{name, {{"x", f32, {16}}, {"y", f32, {16}}}, 16};
}

// A module of the kernels above, as a backend would make one.
class TestModule final : public PackedFunctionModule {
 public:
  TestModule(std::vector<KernelSignature> kernels, std::vector<kiln_packed_fn> entries)
      : PackedFunctionModule(std::move(kernels), std::move(entries), nullptr) {}
  std::string kind() const override { return "test"; }
};

Module make_module(std::vector<std::string> names) {
  std::vector<KernelSignature> kernels;
  std::vector<kiln_packed_fn> entries;
  for (const std::string& n : names) {
    kernels.push_back(signature(n));
    entries.push_back(n == "scale"               ? scale_packed
                      : n == "workspace_failure" ? workspace_failure_packed
                                                 : unknown_failure_packed);
  }
  return Module(std::make_shared<TestModule>(std::move(kernels), std::move(entries)));
}

NDArray iota(int n) {
  NDArray a = NDArray::empty({n}, parse_dtype("float32"));
  for (int i = 0; i < n; ++i) static_cast<float*>(a.data())[i] = static_cast<float>(i);
  return a;
}

TEST(Module, CallsItsOnlyKernelWithNDArrays) {
  Module m = make_module({"scale"});
  EXPECT_EQ(m.kernel_names(), std::vector<std::string>{"scale"});
  NDArray x = iota(16), y = NDArray::empty({16}, parse_dtype("float32"));
  m(x, y);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(static_cast<float*>(y.data())[i], 2.0f * i);
  m.get("scale")(std::vector<NDArray>{y, x});
  EXPECT_EQ(static_cast<float*>(x.data())[15], 60.0f);
}

TEST(Module, FoldsByteOffsetIntoTheDataPointer) {
  Module m = make_module({"scale"});
  NDArray big = iota(32), y = NDArray::empty({16}, parse_dtype("float32"));
  DLTensor view = big.tensor();  // the second half of `big`, through byte_offset
  int64_t shape[] = {16};
  view.shape = shape;
  view.byte_offset = 16 * sizeof(float);
  m.entry()({&view, &y.tensor()});
  EXPECT_EQ(static_cast<float*>(y.data())[0], 32.0f);
  EXPECT_EQ(static_cast<float*>(y.data())[15], 62.0f);
}

TEST(Module, ChecksArgumentsBeforeRunning) {
  Module m = make_module({"scale"});
  NDArray x = iota(16), wrong = NDArray::empty({8}, parse_dtype("float32"));
  EXPECT_RUNTIME_ERROR(m(x, wrong), "kernel `scale`, argument 1 (`y`)", "expected shape (16,)");
  EXPECT_RUNTIME_ERROR(m(x), "takes 2 arguments (x, y) but was given 1");
  EXPECT_RUNTIME_ERROR(m(x, NDArray()), "kernel `scale`, argument 1", "undefined");
}

TEST(Module, TurnsStatusCodesIntoErrors) {
  Module m = make_module({"workspace_failure", "newer"});
  NDArray x = iota(16), y = iota(16);
  EXPECT_RUNTIME_ERROR(m.get("workspace_failure")(x, y),
                       "kernel `workspace_failure` failed: could not allocate its workspace "
                       "(KILN_ERROR_WORKSPACE)");
  EXPECT_RUNTIME_ERROR(m.get("newer")(x, y), "kernel `newer` failed: status 42", "does not know");
}

TEST(Module, LookupErrorsListTheKernels) {
  Module m = make_module({"scale", "workspace_failure"});
  EXPECT_EQ(m.get("workspace_failure").signature().name, "workspace_failure");
  EXPECT_RUNTIME_ERROR(m.get("scal"), "no kernel `scal`",
                       "its kernels are: scale, workspace_failure");
  NDArray x = iota(16);
  EXPECT_RUNTIME_ERROR(m(x, x), "has 2 kernels (scale, workspace_failure)", "module.get(\"name\")");
  EXPECT_RUNTIME_ERROR(make_module({}).entry(), "no kernels");
}

TEST(Module, UndefinedModulesAndBadKernelsSaySo) {
  Module undefined;
  EXPECT_FALSE(undefined.defined());
  EXPECT_RUNTIME_ERROR(undefined.get("x"), "Module is undefined", "kiln::build");
  EXPECT_RUNTIME_ERROR(undefined.get_source("ll"), "Module is undefined");
  EXPECT_RUNTIME_ERROR(undefined.export_library("/tmp/x.so"), "Module is undefined");
  Module m = make_module({"scale"});
  EXPECT_RUNTIME_ERROR(Kernel(std::shared_ptr<ModuleNode>(m.node(), [](ModuleNode*) {}), 3),
                       "index 3 is out of range", "has 1 kernels");
}

TEST(Module, BackendsWithoutSourceOrExportSaySo) {
  Module m = make_module({"scale"});
  EXPECT_RUNTIME_ERROR(m.get_source("ll"), "a `test` module has no `ll` source");
  EXPECT_RUNTIME_ERROR(m.export_library("/tmp/libx.so"), "cannot export a `test` module",
                       "`/tmp/libx.so`");
}

TEST(PackedFunctionModule, RejectsMismatchedOrMissingEntries) {
  EXPECT_RUNTIME_ERROR(TestModule({signature("a"), signature("b")}, {scale_packed}),
                       "2 kernel signatures but 1 entries");
  EXPECT_RUNTIME_ERROR(TestModule({signature("a")}, {nullptr}), "entry of kernel `a` is null");
}

}  // namespace
}  // namespace kiln::runtime

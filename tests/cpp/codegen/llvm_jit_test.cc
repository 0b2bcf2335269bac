// The process-wide JIT: modules built and run from several threads at once,
// and code that lives exactly as long as a module or kernel refers to it.
#include <gtest/gtest.h>

#include <thread>

#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Var;

const DataType i32t = DataType::Int(32);

// Y[i] = X[i] * factor + i, in a parallel loop.
ir::PrimFunc scale(const std::string& name, int factor) {
  ir::Buffer x = flat("X", i32t, 256), y = flat("Y", i32t, 256);
  Var i("i");
  return ir::make_prim_func(
      name, {x, y}, loop(i, 256, store(y, load(x, i) * factor + i, i), ir::ForKind::kParallel));
}

bool runs_correctly(const runtime::Kernel& kernel, int factor) {
  runtime::NDArray x = runtime::NDArray::empty({256}, runtime::parse_dtype("int32"));
  runtime::NDArray y = runtime::NDArray::empty({256}, runtime::parse_dtype("int32"));
  for (int k = 0; k < 256; ++k) static_cast<int32_t*>(x.data())[k] = k - 100;
  kernel(x, y);
  for (int k = 0; k < 256; ++k) {
    if (static_cast<int32_t*>(y.data())[k] != (k - 100) * factor + k) return false;
  }
  return true;
}

TEST(LlvmJit, ConcurrentBuildsAndRuns) {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &ok] {
      for (int r = 0; r < 5; ++r) {
        const int factor = t * 10 + r;
        runtime::Module m = jit_build(scale("scale", factor));
        ok[t] += runs_correctly(m.entry(), factor);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 5));
}

TEST(LlvmJit, KernelKeepsItsCodeAfterTheModuleGoes) {
  runtime::Kernel kernel = [] {
    runtime::Module m = jit_build(scale("kept", 3));
    return m.entry();
  }();
  // Other modules come and go (their code is freed) meanwhile.
  for (int r = 0; r < 20; ++r) EXPECT_TRUE(runs_correctly(jit_build(scale("temp", r)).entry(), r));
  EXPECT_TRUE(runs_correctly(kernel, 3));
}

}  // namespace
}  // namespace kiln::codegen::testing

// What the backend refuses, and how it says so.
#include <gtest/gtest.h>

#include <algorithm>

#include "codegen/build.h"
#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Var;

std::string build_error(const ir::PrimFunc& f, const Target& target = Target("llvm")) {
  try {
    jit_build(f, target);
  } catch (const BuildError& e) {
    return e.what();
  }
  return "";
}

ir::PrimFunc copy_kernel(const std::string& name = "copy") {
  ir::Buffer a = flat("A", f32, 8), c = flat("C", f32, 8);
  Var i("i");
  return ir::make_prim_func(name, {a, c}, loop(i, 8, store(c, load(a, i), i)));
}

TEST(LlvmErrors, ThreadBindingIsAGpuSchedule) {
  ir::Buffer a = flat("A", f32, 64), c = flat("C", f32, 64);
  Var tx("tx");
  ir::Stmt body = ir::for_loop(tx, i32(0), i32(64), ir::ForKind::kThreadBinding,
                               store(c, load(a, tx), tx), "threadIdx.x");
  const std::string what = build_error(ir::make_prim_func("gpu_kernel", {a, c}, body));
  EXPECT_NE(what.find("`tx`"), std::string::npos) << what;
  EXPECT_NE(what.find("threadIdx.x"), std::string::npos) << what;
  EXPECT_NE(what.find("GPU schedule"), std::string::npos) << what;
  EXPECT_NE(what.find("target is llvm"), std::string::npos) << what;
}

ir::PrimFunc allocating(const std::string& scope) {
  ir::Buffer a = flat("A", f32, 8), c = flat("C", f32, 8), s = flat("S", f32, 8, scope);
  Var i("i"), j("j");
  ir::Stmt body = ir::allocate(s, ir::seq({loop(i, 8, store(s, load(a, i), i)),
                                           loop(j, 8, store(c, load(s, i32(7) - j), j))}));
  return ir::make_prim_func("uses_scope", {a, c}, body);
}

TEST(LlvmErrors, GpuOnlyStorageScopes) {
  // "shared" is ordinary memory on a CPU (the one thread runs the block).
  expect_matches_interpreter(allocating("shared"));
  const std::string what = build_error(allocating("wmma.accumulator"));
  EXPECT_NE(what.find("`S`"), std::string::npos) << what;
  EXPECT_NE(what.find("wmma.accumulator"), std::string::npos) << what;
}

TEST(LlvmErrors, TargetsTheBackendCannotRun) {
  EXPECT_NE(build_error(copy_kernel(), Target("cuda -arch=sm_90")).find("llvm"), std::string::npos);
  const std::string foreign =
      build_error(copy_kernel(), Target("llvm -mtriple=aarch64-linux-gnu -mcpu=generic"));
  EXPECT_NE(foreign.find("aarch64"), std::string::npos) << foreign;
}

// Code for features this CPU lacks builds (to read it or export it) and is
// refused when called, instead of dying of SIGILL.
TEST(LlvmErrors, CodeForFeaturesThisCpuLacksDoesNotRun) {
  const Target host("llvm");
  std::string lacking;
  for (const char* f : {"amx-tile", "avx512fp16", "avxifma", "avx512vp2intersect", "avx512f"}) {
    if (std::find(host.features.begin(), host.features.end(), f) == host.features.end()) {
      lacking = f;
      break;
    }
  }
  if (lacking.empty()) GTEST_SKIP() << "this CPU has every feature the test could ask for";
  runtime::Module m = jit_build(copy_kernel(), Target("llvm -mattr=+" + lacking));
  EXPECT_NE(m.get_source("asm").find("copy"), std::string::npos);
  runtime::NDArray a = runtime::NDArray::empty({8}, runtime::parse_dtype("float32"));
  runtime::NDArray b = runtime::NDArray::empty({8}, runtime::parse_dtype("float32"));
  try {
    m(a, b);
    FAIL() << "ran code for +" << lacking;
  } catch (const runtime::RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find(lacking), std::string::npos) << e.what();
  }
}

TEST(LlvmErrors, KernelNames) {
  ir::PrimFunc f = copy_kernel();
  EXPECT_THROW(build_llvm({{f, flat_signature(f)}, {f, flat_signature(f)}}, Target("llvm")),
               BuildError);
  EXPECT_THROW(jit_build(copy_kernel("not a name")), BuildError);
  EXPECT_THROW(build_llvm({}, Target("llvm")), BuildError);
}

TEST(LlvmErrors, BlocksMustBeLoweredFirst) {
  ir::Buffer a = flat("A", f32, 8);
  ir::PrimFunc f = ir::make_prim_func("unlowered", {a},
                                      ir::make_root_block(store(a, ir::float_imm(f32, 1), i32(0))));
  EXPECT_THROW(jit_build(f), std::logic_error);
}

}  // namespace
}  // namespace kiln::codegen::testing

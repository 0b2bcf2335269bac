// Elementwise kernels: vector loads and stores of Ramp indices with a scalar
// tail loop, several kernels in one module, and what get_source shows.
#include <gtest/gtest.h>

#include "codegen/llvm/llvm_backend.h"
#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

using ir::DataType;
using ir::Expr;
using ir::Var;

// C[i] = A[i] * B[i] + 1 over 8 lanes, then a scalar loop over the 3 left.
ir::PrimFunc vector_add_with_tail(int lanes, int64_t n) {
  const DataType f32 = DataType::Float(32);
  ir::Buffer a = flat("A", f32, n), b = flat("B", f32, n), c = flat("C", f32, n);
  Var io("io"), t("t");
  const int64_t main = n / lanes * lanes;
  Expr idx = ir::ramp(io * lanes, i32(1), lanes);
  ir::Stmt vector_part = loop(
      io, n / lanes,
      store(c, load(a, idx) * load(b, idx) + ir::broadcast(ir::float_imm(f32, 1), lanes), idx));
  Expr ti = t + i32(main);
  ir::Stmt tail =
      loop(t, n - main, store(c, load(a, ti) * load(b, ti) + ir::float_imm(f32, 1), ti));
  return ir::make_prim_func("vadd", {a, b, c}, ir::seq({vector_part, tail}));
}

TEST(LlvmElementwise, VectorRampWithScalarTail) {
  expect_matches_interpreter(vector_add_with_tail(8, 67));
  expect_matches_interpreter(vector_add_with_tail(4, 1003));
}

TEST(LlvmElementwise, SourceShowsNoaliasAndNames) {
  runtime::Module m = jit_build(vector_add_with_tail(8, 67));
  const std::string ll = m.get_source("ll");
  EXPECT_NE(ll.find("define"), std::string::npos);
  EXPECT_NE(ll.find("@vadd("), std::string::npos) << ll;
  EXPECT_NE(ll.find("@vadd__packed("), std::string::npos);
  EXPECT_NE(ll.find("noalias"), std::string::npos);
  EXPECT_NE(ll.find("align 16"), std::string::npos);
  EXPECT_NE(ll.find("%A"), std::string::npos);
  EXPECT_NE(ll.find("__kiln_module_metadata"), std::string::npos);
  EXPECT_NE(ll.find("__kiln_parallel_for"), std::string::npos);
  const std::string asm_text = m.get_source("asm");
  EXPECT_FALSE(asm_text.empty());
  EXPECT_NE(asm_text.find("vadd"), std::string::npos);
  EXPECT_THROW(m.get_source("cuda"), runtime::RuntimeError);
}

TEST(LlvmElementwise, ReadOnlyParametersAreMarked) {
  runtime::Module m = jit_build(vector_add_with_tail(8, 64));
  const std::string ll = m.get_source("ll");
  // A and B are only read; C is written.
  EXPECT_NE(ll.find("readonly align 16 dereferenceable(256) %A"), std::string::npos) << ll;
}

TEST(LlvmElementwise, SeveralKernelsInOneModule) {
  const DataType i32t = DataType::Int(32);
  ir::Buffer x = flat("X", i32t, 16), y = flat("Y", i32t, 16);
  Var i("i");
  ir::PrimFunc twice =
      ir::make_prim_func("twice", {x, y}, loop(i, 16, store(y, load(x, i) * 2, i)));
  ir::PrimFunc neg = ir::make_prim_func("negate", {x, y}, loop(i, 16, store(y, -load(x, i), i)));
  runtime::Module m =
      build_llvm({{twice, flat_signature(twice)}, {neg, flat_signature(neg)}}, Target("llvm"));
  EXPECT_EQ(m.kernel_names(), (std::vector<std::string>{"twice", "negate"}));
  runtime::NDArray a = runtime::NDArray::empty({16}, runtime::parse_dtype("int32"));
  runtime::NDArray b = runtime::NDArray::empty({16}, runtime::parse_dtype("int32"));
  for (int k = 0; k < 16; ++k) static_cast<int32_t*>(a.data())[k] = k - 5;
  m.get("twice")(a, b);
  EXPECT_EQ(static_cast<int32_t*>(b.data())[3], -4);
  m.get("negate")(a, b);
  EXPECT_EQ(static_cast<int32_t*>(b.data())[3], 2);
}

TEST(LlvmElementwise, AGivenCpu) {
  // A given CPU without features: the CPU's own features.
  expect_matches_interpreter(vector_add_with_tail(8, 40), {}, {}, 1, Target("llvm -mcpu=x86-64"));
  runtime::Module m = jit_build(vector_add_with_tail(8, 40), Target("llvm -mcpu=x86-64"));
  EXPECT_NE(m.get_source("ll").find("\"target-cpu\"=\"x86-64\""), std::string::npos);
}

}  // namespace
}  // namespace kiln::codegen::testing

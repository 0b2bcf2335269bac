// create_prim_func: the TensorIR form of compute graphs (blocks, iter kinds,
// regions, init), checked against hand-built functions and by properties.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ir/dsl/te.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/structural.h"

namespace kiln::te {
namespace {

using ir::BlockNode;
using ir::BlockRealizeNode;
using ir::DataType;
using ir::Expr;
using ir::ForNode;
using ir::Var;

constexpr DataType kF32 = DataType::Float(32);

// Every block below the root, with its realize, in program order.
class BlockCollector : public ir::IRVisitor {
 public:
  std::vector<const BlockRealizeNode*> realizes;

 protected:
  void visit_block_realize(const BlockRealizeNode* op) override {
    if (op->block->name != "root") realizes.push_back(op);
    IRVisitor::visit_block_realize(op);
  }
};

std::vector<const BlockRealizeNode*> blocks_of(const ir::PrimFunc& f) {
  BlockCollector c;
  c.visit(f->body);
  return c.realizes;
}

const BlockNode* root_of(const ir::PrimFunc& f) {
  const auto* realize = f->body.as<BlockRealizeNode>();
  EXPECT_NE(realize, nullptr);
  return realize->block.get();
}

std::string iter_kinds(const BlockNode& b) {
  std::string s;
  for (const ir::IterVar& iv : b.iter_vars) s += iv.kind == ir::IterKind::kSpatial ? "S" : "R";
  return s;
}

ir::Range point(Expr e) { return ir::Range{std::move(e), Expr(1)}; }

// The matmul TensorIR of the preamble, built node by node.
ir::PrimFunc expected_matmul(int64_t M, int64_t N, int64_t K) {
  ir::Buffer A = ir::make_buffer("A", kF32, std::vector<int64_t>{M, K});
  ir::Buffer B = ir::make_buffer("B", kF32, std::vector<int64_t>{K, N});
  ir::Buffer C = ir::make_buffer("C", kF32, std::vector<int64_t>{M, N});
  Var i("i"), j("j"), k("k"), vi("vi"), vj("vj"), vk("vk");
  auto block = std::make_shared<BlockNode>();
  block->name = "C";
  block->iter_vars = {{vi, {Expr(0), ir::index_imm(M)}, ir::IterKind::kSpatial},
                      {vj, {Expr(0), ir::index_imm(N)}, ir::IterKind::kSpatial},
                      {vk, {Expr(0), ir::index_imm(K)}, ir::IterKind::kReduction}};
  block->reads = {{A, {point(vi), point(vk)}}, {B, {point(vk), point(vj)}}};
  block->writes = {{C, {point(vi), point(vj)}}};
  block->init = ir::buffer_store(C, ir::make_zero(kF32), {vi, vj});
  block->body = ir::buffer_store(
      C, ir::buffer_load(C, {vi, vj}) + ir::buffer_load(A, {vi, vk}) * ir::buffer_load(B, {vk, vj}),
      {vi, vj});
  ir::Stmt s = ir::block_realize({i, j, k}, Expr(), block);
  s = ir::for_loop(k, Expr(0), ir::index_imm(K), ir::ForKind::kSerial, s);
  s = ir::for_loop(j, Expr(0), ir::index_imm(N), ir::ForKind::kSerial, s);
  s = ir::for_loop(i, Expr(0), ir::index_imm(M), ir::ForKind::kSerial, s);
  return ir::make_prim_func("matmul", {A, B, C}, ir::make_root_block(s));
}

ir::PrimFunc matmul(int64_t M, int64_t N, int64_t K) {
  Tensor A = placeholder({M, K}, kF32, "A");
  Tensor B = placeholder({K, N}, kF32, "B");
  ReduceAxis k = reduce_axis(0, K, "k");
  Tensor C = compute(
      {M, N}, [&](const std::vector<Var>& v) { return sum(A(v[0], k) * B(k, v[1]), {k}); }, "C");
  return create_prim_func({A, B, C}, "matmul");
}

TEST(TeCreatePrimFunc, MatmulMatchesHandBuiltTensorIR) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 5; ++trial) {
    int64_t M = 1 + rng() % 100, N = 1 + rng() % 100, K = 1 + rng() % 100;
    ir::PrimFunc f = matmul(M, N, K);
    EXPECT_TRUE(ir::structural_equal(f, expected_matmul(M, N, K))) << M << "x" << N << "x" << K;
    EXPECT_FALSE(ir::structural_equal(f, expected_matmul(M, N, K + 1)));
  }
}

TEST(TeCreatePrimFunc, MatmulBlockLoopsAndBindings) {
  ir::PrimFunc f = matmul(8, 16, 32);
  ASSERT_EQ(f->params.size(), 3u);
  EXPECT_EQ(f->params[2]->name, "C");
  EXPECT_EQ(f->name, "matmul");
  EXPECT_TRUE(root_of(f)->alloc_buffers.empty());
  auto blocks = blocks_of(f);
  ASSERT_EQ(blocks.size(), 1u);
  const BlockNode& b = *blocks[0]->block;
  EXPECT_EQ(b.name, "C");
  EXPECT_EQ(iter_kinds(b), "SSR");
  EXPECT_TRUE(b.init.defined());
  // Loops i, j, k with the tensor's extents, bound one to one.
  const ir::Stmt* s = &root_of(f)->body;
  std::vector<int64_t> extents;
  std::vector<std::string> names;
  while (const auto* loop = s->as<ForNode>()) {
    extents.push_back(*ir::as_const_int(loop->extent));
    names.push_back(loop->loop_var.name());
    EXPECT_EQ(loop->for_kind, ir::ForKind::kSerial);
    s = &loop->body;
  }
  EXPECT_EQ(extents, (std::vector<int64_t>{8, 16, 32}));
  EXPECT_EQ(names, (std::vector<std::string>{"i", "j", "k"}));
  EXPECT_EQ(b.iter_vars[0].var.name(), "vi");
  ASSERT_EQ(s->as<BlockRealizeNode>(), blocks[0]);
  // The computes' own axis variables never leak into the function.
  EXPECT_TRUE(is_const_int(blocks[0]->predicate, 1));
}

TEST(TeCreatePrimFunc, ChainAllocatesIntermediatesInTopologicalOrder) {
  Tensor X = placeholder({4, 8}, kF32, "X");
  Tensor W = placeholder({6, 8}, kF32, "W");
  Tensor bias = placeholder({6}, kF32, "bias");
  ReduceAxis k = reduce_axis(0, 8, "k");
  Tensor dense = compute(
      {4, 6}, [&](const std::vector<Var>& v) { return sum(X(v[0], k) * W(v[1], k), {k}); },
      "dense");
  Tensor biased = compute(
      {4, 6}, [&](const std::vector<Var>& v) { return dense(v[0], v[1]) + bias(v[1]); },
      "bias_add");
  Tensor out = compute(
      {4, 6}, [&](const std::vector<Var>& v) { return ir::max(biased(v[0], v[1]), Expr(0.0f)); },
      "relu");
  // Outputs first in args: the order of blocks still follows the data flow.
  ir::PrimFunc f = create_prim_func({out, X, W, bias});
  EXPECT_EQ(f->name, "main");
  ASSERT_EQ(f->params.size(), 4u);
  EXPECT_TRUE(f->params[0] == out.buffer());
  const BlockNode* root = root_of(f);
  ASSERT_EQ(root->alloc_buffers.size(), 2u);
  EXPECT_TRUE(root->alloc_buffers[0] == dense.buffer());
  EXPECT_TRUE(root->alloc_buffers[1] == biased.buffer());
  auto blocks = blocks_of(f);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0]->block->name, "dense");
  EXPECT_EQ(blocks[1]->block->name, "bias_add");
  EXPECT_EQ(blocks[2]->block->name, "relu");
  EXPECT_EQ(iter_kinds(*blocks[0]->block), "SSR");
  EXPECT_EQ(iter_kinds(*blocks[1]->block), "SS");
  EXPECT_FALSE(blocks[1]->block->init.defined());
  // bias_add reads dense[vi, vj] and bias[vj], writes bias_add[vi, vj].
  const BlockNode& b = *blocks[1]->block;
  ASSERT_EQ(b.reads.size(), 2u);
  EXPECT_TRUE(b.reads[0].buffer == dense.buffer());
  EXPECT_TRUE(b.reads[0].region[1].min.same_as(b.iter_vars[1].var));
  EXPECT_TRUE(b.reads[1].buffer == bias.buffer());
  ASSERT_EQ(b.writes.size(), 1u);
  EXPECT_TRUE(b.writes[0].buffer == biased.buffer());
  // The same graph gives the same function every time.
  EXPECT_TRUE(ir::structural_equal(f, create_prim_func({out, X, W, bias})));
}

// Property: for loads X[i + c] with random offsets c, the read region is the
// window [i + min c, i + max c], starting at the load with the smallest offset.
TEST(TeCreatePrimFunc, ReadRegionCoversConstantOffsets) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    int n = 1 + rng() % 4;
    std::vector<int> offsets;
    for (int t = 0; t < n; ++t) offsets.push_back(static_cast<int>(rng() % 7) - 3);
    Tensor X = placeholder({40}, kF32, "X");
    Tensor Y = compute(
        {30},
        [&](const std::vector<Var>& v) {
          Expr total = X(v[0] + 5 + offsets[0]);
          for (size_t t = 1; t < offsets.size(); ++t) total = total + X(v[0] + 5 + offsets[t]);
          return total;
        },
        "Y");
    ir::PrimFunc f = create_prim_func({X, Y});
    const BlockNode& b = *blocks_of(f)[0]->block;
    ASSERT_EQ(b.reads.size(), 1u);
    int lo = *std::min_element(offsets.begin(), offsets.end());
    int hi = *std::max_element(offsets.begin(), offsets.end());
    const ir::Range& r = b.reads[0].region[0];
    EXPECT_TRUE(is_const_int(r.extent, hi - lo + 1));
    EXPECT_TRUE(ir::structural_equal(r.min, b.iter_vars[0].var + 5 + lo))
        << "offsets lo " << lo << " hi " << hi;
  }
}

TEST(TeCreatePrimFunc, StridedConvIndexIsAPointAndDistinctIndicesAreCovered) {
  Tensor X = placeholder({1, 9, 9, 2}, kF32, "X");
  ReduceAxis r = reduce_axis(0, 3, "r");
  Tensor Y = compute(
      {1, 4, 9, 2},
      [&](const std::vector<Var>& v) { return sum(X(v[0], v[1] * 2 + r, v[2], v[3]), {r}); }, "Y",
      {"n", "h", "w", "c"});
  ir::PrimFunc conv = create_prim_func({X, Y});
  const BlockNode& b = *blocks_of(conv)[0]->block;
  EXPECT_EQ(iter_kinds(b), "SSSSR");
  ASSERT_EQ(b.reads.size(), 1u);
  for (const ir::Range& range : b.reads[0].region) EXPECT_TRUE(is_const_int(range.extent, 1));
  EXPECT_TRUE(
      ir::structural_equal(b.reads[0].region[1].min, b.iter_vars[1].var * 2 + b.iter_vars[4].var));

  // A[i, j] + A[j, i]: neither index is a constant shift of the other.
  Tensor A = placeholder({5, 5}, kF32, "A");
  Tensor S = compute(
      {5, 5}, [&](const std::vector<Var>& v) { return A(v[0], v[1]) + A(v[1], v[0]); }, "S");
  ir::PrimFunc sym = create_prim_func({A, S});
  const BlockNode& s = *blocks_of(sym)[0]->block;
  Expr vi = s.iter_vars[0].var, vj = s.iter_vars[1].var;
  const ir::Range& r0 = s.reads[0].region[0];
  EXPECT_TRUE(ir::structural_equal(r0.min, ir::min(vi, vj)));
  EXPECT_TRUE(ir::structural_equal(r0.extent, ir::max(vi, vj) - ir::min(vi, vj) + 1));
}

TEST(TeCreatePrimFunc, ReductionIdentitiesAndCombiners) {
  Tensor A = placeholder({3, 7}, kF32, "A");
  ReduceAxis k = reduce_axis(2, 7, "k");
  std::vector<ir::PrimFunc> keep_alive;
  auto lower = [&](auto reducer) {
    Tensor R = compute(
        {3}, [&](const std::vector<Var>& v) { return reducer(A(v[0], k), {k}); }, "R");
    keep_alive.push_back(create_prim_func({A, R}));
    return blocks_of(keep_alive.back())[0];
  };
  const BlockRealizeNode* mx = lower(max_reduce);
  const BlockRealizeNode* mn = lower(min_reduce);
  const BlockRealizeNode* sm = lower(sum);
  auto init_value = [](const BlockRealizeNode* r) {
    const auto* store = r->block->init.as<ir::BufferStoreNode>();
    return store->value.as<ir::FloatImmNode>()->value;
  };
  EXPECT_TRUE(std::isinf(init_value(mx)) && init_value(mx) < 0);
  EXPECT_TRUE(std::isinf(init_value(mn)) && init_value(mn) > 0);
  EXPECT_EQ(init_value(sm), 0.0);
  EXPECT_EQ(mx->block->body.as<ir::BufferStoreNode>()->value.kind(), ir::ExprKind::kMax);
  EXPECT_EQ(mn->block->body.as<ir::BufferStoreNode>()->value.kind(), ir::ExprKind::kMin);
  EXPECT_EQ(sm->block->body.as<ir::BufferStoreNode>()->value.kind(), ir::ExprKind::kAdd);
  // The reduce axis keeps its [2, 7) domain, in the iter var and in the loop.
  const ir::IterVar& rk = sm->block->iter_vars[1];
  EXPECT_TRUE(is_const_int(rk.dom.min, 2));
  EXPECT_TRUE(is_const_int(rk.dom.extent, 5));
}

TEST(TeCreatePrimFunc, CastsSelectsAndIntrinsics) {
  Tensor A = placeholder({4, 4}, DataType::Float(16), "A");
  Tensor P = compute(
      {6, 6},
      [&](const std::vector<Var>& v) {
        Expr inside = v[0] >= 1 && v[0] < 5 && v[1] >= 1 && v[1] < 5;
        return if_then_else(inside, ir::cast(kF32, A(v[0] - 1, v[1] - 1)), Expr(0.0f));
      },
      "pad");
  Tensor E = compute(
      {6, 6}, [&](const std::vector<Var>& v) { return exp(P(v[0], v[1])); }, "E");
  EXPECT_EQ(P.dtype(), kF32);
  ir::PrimFunc f = create_prim_func({A, E});
  auto blocks = blocks_of(f);
  ASSERT_EQ(blocks.size(), 2u);
  const auto* store = blocks[0]->block->body.as<ir::BufferStoreNode>();
  EXPECT_EQ(store->value.kind(), ir::ExprKind::kSelect);
  EXPECT_EQ(store->buffer->dtype, kF32);
  // The pad's read region is the shifted point (TVM records it the same way).
  EXPECT_TRUE(ir::structural_equal(blocks[0]->block->reads[0].region[0].min,
                                   blocks[0]->block->iter_vars[0].var - 1));
  const auto* call = blocks[1]->block->body.as<ir::BufferStoreNode>()->value.as<ir::CallNode>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->op, ir::Intrinsic::kExp);
}

TEST(TeCreatePrimFunc, SharedNamesAreMadeUniqueWithinABlock) {
  Tensor A = placeholder({3, 4}, kF32, "A");
  ReduceAxis i = reduce_axis(0, 4, "i");
  Tensor R =
      compute({3}, [&](const std::vector<Var>& v) { return sum(A(v[0], i), {i}); }, "R", {"i"});
  ir::PrimFunc f = create_prim_func({A, R});
  const BlockNode& b = *blocks_of(f)[0]->block;
  EXPECT_EQ(b.iter_vars[0].var.name(), "vi");
  EXPECT_EQ(b.iter_vars[1].var.name(), "vi_1");
}

static_assert(!std::is_convertible_v<Reduction, Expr>,
              "a reduction must not be usable inside an expression");

}  // namespace
}  // namespace kiln::te

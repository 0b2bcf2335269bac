// Whole programs through the interpreter, compared with the same computation
// written as plain C++ loops on random inputs.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

#include "interpreter_test_util.h"

namespace kiln::ir {
namespace {

using testing::BlockParts;
using testing::realize;
using testing::reduction;
using testing::serial;
using testing::spatial;
using testing::view;

const DataType kF32 = DataType::Float(32);

// C[i, j] += A[i, k] * B[k, j] with an init block; loops i, j, k.
PrimFunc matmul(int64_t m, int64_t n, int64_t k) {
  Buffer a = make_buffer("A", kF32, {m, k});
  Buffer b = make_buffer("B", kF32, {k, n});
  Buffer c = make_buffer("C", kF32, {m, n});
  Var i("i"), j("j"), r("k"), vi("vi"), vj("vj"), vk("vk");
  Stmt update = buffer_store(
      c, buffer_load(c, {vi, vj}) + buffer_load(a, {vi, vk}) * buffer_load(b, {vk, vj}), {vi, vj});
  Stmt block = realize({.name = "C",
                        .iter_vars = {spatial(vi, m), spatial(vj, n), reduction(vk, k)},
                        .bindings = {i, j, r},
                        .body = update,
                        .init = buffer_store(c, Expr(0.0f), {vi, vj})});
  return make_prim_func("matmul", {a, b, c},
                        make_root_block(serial(i, m, serial(j, n, serial(r, k, block)))));
}

// The same computation after split + reorder: k's outer part runs outside
// i and j, so init must fire at vk == 0 for each (vi, vj) even though other
// (vi, vj) have been updated in between; i's outer loop is thread-bound.
PrimFunc tiled_matmul(int64_t m, int64_t n, int64_t k) {
  Buffer a = make_buffer("A", kF32, {m, k});
  Buffer b = make_buffer("B", kF32, {k, n});
  Buffer c = make_buffer("C", kF32, {m, n});
  Var io("i_0"), ii("i_1"), j("j"), ko("k_0"), ki("k_1"), vi("vi"), vj("vj"), vk("vk");
  Stmt update = buffer_store(
      c, buffer_load(c, {vi, vj}) + buffer_load(a, {vi, vk}) * buffer_load(b, {vk, vj}), {vi, vj});
  Stmt block = realize({.name = "C",
                        .iter_vars = {spatial(vi, m), spatial(vj, n), reduction(vk, k)},
                        .bindings = {io * 4 + ii, j, ko * 2 + ki},
                        .body = update,
                        .init = buffer_store(c, Expr(0.0f), {vi, vj})});
  Stmt loops = serial(ko, k / 2, serial(ii, 4, serial(j, n, serial(ki, 2, block))));
  loops = for_loop(io, Expr(0), index_imm(m / 4), ForKind::kThreadBinding, loops, "blockIdx.x");
  return make_prim_func("tiled_matmul", {a, b, c}, make_root_block(loops));
}

std::vector<float> naive_matmul(const std::vector<float>& a, const std::vector<float>& b, int64_t m,
                                int64_t n, int64_t k) {
  std::vector<float> c(m * n);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int64_t r = 0; r < k; ++r) acc = acc + a[i * k + r] * b[r * n + j];
      c[i * n + j] = acc;
    }
  }
  return c;
}

TEST(InterpreterPrograms, MatmulWithInitMatchesLoops) {
  std::mt19937 rng(1);
  for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{8, 12, 6}, {33, 17, 29}}) {
    std::vector<float> a = testing::random_floats(m * k, rng);
    std::vector<float> b = testing::random_floats(k * n, rng);
    // Garbage in C: the result must not depend on it (init overwrites it).
    std::vector<float> c = testing::random_floats(m * n, rng, 100, 200);
    interpret(matmul(m, n, k),
              {view(a, kF32, {m, k}), view(b, kF32, {k, n}), view(c, kF32, {m, n})});
    // Each float32 operation rounds like C++ float arithmetic, so the results
    // are bit-identical, not just close.
    EXPECT_EQ(c, naive_matmul(a, b, m, n, k)) << m << "x" << n << "x" << k;
  }
}

TEST(InterpreterPrograms, ReorderedReductionRunsInitAtFirstReductionIteration) {
  std::mt19937 rng(2);
  const int64_t m = 8, n = 5, k = 6;
  std::vector<float> a = testing::random_floats(m * k, rng);
  std::vector<float> b = testing::random_floats(k * n, rng);
  std::vector<float> c(m * n, 7.0f);
  interpret(tiled_matmul(m, n, k),
            {view(a, kF32, {m, k}), view(b, kF32, {k, n}), view(c, kF32, {m, n})});
  EXPECT_EQ(c, naive_matmul(a, b, m, n, k));
}

// B = A * 2 into a root-allocated intermediate, then C = B + 1, fused under
// one loop over rows (what compute_at produces).
TEST(InterpreterPrograms, FusedChainThroughAllocatedIntermediate) {
  const int64_t rows = 7, cols = 9;
  Buffer a = make_buffer("A", kF32, {rows, cols});
  Buffer tmp = make_buffer("T", kF32, {rows, cols});
  Buffer c = make_buffer("C", kF32, {rows, cols});
  Var i("i"), j0("j"), j1("j"), vi("vi"), vj("vj"), wi("vi"), wj("vj");
  Stmt produce = realize({.name = "T",
                          .iter_vars = {spatial(vi, rows), spatial(vj, cols)},
                          .bindings = {i, j0},
                          .body = buffer_store(tmp, buffer_load(a, {vi, vj}) * 2.0f, {vi, vj})});
  Stmt consume = realize({.name = "C",
                          .iter_vars = {spatial(wi, rows), spatial(wj, cols)},
                          .bindings = {i, j1},
                          .body = buffer_store(c, buffer_load(tmp, {wi, wj}) + 1.0f, {wi, wj})});
  Stmt body = serial(i, rows, seq({serial(j0, cols, produce), serial(j1, cols, consume)}));
  PrimFunc func = make_prim_func("chain", {a, c}, make_root_block(body, {tmp}));

  std::mt19937 rng(3);
  std::vector<float> in = testing::random_floats(rows * cols, rng);
  std::vector<float> out(rows * cols, 0.0f);
  interpret(func, {view(in, kF32, {rows, cols}), view(out, kF32, {rows, cols})});
  for (int64_t e = 0; e < rows * cols; ++e) EXPECT_EQ(out[e], in[e] * 2.0f + 1.0f) << e;
}

TEST(InterpreterPrograms, UnwrittenAllocationReadsAsPoison) {
  Buffer out_f = make_buffer("F", kF32, {4});
  Buffer out_i = make_buffer("I", DataType::Int(32), {4});
  Buffer tmp_f = make_buffer("TF", kF32, {4}, "local");
  Buffer tmp_i = make_buffer("TI", DataType::Int(32), {4}, "shared");
  Var i("i");
  Stmt body = serial(i, 4,
                     seq({buffer_store(out_f, buffer_load(tmp_f, {i}), {i}),
                          buffer_store(out_i, buffer_load(tmp_i, {i}), {i})}));
  PrimFunc func = make_prim_func("poison", {out_f, out_i}, make_root_block(body, {tmp_f, tmp_i}));
  std::vector<float> f(4, 0.0f);
  std::vector<int32_t> n(4, 0);
  interpret(func, {view(f, kF32, {4}), view(n, DataType::Int(32), {4})});
  for (int e = 0; e < 4; ++e) {
    EXPECT_TRUE(std::isnan(f[e]));
    EXPECT_EQ(n[e], 2147483647);
  }
}

TEST(InterpreterPrograms, BlockAllocationIsFreshOnEveryEntry) {
  // Each iteration reads its block-local buffer before writing it: it must
  // see poison every time, not what the previous iteration left there.
  Buffer out = make_buffer("O", kF32, {3});
  Buffer local = make_buffer("L", kF32, {1}, "local");
  Var i("i"), vi("vi");
  Stmt block = realize({.name = "B",
                        .iter_vars = {spatial(vi, 3)},
                        .bindings = {i},
                        .body = seq({buffer_store(out, buffer_load(local, {0}), {vi}),
                                     buffer_store(local, Expr(5.0f), {0})}),
                        .alloc_buffers = {local}});
  PrimFunc func = make_prim_func("fresh", {out}, make_root_block(serial(i, 3, block)));
  std::vector<float> o(3, 0.0f);
  interpret(func, {view(o, kF32, {3})});
  for (float v : o) EXPECT_TRUE(std::isnan(v)) << v;
}

// int8 x int8 -> int32 dot products with a scalar Let and casts, the shape of
// a quantized matmul; compared with integer loops.
TEST(InterpreterPrograms, Int8DotProductAccumulatesInInt32) {
  const int64_t m = 6, k = 40;
  const DataType i8 = DataType::Int(8), i32 = DataType::Int(32);
  Buffer a = make_buffer("A", i8, {m, k});
  Buffer b = make_buffer("B", i8, {k});
  Buffer c = make_buffer("C", i32, {m});
  Var i("i"), r("k"), vi("vi"), vk("vk"), prod("prod", i32);
  Expr product = cast(i32, buffer_load(a, {vi, vk})) * cast(i32, buffer_load(b, {vk}));
  Stmt update = buffer_store(c, let(prod, product, buffer_load(c, {vi}) + prod), {vi});
  Stmt block = realize({.name = "C",
                        .iter_vars = {spatial(vi, m), testing::reduction(vk, k)},
                        .bindings = {i, r},
                        .body = update,
                        .init = buffer_store(c, Expr(0), {vi})});
  PrimFunc func =
      make_prim_func("dot", {a, b, c}, make_root_block(serial(i, m, serial(r, k, block))));
  std::mt19937 rng(7);
  std::vector<int8_t> x(m * k), y(k);
  for (int8_t& v : x) v = static_cast<int8_t>(rng());
  for (int8_t& v : y) v = static_cast<int8_t>(rng());
  std::vector<int32_t> out(m, -1);
  interpret(func, {view(x, i8, {m, k}), view(y, i8, {k}), view(out, i32, {m})});
  for (int64_t row = 0; row < m; ++row) {
    int32_t acc = 0;
    for (int64_t e = 0; e < k; ++e) acc += int32_t{x[row * k + e]} * int32_t{y[e]};
    EXPECT_EQ(out[row], acc) << row;
  }
}

// for i_0, i_1 in grid(13, 8): block with vi = i_0 * 8 + i_1 where vi < 100.
PrimFunc split_with_predicate(bool with_predicate) {
  Buffer a = make_buffer("A", kF32, {100});
  Buffer b = make_buffer("B", kF32, {100});
  Var io("i_0"), ii("i_1"), vi("vi");
  Expr x = buffer_load(a, {vi});
  Stmt block = realize({.name = "B",
                        .iter_vars = {spatial(vi, 100)},
                        .bindings = {io * 8 + ii},
                        .body = buffer_store(b, x * x + 1.0f, {vi}),
                        .predicate = with_predicate ? io * 8 + ii < 100 : Expr()});
  return make_prim_func("split", {a, b}, make_root_block(serial(io, 13, serial(ii, 8, block))));
}

TEST(InterpreterPrograms, SplitLoopWithPredicateCoversExactlyTheDomain) {
  std::mt19937 rng(4);
  std::vector<float> a = testing::random_floats(100, rng);
  std::vector<float> b(100, -5.0f);
  interpret(split_with_predicate(true), {view(a, kF32, {100}), view(b, kF32, {100})});
  for (int e = 0; e < 100; ++e) EXPECT_EQ(b[e], a[e] * a[e] + 1.0f) << e;
}

// A lowered-style program: an Allocate'd local buffer, LetStmt, vector loads
// and stores through Ramp indices, Broadcast, a vector Let, Select with a
// vector condition, a Cast, IfThenElse and Evaluate.
TEST(InterpreterPrograms, LoweredVectorProgramMatchesLoops) {
  const int64_t n = 64, w = 8;
  Buffer a = make_buffer("A", kF32, {n});
  Buffer b = make_buffer("B", kF32, {n});
  Buffer c = make_buffer("C", DataType::Int(32), {n});
  Buffer tmp = make_buffer("tmp", kF32, {w}, "local");
  Var i("i"), base("base"), t("t", DataType::Float(32, w));
  const DataType f32x8 = DataType::Float(32, w);
  Expr lanes = ramp(Expr(0), Expr(1), w);
  Expr zero = broadcast(Expr(0.0f), w);
  Stmt scale =
      buffer_store(tmp, buffer_load(a, {ramp(base, 1, w)}) * broadcast(Expr(2.0f), w), {lanes});
  Expr relu = let(t, buffer_load(tmp, {lanes}), select(t > zero, t, zero));
  Stmt write_b = buffer_store(b, relu + broadcast(Expr(1.0f), w), {ramp(base, 1, w)});
  Stmt write_c = if_then_else(
      eq(floormod(i, 2), 0),
      buffer_store(c, cast(DataType::Int(32, w), buffer_load(tmp, {lanes})), {ramp(base, 1, w)}),
      buffer_store(c, lanes * broadcast(Expr(10), w), {ramp(base + (w - 1), -1, w)}));
  Stmt check = evaluate(call(Intrinsic::kFabs, {buffer_load(tmp, {lanes})}));
  ASSERT_EQ(relu.dtype(), f32x8);
  Stmt body = let_stmt(base, i * w, seq({scale, write_b, write_c, check}));
  PrimFunc func = make_prim_func("lowered", {a, b, c}, allocate(tmp, serial(i, n / w, body)));

  std::mt19937 rng(5);
  std::vector<float> in = testing::random_floats(n, rng, -40, 40);
  std::vector<float> out_b(n, 0.0f);
  std::vector<int32_t> out_c(n, 0);
  interpret(func,
            {view(in, kF32, {n}), view(out_b, kF32, {n}), view(out_c, DataType::Int(32), {n})});
  for (int64_t blk = 0; blk < n / w; ++blk) {
    for (int64_t l = 0; l < w; ++l) {
      const int64_t e = blk * w + l;
      const float scaled = in[e] * 2.0f;
      EXPECT_EQ(out_b[e], (scaled > 0.0f ? scaled : 0.0f) + 1.0f) << e;
      if (blk % 2 == 0) {
        EXPECT_EQ(out_c[e], static_cast<int32_t>(scaled)) << e;
      } else {
        EXPECT_EQ(out_c[blk * w + (w - 1 - l)], l * 10) << e;
      }
    }
  }
}

TEST(InterpreterPrograms, ScalarSelectAndShortCircuitGuardLoads) {
  // pad[i] = select(1 <= i and i < 9, A[i - 1], 0): a padding pattern that
  // must never load A[-1] or A[8].
  Buffer a = make_buffer("A", kF32, {8});
  Buffer pad = make_buffer("P", kF32, {10});
  Buffer flag = make_buffer("F", DataType::Bool(), {10});
  Var i("i");
  Expr inside = logical_and(Expr(1) <= i, i < 9);
  Stmt body = seq({buffer_store(pad, select(inside, buffer_load(a, {i - 1}), Expr(0.0f)), {i}),
                   buffer_store(flag, logical_and(inside, buffer_load(a, {i - 1}) > 0.0f), {i})});
  PrimFunc func = make_prim_func("pad", {a, pad, flag}, make_root_block(serial(i, 10, body)));
  std::vector<float> in = {1, -2, 3, -4, 5, -6, 7, -8};
  std::vector<float> out(10, 9.0f);
  std::vector<uint8_t> flags(10, 7);
  interpret(func,
            {view(in, kF32, {8}), view(out, kF32, {10}), view(flags, DataType::Bool(), {10})});
  EXPECT_EQ(out, (std::vector<float>{0, 1, -2, 3, -4, 5, -6, 7, -8, 0}));
  EXPECT_EQ(flags, (std::vector<uint8_t>{0, 1, 0, 1, 0, 1, 0, 1, 0, 0}));
}

// The full 256^3 size only where timing means something: Debug and
// sanitizer builds run 64^3 so that the suite stays fast there.
#if defined(NDEBUG) && !defined(__SANITIZE_ADDRESS__)
constexpr int64_t kTimingSize = 256;
#else
constexpr int64_t kTimingSize = 64;
#endif

TEST(InterpreterPrograms, Matmul256TimingSanity) {
  const int64_t s = kTimingSize;
  std::mt19937 rng(6);
  std::vector<float> a = testing::random_floats(s * s, rng);
  std::vector<float> b = testing::random_floats(s * s, rng);
  std::vector<float> c(s * s, 0.0f);
  PrimFunc func = matmul(s, s, s);
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  interpret(func, {view(a, kF32, {s, s}), view(b, kF32, {s, s}), view(c, kF32, {s, s})});
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // CPU time too: on a loaded machine the wall time says little.
  std::printf("[ timing ] interpreter %lldx%lldx%lld float32 matmul: %.2f s wall, %.2f s cpu\n",
              static_cast<long long>(s), static_cast<long long>(s), static_cast<long long>(s),
              seconds, cpu_seconds);
  // Spot-check a few entries (the full comparison is in the tests above).
  for (int64_t e : {int64_t{0}, s * s / 2 + 17, s * s - 1}) {
    const int64_t i = e / s, j = e % s;
    float acc = 0.0f;
    for (int64_t r = 0; r < s; ++r) acc = acc + a[i * s + r] * b[r * s + j];
    EXPECT_EQ(c[e], acc);
  }
}

}  // namespace
}  // namespace kiln::ir

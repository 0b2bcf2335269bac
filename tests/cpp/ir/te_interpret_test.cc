// Differential tests of create_prim_func: the functions it builds, run by the
// reference interpreter on random inputs, agree with plain C++ loops.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "ir/dsl/te.h"
#include "ir/interpreter.h"

namespace kiln::te {
namespace {

using ir::DataType;
using ir::Expr;
using ir::Var;

constexpr DataType kF32 = DataType::Float(32);

std::vector<float> random_vector(size_t n, std::mt19937* rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(*rng);
  return v;
}

ir::TensorView view(std::vector<float>* data, std::vector<int64_t> shape) {
  return {data->data(), kF32, std::move(shape)};
}

TEST(TeInterpret, MatmulWithBiasReluChainMatchesLoops) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 4; ++trial) {
    int64_t M = 1 + rng() % 9, N = 1 + rng() % 9, K = 1 + rng() % 9;
    Tensor A = placeholder({M, K}, kF32, "A");
    Tensor B = placeholder({K, N}, kF32, "B");
    Tensor bias = placeholder({N}, kF32, "bias");
    ReduceAxis k = reduce_axis(0, K, "k");
    Tensor C = compute(
        {M, N}, [&](const std::vector<Var>& v) { return sum(A(v[0], k) * B(k, v[1]), {k}); }, "C");
    Tensor D = compute(
        {M, N},
        [&](const std::vector<Var>& v) { return ir::max(C(v[0], v[1]) + bias(v[1]), Expr(0.0f)); },
        "D");
    ir::PrimFunc f = create_prim_func({A, B, bias, D});

    std::vector<float> a = random_vector(M * K, &rng), b = random_vector(K * N, &rng),
                       c = random_vector(N, &rng), d(M * N, -7.0f);
    ir::interpret(f, {view(&a, {M, K}), view(&b, {K, N}), view(&c, {N}), view(&d, {M, N})});
    for (int64_t i = 0; i < M; ++i) {
      for (int64_t j = 0; j < N; ++j) {
        float acc = 0.0f;
        for (int64_t kk = 0; kk < K; ++kk) acc += a[i * K + kk] * b[kk * N + j];
        EXPECT_NEAR(d[i * N + j], std::max(acc + c[j], 0.0f), 1e-5f) << i << ", " << j;
      }
    }
  }
}

// A padded, strided window max over a reduce axis that does not start at 0,
// with a guarded (select) load: the pattern of pooling and convolution.
TEST(TeInterpret, PaddedStridedWindowMaxMatchesLoops) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 4; ++trial) {
    int64_t n = 3 + rng() % 10, pad = rng() % 3, stride = 1 + rng() % 2;
    int64_t lo = rng() % 2, hi = lo + 1 + rng() % 3;  // window taps [lo, hi)
    int64_t padded = n + 2 * pad;
    int64_t out = (padded - hi) / stride + 1;
    if (out < 1) continue;
    Tensor X = placeholder({n}, kF32, "X");
    Tensor P = compute(
        {padded},
        [&](const std::vector<Var>& v) {
          Expr inside = v[0] >= Expr(pad) && v[0] < Expr(n + pad);
          return if_then_else(inside, X(v[0] - Expr(pad)), ir::min_value(kF32));
        },
        "pad");
    ReduceAxis r = reduce_axis(lo, hi, "r");
    Tensor Y = compute(
        {out}, [&](const std::vector<Var>& v) { return max_reduce(P(v[0] * stride + r), {r}); },
        "Y");
    ir::PrimFunc f = create_prim_func({X, Y});
    std::vector<float> x = random_vector(n, &rng), y(out, 0.0f);
    ir::interpret(f, {view(&x, {n}), view(&y, {out})});
    for (int64_t o = 0; o < out; ++o) {
      float best = -INFINITY;
      for (int64_t t = lo; t < hi; ++t) {
        int64_t src = o * stride + t - pad;
        if (src >= 0 && src < n) best = std::max(best, x[src]);
      }
      EXPECT_EQ(y[o], best) << "n " << n << " pad " << pad << " stride " << stride << " o " << o;
    }
  }
}

}  // namespace
}  // namespace kiln::te

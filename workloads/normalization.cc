// Row-wise normalizations over the last axis: softmax and layernorm.
#include "workloads/common.h"
#include "workloads/registry.h"

namespace kiln::workloads {

namespace {

using ir::Expr;
using ir::Var;

// out[i, j] = exp(A[i, j] - max_k A[i, k]) / sum_k exp(A[i, k] - max_k A[i, k]).
ir::PrimFunc softmax(const Shape& s) {
  int64_t M = shape_value("softmax", s, "M"), N = shape_value("softmax", s, "N");
  te::Tensor A = te::placeholder({M, N}, kFloat32, "A");
  te::ReduceAxis k = te::reduce_axis(0, N, "k");
  te::Tensor row_max =
      te::compute({M}, [&](const std::vector<Var>& v) { return te::max_reduce(A(v[0], k), {k}); },
                  "row_max", {"i"});
  te::Tensor expd = te::compute(
      {M, N}, [&](const std::vector<Var>& v) { return te::exp(A(v[0], v[1]) - row_max(v[0])); },
      "exp", {"i", "j"});
  te::ReduceAxis k2 = te::reduce_axis(0, N, "k");
  te::Tensor row_sum =
      te::compute({M}, [&](const std::vector<Var>& v) { return te::sum(expd(v[0], k2), {k2}); },
                  "row_sum", {"i"});
  te::Tensor out = te::compute(
      {M, N}, [&](const std::vector<Var>& v) { return expd(v[0], v[1]) / row_sum(v[0]); },
      "softmax", {"i", "j"});
  return te::create_prim_func({A, out}, "softmax");
}

// out[i, j] = (A[i, j] - mean_i) / sqrt(var_i + 1e-5) * gamma[j] + beta[j], with
// the mean and the (biased) variance of row i computed in two passes.
ir::PrimFunc layernorm(const Shape& s) {
  int64_t M = shape_value("layernorm", s, "M"), N = shape_value("layernorm", s, "N");
  te::Tensor A = te::placeholder({M, N}, kFloat32, "A");
  te::Tensor gamma = te::placeholder({N}, kFloat32, "gamma");
  te::Tensor beta = te::placeholder({N}, kFloat32, "beta");
  Expr count = ir::make_const(kFloat32, static_cast<double>(N));
  te::ReduceAxis k = te::reduce_axis(0, N, "k");
  te::Tensor row_sum = te::compute(
      {M}, [&](const std::vector<Var>& v) { return te::sum(A(v[0], k), {k}); }, "row_sum", {"i"});
  te::ReduceAxis k2 = te::reduce_axis(0, N, "k");
  te::Tensor sq_sum = te::compute({M},
                                  [&](const std::vector<Var>& v) {
                                    Expr d = A(v[0], k2) - row_sum(v[0]) / count;
                                    return te::sum(d * d, {k2});
                                  },
                                  "sq_sum", {"i"});
  te::Tensor out =
      te::compute({M, N},
                  [&](const std::vector<Var>& v) {
                    Expr centered = A(v[0], v[1]) - row_sum(v[0]) / count;
                    Expr stddev = te::sqrt(sq_sum(v[0]) / count + ir::make_const(kFloat32, 1e-5));
                    return centered / stddev * gamma(v[1]) + beta(v[1]);
                  },
                  "layernorm", {"i", "j"});
  return te::create_prim_func({A, gamma, beta, out}, "layernorm");
}

}  // namespace

std::vector<WorkloadDef> normalization_workloads() {
  return {
      {"softmax",
       "softmax over the last axis of A (M, N): stages row_max -> exp -> row_sum -> softmax",
       {{"M", 64}, {"N", 64}},
       softmax},
      {"layernorm",
       "layer normalization over the last axis of A (M, N) with gamma (N,), beta (N,) and "
       "eps 1e-5: stages row_sum -> sq_sum (two-pass variance) -> layernorm",
       {{"M", 64}, {"N", 64}},
       layernorm},
  };
}

}  // namespace kiln::workloads

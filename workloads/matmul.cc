// Matrix products: matmul, batch_matmul, dense + bias + relu.
#include "workloads/common.h"
#include "workloads/registry.h"

namespace kiln::workloads {

namespace {

using ir::Var;

// C[i, j] = sum_k A[i, k] * B[k, j].
ir::PrimFunc matmul(const Shape& s) {
  int64_t M = shape_value("matmul", s, "M"), N = shape_value("matmul", s, "N"),
          K = shape_value("matmul", s, "K");
  te::Tensor A = te::placeholder({M, K}, kFloat32, "A");
  te::Tensor B = te::placeholder({K, N}, kFloat32, "B");
  te::ReduceAxis k = te::reduce_axis(0, K, "k");
  te::Tensor C = te::compute(
      {M, N}, [&](const std::vector<Var>& v) { return te::sum(A(v[0], k) * B(k, v[1]), {k}); }, "C",
      {"i", "j"});
  return te::create_prim_func({A, B, C}, "matmul");
}

// C[b, i, j] = sum_k A[b, i, k] * B[b, k, j]  (B[b, j, k] when transpose_b).
ir::PrimFunc batch_matmul(const Shape& s) {
  const std::string w = "batch_matmul";
  int64_t batch = shape_value(w, s, "B"), M = shape_value(w, s, "M"), N = shape_value(w, s, "N"),
          K = shape_value(w, s, "K"), transpose_b = shape_value(w, s, "transpose_b", 0);
  if (transpose_b > 1) invalid_shape(w, "transpose_b must be 0 or 1");
  te::Tensor A = te::placeholder({batch, M, K}, kFloat32, "A");
  te::Tensor B = te::placeholder(
      transpose_b ? std::vector<int64_t>{batch, N, K} : std::vector<int64_t>{batch, K, N}, kFloat32,
      "B");
  te::ReduceAxis k = te::reduce_axis(0, K, "k");
  te::Tensor C = te::compute({batch, M, N},
                             [&](const std::vector<Var>& v) {
                               ir::Expr b = transpose_b ? B(v[0], v[2], k) : B(v[0], k, v[2]);
                               return te::sum(A(v[0], v[1], k) * b, {k});
                             },
                             "C", {"b", "i", "j"});
  return te::create_prim_func({A, B, C}, "batch_matmul");
}

// out = relu(X @ W^T + bias), with W laid out (N, K) as a dense layer's weight.
ir::PrimFunc dense_bias_relu(const Shape& s) {
  const std::string w = "dense_bias_relu";
  int64_t M = shape_value(w, s, "M"), N = shape_value(w, s, "N"), K = shape_value(w, s, "K");
  te::Tensor X = te::placeholder({M, K}, kFloat32, "X");
  te::Tensor W = te::placeholder({N, K}, kFloat32, "W");
  te::Tensor bias = te::placeholder({N}, kFloat32, "bias");
  te::ReduceAxis k = te::reduce_axis(0, K, "k");
  te::Tensor dense = te::compute(
      {M, N}, [&](const std::vector<Var>& v) { return te::sum(X(v[0], k) * W(v[1], k), {k}); },
      "dense", {"i", "j"});
  te::Tensor biased =
      te::compute({M, N}, [&](const std::vector<Var>& v) { return dense(v[0], v[1]) + bias(v[1]); },
                  "bias_add", {"i", "j"});
  te::Tensor out =
      te::compute({M, N}, [&](const std::vector<Var>& v) { return relu(biased(v[0], v[1])); },
                  "relu", {"i", "j"});
  return te::create_prim_func({X, W, bias, out}, "dense_bias_relu");
}

}  // namespace

std::vector<WorkloadDef> matmul_workloads() {
  return {
      {"matmul",
       "C = A @ B with A (M, K), B (K, N), C (M, N)",
       {{"M", 64}, {"N", 64}, {"K", 64}},
       matmul},
      {"batch_matmul",
       "C[b] = A[b] @ B[b] with A (B, M, K), B (B, K, N), or B (B, N, K) and C[b] = A[b] @ B[b]^T "
       "when transpose_b = 1",
       {{"B", 2}, {"M", 32}, {"N", 32}, {"K", 32}, {"transpose_b", 0}},
       batch_matmul},
      {"dense_bias_relu",
       "out = relu(X @ W^T + bias) with X (M, K), W (N, K), bias (N,): three stages "
       "dense -> bias_add -> relu",
       {{"M", 64}, {"N", 64}, {"K", 64}},
       dense_bias_relu},
  };
}

}  // namespace kiln::workloads

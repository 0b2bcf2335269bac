// Elementwise chains: transpose_add.
#include "workloads/common.h"
#include "workloads/registry.h"

namespace kiln::workloads {

namespace {

using ir::Var;

// out[i, j] = relu(A[j, i] + B[i, j]) * 2 with A (N, M), B (M, N).
ir::PrimFunc transpose_add(const Shape& s) {
  int64_t M = shape_value("transpose_add", s, "M"), N = shape_value("transpose_add", s, "N");
  te::Tensor A = te::placeholder({N, M}, kFloat32, "A");
  te::Tensor B = te::placeholder({M, N}, kFloat32, "B");
  te::Tensor added =
      te::compute({M, N}, [&](const std::vector<Var>& v) { return A(v[1], v[0]) + B(v[0], v[1]); },
                  "transpose_add", {"i", "j"});
  te::Tensor out = te::compute({M, N},
                               [&](const std::vector<Var>& v) {
                                 return relu(added(v[0], v[1])) * ir::make_const(kFloat32, 2.0);
                               },
                               "relu_scale", {"i", "j"});
  return te::create_prim_func({A, B, out}, "transpose_add");
}

}  // namespace

std::vector<WorkloadDef> elementwise_workloads() {
  return {
      {"transpose_add",
       "out (M, N) = relu(transpose(A) + B) * 2 with A (N, M), B (M, N): stages transpose_add -> "
       "relu_scale",
       {{"M", 64}, {"N", 64}},
       transpose_add},
  };
}

}  // namespace kiln::workloads

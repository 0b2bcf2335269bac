// Plain reductions: reduce_sum.
#include "workloads/common.h"
#include "workloads/registry.h"

namespace kiln::workloads {

namespace {

using ir::Var;

// B[i] = sum_k A[i, k].
ir::PrimFunc reduce_sum(const Shape& s) {
  int64_t M = shape_value("reduce_sum", s, "M"), N = shape_value("reduce_sum", s, "N");
  te::Tensor A = te::placeholder({M, N}, kFloat32, "A");
  te::ReduceAxis k = te::reduce_axis(0, N, "k");
  te::Tensor B = te::compute(
      {M}, [&](const std::vector<Var>& v) { return te::sum(A(v[0], k), {k}); }, "B", {"i"});
  return te::create_prim_func({A, B}, "reduce_sum");
}

}  // namespace

std::vector<WorkloadDef> reduction_workloads() {
  return {
      {"reduce_sum",
       "B (M,) = sum of A (M, N) over the last axis",
       {{"M", 64}, {"N", 64}},
       reduce_sum},
  };
}

}  // namespace kiln::workloads

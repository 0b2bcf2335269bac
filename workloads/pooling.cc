// 2-d pooling in NHWC layout: max_pool2d and avg_pool2d.
//
// Padding is symmetric and explicit (a "pad" stage): -inf for max pooling, 0
// for average pooling, whose sum is divided by the full kernel area R * S
// (padding counted, as count_include_pad=True in PyTorch). Padding must be
// smaller than the kernel so that every window sees at least one input.
#include "workloads/common.h"
#include "workloads/registry.h"

namespace kiln::workloads {

namespace {

using ir::Expr;
using ir::Var;

struct PoolShape {
  int64_t N, H, W, C, R, S, stride, padding, P, Q;
};

PoolShape pool_shape(const std::string& w, const Shape& s) {
  PoolShape p{};
  p.N = shape_value(w, s, "N");
  p.H = shape_value(w, s, "H");
  p.W = shape_value(w, s, "W");
  p.C = shape_value(w, s, "C");
  p.R = shape_value(w, s, "R");
  p.S = shape_value(w, s, "S");
  p.stride = shape_value(w, s, "stride");
  p.padding = shape_value(w, s, "padding", 0);
  if (p.padding >= p.R || p.padding >= p.S)
    invalid_shape(w, "padding " + std::to_string(p.padding) +
                         " must be smaller than the kernel (R, S) = (" + std::to_string(p.R) +
                         ", " + std::to_string(p.S) + ") so that no window is all padding");
  p.P = window_output(w, p.H, p.R, p.stride, p.padding, 1);
  p.Q = window_output(w, p.W, p.S, p.stride, p.padding, 1);
  return p;
}

// The reduction of the padded input over each window.
te::Tensor pool_stage(const te::Tensor& padded, const PoolShape& p, te::ReduceKind kind,
                      const std::string& name) {
  te::ReduceAxis rh = te::reduce_axis(0, p.R, "rh");
  te::ReduceAxis rw = te::reduce_axis(0, p.S, "rw");
  return te::compute({p.N, p.P, p.Q, p.C},
                     [&](const std::vector<Var>& v) {
                       Expr x = padded(v[0], v[1] * Expr(p.stride) + rh, v[2] * Expr(p.stride) + rw,
                                       v[3]);
                       return te::Reduction(kind, x, {rh, rw});
                     },
                     name, {"n", "h", "w", "c"});
}

ir::PrimFunc max_pool2d(const Shape& s) {
  PoolShape p = pool_shape("max_pool2d", s);
  te::Tensor X = te::placeholder({p.N, p.H, p.W, p.C}, kFloat32, "X");
  te::Tensor padded = pad(X, {1, 2}, p.padding, ir::min_value(kFloat32));
  te::Tensor out = pool_stage(padded, p, te::ReduceKind::kMax, "max_pool");
  return te::create_prim_func({X, out}, "max_pool2d");
}

ir::PrimFunc avg_pool2d(const Shape& s) {
  PoolShape p = pool_shape("avg_pool2d", s);
  te::Tensor X = te::placeholder({p.N, p.H, p.W, p.C}, kFloat32, "X");
  te::Tensor padded = pad(X, {1, 2}, p.padding, ir::make_zero(kFloat32));
  te::Tensor total = pool_stage(padded, p, te::ReduceKind::kSum, "pool_sum");
  Expr area = ir::make_const(kFloat32, static_cast<double>(p.R * p.S));
  te::Tensor out =
      te::compute({p.N, p.P, p.Q, p.C},
                  [&](const std::vector<Var>& v) { return total(v[0], v[1], v[2], v[3]) / area; },
                  "avg_pool", {"n", "h", "w", "c"});
  return te::create_prim_func({X, out}, "avg_pool2d");
}

Shape pool_defaults() {
  return {{"N", 1}, {"H", 16}, {"W", 16},     {"C", 16},
          {"R", 3}, {"S", 3},  {"stride", 2}, {"padding", 1}};
}

}  // namespace

std::vector<WorkloadDef> pooling_workloads() {
  return {
      {"max_pool2d",
       "out (N, P, Q, C) = max over each R x S window of X (N, H, W, C) (NHWC), padded with -inf",
       pool_defaults(), max_pool2d},
      {"avg_pool2d",
       "out (N, P, Q, C) = sum over each R x S window of X (N, H, W, C) (NHWC), zero-padded, "
       "divided by R * S (padding counted)",
       pool_defaults(), avg_pool2d},
  };
}

}  // namespace kiln::workloads

// 2-d convolutions: NCHW, NHWC, depthwise NHWC, and NHWC + bias + relu.
//
// Weights: OIHW (K, C, R, S) for NCHW; HWIO (R, S, C, K) for NHWC; (R, S, C)
// for depthwise. Padding is symmetric and applied by an explicit "pad" stage
// (omitted when padding is 0).
#include "workloads/common.h"
#include "workloads/registry.h"

namespace kiln::workloads {

namespace {

using ir::Expr;
using ir::Var;

Shape conv_defaults() {
  return {{"N", 1}, {"C", 16}, {"H", 14},     {"W", 14},      {"K", 16},
          {"R", 3}, {"S", 3},  {"stride", 1}, {"padding", 1}, {"dilation", 1}};
}

// The sizes of one convolution, checked.
struct ConvShape {
  int64_t N, C, H, W, K, R, S, stride, padding, dilation, P, Q;
};

ConvShape conv_shape(const std::string& w, const Shape& s) {
  ConvShape c{};
  c.N = shape_value(w, s, "N");
  c.C = shape_value(w, s, "C");
  c.H = shape_value(w, s, "H");
  c.W = shape_value(w, s, "W");
  c.K = s.count("K") ? shape_value(w, s, "K") : c.C;
  c.R = shape_value(w, s, "R");
  c.S = shape_value(w, s, "S");
  c.stride = shape_value(w, s, "stride");
  c.padding = shape_value(w, s, "padding", 0);
  c.dilation = shape_value(w, s, "dilation");
  c.P = window_output(w, c.H, c.R, c.stride, c.padding, c.dilation);
  c.Q = window_output(w, c.W, c.S, c.stride, c.padding, c.dilation);
  return c;
}

// The input row/column a window position reads: out * stride + tap * dilation.
Expr window(const Expr& out, const Expr& tap, const ConvShape& c) {
  return out * Expr(c.stride) + tap * Expr(c.dilation);
}

ir::PrimFunc conv2d_nchw(const Shape& s) {
  ConvShape c = conv_shape("conv2d_nchw", s);
  te::Tensor X = te::placeholder({c.N, c.C, c.H, c.W}, kFloat32, "X");
  te::Tensor Wt = te::placeholder({c.K, c.C, c.R, c.S}, kFloat32, "W");
  te::Tensor padded = pad(X, {2, 3}, c.padding, ir::make_zero(kFloat32));
  te::ReduceAxis rc = te::reduce_axis(0, c.C, "rc");
  te::ReduceAxis rh = te::reduce_axis(0, c.R, "rh");
  te::ReduceAxis rw = te::reduce_axis(0, c.S, "rw");
  te::Tensor out = te::compute({c.N, c.K, c.P, c.Q},
                               [&](const std::vector<Var>& v) {
                                 Expr x =
                                     padded(v[0], rc, window(v[2], rh, c), window(v[3], rw, c));
                                 return te::sum(x * Wt(v[1], rc, rh, rw), {rc, rh, rw});
                               },
                               "conv2d", {"n", "k", "h", "w"});
  return te::create_prim_func({X, Wt, out}, "conv2d_nchw");
}

// The NHWC convolution stage (with its pad stage), shared with the fused variant.
te::Tensor conv2d_nhwc_stage(const te::Tensor& X, const te::Tensor& Wt, const ConvShape& c) {
  te::Tensor padded = pad(X, {1, 2}, c.padding, ir::make_zero(kFloat32));
  te::ReduceAxis rh = te::reduce_axis(0, c.R, "rh");
  te::ReduceAxis rw = te::reduce_axis(0, c.S, "rw");
  te::ReduceAxis rc = te::reduce_axis(0, c.C, "rc");
  return te::compute({c.N, c.P, c.Q, c.K},
                     [&](const std::vector<Var>& v) {
                       Expr x = padded(v[0], window(v[1], rh, c), window(v[2], rw, c), rc);
                       return te::sum(x * Wt(rh, rw, rc, v[3]), {rh, rw, rc});
                     },
                     "conv2d", {"n", "h", "w", "k"});
}

ir::PrimFunc conv2d_nhwc(const Shape& s) {
  ConvShape c = conv_shape("conv2d_nhwc", s);
  te::Tensor X = te::placeholder({c.N, c.H, c.W, c.C}, kFloat32, "X");
  te::Tensor Wt = te::placeholder({c.R, c.S, c.C, c.K}, kFloat32, "W");
  te::Tensor out = conv2d_nhwc_stage(X, Wt, c);
  return te::create_prim_func({X, Wt, out}, "conv2d_nhwc");
}

ir::PrimFunc conv2d_bias_relu_nhwc(const Shape& s) {
  ConvShape c = conv_shape("conv2d_bias_relu_nhwc", s);
  te::Tensor X = te::placeholder({c.N, c.H, c.W, c.C}, kFloat32, "X");
  te::Tensor Wt = te::placeholder({c.R, c.S, c.C, c.K}, kFloat32, "W");
  te::Tensor bias = te::placeholder({c.K}, kFloat32, "bias");
  te::Tensor conv = conv2d_nhwc_stage(X, Wt, c);
  te::Tensor biased = te::compute(
      {c.N, c.P, c.Q, c.K},
      [&](const std::vector<Var>& v) { return conv(v[0], v[1], v[2], v[3]) + bias(v[3]); },
      "bias_add", {"n", "h", "w", "k"});
  te::Tensor out =
      te::compute({c.N, c.P, c.Q, c.K},
                  [&](const std::vector<Var>& v) { return relu(biased(v[0], v[1], v[2], v[3])); },
                  "relu", {"n", "h", "w", "k"});
  return te::create_prim_func({X, Wt, bias, out}, "conv2d_bias_relu_nhwc");
}

ir::PrimFunc depthwise_conv2d_nhwc(const Shape& s) {
  ConvShape c = conv_shape("depthwise_conv2d_nhwc", s);
  te::Tensor X = te::placeholder({c.N, c.H, c.W, c.C}, kFloat32, "X");
  te::Tensor Wt = te::placeholder({c.R, c.S, c.C}, kFloat32, "W");
  te::Tensor padded = pad(X, {1, 2}, c.padding, ir::make_zero(kFloat32));
  te::ReduceAxis rh = te::reduce_axis(0, c.R, "rh");
  te::ReduceAxis rw = te::reduce_axis(0, c.S, "rw");
  te::Tensor out = te::compute({c.N, c.P, c.Q, c.C},
                               [&](const std::vector<Var>& v) {
                                 Expr x =
                                     padded(v[0], window(v[1], rh, c), window(v[2], rw, c), v[3]);
                                 return te::sum(x * Wt(rh, rw, v[3]), {rh, rw});
                               },
                               "depthwise_conv2d", {"n", "h", "w", "c"});
  return te::create_prim_func({X, Wt, out}, "depthwise_conv2d_nhwc");
}

}  // namespace

std::vector<WorkloadDef> conv2d_workloads() {
  Shape depthwise = conv_defaults();
  depthwise.erase("K");
  return {
      {"conv2d_nchw",
       "out (N, K, P, Q) = conv2d(X (N, C, H, W), W (K, C, R, S)) with stride, symmetric zero "
       "padding and dilation",
       conv_defaults(), conv2d_nchw},
      {"conv2d_nhwc",
       "out (N, P, Q, K) = conv2d(X (N, H, W, C), W (R, S, C, K)) with stride, symmetric zero "
       "padding and dilation",
       conv_defaults(), conv2d_nhwc},
      {"conv2d_bias_relu_nhwc",
       "out = relu(conv2d_nhwc(X, W) + bias (K,)): stages pad -> conv2d -> bias_add -> relu",
       conv_defaults(), conv2d_bias_relu_nhwc},
      {"depthwise_conv2d_nhwc",
       "out (N, P, Q, C) = depthwise conv2d of X (N, H, W, C) with W (R, S, C) (channel "
       "multiplier 1), stride, symmetric zero padding and dilation",
       depthwise, depthwise_conv2d_nhwc},
  };
}

}  // namespace kiln::workloads

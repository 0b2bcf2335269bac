// oneDNN's convolution, the CPU vendor baseline for conv2d, on arrays laid out
// as kiln's workloads take them, float32, with stride and symmetric zero
// padding:
//   NHWC (conv2d_nhwc): activations (N, H, W, C), weights (R, S, C, K), output (N, P, Q, K);
//   NCHW (conv2d_nchw): activations (N, C, H, W), weights (K, C, R, S), output (N, K, P, Q);
//   depthwise (depthwise_conv2d_nhwc, K = C): NHWC activations, weights (R, S, C).
// The
// primitive is created once (oneDNN picks its kernel then, as a framework
// would) and run on the caller's memory; see cpu_gemm.h for why this file
// is compiled apart.
#pragma once

#include <cstdint>
#include <memory>

namespace kiln::bench {

enum class ConvLayout { kNhwc, kNchw, kDepthwiseNhwc };

struct ConvShape {
  int64_t n, h, w, c, k, r, s, stride, padding;
  ConvLayout layout = ConvLayout::kNhwc;
  int64_t p() const { return (h + 2 * padding - r) / stride + 1; }
  int64_t q() const { return (w + 2 * padding - s) / stride + 1; }
};

class OneDnnConv {
 public:
  // Throws std::runtime_error when oneDNN has no primitive for it.
  explicit OneDnnConv(const ConvShape& shape);
  ~OneDnnConv();
  OneDnnConv(const OneDnnConv&) = delete;
  OneDnnConv& operator=(const OneDnnConv&) = delete;
  // out = conv(x, w); the weights are reordered to oneDNN's layout on each
  // call only when `reorder_weights` (a framework does it once: the default).
  void run(const float* x, const float* w, float* out, bool reorder_weights = false);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::bench

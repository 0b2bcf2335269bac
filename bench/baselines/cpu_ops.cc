#include "bench/baselines/cpu_ops.h"

#include <cblas.h>

#include <Eigen/Core>
#include <algorithm>
#include <dnnl.hpp>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "bench/baselines/cpu_conv.h"
#include "bench/baselines/cpu_gemm.h"

namespace kiln::bench {

namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

int64_t at(const std::map<std::string, int64_t>& shape, const std::string& key) {
  auto it = shape.find(key);
  if (it == shape.end()) throw std::invalid_argument("the shape has no " + key);
  return it->second;
}

// A oneDNN primitive created once (it picks its kernel then, as a framework
// would), run on the caller's memory: `bind` names which parameter each of
// its arguments reads or writes.
struct OneDnnPrimitive {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::primitive primitive;
  std::vector<std::pair<int, dnnl::memory::desc>> args;  // (DNNL_ARG_*, desc) per parameter

  void run(const std::vector<float*>& params) {
    std::unordered_map<int, dnnl::memory> bound;
    for (size_t i = 0; i < args.size(); ++i)
      bound.emplace(args[i].first, dnnl::memory(args[i].second, engine, params[i]));
    primitive.execute(stream, bound);
    stream.wait();
  }
};

VendorKernel onednn_kernel(std::shared_ptr<OneDnnPrimitive> p) {
  return {"oneDNN", [p](const std::vector<float*>& params) { p->run(params); }};
}

// C[b] = A[b] B[b] (B[b]^T when transpose_b) (+ bias, relu), row-major, on
// oneDNN's matmul primitive; B transposed is described by its strides.
std::shared_ptr<OneDnnPrimitive> onednn_matmul(int64_t batch, int64_t m, int64_t n, int64_t k,
                                               bool transpose_b, bool bias_relu) {
  auto p = std::make_shared<OneDnnPrimitive>();
  const dnnl::memory::desc a({batch, m, k}, dt::f32, tag::abc);
  const dnnl::memory::desc b =
      transpose_b ? dnnl::memory::desc({batch, k, n}, dt::f32, dnnl::memory::dims{n * k, 1, k})
                  : dnnl::memory::desc({batch, k, n}, dt::f32, tag::abc);
  const dnnl::memory::desc c({batch, m, n}, dt::f32, tag::abc);
  dnnl::primitive_attr attr;
  if (bias_relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
    const dnnl::memory::desc bias({1, 1, n}, dt::f32, tag::abc);
    p->primitive = dnnl::matmul(
        dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, bias, c), attr, p->engine));
    p->args = {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST, c}};
  } else {
    p->primitive =
        dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), p->engine));
    p->args = {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
  }
  return p;
}

std::vector<VendorKernel> matmul_kernels(const std::map<std::string, int64_t>& s) {
  const int64_t m = at(s, "M"), n = at(s, "N"), k = at(s, "K");
  return {
      {"OpenBLAS", [=](const std::vector<float*>& p) { openblas_sgemm(m, n, k, p[0], p[1], p[2]); }},
      {"Eigen", [=](const std::vector<float*>& p) { eigen_sgemm(m, n, k, p[0], p[1], p[2]); }},
      {"oneDNN", [=](const std::vector<float*>& p) { onednn_sgemm(m, n, k, p[0], p[1], p[2]); }},
  };
}

std::vector<VendorKernel> batch_matmul_kernels(const std::map<std::string, int64_t>& s) {
  const int64_t batch = at(s, "B"), m = at(s, "M"), n = at(s, "N"), k = at(s, "K");
  const bool tb = at(s, "transpose_b") != 0;
  auto blas = [=](const std::vector<float*>& p) {
    for (int64_t b = 0; b < batch; ++b)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                  p[0] + b * m * k, k, p[1] + b * k * n, tb ? k : n, 0.0f, p[2] + b * m * n, n);
  };
  auto eigen = [=](const std::vector<float*>& p) {
    for (int64_t b = 0; b < batch; ++b) {
      Eigen::Map<const RowMajor> ea(p[0] + b * m * k, m, k);
      Eigen::Map<RowMajor> ec(p[2] + b * m * n, m, n);
      if (tb)
        ec.noalias() = ea * Eigen::Map<const RowMajor>(p[1] + b * k * n, n, k).transpose();
      else
        ec.noalias() = ea * Eigen::Map<const RowMajor>(p[1] + b * k * n, k, n);
    }
  };
  return {{"OpenBLAS", blas}, {"Eigen", eigen},
          onednn_kernel(onednn_matmul(batch, m, n, k, tb, false))};
}

// out = relu(X W^T + bias), W (N, K).
std::vector<VendorKernel> dense_bias_relu_kernels(const std::map<std::string, int64_t>& s) {
  const int64_t m = at(s, "M"), n = at(s, "N"), k = at(s, "K");
  auto blas = [=](const std::vector<float*>& p) {
    // A framework's unfused path: the GEMM, then bias and relu in one pass.
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, p[0], k, p[1], k, 0.0f,
                p[3], n);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) p[3][i * n + j] = std::max(p[3][i * n + j] + p[2][j], 0.0f);
  };
  auto eigen = [=](const std::vector<float*>& p) {
    Eigen::Map<const RowMajor> x(p[0], m, k), w(p[1], n, k);
    Eigen::Map<const Eigen::RowVectorXf> bias(p[2], n);
    Eigen::Map<RowMajor> out(p[3], m, n);
    out.noalias() = x * w.transpose();
    out = (out.rowwise() + bias).cwiseMax(0.0f);
  };
  return {{"OpenBLAS", blas}, {"Eigen", eigen},
          onednn_kernel(onednn_matmul(1, m, n, k, true, true))};
}

std::vector<VendorKernel> conv_kernels(const std::map<std::string, int64_t>& s, ConvLayout layout) {
  if (at(s, "dilation") != 1) return {};  // OneDnnConv has no dilation
  const int64_t c = at(s, "C");
  ConvShape shape{at(s, "N"), at(s, "H"),      at(s, "W"),       c,     layout == ConvLayout::kDepthwiseNhwc ? c : at(s, "K"),
                  at(s, "R"), at(s, "S"),      at(s, "stride"),  at(s, "padding"), layout};
  auto conv = std::make_shared<OneDnnConv>(shape);
  return {{"oneDNN", [conv](const std::vector<float*>& p) { conv->run(p[0], p[1], p[2]); }}};
}

std::vector<VendorKernel> softmax_kernels(const std::map<std::string, int64_t>& s) {
  auto p = std::make_shared<OneDnnPrimitive>();
  const dnnl::memory::desc md({at(s, "M"), at(s, "N")}, dt::f32, tag::ab);
  p->primitive = dnnl::softmax_v2_forward(dnnl::softmax_v2_forward::primitive_desc(
      dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference,
                                     dnnl::algorithm::softmax_accurate, md, md, 1),
      p->engine));
  p->args = {{DNNL_ARG_SRC, md}, {DNNL_ARG_DST, md}};
  return {onednn_kernel(p)};
}

// Inference: the mean and variance are computed, not given; gamma and beta
// are oneDNN's scale and shift.
std::vector<VendorKernel> layernorm_kernels(const std::map<std::string, int64_t>& s) {
  auto p = std::make_shared<OneDnnPrimitive>();
  const int64_t n = at(s, "N");
  const dnnl::memory::desc md({at(s, "M"), n}, dt::f32, tag::ab), vec({n}, dt::f32, tag::a);
  p->primitive = dnnl::layer_normalization_forward(
      dnnl::layer_normalization_forward::primitive_desc(
          dnnl::layer_normalization_forward::desc(
              dnnl::prop_kind::forward_inference, md, 1e-5f,
              dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift),
          p->engine));
  p->args = {{DNNL_ARG_SRC, md}, {DNNL_ARG_SCALE, vec}, {DNNL_ARG_SHIFT, vec}, {DNNL_ARG_DST, md}};
  return {onednn_kernel(p)};
}

}  // namespace

std::vector<VendorKernel> vendor_kernels(const std::string& workload,
                                         const std::map<std::string, int64_t>& shape) {
  if (workload == "matmul") return matmul_kernels(shape);
  if (workload == "batch_matmul") return batch_matmul_kernels(shape);
  if (workload == "dense_bias_relu") return dense_bias_relu_kernels(shape);
  if (workload == "conv2d_nhwc") return conv_kernels(shape, ConvLayout::kNhwc);
  if (workload == "conv2d_nchw") return conv_kernels(shape, ConvLayout::kNchw);
  if (workload == "depthwise_conv2d_nhwc") return conv_kernels(shape, ConvLayout::kDepthwiseNhwc);
  if (workload == "softmax") return softmax_kernels(shape);
  if (workload == "layernorm") return layernorm_kernels(shape);
  return {};
}

}  // namespace kiln::bench

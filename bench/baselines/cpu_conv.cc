#include "bench/baselines/cpu_conv.h"

#include <dnnl.hpp>
#include <stdexcept>

namespace kiln::bench {

struct OneDnnConv::Impl {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::memory::desc src_md, user_weights_md, dst_md;
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward conv;
  dnnl::memory weights;  // in the primitive's layout
  bool weights_ready = false;
};

OneDnnConv::OneDnnConv(const ConvShape& s) : impl_(new Impl) {
  using tag = dnnl::memory::format_tag;
  using dt = dnnl::memory::data_type;
  Impl& m = *impl_;
  // oneDNN's logical dims are N C H W / O I H W (G O I H W for groups)
  // whatever the memory layout.
  const bool nchw = s.layout == ConvLayout::kNchw;
  const tag data_tag = nchw ? tag::nchw : tag::nhwc;
  m.src_md = dnnl::memory::desc({s.n, s.c, s.h, s.w}, dt::f32, data_tag);
  m.dst_md = dnnl::memory::desc({s.n, s.k, s.p(), s.q()}, dt::f32, data_tag);
  dnnl::memory::dims weight_dims = {s.k, s.c, s.r, s.s};
  if (s.layout == ConvLayout::kDepthwiseNhwc) {
    if (s.k != s.c) throw std::runtime_error("a depthwise convolution has as many outputs as inputs");
    weight_dims = {s.c, 1, 1, s.r, s.s};  // C groups of one input and one output
    m.user_weights_md = dnnl::memory::desc(weight_dims, dt::f32, tag::hwigo);  // (R, S, C)
  } else {
    m.user_weights_md = dnnl::memory::desc(weight_dims, dt::f32, nchw ? tag::oihw : tag::hwio);
  }
  const dnnl::memory::desc any_weights(weight_dims, dt::f32, tag::any);
  try {
    m.pd = dnnl::convolution_forward::primitive_desc(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                        dnnl::algorithm::convolution_direct, m.src_md, any_weights,
                                        m.dst_md, {s.stride, s.stride}, {s.padding, s.padding},
                                        {s.padding, s.padding}),
        m.engine);
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("oneDNN has no convolution for this shape: ") + e.what());
  }
  m.conv = dnnl::convolution_forward(m.pd);
  m.weights = dnnl::memory(m.pd.weights_desc(), m.engine);
}

OneDnnConv::~OneDnnConv() = default;

void OneDnnConv::run(const float* x, const float* w, float* out, bool reorder_weights) {
  Impl& m = *impl_;
  if (reorder_weights || !m.weights_ready) {
    dnnl::memory user_weights(m.user_weights_md, m.engine, const_cast<float*>(w));
    dnnl::reorder(user_weights, m.weights).execute(m.stream, user_weights, m.weights);
    m.weights_ready = true;
  }
  dnnl::memory src(m.src_md, m.engine, const_cast<float*>(x));
  dnnl::memory dst(m.dst_md, m.engine, out);
  m.conv.execute(m.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, m.weights}, {DNNL_ARG_DST, dst}});
  m.stream.wait();
}

}  // namespace kiln::bench

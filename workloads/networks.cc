// The networks, layer by layer, batch 1. Convolutions are NHWC with their
// bias and relu fused (conv2d_bias_relu_nhwc; the residual additions and
// the layers without relu are counted as the same operator: what tuning
// cares about is the convolution); linear layers are matmuls (BERT's GELU
// feed-forward is dense_bias_relu, relu standing in for GELU).
#include "workloads/networks.h"

#include <stdexcept>
#include <utility>

#include "workloads/registry.h"

namespace kiln::workloads {

namespace {

using Shape = std::map<std::string, int64_t>;

class Builder {
 public:
  void conv(const std::string& layer, int64_t h, int64_t c, int64_t k, int64_t r, int64_t stride) {
    add(layer, "conv2d_bias_relu_nhwc",
        {{"N", 1}, {"H", h}, {"W", h}, {"C", c}, {"K", k}, {"R", r}, {"S", r}, {"stride", stride},
         {"padding", r / 2}, {"dilation", 1}});
  }
  void depthwise(const std::string& layer, int64_t h, int64_t c, int64_t stride) {
    add(layer, "depthwise_conv2d_nhwc",
        {{"N", 1}, {"H", h}, {"W", h}, {"C", c}, {"R", 3}, {"S", 3}, {"stride", stride},
         {"padding", 1}, {"dilation", 1}});
  }
  void pool(const std::string& layer, const std::string& kind, int64_t h, int64_t c, int64_t r,
            int64_t stride, int64_t padding) {
    add(layer, kind,
        {{"N", 1}, {"H", h}, {"W", h}, {"C", c}, {"R", r}, {"S", r}, {"stride", stride},
         {"padding", padding}});
  }
  void matmul(const std::string& layer, int64_t m, int64_t k, int64_t n) {
    add(layer, "matmul", {{"M", m}, {"N", n}, {"K", k}});
  }
  void add(const std::string& layer, const std::string& workload, const Shape& shape) {
    for (NetworkOperator& op : ops_) {
      if (op.workload != workload || op.shape != shape) continue;
      ++op.count;
      op.layers += ", " + layer;
      return;
    }
    ops_.push_back({workload, shape, 1, layer});
  }
  std::vector<NetworkOperator> ops() const { return ops_; }

 private:
  std::vector<NetworkOperator> ops_;
};

std::vector<NetworkOperator> resnet(int depth) {
  Builder b;
  b.conv("conv1", 224, 3, 64, 7, 2);
  b.pool("maxpool", "max_pool2d", 112, 64, 3, 2, 1);
  const int64_t widths[] = {64, 128, 256, 512};
  const int blocks18[] = {2, 2, 2, 2}, blocks50[] = {3, 4, 6, 3};
  int64_t h = 56, in = 64;
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t w = widths[stage];
    const int blocks = depth == 18 ? blocks18[stage] : blocks50[stage];
    for (int blk = 0; blk < blocks; ++blk) {
      const std::string name = "layer" + std::to_string(stage + 1) + "." + std::to_string(blk);
      const int64_t stride = stage > 0 && blk == 0 ? 2 : 1;
      if (depth == 18) {
        b.conv(name + ".conv1", h, in, w, 3, stride);
        if (stride == 2 || in != w) b.conv(name + ".downsample", h, in, w, 1, stride);
        h /= stride;
        b.conv(name + ".conv2", h, w, w, 3, 1);
        in = w;
      } else {
        const int64_t out = 4 * w;
        b.conv(name + ".conv1", h, in, w, 1, 1);
        b.conv(name + ".conv2", h, w, w, 3, stride);  // stride in the 3x3 (v1.5)
        if (blk == 0) b.conv(name + ".downsample", h, in, out, 1, stride);
        h /= stride;
        b.conv(name + ".conv3", h, w, out, 1, 1);
        in = out;
      }
    }
  }
  b.pool("avgpool", "avg_pool2d", 7, in, 7, 1, 0);
  b.matmul("fc", 1, in, 1000);
  return b.ops();
}

std::vector<NetworkOperator> mobilenet_v2() {
  Builder b;
  b.conv("features.0", 224, 3, 32, 3, 2);
  struct Stage {
    int64_t expand, out, repeats, stride;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int64_t h = 112, in = 32;
  int index = 1;
  for (const Stage& s : stages) {
    for (int r = 0; r < s.repeats; ++r, ++index) {
      const std::string name = "features." + std::to_string(index);
      const int64_t stride = r == 0 ? s.stride : 1;
      const int64_t hidden = in * s.expand;
      if (s.expand != 1) b.conv(name + ".expand", h, in, hidden, 1, 1);
      b.depthwise(name + ".depthwise", h, hidden, stride);
      h /= stride;
      b.conv(name + ".project", h, hidden, s.out, 1, 1);
      in = s.out;
    }
  }
  b.conv("features.18", 7, 320, 1280, 1, 1);
  b.pool("avgpool", "avg_pool2d", 7, 1280, 7, 1, 0);
  b.matmul("classifier", 1, 1280, 1000);
  return b.ops();
}

std::vector<NetworkOperator> bert_base_layer() {
  // Sequence 128, hidden 768, 12 heads of 64, feed-forward 3072.
  Builder b;
  for (const char* p : {"query", "key", "value"}) b.matmul(std::string("attention.") + p, 128, 768, 768);
  b.add("attention.scores", "batch_matmul",
        {{"B", 12}, {"M", 128}, {"N", 128}, {"K", 64}, {"transpose_b", 1}});
  b.add("attention.softmax", "softmax", {{"M", 12 * 128}, {"N", 128}});
  b.add("attention.context", "batch_matmul",
        {{"B", 12}, {"M", 128}, {"N", 64}, {"K", 128}, {"transpose_b", 0}});
  b.matmul("attention.output", 128, 768, 768);
  b.add("attention.layernorm", "layernorm", {{"M", 128}, {"N", 768}});
  b.add("intermediate", "dense_bias_relu", {{"M", 128}, {"N", 3072}, {"K", 768}});
  b.matmul("output", 128, 3072, 768);
  b.add("output.layernorm", "layernorm", {{"M", 128}, {"N", 768}});
  return b.ops();
}

// The one table of networks, sorted by name.
using NetworkBuilder = std::vector<NetworkOperator> (*)();
const std::vector<std::pair<std::string, NetworkBuilder>>& table() {
  static const std::vector<std::pair<std::string, NetworkBuilder>> nets = {
      {"bert_base_layer", bert_base_layer},
      {"mobilenet_v2", mobilenet_v2},
      {"resnet18", [] { return resnet(18); }},
      {"resnet50", [] { return resnet(50); }},
  };
  return nets;
}

}  // namespace

std::vector<std::string> networks() {
  std::vector<std::string> names;
  for (const auto& [name, ops] : table()) names.push_back(name);
  return names;
}

std::vector<NetworkOperator> network(const std::string& name) {
  for (const auto& [known, ops] : table())
    if (known == name) return ops();
  throw std::invalid_argument("unknown network `" + name + "`; known: " + join(networks()));
}

}  // namespace kiln::workloads

// The workload registry: every workload builds, at its defaults and at other
// shapes, into well-formed TensorIR; bad names, keys and values are reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "ir/functor.h"
#include "ir/structural.h"
#include "workloads/workloads.h"

namespace kiln::workloads {
namespace {

using ir::BlockNode;
using ir::BlockRealizeNode;
using Shape = std::map<std::string, int64_t>;

// Walks a function and checks the invariants every unlowered workload keeps.
class WellFormed : public ir::IRVisitor {
 public:
  explicit WellFormed(const ir::PrimFunc& f) {
    for (const ir::Buffer& b : f->params) {
      buffers_.insert(b.get());
      params_.insert(b.get());
    }
    const auto* root = f->body.as<BlockRealizeNode>();
    EXPECT_NE(root, nullptr);
    if (!root) return;
    EXPECT_EQ(root->block->name, "root");
    EXPECT_TRUE(root->block->iter_vars.empty());
    for (const ir::Buffer& b : root->block->alloc_buffers) buffers_.insert(b.get());
    visit(root->block->body);
  }
  std::vector<std::string> block_names;
  std::set<const ir::BufferNode*> written;

 protected:
  void visit_for(const ir::ForNode* op) override {
    loops_.push_back(op);
    IRVisitor::visit_for(op);
    loops_.pop_back();
  }
  void visit_block_realize(const BlockRealizeNode* op) override {
    const BlockNode& b = *op->block;
    block_names.push_back(b.name);
    bool has_reduction = false;
    ASSERT_EQ(op->iter_values.size(), b.iter_vars.size()) << b.name;
    ASSERT_EQ(loops_.size(), b.iter_vars.size()) << b.name;
    for (size_t i = 0; i < b.iter_vars.size(); ++i) {
      const ir::IterVar& iv = b.iter_vars[i];
      has_reduction = has_reduction || iv.kind == ir::IterKind::kReduction;
      // Bound to its own loop, whose range is the iter var's domain.
      EXPECT_TRUE(op->iter_values[i].same_as(loops_[i]->loop_var)) << b.name;
      EXPECT_TRUE(ir::structural_equal(iv.dom.extent, loops_[i]->extent)) << b.name;
      EXPECT_TRUE(ir::structural_equal(iv.dom.min, loops_[i]->min)) << b.name;
      // Spatial axes come first.
      if (i > 0 && iv.kind == ir::IterKind::kSpatial) {
        EXPECT_EQ(b.iter_vars[i - 1].kind, ir::IterKind::kSpatial) << b.name;
      }
    }
    // Reduction iter vars exist exactly in the blocks that have an init.
    EXPECT_EQ(has_reduction, b.init.defined()) << b.name;
    ASSERT_EQ(b.writes.size(), 1u) << b.name;
    EXPECT_TRUE(buffers_.count(b.writes[0].buffer.get())) << b.name << " writes an unknown buffer";
    EXPECT_TRUE(written.insert(b.writes[0].buffer.get()).second)
        << b.writes[0].buffer->name << " written by two blocks";
    for (const ir::BufferRegion& r : b.reads) {
      EXPECT_TRUE(buffers_.count(r.buffer.get())) << b.name << " reads unknown " << r.buffer->name;
      EXPECT_EQ(r.region.size(), r.buffer->shape.size());
      // Producers come before consumers: an intermediate is written before it is read.
      if (!is_param(r.buffer)) {
        EXPECT_TRUE(written.count(r.buffer.get())) << r.buffer->name;
      }
    }
    const auto* store = b.body.as<ir::BufferStoreNode>();
    ASSERT_NE(store, nullptr) << b.name;
    EXPECT_TRUE(store->buffer == b.writes[0].buffer);
    EXPECT_EQ(store->buffer->dtype, ir::DataType::Float(32));
  }

 private:
  bool is_param(const ir::Buffer& b) const { return params_.count(b.get()) > 0; }
  std::set<const ir::BufferNode*> buffers_;
  std::set<const ir::BufferNode*> params_;
  std::vector<const ir::ForNode*> loops_;
};

std::vector<int64_t> shape_of(const ir::Buffer& b) { return ir::static_shape(b); }

// A second instance of each workload, different in every way its keys allow.
std::map<std::string, Shape> second_shapes() {
  Shape conv = {{"N", 2}, {"C", 3}, {"H", 11},     {"W", 9},       {"K", 5},
                {"R", 3}, {"S", 2}, {"stride", 2}, {"padding", 0}, {"dilation", 2}};
  Shape depthwise = conv;
  depthwise.erase("K");
  Shape pool = {{"N", 2}, {"H", 9}, {"W", 7},      {"C", 3},
                {"R", 2}, {"S", 3}, {"stride", 1}, {"padding", 0}};
  return {
      {"matmul", {{"M", 7}, {"N", 5}, {"K", 3}}},
      {"batch_matmul", {{"B", 3}, {"M", 4}, {"N", 6}, {"K", 5}, {"transpose_b", 1}}},
      {"dense_bias_relu", {{"M", 3}, {"N", 9}, {"K", 4}}},
      {"conv2d_nchw", conv},
      {"conv2d_nhwc", conv},
      {"conv2d_bias_relu_nhwc", conv},
      {"depthwise_conv2d_nhwc", depthwise},
      {"softmax", {{"M", 3}, {"N", 17}}},
      {"layernorm", {{"M", 5}, {"N", 6}}},
      {"max_pool2d", pool},
      {"avg_pool2d", pool},
      {"reduce_sum", {{"M", 9}, {"N", 2}}},
      {"transpose_add", {{"M", 3}, {"N", 8}}},
  };
}

TEST(WorkloadRegistry, ListsTheRequiredWorkloadsSorted) {
  std::vector<std::string> names = list();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const auto& [name, shape] : second_shapes())
    EXPECT_TRUE(std::count(names.begin(), names.end(), name)) << name;
  EXPECT_EQ(names.size(), second_shapes().size()) << "a workload without a test shape";
}

TEST(WorkloadRegistry, EveryWorkloadBuildsWellFormedAtTwoShapes) {
  for (const auto& [name, other] : second_shapes()) {
    SCOPED_TRACE(name);
    Workload w = get(name);
    EXPECT_EQ(w.name, name);
    EXPECT_EQ(w.shape, default_shape(name));
    EXPECT_FALSE(w.description.empty());
    ASSERT_TRUE(w.func);
    WellFormed check(w.func);
    EXPECT_FALSE(check.block_names.empty());
    // The last parameter is the output, written by the last block.
    EXPECT_TRUE(check.written.count(w.func->params.back().get()));

    // Every key of the second shape is a real key, and the function changes.
    Workload w2 = get(name, other);
    EXPECT_EQ(w2.shape, other);
    WellFormed check2(w2.func);
    EXPECT_FALSE(ir::structural_equal(w.func, w2.func));
    EXPECT_NE(ir::structural_hash(w.func), ir::structural_hash(w2.func));
    // Building twice gives the same program (the workload key is stable).
    EXPECT_EQ(ir::structural_hash(w2.func), ir::structural_hash(get(name, other).func));
  }
}

TEST(WorkloadRegistry, ParameterShapesFollowTheKeys) {
  auto params = [](const std::string& name, const Shape& s) {
    std::vector<std::vector<int64_t>> out;
    ir::PrimFunc f = get(name, s).func;
    for (const ir::Buffer& b : f->params) out.push_back(shape_of(b));
    return out;
  };
  using V = std::vector<std::vector<int64_t>>;
  EXPECT_EQ(params("matmul", {{"M", 7}, {"N", 5}, {"K", 3}}), (V{{7, 3}, {3, 5}, {7, 5}}));
  EXPECT_EQ(params("batch_matmul", {{"B", 3}, {"M", 4}, {"N", 6}, {"K", 5}, {"transpose_b", 1}}),
            (V{{3, 4, 5}, {3, 6, 5}, {3, 4, 6}}));
  EXPECT_EQ(params("dense_bias_relu", {{"M", 3}, {"N", 9}, {"K", 4}}),
            (V{{3, 4}, {9, 4}, {9}, {3, 9}}));
  Shape conv = second_shapes()["conv2d_nhwc"];
  // P = (11 - 2 * 2 - 1) / 2 + 1 = 4, Q = (9 - 2 * 1 - 1) / 2 + 1 = 4.
  EXPECT_EQ(params("conv2d_nhwc", conv), (V{{2, 11, 9, 3}, {3, 2, 3, 5}, {2, 4, 4, 5}}));
  EXPECT_EQ(params("conv2d_nchw", conv), (V{{2, 3, 11, 9}, {5, 3, 3, 2}, {2, 5, 4, 4}}));
  EXPECT_EQ(params("conv2d_bias_relu_nhwc", conv),
            (V{{2, 11, 9, 3}, {3, 2, 3, 5}, {5}, {2, 4, 4, 5}}));
  EXPECT_EQ(params("depthwise_conv2d_nhwc", second_shapes()["depthwise_conv2d_nhwc"]),
            (V{{2, 11, 9, 3}, {3, 2, 3}, {2, 4, 4, 3}}));
  // Defaults: 16x16 input, 3x3 window, stride 2, padding 1 -> 8x8.
  EXPECT_EQ(params("max_pool2d", {}), (V{{1, 16, 16, 16}, {1, 8, 8, 16}}));
  EXPECT_EQ(params("avg_pool2d", second_shapes()["avg_pool2d"]), (V{{2, 9, 7, 3}, {2, 8, 5, 3}}));
  EXPECT_EQ(params("softmax", {{"M", 3}, {"N", 17}}), (V{{3, 17}, {3, 17}}));
  EXPECT_EQ(params("layernorm", {{"M", 5}, {"N", 6}}), (V{{5, 6}, {6}, {6}, {5, 6}}));
  EXPECT_EQ(params("reduce_sum", {{"M", 9}, {"N", 2}}), (V{{9, 2}, {9}}));
  EXPECT_EQ(params("transpose_add", {{"M", 3}, {"N", 8}}), (V{{8, 3}, {3, 8}, {3, 8}}));
}

TEST(WorkloadRegistry, StagesAndPadding) {
  auto blocks = [](const std::string& name, const Shape& s) {
    Workload w = get(name, s);
    return WellFormed(w.func).block_names;
  };
  using N = std::vector<std::string>;
  EXPECT_EQ(blocks("conv2d_bias_relu_nhwc", {}), (N{"pad", "conv2d", "bias_add", "relu"}));
  // No pad stage without padding.
  EXPECT_EQ(blocks("conv2d_nhwc", {{"padding", 0}}), (N{"conv2d"}));
  EXPECT_EQ(blocks("softmax", {}), (N{"row_max", "exp", "row_sum", "softmax"}));
  EXPECT_EQ(blocks("avg_pool2d", {}), (N{"pad", "pool_sum", "avg_pool"}));
  EXPECT_EQ(blocks("dense_bias_relu", {}), (N{"dense", "bias_add", "relu"}));
}

// Runs `fn`, expects std::invalid_argument, and returns its message.
template <class F>
std::string error_of(F fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument";
  return "";
}

TEST(WorkloadRegistry, ErrorsListTheValidChoices) {
  std::string msg = error_of([] { get("matmull"); });
  EXPECT_NE(msg.find("matmull"), std::string::npos) << msg;
  for (const std::string& name : list()) EXPECT_NE(msg.find(name), std::string::npos) << msg;
  EXPECT_THROW(default_shape("nope"), std::invalid_argument);

  msg = error_of([] { get("matmul", {{"L", 3}}); });
  EXPECT_NE(msg.find("`L`"), std::string::npos) << msg;
  EXPECT_NE(msg.find("K, M, N"), std::string::npos) << msg;

  // Values that make no operator.
  EXPECT_THROW(get("matmul", {{"M", 0}}), std::invalid_argument);
  EXPECT_THROW(get("batch_matmul", {{"transpose_b", 2}}), std::invalid_argument);
  msg = error_of([] { get("conv2d_nhwc", {{"H", 2}, {"R", 5}, {"padding", 0}}); });
  EXPECT_NE(msg.find("conv2d_nhwc"), std::string::npos) << msg;
  EXPECT_THROW(get("conv2d_nchw", {{"stride", 0}}), std::invalid_argument);
  EXPECT_THROW(get("max_pool2d", {{"padding", 3}}), std::invalid_argument);
}

}  // namespace
}  // namespace kiln::workloads

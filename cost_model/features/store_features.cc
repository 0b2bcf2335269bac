// The per-store features (features.h): a visitor keeps the loops around the
// current statement; at each buffer store it counts the store's arithmetic,
// describes its loops, and models what it does to each buffer it touches
// (buffer_touch.h) and what that asks of the hardware.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "cost_model/features/buffer_touch.h"
#include "cost_model/features/features.h"
#include "ir/buffer.h"
#include "ir/functor.h"
#include "schedule/buffer_stage.h"

namespace kiln::cost_model {

namespace {

// Column layout.
enum Column : int {
  kFloatMad,
  kFloatAddSub,
  kFloatMul,
  kFloatDiv,
  kFloatCmp,
  kFloatMath,
  kIntOps,
  kBoolOps,
  kVecNum,
  kVecProd,
  kVecLen,
  kVecNone,
  kVecInnermost,
  kVecMiddle,
  kVecOuter,
  kUnrollNum,
  kUnrollProd,
  kUnrollLen,
  kParallelNum,
  kParallelProd,
  kParallelLen,
  kBlockX,
  kBlockY,
  kBlockZ,
  kThreadX,
  kThreadY,
  kThreadZ,
  kVthread,
  kNumLoops,
  kIterations,
  kInnerExtent,
  kInnerSerial,
  kInnerUnrolled,
  kInnerVectorized,
  kInnerContiguous,
  kStraightLineBody,
  kAllocBytes,
  kBufferBase,  // kBuffersPerStore groups of kBufferFields
};

enum BufferField : int {
  kRead,
  kWrite,
  kReadWrite,
  kBytes,
  kUniqueBytes,
  kLines,
  kUniqueLines,
  kReused,
  kNotReused,
  kReuseDistance,
  kReuseCount,
  kReuseBytes,
  kReuseInRegisters,
  kStride,
  kVectorBroadcast,
  kVectorContiguous,
  kVectorGather,
  kBufferFields,
};

constexpr int kIntensityBase = kBufferBase + kBuffersPerStore * kBufferFields;

// The innermost kLoopSlots loops that iterate, innermost first.
constexpr int kLoopSlots = 6;
enum LoopField : int {
  kSlotExtent,
  kSlotParallel,
  kSlotVectorized,
  kSlotUnrolled,
  kSlotReduction,
  kLoopFields,
};
constexpr int kLoopBase = kIntensityBase + kIntensityPoints;

// Measured against the hardware.
enum HardwareColumn : int {
  kVecRegisters = kLoopBase + kLoopSlots * kLoopFields,
  kVecPartial,
  kAccumulatorRegisters,
  kBodyRegisters,
  kParallelEfficiency,
  kL1FitIterations,
  kL2FitIterations,
  kWorkingSetBase,  // kIntensityPoints of them
};
constexpr int kColumns = kWorkingSetBase + kIntensityPoints;

double log_scale(double x) { return std::log2(1.0 + std::max(0.0, x)); }

double elements_of(const ir::BufferNode* b) {
  double n = 1;
  for (const ir::Expr& d : b->shape) {
    const int64_t* e = ir::as_const_int(d);
    n *= e ? static_cast<double>(*e) : 1.0;
  }
  return n;
}

bool uses(const ir::Expr& e, const ir::VarNode* var) {
  for (const ir::VarNode* v : sched::vars_of(e))
    if (v == var) return true;
  return false;
}

// Arithmetic in one evaluation of an expression (lanes counted).
struct OpCounts {
  double mad = 0, add_sub = 0, mul = 0, div = 0, cmp = 0, math = 0, int_ops = 0, bool_ops = 0;
};

class OpCounter : public ir::IRVisitor {
 public:
  OpCounts counts;

 protected:
  void visit_binary(const ir::BinaryNode* op) override {
    const double lanes = op->dtype.lanes();
    const ir::ExprKind k = op->kind;
    if (op->dtype.is_float()) {
      const bool fused = k == ir::ExprKind::kAdd && (op->a.kind() == ir::ExprKind::kMul ||
                                                     op->b.kind() == ir::ExprKind::kMul);
      if (fused) {
        // One multiply-add: the multiply is not counted again.
        counts.mad += lanes;
        const ir::Expr& product = op->a.kind() == ir::ExprKind::kMul ? op->a : op->b;
        const ir::Expr& addend = op->a.kind() == ir::ExprKind::kMul ? op->b : op->a;
        const auto* mul = product.as<ir::BinaryNode>();
        visit(mul->a), visit(mul->b), visit(addend);
        return;
      }
      if (k == ir::ExprKind::kAdd || k == ir::ExprKind::kSub) counts.add_sub += lanes;
      else if (k == ir::ExprKind::kMul) counts.mul += lanes;
      else if (k == ir::ExprKind::kDiv) counts.div += lanes;
      else counts.cmp += lanes;
    } else if (op->dtype.is_bool()) {
      // A comparison of floats is a float compare; of integers, a bool op.
      (op->a.dtype().is_float() ? counts.cmp : counts.bool_ops) += lanes;
    } else {
      counts.int_ops += lanes;
    }
    ir::IRVisitor::visit_binary(op);
  }
  void visit_select(const ir::SelectNode* op) override {
    counts.bool_ops += op->dtype.lanes();
    ir::IRVisitor::visit_select(op);
  }
  void visit_call(const ir::CallNode* op) override {
    counts.math += op->dtype.lanes();
    ir::IRVisitor::visit_call(op);
  }
};

// One access of a buffer by the store's statement.
struct Access {
  const ir::BufferNode* buffer;
  bool read, write;
  std::vector<ir::Expr> indices;
};

class AccessCollector : public ir::IRVisitor {
 public:
  std::vector<Access> accesses;

 protected:
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    accesses.push_back({op->buffer.get(), true, false, op->indices});
    ir::IRVisitor::visit_buffer_load(op);
  }
};

class Extractor : public ir::IRVisitor {
 public:
  explicit Extractor(const FeatureHardware& hw) : hw_(hw), line_(hw.cache_line_bytes) {}
  std::vector<std::vector<float>> rows;

 protected:
  void visit_for(const ir::ForNode* op) override {
    const int64_t* e = ir::as_const_int(op->extent);
    loops_.push_back({op, e ? static_cast<double>(*e) : 1.0});
    ir::IRVisitor::visit_for(op);
    loops_.pop_back();
  }
  void visit_allocate(const ir::AllocateNode* op) override {
    allocated_[op->buffer.get()] = elements_of(op->buffer.get()) * op->buffer->dtype.bytes();
    ir::IRVisitor::visit_allocate(op);
  }
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    rows.push_back(row(op));
    ir::IRVisitor::visit_buffer_store(op);
  }

 private:
  double iterations(size_t from) const {
    double p = 1;
    for (size_t i = from; i < loops_.size(); ++i) p *= loops_[i].extent;
    return p;
  }

  std::vector<float> row(const ir::BufferStoreNode* store) {
    std::vector<float> r(kColumns, 0.0f);
    const double iters = iterations(0);

    // Computation.
    OpCounter ops;
    ops.visit(store->value);
    for (const ir::Expr& i : store->indices) ops.visit(i);
    const OpCounts& c = ops.counts;
    r[kFloatMad] = log_scale(c.mad * iters);
    r[kFloatAddSub] = log_scale(c.add_sub * iters);
    r[kFloatMul] = log_scale(c.mul * iters);
    r[kFloatDiv] = log_scale(c.div * iters);
    r[kFloatCmp] = log_scale(c.cmp * iters);
    r[kFloatMath] = log_scale(c.math * iters);
    r[kIntOps] = log_scale(c.int_ops * iters);
    r[kBoolOps] = log_scale(c.bool_ops * iters);

    // Loops.
    double vec_num = 0, vec_prod = 1, vec_len = 0, unroll_num = 0, unroll_prod = 1, unroll_len = 0;
    double par_num = 0, par_prod = 1, par_len = 0;
    int vec_at = -1;
    double gpu[7] = {0, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < loops_.size(); ++i) {
      const ir::ForNode* f = loops_[i].node;
      const double e = loops_[i].extent;
      switch (f->for_kind) {
        case ir::ForKind::kVectorized:
          ++vec_num, vec_prod *= e, vec_len = e, vec_at = static_cast<int>(i);
          break;
        case ir::ForKind::kUnrolled: ++unroll_num, unroll_prod *= e, unroll_len = e; break;
        case ir::ForKind::kParallel: ++par_num, par_prod *= e, par_len = e; break;
        case ir::ForKind::kThreadBinding: {
          const std::string& tag = f->thread_tag;
          const int axis = tag.back() - 'x';
          if (tag.rfind("blockIdx.", 0) == 0) gpu[axis] = e;
          else if (tag.rfind("threadIdx.", 0) == 0) gpu[3 + axis] = e;
          else gpu[6] = e;
          break;
        }
        default: break;
      }
    }
    r[kVecNum] = log_scale(vec_num);
    r[kVecProd] = log_scale(vec_num ? vec_prod : 0);
    r[kVecLen] = log_scale(vec_len);
    const int n = static_cast<int>(loops_.size());
    r[vec_at < 0 ? kVecNone : vec_at == n - 1 ? kVecInnermost : vec_at == 0 ? kVecOuter : kVecMiddle] = 1;
    r[kUnrollNum] = log_scale(unroll_num);
    r[kUnrollProd] = log_scale(unroll_num ? unroll_prod : 0);
    r[kUnrollLen] = log_scale(unroll_len);
    r[kParallelNum] = log_scale(par_num);
    r[kParallelProd] = log_scale(par_num ? par_prod : 0);
    r[kParallelLen] = log_scale(par_len);
    for (int g = 0; g < 7; ++g) r[kBlockX + g] = log_scale(gpu[g]);
    r[kNumLoops] = log_scale(static_cast<double>(
        std::count_if(loops_.begin(), loops_.end(), [](const LoopLevel& l) { return l.extent > 1; })));
    r[kIterations] = log_scale(iters);
    // The innermost loop that iterates, which LLVM vectorizes when every
    // access steps by 0 or 1 along it, and the body its unrolled and
    // vectorized loops make straight-line code of.
    double straight = 1;
    for (size_t i = loops_.size(); i-- > 0;) {
      const ir::ForKind kind = loops_[i].node->for_kind;
      if (loops_[i].extent <= 1) continue;
      if (kind != ir::ForKind::kUnrolled && kind != ir::ForKind::kVectorized) break;
      straight *= loops_[i].extent;
    }
    r[kStraightLineBody] = log_scale(straight);
    for (size_t i = loops_.size(); i-- > 0;) {
      if (loops_[i].extent <= 1) continue;
      r[kInnerExtent] = log_scale(loops_[i].extent);
      const ir::ForKind kind = loops_[i].node->for_kind;
      r[kind == ir::ForKind::kUnrolled     ? kInnerUnrolled
        : kind == ir::ForKind::kVectorized ? kInnerVectorized
                                           : kInnerSerial] = 1;
      break;
    }
    auto alloc = allocated_.find(store->buffer.get());
    r[kAllocBytes] = log_scale(alloc == allocated_.end() ? 0 : alloc->second);

    // Buffers, by bytes accessed.
    AccessCollector reads;
    reads.visit(store->value);
    std::vector<Access> accesses = reads.accesses;
    accesses.push_back({store->buffer.get(), false, true, store->indices});
    // In order of first access, so that ties in bytes keep program order.
    std::vector<BufferTouch> buffers;
    for (const Access& a : accesses) {
      auto it = std::find_if(buffers.begin(), buffers.end(),
                             [&](const BufferTouch& t) { return t.buffer() == a.buffer; });
      if (it == buffers.end()) it = buffers.emplace(buffers.end(), a.buffer, loops_, line_);
      it->add(a.indices, a.read, a.write);
    }
    bool contiguous = true;
    for (const BufferTouch& t : buffers) contiguous &= t.innermost_step <= 1;
    r[kInnerContiguous] = contiguous;
    std::vector<const BufferTouch*> order;
    for (const BufferTouch& t : buffers) order.push_back(&t);
    std::stable_sort(order.begin(), order.end(),
                     [](const BufferTouch* x, const BufferTouch* y) { return x->bytes > y->bytes; });
    for (size_t k = 0; k < order.size() && k < static_cast<size_t>(kBuffersPerStore); ++k) {
      const BufferTouch& m = *order[k];
      float* f = &r[kBufferBase + static_cast<int>(k) * kBufferFields];
      f[m.read && m.write ? kReadWrite : m.write ? kWrite : kRead] = 1;
      f[kBytes] = log_scale(m.bytes);
      f[kUniqueBytes] = log_scale(m.unique_bytes);
      f[kLines] = log_scale(m.lines);
      f[kUniqueLines] = log_scale(m.unique_lines);
      // Times each element is touched, on average: a loop that does not
      // move the index, or the statement touching it twice.
      const double reuse_count = m.unique_bytes > 0 ? m.bytes / m.unique_bytes : 0;
      f[reuse_count > 1 ? kReused : kNotReused] = 1;
      f[kReuseCount] = log_scale(reuse_count);
      f[kReuseDistance] = log_scale(m.reuse_distance);
      f[kReuseBytes] = log_scale(m.reuse_bytes);
      f[kReuseInRegisters] = m.reuse_in_registers;
      f[kStride] = log_scale(m.stride);
      if (m.vector_access == BufferTouch::kBroadcast) f[kVectorBroadcast] = 1;
      if (m.vector_access == BufferTouch::kContiguous) f[kVectorContiguous] = 1;
      if (m.vector_access == BufferTouch::kGather) f[kVectorGather] = 1;
    }

    // Arithmetic intensity under each of kIntensityPoints loop levels,
    // spread over the loops that iterate (extent 1 loops do nothing).
    const double flops_per_iter = 2 * c.mad + c.add_sub + c.mul + c.div + c.cmp + c.math;
    std::vector<size_t> levels;
    for (size_t i = 0; i < loops_.size(); ++i)
      if (loops_[i].extent > 1) levels.push_back(i);
    levels.push_back(loops_.size());  // one iteration
    for (int p = 0; p < kIntensityPoints; ++p) {
      const size_t at = static_cast<size_t>(std::lround(static_cast<double>(p) *
                                                        static_cast<double>(levels.size() - 1) /
                                                        (kIntensityPoints - 1)));
      const size_t level = levels[at];
      double unique = 0;
      for (const BufferTouch& t : buffers) unique += t.unique_under[level];
      r[kIntensityBase + p] = log_scale(unique > 0 ? flops_per_iter * iterations(level) / unique : 0);
      r[kWorkingSetBase + p] = log_scale(unique);
    }

    // The loop nest, innermost first.
    int slot = 0;
    for (size_t i = loops_.size(); i-- > 0 && slot < kLoopSlots;) {
      if (loops_[i].extent <= 1) continue;
      float* f = &r[kLoopBase + slot++ * kLoopFields];
      f[kSlotExtent] = log_scale(loops_[i].extent);
      const ir::ForKind kind = loops_[i].node->for_kind;
      f[kSlotParallel] = kind == ir::ForKind::kParallel;
      f[kSlotVectorized] = kind == ir::ForKind::kVectorized;
      f[kSlotUnrolled] = kind == ir::ForKind::kUnrolled;
      bool moves = false;
      for (const ir::Expr& index : store->indices)
        moves |= uses(index, loops_[i].node->loop_var.get());
      f[kSlotReduction] = !moves;
    }

    // Against the hardware: vector registers per vector operation; the
    // registers the straight-line body (its unrolled and vectorized loops)
    // keeps live; the share of the cores the parallel loops keep busy; the
    // iterations of the outermost loop whose data fits L1, and L2.
    const double vector_bytes = std::max(1, hw_.vector_bytes);
    const double vector_len_bytes = vec_len * store->buffer->dtype.bytes();
    r[kVecRegisters] = log_scale(vec_num ? vector_len_bytes / vector_bytes : 0);
    r[kVecPartial] = vec_num && std::fmod(vector_len_bytes, vector_bytes) != 0;
    size_t body = loops_.size();
    for (size_t i = loops_.size(); i-- > 0;) {
      const ir::ForKind kind = loops_[i].node->for_kind;
      if (loops_[i].extent <= 1) continue;
      if (kind != ir::ForKind::kUnrolled && kind != ir::ForKind::kVectorized) break;
      body = i;
    }
    double body_bytes = 0, stored_bytes = 0;
    for (const BufferTouch& t : buffers) {
      body_bytes += t.unique_under[body];
      if (t.buffer() == store->buffer.get()) stored_bytes = t.unique_under[body];
    }
    r[kAccumulatorRegisters] = log_scale(stored_bytes / vector_bytes);
    r[kBodyRegisters] = log_scale(body_bytes / vector_bytes);
    const double cores = std::max(1, hw_.cores);
    const double busy = par_num ? par_prod / (std::ceil(par_prod / cores) * cores) : 1.0 / cores;
    r[kParallelEfficiency] = static_cast<float>(busy);
    double l1_fit = 1, l2_fit = 1;
    for (size_t level = loops_.size() + 1; level-- > 0;) {
      double unique = 0;
      for (const BufferTouch& t : buffers) unique += t.unique_under[level];
      if (unique <= hw_.l1_bytes) l1_fit = iterations(level);
      if (unique <= hw_.l2_bytes) l2_fit = iterations(level);
    }
    r[kL1FitIterations] = log_scale(l1_fit);
    r[kL2FitIterations] = log_scale(l2_fit);
    return r;
  }

  FeatureHardware hw_;
  double line_;
  std::vector<LoopLevel> loops_;
  std::unordered_map<const ir::BufferNode*, double> allocated_;
};

std::vector<std::string> make_names() {
  std::vector<std::string> names = {
      "float_mad",     "float_addsub",  "float_mul",     "float_div",    "float_cmp",
      "float_math",    "int_ops",       "bool_ops",      "vec_num",      "vec_prod",
      "vec_len",       "vec_none",      "vec_innermost", "vec_middle",   "vec_outer",
      "unroll_num",    "unroll_prod",   "unroll_len",    "parallel_num", "parallel_prod",
      "parallel_len",  "blockIdx_x",    "blockIdx_y",    "blockIdx_z",   "threadIdx_x",
      "threadIdx_y",   "threadIdx_z",   "vthread",       "num_loops",    "iterations",
      "inner_extent",  "inner_serial",  "inner_unrolled", "inner_vectorized", "inner_contiguous",
      "straight_line_body", "alloc_bytes"};
  const char* fields[kBufferFields] = {"read",  "write",     "read_write", "bytes",
                                       "unique_bytes", "lines", "unique_lines", "reused",
                                       "not_reused", "reuse_distance", "reuse_count", "reuse_bytes", "reuse_in_registers",
                                       "stride", "vector_broadcast", "vector_contiguous",
                                       "vector_gather"};
  for (int b = 0; b < kBuffersPerStore; ++b)
    for (const char* f : fields) names.push_back("buffer" + std::to_string(b) + "_" + f);
  for (int p = 0; p < kIntensityPoints; ++p) names.push_back("intensity_" + std::to_string(p));
  const char* loop_fields[kLoopFields] = {"extent", "parallel", "vectorized", "unrolled",
                                         "reduction"};
  for (int l = 0; l < kLoopSlots; ++l)
    for (const char* f : loop_fields) names.push_back("loop" + std::to_string(l) + "_" + f);
  for (const char* n : {"vec_registers", "vec_partial", "accumulator_registers", "body_registers",
                        "parallel_efficiency", "l1_fit_iterations", "l2_fit_iterations"})
    names.push_back(n);
  for (int p = 0; p < kIntensityPoints; ++p) names.push_back("working_set_" + std::to_string(p));
  return names;
}

}  // namespace

const std::vector<std::string>& feature_names() {
  static const std::vector<std::string> names = make_names();
  return names;
}

int feature_count() { return kColumns; }

FeatureHardware FeatureHardware::of(const Target& target) {
  FeatureHardware hw;
  if (target.cache_line_bytes > 0) hw.cache_line_bytes = target.cache_line_bytes;
  if (target.vector_bytes > 0) hw.vector_bytes = target.vector_bytes;
  hw.cores = std::max(1, target.num_cores);
  if (target.l1d_cache_bytes > 0) hw.l1_bytes = static_cast<double>(target.l1d_cache_bytes);
  if (target.l2_cache_bytes > 0) hw.l2_bytes = static_cast<double>(target.l2_cache_bytes);
  return hw;
}

FeatureMatrix store_features(const ir::PrimFunc& lowered, const FeatureHardware& hardware) {
  FeatureHardware hw = hardware;
  if (hw.cache_line_bytes <= 0) hw.cache_line_bytes = 64;
  Extractor extractor(hw);
  extractor.visit(lowered->body);
  FeatureMatrix m(static_cast<Eigen::Index>(extractor.rows.size()), kColumns);
  for (size_t i = 0; i < extractor.rows.size(); ++i)
    for (int c = 0; c < kColumns; ++c) m(static_cast<Eigen::Index>(i), c) = extractor.rows[i][c];
  return m;
}

}  // namespace kiln::cost_model

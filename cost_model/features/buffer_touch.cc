#include "cost_model/features/buffer_touch.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "ir/arith/int_bound.h"
#include "ir/arith/linear_form.h"
#include "schedule/buffer_stage.h"

namespace kiln::cost_model {

namespace {

// One index expression: its linear coefficients in loop variables, and
// every variable it uses (under floordiv and floormod too, as fused loops
// are).
struct Dimension {
  std::unordered_map<const ir::VarNode*, int64_t> coef;
  std::unordered_set<const ir::VarNode*> uses;
  bool affine = true;
  ir::Expr index;
  double size = 0;  // the buffer's extent here (0: unknown)
};

Dimension analyze(const ir::Expr& index, double size) {
  Dimension d;
  d.index = index;
  d.size = size;
  const ir::arith::LinearForm form = ir::arith::LinearForm::from_expr(index);
  for (const ir::arith::LinearTerm& t : form.terms()) {
    if (const auto* v = t.atom.as<ir::VarNode>()) {
      d.coef[v] += t.coef;
      d.uses.insert(v);
      continue;
    }
    d.affine = false;
    for (const ir::VarNode* var : sched::vars_of(t.atom)) d.uses.insert(var);
  }
  return d;
}

int64_t loop_min(const ir::ForNode* f) {
  const int64_t* m = ir::as_const_int(f->min);
  return m ? *m : 0;
}

}  // namespace

BufferTouch::BufferTouch(const ir::BufferNode* buffer, const std::vector<LoopLevel>& loops,
                         int line_bytes)
    : unique_under(loops.size() + 1, 0.0), buffer_(buffer), loops_(&loops), line_(line_bytes) {}

void BufferTouch::add(const std::vector<ir::Expr>& indices, bool is_read, bool is_write) {
  const std::vector<LoopLevel>& loops = *loops_;
  const size_t n = loops.size();
  const double elem = buffer_->dtype.bytes();
  read |= is_read;
  write |= is_write;
  double iterations = 1;
  for (const LoopLevel& l : loops) iterations *= l.extent;
  bytes += iterations * elem;

  std::vector<Dimension> dims;
  for (size_t d = 0; d < indices.size(); ++d) {
    const int64_t* s = d < buffer_->shape.size() ? ir::as_const_int(buffer_->shape[d]) : nullptr;
    dims.push_back(analyze(indices[d], s ? static_cast<double>(*s) : 0.0));
  }
  if (dims.empty()) dims.push_back(analyze(ir::Expr(0), 1));
  auto uses = [&](size_t i) {
    for (const Dimension& d : dims)
      if (d.uses.count(loops[i].node->loop_var.get())) return true;
    return false;
  };

  // Distinct elements per dimension under each level, from the innermost
  // level out. Non-affine indices need interval bounds of the loops that
  // run (the others held at their first value).
  bool any_nonaffine = false;
  for (const Dimension& d : dims) any_nonaffine |= !d.affine;
  ir::arith::VarBoundMap bounds;
  if (any_nonaffine)
    for (const LoopLevel& l : loops)
      bounds[l.node->loop_var] = ir::arith::ConstIntBound::single(loop_min(l.node));
  std::vector<double> span(dims.size(), 1.0), product(dims.size(), 1.0);
  std::vector<double> distinct(dims.size(), 1.0);
  double inner_lines_at_0 = 0;
  for (size_t level = n + 1; level-- > 0;) {
    if (level < n) {
      const LoopLevel& l = loops[level];
      const ir::VarNode* v = l.node->loop_var.get();
      for (size_t d = 0; d < dims.size(); ++d) {
        if (!dims[d].uses.count(v)) continue;
        product[d] *= l.extent;
        auto c = dims[d].coef.find(v);
        if (dims[d].affine && c != dims[d].coef.end())
          span[d] += static_cast<double>(std::llabs(c->second)) * (l.extent - 1);
      }
      if (any_nonaffine) {
        const int64_t lo = loop_min(l.node);
        bounds[l.node->loop_var] = {lo, lo + static_cast<int64_t>(l.extent) - 1};
      }
    }
    double elements = 1;
    for (size_t d = 0; d < dims.size(); ++d) {
      if (!dims[d].affine) {
        const ir::arith::ConstIntBound b = ir::arith::const_int_bound(dims[d].index, bounds);
        span[d] = b.has_min() && b.has_max() ? static_cast<double>(b.max - b.min + 1) : product[d];
      }
      distinct[d] = std::min(span[d], product[d]);
      if (dims[d].size > 0) distinct[d] = std::min(distinct[d], dims[d].size);
      elements *= distinct[d];
    }
    unique_under[level] = std::max(unique_under[level], elements * elem);
    if (level == 0) {
      // The last dimension is contiguous: its run shares lines.
      inner_lines_at_0 = elements / distinct.back() * std::ceil(distinct.back() * elem / line_);
    }
  }
  unique_bytes = unique_under[0];
  unique_lines = std::max(unique_lines, inner_lines_at_0);

  // A loop's step in the flattened buffer (row-major); a loop used only
  // under floordiv or floormod steps by an unknown amount, counted as 1.
  auto step_of = [&](size_t i) {
    double step = 0, row = 1;
    for (size_t d = dims.size(); d-- > 0;) {
      auto c = dims[d].coef.find(loops[i].node->loop_var.get());
      if (c != dims[d].coef.end()) step += static_cast<double>(std::llabs(c->second)) * row;
      else if (dims[d].uses.count(loops[i].node->loop_var.get())) step += row;
      row *= dims[d].size > 0 ? dims[d].size : 1;
    }
    return step;
  };
  for (size_t i = n; i-- > 0;)
    if (loops[i].extent > 1) {
      innermost_step = std::max(innermost_step, step_of(i));
      break;
    }
  // The innermost loop that moves the index.
  double step = 0;
  for (size_t i = n; i-- > 0;)
    if (loops[i].extent > 1 && uses(i)) {
      step = step_of(i);
      break;
    }
  stride = std::max(stride, step);
  lines += step > 0 && step * elem < line_ ? iterations * elem * step / line_ : iterations;
  for (size_t i = n; i-- > 0;)
    if (loops[i].node->for_kind == ir::ForKind::kVectorized && loops[i].extent > 1) {
      const double s = step_of(i);
      vector_access = std::max(vector_access, s == 0 ? kBroadcast : s == 1 ? kContiguous : kGather);
      break;
    }

  for (size_t i = n; i-- > 0;)
    if (loops[i].extent > 1 && !uses(i)) {
      double body = 1;
      for (size_t k = i + 1; k < n; ++k) body *= loops[k].extent;
      reuse_distance = std::max(reuse_distance, body);
      reuse_bytes = std::max(reuse_bytes, unique_under[i + 1]);
      const ir::ForKind kind = loops[i].node->for_kind;
      reuse_in_registers |= kind == ir::ForKind::kUnrolled || kind == ir::ForKind::kVectorized;
      break;
    }
}

}  // namespace kiln::cost_model

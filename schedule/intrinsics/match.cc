#include "schedule/intrinsics/match.h"

#include <unordered_map>

#include "ir/arith/simplify.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/printer.h"
#include "ir/substitute.h"

namespace kiln::sched {

namespace {

std::string quoted(const ir::Expr& e) { return "`" + ir::to_script(e) + "`"; }

std::string access_text(const ir::Buffer& buffer, const std::vector<ir::Expr>& indices) {
  std::string s = "`" + buffer->name + "[";
  for (size_t i = 0; i < indices.size(); ++i) s += (i ? ", " : "") + ir::to_script(indices[i]);
  return s + "]`";
}

// The first line of a statement's text, to name it in a message.
std::string stmt_head(const ir::Stmt& s) {
  std::string text = ir::to_script(s);
  return "`" + text.substr(0, text.find('\n')) + "`";
}

const ir::BlockNode& root_block_of(const ir::PrimFunc& func) {
  return *func->body.as<ir::BlockRealizeNode>()->block;
}

bool has_buffer_load(const ir::Expr& e) {
  struct Finder : ir::IRVisitor {
    bool found = false;
    void visit_buffer_load(const ir::BufferLoadNode*) override { found = true; }
  } finder;
  finder.visit(e);
  return finder.found;
}

const ir::BufferRegion* find_region(const std::vector<ir::BufferRegion>& regions,
                                    const ir::Buffer& buffer) {
  for (const ir::BufferRegion& r : regions)
    if (r.buffer == buffer) return &r;
  return nullptr;
}

// Compares the statements under the block to tensorize (the left side) with
// those of the description (the right side), mapping variables and buffers
// one to one as it meets them. Buffer indices are only recorded: they are
// checked once the windows are known.
class DescMatcher {
 public:
  DescMatcher(const ir::BlockNode& block, const ir::PrimFunc& desc) : block_(block), desc_(desc) {
    for (const ir::IterVar& iv : block.iter_vars) analyzer_.bind(iv.var, iv.dom);
    for (size_t i = 0; i < desc->params.size(); ++i) param_index_[desc->params[i].get()] = i;
  }

  const std::string& mismatch() const { return mismatch_; }

  bool stmt(const ir::Stmt& lhs, const ir::Stmt& rhs) {
    if (!lhs.defined() || !rhs.defined()) {
      if (lhs.defined() == rhs.defined()) return true;
      return fail(lhs.defined()
                      ? "the block has " + stmt_head(lhs) + " where the description has nothing"
                      : "the description has " + stmt_head(rhs) + " where the block has nothing");
    }
    if (lhs.kind() != rhs.kind())
      return fail("the block has " + stmt_head(lhs) + " where the description has " +
                  stmt_head(rhs));
    switch (lhs.kind()) {
      case ir::StmtKind::kFor: return loop(lhs.as<ir::ForNode>(), rhs.as<ir::ForNode>());
      case ir::StmtKind::kBlockRealize:
        return block_realize(lhs.as<ir::BlockRealizeNode>(), rhs.as<ir::BlockRealizeNode>());
      case ir::StmtKind::kSeq: {
        const auto &a = lhs.as<ir::SeqStmtNode>()->seq, &b = rhs.as<ir::SeqStmtNode>()->seq;
        if (a.size() != b.size())
          return fail("the block has a sequence of " + std::to_string(a.size()) +
                      " statements where the description has " + std::to_string(b.size()));
        for (size_t i = 0; i < a.size(); ++i)
          if (!stmt(a[i], b[i])) return false;
        return true;
      }
      case ir::StmtKind::kBufferStore: {
        const auto *a = lhs.as<ir::BufferStoreNode>(), *b = rhs.as<ir::BufferStoreNode>();
        return access(a->buffer, a->indices, b->buffer, b->indices) && expr(a->value, b->value);
      }
      case ir::StmtKind::kIfThenElse: {
        const auto *a = lhs.as<ir::IfThenElseNode>(), *b = rhs.as<ir::IfThenElseNode>();
        return expr(a->condition, b->condition) && stmt(a->then_case, b->then_case) &&
               stmt(a->else_case, b->else_case);
      }
      case ir::StmtKind::kEvaluate:
        return expr(lhs.as<ir::EvaluateNode>()->value, rhs.as<ir::EvaluateNode>()->value);
      case ir::StmtKind::kLetStmt: {
        const auto *a = lhs.as<ir::LetStmtNode>(), *b = rhs.as<ir::LetStmtNode>();
        return expr(a->value, b->value) && define(a->var, b->var) && stmt(a->body, b->body);
      }
      default: return fail("the block has " + stmt_head(lhs) + ", which tensorize does not match");
    }
  }

  // Values must be the same expression; indices are compared by value.
  bool expr(const ir::Expr& lhs, const ir::Expr& rhs) {
    if (lhs.kind() != rhs.kind() || lhs.dtype() != rhs.dtype()) return expr_mismatch(lhs, rhs);
    switch (lhs.kind()) {
      case ir::ExprKind::kIntImm:
        return lhs.as<ir::IntImmNode>()->value == rhs.as<ir::IntImmNode>()->value ||
               expr_mismatch(lhs, rhs);
      case ir::ExprKind::kFloatImm:
        return lhs.as<ir::FloatImmNode>()->value == rhs.as<ir::FloatImmNode>()->value ||
               expr_mismatch(lhs, rhs);
      case ir::ExprKind::kVar: {
        auto it = lhs_to_rhs_.find(ir::Var::from_expr(lhs));
        return (it != lhs_to_rhs_.end() && it->second.same_as(rhs)) || expr_mismatch(lhs, rhs);
      }
      case ir::ExprKind::kNot: return expr(lhs.as<ir::NotNode>()->a, rhs.as<ir::NotNode>()->a);
      case ir::ExprKind::kSelect: {
        const auto *a = lhs.as<ir::SelectNode>(), *b = rhs.as<ir::SelectNode>();
        return expr(a->condition, b->condition) && expr(a->true_value, b->true_value) &&
               expr(a->false_value, b->false_value);
      }
      case ir::ExprKind::kCast:
        return expr(lhs.as<ir::CastNode>()->value, rhs.as<ir::CastNode>()->value);
      case ir::ExprKind::kBufferLoad: {
        const auto *a = lhs.as<ir::BufferLoadNode>(), *b = rhs.as<ir::BufferLoadNode>();
        return access(a->buffer, a->indices, b->buffer, b->indices);
      }
      case ir::ExprKind::kCall: {
        const auto *a = lhs.as<ir::CallNode>(), *b = rhs.as<ir::CallNode>();
        if (a->op != b->op || a->args.size() != b->args.size()) return expr_mismatch(lhs, rhs);
        for (size_t i = 0; i < a->args.size(); ++i)
          if (!expr(a->args[i], b->args[i])) return false;
        return true;
      }
      case ir::ExprKind::kRamp: {
        const auto *a = lhs.as<ir::RampNode>(), *b = rhs.as<ir::RampNode>();
        return a->lanes == b->lanes && expr(a->base, b->base) && expr(a->stride, b->stride);
      }
      case ir::ExprKind::kBroadcast: {
        const auto *a = lhs.as<ir::BroadcastNode>(), *b = rhs.as<ir::BroadcastNode>();
        return a->lanes == b->lanes && expr(a->value, b->value);
      }
      case ir::ExprKind::kLet: {
        const auto *a = lhs.as<ir::LetNode>(), *b = rhs.as<ir::LetNode>();
        return expr(a->value, b->value) && define(a->var, b->var) && expr(a->body, b->body);
      }
      default: {
        const auto *a = lhs.as<ir::BinaryNode>(), *b = rhs.as<ir::BinaryNode>();
        return expr(a->a, b->a) && expr(a->b, b->b);
      }
    }
  }

  // After stmt(): the window of every description buffer, from where the
  // block's region of its real buffer starts, once every recorded access is
  // proved to land on the description's index inside it.
  std::optional<IntrinsicWindows> windows() {
    IntrinsicWindows w;
    for (const ir::Buffer& param : desc_->params) {
      auto it = desc_to_real_.find(param.get());
      if (it == desc_to_real_.end()) {
        fail("the block never accesses a buffer in the role of the description's `" + param->name +
             "`");
        return std::nullopt;
      }
      const ir::Buffer& real = it->second;
      const ir::BufferRegion* region = find_region(block_.writes, real);
      if (!region) region = find_region(block_.reads, real);
      if (!region) {
        fail("the block accesses `" + real->name + "` but does not list it in its reads or writes");
        return std::nullopt;
      }
      std::vector<int64_t> window = window_shape(real, param);
      std::vector<int64_t> shape = ir::static_shape(real);
      std::vector<ir::Expr> mins;
      for (size_t d = 0; d < window.size(); ++d) {
        const ir::Range& range = region->region[d];
        if (!analyzer_.can_prove_equal(range.extent,
                                       ir::int_imm(range.extent.dtype(), window[d]))) {
          fail("shape mismatch: the block's region of `" + real->name + "` has extent " +
               quoted(range.extent) + " in dimension " + std::to_string(d) +
               " where the description's `" + param->name + "` needs " + std::to_string(window[d]));
          return std::nullopt;
        }
        ir::arith::ConstIntBound bound = analyzer_.const_int_bound(range.min);
        if (bound.min < 0 || !bound.has_max() || bound.max + window[d] > shape[d]) {
          fail("the window of `" + real->name + "` starting at " + quoted(range.min) +
               " in dimension " + std::to_string(d) + " may leave the buffer (extent " +
               std::to_string(shape[d]) + ")");
          return std::nullopt;
        }
        mins.push_back(range.min);
      }
      w.buffers.push_back(real);
      w.mins.push_back(std::move(mins));
    }
    for (const Access& a : accesses_) {
      const std::vector<ir::Expr>& mins = w.mins[param_index_.at(a.desc_buffer.get())];
      const size_t offset = mins.size() - a.desc_indices.size();
      for (size_t d = 0; d < mins.size(); ++d) {
        ir::Expr relative = ir::substitute(a.real_indices[d], lhs_to_rhs_) - mins[d];
        ir::Expr expected =
            d < offset ? ir::make_zero(relative.dtype()) : a.desc_indices[d - offset];
        if (!analyzer_.can_prove_equal(relative, expected)) {
          fail("the block accesses " + access_text(a.real_buffer, a.real_indices) +
               " where the description accesses " + access_text(a.desc_buffer, a.desc_indices) +
               ", which are not the same element of a window starting at " +
               access_text(a.real_buffer, mins));
          return std::nullopt;
        }
      }
    }
    return w;
  }

 private:
  struct Access {
    ir::Buffer real_buffer;
    std::vector<ir::Expr> real_indices;
    ir::Buffer desc_buffer;
    std::vector<ir::Expr> desc_indices;
  };

  bool fail(std::string why) {
    if (mismatch_.empty()) mismatch_ = std::move(why);
    return false;
  }
  bool expr_mismatch(const ir::Expr& lhs, const ir::Expr& rhs) {
    return fail("the block computes " + quoted(lhs) + " where the description computes " +
                quoted(rhs));
  }

  // lhs and rhs are equal as integers once the block's variables are renamed.
  bool same_index(const ir::Expr& lhs, const ir::Expr& rhs) {
    return !has_buffer_load(lhs) &&
           analyzer_.can_prove_equal(ir::substitute(lhs, lhs_to_rhs_), rhs);
  }

  bool define(const ir::Var& lhs, const ir::Var& rhs) {
    if (lhs.dtype() != rhs.dtype())
      return fail("variable `" + lhs.name() + "` is " + lhs.dtype().str() +
                  " where the description's `" + rhs.name() + "` is " + rhs.dtype().str());
    lhs_to_rhs_[lhs] = rhs;
    return true;
  }

  bool loop(const ir::ForNode* a, const ir::ForNode* b) {
    if (!same_index(a->min, b->min) || !same_index(a->extent, b->extent))
      return fail("loop `" + a->loop_var.name() + "` runs over [" + ir::to_script(a->min) + ", +" +
                  ir::to_script(a->extent) + ") where the description's loop `" +
                  b->loop_var.name() + "` runs over [" + ir::to_script(b->min) + ", +" +
                  ir::to_script(b->extent) + ")");
    if (a->for_kind != b->for_kind || a->thread_tag != b->thread_tag)
      return fail("loop `" + a->loop_var.name() + "` is " + ir::for_kind_name(a->for_kind) +
                  " where the description's loop `" + b->loop_var.name() + "` is " +
                  ir::for_kind_name(b->for_kind));
    if (!define(a->loop_var, b->loop_var)) return false;
    analyzer_.bind(b->loop_var, ir::Range{b->min, b->extent});
    return stmt(a->body, b->body);
  }

  bool block_realize(const ir::BlockRealizeNode* a, const ir::BlockRealizeNode* b) {
    const ir::BlockNode &x = *a->block, &y = *b->block;
    if (x.iter_vars.size() != y.iter_vars.size())
      return fail("block \"" + x.name + "\" has " + std::to_string(x.iter_vars.size()) +
                  " iter vars where the description's block \"" + y.name + "\" has " +
                  std::to_string(y.iter_vars.size()));
    for (size_t k = 0; k < x.iter_vars.size(); ++k) {
      const ir::IterVar &u = x.iter_vars[k], &v = y.iter_vars[k];
      if (!same_index(a->iter_values[k], b->iter_values[k]))
        return fail("iter var `" + u.var.name() + "` of block \"" + x.name + "\" is bound to " +
                    quoted(a->iter_values[k]) + " where the description binds " +
                    quoted(b->iter_values[k]));
      if (u.kind != v.kind || !same_index(u.dom.min, v.dom.min) ||
          !same_index(u.dom.extent, v.dom.extent))
        return fail("iter var `" + u.var.name() + "` of block \"" + x.name +
                    "\" differs from the description's in kind or domain");
    }
    if (!expr(a->predicate, b->predicate)) return false;
    for (size_t k = 0; k < x.iter_vars.size(); ++k) {
      if (!define(x.iter_vars[k].var, y.iter_vars[k].var)) return false;
      analyzer_.bind(y.iter_vars[k].var, y.iter_vars[k].dom);
    }
    if (!x.alloc_buffers.empty() || !y.alloc_buffers.empty())
      return fail("block \"" + x.name + "\" or the description's block allocates buffers");
    return stmt(x.init, y.init) && stmt(x.body, y.body);
  }

  bool access(const ir::Buffer& real, const std::vector<ir::Expr>& real_indices,
              const ir::Buffer& desc, const std::vector<ir::Expr>& desc_indices) {
    if (!param_index_.count(desc.get()))
      return fail("the description accesses `" + desc->name +
                  "`, which is not one of its parameters");
    auto [it, inserted] = desc_to_real_.try_emplace(desc.get(), real);
    if (!inserted && it->second != real)
      return fail("the block accesses both `" + it->second->name + "` and `" + real->name +
                  "` where the description accesses `" + desc->name + "`");
    if (inserted) {
      if (!real_to_desc_.emplace(real.get(), desc).second)
        return fail("the block's `" + real->name + "` plays the roles of both `" +
                    real_to_desc_.at(real.get())->name + "` and `" + desc->name +
                    "` of the description");
      if (real->dtype != desc->dtype || real->scope != desc->scope ||
          real->shape.size() < desc->shape.size())
        return fail("`" + real->name + "` (" + real->dtype.str() + ", scope \"" + real->scope +
                    "\", " + std::to_string(real->shape.size()) +
                    " dimensions) cannot stand for the description's `" + desc->name + "` (" +
                    desc->dtype.str() + ", scope \"" + desc->scope + "\", " +
                    std::to_string(desc->shape.size()) + " dimensions)");
    }
    for (const ir::Expr& index : real_indices)
      if (has_buffer_load(index))
        return fail("the block accesses " + access_text(real, real_indices) +
                    " with an index read from memory");
    accesses_.push_back({real, real_indices, desc, desc_indices});
    return true;
  }

  // The window's extent in every dimension of `real`: 1 in the leading
  // dimensions `desc` lacks, then the shape of `desc`.
  static std::vector<int64_t> window_shape(const ir::Buffer& real, const ir::Buffer& desc) {
    std::vector<int64_t> window(real->shape.size() - desc->shape.size(), 1);
    for (int64_t e : ir::static_shape(desc)) window.push_back(e);
    return window;
  }

  const ir::BlockNode& block_;
  const ir::PrimFunc& desc_;
  ir::arith::Analyzer analyzer_;
  ir::VarMap lhs_to_rhs_;
  std::unordered_map<const ir::BufferNode*, size_t> param_index_;
  std::unordered_map<const ir::BufferNode*, ir::Buffer> desc_to_real_;
  std::unordered_map<const ir::BufferNode*, ir::Buffer> real_to_desc_;
  std::vector<Access> accesses_;
  std::string mismatch_;
};

// Rewrites the implementation's body onto the windows: parameter accesses
// become accesses of the real buffers, offset by the window's start, and
// every variable it defines is made fresh, so that the same implementation
// can be pasted into several blocks.
class ImplBinder : public ir::IRMutator {
 public:
  ImplBinder(const ir::PrimFunc& impl, const IntrinsicWindows& windows) : windows_(windows) {
    for (size_t i = 0; i < impl->params.size(); ++i) param_index_[impl->params[i].get()] = i;
  }

 protected:
  ir::Expr mutate_var(const ir::Expr& e) override {
    auto it = fresh_.find(ir::Var::from_expr(e));
    return it == fresh_.end() ? e : it->second;
  }
  ir::Stmt mutate_for(const ir::Stmt&, const ir::ForNode* op) override {
    ir::Expr min = mutate(op->min), extent = mutate(op->extent);
    ir::Var var = fresh(op->loop_var);
    return ir::for_loop(var, min, extent, op->for_kind, mutate(op->body), op->thread_tag,
                        op->annotations);
  }
  ir::Stmt mutate_let_stmt(const ir::Stmt&, const ir::LetStmtNode* op) override {
    ir::Expr value = mutate(op->value);
    ir::Var var = fresh(op->var);
    return ir::let_stmt(var, value, mutate(op->body));
  }
  ir::Expr mutate_let(const ir::Expr&, const ir::LetNode* op) override {
    ir::Expr value = mutate(op->value);
    ir::Var var = fresh(op->var);
    return ir::let(var, value, mutate(op->body));
  }
  ir::Expr mutate_buffer_load(const ir::Expr&, const ir::BufferLoadNode* op) override {
    std::vector<ir::Expr> indices;
    mutate_all(op->indices, &indices);
    size_t p = param_index_.at(op->buffer.get());
    return ir::buffer_load(windows_.buffers[p], in_window(p, indices));
  }
  ir::Stmt mutate_buffer_store(const ir::Stmt&, const ir::BufferStoreNode* op) override {
    ir::Expr value = mutate(op->value);
    std::vector<ir::Expr> indices;
    mutate_all(op->indices, &indices);
    size_t p = param_index_.at(op->buffer.get());
    return ir::buffer_store(windows_.buffers[p], value, in_window(p, indices));
  }

 private:
  ir::Var fresh(const ir::Var& var) {
    ir::Var copy = var.copy_with_name(var.name());
    fresh_[var] = copy;
    return copy;
  }
  std::vector<ir::Expr> in_window(size_t p, const std::vector<ir::Expr>& indices) const {
    const std::vector<ir::Expr>& mins = windows_.mins[p];
    const size_t offset = mins.size() - indices.size();
    std::vector<ir::Expr> out(mins.begin(), mins.begin() + static_cast<std::ptrdiff_t>(offset));
    for (size_t d = 0; d < indices.size(); ++d) out.push_back(mins[offset + d] + indices[d]);
    return out;
  }

  const IntrinsicWindows& windows_;
  std::unordered_map<const ir::BufferNode*, size_t> param_index_;
  ir::VarMap fresh_;
};

}  // namespace

std::optional<IntrinsicWindows> match_tensor_intrin(const ir::BlockRealizeNode& realize,
                                                    const TensorIntrin& intrin,
                                                    std::string* mismatch) {
  const ir::BlockNode& block = *realize.block;
  if (!is_const_int(realize.predicate, 1)) {
    *mismatch = "block \"" + block.name + "\" runs only where " + quoted(realize.predicate) +
                ", while the intrinsic computes its whole domain";
    return std::nullopt;
  }
  DescMatcher matcher(block, intrin.desc);
  std::optional<IntrinsicWindows> windows;
  if (matcher.stmt(block.body, root_block_of(intrin.desc).body)) windows = matcher.windows();
  if (!windows) *mismatch = matcher.mismatch();
  return windows;
}

ir::Stmt apply_tensor_intrin(const ir::BlockRealizeNode& realize, const TensorIntrin& intrin,
                             const IntrinsicWindows& windows) {
  const ir::BlockNode& impl_root = root_block_of(intrin.impl);
  auto block = ir::copy_block(*realize.block);
  block->body = ImplBinder(intrin.impl, windows).mutate(impl_root.body);

  // The description's root regions, moved onto the windows, then whatever
  // else the block lists (its init may touch other buffers).
  std::unordered_map<const ir::BufferNode*, size_t> param_index;
  for (size_t i = 0; i < intrin.desc->params.size(); ++i)
    param_index[intrin.desc->params[i].get()] = i;
  auto on_windows = [&](const std::vector<ir::BufferRegion>& desc_regions,
                        const std::vector<ir::BufferRegion>& old_regions) {
    std::vector<ir::BufferRegion> out;
    for (const ir::BufferRegion& r : desc_regions) {
      const size_t p = param_index.at(r.buffer.get());
      const std::vector<ir::Expr>& mins = windows.mins[p];
      const size_t offset = mins.size() - r.region.size();
      ir::BufferRegion moved{windows.buffers[p], {}};
      for (size_t d = 0; d < mins.size(); ++d) {
        if (d < offset)
          moved.region.push_back({mins[d], ir::int_imm(mins[d].dtype(), 1)});
        else
          moved.region.push_back({mins[d] + r.region[d - offset].min, r.region[d - offset].extent});
      }
      out.push_back(std::move(moved));
    }
    for (const ir::BufferRegion& r : old_regions) {
      bool covered = false;
      for (const ir::Buffer& b : windows.buffers) covered |= b == r.buffer;
      if (!covered) out.push_back(r);
    }
    return out;
  };
  const ir::BlockNode& desc_root = root_block_of(intrin.desc);
  block->reads = on_windows(desc_root.reads, block->reads);
  block->writes = on_windows(desc_root.writes, block->writes);
  for (const auto& [key, value] : impl_root.annotations) block->annotations.emplace(key, value);
  block->annotations["tensor_intrin"] = intrin.name;
  return ir::block_realize(realize.iter_values, realize.predicate, std::move(block));
}

}  // namespace kiln::sched

#include "ir/structural.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace kiln::ir {

namespace {

// ----------------------------------------------------------------- equality

class EqualChecker {
 public:
  bool expr(const Expr& a, const Expr& b) {
    // No identity shortcut: a shared subtree may mention variables that the
    // two sides map differently.
    if (!a.defined() || !b.defined()) return a.defined() == b.defined();
    if (a.kind() != b.kind() || a.dtype() != b.dtype()) return false;
    switch (a.kind()) {
      case ExprKind::kIntImm: return a.as<IntImmNode>()->value == b.as<IntImmNode>()->value;
      case ExprKind::kFloatImm: {
        double x = a.as<FloatImmNode>()->value, y = b.as<FloatImmNode>()->value;
        return std::bit_cast<uint64_t>(x) == std::bit_cast<uint64_t>(y) ||
               (std::isnan(x) && std::isnan(y));
      }
      case ExprKind::kVar: return var(Var::from_expr(a), Var::from_expr(b));
      case ExprKind::kNot: return expr(a.as<NotNode>()->a, b.as<NotNode>()->a);
      case ExprKind::kSelect: {
        auto *x = a.as<SelectNode>(), *y = b.as<SelectNode>();
        return expr(x->condition, y->condition) && expr(x->true_value, y->true_value) &&
               expr(x->false_value, y->false_value);
      }
      case ExprKind::kCast: return expr(a.as<CastNode>()->value, b.as<CastNode>()->value);
      case ExprKind::kBufferLoad: {
        auto *x = a.as<BufferLoadNode>(), *y = b.as<BufferLoadNode>();
        return buffer(x->buffer, y->buffer) && exprs(x->indices, y->indices);
      }
      case ExprKind::kCall: {
        auto *x = a.as<CallNode>(), *y = b.as<CallNode>();
        return x->op == y->op && exprs(x->args, y->args);
      }
      case ExprKind::kRamp: {
        auto *x = a.as<RampNode>(), *y = b.as<RampNode>();
        return x->lanes == y->lanes && expr(x->base, y->base) && expr(x->stride, y->stride);
      }
      case ExprKind::kBroadcast: {
        auto *x = a.as<BroadcastNode>(), *y = b.as<BroadcastNode>();
        return x->lanes == y->lanes && expr(x->value, y->value);
      }
      case ExprKind::kLet: {
        auto *x = a.as<LetNode>(), *y = b.as<LetNode>();
        return expr(x->value, y->value) && var(x->var, y->var) && expr(x->body, y->body);
      }
      default: {
        auto *x = a.as<BinaryNode>(), *y = b.as<BinaryNode>();
        return expr(x->a, y->a) && expr(x->b, y->b);
      }
    }
  }

  bool stmt(const Stmt& a, const Stmt& b) {
    if (!a.defined() || !b.defined()) return a.defined() == b.defined();
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
      case StmtKind::kBufferStore: {
        auto *x = a.as<BufferStoreNode>(), *y = b.as<BufferStoreNode>();
        return buffer(x->buffer, y->buffer) && exprs(x->indices, y->indices) &&
               expr(x->value, y->value);
      }
      case StmtKind::kFor: {
        auto *x = a.as<ForNode>(), *y = b.as<ForNode>();
        return x->for_kind == y->for_kind && x->thread_tag == y->thread_tag &&
               x->annotations == y->annotations && expr(x->min, y->min) &&
               expr(x->extent, y->extent) && var(x->loop_var, y->loop_var) &&
               stmt(x->body, y->body);
      }
      case StmtKind::kBlock: return block(*a.as<BlockNode>(), *b.as<BlockNode>());
      case StmtKind::kBlockRealize: {
        auto *x = a.as<BlockRealizeNode>(), *y = b.as<BlockRealizeNode>();
        return exprs(x->iter_values, y->iter_values) && expr(x->predicate, y->predicate) &&
               block(*x->block, *y->block);
      }
      case StmtKind::kSeq: {
        auto *x = a.as<SeqStmtNode>(), *y = b.as<SeqStmtNode>();
        if (x->seq.size() != y->seq.size()) return false;
        for (size_t i = 0; i < x->seq.size(); ++i)
          if (!stmt(x->seq[i], y->seq[i])) return false;
        return true;
      }
      case StmtKind::kIfThenElse: {
        auto *x = a.as<IfThenElseNode>(), *y = b.as<IfThenElseNode>();
        return expr(x->condition, y->condition) && stmt(x->then_case, y->then_case) &&
               stmt(x->else_case, y->else_case);
      }
      case StmtKind::kEvaluate:
        return expr(a.as<EvaluateNode>()->value, b.as<EvaluateNode>()->value);
      case StmtKind::kLetStmt: {
        auto *x = a.as<LetStmtNode>(), *y = b.as<LetStmtNode>();
        return expr(x->value, y->value) && var(x->var, y->var) && stmt(x->body, y->body);
      }
      case StmtKind::kAllocate: {
        auto *x = a.as<AllocateNode>(), *y = b.as<AllocateNode>();
        return buffer(x->buffer, y->buffer) && stmt(x->body, y->body);
      }
    }
    return false;
  }

  bool function(const PrimFuncNode& a, const PrimFuncNode& b) {
    if (a.params.size() != b.params.size() || a.attrs != b.attrs) return false;
    for (size_t i = 0; i < a.params.size(); ++i)
      if (!buffer(a.params[i], b.params[i])) return false;
    return stmt(a.body, b.body);
  }

 private:
  bool exprs(const std::vector<Expr>& a, const std::vector<Expr>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!expr(a[i], b[i])) return false;
    return true;
  }

  bool var(const Var& a, const Var& b) {
    if (a.dtype() != b.dtype()) return false;
    auto [it, inserted] = var_map_.emplace(a.get(), b.get());
    auto [rit, rinserted] = var_rmap_.emplace(b.get(), a.get());
    return it->second == b.get() && rit->second == a.get();
  }

  bool buffer(const Buffer& a, const Buffer& b) {
    auto it = buf_map_.find(a.get());
    if (it != buf_map_.end()) return it->second == b.get();
    if (buf_rmap_.count(b.get())) return false;
    const BufferNode &x = *a, &y = *b;
    if (x.dtype != y.dtype || x.scope != y.scope || !exprs(x.shape, y.shape)) return false;
    buf_map_.emplace(a.get(), b.get());
    buf_rmap_.emplace(b.get(), a.get());
    return true;
  }

  bool region(const BufferRegion& a, const BufferRegion& b) {
    if (!buffer(a.buffer, b.buffer) || a.region.size() != b.region.size()) return false;
    for (size_t i = 0; i < a.region.size(); ++i)
      if (!expr(a.region[i].min, b.region[i].min) || !expr(a.region[i].extent, b.region[i].extent))
        return false;
    return true;
  }

  bool block(const BlockNode& a, const BlockNode& b) {
    if (a.name != b.name || a.iter_vars.size() != b.iter_vars.size() ||
        a.reads.size() != b.reads.size() || a.writes.size() != b.writes.size() ||
        a.alloc_buffers.size() != b.alloc_buffers.size() || a.annotations != b.annotations)
      return false;
    for (size_t i = 0; i < a.iter_vars.size(); ++i) {
      const IterVar &x = a.iter_vars[i], &y = b.iter_vars[i];
      if (x.kind != y.kind || !var(x.var, y.var) || !expr(x.dom.min, y.dom.min) ||
          !expr(x.dom.extent, y.dom.extent))
        return false;
    }
    // Allocated buffers are defined before the regions that may mention them.
    for (size_t i = 0; i < a.alloc_buffers.size(); ++i)
      if (!buffer(a.alloc_buffers[i], b.alloc_buffers[i])) return false;
    for (size_t i = 0; i < a.reads.size(); ++i)
      if (!region(a.reads[i], b.reads[i])) return false;
    for (size_t i = 0; i < a.writes.size(); ++i)
      if (!region(a.writes[i], b.writes[i])) return false;
    return stmt(a.init, b.init) && stmt(a.body, b.body);
  }

  std::unordered_map<const void*, const void*> var_map_, var_rmap_, buf_map_, buf_rmap_;
};

// ----------------------------------------------------------------- hashing

class Hasher {
 public:
  uint64_t value() const { return h_; }

  void expr(const Expr& e) {
    if (!e.defined()) return mix(0x9e37);
    mix(static_cast<uint64_t>(e.kind()) + 1);
    mix(e.dtype().hash());
    switch (e.kind()) {
      case ExprKind::kIntImm: return mix(static_cast<uint64_t>(e.as<IntImmNode>()->value));
      case ExprKind::kFloatImm: {
        double v = e.as<FloatImmNode>()->value;
        return mix(std::isnan(v) ? 0x7ff8000000000000ull : std::bit_cast<uint64_t>(v));
      }
      case ExprKind::kVar: return var(e.get());
      case ExprKind::kNot: return expr(e.as<NotNode>()->a);
      case ExprKind::kSelect: {
        auto* x = e.as<SelectNode>();
        expr(x->condition);
        expr(x->true_value);
        return expr(x->false_value);
      }
      case ExprKind::kCast: return expr(e.as<CastNode>()->value);
      case ExprKind::kBufferLoad: {
        auto* x = e.as<BufferLoadNode>();
        buffer(x->buffer);
        return exprs(x->indices);
      }
      case ExprKind::kCall: {
        auto* x = e.as<CallNode>();
        mix(static_cast<uint64_t>(x->op));
        return exprs(x->args);
      }
      case ExprKind::kRamp: {
        auto* x = e.as<RampNode>();
        mix(x->lanes);
        expr(x->base);
        return expr(x->stride);
      }
      case ExprKind::kBroadcast: {
        auto* x = e.as<BroadcastNode>();
        mix(x->lanes);
        return expr(x->value);
      }
      case ExprKind::kLet: {
        auto* x = e.as<LetNode>();
        expr(x->value);
        var(x->var.get());
        return expr(x->body);
      }
      default: {
        auto* x = e.as<BinaryNode>();
        expr(x->a);
        return expr(x->b);
      }
    }
  }

  void stmt(const Stmt& s) {
    if (!s.defined()) return mix(0x5bd1);
    mix(static_cast<uint64_t>(s.kind()) + 101);
    switch (s.kind()) {
      case StmtKind::kBufferStore: {
        auto* x = s.as<BufferStoreNode>();
        buffer(x->buffer);
        exprs(x->indices);
        return expr(x->value);
      }
      case StmtKind::kFor: {
        auto* x = s.as<ForNode>();
        mix(static_cast<uint64_t>(x->for_kind));
        str(x->thread_tag);
        annotations(x->annotations);
        expr(x->min);
        expr(x->extent);
        var(x->loop_var.get());
        return stmt(x->body);
      }
      case StmtKind::kBlock: return block(*s.as<BlockNode>());
      case StmtKind::kBlockRealize: {
        auto* x = s.as<BlockRealizeNode>();
        exprs(x->iter_values);
        expr(x->predicate);
        return block(*x->block);
      }
      case StmtKind::kSeq:
        for (const Stmt& c : s.as<SeqStmtNode>()->seq) stmt(c);
        return;
      case StmtKind::kIfThenElse: {
        auto* x = s.as<IfThenElseNode>();
        expr(x->condition);
        stmt(x->then_case);
        return stmt(x->else_case);
      }
      case StmtKind::kEvaluate: return expr(s.as<EvaluateNode>()->value);
      case StmtKind::kLetStmt: {
        auto* x = s.as<LetStmtNode>();
        expr(x->value);
        var(x->var.get());
        return stmt(x->body);
      }
      case StmtKind::kAllocate: {
        auto* x = s.as<AllocateNode>();
        buffer(x->buffer);
        return stmt(x->body);
      }
    }
  }

  void function(const PrimFuncNode& f) {
    mix(f.params.size());
    for (const Buffer& b : f.params) buffer(b);
    annotations(f.attrs);
    stmt(f.body);
  }

 private:
  void mix(uint64_t v) {
    // splitmix64-style mixing: order-sensitive and platform-independent.
    h_ ^= v + 0x9e3779b97f4a7c15ull + (h_ << 6) + (h_ >> 2);
    h_ *= 0xbf58476d1ce4e5b9ull;
    h_ ^= h_ >> 31;
  }
  void str(const std::string& s) {
    mix(s.size());
    for (char c : s) mix(static_cast<unsigned char>(c));
  }
  void exprs(const std::vector<Expr>& v) {
    mix(v.size());
    for (const Expr& e : v) expr(e);
  }
  void var(const void* v) {
    auto [it, inserted] = vars_.emplace(v, vars_.size());
    mix(it->second);
  }
  void buffer(const Buffer& b) {
    auto [it, inserted] = buffers_.emplace(b.get(), buffers_.size());
    mix(it->second);
    if (!inserted) return;
    mix(b->dtype.hash());
    str(b->scope);
    exprs(b->shape);
  }
  void annotations(const Annotations& a) {
    mix(a.size());
    for (const auto& [key, value] : a) {
      str(key);
      mix(value.index());
      std::visit(
          [this](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, int64_t>) {
              mix(static_cast<uint64_t>(v));
            } else if constexpr (std::is_same_v<T, double>) {
              mix(std::bit_cast<uint64_t>(v));
            } else if constexpr (std::is_same_v<T, std::string>) {
              str(v);
            } else {
              mix(v.size());
              for (int64_t x : v) mix(static_cast<uint64_t>(x));
            }
          },
          value);
    }
  }
  void block(const BlockNode& b) {
    str(b.name);
    mix(b.iter_vars.size());
    for (const IterVar& iv : b.iter_vars) {
      mix(static_cast<uint64_t>(iv.kind));
      var(iv.var.get());
      expr(iv.dom.min);
      expr(iv.dom.extent);
    }
    mix(b.alloc_buffers.size());
    for (const Buffer& buf : b.alloc_buffers) buffer(buf);
    for (const auto* regions : {&b.reads, &b.writes}) {
      mix(regions->size());
      for (const BufferRegion& r : *regions) {
        buffer(r.buffer);
        for (const Range& rg : r.region) {
          expr(rg.min);
          expr(rg.extent);
        }
      }
    }
    annotations(b.annotations);
    stmt(b.init);
    stmt(b.body);
  }

  uint64_t h_ = 0x84222325cbf29ce4ull;
  std::unordered_map<const void*, uint64_t> vars_, buffers_;
};

}  // namespace

bool structural_equal(const PrimFunc& a, const PrimFunc& b) {
  if (!a || !b) return a == b;
  return EqualChecker().function(*a, *b);
}
bool structural_equal(const Stmt& a, const Stmt& b) { return EqualChecker().stmt(a, b); }
bool structural_equal(const Expr& a, const Expr& b) { return EqualChecker().expr(a, b); }

uint64_t structural_hash(const PrimFunc& f) {
  Hasher h;
  if (f) h.function(*f);
  return h.value();
}
uint64_t structural_hash(const Stmt& s) {
  Hasher h;
  h.stmt(s);
  return h.value();
}
uint64_t structural_hash(const Expr& e) {
  Hasher h;
  h.expr(e);
  return h.value();
}

}  // namespace kiln::ir

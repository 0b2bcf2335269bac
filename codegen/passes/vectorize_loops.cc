#include "codegen/passes/vectorize_loops.h"

#include <unordered_map>

#include "codegen/passes/stmt_utils.h"
#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::codegen {

namespace {

// Thrown inside Vectorizer when the body cannot run lane-parallel.
struct NotVectorizable {};

// Rewrites the body of one vectorized loop for `lanes` lanes.
class Vectorizer : public ir::IRMutator {
 public:
  Vectorizer(const ir::Var& var, int lanes) : var_(var), lanes_(lanes) {}

 protected:
  ir::Expr mutate_var(const ir::Expr& e) override {
    if (e.get() == var_.get())
      return ir::ramp(ir::make_zero(var_.dtype()), ir::int_imm(var_.dtype(), 1), lanes_);
    auto it = lets_.find(e.get());
    return it != lets_.end() ? it->second : e;
  }
  ir::Expr mutate_binary(const ir::Expr& e, const ir::BinaryNode* op) override {
    ir::Expr a = mutate(op->a), b = mutate(op->b);
    if (a.same_as(op->a) && b.same_as(op->b)) return e;
    const ir::ExprKind kind = e.kind();
    // Keep affine index arithmetic in Ramp form, so contiguous accesses stay visible.
    const auto* ra = a.as<ir::RampNode>();
    const auto* rb = b.as<ir::RampNode>();
    if (kind == ir::ExprKind::kAdd || kind == ir::ExprKind::kSub) {
      if (ra && rb)
        return ir::ramp(ir::binary(kind, ra->base, rb->base),
                        ir::binary(kind, ra->stride, rb->stride), lanes_);
      if (ra && b.dtype().is_scalar())
        return ir::ramp(ir::binary(kind, ra->base, b), ra->stride, lanes_);
      if (rb && a.dtype().is_scalar() && kind == ir::ExprKind::kAdd)
        return ir::ramp(a + rb->base, rb->stride, lanes_);
    }
    if (kind == ir::ExprKind::kMul) {
      if (ra && b.dtype().is_scalar()) return ir::ramp(ra->base * b, ra->stride * b, lanes_);
      if (rb && a.dtype().is_scalar()) return ir::ramp(a * rb->base, a * rb->stride, lanes_);
    }
    // Scalar `and`/`or` skip their second operand; lanes do not, and a
    // guarded load would then read where the guard says it may not.
    const bool logical = kind == ir::ExprKind::kAnd || kind == ir::ExprKind::kOr;
    if (logical && (a.dtype().is_vector() || b.dtype().is_vector()) && reads_memory(b))
      throw NotVectorizable();
    return ir::binary(kind, widen(a), widen(b));
  }
  ir::Expr mutate_not(const ir::Expr& e, const ir::NotNode* op) override {
    ir::Expr a = mutate(op->a);
    return a.same_as(op->a) ? e : ir::logical_not(widen(a));
  }
  ir::Expr mutate_select(const ir::Expr& e, const ir::SelectNode* op) override {
    ir::Expr c = mutate(op->condition), t = mutate(op->true_value), f = mutate(op->false_value);
    if (c.same_as(op->condition) && t.same_as(op->true_value) && f.same_as(op->false_value))
      return e;
    // Every lane of a vector select evaluates both operands: a load the
    // condition guards (padding: select(0 <= i - 1, X[i - 1], 0)) could then
    // read out of bounds. loop_partition leaves such guards only at borders.
    if (c.dtype().is_vector() && (reads_memory(t) || reads_memory(f))) throw NotVectorizable();
    // A lane-invariant condition stays scalar: it selects between whole vectors.
    return ir::select(c, widen(t), widen(f));
  }
  ir::Expr mutate_cast(const ir::Expr& e, const ir::CastNode* op) override {
    ir::Expr v = mutate(op->value);
    if (v.same_as(op->value)) return e;
    return ir::cast(e.dtype().with_lanes(v.dtype().lanes()), v);
  }
  ir::Expr mutate_buffer_load(const ir::Expr& e, const ir::BufferLoadNode* op) override {
    ir::Expr index = mutate(op->indices.at(0));
    if (index.same_as(op->indices[0])) return e;
    return ir::buffer_load(op->buffer, {widen(index)});
  }
  ir::Expr mutate_call(const ir::Expr& e, const ir::CallNode* op) override {
    std::vector<ir::Expr> args;
    if (!mutate_all(op->args, &args)) return e;
    for (ir::Expr& a : args) a = widen(a);
    return ir::call(op->op, std::move(args));
  }
  ir::Expr mutate_ramp(const ir::Expr&, const ir::RampNode*) override { throw NotVectorizable(); }
  ir::Expr mutate_broadcast(const ir::Expr&, const ir::BroadcastNode*) override {
    throw NotVectorizable();
  }
  ir::Expr mutate_let(const ir::Expr& e, const ir::LetNode* op) override {
    ir::Expr value = mutate(op->value);
    if (value.dtype().is_scalar()) {
      ir::Expr body = mutate(op->body);
      return value.same_as(op->value) && body.same_as(op->body) ? e : ir::let(op->var, value, body);
    }
    ir::Var lanes_var(op->var.name(), value.dtype());
    lets_[op->var.get()] = lanes_var;
    return ir::let(lanes_var, value, mutate(op->body));
  }

  ir::Stmt mutate_buffer_store(const ir::Stmt& s, const ir::BufferStoreNode* op) override {
    ir::Expr index = mutate(op->indices.at(0));
    ir::Expr value = mutate(op->value);
    // Every lane would write the same element: only the serial order is right.
    if (index.dtype().is_scalar()) throw NotVectorizable();
    return ir::buffer_store(op->buffer, widen(value), {index});
  }
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    if (op->for_kind != ir::ForKind::kSerial && op->for_kind != ir::ForKind::kUnrolled)
      throw NotVectorizable();
    if (!mutate(op->extent).dtype().is_scalar()) throw NotVectorizable();
    return ir::IRMutator::mutate_for(s, op);
  }
  ir::Stmt mutate_if_then_else(const ir::Stmt& s, const ir::IfThenElseNode* op) override {
    if (!mutate(op->condition).dtype().is_scalar()) throw NotVectorizable();
    return ir::IRMutator::mutate_if_then_else(s, op);
  }
  ir::Stmt mutate_let_stmt(const ir::Stmt& s, const ir::LetStmtNode* op) override {
    ir::Expr value = mutate(op->value);
    if (value.dtype().is_scalar()) {
      ir::Stmt body = mutate(op->body);
      return value.same_as(op->value) && body.same_as(op->body)
                 ? s
                 : ir::let_stmt(op->var, value, body);
    }
    ir::Var lanes_var(op->var.name(), value.dtype());
    lets_[op->var.get()] = lanes_var;
    return ir::let_stmt(lanes_var, value, mutate(op->body));
  }
  ir::Stmt mutate_allocate(const ir::Stmt&, const ir::AllocateNode*) override {
    throw NotVectorizable();
  }

 private:
  ir::Expr widen(const ir::Expr& e) const {
    return e.dtype().is_scalar() ? ir::broadcast(e, lanes_) : e;
  }
  ir::Var var_;
  int lanes_;
  std::unordered_map<const ir::ExprNode*, ir::Expr> lets_;
};

class LoopVectorizer : public ir::IRMutator {
 protected:
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    ir::Stmt out = ir::IRMutator::mutate_for(s, op);  // inner loops first
    const auto* loop = out.as<ir::ForNode>();
    if (loop->for_kind != ir::ForKind::kVectorized) return out;
    const int64_t* extent = ir::as_const_int(loop->extent);
    if (extent && *extent >= 2 && *extent <= kMaxVectorLanes && ir::is_const_int(loop->min, 0)) {
      try {
        return Vectorizer(loop->loop_var, static_cast<int>(*extent)).mutate(loop->body);
      } catch (const NotVectorizable&) {
      }
    }
    return ir::for_loop(loop->loop_var, loop->min, loop->extent, ir::ForKind::kSerial, loop->body,
                        "", loop->annotations);
  }
};

}  // namespace

ir::PrimFunc vectorize_loops(const ir::PrimFunc& func) {
  return ir::with_body(func, LoopVectorizer().mutate(func->body));
}

}  // namespace kiln::codegen

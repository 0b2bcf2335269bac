#include "codegen/passes/simplify_stmt.h"

#include "codegen/passes/stmt_utils.h"
#include "ir/arith/simplify.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/substitute.h"

namespace kiln::codegen {

namespace {

class StmtSimplifier : public ir::IRMutator {
 protected:
  // Indices and conditions are simplified whole (once, at their root, so the
  // cost stays linear); other expressions are walked to reach them.
  ir::Expr mutate_buffer_load(const ir::Expr& e, const ir::BufferLoadNode* op) override {
    return ir::buffer_load(op->buffer, simplified(op->indices));
  }
  ir::Stmt mutate_buffer_store(const ir::Stmt& s, const ir::BufferStoreNode* op) override {
    return ir::buffer_store(op->buffer, mutate(op->value), simplified(op->indices));
  }
  ir::Expr mutate_ramp(const ir::Expr& e, const ir::RampNode* op) override {
    return ir::ramp(simplify(op->base), simplify(op->stride), op->lanes);
  }
  ir::Expr mutate_broadcast(const ir::Expr& e, const ir::BroadcastNode* op) override {
    return ir::broadcast(simplify(op->value), op->lanes);
  }
  ir::Expr mutate_select(const ir::Expr& e, const ir::SelectNode* op) override {
    ir::Expr cond = simplify(op->condition);
    if (cond.dtype().is_scalar()) {
      if (ir::is_const_int(cond, 1)) return mutate(op->true_value);
      if (ir::is_const_int(cond, 0)) return mutate(op->false_value);
    }
    return ir::select(cond, mutate(op->true_value), mutate(op->false_value));
  }
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    ir::Expr mn = analyzer_.simplify(mutate(op->min));
    ir::Expr ext = analyzer_.simplify(mutate(op->extent));
    ir::Stmt body = op->body;
    if (!ir::is_const_int(mn, 0)) {
      body = ir::substitute(body, {{op->loop_var, op->loop_var + mn}});
      ext = analyzer_.simplify(ext);
    }
    const bool thread = op->for_kind == ir::ForKind::kThreadBinding;
    if (!thread && ir::is_const_int(ext, 0)) return no_op();
    if (!thread && ir::is_const_int(ext, 1))
      return mutate(ir::substitute(body, {{op->loop_var, ir::make_zero(op->loop_var.dtype())}}));
    analyzer_.bind(op->loop_var, ir::Range::from_min_extent(ir::make_zero(ext.dtype()), ext));
    body = mutate(body);
    if (is_no_op(body) && !thread) return body;
    return ir::for_loop(op->loop_var, ir::make_zero(op->loop_var.dtype()), ext, op->for_kind, body,
                        op->thread_tag, op->annotations);
  }
  ir::Stmt mutate_if_then_else(const ir::Stmt& s, const ir::IfThenElseNode* op) override {
    ir::Expr cond = simplify(op->condition);
    if (ir::is_const_int(cond, 1) || analyzer_.can_prove(cond)) return mutate(op->then_case);
    if (ir::is_const_int(cond, 0) || analyzer_.can_prove(ir::logical_not(cond)))
      return op->else_case.defined() ? mutate(op->else_case) : no_op();
    ir::Stmt then_case = mutate(op->then_case);
    ir::Stmt else_case = op->else_case.defined() ? mutate(op->else_case) : ir::Stmt();
    if (else_case.defined() && is_no_op(else_case)) else_case = ir::Stmt();
    if (is_no_op(then_case) && !else_case.defined()) return then_case;
    return ir::if_then_else(cond, then_case, else_case);
  }
  ir::Stmt mutate_seq(const ir::Stmt& s, const ir::SeqStmtNode* op) override {
    std::vector<ir::Stmt> out;
    for (const ir::Stmt& st : op->seq) {
      ir::Stmt m = mutate(st);
      if (!is_no_op(m)) out.push_back(m);
    }
    return out.empty() ? no_op() : ir::seq(std::move(out));
  }
  ir::Stmt mutate_allocate(const ir::Stmt& s, const ir::AllocateNode* op) override {
    ir::Stmt body = mutate(op->body);
    return is_no_op(body) ? body : ir::allocate(op->buffer, body);
  }

 private:
  // The arithmetic simplifier works on scalar integer and boolean expressions.
  ir::Expr simplify(const ir::Expr& e) {
    const bool arithmetic =
        e.dtype().is_scalar() && (e.dtype().is_integer() || e.dtype().is_bool());
    return arithmetic ? analyzer_.simplify(mutate(e)) : mutate(e);
  }
  std::vector<ir::Expr> simplified(const std::vector<ir::Expr>& in) {
    std::vector<ir::Expr> out;
    for (const ir::Expr& e : in) out.push_back(simplify(e));
    return out;
  }
  ir::arith::Analyzer analyzer_;
};

}  // namespace

ir::PrimFunc simplify_stmt(const ir::PrimFunc& func) {
  return ir::with_body(func, StmtSimplifier().mutate(func->body));
}

}  // namespace kiln::codegen

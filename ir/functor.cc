#include "ir/functor.h"

#include "ir/op.h"

namespace kiln::ir {

// ---------------------------------------------------------------- visitor

void IRVisitor::visit(const Expr& e) {
  if (!e.defined()) return;
  switch (e.kind()) {
    case ExprKind::kIntImm: return visit_int_imm(e.as<IntImmNode>());
    case ExprKind::kFloatImm: return visit_float_imm(e.as<FloatImmNode>());
    case ExprKind::kVar: return visit_var(e.as<VarNode>());
    case ExprKind::kNot: return visit_not(e.as<NotNode>());
    case ExprKind::kSelect: return visit_select(e.as<SelectNode>());
    case ExprKind::kCast: return visit_cast(e.as<CastNode>());
    case ExprKind::kBufferLoad: return visit_buffer_load(e.as<BufferLoadNode>());
    case ExprKind::kCall: return visit_call(e.as<CallNode>());
    case ExprKind::kRamp: return visit_ramp(e.as<RampNode>());
    case ExprKind::kBroadcast: return visit_broadcast(e.as<BroadcastNode>());
    case ExprKind::kLet: return visit_let(e.as<LetNode>());
    default: return visit_binary(e.as<BinaryNode>());
  }
}

void IRVisitor::visit(const Stmt& s) {
  if (!s.defined()) return;
  switch (s.kind()) {
    case StmtKind::kBufferStore: return visit_buffer_store(s.as<BufferStoreNode>());
    case StmtKind::kFor: return visit_for(s.as<ForNode>());
    case StmtKind::kBlock: return visit_block(s.as<BlockNode>());
    case StmtKind::kBlockRealize: return visit_block_realize(s.as<BlockRealizeNode>());
    case StmtKind::kSeq: return visit_seq(s.as<SeqStmtNode>());
    case StmtKind::kIfThenElse: return visit_if_then_else(s.as<IfThenElseNode>());
    case StmtKind::kEvaluate: return visit_evaluate(s.as<EvaluateNode>());
    case StmtKind::kLetStmt: return visit_let_stmt(s.as<LetStmtNode>());
    case StmtKind::kAllocate: return visit_allocate(s.as<AllocateNode>());
  }
}

void IRVisitor::visit_binary(const BinaryNode* op) {
  visit(op->a);
  visit(op->b);
}
void IRVisitor::visit_not(const NotNode* op) { visit(op->a); }
void IRVisitor::visit_select(const SelectNode* op) {
  visit(op->condition);
  visit(op->true_value);
  visit(op->false_value);
}
void IRVisitor::visit_cast(const CastNode* op) { visit(op->value); }
void IRVisitor::visit_buffer_load(const BufferLoadNode* op) {
  for (const Expr& i : op->indices) visit(i);
}
void IRVisitor::visit_call(const CallNode* op) {
  for (const Expr& a : op->args) visit(a);
}
void IRVisitor::visit_ramp(const RampNode* op) {
  visit(op->base);
  visit(op->stride);
}
void IRVisitor::visit_broadcast(const BroadcastNode* op) { visit(op->value); }
void IRVisitor::visit_let(const LetNode* op) {
  visit(op->value);
  visit(op->body);
}

void IRVisitor::visit_buffer_store(const BufferStoreNode* op) {
  visit(op->value);
  for (const Expr& i : op->indices) visit(i);
}
void IRVisitor::visit_for(const ForNode* op) {
  visit(op->min);
  visit(op->extent);
  visit(op->body);
}
void IRVisitor::visit_buffer_region(const BufferRegion& region) {
  for (const Range& r : region.region) {
    visit(r.min);
    visit(r.extent);
  }
}
void IRVisitor::visit_block(const BlockNode* op) {
  for (const IterVar& iv : op->iter_vars) {
    visit(iv.dom.min);
    visit(iv.dom.extent);
  }
  for (const BufferRegion& r : op->reads) visit_buffer_region(r);
  for (const BufferRegion& r : op->writes) visit_buffer_region(r);
  visit(op->init);
  visit(op->body);
}
void IRVisitor::visit_block_realize(const BlockRealizeNode* op) {
  for (const Expr& v : op->iter_values) visit(v);
  visit(op->predicate);
  visit_block(op->block.get());
}
void IRVisitor::visit_seq(const SeqStmtNode* op) {
  for (const Stmt& s : op->seq) visit(s);
}
void IRVisitor::visit_if_then_else(const IfThenElseNode* op) {
  visit(op->condition);
  visit(op->then_case);
  visit(op->else_case);
}
void IRVisitor::visit_evaluate(const EvaluateNode* op) { visit(op->value); }
void IRVisitor::visit_let_stmt(const LetStmtNode* op) {
  visit(op->value);
  visit(op->body);
}
void IRVisitor::visit_allocate(const AllocateNode* op) { visit(op->body); }

// ---------------------------------------------------------------- mutator

Expr IRMutator::mutate(const Expr& e) {
  if (!e.defined()) return e;
  switch (e.kind()) {
    case ExprKind::kIntImm: return mutate_int_imm(e);
    case ExprKind::kFloatImm: return mutate_float_imm(e);
    case ExprKind::kVar: return mutate_var(e);
    case ExprKind::kNot: return mutate_not(e, e.as<NotNode>());
    case ExprKind::kSelect: return mutate_select(e, e.as<SelectNode>());
    case ExprKind::kCast: return mutate_cast(e, e.as<CastNode>());
    case ExprKind::kBufferLoad: return mutate_buffer_load(e, e.as<BufferLoadNode>());
    case ExprKind::kCall: return mutate_call(e, e.as<CallNode>());
    case ExprKind::kRamp: return mutate_ramp(e, e.as<RampNode>());
    case ExprKind::kBroadcast: return mutate_broadcast(e, e.as<BroadcastNode>());
    case ExprKind::kLet: return mutate_let(e, e.as<LetNode>());
    default: return mutate_binary(e, e.as<BinaryNode>());
  }
}

Stmt IRMutator::mutate(const Stmt& s) {
  if (!s.defined()) return s;
  switch (s.kind()) {
    case StmtKind::kBufferStore: return mutate_buffer_store(s, s.as<BufferStoreNode>());
    case StmtKind::kFor: return mutate_for(s, s.as<ForNode>());
    case StmtKind::kBlock: {
      // A bare block only appears inside a BlockRealize; mutate it in place.
      Block b(s.node_ptr(), s.as<BlockNode>());
      Block nb = mutate_block(b);
      return nb == b ? s : Stmt(nb);
    }
    case StmtKind::kBlockRealize: return mutate_block_realize(s, s.as<BlockRealizeNode>());
    case StmtKind::kSeq: return mutate_seq(s, s.as<SeqStmtNode>());
    case StmtKind::kIfThenElse: return mutate_if_then_else(s, s.as<IfThenElseNode>());
    case StmtKind::kEvaluate: return mutate_evaluate(s, s.as<EvaluateNode>());
    case StmtKind::kLetStmt: return mutate_let_stmt(s, s.as<LetStmtNode>());
    case StmtKind::kAllocate: return mutate_allocate(s, s.as<AllocateNode>());
  }
  return s;
}

bool IRMutator::mutate_all(const std::vector<Expr>& in, std::vector<Expr>* out) {
  bool changed = false;
  out->clear();
  out->reserve(in.size());
  for (const Expr& e : in) {
    out->push_back(mutate(e));
    changed |= !out->back().same_as(e);
  }
  return changed;
}

Expr IRMutator::mutate_binary(const Expr& e, const BinaryNode* op) {
  Expr a = mutate(op->a), b = mutate(op->b);
  if (a.same_as(op->a) && b.same_as(op->b)) return e;
  return binary(e.kind(), std::move(a), std::move(b));
}
Expr IRMutator::mutate_not(const Expr& e, const NotNode* op) {
  Expr a = mutate(op->a);
  return a.same_as(op->a) ? e : logical_not(std::move(a));
}
Expr IRMutator::mutate_select(const Expr& e, const SelectNode* op) {
  Expr c = mutate(op->condition), t = mutate(op->true_value), f = mutate(op->false_value);
  if (c.same_as(op->condition) && t.same_as(op->true_value) && f.same_as(op->false_value)) return e;
  return select(std::move(c), std::move(t), std::move(f));
}
Expr IRMutator::mutate_cast(const Expr& e, const CastNode* op) {
  Expr v = mutate(op->value);
  return v.same_as(op->value) ? e : cast(e.dtype(), std::move(v));
}
Expr IRMutator::mutate_buffer_load(const Expr& e, const BufferLoadNode* op) {
  std::vector<Expr> idx;
  if (!mutate_all(op->indices, &idx)) return e;
  return buffer_load(op->buffer, std::move(idx));
}
Expr IRMutator::mutate_call(const Expr& e, const CallNode* op) {
  std::vector<Expr> args;
  if (!mutate_all(op->args, &args)) return e;
  return call(op->op, std::move(args));
}
Expr IRMutator::mutate_ramp(const Expr& e, const RampNode* op) {
  Expr b = mutate(op->base), s = mutate(op->stride);
  if (b.same_as(op->base) && s.same_as(op->stride)) return e;
  return ramp(std::move(b), std::move(s), op->lanes);
}
Expr IRMutator::mutate_broadcast(const Expr& e, const BroadcastNode* op) {
  Expr v = mutate(op->value);
  return v.same_as(op->value) ? e : broadcast(std::move(v), op->lanes);
}
Expr IRMutator::mutate_let(const Expr& e, const LetNode* op) {
  Expr v = mutate(op->value), b = mutate(op->body);
  if (v.same_as(op->value) && b.same_as(op->body)) return e;
  return let(op->var, std::move(v), std::move(b));
}

Stmt IRMutator::mutate_buffer_store(const Stmt& s, const BufferStoreNode* op) {
  Expr v = mutate(op->value);
  std::vector<Expr> idx;
  bool changed = mutate_all(op->indices, &idx);
  if (!changed && v.same_as(op->value)) return s;
  return buffer_store(op->buffer, std::move(v), std::move(idx));
}
Stmt IRMutator::mutate_for(const Stmt& s, const ForNode* op) {
  Expr mn = mutate(op->min), ext = mutate(op->extent);
  Stmt body = mutate(op->body);
  if (mn.same_as(op->min) && ext.same_as(op->extent) && body.same_as(op->body)) return s;
  return for_loop(op->loop_var, std::move(mn), std::move(ext), op->for_kind, std::move(body),
                  op->thread_tag, op->annotations);
}
BufferRegion IRMutator::mutate_buffer_region(const BufferRegion& region) {
  BufferRegion out{region.buffer, {}};
  out.region.reserve(region.region.size());
  for (const Range& r : region.region) out.region.push_back({mutate(r.min), mutate(r.extent)});
  return out;
}

namespace {
bool same_region(const BufferRegion& a, const BufferRegion& b) {
  if (!a.buffer.same_as(b.buffer) || a.region.size() != b.region.size()) return false;
  for (size_t i = 0; i < a.region.size(); ++i)
    if (!a.region[i].min.same_as(b.region[i].min) ||
        !a.region[i].extent.same_as(b.region[i].extent))
      return false;
  return true;
}
}  // namespace

Block IRMutator::mutate_block(const Block& block) {
  bool changed = false;
  std::vector<IterVar> ivs = block->iter_vars;
  for (IterVar& iv : ivs) {
    Expr mn = mutate(iv.dom.min), ext = mutate(iv.dom.extent);
    changed |= !mn.same_as(iv.dom.min) || !ext.same_as(iv.dom.extent);
    iv.dom = {mn, ext};
  }
  auto regions = [&](const std::vector<BufferRegion>& in) {
    std::vector<BufferRegion> out;
    out.reserve(in.size());
    for (const BufferRegion& r : in) {
      out.push_back(mutate_buffer_region(r));
      changed |= !same_region(out.back(), r);
    }
    return out;
  };
  std::vector<BufferRegion> reads = regions(block->reads);
  std::vector<BufferRegion> writes = regions(block->writes);
  Stmt init = mutate(block->init);
  Stmt body = mutate(block->body);
  changed |= !init.same_as(block->init) || !body.same_as(block->body);
  if (!changed) return block;
  auto node = copy_block(*block);
  node->iter_vars = std::move(ivs);
  node->reads = std::move(reads);
  node->writes = std::move(writes);
  node->init = std::move(init);
  node->body = std::move(body);
  return node;
}

Stmt IRMutator::mutate_block_realize(const Stmt& s, const BlockRealizeNode* op) {
  std::vector<Expr> values;
  bool changed = mutate_all(op->iter_values, &values);
  Expr pred = mutate(op->predicate);
  Block block = mutate_block(op->block);
  if (!changed && pred.same_as(op->predicate) && block == op->block) return s;
  return block_realize(std::move(values), std::move(pred), std::move(block));
}
Stmt IRMutator::mutate_seq(const Stmt& s, const SeqStmtNode* op) {
  bool changed = false;
  std::vector<Stmt> out;
  out.reserve(op->seq.size());
  for (const Stmt& st : op->seq) {
    out.push_back(mutate(st));
    changed |= !out.back().same_as(st);
  }
  return changed ? seq(std::move(out)) : s;
}
Stmt IRMutator::mutate_if_then_else(const Stmt& s, const IfThenElseNode* op) {
  Expr c = mutate(op->condition);
  Stmt t = mutate(op->then_case), e = mutate(op->else_case);
  if (c.same_as(op->condition) && t.same_as(op->then_case) && e.same_as(op->else_case)) return s;
  return if_then_else(std::move(c), std::move(t), std::move(e));
}
Stmt IRMutator::mutate_evaluate(const Stmt& s, const EvaluateNode* op) {
  Expr v = mutate(op->value);
  return v.same_as(op->value) ? s : evaluate(std::move(v));
}
Stmt IRMutator::mutate_let_stmt(const Stmt& s, const LetStmtNode* op) {
  Expr v = mutate(op->value);
  Stmt b = mutate(op->body);
  if (v.same_as(op->value) && b.same_as(op->body)) return s;
  return let_stmt(op->var, std::move(v), std::move(b));
}
Stmt IRMutator::mutate_allocate(const Stmt& s, const AllocateNode* op) {
  Stmt b = mutate(op->body);
  return b.same_as(op->body) ? s : allocate(op->buffer, std::move(b));
}

}  // namespace kiln::ir

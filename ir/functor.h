// Visitors and mutators over expressions and statements.
//
// IRVisitor walks every child; override a visit_* to look at a node kind and
// call the base to keep walking. IRMutator rebuilds a node only when one of
// its children changed, so an unchanged subtree keeps its identity (and the
// sharing that makes schedules cheap to copy).
#pragma once

#include "ir/function.h"
#include "ir/stmt.h"

namespace kiln::ir {

class IRVisitor {
 public:
  virtual ~IRVisitor() = default;
  void visit(const Expr& e);
  void visit(const Stmt& s);

 protected:
  virtual void visit_int_imm(const IntImmNode*) {}
  virtual void visit_float_imm(const FloatImmNode*) {}
  virtual void visit_var(const VarNode*) {}
  virtual void visit_binary(const BinaryNode* op);
  virtual void visit_not(const NotNode* op);
  virtual void visit_select(const SelectNode* op);
  virtual void visit_cast(const CastNode* op);
  virtual void visit_buffer_load(const BufferLoadNode* op);
  virtual void visit_call(const CallNode* op);
  virtual void visit_ramp(const RampNode* op);
  virtual void visit_broadcast(const BroadcastNode* op);
  virtual void visit_let(const LetNode* op);

  virtual void visit_buffer_store(const BufferStoreNode* op);
  virtual void visit_for(const ForNode* op);
  // Visits iter var domains, regions, init and body.
  virtual void visit_block(const BlockNode* op);
  virtual void visit_block_realize(const BlockRealizeNode* op);
  virtual void visit_seq(const SeqStmtNode* op);
  virtual void visit_if_then_else(const IfThenElseNode* op);
  virtual void visit_evaluate(const EvaluateNode* op);
  virtual void visit_let_stmt(const LetStmtNode* op);
  virtual void visit_allocate(const AllocateNode* op);
  // Called for every buffer region of a block's reads and writes.
  virtual void visit_buffer_region(const BufferRegion& region);
};

class IRMutator {
 public:
  virtual ~IRMutator() = default;
  Expr mutate(const Expr& e);
  Stmt mutate(const Stmt& s);

 protected:
  virtual Expr mutate_int_imm(const Expr& e) { return e; }
  virtual Expr mutate_float_imm(const Expr& e) { return e; }
  virtual Expr mutate_var(const Expr& e) { return e; }
  virtual Expr mutate_binary(const Expr& e, const BinaryNode* op);
  virtual Expr mutate_not(const Expr& e, const NotNode* op);
  virtual Expr mutate_select(const Expr& e, const SelectNode* op);
  virtual Expr mutate_cast(const Expr& e, const CastNode* op);
  virtual Expr mutate_buffer_load(const Expr& e, const BufferLoadNode* op);
  virtual Expr mutate_call(const Expr& e, const CallNode* op);
  virtual Expr mutate_ramp(const Expr& e, const RampNode* op);
  virtual Expr mutate_broadcast(const Expr& e, const BroadcastNode* op);
  virtual Expr mutate_let(const Expr& e, const LetNode* op);

  virtual Stmt mutate_buffer_store(const Stmt& s, const BufferStoreNode* op);
  virtual Stmt mutate_for(const Stmt& s, const ForNode* op);
  // Returns the block itself when nothing changed.
  virtual Block mutate_block(const Block& block);
  virtual Stmt mutate_block_realize(const Stmt& s, const BlockRealizeNode* op);
  virtual Stmt mutate_seq(const Stmt& s, const SeqStmtNode* op);
  virtual Stmt mutate_if_then_else(const Stmt& s, const IfThenElseNode* op);
  virtual Stmt mutate_evaluate(const Stmt& s, const EvaluateNode* op);
  virtual Stmt mutate_let_stmt(const Stmt& s, const LetStmtNode* op);
  virtual Stmt mutate_allocate(const Stmt& s, const AllocateNode* op);
  virtual BufferRegion mutate_buffer_region(const BufferRegion& region);

  // Mutates each element; returns true when any changed.
  bool mutate_all(const std::vector<Expr>& in, std::vector<Expr>* out);
};

}  // namespace kiln::ir

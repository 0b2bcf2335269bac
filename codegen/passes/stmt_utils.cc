#include "codegen/passes/stmt_utils.h"

#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::codegen {

ir::Stmt no_op() { return ir::evaluate(ir::int_imm(ir::DataType::Int(32), 0)); }

bool is_no_op(const ir::Stmt& s) {
  const auto* e = s.as<ir::EvaluateNode>();
  return e && e->value.as<ir::IntImmNode>() != nullptr;
}

namespace {

class VarFinder : public ir::IRVisitor {
 public:
  explicit VarFinder(const ir::VarNode* var) : var_(var) {}
  bool found = false;

 protected:
  void visit_var(const ir::VarNode* op) override { found |= op == var_; }

 private:
  const ir::VarNode* var_;
};

class LoadFinder : public ir::IRVisitor {
 public:
  bool found = false;

 protected:
  void visit_buffer_load(const ir::BufferLoadNode*) override { found = true; }
};

class StoreFinder : public ir::IRVisitor {
 public:
  std::unordered_set<const ir::BufferNode*> stored;

 protected:
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    stored.insert(op->buffer.get());
    ir::IRVisitor::visit_buffer_store(op);
  }
};

}  // namespace

bool uses_var(const ir::Expr& e, const ir::Var& var) {
  VarFinder f(var.get());
  f.visit(e);
  return f.found;
}
bool uses_var(const ir::Stmt& s, const ir::Var& var) {
  VarFinder f(var.get());
  f.visit(s);
  return f.found;
}

bool reads_memory(const ir::Expr& e) {
  LoadFinder f;
  f.visit(e);
  return f.found;
}

std::unordered_set<const ir::BufferNode*> stored_buffers(const ir::Stmt& body) {
  StoreFinder f;
  f.visit(body);
  return f.stored;
}

}  // namespace kiln::codegen

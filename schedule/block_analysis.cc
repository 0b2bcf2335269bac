#include "schedule/block_analysis.h"

#include "ir/functor.h"
#include "schedule/ir_utils.h"

namespace kiln::sched {

namespace {
class VarFinder : public ir::IRVisitor {
 public:
  explicit VarFinder(const ir::Var& v) : var_(v) {}
  bool found = false;

 protected:
  void visit_var(const ir::VarNode* op) override { found |= op == var_.get(); }

 private:
  const ir::Var& var_;
};
}  // namespace

bool uses_var(const ir::Expr& e, const ir::Var& var) {
  VarFinder finder(var);
  finder.visit(e);
  return finder.found;
}

std::string reduction_block_using(const ir::Stmt& loop) {
  const ir::Var& var = loop.as<ir::ForNode>()->loop_var;
  for (const ir::Stmt& s : child_blocks(loop)) {
    const auto* r = s.as<ir::BlockRealizeNode>();
    for (size_t i = 0; i < r->iter_values.size(); ++i)
      if (r->block->iter_vars[i].kind == ir::IterKind::kReduction &&
          uses_var(r->iter_values[i], var))
        return r->block->name;
  }
  return "";
}

std::string mixed_iter_block_using(const ir::Stmt& loop) {
  const ir::Var& var = loop.as<ir::ForNode>()->loop_var;
  for (const ir::Stmt& s : child_blocks(loop)) {
    const auto* r = s.as<ir::BlockRealizeNode>();
    bool spatial = false, reduction = false;
    for (size_t i = 0; i < r->iter_values.size(); ++i) {
      if (!uses_var(r->iter_values[i], var)) continue;
      (r->block->iter_vars[i].kind == ir::IterKind::kReduction ? reduction : spatial) = true;
    }
    if (spatial && reduction) return r->block->name;
  }
  return "";
}

}  // namespace kiln::sched

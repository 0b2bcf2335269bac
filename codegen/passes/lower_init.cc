#include "codegen/passes/lower_init.h"

#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::codegen {

namespace {

class InitLowerer : public ir::IRMutator {
 protected:
  ir::Block mutate_block(const ir::Block& block) override {
    ir::Block b = ir::IRMutator::mutate_block(block);
    if (!b->init.defined()) return b;
    ir::Expr first;
    for (const ir::IterVar& iv : b->iter_vars) {
      if (iv.kind != ir::IterKind::kReduction) continue;
      ir::Expr at_min = ir::eq(iv.var, iv.dom.min);
      first = first.defined() ? ir::logical_and(first, at_min) : at_min;
    }
    auto node = ir::copy_block(*b);
    ir::Stmt init = first.defined() ? ir::if_then_else(first, b->init) : b->init;
    node->body = ir::seq({init, b->body});
    node->init = ir::Stmt();
    return node;
  }
};

}  // namespace

ir::PrimFunc lower_init(const ir::PrimFunc& func) {
  ir::Stmt body = InitLowerer().mutate(func->body);
  return body.same_as(func->body) ? func : ir::with_body(func, body);
}

}  // namespace kiln::codegen

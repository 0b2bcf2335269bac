#include "codegen/passes/convert_blocks.h"

#include <stdexcept>

#include "ir/functor.h"
#include "ir/op.h"
#include "ir/substitute.h"

namespace kiln::codegen {

namespace {

class BlockConverter : public ir::IRMutator {
 protected:
  ir::Stmt mutate_block_realize(const ir::Stmt& s, const ir::BlockRealizeNode* op) override {
    const ir::BlockNode& block = *op->block;
    if (block.init.defined() || !block.alloc_buffers.empty())
      throw std::logic_error("convert_blocks: block `" + block.name +
                             "` still has an init or allocations; run lower_init and "
                             "plan_allocations first");
    ir::VarMap bindings;
    for (size_t i = 0; i < block.iter_vars.size(); ++i)
      bindings[block.iter_vars[i].var] = op->iter_values[i];
    ir::Stmt body = ir::substitute(mutate(block.body), bindings);
    const bool always = !op->predicate.defined() || ir::is_const_int(op->predicate, 1);
    return always ? body : ir::if_then_else(op->predicate, body);
  }
};

}  // namespace

ir::PrimFunc convert_blocks(const ir::PrimFunc& func) {
  return ir::with_body(func, BlockConverter().mutate(func->body));
}

}  // namespace kiln::codegen

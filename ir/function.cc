#include "ir/function.h"

#include <stdexcept>

#include "ir/op.h"

namespace kiln::ir {

PrimFunc make_prim_func(std::string name, std::vector<Buffer> params, Stmt body,
                        Annotations attrs) {
  if (!body.defined()) throw std::invalid_argument("make_prim_func: undefined body");
  auto node = std::make_shared<PrimFuncNode>();
  node->name = std::move(name);
  node->params = std::move(params);
  node->body = std::move(body);
  node->attrs = std::move(attrs);
  return node;
}

Stmt make_root_block(Stmt body, std::vector<Buffer> alloc_buffers) {
  auto block = std::make_shared<BlockNode>();
  block->name = "root";
  block->body = std::move(body);
  block->alloc_buffers = std::move(alloc_buffers);
  return block_realize({}, Expr(), std::move(block));
}

PrimFunc with_body(const PrimFunc& func, Stmt body) {
  auto node = std::make_shared<PrimFuncNode>(*func);
  node->body = std::move(body);
  return node;
}

}  // namespace kiln::ir

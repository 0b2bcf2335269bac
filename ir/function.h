// PrimFunc: a kernel's parameter buffers and a body whose root is a block.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/stmt.h"

namespace kiln::ir {

struct PrimFuncNode {
  std::string name;
  std::vector<Buffer> params;
  // A BlockRealize of the root block (named "root", no iter vars) whose body
  // holds the loops and blocks; after lowering, any statement.
  Stmt body;
  Annotations attrs;
};

using PrimFunc = std::shared_ptr<const PrimFuncNode>;

PrimFunc make_prim_func(std::string name, std::vector<Buffer> params, Stmt body,
                        Annotations attrs = {});
// Wraps a statement in the root block ("root", no iter vars, allocating
// `alloc_buffers`), as every unlowered PrimFunc body is.
Stmt make_root_block(Stmt body, std::vector<Buffer> alloc_buffers = {});
// The same function with another body.
PrimFunc with_body(const PrimFunc& func, Stmt body);

}  // namespace kiln::ir

// convert_blocks: removes every Block and BlockRealize. Iter vars are
// replaced by their bindings, a predicate becomes an IfThenElse around the
// block's body; reads/writes regions and annotations are dropped. Run after
// lower_init and plan_allocations (which have taken inits and allocations out
// of the blocks).
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc convert_blocks(const ir::PrimFunc& func);

}  // namespace kiln::codegen

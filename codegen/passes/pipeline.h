// lower: from a scheduled PrimFunc (blocks, multi-dimensional buffers) to the
// low-level form every backend prints (codegen/lowered_form.h). The list of
// passes, in order, is in pipeline.cc.
#pragma once

#include "codegen/target.h"
#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc lower(const ir::PrimFunc& func, const Target& target);

}  // namespace kiln::codegen

// compact_buffers: shrinks each Allocate to the region its accesses cover
// while the loops inside the allocation run, and shifts the indices to match.
// A packing buffer that cache_read made for the whole of B, moved under a
// tile by compute_at, becomes the size of one tile. A dimension whose region
// cannot be bounded by a constant (or is no smaller) keeps its extent.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc compact_buffers(const ir::PrimFunc& func);

}  // namespace kiln::codegen

// plan_allocations: every buffer a block allocates (`alloc_buffers`, the
// cache_read/cache_write stages among them) becomes an Allocate placed at the
// lowest common ancestor loop of all its accesses, so that a buffer used only
// inside one tile lives only as long as that tile (and, inside a parallel
// loop, once per thread). A "shared" buffer is kept above the innermost
// threadIdx-bound loop (it is shared by the threads of a block); on a GPU a
// "global" one is kept at the root (device memory is not allocated by
// threads). A block's storage_align requests move to the function's attrs
// under "storage_align:<buffer name>" as [axis, factor, offset, ...], for
// flatten_buffers to turn into strides.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc plan_allocations(const ir::PrimFunc& func, bool gpu);

}  // namespace kiln::codegen

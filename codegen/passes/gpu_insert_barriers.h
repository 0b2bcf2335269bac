// gpu_insert_barriers: makes shared-memory communication between the threads
// of a block safe with gpu_barrier() calls, and only where it is needed.
//
// A barrier goes before a statement that reads a shared buffer some thread
// wrote since the last barrier (read after write), or writes one some thread
// read since then (write after read: a loop's next stage overwriting a tile
// the others still read). A serial loop's body is planned with the state its
// own end leaves, so the loop-carried case is covered. Barriers go only at
// points every thread of the block reaches: never inside a branch on a
// thread index (a statement there counts as one unit); a barrier the
// analysis would need there is refused by gpu_verify.
#pragma once

#include "codegen/gpu/gpu_kernel.h"

namespace kiln::codegen {

void gpu_insert_barriers(gpu::GpuProgram& program);

}  // namespace kiln::codegen

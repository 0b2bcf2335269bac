#include "codegen/passes/pipeline.h"

#include "codegen/passes/compact_buffers.h"
#include "codegen/passes/convert_blocks.h"
#include "codegen/passes/flatten_buffers.h"
#include "codegen/passes/gpu_cross_thread_reduction.h"
#include "codegen/passes/loop_partition.h"
#include "codegen/passes/lower_init.h"
#include "codegen/passes/lower_intrinsics.h"
#include "codegen/passes/lower_parallel.h"
#include "codegen/passes/plan_allocations.h"
#include "codegen/passes/simplify_stmt.h"
#include "codegen/passes/unroll_loops.h"
#include "codegen/passes/vectorize_loops.h"

namespace kiln::codegen {

ir::PrimFunc lower(const ir::PrimFunc& func, const Target& target) {
  ir::PrimFunc f = func;
  // Blocks to loops.
  if (target.is_gpu()) f = gpu_cross_thread_reduction(f);
  f = lower_init(f);
  f = plan_allocations(f, target.is_gpu());
  f = convert_blocks(f);
  // Buffers: as small as their use, then one-dimensional.
  f = compact_buffers(f);
  f = flatten_buffers(f);
  f = simplify_stmt(f);
  // Loops: peel predicated tails, then unroll and vectorize.
  f = loop_partition(f);
  f = simplify_stmt(f);
  f = unroll_loops(f);
  f = vectorize_loops(f);
  f = lower_intrinsics(f);
  f = lower_parallel(f);
  f = simplify_stmt(f);
  return f;
}

}  // namespace kiln::codegen

// gpu_cross_thread_reduction (TVM's LowerCrossThreadReduction): a reduction
// block whose reduction loop is bound to threadIdx.* becomes an all-reduce
// over the threads of that loop. Runs on blocks, before lower_init.
//
//   for tx in thread_binding(T, "threadIdx.x"):      for tx in thread_binding(T, ...):
//     for ko in range(K):                      ==>      acc[0] = identity
//       with block("B"):  (init: B[v] = init)           for ko: acc[0] = acc[0] (+) value
//         B[v] = B[v] (+) value(vk = ko * T + tx)       red[0] = thread_allreduce(acc[0], (+), tx)
//                                                       B[v] = init (+) red[0]   (every thread)
//
// `acc` ("<B>_in_thread") and `red` ("<B>_cross_thread") are "local" buffers
// of one element, allocated by the root block (plan_allocations puts them in
// the thread loop). The block's predicate guards the in-thread part; its
// conjuncts over spatial loops only also guard the write-back.
// (+) is a sum, product, min or max of the block's own element with a value
// (B[v] = B[v] + e, B[v] = max(B[v], e), ...). Throws BuildError for a
// reduction over threads the pass cannot lower (two thread axes, a spatial
// loop under the thread loop, another combiner), saying what to change.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

// The combiner argument of thread_allreduce (ir/expr.h).
enum class AllreduceCombiner : int { kSum = 0, kProduct = 1, kMin = 2, kMax = 3 };

// `a` combined with `b`, and the value that combines with anything to itself.
ir::Expr combine(AllreduceCombiner c, const ir::Expr& a, const ir::Expr& b);
ir::Expr identity(AllreduceCombiner c, ir::DataType t);

ir::PrimFunc gpu_cross_thread_reduction(const ir::PrimFunc& func);

}  // namespace kiln::codegen

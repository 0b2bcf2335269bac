// vectorize_loops: a `vectorized` loop of constant extent L becomes one copy
// of its body computing L lanes at once: the loop variable becomes
// ramp(0, 1, L), expressions that depend on it become L-lane vectors
// (loop-invariant operands are broadcast), and loads and stores take vector
// indices (a Ramp when contiguous). Inner serial loops and lane-invariant
// conditions stay as they are around vector bodies.
//
// When the body cannot be run lane-parallel — a condition that differs
// between lanes (the tail of a split that does not divide, unless
// loop_partition peeled it off), a store to the same element from every
// lane, an allocation, a nested vector or parallel loop, or more than
// kMaxVectorLanes lanes — the loop becomes a serial loop instead, which is
// always correct.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

constexpr int64_t kMaxVectorLanes = 64;

ir::PrimFunc vectorize_loops(const ir::PrimFunc& func);

}  // namespace kiln::codegen

// What the space rules need to know of a block beyond the schedule's block
// predicates (schedule/block_predicates.h): how its loops relate to its iter
// vars, and whether its body computes something costly to repeat.
#pragma once

#include <vector>

#include "codegen/target.h"
#include "schedule/schedule.h"

namespace kiln::search {

enum class LoopKind {
  kSpatial,    // only spatial iter vars are bound to it
  kReduction,  // only reduction iter vars
  kMixed,      // both
  kUnused,     // neither (a loop of another block's nest)
};

// The kind of each of `loops` (loops above `block`) for `block`.
std::vector<LoopKind> loop_kinds(const sched::Schedule& sch, sched::BlockRV block,
                                 const std::vector<sched::LoopRV>& loops);

// The block's body (init included) has a Select (a padding's bounds test) or
// an intrinsic call (exp, sqrt, ...): computing it again at every use, as
// inlining does, costs more than reading it once.
bool computes_selects_or_calls(const sched::Schedule& sch, sched::BlockRV block);

// The most lanes a rule asks a loop to be vectorized to
// (`meta_schedule.vectorize`) or an innermost vector tile to have;
// rewrite_parallel_vectorize_unroll vectorizes up to the target's width.
constexpr int64_t kMaxVectorLanes = 64;

// The elements a parallel loop over `cores` threads wants at least: a few
// chunks per core, so that uneven ones still balance.
constexpr int64_t kJobsPerCore = 16;

// A reduction block whose spatial iter vars cover fewer elements than its
// reduction ones and at most kJobsPerCore * cores: its own spatial loops
// cannot keep the cores busy, the reduction has to (add_rfactor). False for
// an extent that is not a constant.
bool has_little_spatial_parallelism(const sched::Schedule& sch, sched::BlockRV block,
                                    int64_t cores);

// Elements of `dtype` in a vector of the target's widest registers.
int64_t vector_lanes(const Target& target, ir::DataType dtype);

// The padding (pad_einsum's multiples, 1 for none) that makes a block's
// ragged extents tile well, or all 1s: an extent above kRaggedBound with no
// factor from 4 to 64 but itself (a prime, twice a prime...) is rounded up
// to a multiple of the vector lanes (`vector_lanes`: elements of the
// block's type in a vector register) if it is the last spatial iter var
// (the one the innermost tile vectorizes), else of 16, 8 or 4; only where
// that adds at most an eighth of the extent. Extents with factors stay, a
// vector axis too: on 16 lanes, 1000 and 1001 padded to 1008 tuned to 48.5
// and 49.5 ms against 32.2 and 44.3 unpadded (64 trials each), where 509
// padded to 512 tuned to 2.7 ms against 7.2.
constexpr int64_t kRaggedBound = 16;
std::vector<int64_t> ragged_padding(const sched::Schedule& sch, sched::BlockRV block,
                                    int64_t vector_lanes);

}  // namespace kiln::search

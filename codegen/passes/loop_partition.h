// loop_partition: splits a loop where a condition inside it is known to hold
// on a prefix or a suffix of its range, so that the part where it holds can
// lose the check (simplify_stmt removes it, knowing the narrower range). The
// tail of a split that does not divide (`if i0*8 + i1 < 37`) and the borders
// of a padded convolution (`if 0 <= h + r - 1`) come out as separate loops,
// and the main loop is left straight, ready for vectorization. A vectorized
// loop splits into vectorized parts of fewer lanes.
// At most kMaxPartitions splits are made per function, to bound code growth.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

constexpr int kMaxPartitions = 32;

ir::PrimFunc loop_partition(const ir::PrimFunc& func);

}  // namespace kiln::codegen

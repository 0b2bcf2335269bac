// The readable normal form of a detected iterator sum (used by
// iter_map_simplify); internal to ir/arith.
#pragma once

#include "ir/arith/iter_map.h"

namespace kiln::ir::arith {

// `sum` as an expression of type `t` where splits of fused iterators are
// written through the fused parts wherever the digits line up.
Expr normalize_iter_sum(const IterSum& sum, DataType t);

}  // namespace kiln::ir::arith

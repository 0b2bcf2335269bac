// The regions a compute body reads within one block instance, as TVM's
// create_prim_func records them: one BufferRegion per buffer (in first-load
// order), each dimension the smallest range covering that dimension's indices.
//
// Indices are taken with the block iter vars fixed, so `X[vh * 2 + vr]` is a
// point (extent 1). Indices that differ by a constant widen the range
// (`X[vi]`, `X[vi + 1]` -> min vi, extent 2); other distinct indices give the
// symbolic cover min(a, b) .. max(a, b).
#pragma once

#include <vector>

#include "ir/buffer.h"

namespace kiln::te {

std::vector<ir::BufferRegion> access_regions(const ir::Expr& value);

}  // namespace kiln::te

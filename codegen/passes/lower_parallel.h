// lower_parallel: a parallel loop nested in another parallel loop becomes
// serial (the outer one already uses every thread; the runtime would run the
// inner one serially anyway). What is left is one level of parallel loops,
// which the backend outlines into calls to the runtime's thread pool.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc lower_parallel(const ir::PrimFunc& func);

}  // namespace kiln::codegen

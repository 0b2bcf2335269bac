// lower: from a scheduled PrimFunc (blocks, multi-dimensional buffers) to the
// low-level form every backend prints (codegen/lowered_form.h). The list of
// passes, in order, is in pipeline.cc; lowering can stop before any of them,
// so that the cost model and the search's checks read the program the
// backend will get, at the stage they need, from the same passes.
#pragma once

#include <functional>
#include <string>

#include "codegen/target.h"
#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc lower(const ir::PrimFunc& func, const Target& target);

// Sees the program about to enter each pass, by the pass's name.
using PassObserver = std::function<void(const std::string& pass, const ir::PrimFunc& program)>;

// The passes of `lower` up to, not including, the first one named `stop`
// (e.g. "unroll_loops": loops and buffers fixed, bodies not yet copied);
// `before` (if given) sees each stage on the way, so that one lowering
// serves readers of several stages. Throws std::invalid_argument naming the
// passes when there is none so named.
ir::PrimFunc lower_until(const ir::PrimFunc& func, const Target& target, const std::string& stop,
                         const PassObserver& before = nullptr);

}  // namespace kiln::codegen

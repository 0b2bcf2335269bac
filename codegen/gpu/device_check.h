// Whether a GPU target's kernels can run here. Without its device (no CUDA
// driver, no OpenCL platform) every kernel would fail alike, so whatever
// runs many of them (fuzzing, tuning) asks once and refuses up front.
#pragma once

#include <string>

#include "codegen/target.h"

namespace kiln::codegen {

// Returns for a CPU target or a GPU target whose device is present; else
// throws std::invalid_argument: "cannot <activity> for cuda here: <why>",
// and for CUDA where else its schedules run (OpenCL on PoCL).
void require_device(const Target& target, const std::string& activity);

}  // namespace kiln::codegen

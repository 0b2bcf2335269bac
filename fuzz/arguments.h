// Random arguments for a workload-like function and the comparison of two
// runs' outputs: what every differential check (interpreter vs schedule, vs
// lowering, vs a compiled kernel) needs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/function.h"
#include "ir/interpreter.h"

namespace kiln::fuzz {

// One host array per parameter: random values in [-1, 1) for inputs, NaN
// for the output (the last parameter), so that an element nobody writes
// cannot match by accident. Every registered workload is float32.
struct Arguments {
  std::vector<std::vector<float>> data;
  std::vector<ir::TensorView> views;       // the parameters' shapes
  std::vector<ir::TensorView> flat_views;  // the same memory, one-dimensional
};

Arguments make_arguments(const ir::PrimFunc& func, uint64_t seed);

// Empty when the outputs agree within 1e-4 (absolute and relative: reordered
// float reductions round differently); otherwise what differs.
std::string compare_outputs(const Arguments& expected, const Arguments& got);

}  // namespace kiln::fuzz

// Reference: the inputs every candidate of a task runs on and the outputs it
// must give, computed once per task, and the check that a wrong kernel can
// never become the best.
//
// Inputs are random (floats uniform in [-1, 1), integers small, booleans
// half true), from a fixed seed. The outputs come from the interpreter when
// the function is small enough for it, else from the untransformed function
// built for this CPU (no schedule, so nothing of the search is trusted).
// Outputs start as NaN (or a fixed pattern for integers) in the reference
// and in every candidate, so that an element a kernel forgets to write
// cannot match by accident.
//
// A candidate's output x matches the reference r when |x - r| <= tolerance:
// 8 ulps of the dtype times (the longest reduction + 1) times the largest
// |r| (at least 1). Reordered sums round differently, and CUDA contracts
// multiply-adds into FMAs; a real bug is off by far more.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/dtype.h"
#include "search/task.h"

namespace kiln::search {

struct ReferenceParam {
  std::string name;
  ir::DataType dtype;
  std::vector<int64_t> shape;
  bool output = false;     // written by the function: compared
  double tolerance = 0;    // for outputs
  std::string data;        // inputs: the values; outputs: the expected values
  std::string initial;     // outputs: what they hold before a call
};

struct Reference {
  std::vector<ReferenceParam> params;
  std::string computed_by;  // "interpreter" or "llvm (untransformed)"
  double seconds = 0;       // what computing it took

  // One string (a file the runner's worker reads once per task).
  std::string serialize() const;
  // Throws std::invalid_argument naming what is wrong with `bytes`.
  static Reference deserialize(std::string_view bytes);
};

// Computes the reference of `task` from inputs drawn with `seed`. Throws
// std::runtime_error when neither the interpreter nor the untransformed
// build can run the function (the message says why).
Reference make_reference(const Task& task, uint64_t seed = 1);

struct CheckResult {
  bool ok = true;
  double max_error = 0;  // the largest |x - r| over every output
  std::string message;   // when not ok: "max abs error 3.1 at C[12, 7] (...)"
};

// Compares the outputs of one call (outputs[i]: the data of parameter i, or
// null for inputs) with the reference.
CheckResult check_outputs(const Reference& reference, const std::vector<const void*>& outputs);

}  // namespace kiln::search

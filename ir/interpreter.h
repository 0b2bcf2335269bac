// The reference interpreter: runs any PrimFunc (unscheduled, scheduled or
// lowered) on host memory. It is the oracle of every differential test, so it
// favours exactness and loud failures over speed:
//  - every buffer access is bounds-checked;
//  - a block's iter var bound outside its domain is an error (a wrong schedule);
//  - buffers allocated by a block or an Allocate start as poison (NaN for
//    floats, the type's maximum for integers, true for bool) so that reading
//    memory nobody wrote shows up as a mismatch, not a silent zero;
//  - arithmetic is exact for the type: integers wrap to their width, each
//    float16/bfloat16/float32 operation rounds to that type (round to nearest
//    even), integer division by zero is an error.
// Thread-bound, parallel, vectorized and unrolled loops all run serially.
// A scalar Select evaluates only the chosen operand and scalar `and`/`or`
// short-circuit, so a guarded load (`select(i < n, A[i], 0)`) is legal; the
// lanes of a vector Select are all evaluated.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir/function.h"

namespace kiln::ir {

// A contiguous row-major host array; the interpreter does not own it.
struct TensorView {
  void* data;
  DataType dtype;
  std::vector<int64_t> shape;
};

// Bad arguments, a program the interpreter cannot run (an unbound variable, a
// buffer used outside its allocation), or a fault while running it
// (out-of-bounds access, integer division by zero, iter var outside domain).
class InterpreterError : public std::runtime_error {
 public:
  explicit InterpreterError(const std::string& what) : std::runtime_error(what) {}
};

// Runs `func` on `args`, one per parameter in order, whose dtypes and shapes
// must match the parameter buffers exactly. Writes happen in place.
void interpret(const PrimFunc& func, const std::vector<TensorView>& args);

}  // namespace kiln::ir

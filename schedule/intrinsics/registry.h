// Tensor intrinsics: a computation pattern (the description) paired with a
// way to carry it out (the implementation), which `tensorize` substitutes for
// a block whose body matches the pattern.
//
// Both are PrimFuncs over the same fixed-size parameter buffers (same order,
// shapes, dtypes and scopes). Each body is an explicit root block whose reads
// and writes name the windows the intrinsic touches:
//  - desc: the root block's body is the loop nest and blocks to match, e.g.
//    a 4x4x4 `C[i, j] += A[i, k] * B[k, j]` nest;
//  - impl: the root block's body computes the same thing without any block
//    inside (so that it can be pasted in many places). Its statements are
//    what the interpreter runs; the root block's annotations are copied onto
//    the tensorized block, where a backend looks for the call it stands for
//    (`tensor_intrin_call`: "nvcuda::wmma::mma_sync", ...).
//
// A tensorized block lists its reads and writes as the desc root block does,
// in the same order, so a backend finds operand k of the call there.
#pragma once

#include <string>
#include <vector>

#include "ir/function.h"

namespace kiln::sched {

struct TensorIntrin {
  std::string name;
  ir::PrimFunc desc;
  ir::PrimFunc impl;
};

// Registers a pair after checking that it has the shape above. Throws
// std::invalid_argument (naming what is wrong) for a malformed pair or a name
// already taken.
void register_tensor_intrin(const std::string& name, ir::PrimFunc desc, ir::PrimFunc impl);

// The intrinsic called `name`, or nullptr. The built-in intrinsics (CPU
// micro-kernels and CUDA WMMA fragments) are registered on first use.
const TensorIntrin* find_tensor_intrin(const std::string& name);
// Like find_tensor_intrin, but throws std::invalid_argument listing the names.
const TensorIntrin& get_tensor_intrin(const std::string& name);
std::vector<std::string> tensor_intrin_names();

}  // namespace kiln::sched

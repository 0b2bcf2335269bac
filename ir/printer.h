// The text form of the IR ("script"): Python-like, after TVMScript.
//
//   @kiln.prim_func
//   def matmul(A: Buffer((128, 128), "float32"), B: ..., C: ...):
//       for i, j, k in grid(128, 128, 128):
//           with block("C"):
//               vi, vj, vk = axis.remap("SSR", [i, j, k])
//               reads(A[vi, vk], B[vk, vj])
//               writes(C[vi, vj])
//               with init():
//                   C[vi, vj] = 0.0
//               C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
//
// parse_prim_func (ir/parser.h) reads every function this prints back to a
// structurally equal one. Variables and buffers print under their names, made
// unique among those in scope (a second `i` inside the first prints as `i_1`)
// and never a reserved word. The output is deterministic.
#pragma once

#include <string>

#include "ir/function.h"

namespace kiln::ir {

std::string to_script(const PrimFunc& func);
// A statement (or statement list) at indentation zero, ending in a newline.
std::string to_script(const Stmt& stmt);
// A block without its BlockRealize: iter vars print without bindings.
std::string to_script(const Block& block);
// One expression, no newline.
std::string to_script(const Expr& expr);

}  // namespace kiln::ir

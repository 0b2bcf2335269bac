// Structural equality and hashing: two programs are equal when they have the
// same shape, ignoring the names of variables, buffers and the function, and
// ignoring node identity. Block names count (schedules find blocks by name).
// A function's structural hash is its workload key in tuning records.
#pragma once

#include <cstdint>

#include "ir/function.h"

namespace kiln::ir {

// Variables and buffers are matched one-to-one in the order they are first
// met; free ones (in a bare Expr or Stmt) are matched the same way.
bool structural_equal(const PrimFunc& a, const PrimFunc& b);
bool structural_equal(const Stmt& a, const Stmt& b);
bool structural_equal(const Expr& a, const Expr& b);

// Stable across runs and processes (no pointer values go in).
uint64_t structural_hash(const PrimFunc& f);
uint64_t structural_hash(const Stmt& s);
uint64_t structural_hash(const Expr& e);

}  // namespace kiln::ir

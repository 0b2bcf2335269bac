// The differential check of a compiled kernel: build a function for a
// target, run it on the fuzzer's arguments and compare with the interpreter.
#pragma once

#include <string>

#include "codegen/target.h"
#include "fuzz/arguments.h"

namespace kiln::fuzz {

// Builds `func` for `target`, runs it on make_arguments(func, seed) and
// compares its output with `expected` (the interpreter's on the same
// arguments). Returns "" when they agree, else what differs. Build and run
// errors propagate as exceptions.
std::string check_built_kernel(const ir::PrimFunc& func, const Target& target, uint64_t seed,
                               const Arguments& expected);

}  // namespace kiln::fuzz

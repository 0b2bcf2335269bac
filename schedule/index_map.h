// IndexMap: a buffer layout change, new indices as expressions of the old
// ones, written as a Python lambda:
//
//   lambda i, j: (i // 16, j // 16, i % 16, j % 16)
//
// The text is how traces store a map; parse(to_string(m)) rebuilds m.
#pragma once

#include <string>
#include <vector>

#include "ir/expr.h"

namespace kiln::sched {

struct IndexMap {
  std::vector<ir::Var> inputs;
  std::vector<ir::Expr> outputs;

  // The lambda text; a single output prints as a one-element tuple "(e,)".
  std::string to_string() const;
  // Reads the lambda text (a bare expression body is a single output);
  // throws std::invalid_argument naming what is wrong.
  static IndexMap parse(const std::string& text);
  // The outputs for the given input values.
  std::vector<ir::Expr> apply(const std::vector<ir::Expr>& values) const;
};

}  // namespace kiln::sched

// Constant integer bounds: the smallest interval [min, max] that an integer
// expression is known to stay in, given intervals for its free variables.
//
// The analysis is conservative: it may answer a wider interval than the true
// one, never a narrower one. Arithmetic is assumed not to overflow (as in TVM);
// results are clipped to the range of the expression's type.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>

#include "ir/expr.h"

namespace kiln::ir::arith {

struct ConstIntBound {
  // Sentinels for an unbounded side.
  static constexpr int64_t kPosInf = std::numeric_limits<int64_t>::max();
  static constexpr int64_t kNegInf = std::numeric_limits<int64_t>::min();

  int64_t min = kNegInf;
  int64_t max = kPosInf;

  static ConstIntBound everything() { return {kNegInf, kPosInf}; }
  static ConstIntBound single(int64_t v) { return {v, v}; }
  // The values of type `t` ([0, 1] for bool, everything for floats).
  static ConstIntBound of_type(DataType t);

  bool is_single() const { return min == max; }
  bool has_min() const { return min != kNegInf; }
  bool has_max() const { return max != kPosInf; }
  bool contains(int64_t v) const { return min <= v && v <= max; }
  bool operator==(const ConstIntBound& o) const { return min == o.min && max == o.max; }
  // "[0, 15]", with -inf/+inf for open sides.
  std::string str() const;
};

using VarBoundMap = std::unordered_map<Var, ConstIntBound, VarHash>;
using VarRangeMap = std::unordered_map<Var, Range, VarHash>;

// Bound of `e`; a variable missing from `vars` ranges over its whole type.
ConstIntBound const_int_bound(const Expr& e, const VarBoundMap& vars = {});

// The values [min, min + extent - 1] of a range whose min and extent are
// bounded by `vars`. An extent that may be 0 still yields min's bound.
ConstIntBound bound_of_range(const Range& range, const VarBoundMap& vars = {});
VarBoundMap bounds_of_ranges(const VarRangeMap& ranges);

}  // namespace kiln::ir::arith

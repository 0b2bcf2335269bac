// Affine iterator maps, after TVM's DetectIterMap.
//
// Block bindings are index expressions of the surrounding loop variables. The
// schedule needs to know that they stay "affine": that each index is a sum of
// pieces of loops, where a piece is a split of a loop or of a fusion of loops,
// and that no loop iteration is counted twice. detect_iter_map recognises
//
//   i*16 + j      (j in [0, 16))  as one fused iterator of extent 16*E(i),
//   f // 16, f % 16  (f in [0, 256))  as two splits of f,
//
// and fails, with a reason, on `i + j` or `i*2 + j` with j in [0, 4), where
// two loop iterations reach the same index.
//
// A split of a source iterator x (values [0, extent(x))) has the value
//   floormod(floordiv(x, lower_factor), extent) * scale,
// and a source is either a loop variable (minus its min) or a fused sum of
// splits. Extents are constants.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/arith/int_bound.h"

namespace kiln::ir::arith {

struct IterMarkNode;
using IterMark = std::shared_ptr<const IterMarkNode>;

struct IterSplit {
  IterMark source;
  int64_t lower_factor = 1;
  int64_t extent = 1;
  int64_t scale = 1;
};

// sum(args) + base.
struct IterSum {
  std::vector<IterSplit> args;
  int64_t base = 0;
};

// An iterator over [0, extent).
struct IterMarkNode {
  // A loop variable: the mark's value is var - var_min.
  Var var;
  int64_t var_min = 0;
  // Otherwise a fusion: the value of the sum (its base is 0). Its args are
  // ordered by decreasing scale, outermost first.
  IterSum fused;
  // The number of values. A predicate such as `i*8 + j < 100` makes it
  // smaller than the product of the fused extents (104 there).
  int64_t extent = 1;
};

enum class IterMapLevel {
  // No two loop iterations (that pass the predicate) give the same indices,
  // and the indices cover every point of their domain: a bijection.
  kBijective,
  // The indices cover their domain; loops that no index uses are allowed.
  kSurjective,
};

struct IterMapResult {
  bool ok = false;
  // Why detection failed, naming the index and the reason.
  std::string error;
  // One per index when ok: at most one split (of scale >= 1) plus a base.
  std::vector<IterSum> indices;
};

// Recognises `indices` as affine maps of the loop variables in `dom` (whose
// ranges must have constant min and extent). `predicate` (undefined or
// `True` for none) is a conjunction of upper bounds on fused iterators, as
// non-perfect splits produce: `i*8 + j < 100`.
IterMapResult detect_iter_map(const std::vector<Expr>& indices, const VarRangeMap& dom,
                              const Expr& predicate = Expr(),
                              IterMapLevel level = IterMapLevel::kBijective);

// The expression of a detected form, of integer type `t`.
Expr iter_mark_to_expr(const IterMark& mark, DataType t = DataType::Int(32));
Expr iter_split_to_expr(const IterSplit& split, DataType t = DataType::Int(32));
Expr iter_sum_to_expr(const IterSum& sum, DataType t = DataType::Int(32));

// The indices rewritten in the normal form of their detected map
// (`floordiv(f0*4 + f1, 16)` -> `floordiv(f0, 4)`,
// `floordiv(f, 16)*16 + floormod(f, 16)` -> `f`); the indices unchanged when
// detection fails at `level`. Use this rather than Analyzer::simplify on
// block bindings: the general simplifier may rewrite
// `floordiv(a*7 + b*3 + c, 3)` to `b + floordiv(a*7 + c, 3)`, which is equal
// but no longer recognisable as a split of the fusion `a*7 + b*3 + c`.
std::vector<Expr> iter_map_simplify(const std::vector<Expr>& indices, const VarRangeMap& dom,
                                    const Expr& predicate = Expr(),
                                    IterMapLevel level = IterMapLevel::kSurjective);

}  // namespace kiln::ir::arith

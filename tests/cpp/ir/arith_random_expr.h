// Random integer expressions over a few bounded variables, for the
// differential tests of the simplifier and the bound analysis.
#pragma once

#include <random>
#include <vector>

#include "ir/op.h"
#include "tests/cpp/ir/arith_test_util.h"

namespace kiln::ir::arith::testing {

class RandomExprGenerator {
 public:
  RandomExprGenerator(uint32_t seed, std::vector<VarDomain> vars)
      : rng_(seed), vars_(std::move(vars)) {}

  Expr int_expr(int depth) {
    if (depth <= 0 || pick(5) == 0) return leaf();
    switch (pick(18)) {
      case 14:
      case 15: return affine();
      case 16: return floordiv(pick(2) ? affine() : int_expr(depth - 1), divisor());
      case 17: return floormod(pick(2) ? affine() : int_expr(depth - 1), divisor());
      case 0:
      case 1: return int_expr(depth - 1) + int_expr(depth - 1);
      case 2: return int_expr(depth - 1) - int_expr(depth - 1);
      case 3: return int_expr(depth - 1) * constant(-4, 8);
      case 4: return int_expr(depth - 1) * int_expr(depth - 1);
      case 5:
      case 6: return floordiv(int_expr(depth - 1), divisor());
      case 7:
      case 8: return floormod(int_expr(depth - 1), divisor());
      case 9: return min(int_expr(depth - 1), int_expr(depth - 1));
      case 10: return max(int_expr(depth - 1), int_expr(depth - 1));
      case 11: return select(bool_expr(depth - 1), int_expr(depth - 1), int_expr(depth - 1));
      case 12: {
        // A divisor that may be zero, or a truncating division.
        Expr d = int_expr(depth - 1);
        return pick(2) ? floordiv(int_expr(depth - 1), d) : int_expr(depth - 1) / divisor();
      }
      default: return cast(DataType::Int(32), cast(DataType::Int(64), int_expr(depth - 1)));
    }
  }

  Expr bool_expr(int depth) {
    if (depth > 0 && pick(4) == 0) {
      switch (pick(3)) {
        case 0: return bool_expr(depth - 1) && bool_expr(depth - 1);
        case 1: return bool_expr(depth - 1) || bool_expr(depth - 1);
        default: return !bool_expr(depth - 1);
      }
    }
    Expr a = int_expr(depth - 1), b = int_expr(depth - 1);
    static const ExprKind kinds[] = {ExprKind::kLT, ExprKind::kLE, ExprKind::kGT,
                                     ExprKind::kGE, ExprKind::kEQ, ExprKind::kNE};
    return binary(kinds[pick(6)], a, b);
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  Expr constant(int lo, int hi) { return Expr(std::uniform_int_distribution<int>(lo, hi)(rng_)); }
  Expr divisor() {
    static const int kDivisors[] = {1, 2, 3, 4, 8, 16, -1, -2, -3, -4, -8};
    return Expr(kDivisors[pick(11)]);
  }
  // An index-like sum `x*8 + y*2 + 3`: what split and fuse produce, and what
  // the floordiv/floormod rules are about.
  Expr affine() {
    static const int kCoefs[] = {1, 2, 4, 8, 16, 3, 6, -1, -2, -4};
    Expr sum = constant(-4, 8);
    for (const VarDomain& v : vars_) {
      if (pick(3) > 0) sum = sum + v.var * Expr(kCoefs[pick(10)]);
    }
    return sum;
  }
  Expr leaf() {
    if (pick(3) == 0) return constant(-10, 20);
    return vars_[pick(static_cast<int>(vars_.size()))].var;
  }

  std::mt19937 rng_;
  std::vector<VarDomain> vars_;
};

}  // namespace kiln::ir::arith::testing

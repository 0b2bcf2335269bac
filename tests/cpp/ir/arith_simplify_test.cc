// Golden tests of the simplifier's important rewrites.
#include <gtest/gtest.h>

#include "ir/arith/expr_equal.h"
#include "ir/arith/linear_form.h"
#include "ir/arith/simplify.h"
#include "ir/op.h"
#include "tests/cpp/ir/arith_test_util.h"

namespace kiln::ir::arith {
namespace {

using testing::show;

#define EXPECT_SIMPLIFIES(analyzer, input, expected)                                              \
  do {                                                                                            \
    Expr got_ = (analyzer).simplify(input);                                                       \
    EXPECT_TRUE(same_expr(got_, expected))                                                        \
        << "simplify(" << show(input) << ") = " << show(got_) << ", expected " << show(expected); \
  } while (0)

Expr True() { return int_imm(DataType::Bool(), 1); }
Expr False() { return int_imm(DataType::Bool(), 0); }

TEST(ArithSimplify, CollectsLinearTerms) {
  Analyzer a;
  Var i("i"), j("j"), k("k");
  EXPECT_SIMPLIFIES(a, i * 4 + j - i * 4, j);
  EXPECT_SIMPLIFIES(a, (i + 1) * 2 - 2, i * 2);
  EXPECT_SIMPLIFIES(a, j + i * 4, i * 4 + j);
  EXPECT_SIMPLIFIES(a, (i * 2 + j) * 3 - j * 3, i * 6);
  EXPECT_SIMPLIFIES(a, i - (k - i) + 3 - 1, i * 2 - k + 2);
  EXPECT_SIMPLIFIES(a, Expr(3) * 4 + 2, Expr(14));
  EXPECT_SIMPLIFIES(a, 0 - i, 0 - i);
  EXPECT_SIMPLIFIES(a, floordiv(i, 16) * 16 + floormod(i, 16), i);
  EXPECT_SIMPLIFIES(a, (floordiv(i + j, 4) * 4 + floormod(i + j, 4)) * 2 - j, i * 2 + j);
  EXPECT_TRUE(same_expr(simplify(i * 4 + j - i * 4), j));
}

TEST(ArithSimplify, DivModWithRanges) {
  Analyzer a;
  Var i("i"), j("j"), x("x"), f0("f0"), f1("f1");
  a.bind(i, Range::from_min_extent(0, 16));
  a.bind(j, Range::from_min_extent(0, 8));
  a.bind(f0, Range::from_min_extent(0, 64));
  a.bind(f1, Range::from_min_extent(0, 4));
  EXPECT_SIMPLIFIES(a, floordiv(i * 8 + j, 8), i);
  EXPECT_SIMPLIFIES(a, floormod(i * 8 + j, 8), j);
  EXPECT_SIMPLIFIES(a, floordiv(i * 8 + j + 16, 8), i + 2);
  EXPECT_SIMPLIFIES(a, floormod(j, 8), j);
  EXPECT_SIMPLIFIES(a, floordiv(j, 8), Expr(0));
  EXPECT_SIMPLIFIES(a, floordiv(f0 * 4 + f1, 16), floordiv(f0, 4));
  EXPECT_SIMPLIFIES(a, floormod(f0 * 4 + f1, 16), floormod(f0, 4) * 4 + f1);
  EXPECT_SIMPLIFIES(a, floordiv(x, 1), x);
  EXPECT_SIMPLIFIES(a, floormod(x, 1), Expr(0));
  EXPECT_SIMPLIFIES(a, floordiv(floordiv(x, 4), 8), floordiv(x, 32));
  EXPECT_SIMPLIFIES(a, floormod(floormod(x, 32), 8), floormod(x, 8));
  EXPECT_SIMPLIFIES(a, floordiv(floormod(x, 32), 8), floormod(floordiv(x, 8), 4));
  EXPECT_SIMPLIFIES(a, floordiv(x * 8 + 3, 4), x * 2);
  // Without a range nothing is known about x's remainder.
  EXPECT_SIMPLIFIES(a, floordiv(x * 8 + j, 16), floordiv(x, 2));
  EXPECT_SIMPLIFIES(a, floordiv(x * 8 + i, 16), floordiv(x * 8 + i, 16));
  EXPECT_SIMPLIFIES(a, floordiv(x * 6 + 2, -3), Expr(-1) - x * 2);
  EXPECT_SIMPLIFIES(a, floordiv(x * 6 + 2, -4), floordiv(x * 6 + 2, -4));
}

TEST(ArithSimplify, DivisionByZeroIsKept) {
  Analyzer a;
  Var x("x"), y("y");
  Expr d = floordiv(x, 0);
  Expr got = a.simplify(d);
  EXPECT_TRUE(same_expr(got, d)) << show(got);
  got = a.simplify(floordiv(x, y) - floordiv(x, y) + 1);
  EXPECT_TRUE(may_divide_by_zero(got)) << show(got);
  got = a.simplify(floormod(x, 0) * 0);
  EXPECT_TRUE(may_divide_by_zero(got)) << show(got);
}

TEST(ArithSimplify, MinMax) {
  Analyzer a;
  Var i("i"), x("x");
  a.bind(i, Range::from_min_extent(0, 64));
  EXPECT_SIMPLIFIES(a, min(i, 100), i);
  EXPECT_SIMPLIFIES(a, max(i, 100), Expr(100));
  EXPECT_SIMPLIFIES(a, min(x, x), x);
  EXPECT_SIMPLIFIES(a, max(x + 1, x), x + 1);
  EXPECT_SIMPLIFIES(a, min(Expr(3), Expr(5)), Expr(3));
  EXPECT_SIMPLIFIES(a, min(8, x), min(x, 8));
  EXPECT_SIMPLIFIES(a, min(min(x, 8), 4), min(x, 4));
  EXPECT_SIMPLIFIES(a, max(min(i * 2, 200) - 1, -1), i * 2 - 1);
}

TEST(ArithSimplify, ComparisonsAndLogic) {
  Analyzer a;
  Var i("i"), j("j"), x("x"), y("y");
  a.bind(i, Range::from_min_extent(0, 64));
  a.bind(j, Range::from_min_extent(0, 8));
  EXPECT_SIMPLIFIES(a, i < 64, True());
  EXPECT_SIMPLIFIES(a, i >= 64, False());
  EXPECT_SIMPLIFIES(a, i * 8 + j < 512, True());
  EXPECT_SIMPLIFIES(a, i * 8 + j - 100 < 0, i * 8 + j < 100);
  EXPECT_SIMPLIFIES(a, 2 - x<0, x> 2);
  EXPECT_SIMPLIFIES(a, x * 4 < 8, x < 2);
  EXPECT_SIMPLIFIES(a, x * 4 <= 9, x <= 2);
  EXPECT_SIMPLIFIES(a, x * 4 > 9, x > 2);
  EXPECT_SIMPLIFIES(a, x * 4 >= 9, x >= 3);
  EXPECT_SIMPLIFIES(a, eq(x * 4, 9), False());
  EXPECT_SIMPLIFIES(a, eq(x * 4 + y * 2, 8), eq(x * 2 + y, 4));
  EXPECT_SIMPLIFIES(a, True() && (x < 5), x < 5);
  EXPECT_SIMPLIFIES(a, (x < 5) && False(), False());
  EXPECT_SIMPLIFIES(a, False() || (x < 5), x < 5);
  EXPECT_SIMPLIFIES(a, (i < 64) && (x < y), x < y);
  EXPECT_SIMPLIFIES(a, !(x < y), x >= y);
  EXPECT_SIMPLIFIES(a, select(j < 8, x, y), x);
  EXPECT_SIMPLIFIES(a, select(x < y, i, i), i);
  EXPECT_TRUE(a.can_prove(i * 8 + j < 512));
  EXPECT_FALSE(a.can_prove(i * 8 + j < 511));
  EXPECT_FALSE(a.can_prove(x < y));
  EXPECT_TRUE(a.can_prove_equal(i * 4 + j, j + i * 2 * 2));
  EXPECT_FALSE(a.can_prove_equal(i * 4 + j, j + i * 2));
}

TEST(ArithSimplify, AnalyzerBindsLoopsAndSymbolicRanges) {
  Var i("i"), j("j");
  Analyzer a;
  a.bind_loops({for_loop(i, 0, 10, ForKind::kSerial, evaluate(0))});
  a.bind(j, Range::from_min_extent(i * 4, 4));
  EXPECT_EQ(a.const_int_bound(j), (ConstIntBound{0, 39}));
  EXPECT_EQ(a.const_int_bound(i * 4 + 3 - i * 4), ConstIntBound::single(3));
  EXPECT_TRUE(a.can_prove(j < 40));
  EXPECT_THROW(a.bind_loops({evaluate(0)}), std::invalid_argument);
}

}  // namespace
}  // namespace kiln::ir::arith

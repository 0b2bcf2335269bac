// Constant integer bounds (the random containment test is in
// arith_simplify_random_test.cc).
#include <gtest/gtest.h>

#include "ir/arith/int_bound.h"
#include "ir/op.h"

namespace kiln::ir::arith {

// Readable failures: "[0, 3]" rather than bytes.
void PrintTo(const ConstIntBound& b, std::ostream* os) { *os << b.str(); }

namespace {

using B = ConstIntBound;

TEST(ArithIntBound, ArithmeticOnRanges) {
  Var i("i"), j("j"), x("x");
  VarBoundMap vars{{i, {0, 15}}, {j, {-3, 4}}};
  EXPECT_EQ(const_int_bound(i * 8 + j, vars), (B{-3, 124}));
  EXPECT_EQ(const_int_bound(i - j, vars), (B{-4, 18}));
  EXPECT_EQ(const_int_bound(i * j, vars), (B{-45, 60}));
  EXPECT_EQ(const_int_bound(floordiv(j, 2), vars), (B{-2, 2}));
  EXPECT_EQ(const_int_bound(floordiv(j, -2), vars), (B{-2, 1}));
  EXPECT_EQ(const_int_bound(j / 2, vars), (B{-1, 2}));
  EXPECT_EQ(const_int_bound(floormod(i, 4), vars), (B{0, 3}));
  EXPECT_EQ(const_int_bound(floormod(i + 16, 32), vars), (B{16, 31}));
  EXPECT_EQ(const_int_bound(floormod(j, -4), vars), (B{-3, 0}));
  EXPECT_EQ(const_int_bound(min(i, j), vars), (B{-3, 4}));
  EXPECT_EQ(const_int_bound(max(i, 20), vars), (B{20, 20}));
  EXPECT_EQ(const_int_bound(select(i < 3, j, i), vars), (B{-3, 15}));
  EXPECT_EQ(const_int_bound(i < 3, vars), (B{0, 1}));
  EXPECT_EQ(const_int_bound(cast(DataType::Int(8), i * 100), vars), B::of_type(DataType::Int(8)));
  EXPECT_EQ(const_int_bound(cast(DataType::Int(64), i), vars), (B{0, 15}));
}

TEST(ArithIntBound, UnknownsAreConservative) {
  Var x("x"), w("w", DataType::Int(64)), y("y");
  EXPECT_EQ(const_int_bound(x), B::of_type(DataType::Int(32)));
  EXPECT_EQ(const_int_bound(w), B::everything());
  EXPECT_FALSE(const_int_bound(w + 1).has_max());
  // Division by a divisor that may be zero is unknown.
  EXPECT_EQ(const_int_bound(floordiv(Expr(8), y), {{y, {-1, 1}}}), B::of_type(DataType::Int(32)));
  EXPECT_EQ(const_int_bound(floordiv(Expr(8), y), {{y, {1, 4}}}), (B{2, 8}));
  EXPECT_EQ(const_int_bound(Expr(2.5f)), B::everything());
  EXPECT_EQ(B::everything().str(), "[-inf, +inf]");
  EXPECT_EQ((B{0, 3}).str(), "[0, 3]");
  // Ranges with symbolic mins use the bounds of the variables they mention.
  VarBoundMap vars =
      bounds_of_ranges({{x, Range::from_min_extent(0, 4)}, {y, Range::from_min_extent(x * 8, 8)}});
  EXPECT_EQ(vars.at(y), (B{0, 31}));
}

}  // namespace
}  // namespace kiln::ir::arith

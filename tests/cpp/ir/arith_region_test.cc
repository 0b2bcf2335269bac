// relax_region: the interval an index covers while some loops run.
#include <gtest/gtest.h>

#include <random>

#include "ir/arith/expr_equal.h"
#include "ir/arith/linear_form.h"
#include "ir/arith/region.h"
#include "ir/op.h"
#include "tests/cpp/ir/arith_random_expr.h"

namespace kiln::ir::arith {
namespace {

using testing::eval;
using testing::show;

Range r(int extent) { return Range::from_min_extent(0, extent); }

TEST(ArithRegion, AffineIndicesAreExact) {
  Var i0("i0"), i1("i1"), j("j");
  Analyzer outer;
  outer.bind(i0, r(4));
  std::vector<Range> region = relax_region({i0 * 8 + i1, j}, {{i1, r(8)}}, outer);
  ASSERT_EQ(region.size(), 2u);
  EXPECT_TRUE(same_expr(region[0].min, i0 * 8)) << show(region[0].min);
  EXPECT_TRUE(is_const_int(region[0].extent, 8)) << show(region[0].extent);
  EXPECT_TRUE(same_expr(region[1].min, j));
  EXPECT_TRUE(is_const_int(region[1].extent, 1));
  region = relax_region({i0 * 8 + i1}, {{i0, r(4)}, {i1, r(8)}});
  EXPECT_TRUE(is_const_int(region[0].min, 0));
  EXPECT_TRUE(is_const_int(region[0].extent, 32));
  // A negative coefficient and a shifted range.
  region = relax_region({j - i1 * 2}, {{i1, Range::from_min_extent(1, 3)}});
  EXPECT_TRUE(same_expr(region[0].min, j - 6)) << show(region[0].min);
  EXPECT_TRUE(is_const_int(region[0].extent, 5));
  // A relaxed range that depends on an outer loop (a loop moved by compute_at).
  Var k("k");
  region = relax_region({k + 1}, {{k, Range::from_min_extent(i0 * 4, 4)}}, outer);
  EXPECT_TRUE(same_expr(region[0].min, i0 * 4 + 1)) << show(region[0].min);
  EXPECT_TRUE(is_const_int(region[0].extent, 4));
}

TEST(ArithRegion, DivModMinMax) {
  Var i("i"), o("o");
  std::vector<Range> region =
      relax_region({floordiv(i, 4), floormod(i, 4), min(i, 5)}, {{i, r(16)}});
  EXPECT_TRUE(is_const_int(region[0].min, 0));
  EXPECT_TRUE(is_const_int(region[0].extent, 4));
  EXPECT_TRUE(is_const_int(region[1].min, 0));
  EXPECT_TRUE(is_const_int(region[1].extent, 4));
  EXPECT_TRUE(is_const_int(region[2].extent, 6));
  // Within one period a floormod is exact.
  region = relax_region({floormod(o * 8 + i, 16)}, {{i, r(4)}}, [&] {
    Analyzer a;
    a.bind(o, r(2));
    return a;
  }());
  EXPECT_TRUE(is_const_int(region[0].extent, 4)) << show(region[0].extent);
  // Unbounded parts are an error, not a silent guess.
  Buffer buf = make_buffer("B", DataType::Int(32), {16});
  EXPECT_THROW(relax_region({buffer_load(buf, {i}) + i}, {{i, r(16)}}), std::invalid_argument);
}

// Random indices over two relaxed and one fixed variable: the region covers
// every value, and for affine indices its ends are reached.
TEST(ArithRegionRandom, CoversEveryValue) {
  std::mt19937 rng(5);
  Var a("a"), b("b"), fixed("f");
  for (int round = 0; round < 1500; ++round) {
    std::vector<testing::VarDomain> vars = {
        {a, 0, 1 + static_cast<int>(rng() % 6)},
        {b, static_cast<int>(rng() % 3), 1 + static_cast<int>(rng() % 6)},
        {fixed, 0, 5}};
    testing::RandomExprGenerator gen(rng(), vars);
    bool affine = round % 2 == 0;
    Expr index =
        affine ? gen.int_expr(0) + Expr(2) * a - Expr(3) * b + fixed * Expr(7) : gen.int_expr(3);
    if (may_divide_by_zero(index)) continue;
    Analyzer outer;
    outer.bind(fixed, r(5));
    VarRangeMap relaxed{{a, Range::from_min_extent(0, vars[0].extent)},
                        {b, Range::from_min_extent(vars[1].min, vars[1].extent)}};
    Range region = relax_region({index}, relaxed, outer)[0];
    for (int64_t f = 0; f < 5; ++f) {
      testing::Env env{{fixed.get(), f}};
      int64_t lo = *eval(region.min, env), extent = *eval(region.extent, env);
      int64_t seen_min = INT64_MAX, seen_max = INT64_MIN;
      testing::for_each_assignment({vars[0], vars[1]}, [&](const testing::Env& inner) {
        testing::Env full = inner;
        full[fixed.get()] = f;
        auto v = eval(index, full);
        if (!v) return;
        seen_min = std::min(seen_min, *v);
        seen_max = std::max(seen_max, *v);
        ASSERT_TRUE(lo <= *v && *v < lo + extent)
            << show(index) << " = " << *v << " outside [" << show(region.min) << ", +"
            << show(region.extent) << ") at f=" << f;
      });
      if (affine) {  // a leaf plus affine terms
        EXPECT_EQ(seen_min, lo) << show(index);
        EXPECT_EQ(seen_max, lo + extent - 1) << show(index);
      }
    }
  }
}

}  // namespace
}  // namespace kiln::ir::arith

// Affine iterator-map detection: the fused and split patterns schedules
// produce, and the non-bijective bindings that must be refused.
#include <gtest/gtest.h>

#include "ir/arith/expr_equal.h"
#include "ir/arith/iter_map.h"
#include "ir/op.h"
#include "tests/cpp/ir/arith_test_util.h"

namespace kiln::ir::arith {
namespace {

using testing::show;

Range r(int64_t extent) { return Range::from_min_extent(0, Expr(static_cast<int>(extent))); }

TEST(ArithIterMap, FusionOfTwoLoops) {
  Var i("i"), j("j");
  IterMapResult res = detect_iter_map({i * 16 + j}, {{i, r(8)}, {j, r(16)}});
  ASSERT_TRUE(res.ok) << res.error;
  ASSERT_EQ(res.indices.size(), 1u);
  ASSERT_EQ(res.indices[0].args.size(), 1u);
  const IterSplit& s = res.indices[0].args[0];
  EXPECT_EQ(s.extent, 128);
  EXPECT_EQ(s.scale, 1);
  EXPECT_EQ(res.indices[0].base, 0);
  ASSERT_FALSE(s.source->var.defined());
  ASSERT_EQ(s.source->fused.args.size(), 2u);
  EXPECT_TRUE(s.source->fused.args[0].source->var.same_as(i));
  EXPECT_EQ(s.source->fused.args[0].scale, 16);
  EXPECT_TRUE(s.source->fused.args[1].source->var.same_as(j));
}

TEST(ArithIterMap, SplitsOfAFusedLoop) {
  Var f("f");
  IterMapResult res = detect_iter_map({floordiv(f, 16), floormod(f, 16)}, {{f, r(256)}});
  ASSERT_TRUE(res.ok) << res.error;
  const IterSplit &outer = res.indices[0].args[0], &inner = res.indices[1].args[0];
  EXPECT_TRUE(outer.source->var.same_as(f));
  EXPECT_EQ(outer.source, inner.source);
  EXPECT_EQ(outer.lower_factor, 16);
  EXPECT_EQ(outer.extent, 16);
  EXPECT_EQ(inner.lower_factor, 1);
  EXPECT_EQ(inner.extent, 16);
}

TEST(ArithIterMap, SplitsOfSplitsAndSplitsOfFusions) {
  Var f("f"), i("i"), j("j");
  VarRangeMap dom{{f, r(256)}};
  EXPECT_TRUE(
      detect_iter_map({floordiv(f, 64), floordiv(floormod(f, 64), 8), floormod(f, 8)}, dom).ok);
  EXPECT_TRUE(
      detect_iter_map({floordiv(f, 64), floormod(floordiv(f, 8), 8), floormod(f, 8)}, dom).ok);
  // floordiv and floormod of the same fusion share one fused iterator.
  IterMapResult res =
      detect_iter_map({floordiv(i * 16 + j, 4), floormod(i * 16 + j, 4)}, {{i, r(8)}, {j, r(16)}});
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(res.indices[0].args[0].source, res.indices[1].args[0].source);
  EXPECT_EQ(res.indices[0].args[0].extent, 32);
  // A loop with a non-zero min is shifted into the base.
  Var k("k");
  res = detect_iter_map({k * 2}, {{k, Range::from_min_extent(3, 5)}});
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(res.indices[0].base, 6);
  EXPECT_EQ(res.indices[0].args[0].scale, 2);
  EXPECT_EQ(res.indices[0].args[0].extent, 5);
}

TEST(ArithIterMap, RefusesNonBijectiveBindings) {
  Var i("i"), j("j"), f("f"), x("x");
  VarRangeMap dom{{i, r(4)}, {j, r(4)}, {f, r(16)}};
  auto fails = [&](const std::vector<Expr>& indices, const std::string& why_contains) {
    IterMapResult res = detect_iter_map(indices, dom);
    EXPECT_FALSE(res.ok) << show(indices[0]);
    EXPECT_NE(res.error.find(why_contains), std::string::npos) << res.error;
  };
  fails({i + j, f}, "overlap");
  fails({i * 2 + j, f}, "overlap");
  fails({i * 8 + j, f}, "gaps");
  fails({i, i, j, f}, "used more than once");
  fails({i, j, floordiv(f, 4)}, "never use");
  fails({i, j, floormod(f, 4)}, "use only 4 of the 16 values of loop `f`");
  fails({i, j}, "used by no index");
  fails({i * j, f}, "multiplies two loop-dependent terms");
  fails({min(i, 3), j, f}, "not an affine function");
  fails({i + x, j, f}, "not one of the loop variables");
  fails({i, j, floordiv(f, 3)}, "never use");
  fails({i, j, floordiv(floormod(f, 8), 3)}, "does not divide");
  fails({i, j, floordiv(f + 1, 4)}, "not a multiple");
  // Surjective maps may leave loops or parts of loops unused.
  IterMapResult res = detect_iter_map({i, floordiv(f, 4)}, dom, Expr(), IterMapLevel::kSurjective);
  EXPECT_TRUE(res.ok) << res.error;
  res = detect_iter_map({i, i}, dom, Expr(), IterMapLevel::kSurjective);
  EXPECT_FALSE(res.ok);
  res = detect_iter_map({i}, {{i, Range::from_min_extent(0, x)}});
  EXPECT_FALSE(res.ok);
  EXPECT_NE(res.error.find("not a constant"), std::string::npos) << res.error;
}

TEST(ArithIterMap, PredicatesOfNonPerfectSplits) {
  Var o("o"), i("i"), a("a"), b("b");
  VarRangeMap dom{{o, r(13)}, {i, r(8)}};
  IterMapResult res = detect_iter_map({o * 8 + i}, dom);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(res.indices[0].args[0].extent, 104);
  res = detect_iter_map({o * 8 + i}, dom, o * 8 + i < 100);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(res.indices[0].args[0].extent, 100);
  // floordiv/floormod of the bounded fusion.
  res = detect_iter_map({floordiv(o * 8 + i, 4), floormod(o * 8 + i, 4)}, dom, o * 8 + i < 100);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(res.indices[0].args[0].extent, 25);
  // The predicate must bound an iterator the indices use whole.
  res = detect_iter_map({o, i}, dom, o * 8 + i < 100);
  EXPECT_FALSE(res.ok);
  res = detect_iter_map({o * 8 + i}, dom, o * 8 + i < 0);
  EXPECT_FALSE(res.ok);
  // A non-perfect split of the inner loop of a non-perfect split:
  // 100 -> (o: 13, i: 8), then i -> (a: 3, b: 3).
  VarRangeMap nested{{o, r(13)}, {a, r(3)}, {b, r(3)}};
  Expr pred = (o * 8 + (a * 3 + b) < 100) && (a * 3 + b < 8);
  res = detect_iter_map({o * 8 + a * 3 + b}, nested, pred);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(res.indices[0].args[0].extent, 100);
  res = detect_iter_map({o * 8 + a * 3 + b}, nested, o * 8 + a * 3 + b < 100);
  EXPECT_FALSE(res.ok);
}

TEST(ArithIterMap, SimplifyNormalisesBindings) {
  Var f0("f0"), f1("f1"), f("f");
  VarRangeMap dom{{f0, r(64)}, {f1, r(4)}, {f, r(256)}};
  std::vector<Expr> out = iter_map_simplify({floordiv(f0 * 4 + f1, 16), floormod(f0 * 4 + f1, 16),
                                             floordiv(f, 16) * 16 + floormod(f, 16)},
                                            dom);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(same_expr(out[0], floordiv(f0, 4))) << show(out[0]);
  EXPECT_TRUE(same_expr(out[1], floormod(f0, 4) * 4 + f1)) << show(out[1]);
  EXPECT_TRUE(same_expr(out[2], f)) << show(out[2]);
  // Not affine: returned unchanged.
  Expr bad = f0 + f1;
  out = iter_map_simplify({bad}, dom);
  EXPECT_TRUE(out[0].same_as(bad));
}

}  // namespace
}  // namespace kiln::ir::arith

// Differential test of the simplifier: on thousands of random expressions,
// the simplified form must have the original's value for every assignment of
// the variables within their bound ranges (where the original is defined).
#include <gtest/gtest.h>

#include "ir/arith/expr_equal.h"
#include "ir/arith/simplify.h"
#include "tests/cpp/ir/arith_random_expr.h"

namespace kiln::ir::arith {
namespace {

using testing::eval;
using testing::show;
using testing::VarDomain;

std::vector<VarDomain> random_domains(std::mt19937& rng) {
  std::uniform_int_distribution<int> min_dist(-6, 6), extent_dist(1, 9);
  std::vector<VarDomain> vars;
  for (const char* name : {"x", "y", "z"}) {
    int lo = rng() % 3 == 0 ? min_dist(rng) : 0;
    vars.push_back({Var(name), lo, extent_dist(rng)});
  }
  return vars;
}

// Returns an empty string when `simplified` agrees with `original`.
std::string check_agrees(const Expr& original, const Expr& simplified,
                         const std::vector<VarDomain>& vars) {
  std::string failure;
  testing::for_each_assignment(vars, [&](const testing::Env& env) {
    if (!failure.empty()) return;
    auto want = eval(original, env);
    if (!want) return;  // division by zero: undefined, any result is fine
    auto got = eval(simplified, env);
    if (!got || *got != *want) {
      failure = "at";
      for (const auto& v : vars)
        failure += " " + v.var.name() + "=" + std::to_string(env.at(v.var.get()));
      failure += ": original " + std::to_string(*want) + ", simplified " +
                 (got ? std::to_string(*got) : std::string("undefined"));
    }
  });
  return failure;
}

TEST(ArithSimplifyRandom, PreservesValuesInRange) {
  std::mt19937 rng(20240601);
  int checked = 0, changed = 0;
  for (int round = 0; round < 4000; ++round) {
    std::vector<VarDomain> vars = random_domains(rng);
    testing::RandomExprGenerator gen(rng(), vars);
    Expr e = round % 4 == 0 ? gen.bool_expr(4) : gen.int_expr(4);
    Analyzer analyzer;
    for (const auto& v : vars) analyzer.bind(v.var, Range::from_min_extent(v.min, v.extent));
    Expr s = analyzer.simplify(e);
    ASSERT_EQ(s.dtype(), e.dtype()) << show(e);
    std::string failure = check_agrees(e, s, vars);
    ASSERT_TRUE(failure.empty()) << "simplify(" << show(e) << ")\n  = " << show(s) << "\n  wrong "
                                 << failure;
    // Without ranges the result must hold everywhere, in particular in range.
    Expr unbounded = simplify(e);
    failure = check_agrees(e, unbounded, vars);
    ASSERT_TRUE(failure.empty()) << "simplify(" << show(e)
                                 << ") without ranges\n  = " << show(unbounded) << "\n  wrong "
                                 << failure;
    ++checked;
    changed += !same_expr(s, e);
  }
  EXPECT_EQ(checked, 4000);
  EXPECT_GT(changed, 2000);  // the test exercises rewrites, not only identities
}

TEST(ArithSimplifyRandom, BoundsContainEveryValue) {
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::vector<VarDomain> vars = random_domains(rng);
    testing::RandomExprGenerator gen(rng(), vars);
    Expr e = gen.int_expr(4);
    VarBoundMap bounds;
    for (const auto& v : vars) bounds[v.var] = {v.min, v.min + v.extent - 1};
    ConstIntBound b = const_int_bound(e, bounds);
    testing::for_each_assignment(vars, [&](const testing::Env& env) {
      auto value = eval(e, env);
      if (value) {
        ASSERT_TRUE(b.contains(*value))
            << "bound " << b.str() << " of " << show(e) << " misses " << *value;
      }
    });
  }
}

TEST(ArithSimplifyRandom, SimplifyIsIdempotentOnLinearForms) {
  // Printed results must be stable: simplifying twice changes nothing.
  std::mt19937 rng(99);
  for (int round = 0; round < 1000; ++round) {
    std::vector<VarDomain> vars = random_domains(rng);
    testing::RandomExprGenerator gen(rng(), vars);
    Analyzer analyzer;
    for (const auto& v : vars) analyzer.bind(v.var, Range::from_min_extent(v.min, v.extent));
    Expr once = analyzer.simplify(gen.int_expr(3));
    Expr twice = analyzer.simplify(once);
    ASSERT_TRUE(same_expr(once, twice)) << show(once) << " became " << show(twice);
  }
}

}  // namespace
}  // namespace kiln::ir::arith

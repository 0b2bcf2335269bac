// Randomised tests of iter-map detection. Random chains of split / fuse /
// reorder on a small loop nest (as schedules make them, with predicates for
// non-perfect splits) must give bindings that detect_iter_map accepts, and
// enumerating the loops must hit each point of the domain exactly once.
// Random bindings that detection accepts must really be bijective.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "ir/arith/iter_map.h"
#include "ir/op.h"
#include "ir/substitute.h"
#include "tests/cpp/ir/arith_test_util.h"

namespace kiln::ir::arith {
namespace {

using testing::eval;
using testing::show;

struct Loop {
  Var var;
  int64_t extent;
};

struct Nest {
  std::vector<Loop> loops;
  std::vector<int64_t> dims;   // the domain's extents
  std::vector<Expr> bindings;  // one per dim, in the current loop vars
  Expr predicate = int_imm(DataType::Bool(), 1);

  VarRangeMap dom() const {
    VarRangeMap m;
    for (const Loop& l : loops) m[l.var] = Range::from_min_extent(0, index_imm(l.extent));
    return m;
  }
  void substitute_all(const VarMap& map) {
    for (Expr& b : bindings) b = substitute(b, map);
    predicate = substitute(predicate, map);
  }
  // What a schedule does after each primitive: bindings go through
  // iter_map_simplify (the general simplifier may break their affine form).
  void simplify_bindings() { bindings = iter_map_simplify(bindings, dom(), predicate); }
};

int pick(std::mt19937& rng, int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }

Nest random_nest(std::mt19937& rng, int* counter) {
  Nest nest;
  int ndim = 1 + pick(rng, 3);
  for (int d = 0; d < ndim; ++d) {
    int64_t extent = 1 + pick(rng, ndim == 1 ? 60 : 12);
    Var v("v" + std::to_string((*counter)++));
    nest.loops.push_back({v, extent});
    nest.dims.push_back(extent);
    nest.bindings.push_back(v);
  }
  for (int step = 0, steps = 1 + pick(rng, 5); step < steps; ++step) {
    size_t k = pick(rng, static_cast<int>(nest.loops.size()));
    Loop loop = nest.loops[k];
    int op = pick(rng, 3);
    if (op == 0) {  // split, perfect or not
      int64_t factor = 1 + pick(rng, static_cast<int>(loop.extent));
      int64_t outer_extent = (loop.extent + factor - 1) / factor;
      Var outer("v" + std::to_string((*counter)++)), inner("v" + std::to_string((*counter)++));
      Expr value = outer * index_imm(factor) + inner;
      nest.substitute_all({{loop.var, value}});
      if (outer_extent * factor != loop.extent) {
        nest.predicate = nest.predicate && (value < index_imm(loop.extent));
      }
      nest.loops[k] = {outer, outer_extent};
      nest.loops.insert(nest.loops.begin() + static_cast<long>(k) + 1, {inner, factor});
    } else if (op == 1 && k + 1 < nest.loops.size()) {  // fuse with the next loop
      Loop next = nest.loops[k + 1];
      Var fused("v" + std::to_string((*counter)++));
      nest.substitute_all({{loop.var, floordiv(fused, index_imm(next.extent))},
                           {next.var, floormod(fused, index_imm(next.extent))}});
      nest.loops[k] = {fused, loop.extent * next.extent};
      nest.loops.erase(nest.loops.begin() + static_cast<long>(k) + 1);
    } else {  // reorder: swap two loops
      std::swap(nest.loops[k], nest.loops[pick(rng, static_cast<int>(nest.loops.size()))]);
    }
    if (pick(rng, 2)) nest.simplify_bindings();
  }
  return nest;
}

// Every iteration of the nest that passes the predicate, as indices.
std::vector<std::vector<int64_t>> enumerate(const Nest& nest, const std::vector<Expr>& indices) {
  std::vector<testing::VarDomain> vars;
  for (const Loop& l : nest.loops) vars.push_back({l.var, 0, l.extent});
  std::vector<std::vector<int64_t>> points;
  testing::for_each_assignment(vars, [&](const testing::Env& env) {
    if (!*eval(nest.predicate, env)) return;
    std::vector<int64_t> p;
    for (const Expr& e : indices) p.push_back(*eval(e, env));
    points.push_back(p);
  });
  return points;
}

TEST(ArithIterMapRandom, ScheduledNestsAreDetectedAndBijective) {
  std::mt19937 rng(1234);
  int counter = 0;
  for (int round = 0; round < 600; ++round) {
    Nest nest = random_nest(rng, &counter);
    IterMapResult res = detect_iter_map(nest.bindings, nest.dom(), nest.predicate);
    std::string context = "bindings:";
    for (const Expr& b : nest.bindings) context += " " + show(b) + ";";
    context += " predicate: " + show(nest.predicate);
    ASSERT_TRUE(res.ok) << res.error << "\n" << context;
    // Each binding covers exactly its dimension: one split, scale 1, base 0.
    for (size_t d = 0; d < nest.dims.size(); ++d) {
      const IterSum& sum = res.indices[d];
      int64_t extent = sum.args.empty() ? 1 : sum.args[0].extent;
      ASSERT_EQ(extent, nest.dims[d]) << context;
      ASSERT_EQ(sum.base, 0) << context;
      int64_t scale = sum.args.empty() ? 1 : sum.args[0].scale;
      ASSERT_EQ(scale, 1) << context;
    }
    // The loops hit each point of the domain exactly once.
    std::map<std::vector<int64_t>, int> hits;
    for (const auto& p : enumerate(nest, nest.bindings)) ++hits[p];
    int64_t volume = 1;
    for (int64_t e : nest.dims) volume *= e;
    ASSERT_EQ(static_cast<int64_t>(hits.size()), volume) << context;
    for (const auto& [p, n] : hits) {
      ASSERT_EQ(n, 1) << context;
      for (size_t d = 0; d < p.size(); ++d)
        ASSERT_TRUE(p[d] >= 0 && p[d] < nest.dims[d]) << context;
    }
    // The detected forms and the simplified bindings have the bindings' values.
    std::vector<Expr> forms;
    for (const IterSum& sum : res.indices) forms.push_back(iter_sum_to_expr(sum));
    std::vector<Expr> simplified = iter_map_simplify(nest.bindings, nest.dom(), nest.predicate);
    ASSERT_EQ(enumerate(nest, forms), enumerate(nest, nest.bindings)) << context;
    ASSERT_EQ(enumerate(nest, simplified), enumerate(nest, nest.bindings)) << context;
  }
}

// Random affine-looking bindings: whenever detection accepts them as a
// bijection, enumeration must agree.
TEST(ArithIterMapRandom, AcceptedBindingsAreBijective) {
  std::mt19937 rng(77);
  int accepted = 0;
  for (int round = 0; round < 4000; ++round) {
    std::vector<Loop> loops;
    int nloops = 1 + pick(rng, 3);
    for (int k = 0; k < nloops; ++k)
      loops.push_back({Var("l" + std::to_string(k)), 1 + pick(rng, 8)});
    auto term = [&]() -> Expr {
      Expr v = loops[pick(rng, nloops)].var;
      static const int kFactors[] = {1, 2, 3, 4, 8};
      switch (pick(rng, 4)) {
        case 0: return floordiv(v, Expr(kFactors[pick(rng, 5)]));
        case 1: return floormod(v, Expr(kFactors[pick(rng, 5)]));
        case 2: return v * Expr(kFactors[pick(rng, 5)]);
        default: return v;
      }
    };
    std::vector<Expr> indices;
    for (int d = 0, n = 1 + pick(rng, 2); d < n; ++d) {
      Expr e = term();
      for (int t = pick(rng, 3); t > 0; --t) e = e + term();
      if (pick(rng, 3) == 0)
        e = pick(rng, 2) ? floordiv(e, Expr(2 + pick(rng, 3)))
                         : floormod(e, Expr(2 + pick(rng, 3)));
      indices.push_back(e);
    }
    Nest nest;
    nest.loops = loops;
    // Sometimes an upper bound on a random sum, as a predicate.
    for (int k = pick(rng, 3); k > 0; --k) {
      Expr sum = term() + (pick(rng, 2) ? term() : Expr(0));
      nest.predicate = nest.predicate && (sum < Expr(1 + pick(rng, 24)));
    }
    IterMapResult res = detect_iter_map(indices, nest.dom(), nest.predicate);
    if (!res.ok) continue;
    ++accepted;
    std::string context;
    for (const Expr& e : indices) context += show(e) + "; ";
    context += "predicate " + show(nest.predicate);
    std::map<std::vector<int64_t>, int> hits;
    auto points = enumerate(nest, indices);
    for (const auto& p : points) ASSERT_EQ(++hits[p], 1) << "not injective: " << context;
    int64_t volume = 1;
    for (const IterSum& sum : res.indices) volume *= sum.args.empty() ? 1 : sum.args[0].extent;
    ASSERT_EQ(static_cast<int64_t>(points.size()), volume) << context;
    for (const auto& p : points) {
      for (size_t d = 0; d < p.size(); ++d) {
        const IterSum& sum = res.indices[d];
        int64_t scale = sum.args.empty() ? 1 : sum.args[0].scale;
        int64_t extent = sum.args.empty() ? 1 : sum.args[0].extent;
        int64_t offset = p[d] - sum.base;
        ASSERT_TRUE(offset % scale == 0 && offset / scale >= 0 && offset / scale < extent)
            << context;
      }
    }
  }
  EXPECT_GT(accepted, 300) << accepted;
}

}  // namespace
}  // namespace kiln::ir::arith

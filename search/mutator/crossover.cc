// crossover: a child of two programs drawn from the same sketch. Each
// sampled decision where the parents differ comes from one parent or the
// other, so a good tiling of one loop can meet a good tiling of another that
// evolved in a different program; one mutation never makes that step.
#include <algorithm>

#include "search/mutator/mutator.h"

namespace kiln::search {

namespace {

// Whether `a` and `b` are the same instructions (same sketch), decisions aside.
bool same_sketch(const sched::Trace& a, const sched::Trace& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const sched::Instruction& x = a.instructions()[i];
    const sched::Instruction& y = b.instructions()[i];
    if (x.kind != y.kind || x.inputs != y.inputs || x.attrs != y.attrs || x.outputs != y.outputs)
      return false;
  }
  return true;
}

}  // namespace

std::optional<sched::Trace> crossover(const sched::Trace& a, const sched::Trace& b,
                                      sched::RandomEngine& rng) {
  if (!same_sketch(a, b)) return std::nullopt;
  std::vector<size_t> differing;
  for (const auto& [index, decision] : a.decisions())
    if (b.decision_of(index) && *b.decision_of(index) != decision) differing.push_back(index);
  // With one differing decision every child is a parent again.
  if (differing.size() < 2) return std::nullopt;
  // At least one decision from each parent: b gives k of the n differing
  // ones, k drawn from 1 .. n-1, which k drawn at random.
  for (size_t i = differing.size() - 1; i > 0; --i)
    std::swap(differing[i], differing[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(i + 1)))]);
  const size_t from_b = 1 + static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(differing.size() - 1)));
  sched::Trace child = a;
  for (size_t k = 0; k < from_b; ++k) child = child.with_decision(differing[k], *b.decision_of(differing[k]));
  return child;
}

}  // namespace kiln::search

// Crossover: a child of two programs of the same sketch takes every sampled
// decision from one parent or the other, at least one from each, and
// replays; programs of different sketches have no child.
#include <gtest/gtest.h>

#include <set>

#include "search/evolutionary.h"
#include "search/mutator/mutator.h"
#include "workloads/workloads.h"

namespace kiln::search {
namespace {

Task matmul_task() {
  return Task::from_workload("matmul", {{"M", 64}, {"N", 96}, {"K", 48}}, Target("llvm -num_cores=2"));
}

// The search traces of `n` programs realized from sketch `s` with seeds 0...
std::vector<sched::Trace> programs_of_sketch(const EvolutionarySearch& search, size_t s, int n) {
  std::vector<sched::Trace> out;
  for (int seed = 0; static_cast<int>(out.size()) < n && seed < 100; ++seed)
    if (auto c = search.realize(search.sketches().at(s), sched::RandomEngine(seed)))
      out.push_back(c->search_trace);
  return out;
}

TEST(Crossover, AChildMixesTheDecisionsOfBothParentsAndReplays) {
  const Task task = matmul_task();
  EvolutionarySearch search(task, {}, 1);
  const std::vector<sched::Trace> parents = programs_of_sketch(search, 0, 12);
  ASSERT_GE(parents.size(), 2u);
  sched::RandomEngine rng(5);
  int children = 0;
  for (size_t i = 0; i + 1 < parents.size(); ++i) {
    const sched::Trace& a = parents[i];
    const sched::Trace& b = parents[i + 1];
    std::optional<sched::Trace> child = crossover(a, b, rng);
    size_t differing = 0;
    for (const auto& [index, d] : a.decisions()) differing += *b.decision_of(index) != d;
    if (differing < 2) {
      EXPECT_FALSE(child.has_value());
      continue;
    }
    ASSERT_TRUE(child.has_value());
    ++children;
    size_t from_a = 0, from_b = 0;
    ASSERT_EQ(child->decisions().size(), a.decisions().size());
    for (const auto& [index, d] : child->decisions()) {
      const bool is_a = *a.decision_of(index) == d, is_b = *b.decision_of(index) == d;
      EXPECT_TRUE(is_a || is_b) << "decision " << index << " is neither parent's";
      from_a += is_a && !is_b;
      from_b += is_b && !is_a;
    }
    EXPECT_GE(from_a, 1u);
    EXPECT_GE(from_b, 1u);
    EXPECT_TRUE(search.realize(*child, sched::RandomEngine(0)).has_value())
        << child->as_python();
  }
  EXPECT_GE(children, 3);
}

TEST(Crossover, ProgramsOfDifferentSketchesOrTheSameProgramHaveNoChild) {
  const Task task = matmul_task();
  EvolutionarySearch search(task, {}, 1);
  ASSERT_GE(search.sketches().size(), 2u);
  const sched::Trace a = programs_of_sketch(search, 0, 1).at(0);
  const sched::Trace b = programs_of_sketch(search, 1, 1).at(0);
  sched::RandomEngine rng(1);
  EXPECT_FALSE(crossover(a, b, rng).has_value());
  EXPECT_FALSE(crossover(a, a, rng).has_value());
}

TEST(Crossover, ASearchThatCrossesProposesNewProgramsAndRepeatsItselfWithTheSameSeed) {
  const Task task = matmul_task();
  SearchOptions options;
  options.population = 48;
  options.generations = 2;
  options.crossover_probability = 1.0;
  auto propose = [&] {
    auto model = cost_model::make_random_model(3);
    EvolutionarySearch search(task, options, 7);
    std::vector<std::string> hashes;
    for (const Candidate& c : search.propose(16, *model, nullptr)) hashes.push_back(c.hash);
    return hashes;
  };
  const std::vector<std::string> first = propose();
  EXPECT_EQ(first.size(), 16u);
  EXPECT_EQ(std::set<std::string>(first.begin(), first.end()).size(), first.size());
  EXPECT_EQ(propose(), first);
}

}  // namespace
}  // namespace kiln::search

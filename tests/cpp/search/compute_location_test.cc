// random_compute_location places the producers no other rule placed: a
// layernorm's row sums may be computed under their consumer's loop over the
// rows, never deeper; a tiled reduction is left where multi_level_tiling
// put it.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "search/evolutionary.h"
#include "search/space/space_generator.h"
#include "workloads/workloads.h"

namespace kiln::search {
namespace {

Task task_of(const std::string& workload, const std::map<std::string, int64_t>& shape) {
  return Task::from_workload(workload, shape, Target("llvm -num_cores=2"));
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ComputeLocation, ALayernormsRowSumsMayBeComputedRowByRow) {
  const Task task = task_of("layernorm", {{"M", 16}, {"N", 64}});
  EvolutionarySearch search(task, {}, 1);
  size_t fused = 0;
  for (const sched::Trace& sketch : search.sketches())
    fused += count(sketch.as_python(), "compute_at(") >= 2;
  EXPECT_GE(fused, 1u);
  // Different draws make different programs (one program was all the
  // space had before: every sampled annotation gave the same one).
  std::set<std::string> programs;
  for (const sched::Trace& sketch : search.sketches())
    for (int seed = 0; seed < 8; ++seed)
      if (auto c = search.realize(sketch, sched::RandomEngine(seed))) programs.insert(c->hash);
  EXPECT_GE(programs.size(), 2u);
}

// Checks that no sketch of `task` samples a location for a block named
// like `blocks` (a regex), and that some sketch gets such a block.
void expect_never_sampled(const Task& task, const std::string& blocks) {
  const std::regex handle("(b\\d+) = sch\\.get_block\\(\"" + blocks + "\"\\)");
  size_t checked = 0;
  for (const sched::Trace& sketch :
       generate_sketches(task.func(), default_space_rules(task.target()))) {
    const std::string py = sketch.as_python();
    for (auto it = std::sregex_iterator(py.begin(), py.end(), handle);
         it != std::sregex_iterator(); ++it, ++checked)
      EXPECT_EQ(py.find("sample_compute_location(" + (*it)[1].str() + ")"), std::string::npos)
          << py;
  }
  EXPECT_GE(checked, 1u) << blocks;
}

// Under the consumer's loop over a row, a row reduction would be computed
// once per element of the row: reductions get no sampled location.
TEST(ComputeLocation, ARowReductionIsNeverComputedAgainPerElement) {
  expect_never_sampled(task_of("softmax", {{"M", 8}, {"N", 96}}), "row_(max|sum)");
}

TEST(ComputeLocation, ATiledReductionStaysWhereTheTilingPutIt) {
  expect_never_sampled(task_of("dense_bias_relu", {{"M", 32}, {"N", 64}, {"K", 48}}), "dense");
}

}  // namespace
}  // namespace kiln::search

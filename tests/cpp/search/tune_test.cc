// tune() as a whole: with a fixed seed and fixed measurements the search
// measures the same programs in the same order; a second run on the same log
// resumes (nothing measured twice); a run killed with SIGKILL and resumed
// ends with the budget measured once; and a real run improves on its first
// round.
#include "search/tune.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "ir/structural.h"
#include "search/database.h"

namespace kiln::search {
namespace {

// A log path in the test's temporary folder, empty at the start and removed
// at the end, so that repeated runs neither read nor leave old records.
struct TempLog {
  explicit TempLog(const std::string& name)
      : path(::testing::TempDir() + "kiln_tune_" + name + "_" + std::to_string(::getpid()) +
             ".jsonl") {
    std::filesystem::remove(path);
  }
  ~TempLog() { std::filesystem::remove(path); }
  TempLog(const TempLog&) = delete;
  TempLog& operator=(const TempLog&) = delete;
  const std::string path;
};

// Replays the trace (for the program's hash) and compiles nothing.
class ReplayOnlyBuilder final : public Builder {
 public:
  std::vector<BuildResult> build(const std::vector<BuildInput>& inputs) override {
    std::vector<BuildResult> out;
    for (const BuildInput& in : inputs) {
      sched::Schedule sch(in.task->func());
      in.trace.apply_to(sch);
      BuildResult r;
      r.status = status::kOk;
      r.scheduled_hash = hex_hash(ir::structural_hash(sch.func()));
      out.push_back(r);
    }
    return out;
  }
};

// A latency that depends only on the program.
class FixedRunner final : public Runner {
 public:
  std::vector<RunResult> run(const std::vector<RunInput>& inputs) override {
    std::vector<RunResult> out;
    for (const RunInput& in : inputs) {
      RunResult r;
      r.status = status::kOk;
      const double us = 1.0 + static_cast<double>(std::stoull(in.build->scheduled_hash.substr(0, 6), nullptr, 16) % 1000);
      r.latency.median_s = r.latency.min_s = us * 1e-6;
      r.latency.samples_s = {r.latency.median_s};
      r.latency.number = 1;
      r.max_error = 0;
      out.push_back(r);
    }
    return out;
  }
  std::vector<RunResult> run_interleaved(const std::vector<RunInput>& inputs, int) override {
    return run(inputs);
  }
};

TuneOptions small(const std::string& log, uint64_t seed, int trials) {
  TuneOptions o;
  o.trials = trials;
  o.measure_per_round = 8;
  o.log = log;
  o.seed = seed;
  o.search.population = 32;
  o.search.generations = 2;
  return o;
}

Task matmul_task() {
  return Task::from_workload("matmul", {{"M", 64}, {"N", 64}, {"K", 64}}, Target("llvm"));
}

// The default model is XGBoost (where kiln has it); "random" asks for the
// random one.
std::vector<std::string> measured_hashes(const std::string& log, uint64_t seed, int trials,
                                         const std::string& model = "") {
  ReplayOnlyBuilder builder;
  FixedRunner runner;
  TuneOptions o = small(log, seed, trials);
  if (model == "random") o.cost_model = cost_model::make_random_model(seed);
  o.custom_builder = &builder;
  o.custom_runner = &runner;
  std::vector<std::string> hashes;
  o.on_record = [&](const Task&, const TuningRecord& r) { hashes.push_back(r.scheduled_hash); };
  tune({matmul_task()}, o);
  return hashes;
}

class TuneWithModel : public ::testing::TestWithParam<std::string> {};

TEST_P(TuneWithModel, AFixedSeedMeasuresTheSameProgramsInTheSameOrder) {
  const std::string model = GetParam();
  const TempLog log_a("det_a"), log_b("det_b"), log_c("det_c");
  const std::vector<std::string> a = measured_hashes(log_a.path, 7, 40, model);
  const std::vector<std::string> b = measured_hashes(log_b.path, 7, 40, model);
  const std::vector<std::string> c = measured_hashes(log_c.path, 8, 40, model);
  ASSERT_EQ(a.size(), 40u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(std::set<std::string>(a.begin(), a.end()).size(), a.size()) << "a program measured twice";
}

INSTANTIATE_TEST_SUITE_P(Models, TuneWithModel, ::testing::Values("default", "random"));

TEST(Tune, ASecondRunOnTheSameLogResumes) {
  const TempLog temp("resume");
  const std::string& log = temp.path;
  const std::vector<std::string> first = measured_hashes(log, 3, 16);
  const std::vector<std::string> second = measured_hashes(log, 3, 40);
  EXPECT_EQ(first.size(), 16u);
  EXPECT_EQ(second.size(), 24u);  // the budget counts what the log holds
  std::set<std::string> all(first.begin(), first.end());
  for (const std::string& h : second) EXPECT_TRUE(all.insert(h).second) << h << " measured again";
  Database db(log);
  const Task task = matmul_task();
  size_t search_records = 0;
  for (const TuningRecord& r : db.records(task.id(), task.target().str()))
    search_records += r.stage == "search";
  EXPECT_EQ(search_records, 40u);
}

// A real run (worker processes) killed with SIGKILL at a random moment,
// then resumed to the end: the budget is measured once, the log reads.
TEST(Tune, ARunKilledAtAnyMomentResumesAndCompletes) {
  const TempLog temp("killed");
  const std::string& log = temp.path;
  const Task task = matmul_task();
  const int budget = 24;
  for (int delay_ms : {300, 900}) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      tune({task}, small(log, 5, budget));
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
  TuneOptions o = small(log, 5, budget);
  o.final_k = 3;
  const TuneResult result = tune({task}, o);
  Database db(log);
  EXPECT_LE(db.warnings().size(), 2u);  // at most one cut line per kill
  std::set<std::string> hashes;
  int search_records = 0;
  for (const TuningRecord& r : db.records(task.id(), task.target().str())) {
    if (r.stage != "search") continue;
    ++search_records;
    if (!r.scheduled_hash.empty()) {
      EXPECT_TRUE(hashes.insert(r.scheduled_hash).second);
    }
  }
  EXPECT_EQ(search_records, budget);
  EXPECT_TRUE(result.results[0].best_is_final);
  EXPECT_GT(result.results[0].best_latency_s, 0);
}

}  // namespace
}  // namespace kiln::search

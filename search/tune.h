// tune: the tuner, end to end. Given tasks (one operator, or the operators of
// a network with their weights) and a trial budget, rounds of the
// evolutionary search propose candidates, the builder and runner measure
// them, every record goes to the log as it is measured, and the cost model
// learns; the task scheduler shares the budget. At the end each task's best
// programs are re-measured together, interleaved, and the winner marked.
//
//   TuneOptions o;
//   o.trials = 1000;
//   o.log = "tuning_logs/matmul.jsonl";
//   TuneResult r = tune({Task::from_workload("matmul", {{"M", 1024}}, Target("llvm"))}, o);
//   r.tasks[0].best_latency_s;  r.build(0)(a, b, c);
//
// Running again with the same log resumes: records already there count
// against the budget, are never measured again, and seed the search. A
// process killed at any moment loses only the candidates in flight.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "codegen/build.h"
#include "cost_model/cost_model.h"
#include "search/builder.h"
#include "search/evolutionary.h"
#include "search/record.h"
#include "search/runner.h"
#include "search/task.h"

namespace kiln::search {

// After each round: where the run stands.
struct TuneProgress {
  int round = 0;
  int trials = 0;        // measured in all, errors included (resumed ones too)
  int trials_total = 0;  // the budget
  double elapsed_s = 0;
  int task = 0;          // the task of this round
  // Per task: trials, best latency so far (seconds; infinity before any
  // valid one), its share of the trials.
  std::vector<int> task_trials;
  std::vector<double> task_best_s;
  std::map<std::string, int> errors;  // by status, over the whole run
};

struct TuneOptions {
  int trials = 1000;  // measured candidates, over all tasks
  int measure_per_round = 64;
  std::string log;    // the tuning log; "" for a temporary one
  uint64_t seed = 0;
  SearchOptions search;
  std::string task_scheduler = "gradient";  // or "round_robin"
  // The cost model (null: XGBoost from scratch, seeded by `seed`, where
  // kiln has XGBoost; else the random model). It learns from every
  // measurement, those a resumed log already holds included.
  std::shared_ptr<cost_model::CostModel> cost_model;
  LocalBuilder::Options builder;
  RunnerOptions runner;
  // Builder and runner to use instead of local ones (a test's, a cluster's).
  Builder* custom_builder = nullptr;
  Runner* custom_runner = nullptr;
  size_t final_k = 5;  // best programs re-measured at the end (0: none)
  int final_rounds = 20;
  std::function<void(const TuneProgress&)> on_round;
  std::function<void(const Task&, const TuningRecord&)> on_record;
};

struct TuneHistoryPoint {
  int trial;         // the task's trials so far
  double best_s;     // its best latency then
  double wall_s;     // seconds since the run started
};

struct TaskResult {
  std::string name;
  double best_latency_s = 0;  // the winner's (infinity when nothing valid)
  sched::Trace best_trace;
  bool best_is_final = false;  // re-measured at the end
  int trials = 0;
  std::vector<TuneHistoryPoint> history;
  std::map<std::string, int> errors;
  // Where this task's wall time went.
  double search_s = 0;  // space generation, evolution, the model
  double build_s = 0;
  double run_s = 0;
};

struct TuneResult {
  std::vector<Task> tasks;
  std::vector<TaskResult> results;
  double wall_s = 0;
  // Sum over tasks of weight x best latency.
  double weighted_latency_s() const;
  // The best kernel of task `index`, built from its trace.
  Module build(size_t index = 0) const;
};

// Throws std::invalid_argument for an empty task list or a budget below 1,
// std::runtime_error when the log cannot be used.
TuneResult tune(const std::vector<Task>& tasks, const TuneOptions& options);

}  // namespace kiln::search

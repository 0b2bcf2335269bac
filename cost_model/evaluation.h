// How well a cost model ranks programs, in the measures the literature
// reports, so that kiln's figures compare with Ansor's and TenSet's:
//
//   pairwise accuracy  of the pairs of programs of one task with different
//                      latencies, the share the scores order correctly
//                      (Ansor: 0.851 on ResNet-50)
//   top-k score        the best latency of the task over the best latency
//                      among the k programs scored highest (TenSet: XGBoost
//                      0.829 top-1, 0.905 top-5)
//   Spearman           rank correlation of scores and throughputs
//
// Each is computed per task and averaged over tasks (every task counts the
// same, however many programs it has).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cost_model/training_set.h"

namespace kiln::cost_model {

struct RankingMetrics {
  double pairwise_accuracy = 0;
  double top1 = 0;
  double top5 = 0;
  double spearman = 0;
  size_t tasks = 0;     // tasks with at least two programs (the others are skipped)
  size_t programs = 0;
};

// `scores` (higher: predicted faster), `latencies_s` and `task_of`, one per
// program.
RankingMetrics ranking_metrics(const std::vector<size_t>& task_of, const std::vector<double>& scores,
                               const std::vector<double>& latencies_s);

struct TaskEvaluation {
  std::string name;
  size_t programs = 0;
  RankingMetrics metrics;  // the model trained without any of this task's programs
};

struct EvaluationReport {
  // Trained on (1 - test_fraction) of every task's programs, judged on the
  // rest.
  RankingMetrics seen_tasks;
  size_t train_programs = 0, test_programs = 0;
  // Each task judged by a model trained on all the other tasks (leave one
  // task out), and the average over tasks.
  std::vector<TaskEvaluation> held_out;
  RankingMetrics held_out_tasks;
  double train_s = 0;  // the seen-tasks training
};

using ModelFactory = std::function<std::unique_ptr<CostModel>()>;

// The split is drawn from `seed`. Throws std::invalid_argument when the set
// has fewer than two tasks or a task too small to split.
EvaluationReport evaluate(const TrainingSet& data, const ModelFactory& make_model,
                          double test_fraction = 0.2, uint64_t seed = 0);

}  // namespace kiln::cost_model

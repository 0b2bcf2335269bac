#include "cost_model/evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "schedule/random.h"

namespace kiln::cost_model {

namespace {

// Ranks from 1, ties sharing their average rank.
std::vector<double> ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> out(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) out[order[k]] = (static_cast<double>(i + j) / 2.0) + 1.0;
    i = j + 1;
  }
  return out;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

// The metrics of one task's programs.
RankingMetrics task_metrics(const std::vector<double>& scores, const std::vector<double>& latencies) {
  const size_t n = scores.size();
  double right = 0, pairs = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      if (latencies[i] == latencies[j]) continue;
      pairs += 1;
      const double predicted = scores[i] - scores[j];
      const double actual = latencies[j] - latencies[i];  // > 0: i is faster
      right += predicted == 0 ? 0.5 : (predicted > 0) == (actual > 0);
    }
  std::vector<size_t> by_score(n);
  std::iota(by_score.begin(), by_score.end(), 0);
  std::stable_sort(by_score.begin(), by_score.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  const double best = *std::min_element(latencies.begin(), latencies.end());
  auto top = [&](size_t k) {
    double found = INFINITY;
    for (size_t i = 0; i < std::min(k, n); ++i) found = std::min(found, latencies[by_score[i]]);
    return best / found;
  };
  std::vector<double> throughput;
  for (double l : latencies) throughput.push_back(1.0 / l);
  return {pairs > 0 ? right / pairs : 1.0, top(1), top(5), pearson(ranks(scores), ranks(throughput)),
          1, n};
}

// Sums per-task metrics; average() turns the sum into the mean over tasks.
void add(RankingMetrics& sum, const RankingMetrics& task) {
  sum.pairwise_accuracy += task.pairwise_accuracy, sum.top1 += task.top1, sum.top5 += task.top5;
  sum.spearman += task.spearman;
  sum.tasks += task.tasks, sum.programs += task.programs;
}

void average(RankingMetrics& sum) {
  if (sum.tasks == 0) return;
  const double n = static_cast<double>(sum.tasks);
  sum.pairwise_accuracy /= n, sum.top1 /= n, sum.top5 /= n, sum.spearman /= n;
}

}  // namespace

RankingMetrics ranking_metrics(const std::vector<size_t>& task_of, const std::vector<double>& scores,
                               const std::vector<double>& latencies_s) {
  if (scores.size() != task_of.size() || latencies_s.size() != task_of.size())
    throw std::invalid_argument("ranking_metrics: " + std::to_string(task_of.size()) + " programs, " +
                                std::to_string(scores.size()) + " scores, " +
                                std::to_string(latencies_s.size()) + " latencies");
  std::map<size_t, std::pair<std::vector<double>, std::vector<double>>> by_task;
  for (size_t i = 0; i < task_of.size(); ++i) {
    by_task[task_of[i]].first.push_back(scores[i]);
    by_task[task_of[i]].second.push_back(latencies_s[i]);
  }
  RankingMetrics m;
  for (const auto& [task, sl] : by_task)
    if (sl.first.size() >= 2) add(m, task_metrics(sl.first, sl.second));
  average(m);
  return m;
}

namespace {

RankingMetrics train_and_judge(const TrainingSet& train, const TrainingSet& test,
                               const ModelFactory& make_model, double* train_s) {
  std::unique_ptr<CostModel> model = make_model();
  const auto start = std::chrono::steady_clock::now();
  model->update(train.programs, train.latencies_s);
  if (train_s) *train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return ranking_metrics(test.task_of, model->predict(test.programs), test.latencies_s);
}

}  // namespace

EvaluationReport evaluate(const TrainingSet& data, const ModelFactory& make_model,
                          double test_fraction, uint64_t seed) {
  if (data.tasks.size() < 2)
    throw std::invalid_argument("cost model evaluation needs records of at least two tasks (for "
                                "the held-out tasks); the logs have " +
                                std::to_string(data.tasks.size()));
  if (!(test_fraction > 0 && test_fraction < 1))
    throw std::invalid_argument("cost model evaluation: the test fraction must be in (0, 1), not " +
                                std::to_string(test_fraction));
  EvaluationReport report;

  // Seen tasks: a share of each task's programs held out.
  std::vector<std::vector<size_t>> of_task(data.tasks.size());
  for (size_t i = 0; i < data.programs.size(); ++i) of_task[data.task_of[i]].push_back(i);
  sched::RandomEngine rng(seed);
  std::vector<size_t> train, test;
  for (std::vector<size_t>& programs : of_task) {
    for (size_t i = programs.size(); i > 1; --i)  // Fisher-Yates
      std::swap(programs[i - 1], programs[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(i)))]);
    const size_t n_test = static_cast<size_t>(std::floor(test_fraction * static_cast<double>(programs.size())));
    test.insert(test.end(), programs.begin(), programs.begin() + static_cast<std::ptrdiff_t>(n_test));
    train.insert(train.end(), programs.begin() + static_cast<std::ptrdiff_t>(n_test), programs.end());
  }
  std::sort(train.begin(), train.end());
  std::sort(test.begin(), test.end());
  report.train_programs = train.size();
  report.test_programs = test.size();
  report.seen_tasks = train_and_judge(data.subset(train), data.subset(test), make_model, &report.train_s);

  // Held-out tasks: each judged by a model that never saw it.
  for (size_t t = 0; t < data.tasks.size(); ++t) {
    std::vector<size_t> others;
    for (size_t i = 0; i < data.programs.size(); ++i)
      if (data.task_of[i] != t) others.push_back(i);
    TaskEvaluation e{data.tasks[t].name, of_task[t].size(), {}};
    std::vector<size_t> own = of_task[t];
    std::sort(own.begin(), own.end());
    e.metrics = train_and_judge(data.subset(others), data.subset(own), make_model, nullptr);
    if (e.metrics.tasks == 0) continue;
    add(report.held_out_tasks, e.metrics);
    report.held_out.push_back(std::move(e));
  }
  average(report.held_out_tasks);
  return report;
}

}  // namespace kiln::cost_model

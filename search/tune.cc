#include "search/tune.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "codegen/gpu/device_check.h"
#include "cost_model/xgboost_model.h"
#include "search/database.h"
#include "search/measure.h"
#include "search/task_scheduler.h"
#include "search/training_logs.h"

namespace kiln::search {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A temporary log, removed when the run ends.
class TemporaryLog {
 public:
  TemporaryLog() {
    path_ = (std::filesystem::temp_directory_path() /
             ("kiln-tune-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
              ".jsonl"))
                .string();
  }
  ~TemporaryLog() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

double TuneResult::weighted_latency_s() const {
  double total = 0;
  for (size_t i = 0; i < results.size(); ++i) total += tasks[i].weight() * results[i].best_latency_s;
  return total;
}

Module TuneResult::build(size_t index) const {
  const Task& task = tasks.at(index);
  sched::Schedule sch(task.func());
  results.at(index).best_trace.apply_to(sch);
  return kiln::build(sch.func(), task.target());
}

TuneResult tune(const std::vector<Task>& task_list, const TuneOptions& options) {
  if (task_list.empty()) throw std::invalid_argument("tune: no tasks to tune");
  if (options.trials < 1)
    throw std::invalid_argument("tune: a budget of " + std::to_string(options.trials) +
                                " trials measures nothing; give at least 1");
  if (options.measure_per_round < 1)
    throw std::invalid_argument("tune: measure_per_round must be at least 1");
  if (options.custom_runner == nullptr)
    for (const Task& task : task_list) codegen::require_device(task.target(), "tune");
  const auto start = std::chrono::steady_clock::now();
  TuneResult result;
  result.tasks = task_list;
  const std::vector<Task>& tasks = result.tasks;
  result.results.resize(tasks.size());

  std::unique_ptr<TemporaryLog> temporary;
  if (options.log.empty()) temporary = std::make_unique<TemporaryLog>();
  Database db(options.log.empty() ? temporary->path() : options.log);
  std::shared_ptr<cost_model::CostModel> model = options.cost_model;
  if (!model && cost_model::have_xgboost()) model = cost_model::make_xgboost_model({.seed = options.seed});
  if (!model) model = cost_model::make_random_model(options.seed);
  std::unique_ptr<LocalBuilder> local_builder;
  std::unique_ptr<LocalRunner> local_runner;
  Builder* builder = options.custom_builder;
  Runner* runner = options.custom_runner;
  if (!builder) builder = (local_builder = std::make_unique<LocalBuilder>(options.builder)).get();
  if (!runner) runner = (local_runner = std::make_unique<LocalRunner>(options.runner)).get();
  std::unique_ptr<TaskScheduler> scheduler = options.task_scheduler == "round_robin"
                                                 ? round_robin()
                                                 : gradient_scheduler(options.seed);

  // Step 1. Searches, and where a resumed run stands.
  sched::RandomEngine seeds(options.seed);
  std::vector<std::unique_ptr<EvolutionarySearch>> searches;
  std::vector<TaskProgress> progress(tasks.size());
  TuneProgress report;
  report.trials_total = options.trials;
  MeasuredPrograms resumed;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    searches.push_back(std::make_unique<EvolutionarySearch>(tasks[i], options.search, seeds.next()));
    TaskResult& r = result.results[i];
    r.name = tasks[i].name();
    progress[i].weight = tasks[i].weight();
    double best = std::numeric_limits<double>::infinity();
    const std::vector<TuningRecord> records = db.records(tasks[i].id(), tasks[i].target().str());
    for (const TuningRecord& rec : records) {
      if (rec.stage != "search") continue;
      ++progress[i].trials;
      if (rec.ok()) best = std::min(best, rec.latency.median_s);
      else ++r.errors[rec.status];
      r.history.push_back({progress[i].trials, best, 0.0});
    }
    if (progress[i].trials > 0) progress[i].best_after_round.push_back({progress[i].trials, best});
    report.trials += progress[i].trials;
    MeasuredPrograms known =
        measured_programs(tasks[i].key(), tasks[i].func(), tasks[i].target(), records,
                          options.search.threads);
    resumed.programs.insert(resumed.programs.end(), known.programs.begin(), known.programs.end());
    resumed.latencies_s.insert(resumed.latencies_s.end(), known.latencies_s.begin(),
                               known.latencies_s.end());
    r.search_s += seconds_since(t0);
  }
  // What the log already measured, the model learns first.
  if (!resumed.programs.empty()) model->update(resumed.programs, resumed.latencies_s);

  // Step 2. Rounds, until the budget is spent or every space runs dry.
  while (report.trials < options.trials) {
    const int i = scheduler->next(progress);
    if (i < 0) break;
    const Task& task = tasks[i];
    TaskResult& r = result.results[i];
    const size_t n = static_cast<size_t>(
        std::min(options.measure_per_round, options.trials - report.trials));
    auto t0 = std::chrono::steady_clock::now();
    const std::vector<Candidate> batch = searches[i]->propose(n, *model, &db);
    r.search_s += seconds_since(t0);
    if (batch.empty()) {
      progress[i].done = true;
      continue;
    }
    std::vector<MeasureInput> inputs;
    for (const Candidate& c : batch)
      inputs.push_back({c.trace, static_cast<int>(c.search_trace.size())});
    const std::vector<TuningRecord> records = measure(task, inputs, *builder, *runner, &db);

    std::vector<cost_model::Program> programs;
    std::vector<double> latencies;
    double best = progress[i].best_after_round.empty() ? std::numeric_limits<double>::infinity()
                                                       : progress[i].best_after_round.back().second;
    for (size_t k = 0; k < records.size(); ++k) {
      const TuningRecord& rec = records[k];
      ++progress[i].trials;
      ++report.trials;
      r.build_s += rec.build_s;
      r.run_s += rec.run_s;
      if (rec.ok()) {
        best = std::min(best, rec.latency.median_s);
        programs.push_back({task.key(), batch[k].func, &task.target(), batch[k].lowered});
        latencies.push_back(rec.latency.median_s);
      } else {
        ++r.errors[rec.status];
        ++report.errors[rec.status];
      }
      r.history.push_back({progress[i].trials, best, seconds_since(start)});
      if (options.on_record) options.on_record(task, rec);
    }
    t0 = std::chrono::steady_clock::now();
    if (!programs.empty()) model->update(programs, latencies);
    r.search_s += seconds_since(t0);
    progress[i].best_after_round.push_back({progress[i].trials, best});

    ++report.round;
    report.task = i;
    report.elapsed_s = seconds_since(start);
    report.task_trials.clear();
    report.task_best_s.clear();
    for (size_t t = 0; t < tasks.size(); ++t) {
      report.task_trials.push_back(progress[t].trials);
      report.task_best_s.push_back(progress[t].best_after_round.empty()
                                       ? std::numeric_limits<double>::infinity()
                                       : progress[t].best_after_round.back().second);
    }
    if (options.on_round) options.on_round(report);
  }

  // Step 3. The final word: each task's best re-measured together.
  for (size_t i = 0; i < tasks.size(); ++i) {
    TaskResult& r = result.results[i];
    r.trials = progress[i].trials;
    r.best_latency_s = std::numeric_limits<double>::infinity();
    std::vector<TuningRecord> finals;
    if (options.final_k > 0)
      finals = measure_final(tasks[i], db, *builder, *runner, options.final_k, options.final_rounds);
    for (const TuningRecord& f : finals)
      if (f.winner) r.best_latency_s = f.latency.median_s, r.best_trace = f.trace, r.best_is_final = true;
    if (!r.best_is_final) {
      const std::vector<TuningRecord> best = db.best(tasks[i].id(), tasks[i].target().str(), 1);
      if (!best.empty()) r.best_latency_s = best[0].latency.median_s, r.best_trace = best[0].trace;
    }
  }
  result.wall_s = seconds_since(start);
  return result;
}

}  // namespace kiln::search

// What the cost model costs the search: feature extraction, training and
// prediction on the candidates of a conv2d (the search's own: sketches
// realized and postprocessed, the way EvolutionarySearch makes them).
//
//   ./build/bench/bench_cost_model [--candidates 512] [--repeat 5] [--json out.json]
//
// extract (given):  program_features on candidates the search already
//                   lowered (what the search pays per scoring)
// extract (lower):  the same, lowering each candidate first (what a model
//                   pays for programs read back from a log)
// train / predict:  the XGBoost model on those candidates, with synthetic
//                   latencies (a fixed function of the program's hash)
// Each figure is the median of --repeat runs, in milliseconds, on every
// hardware thread.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/timing.h"
#include "cost_model/features/features.h"
#include "cost_model/xgboost_model.h"
#include "search/evolutionary.h"

using namespace kiln;

namespace {

// The median of `repeat` runs (after two warm-ups), in milliseconds.
double median_ms(int repeat, const std::function<void()>& fn) {
  return bench::time_runs(fn, repeat, 0).median * 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  int candidates = 512, repeat = 5;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--candidates") && i + 1 < argc) candidates = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--candidates N] [--repeat R] [--json PATH]\n", argv[0]);
      return 2;
    }
  }
  const search::Task task = search::Task::from_workload(
      "conv2d_nhwc", {{"N", 1}, {"H", 56}, {"W", 56}, {"C", 64}, {"K", 64}, {"R", 3}, {"S", 3}, {"padding", 1}},
      Target("llvm"));
  search::EvolutionarySearch search(task, {}, 1);
  std::vector<cost_model::Program> given, bare;
  for (uint64_t seed = 0; static_cast<int>(given.size()) < candidates && seed < 100000; ++seed) {
    const auto& sketches = search.sketches();
    std::optional<search::Candidate> c = search.realize(sketches[seed % sketches.size()], sched::RandomEngine(seed));
    if (!c) continue;
    given.push_back({task.key(), c->func, &task.target(), c->lowered});
    bare.push_back({task.key(), c->func, &task.target()});
  }
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  cost_model::FeatureBatch batch;
  const double extract_ms = median_ms(repeat, [&] { batch = cost_model::program_features(given); });
  const double lower_ms = median_ms(repeat, [&] { cost_model::program_features(bare); });
  std::vector<double> latencies;
  for (const cost_model::Program& p : given)
    latencies.push_back(1e-3 * (1 + static_cast<double>(std::hash<const void*>()(p.scheduled.get()) % 97)));
  double train_ms = 0, predict_ms = 0;
  if (cost_model::have_xgboost()) {
    train_ms = median_ms(repeat, [&] {
      auto model = cost_model::make_xgboost_model({.seed = 1});
      model->update(given, latencies);
    });
    auto model = cost_model::make_xgboost_model({.seed = 1});
    model->update(given, latencies);
    predict_ms = median_ms(repeat, [&] { model->predict(given); });
  }
  const double rows_per_program = static_cast<double>(batch.rows.rows()) / static_cast<double>(given.size());
  std::printf("cost model on %zu conv2d_nhwc 56x56x64 candidates, %u threads, %.1f stores each, "
              "%d features\n", given.size(), threads, rows_per_program, cost_model::feature_count());
  std::printf("%-26s %10s %12s\n", "step", "ms", "us/program");
  auto row = [&](const char* name, double ms) {
    std::printf("%-26s %10.1f %12.1f\n", name, ms, 1e3 * ms / static_cast<double>(given.size()));
  };
  row("extract (lowered given)", extract_ms);
  row("extract (lowering too)", lower_ms);
  if (cost_model::have_xgboost()) {
    row("xgboost train (200 trees)", train_ms);
    row("xgboost predict", predict_ms);
  }
  if (!json_path.empty()) {
    nlohmann::json j = {{"candidates", given.size()},      {"threads", threads},
                        {"stores_per_program", rows_per_program},
                        {"extract_ms", extract_ms},         {"extract_with_lowering_ms", lower_ms},
                        {"train_ms", train_ms},             {"predict_ms", predict_ms}};
    std::ofstream(json_path) << j.dump(1) << "\n";
  }
  return 0;
}

// The XGBoost cost model, as Ansor and MetaSchedule build theirs: one row of
// features per buffer store (cost_model/features/), a gradient-boosted tree
// that scores each row, and a program's score the sum of its rows' scores
// (pack-sum). It learns the normalized throughput of each measured program,
// its task's best latency over the program's latency (1 for the best
// program), through its square root, weighted by that root so that fast
// programs are the ones ranked well.
//
//   auto model = make_xgboost_model({.seed = 1});
//   model->load("tuning_logs/models/cpu.json");   // optional: start informed
//   model->update(programs, latencies_s);           // trains when data grew
//   std::vector<double> scores = model->predict(candidates);
//
// Training starts from the loaded model when there is one (its trees stay,
// new trees fit what it gets wrong on this run's data), else from nothing.
// Until the model has been trained or loaded it scores at random, from its
// seeded stream. With the same seed and the same updates, the same scores.
#pragma once

#include <cstdint>
#include <memory>

#include "cost_model/cost_model.h"

namespace kiln::cost_model {

struct XGBoostOptions {
  uint64_t seed = 0;
  int rounds = 200;          // trees added by each training
  int max_depth = 10;
  double eta = 0.2;          // learning rate
  // Retrain when the measured programs grew by this fraction since the last
  // training (every update while there are few).
  double retrain_growth = 0.2;
  int threads = 0;           // 0: one per hardware thread
};

// Throws std::runtime_error when kiln was built without XGBoost.
std::unique_ptr<CostModel> make_xgboost_model(const XGBoostOptions& options = {});

}  // namespace kiln::cost_model

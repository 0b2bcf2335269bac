// CostModel: ranks candidate programs by predicted speed, so that the search
// measures only what it ranks highest, and learns from every measurement.
//
//   std::unique_ptr<CostModel> model = make_random_model(seed);
//   std::vector<double> scores = model->predict(programs);   // higher: faster
//   model->update(programs, latencies_s);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codegen/target.h"
#include "ir/function.h"

namespace kiln::cost_model {

// A candidate: the scheduled function of a task on a target.
struct Program {
  std::string task_key;   // programs of one task share it (labels normalize per task)
  ir::PrimFunc scheduled;
  const Target* target;
  // `scheduled` lowered up to the stage features are read at
  // (features.h: kFeatureStage); null: the model lowers it (the search
  // passes the one it made while validating the candidate).
  ir::PrimFunc lowered = nullptr;
};

class CostModel {
 public:
  virtual ~CostModel() = default;
  // "random", "xgboost".
  virtual std::string kind() const = 0;
  // Learns from measured programs: latencies in seconds, one per program.
  virtual void update(const std::vector<Program>& programs, const std::vector<double>& latencies_s) = 0;
  // One score per program; higher predicts faster. Scores compare within a
  // task only.
  virtual std::vector<double> predict(const std::vector<Program>& programs) = 0;
  // Throws std::runtime_error when the file cannot be written or read, or
  // holds another kind of model.
  virtual void save(const std::string& path) const = 0;
  virtual void load(const std::string& path) = 0;
};

// Scores uniformly at random from a seeded stream, whatever it was told:
// the search without a model (for ablations, and until one has data).
std::unique_ptr<CostModel> make_random_model(uint64_t seed);

// Whether this kiln was built with XGBoost (else make_xgboost_model throws).
bool have_xgboost();

// A saved model of any kind, loaded. Throws std::runtime_error when the file
// cannot be read or holds no kiln model.
std::unique_ptr<CostModel> load_cost_model(const std::string& path, uint64_t seed = 0);

}  // namespace kiln::cost_model

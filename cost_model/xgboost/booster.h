// kiln's hold on XGBoost's C API: handles owned by objects that free them,
// every call checked (a failure throws std::runtime_error with XGBoost's own
// message). Feature rows go to XGBoost as the row-major float buffer they
// are, described by NumPy's __array_interface__: no copy on kiln's side.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cost_model/features/features.h"

namespace kiln::cost_model::xgb {

// Training rows (XGBoost keeps its own quantized copy).
class DMatrix {
 public:
  DMatrix(const float* rows, size_t n_rows, size_t n_columns, int threads);
  ~DMatrix();
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  void* handle() const { return handle_; }

 private:
  void* handle_ = nullptr;
};

class Booster {
 public:
  // `cache`: the training rows, whose predictions XGBoost keeps up to date
  // between rounds (null for a booster that only predicts).
  explicit Booster(const DMatrix* cache);
  ~Booster();
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  void set(const std::map<std::string, std::string>& params);
  // The model saved by save() (XGBoost's JSON), its parameters included.
  void load(const std::string& json);
  std::string save() const;
  // Trees so far.
  int rounds() const;

  // One tree fitted to the given per-row gradients and hessians.
  void boost(const DMatrix& rows, std::vector<float>& grad, std::vector<float>& hess);
  // Per-row predictions on the training rows, as a custom objective needs
  // them.
  std::vector<float> predict_training(const DMatrix& rows) const;
  // Per-row predictions on any rows, in place.
  std::vector<float> predict(const float* rows, size_t n_rows, size_t n_columns) const;

 private:
  void* handle_ = nullptr;
};

}  // namespace kiln::cost_model::xgb

#include "cost_model/xgboost/booster.h"

#include <xgboost/c_api.h>

#include <cstdio>
#include <mutex>
#include <stdexcept>

namespace kiln::cost_model::xgb {

namespace {

void check(int rc, const char* call) {
  if (rc != 0)
    throw std::runtime_error(std::string("XGBoost: ") + call + " failed: " + XGBGetLastError());
}

// XGBoost prints warnings and per-round logs unless told not to; kiln
// reports through its own channels.
void quiet() {
  static std::once_flag once;
  std::call_once(once, [] { check(XGBSetGlobalConfig(R"({"verbosity": 0})"), "XGBSetGlobalConfig"); });
}

// NumPy's __array_interface__ for a row-major float32 matrix at `rows`.
std::string array_interface(const float* rows, size_t n_rows, size_t n_columns) {
  char text[256];
  std::snprintf(text, sizeof text,
                R"({"data": [%zu, true], "shape": [%zu, %zu], "typestr": "<f4", "version": 3})",
                reinterpret_cast<size_t>(rows), n_rows, n_columns);
  return text;
}

}  // namespace

DMatrix::DMatrix(const float* rows, size_t n_rows, size_t n_columns, int threads) {
  quiet();
  const std::string config = R"({"missing": NaN, "nthread": )" + std::to_string(threads) + "}";
  check(XGDMatrixCreateFromDense(array_interface(rows, n_rows, n_columns).c_str(), config.c_str(),
                                 &handle_),
        "XGDMatrixCreateFromDense");
}

DMatrix::~DMatrix() { XGDMatrixFree(handle_); }

Booster::Booster(const DMatrix* cache) {
  quiet();
  void* caches[1] = {cache ? cache->handle() : nullptr};
  check(XGBoosterCreate(caches, cache ? 1 : 0, &handle_), "XGBoosterCreate");
}

void Booster::set(const std::map<std::string, std::string>& params) {
  for (const auto& [name, value] : params)
    check(XGBoosterSetParam(handle_, name.c_str(), value.c_str()), "XGBoosterSetParam");
}

Booster::~Booster() { XGBoosterFree(handle_); }

void Booster::load(const std::string& json) {
  check(XGBoosterLoadModelFromBuffer(handle_, json.data(), json.size()),
        "XGBoosterLoadModelFromBuffer");
}

std::string Booster::save() const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  check(XGBoosterSaveModelToBuffer(handle_, R"({"format": "json"})", &length, &bytes),
        "XGBoosterSaveModelToBuffer");
  return std::string(bytes, length);
}

int Booster::rounds() const {
  int n = 0;
  check(XGBoosterBoostedRounds(handle_, &n), "XGBoosterBoostedRounds");
  return n;
}

void Booster::boost(const DMatrix& rows, std::vector<float>& grad, std::vector<float>& hess) {
  check(XGBoosterBoostOneIter(handle_, rows.handle(), grad.data(), hess.data(), grad.size()),
        "XGBoosterBoostOneIter");
}

std::vector<float> Booster::predict_training(const DMatrix& rows) const {
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  check(XGBoosterPredictFromDMatrix(
            handle_, rows.handle(),
            R"({"type": 0, "training": true, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})",
            &shape, &dims, &out),
        "XGBoosterPredictFromDMatrix");
  return std::vector<float>(out, out + (dims > 0 ? shape[0] : 0));
}

std::vector<float> Booster::predict(const float* rows, size_t n_rows, size_t n_columns) const {
  if (n_rows == 0) return {};
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  check(XGBoosterPredictFromDense(
            handle_, array_interface(rows, n_rows, n_columns).c_str(),
            R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "missing": NaN, "cache_id": 0})",
            nullptr, &shape, &dims, &out),
        "XGBoosterPredictFromDense");
  return std::vector<float>(out, out + n_rows);
}

}  // namespace kiln::cost_model::xgb

// The XGBoost model (xgboost_model.h). It keeps every measured program's
// feature rows, so that each training sees all of them with labels
// normalized by the best latency of their task known at that time.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "cost_model/features/features.h"
#include "cost_model/xgboost/booster.h"
#include "cost_model/xgboost_model.h"
#include "schedule/random.h"

namespace kiln::cost_model {

namespace {

constexpr int kFormatVersion = 1;

class XGBoostModel final : public CostModel {
 public:
  explicit XGBoostModel(const XGBoostOptions& options)
      : options_(options),
        threads_(options.threads > 0 ? options.threads
                                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
        rng_(options.seed) {}

  std::string kind() const override { return "xgboost"; }

  void update(const std::vector<Program>& programs, const std::vector<double>& latencies_s) override {
    if (programs.size() != latencies_s.size())
      throw std::invalid_argument("cost model update: " + std::to_string(programs.size()) +
                                  " programs but " + std::to_string(latencies_s.size()) +
                                  " latencies");
    const FeatureBatch batch = program_features(programs, threads_);
    for (size_t i = 0; i < programs.size(); ++i) {
      const double latency = latencies_s[i];
      if (batch.rows_of(i) == 0 || !(latency > 0) || !std::isfinite(latency)) continue;
      const auto [it, added] = task_index_.emplace(programs[i].task_key, best_.size());
      if (added) best_.push_back(latency);
      best_[it->second] = std::min(best_[it->second], latency);
      task_.push_back(it->second);
      latency_.push_back(latency);
      const float* begin = batch.rows.row(batch.offsets[i]).data();
      rows_.insert(rows_.end(), begin, begin + batch.rows_of(i) * feature_count());
      row_end_.push_back(rows_.size() / static_cast<size_t>(feature_count()));
    }
    const double grown = static_cast<double>(latency_.size());
    if (!latency_.empty() &&
        (trained_on_ == 0 || grown >= (1.0 + options_.retrain_growth) * static_cast<double>(trained_on_)))
      train();
  }

  std::vector<double> predict(const std::vector<Program>& programs) override {
    std::vector<double> scores;
    if (!booster_) {
      for (size_t i = 0; i < programs.size(); ++i) scores.push_back(rng_.uniform_real());
      return scores;
    }
    const FeatureBatch batch = program_features(programs, threads_);
    const std::vector<float> per_row = booster_->predict(
        batch.rows.data(), static_cast<size_t>(batch.rows.rows()), static_cast<size_t>(feature_count()));
    for (size_t i = 0; i < programs.size(); ++i) {
      // A program without rows did not lower: below every program that did.
      double sum = batch.rows_of(i) == 0 ? -1.0 : 0.0;
      for (Eigen::Index r = batch.offsets[i]; r < batch.offsets[i + 1]; ++r) sum += per_row[r];
      scores.push_back(sum);
    }
    return scores;
  }

  void save(const std::string& path) const override {
    if (!booster_)
      throw std::runtime_error("cost model: nothing to save to `" + path +
                               "`: the XGBoost model was neither trained nor loaded");
    nlohmann::ordered_json j;
    j["kind"] = "xgboost";
    j["version"] = kFormatVersion;
    j["trained_programs"] = trained_on_ + base_programs_;
    j["feature_names"] = feature_names();
    j["booster"] = nlohmann::json::parse(booster_->save());
    std::ofstream out(path);
    out << j.dump() << "\n";
    out.close();
    if (!out) throw std::runtime_error("cost model: cannot write `" + path + "`");
  }

  void load(const std::string& path) override {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cost model: cannot read `" + path + "`");
    nlohmann::json j;
    try {
      in >> j;
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("cost model `" + path + "` is not a kiln model: " + e.what());
    }
    if (j.value("kind", "") != "xgboost")
      throw std::runtime_error("cost model `" + path + "` is a `" + j.value("kind", "?") +
                               "` model, not an XGBoost one");
    if (j.value("version", 0) != kFormatVersion || j.value("feature_names", nlohmann::json()) !=
                                                       nlohmann::json(feature_names()))
      throw std::runtime_error("cost model `" + path +
                               "` was trained on the features of another kiln version; train it "
                               "again on its logs: python3 -m kiln cost-model train --log LOG -o " +
                               path);
    base_ = j.at("booster").dump();
    base_programs_ = j.value("trained_programs", size_t{0});
    booster_ = std::make_unique<xgb::Booster>(nullptr);
    booster_->load(base_);
    // The loaded trees are the knowledge from now on; this model's own
    // programs are learned on top of them.
    rows_.clear(), row_end_.clear(), task_.clear(), latency_.clear();
    best_.clear(), task_index_.clear();
    trained_on_ = 0;
  }

 private:
  std::map<std::string, std::string> params() const {
    return {{"tree_method", "hist"},
            {"max_depth", std::to_string(options_.max_depth)},
            {"eta", std::to_string(options_.eta)},
            {"gamma", "0.001"},
            {"min_child_weight", "0"},
            {"base_score", "0"},
            {"seed", std::to_string(options_.seed)},
            {"nthread", std::to_string(threads_)},
            {"disable_default_eval_metric", "1"}};
  }

  // Pack-sum squared error: a program's prediction is the sum of its rows'
  // predictions, and its loss y (sum - y)^2, y the square root of its
  // normalized throughput (weighted by itself, as Ansor weights: the fast
  // programs are the ones to rank right). The root spreads the slow
  // programs apart: most random candidates run at under a tenth of the
  // best, where raw throughputs all look alike (on this project's logs it
  // raised pairwise accuracy on held-out programs from 0.73 to 0.77). Every
  // row of a program gets the program's gradient (d loss / d row = d loss
  // / d sum).
  void train() {
    const size_t columns = static_cast<size_t>(feature_count());
    xgb::DMatrix dtrain(rows_.data(), rows_.size() / columns, columns, threads_);
    auto booster = std::make_unique<xgb::Booster>(&dtrain);
    if (!base_.empty()) booster->load(base_);
    booster->set(params());
    std::vector<float> grad(rows_.size() / columns), hess(grad.size());
    for (int round = 0; round < options_.rounds; ++round) {
      const std::vector<float> per_row = booster->predict_training(dtrain);
      size_t row = 0;
      for (size_t p = 0; p < latency_.size(); ++p) {
        const double y = std::sqrt(best_[task_[p]] / latency_[p]);
        double sum = 0;
        for (size_t r = row; r < row_end_[p]; ++r) sum += per_row[r];
        for (; row < row_end_[p]; ++row) {
          grad[row] = static_cast<float>(y * (sum - y));
          hess[row] = static_cast<float>(y);
        }
      }
      booster->boost(dtrain, grad, hess);
    }
    booster_ = std::move(booster);
    trained_on_ = latency_.size();
  }

  XGBoostOptions options_;
  int threads_;
  sched::RandomEngine rng_;
  std::unique_ptr<xgb::Booster> booster_;  // null until trained or loaded
  std::string base_;                       // the loaded model's trees ("" if none)
  size_t base_programs_ = 0;               // what the loaded model was trained on
  size_t trained_on_ = 0;                  // programs at the last training
  // The measured programs: rows (row-major), where each program's rows
  // end, its task (index into best_) and its latency.
  std::vector<float> rows_;
  std::vector<size_t> row_end_;
  std::vector<size_t> task_;
  std::vector<double> latency_;
  std::vector<double> best_;  // per task: the lowest latency seen
  std::map<std::string, size_t> task_index_;
};

}  // namespace

std::unique_ptr<CostModel> make_xgboost_model(const XGBoostOptions& options) {
  return std::make_unique<XGBoostModel>(options);
}

}  // namespace kiln::cost_model

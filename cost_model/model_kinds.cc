// Which kinds of model this kiln has, and loading a saved one whatever its
// kind.
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cost_model/cost_model.h"
#include "cost_model/xgboost_model.h"

namespace kiln::cost_model {

#ifdef KILN_WITH_XGBOOST
bool have_xgboost() { return true; }
#else
bool have_xgboost() { return false; }

std::unique_ptr<CostModel> make_xgboost_model(const XGBoostOptions&) {
  throw std::runtime_error(
      "this kiln was built without XGBoost, so it has no XGBoost cost model: install "
      "libxgboost-dev and xgboost (scripts/install_deps.sh) and rebuild, or tune with the random "
      "model");
}
#endif

std::unique_ptr<CostModel> load_cost_model(const std::string& path, uint64_t seed) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cost model: cannot read `" + path + "`");
  std::string kind;
  try {
    kind = nlohmann::json::parse(in).value("kind", "");
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("cost model `" + path + "` is not a kiln model: " + e.what());
  }
  std::unique_ptr<CostModel> model;
  if (kind == "random") model = make_random_model(seed);
  else if (kind == "xgboost") model = make_xgboost_model({.seed = seed});
  else
    throw std::runtime_error("cost model `" + path + "` is of kind `" + kind +
                             "`; kiln knows \"random\" and \"xgboost\"");
  model->load(path);
  return model;
}

}  // namespace kiln::cost_model

// The random model: the search's baseline. Its scores come from its own
// seeded stream, so a tuning run with a fixed seed ranks the same way.
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cost_model/cost_model.h"
#include "schedule/random.h"

namespace kiln::cost_model {

namespace {

class RandomModel final : public CostModel {
 public:
  explicit RandomModel(uint64_t seed) : seed_(seed), rng_(seed) {}
  std::string kind() const override { return "random"; }
  void update(const std::vector<Program>&, const std::vector<double>&) override {}
  std::vector<double> predict(const std::vector<Program>& programs) override {
    std::vector<double> scores;
    for (size_t i = 0; i < programs.size(); ++i) scores.push_back(rng_.uniform_real());
    return scores;
  }
  void save(const std::string& path) const override {
    std::ofstream out(path);
    out << nlohmann::json{{"kind", "random"}, {"seed", seed_}}.dump() << "\n";
    if (!out) throw std::runtime_error("cost model: cannot write `" + path + "`");
  }
  void load(const std::string& path) override {
    std::ifstream in(path);
    nlohmann::json j;
    try {
      in >> j;
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("cost model `" + path + "` is not a kiln model: " + e.what());
    }
    if (j.value("kind", "") != "random")
      throw std::runtime_error("cost model `" + path + "` is a `" + j.value("kind", "?") +
                               "` model, not a random one");
    seed_ = j.value("seed", uint64_t{0});
    rng_ = sched::RandomEngine(seed_);
  }

 private:
  uint64_t seed_;
  sched::RandomEngine rng_;
};

}  // namespace

std::unique_ptr<CostModel> make_random_model(uint64_t seed) {
  return std::make_unique<RandomModel>(seed);
}

}  // namespace kiln::cost_model

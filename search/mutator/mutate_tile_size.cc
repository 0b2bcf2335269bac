// mutate_tile_size: one sampled tiling moves a factor from one of its tiles
// to another (a divisor d of tile x: x /= d, y *= d), keeping the product and
// the innermost limit.
#include <algorithm>

#include "search/mutator/mutator.h"

namespace kiln::search {

namespace {

std::vector<int64_t> divisors_above_one(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t d = 2; d <= n; ++d)
    if (n % d == 0) out.push_back(d);
  return out;
}

class MutateTileSize final : public Mutator {
 public:
  std::string name() const override { return "mutate_tile_size"; }
  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc&,
                                    sched::RandomEngine& rng) const override {
    std::vector<size_t> tilings;
    for (size_t i = 0; i < trace.size(); ++i) {
      if (trace.instructions()[i].kind->name != "sample_perfect_tile") continue;
      const std::optional<sched::Decision> d = trace.decision_of(i);
      if (!d) continue;
      const auto& tile = std::get<std::vector<int64_t>>(*d);
      const bool movable = tile.size() > 1 && std::any_of(tile.begin(), tile.end(),
                                                          [](int64_t f) { return f > 1; });
      if (movable) tilings.push_back(i);
    }
    if (tilings.empty()) return std::nullopt;
    for (int attempt = 0; attempt < 8; ++attempt) {
      const size_t at =
          tilings[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(tilings.size())))];
      std::vector<int64_t> tile = std::get<std::vector<int64_t>>(*trace.decision_of(at));
      const int64_t max_innermost =
          std::get<int64_t>(trace.instructions()[at].attrs.at(1));
      std::vector<size_t> from;
      for (size_t k = 0; k < tile.size(); ++k)
        if (tile[k] > 1) from.push_back(k);
      const size_t x = from[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(from.size())))];
      size_t y = static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(tile.size()) - 1));
      if (y >= x) ++y;
      const std::vector<int64_t> ds = divisors_above_one(tile[x]);
      const int64_t d = ds[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(ds.size())))];
      tile[x] /= d;
      tile[y] *= d;
      if (tile.back() > max_innermost) continue;
      return trace.with_decision(at, tile);
    }
    return std::nullopt;
  }
};

}  // namespace

std::unique_ptr<Mutator> mutate_tile_size() { return std::make_unique<MutateTileSize>(); }

}  // namespace kiln::search

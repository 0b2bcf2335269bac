// Sampling instructions: tile sizes and categorical choices, drawn from the
// schedule's seeded engine, recorded as decisions the search can mutate.
#include "schedule/primitives/sampling.h"

#include <algorithm>
#include <numeric>

#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

std::vector<int64_t> prime_factors(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t p = 2; p * p <= n; ++p)
    while (n % p == 0) {
      out.push_back(p);
      n /= p;
    }
  if (n > 1) out.push_back(n);
  return out;
}

}  // namespace

bool is_valid_perfect_tile(const std::vector<int64_t>& tile, int64_t extent, int n,
                           int64_t max_innermost_factor) {
  if (static_cast<int>(tile.size()) != n) return false;
  int64_t product = 1;
  for (int64_t f : tile) {
    if (f < 1) return false;
    product *= f;
  }
  return product == extent && tile.back() <= max_innermost_factor;
}

std::vector<int64_t> sample_perfect_tile(RandomEngine& rng, int64_t extent, int n,
                                         int64_t max_innermost_factor) {
  // Each prime factor goes to a uniformly chosen position; the innermost
  // factor is then pushed under the limit by moving primes outward. The
  // result always multiplies to `extent`.
  std::vector<int64_t> tile(n, 1);
  for (int64_t p : prime_factors(extent)) tile[rng.uniform_int(n)] *= p;
  if (n > 1) {
    for (int64_t p : prime_factors(tile.back())) {
      if (tile.back() <= max_innermost_factor) break;
      tile.back() /= p;
      tile[rng.uniform_int(n - 1)] *= p;
    }
  }
  return tile;
}

std::vector<ExprRV> Schedule::sample_perfect_tile(LoopRV loop, int n, int max_innermost_factor,
                                                  std::optional<std::vector<int64_t>> decision) {
  return guard([&] {
    ir::Stmt s = loop_stmt(loop);
    const auto* f = s.as<ir::ForNode>();
    const int64_t* extent = ir::as_const_int(f->extent);
    if (!extent)
      throw ScheduleError("sample_perfect_tile",
                          "loop `" + f->loop_var.name() + "` has a non-constant extent",
                          "Tile only loops with constant extents", f->loop_var);
    if (n < 1 || max_innermost_factor < 1)
      throw ScheduleError("sample_perfect_tile",
                          "n=" + std::to_string(n) + " and max_innermost_factor=" +
                              std::to_string(max_innermost_factor) + " must both be at least 1",
                          "", f->loop_var);
    // With one factor there is nothing to choose: it is the extent.
    const int64_t limit =
        n == 1 ? std::max<int64_t>(max_innermost_factor, *extent) : max_innermost_factor;
    // A stale decision (from a trace recorded on another extent) is repaired
    // by sampling afresh: never a wrong tile.
    std::vector<int64_t> tile;
    if (decision && is_valid_perfect_tile(*decision, *extent, n, limit))
      tile = *decision;
    else
      tile = kiln::sched::sample_perfect_tile(random_engine(), *extent, n, limit);
    std::vector<ExprRV> out;
    for (int64_t t : tile) out.push_back(add_value(t));
    record("sample_perfect_tile", {loop}, {int64_t{n}, int64_t{max_innermost_factor}}, to_rvs(out),
           tile);
    return out;
  });
}

ExprRV Schedule::sample_categorical(const std::vector<int64_t>& candidates,
                                    const std::vector<double>& probs,
                                    std::optional<int64_t> decision) {
  return guard([&] {
    if (candidates.empty() || candidates.size() != probs.size())
      throw ScheduleError("sample_categorical",
                          std::to_string(candidates.size()) + " candidates with " +
                              std::to_string(probs.size()) + " probabilities",
                          "Give one probability per candidate, and at least one candidate");
    for (double p : probs)
      if (!(p >= 0))
        throw ScheduleError("sample_categorical", "probabilities must be non-negative", "");
    int64_t index;
    if (decision && *decision >= 0 && *decision < static_cast<int64_t>(candidates.size()) &&
        probs[*decision] > 0)
      index = *decision;
    else
      index = random_engine().categorical(probs);
    ExprRV out = add_value(candidates[index]);
    record("sample_categorical", {}, {candidates, probs}, {out}, index);
    return out;
  });
}

void register_sampling_instructions() {
  register_instruction_kind({"sample_perfect_tile",
                             false,
                             true,
                             {"n", "max_innermost_factor"},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>& attrs, const std::optional<Decision>& d) {
                               std::optional<std::vector<int64_t>> tile;
                               if (d && std::holds_alternative<std::vector<int64_t>>(*d))
                                 tile = std::get<std::vector<int64_t>>(*d);
                               return to_rvs(sch.sample_perfect_tile(
                                   input_loop(in, 0), static_cast<int>(attr_as<int64_t>(attrs, 0)),
                                   static_cast<int>(attr_as<int64_t>(attrs, 1)), tile));
                             },
                             nullptr,
                             /*returns_list=*/true});
  register_instruction_kind({"sample_categorical",
                             false,
                             true,
                             {"candidates", "probs"},
                             [](Schedule& sch, const std::vector<Input>&,
                                const std::vector<Attr>& attrs, const std::optional<Decision>& d) {
                               std::optional<int64_t> index;
                               if (d && std::holds_alternative<int64_t>(*d))
                                 index = std::get<int64_t>(*d);
                               return std::vector<RV>{sch.sample_categorical(
                                   attr_as<std::vector<int64_t>>(attrs, 0),
                                   attr_as<std::vector<double>>(attrs, 1), index)};
                             },
                             nullptr});
}

}  // namespace kiln::sched

#include "search/mutator/mutator.h"

namespace kiln::search {

std::vector<WeightedMutator> default_mutators(const Target& target) {
  std::vector<WeightedMutator> out;
  if (target.is_gpu()) {
    out.push_back({mutate_tile_size(), 0.90});
    out.push_back({mutate_thread_binding(), 0.10});
    return out;
  }
  out.push_back({mutate_tile_size(), 0.90});
  out.push_back({mutate_compute_location(), 0.05});
  out.push_back({mutate_unroll(), 0.03});
  out.push_back({mutate_parallel(), 0.02});
  return out;
}

}  // namespace kiln::search

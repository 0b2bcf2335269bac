// The rules for each kind of target, in the order they apply to a block.
#include "search/space/space_rule.h"

namespace kiln::search {

SpaceRules default_space_rules(const Target& target) {
  SpaceRules rules;
  rules.push_back(auto_inline());
  if (target.is_gpu()) {
    rules.push_back(cross_thread_reduction(target));
    rules.push_back(multi_level_tiling_gpu(target));
    rules.push_back(auto_bind(target));
    return rules;
  }
  rules.push_back(pad_ragged_einsum(target));
  rules.push_back(add_rfactor(target));
  rules.push_back(multi_level_tiling(target));
  rules.push_back(parallel_vectorize_unroll(target));
  rules.push_back(random_compute_location());
  return rules;
}

}  // namespace kiln::search

#include "search/space/tile_structure.h"

#include "search/space/block_facts.h"

namespace kiln::search {

std::optional<std::vector<std::vector<sched::LoopRV>>> tile_by_structure(
    sched::Schedule& sch, sched::BlockRV block, const std::string& structure, int max_innermost) {
  const std::vector<sched::LoopRV> loops = sch.get_loops(block);
  const std::vector<LoopKind> kinds = loop_kinds(sch, block, loops);
  for (LoopKind k : kinds)
    if (k == LoopKind::kMixed || k == LoopKind::kUnused) return std::nullopt;
  std::vector<int> spatial_levels, reduction_levels;
  for (size_t i = 0; i < structure.size(); ++i)
    (structure[i] == 'S' ? spatial_levels : reduction_levels).push_back(static_cast<int>(i));
  std::vector<std::vector<sched::LoopRV>> levels(structure.size());
  for (size_t i = 0; i < loops.size(); ++i) {
    const std::vector<int>& at = kinds[i] == LoopKind::kSpatial ? spatial_levels : reduction_levels;
    const std::vector<sched::ExprRV> factors =
        sch.sample_perfect_tile(loops[i], static_cast<int>(at.size()), max_innermost);
    const std::vector<sched::LoopRV> parts =
        sch.split(loops[i], std::vector<sched::Factor>(factors.begin(), factors.end()));
    for (size_t t = 0; t < at.size(); ++t) levels[at[t]].push_back(parts[t]);
  }
  return levels;
}

}  // namespace kiln::search

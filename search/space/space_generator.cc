#include "search/space/space_generator.h"

#include "schedule/ir_utils.h"

namespace kiln::search {

std::vector<sched::Trace> generate_sketches(const ir::PrimFunc& func, const SpaceRules& rules) {
  std::vector<std::string> names;
  for (const ir::Stmt& b : sched::all_blocks(func))
    names.push_back(b.as<ir::BlockRealizeNode>()->block->name);
  std::vector<sched::Schedule> schedules = {sched::Schedule(func, 0, sched::ErrorRenderLevel::kFast)};
  for (auto name = names.rbegin(); name != names.rend(); ++name) {
    for (const auto& rule : rules) {
      std::vector<sched::Schedule> next;
      for (sched::Schedule& sch : schedules) {
        if (!sched::find_block(sch.func(), *name).defined()) {
          next.push_back(std::move(sch));
          continue;
        }
        sched::Schedule probe = sch;
        const sched::BlockRV block = probe.get_block(*name);
        for (sched::Schedule& made : rule->apply(probe, block)) next.push_back(std::move(made));
      }
      schedules = std::move(next);
    }
  }
  std::vector<sched::Trace> sketches;
  for (const sched::Schedule& sch : schedules)
    sketches.push_back(sch.trace().without_dead_code().without_decisions());
  return sketches;
}

}  // namespace kiln::search

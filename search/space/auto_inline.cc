// auto_inline: an injective block that is not an output is computed where it
// is read (compute_inline), so its result never goes through memory: a
// bias-add before a relu, a transpose feeding an add. Not when its body has a
// Select or an intrinsic call (a padding, an exp): recomputed at every use,
// those cost more than the memory they save; random_compute_location places
// them instead.
#include "schedule/block_predicates.h"
#include "search/space/block_facts.h"
#include "search/space/space_rule.h"

namespace kiln::search {

namespace {

class AutoInline final : public SpaceRule {
 public:
  std::string name() const override { return "auto_inline"; }
  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    if (!sched::is_injective(sch, block) || sched::is_output(sch, block) ||
        computes_selects_or_calls(sch, block))
      return {sch};
    sched::Schedule inlined = sch.copy();
    try {
      inlined.compute_inline(block);
    } catch (const sched::ScheduleError&) {
      return {sch};  // no consumer can take it (compute_inline says why)
    }
    return {inlined};
  }
};

}  // namespace

std::unique_ptr<SpaceRule> auto_inline() { return std::make_unique<AutoInline>(); }

}  // namespace kiln::search

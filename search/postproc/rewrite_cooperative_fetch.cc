// rewrite_cooperative_fetch: each shared-memory staging block annotated
// `meta_schedule.cooperative_fetch` (space/multi_level_tiling_gpu) is
// spread over the threads of its thread block: now that the tiles are
// drawn, the threadIdx loops above it say how many there are
// (sched::cooperative_fetch).
#include "schedule/gpu_steps.h"
#include "schedule/ir_utils.h"
#include "search/postproc/postproc.h"

namespace kiln::search {

namespace {

const char* const kFetch = "meta_schedule.cooperative_fetch";

class RewriteCooperativeFetch final : public Postproc {
 public:
  std::string name() const override { return "rewrite_cooperative_fetch"; }
  bool apply(sched::Schedule& sch) const override {
    for (const ir::Stmt& realize : sched::all_blocks(sch.func())) {
      const ir::BlockNode& b = *realize.as<ir::BlockRealizeNode>()->block;
      if (!b.annotations.count(kFetch)) continue;
      const sched::BlockRV stage = sch.get_block(b.name);
      sch.unannotate(stage, kFetch);
      // The threads: the threadIdx loops above the stage, x first.
      std::vector<int64_t> extents(3, 0);
      for (const sched::LoopRV& l : sch.get_loops(stage)) {
        const auto* f = sch.loop_stmt(l).as<ir::ForNode>();
        const int64_t* e = ir::as_const_int(f->extent);
        if (f->for_kind != ir::ForKind::kThreadBinding || !e) continue;
        if (f->thread_tag.rfind("threadIdx.", 0) == 0) extents[f->thread_tag.back() - 'x'] = *e;
      }
      while (!extents.empty() && extents.back() == 0) extents.pop_back();
      if (extents.empty()) return false;  // staged for no threads: a broken sketch
      // The block that reads the stage: its only consumer.
      const std::vector<sched::BlockRV> consumers = sch.get_consumers(stage);
      if (consumers.size() != 1) return false;
      try {
        sched::cooperative_fetch(sch, stage, consumers[0], extents);
      } catch (const sched::ScheduleError&) {
        return false;
      }
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Postproc> rewrite_cooperative_fetch() {
  return std::make_unique<RewriteCooperativeFetch>();
}

}  // namespace kiln::search

// multi_level_tiling_gpu: the loop structure of a fast reduction with reuse
// on a GPU (matmul, convolution), "SSRRS" on blocks and threads. Every
// spatial loop is split in three by sampled tiles (thread block, thread,
// each thread's own tile), every reduction loop in two; then
//
//   S0 -> blockIdx.x   S1 -> threadIdx.x   R0 R1 S2
//
// with the result accumulated in a local (register) buffer written back
// once per thread, and each operand staged in shared memory per iteration
// of R0, fetched by all the block's threads together (annotated
// `meta_schedule.cooperative_fetch` for postproc/rewrite_cooperative_fetch,
// which knows the thread count once the tiles are drawn). Tilings whose
// thread block breaks the target's limits are rejected by postproc/verify_gpu.
#include "schedule/block_predicates.h"
#include "schedule/gpu_steps.h"
#include "search/space/space_rule.h"
#include "search/space/tile_structure.h"

namespace kiln::search {

namespace {

constexpr int kMaxThreadTile = 8;  // innermost factor: each thread's own tile

class MultiLevelTilingGpu final : public SpaceRule {
 public:
  std::string name() const override { return "multi_level_tiling_gpu"; }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    if (!sched::is_reduction(sch, block) || !sched::has_data_reuse(sch, block)) return {sch};
    sched::Schedule s = sch.copy();
    // S0 S1 R0 R1 S2: thread block, thread, the staged reduction step, the
    // rest of it, each thread's own tile.
    const std::optional<std::vector<std::vector<sched::LoopRV>>> levels =
        tile_by_structure(s, block, "SSRRS", kMaxThreadTile);
    if (!levels) return {sch};
    const std::vector<sched::LoopRV>& s0 = (*levels)[0];
    const std::vector<sched::LoopRV>& s1 = (*levels)[1];
    const std::vector<sched::LoopRV>& r0 = (*levels)[2];
    std::vector<sched::LoopRV> order;
    for (const auto& level : *levels) order.insert(order.end(), level.begin(), level.end());
    try {
      s.reorder(order);
      s.bind(sched::fuse_all(s, s0), "blockIdx.x");
      const sched::LoopRV threads = sched::fuse_all(s, s1);
      s.bind(threads, "threadIdx.x");
      const sched::BlockRV local = s.cache_write(block, 0, "local");
      s.reverse_compute_at(local, threads, true);
      if (!r0.empty()) {
        const int reads = static_cast<int>(
            s.block_stmt(block).as<ir::BlockRealizeNode>()->block->reads.size());
        for (int read = 0; read < reads; ++read) {
          const sched::BlockRV stage = s.cache_read(block, read, "shared");
          s.compute_at(stage, r0.front(), true);
          s.annotate(stage, "meta_schedule.cooperative_fetch", int64_t{1});
        }
      }
    } catch (const sched::ScheduleError&) {
      return {sch};
    }
    return {s};
  }
};

}  // namespace

std::unique_ptr<SpaceRule> multi_level_tiling_gpu(const Target&) {
  return std::make_unique<MultiLevelTilingGpu>();
}

}  // namespace kiln::search

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
#include "search/space/block_facts.h"
#include "search/space/space_rule.h"

namespace kiln::search {

namespace {

constexpr int kSpatialTiles = 3;
constexpr int kReductionTiles = 2;
constexpr int kMaxThreadTile = 8;  // innermost factor: each thread's own tile

class MultiLevelTilingGpu final : public SpaceRule {
 public:
  std::string name() const override { return "multi_level_tiling_gpu"; }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    if (!sched::is_reduction(sch, block) || !sched::has_data_reuse(sch, block)) return {sch};
    sched::Schedule s = sch.copy();
    const std::vector<sched::LoopRV> loops = s.get_loops(block);
    const std::vector<LoopKind> kinds = loop_kinds(s, block, loops);
    for (LoopKind k : kinds)
      if (k == LoopKind::kMixed || k == LoopKind::kUnused) return {sch};
    std::vector<sched::LoopRV> s0, s1, s2, r0, r1;
    for (size_t i = 0; i < loops.size(); ++i) {
      const bool spatial = kinds[i] == LoopKind::kSpatial;
      const std::vector<sched::ExprRV> tile = s.sample_perfect_tile(
          loops[i], spatial ? kSpatialTiles : kReductionTiles, kMaxThreadTile);
      const std::vector<sched::LoopRV> parts =
          s.split(loops[i], std::vector<sched::Factor>(tile.begin(), tile.end()));
      if (spatial) {
        s0.push_back(parts[0]);
        s1.push_back(parts[1]);
        s2.push_back(parts[2]);
      } else {
        r0.push_back(parts[0]);
        r1.push_back(parts[1]);
      }
    }
    std::vector<sched::LoopRV> order;
    for (const auto* group : {&s0, &s1, &r0, &r1, &s2})
      order.insert(order.end(), group->begin(), group->end());
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

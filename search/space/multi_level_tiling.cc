// multi_level_tiling: the loop structure of a fast reduction with reuse
// (matmul, convolution, dense) on a CPU, "SSRSRS". Every spatial loop is
// split in four by sampled tiles, every reduction loop in two, and the
// pieces reordered
//
//   S0 S1 R0 S2 R1 S3
//
// so that the innermost S3 x S2 tile accumulates in registers over R1 and
// the S1 tile's data stay in cache over R0; the outer S0 loops go to the
// threads (postproc/rewrite_parallel_vectorize_unroll). The result is then
// written through a cache: a local accumulator written back at the end of
// tile level 1 or 2 (cache_write + reverse_compute_at), or, when the block
// has one elementwise consumer (a bias or a relu), that consumer fused at
// the same level instead. The variant without either is kept too.
//
// The written-through variants come once more with their streamed operand
// packed (matmul's B, a convolution's weights): copied, tile by tile, into a
// buffer under the last loop of tile level 1 or 2, which lowering shrinks
// to the tile (compact_buffers). Its rows are then one tile wide and
// contiguous, where the operand's own rows lie a whole row apart: at 1024
// floats, every row of a tile falls into the same cache set, and a register
// tile's reduction over R1 evicts its own B rows. An operand the innermost
// loop reads across its rows (a dense layer's W[j, k]) is packed transposed,
// the streamed axis last, so that the innermost loop's loads are vectors;
// its copy then runs in the order of the packed buffer (write_order).
#include "schedule/block_predicates.h"
#include "schedule/index_map.h"
#include "search/space/space_rule.h"
#include "search/space/tile_structure.h"

namespace kiln::search {

namespace {

constexpr int kMaxInnermostFactor = 64;

// The layout whose last axis is `axis` of a `rank`-dimensional buffer, the
// others in order: a dense layer's W[j, k] packed as [k, j], so that the
// innermost loop (over j) reads it contiguously.
sched::IndexMap axis_to_last(int rank, int axis) {
  std::string inputs, outputs;
  for (int d = 0; d < rank; ++d) {
    inputs += (d ? ", i" : "i") + std::to_string(d);
    if (d != axis) outputs += "i" + std::to_string(d) + ", ";
  }
  return sched::IndexMap::parse("lambda " + inputs + ": (" + outputs + "i" +
                                std::to_string(axis) + ")");
}

// Puts the loops of a transposed pack in the order of the buffer it writes
// (compute_at made them in the order of the operand it reads), so that the
// innermost loop stores contiguously and loads across rows: the other way
// round, LLVM vectorizes the copy with scatters, and packing a dense
// layer's W took half of the kernel's time (128x3072x768, one thread:
// 9.4 ms, 7.1 ms with the loops in write order).
void write_order(sched::Schedule& s, const sched::BlockRV& pack, int rank, int axis) {
  const std::vector<sched::LoopRV> loops = s.get_loops(pack);
  if (loops.size() < static_cast<size_t>(rank)) return;  // compute_at makes one per axis
  const std::vector<sched::LoopRV> own(loops.end() - rank, loops.end());
  std::vector<sched::LoopRV> order;
  for (int d = 0; d < rank; ++d)
    if (d != axis) order.push_back(own[static_cast<size_t>(d)]);
  order.push_back(own[static_cast<size_t>(axis)]);
  s.reorder(order);
}

class MultiLevelTiling final : public SpaceRule {
 public:
  std::string name() const override { return "multi_level_tiling"; }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    if (!sched::is_reduction(sch, block) || !sched::has_data_reuse(sch, block)) return {sch};
    sched::Schedule tiled = sch.copy();

    // Step 1. Tile: S0 S1 R0 S2 R1 S3.
    const std::optional<std::vector<std::vector<sched::LoopRV>>> tiles =
        tile_by_structure(tiled, block, "SSRSRS", kMaxInnermostFactor);
    if (!tiles) return {sch};
    const std::vector<std::vector<sched::LoopRV>>& levels = *tiles;
    std::vector<sched::LoopRV> order;
    for (const auto& level : levels) order.insert(order.end(), level.begin(), level.end());
    tiled.reorder(order);

    // Step 2. Write reuse: the variant without, and at the end of level 1
    // and 2 either the fused elementwise consumer or a local accumulator.
    std::vector<sched::Schedule> out = {tiled};
    const std::vector<sched::BlockRV> consumers = tiled.get_consumers(block);
    const bool fuse_consumer =
        consumers.size() == 1 && sched::is_elementwise(tiled, consumers[0]);
    std::vector<sched::Schedule> written;
    for (int level : {0, 1}) {
      if (levels[level].empty()) continue;
      sched::Schedule s = tiled.copy();
      try {
        const sched::BlockRV writer =
            fuse_consumer ? consumers[0] : s.cache_write(block, 0, "local");
        s.reverse_compute_at(writer, levels[level].back(), true);
        written.push_back(std::move(s));
      } catch (const sched::ScheduleError&) {
        // This level cannot take it (the consumer reads across tiles).
      }
    }
    out.insert(out.end(), written.begin(), written.end());

    // Step 3. Read reuse: the streamed operand packed under level 1 or 2.
    const std::vector<sched::StreamedRead> streamed = sched::streamed_reused_reads(tiled, block);
    if (streamed.empty()) return out;
    for (const sched::Schedule& w : written)
      for (int level : {0, 1}) {
        if (levels[level].empty()) continue;
        sched::Schedule s = w.copy();
        try {
          for (const sched::StreamedRead& read : streamed) {
            const sched::BlockRV pack = s.cache_read(block, read.read, "global");
            const int rank = static_cast<int>(
                s.block_stmt(pack).as<ir::BlockRealizeNode>()->block->writes.at(0).region.size());
            const bool transposed = read.axis != rank - 1;
            if (transposed) s.transform_layout(pack, 0, true, axis_to_last(rank, read.axis));
            s.compute_at(pack, levels[level].back(), true);
            if (transposed) write_order(s, pack, rank, read.axis);
          }
          out.push_back(std::move(s));
        } catch (const sched::ScheduleError&) {
          // Not under this level (an operand read across the tile).
        }
      }
    return out;
  }
};

}  // namespace

std::unique_ptr<SpaceRule> multi_level_tiling(const Target&) {
  return std::make_unique<MultiLevelTiling>();
}

}  // namespace kiln::search

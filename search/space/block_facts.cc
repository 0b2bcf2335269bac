#include "search/space/block_facts.h"

#include <algorithm>

#include "ir/functor.h"
#include "schedule/block_analysis.h"
#include "schedule/block_predicates.h"

namespace kiln::search {

std::vector<LoopKind> loop_kinds(const sched::Schedule& sch, sched::BlockRV block,
                                 const std::vector<sched::LoopRV>& loops) {
  const auto* realize = sch.block_stmt(block).as<ir::BlockRealizeNode>();
  std::vector<LoopKind> kinds;
  for (const sched::LoopRV& loop : loops) {
    const ir::Var v = sch.loop_var(loop);
    bool spatial = false, reduction = false;
    for (size_t i = 0; i < realize->iter_values.size(); ++i) {
      if (!sched::uses_var(realize->iter_values[i], v)) continue;
      (realize->block->iter_vars[i].kind == ir::IterKind::kSpatial ? spatial : reduction) = true;
    }
    kinds.push_back(spatial && reduction ? LoopKind::kMixed
                    : spatial            ? LoopKind::kSpatial
                    : reduction          ? LoopKind::kReduction
                                         : LoopKind::kUnused);
  }
  return kinds;
}

namespace {

class CostlyFinder : public ir::IRVisitor {
 public:
  bool found = false;

 protected:
  void visit_select(const ir::SelectNode* op) override {
    found = true;
    ir::IRVisitor::visit_select(op);
  }
  void visit_call(const ir::CallNode* op) override {
    found = true;
    ir::IRVisitor::visit_call(op);
  }
};

}  // namespace

bool computes_selects_or_calls(const sched::Schedule& sch, sched::BlockRV block) {
  const ir::BlockNode& b = *sch.block_stmt(block).as<ir::BlockRealizeNode>()->block;
  CostlyFinder finder;
  finder.visit(b.body);
  if (b.init.defined()) finder.visit(b.init);
  return finder.found;
}

bool has_little_spatial_parallelism(const sched::Schedule& sch, sched::BlockRV block,
                                    int64_t cores) {
  const std::vector<ir::IterKind> kinds = sched::iter_kinds(sch, block);
  const std::vector<int64_t> extents = sched::iter_extents(sch, block);
  int64_t spatial = 1, reduction = 1;
  bool reduces = false;
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (extents[i] <= 0) return false;
    int64_t& product = kinds[i] == ir::IterKind::kReduction ? reduction : spatial;
    reduces |= kinds[i] == ir::IterKind::kReduction;
    product = std::min<int64_t>(product * extents[i], int64_t{1} << 40);
  }
  return reduces && spatial < reduction && spatial <= kJobsPerCore * std::max<int64_t>(cores, 1);
}

int64_t vector_lanes(const Target& target, ir::DataType dtype) {
  return std::max<int64_t>(1, int64_t{target.vector_bytes} * 8 / std::max(8, dtype.bits()));
}

namespace {

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// An extent of at most an eighth more.
bool small_waste(int64_t extent, int64_t padded) { return 8 * (padded - extent) <= extent; }

// A factor from 4 to 64 other than the extent itself: a tile that is
// neither the whole loop nor too small to reuse anything.
bool has_tile_factor(int64_t extent) {
  for (int64_t d = 4; d <= 64 && d < extent; ++d)
    if (extent % d == 0) return true;
  return false;
}

}  // namespace

std::vector<int64_t> ragged_padding(const sched::Schedule& sch, sched::BlockRV block,
                                    int64_t vector_lanes) {
  const std::vector<ir::IterKind> kinds = sched::iter_kinds(sch, block);
  const std::vector<int64_t> extents = sched::iter_extents(sch, block);
  std::vector<int64_t> padding(kinds.size(), 1);
  int last_spatial = -1;
  for (size_t i = 0; i < kinds.size(); ++i)
    if (kinds[i] == ir::IterKind::kSpatial) last_spatial = static_cast<int>(i);
  for (size_t i = 0; i < kinds.size(); ++i) {
    const int64_t e = extents[i];
    if (e <= kRaggedBound || has_tile_factor(e)) continue;
    // The vector axis to a multiple of the lanes if that is cheap.
    if (static_cast<int>(i) == last_spatial && vector_lanes > 1 &&
        small_waste(e, round_up(e, vector_lanes))) {
      padding[i] = vector_lanes;
      continue;
    }
    for (int64_t m : {16, 8, 4})
      if (small_waste(e, round_up(e, m))) {
        padding[i] = m;
        break;
      }
  }
  return padding;
}

}  // namespace kiln::search

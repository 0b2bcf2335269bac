#include "schedule/block_predicates.h"

#include <algorithm>
#include <unordered_set>

#include "schedule/block_analysis.h"

namespace kiln::sched {

namespace {

const ir::BlockNode& block_of(const Schedule& sch, BlockRV block) {
  return *sch.block_stmt(block).as<ir::BlockRealizeNode>()->block;
}

// The iter var that `e` is, or null.
const ir::VarNode* as_iter_var(const ir::BlockNode& b, const ir::Expr& e) {
  const auto* v = e.as<ir::VarNode>();
  if (!v) return nullptr;
  for (const ir::IterVar& iv : b.iter_vars)
    if (iv.var.get() == v) return v;
  return nullptr;
}

// A region of single points whose indices are distinct iter vars; `out`
// collects them.
bool is_point_of_iter_vars(const ir::BlockNode& b, const ir::BufferRegion& r,
                           std::vector<const ir::VarNode*>* out) {
  std::unordered_set<const ir::VarNode*> seen;
  for (const ir::Range& range : r.region) {
    const ir::VarNode* v = as_iter_var(b, range.min);
    if (!v || !ir::is_const_int(range.extent, 1) || !seen.insert(v).second) return false;
    out->push_back(v);
  }
  return true;
}

bool region_uses(const ir::BufferRegion& r, const ir::Var& var) {
  return std::any_of(r.region.begin(), r.region.end(), [&](const ir::Range& range) {
    return uses_var(range.min, var) || uses_var(range.extent, var);
  });
}

}  // namespace

std::vector<ir::IterKind> iter_kinds(const Schedule& sch, BlockRV block) {
  std::vector<ir::IterKind> out;
  for (const ir::IterVar& iv : block_of(sch, block).iter_vars) out.push_back(iv.kind);
  return out;
}

std::vector<int64_t> iter_extents(const Schedule& sch, BlockRV block) {
  std::vector<int64_t> out;
  for (const ir::IterVar& iv : block_of(sch, block).iter_vars) {
    const int64_t* e = ir::as_const_int(iv.dom.extent);
    out.push_back(e ? *e : 0);
  }
  return out;
}

bool is_spatial(const Schedule& sch, BlockRV block) {
  const std::vector<ir::IterKind> kinds = iter_kinds(sch, block);
  return std::all_of(kinds.begin(), kinds.end(),
                     [](ir::IterKind k) { return k == ir::IterKind::kSpatial; });
}

bool is_reduction(const Schedule& sch, BlockRV block) { return !is_spatial(sch, block); }

bool is_injective(const Schedule& sch, BlockRV block) {
  const ir::BlockNode& b = block_of(sch, block);
  if (!is_spatial(sch, block) || b.writes.size() != 1) return false;
  std::vector<const ir::VarNode*> vars;
  return is_point_of_iter_vars(b, b.writes[0], &vars) && vars.size() == b.iter_vars.size();
}

bool is_elementwise(const Schedule& sch, BlockRV block) {
  if (!is_injective(sch, block)) return false;
  const ir::BlockNode& b = block_of(sch, block);
  for (const ir::BufferRegion& r : b.reads) {
    std::vector<const ir::VarNode*> vars;
    if (!is_point_of_iter_vars(b, r, &vars)) return false;
  }
  return true;
}

bool is_output(const Schedule& sch, BlockRV block) {
  const ir::BlockNode& b = block_of(sch, block);
  for (const ir::BufferRegion& w : b.writes)
    for (const ir::Buffer& p : sch.func()->params)
      if (p.get() == w.buffer.get()) return true;
  return false;
}

namespace {

// The spatial iter vars of extent > 1: what a read without one is reused
// across.
std::vector<ir::Var> wide_spatial_vars(const ir::BlockNode& b) {
  std::vector<ir::Var> out;
  for (const ir::IterVar& iv : b.iter_vars) {
    const int64_t* extent = ir::as_const_int(iv.dom.extent);
    if (iv.kind == ir::IterKind::kSpatial && !(extent && *extent <= 1)) out.push_back(iv.var);
  }
  return out;
}

bool reused(const ir::BufferRegion& r, const std::vector<ir::Var>& spatial) {
  return std::any_of(spatial.begin(), spatial.end(),
                     [&](const ir::Var& v) { return !region_uses(r, v); });
}

}  // namespace

bool has_data_reuse(const Schedule& sch, BlockRV block) {
  const ir::BlockNode& b = block_of(sch, block);
  const std::vector<ir::Var> spatial = wide_spatial_vars(b);
  return std::any_of(b.reads.begin(), b.reads.end(),
                     [&](const ir::BufferRegion& r) { return reused(r, spatial); });
}

std::vector<StreamedRead> streamed_reused_reads(const Schedule& sch, BlockRV block) {
  const ir::BlockNode& b = block_of(sch, block);
  const std::vector<ir::Var> spatial = wide_spatial_vars(b);
  std::vector<StreamedRead> out;
  if (spatial.empty()) return out;
  for (size_t i = 0; i < b.reads.size(); ++i) {
    const ir::BufferRegion& r = b.reads[i];
    if (r.region.empty() || !reused(r, spatial)) continue;
    for (size_t axis = r.region.size(); axis-- > 0;)
      if (uses_var(r.region[axis].min, spatial.back())) {
        out.push_back({static_cast<int>(i), static_cast<int>(axis)});
        break;
      }
  }
  return out;
}

}  // namespace kiln::sched

#include "schedule/buffer_stage.h"

#include <algorithm>
#include <set>

#include "ir/arith/expr_equal.h"
#include "ir/arith/iter_map.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/substitute.h"
#include "schedule/error.h"
#include "schedule/ir_utils.h"

namespace kiln::sched {

namespace {

constexpr const char* kAlignKey = "buffer_dim_align";

class BufferAccessRewriter : public ir::IRMutator {
 public:
  explicit BufferAccessRewriter(const BufferAccessRewrite& rewrite) : rw_(rewrite) {}

 protected:
  ir::Expr mutate_buffer_load(const ir::Expr& e, const ir::BufferLoadNode* op) override {
    if (op->buffer != rw_.from) return IRMutator::mutate_buffer_load(e, op);
    std::vector<ir::Expr> indices;
    mutate_all(op->indices, &indices);
    return ir::buffer_load(rw_.to, map_indices(indices));
  }

  ir::Stmt mutate_buffer_store(const ir::Stmt& s, const ir::BufferStoreNode* op) override {
    if (op->buffer != rw_.from) return IRMutator::mutate_buffer_store(s, op);
    std::vector<ir::Expr> indices;
    mutate_all(op->indices, &indices);
    return ir::buffer_store(rw_.to, mutate(op->value), map_indices(indices));
  }

  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    analyzer_.bind(op->loop_var, ir::Range{op->min, op->extent});
    return IRMutator::mutate_for(s, op);
  }

  ir::Block mutate_block(const ir::Block& block) override {
    for (const ir::IterVar& iv : block->iter_vars) analyzer_.bind(iv.var, iv.dom);
    ir::Block out = IRMutator::mutate_block(block);
    bool allocates = std::find(block->alloc_buffers.begin(), block->alloc_buffers.end(),
                               rw_.from) != block->alloc_buffers.end();
    auto align = block->annotations.find(kAlignKey);
    const auto* entries = align != block->annotations.end()
                              ? std::get_if<std::vector<int64_t>>(&align->second)
                              : nullptr;
    bool realign = rw_.drop_alignment && entries && region_has(block->writes, rw_.from);
    if (!allocates && !realign) return out;
    auto node = ir::copy_block(*out);
    for (ir::Buffer& b : node->alloc_buffers)
      if (b == rw_.from) b = rw_.to;
    if (realign) {
      // Entries are [write index, axis, factor, offset] quadruples.
      std::vector<int64_t> kept;
      for (size_t i = 0; i + 3 < entries->size(); i += 4) {
        size_t index = static_cast<size_t>((*entries)[i]);
        if (index < block->writes.size() && block->writes[index].buffer == rw_.from) continue;
        kept.insert(kept.end(), entries->begin() + static_cast<std::ptrdiff_t>(i),
                    entries->begin() + static_cast<std::ptrdiff_t>(i + 4));
      }
      if (kept.empty())
        node->annotations.erase(kAlignKey);
      else
        node->annotations[kAlignKey] = kept;
    }
    return node;
  }

  ir::BufferRegion mutate_buffer_region(const ir::BufferRegion& region) override {
    if (region.buffer != rw_.from) return IRMutator::mutate_buffer_region(region);
    ir::BufferRegion out = IRMutator::mutate_buffer_region(region);
    return {rw_.to, rw_.region ? rw_.region(out.region, analyzer_) : out.region};
  }

 private:
  std::vector<ir::Expr> map_indices(const std::vector<ir::Expr>& indices) const {
    return rw_.indices ? rw_.indices(indices, analyzer_) : indices;
  }

  const BufferAccessRewrite& rw_;
  ir::arith::Analyzer analyzer_;
};

std::vector<ir::Range> point_region(const std::vector<ir::Expr>& indices) {
  std::vector<ir::Range> region;
  for (const ir::Expr& e : indices) region.push_back(ir::Range{e, ir::index_imm(1)});
  return region;
}

}  // namespace

ir::Stmt rewrite_buffer_access(const ir::Stmt& stmt, const BufferAccessRewrite& rewrite) {
  return BufferAccessRewriter(rewrite).mutate(stmt);
}

ir::Stmt make_copy_stage(const CopyStage& stage) {
  std::vector<ir::Var> loop_vars, block_vars;
  std::vector<ir::Expr> bindings;
  auto node = std::make_shared<ir::BlockNode>();
  node->name = stage.name;
  for (size_t k = 0; k < stage.extents.size(); ++k) {
    loop_vars.emplace_back("ax" + std::to_string(k));
    block_vars.emplace_back("v" + std::to_string(k));
    bindings.push_back(stage.offsets[k] == 0
                           ? ir::Expr(loop_vars[k])
                           : ir::Expr(loop_vars[k]) + ir::index_imm(stage.offsets[k]));
    node->iter_vars.push_back({block_vars[k], stage.domains[k], ir::IterKind::kSpatial});
  }
  std::vector<ir::Expr> src = stage.src_indices(block_vars), dst = stage.dst_indices(block_vars);
  node->reads.push_back({stage.src, point_region(src)});
  node->writes.push_back({stage.dst, point_region(dst)});
  node->body = ir::buffer_store(stage.dst, ir::buffer_load(stage.src, src), dst);
  ir::Stmt body =
      ir::block_realize(std::move(bindings), ir::int_imm(ir::DataType::Bool(), 1), std::move(node));
  for (size_t k = stage.extents.size(); k-- > 0;)
    body = ir::for_loop(loop_vars[k], ir::index_imm(0), ir::index_imm(stage.extents[k]),
                        ir::ForKind::kSerial, body);
  return body;
}

ir::Buffer access_buffer(const std::string& primitive, const ir::BlockNode& block, int64_t index,
                         bool is_write) {
  const std::vector<ir::BufferRegion>& regions = is_write ? block.writes : block.reads;
  const char* which = is_write ? "writes" : "reads";
  if (index < 0 || index >= static_cast<int64_t>(regions.size()))
    throw ScheduleError(
        primitive,
        "block \"" + block.name + "\" " + which + " " + std::to_string(regions.size()) +
            " buffers; there is no buffer " + std::to_string(index),
        std::string("Pass an index into the block's ") + which + " list", ir::Var(), block.name);
  return regions[static_cast<size_t>(index)].buffer;
}

std::string unique_block_name(const ir::PrimFunc& func, const std::string& base) {
  std::set<std::string> names;
  for (const ir::Stmt& s : all_blocks(func))
    names.insert(s.as<ir::BlockRealizeNode>()->block->name);
  if (!names.count(base)) return base;
  for (int i = 1;; ++i)
    if (!names.count(base + "_" + std::to_string(i))) return base + "_" + std::to_string(i);
}

std::string derived_buffer_name(const ir::Buffer& buffer, const std::string& suffix) {
  std::string name = buffer->name + "_" + suffix;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  return name;
}

void check_storage_scope(const std::string& primitive, const std::string& scope) {
  static const char* kScopes[] = {"global", "shared",        "shared.dyn",    "local",
                                  "warp",   "wmma.matrix_a", "wmma.matrix_b", "wmma.accumulator"};
  for (const char* s : kScopes)
    if (scope == s) return;
  throw ScheduleError(
      primitive, "\"" + scope + "\" is not a storage scope",
      "Use global, shared, shared.dyn, local, warp or wmma.{matrix_a,matrix_b,accumulator}");
}

std::vector<const ir::VarNode*> vars_of(const ir::Expr& e) {
  class Collector : public ir::IRVisitor {
   public:
    std::vector<const ir::VarNode*> vars;

   protected:
    void visit_var(const ir::VarNode* op) override { vars.push_back(op); }
  } collector;
  collector.visit(e);
  return collector.vars;
}

bool is_param(const ir::PrimFunc& func, const ir::Buffer& buffer) {
  return std::find(func->params.begin(), func->params.end(), buffer) != func->params.end();
}

bool region_has(const std::vector<ir::BufferRegion>& regions, const ir::Buffer& buffer) {
  return std::any_of(regions.begin(), regions.end(),
                     [&](const ir::BufferRegion& r) { return r.buffer == buffer; });
}

ir::Stmt allocating_block(const ir::PrimFunc& func, const ir::Buffer& buffer) {
  auto allocates = [&](const ir::Stmt& s) {
    const auto& allocs = s.as<ir::BlockRealizeNode>()->block->alloc_buffers;
    return std::find(allocs.begin(), allocs.end(), buffer) != allocs.end();
  };
  if (allocates(func->body)) return func->body;
  for (const ir::Stmt& s : all_blocks(func))
    if (allocates(s)) return s;
  return ir::Stmt();
}

ir::PrimFunc add_alloc_buffer(const ir::PrimFunc& func, const ir::Stmt& scope,
                              const ir::Buffer& buffer) {
  const auto* r = scope.as<ir::BlockRealizeNode>();
  auto block = ir::copy_block(*r->block);
  block->alloc_buffers.push_back(buffer);
  return replace_stmt(func, scope.get(),
                      ir::block_realize(r->iter_values, r->predicate, std::move(block)));
}

BlockPlace locate_block(const ir::PrimFunc& func, const ir::Stmt& realize) {
  BlockPlace place;
  place.path = path_to(func, realize.get());
  for (size_t i = place.path.size() - 1; i-- > 0;) {
    if (place.path[i].kind() == ir::StmtKind::kBlockRealize) {
      place.scope_depth = i;
      break;
    }
  }
  // path[scope + 1] is the scope's body; below a sequence, its element.
  place.top_depth = place.scope_depth + 1;
  if (place.path[place.top_depth].kind() == ir::StmtKind::kSeq) ++place.top_depth;
  return place;
}

std::vector<ir::Stmt> writers_in(const ir::Stmt& scope, const ir::Buffer& buffer) {
  std::vector<ir::Stmt> out;
  for (const ir::Stmt& s : child_blocks(scope))
    if (region_has(s.as<ir::BlockRealizeNode>()->block->writes, buffer)) out.push_back(s);
  return out;
}

IndexBox iterated_box(const BlockPlace& place, const std::vector<ir::Range>& region) {
  IndexBox box;
  const auto* realize = place.path.back().as<ir::BlockRealizeNode>();
  const ir::BlockNode& block = *realize->block;
  ir::VarMap bindings;
  for (size_t k = 0; k < block.iter_vars.size(); ++k)
    bindings[block.iter_vars[k].var] = realize->iter_values[k];
  ir::arith::VarRangeMap dom;
  for (size_t i = place.top_depth; i + 1 < place.path.size(); ++i)
    if (const auto* f = place.path[i].as<ir::ForNode>())
      dom[f->loop_var] = ir::Range{f->min, f->extent};
  // A dimension wider than a point covers min + t for t in [0, extent):
  // each such t is one more iterator of the set.
  std::vector<ir::Expr> indices;
  for (size_t d = 0; d < region.size(); ++d) {
    const int64_t* extent = ir::as_const_int(region[d].extent);
    if (!extent) {
      box.error = "the region has a non-constant extent in dimension " + std::to_string(d);
      return box;
    }
    ir::Expr index = ir::substitute(region[d].min, bindings);
    if (*extent > 1) {
      ir::Var t("t" + std::to_string(d));
      dom[t] = ir::Range{ir::index_imm(0), ir::index_imm(*extent)};
      index = index + t;
    }
    indices.push_back(index);
  }
  ir::arith::IterMapResult detected = ir::arith::detect_iter_map(
      indices, dom, realize->predicate, ir::arith::IterMapLevel::kSurjective);
  if (!detected.ok) {
    box.error = detected.error;
    return box;
  }
  for (const ir::arith::IterSum& sum : detected.indices) {
    if (sum.args.size() > 1 || (sum.args.size() == 1 && sum.args[0].scale != 1)) {
      box.error = "an index is strided";
      return box;
    }
    box.min.push_back(sum.base);
    box.extent.push_back(sum.args.empty() ? 1 : sum.args[0].extent);
  }
  return box;
}

namespace {

class OwnAccessCollector : public ir::IRVisitor {
 public:
  OwnAccessCollector(const ir::Buffer& buffer, BufferAccesses* out) : buffer_(buffer), out_(out) {}

 protected:
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    if (op->buffer == buffer_) out_->loads.push_back(op->indices);
    IRVisitor::visit_buffer_load(op);
  }
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    if (op->buffer == buffer_) out_->stores.push_back(op->indices);
    IRVisitor::visit_buffer_store(op);
  }
  void visit_block_realize(const ir::BlockRealizeNode*) override {}

 private:
  const ir::Buffer& buffer_;
  BufferAccesses* out_;
};

}  // namespace

BufferAccesses own_accesses(const ir::BlockNode& block, const ir::Buffer& buffer) {
  BufferAccesses out;
  OwnAccessCollector collector(buffer, &out);
  collector.visit(block.init);
  collector.visit(block.body);
  return out;
}

bool same_indices(const std::vector<ir::Expr>& a, const std::vector<ir::Expr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!ir::arith::same_expr(a[i], b[i])) return false;
  return true;
}

void check_reads_own_writes(const std::string& primitive, const ir::Stmt& realize,
                            const ir::Buffer& buffer) {
  const ir::BlockNode& block = *realize.as<ir::BlockRealizeNode>()->block;
  BufferAccesses accesses = own_accesses(block, buffer);
  for (const auto& load : accesses.loads) {
    bool accumulator =
        block.init.defined() && !accesses.stores.empty() &&
        std::all_of(accesses.stores.begin(), accesses.stores.end(),
                    [&](const std::vector<ir::Expr>& store) { return same_indices(load, store); });
    if (!accumulator)
      throw ScheduleError(
          primitive,
          "block \"" + block.name + "\" reads `" + buffer->name +
              "` other than as the accumulator of a reduction with an init: the stand-in buffer "
              "would be read before anything wrote it",
          "Apply it to blocks that only write the buffer, or to reductions with an init", ir::Var(),
          block.name);
  }
  for (const ir::Stmt& nested : child_blocks(realize))
    check_reads_own_writes(primitive, nested, buffer);
}

}  // namespace kiln::sched

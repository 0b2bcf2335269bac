// decompose_reduction and rfactor: reshaping how a reduction block
// initialises and combines its result.
//
// Both start from a reduction block: a block with an `init` that runs when
// every reduction iter var is at its minimum. decompose_reduction moves that
// init into a block of its own, hoisted before a loop; rfactor splits the
// reduction along one of its loops into partial results (the "rf" block) and
// a block that combines them (the write-back block).
#include <algorithm>
#include <unordered_set>

#include "ir/arith/iter_map.h"
#include "ir/arith/linear_form.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "ir/substitute.h"
#include "schedule/block_analysis.h"
#include "schedule/buffer_stage.h"
#include "schedule/ir_utils.h"
#include "schedule/loop_substitution.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

using VarSet = std::unordered_set<const ir::VarNode*>;

// ---- small facts about expressions and statements

class VarUseFinder : public ir::IRVisitor {
 public:
  explicit VarUseFinder(const VarSet& vars) : vars_(vars) {}
  bool found = false;

 protected:
  void visit_var(const ir::VarNode* op) override { found |= vars_.count(op) > 0; }

 private:
  const VarSet& vars_;
};

template <typename Node>
bool uses_any(const Node& node, const VarSet& vars) {
  if (vars.empty() || !node.defined()) return false;
  VarUseFinder finder(vars);
  finder.visit(node);
  return finder.found;
}

bool region_uses_any(const ir::BufferRegion& region, const VarSet& vars) {
  return std::any_of(region.region.begin(), region.region.end(), [&](const ir::Range& r) {
    return uses_any(r.min, vars) || uses_any(r.extent, vars);
  });
}

// The loads of a statement, each as a one-element region.
class PointLoadCollector : public ir::IRVisitor {
 public:
  std::vector<ir::BufferRegion> regions;

 protected:
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    std::vector<ir::Range> region;
    for (const ir::Expr& index : op->indices)
      region.push_back({index, ir::int_imm(index.dtype(), 1)});
    regions.push_back({op->buffer, std::move(region)});
    ir::IRVisitor::visit_buffer_load(op);
  }
};

// The init moves out of the block into a block of its own, which gets the
// reads found in it. So it may use no buffer the block allocates, and it may
// read only at indices of the block's iter vars: loops or blocks inside the
// init (after blockize, pad_einsum) would leave their variables free in the
// new block's read regions.
void check_init_can_leave(const char* primitive, const ir::BlockNode& block,
                          const std::vector<ir::BufferRegion>& init_reads) {
  struct Stores : ir::IRVisitor {
    std::unordered_set<const ir::BufferNode*> buffers;
    void visit_buffer_store(const ir::BufferStoreNode* op) override {
      buffers.insert(op->buffer.get());
      ir::IRVisitor::visit_buffer_store(op);
    }
  } stores;
  stores.visit(block.init);
  const std::string hint =
      "Decompose the reduction before blockize or pad_einsum put loops and blocks in its init";
  for (const ir::Buffer& b : block.alloc_buffers) {
    if (region_has(init_reads, b) || stores.buffers.count(b.get()))
      throw ScheduleError(primitive,
                          "the init of block \"" + block.name + "\" uses `" + b->name +
                              "`, which the block allocates, so it cannot leave the block",
                          hint, ir::Var(), block.name);
  }
  std::unordered_set<const ir::VarNode*> iter_vars;
  for (const ir::IterVar& iv : block.iter_vars) iter_vars.insert(iv.var.get());
  for (const ir::BufferRegion& r : init_reads)
    for (const ir::Range& range : r.region)
      for (const ir::VarNode* v : vars_of(range.min))
        if (!iter_vars.count(v))
          throw ScheduleError(primitive,
                              "the init of block \"" + block.name + "\" reads `" + r.buffer->name +
                                  "` at an index of `" + v->name +
                                  "`, a variable of its own loops or blocks",
                              hint, ir::Var(), block.name);
}

std::vector<ir::Expr> conjuncts(const ir::Expr& predicate) {
  if (const auto* b = predicate.as<ir::BinaryNode>(); b && b->kind == ir::ExprKind::kAnd) {
    std::vector<ir::Expr> out = conjuncts(b->a);
    for (ir::Expr& e : conjuncts(b->b)) out.push_back(std::move(e));
    return out;
  }
  return {predicate};
}

ir::Expr true_expr() { return ir::int_imm(ir::DataType::Bool(), 1); }

const ir::ForNode* as_for(const ir::Stmt& s) { return s.as<ir::ForNode>(); }

std::vector<ir::BufferRegion> substitute_regions(const std::vector<ir::BufferRegion>& regions,
                                                 const ir::VarMap& map) {
  std::vector<ir::BufferRegion> out;
  for (const ir::BufferRegion& r : regions) {
    std::vector<ir::Range> ranges;
    for (const ir::Range& range : r.region)
      ranges.push_back({ir::substitute(range.min, map), ir::substitute(range.extent, map)});
    out.push_back({r.buffer, std::move(ranges)});
  }
  return out;
}

// A block name not yet used in `func`: `base`, else `base_1`, `base_2`...
std::string unused_block_name(const ir::PrimFunc& func, const std::string& base) {
  std::string name = base;
  for (int i = 1; find_block(func, name).defined(); ++i) name = base + "_" + std::to_string(i);
  return name;
}

// Copies of `loops` (outermost first) around `body`, each with a fresh loop
// variable named `<name><suffix>` that replaces the old one in `body` and in
// the copied ranges.
ir::Stmt copy_loop_nest(const std::vector<ir::Stmt>& loops, const std::string& suffix,
                        ir::Stmt body) {
  ir::VarMap map;
  for (const ir::Stmt& s : loops)
    map[as_for(s)->loop_var] =
        as_for(s)->loop_var.copy_with_name(as_for(s)->loop_var.name() + suffix);
  body = ir::substitute(body, map);
  for (size_t i = loops.size(); i-- > 0;) {
    const auto* f = as_for(loops[i]);
    body = ir::for_loop(ir::Var::from_expr(map.at(f->loop_var)), ir::substitute(f->min, map),
                        ir::substitute(f->extent, map), f->for_kind, body, f->thread_tag,
                        f->annotations);
  }
  return body;
}

// ---- the reduction block and its loops

// A reduction block with the loops between it and its scope (the nearest
// enclosing block), outermost first.
struct ReductionSite {
  ir::Stmt realize_stmt;
  const ir::BlockRealizeNode* realize;
  const ir::BlockNode* block;
  std::vector<ir::Stmt> loops;
  // Loop variables used by the bindings of spatial / reduction iter vars.
  VarSet spatial_loop_vars, reduction_loop_vars;
  VarSet reduction_iter_vars;
};

// Step 1 of both primitives: the block must be a reduction block whose
// bindings are affine maps of its loops and whose result location does not
// depend on the reduction.
ReductionSite check_reduction_block(const std::string& primitive, const ir::PrimFunc& func,
                                    const ir::Stmt& realize_stmt) {
  ReductionSite site{
      realize_stmt, realize_stmt.as<ir::BlockRealizeNode>(), nullptr, {}, {}, {}, {}};
  site.block = site.realize->block.get();
  const std::string& name = site.block->name;
  if (!site.block->init.defined())
    throw ScheduleError(
        primitive, "block \"" + name + "\" has no init, so it is not a reduction block",
        "Apply " + primitive +
            " to a block with `with init():` (a sum, max or min over reduction axes)",
        ir::Var(), name);
  site.loops = enclosing_loops(func, realize_stmt.get());
  ir::arith::VarRangeMap dom;
  for (const ir::Stmt& s : site.loops) {
    const auto* f = as_for(s);
    if (!ir::as_const_int(f->min) || !ir::as_const_int(f->extent))
      throw ScheduleError(
          primitive,
          "loop `" + f->loop_var.name() + "` above block \"" + name + "\" has a non-constant range",
          "Reductions are rewritten only under loops with constant bounds", f->loop_var, name);
    dom[f->loop_var] = ir::Range{f->min, f->extent};
  }
  for (size_t i = 0; i < site.block->iter_vars.size(); ++i) {
    const ir::IterVar& iv = site.block->iter_vars[i];
    VarSet& loop_vars =
        iv.kind == ir::IterKind::kReduction ? site.reduction_loop_vars : site.spatial_loop_vars;
    for (const ir::Stmt& s : site.loops)
      if (uses_any(site.realize->iter_values[i], VarSet{as_for(s)->loop_var.get()}))
        loop_vars.insert(as_for(s)->loop_var.get());
    if (iv.kind == ir::IterKind::kReduction) site.reduction_iter_vars.insert(iv.var.get());
  }
  for (const ir::BufferRegion& w : site.block->writes)
    if (region_uses_any(w, site.reduction_iter_vars))
      throw ScheduleError(
          primitive,
          "block \"" + name + "\" writes `" + w.buffer->name +
              "` at places that depend on its reduction iter vars",
          "Only blocks whose result location depends on spatial iter vars alone are reductions",
          ir::Var(), name);
  if (uses_any(site.block->init, site.reduction_iter_vars))
    throw ScheduleError(primitive,
                        "the init of block \"" + name + "\" uses its reduction iter vars",
                        "The init may depend on spatial iter vars only", ir::Var(), name);
  ir::arith::IterMapResult affine =
      ir::arith::detect_iter_map(site.realize->iter_values, dom, site.realize->predicate,
                                 ir::arith::IterMapLevel::kSurjective);
  if (!affine.ok)
    throw ScheduleError(
        primitive,
        "the bindings of block \"" + name + "\" are not affine maps of its loops: " + affine.error,
        "Reductions are rewritten only for blocks bound by splits and fusions of loops", ir::Var(),
        name);
  return site;
}

// The loops of `site` from the one of `loop_var` down to the block.
std::vector<ir::Stmt> loops_from(const ReductionSite& site, const ir::Var& loop_var) {
  auto it = std::find_if(site.loops.begin(), site.loops.end(),
                         [&](const ir::Stmt& s) { return as_for(s)->loop_var.same_as(loop_var); });
  return std::vector<ir::Stmt>(it, site.loops.end());
}

// Both primitives move the init (or part of the reduction) out of the loops
// `inner`, so within one iteration of the loops above them every block
// instance must run once: no two iterations of `inner` may reach the same
// iter var values (as a loop that no binding uses, or `i // 4`, would: the
// original re-runs init there, the rewritten program would not).
void check_instances_distinct(const std::string& primitive, const ReductionSite& site,
                              const std::vector<ir::Stmt>& inner) {
  ir::VarMap outer_at_min;
  ir::arith::VarRangeMap dom;
  ir::arith::Analyzer analyzer;
  for (const ir::Stmt& s : site.loops) {
    const auto* f = as_for(s);
    bool is_inner =
        std::any_of(inner.begin(), inner.end(), [&](const ir::Stmt& l) { return l.same_as(s); });
    if (!is_inner) {
      outer_at_min[f->loop_var] = f->min;
      continue;
    }
    dom[f->loop_var] = ir::Range{f->min, f->extent};
    analyzer.bind(f->loop_var, ir::Range{f->min, f->extent});
  }
  std::vector<ir::Expr> values;
  for (const ir::Expr& v : site.realize->iter_values)
    values.push_back(analyzer.simplify(ir::substitute(v, outer_at_min)));
  VarSet inner_vars;
  for (const ir::Stmt& s : inner) inner_vars.insert(as_for(s)->loop_var.get());
  ir::Expr predicate = true_expr();
  for (const ir::Expr& c : conjuncts(site.realize->predicate)) {
    ir::Expr at_min = analyzer.simplify(ir::substitute(c, outer_at_min));
    if (uses_any(at_min, inner_vars) && !analyzer.can_prove(at_min))
      predicate = ir::logical_and(predicate, at_min);
  }
  ir::arith::IterMapResult bijective = ir::arith::detect_iter_map(
      values, dom, analyzer.simplify(predicate), ir::arith::IterMapLevel::kBijective);
  if (!bijective.ok)
    throw ScheduleError(primitive,
                        "the loops from `" + as_for(inner.front())->loop_var.name() +
                            "` down run some instances of block \"" + site.block->name +
                            "\" more than once: " + bijective.error,
                        "Apply " + primitive +
                            " at a loop under which every iteration is a distinct block instance",
                        as_for(inner.front())->loop_var, site.block->name);
}

// Moving part of the reduction before `loop` is only safe when no other
// block under `loop` writes what that part reads or writes: it would now run
// before that block instead of after it.
void check_no_other_writer(const std::string& primitive, const ir::Stmt& loop,
                           const ReductionSite& site, const std::vector<ir::Buffer>& buffers) {
  for (const ir::Stmt& s : child_blocks(loop)) {
    if (s.same_as(site.realize_stmt)) continue;
    const ir::BlockNode* other = s.as<ir::BlockRealizeNode>()->block.get();
    for (const ir::BufferRegion& w : other->writes)
      if (std::find(buffers.begin(), buffers.end(), w.buffer) != buffers.end())
        throw ScheduleError(
            primitive,
            "block \"" + other->name + "\" under loop `" + as_for(loop)->loop_var.name() +
                "` writes `" + w.buffer->name + "`, which the moved part of block \"" +
                site.block->name + "\" accesses",
            "Apply " + primitive + " at a loop that holds no other block writing `" +
                w.buffer->name + "`",
            as_for(loop)->loop_var, site.block->name);
  }
}

// `predicate` where every loop in `loops` is at its minimum: the condition
// under which the instance that runs the init (all reduction iter vars at
// their minimum, i.e. all their loops at theirs) runs.
ir::Expr predicate_at_loop_min(const ir::Expr& predicate, const std::vector<ir::Stmt>& loops,
                               const ir::arith::Analyzer& analyzer) {
  ir::VarMap at_min;
  for (const ir::Stmt& s : loops) at_min[as_for(s)->loop_var] = as_for(s)->min;
  ir::Expr p = analyzer.simplify(ir::substitute(predicate, at_min));
  return analyzer.can_prove(p) ? true_expr() : p;
}

// ---- reducers

struct Reducer {
  ir::ExprKind combiner;
  // The value x for which combine(x, y) == y.
  ir::Expr (*identity)(ir::DataType);
};

const Reducer* find_reducer(ir::ExprKind kind) {
  static const Reducer kReducers[] = {
      {ir::ExprKind::kAdd, [](ir::DataType t) { return ir::make_zero(t); }},
      {ir::ExprKind::kMul, [](ir::DataType t) { return ir::make_const(t, 1); }},
      {ir::ExprKind::kMax, [](ir::DataType t) { return ir::min_value(t); }},
      {ir::ExprKind::kMin, [](ir::DataType t) { return ir::max_value(t); }},
  };
  for (const Reducer& r : kReducers)
    if (r.combiner == kind) return &r;
  return nullptr;
}

// A block body `W[I] = combine(W[I], x)` (or `combine(x, W[I])`).
struct MatchedReduction {
  const Reducer* reducer;
  const ir::BufferStoreNode* update;
  const ir::BufferStoreNode* init;
  ir::Expr rhs;  // x
};

bool reads_buffer(const ir::Expr& e, const ir::Buffer& buffer) {
  PointLoadCollector loads;
  loads.visit(e);
  return std::any_of(loads.regions.begin(), loads.regions.end(),
                     [&](const ir::BufferRegion& r) { return r.buffer == buffer; });
}

bool same_indices(const std::vector<ir::Expr>& a, const std::vector<ir::Expr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!a[i].same_as(b[i]) && !ir::structural_equal(a[i], b[i])) return false;
  return true;
}

MatchedReduction match_reduction(const ReductionSite& site) {
  const std::string& name = site.block->name;
  const std::string hint =
      "rfactor supports `W[...] = W[...] + x` (also *, max, min) with an init storing to the same "
      "place";
  const auto* update = site.block->body.as<ir::BufferStoreNode>();
  const auto* init = site.block->init.as<ir::BufferStoreNode>();
  if (!update || !init || site.block->writes.size() != 1 ||
      update->buffer != site.block->writes[0].buffer || init->buffer != update->buffer ||
      !same_indices(init->indices, update->indices))
    throw ScheduleError(
        "rfactor",
        "block \"" + name +
            "\" is not a single store into the one buffer it writes, initialised in place",
        hint, ir::Var(), name);
  const auto* combine = update->value.as<ir::BinaryNode>();
  const Reducer* reducer = combine ? find_reducer(combine->kind) : nullptr;
  auto is_self_load = [&](const ir::Expr& e) {
    const auto* load = e.as<ir::BufferLoadNode>();
    return load && load->buffer == update->buffer && same_indices(load->indices, update->indices);
  };
  if (reducer && is_self_load(combine->a) && !reads_buffer(combine->b, update->buffer))
    return {reducer, update, init, combine->b};
  if (reducer && is_self_load(combine->b) && !reads_buffer(combine->a, update->buffer))
    return {reducer, update, init, combine->a};
  throw ScheduleError("rfactor",
                      "the update of block \"" + name +
                          "\" is not a known reducer (sum, product, max or min of `" +
                          update->buffer->name + "` with a value that does not read it)",
                      hint, ir::Var(), name);
}

// rfactor keeps every conjunct of the predicate in the rf block and, for the
// write-back block, evaluates it with the removed reduction loops at their
// minimum. That is exact when each conjunct that involves them only grows
// with them (`k0*4 + k1 < 62`, as splits make): then a partial result that
// has any contribution also has the one at the minimum, which runs its init.
void check_predicate_monotone(const ReductionSite& site, const VarSet& removed) {
  for (const ir::Expr& c : conjuncts(site.realize->predicate)) {
    if (!uses_any(c, removed)) continue;
    const auto* cmp = c.as<ir::BinaryNode>();
    bool ok = cmp && (cmp->kind == ir::ExprKind::kLT || cmp->kind == ir::ExprKind::kLE) &&
              !uses_any(cmp->b, removed);
    if (ok) {
      ir::arith::LinearForm lhs = ir::arith::LinearForm::from_expr(cmp->a);
      for (const ir::arith::LinearTerm& t : lhs.terms())
        if (uses_any(t.atom, removed) && (!t.atom.as<ir::VarNode>() || t.coef <= 0)) ok = false;
    }
    if (!ok)
      throw ScheduleError(
          "rfactor",
          "the predicate `" + ir::to_script(c) + "` of block \"" + site.block->name +
              "\" is not an upper bound that grows with the reduction loops",
          "rfactor handles the predicates that split adds; apply rfactor before other rewrites",
          ir::Var(), site.block->name);
  }
}

}  // namespace

BlockRV Schedule::decompose_reduction(BlockRV block, LoopRV loop) {
  return guard([&] {
    // Step 1. The loop must be above the block, within its scope, and above
    // every loop the reduction iter vars use.
    ir::Stmt realize_stmt = block_stmt(block);
    ir::Stmt loop_s = loop_stmt(loop);
    const ir::Var target = as_for(loop_s)->loop_var;
    const std::string name = block_name(block);
    std::vector<ir::Stmt> enclosing = enclosing_loops(func_, realize_stmt.get());
    if (std::none_of(enclosing.begin(), enclosing.end(),
                     [&](const ir::Stmt& s) { return s.same_as(loop_s); }))
      throw ScheduleError(
          "decompose_reduction",
          "loop `" + target.name() + "` is not an ancestor of block \"" + name + "\"",
          "Pass one of the loops get_loops(block) returns (below the nearest enclosing block)",
          target, name);
    ReductionSite site = check_reduction_block("decompose_reduction", func_, realize_stmt);
    std::vector<ir::Stmt> inner = loops_from(site, target);
    for (const ir::Stmt& s : site.loops) {
      if (s.same_as(loop_s)) break;
      if (site.reduction_loop_vars.count(as_for(s)->loop_var.get()))
        throw ScheduleError("decompose_reduction",
                            "loop `" + as_for(s)->loop_var.name() + "`, above loop `" +
                                target.name() + "`, carries the reduction of block \"" + name +
                                "\": the init would run once where the reduction restarts",
                            "Decompose at loop `" + as_for(s)->loop_var.name() + "` or higher",
                            target, name);
    }
    check_instances_distinct("decompose_reduction", site, inner);
    PointLoadCollector init_reads;
    init_reads.visit(site.block->init);
    check_init_can_leave("decompose_reduction", *site.block, init_reads.regions);
    std::vector<ir::Buffer> init_buffers;
    for (const ir::BufferRegion& r : init_reads.regions) init_buffers.push_back(r.buffer);
    for (const ir::BufferRegion& w : site.block->writes) init_buffers.push_back(w.buffer);
    check_no_other_writer("decompose_reduction", loop_s, site, init_buffers);

    // Step 2. The init block: one spatial iter var per spatial iter var of
    // the reduction, over copies of the loops under `loop` its bindings use.
    std::vector<ir::Stmt> kept, dropped;
    for (const ir::Stmt& s : inner)
      (site.spatial_loop_vars.count(as_for(s)->loop_var.get()) ? kept : dropped).push_back(s);
    ir::arith::Analyzer analyzer = analyzer_for(func_, realize_stmt.get());
    auto init_block = std::make_shared<ir::BlockNode>();
    const std::string init_name = unused_block_name(func_, name + "_init");
    init_block->name = init_name;
    init_block->annotations = site.block->annotations;
    ir::VarMap iter_map;
    std::vector<ir::Expr> init_values;
    for (size_t i = 0; i < site.block->iter_vars.size(); ++i) {
      const ir::IterVar& iv = site.block->iter_vars[i];
      if (iv.kind != ir::IterKind::kSpatial) continue;
      ir::Var copy = iv.var.copy_with_name(iv.var.name());
      iter_map[iv.var] = copy;
      init_block->iter_vars.push_back({copy, iv.dom, ir::IterKind::kSpatial});
      init_values.push_back(site.realize->iter_values[i]);
    }
    init_block->body = ir::substitute(site.block->init, iter_map);
    init_block->writes = substitute_regions(site.block->writes, iter_map);
    init_block->reads = substitute_regions(init_reads.regions, iter_map);
    // The original runs the init where the dropped (reduction-only) loops are
    // at their minimum; the init block runs exactly there.
    ir::Expr init_predicate = predicate_at_loop_min(site.realize->predicate, dropped, analyzer);
    ir::Stmt init_nest = copy_loop_nest(
        kept, "_init", ir::block_realize(init_values, init_predicate, std::move(init_block)));

    // Step 3. The update block: the same block without init; it now reads
    // what it accumulates into.
    auto update_block = ir::copy_block(*site.block);
    update_block->init = ir::Stmt();
    std::vector<ir::BufferRegion> reads;
    for (const ir::BufferRegion& w : site.block->writes)
      if (std::none_of(site.block->reads.begin(), site.block->reads.end(),
                       [&](const ir::BufferRegion& r) { return r.buffer == w.buffer; }))
        reads.push_back(w);
    reads.insert(reads.end(), site.block->reads.begin(), site.block->reads.end());
    update_block->reads = std::move(reads);

    // Step 4. Replace the block, then put the init nest right before `loop`.
    ir::PrimFunc updated =
        replace_stmt(func_, realize_stmt.get(),
                     ir::block_realize(site.realize->iter_values, site.realize->predicate,
                                       std::move(update_block)));
    ir::Stmt moved_loop = find_loop(updated, target);
    set_func(replace_stmt(updated, moved_loop.get(), ir::seq({init_nest, moved_loop})));
    BlockRV out = add_block(init_name);
    record("decompose_reduction", {block, loop}, {}, {out});
    return out;
  });
}

BlockRV Schedule::rfactor(LoopRV loop, int factor_axis) {
  return guard([&] {
    // Step 1. The loop must be serial and hold exactly one block, a reduction.
    ir::Stmt rf_loop_s = loop_stmt(loop);
    const ir::ForNode* rf_loop = as_for(rf_loop_s);
    const ir::Var rf_var = rf_loop->loop_var;
    if (rf_loop->for_kind != ir::ForKind::kSerial)
      throw ScheduleError("rfactor",
                          "loop `" + rf_var.name() + "` is " +
                              ir::for_kind_name(rf_loop->for_kind) + ", not serial",
                          "Apply rfactor before parallel/vectorize/unroll/bind", rf_var);
    std::vector<ir::Stmt> children = child_blocks(rf_loop_s);
    if (children.size() != 1)
      throw ScheduleError("rfactor",
                          "loop `" + rf_var.name() + "` holds " + std::to_string(children.size()) +
                              " blocks, not one",
                          "Apply rfactor to a loop whose body is a single reduction block", rf_var);
    ReductionSite site = check_reduction_block("rfactor", func_, children[0]);
    const std::string& name = site.block->name;

    // Step 2. The loop structure (as TVM): no loop serves both spatial and
    // reduction iter vars; the rfactor loop serves only reduction ones;
    // under the outermost reduction loop there is only this block and no
    // loop of extent > 1 that no iter var uses.
    if (!site.reduction_loop_vars.count(rf_var.get()) || site.spatial_loop_vars.count(rf_var.get()))
      throw ScheduleError(
          "rfactor",
          "loop `" + rf_var.name() + "` is not a reduction loop of block \"" + name + "\": " +
              (site.spatial_loop_vars.count(rf_var.get()) ? "a spatial iter var uses it"
                                                          : "no reduction iter var uses it"),
          "Pass a loop that only reduction iter vars are bound to", rf_var, name);
    const ir::Stmt* first_reduction_loop = nullptr;
    for (const ir::Stmt& s : site.loops) {
      const auto* f = as_for(s);
      bool spatial = site.spatial_loop_vars.count(f->loop_var.get()) > 0;
      bool reduction = site.reduction_loop_vars.count(f->loop_var.get()) > 0;
      if (spatial && reduction)
        throw ScheduleError(
            "rfactor",
            "loop `" + f->loop_var.name() +
                "` is used by both spatial and reduction iter vars of block \"" + name + "\"",
            "Do not fuse spatial and reduction loops before rfactor", f->loop_var, name);
      if (reduction && !first_reduction_loop) {
        first_reduction_loop = &s;
        if (child_blocks(s).size() != 1)
          throw ScheduleError(
              "rfactor",
              "the outermost reduction loop `" + f->loop_var.name() + "` of block \"" + name +
                  "\" holds other blocks",
              "Apply rfactor before computing other blocks under the reduction loops", f->loop_var,
              name);
      }
      if (first_reduction_loop && !spatial && !reduction && !is_const_int(f->extent, 1))
        throw ScheduleError("rfactor",
                            "loop `" + f->loop_var.name() +
                                "` under the reduction loops of block \"" + name +
                                "\" is used by no iter var",
                            "Only unit loops may lie under a reduction loop without being bound",
                            f->loop_var, name);
    }
    const ir::Stmt& outermost = site.loops.front();
    if (!child_blocks(outermost)[0].same_as(site.realize_stmt))
      throw ScheduleError("rfactor",
                          "block \"" + name +
                              "\" is not the first block under its outermost loop `" +
                              as_for(outermost)->loop_var.name() + "`",
                          "The rf block is placed before that loop, so nothing may have to run "
                          "before the reduction there",
                          as_for(outermost)->loop_var, name);
    check_instances_distinct("rfactor", site,
                             loops_from(site, as_for(*first_reduction_loop)->loop_var));
    std::vector<ir::Buffer> accessed;
    for (const auto* regions : {&site.block->reads, &site.block->writes})
      for (const ir::BufferRegion& r : *regions) accessed.push_back(r.buffer);
    check_no_other_writer("rfactor", outermost, site, accessed);
    VarSet removed = site.reduction_loop_vars;
    removed.erase(rf_var.get());
    check_predicate_monotone(site, removed);

    // Step 3. The reducer and the axis of the partial results.
    MatchedReduction reduction = match_reduction(site);
    const ir::Buffer& result = reduction.update->buffer;
    const int ndim = static_cast<int>(result->shape.size());
    if (factor_axis < -(ndim + 1) || factor_axis > ndim)
      throw ScheduleError(
          "rfactor",
          "factor_axis " + std::to_string(factor_axis) + " is out of range for `" + result->name +
              "` (" + std::to_string(ndim) + " dimensions)",
          "Use an axis in [" + std::to_string(-(ndim + 1)) + ", " + std::to_string(ndim) + "]",
          rf_var, name);
    const size_t axis = static_cast<size_t>(factor_axis < 0 ? factor_axis + ndim + 1 : factor_axis);

    // Step 4. The rf buffer: the result with one more dimension, over the
    // values of the rfactor loop.
    std::vector<ir::Expr> rf_shape = result->shape;
    rf_shape.insert(rf_shape.begin() + static_cast<std::ptrdiff_t>(axis), rf_loop->extent);
    ir::Buffer rf_buffer =
        ir::make_buffer(result->name + "_rf", result->dtype, rf_shape, result->scope);

    // Step 5. The rf block: the rfactor loop becomes a spatial iter var; each
    // reduction iter var that used it is replaced by one reduction iter var
    // per loop it used; the others keep their bindings.
    auto rf_block = std::make_shared<ir::BlockNode>();
    rf_block->name = unused_block_name(func_, name + "_rf");
    rf_block->annotations = site.block->annotations;
    std::vector<ir::Expr> rf_values;
    ir::VarMap loop_to_iter;
    auto add_loop_iter = [&](const ir::ForNode* f, ir::IterKind kind) {
      ir::Var v("v" + f->loop_var.name(), f->loop_var.dtype());
      rf_block->iter_vars.push_back({v, ir::Range{f->min, f->extent}, kind});
      rf_values.push_back(f->loop_var);
      loop_to_iter[f->loop_var] = v;
      return v;
    };
    const ir::Var rf_iter = add_loop_iter(rf_loop, ir::IterKind::kSpatial);
    ir::VarMap old_iter_to_new;
    for (size_t i = 0; i < site.block->iter_vars.size(); ++i) {
      const ir::IterVar& iv = site.block->iter_vars[i];
      const ir::Expr& binding = site.realize->iter_values[i];
      if (iv.kind == ir::IterKind::kSpatial || !uses_var(binding, rf_var)) {
        rf_block->iter_vars.push_back(iv);
        rf_values.push_back(binding);
        continue;
      }
      for (const ir::Stmt& s : site.loops)
        if (uses_var(binding, as_for(s)->loop_var) && !loop_to_iter.count(as_for(s)->loop_var))
          add_loop_iter(as_for(s), ir::IterKind::kReduction);
      old_iter_to_new[iv.var] = ir::substitute(binding, loop_to_iter);
    }
    std::vector<ir::Expr> rf_indices = reduction.update->indices;
    rf_indices.insert(rf_indices.begin() + static_cast<std::ptrdiff_t>(axis), rf_iter);
    rf_indices = [&] {
      std::vector<ir::Expr> out;
      for (const ir::Expr& e : rf_indices) out.push_back(ir::substitute(e, old_iter_to_new));
      return out;
    }();
    ir::Expr rf_load = ir::buffer_load(rf_buffer, rf_indices);
    rf_block->body = ir::buffer_store(rf_buffer,
                                      ir::binary(reduction.reducer->combiner, rf_load,
                                                 ir::substitute(reduction.rhs, old_iter_to_new)),
                                      rf_indices);
    rf_block->init =
        ir::buffer_store(rf_buffer, reduction.reducer->identity(result->dtype), rf_indices);
    auto rf_regions = [&](const std::vector<ir::BufferRegion>& regions) {
      std::vector<ir::BufferRegion> out;
      for (const ir::BufferRegion& r : substitute_regions(regions, old_iter_to_new)) {
        if (r.buffer != result) {
          out.push_back(r);
          continue;
        }
        std::vector<ir::Range> region = r.region;
        region.insert(region.begin() + static_cast<std::ptrdiff_t>(axis),
                      ir::Range{rf_iter, ir::int_imm(rf_iter.dtype(), 1)});
        out.push_back({rf_buffer, std::move(region)});
      }
      return out;
    };
    rf_block->reads = rf_regions(site.block->reads);
    rf_block->writes = rf_regions(site.block->writes);
    const std::string rf_name = rf_block->name;
    ir::Stmt rf_nest = copy_loop_nest(
        site.loops, "", ir::block_realize(rf_values, site.realize->predicate, std::move(rf_block)));

    // Step 6. The write-back block: combines the partial results over the
    // rfactor loop into the result, under the spatial loops.
    auto wb_block = std::make_shared<ir::BlockNode>();
    wb_block->name = name;
    wb_block->annotations = site.block->annotations;
    std::vector<ir::Expr> wb_values;
    ir::Var wb_rf_iter = rf_iter.copy_with_name(rf_iter.name());
    wb_block->iter_vars.push_back(
        {wb_rf_iter, ir::Range{rf_loop->min, rf_loop->extent}, ir::IterKind::kReduction});
    wb_values.push_back(rf_var);
    ir::VarMap wb_map{{rf_iter, wb_rf_iter}};
    for (size_t i = 0; i < site.block->iter_vars.size(); ++i) {
      const ir::IterVar& iv = site.block->iter_vars[i];
      if (iv.kind != ir::IterKind::kSpatial) continue;
      ir::Var copy = iv.var.copy_with_name(iv.var.name());
      wb_map[iv.var] = copy;
      wb_block->iter_vars.push_back({copy, iv.dom, ir::IterKind::kSpatial});
      wb_values.push_back(site.realize->iter_values[i]);
    }
    std::vector<ir::Expr> wb_indices, wb_rf_indices;
    for (const ir::Expr& e : reduction.update->indices)
      wb_indices.push_back(ir::substitute(e, wb_map));
    for (const ir::Expr& e : rf_indices) wb_rf_indices.push_back(ir::substitute(e, wb_map));
    ir::Expr wb_rf_load = ir::buffer_load(rf_buffer, wb_rf_indices);
    wb_block->body = ir::buffer_store(
        result,
        ir::binary(reduction.reducer->combiner, ir::buffer_load(result, wb_indices), wb_rf_load),
        wb_indices);
    wb_block->init =
        ir::buffer_store(result, ir::substitute(reduction.init->value, wb_map), wb_indices);
    auto point_region = [](const ir::Buffer& b, const std::vector<ir::Expr>& indices) {
      std::vector<ir::Range> region;
      for (const ir::Expr& index : indices)
        region.push_back({index, ir::int_imm(index.dtype(), 1)});
      return ir::BufferRegion{b, std::move(region)};
    };
    wb_block->reads = {point_region(rf_buffer, wb_rf_indices)};
    wb_block->writes = {point_region(result, wb_indices)};
    std::vector<ir::Stmt> removed_loops;
    for (const ir::Stmt& s : site.loops)
      if (removed.count(as_for(s)->loop_var.get())) removed_loops.push_back(s);
    ir::Expr wb_predicate = predicate_at_loop_min(site.realize->predicate, removed_loops,
                                                  analyzer_for(func_, site.realize_stmt.get()));

    // Step 7. Replace the block by the write-back block, put the rf nest
    // before the outermost loop, drop the removed loops around the
    // write-back block and allocate the rf buffer in the scope block.
    const ir::Var outermost_var = as_for(outermost)->loop_var;
    ir::Stmt scope = enclosing_block(func_, site.realize_stmt.get());
    const std::string scope_name = scope.as<ir::BlockRealizeNode>()->block->name;
    const bool scope_is_root = scope.same_as(func_->body);
    ir::PrimFunc out =
        replace_stmt(func_, site.realize_stmt.get(),
                     ir::block_realize(wb_values, wb_predicate, std::move(wb_block)));
    ir::Stmt outer_now = find_loop(out, outermost_var);
    out = replace_stmt(out, outer_now.get(), ir::seq({rf_nest, outer_now}));
    for (size_t i = removed_loops.size(); i-- > 0;) {
      ir::Stmt l = find_loop(out, as_for(removed_loops[i])->loop_var);
      out = replace_stmt(out, l.get(), as_for(l)->body);
    }
    ir::Stmt scope_now = scope_is_root ? out->body : find_block(out, scope_name);
    const auto* scope_realize = scope_now.as<ir::BlockRealizeNode>();
    auto scope_block = ir::copy_block(*scope_realize->block);
    scope_block->alloc_buffers.push_back(rf_buffer);
    out = replace_stmt(out, scope_now.get(),
                       ir::block_realize(scope_realize->iter_values, scope_realize->predicate,
                                         std::move(scope_block)));
    set_func(std::move(out));
    BlockRV rf = add_block(rf_name);
    record("rfactor", {loop}, {int64_t{factor_axis}}, {rf});
    return rf;
  });
}

void register_reduction_instructions() {
  register_instruction_kind({"decompose_reduction",
                             false,
                             false,
                             {},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>&, const std::optional<Decision>&) {
                               return std::vector<RV>{
                                   sch.decompose_reduction(input_block(in, 0), input_loop(in, 1))};
                             },
                             nullptr});
  register_instruction_kind(
      {"rfactor",
       false,
       false,
       {"factor_axis"},
       [](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         return std::vector<RV>{
             sch.rfactor(input_loop(in, 0), static_cast<int>(attr_as<int64_t>(attrs, 0)))};
       },
       nullptr});
}

}  // namespace kiln::sched

// pad_einsum and decompose_padding: making a block's iteration domain a
// multiple of a tile by padding its buffers, and splitting a padding block
// into a constant fill and an in-bounds copy.
//
// pad_einsum works on einsum-like blocks: every buffer access indexes by the
// block's iter vars directly, each iter var bound to one loop of a perfect
// nest. The inputs are copied into zero-filled padded buffers, the block runs
// over the padded domain into a padded output, and the original region of the
// output is copied back. A padded reduction instance must leave the result
// alone, which holds for `C = C + e` when `e` is zero wherever a padded input
// reads its zero padding.
#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "ir/functor.h"
#include "ir/op.h"
#include "ir/substitute.h"
#include "schedule/ir_utils.h"
#include "schedule/loop_substitution.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

const ir::ForNode* as_for(const ir::Stmt& s) { return s.as<ir::ForNode>(); }

bool is_constant(const ir::Expr& e) { return e.as<ir::IntImmNode>() || e.as<ir::FloatImmNode>(); }

// The parts of a padding block's store: Buffer[indices] = select(condition,
// in_bounds_value, pad_value).
struct PaddingStore {
  const ir::BufferStoreNode* store;
  const ir::SelectNode* select;
};

// Every block under a statement that reads or writes `buffer`, by name.
class BufferAccessorFinder : public ir::IRVisitor {
 public:
  explicit BufferAccessorFinder(const ir::Buffer& buffer) : buffer_(buffer) {}
  std::vector<std::string> names;

 protected:
  void visit_block(const ir::BlockNode* op) override {
    auto touches = [&](const std::vector<ir::BufferRegion>& regions) {
      return std::any_of(regions.begin(), regions.end(),
                         [&](const ir::BufferRegion& r) { return r.buffer == buffer_; });
    };
    if (touches(op->reads) || touches(op->writes)) names.push_back(op->name);
    ir::IRVisitor::visit_block(op);
  }

 private:
  const ir::Buffer& buffer_;
};

// Step 1 of decompose_padding: the block must be a spatial block without
// init writing one buffer with a padding store.
PaddingStore check_padding_block(const ir::BlockNode* block) {
  auto refuse = [&](const std::string& why) {
    return ScheduleError("decompose_padding", "block \"" + block->name + "\" " + why,
                         "Decompose a padding block: B[v...] = select(in_bounds, X[...], constant)",
                         ir::Var(), block->name);
  };
  if (block->init.defined() ||
      std::any_of(block->iter_vars.begin(), block->iter_vars.end(),
                  [](const ir::IterVar& iv) { return iv.kind != ir::IterKind::kSpatial; }))
    throw refuse("is a reduction block");
  if (block->writes.size() != 1)
    throw refuse("writes " + std::to_string(block->writes.size()) + " buffers, not 1");
  const auto* store = block->body.as<ir::BufferStoreNode>();
  if (!store || store->buffer != block->writes[0].buffer)
    throw refuse("is not a single store to the buffer it writes");
  const auto* select = store->value.as<ir::SelectNode>();
  if (!select || !is_constant(select->false_value) || is_constant(select->condition))
    throw refuse("does not store select(condition, value, constant)");
  if (std::any_of(block->reads.begin(), block->reads.end(),
                  [&](const ir::BufferRegion& r) { return r.buffer == store->buffer; }))
    throw refuse("reads the buffer it pads");
  return {store, select};
}

// A block name not yet used in `func`: `base`, else `base_1`, `base_2`...
std::string unused_block_name(const ir::PrimFunc& func, const std::string& base) {
  std::string name = base;
  for (int i = 1; find_block(func, name).defined(); ++i) name = base + "_" + std::to_string(i);
  return name;
}

// ---- pad_einsum

// A block's iter var, by its Var node, to its position.
using IterIndex = std::unordered_map<const ir::VarNode*, size_t>;

// Each access of a block as the iter var positions it indexes by.
class EinsumAccessCollector : public ir::IRVisitor {
 public:
  explicit EinsumAccessCollector(const IterIndex& iters) : iters_(iters) {}
  // Per buffer: the iter var positions of its first access.
  std::map<std::string, std::pair<ir::Buffer, std::vector<size_t>>> accesses;
  std::vector<const ir::BufferLoadNode*> loads;
  std::string problem;

  void record(const ir::Buffer& buffer, const std::vector<ir::Expr>& indices) {
    std::vector<size_t> positions;
    for (const ir::Expr& index : indices) {
      const auto* v = index.as<ir::VarNode>();
      auto it = v ? iters_.find(v) : iters_.end();
      if (it == iters_.end()) {
        problem = "indexes buffer `" + buffer->name + "` by an expression that is not an iter var";
        return;
      }
      positions.push_back(it->second);
    }
    auto [it, inserted] = accesses.try_emplace(buffer->name, buffer, positions);
    if (!inserted && (it->second.first != buffer || it->second.second != positions))
      problem = "accesses buffer `" + buffer->name + "` with two different index patterns";
  }

 protected:
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    record(op->buffer, op->indices);
    loads.push_back(op);
    ir::IRVisitor::visit_buffer_load(op);
  }
  void visit_buffer_store(const ir::BufferStoreNode* op) override {
    record(op->buffer, op->indices);
    ir::IRVisitor::visit_buffer_store(op);
  }

 private:
  const IterIndex& iters_;
};

// True when `e` is zero wherever iter var `var` lies in the padding: a load
// of a zero-padded buffer indexed by `var`, a product or cast of one.
bool zero_in_padding(const ir::Expr& e, const ir::Var& var,
                     const std::map<std::string, ir::Buffer>& padded) {
  if (const auto* load = e.as<ir::BufferLoadNode>())
    return padded.count(load->buffer->name) &&
           std::any_of(load->indices.begin(), load->indices.end(),
                       [&](const ir::Expr& i) { return i.same_as(var); });
  if (const auto* c = e.as<ir::CastNode>()) return zero_in_padding(c->value, var, padded);
  if (const auto* b = e.as<ir::BinaryNode>(); b && b->kind == ir::ExprKind::kMul)
    return zero_in_padding(b->a, var, padded) || zero_in_padding(b->b, var, padded);
  return false;
}

// Loads and stores of the buffers in `map` redirected to their replacements.
class BufferRedirector : public ir::IRMutator {
 public:
  explicit BufferRedirector(const std::map<std::string, ir::Buffer>& map) : map_(map) {}

 protected:
  ir::Expr mutate_buffer_load(const ir::Expr& e, const ir::BufferLoadNode* op) override {
    auto it = map_.find(op->buffer->name);
    if (it == map_.end()) return ir::IRMutator::mutate_buffer_load(e, op);
    std::vector<ir::Expr> indices;
    mutate_all(op->indices, &indices);
    return ir::buffer_load(it->second, std::move(indices));
  }
  ir::Stmt mutate_buffer_store(const ir::Stmt& s, const ir::BufferStoreNode* op) override {
    auto it = map_.find(op->buffer->name);
    if (it == map_.end()) return ir::IRMutator::mutate_buffer_store(s, op);
    std::vector<ir::Expr> indices;
    mutate_all(op->indices, &indices);
    return ir::buffer_store(it->second, mutate(op->value), std::move(indices));
  }

 private:
  const std::map<std::string, ir::Buffer>& map_;
};

// A nest of fresh loops over `extents` around one spatial block `name` that
// stores `value(iter vars)` into `target[iter vars]`, reading `source` at
// the same indices where they lie below `source_extents`.
ir::Stmt copy_nest(const std::string& name, const std::vector<int64_t>& extents,
                   const ir::Buffer& target, const ir::Buffer& source,
                   const std::vector<int64_t>& source_extents,
                   const std::function<ir::Expr(const std::vector<ir::Var>&)>& value) {
  const ir::DataType t = ir::DataType::Int(32);
  std::vector<ir::Var> loops, iters;
  auto block = std::make_shared<ir::BlockNode>();
  block->name = name;
  std::vector<ir::Range> region, source_region;
  for (size_t d = 0; d < extents.size(); ++d) {
    loops.emplace_back("ax" + std::to_string(d), t);
    iters.emplace_back("v" + std::to_string(d), t);
    block->iter_vars.push_back(
        {iters.back(), {ir::int_imm(t, 0), ir::int_imm(t, extents[d])}, ir::IterKind::kSpatial});
    region.push_back({iters.back(), ir::int_imm(t, 1)});
    ir::Expr read_at = extents[d] > source_extents[d]
                           ? ir::min(iters.back(), ir::int_imm(t, source_extents[d] - 1))
                           : ir::Expr(iters.back());
    source_region.push_back({read_at, ir::int_imm(t, 1)});
  }
  block->reads = {{source, source_region}};
  block->writes = {{target, region}};
  block->body =
      ir::buffer_store(target, value(iters), std::vector<ir::Expr>(iters.begin(), iters.end()));
  ir::Stmt nest = ir::block_realize(std::vector<ir::Expr>(loops.begin(), loops.end()),
                                    ir::int_imm(ir::DataType::Bool(), 1), std::move(block));
  for (size_t d = extents.size(); d-- > 0;)
    nest = ir::for_loop(loops[d], ir::int_imm(t, 0), ir::int_imm(t, extents[d]),
                        ir::ForKind::kSerial, nest);
  return nest;
}

// The names of the function's parameters and allocated buffers.
std::set<std::string> buffer_names(const ir::PrimFunc& func) {
  struct Collector : ir::IRVisitor {
    std::set<std::string> names;
    void visit_block(const ir::BlockNode* op) override {
      for (const ir::Buffer& b : op->alloc_buffers) names.insert(b->name);
      ir::IRVisitor::visit_block(op);
    }
  } collector;
  for (const ir::Buffer& b : func->params) collector.names.insert(b->name);
  collector.visit(func->body);
  return collector.names;
}

// `base`, else `base_1`, `base_2`... whichever is not in `taken`; records it.
std::string unused_name(std::set<std::string>& taken, const std::string& base) {
  std::string name = base;
  for (int i = 1; taken.count(name); ++i) name = base + "_" + std::to_string(i);
  taken.insert(name);
  return name;
}

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

}  // namespace

void Schedule::pad_einsum(BlockRV block, const std::vector<int64_t>& padding) {
  guard([&] {
    // Step 1. Check the padding against the block's iter vars.
    ir::Stmt realize_stmt = block_stmt(block);
    const std::string name = block_name(block);
    const auto* realize = realize_stmt.as<ir::BlockRealizeNode>();
    const ir::BlockNode* old_block = realize->block.get();
    const size_t n = old_block->iter_vars.size();
    auto refuse = [&](const std::string& why, const std::string& hint) {
      return ScheduleError("pad_einsum", "block \"" + name + "\" " + why, hint, ir::Var(), name);
    };
    if (padding.size() != n)
      throw refuse("has " + std::to_string(n) + " iter vars but the padding has " +
                       std::to_string(padding.size()) + " entries",
                   "Give one padding per iter var of the block");
    if (std::any_of(padding.begin(), padding.end(), [](int64_t p) { return p < 1; }))
      throw refuse("cannot be padded to multiples of a non-positive number",
                   "Use positive paddings (1: no padding)");

    // Step 2. The block must be einsum-like: each iter var from 0 bound to
    // its own loop of a perfect nest, nothing but iter vars as indices, one
    // output buffer.
    const std::string einsum_hint =
        "pad_einsum needs a block whose buffers are indexed by its iter vars, each bound "
        "to one loop of a perfect nest (pad before split/fuse)";
    std::vector<ir::Stmt> loops = enclosing_loops(func_, realize_stmt.get());
    if (loops.size() != n || !is_const_int(realize->predicate, 1))
      throw refuse("is not bound one loop per iter var without predicate", einsum_hint);
    IterIndex iters;
    std::vector<int64_t> extents(n), padded(n);
    std::vector<const ir::ForNode*> loop_of(n);
    for (size_t i = 0; i < n; ++i) {
      const ir::IterVar& iv = old_block->iter_vars[i];
      iters[iv.var.get()] = i;
      const int64_t* extent = ir::as_const_int(iv.dom.extent);
      auto loop_it = std::find_if(loops.begin(), loops.end(), [&](const ir::Stmt& l) {
        return realize->iter_values[i].same_as(as_for(l)->loop_var);
      });
      if (!extent || !is_const_int(iv.dom.min, 0) || loop_it == loops.end() ||
          !is_const_int(as_for(*loop_it)->min, 0) ||
          !is_const_int(as_for(*loop_it)->extent, *extent))
        throw refuse(
            "binds iter var `" + iv.var.name() + "` to something other than a loop over its domain",
            einsum_hint);
      loop_of[i] = as_for(*loop_it);
      extents[i] = *extent;
      padded[i] = round_up(*extent, padding[i]);
    }
    // Each loop extends for one iter var, and only this block runs in it.
    if (std::set<const ir::ForNode*>(loop_of.begin(), loop_of.end()).size() != n)
      throw refuse("binds two iter vars to the same loop", einsum_hint);
    for (size_t l = 0; l < loops.size(); ++l)
      if (!as_for(loops[l])->body.same_as(l + 1 < loops.size() ? loops[l + 1] : realize_stmt))
        throw refuse("is not alone in a perfect loop nest", einsum_hint);
    if (old_block->writes.size() != 1)
      throw refuse("does not write exactly one buffer", einsum_hint);
    const ir::Buffer output = old_block->writes[0].buffer;
    EinsumAccessCollector body_accesses(iters), init_accesses(iters);
    body_accesses.visit(old_block->body);
    if (old_block->init.defined()) init_accesses.visit(old_block->init);
    if (!body_accesses.problem.empty()) throw refuse(body_accesses.problem, einsum_hint);
    if (!init_accesses.problem.empty()) throw refuse(init_accesses.problem, einsum_hint);
    if (!init_accesses.loads.empty()) throw refuse("reads buffers in its init", einsum_hint);

    // Step 3. The output may only be read as the accumulator of a
    // reduction, and a padded reduction instance must add zero.
    const auto* store = old_block->body.as<ir::BufferStoreNode>();
    if (!store || store->buffer != output)
      throw refuse("is not a single store to its output", einsum_hint);
    const ir::BufferLoadNode* accumulator = nullptr;
    for (const ir::BufferLoadNode* load : body_accesses.loads) {
      if (load->buffer != output) continue;
      if (!old_block->init.defined() || accumulator)
        throw refuse(
            "reads its output `" + output->name + "` other than as the accumulator of a reduction",
            "Pad a block that reads its output only as C = C + ..., with an init");
      accumulator = load;
    }
    std::map<std::string, ir::Buffer> padded_buffers;
    std::set<std::string> taken_buffer_names = buffer_names(func_);
    for (const auto& [buffer_name, access] : body_accesses.accesses) {
      const auto& [buffer, positions] = access;
      if (std::any_of(positions.begin(), positions.end(),
                      [&](size_t i) { return padded[i] != extents[i]; })) {
        std::vector<ir::Expr> shape_exprs;
        for (size_t i : positions) shape_exprs.push_back(ir::index_imm(padded[i]));
        padded_buffers[buffer_name] = ir::with_shape(
            ir::with_name(buffer, unused_name(taken_buffer_names, buffer_name + "_pad")),
            shape_exprs);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (old_block->iter_vars[i].kind != ir::IterKind::kReduction || padded[i] == extents[i])
        continue;
      const auto* add = store->value.as<ir::BinaryNode>();
      const ir::Expr* term = nullptr;
      if (add && add->kind == ir::ExprKind::kAdd && accumulator)
        term = add->a.get() == accumulator   ? &add->b
               : add->b.get() == accumulator ? &add->a
                                             : nullptr;
      if (!term || !zero_in_padding(*term, old_block->iter_vars[i].var, padded_buffers))
        throw refuse(
            "cannot be shown to add zero where reduction iter var `" +
                old_block->iter_vars[i].var.name() + "` lies in the padding",
            "Pad reductions of the form C = C + A * B..., or give this iter var padding 1");
    }

    // Step 4. The block over the padded domain, reading and writing the
    // padded buffers.
    BufferRedirector redirect(padded_buffers);
    auto new_block = ir::copy_block(*old_block);
    for (size_t i = 0; i < n; ++i)
      new_block->iter_vars[i].dom = {old_block->iter_vars[i].dom.min,
                                     ir::int_imm(old_block->iter_vars[i].var.dtype(), padded[i])};
    new_block->body = redirect.mutate(old_block->body);
    if (old_block->init.defined()) new_block->init = redirect.mutate(old_block->init);
    auto redirect_regions = [&](std::vector<ir::BufferRegion>& regions) {
      for (ir::BufferRegion& r : regions)
        if (auto it = padded_buffers.find(r.buffer->name); it != padded_buffers.end())
          r.buffer = it->second;
    };
    redirect_regions(new_block->reads);
    redirect_regions(new_block->writes);
    ir::Stmt nest =
        ir::block_realize(realize->iter_values, realize->predicate, std::move(new_block));
    for (size_t l = loops.size(); l-- > 0;) {
      const auto* f = as_for(loops[l]);
      const size_t i = std::find(loop_of.begin(), loop_of.end(), f) - loop_of.begin();
      nest = ir::for_loop(f->loop_var, f->min, ir::int_imm(f->loop_var.dtype(), padded[i]),
                          f->for_kind, nest, f->thread_tag, f->annotations);
    }

    // Step 5. Copies into the padded inputs before the nest, zero outside
    // the original extents, and the original region of the output after.
    std::vector<ir::Stmt> stages;
    std::vector<ir::Buffer> new_buffers;
    ir::Stmt write_back;
    for (const auto& [buffer_name, pad_buffer] : padded_buffers) {
      const auto& [buffer, positions] = body_accesses.accesses.at(buffer_name);
      std::vector<int64_t> inner, outer;
      for (size_t i : positions) {
        inner.push_back(extents[i]);
        outer.push_back(padded[i]);
      }
      new_buffers.push_back(pad_buffer);
      if (buffer == output) {
        write_back = copy_nest(unused_block_name(func_, buffer_name + "_unpad"), inner, buffer,
                               pad_buffer, outer, [&](const std::vector<ir::Var>& v) {
                                 return ir::buffer_load(pad_buffer,
                                                        std::vector<ir::Expr>(v.begin(), v.end()));
                               });
        continue;
      }
      stages.push_back(copy_nest(
          unused_block_name(func_, buffer_name + "_pad"), outer, pad_buffer, buffer, inner,
          [&, source_shape = ir::static_shape(buffer)](const std::vector<ir::Var>& v) {
            // Guard by the source buffer's own extents: an iter var's domain
            // may already exceed them (a block padded before).
            ir::Expr in_bounds;
            for (size_t d = 0; d < v.size(); ++d) {
              if (outer[d] <= source_shape[d]) continue;
              ir::Expr ok = ir::lt(v[d], ir::int_imm(v[d].dtype(), source_shape[d]));
              in_bounds = in_bounds.defined() ? ir::logical_and(in_bounds, ok) : ok;
            }
            ir::Expr load = ir::buffer_load(buffer, std::vector<ir::Expr>(v.begin(), v.end()));
            return in_bounds.defined() ? ir::select(in_bounds, load, ir::make_zero(buffer->dtype))
                                       : load;
          }));
    }
    stages.push_back(nest);
    if (write_back.defined()) stages.push_back(write_back);

    // Step 6. Replace the nest; the scope block allocates the new buffers.
    ir::PrimFunc func = replace_stmt(func_, loops.front().get(), ir::seq(stages));
    ir::Stmt scope = enclosing_block(func, nest.get());
    const auto* scope_realize = scope.as<ir::BlockRealizeNode>();
    auto scope_block = ir::copy_block(*scope_realize->block);
    for (const ir::Buffer& b : new_buffers) scope_block->alloc_buffers.push_back(b);
    ir::Stmt new_scope = ir::block_realize(scope_realize->iter_values, scope_realize->predicate,
                                           std::move(scope_block));
    if (scope.get() == func->body.get())
      set_func(ir::with_body(func, new_scope));
    else
      set_func(replace_stmt(func, scope.get(), new_scope));
  });
  record("pad_einsum", {block}, {padding}, {});
}

BlockRV Schedule::decompose_padding(BlockRV block, LoopRV loop) {
  return guard([&] {
    // Step 1. The loop must enclose the block within its scope; the block
    // must be a padding block, and the only block under the loop that
    // touches the padded buffer (the constant is now written before the
    // loop, so nothing under it may see the buffer half-filled).
    ir::Stmt realize_stmt = block_stmt(block);
    ir::Stmt loop_s = loop_stmt(loop);
    const ir::Var target = as_for(loop_s)->loop_var;
    const std::string name = block_name(block);
    std::vector<ir::Stmt> enclosing = enclosing_loops(func_, realize_stmt.get());
    auto at = std::find_if(enclosing.begin(), enclosing.end(),
                           [&](const ir::Stmt& s) { return s.same_as(loop_s); });
    if (at == enclosing.end())
      throw ScheduleError(
          "decompose_padding",
          "loop `" + target.name() + "` is not an ancestor of block \"" + name + "\"",
          "Pass one of the loops get_loops(block) returns (below the nearest enclosing block)",
          target, name);
    const auto* realize = realize_stmt.as<ir::BlockRealizeNode>();
    const ir::BlockNode* old_block = realize->block.get();
    PaddingStore pad = check_padding_block(old_block);
    BufferAccessorFinder accessors(pad.store->buffer);
    accessors.visit(loop_s);
    for (const std::string& other : accessors.names)
      if (other != name)
        throw ScheduleError(
            "decompose_padding",
            "block \"" + other + "\" under loop `" + target.name() + "` also accesses buffer `" +
                pad.store->buffer->name + "` that block \"" + name + "\" pads",
            "Decompose at a loop whose body holds only the padding block's nest", target, name);

    // Step 2. The constant block: the same instances as the padding block,
    // over copies of the loops from `loop` down, storing the constant.
    std::vector<ir::Stmt> nest(at, enclosing.end());
    ir::VarMap loop_map;
    for (const ir::Stmt& s : nest)
      loop_map[as_for(s)->loop_var] =
          as_for(s)->loop_var.copy_with_name(as_for(s)->loop_var.name() + "_pad_const");
    ir::VarMap iter_map;
    auto const_block = std::make_shared<ir::BlockNode>();
    const std::string const_name = unused_block_name(func_, name + "_pad_const");
    const_block->name = const_name;
    for (const ir::IterVar& iv : old_block->iter_vars) {
      ir::Var copy = iv.var.copy_with_name(iv.var.name());
      iter_map[iv.var] = copy;
      const_block->iter_vars.push_back({copy, iv.dom, ir::IterKind::kSpatial});
    }
    std::vector<ir::Expr> const_indices;
    for (const ir::Expr& index : pad.store->indices)
      const_indices.push_back(ir::substitute(index, iter_map));
    const_block->body =
        ir::buffer_store(pad.store->buffer, pad.select->false_value, std::move(const_indices));
    std::vector<ir::Range> written;
    for (const ir::Range& r : old_block->writes[0].region)
      written.push_back({ir::substitute(r.min, iter_map), ir::substitute(r.extent, iter_map)});
    const_block->writes = {{pad.store->buffer, std::move(written)}};
    std::vector<ir::Expr> const_values;
    for (const ir::Expr& v : realize->iter_values)
      const_values.push_back(ir::substitute(v, loop_map));
    ir::Stmt const_nest =
        ir::block_realize(std::move(const_values), ir::substitute(realize->predicate, loop_map),
                          std::move(const_block));
    for (size_t i = nest.size(); i-- > 0;) {
      const auto* f = as_for(nest[i]);
      const_nest =
          ir::for_loop(ir::Var::from_expr(loop_map.at(f->loop_var)),
                       ir::substitute(f->min, loop_map), ir::substitute(f->extent, loop_map),
                       f->for_kind, const_nest, f->thread_tag, f->annotations);
    }

    // Step 3. The padding block keeps its instances where the condition
    // holds (a predicate over the loops) and there copies the value.
    ir::VarMap binding;
    for (size_t i = 0; i < old_block->iter_vars.size(); ++i)
      binding[old_block->iter_vars[i].var] = realize->iter_values[i];
    ir::arith::Analyzer analyzer = analyzer_for(func_, realize_stmt.get());
    ir::Expr predicate = analyzer.simplify(
        ir::logical_and(realize->predicate, ir::substitute(pad.select->condition, binding)));
    auto copy_block = ir::copy_block(*old_block);
    copy_block->body =
        ir::buffer_store(pad.store->buffer, pad.select->true_value, pad.store->indices);
    ir::Stmt copy_realize =
        ir::block_realize(realize->iter_values, predicate, std::move(copy_block));

    // Step 4. Replace the block, then put the constant nest before the loop.
    ir::PrimFunc func = replace_stmt(func_, realize_stmt.get(), copy_realize);
    ir::Stmt new_loop = find_loop(func, target);
    set_func(replace_stmt(func, new_loop.get(), ir::seq({const_nest, new_loop})));

    BlockRV out = add_block(const_name);
    record("decompose_padding", {block, loop}, {}, {out});
    return out;
  });
}

void register_pad_instructions() {
  register_instruction_kind({"pad_einsum",
                             false,
                             false,
                             {"padding"},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>& attrs, const std::optional<Decision>&) {
                               sch.pad_einsum(input_block(in, 0),
                                              attr_as<std::vector<int64_t>>(attrs, 0));
                               return std::vector<RV>{};
                             },
                             nullptr});
  register_instruction_kind({"decompose_padding",
                             false,
                             false,
                             {},
                             [](Schedule& sch, const std::vector<Input>& in,
                                const std::vector<Attr>&, const std::optional<Decision>&) {
                               return std::vector<RV>{
                                   sch.decompose_padding(input_block(in, 0), input_loop(in, 1))};
                             },
                             nullptr});
}

}  // namespace kiln::sched

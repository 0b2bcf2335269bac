// cache_read, cache_write and reindex: staging a buffer through a copy.
//
// Each adds a buffer (allocated by the scope block) and a copy stage, a block
// with its own loop nest, spatial iter vars and exact point regions, which
// compute_at / reverse_compute_at can then move next to its user. A copy is
// placed where no other block touches the buffer between the copy and its
// user, so the user sees exactly the values it saw before.
#include <algorithm>

#include "ir/arith/int_bound.h"
#include "ir/arith/iter_map.h"
#include "ir/op.h"
#include "ir/substitute.h"
#include "schedule/block_analysis.h"
#include "schedule/buffer_stage.h"
#include "schedule/ir_utils.h"
#include "schedule/primitives/all.h"
#include "schedule/primitives/apply_helpers.h"
#include "schedule/schedule.h"

namespace kiln::sched {

namespace {

std::vector<int64_t> constant_shape(const std::string& primitive, const ir::Buffer& buffer) {
  for (const ir::Expr& e : buffer->shape)
    if (!ir::as_const_int(e))
      throw ScheduleError(primitive, "buffer `" + buffer->name + "` has a symbolic shape",
                          "Stage only buffers of constant shape");
  return ir::static_shape(buffer);
}

std::vector<ir::Range> full_domains(const std::vector<int64_t>& shape) {
  std::vector<ir::Range> out;
  for (int64_t n : shape) out.push_back(ir::Range{ir::index_imm(0), ir::index_imm(n)});
  return out;
}

std::vector<ir::Expr> as_exprs(const std::vector<ir::Var>& vars) {
  return {vars.begin(), vars.end()};
}

// A block writing `buffer` through a stand-in must be the only writer in its
// scope, and nothing else in its top statement may touch the buffer: the
// write-back copy after that statement then publishes every value at once.
void check_sole_writer(const std::string& primitive, const BlockPlace& place,
                       const ir::Buffer& buffer) {
  const ir::Stmt& me = place.path.back();
  const std::string& name = me.as<ir::BlockRealizeNode>()->block->name;
  for (const ir::Stmt& w : writers_in(place.scope(), buffer)) {
    if (w.same_as(me)) continue;
    throw ScheduleError(
        primitive,
        "buffer `" + buffer->name + "` is also written by block \"" +
            w.as<ir::BlockRealizeNode>()->block->name + "\"",
        "Apply it to a buffer that one block writes (e.g. before decompose_reduction)", ir::Var(),
        name);
  }
  for (const ir::Stmt& other : child_blocks(place.top())) {
    const ir::BlockNode& b = *other.as<ir::BlockRealizeNode>()->block;
    if (other.same_as(me) || !region_has(b.reads, buffer)) continue;
    throw ScheduleError(
        primitive,
        "block \"" + b.name + "\" reads `" + buffer->name + "` inside the loop nest of block \"" +
            name + "\", before a write-back copy after that nest could run",
        "Apply it before compute_at / reverse_compute_at bring readers into the nest", ir::Var(),
        name);
  }
}

// The new buffer's name, scope and allocation, the copy stage and its place.
struct Staging {
  ir::Buffer stand_in;
  ir::Stmt stage;
  bool before = true;  // the stage runs before (else after) the anchor
};

// Replaces `block` by `new_block`, puts the stage next to the statement at
// `anchor_depth` of the block's path (before or after it) and allocates the
// stand-in in the block at `scope_depth`.
ir::PrimFunc install(const ir::PrimFunc& func, const ir::Stmt& block, const ir::Stmt& new_block,
                     size_t anchor_depth, size_t scope_depth, const Staging& staging) {
  ir::PrimFunc f = replace_stmt(func, block.get(), new_block);
  ir::Stmt anchor = path_to(f, new_block.get())[anchor_depth];
  f = replace_stmt(
      f, anchor.get(),
      staging.before ? ir::seq({staging.stage, anchor}) : ir::seq({anchor, staging.stage}));
  return add_alloc_buffer(f, path_to(f, staging.stage.get())[scope_depth], staging.stand_in);
}

}  // namespace

BlockRV Schedule::cache_read(BlockRV block, int read_buffer_index,
                             const std::string& storage_scope) {
  return guard([&] {
    // Step 1. Check the scope name, the buffer and its producers.
    check_storage_scope("cache_read", storage_scope);
    ir::Stmt consumer = block_stmt(block);
    const ir::BlockNode& b = *consumer.as<ir::BlockRealizeNode>()->block;
    ir::Buffer buffer = access_buffer("cache_read", b, read_buffer_index, false);
    if (region_has(b.writes, buffer))
      throw ScheduleError(
          "cache_read",
          "block \"" + b.name + "\" writes `" + buffer->name + "` as well as reading it",
          "Use cache_write for a buffer the block writes", ir::Var(), b.name);
    std::vector<int64_t> shape = constant_shape("cache_read", buffer);
    BlockPlace place = locate_block(func_, consumer);
    std::vector<ir::Stmt> writers = writers_in(place.scope(), buffer);
    if (writers.size() > 1)
      throw ScheduleError("cache_read",
                          "buffer `" + buffer->name + "` is written by " +
                              std::to_string(writers.size()) + " blocks of the scope (\"" +
                              writers[0].as<ir::BlockRealizeNode>()->block->name + "\", \"" +
                              writers[1].as<ir::BlockRealizeNode>()->block->name + "\")",
                          "Cache a buffer with a single producer", ir::Var(), b.name);

    // Step 2. The copy goes first in the scope when nothing there writes the
    // buffer; else right before the statement, under the deepest statement
    // holding both, that holds the consumer and not the producer.
    size_t anchor_depth = place.scope_depth + 1;
    if (!writers.empty()) {
      std::vector<ir::Stmt> producer_path = path_to(func_, writers[0].get());
      anchor_depth = 0;
      while (anchor_depth < producer_path.size() &&
             producer_path[anchor_depth].same_as(place.path[anchor_depth]))
        ++anchor_depth;
    }

    // Step 3. Build the cache and the copy of the whole buffer, point the
    // consumer at the cache, and install both.
    Staging staging;
    staging.stand_in = ir::make_buffer(derived_buffer_name(buffer, storage_scope), buffer->dtype,
                                       buffer->shape, storage_scope);
    std::string name = unique_block_name(func_, staging.stand_in->name);
    auto identity = [](const std::vector<ir::Var>& v) { return as_exprs(v); };
    staging.stage =
        make_copy_stage({name, shape, std::vector<int64_t>(shape.size(), 0), full_domains(shape),
                         buffer, staging.stand_in, identity, identity});
    ir::Stmt new_consumer =
        rewrite_buffer_access(consumer, {buffer, staging.stand_in, nullptr, nullptr, false});
    set_func(install(func_, consumer, new_consumer, anchor_depth, place.scope_depth, staging));
    BlockRV out = add_block(name);
    record("cache_read", {block}, {int64_t{read_buffer_index}, storage_scope}, {out});
    return out;
  });
}

BlockRV Schedule::cache_write(BlockRV block, int write_buffer_index,
                              const std::string& storage_scope) {
  return guard([&] {
    // Step 1. Check the scope name, the buffer, its other users and the
    // shape of what the block writes.
    check_storage_scope("cache_write", storage_scope);
    ir::Stmt producer = block_stmt(block);
    const ir::BlockNode& b = *producer.as<ir::BlockRealizeNode>()->block;
    ir::Buffer buffer = access_buffer("cache_write", b, write_buffer_index, true);
    std::vector<int64_t> shape = constant_shape("cache_write", buffer);
    BlockPlace place = locate_block(func_, producer);
    check_sole_writer("cache_write", place, buffer);
    check_reads_own_writes("cache_write", producer, buffer);
    const ir::BufferRegion& written =
        *std::find_if(b.writes.begin(), b.writes.end(),
                      [&](const ir::BufferRegion& r) { return r.buffer == buffer; });
    IndexBox box = iterated_box(place, written.region);
    for (size_t d = 0; box.error.empty() && d < shape.size(); ++d)
      if (box.min[d] < 0 || box.min[d] + box.extent[d] > shape[d])
        box.error = "it lies outside the buffer";
    if (!box.error.empty())
      throw ScheduleError("cache_write",
                          "the points block \"" + b.name + "\" writes to `" + buffer->name +
                              "` do not form a box to copy back: " + box.error,
                          "Apply cache_write to a block whose writes cover a dense box", ir::Var(),
                          b.name);

    // Step 2. The block writes the cache; a copy of the written box after
    // its loop nest publishes it.
    Staging staging;
    staging.before = false;
    staging.stand_in = ir::make_buffer(derived_buffer_name(buffer, storage_scope), buffer->dtype,
                                       buffer->shape, storage_scope);
    std::string name = unique_block_name(func_, staging.stand_in->name);
    auto identity = [](const std::vector<ir::Var>& v) { return as_exprs(v); };
    staging.stage = make_copy_stage({name, box.extent, box.min, full_domains(shape),
                                     staging.stand_in, buffer, identity, identity});
    ir::Stmt new_producer =
        rewrite_buffer_access(producer, {buffer, staging.stand_in, nullptr, nullptr, false});

    // Step 3. Install.
    set_func(install(func_, producer, new_producer, place.top_depth, place.scope_depth, staging));
    BlockRV out = add_block(name);
    record("cache_write", {block}, {int64_t{write_buffer_index}, storage_scope}, {out});
    return out;
  });
}

BlockRV Schedule::reindex(BlockRV block, int buffer_index, bool is_write_buffer) {
  return guard([&] {
    // Step 1. The block must access the buffer one way, by its own iter vars.
    ir::Stmt realize = block_stmt(block);
    const ir::BlockNode& b = *realize.as<ir::BlockRealizeNode>()->block;
    ir::Buffer buffer = access_buffer("reindex", b, buffer_index, is_write_buffer);
    if (!child_blocks(realize).empty())
      throw ScheduleError("reindex", "block \"" + b.name + "\" contains other blocks",
                          "Reindex a block whose body holds no blocks", ir::Var(), b.name);
    BufferAccesses own = own_accesses(b, buffer);
    std::vector<std::vector<ir::Expr>> accesses = own.loads;
    accesses.insert(accesses.end(), own.stores.begin(), own.stores.end());
    if (accesses.empty())
      throw ScheduleError(
          "reindex", "block \"" + b.name + "\" lists `" + buffer->name + "` but never accesses it",
          "", ir::Var(), b.name);
    for (const auto& a : accesses)
      if (!same_indices(a, accesses.front()))
        throw ScheduleError(
            "reindex",
            "block \"" + b.name + "\" accesses `" + buffer->name + "` at different indices",
            "Reindex a buffer that the block accesses at one place", ir::Var(), b.name);
    const std::vector<ir::Expr>& indices = accesses.front();
    std::vector<ir::IterVar> covered;
    ir::arith::Analyzer analyzer;
    ir::arith::VarRangeMap covered_dom;
    for (const ir::IterVar& iv : b.iter_vars) {
      if (!std::any_of(indices.begin(), indices.end(),
                       [&](const ir::Expr& e) { return uses_var(e, iv.var); }))
        continue;
      if (!is_const_int(iv.dom.min, 0) || !ir::as_const_int(iv.dom.extent))
        throw ScheduleError("reindex",
                            "iter var `" + iv.var.name() + "` of block \"" + b.name +
                                "\" does not range over [0, n) for a constant n",
                            "", ir::Var(), b.name);
      if (is_write_buffer && iv.kind != ir::IterKind::kSpatial)
        throw ScheduleError("reindex",
                            "block \"" + b.name + "\" writes `" + buffer->name +
                                "` at an index of the reduction iter var `" + iv.var.name() + "`",
                            "", ir::Var(), b.name);
      covered.push_back(iv);
      analyzer.bind(iv.var, iv.dom);
      covered_dom[iv.var] = iv.dom;
    }
    for (const ir::Expr& e : indices) {
      for (const ir::VarNode* v : vars_of(e)) {
        if (std::none_of(covered.begin(), covered.end(),
                         [&](const ir::IterVar& iv) { return iv.var.get() == v; }))
          throw ScheduleError("reindex",
                              "block \"" + b.name + "\" indexes `" + buffer->name + "` with `" +
                                  v->name + "`, which is not one of its iter vars",
                              "", ir::Var(), b.name);
      }
    }

    // Step 2. Check that the copy sees (or publishes) exactly what the block
    // reads (writes).
    BlockPlace place = locate_block(func_, realize);
    std::vector<int64_t> shape = constant_shape("reindex", buffer);
    if (!is_write_buffer) {
      if (region_has(b.writes, buffer))
        throw ScheduleError(
            "reindex",
            "block \"" + b.name + "\" writes `" + buffer->name + "` as well as reading it",
            "Reindex it as a write buffer", ir::Var(), b.name);
      for (const ir::Stmt& other : child_blocks(place.top()))
        if (region_has(other.as<ir::BlockRealizeNode>()->block->writes, buffer))
          throw ScheduleError(
              "reindex",
              "block \"" + other.as<ir::BlockRealizeNode>()->block->name + "\" writes `" +
                  buffer->name + "` inside the loop nest of block \"" + b.name + "\"",
              "Apply it before compute_at brings the producer into the nest", ir::Var(), b.name);
      for (size_t d = 0; d < indices.size(); ++d) {
        ir::arith::ConstIntBound bound = analyzer.const_int_bound(indices[d]);
        if (bound.min < 0 || bound.max >= shape[d])
          throw ScheduleError(
              "reindex",
              "block \"" + b.name + "\" would read `" + buffer->name +
                  "` outside its bounds in dimension " + std::to_string(d) + " (index range " +
                  bound.str() + ") for some iter var values",
              "Reindex only accesses that stay inside the buffer over the whole iteration domain",
              ir::Var(), b.name);
      }
    } else {
      check_sole_writer("reindex", place, buffer);
      check_reads_own_writes("reindex", realize, buffer);
      ir::arith::IterMapResult injective = ir::arith::detect_iter_map(
          indices, covered_dom, ir::Expr(), ir::arith::IterMapLevel::kBijective);
      if (!injective.ok)
        throw ScheduleError(
            "reindex",
            "block \"" + b.name + "\" writes `" + buffer->name +
                "` at indices that are not one-to-one in its iter vars: " + injective.error,
            "", ir::Var(), b.name);
      std::vector<ir::Range> points;
      for (const ir::IterVar& iv : covered) points.push_back(ir::Range{iv.var, ir::index_imm(1)});
      IndexBox box = iterated_box(place, points);
      for (size_t k = 0; box.error.empty() && k < covered.size(); ++k)
        if (box.min[k] != 0 || box.extent[k] != *ir::as_const_int(covered[k].dom.extent))
          box.error =
              "iter var `" + covered[k].var.name() + "` does not take every value of its domain";
      if (!box.error.empty())
        throw ScheduleError("reindex",
                            "the loops of block \"" + b.name +
                                "\" do not run it over its whole domain (" + box.error +
                                "), so the copy back would publish values never written",
                            "", ir::Var(), b.name);
    }

    // Step 3. Build the buffer indexed by the iter vars, the copy, and the
    // rewritten block.
    std::vector<ir::Expr> reindex_shape;
    std::vector<int64_t> extents;
    std::vector<ir::Range> domains;
    std::vector<ir::Expr> covered_vars;
    for (const ir::IterVar& iv : covered) {
      reindex_shape.push_back(iv.dom.extent);
      extents.push_back(*ir::as_const_int(iv.dom.extent));
      domains.push_back(iv.dom);
      covered_vars.push_back(iv.var);
    }
    Staging staging;
    staging.before = !is_write_buffer;
    staging.stand_in = ir::make_buffer(derived_buffer_name(buffer, "reindex"), buffer->dtype,
                                       reindex_shape, buffer->scope);
    std::string name = unique_block_name(func_, staging.stand_in->name);
    auto identity = [](const std::vector<ir::Var>& v) { return as_exprs(v); };
    auto original = [&](const std::vector<ir::Var>& v) {
      ir::VarMap map;
      for (size_t k = 0; k < covered.size(); ++k) map[covered[k].var] = v[k];
      std::vector<ir::Expr> out;
      for (const ir::Expr& e : indices) out.push_back(ir::substitute(e, map));
      return out;
    };
    CopyStage stage{name,     extents, std::vector<int64_t>(extents.size(), 0),
                    domains,  buffer,  staging.stand_in,
                    original, identity};
    if (is_write_buffer)
      stage = {name, extents, stage.offsets, domains, staging.stand_in, buffer, identity, original};
    staging.stage = make_copy_stage(stage);
    std::vector<ir::Range> point;
    for (const ir::Expr& v : covered_vars) point.push_back(ir::Range{v, ir::index_imm(1)});
    ir::Stmt new_block = rewrite_buffer_access(
        realize,
        {buffer, staging.stand_in,
         [&](const std::vector<ir::Expr>&, const ir::arith::Analyzer&) { return covered_vars; },
         [&](const std::vector<ir::Range>&, const ir::arith::Analyzer&) { return point; }, false});
    set_func(install(func_, realize, new_block, place.top_depth, place.scope_depth, staging));
    BlockRV out = add_block(name);
    record("reindex", {block},
           {std::string(is_write_buffer ? "write" : "read"), int64_t{buffer_index}}, {out});
    return out;
  });
}

void register_cache_read_write_instructions() {
  auto cache = [](BlockRV (Schedule::*method)(BlockRV, int, const std::string&)) {
    return [method](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>& attrs,
                    const std::optional<Decision>&) -> std::vector<RV> {
      return {(sch.*method)(input_block(in, 0), static_cast<int>(attr_as<int64_t>(attrs, 0)),
                            attr_as<std::string>(attrs, 1))};
    };
  };
  // `sch.cache_read(b0, 0, "shared")`: positional, as TVM users write it.
  auto positional = [](const std::string& name) {
    return [name](const std::vector<std::string>& in, const std::vector<Attr>& attrs,
                  const std::optional<Decision>&) {
      return "sch." + name + "(" + in.at(0) + ", " + attr_to_python(attrs.at(0)) + ", " +
             attr_to_python(attrs.at(1)) + ")";
    };
  };
  register_instruction_kind({"cache_read",
                             false,
                             false,
                             {"read_buffer_index", "storage_scope"},
                             cache(&Schedule::cache_read),
                             positional("cache_read")});
  register_instruction_kind({"cache_write",
                             false,
                             false,
                             {"write_buffer_index", "storage_scope"},
                             cache(&Schedule::cache_write),
                             positional("cache_write")});
  register_instruction_kind(
      {"reindex",
       false,
       false,
       {"buffer_index_type", "buffer_index"},
       [](Schedule& sch, const std::vector<Input>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) -> std::vector<RV> {
         return {sch.reindex(input_block(in, 0), static_cast<int>(attr_as<int64_t>(attrs, 1)),
                             attr_as<std::string>(attrs, 0) == "write")};
       },
       // `sch.reindex(b0, ("write", 0))`, TVM's (buffer_index_type, index) pair.
       [](const std::vector<std::string>& in, const std::vector<Attr>& attrs,
          const std::optional<Decision>&) {
         return "sch.reindex(" + in.at(0) + ", (" + attr_to_python(attrs.at(0)) + ", " +
                attr_to_python(attrs.at(1)) + "))";
       }});
}

}  // namespace kiln::sched

#include "fuzz/random_gpu_schedule.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir/functor.h"
#include "ir/op.h"
#include "schedule/block_analysis.h"
#include "schedule/gpu_steps.h"
#include "schedule/ir_utils.h"

namespace kiln::fuzz {

using sched::BlockRV;
using sched::LoopRV;
using sched::RandomEngine;
using sched::Schedule;

namespace {

const sched::Factor kInferred = std::monostate{};

// Runs one primitive call. A refusal must leave the very function it found
// (primitives check everything before they change anything); a refusal that
// did not is a kiln bug, reported as std::logic_error.
template <typename F>
auto checked(Schedule& sch, const std::string& name, F&& call) -> decltype(call()) {
  const ir::PrimFunc before = sch.func();
  try {
    return call();
  } catch (const sched::ScheduleError&) {
    if (sch.func() != before)
      throw std::logic_error(name + " changed the function and then refused");
    throw;
  }
}

// Runs a step of several primitive calls on a copy and keeps the copy when
// every call succeeded and the step did not give up (returned false). Handles
// the step creates are valid in `sch` only when it was kept.
bool try_step(Schedule& sch, const std::string& name, ScheduleStats* stats,
              const std::function<bool(Schedule&)>& step) {
  Schedule attempt = sch.copy();
  bool done = false;
  try {
    done = step(attempt);
  } catch (const sched::ScheduleError&) {
    done = false;
  }
  if (!done) {
    ++stats->refused[name];
    return false;
  }
  sch = std::move(attempt);
  ++stats->applied[name];
  return true;
}

int64_t extent_of(Schedule& sch, LoopRV loop) {
  const int64_t* e = ir::as_const_int(sch.loop_stmt(loop).as<ir::ForNode>()->extent);
  return e ? *e : -1;
}

// The statements of the root block's body: one kernel each, once lowered.
std::vector<ir::Stmt> root_statements(const ir::PrimFunc& func) {
  const ir::Stmt& body = func->body.as<ir::BlockRealizeNode>()->block->body;
  if (const auto* seq = body.as<ir::SeqStmtNode>()) return seq->seq;
  return {body};
}

struct LoopScan : ir::IRVisitor {
  bool loops = false, parallel = false, bound = false;
  void visit_for(const ir::ForNode* op) override {
    loops = true;
    parallel |= op->for_kind == ir::ForKind::kParallel;
    bound |= op->for_kind == ir::ForKind::kThreadBinding;
    ir::IRVisitor::visit_for(op);
  }
};

LoopScan scan_loops(const ir::Stmt& s) {
  LoopScan scan;
  scan.visit(s);
  return scan;
}

// Whether the iterations of loop `var` (of `extent`) may run on different
// GPU threads as far as block `realize` is concerned: only spatial iter vars
// use it, or none does and running the block again gives the same result.
bool spatial_for(const ir::BlockRealizeNode* realize, const ir::Var& var, int64_t extent) {
  const ir::BlockNode* block = realize->block.get();
  bool spatial = false, reduction = false, has_reduction = false;
  for (size_t i = 0; i < block->iter_vars.size(); ++i) {
    const bool is_reduction = block->iter_vars[i].kind == ir::IterKind::kReduction;
    has_reduction |= is_reduction;
    if (sched::uses_var(realize->iter_values[i], var)) (is_reduction ? reduction : spatial) = true;
  }
  if (spatial || reduction) return !reduction;
  // An unused loop repeats the block; a repeated reduction (init included)
  // racing with itself is wrong, a repeated assignment is not.
  return extent == 1 || !has_reduction;
}

bool reduction_for(const ir::BlockRealizeNode* realize, const ir::Var& var) {
  const ir::BlockNode* block = realize->block.get();
  bool spatial = false, reduction = false;
  for (size_t i = 0; i < block->iter_vars.size(); ++i)
    if (sched::uses_var(realize->iter_values[i], var))
      (block->iter_vars[i].kind == ir::IterKind::kReduction ? reduction : spatial) = true;
  return reduction && !spatial;
}

// A block alone in its root loop nest, the nest perfect and serial: what the
// tiling and cross-thread reduction steps take apart.
struct LoneBlock {
  BlockRV block;
  std::vector<LoopRV> spatial, reduction;  // in nest order
  std::vector<LoopRV> loops;
};

std::optional<LoneBlock> lone_block(Schedule& sch, const std::string& name) {
  LoneBlock lone;
  lone.block = sch.get_block(name);
  lone.loops = sch.get_loops(lone.block);
  if (lone.loops.empty()) return std::nullopt;
  const auto* realize = sch.block_stmt(lone.block).as<ir::BlockRealizeNode>();
  for (size_t i = 0; i < lone.loops.size(); ++i) {
    const auto* f = sch.loop_stmt(lone.loops[i]).as<ir::ForNode>();
    const ir::StmtNode* inner = i + 1 < lone.loops.size()
                                    ? sch.loop_stmt(lone.loops[i + 1]).get()
                                    : static_cast<const ir::StmtNode*>(realize);
    if (f->for_kind != ir::ForKind::kSerial || f->body.get() != inner) return std::nullopt;
    const int64_t extent = extent_of(sch, lone.loops[i]);
    if (extent < 1) return std::nullopt;
    if (spatial_for(realize, f->loop_var, extent))
      lone.spatial.push_back(lone.loops[i]);
    else if (reduction_for(realize, f->loop_var))
      lone.reduction.push_back(lone.loops[i]);
    else
      return std::nullopt;
  }
  return lone;
}

using sched::bind_axes;
using sched::fuse_all;

// The loops a multi-level tiling made, for the optional steps after it.
struct Tiling {
  LoopRV block_loop;                      // the innermost loop bound to blockIdx
  std::optional<LoopRV> thread_loop;      // the innermost loop bound to threadIdx
  std::vector<int64_t> thread_extents;    // along x, y, z, as many as are bound
  bool several_axes = false;              // bound to .y or .z too, not fused onto .x
  std::optional<LoopRV> reduction_outer;  // the outermost reduction loop under the threads
  std::vector<LoopRV> inner;              // reduction-inner and spatial-inner tiles
};

// `loop` split into `parts` loops by a sampled perfect tile, the innermost
// at most `max_innermost` long.
std::vector<LoopRV> split_by_sampled_tile(Schedule& sch, LoopRV loop, int parts,
                                          int max_innermost) {
  auto tile = checked(sch, "sample_perfect_tile",
                      [&] { return sch.sample_perfect_tile(loop, parts, max_innermost); });
  return checked(sch, "split", [&] {
    return sch.split(loop, std::vector<sched::Factor>(tile.begin(), tile.end()));
  });
}

// Spatial loops in three tiles (block, thread, inner), reductions in two:
// S0 S1 R0 R1 S2. S0 fused onto blockIdx.x, or up to three of them on
// blockIdx.x/y/z; S1 likewise on threadIdx.
bool tile_multi_level(Schedule& sch, RandomEngine& rng, const Target& target,
                      const std::string& name, Tiling* out) {
  auto lone = lone_block(sch, name);
  if (!lone) return false;
  std::vector<LoopRV> s0, s1, s2, r0, r1;
  for (LoopRV s : lone->spatial) {
    if (rng.uniform_int(5) == 0) {
      s0.push_back(s);
      continue;
    }
    std::vector<LoopRV> parts = split_by_sampled_tile(sch, s, 3, 4);
    s0.push_back(parts[0]);
    s1.push_back(parts[1]);
    s2.push_back(parts[2]);
  }
  for (LoopRV r : lone->reduction) {
    if (rng.uniform_int(2) == 0) {
      r0.push_back(r);
      continue;
    }
    std::vector<LoopRV> parts = split_by_sampled_tile(sch, r, 2, 8);
    r0.push_back(parts[0]);
    r1.push_back(parts[1]);
  }
  std::vector<LoopRV> order;
  for (const auto* group : {&s0, &s1, &r0, &r1, &s2})
    order.insert(order.end(), group->begin(), group->end());
  if (order.size() > 1) checked(sch, "reorder", [&] { sch.reorder(order); });
  if (s0.size() >= 2 && s0.size() <= 3 && rng.uniform_int(2) == 0) {
    bind_axes(sch, s0, "blockIdx");
    out->block_loop = s0.back();
    out->several_axes = true;
  } else {
    out->block_loop =
        s0.empty() ? checked(sch, "add_unit_loop", [&] { return sch.add_unit_loop(order[0]); })
                   : fuse_all(sch, s0);
    checked(sch, "bind", [&] { sch.bind(out->block_loop, "blockIdx.x"); });
  }
  // The thread loops, innermost first (x, y, z), within the target's limits.
  std::vector<LoopRV> threads;
  std::vector<int64_t> extents;
  if (s1.size() >= 2 && s1.size() <= 3 && rng.uniform_int(2) == 0) {
    threads = s1;
    for (LoopRV l : s1) extents.insert(extents.begin(), extent_of(sch, l));
  } else if (!s1.empty()) {
    threads = {fuse_all(sch, s1)};
    extents = {extent_of(sch, threads[0])};
  }
  int64_t product = 1;
  bool within = true;
  for (size_t i = 0; i < extents.size(); ++i) {
    product *= extents[i];
    within &= target.max_block_dims[i] <= 0 || extents[i] <= target.max_block_dims[i];
  }
  if (product > 1 && within && product <= target.max_threads_per_block) {
    bind_axes(sch, threads, "threadIdx");
    out->thread_loop = threads.back();
    out->thread_extents = extents;
    out->several_axes |= threads.size() > 1;
  }
  if (!r0.empty()) out->reduction_outer = r0[0];
  out->inner = r1;
  out->inner.insert(out->inner.end(), s2.begin(), s2.end());
  return true;
}

// The reduction over threadIdx.x (gpu_cross_thread_reduction): spatial loops
// fused onto blockIdx.x (and threadIdx.y), the reductions fused and split by
// the thread count, the thread part outside the serial part, as in the
// softmax hand schedule.
bool cross_thread_reduction(Schedule& sch, RandomEngine& rng, const Target& target,
                            const std::string& name, bool* several_rows) {
  auto lone = lone_block(sch, name);
  if (!lone || lone->reduction.empty()) return false;
  // What gpu_cross_thread_reduction lowers: one store B[v] = B[v] (+) e with
  // an init, not a block of blocks (blockize) nor a decomposed reduction.
  const ir::BlockNode* block = sch.block_stmt(lone->block).as<ir::BlockRealizeNode>()->block.get();
  if (!block->init.defined() || !block->body.as<ir::BufferStoreNode>()) return false;
  std::vector<LoopRV> order = lone->spatial;
  order.insert(order.end(), lone->reduction.begin(), lone->reduction.end());
  if (order.size() > 1) checked(sch, "reorder", [&] { sch.reorder(order); });
  LoopRV reduction = fuse_all(sch, lone->reduction);
  static const std::vector<int64_t> counts = {2, 4, 8, 16, 32, 64};
  int64_t threads = counts[rng.uniform_int(static_cast<int64_t>(counts.size()))];
  threads = std::min<int64_t>(threads, target.max_threads_per_block);
  auto k = checked(sch, "split", [&] { return sch.split(reduction, {kInferred, threads}); });
  checked(sch, "reorder", [&] { sch.reorder({k[1], k[0]}); });
  LoopRV block_loop = lone->spatial.empty()
                          ? checked(sch, "add_unit_loop", [&] { return sch.add_unit_loop(k[1]); })
                          : fuse_all(sch, lone->spatial);
  // Sometimes several rows per block, one per threadIdx.y (a count that
  // divides the rows: a predicate would put the reduction under a branch).
  const int64_t rows = int64_t{1} << rng.uniform_int(3);
  if (rows > 1 && extent_of(sch, block_loop) % rows == 0 &&
      rows * threads <= target.max_threads_per_block) {
    auto parts = checked(sch, "split", [&] { return sch.split(block_loop, {kInferred, rows}); });
    block_loop = parts[0];
    checked(sch, "bind", [&] { sch.bind(parts[1], "threadIdx.y"); });
    *several_rows = true;
  }
  checked(sch, "bind", [&] { sch.bind(block_loop, "blockIdx.x"); });
  checked(sch, "bind", [&] { sch.bind(k[1], "threadIdx.x"); });
  if (rng.uniform_int(2) == 0) checked(sch, "unroll", [&] { sch.unroll(k[0]); });
  return true;
}

// Operand `read` of the block staged in shared memory per reduction-outer
// iteration, fetched by all the block's threads (sched::cooperative_fetch).
bool stage_in_shared(Schedule& sch, const std::string& name, const Tiling& tiling, int read) {
  BlockRV block = sch.get_block(name);
  BlockRV stage = checked(sch, "cache_read", [&] { return sch.cache_read(block, read, "shared"); });
  checked(sch, "compute_at", [&] { sch.compute_at(stage, *tiling.reduction_outer); });
  return sched::cooperative_fetch(sch, stage, block, tiling.thread_extents);
}

// The root statement's leading serial loops that every block in it sees as
// spatial, fused and split onto blockIdx.x / threadIdx.x; a unit loop on
// blockIdx.x when there is none.
bool bind_leading_loops(Schedule& sch, RandomEngine& rng, const Target& target,
                        const ir::Stmt& root_statement, bool plain) {
  std::vector<ir::Stmt> blocks = sched::child_blocks(root_statement);
  if (blocks.empty()) return false;
  BlockRV block = sch.get_block(blocks[0].as<ir::BlockRealizeNode>()->block->name);
  std::vector<LoopRV> loops = sch.get_loops(block);
  if (loops.empty()) return false;
  std::vector<LoopRV> leading;
  for (LoopRV l : loops) {
    const auto* f = sch.loop_stmt(l).as<ir::ForNode>();
    const int64_t extent = extent_of(sch, l);
    if (plain || f->for_kind != ir::ForKind::kSerial || extent < 1) break;
    bool spatial = true;
    for (const ir::Stmt& b : sched::child_blocks(sch.loop_stmt(l)))
      spatial &= spatial_for(b.as<ir::BlockRealizeNode>(), f->loop_var, extent);
    if (!spatial) break;
    leading.push_back(l);
    if (!f->body.as<ir::ForNode>()) break;  // the nest forks (or ends) below
  }
  if (leading.empty()) {
    LoopRV unit = checked(sch, "add_unit_loop", [&] { return sch.add_unit_loop(loops[0]); });
    checked(sch, "bind", [&] { sch.bind(unit, "blockIdx.x"); });
    return true;
  }
  LoopRV fused = fuse_all(sch, leading);
  const int64_t extent = extent_of(sch, fused);
  const int64_t threads = 1 + rng.uniform_int(std::min<int64_t>(
                                  {extent, int64_t{64}, int64_t{target.max_threads_per_block}}));
  if (threads == 1) {
    checked(sch, "bind", [&] { sch.bind(fused, "blockIdx.x"); });
    return true;
  }
  auto parts = checked(sch, "split", [&] { return sch.split(fused, {kInferred, threads}); });
  checked(sch, "bind", [&] { sch.bind(parts[0], "blockIdx.x"); });
  checked(sch, "bind", [&] { sch.bind(parts[1], "threadIdx.x"); });
  return true;
}

// The root statement holding block `name` (undefined when the block is gone).
ir::Stmt root_statement_of(const ir::PrimFunc& func, const std::string& name) {
  ir::Stmt realize = sched::find_block(func, name);
  if (!realize.defined()) return {};
  std::vector<ir::Stmt> roots = root_statements(func);
  for (const ir::Stmt& s : sched::path_to(func, realize.get()))
    for (const ir::Stmt& r : roots)
      if (s.get() == r.get()) return r;
  return {};
}

std::string block_name(const ir::Stmt& realize) {
  return realize.as<ir::BlockRealizeNode>()->block->name;
}

void schedule_root_statement(Schedule& sch, RandomEngine& rng, const Target& target,
                             const std::string& name, ScheduleStats* stats) {
  ir::Stmt root = root_statement_of(sch.func(), name);
  if (!root.defined() || !scan_loops(root).loops || scan_loops(root).bound) return;
  if (root.as<ir::BlockRealizeNode>()) {
    // A block at the root (blockize of an outermost loop) with loops inside:
    // one GPU thread runs it, in a unit loop around it.
    if (!try_step(sch, "gpu_bind_unit_loop", stats, [&](Schedule& s) {
          LoopRV unit =
              checked(s, "add_unit_loop", [&] { return s.add_unit_loop(s.get_block(name)); });
          checked(s, "bind", [&] { s.bind(unit, "blockIdx.x"); });
          return true;
        }))
      throw NotGpuValid(
          "block "
          " + name + "
          " at the root cannot be bound to GPU threads");
    return;
  }
  const bool lone = sched::child_blocks(root).size() == 1;
  Tiling tiling;
  bool tiled = false;
  bool several_rows = false;
  if (lone && rng.uniform_int(4) == 0 &&
      try_step(sch, "gpu_cross_thread_reduction", stats,
               [&](Schedule& s) {
                 return cross_thread_reduction(s, rng, target, name, &several_rows);
               }) &&
      several_rows)
    ++stats->applied["gpu_cross_thread_reduction_rows"];
  if (lone && !scan_loops(root_statement_of(sch.func(), name)).bound)
    tiled = try_step(sch, "gpu_tile", stats,
                     [&](Schedule& s) { return tile_multi_level(s, rng, target, name, &tiling); });
  if (tiled) {
    if (tiling.several_axes) ++stats->applied["gpu_tile_several_axes"];
    if (rng.uniform_int(2) == 0)
      try_step(sch, "gpu_cache_write_local", stats, [&](Schedule& s) {
        BlockRV block = s.get_block(name);
        BlockRV local = checked(s, "cache_write", [&] { return s.cache_write(block, 0, "local"); });
        LoopRV at = tiling.thread_loop ? *tiling.thread_loop : tiling.block_loop;
        checked(s, "reverse_compute_at", [&] { s.reverse_compute_at(local, at); });
        return true;
      });
    if (tiling.thread_loop && tiling.reduction_outer) {
      const int reads = static_cast<int>(
          sch.block_stmt(sch.get_block(name)).as<ir::BlockRealizeNode>()->block->reads.size());
      for (int read = 0; read < reads; ++read)
        if (rng.uniform_int(2) == 0)
          try_step(sch, "gpu_cache_read_shared", stats,
                   [&](Schedule& s) { return stage_in_shared(s, name, tiling, read); });
    }
    if (!tiling.inner.empty() && rng.uniform_int(2) == 0)
      try_step(sch, "gpu_unroll", stats, [&](Schedule& s) {
        LoopRV l = tiling.inner[rng.uniform_int(static_cast<int64_t>(tiling.inner.size()))];
        checked(s, "unroll", [&] { s.unroll(l); });
        return true;
      });
    if (rng.uniform_int(3) == 0)
      try_step(sch, "gpu_vectorize", stats, [&](Schedule& s) {
        LoopRV innermost = s.get_loops(s.get_block(name)).back();
        checked(s, "vectorize", [&] { s.vectorize(innermost); });
        return true;
      });
  }
  root = root_statement_of(sch.func(), name);
  if (scan_loops(root).bound) return;
  // Nests with several blocks, and those the steps above refused: bind the
  // leading spatial loops, else a unit loop around the nest.
  if (try_step(sch, "gpu_bind", stats,
               [&](Schedule& s) { return bind_leading_loops(s, rng, target, root, false); }))
    return;
  if (!try_step(sch, "gpu_bind_unit_loop", stats,
                [&](Schedule& s) { return bind_leading_loops(s, rng, target, root, true); }))
    throw NotGpuValid("root loop nest of block \"" + name + "\" cannot be bound to GPU threads");
}

}  // namespace

void apply_random_gpu_schedule(Schedule& sch, RandomEngine& rng, const Target& target, int steps,
                               ScheduleStats* stats) {
  // Step 1. A few generic primitives, one at a time: one that leaves a
  // parallel loop (a CPU loop kind the GPU code generator refuses, with no
  // primitive to undo it) is dropped.
  RandomScheduleOptions generic;
  generic.thread_binding = false;
  const int64_t generic_steps = rng.uniform_int(std::max(steps, 0) / 3 + 1);
  for (int64_t i = 0; i < generic_steps; ++i) {
    Schedule attempt = sch.copy();
    ScheduleStats step_stats;
    apply_random_primitives(attempt, rng, 1, &step_stats, generic);
    const bool parallel = scan_loops(attempt.func()->body).parallel;
    for (const auto& [name, count] : step_stats.applied)
      (parallel ? stats->refused : stats->applied)[name] += count;
    for (const auto& [name, count] : step_stats.refused) stats->refused[name] += count;
    if (!parallel) sch = std::move(attempt);
  }
  // Step 2. Buffers the generic steps put in shared or local memory sit at
  // the root, between two loop nests, that is, two kernels: such memory does
  // not outlive a kernel, so they go back to global memory.
  for (const ir::Stmt& realize : sched::all_blocks(sch.func())) {
    const auto& writes = realize.as<ir::BlockRealizeNode>()->block->writes;
    for (size_t w = 0; w < writes.size(); ++w) {
      if (writes[w].buffer->scope == "global") continue;
      const std::string name = block_name(realize);
      try {
        checked(sch, "set_scope",
                [&] { sch.set_scope(sch.get_block(name), static_cast<int>(w), "global"); });
        ++stats->applied["set_scope"];
      } catch (const sched::ScheduleError& e) {
        throw NotGpuValid("block \"" + name + "\" writes " + writes[w].buffer->scope +
                          " memory that cannot go back to global: " + e.what());
      }
    }
  }
  // Step 3. Random inlining, each block once.
  for (const ir::Stmt& realize : sched::all_blocks(sch.func())) {
    const std::string name = block_name(realize);
    const int64_t choice = rng.uniform_int(6);
    if (choice > 1 || !sched::find_block(sch.func(), name).defined()) continue;
    const std::string primitive = choice == 0 ? "compute_inline" : "reverse_compute_inline";
    try_step(sch, primitive, stats, [&](Schedule& s) {
      checked(s, primitive, [&] {
        if (choice == 0)
          s.compute_inline(s.get_block(name));
        else
          s.reverse_compute_inline(s.get_block(name));
      });
      return true;
    });
  }
  // Step 4. Each root loop nest, known by its first block (names survive the
  // primitives; statements do not).
  std::vector<std::string> nests;
  for (const ir::Stmt& root : root_statements(sch.func())) {
    if (root.as<ir::BlockRealizeNode>()) {
      nests.push_back(block_name(root));
      continue;
    }
    std::vector<ir::Stmt> blocks = sched::child_blocks(root);
    if (!blocks.empty()) nests.push_back(block_name(blocks[0]));
  }
  for (const std::string& name : nests) schedule_root_statement(sch, rng, target, name, stats);
  // Step 5. What build_gpu will check: every root nest runs on GPU threads.
  for (const ir::Stmt& root : root_statements(sch.func())) {
    LoopScan scan = scan_loops(root);
    if (scan.loops && !scan.bound)
      throw NotGpuValid("a root loop nest is not bound to GPU threads");
    if (scan.parallel) throw NotGpuValid("a parallel loop remains");
  }
}

}  // namespace kiln::fuzz

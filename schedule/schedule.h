// Schedule: transforms a PrimFunc with primitives that are legal by
// construction, recording each call in a replayable Trace.
//
// Handles (BlockRV, LoopRV, ExprRV) index a table inside the schedule: a loop
// is known by its loop variable, a block by its name, a sampled value by its
// integer. Primitives check everything before they change anything; a refusal
// is a ScheduleError and leaves the schedule as it was. Copying a schedule is
// cheap: the IR is immutable and shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/function.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/random.h"
#include "schedule/trace.h"

namespace kiln::sched {

struct IndexMap;

// A split factor: None (inferred), a literal, or a sampled value.
using Factor = std::variant<std::monostate, int64_t, ExprRV>;

class Schedule {
 public:
  explicit Schedule(ir::PrimFunc func, uint64_t seed = 0,
                    ErrorRenderLevel level = ErrorRenderLevel::kDetail);
  // With a given random stream (the search forks one per candidate).
  Schedule(ir::PrimFunc func, RandomEngine rng, ErrorRenderLevel level);

  const ir::PrimFunc& func() const { return func_; }
  const ir::PrimFunc& original() const { return original_; }
  const Trace& trace() const { return trace_; }
  // An independent copy (the IR is shared; the handle table and trace are
  // copied) with a random stream forked from this one's, which advances: the
  // two never draw the same numbers. (A plain copy, Schedule(other), shares
  // the stream's state; only throwaway trials should use it.)
  Schedule copy() const {
    Schedule out = *this;
    out.rng_ = rng_.fork();
    return out;
  }
  void set_error_render_level(ErrorRenderLevel level) { render_level_ = level; }
  RandomEngine& random_engine() { return rng_; }

  // ---- handles
  ir::Var loop_var(LoopRV loop) const;          // throws if the loop was removed
  std::string block_name(BlockRV block) const;  // throws if the block was removed
  int64_t value(ExprRV v) const;
  ir::Stmt loop_stmt(LoopRV loop) const;     // the For statement
  ir::Stmt block_stmt(BlockRV block) const;  // the BlockRealize statement

  // ---- queries
  BlockRV get_block(const std::string& name);
  std::vector<LoopRV> get_loops(BlockRV block);
  std::vector<BlockRV> get_child_blocks(BlockRV block);
  std::vector<BlockRV> get_child_blocks(LoopRV loop);
  std::vector<BlockRV> get_producers(BlockRV block);
  std::vector<BlockRV> get_consumers(BlockRV block);

  // ---- sampling
  std::vector<ExprRV> sample_perfect_tile(
      LoopRV loop, int n, int max_innermost_factor,
      std::optional<std::vector<int64_t>> decision = std::nullopt);
  ExprRV sample_categorical(const std::vector<int64_t>& candidates,
                            const std::vector<double>& probs,
                            std::optional<int64_t> decision = std::nullopt);
  LoopRV sample_compute_location(BlockRV block, std::optional<int64_t> decision = std::nullopt);
  // The decisions sample_compute_location could make for `block` now: -2
  // inline (when legal), -1 root, i the i-th loop of its first consumer
  // where compute_at is legal. Records nothing.
  std::vector<int64_t> compute_location_candidates(BlockRV block);

  // ---- loops
  std::vector<LoopRV> split(LoopRV loop, const std::vector<Factor>& factors);
  LoopRV fuse(const std::vector<LoopRV>& loops);
  void reorder(const std::vector<LoopRV>& loops);
  // A loop of extent 1 around a block or a loop.
  LoopRV add_unit_loop(RV block_or_loop);
  void parallel(LoopRV loop);
  void vectorize(LoopRV loop);
  void unroll(LoopRV loop);
  // thread_axis: "blockIdx.x", "threadIdx.y", "vthread.x", ...
  void bind(LoopRV loop, const std::string& thread_axis);
  void annotate(RV block_or_loop, const std::string& key, const Attr& value);
  // The annotation's value is a sampled one (sample_categorical): mutating
  // the decision changes the annotation.
  void annotate(RV block_or_loop, const std::string& key, ExprRV value);
  void unannotate(RV block_or_loop, const std::string& key);

  // ---- compute location (primitives/compute_at.cc)
  // Moves a producer under `loop` of its consumers (reverse: a consumer under
  // `loop` of its producers), computing only what one iteration of the loop
  // needs. `index`: the position among the loop body's statements; -1 the
  // last legal one (before the first consumer), -2 the first (after the
  // last producer).
  void compute_at(BlockRV block, LoopRV loop, bool preserve_unit_loops = false, int index = -1);
  void reverse_compute_at(BlockRV block, LoopRV loop, bool preserve_unit_loops = false,
                          int index = -1);
  // The loop handles sample_compute_location returns for its special
  // locations (decision -1 and -2). Passed to compute_at or
  // reverse_compute_at, the root mark leaves the block where it is and the
  // inline mark inlines it (compute_inline / reverse_compute_inline). They
  // are no loop of any function: other primitives refuse them.
  static const ir::Var& compute_root_mark();
  static const ir::Var& compute_inline_mark();
  // ---- inlining (primitives/compute_inline.cc)
  // Inlines an elementwise block (B[v...] = f(...)) into every block that
  // reads B, then removes the block, its loops and the buffer.
  void compute_inline(BlockRV block);
  // Inlines an elementwise consumer (C[g(v)] = h(B[v...])) into the single
  // producer of B, then removes the consumer, its loops and the buffer.
  void reverse_compute_inline(BlockRV block);
  // ---- memory (primitives/cache_read_write.cc, primitives/layout.cc)
  // A copy of the block's read buffer `read_buffer_index` into a new buffer
  // of `storage_scope`, which the block then reads; returns the copy block.
  BlockRV cache_read(BlockRV block, int read_buffer_index, const std::string& storage_scope);
  // The block writes a new buffer of `storage_scope`; the returned block
  // copies it to the original after the block's loop nest.
  BlockRV cache_write(BlockRV block, int write_buffer_index, const std::string& storage_scope);
  // A copy stage through a buffer indexed by the block's iter vars directly.
  BlockRV reindex(BlockRV block, int buffer_index, bool is_write_buffer);
  void set_scope(BlockRV block, int buffer_index, const std::string& storage_scope);
  // Asks lowering for strides where stride[axis] % factor == offset.
  void storage_align(BlockRV block, int buffer_index, int axis, int factor, int offset);
  void transform_layout(BlockRV block, int buffer_index, bool is_write_buffer,
                        const IndexMap& index_map);
  // ---- reductions (primitives/reduction.cc)
  // Splits the init of a reduction block into a block "<name>_init" placed
  // right before `loop` (an ancestor of the block, above every loop its
  // reduction iter vars use), over copies of the loops under `loop` that its
  // spatial iter vars use. The block keeps its name, without init. Returns
  // the init block.
  BlockRV decompose_reduction(BlockRV block, LoopRV loop);
  // Splits the reduction along `loop` (a loop only reduction iter vars use):
  // a block "<name>_rf" computes partial results into a new buffer with one
  // more dimension (at `factor_axis`, over the loop's values), and the block
  // (same name) combines them. Returns the rf block.
  BlockRV rfactor(LoopRV loop, int factor_axis);
  // ---- blockize and tensorize (primitives/blockize_tensorize.cc)
  // The nest under `loop` (loops around exactly one block) as one new block
  // "<name>_o" over the tile, whose iter vars are the outer parts of the
  // block's bindings; the block inside keeps the inner parts. An init moves
  // to the new block.
  BlockRV blockize(LoopRV loop);
  // Replaces the body of a block (a loop: its nest, blockized first) by the
  // implementation of the registered tensor intrinsic `intrin_name`
  // (schedule/intrinsics/registry.h), after matching its description.
  void tensorize(RV block_or_loop, const std::string& intrin_name);
  // ---- padding (primitives/pad.cc)
  // Pads every iter var of an einsum-like block (one whose accesses index
  // buffers by its iter vars directly) up to a multiple of padding[i]: the
  // inputs are copied into zero-filled "<buf>_pad" buffers, the block
  // computes a padded "<buf>_pad" output over the padded domain, and a block
  // "<buf>_unpad" writes the original region back. A padded reduction iter
  // var needs an update C = C + e with e zero in the inputs' padding.
  void pad_einsum(BlockRV block, const std::vector<int64_t>& padding);
  // Splits a padding block (B[v...] = select(in_bounds, X[...], constant))
  // into a block "<name>_pad_const" filling B with the constant, placed
  // right before `loop`, and the block itself restricted to the in-bounds
  // instances copying X. Returns the constant block.
  BlockRV decompose_padding(BlockRV block, LoopRV loop);

  // Records an instruction applied by a primitive (used by the family files).
  void record(const std::string& kind, std::vector<Input> inputs, std::vector<Attr> attrs,
              std::vector<RV> outputs, std::optional<Decision> decision = std::nullopt);
  // New handles.
  LoopRV add_loop(const ir::Var& loop_var);
  BlockRV add_block(const std::string& name);
  ExprRV add_value(int64_t value);
  // Replaces the function after a successful primitive.
  void set_func(ir::PrimFunc func) { func_ = std::move(func); }
  // Runs a primitive: a ScheduleError it throws is rendered for people (in
  // detail mode) and rethrown with its type intact.
  template <typename F>
  auto guard(F&& primitive) -> decltype(primitive()) {
    try {
      return primitive();
    } catch (ScheduleError& e) {
      if (render_level_ == ErrorRenderLevel::kDetail) e.render(func_);
      throw;
    }
  }

 private:
  using Symbol = std::variant<ir::Var, std::string, int64_t>;
  const Symbol& symbol(const RV& rv, RV::Kind kind) const;

  ir::PrimFunc original_;
  ir::PrimFunc func_;
  std::vector<Symbol> symbols_;
  Trace trace_;
  // Mutable: copy() forks it, which advances it, on a const schedule too.
  mutable RandomEngine rng_;
  ErrorRenderLevel render_level_;
};

}  // namespace kiln::sched

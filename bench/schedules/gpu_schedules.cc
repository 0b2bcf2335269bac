#include "bench/schedules/gpu_schedules.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "ir/function.h"

namespace kiln::bench::gpu {

namespace {

using sched::BlockRV;
using sched::LoopRV;
using sched::Schedule;

const sched::Factor kInferred = std::monostate{};

int64_t extent_of(Schedule& sch, LoopRV loop) {
  const auto* f = sch.loop_stmt(loop).as<ir::ForNode>();
  const int64_t* e = f ? ir::as_const_int(f->extent) : nullptr;
  if (!e) throw std::invalid_argument("gpu schedules: loop with a non-constant extent");
  return *e;
}

// A tile that does not divide its extent would leave a predicated tail;
// the hand schedules are written for shapes their tiles divide.
void require_divides(Schedule& sch, LoopRV loop, int64_t tile, const std::string& what) {
  const int64_t extent = extent_of(sch, loop);
  if (tile <= 0 || extent % tile != 0)
    throw std::invalid_argument("gpu schedule: " + what + " (" + std::to_string(tile) +
                                ") does not divide the extent " + std::to_string(extent) +
                                " of loop " + sch.loop_var(loop).name() +
                                "; choose a tile that divides it");
}

// The loops of a cache stage under its compute location, fused and spread
// over the block's threads: the ty x tx threads copy consecutive elements
// (consecutive threadIdx.x read consecutive addresses), in turn.
void cooperative_fetch(Schedule& sch, BlockRV stage, int64_t threads_y, int64_t threads_x,
                       size_t outer_loops) {
  std::vector<LoopRV> loops = sch.get_loops(stage);
  std::vector<LoopRV> inner(loops.begin() + static_cast<long>(outer_loops), loops.end());
  LoopRV fused = inner.size() == 1 ? inner[0] : sch.fuse(inner);
  std::vector<LoopRV> parts = sch.split(fused, {kInferred, threads_y, threads_x});
  sch.bind(parts[1], "threadIdx.y");
  sch.bind(parts[2], "threadIdx.x");
}

// The two-level tiling shared by matmul and conv2d: `rows` and `cols` (the
// output's two spatial loops) into block / thread / per-thread tiles,
// `reduction` into slices staged in shared memory; the per-thread tile
// accumulated in registers; the operands `staged` read through shared
// memory, fetched by every thread of the block. `prefix` loops (a batch)
// stay outermost, bound to blockIdx.z.
void tile_two_level(Schedule& sch, BlockRV block, std::vector<LoopRV> prefix, LoopRV rows,
                    LoopRV cols, std::vector<LoopRV> reductions, int64_t block_rows,
                    int64_t block_cols, int64_t thread_rows, int64_t thread_cols,
                    int64_t reduction_step, const std::vector<int>& staged) {
  require_divides(sch, rows, block_rows, "the block's row tile");
  require_divides(sch, cols, block_cols, "the block's column tile");
  if (block_rows % thread_rows || block_cols % thread_cols)
    throw std::invalid_argument("gpu schedule: a thread's tile must divide the block's tile");
  const int64_t ty = block_rows / thread_rows, tx = block_cols / thread_cols;
  std::vector<LoopRV> i = sch.split(rows, {kInferred, ty, thread_rows});
  std::vector<LoopRV> j = sch.split(cols, {kInferred, tx, thread_cols});
  // The innermost reduction loop is sliced; the others stay outside it.
  LoopRV last = reductions.back();
  reductions.pop_back();
  require_divides(sch, last, reduction_step, "the reduction slice");
  std::vector<LoopRV> k = sch.split(last, {kInferred, reduction_step});
  std::vector<LoopRV> order = prefix;
  for (LoopRV l : {i[0], j[0], i[1], j[1], k[0]}) order.push_back(l);
  for (LoopRV l : reductions) order.push_back(l);
  for (LoopRV l : {k[1], i[2], j[2]}) order.push_back(l);
  sch.reorder(order);
  if (!prefix.empty()) {
    LoopRV batch = prefix.size() == 1 ? prefix[0] : sch.fuse(prefix);
    sch.bind(batch, "blockIdx.z");
  }
  sch.bind(i[0], "blockIdx.y");
  sch.bind(j[0], "blockIdx.x");
  sch.bind(i[1], "threadIdx.y");
  sch.bind(j[1], "threadIdx.x");
  // Accumulate each thread's tile in registers, write it back once.
  BlockRV local = sch.cache_write(block, 0, "local");
  sch.reverse_compute_at(local, j[1]);
  // Stage the reduction slice of each operand in shared memory, fetched by
  // all threads of the block.
  for (int operand : staged) {
    BlockRV shared = sch.cache_read(block, operand, "shared");
    sch.compute_at(shared, k[0]);
    // Under the batch?, by, bx, ty, tx and k0 loops.
    cooperative_fetch(sch, shared, ty, tx, (prefix.empty() ? 0 : 1) + 5);
  }
  sch.unroll(k[1]);
  sch.unroll(i[2]);
  sch.unroll(j[2]);
  // The registers are zeroed once before the reduction, not tested for its
  // first step at every step.
  BlockRV init = sch.decompose_reduction(block, k[0]);
  std::vector<LoopRV> init_loops = sch.get_loops(init);
  // Under the batch?, by, bx, ty and tx loops: the thread's tile.
  for (size_t l = prefix.empty() ? 4 : 5; l < init_loops.size(); ++l) sch.unroll(init_loops[l]);
}

// Block `name` over rows (loops i, then j or a reduction k): one row per
// thread block, the row spread over `threads` threads, each taking every
// threads-th element (consecutive threads read consecutive elements). Over
// a reduction loop that is a cross-thread reduction.
void row_per_block(Schedule& sch, const std::string& name, int64_t threads) {
  BlockRV b = sch.get_block(name);
  std::vector<LoopRV> loops = sch.get_loops(b);
  std::vector<LoopRV> j = sch.split(loops[1], {kInferred, threads});
  sch.reorder({j[1], j[0]});
  sch.bind(loops[0], "blockIdx.x");
  sch.bind(j[1], "threadIdx.x");
}

}  // namespace

void schedule_matmul(Schedule& sch, const MatmulTiles& t, bool batched) {
  BlockRV c = sch.get_block("C");
  std::vector<LoopRV> loops = sch.get_loops(c);
  const size_t first = batched ? 1 : 0;
  std::vector<LoopRV> prefix(loops.begin(), loops.begin() + static_cast<long>(first));
  tile_two_level(sch, c, prefix, loops[first], loops[first + 1], {loops[first + 2]}, t.block_rows,
                 t.block_cols, t.thread_rows, t.thread_cols, t.k_step, {0, 1});
}

void schedule_conv2d_nhwc(Schedule& sch, const ConvTiles& t) {
  BlockRV conv = sch.get_block("conv2d");
  std::vector<LoopRV> loops = sch.get_loops(conv);  // n, h, w, k, rh, rw, rc
  LoopRV pixels = sch.fuse({loops[0], loops[1], loops[2]});
  // Reads: the padded input, then the weights.
  tile_two_level(sch, conv, {}, pixels, loops[3], {loops[4], loops[5], loops[6]}, t.block_pixels,
                 t.block_channels, t.thread_pixels, t.thread_channels, t.channel_step, {0, 1});
  // The padding is computed while the input is fetched, never stored.
  sch.compute_inline(sch.get_block("pad"));
}

void schedule_depthwise_conv2d_nhwc(Schedule& sch, int64_t threads) {
  sch.compute_inline(sch.get_block("pad"));
  BlockRV conv = sch.get_block("depthwise_conv2d");
  std::vector<LoopRV> loops = sch.get_loops(conv);  // n, h, w, c, rh, rw
  require_divides(sch, loops[3], threads, "the channels per block");
  LoopRV pixels = sch.fuse({loops[0], loops[1], loops[2]});
  std::vector<LoopRV> c = sch.split(loops[3], {kInferred, threads});
  sch.reorder({pixels, c[0], c[1]});
  sch.bind(pixels, "blockIdx.y");
  sch.bind(c[0], "blockIdx.x");
  sch.bind(c[1], "threadIdx.x");
  BlockRV local = sch.cache_write(conv, 0, "local");
  sch.reverse_compute_at(local, c[1]);
  sch.unroll(loops[4]);
  sch.unroll(loops[5]);
}

void schedule_softmax(Schedule& sch, int64_t threads) {
  // exp(A - max) is recomputed where it is read rather than stored.
  sch.compute_inline(sch.get_block("exp"));
  row_per_block(sch, "row_max", threads);
  row_per_block(sch, "row_sum", threads);
  row_per_block(sch, "softmax", threads);
}

void schedule_layernorm(Schedule& sch, int64_t threads) {
  row_per_block(sch, "row_sum", threads);
  row_per_block(sch, "sq_sum", threads);
  row_per_block(sch, "layernorm", threads);
}

}  // namespace kiln::bench::gpu

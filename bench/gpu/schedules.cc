#include "bench/gpu/schedules.h"

#include <vector>

namespace kiln::bench::gpu {

namespace {

// The loops of a cache stage under its compute location, fused and spread
// over the block's threads: ty and tx threads each copy elements in turn.
void cooperative_fetch(sched::Schedule& sch, sched::BlockRV stage, int64_t threads_y,
                       int64_t threads_x, size_t outer_loops) {
  std::vector<sched::LoopRV> loops = sch.get_loops(stage);
  std::vector<sched::LoopRV> inner(loops.begin() + static_cast<long>(outer_loops), loops.end());
  sched::LoopRV fused = sch.fuse(inner);
  std::vector<sched::LoopRV> parts = sch.split(fused, {std::monostate{}, threads_y, threads_x});
  sch.bind(parts[1], "threadIdx.y");
  sch.bind(parts[2], "threadIdx.x");
}

}  // namespace

void schedule_matmul(sched::Schedule& sch, const MatmulTiles& t, bool batched) {
  sched::BlockRV c = sch.get_block("C");
  std::vector<sched::LoopRV> loops = sch.get_loops(c);
  const size_t first = batched ? 1 : 0;
  const int64_t ty = t.block_rows / t.thread_rows, tx = t.block_cols / t.thread_cols;
  std::vector<sched::LoopRV> i = sch.split(loops[first], {std::monostate{}, ty, t.thread_rows});
  std::vector<sched::LoopRV> j = sch.split(loops[first + 1], {std::monostate{}, tx, t.thread_cols});
  std::vector<sched::LoopRV> k = sch.split(loops[first + 2], {std::monostate{}, t.k_step});
  std::vector<sched::LoopRV> order;
  if (batched) order.push_back(loops[0]);
  for (const sched::LoopRV& l : {i[0], j[0], i[1], j[1], k[0], k[1], i[2], j[2]})
    order.push_back(l);
  sch.reorder(order);
  if (batched) sch.bind(loops[0], "blockIdx.z");
  sch.bind(i[0], "blockIdx.y");
  sch.bind(j[0], "blockIdx.x");
  sch.bind(i[1], "threadIdx.y");
  sch.bind(j[1], "threadIdx.x");
  // Accumulate each thread's tile in registers, write it back once.
  sched::BlockRV local = sch.cache_write(c, 0, "local");
  sch.reverse_compute_at(local, j[1]);
  // Stage the k slice of A and B in shared memory, fetched by all threads.
  const size_t thread_loops = first + 4;  // batch?, by, bx, ty, tx
  for (int operand = 0; operand < 2; ++operand) {
    sched::BlockRV shared = sch.cache_read(c, operand, "shared");
    sch.compute_at(shared, k[0]);
    cooperative_fetch(sch, shared, ty, tx, thread_loops + 1);
  }
}

}  // namespace kiln::bench::gpu

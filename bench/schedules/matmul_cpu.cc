// The expert matmul schedule, level by level (GotoBLAS/BLIS, "Anatomy of
// High-Performance Matrix Multiplication"):
//
//   for io, jo:                      parallel: a block of rows x one panel of B
//     pack B[:, jo*nr:(jo+1)*nr]     K x nr, contiguous: the micro-kernel streams it
//     for ii:                        register tiles down the block of rows
//       C_local[mr, nr] = 0          init hoisted out of the k loop
//       for k:                       the whole reduction runs on registers
//         for i (unrolled mr):       broadcast A[i, k]
//           for j (vector nr):       load packed B, FMA into C_local
//       C[...] = C_local             write-back, once per tile
//
// With AVX2 (8 lanes) the register tile is 6 x 16: 12 ymm accumulators, 2
// ymm for B and one broadcast, 15 of the 16 registers. The reduction stays
// whole inside the tile because the accumulator is written back by
// assignment (cache_write), so K is not blocked: the packed panel (4 KiB per
// 64 rows of K) lives in L2 and the block of A rows beside it.
//
// Sizes the register tile does not divide are padded (pad_einsum): the
// compute block then never runs under a predicate, which reverse_compute_at
// needs to put the write-back next to the tile.
#include "bench/schedules/matmul_cpu.h"

#include <stdexcept>
#include <string>

#include "ir/buffer.h"

namespace kiln::sched {

namespace {

int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

// The largest divisor of n that is at most `limit` (at least 1).
int64_t largest_divisor_at_most(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0) return d;
  return 1;
}

struct MatmulShape {
  int64_t M, N, K;
};

// M, N, K of the matmul workload, or invalid_argument saying why not.
MatmulShape matmul_shape(const ir::PrimFunc& func) {
  auto fail = [&](const std::string& why) {
    return std::invalid_argument("expert_matmul_cpu: function `" + func->name + "` " + why +
                                 "; it schedules the \"matmul\" workload (A (M, K) @ B (K, N) "
                                 "into C (M, N), float32)");
  };
  if (func->params.size() != 3) throw fail("does not have 3 parameters");
  std::vector<std::vector<int64_t>> shapes;
  for (const ir::Buffer& b : func->params) {
    if (b->dtype != ir::DataType::Float(32))
      throw fail("has parameter `" + b->name + "` that is not float32");
    if (b->shape.size() != 2) throw fail("has parameter `" + b->name + "` that is not 2-D");
    shapes.push_back(ir::static_shape(b));
  }
  const int64_t M = shapes[0][0], K = shapes[0][1], N = shapes[1][1];
  if (shapes[1][0] != K || shapes[2][0] != M || shapes[2][1] != N)
    throw fail("has shapes that do not chain as (M, K) x (K, N) -> (M, N)");
  return {M, N, K};
}

// Tiles for `lanes`-wide vectors: a register tile that fills the vector
// register file with accumulators and leaves room for the B vectors and the
// broadcast, and a block of rows sized so that it and one packed panel of B
// stay in L2 while every thread has work.
MatmulCpuTiles choose_tiles(MatmulCpuTiles t, int lanes, int threads, const MatmulShape& s) {
  if (t.register_cols == 0) t.register_cols = 2 * lanes;
  if (t.register_rows == 0) t.register_rows = 6;
  if (t.block_rows == 0) t.block_rows = 8 * t.register_rows;
  (void)threads;
  (void)s;
  return t;
}

}  // namespace

Schedule expert_matmul_cpu(const ir::PrimFunc& func, int vector_lanes, int num_threads,
                           MatmulCpuTiles tiles) {
  if (vector_lanes <= 0 || num_threads <= 0)
    throw std::invalid_argument("expert_matmul_cpu: vector_lanes (" + std::to_string(vector_lanes) +
                                ") and num_threads (" + std::to_string(num_threads) +
                                ") must be positive");
  const MatmulShape shape = matmul_shape(func);
  const MatmulCpuTiles t = choose_tiles(tiles, vector_lanes, num_threads, shape);
  if (t.register_rows <= 0 || t.register_cols <= 0 || t.block_rows <= 0 ||
      t.register_cols % vector_lanes != 0)
    throw std::invalid_argument("expert_matmul_cpu: tiles must be positive and register_cols (" +
                                std::to_string(t.register_cols) + ") a multiple of vector_lanes (" +
                                std::to_string(vector_lanes) + ")");
  const int64_t mr = t.register_rows, nr = t.register_cols;

  Schedule sch(func);
  BlockRV compute = sch.get_block("C");

  // Step 1. Pad M and N up to the register tile, so that no tile is partial.
  const int64_t M = round_up(shape.M, mr), N = round_up(shape.N, nr);
  const bool pad_rows = M != shape.M, pad_cols = N != shape.N;
  if (pad_rows || pad_cols) sch.pad_einsum(compute, {pad_rows ? mr : 1, pad_cols ? nr : 1, 1});

  // Step 2. Tile: blocks of rows x panels of columns, register tiles inside,
  // the reduction between them and the register tile.
  std::vector<LoopRV> loops = sch.get_loops(compute);
  const int64_t tiles_per_block =
      largest_divisor_at_most(M / mr, std::max<int64_t>(1, t.block_rows / mr));
  std::vector<LoopRV> i = sch.split(loops[0], {std::monostate(), tiles_per_block, mr});
  std::vector<LoopRV> j = sch.split(loops[1], {std::monostate(), nr});
  LoopRV k = loops[2];
  sch.reorder({i[0], j[0], i[1], k, i[2], j[1]});

  // Step 3. Accumulate the register tile in a local buffer, written back to
  // C once the tile's whole reduction is done.
  BlockRV write_back = sch.cache_write(compute, 0, "local");
  sch.reverse_compute_at(write_back, i[1]);

  // Step 4. Pack the panel of B that the block of rows uses: a K x nr copy
  // the micro-kernel reads with unit stride.
  BlockRV pack_b = pad_cols ? sch.get_block("B_pad") : sch.cache_read(compute, 1, "global");
  sch.compute_at(pack_b, j[0]);

  // Step 5. Zero the accumulator before the k loop, not under it.
  BlockRV init = sch.decompose_reduction(compute, k);

  // Step 6. The micro-kernel: rows unrolled, columns vectorized.
  sch.unroll(i[2]);
  sch.vectorize(j[1]);
  for (BlockRV b : {init, write_back}) {
    std::vector<LoopRV> l = sch.get_loops(b);
    std::vector<LoopRV> cols = sch.split(l.back(), {std::monostate(), vector_lanes});
    sch.vectorize(cols[1]);
    sch.unroll(cols[0]);
    sch.unroll(l[l.size() - 2]);
  }
  {
    std::vector<LoopRV> l = sch.get_loops(pack_b);
    std::vector<LoopRV> cols = sch.split(l.back(), {std::monostate(), vector_lanes});
    sch.vectorize(cols[1]);
    sch.unroll(cols[0]);
  }

  // Step 7. Threads share the (block of rows, panel) pairs.
  LoopRV outer = sch.fuse({i[0], j[0]});
  sch.parallel(outer);
  return sch;
}

}  // namespace kiln::sched

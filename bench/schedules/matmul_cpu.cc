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

#include <algorithm>
#include <optional>
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

// Tiles for `lanes`-wide vectors, when not given.
//  - The register tile (mr rows x nv vectors) must fit the vector register
//    file with its nv B vectors and the broadcast of A, one register to
//    spare (AVX-512 has 32, AVX2 16), and have at least 8 accumulators:
//    an FMA has 4 cycles of latency on 2 pipes, so 8 chains keep them busy.
//    Among those, a tile that divides M and N is preferred (padding copies A
//    and C once more), then the most FMAs per load (mr nv / (mr + nv)), then
//    the most accumulators.
//  - A block of rows is as many register tiles as keep it (block_rows x K
//    floats of A) within about 256 KiB, a share of L2 that leaves room for
//    the packed panel of B; each panel is packed once per block.
MatmulCpuTiles choose_tiles(MatmulCpuTiles t, int lanes, const MatmulShape& s) {
  if (t.register_rows == 0 || t.register_cols == 0) {
    const int registers = lanes >= 16 ? 32 : 16;
    struct Candidate {
      bool pads;
      double intensity;
      int accumulators;
      int rows, vectors;
    };
    std::optional<Candidate> best;
    auto better = [](const Candidate& x, const Candidate& y) {
      if (x.pads != y.pads) return !x.pads;
      if (x.intensity != y.intensity) return x.intensity > y.intensity;
      return x.accumulators > y.accumulators;
    };
    for (int vectors = 1; vectors <= 4; ++vectors)
      for (int rows = 1; rows * vectors + vectors + 1 < registers; ++rows) {
        if (rows * vectors < 8) continue;
        if (t.register_rows != 0 && rows != t.register_rows) continue;
        if (t.register_cols != 0 && vectors * lanes != t.register_cols) continue;
        Candidate c{s.M % rows != 0 || s.N % (vectors * lanes) != 0,
                    double(rows * vectors) / (rows + vectors), rows * vectors, rows, vectors};
        if (!best || better(c, *best)) best = c;
      }
    if (best) {
      t.register_rows = best->rows;
      t.register_cols = best->vectors * lanes;
    } else {  // a given size no candidate has: keep it, fill the other
      if (t.register_rows == 0) t.register_rows = 4;
      if (t.register_cols == 0) t.register_cols = 2 * lanes;
    }
  }
  if (t.block_rows == 0) {
    const int64_t rows = (256 * 1024 / 4) / std::max<int64_t>(1, s.K);
    t.block_rows = static_cast<int>(
        std::max<int64_t>(t.register_rows, rows / t.register_rows * t.register_rows));
  }
  return t;
}

// Splits `loop` (a multiple of `lanes` long) into whole vectors: the inner
// loop is one native vector, the outer one is unrolled. A loop wider than a
// register would be legalized by LLVM, badly when the width is not a power of
// two (a 24-lane vector becomes shuffles).
void vectorize_by_registers(Schedule& sch, LoopRV loop, int lanes) {
  std::vector<LoopRV> parts = sch.split(loop, {std::monostate(), int64_t{lanes}});
  sch.unroll(parts[0]);
  sch.vectorize(parts[1]);
}

}  // namespace

Schedule expert_matmul_cpu(const ir::PrimFunc& func, int vector_lanes, int num_threads,
                           MatmulCpuTiles tiles) {
  if (vector_lanes <= 0 || num_threads <= 0)
    throw std::invalid_argument("expert_matmul_cpu: vector_lanes (" + std::to_string(vector_lanes) +
                                ") and num_threads (" + std::to_string(num_threads) +
                                ") must be positive");
  const MatmulShape shape = matmul_shape(func);
  const MatmulCpuTiles t = choose_tiles(tiles, vector_lanes, shape);
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
  // Blocks of rows are whole register tiles. With padded rows only the
  // blocks are shared among threads (step 9): give each thread one at least.
  int64_t block_tiles = std::max<int64_t>(1, t.block_rows / mr);
  if (pad_rows) block_tiles = std::min(block_tiles, (M / mr + num_threads - 1) / num_threads);
  const int64_t tiles_per_block = largest_divisor_at_most(M / mr, block_tiles);
  std::vector<LoopRV> i = sch.split(loops[0], {std::monostate(), tiles_per_block, mr});
  std::vector<LoopRV> j = sch.split(loops[1], {std::monostate(), nr});
  LoopRV k = loops[2];
  sch.reorder({i[0], j[0], i[1], k, i[2], j[1]});

  // Step 3. Accumulate the register tile in a local buffer, written back to
  // C once the tile's whole reduction is done.
  BlockRV write_back = sch.cache_write(compute, 0, "local");
  sch.reverse_compute_at(write_back, i[1]);

  // Step 4. A padded A is copied a block of rows at a time, by the thread
  // that uses it, and the block's rows of the padded C are copied back
  // right after it.
  if (pad_rows) {
    sch.reverse_compute_at(sch.get_block("C_unpad"), i[0]);
    sch.compute_at(sch.get_block("A_pad"), i[0]);
  }

  // Step 5. Pack the panel of B that the block of rows uses: a K x nr copy
  // the micro-kernel reads with unit stride (a padded B is packed by its
  // padding block).
  BlockRV pack_b = pad_cols ? sch.get_block("B_pad") : sch.cache_read(compute, 1, "global");
  sch.compute_at(pack_b, j[0]);

  // Step 6. The padding blocks write zeros first, then copy only what A and
  // B have: no load reads past the end of a row, even a vector one.
  if (pad_rows) {
    BlockRV pad_a = sch.get_block("A_pad");
    sch.decompose_padding(pad_a, sch.get_loops(pad_a).back());
  }
  if (pad_cols) {
    BlockRV zeros = sch.decompose_padding(pack_b, sch.get_loops(pack_b).back());
    vectorize_by_registers(sch, sch.get_loops(zeros).back(), vector_lanes);
  }
  vectorize_by_registers(sch, sch.get_loops(pack_b).back(), vector_lanes);

  // Step 7. Zero the accumulator before the k loop, not under it.
  BlockRV init = sch.decompose_reduction(compute, k);

  // Step 8. The micro-kernel: rows unrolled, columns in vector registers.
  sch.unroll(i[2]);
  vectorize_by_registers(sch, j[1], vector_lanes);
  for (BlockRV b : {init, write_back}) {
    std::vector<LoopRV> l = sch.get_loops(b);
    sch.unroll(l[l.size() - 2]);
    vectorize_by_registers(sch, l.back(), vector_lanes);
  }

  // Step 9. Threads share the (block of rows, panel) pairs; the blocks of
  // rows alone when each copies its part of a padded A and C.
  if (pad_rows) {
    sch.parallel(i[0]);
  } else {
    sch.parallel(sch.fuse({i[0], j[0]}));
  }
  return sch;
}

}  // namespace kiln::sched

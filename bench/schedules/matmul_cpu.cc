// The expert matmul schedule, level by level (GotoBLAS/BLIS, "Anatomy of
// High-Performance Matrix Multiplication"):
//
//   pack B into panels [N/nr][K][nr]   once, threads share the panels
//   for io:                            parallel: blocks of rows
//     pack its rows of A into tiles [rows/mr][K][mr]: one broadcast stream
//     for jo, ii:                      panel x register tile
//       C_local[mr, nr] = 0            init hoisted out of the k loop
//       for k:                         the whole reduction runs on registers
//         for i (unrolled mr):         broadcast packed A
//           for j (nr/lanes vectors):  load the packed panel, FMA into C_local
//       C[...] = C_local               write-back, once per tile
//
// With AVX2 (8 lanes) the register tile is 4 x 16 when it divides (8 ymm
// accumulators, as many as hide the FMA latency) and 6 x 16 otherwise (12
// accumulators + 2 B vectors + 1 broadcast: 15 of the 16 registers). The
// reduction stays whole inside the tile because the accumulator is written
// back by assignment (cache_write), so K is not blocked: a panel (64 KiB at
// K = 1024) lives in L2 while the block's tiles stream past it.
//
// Sizes the register tile does not divide are padded (pad_einsum): the
// compute block then never runs under a predicate, which reverse_compute_at
// needs to put the write-back next to the tile.
#include "bench/schedules/matmul_cpu.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>

#include "ir/buffer.h"
#include "ir/stmt.h"
#include "schedule/index_map.h"

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
//  - A block of rows is 512 rows (fewer when the threads would not each get
//    one, step 2). Each block reads every panel of B once, so bigger blocks
//    read B less; the A tile streams through the prefetchers from L3 well
//    enough. Measured on Zen 3 (AVX2) at K = 512..2048, one thread: 32-64
//    rows lose 3-20% to 256-512 rows; past 512 nothing changes.
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
  if (t.block_rows == 0) t.block_rows = 512;
  return t;
}

// The position of `buffer` among the reads of `block`.
int read_index(const Schedule& sch, BlockRV block, const ir::Buffer& buffer) {
  const std::vector<ir::BufferRegion>& reads =
      sch.block_stmt(block).as<ir::BlockRealizeNode>()->block->reads;
  for (size_t r = 0; r < reads.size(); ++r)
    if (reads[r].buffer == buffer) return static_cast<int>(r);
  throw std::logic_error("expert_matmul_cpu: block \"" + sch.block_name(block) +
                         "\" does not read `" + buffer->name + "`");
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

// The register tile: its rows unrolled, its columns in whole vector
// registers, and the same for the blocks that zero it and write it back
// (their last two loops are the tile's rows and columns).
void register_tile(Schedule& sch, LoopRV rows, LoopRV cols, std::initializer_list<BlockRV> ends,
                   int lanes) {
  sch.unroll(rows);
  vectorize_by_registers(sch, cols, lanes);
  for (BlockRV b : ends) {
    std::vector<LoopRV> l = sch.get_loops(b);
    sch.unroll(l[l.size() - 2]);
    vectorize_by_registers(sch, l.back(), lanes);
  }
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

  // Step 2. Tile: blocks of rows (whole register tiles, at least one per
  // thread) x panels of columns, register tiles inside, the reduction
  // between them and the register tile.
  std::vector<LoopRV> loops = sch.get_loops(compute);
  const int64_t row_tiles = M / mr;
  const int64_t block_tiles = std::min<int64_t>(std::max(1, t.block_rows / t.register_rows),
                                                (row_tiles + num_threads - 1) / num_threads);
  std::vector<LoopRV> i =
      sch.split(loops[0], {std::monostate(), largest_divisor_at_most(row_tiles, block_tiles), mr});
  std::vector<LoopRV> j = sch.split(loops[1], {std::monostate(), nr});
  LoopRV k = loops[2];
  sch.reorder({i[0], j[0], i[1], k, i[2], j[1]});

  // Step 3. Accumulate the register tile in a local buffer, written back to
  // C once the tile's whole reduction is done.
  BlockRV write_back = sch.cache_write(compute, 0, "local");
  sch.reverse_compute_at(write_back, i[1]);

  // Step 4. Each tile of a padded C goes to C right after the panel that
  // computed it, while it is in cache (before step 7 puts predicates on the
  // producers, which reverse_compute_at refuses to cross).
  if (pad_rows || pad_cols) sch.reverse_compute_at(sch.get_block("C_unpad"), j[0]);

  // Step 5. Pack the block of rows of A, by the thread that uses it, tile
  // by tile with the k loop outside: the micro-kernel broadcasts its mr
  // values of A for one k from one place. A padded A is packed by its
  // padding block.
  BlockRV pack_a =
      pad_rows ? sch.get_block("A_pad")
               : sch.cache_read(compute, read_index(sch, compute, func->params[0]), "global");
  sch.compute_at(pack_a, i[0]);
  sch.transform_layout(pack_a, 0, true,
                       IndexMap::parse("lambda i, k: (i // " + std::to_string(mr) + ", k, i % " +
                                       std::to_string(mr) + ")"));

  // Step 6. Pack all of B once, panel by panel (a panel is K x nr,
  // contiguous), the threads sharing the panels: the micro-kernel streams
  // its panel with unit stride, and no block of rows packs it again.
  BlockRV pack_b =
      pad_cols ? sch.get_block("B_pad")
               : sch.cache_read(compute, read_index(sch, compute, func->params[1]), "global");
  sch.transform_layout(pack_b, 0, true,
                       IndexMap::parse("lambda k, j: (j // " + std::to_string(nr) + ", k, j % " +
                                       std::to_string(nr) + ")"));
  std::vector<LoopRV> b_loops = sch.get_loops(pack_b);
  std::vector<LoopRV> panel = sch.split(b_loops[1], {std::monostate(), nr});
  sch.reorder({panel[0], b_loops[0], panel[1]});
  sch.parallel(panel[0]);

  // Step 7. The padding blocks write zeros first, then copy only what A and
  // B have: no load reads past the end of a row, even a vector one.
  if (pad_rows) sch.decompose_padding(pack_a, sch.get_loops(pack_a).back());
  if (pad_cols) {
    BlockRV zeros = sch.decompose_padding(pack_b, b_loops[0]);
    vectorize_by_registers(sch, sch.get_loops(zeros).back(), vector_lanes);
  }
  vectorize_by_registers(sch, panel[1], vector_lanes);

  // Step 8. Zero the accumulator before the k loop, not under it.
  BlockRV init = sch.decompose_reduction(compute, k);

  // Step 9. The micro-kernel: rows unrolled, columns in vector registers.
  register_tile(sch, i[2], j[1], {init, write_back}, vector_lanes);

  // Step 10. Threads share the blocks of rows.
  sch.parallel(i[0]);
  return sch;
}

Schedule tiled_matmul_cpu(const ir::PrimFunc& func, int rows, int cols, int vector_lanes) {
  const MatmulShape shape = matmul_shape(func);
  if (rows <= 0 || cols <= 0 || vector_lanes <= 0 || cols % vector_lanes != 0 ||
      shape.M % rows != 0 || shape.N % cols != 0)
    throw std::invalid_argument(
        "tiled_matmul_cpu: a " + std::to_string(rows) + " x " + std::to_string(cols) +
        " tile of " + std::to_string(vector_lanes) + "-lane vectors does not tile " +
        std::to_string(shape.M) + " x " + std::to_string(shape.N) +
        "; rows must divide M, cols N, and the lanes cols");
  Schedule sch(func);
  BlockRV compute = sch.get_block("C");
  std::vector<LoopRV> loops = sch.get_loops(compute);
  std::vector<LoopRV> i = sch.split(loops[0], {std::monostate(), int64_t{rows}});
  std::vector<LoopRV> j = sch.split(loops[1], {std::monostate(), int64_t{cols}});
  sch.reorder({i[0], j[0], loops[2], i[1], j[1]});
  BlockRV write_back = sch.cache_write(compute, 0, "local");
  sch.reverse_compute_at(write_back, j[0]);
  BlockRV init = sch.decompose_reduction(compute, loops[2]);
  register_tile(sch, i[1], j[1], {init, write_back}, vector_lanes);
  sch.parallel(i[0]);
  return sch;
}

}  // namespace kiln::sched

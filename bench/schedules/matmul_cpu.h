// An expert's hand-written CPU schedule for the "matmul" workload
// (C[i, j] = sum_k A[i, k] * B[k, j], float32, row-major), in the
// GotoBLAS/BLIS style, built only from kiln's schedule primitives. It is the
// bar the tuner's CPU sketches must reach, and what bench_matmul_cpu
// measures against OpenBLAS, Eigen and oneDNN.
//
//   kiln::Target target("llvm");
//   sched::Schedule sch = sched::expert_matmul_cpu(func, target.vector_bytes / 4, 2);
//   kiln::Module m = kiln::build(sch.func(), target);
#pragma once

#include "ir/function.h"
#include "schedule/schedule.h"

namespace kiln::sched {

// The tile sizes of the schedule (see matmul_cpu.cc for what each level is
// for). Zero means "choose from the vector width and the shape".
struct MatmulCpuTiles {
  int register_rows = 0;  // rows of the register tile (unrolled)
  int register_cols = 0;  // columns of the register tile, a multiple of the lanes (vectorized)
  int block_rows = 0;     // rows of A packed and computed together (a parallel task)
};

// Schedules `func` (the "matmul" workload at any M, N, K; sizes the tiles do
// not divide are padded) for a CPU with `vector_lanes` float32 lanes and
// `num_threads` threads. Throws std::invalid_argument when `func` is not that
// workload or the arguments are not positive.
Schedule expert_matmul_cpu(const ir::PrimFunc& func, int vector_lanes, int num_threads,
                           MatmulCpuTiles tiles = {});

// The plain tiled schedule a first search finds (MetaSchedule's SSRSRS
// sketch without packing): rows x cols register tiles accumulated in a local
// buffer over the whole reduction, rows unrolled, columns in `vector_lanes`
// vectors, blocks of rows parallel. A and B are read where the caller put
// them, so its speed shows how their alignment matters. M must be a
// multiple of `rows` and N of `cols`; throws std::invalid_argument otherwise.
Schedule tiled_matmul_cpu(const ir::PrimFunc& func, int rows, int cols, int vector_lanes);

}  // namespace kiln::sched

// Program features for the cost model, in the spirit of Ansor's: one
// fixed-length row per buffer store of a program lowered up to
// kFeatureStage (loops final, blocks gone, buffers compacted but not yet
// flattened, bodies not yet unrolled), describing the store in its loop
// nest:
//
//   computation   float multiply-adds, add/sub, mul, div, min/max/compares,
//                 math calls, integer and boolean operations, over all the
//                 store's iterations
//   loops         vectorized, unrolled and parallel loops (count, product of
//                 extents, innermost extent, where the vector loop sits),
//                 GPU block and thread extents, the loop count and the
//                 iterations
//   buffers       for up to kBuffersPerStore buffers the store touches, by
//                 bytes accessed (buffer_touch.h): read/write/read-write,
//                 bytes, unique bytes, cache lines, unique lines, whether
//                 elements are touched more than once and how many times on
//                 average; for the innermost loop that comes back to the
//                 same elements, the iterations between reuses and the bytes
//                 of the buffer touched meanwhile (the tile that must stay in
//                 cache); the stride of the innermost loop that moves the
//                 index
//   allocation    bytes of the stored buffer when the program allocates it
//   intensity     flops per unique byte touched under each of 10 loop levels
//   loop nest     the innermost 6 loops that iterate, innermost first: extent,
//                 kind (parallel, vectorized, unrolled; else serial), whether
//                 it leaves the stored element in place (a reduction loop)
//   hardware      against the target (FeatureHardware): vector registers per
//                 vector operation and whether the last is partial, the
//                 registers the straight-line body keeps live (of the stored
//                 buffer, of all buffers), the share of the cores the
//                 parallel loops keep busy, the iterations run on data that
//                 fits L1 and L2
//   working set   distinct bytes touched under the same 10 loop levels
//
// Counts and sizes are log2(1 + x); kinds are 0/1. feature_names() names
// every column.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "codegen/target.h"
#include "cost_model/cost_model.h"
#include "ir/function.h"

namespace kiln::cost_model {

// What features measure a program against: the target's cache line,
// vector register, cores and per-core caches. Defaults: a typical AVX2 CPU.
struct FeatureHardware {
  int cache_line_bytes = 64;
  int vector_bytes = 32;
  int cores = 1;
  double l1_bytes = 32 * 1024;
  double l2_bytes = 512 * 1024;
  static FeatureHardware of(const Target& target);
};

// The lowering pass features are read before (codegen::lower_until).
inline constexpr const char* kFeatureStage = "flatten_buffers";

inline constexpr int kBuffersPerStore = 5;
inline constexpr int kIntensityPoints = 10;

// Rows of features, row-major (what XGBoost takes without a copy).
using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

const std::vector<std::string>& feature_names();
int feature_count();

// One row per buffer store of `lowered` (a program lowered up to
// kFeatureStage), in program order, measured against `hardware`.
FeatureMatrix store_features(const ir::PrimFunc& lowered, const FeatureHardware& hardware = {});

// The rows of a batch of programs, program after program.
struct FeatureBatch {
  FeatureMatrix rows;
  std::vector<Eigen::Index> offsets;  // program i's rows: [offsets[i], offsets[i + 1])
  Eigen::Index rows_of(size_t i) const { return offsets[i + 1] - offsets[i]; }
};

// store_features of each program (of Program::lowered, or of its scheduled
// function lowered here), on `threads` threads (0: one per hardware
// thread). A program that does not lower has no rows.
FeatureBatch program_features(const std::vector<Program>& programs, int threads = 0);

}  // namespace kiln::cost_model

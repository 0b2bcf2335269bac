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
//
// Counts and sizes are log2(1 + x); kinds are 0/1. feature_names() names
// every column.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "cost_model/cost_model.h"
#include "ir/function.h"

namespace kiln::cost_model {

// The lowering pass features are read before (codegen::lower_until).
inline constexpr const char* kFeatureStage = "flatten_buffers";

inline constexpr int kBuffersPerStore = 5;
inline constexpr int kIntensityPoints = 10;

// Rows of features, row-major (what XGBoost takes without a copy).
using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

const std::vector<std::string>& feature_names();
int feature_count();

// One row per buffer store of `lowered` (a program lowered up to
// kFeatureStage), in program order. `cache_line_bytes`: the target's (64
// when 0).
FeatureMatrix store_features(const ir::PrimFunc& lowered, int cache_line_bytes = 64);

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

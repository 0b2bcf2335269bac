// Feature values on hand-written lowered programs whose answers are known,
// and the features of real candidates (every row finite, one per store).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "codegen/passes/pipeline.h"
#include "cost_model/features/features.h"
#include "ir/parser.h"
#include "schedule/schedule.h"
#include "workloads/workloads.h"

namespace kiln::cost_model {
namespace {

// A column's value before log scaling.
double value(const FeatureMatrix& m, int row, const std::string& name) {
  const auto& names = feature_names();
  const auto it = std::find(names.begin(), names.end(), name);
  EXPECT_NE(it, names.end()) << "no feature named " << name;
  if (it == names.end()) return NAN;
  return std::exp2(m(row, static_cast<int>(it - names.begin()))) - 1.0;
}

// Features are float32 logs: compare with a relative tolerance.
#define EXPECT_FEATURE(actual, want) EXPECT_NEAR(actual, want, 1e-5 * std::abs(want) + 1e-5)

// A 0/1 or ratio column, read as it is.
double raw(const FeatureMatrix& m, int row, const std::string& name) {
  const auto& names = feature_names();
  const auto it = std::find(names.begin(), names.end(), name);
  EXPECT_NE(it, names.end()) << "no feature named " << name;
  return it == names.end() ? NAN : m(row, static_cast<int>(it - names.begin()));
}

FeatureMatrix features_of(const std::string& text, const FeatureHardware& hardware = {}) {
  return store_features(ir::parse_prim_func(text), hardware);
}

TEST(Features, OneNamePerColumn) {
  EXPECT_EQ(static_cast<int>(feature_names().size()), feature_count());
  std::set<std::string> unique(feature_names().begin(), feature_names().end());
  EXPECT_EQ(unique.size(), feature_names().size());
}

TEST(Features, VectorizedLoopOfEight) {
  const FeatureMatrix m = features_of(R"(@kiln.prim_func(implicit_root=False)
def f(A: Buffer((64,), "float32"), B: Buffer((64,), "float32")):
    for i in range(8):
        for j in vectorized(8):
            B[i * 8 + j] = A[i * 8 + j] + float32(1.0)
)");
  ASSERT_EQ(m.rows(), 1);
  EXPECT_FEATURE(value(m, 0, "vec_len"), 8);
  EXPECT_FEATURE(value(m, 0, "vec_num"), 1);
  EXPECT_FEATURE(value(m, 0, "vec_innermost"), 1);
  EXPECT_FEATURE(value(m, 0, "vec_none"), 0);
  EXPECT_FEATURE(value(m, 0, "unroll_num"), 0);
  EXPECT_FEATURE(value(m, 0, "iterations"), 64);
  EXPECT_FEATURE(value(m, 0, "float_addsub"), 64);
  EXPECT_FEATURE(value(m, 0, "num_loops"), 2);
}

TEST(Features, ParallelAndUnrolledLoops) {
  const FeatureMatrix m = features_of(R"(@kiln.prim_func(implicit_root=False)
def f(A: Buffer((256,), "float32"), B: Buffer((256,), "float32")):
    for i in parallel(16):
        for j in unroll(4):
            for k in range(4):
                B[i * 16 + j * 4 + k] = A[i * 16 + j * 4 + k] * float32(2.0)
)");
  ASSERT_EQ(m.rows(), 1);
  EXPECT_FEATURE(value(m, 0, "parallel_len"), 16);
  EXPECT_FEATURE(value(m, 0, "unroll_len"), 4);
  EXPECT_FEATURE(value(m, 0, "vec_none"), 1);
  EXPECT_FEATURE(value(m, 0, "float_mul"), 256);
}

TEST(Features, BufferReadTwiceHasReuseCountTwo) {
  // A[i] twice in one statement, and A[i] again in each iteration of r.
  for (const char* text : {R"(@kiln.prim_func(implicit_root=False)
def f(A: Buffer((32,), "float32"), B: Buffer((32,), "float32")):
    for i in range(32):
        B[i] = A[i] + A[i]
)",
                           R"(@kiln.prim_func(implicit_root=False)
def f(A: Buffer((32,), "float32"), B: Buffer((64,), "float32")):
    for i, r in grid(32, 2):
        B[i * 2 + r] = A[i] * float32(3.0)
)"}) {
    SCOPED_TRACE(text);
    const FeatureMatrix m = features_of(text);
    ASSERT_EQ(m.rows(), 1);
    // Both buffers move 256 bytes; A is read (slot order is stable: the
    // loads come before the store).
    EXPECT_FEATURE(value(m, 0, "buffer0_read"), 1);
    EXPECT_FEATURE(value(m, 0, "buffer0_bytes"), 256);
    EXPECT_FEATURE(value(m, 0, "buffer0_unique_bytes"), 128);
    EXPECT_FEATURE(value(m, 0, "buffer0_reuse_count"), 2);
    EXPECT_FEATURE(value(m, 0, "buffer0_reused"), 1);
    EXPECT_FEATURE(value(m, 0, "buffer1_write"), 1);
    EXPECT_FEATURE(value(m, 0, "buffer1_reuse_count"), 1);
    EXPECT_FEATURE(value(m, 0, "buffer1_not_reused"), 1);
    EXPECT_FEATURE(value(m, 0, "buffer1_stride"), 1);
  }
}

TEST(Features, TileKeptInCacheHasTheTilesUniqueBytes) {
  // A 64^3 matmul in 16x16 tiles of C: between two visits of a C element
  // (one step of k) the loops touch one 16x16 tile of C, 1 KiB.
  const FeatureMatrix m = features_of(R"(@kiln.prim_func(implicit_root=False)
def mm(A: Buffer((4096,), "float32"), B: Buffer((4096,), "float32"), C: Buffer((4096,), "float32")):
    for i0, j0, k, i1, j1 in grid(4, 4, 64, 16, 16):
        C[i0 * 1024 + i1 * 64 + j0 * 16 + j1] = C[i0 * 1024 + i1 * 64 + j0 * 16 + j1] + A[i0 * 1024 + i1 * 64 + k] * B[k * 64 + j0 * 16 + j1]
)");
  ASSERT_EQ(m.rows(), 1);
  EXPECT_FEATURE(value(m, 0, "float_mad"), 64.0 * 64 * 64);
  // C is read and written: the most bytes, slot 0.
  EXPECT_FEATURE(value(m, 0, "buffer0_read_write"), 1);
  EXPECT_FEATURE(value(m, 0, "buffer0_unique_bytes"), 64 * 64 * 4);
  EXPECT_FEATURE(value(m, 0, "buffer0_reuse_bytes"), 16 * 16 * 4);
  EXPECT_FEATURE(value(m, 0, "buffer0_reuse_distance"), 256);
  // 64 reads and 64 writes of each element.
  EXPECT_FEATURE(value(m, 0, "buffer0_reuse_count"), 128);
  // A and B: a row of 16 floats of B per (k) step, one float of A.
  EXPECT_FEATURE(value(m, 0, "buffer1_unique_bytes"), 64 * 64 * 4);
  EXPECT_FEATURE(value(m, 0, "buffer2_unique_bytes"), 64 * 64 * 4);
  // Whole-nest intensity: 2 * 64^3 flops over the three 16 KiB arrays.
  EXPECT_NEAR(value(m, 0, "intensity_0"), 2.0 * 64 * 64 * 64 / (3 * 16384), 1e-3);
}

TEST(Features, OverlappingWindowsCountEachElementOnce) {
  // A 3-tap window sliding over 7 rows touches 9 rows, not 21; the rows of
  // 16 floats are one line each.
  const FeatureMatrix m = features_of(R"(@kiln.prim_func(implicit_root=False)
def f(P: Buffer((9, 16), "float32"), O: Buffer((7, 16), "float32")):
    for h, rh, c in grid(7, 3, 16):
        O[h, c] = O[h, c] + P[h + rh, c]
)");
  ASSERT_EQ(m.rows(), 1);
  // O is read and written (slot 0), P read (slot 1).
  EXPECT_FEATURE(value(m, 0, "buffer1_unique_bytes"), 9 * 16 * 4);
  EXPECT_FEATURE(value(m, 0, "buffer1_unique_lines"), 9);
  EXPECT_FEATURE(value(m, 0, "buffer1_stride"), 1);
  // O comes back after each c sweep of rh: 16 iterations, one row.
  EXPECT_FEATURE(value(m, 0, "buffer0_reuse_distance"), 16);
  EXPECT_FEATURE(value(m, 0, "buffer0_reuse_bytes"), 64);
}

TEST(Features, UniqueLinesOfAContiguousAndAStridedWalk) {
  const FeatureMatrix m = features_of(R"(@kiln.prim_func(implicit_root=False)
def f(A: Buffer((1024,), "float32"), B: Buffer((1024,), "float32")):
    for i, j in grid(32, 32):
        B[i * 32 + j] = A[j * 32 + i]
)");
  ASSERT_EQ(m.rows(), 1);
  // Both touch 4 KiB = 64 lines; B in order (stride 1, 2 lines per row),
  // A down columns (stride 32: every access its own line).
  EXPECT_FEATURE(value(m, 0, "buffer0_stride"), 32);
  EXPECT_FEATURE(value(m, 0, "buffer0_lines"), 1024);
  EXPECT_FEATURE(value(m, 0, "buffer1_stride"), 1);
  EXPECT_FEATURE(value(m, 0, "buffer1_lines"), 64);
  EXPECT_FEATURE(value(m, 0, "buffer1_unique_lines"), 64);
}

TEST(Features, LoopNestInnermostFirst) {
  // A reduction over k inside spatial loops: slot 0 is k (serial, does not
  // move the store), then the unrolled j, then the parallel i.
  const FeatureMatrix m = features_of(R"(@kiln.prim_func(implicit_root=False)
def f(A: Buffer((64, 16), "float32"), B: Buffer((64,), "float32")):
    for i in parallel(16):
        for j in unroll(4):
            for one in range(1):
                for k in range(16):
                    B[i * 4 + j] = B[i * 4 + j] + A[i * 4 + j, k]
)");
  ASSERT_EQ(m.rows(), 1);
  EXPECT_FEATURE(value(m, 0, "loop0_extent"), 16);
  EXPECT_EQ(raw(m, 0, "loop0_reduction"), 1);
  for (const char* kind : {"loop0_unrolled", "loop0_vectorized", "loop0_parallel"})
    EXPECT_EQ(raw(m, 0, kind), 0) << kind;
  EXPECT_FEATURE(value(m, 0, "loop1_extent"), 4);  // the loop of extent 1 takes no slot
  EXPECT_EQ(raw(m, 0, "loop1_unrolled"), 1);
  EXPECT_EQ(raw(m, 0, "loop1_reduction"), 0);
  EXPECT_FEATURE(value(m, 0, "loop2_extent"), 16);
  EXPECT_EQ(raw(m, 0, "loop2_parallel"), 1);
  EXPECT_FEATURE(value(m, 0, "loop3_extent"), 0);
}

TEST(Features, MeasuredAgainstTheHardware) {
  const char* text = R"(@kiln.prim_func(implicit_root=False)
def f(A: Buffer((3, 64, 12), "float32"), B: Buffer((3, 64, 12), "float32")):
    for p in parallel(3):
        for i in range(64):
            for j in unroll(1):
                for v in vectorized(12):
                    B[p, i, v] = A[p, i, v] * float32(2.0)
)";
  // 12 floats are 1.5 AVX2 registers, 0.75 of an AVX-512 one; 3 parallel
  // iterations keep 2 cores busy 3/4 of the time, 4 cores 3/4 too.
  const FeatureMatrix avx2 = features_of(text, {.vector_bytes = 32, .cores = 2});
  EXPECT_FEATURE(value(avx2, 0, "vec_registers"), 1.5);
  EXPECT_EQ(raw(avx2, 0, "vec_partial"), 1);
  EXPECT_FEATURE(raw(avx2, 0, "parallel_efficiency"), 0.75);
  // The straight-line body (the vector loop) keeps one row of B live: 48
  // bytes, and 96 with the row of A.
  EXPECT_FEATURE(value(avx2, 0, "accumulator_registers"), 48.0 / 32);
  EXPECT_FEATURE(value(avx2, 0, "body_registers"), 96.0 / 32);
  const FeatureMatrix avx512 = features_of(text, {.vector_bytes = 64, .cores = 4});
  EXPECT_FEATURE(value(avx512, 0, "vec_registers"), 0.75);
  EXPECT_FEATURE(raw(avx512, 0, "parallel_efficiency"), 0.75);
  // An L1 of 8 KiB holds one p slice of A and B (2 * 3 KiB): 768 of the
  // 2304 iterations run in it; a 64 KiB L2 holds everything.
  const FeatureMatrix small = features_of(text, {.l1_bytes = 8192, .l2_bytes = 65536});
  EXPECT_FEATURE(value(small, 0, "l1_fit_iterations"), 768);
  EXPECT_FEATURE(value(small, 0, "l2_fit_iterations"), 2304);
  EXPECT_FEATURE(value(small, 0, "working_set_0"), 2 * 3 * 64 * 12 * 4);
}

TEST(Features, GpuExtentsAndAllocations) {
  const FeatureMatrix m = features_of(R"(@kiln.prim_func(implicit_root=False)
def f(A: Buffer((4096,), "float32"), B: Buffer((4096,), "float32")):
    for bx in thread_binding(16, thread="blockIdx.x"):
        for tx in thread_binding(256, thread="threadIdx.x"):
            T = allocate((1,), "float32", scope="local")
            T[0] = A[bx * 256 + tx]
            B[bx * 256 + tx] = T[0] * T[0]
)");
  ASSERT_EQ(m.rows(), 2);
  EXPECT_FEATURE(value(m, 0, "blockIdx_x"), 16);
  EXPECT_FEATURE(value(m, 0, "threadIdx_x"), 256);
  EXPECT_FEATURE(value(m, 0, "alloc_bytes"), 4);
  EXPECT_FEATURE(value(m, 1, "alloc_bytes"), 0);
  EXPECT_FEATURE(value(m, 1, "float_mul"), 4096);
}

TEST(Features, ProgramsOfAScheduledWorkload) {
  // Real candidates, lowered by program_features: one row per store, all
  // finite, the same features whether the caller lowered or not.
  const Target target("llvm -mcpu=x86-64-v3");
  const ir::PrimFunc conv = workloads::get("conv2d_nhwc").func;
  sched::Schedule sch(conv);
  const sched::BlockRV block = sch.get_block("conv2d");
  const auto loops = sch.get_loops(block);
  sch.parallel(loops[1]);
  std::vector<Program> programs = {{"t", conv, &target}, {"t", sch.func(), &target}};
  programs.push_back({"t", sch.func(), &target, codegen::lower_until(sch.func(), target, kFeatureStage)});
  const FeatureBatch batch = program_features(programs, 2);
  ASSERT_EQ(batch.offsets.size(), 4u);
  EXPECT_GE(batch.rows_of(0), 2);  // the padding and the convolution (and its init)
  EXPECT_EQ(batch.rows_of(1), batch.rows_of(2));
  EXPECT_TRUE(batch.rows.allFinite());
  EXPECT_TRUE(batch.rows.middleRows(batch.offsets[1], batch.rows_of(1)) ==
              batch.rows.middleRows(batch.offsets[2], batch.rows_of(2)));
  EXPECT_GT(value(batch.rows, static_cast<int>(batch.offsets[1]), "parallel_num") +
                value(batch.rows, static_cast<int>(batch.offsets[1] + 1), "parallel_num"),
            0);
}

}  // namespace
}  // namespace kiln::cost_model

// Which parameters a kernel wants on a cache line: those it reads with wide
// vectors many times over, as the signature build() returns says.
#include "codegen/passes/alignment_preference.h"

#include <gtest/gtest.h>

#include "bench/schedules/matmul_cpu.h"
#include "codegen/build.h"
#include "codegen/passes/pipeline.h"
#include "workloads/workloads.h"

namespace kiln {
namespace {

ir::PrimFunc matmul(int64_t n) {
  return workloads::get("matmul", {{"M", n}, {"N", n}, {"K", n}}).func;
}

TEST(AlignmentPreference, TheTiledMatmulWantsBOnALine) {
  const Target target("llvm -mcpu=znver4");
  const ir::PrimFunc scheduled = sched::tiled_matmul_cpu(matmul(64), 4, 16, 16).func();
  // A is broadcast one float at a time, B loaded 16 floats at a time by
  // every row tile, C written once per element.
  const ir::PrimFunc lowered = codegen::lower(scheduled, target);
  EXPECT_EQ(codegen::params_wanting_alignment(lowered, 64), (std::vector<bool>{false, true, false}));
  // With 16-byte registers the same vectors are 16-byte loads: no straddling.
  EXPECT_EQ(codegen::params_wanting_alignment(lowered, 16), (std::vector<bool>{false, false, false}));
  const runtime::KernelSignature& sig = build(scheduled, target).entry().signature();
  EXPECT_EQ(sig.params[1].preferred_alignment, 64);
  EXPECT_EQ(sig.params[0].preferred_alignment, 0);
  EXPECT_EQ(sig.params[2].preferred_alignment, 0);
  EXPECT_FALSE(sig.params[0].written);
  EXPECT_FALSE(sig.params[1].written);
  EXPECT_TRUE(sig.params[2].written);
}

TEST(AlignmentPreference, OnePassOverAnArrayWantsNothing) {
  const ir::PrimFunc f = workloads::get("transpose_add", {{"M", 64}, {"N", 64}}).func;
  const ir::PrimFunc lowered = codegen::lower(f, Target("llvm"));
  for (bool wants : codegen::params_wanting_alignment(lowered, 64)) EXPECT_FALSE(wants);
  // Narrow vectors never straddle a line on 16-byte aligned data.
  const ir::PrimFunc narrow = sched::tiled_matmul_cpu(matmul(64), 4, 16, 4).func();
  for (bool wants :
       codegen::params_wanting_alignment(codegen::lower(narrow, Target("llvm -mcpu=znver4")), 64))
    EXPECT_FALSE(wants);
}

}  // namespace
}  // namespace kiln

// The differential fuzzer with a GPU build (fuzz/random_gpu_schedule.h):
// random GPU schedules of every workload, compiled and run, agree with the
// interpreter; few traces are skipped as not GPU-valid. OpenCL runs on PoCL's
// CPU device everywhere, CUDA where a driver is present.
// Without a driver, the CUDA C of random schedules is still compiled by NVRTC,
// which must not warn. KILN_GPU_FUZZ_TRACES sets the number of traces (30 by
// default: CI's slice).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>

#include "codegen/build.h"
#include "codegen/gpu/nvrtc.h"
#include "fuzz/fuzzer.h"
#include "fuzz/random_gpu_schedule.h"
#include "gpu_test_util.h"
#include "workloads/workloads.h"

namespace kiln::fuzz {
namespace {

int64_t slice_traces() {
  const char* env = std::getenv("KILN_GPU_FUZZ_TRACES");
  if (!env || !*env) return 30;
  const int64_t n = std::strtoll(env, nullptr, 10);
  if (n <= 0) ADD_FAILURE() << "KILN_GPU_FUZZ_TRACES=" << env << " is not a positive count";
  return n > 0 ? n : 30;
}

void expect_slice_agrees(const std::string& target) {
  FuzzOptions options;
  // Round robin: a few traces of every workload.
  options.traces = slice_traces();
  options.seed = 11;
  options.build = target;
  std::ostringstream log;
  FuzzReport report = run_fuzz(options, log);
  EXPECT_EQ(report.traces, options.traces);
  EXPECT_EQ(report.mismatches, 0) << log.str();
  EXPECT_EQ(report.crashes, 0) << log.str();
  // The generator binds nearly every nest; a large skipped share would mean
  // the fuzzer checks little.
  EXPECT_LE(report.not_gpu_valid, 3 + options.traces / 10) << log.str();
  // Every workload was scheduled, and the GPU steps were taken.
  EXPECT_EQ(report.traces_per_workload.size(),
            std::min<size_t>(workloads::list().size(), options.traces));
  EXPECT_GT(report.applied["gpu_tile"], 0);
  EXPECT_GT(report.applied["gpu_tile_several_axes"], 0);  // .y and .z too
  EXPECT_GT(report.applied["gpu_bind"] + report.applied["gpu_cross_thread_reduction"], 0);
}

TEST(GpuFuzz, OpenclSliceOverAllWorkloadsAgreesWithTheInterpreter) {
  KILN_REQUIRE_DEVICE("opencl");
  expect_slice_agrees("opencl");
}

// With warps emulated, cross-thread reductions take CUDA's shuffle lowering.
TEST(GpuFuzz, OpenclWithEmulatedWarpsSliceAgreesWithTheInterpreter) {
  KILN_REQUIRE_DEVICE("opencl");
  expect_slice_agrees("opencl -warp_size=32");
}

TEST(GpuFuzz, CudaSliceOverAllWorkloadsAgreesWithTheInterpreter) {
  KILN_REQUIRE_DEVICE("cuda");
  expect_slice_agrees("cuda");
}

TEST(GpuFuzz, CudaSourceOfRandomSchedulesCompilesWithoutWarnings) {
  if (!codegen::gpu::nvrtc_available()) GTEST_SKIP() << "kiln was built without NVRTC";
  const Target target = Target("cuda -arch=sm_90");
  const std::vector<std::string> names = workloads::list();
  int64_t compiled = 0;
  for (int64_t t = 0; t < slice_traces(); ++t) {
    const std::string& name = names[t % names.size()];
    const uint64_t seed = 500 + static_cast<uint64_t>(t);
    SCOPED_TRACE(name + ", seed " + std::to_string(seed));
    sched::Schedule sch(workloads::get(name, fuzz_shape(name)).func, seed);
    sched::RandomEngine rng(seed);
    ScheduleStats stats;
    try {
      apply_random_gpu_schedule(sch, rng, target, FuzzOptions{}.steps, &stats);
    } catch (const NotGpuValid&) {
      continue;
    }
    const std::string source = kiln::build(sch.func(), target).get_source("cuda");
    EXPECT_EQ(codegen::gpu::compile_cuda(source, "sm_90").log, "") << source;
    ++compiled;
  }
  EXPECT_GE(compiled, slice_traces() * 9 / 10);
}

}  // namespace
}  // namespace kiln::fuzz

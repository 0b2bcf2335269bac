// The differential fuzzer with an OpenCL build (fuzz/random_gpu_schedule.h):
// random GPU schedules of every workload, compiled for PoCL's CPU device and
// run, agree with the interpreter; few traces are skipped as not GPU-valid.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>

#include "fuzz/fuzzer.h"
#include "runtime/opencl/opencl_context.h"
#include "workloads/workloads.h"

namespace kiln::fuzz {
namespace {

TEST(GpuFuzz, OpenclSliceOverAllWorkloadsAgreesWithTheInterpreter) {
  std::string reason;
  if (!runtime::opencl::opencl_available(&reason)) GTEST_SKIP() << reason;
  FuzzOptions options;
  // Round robin: a few traces of every workload.
  options.traces = 30;
  options.seed = 11;
  options.build = "opencl";
  std::ostringstream log;
  auto start = std::chrono::steady_clock::now();
  FuzzReport report = run_fuzz(options, log);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(report.traces, 30);
  EXPECT_EQ(report.mismatches, 0) << log.str();
  EXPECT_EQ(report.crashes, 0) << log.str();
  // The generator binds nearly every nest; a large skipped share would mean
  // the fuzzer checks little.
  EXPECT_LE(report.not_gpu_valid, 3) << log.str();
  // Every workload was scheduled, and the GPU steps were taken.
  EXPECT_EQ(report.traces_per_workload.size(), workloads::list().size());
  EXPECT_GT(report.applied["gpu_tile"], 0);
  EXPECT_GT(report.applied["gpu_bind"] + report.applied["gpu_cross_thread_reduction"], 0);
  EXPECT_LT(seconds, 120) << "the slice should stay well under a minute";
}

}  // namespace
}  // namespace kiln::fuzz

// The hand-written GPU schedules (bench/schedules/gpu_schedules.h) end to end
// through kiln::build: each workload, scheduled, runs on OpenCL (PoCL's CPU
// device: real work-groups, local memory, barriers) equal to the interpreter
// on the unscheduled function, and its CUDA C compiles with NVRTC for sm_90
// with an empty log. Where a CUDA driver is present they also run on the GPU.
// Shapes are small so that PoCL stays fast.
#include "bench/schedules/gpu_schedules.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "codegen/build.h"
#include "codegen/gpu/nvrtc.h"
#include "gpu_test_util.h"
#include "workloads/workloads.h"

namespace kiln::codegen {
namespace {

using namespace gpu_testing;

struct Case {
  std::string workload;
  std::map<std::string, int64_t> shape;
  std::function<void(sched::Schedule&)> schedule;
  // Relative tolerance: reductions on the GPU add in another order.
  float tolerance = 1e-4f;
};

std::vector<Case> cases() {
  bench::gpu::MatmulTiles small;
  small.block_rows = 32;
  small.block_cols = 32;
  small.thread_rows = 4;
  small.thread_cols = 2;
  small.k_step = 8;
  bench::gpu::ConvTiles conv;
  conv.block_pixels = 16;
  conv.block_channels = 16;
  conv.thread_pixels = 2;
  conv.thread_channels = 2;
  conv.channel_step = 4;
  return {
      {"matmul",
       {{"M", 64}, {"N", 96}, {"K", 48}},
       [=](sched::Schedule& s) { bench::gpu::schedule_matmul(s, small); }},
      {"batch_matmul",
       {{"B", 2}, {"M", 32}, {"N", 64}, {"K", 32}},
       [=](sched::Schedule& s) { bench::gpu::schedule_matmul(s, small, true); }},
      {"conv2d_nhwc",
       {{"N", 1}, {"C", 8}, {"H", 8}, {"W", 8}, {"K", 16}},
       [=](sched::Schedule& s) { bench::gpu::schedule_conv2d_nhwc(s, conv); }},
      {"depthwise_conv2d_nhwc",
       {{"N", 1}, {"C", 32}, {"H", 9}, {"W", 9}},
       [](sched::Schedule& s) { bench::gpu::schedule_depthwise_conv2d_nhwc(s, 32); }},
      {"softmax",
       {{"M", 8}, {"N", 100}},
       [](sched::Schedule& s) { bench::gpu::schedule_softmax(s, 64); }},
      {"layernorm",
       {{"M", 8}, {"N", 96}},
       [](sched::Schedule& s) { bench::gpu::schedule_layernorm(s, 32); }},
  };
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.workload; }

class GpuSchedules : public ::testing::TestWithParam<Case> {};

sched::Schedule scheduled(const Case& c) {
  sched::Schedule sch(workloads::get(c.workload, c.shape).func);
  c.schedule(sch);
  return sch;
}

// Every workload writes its last parameter; only that one is compared.
void expect_runs_like_interpreter(const Case& c, const std::string& target) {
  sched::Schedule sch = scheduled(c);
  runtime::Module m = kiln::build(sch.func(), Target(target));
  const size_t output = sch.original()->params.size() - 1;
  expect_module_matches_interpreter(m, sch.original(), output, c.tolerance, 11,
                                    source_format(target));
}

TEST_P(GpuSchedules, OpenCLMatchesInterpreter) {
  KILN_REQUIRE_DEVICE("opencl");
  expect_runs_like_interpreter(GetParam(), "opencl");
}

// The CUDA lowering of the cross-thread reductions (warp shuffles) on PoCL.
TEST_P(GpuSchedules, OpenCLWithEmulatedWarpsMatchesInterpreter) {
  KILN_REQUIRE_DEVICE("opencl");
  expect_runs_like_interpreter(GetParam(), "opencl -warp_size=32");
}

TEST_P(GpuSchedules, CudaMatchesInterpreter) {
  KILN_REQUIRE_DEVICE("cuda");
  expect_runs_like_interpreter(GetParam(), "cuda");
}

TEST_P(GpuSchedules, NvrtcCompilesForSm90WithoutWarnings) {
  if (!gpu::nvrtc_available()) GTEST_SKIP() << "kiln was built without NVRTC";
  const Case& c = GetParam();
  sched::Schedule sch = scheduled(c);
  runtime::Module m = kiln::build(sch.func(), Target("cuda -arch=sm_90"));
  const std::string source = m.get_source("cuda");
  const auto start = std::chrono::steady_clock::now();
  gpu::CudaCompileResult r = gpu::compile_cuda(source, "sm_90");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.log, "") << source;
  EXPECT_NE(r.ptx.find(".target sm_90"), std::string::npos);
  RecordProperty("nvrtc_seconds", std::to_string(seconds));
}

INSTANTIATE_TEST_SUITE_P(Workloads, GpuSchedules, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.workload;
                         });

}  // namespace
}  // namespace kiln::codegen

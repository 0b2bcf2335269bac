// The hand-written GPU schedules (bench/schedules/gpu_schedules.h) end to end
// through kiln::build: each workload, scheduled, runs on OpenCL (PoCL's CPU
// device: real work-groups, local memory, barriers) equal to the interpreter
// on the unscheduled function, and its CUDA C compiles with NVRTC for sm_90
// with an empty log. Shapes are small so that PoCL stays fast.
#include "bench/schedules/gpu_schedules.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "codegen/build.h"
#include "codegen/gpu/nvrtc.h"
#include "gpu_test_util.h"
#include "ir/interpreter.h"
#include "runtime/opencl/opencl_context.h"
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

TEST_P(GpuSchedules, OpenCLMatchesInterpreter) {
  std::string reason;
  if (!runtime::opencl::opencl_available(&reason)) GTEST_SKIP() << reason;
  const Case& c = GetParam();
  sched::Schedule sch = scheduled(c);
  runtime::Module m = kiln::build(sch.func(), gpu_target("opencl"));
  HostArgs expected(sch.original(), 11), actual(sch.original(), 11);
  ir::interpret(sch.original(), expected.views);
  m.node()->run(0, actual.pointers());
  const size_t out = expected.data.size() - 1;  // every workload writes its last parameter
  int mismatches = 0;
  for (size_t i = 0; i < expected.data[out].size(); ++i) {
    const float e = expected.data[out][i], a = actual.data[out][i];
    if (!(std::fabs(e - a) <= c.tolerance * (1.0f + std::fabs(e))) && ++mismatches <= 5)
      ADD_FAILURE() << c.workload << " output[" << i << "]: OpenCL " << a << ", interpreter " << e;
  }
  EXPECT_EQ(mismatches, 0) << m.get_source("cl");
}

TEST_P(GpuSchedules, NvrtcCompilesForSm90WithoutWarnings) {
  if (!gpu::nvrtc_available()) GTEST_SKIP() << "kiln was built without NVRTC";
  const Case& c = GetParam();
  sched::Schedule sch = scheduled(c);
  runtime::Module m = kiln::build(sch.func(), gpu_target("cuda -arch=sm_90"));
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

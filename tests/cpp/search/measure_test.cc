// Measurement end to end, with real worker processes: good candidates get
// checked latencies; candidates that fail to compile, segfault, loop forever,
// compute the wrong value or exhaust memory each end as their own kind of
// error, and the batch around them completes.
#include "search/measure.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bench/schedules/gpu_schedules.h"
#include "codegen/llvm/llvm_backend.h"
#include "fuzz/random_schedule.h"
#include "ir/dsl/te.h"
#include "runtime/opencl/opencl_context.h"
#include "search/replay.h"
#include "tests/cpp/codegen/llvm_test_util.h"
#include "workloads/workloads.h"

namespace kiln::search {
namespace {

using codegen::testing::f32;
using codegen::testing::flat;
using codegen::testing::i32;
using codegen::testing::load;
using codegen::testing::loop;
using codegen::testing::store;

constexpr int64_t kN = 1024;

// B = A * 2 over 1024 floats: the task the faulty kernels pretend to compute.
Task twice_task() {
  te::Tensor a = te::placeholder({kN}, ir::DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {kN}, [&](const std::vector<ir::Var>& v) { return a(v[0]) * ir::float_imm(f32, 2); }, "B");
  return Task(te::create_prim_func({a, b}, "twice"), Target("llvm"));
}

TEST(Measure, EachFaultIsItsOwnKindAndTheBatchCompletes) {
  const Task task = twice_task();
  // A candidate whose artifact is a hand-lowered kernel over (A, B).
  auto kernel = [&](auto make_body) {
    ir::Buffer a = flat("A", f32, kN), b = flat("B", f32, kN);
    ir::PrimFunc f = ir::make_prim_func("twice", {a, b}, make_body(a, b));
    BuildResult r;
    r.status = status::kOk;
    r.artifact =
        codegen::compile_llvm({{f, codegen::testing::flat_signature(f)}}, Target("llvm"), false)
            .serialize();
    return r;
  };
  ir::Var i("i");
  const BuildResult good = kernel([&](auto a, auto b) {
    return loop(i, kN, store(b, load(a, i) * ir::float_imm(f32, 2), i));
  });
  const BuildResult wrong = kernel([&](auto a, auto b) {
    return loop(i, kN, store(b, load(a, i) * ir::float_imm(f32, 3), i));
  });
  const BuildResult segfault = kernel([&](auto a, auto b) {
    ir::Var j("j", ir::DataType::Int(64));
    return loop(j, kN, store(b, load(a, j), j + ir::int_imm(ir::DataType::Int(64), int64_t{1} << 40)));
  });
  const BuildResult forever = kernel([&](auto a, auto b) {
    // Float adds cannot be folded: 2^62 of them run for ever.
    ir::Var j("j", ir::DataType::Int(64));
    return codegen::testing::loop(
        j, int64_t{1} << 62, store(b, load(b, i32(0)) + ir::float_imm(f32, 1), i32(0)));
  });
  const BuildResult hungry = kernel([&](auto a, auto b) {
    // A terabyte of scratch: the allocation fails. The indices come from
    // memory (and may differ) so that the optimizer keeps the allocation.
    const ir::DataType i64 = ir::DataType::Int(64);
    ir::Buffer tmp = flat("tmp", f32, int64_t{1} << 38);
    ir::Expr at = ir::cast(i64, load(a, i32(0)) * ir::float_imm(f32, 0));
    ir::Expr from = ir::cast(i64, load(a, i32(1)) * ir::float_imm(f32, 0));
    return ir::allocate(tmp, ir::seq({store(tmp, load(a, i32(2)), at),
                                      store(b, load(tmp, from), i32(3))}));
  });

  RunnerOptions options;
  options.timeout_s = 3;
  options.timing.repeat = 3;
  options.timing.min_repeat_ms = 1;
  LocalRunner runner(options);
  std::vector<RunInput> inputs;
  for (const BuildResult* b : {&good, &segfault, &good, &forever, &wrong, &hungry, &good})
    inputs.push_back({&task, b});
  const std::vector<RunResult> results = runner.run(inputs);
  ASSERT_EQ(results.size(), 7u);
  const char* expected[] = {status::kOk,          status::kRunCrash, status::kOk,
                            status::kRunTimeout,  status::kWrongResult, status::kOutOfMemory,
                            status::kOk};
  for (size_t k = 0; k < results.size(); ++k)
    EXPECT_EQ(results[k].status, expected[k]) << k << ": " << results[k].error;
  EXPECT_NE(results[1].error.find("SIGSEGV"), std::string::npos) << results[1].error;
  EXPECT_NE(results[4].error.find("wrong result: max abs error"), std::string::npos)
      << results[4].error;
  EXPECT_NE(results[4].error.find("at B["), std::string::npos) << results[4].error;
  for (size_t k : {0, 2, 6}) {
    EXPECT_GT(results[k].latency.median_s, 0);
    EXPECT_EQ(results[k].max_error, 0) << "B = A * 2 is exact";
    EXPECT_EQ(results[k].latency.array_offset, 16);
  }
}

TEST(Measure, CompileFailuresAreBuildErrorsAndTheRestIsMeasured) {
  const Task task = Task::from_workload("matmul", {{"M", 64}, {"N", 64}, {"K", 64}}, Target("llvm"));
  sched::Schedule gpu(task.func());
  gpu.bind(gpu.get_loops(gpu.get_block("C"))[0], "blockIdx.x");  // a GPU schedule on the CPU
  sched::Schedule tiled(task.func());
  auto loops = tiled.get_loops(tiled.get_block("C"));
  auto j = tiled.split(loops[1], {std::monostate(), int64_t{16}});
  tiled.vectorize(j[1]);
  sched::Trace stale;  // names a block the function does not have
  {
    sched::Schedule other(workloads::get("softmax", {{"M", 8}, {"N", 8}}).func);
    other.get_block("row_max");
    stale = other.trace();
  }
  LocalBuilder builder;
  RunnerOptions options;
  options.timing.repeat = 3;
  options.timing.min_repeat_ms = 1;
  LocalRunner runner(options);
  const std::string log = ::testing::TempDir() + "measure_" + std::to_string(::getpid()) + ".jsonl";
  std::filesystem::remove(log);
  Database db(log);
  const std::vector<TuningRecord> records =
      measure(task, {gpu.trace(), tiled.trace(), stale, sched::Schedule(task.func()).trace()},
              builder, runner, &db);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].status, status::kBuildError);
  EXPECT_NE(records[0].error.find("blockIdx.x"), std::string::npos) << records[0].error;
  EXPECT_TRUE(records[1].ok()) << records[1].error;
  EXPECT_EQ(records[2].status, status::kBuildError);
  EXPECT_NE(records[2].error.find("the trace does not apply"), std::string::npos) << records[2].error;
  EXPECT_TRUE(records[3].ok()) << records[3].error;
  EXPECT_NE(records[1].scheduled_hash, records[3].scheduled_hash);
  EXPECT_GT(records[1].compile_s, 0);
  EXPECT_GE(records[1].build_s, records[1].compile_s);
  EXPECT_GE(records[1].run_s, records[1].kernel_s);
  // Everything went to the log, and a fresh reader finds it.
  Database again(log);
  EXPECT_EQ(again.size(), 4u);
  EXPECT_EQ(again.best(task.id(), task.target().str(), 10).size(), 2u);
  EXPECT_TRUE(again.measured(task.id(), task.target().str(), records[1].scheduled_hash));
  std::filesystem::remove(log);
}

TEST(Measure, ABuilderThatCannotStartCostsEachCandidateNotTheRun) {
  const Task task = twice_task();
  LocalBuilder::Options options;
  options.worker_path = "/bin/false";  // exits at once
  LocalBuilder builder(options);
  const std::vector<BuildResult> results =
      builder.build({{&task, sched::Trace()}, {&task, sched::Trace()}});
  for (const BuildResult& r : results) {
    EXPECT_EQ(r.status, status::kBuildCrash);
    EXPECT_NE(r.error.find("exited with status 1"), std::string::npos) << r.error;
  }
}

// A tuning run killed with SIGKILL leaves its runner's folder (reference
// outputs, megabytes each); the next runner removes it, and only it.
TEST(Measure, ARunnerRemovesTheFoldersOfKilledRunners) {
  const pid_t gone = ::fork();
  ASSERT_GE(gone, 0);
  if (gone == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(gone, nullptr, 0), gone);
  const std::filesystem::path temp = std::filesystem::temp_directory_path();
  const auto folder = [&](pid_t pid) {
    const std::filesystem::path f = temp / ("kiln-runner-" + std::to_string(pid) + "-test");
    std::filesystem::create_directories(f);
    std::ofstream(f / "x.ref") << "reference";
    return f;
  };
  const std::filesystem::path orphan = folder(gone), live = folder(::getpid());
  {
    LocalRunner runner;
  }
  EXPECT_FALSE(std::filesystem::exists(orphan)) << orphan;
  EXPECT_TRUE(std::filesystem::exists(live / "x.ref")) << live;
  std::filesystem::remove_all(live);
}

TEST(Measure, RandomSchedulesOfWorkloadsAreMeasuredAndCorrect) {
  LocalBuilder builder;
  RunnerOptions options;
  options.timing.repeat = 3;
  options.timing.min_repeat_ms = 1;
  LocalRunner runner(options);
  for (const char* name : {"matmul", "softmax", "conv2d_nhwc"}) {
    const Task task = Task::from_workload(name, {}, Target("llvm"));
    std::vector<sched::Trace> traces;
    for (uint64_t seed = 0; seed < 4; ++seed) {
      sched::Schedule sch(task.func(), seed, sched::ErrorRenderLevel::kFast);
      sched::RandomEngine rng(seed + 100);
      fuzz::ScheduleStats stats;
      fuzz::apply_random_primitives(sch, rng, 6, &stats, {.thread_binding = false});
      traces.push_back(sch.trace());
    }
    for (const TuningRecord& r : measure(task, traces, builder, runner, nullptr)) {
      EXPECT_TRUE(r.ok()) << name << ": " << r.status << ": " << r.error << "\n"
                          << r.trace.as_python();
      if (r.ok()) {
        EXPECT_LE(r.max_error, 1e-3) << name;
      }
    }
  }
}

}  // namespace
}  // namespace kiln::search

namespace kiln::search {
namespace {

// A GPU schedule measured on OpenCL (PoCL runs it on the CPU): the builder
// sends OpenCL C and its launch description, the worker builds and times it
// with device arrays, and the output is checked like any other.
TEST(Measure, GpuCandidatesRunOnOpenCL) {
  if (!runtime::opencl::opencl_available()) GTEST_SKIP() << "no OpenCL device";
  const Task task =
      Task::from_workload("matmul", {{"M", 128}, {"N", 128}, {"K", 64}}, Target("opencl"));
  sched::Schedule sch(task.func());
  bench::gpu::schedule_matmul(sch, {});
  LocalBuilder builder;
  RunnerOptions options;
  options.timing.repeat = 3;
  LocalRunner runner(options);
  const TuningRecord r = measure(task, {sch.trace()}, builder, runner, nullptr).at(0);
  ASSERT_TRUE(r.ok()) << r.status << ": " << r.error;
  EXPECT_LE(r.max_error, 1e-3);
  EXPECT_EQ(r.latency.array_offset, 0);  // device arrays
}

}  // namespace
}  // namespace kiln::search

// The measurement layer measured: what the builder and the runner cost per
// candidate beyond compiling and the kernel's own runs, and how repeatable a
// measured latency is, alone and interleaved with other candidates.
//
//   ./build/bench/bench_measurement [--candidates 40] [--remeasure 20] [--json out.json]
//
// Overhead: random CPU schedules of matmul 256 and conv2d (the fuzzer's),
// built and run through LocalBuilder and LocalRunner with worker processes,
// as the search will; per candidate, build_s - compile_s and run_s - kernel_s.
// Spread: the expert matmul 512 measured `remeasure` times on its own
// (Runner::run), and `remeasure` times among three variants of it (other
// blockings) interleaved (Runner::run_interleaved): the median of the
// medians and the relative spread (max - min) / median.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/schedules/matmul_cpu.h"
#include "fuzz/random_schedule.h"
#include "search/measure.h"
#include "workloads/workloads.h"

using namespace kiln;
using namespace kiln::search;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::vector<sched::Trace> random_traces(const Task& task, int n, uint64_t seed) {
  std::vector<sched::Trace> traces;
  for (int i = 0; i < n; ++i) {
    sched::Schedule sch(task.func(), seed + i, sched::ErrorRenderLevel::kFast);
    sched::RandomEngine rng(seed * 7919 + i);
    fuzz::ScheduleStats stats;
    fuzz::apply_random_primitives(sch, rng, 6, &stats, {.thread_binding = false});
    traces.push_back(sch.trace());
  }
  return traces;
}

struct Spread {
  double median_s, relative_spread;
};

Spread spread_of(const std::vector<double>& medians) {
  const double m = median(medians);
  const auto [lo, hi] = std::minmax_element(medians.begin(), medians.end());
  return {m, (*hi - *lo) / m};
}

}  // namespace

int main(int argc, char** argv) {
  int candidates = 40, remeasure = 20;
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--candidates")) candidates = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--remeasure")) remeasure = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--json")) json_path = argv[i + 1];
  }
  const Target target("llvm");
  LocalBuilder builder;
  LocalRunner runner;
  nlohmann::json out = {{"benchmark", "measurement"}, {"target", target.describe()}};

  // Overhead per candidate.
  std::printf("per-candidate overhead on %s (%d random schedules per task)\n", target.str().c_str(),
              candidates);
  std::printf("%-28s %10s %10s %12s %10s %10s %12s %6s\n", "task", "build ms", "compile",
              "build extra", "run ms", "kernel", "run extra", "ok");
  nlohmann::json overhead = nlohmann::json::array();
  for (const auto& [name, shape] : std::vector<std::pair<std::string, std::map<std::string, int64_t>>>{
           {"matmul", {{"M", 256}, {"N", 256}, {"K", 256}}},
           {"conv2d_nhwc", {{"H", 28}, {"W", 28}, {"C", 64}, {"K", 64}}}}) {
    const Task task = Task::from_workload(name, shape, target);
    std::vector<TuningRecord> records = measure(task, random_traces(task, candidates, 1), builder,
                                                runner, nullptr);
    std::vector<double> build, compile, build_extra, run, kernel, run_extra;
    int ok = 0;
    for (const TuningRecord& r : records) {
      build.push_back(r.build_s * 1e3);
      compile.push_back(r.compile_s * 1e3);
      build_extra.push_back((r.build_s - r.compile_s) * 1e3);
      if (!r.ok()) continue;
      ++ok;
      run.push_back(r.run_s * 1e3);
      kernel.push_back(r.kernel_s * 1e3);
      run_extra.push_back((r.run_s - r.kernel_s) * 1e3);
    }
    std::string label = name;
    for (const auto& [k, v] : shape) label += " " + k + "=" + std::to_string(v);
    std::printf("%-28s %10.1f %10.1f %12.2f %10.1f %10.1f %12.2f %3d/%d\n", label.c_str(),
                median(build), median(compile), median(build_extra), median(run), median(kernel),
                median(run_extra), ok, candidates);
    overhead.push_back({{"task", label}, {"median_build_ms", median(build)},
                        {"median_compile_ms", median(compile)},
                        {"median_build_extra_ms", median(build_extra)},
                        {"median_run_ms", median(run)}, {"median_kernel_ms", median(kernel)},
                        {"median_run_extra_ms", median(run_extra)}, {"ok", ok},
                        {"candidates", candidates}});
  }
  out["overhead"] = overhead;

  // Spread of a fixed kernel, alone and interleaved.
  const Task task =
      Task::from_workload("matmul", {{"M", 512}, {"N", 512}, {"K", 512}}, target);
  // The expert and three variants of it (other blockings): the kind of
  // near-best programs a final re-measurement compares.
  std::vector<sched::Trace> traces;
  for (int rows : {0, 64, 128, 256})
    traces.push_back(sched::expert_matmul_cpu(task.func(), target.vector_bytes / 4,
                                              target.num_cores, {0, 0, rows})
                         .trace());
  std::vector<BuildInput> inputs;
  for (const sched::Trace& t : traces) inputs.push_back({&task, t});
  const std::vector<BuildResult> built = builder.build(inputs);
  // The medians of the expert, and its ratio to the first variant: the
  // comparison a final re-measurement exists to get right.
  std::vector<double> alone, interleaved, ratio_alone, ratio_interleaved;
  std::vector<RunInput> runs;
  for (const BuildResult& b : built)
    if (b.ok()) runs.push_back({&task, &b});
  for (int i = 0; i < remeasure; ++i) {
    alone.push_back(runner.run({runs[0]}).at(0).latency.median_s);
    ratio_alone.push_back(alone.back() / runner.run({runs[1]}).at(0).latency.median_s);
    const std::vector<RunResult> together = runner.run_interleaved(runs, 10);
    interleaved.push_back(together.at(0).latency.median_s);
    ratio_interleaved.push_back(interleaved.back() / together.at(1).latency.median_s);
  }
  const Spread a = spread_of(alone), b = spread_of(interleaved);
  const Spread ra = spread_of(ratio_alone), rb = spread_of(ratio_interleaved);
  std::printf("\nexpert matmul 512, %d measurements (defaults: repeat %d, min_repeat_ms %.0f)\n",
              remeasure, runner.options().timing.repeat, runner.options().timing.min_repeat_ms);
  std::printf("  %-34s median %8.3f ms, spread %5.1f%%\n", "alone (Runner::run)", a.median_s * 1e3,
              a.relative_spread * 100);
  std::printf("  %-34s median %8.3f ms, spread %5.1f%%\n",
              ("interleaved with " + std::to_string(runs.size() - 1) + " others, 10 rounds").c_str(),
              b.median_s * 1e3, b.relative_spread * 100);
  std::printf("  %-34s median %8.3f,    spread %5.1f%%\n", "its ratio to a variant, alone", ra.median_s,
              ra.relative_spread * 100);
  std::printf("  %-34s median %8.3f,    spread %5.1f%%\n", "its ratio to a variant, interleaved",
              rb.median_s, rb.relative_spread * 100);
  std::printf("  medians alone (ms):      ");
  for (double m : alone) std::printf(" %.3f", m * 1e3);
  std::printf("\n  medians interleaved (ms):");
  for (double m : interleaved) std::printf(" %.3f", m * 1e3);
  std::printf("\n");
  out["spread"] = {{"measurements", remeasure},
                   {"alone", {{"median_s", a.median_s}, {"relative_spread", a.relative_spread}}},
                   {"interleaved",
                    {{"median_s", b.median_s}, {"relative_spread", b.relative_spread}}},
                   {"ratio_alone", {{"median", ra.median_s}, {"relative_spread", ra.relative_spread}}},
                   {"ratio_interleaved",
                    {{"median", rb.median_s}, {"relative_spread", rb.relative_spread}}}};
  if (!json_path.empty()) std::ofstream(json_path) << out.dump(2) << "\n";
  return 0;
}

// How fast the search can rebuild candidates: replays a 20-instruction trace
// (a multi-level tiling of conv2d) on the original function, many times, and
// reports the cost per instruction, per replay and per Schedule::copy.
//
//   ./build/bench/bench_schedule_replay [--json out.json] [--iterations N]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "schedule/schedule.h"
#include "workloads/workloads.h"

using namespace kiln;

namespace {

// A CPU-style tiling: split each spatial loop in two by sampled tiles,
// reorder into outer/inner tiles, fuse the outer ones and parallelize,
// vectorize the innermost channel loop, annotate and unroll.
sched::Schedule tile_conv(const ir::PrimFunc& func) {
  sched::Schedule sch(func, /*seed=*/42);
  sched::BlockRV conv = sch.get_block("conv2d");
  auto loops = sch.get_loops(conv);  // n, h, w, k, rh, rw, rc
  auto h = sch.sample_perfect_tile(loops[1], 2, 16);
  auto hs = sch.split(loops[1], {h[0], h[1]});
  auto w = sch.sample_perfect_tile(loops[2], 2, 16);
  auto ws = sch.split(loops[2], {w[0], w[1]});
  auto k = sch.sample_perfect_tile(loops[3], 2, 16);
  auto ks = sch.split(loops[3], {k[0], k[1]});
  auto rc = sch.sample_perfect_tile(loops[6], 2, 16);
  auto rcs = sch.split(loops[6], {rc[0], rc[1]});
  sch.reorder(
      {loops[0], hs[0], ws[0], ks[0], loops[4], loops[5], rcs[0], hs[1], rcs[1], ws[1], ks[1]});
  sched::LoopRV outer = sch.fuse({loops[0], hs[0], ws[0], ks[0]});
  sch.parallel(outer);
  sch.vectorize(ks[1]);
  sched::ExprRV unroll = sch.sample_categorical({0, 16, 64, 512}, {0.25, 0.25, 0.25, 0.25});
  sch.annotate(conv, "pragma_auto_unroll_max_step", sch.value(unroll));
  auto rw = sch.sample_perfect_tile(loops[5], 2, 4);
  sch.split(loops[5], {rw[0], rw[1]});
  sch.unroll(rcs[1]);
  sch.get_loops(conv);
  return sch;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string json_path;
  int iterations = 2000;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json") && i + 1 < argc)
      json_path = argv[++i];
    else if (!std::strcmp(argv[i], "--iterations") && i + 1 < argc)
      iterations = std::atoi(argv[++i]);
  }
  ir::PrimFunc func =
      workloads::get("conv2d_nhwc", {{"N", 1}, {"H", 56}, {"W", 56}, {"C", 64}, {"K", 64}}).func;
  sched::Schedule recorded = tile_conv(func);
  const sched::Trace& trace = recorded.trace();

  // Warm up, then time replays.
  for (int i = 0; i < 50; ++i) {
    sched::Schedule s(func);
    trace.apply_to(s);
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    sched::Schedule s(func, 0, sched::ErrorRenderLevel::kFast);
    trace.apply_to(s);
  }
  double replay = seconds_since(t0) / iterations;

  auto t1 = std::chrono::steady_clock::now();
  size_t sink = 0;
  for (int i = 0; i < iterations * 10; ++i) sink += recorded.copy().trace().size();
  double copy = seconds_since(t1) / (iterations * 10);

  const double per_instruction = replay / static_cast<double>(trace.size());
  std::printf("schedule replay (conv2d_nhwc 1x56x56x64 -> 64, 3x3), %d iterations\n", iterations);
  std::printf("  %-28s %10zu\n", "instructions in the trace", trace.size());
  std::printf("  %-28s %10.1f us\n", "replay of the whole trace", replay * 1e6);
  std::printf("  %-28s %10.2f us\n", "per instruction", per_instruction * 1e6);
  std::printf("  %-28s %10.3f us\n", "Schedule::copy", copy * 1e6);
  if (sink == 0) std::printf("(empty)\n");
  if (!json_path.empty()) {
    nlohmann::json j = {
        {"benchmark", "schedule_replay"}, {"workload", "conv2d_nhwc N=1 H=56 W=56 C=64 K=64"},
        {"instructions", trace.size()},   {"iterations", iterations},
        {"replay_us", replay * 1e6},      {"per_instruction_us", per_instruction * 1e6},
        {"copy_us", copy * 1e6}};
    std::ofstream(json_path) << j.dump(2) << "\n";
  }
  return 0;
}

// How fast the search can rebuild candidates: replays two traces on their
// original functions, many times (a multi-level tiling of conv2d, and a fused
// conv2d + bias + relu placed with compute_at), and reports the cost per
// replay, per instruction and per Schedule::copy.
//
//   ./build/bench/bench_schedule_replay [--json out.json] [--iterations N]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
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

// A fused operator scheduled the way a CPU sketch does it: conv2d + bias +
// relu, the conv tiled, the padding computed at the tile (compute_at), the
// epilogue at the tile too (reverse_compute_at), bias inlined: most of the
// replay time is in the compute-location primitives and their checks.
sched::Schedule fuse_conv(const ir::PrimFunc& func) {
  sched::Schedule sch(func, /*seed=*/42);
  sched::BlockRV conv = sch.get_block("conv2d");
  auto loops = sch.get_loops(conv);  // n, h, w, k, rh, rw, rc
  auto h = sch.sample_perfect_tile(loops[1], 2, 8);
  auto hs = sch.split(loops[1], {h[0], h[1]});
  auto k = sch.sample_perfect_tile(loops[3], 2, 16);
  auto ks = sch.split(loops[3], {k[0], k[1]});
  sch.reorder({loops[0], hs[0], ks[0], loops[2], loops[4], loops[5], loops[6], hs[1], ks[1]});
  sched::BlockRV pad = sch.get_block("pad");
  sched::LoopRV where = sch.sample_compute_location(pad, 1);
  sch.compute_at(pad, where);
  sch.compute_inline(sch.get_block("bias_add"));
  sch.reverse_compute_at(sch.get_block("relu"), ks[0]);
  sch.vectorize(ks[1]);
  sch.parallel(sch.fuse({loops[0], hs[0]}));
  return sch;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

struct Measured {
  std::string name;
  size_t instructions;
  double replay_s;
};

Measured time_replays(const std::string& name, const ir::PrimFunc& func, const sched::Trace& trace,
                      int iterations) {
  for (int i = 0; i < 50; ++i) {
    sched::Schedule s(func);
    trace.apply_to(s);
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    sched::Schedule s(func, 0, sched::ErrorRenderLevel::kFast);
    trace.apply_to(s);
  }
  return {name, trace.size(), seconds_since(t0) / iterations};
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
  const std::map<std::string, int64_t> shape = {{"N", 1}, {"H", 56}, {"W", 56}, {"C", 64}, {"K", 64}};
  const ir::PrimFunc conv = workloads::get("conv2d_nhwc", shape).func;
  const ir::PrimFunc fused = workloads::get("conv2d_bias_relu_nhwc", shape).func;
  const sched::Schedule tiled = tile_conv(conv);
  const std::vector<Measured> rows = {
      time_replays("tiling (conv2d_nhwc)", conv, tiled.trace(), iterations),
      time_replays("compute_at (conv2d_bias_relu)", fused, fuse_conv(fused).trace(), iterations)};

  auto t1 = std::chrono::steady_clock::now();
  size_t sink = 0;
  for (int i = 0; i < iterations * 10; ++i) sink += tiled.copy().trace().size();
  const double copy = seconds_since(t1) / (iterations * 10);

  std::printf("schedule replay (1x56x56x64 -> 64, 3x3), %d iterations\n", iterations);
  std::printf("  %-32s %6s %12s %14s\n", "trace", "instr", "replay (us)", "per instr (us)");
  nlohmann::json traces = nlohmann::json::array();
  for (const Measured& m : rows) {
    const double per = m.replay_s / static_cast<double>(m.instructions);
    std::printf("  %-32s %6zu %12.1f %14.2f\n", m.name.c_str(), m.instructions, m.replay_s * 1e6,
                per * 1e6);
    traces.push_back({{"trace", m.name}, {"instructions", m.instructions},
                      {"replay_us", m.replay_s * 1e6}, {"per_instruction_us", per * 1e6}});
  }
  std::printf("  %-32s %33.3f us\n", "Schedule::copy", copy * 1e6);
  if (sink == 0) std::printf("(empty)\n");
  if (!json_path.empty()) {
    nlohmann::json j = {{"benchmark", "schedule_replay"},
                        {"shape", "N=1 H=56 W=56 C=64 K=64"},
                        {"iterations", iterations},
                        {"traces", traces},
                        {"copy_us", copy * 1e6}};
    std::ofstream(json_path) << j.dump(2) << "\n";
  }
  return 0;
}

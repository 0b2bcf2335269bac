// The same kernels called on arrays that start 0, 16, 32 and 48 bytes past a
// 64-byte boundary (NumPy hands out 16-byte aligned data: large arrays sit
// 16 bytes past a page), timed as a user calls them (the whole call), with
// the spread between the slowest and the fastest offset.
//
//   ./build/bench/bench_alignment [--size 1024] [--threads 2] [--repeat 10]
//                                 [--json out.json]
//
// Kernels: the plain tiled matmul (4 x 16 register tile, no packing; it reads
// A and B where they lie) and the expert schedule (packs A and B), both
// vectorized to the target's width.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench/schedules/matmul_cpu.h"
#include "codegen/build.h"
#include "workloads/workloads.h"

using namespace kiln;

namespace {

struct Options {
  int64_t size = 1024;
  int threads = 2;
  int repeat = 10;
  std::string json_path;
};

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr,
               "bench_alignment: %s\nusage: bench_alignment [--size 1024] [--threads 2] "
               "[--repeat 10] [--json out.json]\n",
               why.c_str());
  std::exit(2);
}

int64_t parse_positive(const std::string& flag, const char* text) {
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v <= 0)
    usage_error(flag + " expects a positive integer, got \"" + text + "\"");
  return v;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    const char* value = argv[++i];
    if (flag == "--size") {
      o.size = parse_positive(flag, value);
    } else if (flag == "--threads") {
      o.threads = static_cast<int>(parse_positive(flag, value));
    } else if (flag == "--repeat") {
      o.repeat = static_cast<int>(parse_positive(flag, value));
    } else if (flag == "--json") {
      o.json_path = value;
    } else {
      usage_error("unknown flag " + flag);
    }
  }
  if (o.size % 64 != 0) usage_error("--size must be a multiple of 64 (the tiles)");
  return o;
}

// A float matrix whose data start `offset` bytes past a 64-byte boundary, as
// a DLTensor a kernel takes.
class OffsetMatrix {
 public:
  OffsetMatrix(int64_t n, int offset) : shape_{n, n}, storage_(n * n + 128 / sizeof(float)) {
    auto base = reinterpret_cast<uintptr_t>(storage_.data());
    const uintptr_t aligned = (base + 63) / 64 * 64;
    data_ = reinterpret_cast<float*>(aligned + offset);
    tensor_.data = data_;
    tensor_.device = {kDLCPU, 0};
    tensor_.ndim = 2;
    tensor_.dtype = runtime::parse_dtype("float32");
    tensor_.shape = shape_;
    tensor_.strides = nullptr;
    tensor_.byte_offset = 0;
  }
  float* data() { return data_; }
  const DLTensor* tensor() const { return &tensor_; }

 private:
  int64_t shape_[2];
  std::vector<float> storage_;  // 128 bytes over: up to 63 to align, up to 64 to slide
  float* data_;
  DLTensor tensor_{};
};

// Per call, seconds: the median of `repeat` rounds, each round calling once
// at every offset in turn (after two warm-up rounds), so that a machine that
// speeds up or slows down meanwhile affects every offset alike.
std::vector<double> median_calls(const std::vector<std::function<void()>>& calls, int repeat) {
  using clock = std::chrono::steady_clock;
  std::vector<std::vector<double>> times(calls.size());
  for (int round = -2; round < repeat; ++round)
    for (size_t i = 0; i < calls.size(); ++i) {
      const auto t0 = clock::now();
      calls[i]();
      if (round >= 0) times[i].push_back(std::chrono::duration<double>(clock::now() - t0).count());
    }
  std::vector<double> medians;
  for (std::vector<double>& t : times) {
    std::sort(t.begin(), t.end());
    medians.push_back(t[t.size() / 2]);
  }
  return medians;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  setenv("KILN_NUM_THREADS", std::to_string(o.threads).c_str(), 1);
  const Target target("llvm -num_cores=" + std::to_string(o.threads));
  const int lanes = target.vector_bytes / 4;
  const int64_t n = o.size;
  const ir::PrimFunc func = workloads::get("matmul", {{"M", n}, {"N", n}, {"K", n}}).func;
  struct Kernel {
    std::string name;
    Module module;
  };
  const std::vector<Kernel> kernels = {
      {"tiled 4x16", build(sched::tiled_matmul_cpu(func, 4, 16, lanes).func(), target)},
      {"expert", build(sched::expert_matmul_cpu(func, lanes, o.threads).func(), target)},
  };
  const std::vector<int> offsets = {0, 16, 32, 48};
  std::printf("fp32 matmul %ld^3 on %s, %d threads, median of %d rounds over the offsets\n",
              static_cast<long>(n),
              target.str().c_str(), o.threads, o.repeat);
  std::printf("%-12s", "kernel");
  for (int offset : offsets) std::printf("  %5s+%-2d", "GF/s", offset);
  std::printf("  %8s\n", "spread");

  nlohmann::json results = nlohmann::json::array();
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const double flops = 2.0 * n * n * n;
  std::vector<std::unique_ptr<OffsetMatrix>> matrices;
  std::vector<std::vector<const DLTensor*>> args;
  for (int offset : offsets) {
    std::vector<const DLTensor*> call;
    for (int m = 0; m < 3; ++m) {
      matrices.push_back(std::make_unique<OffsetMatrix>(n, offset));
      float* data = matrices.back()->data();
      for (int64_t i = 0; i < n * n; ++i) data[i] = dist(rng);
      call.push_back(matrices.back()->tensor());
    }
    args.push_back(call);
  }
  for (const Kernel& k : kernels) {
    const runtime::Kernel entry = k.module.entry();
    std::vector<std::function<void()>> calls;
    for (const auto& call : args) calls.push_back([&entry, &call] { entry(call); });
    std::vector<double> gflops;
    for (double seconds : median_calls(calls, o.repeat)) gflops.push_back(flops / seconds * 1e-9);
    const auto [slow, fast] = std::minmax_element(gflops.begin(), gflops.end());
    const double spread = *fast / *slow - 1.0;
    std::printf("%-12s", k.name.c_str());
    for (double g : gflops) std::printf("  %8.1f", g);
    std::printf("  %7.1f%%\n", spread * 100);
    nlohmann::json row = {{"kernel", k.name}, {"spread", spread}};
    for (size_t i = 0; i < offsets.size(); ++i)
      row["gflops_at_offset_" + std::to_string(offsets[i])] = gflops[i];
    results.push_back(row);
  }
  if (!o.json_path.empty()) {
    nlohmann::json j = {{"benchmark", "alignment"},
                        {"size", n},
                        {"threads", o.threads},
                        {"target", target.describe()},
                        {"results", results}};
    std::ofstream(o.json_path) << j.dump(2) << "\n";
  }
  return 0;
}

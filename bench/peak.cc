// This machine's ceilings, measured: the float32 FMA throughput (GFLOP/s)
// and the memory bandwidth (GB/s, a STREAM triad) for 1..--threads threads.
// A kernel's fraction of these says how much room is left, where a nominal
// peak (cores x lanes x 2 x FMA units x a clock the VM may not report
// truly) only guesses.
//
//   ./build/py/bench/bench_peak [--threads 2] [--json out.json]
//
// Compiled for the host's vector ISA (-march=native): the FMA loop keeps 12
// independent accumulators of the widest vector the build may use, more
// than an FMA's latency times the pipes (4 x 2) needs, fewer than the
// registers (16 with AVX2, 32 with AVX-512). Each figure is the best of 5
// runs of about 0.2 s: a ceiling, not a typical value.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace {

#if defined(__AVX512F__)
constexpr int kVectorBytes = 64;
#elif defined(__AVX__)
constexpr int kVectorBytes = 32;
#else
constexpr int kVectorBytes = 16;
#endif
constexpr int kLanes = kVectorBytes / 4;
constexpr int kChains = 12;
typedef float Vector __attribute__((vector_size(kVectorBytes)));

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// `iterations` rounds of kChains independent FMAs; returns a value that
// depends on all of them, so that none is optimized away.
float fma_chains(long iterations) {
  Vector acc[kChains], mul, add;
  for (int l = 0; l < kLanes; ++l) mul[l] = 0.999999f, add[l] = 1e-6f;
  for (int c = 0; c < kChains; ++c)
    for (int l = 0; l < kLanes; ++l) acc[c][l] = static_cast<float>(c + l);
  // Unrolled, so that the accumulators live in registers, not in memory.
  for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * mul + add;
  }
  float sum = 0;
  for (int c = 0; c < kChains; ++c)
    for (int l = 0; l < kLanes; ++l) sum += acc[c][l];
  return sum;
}

// Runs work(t) on `threads` threads at once; the wall time of the slowest.
template <typename Work>
double run_threads(int threads, Work work) {
  std::vector<std::thread> pool;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) pool.emplace_back([&work, t] { work(t); });
  for (std::thread& th : pool) th.join();
  return seconds_since(start);
}

double fma_gflops(int threads) {
  constexpr long kIterations = 100'000'000;
  std::vector<float> sink(threads);
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    const double s = run_threads(threads, [&](int t) { sink[t] = fma_chains(kIterations); });
    best = std::max(best, 2.0 * kChains * kLanes * kIterations * threads / s * 1e-9);
  }
  if (sink[0] == 12345.0f) std::printf(" ");  // keeps the results alive
  return best;
}

// a = b + s c over arrays far larger than the caches; 3 x 4 bytes move per
// element (STREAM's count: the write-allocate read of `a` is not counted).
double triad_gbs(int threads) {
  constexpr size_t kElements = size_t{1} << 25;  // 128 MiB per array
  std::vector<float> a(kElements, 0.0f), b(kElements, 1.0f), c(kElements, 2.0f);
  auto part = [&](int t) {
    const size_t begin = kElements * t / threads, end = kElements * (t + 1) / threads;
    for (size_t i = begin; i < end; ++i) a[i] = b[i] + 3.0f * c[i];
  };
  run_threads(threads, part);  // first touch and warm-up
  double best = 0;
  for (int run = 0; run < 5; ++run) best = std::max(best, 12.0 * kElements / run_threads(threads, part) * 1e-9);
  return best;
}

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "bench_peak: %s\nusage: bench_peak [--threads N] [--json FILE]\n",
               why.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) usage("`" + arg + "` needs a value");
    if (arg == "--threads") {
      threads = std::atoi(argv[++i]);
      if (threads < 1) usage("--threads must be at least 1");
    } else if (arg == "--json") {
      json_path = argv[++i];
    } else {
      usage("unknown option `" + arg + "`");
    }
  }
  std::printf("float32 FMA peak (%d-byte vectors, %d chains) and STREAM triad, best of 5\n",
              kVectorBytes, kChains);
  std::printf("%8s %12s %12s\n", "threads", "GFLOP/s", "triad GB/s");
  nlohmann::json rows = nlohmann::json::array();
  for (int t = 1; t <= threads; ++t) {
    const double gflops = fma_gflops(t), gbs = triad_gbs(t);
    std::printf("%8d %12.1f %12.1f\n", t, gflops, gbs);
    rows.push_back({{"threads", t}, {"fma_gflops", gflops}, {"triad_gbs", gbs}});
  }
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << nlohmann::json{{"vector_bytes", kVectorBytes}, {"rows", rows}}.dump(1) << "\n";
    if (!out) usage("cannot write `" + json_path + "`");
  }
  return 0;
}

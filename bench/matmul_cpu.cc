// kiln's expert CPU matmul schedule (bench/schedules/matmul_cpu.h), and the
// tuned one when a tuning log is given, against the vendor libraries, in one
// process on the same inputs: OpenBLAS (cblas_sgemm), Eigen (c.noalias() =
// a * b) and oneDNN (dnnl_sgemm), fp32, row-major, C = A B at M = N = K =
// size.
//
//   ./build/bench/bench_matmul_cpu [--sizes 512,1024,2048] [--threads 2]
//                                  [--repeat 10] [--json out.json]
//                                  [--log tuning_logs/matmul.jsonl]
//
// "kiln tuned" is the best program the log holds for the size (replayed from
// its trace, search::replay); sizes the log has no record of get no such row.
//
// Each entry's output is checked against OpenBLAS's (max abs error), then
// all are timed interleaved (bench::check_and_time: five rounds, each entry
// warmed up in each), at least --repeat runs and a second each; the median
// run is reported (and the best, GFLOP/s, which says how much a busy
// machine slowed the median). Every library gets --threads threads:
// OpenBLAS through openblas_set_num_threads, Eigen and oneDNN through
// OpenMP, kiln through KILN_NUM_THREADS.
#include "bench/schedules/matmul_cpu.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/baselines/cpu_gemm.h"
#include "bench/timing.h"
#include "codegen/build.h"
#include "ir/printer.h"
#include "search/replay.h"
#include "workloads/workloads.h"

using namespace kiln;

namespace {

struct Options {
  std::vector<int64_t> sizes = {512, 1024, 2048};
  int threads = 2;
  int repeat = 10;
  double min_seconds = 1.0;
  std::string json_path;
  std::string log;  // a tuning log: its best programs join as "kiln tuned"
  bool print_schedule = false;
};

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr,
               "bench_matmul_cpu: %s\nusage: bench_matmul_cpu [--sizes 512,1024,2048] "
               "[--threads 2] [--repeat 10] [--min-seconds 1] [--json out.json] [--log LOG] "
               "[--print]\n",
               why.c_str());
  std::exit(2);
}

int64_t parse_positive(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || v <= 0)
    usage_error(flag + " expects positive integers, got \"" + text + "\"");
  return v;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--sizes") {
      o.sizes.clear();
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');)
        o.sizes.push_back(parse_positive(flag, item));
    } else if (flag == "--threads") {
      o.threads = static_cast<int>(parse_positive(flag, value()));
    } else if (flag == "--repeat") {
      o.repeat = static_cast<int>(parse_positive(flag, value()));
    } else if (flag == "--min-seconds") {
      o.min_seconds = std::atof(value().c_str());
    } else if (flag == "--json") {
      o.json_path = value();
    } else if (flag == "--log") {
      o.log = value();
    } else if (flag == "--print") {
      o.print_schedule = true;
    } else {
      usage_error("unknown flag " + flag);
    }
  }
  if (o.sizes.empty()) usage_error("--sizes is empty");
  return o;
}

double load_average() {
  double one = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &one) != 1) one = -1;
    std::fclose(f);
  }
  return one;
}

struct Entry {
  int64_t size;
  std::string library;
  bench::Timing time;
  double max_abs_error;  // against OpenBLAS; NaN for OpenBLAS itself
};

// Runs every library at one size; OpenBLAS first, as the reference.
// `log`: the tuning log whose best program joins as "kiln tuned" (or null).
std::vector<Entry> bench_size(int64_t n, const Options& o, const search::Database* log) {
  const DLDataType f32 = runtime::parse_dtype("float32");
  // NDArrays for every library: aligned, and kiln takes them as they are.
  runtime::NDArray a = runtime::NDArray::empty({n, n}, f32);
  runtime::NDArray b = runtime::NDArray::empty({n, n}, f32);
  runtime::NDArray c = runtime::NDArray::empty({n, n}, f32);
  auto* pa = static_cast<float*>(a.data());
  auto* pb = static_cast<float*>(b.data());
  auto* pc = static_cast<float*>(c.data());
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int64_t i = 0; i < n * n; ++i) pa[i] = dist(rng), pb[i] = dist(rng);
  std::vector<bench::Contender> contenders;  // OpenBLAS first: the reference
  contenders.push_back({"OpenBLAS", [&] { bench::openblas_sgemm(n, n, n, pa, pb, pc); }});

  Target target("llvm");
  const int lanes = target.vector_bytes / 4;
  ir::PrimFunc func = workloads::get("matmul", {{"M", n}, {"N", n}, {"K", n}}).func;
  sched::Schedule sch = sched::expert_matmul_cpu(func, lanes, o.threads);
  if (o.print_schedule)
    std::printf("%s\n%s\n", sch.trace().as_python().c_str(), ir::to_script(sch.func()).c_str());
  Module kernel = build(sch.func(), target);
  contenders.push_back({"kiln", [&] { kernel(a, b, c); }});
  std::optional<search::Replayed> tuned;
  if (log) {
    try {
      tuned = search::replay(*log, func, target);
      contenders.push_back({"kiln tuned", [&] { tuned->module(a, b, c); }});
    } catch (const std::runtime_error& e) {
      std::printf("(no tuned row at %lld: %s)\n", static_cast<long long>(n), e.what());
    }
  }
  contenders.push_back({"Eigen", [&] { bench::eigen_sgemm(n, n, n, pa, pb, pc); }});
  contenders.push_back({"oneDNN", [&] { bench::onednn_sgemm(n, n, n, pa, pb, pc); }});

  const std::vector<bench::CheckedTiming> checked =
      bench::check_and_time(contenders, pc, n * n, o.repeat, o.min_seconds);
  std::vector<Entry> out;
  for (size_t i = 0; i < contenders.size(); ++i)
    out.push_back({n, contenders[i].name, checked[i].time, checked[i].max_abs_error});
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bench::reexec_if_openblas_misdetects(argv);
  Options o = parse_options(argc, argv);
  // kiln's thread pool reads this when it starts (the first parallel loop).
  setenv("KILN_NUM_THREADS", std::to_string(o.threads).c_str(), 1);
  bench::set_vendor_threads(o.threads);

  Target target("llvm");
  std::printf("fp32 matmul C = A B (row-major, M = N = K), %d threads, median of >= %d runs\n",
              o.threads, o.repeat);
  std::printf("kiln target: llvm -mcpu=%s (%d fp32 lanes)\n", target.option("mcpu").c_str(),
              target.vector_bytes / 4);
  std::printf("%s\n\n", bench::vendor_versions().c_str());
  std::printf("%6s  %-10s %9s %9s %9s %8s %11s %6s\n", "size", "library", "ms", "GFLOP/s", "best",
              "vs BLAS", "max |err|", "load");
  // Read once: its damaged lines are warned of once, not at every size.
  std::optional<search::Database> log;
  if (!o.log.empty()) log.emplace(o.log);
  nlohmann::json results = nlohmann::json::array();
  bool wrong = false;
  for (int64_t n : o.sizes) {
    double load = load_average();
    std::vector<Entry> entries = bench_size(n, o, log ? &*log : nullptr);
    const double blas = entries.front().time.median;
    const double flops = 2.0 * n * n * n;
    for (const Entry& e : entries) {
      std::printf("%6ld  %-10s %9.3f %9.1f %9.1f %8.2f %11.2e %6.2f\n", static_cast<long>(n),
                  e.library.c_str(), e.time.median * 1e3, flops / e.time.median * 1e-9,
                  flops / e.time.best * 1e-9, blas / e.time.median, e.max_abs_error, load);
      results.push_back(
          {{"size", n},
           {"library", e.library},
           {"ms", e.time.median * 1e3},
           {"gflops", flops / e.time.median * 1e-9},
           {"best_ms", e.time.best * 1e3},
           {"ratio_to_openblas", blas / e.time.median},
           {"max_abs_error_vs_openblas",
            std::isnan(e.max_abs_error) ? nlohmann::json() : nlohmann::json(e.max_abs_error)},
           {"load_average", load}});
    }
    std::printf("\n");
    // Random inputs in [-1, 1): fp32 sums of K terms stay well inside this.
    for (const Entry& e : entries)
      if (e.library.rfind("kiln", 0) == 0 && !(e.max_abs_error <= 1e-3)) {
        std::fprintf(stderr, "bench_matmul_cpu: %s's result at %ld differs from OpenBLAS by %g\n",
                     e.library.c_str(), static_cast<long>(n), e.max_abs_error);
        wrong = true;
      }
  }
  if (!o.json_path.empty()) {
    nlohmann::json j = {{"benchmark", "matmul_cpu"},
                        {"threads", o.threads},
                        {"target", target.str()},
                        {"results", results}};
    std::ofstream(o.json_path) << j.dump(2) << "\n";
  }
  return wrong ? 1 : 0;
}

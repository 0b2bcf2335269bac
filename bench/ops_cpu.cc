// One operator of kiln's workload registry timed with every vendor library
// that has it (bench/baselines/cpu_ops.h) and, given a tuning log, with
// kiln's best kernel for it (replayed from its trace), in one process on the
// same arrays; prints JSON. `python3 -m kiln bench` runs it for each
// operator of its suite.
//
//   ./build/py/bench/bench_ops_cpu --workload matmul --shape M=1024,N=1024,K=1024
//       [--threads 2] [--target "llvm -num_cores=2"] [--log LOG]
//       [--repeat 10] [--min-seconds 1] [--json out.json]
//
// Every library gets --threads threads (OpenBLAS through
// openblas_set_num_threads, Eigen and oneDNN through OpenMP, kiln through
// KILN_NUM_THREADS). Inputs are uniform in [-1, 1); each entry's output is
// compared with the first vendor's (max abs error), then all are timed
// interleaved (bench::check_and_time: the median of >= --repeat runs and
// >= --min-seconds each).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/baselines/cpu_gemm.h"
#include "bench/baselines/cpu_ops.h"
#include "bench/timing.h"
#include "codegen/build.h"
#include "search/replay.h"
#include "workloads/workloads.h"

using namespace kiln;

namespace {

struct Options {
  std::string workload, target, log, json_path;
  std::map<std::string, int64_t> shape;
  int threads = 2;
  int repeat = 10;
  double min_seconds = 1.0;
};

[[noreturn]] void usage_error(const std::string& why) {
  std::fprintf(stderr,
               "bench_ops_cpu: %s\nusage: bench_ops_cpu --workload NAME [--shape K=V,...] "
               "[--threads 2] [--target TARGET] [--log LOG] [--repeat 10] [--min-seconds 1] "
               "[--json FILE]\n",
               why.c_str());
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--workload") {
      o.workload = value;
    } else if (flag == "--shape") {
      std::stringstream list(value);
      for (std::string item; std::getline(list, item, ',');) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos) usage_error("--shape expects KEY=VALUE, got \"" + item + "\"");
        o.shape[item.substr(0, eq)] = std::atoll(item.c_str() + eq + 1);
      }
    } else if (flag == "--threads") {
      o.threads = std::atoi(value.c_str());
      if (o.threads < 1) usage_error("--threads must be at least 1");
    } else if (flag == "--target") {
      o.target = value;
    } else if (flag == "--log") {
      o.log = value;
    } else if (flag == "--repeat") {
      o.repeat = std::max(1, std::atoi(value.c_str()));
    } else if (flag == "--min-seconds") {
      o.min_seconds = std::atof(value.c_str());
    } else if (flag == "--json") {
      o.json_path = value;
    } else {
      usage_error("unknown flag " + flag);
    }
  }
  if (o.workload.empty()) usage_error("--workload is required");
  if (o.target.empty()) o.target = "llvm -num_cores=" + std::to_string(o.threads);
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  bench::reexec_if_openblas_misdetects(argv);
  const Options o = parse_options(argc, argv);
  // kiln's thread pool reads this when it starts (the first parallel loop).
  setenv("KILN_NUM_THREADS", std::to_string(o.threads).c_str(), 1);
  bench::set_vendor_threads(o.threads);

  workloads::Workload w;
  try {
    w = workloads::get(o.workload, o.shape);
  } catch (const std::invalid_argument& e) {
    usage_error(e.what());
  }
  const std::vector<bench::VendorKernel> kernels = bench::vendor_kernels(w.name, w.shape);
  const Target target(o.target);
  nlohmann::json notes = nlohmann::json::array();
  Module tuned;  // kiln's best kernel in the log, when there is one
  if (!o.log.empty()) {
    try {
      tuned = search::replay(search::Database(o.log), w.func, target).module;
    } catch (const std::runtime_error& e) {
      notes.push_back(std::string("no kiln kernel: ") + e.what());
    }
  }

  // One array per parameter, inputs random, shared by every library.
  const DLDataType f32 = runtime::parse_dtype("float32");
  std::vector<NDArray> arrays;
  std::vector<float*> pointers;
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (const ir::Buffer& b : w.func->params) {
    arrays.push_back(NDArray::empty(ir::static_shape(b), f32));
    auto* p = static_cast<float*>(arrays.back().data());
    for (int64_t i = 0; i < arrays.back().num_elements(); ++i) p[i] = dist(rng);
    pointers.push_back(p);
  }
  float* out = pointers.back();
  const int64_t out_size = arrays.back().num_elements();

  std::vector<bench::Contender> contenders;  // the first vendor's output is the reference
  for (const bench::VendorKernel& k : kernels)
    contenders.push_back({k.library, [&] { k.run(pointers); }});
  if (tuned.defined()) contenders.push_back({"kiln", [&] { tuned(arrays); }});
  const std::vector<bench::CheckedTiming> checked =
      bench::check_and_time(contenders, out, out_size, o.repeat, o.min_seconds);
  nlohmann::json entries = nlohmann::json::array();
  for (size_t i = 0; i < contenders.size(); ++i) {
    const double error = checked[i].max_abs_error;
    entries.push_back(
        {{"library", contenders[i].name},
         {"median_s", checked[i].time.median},
         {"best_s", checked[i].time.best},
         {"max_abs_error", std::isnan(error) ? nlohmann::json() : nlohmann::json(error)}});
    std::fprintf(stderr, "  %-9s %10.4f ms\n", contenders[i].name.c_str(),
                 checked[i].time.median * 1e3);
  }

  const nlohmann::json result = {{"workload", w.name},
                                 {"shape", w.shape},
                                 {"threads", o.threads},
                                 {"target", target.str()},
                                 {"versions", bench::vendor_versions()},
                                 {"reference", entries.empty() ? nlohmann::json()
                                                               : entries[0]["library"]},
                                 {"entries", entries},
                                 {"notes", notes}};
  if (o.json_path.empty()) {
    std::cout << result.dump(1) << "\n";
  } else {
    std::ofstream file(o.json_path);
    file << result.dump(1) << "\n";
    if (!file) usage_error("cannot write " + o.json_path);
  }
  return 0;
}

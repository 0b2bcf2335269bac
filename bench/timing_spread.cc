// How repeatable the timing protocol (runtime/time_evaluator.h) is: the same
// kernels measured 20 times under each setting of repeat, min_repeat_ms and
// the cache flush, with the median of the 20 medians, their relative spread
// ((max - min) / median) and what one measurement costs in wall time. The
// defaults of TimingOptions come from this table.
//
//   ./build/bench/bench_timing_spread [--measurements 20] [--json out.json]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/schedules/matmul_cpu.h"
#include "codegen/build.h"
#include "runtime/time_evaluator.h"
#include "workloads/workloads.h"

using namespace kiln;

namespace {

struct Case {
  std::string name;
  Module module;
  std::vector<runtime::NDArray> args;
};

Case make_case(const std::string& name, const ir::PrimFunc& func, const Target& target) {
  Case c{name, build(func, target), {}};
  for (const ir::Buffer& p : func->params) {
    c.args.push_back(runtime::NDArray::empty(ir::static_shape(p), runtime::parse_dtype("float32")));
    auto* data = static_cast<float*>(c.args.back().data());
    for (int64_t i = 0; i < c.args.back().num_elements(); ++i) data[i] = (i % 7) * 0.25f - 0.5f;
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  int measurements = 20;
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--measurements")) measurements = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--json")) json_path = argv[i + 1];
  }
  const Target target("llvm");
  const int lanes = target.vector_bytes / 4;
  std::vector<Case> cases;
  for (int64_t n : {256, 1024}) {
    ir::PrimFunc f = workloads::get("matmul", {{"M", n}, {"N", n}, {"K", n}}).func;
    cases.push_back(make_case("matmul " + std::to_string(n) + " expert",
                              sched::expert_matmul_cpu(f, lanes, target.num_cores).func(), target));
  }
  ir::PrimFunc softmax = workloads::get("softmax", {{"M", 128}, {"N", 1024}}).func;
  cases.push_back(make_case("softmax 128x1024 naive", softmax, target));

  struct Setting {
    int repeat;
    double min_repeat_ms;
    runtime::CacheFlush flush;
  };
  std::vector<Setting> settings;
  for (int repeat : {3, 10, 30})
    for (double ms : {1.0, 10.0, 25.0, 100.0})
      for (auto flush : {runtime::CacheFlush::kOff, runtime::CacheFlush::kOn})
        settings.push_back({repeat, ms, flush});

  std::printf("timing spread on %s, %d measurements per setting\n", target.str().c_str(),
              measurements);
  std::printf("%-24s %6s %8s %5s %12s %9s %10s\n", "kernel", "repeat", "min_ms", "flush",
              "median (us)", "spread", "cost (ms)");
  nlohmann::json rows = nlohmann::json::array();
  for (const Case& c : cases) {
    std::vector<const DLTensor*> args;
    for (const runtime::NDArray& a : c.args) args.push_back(&a.tensor());
    const runtime::Kernel kernel = c.module.entry();
    for (const Setting& s : settings) {
      runtime::TimingOptions options;
      options.repeat = s.repeat;
      options.min_repeat_ms = s.min_repeat_ms;
      options.flush = s.flush;
      std::vector<double> medians;
      const auto start = std::chrono::steady_clock::now();
      for (int m = 0; m < measurements; ++m)
        medians.push_back(runtime::time_kernel(kernel, args, options).median_s);
      const double cost_ms = std::chrono::duration<double, std::milli>(
                                 std::chrono::steady_clock::now() - start).count() / measurements;
      std::sort(medians.begin(), medians.end());
      const double median = medians[medians.size() / 2];
      const double spread = (medians.back() - medians.front()) / median;
      const bool flush = s.flush == runtime::CacheFlush::kOn;
      std::printf("%-24s %6d %8.0f %5s %12.1f %8.1f%% %10.1f\n", c.name.c_str(), s.repeat,
                  s.min_repeat_ms, flush ? "on" : "off", median * 1e6, spread * 100, cost_ms);
      rows.push_back({{"kernel", c.name}, {"repeat", s.repeat}, {"min_repeat_ms", s.min_repeat_ms},
                      {"flush", flush}, {"median_s", median}, {"relative_spread", spread},
                      {"cost_ms", cost_ms}});
    }
  }
  if (!json_path.empty()) {
    nlohmann::json j = {{"benchmark", "timing_spread"}, {"target", target.describe()},
                        {"measurements", measurements}, {"rows", rows}};
    std::ofstream(json_path) << j.dump(2) << "\n";
  }
  return 0;
}

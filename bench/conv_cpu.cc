// kiln's tuned conv2d (NHWC, batch 1, 3x3, pad 1) against oneDNN, in one
// process on the same inputs: the ResNet-50 3x3 layers (56/28/14/7) or one
// given shape. kiln's kernel is the best a tuning log holds (replayed from
// its trace); without a log, the untransformed function.
//
//   ./build/bench/bench_conv_cpu [--log tuning_logs/conv.jsonl] [--threads 2]
//                                [--layers 56,28,14,7] [--json out.json]
//
// Every library gets --threads threads; the two are timed interleaved
// (bench::time_interleaved), the median of >= 20 runs (and at least half a
// second) each is reported, and kiln's output is checked against oneDNN's.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/baselines/cpu_conv.h"
#include "bench/baselines/cpu_gemm.h"
#include "bench/timing.h"
#include "codegen/build.h"
#include "search/replay.h"
#include "workloads/workloads.h"

using namespace kiln;

namespace {

struct Layer {
  int64_t h, c;  // H = W, C = K
};

// A ResNet-50 3x3 layer by its size: the channels double as it halves.
Layer resnet50_layer(int64_t h) { return {h, h == 56 ? 64 : h == 28 ? 128 : h == 14 ? 256 : 512}; }

}  // namespace

int main(int argc, char** argv) {
  std::string log, json_path;
  int threads = 2;
  std::vector<Layer> layers;
  for (int64_t h : {56, 28, 14, 7}) layers.push_back(resnet50_layer(h));
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--log") log = value;
    else if (flag == "--threads") threads = std::atoi(value.c_str());
    else if (flag == "--json") json_path = value;
    else if (flag == "--layers") {
      layers.clear();
      std::stringstream list(value);
      for (std::string item; std::getline(list, item, ',');) {
        layers.push_back(resnet50_layer(std::atoll(item.c_str())));
      }
    } else {
      std::fprintf(stderr, "bench_conv_cpu: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  setenv("KILN_NUM_THREADS", std::to_string(threads).c_str(), 1);
  bench::set_vendor_threads(threads);
  const Target target("llvm -num_cores=" + std::to_string(threads));
  std::unique_ptr<search::Database> db = log.empty() ? nullptr : std::make_unique<search::Database>(log);
  std::printf("conv2d NHWC 3x3 pad 1, batch 1, %d threads, on %s\n", threads, target.str().c_str());
  std::printf("%-18s %10s %10s %10s %10s %8s %11s\n", "layer", "kiln ms", "GFLOP/s", "oneDNN ms",
              "GFLOP/s", "ratio", "max |err|");
  nlohmann::json rows = nlohmann::json::array();
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (const Layer& l : layers) {
    const std::map<std::string, int64_t> shape = {{"N", 1}, {"H", l.h}, {"W", l.h}, {"C", l.c},
                                                  {"K", l.c}, {"R", 3}, {"S", 3}, {"stride", 1},
                                                  {"padding", 1}, {"dilation", 1}};
    const ir::PrimFunc func = workloads::get("conv2d_nhwc", shape).func;
    Module kernel;
    std::string source = "untransformed";
    if (db) {
      try {
        kernel = search::replay(*db, func, target).module;
        source = "tuned";
      } catch (const std::runtime_error&) {
      }
    }
    if (!kernel.defined()) kernel = build(func, target);
    const DLDataType f32 = runtime::parse_dtype("float32");
    NDArray x = NDArray::empty({1, l.h, l.h, l.c}, f32), w = NDArray::empty({3, 3, l.c, l.c}, f32);
    NDArray out = NDArray::empty({1, l.h, l.h, l.c}, f32), ref = NDArray::empty({1, l.h, l.h, l.c}, f32);
    for (NDArray* a : {&x, &w})
      for (int64_t i = 0; i < a->num_elements(); ++i) static_cast<float*>(a->data())[i] = dist(rng);
    bench::OneDnnConv onednn({1, l.h, l.h, l.c, l.c, 3, 3, 1, 1});
    auto* px = static_cast<float*>(x.data());
    auto* pw = static_cast<float*>(w.data());
    const std::vector<bench::Timing> times = bench::time_interleaved(
        {[&] { onednn.run(px, pw, static_cast<float*>(ref.data())); }, [&] { kernel(x, w, out); }},
        20, 0.5);
    const double dnnl_s = times[0].median, kiln_s = times[1].median;
    const double err = bench::max_abs_difference(static_cast<float*>(out.data()),
                                                 static_cast<float*>(ref.data()), out.num_elements());
    const double flops = 2.0 * l.h * l.h * l.c * l.c * 9;
    const std::string name = std::to_string(l.h) + "x" + std::to_string(l.h) + "x" +
                             std::to_string(l.c) + " (" + source + ")";
    std::printf("%-18s %10.3f %10.1f %10.3f %10.1f %8.2f %11.2e\n", name.c_str(), kiln_s * 1e3,
                flops / kiln_s * 1e-9, dnnl_s * 1e3, flops / dnnl_s * 1e-9, dnnl_s / kiln_s, err);
    rows.push_back({{"layer", name}, {"kiln_ms", kiln_s * 1e3}, {"onednn_ms", dnnl_s * 1e3},
                    {"ratio_to_onednn", dnnl_s / kiln_s}, {"max_abs_error", err}});
  }
  if (!json_path.empty())
    std::ofstream(json_path) << nlohmann::json{{"benchmark", "conv_cpu"}, {"rows", rows}}.dump(2);
  return 0;
}

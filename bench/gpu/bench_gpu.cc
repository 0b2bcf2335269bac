// bench_gpu: kiln's hand-written GPU schedules (bench/schedules/gpu_schedules.h)
// timed on the CUDA device with CUDA events: fp32 GEMM 1024/2048/4096,
// batch matmul 12x128x128x64 and the ResNet-50 3x3 convolutions at batch 1.
// Each kernel is checked first: 256 output elements, drawn at random, against
// a host computation in double precision. Writes one JSON object per line to
// stdout (bench/gpu/run.sh merges them with PyTorch's times).
//
//   bench_gpu [--number N]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench/schedules/gpu_schedules.h"
#include "codegen/build.h"
#include "ir/buffer.h"
#include "runtime/cuda/cuda_driver.h"
#include "runtime/cuda/cuda_module.h"
#include "workloads/workloads.h"

namespace {

using namespace kiln;

struct Benchmark {
  std::string name;      // the row of the table
  std::string workload;  // workloads::get name
  std::map<std::string, int64_t> shape;
  std::function<void(sched::Schedule&)> schedule;
  double flops;
  // out[index] from the inputs, on the host (double precision).
  std::function<double(const std::vector<std::vector<float>>&, int64_t)> reference;
};

std::vector<Benchmark> benchmarks() {
  std::vector<Benchmark> out;
  for (int64_t n : {1024, 2048, 4096}) {
    bench::gpu::MatmulTiles t;  // 64x64 block tile, 4x4 per thread, k slices of 8
    out.push_back({"gemm_" + std::to_string(n),
                   "matmul",
                   {{"M", n}, {"N", n}, {"K", n}},
                   [=](sched::Schedule& s) { bench::gpu::schedule_matmul(s, t); },
                   2.0 * n * n * n,
                   [=](const std::vector<std::vector<float>>& a, int64_t idx) {
                     const int64_t i = idx / n, j = idx % n;
                     double acc = 0;
                     for (int64_t k = 0; k < n; ++k)
                       acc += double(a[0][i * n + k]) * a[1][k * n + j];
                     return acc;
                   }});
  }
  {
    const int64_t B = 12, M = 128, N = 128, K = 64;
    bench::gpu::MatmulTiles t;
    out.push_back({"batch_matmul_12x128x128x64",
                   "batch_matmul",
                   {{"B", B}, {"M", M}, {"N", N}, {"K", K}},
                   [=](sched::Schedule& s) { bench::gpu::schedule_matmul(s, t, true); },
                   2.0 * B * M * N * K,
                   [=](const std::vector<std::vector<float>>& a, int64_t idx) {
                     const int64_t b = idx / (M * N), i = idx / N % M, j = idx % N;
                     double acc = 0;
                     for (int64_t k = 0; k < K; ++k)
                       acc += double(a[0][(b * M + i) * K + k]) * a[1][(b * K + k) * N + j];
                     return acc;
                   }});
  }
  // ResNet-50's 3x3 convolutions (stride 1, padding 1, C = K), NHWC.
  for (auto [c, h] :
       std::vector<std::pair<int64_t, int64_t>>{{64, 56}, {128, 28}, {256, 14}, {512, 7}}) {
    bench::gpu::ConvTiles t;
    // The pixel tile must divide H * W: 56*56 and 28*28 take 16, 14*14 takes
    // 14 (2 per thread, 7 thread rows), 7*7 takes 7 (1 per thread).
    t.block_pixels = (h * h) % 16 == 0 ? 16 : h;
    t.thread_pixels = t.block_pixels % 2 == 0 ? 2 : 1;
    out.push_back(
        {"conv2d_c" + std::to_string(c) + "h" + std::to_string(h),
         "conv2d_nhwc",
         {{"N", 1}, {"C", c}, {"H", h}, {"W", h}, {"K", c}, {"R", 3}, {"S", 3}, {"padding", 1}},
         [=](sched::Schedule& s) { bench::gpu::schedule_conv2d_nhwc(s, t); },
         2.0 * h * h * c * c * 9,
         [=](const std::vector<std::vector<float>>& a, int64_t idx) {
           const int64_t k = idx % c, x = idx / c % h, y = idx / c / h;
           double acc = 0;
           for (int64_t r = 0; r < 3; ++r)
             for (int64_t s = 0; s < 3; ++s) {
               const int64_t iy = y + r - 1, ix = x + s - 1;
               if (iy < 0 || iy >= h || ix < 0 || ix >= h) continue;
               for (int64_t ch = 0; ch < c; ++ch)
                 acc += double(a[0][(iy * h + ix) * c + ch]) * a[1][((r * 3 + s) * c + ch) * c + k];
             }
           return acc;
         }});
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int number = 20;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--number" && i + 1 < argc) number = std::atoi(argv[++i]);
  std::string reason;
  if (!runtime::cuda::driver_available(&reason)) {
    std::cerr << "bench_gpu: no CUDA device: " << reason << "\n";
    return 2;
  }
  const kiln::Target target("cuda");
  int failures = 0;
  for (const Benchmark& b : benchmarks()) {
    nlohmann::json row = {{"name", b.name}, {"workload", b.workload}, {"shape", b.shape}};
    try {
      sched::Schedule sch(workloads::get(b.workload, b.shape).func);
      b.schedule(sch);
      const auto start = std::chrono::steady_clock::now();
      kiln::Module m = kiln::build(sch.func(), target);
      row["build_seconds"] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      // Host arrays, random inputs, the output last.
      const ir::PrimFunc& f = sch.original();
      std::mt19937 rng(1);
      std::uniform_real_distribution<float> dist(-1, 1);
      std::vector<std::vector<float>> data;
      std::vector<std::vector<int64_t>> shapes;
      for (const ir::Buffer& p : f->params) {
        data.emplace_back(static_cast<size_t>(ir::num_elements(p)));
        for (float& x : data.back()) x = dist(rng);
        shapes.push_back(ir::static_shape(p));
      }
      std::vector<DLTensor> tensors(data.size());
      std::vector<const DLTensor*> args;
      for (size_t i = 0; i < data.size(); ++i) {
        tensors[i] = DLTensor{};
        tensors[i].data = data[i].data();
        tensors[i].device = {kDLCPU, 0};
        tensors[i].ndim = static_cast<int>(shapes[i].size());
        tensors[i].dtype = {kDLFloat, 32, 1};
        tensors[i].shape = shapes[i].data();
        args.push_back(&tensors[i]);
      }
      m.node()->run(0, args);
      const std::vector<float>& result = data.back();
      std::uniform_int_distribution<int64_t> pick(0, static_cast<int64_t>(result.size()) - 1);
      double worst = 0;
      for (int s = 0; s < 256; ++s) {
        const int64_t idx = pick(rng);
        const double e = b.reference(data, idx);
        worst = std::max(worst, std::fabs(result[idx] - e) / (1 + std::fabs(e)));
      }
      row["max_relative_error"] = worst;
      row["correct"] = worst < 1e-3;
      auto* cuda = dynamic_cast<runtime::cuda::CudaModuleNode*>(m.node());
      const double ms = cuda->time_ms(0, args, number);
      row["kiln_ms"] = ms;
      row["kiln_tflops"] = b.flops / (ms * 1e-3) / 1e12;
      if (!row["correct"].get<bool>()) ++failures;
    } catch (const std::exception& e) {
      row["error"] = e.what();
      ++failures;
    }
    std::cout << row.dump() << std::endl;
  }
  return failures == 0 ? 0 : 1;
}

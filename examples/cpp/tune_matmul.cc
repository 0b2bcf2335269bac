// Defines a float32 matmul C = A B in kiln's compute DSL, tunes it for this
// CPU with a few trials, checks the best kernel against a naive loop and
// exports it as OUTPUT_DIR/libmatmul.so with the C header libmatmul.h.
// Links kiln::kiln.
//
//   tune_matmul OUTPUT_DIR [M N K [TRIALS]]      (default 128 128 128, 8 trials)
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "codegen/build.h"
#include "ir/dsl/te.h"
#include "search/tune.h"
#include "search/worker_process.h"

#include "naive_matmul.h"

using kiln::NDArray;

int main(int argc, char** argv) {
  if (argc != 2 && argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR [M N K [TRIALS]]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const int64_t m = argc > 2 ? std::atoll(argv[2]) : 128;
  const int64_t n = argc > 2 ? std::atoll(argv[3]) : 128;
  const int64_t k = argc > 2 ? std::atoll(argv[4]) : 128;
  const int trials = argc > 5 ? std::atoi(argv[5]) : 8;
  try {
    std::filesystem::create_directories(out);

    // 1. Define: C[i, j] = sum over r of A[i, r] * B[r, j].
    namespace te = kiln::te;
    const auto f32 = kiln::ir::DataType::Float(32);
    te::Tensor A = te::placeholder({m, k}, f32, "A");
    te::Tensor B = te::placeholder({k, n}, f32, "B");
    te::ReduceAxis r = te::reduce_axis(0, k, "r");
    te::Tensor C = te::compute(
        {m, n},
        [&](const std::vector<kiln::ir::Var>& v) { return te::sum(A(v[0], r) * B(r, v[1]), {r}); },
        "C");
    kiln::ir::PrimFunc func = te::create_prim_func({A, B, C}, "matmul");

    // 2. Tune: a few measured candidates; kiln_worker builds and runs them.
    std::printf("kiln_worker: %s\n", kiln::search::default_worker_path().c_str());
    kiln::search::TuneOptions options;
    options.trials = trials;
    options.measure_per_round = trials;
    options.log = (out / "matmul.jsonl").string();
    kiln::search::TuneResult result =
        kiln::search::tune({kiln::search::Task(func, kiln::Target("llvm"))}, options);
    const double seconds = result.results[0].best_latency_s;
    std::printf("tuned %lldx%lldx%lld in %d trials: %.1f us, %.1f GFLOP/s\n",
                static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(k),
                result.results[0].trials, seconds * 1e6, 2.0 * m * n * k / seconds * 1e-9);

    // 3. Build the best kernel and check it against a naive loop.
    kiln::Module module = result.build(0);
    const auto f32_array = kiln::runtime::parse_dtype("float32");
    NDArray a = NDArray::empty({m, k}, f32_array), b = NDArray::empty({k, n}, f32_array),
            c = NDArray::empty({m, n}, f32_array);
    fill(a, 7);
    fill(b, 5);
    module(a, b, c);
    const double error = max_error(a, b, c, m, n, k);
    std::printf("max abs error against a naive loop: %.2e\n", error);
    if (!(error < 1e-3)) {
      std::fprintf(stderr, "tune_matmul: the tuned kernel is wrong (max abs error %g)\n", error);
      return 1;
    }

    // 4. Export: a shared library that needs only kiln's runtime, and its header.
    const std::string library = (out / "libmatmul.so").string();
    module.export_library(library);
    std::printf("wrote %s and %s\n", library.c_str(), (out / "libmatmul.h").c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tune_matmul: %s\n", e.what());
    return 1;
  }
  return 0;
}

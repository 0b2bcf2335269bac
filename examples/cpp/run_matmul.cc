// Loads a matmul that tune_matmul exported and calls it, with kiln's runtime
// alone (no compiler): the library's metadata gives the kernel's parameters,
// whose shapes size the arrays. Checks C = A B against a naive loop.
// Links kiln::runtime.
//
//   run_matmul LIBRARY            (OUTPUT_DIR/libmatmul.so of tune_matmul)
#include <cstdio>
#include <exception>

#include "runtime/module.h"

#include "naive_matmul.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
    return 2;
  }
  using kiln::runtime::NDArray;
  try {
    kiln::runtime::Module module = kiln::runtime::load_module(argv[1]);
    kiln::runtime::Kernel matmul = module.get("matmul");
    const auto& params = matmul.signature().params;  // A [M, K], B [K, N], C [M, N]
    auto float32 = [](const kiln::runtime::ParamInfo& p) {
      return kiln::runtime::dtype_str(p.dtype) == "float32";
    };
    if (params.size() != 3 || params[0].shape.size() != 2 || params[1].shape.size() != 2 ||
        !float32(params[0]) || !float32(params[1]) || !float32(params[2])) {
      std::fprintf(stderr,
                   "run_matmul: the kernel `matmul` of %s is not a float32 matmul of 2-D "
                   "arrays A, B, C; pass the library tune_matmul wrote\n",
                   argv[1]);
      return 1;
    }
    const int64_t m = params[0].shape[0], k = params[0].shape[1], n = params[1].shape[1];

    NDArray a = NDArray::empty(params[0].shape, params[0].dtype);
    NDArray b = NDArray::empty(params[1].shape, params[1].dtype);
    NDArray c = NDArray::empty(params[2].shape, params[2].dtype);
    fill(a, 7);
    fill(b, 5);

    matmul(a, b, c);

    const double worst = max_error(a, b, c, m, n, k);
    std::printf("%s: %s %lldx%lldx%lld, max abs error against a naive loop %.2e\n", argv[1],
                matmul.signature().name.c_str(), static_cast<long long>(m),
                static_cast<long long>(n), static_cast<long long>(k), worst);
    if (!(worst < 1e-3)) {
      std::fprintf(stderr, "run_matmul: the kernel's result is wrong (max abs error %g)\n", worst);
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "run_matmul: %s\n", e.what());
    return 1;
  }
  return 0;
}

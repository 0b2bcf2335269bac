#include "bench/baselines/cpu_gemm.h"

#include <cblas.h>
#include <dnnl.h>
#include <omp.h>
#include <unistd.h>

#include <Eigen/Core>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace kiln::bench {

namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace

void openblas_sgemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
}

void eigen_sgemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  Eigen::Map<const RowMajor> ea(a, m, k), eb(b, k, n);
  Eigen::Map<RowMajor> ec(c, m, n);
  ec.noalias() = ea * eb;
}

void onednn_sgemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
  dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
}

void set_vendor_threads(int threads) {
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
  Eigen::setNbThreads(threads);
}

std::string vendor_versions() {
  const dnnl_version_t* dnnl = dnnl_version();
  // openblas_get_config() starts with "OpenBLAS <version>".
  return std::string(openblas_get_config()) + " (" + openblas_get_corename() + ", " +
         std::to_string(openblas_get_num_threads()) + " threads); Eigen " +
         std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
         std::to_string(EIGEN_MINOR_VERSION) + " (" + std::to_string(Eigen::nbThreads()) +
         " threads); oneDNN " + std::to_string(dnnl->major) + "." + std::to_string(dnnl->minor) +
         " (" + std::to_string(omp_get_max_threads()) + " threads)";
}

void reexec_if_openblas_misdetects(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;  // chosen, or already re-run
  if (std::strcmp(openblas_get_corename(), "Prescott") != 0) return;
  __builtin_cpu_init();
  const char* core = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                     : __builtin_cpu_supports("avx2")  ? "Haswell"
                                                       : nullptr;
  if (core == nullptr) return;  // Prescott's kernels are the right ones
  std::fprintf(stderr,
               "OpenBLAS took this CPU for a Prescott (generic kernels); running again with "
               "OPENBLAS_CORETYPE=%s\n",
               core);
  setenv("OPENBLAS_CORETYPE", core, 1);
  execv("/proc/self/exe", argv);
  std::perror("execv /proc/self/exe");  // then go on with the generic kernels, as said above
}

}  // namespace kiln::bench

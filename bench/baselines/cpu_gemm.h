// The vendor CPU GEMMs kiln is measured against: OpenBLAS (cblas_sgemm),
// Eigen (c.noalias() = a * b) and oneDNN (dnnl_sgemm), float32, row-major,
// C = A B with A (m, k), B (k, n), C (m, n).
//
// This file and cpu_gemm.cc are the only ones that see the vendors' headers.
// They are compiled for the host's vector ISA (Eigen is a header library:
// without -march=native it would run SSE2 code and lose for no fault of its
// own) and without -Werror, because those headers raise warnings kiln cannot
// fix (gcc 12 warns inside its own avx512fintrin.h when Eigen's AVX-512 GEMM
// is inlined). kiln's own code stays -Werror and free of -march=native.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::bench {

void openblas_sgemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);
void eigen_sgemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);
void onednn_sgemm(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);

// Gives every library `threads` threads: OpenBLAS through
// openblas_set_num_threads, Eigen and oneDNN through OpenMP.
void set_vendor_threads(int threads);

// "OpenBLAS 0.3.21 <build options> (Zen, 2 threads); Eigen 3.4.0 (2 threads); oneDNN 2.7
// (2 threads)".
std::string vendor_versions();

// When OpenBLAS did not recognize this CPU and fell back to its generic
// kernels (Debian 12's 0.3.21 takes a Sapphire Rapids for a Prescott: 35
// GFLOP/s at 1024 where its SkylakeX kernels give 294), runs this program
// again (execv) with OPENBLAS_CORETYPE naming the kernels the CPU can run:
// OpenBLAS reads it once, as it starts. Returns when there is nothing to do.
void reexec_if_openblas_misdetects(char** argv);

}  // namespace kiln::bench

/* Calls a kernel that kiln exported (libmatmul.so + libmatmul.h), linked with
 * kiln's runtime only: no compiler, no Python. Checks it against a naive loop.
 * Build and run: ./run.sh */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "libmatmul.h"

enum { M = 256, N = 256, K = 256 };

int main(void) {
  /* Kernels need KILN_BUFFER_ALIGNMENT-aligned buffers. */
  float* a = aligned_alloc(64, sizeof(float) * M * K);
  float* b = aligned_alloc(64, sizeof(float) * K * N);
  float* c = aligned_alloc(64, sizeof(float) * M * N);
  if (!a || !b || !c) return 1;
  for (int i = 0; i < M * K; ++i) a[i] = (float)((i * 7) % 13) / 13.0f - 0.5f;
  for (int i = 0; i < K * N; ++i) b[i] = (float)((i * 5) % 11) / 11.0f - 0.5f;

  /* Parallel loops use kiln's thread pool once it is wired in. */
  __kiln_parallel_for = &kiln_parallel_for;
  int32_t status = matmul(a, b, c);
  if (status != KILN_OK) {
    fprintf(stderr, "matmul failed with status %d\n", status);
    return 1;
  }

  double worst = 0;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double expected = 0;
      for (int k = 0; k < K; ++k) expected += (double)a[i * K + k] * b[k * N + j];
      worst = fmax(worst, fabs(expected - c[i * N + j]));
    }
  printf("matmul %dx%dx%d on %d threads: max abs error %.2e\n", M, N, K, kiln_num_threads(),
         worst);
  free(a);
  free(b);
  free(c);
  return worst < 1e-3 ? 0 : 1;
}

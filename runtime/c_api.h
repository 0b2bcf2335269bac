/* The C ABI between generated kernels, exported libraries and the runtime.
 *
 * A compiled module (JIT or exported shared library) defines, per kernel NAME:
 *   int32_t NAME(T0* restrict p0, T1* restrict p1, ...);   typed entry, one flat
 *       pointer per parameter buffer, in the PrimFunc's parameter order;
 *   int32_t NAME__packed(void* const* args);               the same, args[i] = pi;
 * and once per module:
 *   const char __kiln_module_metadata[];                   JSON: the kernels'
 *       names, packed symbols, parameter names, dtypes, shapes and alignment;
 *   kiln_parallel_for_fn __kiln_parallel_for;               the thread pool the
 *       module's parallel loops use. The loader sets it; while it is null the
 *       module runs its parallel loops serially on the calling thread.
 * Every entry returns 0 on success and a kiln_status code otherwise.
 * Buffers must be contiguous, row-major and KILN_BUFFER_ALIGNMENT-aligned.
 */
#ifndef KILN_RUNTIME_C_API_H_
#define KILN_RUNTIME_C_API_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_BUFFER_ALIGNMENT 16

enum kiln_status {
  KILN_OK = 0,
  /* A kernel could not allocate an intermediate buffer. */
  KILN_ERROR_WORKSPACE = -1,
};

/* Runs iterations [begin, end) of a parallel loop; returns 0 or a kiln_status. */
typedef int32_t (*kiln_parallel_body)(int64_t begin, int64_t end, void* closure);

/* Runs body over [0, extent), cut into contiguous chunks, one per pool thread
 * (the caller takes one), and waits for all of them. Returns the first
 * non-zero result of a chunk, else 0. Called from inside a parallel body, or
 * while another caller holds the pool, it runs body(0, extent, closure) on the
 * calling thread instead, so nested or concurrent use never oversubscribes. */
int32_t kiln_parallel_for(kiln_parallel_body body, void* closure, int64_t extent);
typedef int32_t (*kiln_parallel_for_fn)(kiln_parallel_body body, void* closure, int64_t extent);

/* A kernel's packed entry (NAME__packed): args[i] is parameter i's data. */
typedef int32_t (*kiln_packed_fn)(void* const* args);

/* Threads a parallel loop uses: KILN_NUM_THREADS if set, else the cores. */
int32_t kiln_num_threads(void);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_C_API_H_ */

/* A kiln library written by hand against runtime/c_api.h, the way
 * export_library writes one: metadata, the parallel-for hook, and per kernel
 * a typed entry and a packed one. The C++ and Python runtime tests compile it
 * with `cc -shared -fPIC -I<repo root>` and load it with load_module. */
#include <stdint.h>

#include "runtime/c_api.h"

kiln_parallel_for_fn __kiln_parallel_for = 0;

const char __kiln_module_metadata[] =
    "{\"version\": 1, \"kernels\": ["
    "{\"name\": \"add\", \"symbol\": \"add__packed\", \"alignment\": 16, \"params\": ["
    "{\"name\": \"A\", \"dtype\": \"float32\", \"shape\": [32, 32]},"
    "{\"name\": \"B\", \"dtype\": \"float32\", \"shape\": [32, 32]},"
    "{\"name\": \"C\", \"dtype\": \"float32\", \"shape\": [32, 32]}]},"
    "{\"name\": \"count_chunks\", \"symbol\": \"count_chunks__packed\", \"alignment\": 16,"
    " \"params\": [{\"name\": \"out\", \"dtype\": \"int64\", \"shape\": [1]}]},"
    "{\"name\": \"fail\", \"symbol\": \"fail__packed\", \"alignment\": 16,"
    " \"params\": [{\"name\": \"x\", \"dtype\": \"float32\", \"shape\": [4]}]}]}";

/* Runs a parallel loop the way generated code does: on the pool when the
 * loader set the hook, serially otherwise. */
static int32_t parallel(kiln_parallel_body body, void* closure, int64_t extent) {
  if (__kiln_parallel_for) return __kiln_parallel_for(body, closure, extent);
  return body(0, extent, closure);
}

/* add: C = A + B, rows in parallel. */
struct add_closure {
  const float* a;
  const float* b;
  float* c;
};

static int32_t add_rows(int64_t begin, int64_t end, void* closure) {
  const struct add_closure* k = (const struct add_closure*)closure;
  for (int64_t i = begin * 32; i < end * 32; ++i) k->c[i] = k->a[i] + k->b[i];
  return KILN_OK;
}

int32_t add(const float* restrict A, const float* restrict B, float* restrict C) {
  struct add_closure k = {A, B, C};
  return parallel(add_rows, &k, 32);
}

int32_t add__packed(void* const* args) {
  return add((const float*)args[0], (const float*)args[1], (float*)args[2]);
}

/* count_chunks: out[0] = how many chunks a 1000-iteration loop was cut into
 * (1 when the hook is unset, the pool's thread count when it is). */
static int32_t count_chunk(int64_t begin, int64_t end, void* closure) {
  __atomic_fetch_add((int64_t*)closure, 1, __ATOMIC_RELAXED);
  return KILN_OK;
}

int32_t count_chunks(int64_t* restrict out) {
  int64_t chunks = 0;
  int32_t status = parallel(count_chunk, &chunks, 1000);
  out[0] = chunks;
  return status;
}

int32_t count_chunks__packed(void* const* args) { return count_chunks((int64_t*)args[0]); }

/* fail: the status of a kernel whose workspace allocation failed. */
int32_t fail(float* restrict x) { return KILN_ERROR_WORKSPACE; }

int32_t fail__packed(void* const* args) { return fail((float*)args[0]); }

// ThreadPool: the persistent workers behind kiln_parallel_for (c_api.h).
//
// A launch cuts [0, extent) into min(threads, extent) contiguous chunks of
// near-equal size; chunk 0 runs on the caller, chunk w on worker w. Workers
// spin briefly after each launch (back-to-back parallel loops stay cheap),
// then sleep on a condition variable (an idle pool costs no CPU). A launch
// from inside a running body, or while another thread's launch holds the
// pool, runs serially on its caller: the pool never oversubscribes the cores.
#pragma once

#include <memory>
#include <string>

#include "runtime/c_api.h"

namespace kiln::runtime {

class ThreadPool {
 public:
  // `num_threads` counts the caller: a pool of 1 has no workers.
  explicit ThreadPool(int num_threads);
  ~ThreadPool();  // joins the workers; no launch may be running
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const;
  // kiln_parallel_for on this pool.
  int32_t parallel_for(kiln_parallel_body body, void* closure, int64_t extent);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The process's pool (created on first use with kiln_num_threads() threads,
// never destroyed, so kernels may run during static destruction).
ThreadPool& global_thread_pool();

// The largest thread count KILN_NUM_THREADS may ask for.
inline constexpr int kMaxThreads = 1024;

// The thread count for KILN_NUM_THREADS=`text` on a machine with `cores`
// cores: `cores` when `text` is null or empty; when `text` is not a whole
// number from 1 to kMaxThreads, `cores` with `*error` set to a message.
int parse_num_threads(const char* text, int cores, std::string* error);

// The threads the process's pool has or will have: KILN_NUM_THREADS, else
// the hardware threads. Reading it starts no thread.
int configured_num_threads();

// Whether the calling thread is running a parallel body now.
bool inside_parallel_body();

}  // namespace kiln::runtime

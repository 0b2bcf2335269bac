// for_each_index: fn(0) ... fn(n - 1) on up to `threads` threads (0: one per
// hardware thread, the caller included), each thread taking the next index
// until none is left, for independent jobs of uneven cost (lowering,
// replaying, extracting features). Unlike the kernels' ThreadPool it starts
// its threads per call: the jobs it serves take milliseconds each. `fn` must
// not throw.
#pragma once

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace kiln {

template <typename Fn>
void for_each_index(size_t n, int threads, Fn&& fn) {
  const size_t wanted =
      threads > 0 ? static_cast<size_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min(wanted, n); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace kiln

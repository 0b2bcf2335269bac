// What the CPU benchmarks that time whole calls share: the timing of a
// call (median and best of repeated runs) and the error between two
// outputs.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

namespace kiln::bench {

struct Timing {
  double median, best;  // seconds per run
};

// Two warm-up runs, then at least `repeat` runs and at least `min_seconds`
// in all. The median is the result; the best run says how much a busy
// machine slowed the others down.
inline Timing time_runs(const std::function<void()>& run, int repeat, double min_seconds) {
  using clock = std::chrono::steady_clock;
  auto time_one = [&] {
    auto t0 = clock::now();
    run();
    return std::chrono::duration<double>(clock::now() - t0).count();
  };
  time_one();
  double estimate = time_one();
  int runs = std::max<int>(repeat, static_cast<int>(std::ceil(min_seconds / estimate)));
  std::vector<double> times;
  for (int r = 0; r < runs; ++r) times.push_back(time_one());
  std::sort(times.begin(), times.end());
  return {times[runs / 2], times.front()};
}

// The largest |x[i] - y[i]|; infinity where either is NaN.
inline double max_abs_difference(const float* x, const float* y, int64_t n) {
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    double d = std::fabs(static_cast<double>(x[i]) - y[i]);
    if (std::isnan(d)) return INFINITY;
    worst = std::max(worst, d);
  }
  return worst;
}

}  // namespace kiln::bench

// What the CPU benchmarks that time whole calls share: the timing of
// calls (median and best of repeated runs, several contenders interleaved),
// the error between two outputs, and both: contenders checked, then timed.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace kiln::bench {

struct Timing {
  double median, best;  // seconds per run
};

// Times `runs` (the contenders: libraries, kernels) in turn, `rounds` times
// over. In a round each contender, after `settle` (time for the previous
// one's spinning worker threads to go to sleep), gets two warm-up runs and
// its share of the runs; in all each makes at least `repeat` runs and at
// least `min_seconds` of them. These machines are shared: a load that comes
// and goes during the benchmark then slows every contender alike, where
// timing them one after the other charges it to whichever ran then, and the
// ratios between contenders (what the benchmarks report) move with it. The
// median of a contender's runs is its result; the best run says how much a
// busy machine slowed the others down.
inline std::vector<Timing> time_interleaved(const std::vector<std::function<void()>>& runs,
                                            int repeat, double min_seconds, int rounds = 5,
                                            double settle_seconds = 0.3) {
  using clock = std::chrono::steady_clock;
  auto time_one = [](const std::function<void()>& run) {
    auto t0 = clock::now();
    run();
    return std::chrono::duration<double>(clock::now() - t0).count();
  };
  std::vector<std::vector<double>> times(runs.size());
  std::vector<int> per_round(runs.size(), 0);  // set in the first round
  for (int round = 0; round < rounds; ++round)
    for (size_t c = 0; c < runs.size(); ++c) {
      if (settle_seconds > 0)
        std::this_thread::sleep_for(std::chrono::duration<double>(settle_seconds));
      time_one(runs[c]);
      const double estimate = time_one(runs[c]);
      if (per_round[c] == 0) {
        const int total =
            std::max<int>(repeat, static_cast<int>(std::ceil(min_seconds / estimate)));
        per_round[c] = std::max(1, (total + rounds - 1) / rounds);
      }
      for (int r = 0; r < per_round[c]; ++r) times[c].push_back(time_one(runs[c]));
    }
  std::vector<Timing> out;
  for (std::vector<double>& t : times) {
    std::sort(t.begin(), t.end());
    out.push_back({t[t.size() / 2], t.front()});
  }
  return out;
}

// One contender alone: the runs in one go, without settling first.
inline Timing time_runs(const std::function<void()>& run, int repeat, double min_seconds) {
  return time_interleaved({run}, repeat, min_seconds, 1, 0).front();
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

// A library's (or kiln's) call, by name.
struct Contender {
  std::string name;
  std::function<void()> run;
};

struct CheckedTiming {
  Timing time;
  double max_abs_error;  // against the first contender's output; NaN for it
};

// Runs each contender once and checks the `n` floats it writes to `out`
// against the first contender's (the reference), then times them all
// interleaved (time_interleaved).
inline std::vector<CheckedTiming> check_and_time(const std::vector<Contender>& contenders,
                                                 float* out, int64_t n, int repeat,
                                                 double min_seconds) {
  std::vector<float> reference;
  std::vector<CheckedTiming> results;
  std::vector<std::function<void()>> runs;
  for (const Contender& c : contenders) {
    std::fill(out, out + n, NAN);
    c.run();
    if (reference.empty()) {
      reference.assign(out, out + n);
      results.push_back({{}, NAN});
    } else {
      results.push_back({{}, max_abs_difference(out, reference.data(), n)});
    }
    runs.push_back(c.run);
  }
  const std::vector<Timing> times = time_interleaved(runs, repeat, min_seconds);
  for (size_t i = 0; i < results.size(); ++i) results[i].time = times[i];
  return results;
}

}  // namespace kiln::bench

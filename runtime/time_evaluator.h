// Timing a kernel the way the tuner does, for users too:
//
//   warm-up calls; then `repeat` samples, each of `number` calls (`number`
//   raised until a sample lasts at least min_repeat_ms); the median per
//   call, the minimum, and a 95% confidence interval of the median (order
//   statistics, no assumption on the distribution). Optionally the
//   arguments' cache lines are flushed before each sample, so that a small
//   operator is not timed with its data hot in cache from the last sample.
//
// CPU modules are timed by the wall clock around whole calls (argument
// checks and copies included: what a caller gets); GPU modules by the
// device (CUDA events, OpenCL profiling).
//
//   TimingResult r = time_kernel(module.entry(), {&a, &b, &c}, TimingOptions{});
//   r.median_s, r.ci95_s[0], r.ci95_s[1]
#pragma once

#include <array>
#include <vector>

#include "runtime/module.h"

namespace kiln::runtime {

enum class CacheFlush {
  kAuto,  // on CPUs, when the arguments fit in the last-level cache
  kOn,
  kOff,
};

// The defaults come from bench_timing_spread on a shared 2-core Zen 5 VM
// (2026-12-07), 20 measurements of each setting: many short samples beat
// fewer long ones there. The relative spread of the median (max - min over
// the 20) was 3.5-10% with 30 samples of at least 1 ms (40-160 ms a
// measurement), 4-60% with 10 samples of 10 ms (130-160 ms), and longer
// samples did not lower it: the noise comes in bursts of other work, which a
// median of many samples rides out.
struct TimingOptions {
  int warmup = 1;            // calls before the first sample
  int number = 0;            // calls per sample; 0: from min_repeat_ms
  int repeat = 30;           // samples
  double min_repeat_ms = 1;  // the least a sample lasts when number is 0
  CacheFlush flush = CacheFlush::kAuto;
  // 0: none. Else sampling stops once the samples took this long in all
  // (after at least 3): a slow kernel gets fewer samples, not more time.
  double budget_ms = 0;
};

struct TimingResult {
  std::vector<double> samples_s;  // seconds per call, one per sample, in order
  int number = 0;                 // calls per sample
  double median_s = 0;
  double min_s = 0;
  std::array<double, 2> ci95_s = {0, 0};  // 95% confidence interval of the median
  bool flushed = false;                   // whether caches were flushed
};

// Throws RuntimeError for options that make no sense (repeat < 1, ...) and
// whatever calling the kernel throws.
TimingResult time_kernel(const Kernel& kernel, const std::vector<const DLTensor*>& args,
                         const TimingOptions& options);

// The statistics of `samples_s` (seconds per call), as time_kernel reports
// them.
TimingResult summarize(std::vector<double> samples_s, int number);

}  // namespace kiln::runtime

#include "runtime/time_evaluator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "runtime/cpu_hardware.h"
#include "runtime/gpu_launch.h"

namespace kiln::runtime {

namespace {

constexpr int kMaxNumber = 1 << 20;

#if defined(__x86_64__) || defined(__i386__)
// clflushopt is unordered with respect to other flushes, so a run of them
// pipelines: on a Sapphire Rapids VM it evicts 1.6 MB in 0.14 ms where
// clflush takes 2.8 ms, a cost paid before every timing sample.
__attribute__((target("clflushopt"))) void evict_lines_unordered(const char* begin, size_t bytes) {
  for (size_t offset = 0; offset < bytes; offset += 64) _mm_clflushopt(const_cast<char*>(begin + offset));
}

void evict_lines(const char* begin, size_t bytes) {
  static const bool has_clflushopt = [] {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_CLFLUSHOPT);
  }();
  if (has_clflushopt) {
    evict_lines_unordered(begin, bytes);
    return;
  }
  for (size_t offset = 0; offset < bytes; offset += 64) _mm_clflush(begin + offset);
}
#endif

// Evicts the arguments' cache lines from every level.
void flush_arguments(const std::vector<const DLTensor*>& args) {
  for (const DLTensor* t : args) {
    const char* begin = static_cast<const char*>(t->data) + t->byte_offset;
    const size_t bytes = tensor_bytes(*t);
#if defined(__x86_64__) || defined(__i386__)
    evict_lines(begin, bytes);
#else
    // No clflush: overwrite a buffer larger than the last-level cache.
    static std::vector<char> sweep(
        static_cast<size_t>(std::max<int64_t>(host_cpu_hardware().l3_cache_bytes, 1 << 20)) * 2);
    for (size_t i = 0; i < sweep.size(); i += 64) sweep[i] += 1;
    (void)begin;
    (void)bytes;
#endif
  }
#if defined(__x86_64__) || defined(__i386__)
  _mm_mfence();  // orders the flushes (clflushopt's included) before the timed calls
#endif
}

bool fits_in_last_level_cache(const std::vector<const DLTensor*>& args) {
  size_t bytes = 0;
  for (const DLTensor* t : args) bytes += tensor_bytes(*t);
  const CpuHardware& cpu = host_cpu_hardware();
  const int64_t llc = cpu.l3_cache_bytes > 0 ? cpu.l3_cache_bytes : cpu.l2_cache_bytes;
  return static_cast<int64_t>(bytes) <= llc;
}

}  // namespace

TimingResult summarize(std::vector<double> samples, int number) {
  if (samples.empty()) throw RuntimeError("summarize: no samples");
  TimingResult r;
  r.samples_s = samples;
  r.number = number;
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  r.min_s = samples.front();
  r.median_s = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  // The ranks (1-based) j and k around the median with P(x_j <= median <= x_k)
  // of about 95%: n/2 - 1.96 sqrt(n)/2 and 1 + n/2 + 1.96 sqrt(n)/2, rounded
  // (the normal approximation of the binomial count of samples below the
  // median; for n = 10 it gives the exact interval, ranks 2 and 9).
  const double half_width = 1.96 * std::sqrt(static_cast<double>(n)) / 2.0;
  const auto low = static_cast<size_t>(std::clamp<double>(std::round(n / 2.0 - half_width), 1, n));
  const auto high =
      static_cast<size_t>(std::clamp<double>(std::round(1 + n / 2.0 + half_width), 1, n));
  r.ci95_s = {samples[low - 1], samples[high - 1]};
  return r;
}

TimingResult time_kernel(const Kernel& kernel, const std::vector<const DLTensor*>& args,
                         const TimingOptions& options) {
  if (options.repeat < 1 || options.number < 0 || options.warmup < 0 ||
      !(options.min_repeat_ms >= 0) || !(options.budget_ms >= 0))
    throw RuntimeError("time_kernel: repeat (" + std::to_string(options.repeat) +
                       ") must be at least 1, number (" + std::to_string(options.number) +
                       "; 0 for automatic), warmup, min_repeat_ms and budget_ms at least 0");
  auto* gpu = dynamic_cast<GpuModuleNode*>(kernel.module());
  const bool flush = !gpu && (options.flush == CacheFlush::kOn ||
                              (options.flush == CacheFlush::kAuto && fits_in_last_level_cache(args)));

  // Seconds per call over `number` calls.
  using clock = std::chrono::steady_clock;
  auto sample = [&](int number) {
    if (gpu) {
      kernel.check(args);
      return gpu->time_ms(kernel.index(), args, number) * 1e-3;
    }
    if (flush) flush_arguments(args);
    const auto start = clock::now();
    for (int i = 0; i < number; ++i) kernel(args);
    return std::chrono::duration<double>(clock::now() - start).count() / number;
  };

  for (int i = 0; i < options.warmup; ++i) kernel(args);
  int number = options.number;
  if (number == 0) {
    // Grow until a sample lasts min_repeat_ms: at least double, or jump to
    // what the last sample says is enough (with a margin).
    number = 1;
    for (double ms; number < kMaxNumber && (ms = sample(number) * number * 1e3) < options.min_repeat_ms;) {
      const double enough = ms > 0 ? 1.2 * number * options.min_repeat_ms / ms : 2.0 * number;
      number = static_cast<int>(std::min<double>(kMaxNumber, std::max(2.0 * number, std::ceil(enough))));
    }
  }
  std::vector<double> samples;
  double spent_ms = 0;
  for (int r = 0; r < options.repeat; ++r) {
    if (options.budget_ms > 0 && r >= 3 && spent_ms >= options.budget_ms) break;
    samples.push_back(sample(number));
    spent_ms += samples.back() * number * 1e3;
  }
  TimingResult result = summarize(std::move(samples), number);
  result.flushed = flush;
  return result;
}

}  // namespace kiln::runtime

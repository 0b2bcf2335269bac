// The timing protocol: its statistics, its option checks, and that `number`
// grows until a sample lasts min_repeat_ms.
#include "runtime/time_evaluator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "runtime/packed_function_module.h"

namespace kiln::runtime {
namespace {

TEST(TimeEvaluator, MedianMinimumAndTheConfidenceIntervalOfTheMedian) {
  // 1..10 (shuffled): median 5.5; for 10 samples the 95% interval of the
  // median is the 2nd and 9th order statistics (97.9% by the binomial).
  const TimingResult r = summarize({7, 3, 9, 1, 10, 2, 8, 4, 6, 5}, 4);
  EXPECT_DOUBLE_EQ(r.median_s, 5.5);
  EXPECT_DOUBLE_EQ(r.min_s, 1);
  EXPECT_DOUBLE_EQ(r.ci95_s[0], 2);
  EXPECT_DOUBLE_EQ(r.ci95_s[1], 9);
  EXPECT_EQ(r.number, 4);
  EXPECT_EQ(r.samples_s.front(), 7);  // in the order taken
  // 100 samples: ranks 40 and 61.
  std::vector<double> many;
  for (int i = 100; i >= 1; --i) many.push_back(i);
  const TimingResult m = summarize(many, 1);
  EXPECT_DOUBLE_EQ(m.ci95_s[0], 40);
  EXPECT_DOUBLE_EQ(m.ci95_s[1], 61);
  EXPECT_THROW(summarize({}, 1), RuntimeError);
}

int g_calls = 0;
extern "C" int32_t sleep_packed(void* const*) {
  ++g_calls;
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  return KILN_OK;
}

class SleepModule final : public PackedFunctionModule {
 public:
  SleepModule()
      : PackedFunctionModule({KernelSignature{"sleep", {{"x", parse_dtype("float32"), {4}}}, 16}},
                             {&sleep_packed}, nullptr) {}
  std::string kind() const override { return "test"; }
};

TEST(TimeEvaluator, NumberGrowsUntilASampleLastsMinRepeatMs) {
  Module m(std::make_shared<SleepModule>());
  NDArray x = NDArray::empty({4}, parse_dtype("float32"));
  TimingOptions o;
  o.repeat = 3;
  o.min_repeat_ms = 5;
  o.flush = CacheFlush::kOff;
  g_calls = 0;
  const TimingResult r = time_kernel(m.entry(), {&x.tensor()}, o);
  EXPECT_GE(r.number * r.median_s * 1e3, 4.0);  // about 5 ms a sample
  EXPECT_GE(r.number, 10);                     // 200 us a call
  EXPECT_GT(r.median_s, 150e-6);
  EXPECT_EQ(r.samples_s.size(), 3u);
  EXPECT_FALSE(r.flushed);
  o.number = 2;
  o.flush = CacheFlush::kOn;
  const TimingResult fixed = time_kernel(m.entry(), {&x.tensor()}, o);
  EXPECT_EQ(fixed.number, 2);
  EXPECT_TRUE(fixed.flushed);
  // A budget stops sampling early, after at least 3 samples.
  o.repeat = 100;
  o.budget_ms = 1;
  EXPECT_EQ(time_kernel(m.entry(), {&x.tensor()}, o).samples_s.size(), 3u);
  o.repeat = 0;
  EXPECT_THROW(time_kernel(m.entry(), {&x.tensor()}, o), RuntimeError);
}

}  // namespace
}  // namespace kiln::runtime

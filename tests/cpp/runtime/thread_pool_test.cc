// The thread pool: every index once, static contiguous chunks, serial
// fallback for nested and concurrent launches, status propagation,
// KILN_NUM_THREADS, and the cost of a launch.
#include "runtime/thread_pool.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

namespace kiln::runtime {
namespace {

// A body that records each chunk it ran and counts each index.
struct Recorder {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  std::vector<std::atomic<int>> hits;
  explicit Recorder(int64_t extent) : hits(static_cast<size_t>(extent)) {}

  static int32_t body(int64_t begin, int64_t end, void* closure) {
    auto* r = static_cast<Recorder*>(closure);
    for (int64_t i = begin; i < end; ++i) r->hits[i].fetch_add(1);
    std::lock_guard<std::mutex> lock(r->mutex);
    r->chunks.emplace_back(begin, end);
    return KILN_OK;
  }
};

// Checks that `chunks` tile [0, extent) in `expected` contiguous pieces
// whose sizes differ by at most one.
void expect_static_chunks(std::vector<std::pair<int64_t, int64_t>> chunks, int64_t extent,
                          int64_t expected) {
  std::sort(chunks.begin(), chunks.end());
  ASSERT_EQ(static_cast<int64_t>(chunks.size()), expected) << "extent " << extent;
  int64_t next = 0, shortest = INT64_MAX, longest = 0;
  for (auto [begin, end] : chunks) {
    EXPECT_EQ(begin, next) << "extent " << extent;
    EXPECT_LT(begin, end) << "extent " << extent;
    shortest = std::min(shortest, end - begin);
    longest = std::max(longest, end - begin);
    next = end;
  }
  EXPECT_EQ(next, extent);
  EXPECT_LE(longest - shortest, 1) << "extent " << extent;
}

TEST(ThreadPool, RunsEveryIndexExactlyOnceInStaticChunks) {
  for (int threads : {1, 2, 3, 4, 7}) {
    ThreadPool pool(threads);
    ASSERT_EQ(pool.num_threads(), threads);
    for (int64_t extent : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 31, 100, 1000, 100003}) {
      Recorder r(extent);
      ASSERT_EQ(pool.parallel_for(&Recorder::body, &r, extent), KILN_OK);
      for (int64_t i = 0; i < extent; ++i)
        ASSERT_EQ(r.hits[i].load(), 1)
            << threads << " threads, extent " << extent << ", index " << i;
      expect_static_chunks(r.chunks, extent, std::min<int64_t>(threads, extent));
    }
  }
}

TEST(ThreadPool, CutsHugeExtentsWithoutOverflow) {
  ThreadPool pool(3);
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  struct Closure {
    std::mutex* mutex;
    std::vector<std::pair<int64_t, int64_t>>* chunks;
  } closure{&mutex, &chunks};
  auto body = [](int64_t begin, int64_t end, void* c) -> int32_t {
    auto* k = static_cast<Closure*>(c);
    std::lock_guard<std::mutex> lock(*k->mutex);
    k->chunks->emplace_back(begin, end);
    return KILN_OK;
  };
  ASSERT_EQ(pool.parallel_for(body, &closure, INT64_MAX), KILN_OK);
  expect_static_chunks(chunks, INT64_MAX, 3);
}

TEST(ThreadPool, NegativeExtentRunsNothing) {
  ThreadPool pool(2);
  Recorder r(0);
  EXPECT_EQ(pool.parallel_for(&Recorder::body, &r, -5), KILN_OK);
  EXPECT_TRUE(r.chunks.empty());
}

TEST(ThreadPool, ReturnsTheFirstFailingChunksStatus) {
  ThreadPool pool(4);
  // Chunk c of extent 4 is [c, c+1); `fail_from` says which chunks fail.
  struct Closure {
    int64_t fail_from;
  };
  auto body = [](int64_t begin, int64_t end, void* c) -> int32_t {
    return begin >= static_cast<Closure*>(c)->fail_from ? static_cast<int32_t>(-10 - begin) : 0;
  };
  Closure none{4}, from_two{2}, all{0};
  EXPECT_EQ(pool.parallel_for(body, &none, 4), KILN_OK);
  EXPECT_EQ(pool.parallel_for(body, &from_two, 4), -12);  // chunks 2 and 3 fail: 2 is first
  EXPECT_EQ(pool.parallel_for(body, &all, 4), -10);       // the caller's own chunk
  Closure serial{0};
  ThreadPool one(1);
  EXPECT_EQ(one.parallel_for(body, &serial, 4), -10);
}

TEST(ThreadPool, NestedCallsRunSeriallyOnTheCallingThread) {
  ThreadPool pool(4);
  struct Inner {
    std::thread::id thread;
    std::atomic<int> calls{0};
    int64_t begin = -1, end = -1;
    int64_t sum = 0;
  };
  struct Outer {
    std::vector<Inner> inner = std::vector<Inner>(8);
    std::atomic<bool> nested_flag_seen{true};
  } outer;
  auto inner_body = [](int64_t begin, int64_t end, void* c) -> int32_t {
    auto* in = static_cast<Inner*>(c);
    in->calls.fetch_add(1);
    in->thread = std::this_thread::get_id();
    in->begin = begin;
    in->end = end;
    for (int64_t i = begin; i < end; ++i) in->sum += i;
    return KILN_OK;
  };
  struct Ctx {
    Outer* outer;
    kiln_parallel_body inner_body;
    ThreadPool* pool;
  } ctx{&outer, inner_body, &pool};
  auto outer_body = [](int64_t begin, int64_t end, void* c) -> int32_t {
    auto* k = static_cast<Ctx*>(c);
    if (!inside_parallel_body()) k->outer->nested_flag_seen = false;
    for (int64_t i = begin; i < end; ++i) {
      Inner& in = k->outer->inner[i];
      // Half through this pool, half through the global one: both are serial here.
      int32_t status = (i % 2 ? kiln_parallel_for(k->inner_body, &in, 100)
                              : k->pool->parallel_for(k->inner_body, &in, 100));
      if (status != KILN_OK || in.thread != std::this_thread::get_id()) return -1;
    }
    return KILN_OK;
  };
  ASSERT_EQ(pool.parallel_for(outer_body, &ctx, 8), KILN_OK);
  EXPECT_TRUE(outer.nested_flag_seen);
  EXPECT_FALSE(inside_parallel_body());  // restored after the caller's chunk
  for (const Inner& in : outer.inner) {
    EXPECT_EQ(in.calls.load(), 1);
    EXPECT_EQ(in.begin, 0);
    EXPECT_EQ(in.end, 100);
    EXPECT_EQ(in.sum, 4950);
  }
}

int32_t sum_body(int64_t begin, int64_t end, void* closure) {
  int64_t local = 0;
  for (int64_t i = begin; i < end; ++i) local += i;
  static_cast<std::atomic<int64_t>*>(closure)->fetch_add(local);
  return KILN_OK;
}

TEST(ThreadPool, ConcurrentCallersAllGetCorrectResults) {
  ThreadPool pool(3);
  for (ThreadPool* p : {&pool, &global_thread_pool()}) {
    std::atomic<int> wrong{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t) {
      callers.emplace_back([&, t] {
        for (int round = 0; round < 300; ++round) {
          const int64_t extent = 1 + (round * 7 + t * 13) % 5000;
          std::atomic<int64_t> sum{0};
          if (p->parallel_for(sum_body, &sum, extent) != KILN_OK ||
              sum.load() != extent * (extent - 1) / 2)
            wrong.fetch_add(1);
        }
      });
    }
    for (std::thread& c : callers) c.join();
    EXPECT_EQ(wrong.load(), 0);
  }
}

TEST(ThreadPool, ACallersExceptionWaitsForTheWorkersAndLeavesThePoolUsable) {
  ThreadPool pool(3);
  auto throwing = [](int64_t begin, int64_t end, void* closure) -> int32_t {
    if (begin == 0) throw std::runtime_error("chunk 0 threw");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    static_cast<std::atomic<int>*>(closure)->fetch_add(1);
    return KILN_OK;
  };
  std::atomic<int> finished{0};
  EXPECT_THROW(pool.parallel_for(throwing, &finished, 3), std::runtime_error);
  EXPECT_EQ(finished.load(), 2);  // both workers were done before it propagated
  std::atomic<int64_t> sum{0};
  EXPECT_EQ(pool.parallel_for(sum_body, &sum, 1000), KILN_OK);
  EXPECT_EQ(sum.load(), 999 * 1000 / 2);
}

TEST(ThreadPool, IdleWorkersSleepAndWakeForTheNextLaunch) {
  ThreadPool pool(3);
  for (int round = 0; round < 3; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // past the spin: asleep
    std::atomic<int64_t> sum{0};
    ASSERT_EQ(pool.parallel_for(sum_body, &sum, 999), KILN_OK);
    EXPECT_EQ(sum.load(), 998 * 999 / 2);
  }
}

TEST(ThreadPool, AForkedChildGetsAPoolOfItsOwn) {
  std::atomic<int64_t> sum{0};
  ASSERT_EQ(kiln_parallel_for(sum_body, &sum, 1000), KILN_OK);  // the parent's workers exist
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(20);  // a hang would otherwise hold the test forever
    std::atomic<int64_t> child_sum{0};
    const int32_t status = kiln_parallel_for(sum_body, &child_sum, 1000);
    _exit(status == KILN_OK && child_sum.load() == 999 * 1000 / 2 ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << "wait status " << wstatus;
}

TEST(ThreadPool, ParsesKilnNumThreads) {
  std::string error;
  EXPECT_EQ(parse_num_threads(nullptr, 8, &error), 8);
  EXPECT_EQ(parse_num_threads("", 8, &error), 8);
  EXPECT_EQ(parse_num_threads("3", 8, &error), 3);
  EXPECT_EQ(parse_num_threads("1", 8, &error), 1);
  EXPECT_EQ(parse_num_threads("1024", 8, &error), 1024);
  EXPECT_EQ(parse_num_threads("16", 8, &error), 16);  // more than the cores is the user's call
  EXPECT_TRUE(error.empty()) << error;
  for (const char* bad : {"0", "-2", "abc", "4x", " 4", "4.0", "1025", "99999999999"}) {
    error.clear();
    EXPECT_EQ(parse_num_threads(bad, 8, &error), 8) << bad;
    EXPECT_NE(error.find(std::string("KILN_NUM_THREADS=\"") + bad + "\""), std::string::npos)
        << error;
    EXPECT_NE(error.find("whole number from 1 to 1024"), std::string::npos) << error;
    EXPECT_NE(error.find("using the 8 cores instead"), std::string::npos) << error;
  }
}

// Run with KILN_NUM_THREADS set by the next test (and plainly: then the cores).
TEST(ThreadPool, NumThreadsFollowsTheEnvironment) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::string error;
  const int expected = parse_num_threads(std::getenv("KILN_NUM_THREADS"), cores, &error);
  EXPECT_EQ(kiln_num_threads(), expected);
  EXPECT_EQ(global_thread_pool().num_threads(), expected);
  std::atomic<int64_t> sum{0};
  EXPECT_EQ(kiln_parallel_for(sum_body, &sum, 10000), KILN_OK);
  EXPECT_EQ(sum.load(), 9999 * 10000 / 2);
}

// Runs NumThreadsFollowsTheEnvironment in a child process with `value`;
// returns its exit status and what it wrote to stderr.
std::pair<int, std::string> run_with_num_threads(const std::string& value) {
  std::string self(4096, '\0');
  self.resize(std::max<ssize_t>(0, readlink("/proc/self/exe", self.data(), self.size())));
  const std::string log = ::testing::TempDir() + "kiln_num_threads_" + std::to_string(getpid());
  const std::string command = "KILN_NUM_THREADS='" + value + "' '" + self +
                              "' --gtest_filter=ThreadPool.NumThreadsFollowsTheEnvironment "
                              ">/dev/null 2>'" +
                              log + "'";
  const int status = std::system(command.c_str());
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  std::remove(log.c_str());
  return {status, text.str()};
}

TEST(ThreadPool, HonorsKilnNumThreadsAndWarnsOnceAboutABadValue) {
  auto [status, err] = run_with_num_threads("3");
  EXPECT_EQ(status, 0) << err;
  EXPECT_EQ(err.find("KILN_NUM_THREADS"), std::string::npos) << err;

  auto [bad_status, bad_err] = run_with_num_threads("lots");
  EXPECT_EQ(bad_status, 0) << bad_err;
  const std::string message = "kiln: KILN_NUM_THREADS=\"lots\" is not a thread count";
  const size_t first = bad_err.find(message);
  ASSERT_NE(first, std::string::npos) << bad_err;
  EXPECT_EQ(bad_err.find(message, first + 1), std::string::npos) << "warned twice:\n" << bad_err;
}

// Not a check but a measurement: what a kernel pays per parallel loop, with
// the workers spinning (loops back to back) and asleep (the first loop after
// a pause).
TEST(ThreadPool, MeasuresTheCostOfAnEmptyLaunch) {
  auto empty = [](int64_t, int64_t, void*) -> int32_t { return KILN_OK; };
  std::vector<int> sizes = {2};
  if (kiln_num_threads() != 2) sizes.push_back(kiln_num_threads());
  for (int threads : sizes) {
    ThreadPool pool(threads);
    for (int i = 0; i < 1000; ++i) pool.parallel_for(empty, nullptr, threads);  // warm up
    constexpr int kLaunches = 20000;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kLaunches; ++i) pool.parallel_for(empty, nullptr, threads);
    const double hot =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count() /
        kLaunches;
    double cold = 0;
    constexpr int kColdLaunches = 50;
    for (int i = 0; i < kColdLaunches; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      start = std::chrono::steady_clock::now();
      pool.parallel_for(empty, nullptr, threads);
      cold += std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                  .count();
    }
    cold /= kColdLaunches;
    std::printf(
        "[ measure  ] empty launch on %d threads: %.2f us back to back, %.1f us after "
        "a pause\n",
        threads, hot, cold);
    RecordProperty("launch_us_" + std::to_string(threads) + "_threads", std::to_string(hot));
  }
}

}  // namespace
}  // namespace kiln::runtime

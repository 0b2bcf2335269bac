// The thread pool: one slot per worker (its chunk and a ticket the caller
// bumps to hand it over), a countdown of chunks still running, and a Parker
// on each side so that whoever waits spins briefly, then sleeps.
#include "runtime/thread_pool.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace kiln::runtime {

namespace {

// How long a waiter spins before it sleeps: long enough to cover the gap
// between a kernel's consecutive parallel loops, short enough that an idle
// pool gives its cores back almost at once. After the first kPauseTime it
// spins with sched_yield rather than pause, so that on a busy machine the
// thread it waits for can take its core.
constexpr auto kPauseTime = std::chrono::microseconds(5);
constexpr auto kSpinTime = std::chrono::microseconds(100);

thread_local bool t_inside_body = false;

// Marks the calling thread as running a body for as long as it lives.
class BodyScope {
 public:
  BodyScope() : saved_(t_inside_body) { t_inside_body = true; }
  ~BodyScope() { t_inside_body = saved_; }

 private:
  bool saved_;
};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Lets one thread wait for a condition another thread makes true. The
// condition reads atomics that the other side changes with sequentially
// consistent operations before it calls wake(); `sleeping` is the other half
// of that handshake, so a wake is never lost and costs nothing (no syscall)
// when the waiter is still spinning.
class Parker {
 public:
  template <typename Ready>
  void wait(Ready ready) {
    const auto start = std::chrono::steady_clock::now();
    for (auto now = start; now - start < kSpinTime; now = std::chrono::steady_clock::now()) {
      const bool yield = now - start >= kPauseTime;
      for (int i = 0; i < 16; ++i) {
        if (ready()) return;
        if (yield)
          std::this_thread::yield();
        else
          cpu_relax();
      }
    }
    std::unique_lock<std::mutex> lock(mutex_);
    sleeping_.store(true);
    while (!ready()) condition_.wait(lock);
    sleeping_.store(false, std::memory_order_relaxed);
  }

  void wake() {
    if (!sleeping_.load()) return;
    // Taking the lock orders this notify after the waiter's check of ready().
    std::lock_guard<std::mutex> lock(mutex_);
    condition_.notify_one();
  }

 private:
  std::atomic<bool> sleeping_{false};
  std::mutex mutex_;
  std::condition_variable condition_;
};

// A worker's slot, on its own cache lines so that handing out chunks does not
// bounce one line between every core.
struct alignas(64) Worker {
  std::atomic<uint64_t> ticket{0};  // the launch whose chunk this slot holds
  Parker parker;
  // The chunk: written by the caller before it bumps `ticket`, read by the
  // worker after; `result` the other way round, ordered by the countdown.
  kiln_parallel_body body = nullptr;
  void* closure = nullptr;
  int64_t begin = 0;
  int64_t end = 0;
  int32_t result = 0;
  std::thread thread;
};

}  // namespace

struct ThreadPool::Impl {
  std::vector<std::unique_ptr<Worker>> workers;  // workers[w - 1] runs chunk w
  std::mutex launch_mutex;                       // held by the launch in flight
  uint64_t launches = 0;                         // guarded by launch_mutex
  std::atomic<int64_t> chunks_running{0};  // of the launch in flight, not counting the caller's
  Parker caller;
  std::atomic<bool> stopping{false};

  void work(Worker& w) {
    t_inside_body = true;  // forever: a worker only ever runs bodies
    uint64_t seen = 0;
    for (;;) {
      w.parker.wait([&] { return w.ticket.load() != seen || stopping.load(); });
      if (stopping.load()) return;
      seen = w.ticket.load();
      w.result = w.body(w.begin, w.end, w.closure);
      if (chunks_running.fetch_sub(1) == 1) caller.wake();
    }
  }
};

ThreadPool::ThreadPool(int num_threads) : impl_(std::make_unique<Impl>()) {
  const int wanted = std::clamp(num_threads, 1, kMaxThreads);
  impl_->workers.reserve(wanted - 1);  // so that no push_back throws past a started thread
  for (int w = 1; w < wanted; ++w) {
    auto worker = std::make_unique<Worker>();
    Worker* raw = worker.get();
    try {
      worker->thread = std::thread([this, raw] { impl_->work(*raw); });
    } catch (const std::system_error& e) {
      std::fprintf(stderr, "kiln: could start only %d of %d pool threads (%s); running with %d\n",
                   w, wanted, e.what(), w);
      break;
    }
    impl_->workers.push_back(std::move(worker));
  }
}

ThreadPool::~ThreadPool() {
  impl_->stopping.store(true);
  for (auto& w : impl_->workers) w->parker.wake();
  for (auto& w : impl_->workers) w->thread.join();
}

int ThreadPool::num_threads() const { return static_cast<int>(impl_->workers.size()) + 1; }

int32_t ThreadPool::parallel_for(kiln_parallel_body body, void* closure, int64_t extent) {
  if (extent <= 0) return KILN_OK;
  const int64_t chunks = std::min<int64_t>(num_threads(), extent);
  if (chunks == 1 || t_inside_body) return body(0, extent, closure);
  std::unique_lock<std::mutex> lock(impl_->launch_mutex, std::try_to_lock);
  if (!lock.owns_lock()) return body(0, extent, closure);

  // Step 1. Hand chunks 1.. to the workers. Chunk c is [begin(c), begin(c+1));
  // the first extent % chunks chunks take one iteration more.
  const int64_t base = extent / chunks, longer = extent % chunks;
  auto begin = [&](int64_t c) { return c * base + std::min(c, longer); };
  const uint64_t ticket = ++impl_->launches;
  impl_->chunks_running.store(chunks - 1);
  for (int64_t c = 1; c < chunks; ++c) {
    Worker& w = *impl_->workers[c - 1];
    w.body = body;
    w.closure = closure;
    w.begin = begin(c);
    w.end = begin(c + 1);
    w.ticket.store(ticket);
    w.parker.wake();
  }

  // Step 2. Run chunk 0 here, then wait for the others (even when chunk 0
  // throws: the workers still use `closure`).
  auto all_done = [&] { return impl_->chunks_running.load() == 0; };
  int32_t first;
  try {
    BodyScope scope;
    first = body(0, begin(1), closure);
  } catch (...) {
    impl_->caller.wait(all_done);
    throw;
  }
  impl_->caller.wait(all_done);

  // Step 3. The first failing chunk, in index order, decides the result.
  if (first != KILN_OK) return first;
  for (int64_t c = 1; c < chunks; ++c) {
    if (int32_t r = impl_->workers[c - 1]->result; r != KILN_OK) return r;
  }
  return KILN_OK;
}

int parse_num_threads(const char* text, int cores, std::string* error) {
  if (text == nullptr || *text == '\0') return cores;
  const char* end = text + std::strlen(text);
  int n = 0;
  auto [ptr, ec] = std::from_chars(text, end, n);
  if (ec == std::errc() && ptr == end && n >= 1 && n <= kMaxThreads) return n;
  *error = "KILN_NUM_THREADS=\"" + std::string(text) +
           "\" is not a thread count: expected a whole number from 1 to " +
           std::to_string(kMaxThreads) + "; using the " + std::to_string(cores) +
           (cores == 1 ? " core" : " cores") + " instead";
  return cores;
}

bool inside_parallel_body() { return t_inside_body; }

int configured_num_threads() {
  static const int n = [] {
    const int cores =
        std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, kMaxThreads);
    std::string error;
    const int threads = parse_num_threads(std::getenv("KILN_NUM_THREADS"), cores, &error);
    if (!error.empty()) std::fprintf(stderr, "kiln: %s\n", error.c_str());
    return threads;
  }();
  return n;
}

namespace {

std::atomic<ThreadPool*> g_pool{nullptr};

// A forked child has none of its parent's workers: it gets a pool of its own
// on first use (the parent's is abandoned, not destroyed: its threads and
// perhaps its locks are gone with the fork).
void forget_pool_in_child() { g_pool.store(nullptr); }

}  // namespace

ThreadPool& global_thread_pool() {
  ThreadPool* pool = g_pool.load(std::memory_order_acquire);
  if (pool) return *pool;
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, forget_pool_in_child);
    return true;
  }();
  (void)registered;
  auto fresh = std::make_unique<ThreadPool>(configured_num_threads());
  if (g_pool.compare_exchange_strong(pool, fresh.get())) return *fresh.release();
  return *pool;  // another thread made it first; ours is destroyed here
}

}  // namespace kiln::runtime

extern "C" int32_t kiln_parallel_for(kiln_parallel_body body, void* closure, int64_t extent) {
  return kiln::runtime::global_thread_pool().parallel_for(body, closure, extent);
}

extern "C" int32_t kiln_num_threads(void) {
  return kiln::runtime::global_thread_pool().num_threads();
}

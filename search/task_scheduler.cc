#include "search/task_scheduler.h"

#include <cmath>
#include <limits>

namespace kiln::search {

namespace {

class RoundRobin final : public TaskScheduler {
 public:
  int next(const std::vector<TaskProgress>& tasks) override {
    for (size_t tried = 0; tried < tasks.size(); ++tried) {
      const size_t i = next_++ % tasks.size();
      if (!tasks[i].done) return static_cast<int>(i);
    }
    return -1;
  }

 private:
  size_t next_ = 0;
};

class Gradient final : public TaskScheduler {
 public:
  Gradient(uint64_t seed, double alpha, int window, double epsilon)
      : rng_(seed), alpha_(alpha), window_(window), epsilon_(epsilon) {}

  int next(const std::vector<TaskProgress>& tasks) override {
    std::vector<int> open;
    for (size_t i = 0; i < tasks.size(); ++i)
      if (!tasks[i].done) open.push_back(static_cast<int>(i));
    if (open.empty()) return -1;
    // Every task gets a round before any gets a second.
    for (int i : open)
      if (tasks[i].best_after_round.empty()) return i;
    if (rng_.uniform_real() < epsilon_)
      return open[static_cast<size_t>(rng_.uniform_int(static_cast<int64_t>(open.size())))];
    int best = open.front();
    double best_gain = -1;
    for (int i : open) {
      const double g = gain(tasks[i]);
      if (g > best_gain) best = i, best_gain = g;
    }
    return best;
  }

 private:
  // Expected fall of weight x latency per trial.
  double gain(const TaskProgress& t) const {
    const auto& h = t.best_after_round;
    const auto [trials, best] = h.back();
    if (!std::isfinite(best)) return std::numeric_limits<double>::max();  // nothing valid yet
    const size_t back = h.size() > static_cast<size_t>(window_) ? h.size() - window_ - 1 : 0;
    const auto [earlier_trials, earlier_best] = h[back];
    const double backward =
        trials > earlier_trials && std::isfinite(earlier_best)
            ? (earlier_best - best) / (trials - earlier_trials)
            : best / std::max(trials, 1);
    const double forward = best / std::max(trials, 1);
    return t.weight * (alpha_ * backward + (1 - alpha_) * forward);
  }

  sched::RandomEngine rng_;
  double alpha_;
  int window_;
  double epsilon_;
};

}  // namespace

std::unique_ptr<TaskScheduler> round_robin() { return std::make_unique<RoundRobin>(); }

std::unique_ptr<TaskScheduler> gradient_scheduler(uint64_t seed, double alpha, int window,
                                                  double epsilon) {
  return std::make_unique<Gradient>(seed, alpha, window, epsilon);
}

}  // namespace kiln::search

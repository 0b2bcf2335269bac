// TaskScheduler: which task gets the next round of trials when several (the
// operators of a network) share one budget.
//
//  - round_robin: each in turn.
//  - gradient (Ansor's): each task once first, then the one whose next
//    trials are expected to lower the network's total latency most: its
//    weight times a blend of how fast its best latency fell over its last
//    rounds (backward) and how far it could still fall at its average rate
//    (forward, optimistic); with probability epsilon a task at random.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "schedule/random.h"

namespace kiln::search {

struct TaskProgress {
  double weight = 1;
  int trials = 0;                 // measured so far (errors included)
  bool done = false;              // its space ran dry: no more rounds
  // After each of its rounds: the trials so far and the best latency then
  // (seconds; infinity while nothing measured is valid).
  std::vector<std::pair<int, double>> best_after_round;
};

class TaskScheduler {
 public:
  virtual ~TaskScheduler() = default;
  // The task for the next round; -1 when every task is done.
  virtual int next(const std::vector<TaskProgress>& tasks) = 0;
};

std::unique_ptr<TaskScheduler> round_robin();
std::unique_ptr<TaskScheduler> gradient_scheduler(uint64_t seed, double alpha = 0.2,
                                                  int window = 3, double epsilon = 0.05);

}  // namespace kiln::search

// The seeded random engine behind every sampling instruction.
//
// Hand-written rather than std::mt19937 + std distributions: the standard
// distributions differ between library implementations, and a tuning run
// with a fixed seed must make the same decisions everywhere.
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::sched {

class RandomEngine {
 public:
  explicit RandomEngine(uint64_t seed = 0) : state_(seed) {}

  uint64_t next();
  // Uniform in [0, n); n > 0.
  int64_t uniform_int(int64_t n);
  // Uniform in [0, 1).
  double uniform_real();
  // An index drawn with the given (unnormalised, non-negative) weights.
  int64_t categorical(const std::vector<double>& weights);
  // A new engine whose stream is independent of this one's continuation.
  RandomEngine fork();

  uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

}  // namespace kiln::sched

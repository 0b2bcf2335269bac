#include "schedule/random.h"

#include <stdexcept>

namespace kiln::sched {

uint64_t RandomEngine::next() {
  // splitmix64: small, fast, and good enough to draw tile sizes.
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int64_t RandomEngine::uniform_int(int64_t n) {
  if (n <= 0) throw std::invalid_argument("uniform_int needs a positive range");
  // Rejection sampling keeps the draw exactly uniform.
  const uint64_t range = static_cast<uint64_t>(n);
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return static_cast<int64_t>(x % range);
}

double RandomEngine::uniform_real() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

int64_t RandomEngine::categorical(const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) {
    if (!(w >= 0)) throw std::invalid_argument("categorical weights must be non-negative");
    total += w;
  }
  if (weights.empty() || total <= 0)
    throw std::invalid_argument("categorical needs a positive weight");
  double x = uniform_real() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return static_cast<int64_t>(i);
    x -= weights[i];
  }
  // Rounding can leave x just above the last weight: take the last non-zero one.
  for (size_t i = weights.size(); i-- > 0;)
    if (weights[i] > 0) return static_cast<int64_t>(i);
  return 0;
}

RandomEngine RandomEngine::fork() { return RandomEngine(next() ^ 0x5851f42d4c957f2dull); }

}  // namespace kiln::sched

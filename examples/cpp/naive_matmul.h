// What both example programs check a kernel's C = A B against: a naive loop
// in double precision, and the inputs they fill A and B with.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "runtime/ndarray.h"

// Fills a float32 array with small values in [-0.5, 0.5) that differ with
// `seed`: enough to catch a wrong index, exact enough to compare.
inline void fill(kiln::runtime::NDArray& array, int seed) {
  auto* p = static_cast<float*>(array.data());
  for (int64_t i = 0; i < array.num_elements(); ++i)
    p[i] = static_cast<float>((i * seed) % 17) / 17.0f - 0.5f;
}

// The largest |C - A B| over all elements, for A [m, k], B [k, n], C [m, n].
inline double max_error(const kiln::runtime::NDArray& a, const kiln::runtime::NDArray& b,
                        const kiln::runtime::NDArray& c, int64_t m, int64_t n, int64_t k) {
  const auto* pa = static_cast<const float*>(a.data());
  const auto* pb = static_cast<const float*>(b.data());
  const auto* pc = static_cast<const float*>(c.data());
  double worst = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double expected = 0;
      for (int64_t r = 0; r < k; ++r) expected += double(pa[i * k + r]) * pb[r * n + j];
      worst = std::max(worst, std::fabs(expected - pc[i * n + j]));
    }
  return worst;
}

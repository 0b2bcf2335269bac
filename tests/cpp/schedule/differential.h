// Differential checking for schedule tests: a scheduled function must compute
// what the original computes, as the interpreter (the oracle) runs both.
#pragma once

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ir/function.h"
#include "ir/interpreter.h"

namespace kiln::sched::testing {

// Buffers for every parameter: float32 inputs random in [-1, 1), outputs
// poisoned with NaN so that an unwritten element cannot match by accident.
struct Args {
  std::vector<std::vector<unsigned char>> bytes;
  std::vector<ir::TensorView> views;
};

inline Args make_args(const ir::PrimFunc& func, unsigned seed, size_t num_inputs) {
  Args a;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (size_t p = 0; p < func->params.size(); ++p) {
    const ir::Buffer& b = func->params[p];
    int64_t n = 1;
    std::vector<int64_t> shape;
    for (const ir::Expr& e : b->shape) {
      shape.push_back(*ir::as_const_int(e));
      n *= shape.back();
    }
    a.bytes.emplace_back(static_cast<size_t>(n) * b->dtype.bytes());
    if (b->dtype == ir::DataType::Float(32)) {
      auto* data = reinterpret_cast<float*>(a.bytes.back().data());
      for (int64_t i = 0; i < n; ++i) data[i] = p < num_inputs ? dist(rng) : NAN;
    }
    a.views.push_back({a.bytes.back().data(), b->dtype, shape});
  }
  for (size_t p = 0; p < a.views.size(); ++p) a.views[p].data = a.bytes[p].data();
  return a;
}

// Max relative difference between the float32 outputs (parameters from
// `num_inputs` on) of the two functions on the same random inputs.
inline double max_output_difference(const ir::PrimFunc& original, const ir::PrimFunc& scheduled,
                                    size_t num_inputs, unsigned seed = 0) {
  Args x = make_args(original, seed, num_inputs), y = make_args(scheduled, seed, num_inputs);
  ir::interpret(original, x.views);
  ir::interpret(scheduled, y.views);
  double worst = 0;
  for (size_t p = num_inputs; p < x.views.size(); ++p) {
    const auto* a = reinterpret_cast<const float*>(x.bytes[p].data());
    const auto* b = reinterpret_cast<const float*>(y.bytes[p].data());
    size_t n = x.bytes[p].size() / sizeof(float);
    for (size_t i = 0; i < n; ++i) {
      if (std::isnan(a[i]) != std::isnan(b[i])) return INFINITY;
      if (std::isnan(a[i])) continue;
      worst =
          std::max(worst, std::abs(double(a[i]) - b[i]) / std::max(1.0, std::abs(double(a[i]))));
    }
  }
  return worst;
}

}  // namespace kiln::sched::testing

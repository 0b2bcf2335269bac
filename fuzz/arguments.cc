#include "fuzz/arguments.h"

#include <cmath>

#include "schedule/random.h"

namespace kiln::fuzz {

Arguments make_arguments(const ir::PrimFunc& func, uint64_t seed) {
  Arguments args;
  sched::RandomEngine rng(seed);
  const size_t outputs_from = func->params.size() - 1;  // workloads have one output, last
  for (size_t p = 0; p < func->params.size(); ++p) {
    const ir::Buffer& buf = func->params[p];
    std::vector<float> v(static_cast<size_t>(ir::num_elements(buf)));
    for (float& x : v) x = p < outputs_from ? static_cast<float>(rng.uniform_real() * 2 - 1) : NAN;
    args.data.push_back(std::move(v));
  }
  for (size_t p = 0; p < func->params.size(); ++p) {
    const ir::Buffer& buf = func->params[p];
    args.views.push_back({args.data[p].data(), buf->dtype, ir::static_shape(buf)});
    args.flat_views.push_back({args.data[p].data(), buf->dtype, {ir::num_elements(buf)}});
  }
  return args;
}

std::string compare_outputs(const Arguments& expected, const Arguments& got) {
  const std::vector<float>& a = expected.data.back();
  const std::vector<float>& b = got.data.back();
  for (size_t i = 0; i < a.size(); ++i) {
    bool same = (std::isnan(a[i]) && std::isnan(b[i])) ||
                std::abs(a[i] - b[i]) <= 1e-4f + 1e-4f * std::abs(a[i]);
    if (!same)
      return "output element " + std::to_string(i) + " is " + std::to_string(b[i]) + ", expected " +
             std::to_string(a[i]);
  }
  return "";
}

}  // namespace kiln::fuzz

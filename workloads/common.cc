#include "workloads/common.h"

#include "workloads/registry.h"

namespace kiln::workloads {

te::Tensor pad(const te::Tensor& x, const std::vector<size_t>& dims, int64_t padding,
               ir::Expr pad_value) {
  if (padding == 0) return x;
  std::vector<int64_t> shape = x.shape();
  for (size_t d : dims) shape[d] += 2 * padding;
  const std::vector<int64_t>& in_shape = x.shape();
  return te::compute(
      shape,
      [&](const std::vector<ir::Var>& v) {
        std::vector<ir::Expr> index(v.begin(), v.end());
        ir::Expr inside;
        for (size_t d : dims) {
          ir::Expr ok = v[d] >= ir::Expr(padding) && v[d] < ir::Expr(in_shape[d] + padding);
          inside = inside.defined() ? (inside && ok) : ok;
          index[d] = v[d] - ir::Expr(padding);
        }
        return te::if_then_else(inside, x(index), pad_value);
      },
      "pad");
}

int64_t window_output(const std::string& workload, int64_t extent, int64_t kernel, int64_t stride,
                      int64_t padding, int64_t dilation) {
  int64_t span = dilation * (kernel - 1) + 1;
  if (extent + 2 * padding < span)
    invalid_shape(workload, "a window of " + std::to_string(span) + " elements (kernel " +
                                std::to_string(kernel) + ", dilation " + std::to_string(dilation) +
                                ") does not fit in " + std::to_string(extent) + " + 2 * " +
                                std::to_string(padding) + " padded elements");
  return (extent + 2 * padding - span) / stride + 1;
}

ir::Expr relu(const ir::Expr& x) { return ir::max(x, ir::make_zero(x.dtype())); }

}  // namespace kiln::workloads

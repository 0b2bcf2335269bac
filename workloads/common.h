// Building blocks shared by the workload families: padding and window geometry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/dsl/te.h"

namespace kiln::workloads {

// An explicit padding stage named "pad" (as TVM builds it): `x` with `padding`
// elements of `pad_value` added on both sides of each dimension in `dims`.
// Returns `x` itself when padding is 0.
te::Tensor pad(const te::Tensor& x, const std::vector<size_t>& dims, int64_t padding,
               ir::Expr pad_value);

// The output extent of a sliding window over `extent` input elements:
// (extent + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1.
// Throws std::invalid_argument naming the workload when it is not positive.
int64_t window_output(const std::string& workload, int64_t extent, int64_t kernel, int64_t stride,
                      int64_t padding, int64_t dilation);

// max(x, 0) in the type of x.
ir::Expr relu(const ir::Expr& x);

constexpr ir::DataType kFloat32 = ir::DataType::Float(32);

}  // namespace kiln::workloads

// A buffer: a named, typed, multi-dimensional array with a storage scope.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "ir/expr.h"

namespace kiln::ir {

struct BufferNode {
  std::string name;
  DataType dtype;
  // Static integers today (IntImm); kept as expressions to leave room for
  // symbolic extents.
  std::vector<Expr> shape;
  // "global", "shared", "local", ...
  std::string scope;
};

Buffer make_buffer(std::string name, DataType dtype, std::vector<Expr> shape,
                   std::string scope = "global");
Buffer make_buffer(std::string name, DataType dtype, const std::vector<int64_t>& shape,
                   std::string scope = "global");
// Lets `make_buffer("A", t, {16, 16})` pick the static-shape form.
inline Buffer make_buffer(std::string name, DataType dtype, std::initializer_list<int64_t> shape,
                          std::string scope = "global") {
  return make_buffer(std::move(name), dtype, std::vector<int64_t>(shape), std::move(scope));
}

// A copy of `b` (a new identity) with the given changes.
Buffer with_name(const Buffer& b, std::string name);
Buffer with_scope(const Buffer& b, std::string scope);
Buffer with_shape(const Buffer& b, std::vector<Expr> shape);

// The static shape; throws std::logic_error if an extent is not a constant.
std::vector<int64_t> static_shape(const Buffer& b);
// Product of the static shape.
int64_t num_elements(const Buffer& b);

// A rectangular region of a buffer: one Range per dimension.
struct BufferRegion {
  Buffer buffer;
  std::vector<Range> region;
  // The whole buffer.
  static BufferRegion full(const Buffer& b);
};

}  // namespace kiln::ir

#include "ir/buffer.h"

#include <memory>
#include <stdexcept>

#include "ir/op.h"

namespace kiln::ir {

Buffer make_buffer(std::string name, DataType dtype, std::vector<Expr> shape, std::string scope) {
  auto node = std::make_shared<BufferNode>();
  node->name = std::move(name);
  node->dtype = dtype;
  node->shape = std::move(shape);
  node->scope = std::move(scope);
  return Buffer(std::move(node));
}

Buffer make_buffer(std::string name, DataType dtype, const std::vector<int64_t>& shape,
                   std::string scope) {
  std::vector<Expr> dims;
  dims.reserve(shape.size());
  for (int64_t d : shape) dims.push_back(index_imm(d));
  return make_buffer(std::move(name), dtype, std::move(dims), std::move(scope));
}

Buffer with_name(const Buffer& b, std::string name) {
  return make_buffer(std::move(name), b->dtype, b->shape, b->scope);
}
Buffer with_scope(const Buffer& b, std::string scope) {
  return make_buffer(b->name, b->dtype, b->shape, std::move(scope));
}
Buffer with_shape(const Buffer& b, std::vector<Expr> shape) {
  return make_buffer(b->name, b->dtype, std::move(shape), b->scope);
}

std::vector<int64_t> static_shape(const Buffer& b) {
  std::vector<int64_t> out;
  out.reserve(b->shape.size());
  for (const Expr& e : b->shape) {
    const int64_t* v = as_const_int(e);
    if (!v) throw std::logic_error("buffer " + b->name + " has a non-constant extent");
    out.push_back(*v);
  }
  return out;
}

int64_t num_elements(const Buffer& b) {
  int64_t n = 1;
  for (int64_t d : static_shape(b)) n *= d;
  return n;
}

BufferRegion BufferRegion::full(const Buffer& b) {
  BufferRegion r{b, {}};
  r.region.reserve(b->shape.size());
  for (const Expr& e : b->shape) r.region.push_back(Range{Expr(0), e});
  return r;
}

}  // namespace kiln::ir

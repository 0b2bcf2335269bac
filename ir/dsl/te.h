// The compute DSL (like TVM's te): describe an operator as tensors defined
// element by element, then turn the whole graph into a TensorIR PrimFunc.
//
//   Tensor A = placeholder({64, 32}, DataType::Float(32), "A");
//   Tensor B = placeholder({32, 48}, DataType::Float(32), "B");
//   ReduceAxis k = reduce_axis(0, 32, "k");
//   Tensor C = compute({64, 48}, [&](const std::vector<Var>& v) {
//     return sum(A(v[0], k) * B(k, v[1]), {k});
//   }, "C", {"i", "j"});
//   PrimFunc f = create_prim_func({A, B, C}, "matmul");
//
// create_prim_func makes one block per compute, named after it, inside its own
// serial loop nest (spatial axes, then reduce axes); computes that are not
// arguments become buffers allocated by the root block. Loads of a tensor are
// ordinary BufferLoads of its buffer, so a body is plain IR (ir/op.h operators
// apply). The C++ names of the max/min reductions are max_reduce/min_reduce:
// `max`/`min` would be ambiguous with ir::max(a, b) for a call like max(x, {k}).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ir/function.h"
#include "ir/op.h"

namespace kiln::te {

// The IR operators, visible to argument-dependent lookup on te types, so that
// `k + 1` works for a ReduceAxis k.
using ir::operator+;
using ir::operator-;
using ir::operator*;
using ir::operator/;
using ir::operator<;
using ir::operator<=;
using ir::operator>;
using ir::operator>=;
using ir::operator&&;
using ir::operator||;
using ir::operator!;

struct TensorNode;

// A placeholder or the result of compute(); a cheap shared handle.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<const TensorNode> node) : node_(std::move(node)) {}

  // A load of element `indices` (one per dimension): a BufferLoad of buffer().
  ir::Expr operator()(std::vector<ir::Expr> indices) const;
  template <class... I>
  ir::Expr operator()(I... i) const {
    return (*this)(std::vector<ir::Expr>{ir::Expr(i)...});
  }

  const std::string& name() const;
  ir::DataType dtype() const;
  const std::vector<int64_t>& shape() const;
  // The buffer this tensor becomes in the PrimFunc (a parameter or an
  // intermediate allocated by the root block).
  ir::Buffer buffer() const;
  // True for a compute(), false for a placeholder().
  bool is_compute() const;

  bool defined() const { return node_ != nullptr; }
  bool same_as(const Tensor& o) const { return node_ == o.node_; }
  const TensorNode* get() const { return node_.get(); }

 private:
  std::shared_ptr<const TensorNode> node_;
};

// A reduction axis over the half-open range dom = [min, min + extent).
struct ReduceAxis {
  ir::Var var;
  ir::Range dom;
  operator ir::Expr() const { return var; }  // NOLINT(google-explicit-constructor)
};

enum class ReduceKind : uint8_t { kSum, kMax, kMin };

// What sum/max_reduce/min_reduce return. It is only valid as the whole body of
// a compute: it does not convert to an Expr, so `sum(...) + 1` does not compile.
class Reduction {
 public:
  Reduction(ReduceKind kind, ir::Expr value, std::vector<ReduceAxis> axes);
  ReduceKind kind() const { return kind_; }
  const ir::Expr& value() const { return value_; }
  const std::vector<ReduceAxis>& axes() const { return axes_; }
  // The value the accumulator starts from: 0, -inf (lowest) or +inf (highest).
  ir::Expr identity() const;
  // One step of the reduction: acc + x, max(acc, x) or min(acc, x).
  ir::Expr combine(ir::Expr acc, ir::Expr x) const;

 private:
  ReduceKind kind_;
  ir::Expr value_;
  std::vector<ReduceAxis> axes_;
};

// The body of a compute: an element expression or a reduction.
class ComputeBody {
 public:
  ComputeBody(ir::Expr value);       // NOLINT(google-explicit-constructor)
  ComputeBody(Reduction reduction);  // NOLINT(google-explicit-constructor)
  bool is_reduction() const { return reduction_ != nullptr; }
  // The element expression, or the reduced value for a reduction.
  const ir::Expr& value() const;
  // Null unless is_reduction().
  const Reduction* reduction() const { return reduction_.get(); }
  ir::DataType dtype() const { return value().dtype(); }

 private:
  ir::Expr value_;
  std::shared_ptr<const Reduction> reduction_;
};

struct TensorNode {
  std::string name;
  ir::DataType dtype;
  std::vector<int64_t> shape;
  ir::Buffer buffer;
  // The rest is set for computes only.
  bool is_compute = false;
  std::vector<ir::Var> axes;  // one per dimension, what the body is written in
  std::shared_ptr<const ComputeBody> body;
  std::vector<Tensor> inputs;  // the tensors the body loads, in first-use order
};

// An input tensor. Extents must be positive.
Tensor placeholder(std::vector<int64_t> shape, ir::DataType dtype, std::string name);

// A reduction axis over [min, max); needs min < max.
ReduceAxis reduce_axis(int64_t min, int64_t max, std::string name);

ir::Expr if_then_else(ir::Expr cond, ir::Expr t, ir::Expr f);  // a Select

Reduction sum(ir::Expr value, std::vector<ReduceAxis> axes);
Reduction max_reduce(ir::Expr value, std::vector<ReduceAxis> axes);
Reduction min_reduce(ir::Expr value, std::vector<ReduceAxis> axes);

// A tensor of `shape` whose element at the axis variables is fn(axes). The
// loads in the body must be made while fn runs (that is how the tensor learns
// its inputs). Axis names default to i, j, k, l, m, n, then i6, i7, ...
Tensor compute(std::vector<int64_t> shape,
               std::function<ComputeBody(const std::vector<ir::Var>&)> fn, std::string name,
               std::vector<std::string> axis_names = {});

ir::Expr exp(ir::Expr x);
ir::Expr log(ir::Expr x);
ir::Expr sqrt(ir::Expr x);
ir::Expr tanh(ir::Expr x);
ir::Expr sigmoid(ir::Expr x);
ir::Expr erf(ir::Expr x);

// The PrimFunc computing `args` (inputs and outputs, in parameter order).
// Throws std::invalid_argument when a tensor the outputs need is neither in
// `args` nor a compute, or when `args` holds an undefined or repeated tensor.
ir::PrimFunc create_prim_func(std::vector<Tensor> args, std::string name = "main");

}  // namespace kiln::te

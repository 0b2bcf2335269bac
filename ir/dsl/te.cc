#include "ir/dsl/te.h"

#include <map>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "ir/dsl/access_region.h"
#include "ir/functor.h"
#include "ir/substitute.h"

namespace kiln::te {

using ir::Buffer;
using ir::DataType;
using ir::Expr;
using ir::Range;
using ir::Var;

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("te: " + what); }

// The tensors loaded while a compute's body is being built. compute() pushes
// one collector around its call of fn, and Tensor::operator() reports to the
// innermost; this is how a compute learns its inputs from plain BufferLoads.
thread_local std::vector<std::vector<Tensor>*> g_collectors;

class CollectorScope {
 public:
  explicit CollectorScope(std::vector<Tensor>* out) { g_collectors.push_back(out); }
  ~CollectorScope() { g_collectors.pop_back(); }
  CollectorScope(const CollectorScope&) = delete;
  CollectorScope& operator=(const CollectorScope&) = delete;
};

std::string default_axis_name(size_t i) {
  static const char* kNames[] = {"i", "j", "k", "l", "m", "n"};
  return i < 6 ? kNames[i] : "i" + std::to_string(i);
}

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

void check_shape(const std::vector<int64_t>& shape, const std::string& what) {
  for (int64_t d : shape)
    if (d <= 0) fail(what + " has shape " + shape_str(shape) + ": every extent must be positive");
}

// Free variables and loaded buffers of an expression (Let-bound vars excluded).
class BodyScanner : public ir::IRVisitor {
 public:
  std::vector<const ir::VarNode*> free_vars;
  std::vector<Buffer> loaded;

 protected:
  void visit_var(const ir::VarNode* op) override {
    if (!bound_.count(op) && seen_.insert(op).second) free_vars.push_back(op);
  }
  void visit_let(const ir::LetNode* op) override {
    visit(op->value);
    bound_.insert(op->var.get());
    visit(op->body);
  }
  void visit_buffer_load(const ir::BufferLoadNode* op) override {
    bool known = false;
    for (const Buffer& b : loaded) known = known || b == op->buffer;
    if (!known) loaded.push_back(op->buffer);
    IRVisitor::visit_buffer_load(op);
  }

 private:
  std::unordered_set<const ir::VarNode*> bound_;
  std::unordered_set<const ir::VarNode*> seen_;
};

// Checks that a compute body only uses its own axes and reduce axes, and only
// loads tensors that were loaded (through Tensor::operator()) while it was built.
void check_body(const std::string& name, const std::vector<Var>& axes, const ComputeBody& body,
                const std::vector<Tensor>& inputs) {
  BodyScanner scan;
  scan.visit(body.value());
  std::unordered_set<const ir::VarNode*> allowed;
  for (const Var& v : axes) allowed.insert(v.get());
  if (const Reduction* r = body.reduction()) {
    for (const ReduceAxis& a : r->axes()) allowed.insert(a.var.get());
  }
  for (const ir::VarNode* v : scan.free_vars) {
    if (allowed.count(v)) continue;
    fail("compute `" + name + "` uses variable `" + v->name +
         "`, which is neither one of its axes nor an axis it reduces over; a reduce axis can "
         "only be used inside the sum/max_reduce/min_reduce over it that is the body of the "
         "compute");
  }
  for (const Buffer& b : scan.loaded) {
    bool known = false;
    for (const Tensor& t : inputs) known = known || t.buffer() == b;
    if (!known)
      fail("compute `" + name + "` loads buffer `" + b->name +
           "`, which was not loaded through a te::Tensor while its body was built; build the "
           "loads inside the compute's function");
  }
}

Expr intrinsic(ir::Intrinsic op, Expr x) {
  if (!x.defined()) fail(std::string(ir::intrinsic_name(op)) + " of an undefined expression");
  return ir::call(op, {std::move(x)});
}

// Unique names within one block (a reduce axis may share a name with a
// spatial axis; the printer would still tell them apart, people would not).
std::string unique_name(const std::string& want, std::unordered_set<std::string>* taken) {
  std::string name = want;
  for (int i = 1; !taken->insert(name).second; ++i) name = want + "_" + std::to_string(i);
  return name;
}

// The loop nest and block of one compute, writing into `out`.
ir::Stmt lower_compute(const TensorNode& t, const Buffer& out) {
  struct Axis {
    std::string name;
    Var old_var;
    Range dom;
    ir::IterKind kind;
  };
  std::vector<Axis> axes;
  for (size_t d = 0; d < t.axes.size(); ++d) {
    axes.push_back({t.axes[d].name(), t.axes[d], Range{Expr(0), ir::index_imm(t.shape[d])},
                    ir::IterKind::kSpatial});
  }
  const Reduction* reduction = t.body->reduction();
  if (reduction) {
    for (const ReduceAxis& a : reduction->axes())
      axes.push_back({a.var.name(), a.var, a.dom, ir::IterKind::kReduction});
  }

  std::unordered_set<std::string> taken;
  std::vector<Var> loop_vars;
  std::vector<Expr> out_indices;
  ir::VarMap to_iter;
  auto block = std::make_shared<ir::BlockNode>();
  block->name = t.name;
  for (const Axis& a : axes) {
    std::string name = unique_name(a.name, &taken);
    Var iter("v" + name, a.old_var.dtype());
    loop_vars.emplace_back(name, a.old_var.dtype());
    block->iter_vars.push_back({iter, a.dom, a.kind});
    to_iter[a.old_var] = iter;
    if (a.kind == ir::IterKind::kSpatial) out_indices.push_back(iter);
  }

  Expr value = ir::substitute(t.body->value(), to_iter);
  block->reads = access_regions(value);
  std::vector<Range> point;
  for (const Expr& i : out_indices) point.push_back(Range{i, Expr(1)});
  block->writes = {ir::BufferRegion{out, point}};
  if (reduction) {
    block->init = ir::buffer_store(out, reduction->identity(), out_indices);
    Expr acc = ir::buffer_load(out, out_indices);
    block->body = ir::buffer_store(out, reduction->combine(acc, value), out_indices);
  } else {
    block->body = ir::buffer_store(out, value, out_indices);
  }

  std::vector<Expr> bindings(loop_vars.begin(), loop_vars.end());
  ir::Stmt stmt = ir::block_realize(std::move(bindings), Expr(), std::move(block));
  for (size_t i = axes.size(); i-- > 0;) {
    stmt = ir::for_loop(loop_vars[i], axes[i].dom.min, axes[i].dom.extent, ir::ForKind::kSerial,
                        std::move(stmt));
  }
  return stmt;
}

}  // namespace

// ---------------------------------------------------------------- Tensor

Expr Tensor::operator()(std::vector<Expr> indices) const {
  if (!node_) fail("load from an undefined tensor");
  if (indices.size() != node_->shape.size())
    fail("tensor `" + node_->name + "` has " + std::to_string(node_->shape.size()) +
         " dimensions " + shape_str(node_->shape) + " but was indexed with " +
         std::to_string(indices.size()) + " indices");
  for (size_t d = 0; d < indices.size(); ++d) {
    if (!indices[d].defined() || !indices[d].dtype().is_integer() ||
        !indices[d].dtype().is_scalar())
      fail("index " + std::to_string(d) + " into tensor `" + node_->name +
           "` is not a scalar integer expression");
  }
  if (!g_collectors.empty()) {
    std::vector<Tensor>* inputs = g_collectors.back();
    bool known = false;
    for (const Tensor& t : *inputs) known = known || t.same_as(*this);
    if (!known) inputs->push_back(*this);
  }
  return ir::buffer_load(node_->buffer, std::move(indices));
}

const std::string& Tensor::name() const { return node_->name; }
DataType Tensor::dtype() const { return node_->dtype; }
const std::vector<int64_t>& Tensor::shape() const { return node_->shape; }
Buffer Tensor::buffer() const { return node_->buffer; }
bool Tensor::is_compute() const { return node_->is_compute; }

// ---------------------------------------------------------------- reductions

Reduction::Reduction(ReduceKind kind, Expr value, std::vector<ReduceAxis> axes)
    : kind_(kind), value_(std::move(value)), axes_(std::move(axes)) {
  if (!value_.defined()) fail("reduction of an undefined expression");
  if (axes_.empty()) fail("a reduction needs at least one reduce axis");
  for (size_t i = 0; i < axes_.size(); ++i) {
    if (!axes_[i].var.defined()) fail("reduction over an undefined reduce axis");
    for (size_t j = 0; j < i; ++j) {
      if (axes_[j].var == axes_[i].var)
        fail("reduction lists reduce axis `" + axes_[i].var.name() + "` twice");
    }
  }
}

Expr Reduction::identity() const {
  DataType t = value_.dtype();
  switch (kind_) {
    case ReduceKind::kSum: return ir::make_zero(t);
    case ReduceKind::kMax: return ir::min_value(t);
    case ReduceKind::kMin: return ir::max_value(t);
  }
  return Expr();
}

Expr Reduction::combine(Expr acc, Expr x) const {
  switch (kind_) {
    case ReduceKind::kSum: return ir::add(std::move(acc), std::move(x));
    case ReduceKind::kMax: return ir::max(std::move(acc), std::move(x));
    case ReduceKind::kMin: return ir::min(std::move(acc), std::move(x));
  }
  return Expr();
}

ComputeBody::ComputeBody(Expr value) : value_(std::move(value)) {
  if (!value_.defined()) fail("a compute body is an undefined expression");
}
ComputeBody::ComputeBody(Reduction reduction)
    : reduction_(std::make_shared<const Reduction>(std::move(reduction))) {}

const Expr& ComputeBody::value() const { return reduction_ ? reduction_->value() : value_; }

Reduction sum(Expr value, std::vector<ReduceAxis> axes) {
  return Reduction(ReduceKind::kSum, std::move(value), std::move(axes));
}
Reduction max_reduce(Expr value, std::vector<ReduceAxis> axes) {
  return Reduction(ReduceKind::kMax, std::move(value), std::move(axes));
}
Reduction min_reduce(Expr value, std::vector<ReduceAxis> axes) {
  return Reduction(ReduceKind::kMin, std::move(value), std::move(axes));
}

// ---------------------------------------------------------------- tensors

Tensor placeholder(std::vector<int64_t> shape, DataType dtype, std::string name) {
  check_shape(shape, "placeholder `" + name + "`");
  if (dtype.is_void() || dtype.is_vector())
    fail("placeholder `" + name + "` needs a scalar element type, got " + dtype.str());
  auto node = std::make_shared<TensorNode>();
  node->name = std::move(name);
  node->dtype = dtype;
  node->shape = std::move(shape);
  node->buffer = ir::make_buffer(node->name, dtype, node->shape);
  return Tensor(std::move(node));
}

ReduceAxis reduce_axis(int64_t min, int64_t max, std::string name) {
  if (min >= max)
    fail("reduce axis `" + name + "` over [" + std::to_string(min) + ", " + std::to_string(max) +
         ") is empty; it needs min < max");
  return ReduceAxis{Var(std::move(name)), Range{ir::index_imm(min), ir::index_imm(max - min)}};
}

Expr if_then_else(Expr cond, Expr t, Expr f) {
  if (!cond.defined() || !t.defined() || !f.defined())
    fail("if_then_else of an undefined expression");
  return ir::select(std::move(cond), std::move(t), std::move(f));
}

Tensor compute(std::vector<int64_t> shape, std::function<ComputeBody(const std::vector<Var>&)> fn,
               std::string name, std::vector<std::string> axis_names) {
  check_shape(shape, "compute `" + name + "`");
  if (!fn) fail("compute `" + name + "` has no body function");
  if (!axis_names.empty() && axis_names.size() != shape.size())
    fail("compute `" + name + "` has " + std::to_string(shape.size()) + " dimensions but " +
         std::to_string(axis_names.size()) + " axis names");
  auto node = std::make_shared<TensorNode>();
  node->name = std::move(name);
  node->shape = std::move(shape);
  node->is_compute = true;
  for (size_t d = 0; d < node->shape.size(); ++d)
    node->axes.emplace_back(axis_names.empty() ? default_axis_name(d) : axis_names[d]);
  {
    CollectorScope scope(&node->inputs);
    node->body = std::make_shared<const ComputeBody>(fn(node->axes));
  }
  check_body(node->name, node->axes, *node->body, node->inputs);
  node->dtype = node->body->dtype();
  if (node->dtype.is_vector() || node->dtype.is_void())
    fail("compute `" + node->name + "` has a body of type " + node->dtype.str() +
         "; it must be a scalar");
  node->buffer = ir::make_buffer(node->name, node->dtype, node->shape);
  return Tensor(std::move(node));
}

Expr exp(Expr x) { return intrinsic(ir::Intrinsic::kExp, std::move(x)); }
Expr log(Expr x) { return intrinsic(ir::Intrinsic::kLog, std::move(x)); }
Expr sqrt(Expr x) { return intrinsic(ir::Intrinsic::kSqrt, std::move(x)); }
Expr tanh(Expr x) { return intrinsic(ir::Intrinsic::kTanh, std::move(x)); }
Expr sigmoid(Expr x) { return intrinsic(ir::Intrinsic::kSigmoid, std::move(x)); }
Expr erf(Expr x) { return intrinsic(ir::Intrinsic::kErf, std::move(x)); }

// ---------------------------------------------------------------- create_prim_func

ir::PrimFunc create_prim_func(std::vector<Tensor> args, std::string name) {
  // Step 1. Check the arguments.
  std::unordered_set<const TensorNode*> is_arg;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].defined())
      fail("create_prim_func(" + name + "): argument " + std::to_string(i) +
           " is an undefined tensor");
    if (!is_arg.insert(args[i].get()).second)
      fail("create_prim_func(" + name + "): tensor `" + args[i].name() +
           "` is passed twice; each tensor is one parameter");
  }

  // Step 2. Order the computes the arguments need, producers first.
  std::vector<Tensor> order;
  std::unordered_set<const TensorNode*> done;
  std::function<void(const Tensor&, const Tensor*)> visit = [&](const Tensor& t,
                                                                const Tensor* consumer) {
    if (done.count(t.get())) return;
    if (!t.is_compute()) {
      if (!is_arg.count(t.get()))
        fail("create_prim_func(" + name + "): placeholder `" + t.name() +
             "` is needed by compute `" + (consumer ? consumer->name() : "?") +
             "` but is not in the arguments; pass it to create_prim_func");
      done.insert(t.get());
      return;
    }
    for (const Tensor& input : t.get()->inputs) visit(input, &t);
    done.insert(t.get());
    order.push_back(t);
  };
  for (const Tensor& t : args) visit(t, nullptr);
  if (order.empty())
    fail("create_prim_func(" + name + "): no argument is a compute, so there is nothing to do");

  // Step 3. One loop nest per compute; the ones that are not arguments live in
  // the root block.
  std::vector<ir::Stmt> nests;
  std::vector<Buffer> intermediates;
  for (const Tensor& t : order) {
    nests.push_back(lower_compute(*t.get(), t.buffer()));
    if (!is_arg.count(t.get())) intermediates.push_back(t.buffer());
  }
  std::vector<Buffer> params;
  for (const Tensor& t : args) params.push_back(t.buffer());
  return ir::make_prim_func(std::move(name), std::move(params),
                            ir::make_root_block(ir::seq(std::move(nests)), intermediates));
}

}  // namespace kiln::te

#include "codegen/passes/flatten_buffers.h"

#include <limits>
#include <unordered_map>

#include "ir/arith/simplify.h"
#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::codegen {

namespace {

struct FlatLayout {
  ir::Buffer flat;
  std::vector<int64_t> strides;
};

// Row-major strides, each aligned axis raised to the next stride that is
// `offset` modulo `factor`.
std::vector<int64_t> strides_of(const std::vector<int64_t>& shape,
                                const std::vector<int64_t>* align) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 0;) {
    if (d + 1 < shape.size()) strides[d] = strides[d + 1] * shape[d + 1];
    if (!align) continue;
    for (size_t i = 0; i + 2 < align->size(); i += 3) {
      if ((*align)[i] != static_cast<int64_t>(d)) continue;
      const int64_t factor = (*align)[i + 1], offset = (*align)[i + 2];
      strides[d] += ((offset - strides[d]) % factor + factor) % factor;
    }
  }
  return strides;
}

class Flattener : public ir::IRMutator {
 public:
  Flattener(const ir::PrimFunc& func, ir::DataType index_type)
      : func_(func), index_type_(index_type) {}

  ir::Buffer flatten(const ir::Buffer& b) {
    auto it = layouts_.find(b.get());
    if (it != layouts_.end()) return it->second.flat;
    const std::vector<int64_t> shape = ir::static_shape(b);
    const std::vector<int64_t>* align = nullptr;
    if (auto a = func_->attrs.find("storage_align:" + b->name); a != func_->attrs.end())
      align = std::get_if<std::vector<int64_t>>(&a->second);
    std::vector<int64_t> strides = strides_of(shape, align);
    int64_t size = shape.empty() ? 1 : 0;
    if (!shape.empty()) size = strides[0] * shape[0];
    for (int64_t e : shape) size = e == 0 ? 0 : size;
    ir::Buffer flat = ir::make_buffer(b->name, b->dtype, {size}, b->scope);
    layouts_[b.get()] = {flat, std::move(strides)};
    return flat;
  }

 protected:
  ir::Expr mutate_buffer_load(const ir::Expr& e, const ir::BufferLoadNode* op) override {
    std::vector<ir::Expr> idx;
    mutate_all(op->indices, &idx);
    ir::Buffer flat = flatten(op->buffer);
    return ir::buffer_load(flat, {offset(op->buffer, idx)});
  }
  ir::Stmt mutate_buffer_store(const ir::Stmt& s, const ir::BufferStoreNode* op) override {
    std::vector<ir::Expr> idx;
    mutate_all(op->indices, &idx);
    ir::Expr value = mutate(op->value);
    ir::Buffer flat = flatten(op->buffer);
    return ir::buffer_store(flat, value, {offset(op->buffer, idx)});
  }
  ir::Stmt mutate_allocate(const ir::Stmt& s, const ir::AllocateNode* op) override {
    ir::Buffer flat = flatten(op->buffer);
    return ir::allocate(flat, mutate(op->body));
  }

 private:
  ir::Expr offset(const ir::Buffer& b, const std::vector<ir::Expr>& idx) {
    const std::vector<int64_t>& strides = layouts_.at(b.get()).strides;
    ir::Expr sum = ir::int_imm(index_type_, 0);
    for (size_t d = 0; d < idx.size(); ++d) {
      ir::Expr i = idx[d].dtype() == index_type_ ? idx[d] : ir::cast(index_type_, idx[d]);
      sum = sum + i * ir::int_imm(index_type_, strides[d]);
    }
    return ir::arith::simplify(sum);
  }

  const ir::PrimFunc& func_;
  ir::DataType index_type_;
  std::unordered_map<const ir::BufferNode*, FlatLayout> layouts_;
};

class LargestBuffer : public ir::IRVisitor {
 public:
  int64_t elements = 0;

 protected:
  void visit_allocate(const ir::AllocateNode* op) override {
    elements = std::max(elements, ir::num_elements(op->buffer));
    ir::IRVisitor::visit_allocate(op);
  }
};

}  // namespace

ir::PrimFunc flatten_buffers(const ir::PrimFunc& func) {
  LargestBuffer largest;
  largest.visit(func->body);
  for (const ir::Buffer& p : func->params)
    largest.elements = std::max(largest.elements, ir::num_elements(p));
  // Aligned strides can add up to a factor per axis; the margin keeps int32 safe.
  const bool wide = largest.elements >= (int64_t{1} << 30);
  Flattener flattener(func, wide ? ir::DataType::Int(64) : ir::DataType::Int(32));
  auto node = std::make_shared<ir::PrimFuncNode>(*func);
  for (ir::Buffer& p : node->params) p = flattener.flatten(p);
  node->body = flattener.mutate(func->body);
  for (auto it = node->attrs.begin(); it != node->attrs.end();)
    it = it->first.rfind("storage_align:", 0) == 0 ? node->attrs.erase(it) : std::next(it);
  return node;
}

}  // namespace kiln::codegen

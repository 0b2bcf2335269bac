#include "search/task.h"

#include <cstdio>
#include <stdexcept>

#include "ir/functor.h"
#include "ir/structural.h"
#include "workloads/workloads.h"

namespace kiln::search {

std::string hex_hash(uint64_t hash) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

namespace {

// Float arithmetic in an expression tree.
class FloatOps : public ir::IRVisitor {
 public:
  double ops = 0;

 protected:
  void visit_binary(const ir::BinaryNode* op) override {
    const ir::ExprKind k = op->kind;
    if (op->dtype.is_float() && (k == ir::ExprKind::kAdd || k == ir::ExprKind::kSub ||
                                   k == ir::ExprKind::kMul || k == ir::ExprKind::kDiv ||
                                   k == ir::ExprKind::kMin || k == ir::ExprKind::kMax))
      ops += op->dtype.lanes();
    ir::IRVisitor::visit_binary(op);
  }
  void visit_call(const ir::CallNode* op) override {
    if (op->dtype.is_float()) ops += op->dtype.lanes();
    ir::IRVisitor::visit_call(op);
  }
};

class BlockFlops : public ir::IRVisitor {
 public:
  double flops = 0;

 protected:
  void visit_block(const ir::BlockNode* op) override {
    if (!op->iter_vars.empty()) {
      double instances = 1;
      for (const ir::IterVar& iv : op->iter_vars) {
        const int64_t* e = ir::as_const_int(iv.dom.extent);
        instances *= e ? static_cast<double>(*e) : 1.0;
      }
      FloatOps body;
      body.visit(op->body);
      flops += instances * body.ops;
    }
    ir::IRVisitor::visit(op->body);
  }
};

}  // namespace

double count_flops(const ir::PrimFunc& func) {
  BlockFlops counter;
  counter.visit(func->body);
  return counter.flops;
}

Task::Task(ir::PrimFunc func, Target target, double weight, std::string name)
    : func_(std::move(func)), target_(std::move(target)), weight_(weight), name_(std::move(name)) {
  if (!func_) throw std::invalid_argument("Task: the function is null");
  if (!(weight_ > 0))
    throw std::invalid_argument("Task `" + func_->name + "`: weight " + std::to_string(weight_) +
                                " must be positive (how often the operator occurs)");
  if (name_.empty()) name_ = func_->name;
  id_ = hex_hash(ir::structural_hash(func_));
  flops_ = count_flops(func_);
}

Task Task::from_workload(const std::string& workload, const std::map<std::string, int64_t>& shape,
                         Target target, double weight) {
  workloads::Workload w = workloads::get(workload, shape);
  Task t(w.func, std::move(target), weight, w.name);
  t.workload_ = w.name;
  t.shape_ = w.shape;
  return t;
}

}  // namespace kiln::search

#include "search/task.h"

#include <cstdio>
#include <stdexcept>

#include "ir/structural.h"
#include "workloads/workloads.h"

namespace kiln::search {

std::string hex_hash(uint64_t hash) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

Task::Task(ir::PrimFunc func, Target target, double weight, std::string name)
    : func_(std::move(func)), target_(std::move(target)), weight_(weight), name_(std::move(name)) {
  if (!func_) throw std::invalid_argument("Task: the function is null");
  if (!(weight_ > 0))
    throw std::invalid_argument("Task `" + func_->name + "`: weight " + std::to_string(weight_) +
                                " must be positive (how often the operator occurs)");
  if (name_.empty()) name_ = func_->name;
  id_ = hex_hash(ir::structural_hash(func_));
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

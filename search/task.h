// Task: what is being tuned. A function (a registered workload or any
// te.create_prim_func), the target it is tuned for, how often it occurs in
// the network it comes from (its weight in the total), and a name.
//
//   Task t = Task::from_workload("matmul", {{"M", 1024}, {"N", 1024}, {"K", 1024}},
//                                Target("llvm"));
//   t.id();   // "9f3c2a..." : the function's structural hash
//   t.key();  // id + the target's key: what tuning records are filed under
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "codegen/target.h"
#include "ir/function.h"

namespace kiln::search {

class Task {
 public:
  // `name` defaults to the function's name.
  Task(ir::PrimFunc func, Target target, double weight = 1.0, std::string name = "");
  // A registered workload at `shape` (defaults filled in). Throws
  // std::invalid_argument as workloads::get does.
  static Task from_workload(const std::string& workload,
                            const std::map<std::string, int64_t>& shape, Target target,
                            double weight = 1.0);

  const ir::PrimFunc& func() const { return func_; }
  const Target& target() const { return target_; }
  double weight() const { return weight_; }
  const std::string& name() const { return name_; }
  // The registered workload and its shape, when the task is one.
  const std::string& workload() const { return workload_; }
  const std::map<std::string, int64_t>& shape() const { return shape_; }

  // Floating-point operations of one call: each block's arithmetic on floats
  // (add, subtract, multiply, divide, min, max, and each intrinsic call such
  // as exp as one) times its instances; its init not counted. A matmul
  // M x N x K gives 2 M N K.
  double flops() const { return flops_; }

  // 16 hex digits of the function's structural hash.
  const std::string& id() const { return id_; }
  // id() and the target's key: "9f3c2a... llvm -mcpu=znver4 -num_cores=2".
  std::string key() const { return id_ + " " + target_.str(); }

 private:
  ir::PrimFunc func_;
  Target target_;
  double weight_;
  std::string name_;
  std::string workload_;
  std::map<std::string, int64_t> shape_;
  std::string id_;
  double flops_ = 0;
};

// The flops() of any function.
double count_flops(const ir::PrimFunc& func);

// 16 lower-case hex digits.
std::string hex_hash(uint64_t hash);

}  // namespace kiln::search

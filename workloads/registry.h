// The registry's table: each family file (matmul.cc, conv2d.cc, ...) returns
// its workload definitions, and registry.cc concatenates them. An explicit
// table rather than static self-registration, because a static library drops
// object files that nothing references.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ir/function.h"

namespace kiln::workloads {

using Shape = std::map<std::string, int64_t>;

struct WorkloadDef {
  std::string name;
  std::string description;
  // Every key the workload takes, with its default (small) value.
  Shape defaults;
  // Builds the function from a complete shape (all keys of `defaults`).
  std::function<ir::PrimFunc(const Shape&)> build;
};

std::vector<WorkloadDef> matmul_workloads();         // matmul.cc
std::vector<WorkloadDef> conv2d_workloads();         // conv2d.cc
std::vector<WorkloadDef> pooling_workloads();        // pooling.cc
std::vector<WorkloadDef> normalization_workloads();  // normalization.cc
std::vector<WorkloadDef> elementwise_workloads();    // elementwise.cc
std::vector<WorkloadDef> reduction_workloads();      // reduction.cc

// Helpers for the family files.
// The value of `key`; throws std::invalid_argument naming the workload when it
// is below `min_value`.
int64_t shape_value(const std::string& workload, const Shape& shape, const std::string& key,
                    int64_t min_value = 1);
// Throws std::invalid_argument with "<workload>: <what>".
[[noreturn]] void invalid_shape(const std::string& workload, const std::string& what);
// "a, b, c": names listed in an error message.
std::string join(const std::vector<std::string>& names);

}  // namespace kiln::workloads

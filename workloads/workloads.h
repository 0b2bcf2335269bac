// A registry of standard operators and subgraphs, each a PrimFunc built with
// the compute DSL from a few named shape parameters.
//
//   Workload w = workloads::get("matmul", {{"M", 128}});  // N, K from the defaults
//
// All workloads are float32. Padding is an explicit "pad" compute stage.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/function.h"

namespace kiln::workloads {

struct Workload {
  std::string name;
  // Every shape parameter of the workload (the defaults filled in).
  std::map<std::string, int64_t> shape;
  ir::PrimFunc func;
  std::string description;
};

// The names of all workloads, sorted.
std::vector<std::string> list();

// A small instance of the workload (the interpreter runs it in about a second).
// Throws std::invalid_argument for an unknown name, listing the valid ones.
std::map<std::string, int64_t> default_shape(const std::string& name);

// The workload at `shape`; keys missing from `shape` take their defaults.
// Throws std::invalid_argument for an unknown name or shape key (listing the
// valid ones) and for values that make no operator (a kernel larger than the
// padded input, a non-positive extent, ...).
Workload get(const std::string& name, const std::map<std::string, int64_t>& shape = {});

}  // namespace kiln::workloads

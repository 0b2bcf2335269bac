#include "workloads/registry.h"

#include <algorithm>
#include <stdexcept>

#include "workloads/workloads.h"

namespace kiln::workloads {

namespace {

// The one table of workloads, sorted by name.
const std::vector<WorkloadDef>& table() {
  static const std::vector<WorkloadDef> defs = [] {
    std::vector<WorkloadDef> all;
    for (auto family : {matmul_workloads, conv2d_workloads, pooling_workloads,
                        normalization_workloads, elementwise_workloads, reduction_workloads}) {
      for (WorkloadDef& def : family()) all.push_back(std::move(def));
    }
    std::sort(all.begin(), all.end(),
              [](const WorkloadDef& a, const WorkloadDef& b) { return a.name < b.name; });
    return all;
  }();
  return defs;
}

const WorkloadDef& find(const std::string& name) {
  for (const WorkloadDef& def : table())
    if (def.name == name) return def;
  throw std::invalid_argument("unknown workload `" + name +
                              "`; the workloads are: " + join(list()));
}

}  // namespace

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

int64_t shape_value(const std::string& workload, const Shape& shape, const std::string& key,
                    int64_t min_value) {
  int64_t v = shape.at(key);
  if (v < min_value)
    invalid_shape(workload, key + " = " + std::to_string(v) + " but it must be at least " +
                                std::to_string(min_value));
  return v;
}

void invalid_shape(const std::string& workload, const std::string& what) {
  throw std::invalid_argument("workload " + workload + ": " + what);
}

std::vector<std::string> list() {
  std::vector<std::string> names;
  for (const WorkloadDef& def : table()) names.push_back(def.name);
  return names;
}

std::map<std::string, int64_t> default_shape(const std::string& name) {
  return find(name).defaults;
}

Workload get(const std::string& name, const std::map<std::string, int64_t>& shape) {
  const WorkloadDef& def = find(name);
  Shape full = def.defaults;
  for (const auto& [key, value] : shape) {
    if (!def.defaults.count(key)) {
      std::vector<std::string> keys;
      for (const auto& kv : def.defaults) keys.push_back(kv.first);
      throw std::invalid_argument("workload " + name + " has no shape parameter `" + key +
                                  "`; its parameters are: " + join(keys));
    }
    full[key] = value;
  }
  return Workload{def.name, full, def.build(full), def.description};
}

}  // namespace kiln::workloads

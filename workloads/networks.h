// Networks as the tuner sees them: the operators of a model, each a
// registered workload at its shape, with how many times it occurs (its
// weight in the network's total latency). Layers of the same shape are one
// operator with their counts added.
//
//   for (const NetworkOperator& op : workloads::network("resnet18")) ...
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kiln::workloads {

struct NetworkOperator {
  std::string workload;
  std::map<std::string, int64_t> shape;
  int count = 1;
  std::string layers;  // where it occurs ("layer1.0.conv1, layer1.0.conv2, ...")
};

// "bert_base_layer", "mobilenet_v2", "resnet18", "resnet50".
std::vector<std::string> networks();

// Throws std::invalid_argument for an unknown name, listing the known ones.
std::vector<NetworkOperator> network(const std::string& name);

}  // namespace kiln::workloads

#include "cost_model/training_set.h"

namespace kiln::cost_model {

TrainingSet TrainingSet::subset(const std::vector<size_t>& indices) const {
  TrainingSet out;
  out.tasks = tasks;
  out.targets = targets;
  for (size_t i : indices) {
    out.programs.push_back(programs.at(i));
    out.latencies_s.push_back(latencies_s.at(i));
    out.task_of.push_back(task_of.at(i));
  }
  return out;
}

}  // namespace kiln::cost_model

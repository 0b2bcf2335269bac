// TrainingSet: measured programs grouped by task, what a cost model learns
// from and is judged on (search/training_logs.h reads one from tuning logs).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cost_model/cost_model.h"

namespace kiln::cost_model {

struct TrainingSet {
  struct TaskInfo {
    std::string key;   // Program::task_key
    std::string name;  // for people: "conv2d_nhwc C=64,H=56,..." (a log's name and shape)
  };
  std::vector<TaskInfo> tasks;
  std::vector<std::shared_ptr<const Target>> targets;  // what the programs point to
  std::vector<Program> programs;
  std::vector<double> latencies_s;   // one per program
  std::vector<size_t> task_of;       // one per program: index into tasks

  // The programs at `indices`, with their latencies and tasks.
  TrainingSet subset(const std::vector<size_t>& indices) const;
};

}  // namespace kiln::cost_model

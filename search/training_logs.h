// The cost model's data from tuning logs: each valid measurement's trace
// replayed on its task's function and lowered as far as features are read
// (cost_model::kFeatureStage), with the latency measured.
//
//   const TrainingLogs logs = read_training_logs({"tuning_logs/a.jsonl"});
//   model->update(logs.data.programs, logs.data.latencies_s);
#pragma once

#include <string>
#include <vector>

#include "cost_model/training_set.h"
#include "search/record.h"

namespace kiln::search {

struct MeasuredPrograms {
  std::vector<cost_model::Program> programs;
  std::vector<double> latencies_s;
  size_t skipped = 0;  // records whose trace no longer applies or lowers
};

// The valid measurements among `records` (of `func` on `target`), one per
// program (the first measurement of each scheduled hash, as the search
// made it), replayed and lowered on `threads` threads (0: all). `target`
// must outlive the programs.
MeasuredPrograms measured_programs(const std::string& task_key, const ir::PrimFunc& func,
                                   const Target& target, const std::vector<TuningRecord>& records,
                                   int threads = 0);

// Every task of every log, each task once however many logs hold it. A
// log that cannot be read throws std::runtime_error; damaged lines and
// stale records are skipped (the database warns of the first, `skipped`
// counts the second).
struct TrainingLogs {
  cost_model::TrainingSet data;
  size_t skipped = 0;
};
TrainingLogs read_training_logs(const std::vector<std::string>& paths, int threads = 0);

}  // namespace kiln::search

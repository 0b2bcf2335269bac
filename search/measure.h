// measure: candidates of a task through the builder and the runner, each
// ending as a record (a measured latency, or the error it ended in), each
// committed to the database as soon as it exists.
//
//   LocalBuilder builder;
//   LocalRunner runner;
//   Database db("tuning_logs/matmul.jsonl");
//   std::vector<TuningRecord> records = measure(task, traces, builder, runner, &db);
#pragma once

#include <vector>

#include "schedule/trace.h"
#include "search/builder.h"
#include "search/database.h"
#include "search/record.h"
#include "search/runner.h"
#include "search/task.h"

namespace kiln::search {

struct MeasureInput {
  sched::Trace trace;
  int postproc_start = -1;  // where its postprocessing instructions start, if any
};

// One record per input, in order. Builds all, then runs them one by one
// (never building while a candidate is timed, so the builds do not disturb
// the timing on a machine with few cores).
std::vector<TuningRecord> measure(const Task& task, const std::vector<MeasureInput>& inputs,
                                  Builder& builder, Runner& runner, Database* database);
// The same for traces without postprocessing.
std::vector<TuningRecord> measure(const Task& task, const std::vector<sched::Trace>& traces,
                                  Builder& builder, Runner& runner, Database* database);

// The final word on a task: its `k` best programs in the database are built
// again and re-measured together, interleaved over `rounds` rounds; each gets
// a record of stage "final", and the fastest of them is marked the winner.
// Returns those records (empty when the database has no valid record).
std::vector<TuningRecord> measure_final(const Task& task, Database& database, Builder& builder,
                                        Runner& runner, size_t k = 5, int rounds = 20);

}  // namespace kiln::search

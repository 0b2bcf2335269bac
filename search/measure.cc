#include "search/measure.h"

#include <algorithm>

namespace kiln::search {

namespace {

TuningRecord new_record(const Task& task, const sched::Trace& trace, const BuildResult& build) {
  TuningRecord r;
  r.task_id = task.id();
  r.target = task.target().str();
  r.trace = trace;
  r.kiln_version = kiln_version();
  r.scheduled_hash = build.scheduled_hash;
  r.build_s = build.build_s;
  r.compile_s = build.compile_s;
  r.status = build.status;
  r.error = build.error;
  return r;
}

void take_run(TuningRecord& r, const RunResult& run) {
  r.status = run.status;
  r.error = run.error;
  r.latency = run.latency;
  r.max_error = run.max_error;
  r.run_s = run.run_s;
  r.kernel_s = run.kernel_s;
}

}  // namespace

std::vector<TuningRecord> measure(const Task& task, const std::vector<MeasureInput>& inputs,
                                  Builder& builder, Runner& runner, Database* database) {
  std::vector<BuildInput> builds_in;
  for (const MeasureInput& in : inputs) builds_in.push_back({&task, in.trace});
  const std::vector<BuildResult> builds = builder.build(builds_in);
  std::vector<TuningRecord> records;
  for (size_t i = 0; i < inputs.size(); ++i) {
    TuningRecord r = new_record(task, inputs[i].trace, builds[i]);
    r.postproc_start = inputs[i].postproc_start;
    if (builds[i].ok()) take_run(r, runner.run({{&task, &builds[i]}}).at(0));
    r.timestamp = utc_timestamp();
    if (database) database->commit(task, r);
    records.push_back(std::move(r));
  }
  return records;
}

std::vector<TuningRecord> measure(const Task& task, const std::vector<sched::Trace>& traces,
                                  Builder& builder, Runner& runner, Database* database) {
  std::vector<MeasureInput> inputs;
  for (const sched::Trace& t : traces) inputs.push_back({t, -1});
  return measure(task, inputs, builder, runner, database);
}

std::vector<TuningRecord> measure_final(const Task& task, Database& database, Builder& builder,
                                        Runner& runner, size_t k, int rounds) {
  const std::vector<TuningRecord> best = database.best(task.id(), task.target().str(), k);
  if (best.empty()) return {};
  std::vector<BuildInput> inputs;
  for (const TuningRecord& r : best) inputs.push_back({&task, r.trace});
  const std::vector<BuildResult> builds = builder.build(inputs);
  std::vector<RunInput> runs;
  std::vector<size_t> built;
  for (size_t i = 0; i < builds.size(); ++i)
    if (builds[i].ok()) runs.push_back({&task, &builds[i]}), built.push_back(i);
  const std::vector<RunResult> results = runner.run_interleaved(runs, rounds);
  std::vector<TuningRecord> records;
  for (size_t i = 0; i < builds.size(); ++i) {
    TuningRecord r = new_record(task, best[i].trace, builds[i]);
    r.postproc_start = best[i].postproc_start;
    r.stage = "final";
    const auto at = std::find(built.begin(), built.end(), i);
    if (at != built.end()) take_run(r, results[at - built.begin()]);
    records.push_back(std::move(r));
  }
  TuningRecord* winner = nullptr;
  for (TuningRecord& r : records)
    if (r.ok() && (!winner || r.latency.median_s < winner->latency.median_s)) winner = &r;
  if (winner) winner->winner = true;
  for (TuningRecord& r : records) {
    r.timestamp = utc_timestamp();
    database.commit(task, r);
  }
  return records;
}

}  // namespace kiln::search

#include "search/training_logs.h"

#include <map>
#include <optional>
#include <set>

#include "codegen/passes/pipeline.h"
#include "cost_model/features/features.h"
#include "ir/parser.h"
#include "runtime/for_each_index.h"
#include "schedule/schedule.h"
#include "search/database.h"

namespace kiln::search {

MeasuredPrograms measured_programs(const std::string& task_key, const ir::PrimFunc& func,
                                   const Target& target, const std::vector<TuningRecord>& records,
                                   int threads) {
  std::vector<const TuningRecord*> valid;
  std::set<std::string> seen;
  for (const TuningRecord& r : records)
    if (r.ok() && r.stage == "search" && r.latency.median_s > 0 && seen.insert(r.scheduled_hash).second)
      valid.push_back(&r);
  std::vector<std::optional<cost_model::Program>> made(valid.size());
  for_each_index(valid.size(), threads, [&](size_t i) {
    try {
      sched::Schedule sch(func);
      valid[i]->trace.apply_to(sch);
      made[i] = cost_model::Program{task_key, sch.func(), &target,
                                    codegen::lower_until(sch.func(), target, cost_model::kFeatureStage)};
    } catch (const std::exception&) {
      // A trace of another version of kiln or of the function: skipped.
    }
  });
  MeasuredPrograms out;
  for (size_t i = 0; i < valid.size(); ++i) {
    if (!made[i]) {
      ++out.skipped;
      continue;
    }
    out.programs.push_back(std::move(*made[i]));
    out.latencies_s.push_back(valid[i]->latency.median_s);
  }
  return out;
}

namespace {

// A network holds several tasks of one name (its matmuls): the shape tells
// them apart in an evaluation's rows.
std::string task_label(const StoredTask& t) {
  std::string label = t.name;
  const char* sep = " ";
  for (const auto& [dim, extent] : t.shape) {
    label += sep + dim + "=" + std::to_string(extent);
    sep = ",";
  }
  return label;
}

}  // namespace

TrainingLogs read_training_logs(const std::vector<std::string>& paths, int threads) {
  TrainingLogs out;
  cost_model::TrainingSet& data = out.data;
  std::map<std::string, size_t> task_index;  // by task key
  for (const std::string& path : paths) {
    const Database db(path);
    std::map<std::string, StoredTask> stored;
    for (StoredTask& t : db.tasks()) stored.emplace(t.id, std::move(t));
    for (const auto& [task_id, target_key] : db.task_targets()) {
      const auto task = stored.find(task_id);
      if (task == stored.end()) continue;
      const ir::PrimFunc func = ir::parse_prim_func(task->second.func_text);
      data.targets.push_back(std::make_shared<const Target>(target_key));
      const std::string key = task_id + " " + target_key;
      const auto [at, added] = task_index.emplace(key, data.tasks.size());
      if (added) data.tasks.push_back({key, task_label(task->second)});
      MeasuredPrograms m = measured_programs(key, func, *data.targets.back(),
                                             db.records(task_id, target_key), threads);
      out.skipped += m.skipped;
      for (size_t i = 0; i < m.programs.size(); ++i) {
        data.programs.push_back(std::move(m.programs[i]));
        data.latencies_s.push_back(m.latencies_s[i]);
        data.task_of.push_back(at->second);
      }
    }
  }
  return out;
}

}  // namespace kiln::search

#include "search/replay.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "ir/structural.h"
#include "schedule/error.h"

namespace kiln::search {

namespace {

std::string kind_of(const std::string& key) { return key.substr(0, key.find(' ')); }

// The target key whose records to replay: `key` when the log has valid ones
// there, else the target of the same kind with the most valid records of the
// task (a log tuned on another CPU or GPU: its best program is a good start,
// though not the best here), else `key` (and nothing to replay).
std::string source_target(const Database& database, const std::string& task_id,
                          const std::string& key) {
  std::string source = key;
  size_t most = 0;
  for (const auto& [id, target] : database.task_targets()) {
    if (id != task_id || kind_of(target) != kind_of(key)) continue;
    size_t valid = 0;
    for (const TuningRecord& r : database.records(id, target)) valid += r.ok();
    if (target == key && valid > 0) return key;
    if (valid > most) most = valid, source = target;
  }
  return source;
}

}  // namespace

Replayed replay(const Database& database, const ir::PrimFunc& func, const Target& target) {
  const std::string task_id = hex_hash(ir::structural_hash(func));
  const std::string key = target.str();
  const std::string source = source_target(database, task_id, key);
  std::vector<std::string> warnings;
  if (source != key) {
    warnings.push_back(database.path() + " was tuned for `" + source + "`, not for `" + key +
                       "`: replaying the best program found there, which may not be the best "
                       "here; tune on this target (resuming from the log) for that");
    std::fprintf(stderr, "kiln: %s\n", warnings.back().c_str());
  }
  // Winners first (the latest first), then every valid program by latency.
  std::vector<TuningRecord> order;
  const std::vector<TuningRecord> all = database.records(task_id, source);
  for (auto it = all.rbegin(); it != all.rend(); ++it)
    if (it->ok() && it->winner) order.push_back(*it);
  for (TuningRecord& r : database.best(task_id, source, std::numeric_limits<size_t>::max()))
    order.push_back(std::move(r));
  for (const TuningRecord& r : order) {
    sched::Schedule sch(func);
    try {
      r.trace.apply_to(sch);
    } catch (const sched::ScheduleError& e) {
      warnings.push_back(database.path() + ": the record of " + r.timestamp + " (" +
                         std::to_string(r.latency.median_s * 1e3) +
                         " ms) no longer applies and is skipped: " + e.primitive() + ": " +
                         e.message());
      std::fprintf(stderr, "kiln: %s\n", warnings.back().c_str());
      continue;
    }
    Module module = build(sch.func(), target);
    return {std::move(sch), r, std::move(module), std::move(warnings)};
  }
  size_t others = 0;
  for (const StoredTask& t : database.tasks()) others += t.id != task_id;
  throw std::runtime_error(
      "tuning log `" + database.path() + "` has no usable record of this function (task " +
      task_id + ") on `" + key + "`: " + std::to_string(all.size()) + " records of it there, " +
      std::to_string(order.size()) + " valid" +
      (order.empty() ? "" : ", none of which applies any more") + "; the log holds " +
      std::to_string(others) + " other task(s)" +
      "; tune it first, or replay with the target the log was written for");
}

}  // namespace kiln::search

// replay: the best kernel a tuning log holds for a function on a target,
// rebuilt by replaying its trace on the function (never by loading a binary,
// so logs outlive rebuilds and upgrades of kiln and LLVM).
//
//   Database db("tuning_logs/matmul.jsonl");
//   Replayed best = replay(db, func, Target("llvm"));
//   best.module(a, b, c);  best.record.latency.median_s;
#pragma once

#include <string>
#include <vector>

#include "codegen/build.h"
#include "schedule/schedule.h"
#include "search/database.h"

namespace kiln::search {

struct Replayed {
  sched::Schedule schedule;  // the replayed schedule (its trace, its function)
  TuningRecord record;       // the record it came from
  Module module;             // built for the target
  std::vector<std::string> warnings;  // records skipped on the way
};

// The winner of the final re-measurement if there is one, else the fastest
// valid record; a record whose trace no longer applies to `func` is skipped
// with a warning naming it (on stderr and in `warnings`), and the next best
// tried. When the log has no valid record of `func` on `target` but has some
// on another target of the same kind (tuned on another CPU), those are
// replayed, with a warning saying so (`record.target` names where it was
// measured). Throws std::runtime_error when the log has no usable record for
// `func` on a target of that kind (saying what it has).
Replayed replay(const Database& database, const ir::PrimFunc& func, const Target& target);

}  // namespace kiln::search

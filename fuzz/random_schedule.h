// Random legal schedules: applies randomly chosen primitives with random
// arguments to a schedule. A choice the schedule refuses (ScheduleError) is
// dropped; the schedule must then be exactly as it was, which is checked.
#pragma once

#include <map>
#include <string>

#include "schedule/schedule.h"

namespace kiln::fuzz {

struct ScheduleStats {
  std::map<std::string, int64_t> applied;  // primitive -> times it succeeded
  std::map<std::string, int64_t> refused;  // primitive -> ScheduleErrors
};

struct RandomScheduleOptions {
  // false: never bind loops to GPU thread axes (schedules for a CPU target).
  bool thread_binding = true;
};

// Tries `steps` random primitives on `sch`. Throws std::logic_error when a
// refused primitive changed the schedule.
void apply_random_primitives(sched::Schedule& sch, sched::RandomEngine& rng, int steps,
                             ScheduleStats* stats, const RandomScheduleOptions& options = {});

// The primitives the generator knows how to call.
std::vector<std::string> fuzzed_primitives();

}  // namespace kiln::fuzz

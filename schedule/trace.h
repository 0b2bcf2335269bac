// Trace: the instructions a schedule applied, with the decisions of its
// sampling instructions. It prints as the Python program a user would have
// written, serializes to JSON, and replays onto the original function.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "schedule/instruction.h"

namespace kiln::sched {

class Trace {
 public:
  const std::vector<Instruction>& instructions() const { return insts_; }
  const std::map<size_t, Decision>& decisions() const { return decisions_; }
  size_t size() const { return insts_.size(); }

  void append(Instruction inst, std::optional<Decision> decision = std::nullopt);
  std::optional<Decision> decision_of(size_t index) const;
  // A copy whose instruction `index` (a sampling one) has decision `d`.
  Trace with_decision(size_t index, Decision d) const;
  // The first `n` instructions, with their decisions.
  Trace prefix(size_t n) const;
  // Without the queries (get_block, get_loops, ...) whose outputs nothing
  // after them uses: the same schedule, replayed with less work.
  Trace without_dead_code() const;
  // Without any decision: replayed, every sampling instruction draws anew
  // (a sketch).
  Trace without_decisions() const;

  // `b0 = sch.get_block("C")` ... one line per instruction.
  std::string as_python() const;

  // {"version": 1, "instructions": [...], "decisions": [[index, decision], ...]}
  nlohmann::json to_json() const;
  // Throws std::invalid_argument naming the bad part of `json`.
  static Trace from_json(const nlohmann::json& json);

  // Applies the instructions, in order, to `sch` (normally a fresh schedule
  // of the function the trace was recorded on), with this trace's decisions.
  void apply_to(Schedule& sch) const;

 private:
  std::vector<Instruction> insts_;
  std::map<size_t, Decision> decisions_;
};

}  // namespace kiln::sched

// TuningRecord: one measurement of one candidate (a trace of a task on a
// target), or the error it ended in. Records are what the database keeps
// (one JSON line each; tuning_logs/README.md documents every field), what
// replay rebuilds kernels from, and what the cost model learns from.
#pragma once

#include <array>
#include <cmath>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "schedule/trace.h"

namespace kiln::search {

// How a measurement ended. Every error is its own kind, so that a tuning
// report can say what went wrong how often.
namespace status {
inline constexpr const char* kOk = "ok";
inline constexpr const char* kBuildError = "build_error";      // refused or failed to compile
inline constexpr const char* kBuildCrash = "build_crash";      // the compiling process died
inline constexpr const char* kBuildTimeout = "build_timeout";  // compiling took too long
inline constexpr const char* kRunCrash = "run_crash";          // the kernel killed its process
inline constexpr const char* kRunTimeout = "run_timeout";      // the kernel ran too long
inline constexpr const char* kRunError = "run_error";          // the runtime reported an error
inline constexpr const char* kOutOfMemory = "out_of_memory";   // an allocation failed
inline constexpr const char* kWrongResult = "wrong_result";    // outputs differ from the reference
}  // namespace status

struct Latency {
  std::vector<double> samples_s;  // seconds per call, one per sample
  int number = 0;                 // calls per sample
  double median_s = 0;
  double min_s = 0;
  std::array<double, 2> ci95_s = {0, 0};
  bool flushed = false;  // caches flushed before each sample
  int array_offset = 0;  // bytes past a 64-byte boundary the arrays started at
};

struct TuningRecord {
  std::string task_id;     // Task::id()
  std::string target;      // Target::str()
  sched::Trace trace;      // the candidate
  // Where the postprocessors' instructions start in `trace` (-1: it has
  // none); the part before is what the search mutates.
  int postproc_start = -1;
  std::string scheduled_hash;  // hex structural hash of the scheduled function ("" if none)
  std::string status = status::kOk;
  std::string error;       // what happened, for errors
  Latency latency;         // for status ok
  double max_error = NAN;  // largest |output - reference| (NaN: not checked)
  double build_s = 0;      // the builder's wall time for this candidate
  double compile_s = 0;    // of which lowering and LLVM / NVRTC
  double run_s = 0;        // the runner's wall time for this candidate
  double kernel_s = 0;     // of which the kernel's own calls
  std::string timestamp;   // UTC, ISO 8601
  // "search": measured once during the search; "final": re-measured with
  // the other best candidates of the task, interleaved.
  std::string stage = "search";
  bool winner = false;     // the task's best after the final re-measurement
  std::string kiln_version;

  bool ok() const { return status == status::kOk; }
};

// The record's line (without the task and target it refers to), its fields
// in the order tuning_logs/README.md lists them.
nlohmann::ordered_json record_to_json(const TuningRecord& record);
// Throws std::invalid_argument naming the missing or bad field.
TuningRecord record_from_json(const nlohmann::json& json);

// Now, as the records write it: "2026-12-07T11:04:05.123Z".
std::string utc_timestamp();

// kiln's version ("0.1.0").
const char* kiln_version();

}  // namespace kiln::search

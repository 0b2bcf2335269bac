// The differential schedule fuzzer behind `kiln fuzz`.
//
// Each trace: a workload at a small, odd shape; a Schedule seeded with the
// trace's seed; a few random primitives (fuzz/random_schedule.h; for a GPU
// target, a random GPU schedule: fuzz/random_gpu_schedule.h). Then three
// checks against oracles:
//   1. the interpreter gives the original function's outputs;
//   2. trace -> JSON -> replay on the original gives a structurally equal function;
//   3. print -> parse gives a structurally equal function;
//   4. with a build target, the compiled kernel gives the same outputs.
// A failed check is a mismatch; any other exception is a crash. Both print
// the workload, the seed and the trace, which is all a replay needs.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

namespace kiln::fuzz {

struct FuzzOptions {
  int64_t traces = 100;
  uint64_t seed = 0;
  std::string workload;  // empty: all registered workloads, round robin
  int steps = 8;         // primitives tried per trace
  std::string build;     // "" (interpreter only), or a target to compile for: "llvm", ...
};

struct FuzzReport {
  int64_t traces = 0;
  int64_t mismatches = 0;
  int64_t crashes = 0;
  // GPU targets: traces skipped because the random schedule left a root loop
  // nest unbound to GPU threads (fuzz/random_gpu_schedule.h).
  int64_t not_gpu_valid = 0;
  std::map<std::string, int64_t> traces_per_workload;
  std::map<std::string, int64_t> applied;  // primitive -> successful applications
  std::map<std::string, int64_t> refused;  // primitive -> ScheduleErrors
};

// Runs the fuzzer; writes a line per failure (with its replay recipe) and a
// progress line now and then to `log`. Throws std::invalid_argument for a GPU
// target whose device is missing here (no CUDA driver, no OpenCL platform).
FuzzReport run_fuzz(const FuzzOptions& options, std::ostream& log);

// The small shape the fuzzer uses for a workload (odd sizes to exercise
// non-dividing splits).
std::map<std::string, int64_t> fuzz_shape(const std::string& workload);

}  // namespace kiln::fuzz

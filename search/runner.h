// Runner: runs built candidates on the device being tuned for, one at a time,
// checks each output against the task's reference (search/reference.h), and
// times it with the runtime's protocol (runtime/time_evaluator.h). An
// interface, like Builder.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/time_evaluator.h"
#include "search/builder.h"
#include "search/record.h"
#include "search/task.h"

namespace kiln::search {

struct RunInput {
  const Task* task;
  const BuildResult* build;  // ok
};

struct RunResult {
  std::string status;  // status::kOk or a run_* kind, out_of_memory, wrong_result
  std::string error;
  Latency latency;        // when ok
  double max_error = NAN;  // when the outputs were compared
  double run_s = 0;       // wall time for this candidate
  double kernel_s = 0;    // of which the kernel's own calls
  bool ok() const { return status == "ok"; }
};

// The runtime's protocol with a budget: a slow candidate (it will not be the
// best) is measured with fewer samples instead of for longer.
inline runtime::TimingOptions runner_timing() {
  runtime::TimingOptions o;
  o.budget_ms = 200;
  return o;
}

struct RunnerOptions {
  runtime::TimingOptions timing = runner_timing();
  // Where the arguments' data start past a 64-byte boundary. 16: as NumPy's
  // large arrays do, so that a record says what a NumPy caller gets
  // (including the copy of an array a kernel wants on a cache line).
  int array_offset = 16;
  double timeout_s = 60;    // per candidate (per batch when interleaved)
  std::string worker_path;  // "": default_worker_path()
};

class Runner {
 public:
  virtual ~Runner() = default;
  // One result per input, in order, each timed on its own.
  virtual std::vector<RunResult> run(const std::vector<RunInput>& inputs) = 0;
  // Candidates of one task timed together: each is checked and calibrated,
  // then `rounds` rounds take one sample of each in turn, so that a machine
  // that slows down or speeds up meanwhile affects them alike.
  virtual std::vector<RunResult> run_interleaved(const std::vector<RunInput>& inputs,
                                                 int rounds) = 0;
};

// Runs in one worker process on this machine (started again after a crash
// or a hang). References are computed here, once per task, and handed to the
// worker in files under a temporary folder.
class LocalRunner : public Runner {
 public:
  LocalRunner();
  explicit LocalRunner(RunnerOptions options);
  ~LocalRunner() override;
  std::vector<RunResult> run(const std::vector<RunInput>& inputs) override;
  std::vector<RunResult> run_interleaved(const std::vector<RunInput>& inputs, int rounds) override;
  const RunnerOptions& options() const { return options_; }

 private:
  // Runs `inputs` (all of one task) in one request.
  std::vector<RunResult> run_batch(const std::vector<RunInput>& inputs, int rounds);
  const std::string& reference_file(const Task& task);
  class Workers;

  RunnerOptions options_;
  std::string folder_;
  std::map<std::string, std::string> reference_files_;  // task key -> file
  std::unique_ptr<Workers> workers_;
};

}  // namespace kiln::search

// Builder: turns candidates (a task and a trace) into artifacts another
// process can load (codegen/artifact.h), or into the error each ends in. An
// interface, so that a distributed backend can replace the local one without
// the search knowing.
#pragma once

#include <string>
#include <vector>

#include "schedule/trace.h"
#include "search/task.h"

namespace kiln::search {

struct BuildInput {
  const Task* task;
  sched::Trace trace;
};

struct BuildResult {
  std::string status;          // status::kOk or a build_* kind (search/record.h)
  std::string error;
  std::string artifact;        // serialized, when ok
  std::string scheduled_hash;  // of the scheduled function, when the trace applied
  double build_s = 0;          // wall time for this candidate
  double compile_s = 0;        // of which lowering and LLVM / NVRTC
  bool ok() const { return status == "ok"; }
};

class Builder {
 public:
  virtual ~Builder() = default;
  // One result per input, in order. Never throws for a bad candidate.
  virtual std::vector<BuildResult> build(const std::vector<BuildInput>& inputs) = 0;
};

// Builds in worker processes on this machine, as many at once as there are
// workers; a crash or a hang costs one candidate.
class LocalBuilder : public Builder {
 public:
  struct Options {
    int workers = 0;          // 0: one per hardware thread
    double timeout_s = 60;    // per candidate
    std::string worker_path;  // "": default_worker_path()
  };
  LocalBuilder();
  explicit LocalBuilder(Options options);
  ~LocalBuilder() override;
  std::vector<BuildResult> build(const std::vector<BuildInput>& inputs) override;

 private:
  struct Pool;
  Options options_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace kiln::search

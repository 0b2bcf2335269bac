// What a worker process does with each request (search/worker/main.cc reads
// them one by one). In-process callers (tests) use the same functions.
//
//   build  {"op": "build", "task": id, "target": key, "trace": {...}}
//          payloads: [the task's function in text form]
//     ->   {"status": "ok", "scheduled_hash": hex, "times": {...}}, payloads: [artifact]
//          or {"status": "build_error", "error": "..."}
//
//   run    {"op": "run", "reference": path, "timing": {...}, "array_offset": 16,
//           "rounds": 0}
//          payloads: [artifact, ...] (one per candidate of the task)
//     ->   {"results": [{"status", "error", "latency", "max_error", "kernel_s"}, ...]}
//          With "rounds" > 0 the candidates are timed interleaved: every
//          candidate is checked and calibrated first, then each round takes
//          one sample of each in turn.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "ir/function.h"
#include "search/reference.h"
#include "search/worker_protocol.h"

namespace kiln::search {

// What a worker keeps between requests: parsed functions and references.
class WorkerState {
 public:
  const ir::PrimFunc& function(const std::string& task_id, const std::string& text);
  const Reference& reference(const std::string& path);

 private:
  std::map<std::string, ir::PrimFunc> functions_;
  std::map<std::string, std::unique_ptr<Reference>> references_;
};

// Answers one request; never throws for a bad candidate (its error is in the
// reply). Throws std::invalid_argument for a malformed request.
Message handle_request(const Message& request, WorkerState& state);

}  // namespace kiln::search

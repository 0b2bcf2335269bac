// kiln_worker: the process the tuner compiles and runs candidates in
// (search/worker_process.h starts it). It answers requests on fd 3, one at a
// time (search/worker_ops.h), until the tuner closes the socket. A candidate
// that crashes or hangs takes this process with it, and only it.
#include <cstdio>
#include <exception>

#include "runtime/staging.h"
#include "search/worker_ops.h"

int main() {
  using namespace kiln::search;
  // Records say what copies cost; the user's terminal needs no line per candidate.
  kiln::runtime::set_report_copies(false);
  WorkerState state;
  for (;;) {
    Message request;
    try {
      std::optional<Message> next = read_message(kWorkerSocketFd);
      if (!next) return 0;
      request = std::move(*next);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "kiln_worker: %s\n", e.what());
      return 1;
    }
    Message reply;
    try {
      reply = handle_request(request, state);
    } catch (const std::exception& e) {
      reply.header = {{"error", e.what()}};
    }
    try {
      write_message(kWorkerSocketFd, reply);
    } catch (const std::exception&) {
      return 0;  // the tuner is gone
    }
  }
}

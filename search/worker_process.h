// WorkerProcess: a kiln_worker child process (search/worker/main.cc), started
// with posix_spawn (exec'd, never a bare fork: CUDA does not survive fork),
// spoken to over a Unix socket. A request that crashes the worker, or that
// outlasts its time limit, costs that request: the worker is killed and a
// new one starts with the next request.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "search/worker_protocol.h"

namespace kiln::search {

class WorkerProcess {
 public:
  // `env`: variables set for the worker on top of this process's.
  WorkerProcess(std::string executable, std::map<std::string, std::string> env = {});
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  struct Outcome {
    enum Kind { kReply, kDied, kTimedOut } kind = kReply;
    Message reply;    // kReply
    std::string how;  // kDied: "killed by SIGSEGV (Segmentation fault)", "exited with status 1"
  };
  // Sends `request` (starting the worker first if it is not running) and
  // waits at most `timeout_s` for the reply. Throws std::runtime_error when
  // the worker cannot be started.
  Outcome call(const Message& request, double timeout_s);

  // Kills the worker (if running) and reaps it.
  void stop();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

 private:
  void start();
  // Reaps the worker after its socket closed: how it ended.
  std::string reap();

  std::string executable_;
  std::map<std::string, std::string> env_;
  pid_t pid_ = -1;
  int socket_ = -1;
};

// The kiln_worker executable: $KILN_WORKER, else a kiln_worker next to the
// library this code is in (an installed Python package), else the one of the
// installed C++ package the program was built with (find_package(kiln)),
// else the one this build of kiln made. Throws std::runtime_error naming the
// places looked at when there is none.
std::string default_worker_path();

}  // namespace kiln::search

#include "search/worker_process.h"

#include <dlfcn.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

extern char** environ;

// Defined in a program that links an installed kiln's kiln::kiln
// (cmake/kiln_worker_location.cc): the installed kiln_worker. Weak, so it
// is null in any other program.
extern "C" __attribute__((weak)) const char* kiln_installed_worker_path();

namespace kiln::search {

WorkerProcess::WorkerProcess(std::string executable, std::map<std::string, std::string> env)
    : executable_(std::move(executable)), env_(std::move(env)) {}

WorkerProcess::~WorkerProcess() { stop(); }

void WorkerProcess::start() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::runtime_error(std::string("worker: socketpair: ") + std::strerror(errno));
  // The child's end becomes fd 3 (dup2 clears close-on-exec there only).
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], kWorkerSocketFd);
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (!env_.count(name)) env_text.push_back(entry);
  }
  for (const auto& [name, value] : env_) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = executable_;
  char* argv[] = {arg0.data(), nullptr};
  pid_t pid = -1;
  const int err = posix_spawn(&pid, executable_.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (err != 0) {
    ::close(fds[0]);
    throw std::runtime_error("cannot start the worker `" + executable_ + "`: " +
                             std::strerror(err) +
                             "; set KILN_WORKER to the kiln_worker program kiln built");
  }
  pid_ = pid;
  socket_ = fds[0];
}

std::string WorkerProcess::reap() {
  ::close(socket_);
  socket_ = -1;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  pid_ = -1;
  if (r < 0) return "vanished";
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    return std::string("killed by SIG") + (abbrev ? abbrev : std::to_string(sig).c_str()) + " (" +
           strsignal(sig) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

void WorkerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  reap();
}

WorkerProcess::Outcome WorkerProcess::call(const Message& request, double timeout_s) {
  if (pid_ <= 0) start();
  Outcome out;
  try {
    write_message(socket_, request);
  } catch (const std::runtime_error&) {
    // It died before it could read: say how.
    out.kind = Outcome::kDied;
    out.how = reap();
    return out;
  }
  switch (read_message_until(socket_, seconds_now() + timeout_s, &out.reply)) {
    case ReadOutcome::kMessage:
      return out;
    case ReadOutcome::kClosed:
      out.kind = Outcome::kDied;
      out.how = reap();
      return out;
    case ReadOutcome::kTimedOut:
      out.kind = Outcome::kTimedOut;
      stop();
      return out;
  }
  return out;
}

std::string default_worker_path() {
  std::vector<std::string> tried;
  auto usable = [&](const std::string& path) {
    tried.push_back(path);
    return !path.empty() && ::access(path.c_str(), X_OK) == 0;
  };
  if (const char* env = std::getenv("KILN_WORKER"); env && *env) {
    if (usable(env)) return env;
    throw std::runtime_error(std::string("KILN_WORKER=") + env +
                             " is not an executable file; point it at the kiln_worker program");
  }
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&default_worker_path), &info) && info.dli_fname) {
    const std::filesystem::path beside =
        std::filesystem::path(info.dli_fname).parent_path() / "kiln_worker";
    if (usable(beside.string())) return beside.string();
  }
  if (kiln_installed_worker_path != nullptr && usable(kiln_installed_worker_path()))
    return kiln_installed_worker_path();
#ifdef KILN_WORKER_BUILD_PATH
  if (usable(KILN_WORKER_BUILD_PATH)) return KILN_WORKER_BUILD_PATH;
#endif
  std::string list;
  for (const std::string& t : tried) list += (list.empty() ? "" : ", ") + t;
  throw std::runtime_error("no kiln_worker program found (looked at " + list +
                           "); build kiln (it makes one), install it with `cmake --install "
                           "<build> --component cpp`, or set KILN_WORKER to it");
}

}  // namespace kiln::search

#include "search/runner.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "search/reference.h"
#include "search/worker_process.h"

namespace kiln::search {

using nlohmann::json;

// One worker per thread count the tasks ask for (KILN_NUM_THREADS is read
// when a process's pool starts).
class LocalRunner::Workers {
 public:
  explicit Workers(std::string path) : path_(std::move(path)) {}
  WorkerProcess& for_task(const Task& task) {
    const std::string threads = std::to_string(task.target().kind() == "llvm" ? task.target().num_cores : 1);
    auto it = workers_.find(threads);
    if (it == workers_.end())
      it = workers_.emplace(threads, std::make_unique<WorkerProcess>(
                                         path_, std::map<std::string, std::string>{
                                                    {"KILN_NUM_THREADS", threads}}))
               .first;
    return *it->second;
  }

 private:
  std::string path_;
  std::map<std::string, std::unique_ptr<WorkerProcess>> workers_;
};

namespace {

constexpr char kFolderPrefix[] = "kiln-runner-";

// Removes the temporary folders of runners whose process is gone: a run
// killed with SIGKILL never reaches the destructor, and each folder may hold
// megabytes of reference outputs. A folder's name carries its owner's pid;
// one whose owner still runs (or whose pid was reused) is left alone.
void remove_orphaned_folders(const std::filesystem::path& temp) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(temp, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kFolderPrefix, 0) != 0) continue;
    const char* digits = name.c_str() + sizeof(kFolderPrefix) - 1;
    char* end = nullptr;
    const long pid = std::strtol(digits, &end, 10);
    if (end == digits || *end != '-' || pid <= 0) continue;  // not a name this code makes
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::filesystem::remove_all(entry.path(), ec);
  }
}

}  // namespace

LocalRunner::LocalRunner() : LocalRunner(RunnerOptions{}) {}

LocalRunner::LocalRunner(RunnerOptions options) : options_(std::move(options)) {
  if (options_.worker_path.empty()) options_.worker_path = default_worker_path();
  const std::filesystem::path temp = std::filesystem::temp_directory_path();
  remove_orphaned_folders(temp);
  std::string pattern =
      (temp / (kFolderPrefix + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("LocalRunner: cannot make a temporary folder " + pattern);
  folder_ = pattern;
  workers_ = std::make_unique<Workers>(options_.worker_path);
}

LocalRunner::~LocalRunner() {
  workers_.reset();
  std::error_code ec;
  std::filesystem::remove_all(folder_, ec);
}

const std::string& LocalRunner::reference_file(const Task& task) {
  auto it = reference_files_.find(task.key());
  if (it != reference_files_.end()) return it->second;
  const Reference ref = make_reference(task);
  const std::string path = folder_ + "/" + task.id() + "-" + std::to_string(reference_files_.size()) + ".ref";
  std::ofstream out(path, std::ios::binary);
  out << ref.serialize();
  if (!out) throw std::runtime_error("LocalRunner: cannot write " + path);
  return reference_files_.emplace(task.key(), path).first->second;
}

namespace {

json timing_json(const runtime::TimingOptions& o) {
  const char* flush = o.flush == runtime::CacheFlush::kOn    ? "on"
                      : o.flush == runtime::CacheFlush::kOff ? "off"
                                                             : "auto";
  return {{"warmup", o.warmup}, {"number", o.number}, {"repeat", o.repeat},
          {"min_repeat_ms", o.min_repeat_ms}, {"budget_ms", o.budget_ms}, {"flush", flush}};
}

RunResult result_from_json(const json& j) {
  RunResult r;
  r.status = j.value("status", std::string(status::kRunError));
  r.error = j.value("error", std::string());
  if (j.contains("max_error") && j["max_error"].is_number()) r.max_error = j["max_error"].get<double>();
  r.kernel_s = j.value("kernel_s", 0.0);
  if (r.ok()) {
    const json& l = j.at("latency");
    r.latency.median_s = l.at("median_s").get<double>();
    r.latency.min_s = l.at("min_s").get<double>();
    r.latency.ci95_s = l.at("ci95_s").get<std::array<double, 2>>();
    r.latency.samples_s = l.at("samples_s").get<std::vector<double>>();
    r.latency.number = l.at("number").get<int>();
    r.latency.flushed = l.at("flushed").get<bool>();
    r.latency.array_offset = l.at("array_offset").get<int>();
  }
  return r;
}

}  // namespace

std::vector<RunResult> LocalRunner::run_batch(const std::vector<RunInput>& inputs, int rounds) {
  std::vector<RunResult> results(inputs.size());
  if (inputs.empty()) return results;
  const Task& task = *inputs[0].task;
  Message request;
  try {
    request.header = {{"op", "run"},
                      {"reference", reference_file(task)},
                      {"timing", timing_json(options_.timing)},
                      {"array_offset", task.target().is_gpu() ? 0 : options_.array_offset},
                      {"rounds", rounds}};
  } catch (const std::exception& e) {
    for (RunResult& r : results) r.status = status::kRunError, r.error = e.what();
    return results;
  }
  for (const RunInput& in : inputs) request.payloads.push_back(in.build->artifact);
  const double start = seconds_now();
  WorkerProcess::Outcome out;
  try {
    out = workers_->for_task(task).call(request, options_.timeout_s * inputs.size());
  } catch (const std::exception& e) {
    for (RunResult& r : results) r.status = status::kRunCrash, r.error = e.what();
    return results;
  }
  const double seconds = (seconds_now() - start) / inputs.size();
  for (size_t i = 0; i < inputs.size(); ++i) {
    RunResult& r = results[i];
    if (out.kind == WorkerProcess::Outcome::kTimedOut) {
      r.status = status::kRunTimeout;
      r.error = "running took more than " + std::to_string(options_.timeout_s) + " s";
    } else if (out.kind == WorkerProcess::Outcome::kDied) {
      r.status = status::kRunCrash;
      r.error = "the kernel's process was " + out.how;
    } else if (!out.reply.header.contains("results")) {
      r.status = status::kRunError;
      r.error = out.reply.header.value("error", std::string("the worker gave no results"));
    } else {
      r = result_from_json(out.reply.header["results"].at(i));
    }
    r.run_s = seconds;
  }
  return results;
}

std::vector<RunResult> LocalRunner::run(const std::vector<RunInput>& inputs) {
  std::vector<RunResult> results;
  for (const RunInput& in : inputs) results.push_back(run_batch({in}, 0).at(0));
  return results;
}

std::vector<RunResult> LocalRunner::run_interleaved(const std::vector<RunInput>& inputs,
                                                    int rounds) {
  if (rounds < 1) throw std::invalid_argument("run_interleaved: rounds must be at least 1");
  for (const RunInput& in : inputs)
    if (in.task->key() != inputs[0].task->key())
      throw std::invalid_argument("run_interleaved: the candidates must be of one task");
  return run_batch(inputs, rounds);
}

}  // namespace kiln::search

#include "search/builder.h"

#include <atomic>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "ir/printer.h"
#include "search/record.h"
#include "search/worker_process.h"

namespace kiln::search {

struct LocalBuilder::Pool {
  std::vector<std::unique_ptr<WorkerProcess>> workers;
};

LocalBuilder::LocalBuilder() : LocalBuilder(Options{}) {}

LocalBuilder::LocalBuilder(Options options) : options_(std::move(options)), pool_(new Pool) {
  if (options_.workers <= 0)
    options_.workers = std::max(1u, std::thread::hardware_concurrency());
  if (options_.worker_path.empty()) options_.worker_path = default_worker_path();
  for (int i = 0; i < options_.workers; ++i)
    pool_->workers.push_back(std::make_unique<WorkerProcess>(options_.worker_path));
}

LocalBuilder::~LocalBuilder() = default;

std::vector<BuildResult> LocalBuilder::build(const std::vector<BuildInput>& inputs) {
  std::vector<BuildResult> results(inputs.size());
  std::map<std::string, std::string> texts;  // task id -> function text
  for (const BuildInput& in : inputs)
    if (!texts.count(in.task->id())) texts[in.task->id()] = ir::to_script(in.task->func());
  std::atomic<size_t> next{0};
  auto work = [&](WorkerProcess& worker) {
    for (size_t i; (i = next.fetch_add(1)) < inputs.size();) {
      const BuildInput& in = inputs[i];
      BuildResult& r = results[i];
      Message request;
      request.header = {{"op", "build"},
                        {"task", in.task->id()},
                        {"target", in.task->target().str()},
                        {"trace", in.trace.to_json()}};
      request.payloads = {texts.at(in.task->id())};
      const double start = seconds_now();
      WorkerProcess::Outcome out;
      try {
        out = worker.call(request, options_.timeout_s);
      } catch (const std::exception& e) {  // the worker cannot start at all
        r.status = status::kBuildCrash;
        r.error = e.what();
        continue;
      }
      r.build_s = seconds_now() - start;
      if (out.kind == WorkerProcess::Outcome::kTimedOut) {
        r.status = status::kBuildTimeout;
        r.error = "compiling took more than " + std::to_string(options_.timeout_s) + " s";
      } else if (out.kind == WorkerProcess::Outcome::kDied) {
        r.status = status::kBuildCrash;
        r.error = "the compiling process was " + out.how;
      } else {
        const nlohmann::json& h = out.reply.header;
        r.status = h.value("status", std::string(status::kBuildError));
        r.error = h.value("error", std::string());
        r.scheduled_hash = h.value("scheduled_hash", std::string());
        r.compile_s = h.value("compile_ms", 0.0) * 1e-3;
        if (r.ok()) r.artifact = std::move(out.reply.payloads.at(0));
      }
    }
  };
  std::vector<std::thread> threads;
  const size_t used = std::min(pool_->workers.size(), inputs.size());
  for (size_t w = 0; w < used; ++w) threads.emplace_back(work, std::ref(*pool_->workers[w]));
  for (std::thread& t : threads) t.join();
  return results;
}

}  // namespace kiln::search

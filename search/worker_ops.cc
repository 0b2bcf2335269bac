#include "search/worker_ops.h"

#include <chrono>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>

#include "codegen/build.h"
#include "ir/parser.h"
#include "ir/structural.h"
#include "runtime/time_evaluator.h"
#include "schedule/error.h"
#include "schedule/schedule.h"
#include "search/record.h"
#include "search/task.h"

namespace kiln::search {

using nlohmann::json;

const ir::PrimFunc& WorkerState::function(const std::string& task_id, const std::string& text) {
  auto it = functions_.find(task_id);
  if (it == functions_.end()) it = functions_.emplace(task_id, ir::parse_prim_func(text)).first;
  return it->second;
}

const Reference& WorkerState::reference(const std::string& path) {
  auto it = references_.find(path);
  if (it == references_.end()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the reference data `" + path + "`");
    std::stringstream bytes;
    bytes << in.rdbuf();
    it = references_.emplace(path, std::make_unique<Reference>(Reference::deserialize(bytes.str())))
             .first;
  }
  return *it->second;
}

namespace {

json error_reply(const char* kind, const std::string& message) {
  return {{"status", kind}, {"error", message}};
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Message build(const Message& request, WorkerState& state) {
  const json& h = request.header;
  Message reply;
  try {
    const Target target(h.at("target").get<std::string>());
    const ir::PrimFunc& func =
        state.function(h.at("task").get<std::string>(), request.payloads.at(0));
    sched::Schedule sch(func, 0, sched::ErrorRenderLevel::kFast);
    try {
      sched::Trace::from_json(h.at("trace")).apply_to(sch);
    } catch (const sched::ScheduleError& e) {
      reply.header = error_reply(status::kBuildError, std::string("the trace does not apply: ") + e.what());
      return reply;
    }
    codegen::Artifact artifact = compile(sch.func(), target);
    reply.header = {{"status", status::kOk},
                    {"scheduled_hash", hex_hash(ir::structural_hash(sch.func()))},
                    {"compile_ms", artifact.times.lower_ms + artifact.times.emit_ms +
                                       artifact.times.optimize_ms + artifact.times.codegen_ms}};
    reply.payloads.push_back(artifact.serialize());
  } catch (const BuildError& e) {
    reply.header = error_reply(status::kBuildError, e.what());
  } catch (const std::invalid_argument& e) {
    reply.header = error_reply(status::kBuildError, e.what());
  } catch (const std::logic_error& e) {
    reply.header = error_reply(status::kBuildError, std::string("kiln bug while compiling: ") + e.what());
  }
  return reply;
}

// One candidate's arguments: host memory placed `offset` bytes past a 64-byte
// boundary (as a caller's arrays would be), or device arrays for GPU modules.
class Arguments {
 public:
  Arguments(const Reference& ref, const Module& module, int offset) : ref_(ref) {
    const DLDeviceType device = module.node()->device_type();
    for (const ReferenceParam& p : ref.params) {
      const size_t bytes = p.output ? p.initial.size() : p.data.size();
      host_.emplace_back(bytes + 128, '\0');
      char* base = host_.back().data();
      const uintptr_t aligned = (reinterpret_cast<uintptr_t>(base) + 63) / 64 * 64;
      data_.push_back(reinterpret_cast<char*>(aligned + offset));
      shapes_.push_back(p.shape);
    }
    for (size_t i = 0; i < ref.params.size(); ++i) {
      DLTensor t{};
      t.data = data_[i];
      t.device = {kDLCPU, 0};
      t.ndim = static_cast<int>(shapes_[i].size());
      t.dtype = runtime::parse_dtype(ref.params[i].dtype.str());
      t.shape = shapes_[i].data();
      host_tensors_.push_back(t);
    }
    if (device != kDLCPU) {
      for (size_t i = 0; i < ref.params.size(); ++i)
        device_.push_back(runtime::NDArray::empty(shapes_[i], host_tensors_[i].dtype, {device, 0}));
    }
    reset();
    for (size_t i = 0; i < host_tensors_.size(); ++i)
      args_.push_back(device_.empty() ? &host_tensors_[i] : &device_[i].tensor());
  }

  // Inputs hold the reference's inputs, outputs their initial values.
  void reset() {
    for (size_t i = 0; i < ref_.params.size(); ++i) {
      const ReferenceParam& p = ref_.params[i];
      const std::string& bytes = p.output ? p.initial : p.data;
      std::memcpy(data_[i], bytes.data(), bytes.size());
      if (!device_.empty()) {
        runtime::NDArray host = runtime::NDArray::empty(shapes_[i], host_tensors_[i].dtype);
        std::memcpy(host.data(), bytes.data(), bytes.size());
        device_[i].copy_from(host);
      }
    }
  }

  // The outputs' data on the host (copied back from the device).
  std::vector<const void*> outputs() {
    std::vector<const void*> out(ref_.params.size(), nullptr);
    for (size_t i = 0; i < ref_.params.size(); ++i) {
      if (!ref_.params[i].output) continue;
      if (!device_.empty()) {
        runtime::NDArray host = runtime::NDArray::empty(shapes_[i], host_tensors_[i].dtype);
        host.copy_from(device_[i]);
        std::memcpy(data_[i], host.data(), ref_.params[i].initial.size());
      }
      out[i] = data_[i];
    }
    return out;
  }

  const std::vector<const DLTensor*>& tensors() const { return args_; }

 private:
  const Reference& ref_;
  std::vector<std::string> host_;
  std::vector<char*> data_;
  std::vector<std::vector<int64_t>> shapes_;
  std::vector<DLTensor> host_tensors_;
  std::vector<runtime::NDArray> device_;
  std::vector<const DLTensor*> args_;
};

// A candidate in a run request, from loading to its result.
struct Candidate {
  Module module;
  json result;  // {"status", ...}
  double kernel_ms = 0;
  std::vector<double> samples;
  int number = 0;
};

const char* runtime_error_kind(const std::string& what) {
  return what.find("KILN_ERROR_WORKSPACE") != std::string::npos ? status::kOutOfMemory
                                                                  : status::kRunError;
}

// Loads, calls once and checks; leaves result set only on failure. The
// candidates of a request share one set of arrays (made for the first that
// loads): interleaved timing then does not trade their pages in and out of
// the TLB, which would make every one of them slower than alone.
void prepare(Candidate& c, const std::string& bytes, const Reference& ref, int offset,
             std::unique_ptr<Arguments>& args) {
  try {
    c.module = load_artifact(codegen::Artifact::deserialize(bytes));
    if (!args) args = std::make_unique<Arguments>(ref, c.module, offset);
    args->reset();
    const auto start = std::chrono::steady_clock::now();
    c.module.entry()(args->tensors());
    c.kernel_ms += ms_since(start);
    const CheckResult check = check_outputs(ref, args->outputs());
    c.result["max_error"] = check.max_error;
    if (!check.ok) c.result.update(error_reply(status::kWrongResult, "wrong result: " + check.message));
  } catch (const std::bad_alloc&) {
    c.result.update(error_reply(status::kOutOfMemory, "out of memory while setting up the call"));
  } catch (const runtime::RuntimeError& e) {
    c.result.update(error_reply(runtime_error_kind(e.what()), e.what()));
  } catch (const std::exception& e) {
    c.result.update(error_reply(status::kRunError, e.what()));
  }
}

json latency_json(const runtime::TimingResult& t, int offset) {
  return {{"median_s", t.median_s}, {"min_s", t.min_s},      {"ci95_s", t.ci95_s},
          {"samples_s", t.samples_s}, {"number", t.number}, {"flushed", t.flushed},
          {"array_offset", offset}};
}

runtime::TimingOptions timing_options(const json& j) {
  runtime::TimingOptions o;
  o.warmup = j.value("warmup", o.warmup);
  o.number = j.value("number", o.number);
  o.repeat = j.value("repeat", o.repeat);
  o.min_repeat_ms = j.value("min_repeat_ms", o.min_repeat_ms);
  o.budget_ms = j.value("budget_ms", o.budget_ms);
  const std::string flush = j.value("flush", std::string("auto"));
  o.flush = flush == "on" ? runtime::CacheFlush::kOn
            : flush == "off" ? runtime::CacheFlush::kOff
                             : runtime::CacheFlush::kAuto;
  return o;
}

Message run(const Message& request, WorkerState& state) {
  const json& h = request.header;
  const Reference& ref = state.reference(h.at("reference").get<std::string>());
  const runtime::TimingOptions options = timing_options(h.at("timing"));
  const int offset = h.value("array_offset", 0);
  const int rounds = h.value("rounds", 0);
  std::vector<Candidate> candidates(request.payloads.size());
  std::unique_ptr<Arguments> args;
  for (size_t i = 0; i < candidates.size(); ++i) {
    candidates[i].result = {{"status", status::kOk}};
    prepare(candidates[i], request.payloads[i], ref, offset, args);
  }
  auto timed = [&](Candidate& c, const runtime::TimingOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    runtime::TimingResult t = runtime::time_kernel(c.module.entry(), args->tensors(), o);
    c.kernel_ms += ms_since(start);
    return t;
  };
  for (Candidate& c : candidates) {
    if (c.result["status"] != status::kOk) continue;
    try {
      if (rounds == 0) {
        c.result["latency"] = latency_json(timed(c, options), offset);
      } else {
        // Calibrate `number` with one sample; the rounds come after.
        runtime::TimingOptions once = options;
        once.repeat = 1;
        c.number = timed(c, once).number;
      }
    } catch (const runtime::RuntimeError& e) {
      c.result.update(error_reply(runtime_error_kind(e.what()), e.what()));
    }
  }
  for (int r = 0; r < rounds; ++r) {
    for (Candidate& c : candidates) {
      if (c.result["status"] != status::kOk) continue;
      runtime::TimingOptions one = options;
      // A warm-up call first: the sample then starts from the state a
      // sample of its own measurement would (pool awake, pages mapped).
      one.warmup = 1;
      one.repeat = 1;
      one.number = c.number;
      try {
        const runtime::TimingResult t = timed(c, one);
        c.samples.push_back(t.samples_s[0]);
        if (r + 1 == rounds) {
          runtime::TimingResult all = runtime::summarize(c.samples, c.number);
          all.flushed = t.flushed;
          c.result["latency"] = latency_json(all, offset);
        }
      } catch (const runtime::RuntimeError& e) {
        c.result.update(error_reply(runtime_error_kind(e.what()), e.what()));
      }
    }
  }
  Message reply;
  json results = json::array();
  for (Candidate& c : candidates) {
    c.result["kernel_s"] = c.kernel_ms * 1e-3;
    results.push_back(c.result);
  }
  reply.header = {{"results", results}};
  return reply;
}

}  // namespace

Message handle_request(const Message& request, WorkerState& state) {
  const std::string op = request.header.value("op", std::string());
  if (op == "build") return build(request, state);
  if (op == "run") return run(request, state);
  throw std::invalid_argument("worker: unknown request `" + op + "`");
}

}  // namespace kiln::search

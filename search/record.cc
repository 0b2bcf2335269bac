#include "search/record.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace kiln::search {

using nlohmann::json;

const char* kiln_version() { return KILN_VERSION; }

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms));
  return text;
}

namespace {

// NaN is not JSON: null stands for it.
nlohmann::ordered_json number_or_null(double v) {
  return std::isnan(v) ? nlohmann::ordered_json() : nlohmann::ordered_json(v);
}

}  // namespace

nlohmann::ordered_json record_to_json(const TuningRecord& r) {
  // What a person reading the log looks for first comes first; the trace last.
  nlohmann::ordered_json j = {{"kind", "record"}, {"version", 1}, {"kiln", r.kiln_version},
                              {"task", r.task_id}, {"target", r.target}, {"status", r.status}};
  if (!r.ok()) j["error"] = r.error;
  if (r.ok()) {
    const Latency& l = r.latency;
    j["latency"] = {{"median_s", l.median_s},   {"min_s", l.min_s},
                    {"ci95_s", l.ci95_s},       {"samples_s", l.samples_s},
                    {"number", l.number},       {"flushed", l.flushed},
                    {"array_offset", l.array_offset}};
  }
  j["max_error"] = number_or_null(r.max_error);
  j["build_s"] = r.build_s;
  j["compile_s"] = r.compile_s;
  j["run_s"] = r.run_s;
  j["kernel_s"] = r.kernel_s;
  j["stage"] = r.stage;
  if (r.winner) j["winner"] = true;
  j["timestamp"] = r.timestamp;
  j["scheduled_hash"] = r.scheduled_hash;
  if (r.postproc_start >= 0) j["postproc_start"] = r.postproc_start;
  j["trace"] = r.trace.to_json();
  return j;
}

TuningRecord record_from_json(const json& j) {
  // A field of `object` as T, or invalid_argument naming it.
  auto field = [](const json& object, const char* name, auto zero) {
    auto it = object.find(name);
    if (it == object.end()) throw std::invalid_argument(std::string("the field `") + name + "` is missing");
    try {
      return it->get<decltype(zero)>();
    } catch (const json::exception&) {
      throw std::invalid_argument(std::string("the field `") + name + "` has the wrong type: " +
                                  it->dump().substr(0, 40));
    }
  };
  const std::string str;
  TuningRecord r;
  if (field(j, "version", 0) != 1)
    throw std::invalid_argument("record version " + j["version"].dump() +
                                " is not 1, the one this kiln reads");
  r.kiln_version = field(j, "kiln", str);
  r.task_id = field(j, "task", str);
  r.target = field(j, "target", str);
  r.trace = sched::Trace::from_json(field(j, "trace", json()));
  r.scheduled_hash = field(j, "scheduled_hash", str);
  r.status = field(j, "status", str);
  const json max_error = field(j, "max_error", json());
  r.max_error = max_error.is_number() ? max_error.get<double>() : NAN;
  r.build_s = field(j, "build_s", 0.0);
  r.compile_s = field(j, "compile_s", 0.0);
  r.run_s = field(j, "run_s", 0.0);
  r.kernel_s = field(j, "kernel_s", 0.0);
  r.stage = field(j, "stage", str);
  r.timestamp = field(j, "timestamp", str);
  r.winner = j.value("winner", false);
  r.postproc_start = j.value("postproc_start", -1);
  if (!r.ok()) r.error = field(j, "error", str);
  if (r.ok()) {
    const json l = field(j, "latency", json());
    r.latency.median_s = field(l, "median_s", 0.0);
    r.latency.min_s = field(l, "min_s", 0.0);
    r.latency.ci95_s = field(l, "ci95_s", std::array<double, 2>{});
    r.latency.samples_s = field(l, "samples_s", std::vector<double>{});
    r.latency.number = field(l, "number", 0);
    r.latency.flushed = field(l, "flushed", false);
    r.latency.array_offset = field(l, "array_offset", 0);
    if (!(r.latency.median_s > 0))
      throw std::invalid_argument("latency.median_s " + l["median_s"].dump() +
                                  " is not a positive time");
  }
  return r;
}

}  // namespace kiln::search

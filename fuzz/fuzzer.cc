#include "fuzz/fuzzer.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

#include "codegen/gpu/device_check.h"
#include "fuzz/arguments.h"
#include "fuzz/build_check.h"
#include "fuzz/random_gpu_schedule.h"
#include "fuzz/random_schedule.h"
#include "ir/interpreter.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/schedule.h"
#include "workloads/workloads.h"

namespace kiln::fuzz {

namespace {

std::string replay_recipe(const FuzzOptions& options, const std::string& workload, uint64_t seed) {
  std::string recipe = "python3 -m kiln fuzz --traces 1 --seed " + std::to_string(seed) +
                       " --workload " + workload + " --steps " + std::to_string(options.steps);
  return options.build.empty() ? recipe : recipe + " --target '" + options.build + "'";
}

}  // namespace

std::map<std::string, int64_t> fuzz_shape(const std::string& workload) {
  static const std::map<std::string, int64_t> small = {
      {"M", 6},       {"N", 10},       {"K", 9},           {"B", 2}, {"C", 3},
      {"H", 7},       {"W", 6},        {"R", 3},           {"S", 3}, {"stride", 1},
      {"padding", 1}, {"dilation", 1}, {"transpose_b", 0},
  };
  std::map<std::string, int64_t> shape;
  for (const auto& [key, value] : workloads::default_shape(workload)) {
    auto it = small.find(key);
    shape[key] = it != small.end() ? it->second : value;
  }
  // Convolutions and pools take N as the batch: keep it 1.
  if (workload == "depthwise_conv2d_nhwc") shape["C"] = 4;
  if (shape.count("N") && shape.count("H")) shape["N"] = 1;
  return shape;
}

FuzzReport run_fuzz(const FuzzOptions& options, std::ostream& log) {
  FuzzReport report;
  std::vector<std::string> names =
      options.workload.empty() ? workloads::list() : std::vector<std::string>{options.workload};
  struct Reference {
    ir::PrimFunc func;
    Arguments outputs;
  };
  std::map<std::string, Reference> references;
  std::optional<Target> target;
  if (!options.build.empty()) target.emplace(options.build);
  if (target) codegen::require_device(*target, "fuzz");
  auto start = std::chrono::steady_clock::now();
  for (int64_t t = 0; t < options.traces; ++t) {
    const std::string& name = names[t % names.size()];
    const uint64_t seed = options.seed + static_cast<uint64_t>(t);
    ++report.traces;
    ++report.traces_per_workload[name];
    std::string trace_text;
    try {
      auto ref = references.find(name);
      if (ref == references.end()) {
        ir::PrimFunc func = workloads::get(name, fuzz_shape(name)).func;
        Arguments out = make_arguments(func, 0);
        ir::interpret(func, out.views);
        ref = references.emplace(name, Reference{func, std::move(out)}).first;
      }
      sched::Schedule sch(ref->second.func, seed, sched::ErrorRenderLevel::kFast);
      sched::RandomEngine rng(seed * 0x9e3779b97f4a7c15ull + 1);
      ScheduleStats stats;
      bool gpu_valid = true;
      if (target && target->is_gpu()) {
        try {
          apply_random_gpu_schedule(sch, rng, *target, options.steps, &stats);
        } catch (const NotGpuValid&) {
          gpu_valid = false;
        }
      } else {
        RandomScheduleOptions random_options;
        random_options.thread_binding = !target;
        apply_random_primitives(sch, rng, options.steps, &stats, random_options);
      }
      for (const auto& [k, v] : stats.applied) report.applied[k] += v;
      for (const auto& [k, v] : stats.refused) report.refused[k] += v;
      trace_text = sch.trace().as_python();
      if (!gpu_valid) {
        ++report.not_gpu_valid;
        continue;
      }

      std::string failure;
      Arguments got = make_arguments(sch.func(), 0);
      ir::interpret(sch.func(), got.views);
      failure = compare_outputs(ref->second.outputs, got);
      if (failure.empty()) {
        sched::Schedule replay(ref->second.func);
        sched::Trace::from_json(nlohmann::json::parse(sch.trace().to_json().dump()))
            .apply_to(replay);
        if (!ir::structural_equal(replay.func(), sch.func()))
          failure = "trace JSON replay gives another function";
      }
      if (failure.empty() &&
          !ir::structural_equal(ir::parse_prim_func(ir::to_script(sch.func())), sch.func()))
        failure = "print -> parse gives another function";
      if (failure.empty() && target) {
        failure = check_built_kernel(sch.func(), *target, 0, ref->second.outputs);
        if (!failure.empty()) failure = "the " + options.build + " kernel: " + failure;
      }
      if (!failure.empty()) {
        ++report.mismatches;
        log << "MISMATCH workload=" << name << " seed=" << seed << ": " << failure
            << "\n  replay: " << replay_recipe(options, name, seed) << "\n"
            << trace_text << std::flush;
      }
    } catch (const std::exception& e) {
      ++report.crashes;
      log << "CRASH workload=" << name << " seed=" << seed << ": " << e.what()
          << "\n  replay: " << replay_recipe(options, name, seed) << "\n"
          << trace_text << std::flush;
    }
    auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if ((t + 1) % 500 == 0)
      log << "fuzz: " << (t + 1) << "/" << options.traces << " traces, " << report.mismatches
          << " mismatches, " << report.crashes << " crashes (" << static_cast<int64_t>(elapsed)
          << " s)\n"
          << std::flush;
  }
  return report;
}

}  // namespace kiln::fuzz

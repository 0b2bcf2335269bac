// kiln._ffi: Task, TuningRecord, Database, measure and replay (search/).
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "python/src/bindings.h"
#include "search/database.h"
#include "search/measure.h"
#include "search/replay.h"
#include "search/tune.h"

namespace kiln::python {

namespace {

using search::Database;
using search::Task;
using search::TuningRecord;

py::object json_to_python(const nlohmann::json& j) {
  return py::module_::import("json").attr("loads")(j.dump());
}

// A target argument: a Target, its text, or None for "llvm" (parsed when
// called, not when the module is imported).
Target target_of(const py::object& target) {
  if (target.is_none()) return Target("llvm");
  if (py::isinstance<py::str>(target)) return Target(target.cast<std::string>());
  return target.cast<Target>();
}

runtime::TimingOptions timing_options(int repeat, double min_repeat_ms, const py::object& flush) {
  runtime::TimingOptions o = search::runner_timing();
  if (repeat > 0) o.repeat = repeat;
  if (min_repeat_ms >= 0) o.min_repeat_ms = min_repeat_ms;
  if (!flush.is_none()) o.flush = flush.cast<bool>() ? runtime::CacheFlush::kOn : runtime::CacheFlush::kOff;
  return o;
}

}  // namespace

void bind_search(py::module_& m) {
  py::class_<Task>(m, "Task",
                   R"(What is tuned: a function, the target (default "llvm"), a weight (how
often it occurs in its network) and a name.

Example::

    task = kiln.Task(func, "llvm")
    task = kiln.Task.from_workload("matmul", {"M": 512, "N": 512, "K": 512})
    print(task.name, task.id, task.flops))")
      .def(py::init(
               [](const PyPrimFunc& func, const py::object& target, double weight,
                  const std::string& name) { return Task(func, target_of(target), weight, name); }),
           py::arg("func"), py::arg("target") = py::none(), py::arg("weight") = 1.0,
           py::arg("name") = "")
      .def_static(
          "from_workload",
          [](const std::string& workload, const std::map<std::string, int64_t>& shape,
             const py::object& target, double weight) {
            return Task::from_workload(workload, shape, target_of(target), weight);
          },
          py::arg("workload"), py::arg("shape") = std::map<std::string, int64_t>{},
          py::arg("target") = py::none(), py::arg("weight") = 1.0,
          "The registered workload `workload` (kiln.workloads.list()) at `shape` as a task; shape "
          "keys not given take their defaults.")
      .def_property_readonly(
          "func", [](const Task& t) { return to_py(t.func()); }, "The function tuned.")
      .def_property_readonly("target", &Task::target, "The target tuned for.")
      .def_property_readonly("weight", &Task::weight,
                             "How often the function occurs in its network.")
      .def_property_readonly("name", &Task::name, "The task's name (the function's by default).")
      .def_property_readonly("workload", &Task::workload,
                             "The registered workload it is (\"\" when none).")
      .def_property_readonly("shape", &Task::shape, "The workload's shape (empty when none).")
      .def_property_readonly("id", &Task::id, "16 hex digits of the function's structural hash.")
      .def_property_readonly("flops", &Task::flops,
                             "Floating-point operations of one call (2 M N K for a matmul).")
      .def_property_readonly("key", &Task::key,
                             "id and the target's key: what tuning records are filed under.")
      .def("__repr__", [](const Task& t) {
        return "kiln.Task(" + t.name() + ", id=" + t.id() + ", target=\"" + t.target().str() +
               "\")";
      });

  py::class_<TuningRecord>(m, "TuningRecord",
                           R"(One measurement of a candidate, or the error it ended in (a line of a
tuning log).

Example::

    for r in kiln.measure(task, [sch.trace]):
        print(r.status, r.latency, r.error))")
      .def_readonly("task_id", &TuningRecord::task_id, "The task's id.")
      .def_readonly("target", &TuningRecord::target, "The target's key.")
      .def_readonly("trace", &TuningRecord::trace, "The candidate's schedule.")
      .def_readonly("scheduled_hash", &TuningRecord::scheduled_hash,
                    "Hex structural hash of the scheduled function (\"\" if none).")
      .def_readonly("status", &TuningRecord::status,
                    "\"ok\", or the error: \"build_error\", \"run_crash\", "
                    "\"wrong_result\"...")
      .def_readonly("error", &TuningRecord::error, "What happened, for errors.")
      .def_readonly("max_error", &TuningRecord::max_error,
                    "Largest |output - reference| (NaN: not checked).")
      .def_readonly("build_s", &TuningRecord::build_s, "The builder's wall seconds.")
      .def_readonly("compile_s", &TuningRecord::compile_s, "Of build_s, lowering and LLVM / NVRTC.")
      .def_readonly("run_s", &TuningRecord::run_s, "The runner's wall seconds.")
      .def_readonly("kernel_s", &TuningRecord::kernel_s, "Of run_s, the kernel's own calls.")
      .def_readonly("timestamp", &TuningRecord::timestamp, "When, UTC, ISO 8601.")
      .def_readonly("stage", &TuningRecord::stage,
                    "\"search\" (measured once) or \"final\" (re-measured with the best).")
      .def_readonly("winner", &TuningRecord::winner,
                    "The task's best after the final re-measurement.")
      .def_property_readonly("ok", &TuningRecord::ok, "Whether the status is \"ok\".")
      .def_property_readonly(
          "latency",
          [](const TuningRecord& r) -> py::object {
            if (!r.ok()) return py::none();
            return py::float_(r.latency.median_s);
          },
          "Median seconds per call; None for an error.")
      .def(
          "to_json",
          [](const TuningRecord& r) { return json_to_python(search::record_to_json(r)); },
          "The record's log line as a dict.")
      .def("__repr__", [](const TuningRecord& r) {
        std::string what = r.ok() ? std::to_string(r.latency.median_s * 1e3) + " ms"
                                  : r.status + ": " + r.error.substr(0, 80);
        return "kiln.TuningRecord(" + what + ")";
      });

  py::class_<Database>(m, "Database",
                       R"(A tuning log (JSON Lines, append-only; .jsonl.gz is read): records by
task and target. Damaged lines are skipped, each one a warning.

Example::

    db = kiln.Database("tuning_logs/mm.jsonl")
    print(len(db), [t["name"] for t in db.tasks()])
    best = db.best(task, k=3))")
      .def(py::init<std::string>(), py::arg("path"))
      .def_property_readonly("path", &Database::path, "The log's path.")
      .def_property_readonly("warnings", &Database::warnings,
                             "One message per damaged line skipped.")
      .def("__len__", &Database::size)
      .def(
          "records",
          [](const Database& db, const Task& t) { return db.records(t.id(), t.target().str()); },
          py::arg("task"), "Every record of the task on its target, in file order.")
      .def(
          "best",
          [](const Database& db, const Task& t, size_t k) {
            return db.best(t.id(), t.target().str(), k);
          },
          py::arg("task"), py::arg("k") = 1,
          "The k fastest programs of the task on its target, each by its latest measurement.")
      // By the ids and keys the file itself holds: a log from another machine
      // names a target this one need not be able to make.
      .def("records", &Database::records, py::arg("task_id"), py::arg("target"))
      .def("best", &Database::best, py::arg("task_id"), py::arg("target"), py::arg("k") = 1)
      .def("task_targets", &Database::task_targets,
           "Every (task id, target key) the file has records of.")
      .def(
          "target_description",
          [](const Database& db, const std::string& target) {
            return json_to_python(nlohmann::json::parse(db.target_description(target)));
          },
          py::arg("target"), "The target's hardware description as the file has it, or None.")
      .def(
          "tasks",
          [](const Database& db) {
            py::list out;
            for (const search::StoredTask& t : db.tasks()) {
              py::dict d;
              d["id"] = t.id;
              d["name"] = t.name;
              d["workload"] = t.workload;
              d["shape"] = t.shape;
              d["func"] = t.func_text;
              out.append(d);
            }
            return out;
          },
          "The tasks the log holds: dicts of id, name, workload, shape and func (its text).")
      .def("__repr__", [](const Database& db) {
        return "kiln.Database(\"" + db.path() + "\", " + std::to_string(db.size()) + " records)";
      });

  m.def(
      "measure",
      [](const Task& task, const std::vector<sched::Trace>& traces, const std::string& log,
         int repeat, double min_repeat_ms, const py::object& flush, int array_offset,
         double timeout_s, bool final_remeasure) {
        py::gil_scoped_release release;
        search::LocalBuilder builder;
        search::RunnerOptions options;
        options.timing = timing_options(repeat, min_repeat_ms, flush);
        options.array_offset = array_offset;
        options.timeout_s = timeout_s;
        search::LocalRunner runner(options);
        std::unique_ptr<Database> db = log.empty() ? nullptr : std::make_unique<Database>(log);
        std::vector<TuningRecord> records = search::measure(task, traces, builder, runner, db.get());
        if (final_remeasure && db) {
          for (TuningRecord& r : search::measure_final(task, *db, builder, runner))
            records.push_back(std::move(r));
        }
        return records;
      },
      py::arg("task"), py::arg("traces"), py::arg("log") = "", py::arg("repeat") = 0,
      py::arg("min_repeat_ms") = -1.0, py::arg("flush") = py::none(), py::arg("array_offset") = 16,
      py::arg("timeout_s") = 60.0, py::arg("final") = false,
      "kiln.measure: builds, runs, checks and times each trace of `task`.");

  m.def(
      "count_flops", [](const PyPrimFunc& func) { return search::count_flops(func); },
      py::arg("func"), "Floating-point operations of one call of the function (Task.flops).");

  py::class_<search::TaskResult>(m, "TaskResult",
                                 R"(One task's outcome of a tuning run (kiln.TuneResult.results).

Example::

    for r in kiln.tune(tasks, trials=200).results:
        print(r.name, r.best_latency_s, r.trials, r.errors))")
      .def_readonly("name", &search::TaskResult::name, "The task's name.")
      .def_readonly("best_latency_s", &search::TaskResult::best_latency_s,
                    "The best program's median seconds (infinity when nothing was valid).")
      .def_readonly("best_trace", &search::TaskResult::best_trace, "The best program's trace.")
      .def_readonly("best_is_final", &search::TaskResult::best_is_final,
                    "Whether the best was re-measured at the end.")
      .def_readonly("trials", &search::TaskResult::trials, "Programs measured.")
      .def_readonly("errors", &search::TaskResult::errors, "Error records by status.")
      .def_readonly("search_s", &search::TaskResult::search_s,
                    "Wall seconds generating, evolving and ranking candidates.")
      .def_readonly("build_s", &search::TaskResult::build_s, "Wall seconds building.")
      .def_readonly("run_s", &search::TaskResult::run_s, "Wall seconds running.")
      .def_property_readonly(
          "history",
          [](const search::TaskResult& r) {
            py::list out;
            for (const auto& h : r.history) out.append(py::make_tuple(h.trial, h.best_s, h.wall_s));
            return out;
          },
          "(trial, best seconds so far, wall seconds) after each round.");
  py::class_<search::TuneResult>(
      m, "TuneResult", R"(What the native tuner returns; kiln.tune wraps it in kiln.TuneResult.

Example::

    r = kiln.tune(func, trials=100)    # a kiln.TuneResult around this one
    print(r.weighted_latency_s, r.build()))")
      .def_readonly("tasks", &search::TuneResult::tasks, "The tasks tuned.")
      .def_readonly("results", &search::TuneResult::results, "One TaskResult per task.")
      .def_readonly("wall_s", &search::TuneResult::wall_s, "Wall seconds of the run.")
      .def("weighted_latency_s", &search::TuneResult::weighted_latency_s,
           "Sum over tasks of weight x best latency.")
      .def("build", &search::TuneResult::build, py::arg("index") = 0,
           "The best kernel of task `index`, built from its trace.");

  m.def(
      "tune",
      [](const std::vector<Task>& tasks, int trials, const std::string& log, uint64_t seed,
         int measure_per_round, int population, int generations, double epsilon,
         double crossover, const std::string& task_scheduler, size_t final_k, int repeat, double min_repeat_ms,
         const std::shared_ptr<cost_model::CostModel>& cost_model, const py::object& on_record,
         const py::object& on_round) {
        search::TuneOptions o;
        o.cost_model = cost_model;
        o.trials = trials;
        o.log = log;
        o.seed = seed;
        o.measure_per_round = measure_per_round;
        o.search.population = population;
        o.search.generations = generations;
        o.search.epsilon = epsilon;
        o.search.crossover_probability = crossover;
        o.task_scheduler = task_scheduler;
        o.final_k = final_k;
        o.runner.timing = timing_options(repeat, min_repeat_ms, py::none());
        if (!on_record.is_none())
          o.on_record = [on_record](const Task& task, const TuningRecord& r) {
            py::gil_scoped_acquire gil;
            on_record(task, r);
          };
        if (!on_round.is_none())
          o.on_round = [on_round](const search::TuneProgress& p) {
            py::gil_scoped_acquire gil;
            py::dict d;
            d["round"] = p.round;
            d["trials"] = p.trials;
            d["trials_total"] = p.trials_total;
            d["elapsed_s"] = p.elapsed_s;
            d["task"] = p.task;
            d["task_trials"] = p.task_trials;
            d["task_best_s"] = p.task_best_s;
            d["errors"] = p.errors;
            on_round(d);
          };
        py::gil_scoped_release release;
        return search::tune(tasks, o);
      },
      py::arg("tasks"), py::arg("trials"), py::arg("log"), py::arg("seed"),
      py::arg("measure_per_round"), py::arg("population"), py::arg("generations"),
      py::arg("epsilon"), py::arg("crossover"), py::arg("task_scheduler"), py::arg("final_k"), py::arg("repeat"),
      py::arg("min_repeat_ms"), py::arg("cost_model"), py::arg("on_record"), py::arg("on_round"),
      "kiln.tune's search (kiln.tune passes every argument).");

  m.def(
      "replay",
      [](const Database& log, const PyPrimFunc& func, const Target& target) {
        search::Replayed r = search::replay(log, func, target);
        return py::make_tuple(r.module, r.record, r.schedule, r.warnings);
      },
      py::arg("log"), py::arg("func"), py::arg("target"),
      "kiln.replay: (module, record, schedule, warnings) of the best record `log` holds for "
      "`func` on `target`.");
}

}  // namespace kiln::python

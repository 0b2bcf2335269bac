// kiln._ffi: cost models (train on logs, evaluate, save, load) for
// kiln.cost_model and `kiln cost-model`.
#include <pybind11/stl.h>

#include "cost_model/evaluation.h"
#include "cost_model/xgboost_model.h"
#include "python/src/bindings.h"
#include "search/training_logs.h"

namespace kiln::python {

namespace {

using cost_model::CostModel;

// A model of `kind` ("xgboost", "random"), or the model saved at `start`
// (which then keeps learning) when it is given.
std::unique_ptr<CostModel> make_model(const std::string& kind, const std::string& start,
                                      uint64_t seed, int rounds, int max_depth, double eta) {
  if (!start.empty()) return cost_model::load_cost_model(start, seed);
  if (kind == "random") return cost_model::make_random_model(seed);
  if (kind == "xgboost") {
    cost_model::XGBoostOptions o;
    o.seed = seed;
    o.rounds = rounds;
    o.max_depth = max_depth;
    o.eta = eta;
    return cost_model::make_xgboost_model(o);
  }
  throw std::invalid_argument("no cost model kind `" + kind + "`: kiln has \"xgboost\" and \"random\"");
}

py::dict metrics_dict(const cost_model::RankingMetrics& m) {
  py::dict d;
  d["pairwise_accuracy"] = m.pairwise_accuracy;
  d["top1"] = m.top1;
  d["top5"] = m.top5;
  d["spearman"] = m.spearman;
  d["tasks"] = m.tasks;
  d["programs"] = m.programs;
  return d;
}

}  // namespace

void bind_cost_model(py::module_& m) {
  py::class_<CostModel, std::shared_ptr<CostModel>>(
      m, "CostModel", R"(Ranks candidate programs for the search: "xgboost" (gradient-boosted
trees on features of each buffer store), "random", or the model saved at
`start` (which keeps learning). kiln.tune takes one as its cost_model.

Example::

    model = kiln.cost_model.CostModel("xgboost", seed=0)
    info = model.train(["tuning_logs/mm.jsonl"])    # {"programs": ..., "tasks": ...}
    model.save("mm_model.json"))")
      .def(py::init([](const std::string& kind, const std::string& start, uint64_t seed, int rounds,
                       int max_depth, double eta) {
             return std::shared_ptr<CostModel>(make_model(kind, start, seed, rounds, max_depth, eta));
           }),
           py::arg("kind") = "xgboost", py::arg("start") = "", py::arg("seed") = 0,
           py::arg("rounds") = cost_model::XGBoostOptions{}.rounds,
           py::arg("max_depth") = cost_model::XGBoostOptions{}.max_depth,
           py::arg("eta") = cost_model::XGBoostOptions{}.eta)
      .def_property_readonly("kind", &CostModel::kind, "\"xgboost\" or \"random\".")
      .def("save", &CostModel::save, py::arg("path"), py::call_guard<py::gil_scoped_release>(),
           "Writes the model to `path` (JSON); CostModel(start=path) reads it back.")
      .def(
          "train",
          [](CostModel& model, const std::vector<std::string>& logs) {
            search::TrainingLogs t;
            {
              py::gil_scoped_release release;
              t = search::read_training_logs(logs);
              model.update(t.data.programs, t.data.latencies_s);
            }
            py::dict d;
            d["programs"] = t.data.programs.size();
            d["tasks"] = t.data.tasks.size();
            d["skipped"] = t.skipped;
            return d;
          },
          py::arg("logs"),
          "Learns from every valid measurement of the tuning logs; returns a dict counting the "
          "programs and tasks learned from and the records skipped.");
  m.def("have_xgboost", &cost_model::have_xgboost, "Whether kiln was built with XGBoost.");

  m.def(
      "evaluate_cost_model",
      [](const std::vector<std::string>& logs, const std::string& kind, const std::string& start,
         uint64_t seed, int rounds, int max_depth, double eta, double test_fraction) {
        cost_model::EvaluationReport r;
        search::TrainingLogs t;
        {
          py::gil_scoped_release release;
          t = search::read_training_logs(logs);
          r = cost_model::evaluate(
              t.data, [&] { return make_model(kind, start, seed, rounds, max_depth, eta); },
              test_fraction, seed);
        }
        py::dict d;
        d["seen_tasks"] = metrics_dict(r.seen_tasks);
        d["held_out_tasks"] = metrics_dict(r.held_out_tasks);
        d["train_programs"] = r.train_programs;
        d["test_programs"] = r.test_programs;
        d["train_s"] = r.train_s;
        d["skipped"] = t.skipped;
        py::list held;
        for (const cost_model::TaskEvaluation& e : r.held_out) {
          py::dict one = metrics_dict(e.metrics);
          one["name"] = e.name;
          held.append(one);
        }
        d["held_out"] = held;
        return d;
      },
      py::arg("logs"), py::arg("kind") = "xgboost", py::arg("start") = "", py::arg("seed") = 0,
      py::arg("rounds") = cost_model::XGBoostOptions{}.rounds,
      py::arg("max_depth") = cost_model::XGBoostOptions{}.max_depth,
      py::arg("eta") = cost_model::XGBoostOptions{}.eta, py::arg("test_fraction") = 0.2,
      "kiln.cost_model.evaluate: how well a model ranks the programs of the logs.");
}

}  // namespace kiln::python

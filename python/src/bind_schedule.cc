// kiln._ffi.Schedule and Trace: the schedule primitives with TVM's Python
// spelling, so that a printed trace is a program this module runs.
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "python/src/bindings.h"
#include "schedule/index_map.h"
#include "schedule/schedule.h"

namespace kiln::python {

namespace {

using sched::BlockRV;
using sched::ExprRV;
using sched::LoopRV;
using sched::RV;
using sched::Schedule;

// A Python handle (BlockRV or LoopRV) as the generic RV.
RV block_or_loop(const py::handle& h) {
  if (py::isinstance<BlockRV>(h)) return h.cast<BlockRV>();
  if (py::isinstance<LoopRV>(h)) return h.cast<LoopRV>();
  throw py::type_error("expected a block or loop handle (BlockRV or LoopRV)");
}

sched::Attr to_attr(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return int64_t{v.cast<bool>()};
  if (py::isinstance<py::int_>(v)) return v.cast<int64_t>();
  if (py::isinstance<py::float_>(v)) return v.cast<double>();
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  return v.cast<std::vector<int64_t>>();
}

std::vector<LoopRV> to_loops(const py::args& args) {
  std::vector<LoopRV> loops;
  for (const py::handle& h : args) {
    if (py::isinstance<py::list>(h) || py::isinstance<py::tuple>(h)) {
      for (const py::handle& x : h) loops.push_back(x.cast<LoopRV>());
    } else {
      loops.push_back(h.cast<LoopRV>());
    }
  }
  return loops;
}

// ("read", 0) / ("write", 1): which buffer of a block, as TVM spells it.
int buffer_index(const py::tuple& buffer) {
  if (buffer.size() != 2) throw py::value_error("buffer must be (\"read\" | \"write\", index)");
  return buffer[1].cast<int>();
}
bool is_write(const py::tuple& buffer) {
  std::string kind = buffer[0].cast<std::string>();
  if (kind != "read" && kind != "write")
    throw py::value_error("buffer kind must be \"read\" or \"write\", not \"" + kind + "\"");
  return kind == "write";
}

// An index map from its lambda text, or from a Python callable called with
// one variable per buffer dimension.
sched::IndexMap to_index_map(const py::object& map) {
  if (py::isinstance<py::str>(map)) return sched::IndexMap::parse(map.cast<std::string>());
  py::object code = map.attr("__code__");
  int n = code.attr("co_argcount").cast<int>();
  py::tuple names = code.attr("co_varnames");
  sched::IndexMap out;
  py::tuple args(n);
  for (int i = 0; i < n; ++i) {
    out.inputs.emplace_back(names[i].cast<std::string>());
    args[i] = py::cast(out.inputs.back());
  }
  py::object result = map(*args);
  if (py::isinstance<py::tuple>(result) || py::isinstance<py::list>(result)) {
    for (const py::handle& h : result) out.outputs.push_back(to_expr(h));
  } else {
    out.outputs.push_back(to_expr(result));
  }
  return out;
}

}  // namespace

void bind_schedule(py::module_& m) {
  static py::exception<sched::ScheduleError> error(m, "ScheduleError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const sched::ScheduleError& e) {
      py::set_error(error, e.what());
    }
  });

  py::class_<BlockRV>(m, "BlockRV").def("__repr__", [](const BlockRV& b) {
    return "<BlockRV " + std::to_string(b.id) + ">";
  });
  py::class_<LoopRV>(m, "LoopRV").def("__repr__", [](const LoopRV& l) {
    return "<LoopRV " + std::to_string(l.id) + ">";
  });
  py::class_<ExprRV>(m, "ExprRV").def("__repr__", [](const ExprRV& v) {
    return "<ExprRV " + std::to_string(v.id) + ">";
  });

  py::class_<sched::Trace>(m, "Trace")
      .def("__str__", &sched::Trace::as_python)
      .def("__len__", &sched::Trace::size)
      .def("as_python", &sched::Trace::as_python)
      .def("as_json", [](const sched::Trace& t) { return t.to_json().dump(); })
      .def_static("from_json",
                  [](const std::string& text) {
                    nlohmann::json j;
                    try {
                      j = nlohmann::json::parse(text);
                    } catch (const nlohmann::json::exception& e) {
                      throw py::value_error(std::string("trace is not valid JSON: ") + e.what());
                    }
                    return sched::Trace::from_json(j);
                  })
      .def("with_decision",
           [](const sched::Trace& t, size_t index, const py::object& d) {
             if (py::isinstance<py::int_>(d)) return t.with_decision(index, d.cast<int64_t>());
             return t.with_decision(index, d.cast<std::vector<int64_t>>());
           })
      .def("apply_to_schedule", [](const sched::Trace& t, Schedule& sch) { t.apply_to(sch); })
      .def("prefix", &sched::Trace::prefix, py::arg("n"),
           "The first n instructions, with their decisions.")
      .def("without_dead_code", &sched::Trace::without_dead_code,
           "Without the queries whose outputs nothing uses: the same schedule.");

  py::class_<Schedule> s(m, "Schedule");
  s.def(py::init([](const PyPrimFunc& f, uint64_t seed, bool fast_errors) {
          return Schedule(
              f, seed,
              fast_errors ? sched::ErrorRenderLevel::kFast : sched::ErrorRenderLevel::kDetail);
        }),
        py::arg("func"), py::arg("seed") = 0, py::arg("fast_errors") = false)
      .def_property_readonly("func", [](const Schedule& sch) { return to_py(sch.func()); })
      .def_property_readonly("trace", [](const Schedule& sch) { return sch.trace(); })
      .def("copy", &Schedule::copy,
           "An independent copy; its random stream is forked from this schedule's.")
      .def("get", [](const Schedule& sch, const ExprRV& v) { return sch.value(v); })
      // queries
      .def(
          "get_block", [](Schedule& sch, const std::string& name) { return sch.get_block(name); },
          py::arg("name"))
      .def("get_loops", &Schedule::get_loops, py::arg("block"))
      .def("get_child_blocks",
           [](Schedule& sch, const py::handle& rv) {
             RV r = block_or_loop(rv);
             return r.kind == RV::Kind::kLoop ? sch.get_child_blocks(LoopRV{r.id})
                                              : sch.get_child_blocks(BlockRV{r.id});
           })
      .def("get_producers", &Schedule::get_producers, py::arg("block"))
      .def("get_consumers", &Schedule::get_consumers, py::arg("block"))
      // sampling
      .def("sample_perfect_tile", &Schedule::sample_perfect_tile, py::arg("loop"), py::arg("n"),
           py::arg("max_innermost_factor") = 16, py::arg("decision") = py::none())
      .def("sample_categorical", &Schedule::sample_categorical, py::arg("candidates"),
           py::arg("probs"), py::arg("decision") = py::none())
      // loops
      .def(
          "split",
          [](Schedule& sch, const LoopRV& loop, const py::sequence& factors) {
            std::vector<sched::Factor> fs;
            for (const py::handle& f : factors) {
              if (f.is_none())
                fs.emplace_back(std::monostate());
              else if (py::isinstance<ExprRV>(f))
                fs.emplace_back(f.cast<ExprRV>());
              else
                fs.emplace_back(f.cast<int64_t>());
            }
            return sch.split(loop, fs);
          },
          py::arg("loop"), py::arg("factors"))
      .def("fuse", [](Schedule& sch, const py::args& loops) { return sch.fuse(to_loops(loops)); })
      .def("reorder", [](Schedule& sch, const py::args& loops) { sch.reorder(to_loops(loops)); })
      .def("add_unit_loop",
           [](Schedule& sch, const py::handle& rv) { return sch.add_unit_loop(block_or_loop(rv)); })
      .def("parallel", &Schedule::parallel, py::arg("loop"))
      .def("vectorize", &Schedule::vectorize, py::arg("loop"))
      .def("unroll", &Schedule::unroll, py::arg("loop"))
      .def("bind", &Schedule::bind, py::arg("loop"), py::arg("thread_axis"))
      .def(
          "annotate",
          [](Schedule& sch, const py::handle& rv, const std::string& key, const py::handle& value) {
            if (py::isinstance<ExprRV>(value))
              sch.annotate(block_or_loop(rv), key, value.cast<ExprRV>());
            else
              sch.annotate(block_or_loop(rv), key, to_attr(value));
          },
          py::arg("block_or_loop"), py::arg("ann_key"), py::arg("ann_val"))
      .def(
          "unannotate",
          [](Schedule& sch, const py::handle& rv, const std::string& key) {
            sch.unannotate(block_or_loop(rv), key);
          },
          py::arg("block_or_loop"), py::arg("ann_key"))
      // compute location
      .def("compute_at", &Schedule::compute_at, py::arg("block"), py::arg("loop"),
           py::arg("preserve_unit_loops") = false, py::arg("index") = -1)
      .def("reverse_compute_at", &Schedule::reverse_compute_at, py::arg("block"), py::arg("loop"),
           py::arg("preserve_unit_loops") = false, py::arg("index") = -1)
      .def("sample_compute_location", &Schedule::sample_compute_location, py::arg("block"),
           py::arg("decision") = py::none())
      .def("compute_inline", &Schedule::compute_inline, py::arg("block"))
      .def("reverse_compute_inline", &Schedule::reverse_compute_inline, py::arg("block"))
      // memory
      .def("cache_read", &Schedule::cache_read, py::arg("block"), py::arg("read_buffer_index"),
           py::arg("storage_scope"))
      .def("cache_write", &Schedule::cache_write, py::arg("block"), py::arg("write_buffer_index"),
           py::arg("storage_scope"))
      .def(
          "reindex",
          [](Schedule& sch, const BlockRV& block, const py::tuple& buffer) {
            return sch.reindex(block, buffer_index(buffer), is_write(buffer));
          },
          py::arg("block"), py::arg("buffer"))
      .def("set_scope", &Schedule::set_scope, py::arg("block"), py::arg("buffer_index"),
           py::arg("storage_scope"))
      .def("storage_align", &Schedule::storage_align, py::arg("block"), py::arg("buffer_index"),
           py::arg("axis"), py::arg("factor"), py::arg("offset"))
      .def(
          "transform_layout",
          [](Schedule& sch, const BlockRV& block, const py::tuple& buffer,
             const py::object& index_map) {
            sch.transform_layout(block, buffer_index(buffer), is_write(buffer),
                                 to_index_map(index_map));
          },
          py::arg("block"), py::arg("buffer"), py::arg("index_map"))
      // reductions
      .def("decompose_reduction", &Schedule::decompose_reduction, py::arg("block"), py::arg("loop"))
      .def("rfactor", &Schedule::rfactor, py::arg("loop"), py::arg("factor_axis"))
      // padding
      .def("pad_einsum", &Schedule::pad_einsum, py::arg("block"), py::arg("padding"))
      .def("decompose_padding", &Schedule::decompose_padding, py::arg("block"), py::arg("loop"))
      // blockize and tensorize
      .def("blockize", &Schedule::blockize, py::arg("loop"))
      .def(
          "tensorize",
          [](Schedule& sch, const py::handle& rv, const std::string& intrin) {
            sch.tensorize(block_or_loop(rv), intrin);
          },
          py::arg("block_or_loop"), py::arg("tensor_intrin"));
}

}  // namespace kiln::python

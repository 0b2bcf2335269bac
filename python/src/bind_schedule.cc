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
  error.doc() = R"(Raised when a schedule primitive cannot apply: the message names the
primitive, the loop or block, why, and what would be legal. The schedule is
left as it was.

Example::

    try:
        sch.split(i, factors=[None, 0])
    except kiln.ScheduleError as e:
        print(e))";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const sched::ScheduleError& e) {
      py::set_error(error, e.what());
    }
  });

  py::class_<BlockRV>(m, "BlockRV",
                      R"(A handle to a block of a Schedule's function (get_block, cache_read...),
valid in that schedule and the ones its trace is replayed into.

Example::

    block = sch.get_block("C")
    i, j, k = sch.get_loops(block))")
      .def("__repr__", [](const BlockRV& b) { return "<BlockRV " + std::to_string(b.id) + ">"; });
  py::class_<LoopRV>(m, "LoopRV",
                     R"(A handle to a loop of a Schedule's function (get_loops, split, fuse...),
valid in that schedule and the ones its trace is replayed into.

Example::

    i, j, k = sch.get_loops(sch.get_block("C"))
    i0, i1 = sch.split(i, factors=[None, 8]))")
      .def("__repr__", [](const LoopRV& l) { return "<LoopRV " + std::to_string(l.id) + ">"; });
  py::class_<ExprRV>(m, "ExprRV",
                     R"(A value a Schedule sampled (a tile factor, a categorical choice); later
primitives take it in place of a number, and the trace records the decision.

Example::

    factors = sch.sample_perfect_tile(i, n=2)
    i0, i1 = sch.split(i, factors=factors)
    print([sch.get(f) for f in factors]))")
      .def("__repr__", [](const ExprRV& v) { return "<ExprRV " + std::to_string(v.id) + ">"; });

  // Declared first: Trace's methods take a Schedule.
  py::class_<Schedule> s(m, "Schedule",
                         R"(Transforms a function's loops and memory with TVM's primitives (split,
reorder, parallel, vectorize, cache_read, compute_at...), each recorded in
its trace. A primitive checks everything before it changes anything: a
refused one raises ScheduleError and leaves the schedule as it was.

Example::

    sch = kiln.Schedule(kiln.workloads.get("matmul", M=64, N=64, K=64).func)
    i, j, k = sch.get_loops(sch.get_block("C"))
    i0, i1 = sch.split(i, factors=[None, 8])
    sch.reorder(i0, k, i1, j)
    sch.parallel(i0)
    sch.vectorize(j)
    mod = kiln.build(sch.func))");
  py::class_<sched::Trace>(
      m, "Trace", R"(What a Schedule did: its primitives in order, with the decisions of its
samples. Printed, it is a Python program that redoes the schedule; as JSON it
is what tuning logs keep.

Example::

    print(sch.trace)
    again = kiln.Schedule(func)
    kiln.Trace.from_json(sch.trace.as_json()).apply_to_schedule(again)
    assert kiln.structural_equal(again.func, sch.func))")
      .def("__str__", &sched::Trace::as_python)
      .def("__len__", &sched::Trace::size)
      .def("as_python", &sched::Trace::as_python,
           "The trace as a Python program (what print(trace) shows).")
      .def(
          "as_json", [](const sched::Trace& t) { return t.to_json().dump(); },
          "The trace as JSON text; Trace.from_json reads it back.")
      .def_static(
          "from_json",
          [](const std::string& text) {
            nlohmann::json j;
            try {
              j = nlohmann::json::parse(text);
            } catch (const nlohmann::json::exception& e) {
              throw py::value_error(std::string("trace is not valid JSON: ") + e.what());
            }
            return sched::Trace::from_json(j);
          },
          py::arg("text"), "A trace from the JSON text Trace.as_json wrote.")
      .def(
          "with_decision",
          [](const sched::Trace& t, size_t index, const py::object& d) {
            if (py::isinstance<py::int_>(d)) return t.with_decision(index, d.cast<int64_t>());
            return t.with_decision(index, d.cast<std::vector<int64_t>>());
          },
          py::arg("index"), py::arg("decision"),
          "A copy whose sampling instruction `index` decides `decision` (an int, or a list of "
          "tile factors) instead.")
      .def(
          "apply_to_schedule", [](const sched::Trace& t, Schedule& sch) { t.apply_to(sch); },
          py::arg("sch"), "Replays the trace's primitives and decisions on `sch`.")
      .def("prefix", &sched::Trace::prefix, py::arg("n"),
           "The first n instructions, with their decisions.")
      .def("without_dead_code", &sched::Trace::without_dead_code,
           "Without the queries whose outputs nothing uses: the same schedule.");

  s.def(py::init([](const PyPrimFunc& f, uint64_t seed, bool fast_errors) {
          return Schedule(
              f, seed,
              fast_errors ? sched::ErrorRenderLevel::kFast : sched::ErrorRenderLevel::kDetail);
        }),
        py::arg("func"), py::arg("seed") = 0, py::arg("fast_errors") = false)
      .def_property_readonly(
          "func", [](const Schedule& sch) { return to_py(sch.func()); },
          "The function as scheduled so far.")
      .def_property_readonly(
          "trace", [](const Schedule& sch) { return sch.trace(); }, "What was applied so far.")
      .def("copy", &Schedule::copy,
           "An independent copy; its random stream is forked from this schedule's.")
      .def(
          "get", [](const Schedule& sch, const ExprRV& v) { return sch.value(v); }, py::arg("rv"),
          "The value a sampled ExprRV took.")
      // queries
      .def(
          "get_block", [](Schedule& sch, const std::string& name) { return sch.get_block(name); },
          py::arg("name"), "The block named `name` (a te.compute's name).")
      .def("get_loops", &Schedule::get_loops, py::arg("block"),
           "The loops around `block`, outermost first.")
      .def(
          "get_child_blocks",
          [](Schedule& sch, const py::handle& rv) {
            RV r = block_or_loop(rv);
            return r.kind == RV::Kind::kLoop ? sch.get_child_blocks(LoopRV{r.id})
                                             : sch.get_child_blocks(BlockRV{r.id});
          },
          py::arg("block_or_loop"), "The blocks directly inside a block or a loop.")
      .def("get_producers", &Schedule::get_producers, py::arg("block"),
           "The blocks that write what `block` reads.")
      .def("get_consumers", &Schedule::get_consumers, py::arg("block"),
           "The blocks that read what `block` writes.")
      // sampling
      .def("sample_perfect_tile", &Schedule::sample_perfect_tile, py::arg("loop"), py::arg("n"),
           py::arg("max_innermost_factor") = 16, py::arg("decision") = py::none(),
           "`n` factors whose product is the loop's extent (the innermost at most "
           "`max_innermost_factor`), for split.")
      .def("sample_categorical", &Schedule::sample_categorical, py::arg("candidates"),
           py::arg("probs"), py::arg("decision") = py::none(),
           "One of `candidates`, drawn with probabilities `probs`.")
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
          py::arg("loop"), py::arg("factors"),
          "Splits a loop into nested loops of the given extents (ints, sampled ExprRVs, at most "
          "one None: inferred), outermost first.")
      .def(
          "fuse", [](Schedule& sch, const py::args& loops) { return sch.fuse(to_loops(loops)); },
          "Fuses nested loops (outermost first) into one.")
      .def(
          "reorder", [](Schedule& sch, const py::args& loops) { sch.reorder(to_loops(loops)); },
          "Puts the loops of one nest in the order given, outermost first.")
      .def(
          "add_unit_loop",
          [](Schedule& sch, const py::handle& rv) { return sch.add_unit_loop(block_or_loop(rv)); },
          py::arg("block_or_loop"), "A new loop of extent 1 around a block or a loop.")
      .def("parallel", &Schedule::parallel, py::arg("loop"),
           "Runs the loop's iterations on the CPU's threads.")
      .def("vectorize", &Schedule::vectorize, py::arg("loop"),
           "Turns an innermost loop into vector instructions.")
      .def("unroll", &Schedule::unroll, py::arg("loop"), "Unrolls the loop.")
      .def("bind", &Schedule::bind, py::arg("loop"), py::arg("thread_axis"),
           "Maps the loop onto a GPU thread axis (\"blockIdx.x\", \"threadIdx.y\"...).")
      .def(
          "annotate",
          [](Schedule& sch, const py::handle& rv, const std::string& key, const py::handle& value) {
            if (py::isinstance<ExprRV>(value))
              sch.annotate(block_or_loop(rv), key, value.cast<ExprRV>());
            else
              sch.annotate(block_or_loop(rv), key, to_attr(value));
          },
          py::arg("block_or_loop"), py::arg("ann_key"), py::arg("ann_val"),
          "Attaches `ann_key` = `ann_val` (an int, float, str, list of ints or sampled ExprRV) "
          "to a block or loop.")
      .def(
          "unannotate",
          [](Schedule& sch, const py::handle& rv, const std::string& key) {
            sch.unannotate(block_or_loop(rv), key);
          },
          py::arg("block_or_loop"), py::arg("ann_key"), "Removes the annotation `ann_key`.")
      // compute location
      .def("compute_at", &Schedule::compute_at, py::arg("block"), py::arg("loop"),
           py::arg("preserve_unit_loops") = false, py::arg("index") = -1,
           "Moves a producer under `loop` of its consumers, computing only what one iteration "
           "needs.")
      .def("reverse_compute_at", &Schedule::reverse_compute_at, py::arg("block"), py::arg("loop"),
           py::arg("preserve_unit_loops") = false, py::arg("index") = -1,
           "Moves a consumer under `loop` of its producers.")
      .def("sample_compute_location", &Schedule::sample_compute_location, py::arg("block"),
           py::arg("decision") = py::none(),
           "A loop where compute_at of `block` is legal (or the root or inline mark).")
      .def("compute_inline", &Schedule::compute_inline, py::arg("block"),
           "Inlines an elementwise block into the blocks that read what it writes.")
      .def("reverse_compute_inline", &Schedule::reverse_compute_inline, py::arg("block"),
           "Inlines an elementwise consumer into its single producer.")
      // memory
      .def("cache_read", &Schedule::cache_read, py::arg("block"), py::arg("read_buffer_index"),
           py::arg("storage_scope"),
           "A copy of the block's read buffer into a new buffer of `storage_scope`, which the "
           "block then reads; returns the copy block.")
      .def("cache_write", &Schedule::cache_write, py::arg("block"), py::arg("write_buffer_index"),
           py::arg("storage_scope"),
           "The block writes a new buffer of `storage_scope`; the returned block copies it to "
           "the original.")
      .def(
          "reindex",
          [](Schedule& sch, const BlockRV& block, const py::tuple& buffer) {
            return sch.reindex(block, buffer_index(buffer), is_write(buffer));
          },
          py::arg("block"), py::arg("buffer"),
          "A copy stage through a buffer indexed by the block's iterators directly; `buffer` is "
          "(\"read\" | \"write\", index).")
      .def("set_scope", &Schedule::set_scope, py::arg("block"), py::arg("buffer_index"),
           py::arg("storage_scope"), "Moves a buffer the block writes to `storage_scope`.")
      .def("storage_align", &Schedule::storage_align, py::arg("block"), py::arg("buffer_index"),
           py::arg("axis"), py::arg("factor"), py::arg("offset"),
           "Pads the buffer's strides so that stride[axis] % factor == offset.")
      .def(
          "transform_layout",
          [](Schedule& sch, const BlockRV& block, const py::tuple& buffer,
             const py::object& index_map) {
            sch.transform_layout(block, buffer_index(buffer), is_write(buffer),
                                 to_index_map(index_map));
          },
          py::arg("block"), py::arg("buffer"), py::arg("index_map"),
          "Re-lays out a buffer by an index map (a lambda, or its text).")
      // reductions
      .def("decompose_reduction", &Schedule::decompose_reduction, py::arg("block"), py::arg("loop"),
           "Splits a reduction's init into a block \"<name>_init\" before `loop`; returns it.")
      .def("rfactor", &Schedule::rfactor, py::arg("loop"), py::arg("factor_axis"),
           "Splits a reduction along `loop` into partial results (block \"<name>_rf\") and their "
           "combination; returns the rf block.")
      // padding
      .def("pad_einsum", &Schedule::pad_einsum, py::arg("block"), py::arg("padding"),
           "Pads each iterator of an einsum-like block up to a multiple of padding[i].")
      .def("decompose_padding", &Schedule::decompose_padding, py::arg("block"), py::arg("loop"),
           "Splits a padding block into a constant fill before `loop` and the in-bounds copy; "
           "returns the fill block.")
      // blockize and tensorize
      .def("blockize", &Schedule::blockize, py::arg("loop"),
           "The nest under `loop` as one new block \"<name>_o\"; returns it.")
      .def(
          "tensorize",
          [](Schedule& sch, const py::handle& rv, const std::string& intrin) {
            sch.tensorize(block_or_loop(rv), intrin);
          },
          py::arg("block_or_loop"), py::arg("tensor_intrin"),
          "Replaces a block (or a loop's nest) by the registered tensor intrinsic "
          "`tensor_intrin`.");
}

}  // namespace kiln::python

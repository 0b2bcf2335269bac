// kiln._ffi.te: the compute DSL. kiln/te.py gives it its Python shape.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "ir/dsl/te.h"
#include "python/src/bindings.h"

namespace kiln::python {

namespace {

std::vector<ir::Expr> to_indices(const py::object& index) {
  std::vector<ir::Expr> out;
  if (py::isinstance<py::tuple>(index)) {
    for (const py::handle& h : index.cast<py::tuple>()) out.push_back(to_expr(h));
  } else {
    out.push_back(to_expr(index));
  }
  return out;
}

std::vector<te::ReduceAxis> to_axes(const py::object& axis) {
  if (py::isinstance<te::ReduceAxis>(axis)) return {axis.cast<te::ReduceAxis>()};
  return axis.cast<std::vector<te::ReduceAxis>>();
}

}  // namespace

void bind_te(py::module_& parent) {
  py::module_ m = parent.def_submodule("te", "compute DSL");

  py::class_<te::Tensor>(m, "Tensor",
                         R"(A tensor of the compute DSL: an input (te.placeholder) or a computed
one (te.compute). Indexing it gives the element as an expression.

Example::

    A = te.placeholder((64, 64), "float32", name="A")
    B = te.compute((64, 64), lambda i, j: A[i, j] * 2.0, name="B")
    print(B.name, B.dtype, B.shape)    # B float32 (64, 64))")
      .def(
          "__getitem__",
          [](const te::Tensor& t, const py::object& index) { return t(to_indices(index)); },
          py::arg("index"))
      .def_property_readonly("name", &te::Tensor::name, "The tensor's (and its block's) name.")
      .def_property_readonly(
          "dtype", [](const te::Tensor& t) { return t.dtype().str(); }, "The element type's name.")
      .def_property_readonly(
          "shape", [](const te::Tensor& t) { return py::tuple(py::cast(t.shape())); },
          "The extents.")
      .def("__repr__", [](const te::Tensor& t) { return "<kiln.te.Tensor " + t.name() + ">"; });

  py::class_<te::ReduceAxis> axis(
      m, "ReduceAxis", R"(A reduction axis (te.reduce_axis): an index that te.sum, te.max and
te.min run over; usable in expressions like a variable.

Example::

    k = te.reduce_axis((0, 64), name="k")
    C = te.compute((64, 64), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C"))");
  axis.def_property_readonly(
          "var", [](const te::ReduceAxis& a) { return a.var; }, "The axis' variable.")
      .def(
          "__kiln_expr__", [](const te::ReduceAxis& a) { return ir::Expr(a.var); },
          "The axis as an expression (its variable).")
      .def("__repr__",
           [](const te::ReduceAxis& a) { return "<kiln.te.ReduceAxis " + a.var.name() + ">"; });
  add_expr_operators(axis);

  py::class_<te::Reduction>(m, "Reduction",
                            R"(A reduction (te.sum, te.max, te.min): the whole body of a te.compute,
not a part of an expression.

Example::

    C = te.compute((64,), lambda i: te.max(A[i, k], axis=k), name="C"))");

  m.def(
      "placeholder",
      [](std::vector<int64_t> shape, const std::string& dtype, const std::string& name) {
        return te::placeholder(std::move(shape), ir::DataType::parse(dtype), name);
      },
      py::arg("shape"), py::arg("dtype"), py::arg("name"), "te.placeholder: an input tensor.");
  m.def("reduce_axis", &te::reduce_axis, py::arg("min"), py::arg("max"), py::arg("name"),
        "te.reduce_axis: a reduction axis over range(min, max).");
  m.def(
      "sum",
      [](const py::object& v, const py::object& axis) {
        return te::sum(to_expr(v), to_axes(axis));
      },
      py::arg("value"), py::arg("axis"), "te.sum: sum over reduction axes.");
  m.def(
      "max",
      [](const py::object& v, const py::object& axis) {
        return te::max_reduce(to_expr(v), to_axes(axis));
      },
      py::arg("value"), py::arg("axis"), "te.max: maximum over reduction axes.");
  m.def(
      "min",
      [](const py::object& v, const py::object& axis) {
        return te::min_reduce(to_expr(v), to_axes(axis));
      },
      py::arg("value"), py::arg("axis"), "te.min: minimum over reduction axes.");
  m.def(
      "compute",
      [](std::vector<int64_t> shape, const py::function& fn, const std::string& name,
         std::vector<std::string> axis_names) {
        auto body = [&fn](const std::vector<ir::Var>& vars) -> te::ComputeBody {
          py::tuple args(vars.size());
          for (size_t i = 0; i < vars.size(); ++i) args[i] = py::cast(vars[i]);
          py::object result = fn(*args);
          if (py::isinstance<te::Reduction>(result))
            return te::ComputeBody(result.cast<te::Reduction>());
          return te::ComputeBody(to_expr(result));
        };
        return te::compute(std::move(shape), body, name, std::move(axis_names));
      },
      py::arg("shape"), py::arg("fcompute"), py::arg("name"), py::arg("axis_names"),
      "te.compute: a tensor whose element at the indices is fcompute(*indices).");
  m.def(
      "if_then_else",
      [](const py::object& c, const py::object& t, const py::object& f) {
        return te::if_then_else(to_expr(c), to_expr(t), to_expr(f));
      },
      py::arg("cond"), py::arg("then_value"), py::arg("else_value"),
      "te.if_then_else: then_value where cond holds, else else_value.");
  for (auto [name, fn] : std::initializer_list<std::pair<const char*, ir::Expr (*)(ir::Expr)>>{
           {"exp", te::exp},
           {"log", te::log},
           {"sqrt", te::sqrt},
           {"tanh", te::tanh},
           {"sigmoid", te::sigmoid},
           {"erf", te::erf}}) {
    m.def(
        name, [fn](const py::object& x) { return fn(to_expr(x)); }, py::arg("x"),
        "An elementwise intrinsic (te.exp, te.log...).");
  }
  m.def(
      "create_prim_func",
      [](const std::vector<te::Tensor>& args, const std::string& name) {
        return to_py(te::create_prim_func(args, name));
      },
      py::arg("args"), py::arg("name"),
      "te.create_prim_func: the loop program computing `args`, in parameter order.");
}

}  // namespace kiln::python

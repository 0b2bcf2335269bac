// Declarations shared by the binding files of kiln._ffi.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>

#include "ir/function.h"
#include "ir/op.h"

namespace kiln::python {

namespace py = pybind11;

void bind_ir(py::module_& m);
void bind_te(py::module_& m);
void bind_interpreter(py::module_& m);
void bind_workloads(py::module_& m);
void bind_schedule(py::module_& m);
void bind_fuzz(py::module_& m);
void bind_runtime(py::module_& m);
void bind_codegen(py::module_& m);
void bind_bench(py::module_& m);
void bind_search(py::module_& m);
void bind_cost_model(py::module_& m);

// PrimFunc as Python holds it (pybind11 holders cannot be pointers to const).
using PyPrimFunc = std::shared_ptr<ir::PrimFuncNode>;
inline PyPrimFunc to_py(const ir::PrimFunc& f) {
  return std::const_pointer_cast<ir::PrimFuncNode>(f);
}

// Converts a Python int, float, bool, Expr or reduce axis to an Expr
// (ints become int32 constants, floats float32), or raises TypeError.
ir::Expr to_expr(const py::handle& obj);

// Adds Python arithmetic and comparison operators to a class whose values
// convert to Expr (Expr itself, te reduce axes).
template <typename Class>
void add_expr_operators(Class& cls) {
  using ir::Expr;
  auto bin = [](Expr (*fn)(Expr, Expr), bool reflected) {
    return [fn, reflected](const py::object& self, const py::object& other) {
      Expr a = to_expr(self), b = to_expr(other);
      return reflected ? fn(b, a) : fn(a, b);
    };
  };
  cls.def("__add__", bin(ir::add, false), py::arg("other"))
      .def("__radd__", bin(ir::add, true), py::arg("other"))
      .def("__sub__", bin(ir::sub, false), py::arg("other"))
      .def("__rsub__", bin(ir::sub, true), py::arg("other"))
      .def("__mul__", bin(ir::mul, false), py::arg("other"))
      .def("__rmul__", bin(ir::mul, true), py::arg("other"))
      .def("__truediv__", bin(ir::div, false), py::arg("other"))
      .def("__rtruediv__", bin(ir::div, true), py::arg("other"))
      .def("__floordiv__", bin(ir::floordiv, false), py::arg("other"))
      .def("__rfloordiv__", bin(ir::floordiv, true), py::arg("other"))
      .def("__mod__", bin(ir::floormod, false), py::arg("other"))
      .def("__rmod__", bin(ir::floormod, true), py::arg("other"))
      .def("__lt__", bin(ir::lt, false), py::arg("other"))
      .def("__le__", bin(ir::le, false), py::arg("other"))
      .def("__gt__", bin(ir::gt, false), py::arg("other"))
      .def("__ge__", bin(ir::ge, false), py::arg("other"))
      .def("__and__", bin(ir::logical_and, false), py::arg("other"))
      .def("__or__", bin(ir::logical_or, false), py::arg("other"))
      .def("__invert__", [](const py::object& self) { return ir::logical_not(to_expr(self)); })
      .def("__neg__", [](const py::object& self) { return -to_expr(self); })
      .def(
          "astype",
          [](const py::object& self, const std::string& dtype) {
            return ir::cast(ir::DataType::parse(dtype), to_expr(self));
          },
          py::arg("dtype"), "The value converted to `dtype`, as in A[i].astype(\"float64\").");
}

}  // namespace kiln::python

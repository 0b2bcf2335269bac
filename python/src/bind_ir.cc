// kiln._ffi: data types, expressions, buffers, functions, text form, structural equality.
#include <pybind11/stl.h>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "python/src/bindings.h"

namespace kiln::python {

using ir::Expr;

Expr to_expr(const py::handle& obj) {
  if (py::isinstance<Expr>(obj)) return obj.cast<Expr>();
  if (py::isinstance<py::bool_>(obj)) return ir::int_imm(ir::DataType::Bool(), obj.cast<bool>());
  if (py::isinstance<py::int_>(obj)) return ir::index_imm(obj.cast<int64_t>());
  if (py::isinstance<py::float_>(obj)) return Expr(obj.cast<double>());
  if (py::hasattr(obj, "__kiln_expr__")) return to_expr(obj.attr("__kiln_expr__")());
  throw py::type_error("cannot use a " +
                       std::string(py::str(py::type::handle_of(obj).attr("__name__"))) +
                       " as a kiln expression (expected an Expr, int, float or bool)");
}

void bind_ir(py::module_& m) {
  py::class_<ir::DataType>(m, "DataType")
      .def(py::init(&ir::DataType::parse))
      .def_property_readonly("bits", &ir::DataType::bits)
      .def_property_readonly("lanes", &ir::DataType::lanes)
      .def("__str__", &ir::DataType::str)
      .def("__repr__", [](const ir::DataType& t) { return "DataType(\"" + t.str() + "\")"; })
      .def("__eq__", &ir::DataType::operator==)
      .def("__hash__", &ir::DataType::hash);

  py::class_<Expr> expr(m, "Expr");
  expr.def_property_readonly("dtype", [](const Expr& e) { return e.dtype().str(); })
      .def("__str__", [](const Expr& e) { return ir::to_script(e); })
      .def("__repr__", [](const Expr& e) { return ir::to_script(e); })
      .def("same_as", &Expr::same_as)
      .def("__bool__", [](const Expr& e) -> bool {
        if (const int64_t* v = ir::as_const_int(e)) return *v != 0;
        throw py::type_error("the truth value of a symbolic kiln expression (" + ir::to_script(e) +
                             ") is unknown; use it inside the program, or te.if_then_else");
      });
  add_expr_operators(expr);

  py::class_<ir::Var, Expr>(m, "Var")
      .def(py::init([](const std::string& name, const std::string& dtype) {
             return ir::Var(name, ir::DataType::parse(dtype));
           }),
           py::arg("name"), py::arg("dtype") = "int32")
      .def_property_readonly("name", &ir::Var::name);

  py::class_<ir::Buffer>(m, "Buffer")
      .def_property_readonly("name", [](const ir::Buffer& b) { return b->name; })
      .def_property_readonly("dtype", [](const ir::Buffer& b) { return b->dtype.str(); })
      .def_property_readonly("shape", [](const ir::Buffer& b) { return ir::static_shape(b); })
      .def_property_readonly("scope", [](const ir::Buffer& b) { return b->scope; })
      .def("__repr__", [](const ir::Buffer& b) {
        std::string s = "Buffer(" + b->name + ", (";
        for (int64_t d : ir::static_shape(b)) s += std::to_string(d) + ", ";
        return s + "), \"" + b->dtype.str() + "\")";
      });

  py::class_<ir::PrimFuncNode, PyPrimFunc>(m, "PrimFunc")
      .def_property_readonly("name", [](const ir::PrimFuncNode& f) { return f.name; })
      .def_property_readonly("params", [](const ir::PrimFuncNode& f) { return f.params; })
      .def(
          "script", [](const PyPrimFunc& f) { return ir::to_script(ir::PrimFunc(f)); },
          "The function in kiln's text form; kiln.parse() reads it back.")
      .def("__str__", [](const PyPrimFunc& f) { return ir::to_script(ir::PrimFunc(f)); })
      .def("__repr__", [](const ir::PrimFuncNode& f) { return "<kiln.PrimFunc " + f.name + ">"; });

  static py::exception<ir::ParseError> parse_error(m, "ParseError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ir::ParseError& e) {
      py::set_error(parse_error, e.what());
    }
  });

  m.def("parse", [](const std::string& text) { return to_py(ir::parse_prim_func(text)); });
  m.def("structural_equal", [](const PyPrimFunc& a, const PyPrimFunc& b) {
    return ir::structural_equal(ir::PrimFunc(a), ir::PrimFunc(b));
  });
  m.def("structural_equal",
        [](const Expr& a, const Expr& b) { return ir::structural_equal(a, b); });
  m.def("structural_hash",
        [](const PyPrimFunc& f) { return ir::structural_hash(ir::PrimFunc(f)); });
  m.def("structural_hash", [](const Expr& e) { return ir::structural_hash(e); });
}

}  // namespace kiln::python

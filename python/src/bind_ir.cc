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
  py::class_<ir::DataType>(m, "DataType",
                           R"(An element type, from its name: int8..int64, uint8..uint64,
float16, bfloat16, float32, float64, bool, and vectors of them ("float32x8").

Example::

    t = kiln.DataType("float32x8")
    assert (t.bits, t.lanes, str(t)) == (32, 8, "float32x8"))")
      .def(py::init(&ir::DataType::parse), py::arg("name"))
      .def_property_readonly("bits", &ir::DataType::bits, "Bits of one lane.")
      .def_property_readonly("lanes", &ir::DataType::lanes,
                             "Lanes of a vector type; 1 for a scalar.")
      .def("__str__", &ir::DataType::str)
      .def("__repr__", [](const ir::DataType& t) { return "DataType(\"" + t.str() + "\")"; })
      // An operator: another type of `other` compares unequal instead of raising.
      .def("__eq__", &ir::DataType::operator==, py::arg("other"), py::is_operator())
      .def("__hash__", &ir::DataType::hash);

  py::class_<Expr> expr(m, "Expr",
                        R"(An expression of a loop program: what te.compute bodies and index
maps are made of. Python arithmetic and comparisons on expressions, ints
and floats build new ones (ints are int32 constants, floats float32).

Example::

    i = kiln.Var("i")
    e = i * 4 + 1
    print(e, e.dtype)    # i * 4 + 1 int32)");
  expr.def_property_readonly(
          "dtype", [](const Expr& e) { return e.dtype().str(); }, "The element type's name.")
      .def("__str__", [](const Expr& e) { return ir::to_script(e); })
      .def("__repr__", [](const Expr& e) { return ir::to_script(e); })
      .def("same_as", &Expr::same_as, py::arg("other"),
           "Whether both are the same node (identity, not structure: see kiln.structural_equal).")
      .def("__bool__", [](const Expr& e) -> bool {
        if (const int64_t* v = ir::as_const_int(e)) return *v != 0;
        throw py::type_error("the truth value of a symbolic kiln expression (" + ir::to_script(e) +
                             ") is unknown; use it inside the program, or te.if_then_else");
      });
  add_expr_operators(expr);

  py::class_<ir::Var, Expr>(m, "Var", R"(A named variable: a loop index, an index map's input.

Example::

    i = kiln.Var("i", "int32")
    print(i.name, (i + 1).dtype)    # i int32)")
      .def(py::init([](const std::string& name, const std::string& dtype) {
             return ir::Var(name, ir::DataType::parse(dtype));
           }),
           py::arg("name"), py::arg("dtype") = "int32")
      .def_property_readonly("name", &ir::Var::name, "The variable's name.");

  py::class_<ir::Buffer>(m, "Buffer",
                         R"(An array a function reads or writes: its name, element type, shape
and memory scope ("global" for a parameter).

Example::

    A = func.params[0]
    print(A.name, A.dtype, A.shape, A.scope)    # A float32 [64, 64] global)")
      .def_property_readonly(
          "name", [](const ir::Buffer& b) { return b->name; }, "The buffer's name.")
      .def_property_readonly(
          "dtype", [](const ir::Buffer& b) { return b->dtype.str(); }, "The element type's name.")
      .def_property_readonly(
          "shape", [](const ir::Buffer& b) { return ir::static_shape(b); }, "The extents.")
      .def_property_readonly(
          "scope", [](const ir::Buffer& b) { return b->scope; },
          "Where it lives: \"global\", \"shared\", \"local\"...")
      .def("__repr__", [](const ir::Buffer& b) {
        std::string s = "Buffer(" + b->name + ", (";
        for (int64_t d : ir::static_shape(b)) s += std::to_string(d) + ", ";
        return s + "), \"" + b->dtype.str() + "\")";
      });

  py::class_<ir::PrimFuncNode, PyPrimFunc>(
      m, "PrimFunc", R"(A function in kiln's loop IR: what te.create_prim_func, kiln.parse and
Schedule.func give, and kiln.build compiles.

Example::

    func = kiln.workloads.get("matmul", M=64, N=64, K=64).func
    print(func.name, [b.name for b in func.params])    # matmul ['A', 'B', 'C']
    print(func.script()))")
      .def_property_readonly(
          "name", [](const ir::PrimFuncNode& f) { return f.name; }, "The function's name.")
      .def_property_readonly(
          "params", [](const ir::PrimFuncNode& f) { return f.params; },
          "The parameter buffers, in call order.")
      .def(
          "script", [](const PyPrimFunc& f) { return ir::to_script(ir::PrimFunc(f)); },
          "The function in kiln's text form; kiln.parse() reads it back.")
      .def("__str__", [](const PyPrimFunc& f) { return ir::to_script(ir::PrimFunc(f)); })
      .def("__repr__", [](const ir::PrimFuncNode& f) { return "<kiln.PrimFunc " + f.name + ">"; });

  static py::exception<ir::ParseError> parse_error(m, "ParseError", PyExc_ValueError);
  parse_error.doc() = R"(Raised by kiln.parse for text that is not a kiln function; the message
gives the line and column of the mistake.

Example::

    try:
        kiln.parse("def main(): pass")
    except kiln.ParseError as e:
        print(e))";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ir::ParseError& e) {
      py::set_error(parse_error, e.what());
    }
  });

  m.def(
      "parse", [](const std::string& text) { return to_py(ir::parse_prim_func(text)); },
      py::arg("text"), "kiln.parse: the function that kiln's text form `text` spells.");
  m.def(
      "structural_equal",
      [](const PyPrimFunc& a, const PyPrimFunc& b) {
        return ir::structural_equal(ir::PrimFunc(a), ir::PrimFunc(b));
      },
      py::arg("a"), py::arg("b"), "kiln.structural_equal: same structure, names aside.");
  m.def(
      "structural_equal", [](const Expr& a, const Expr& b) { return ir::structural_equal(a, b); },
      py::arg("a"), py::arg("b"), "kiln.structural_equal: same structure, names aside.");
  m.def(
      "structural_hash", [](const PyPrimFunc& f) { return ir::structural_hash(ir::PrimFunc(f)); },
      py::arg("obj"), "kiln.structural_hash: a hash consistent with structural_equal.");
  m.def(
      "structural_hash", [](const Expr& e) { return ir::structural_hash(e); }, py::arg("obj"),
      "kiln.structural_hash: a hash consistent with structural_equal.");
}

}  // namespace kiln::python

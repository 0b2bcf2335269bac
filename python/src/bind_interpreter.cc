// kiln._ffi.interpret: runs a PrimFunc on NumPy arrays, writing outputs in place.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "ir/interpreter.h"
#include "python/src/bindings.h"

namespace kiln::python {

namespace {

ir::DataType dtype_of(const py::array& a, size_t index) {
  const char kind = a.dtype().kind();
  const int bits = static_cast<int>(a.itemsize()) * 8;
  if (kind == 'f') return ir::DataType::Float(bits);
  if (kind == 'i') return ir::DataType::Int(bits);
  if (kind == 'u') return ir::DataType::UInt(bits);
  if (kind == 'b') return ir::DataType::Bool();
  throw py::type_error("argument " + std::to_string(index) + " has NumPy dtype " +
                       std::string(py::str(a.dtype())) + ", which kiln does not support");
}

}  // namespace

void bind_interpreter(py::module_& m) {
  static py::exception<ir::InterpreterError> error(m, "InterpreterError", PyExc_RuntimeError);
  error.doc() = R"(Raised by kiln.interpret when the program faults: an out-of-bounds access
(the message names the buffer and the index), a division by zero.

Example::

    try:
        kiln.interpret(func, [a, b, c])
    except kiln.InterpreterError as e:
        print(e))";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ir::InterpreterError& e) {
      py::set_error(error, e.what());
    }
  });

  m.def(
      "interpret",
      [](const PyPrimFunc& func, const std::vector<py::array>& arrays) {
        std::vector<ir::TensorView> views;
        views.reserve(arrays.size());
        for (size_t i = 0; i < arrays.size(); ++i) {
          const py::array& a = arrays[i];
          if (!(a.flags() & py::array::c_style))
            throw py::value_error("argument " + std::to_string(i) +
                                  " is not C-contiguous; pass numpy.ascontiguousarray(x)");
          if (!a.writeable())
            throw py::value_error("argument " + std::to_string(i) +
                                  " is read-only; outputs are written in place");
          std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
          views.push_back({const_cast<void*>(a.data()), dtype_of(a, i), std::move(shape)});
        }
        py::gil_scoped_release release;
        ir::interpret(func, views);
      },
      py::arg("func"), py::arg("arrays"),
      "kiln.interpret: runs `func` in the reference interpreter, outputs in place.");
}

}  // namespace kiln::python

// kiln._ffi: Target, lower and build (codegen/).
#include <pybind11/stl.h>

#include "codegen/build.h"
#include "codegen/passes/pipeline.h"
#include "python/src/bindings.h"

namespace kiln::python {

void bind_codegen(py::module_& m) {
  py::register_exception<BuildError>(m, "BuildError", PyExc_RuntimeError);

  py::class_<Target>(m, "Target",
                     "What to compile for: \"llvm\", \"llvm -mcpu=znver3\", "
                     "\"cuda -arch=sm_90\" or \"opencl\".")
      .def(py::init<const std::string&>(), py::arg("text"))
      .def_property_readonly("kind", &Target::kind)
      .def("option", &Target::option, py::arg("name"))
      .def_readonly("num_cores", &Target::num_cores)
      .def_readonly("vector_bytes", &Target::vector_bytes)
      .def_readonly("max_threads_per_block", &Target::max_threads_per_block)
      .def_readonly("max_shared_memory_per_block", &Target::max_shared_memory_per_block)
      .def_readonly("warp_size", &Target::warp_size)
      .def_readonly("has_fp16", &Target::has_fp16)
      .def_readonly("has_fp64", &Target::has_fp64)
      .def("__str__", &Target::str)
      .def("__repr__", [](const Target& t) { return "Target(\"" + t.str() + "\")"; });
  py::implicitly_convertible<std::string, Target>();

  m.def(
      "lower",
      [](const PyPrimFunc& func, const Target& target) {
        return to_py(codegen::lower(func, target));
      },
      py::arg("func"), py::arg("target"));
  m.def(
      "build",
      [](const PyPrimFunc& func, const Target& target) {
        py::gil_scoped_release release;
        return build(func, target);
      },
      py::arg("func"), py::arg("target"));
}

}  // namespace kiln::python

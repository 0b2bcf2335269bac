// kiln._ffi: Target, lower and build (codegen/).
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "codegen/build.h"
#include "codegen/passes/pipeline.h"
#include "python/src/bindings.h"

namespace kiln::python {

void bind_codegen(py::module_& m) {
  py::register_exception<BuildError>(m, "BuildError", PyExc_RuntimeError);

  py::class_<Target>(m, "Target",
                     "What to compile for, and the hardware it stands for: \"llvm\" (this "
                     "CPU), \"llvm -mcpu=znver4\", \"cuda -arch=sm_90\" or \"opencl\". "
                     "str(target) is its canonical key; describe() the full description.")
      .def(py::init<const std::string&>(), py::arg("text"))
      .def_property_readonly("kind", &Target::kind)
      .def("option", &Target::option, py::arg("name"))
      .def(
          "describe",
          [](const Target& t) { return py::module_::import("json").attr("loads")(t.describe().dump()); },
          "Everything kiln knows of the target's hardware, as a dict (what tuning records "
          "carry).")
      .def_readonly("hardware_source", &Target::hardware_source)
      .def_readonly("triple", &Target::triple)
      .def_readonly("features", &Target::features)
      .def_readonly("num_cores", &Target::num_cores)
      .def_readonly("vector_bytes", &Target::vector_bytes)
      .def_readonly("has_fma", &Target::has_fma)
      .def_readonly("physical_cores", &Target::physical_cores)
      .def_readonly("hardware_threads", &Target::hardware_threads)
      .def_readonly("l1d_cache_bytes", &Target::l1d_cache_bytes)
      .def_readonly("l2_cache_bytes", &Target::l2_cache_bytes)
      .def_readonly("l3_cache_bytes", &Target::l3_cache_bytes)
      .def_readonly("cache_line_bytes", &Target::cache_line_bytes)
      .def_readonly("cpu_model_name", &Target::cpu_model_name)
      .def_readonly("compute_capability", &Target::compute_capability)
      .def_readonly("sm_count", &Target::sm_count)
      .def_readonly("max_threads_per_block", &Target::max_threads_per_block)
      .def_readonly("max_threads_per_sm", &Target::max_threads_per_sm)
      .def_readonly("max_shared_memory_per_block", &Target::max_shared_memory_per_block)
      .def_readonly("max_shared_memory_per_sm", &Target::max_shared_memory_per_sm)
      .def_readonly("max_registers_per_block", &Target::max_registers_per_block)
      .def_readonly("max_registers_per_sm", &Target::max_registers_per_sm)
      .def_readonly("tensor_core_instructions", &Target::tensor_core_instructions)
      .def_readonly("warp_size", &Target::warp_size)
      .def_readonly("has_fp16", &Target::has_fp16)
      .def_readonly("has_fp64", &Target::has_fp64)
      .def("__eq__", [](const Target& a, const Target& b) { return a == b; })
      .def("__hash__", [](const Target& t) { return std::hash<std::string>()(t.str()); })
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

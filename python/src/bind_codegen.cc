// kiln._ffi: Target, lower and build (codegen/).
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "codegen/build.h"
#include "codegen/passes/pipeline.h"
#include "python/src/bindings.h"

namespace kiln::python {

void bind_codegen(py::module_& m) {
  py::register_exception<BuildError>(m, "BuildError", PyExc_RuntimeError).doc() =
      R"(Raised by kiln.build when the function cannot be compiled for the target
(a GPU schedule for the CPU, say); the message says why and what to change.

Example::

    try:
        kiln.build(gpu_func, target="llvm")
    except kiln.BuildError as e:
        print(e))";

  py::class_<Target>(m, "Target",
                     R"(What to compile for, and the hardware it stands for: "llvm" (this CPU),
"llvm -mcpu=znver4", "cuda -arch=sm_90" or "opencl". str(target) is its
canonical key; describe() everything kiln knows of the hardware. Functions
that take a target also take its text.

Example::

    t = kiln.Target("llvm")
    print(t.kind, t.num_cores, t.vector_bytes, t.l2_cache_bytes)
    mod = kiln.build(func, target=t))")
      .def(py::init<const std::string&>(), py::arg("text"))
      .def_property_readonly("kind", &Target::kind, "\"llvm\", \"cuda\" or \"opencl\".")
      .def("option", &Target::option, py::arg("name"),
           "An option of the key (\"\" when absent): \"mcpu\", \"mattr\", \"mtriple\", "
           "\"num_cores\", \"arch\", \"fast_math\", \"warp_size\".")
      .def(
          "describe",
          [](const Target& t) {
            return py::module_::import("json").attr("loads")(t.describe().dump());
          },
          "Everything kiln knows of the target's hardware, as a dict (what tuning records "
          "carry).")
      .def_readonly("hardware_source", &Target::hardware_source,
                    "Where the hardware values come from: \"host\", \"device\", \"preset\" or "
                    "\"default\".")
      .def_readonly("triple", &Target::triple, "CPU: the LLVM target triple.")
      .def_readonly("features", &Target::features, "CPU: every ISA feature on, sorted.")
      .def_readonly("num_cores", &Target::num_cores, "CPU: threads parallel loops use.")
      .def_readonly("vector_bytes", &Target::vector_bytes, "CPU: the widest vector register.")
      .def_readonly("has_fma", &Target::has_fma, "CPU: fused multiply-add.")
      .def_readonly("physical_cores", &Target::physical_cores,
                    "CPU: this machine's cores (0: not this machine).")
      .def_readonly("hardware_threads", &Target::hardware_threads, "CPU: this machine's threads.")
      .def_readonly("l1d_cache_bytes", &Target::l1d_cache_bytes, "L1 data cache, per core.")
      .def_readonly("l2_cache_bytes", &Target::l2_cache_bytes,
                    "L2 cache: per core on CPUs, the whole L2 on GPUs.")
      .def_readonly("l3_cache_bytes", &Target::l3_cache_bytes,
                    "L3 cache, shared by the cores it serves.")
      .def_readonly("cache_line_bytes", &Target::cache_line_bytes, "Cache line size.")
      .def_readonly("cpu_model_name", &Target::cpu_model_name, "CPU: the model (this machine).")
      .def_readonly("compute_capability", &Target::compute_capability, "CUDA: 90 for sm_90.")
      .def_readonly("sm_count", &Target::sm_count, "GPU: SMs (OpenCL: compute units).")
      .def_readonly("max_threads_per_block", &Target::max_threads_per_block, "GPU.")
      .def_readonly("max_threads_per_sm", &Target::max_threads_per_sm, "GPU.")
      .def_readonly("max_shared_memory_per_block", &Target::max_shared_memory_per_block,
                    "GPU: bytes (the opt-in maximum on CUDA).")
      .def_readonly("max_shared_memory_per_sm", &Target::max_shared_memory_per_sm, "GPU: bytes.")
      .def_readonly("max_registers_per_block", &Target::max_registers_per_block,
                    "GPU: 32-bit registers.")
      .def_readonly("max_registers_per_sm", &Target::max_registers_per_sm, "GPU: 32-bit registers.")
      .def_readonly("tensor_core_instructions", &Target::tensor_core_instructions,
                    "GPU: tensor-core instruction families (\"wmma\", \"mma.sync\", \"wgmma\").")
      .def_readonly("warp_size", &Target::warp_size, "GPU: threads per warp (OpenCL: 1).")
      .def_readonly("has_fp16", &Target::has_fp16, "GPU: kernels may compute in float16.")
      .def_readonly("has_fp64", &Target::has_fp64, "GPU: kernels may compute in float64.")
      // An operator: another type of `other` compares unequal instead of raising.
      .def(
          "__eq__", [](const Target& a, const Target& b) { return a == b; }, py::arg("other"),
          py::is_operator())
      .def("__hash__", [](const Target& t) { return std::hash<std::string>()(t.str()); })
      .def("__str__", &Target::str)
      .def("__repr__", [](const Target& t) { return "Target(\"" + t.str() + "\")"; });
  py::implicitly_convertible<std::string, Target>();

  m.def(
      "lower",
      [](const PyPrimFunc& func, const Target& target) {
        return to_py(codegen::lower(func, target));
      },
      py::arg("func"), py::arg("target"), "kiln.lower: the loop program `func` compiles to.");
  m.def(
      "build",
      [](const PyPrimFunc& func, const Target& target) {
        py::gil_scoped_release release;
        return build(func, target);
      },
      py::arg("func"), py::arg("target"), "kiln.build: `func` compiled for `target`.");
}

}  // namespace kiln::python

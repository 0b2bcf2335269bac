// The kiln._ffi extension: each bind_*.cc adds one part of the C++ API.
#include "python/src/bindings.h"

PYBIND11_MODULE(_ffi, m) {
  m.doc() = "kiln's C++ core (use the `kiln` package, not this module directly)";
  kiln::python::bind_ir(m);
  kiln::python::bind_te(m);
  kiln::python::bind_interpreter(m);
  kiln::python::bind_workloads(m);
  kiln::python::bind_schedule(m);
  kiln::python::bind_fuzz(m);
  kiln::python::bind_runtime(m);
  kiln::python::bind_codegen(m);
  kiln::python::bind_bench(m);
  kiln::python::bind_cost_model(m);  // before search: tune takes a CostModel
  kiln::python::bind_search(m);
}

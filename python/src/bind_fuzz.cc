// kiln._ffi.fuzz: the differential schedule fuzzer (fuzz/fuzzer.h).
#include <pybind11/stl.h>

#include <iostream>

#include "fuzz/fuzzer.h"
#include "python/src/bindings.h"

namespace kiln::python {

void bind_fuzz(py::module_& m) {
  m.def(
      "fuzz",
      [](int64_t traces, uint64_t seed, const std::string& workload, int steps,
         const std::string& build) {
        fuzz::FuzzOptions options{traces, seed, workload, steps, build};
        fuzz::FuzzReport r;
        {
          py::gil_scoped_release release;
          r = fuzz::run_fuzz(options, std::cout);
        }
        py::dict d;
        d["traces"] = r.traces;
        d["mismatches"] = r.mismatches;
        d["crashes"] = r.crashes;
        d["not_gpu_valid"] = r.not_gpu_valid;
        d["traces_per_workload"] = r.traces_per_workload;
        d["applied"] = r.applied;
        d["refused"] = r.refused;
        return d;
      },
      py::arg("traces"), py::arg("seed") = 0, py::arg("workload") = "", py::arg("steps") = 8,
      py::arg("build") = "",
      "`kiln fuzz`: applies `traces` random schedules and checks each against the unscheduled "
      "function; returns a dict of counts (mismatches, crashes...).");
}

}  // namespace kiln::python

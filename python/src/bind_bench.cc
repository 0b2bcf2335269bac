// kiln._ffi.expert_matmul_schedule: the hand-written CPU matmul schedule of
// bench/schedules/ (what the demo builds and bench_matmul_cpu measures).
#include "bench/schedules/matmul_cpu.h"
#include "python/src/bindings.h"

namespace kiln::python {

void bind_bench(py::module_& m) {
  m.def(
      "expert_matmul_schedule",
      [](const PyPrimFunc& func, int vector_lanes, int num_threads) {
        return sched::expert_matmul_cpu(func, vector_lanes, num_threads);
      },
      py::arg("func"), py::arg("vector_lanes"), py::arg("num_threads"),
      "The expert CPU schedule of the `matmul` workload for a target with `vector_lanes` float32 "
      "lanes and `num_threads` threads.");
}

}  // namespace kiln::python

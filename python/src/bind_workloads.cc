// kiln._ffi.workloads: the registry of standard operators. kiln/workloads.py adds NumPy.
#include <pybind11/stl.h>

#include "python/src/bindings.h"
#include "workloads/networks.h"
#include "workloads/workloads.h"

namespace kiln::python {

void bind_workloads(py::module_& parent) {
  py::module_ m = parent.def_submodule("workloads", "registry of standard operators");
  m.def("list", &workloads::list, "kiln.workloads.list: the registered workloads' names.");
  m.def("default_shape", &workloads::default_shape, py::arg("name"),
        "kiln.workloads.default_shape: a workload's small default shape.");
  m.def(
      "get",
      [](const std::string& name, const std::map<std::string, int64_t>& shape) {
        workloads::Workload w = workloads::get(name, shape);
        return py::make_tuple(to_py(w.func), w.shape, w.description);
      },
      py::arg("name"), py::arg("shape"),
      "kiln.workloads.get: (func, full shape, description) of workload `name` at `shape`.");
  m.def("networks", &workloads::networks, "kiln.workloads.networks: the networks' names.");
  m.def(
      "network",
      [](const std::string& name) {
        py::list out;
        for (const workloads::NetworkOperator& op : workloads::network(name))
          out.append(py::make_tuple(op.workload, op.shape, op.count, op.layers));
        return out;
      },
      py::arg("name"),
      "kiln.workloads.network: (workload, shape, count, layers) of each operator of network "
      "`name`.");
}

}  // namespace kiln::python

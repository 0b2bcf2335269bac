// kiln._ffi's runtime: NDArray (with the DLPack protocol both ways), Module
// and Kernel (called with NDArrays or anything that has __dlpack__: NumPy
// arrays, PyTorch tensors, imported without a copy), and load_module.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "python/src/bindings.h"
#include "runtime/module.h"
#include "runtime/ndarray.h"
#include "runtime/time_evaluator.h"

namespace kiln::python {

namespace {

using runtime::Kernel;
using runtime::KernelSignature;
using runtime::Module;
using runtime::NDArray;

// The DLPack capsule names: a consumer renames the capsule when it takes the
// tensor, so that the capsule's destructor leaves it alone.
constexpr const char* kCapsule = "dltensor";
constexpr const char* kUsedCapsule = "used_dltensor";

py::tuple to_tuple(const std::vector<int64_t>& values) {
  py::tuple t(values.size());
  for (size_t i = 0; i < values.size(); ++i) t[i] = values[i];
  return t;
}

// The kiln dtype of a NumPy dtype, or TypeError.
DLDataType dtype_of(const py::dtype& d) {
  const int bits = static_cast<int>(d.itemsize()) * 8;
  const char kind = d.kind();
  std::string name;
  if (kind == 'b') name = "bool";
  if (kind == 'i') name = "int" + std::to_string(bits);
  if (kind == 'u') name = "uint" + std::to_string(bits);
  if (kind == 'f') name = "float" + std::to_string(bits);
  try {
    if (!name.empty()) return runtime::parse_dtype(name);
  } catch (const runtime::RuntimeError&) {
  }
  throw py::type_error("NumPy dtype " + std::string(py::str(d)) +
                       " has no kiln equivalent; kiln arrays hold bool, int8..int64, "
                       "uint8..uint64, float16, float32 and float64 (bfloat16 through DLPack, "
                       "e.g. from PyTorch)");
}

// The NumPy dtype of a kiln dtype, or TypeError.
py::dtype numpy_dtype_of(DLDataType t) {
  const std::string name = runtime::dtype_str(t);
  if (t.lanes == 1 && t.code != kDLBfloat) {
    try {
      return py::dtype(name);
    } catch (py::error_already_set&) {
    }
  }
  throw py::type_error("NumPy has no " + name +
                       " dtype; read the array with torch.from_dlpack(x) instead");
}

// A "dltensor" capsule owning a new export of `array`.
py::capsule export_capsule(const NDArray& array) {
  DLManagedTensor* managed = array.to_dlpack();
  PyObject* capsule = PyCapsule_New(managed, kCapsule, [](PyObject* self) {
    // Still named "dltensor": no consumer took it, so it is ours to delete.
    if (!PyCapsule_IsValid(self, kCapsule)) return;
    auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(self, kCapsule));
    if (m->deleter) m->deleter(m);
  });
  if (capsule == nullptr) {
    managed->deleter(managed);
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::capsule>(capsule);
}

// DLPack 1.0's DLManagedTensorVersioned, laid out as the standard fixes it
// (the system's dlpack.h may predate it). Only its flags can say that an
// export is writable: NumPy makes a read-only view of an unversioned one.
struct VersionedTensor {
  struct {
    uint32_t major, minor;
  } version;
  void* manager_ctx;
  void (*deleter)(VersionedTensor* self);
  uint64_t flags;  // bit 0: read-only, bit 1: a copy
  DLTensor dl_tensor;
};
constexpr const char* kVersionedCapsule = "dltensor_versioned";

// A "dltensor_versioned" capsule owning a new, writable export of `array`
// (`copied`: made for this export, so no one else sees writes to it).
py::capsule export_versioned_capsule(const NDArray& array, bool copied) {
  DLManagedTensor* legacy = array.to_dlpack();  // owns the reference to the array
  auto* versioned =
      new VersionedTensor{{1, 0}, legacy, nullptr, copied ? 2u : 0u, legacy->dl_tensor};
  versioned->deleter = [](VersionedTensor* self) {
    auto* m = static_cast<DLManagedTensor*>(self->manager_ctx);
    m->deleter(m);
    delete self;
  };
  PyObject* capsule = PyCapsule_New(versioned, kVersionedCapsule, [](PyObject* self) {
    if (!PyCapsule_IsValid(self, kVersionedCapsule)) return;
    auto* v = static_cast<VersionedTensor*>(PyCapsule_GetPointer(self, kVersionedCapsule));
    v->deleter(v);
  });
  if (capsule == nullptr) {
    versioned->deleter(versioned);
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::capsule>(capsule);
}

// The protocol's number for CUDA's legacy default stream, where kiln's CUDA
// kernels run (runtime/cuda/cuda_module.cc launches on the null stream).
constexpr int kLegacyDefaultStream = 1;

// Takes the tensor out of `obj.__dlpack__()`, without a copy. A CUDA tensor
// is asked for with the stream kiln will read it on, so that its producer
// (PyTorch, CuPy) first finishes the work that writes it on its own stream.
NDArray import_dlpack(const py::handle& obj) {
  int device_type = kDLCPU;
  if (py::hasattr(obj, "__dlpack_device__"))
    device_type = py::tuple(obj.attr("__dlpack_device__")())[0].cast<int>();
  py::object capsule = device_type == kDLCUDA
                           ? obj.attr("__dlpack__")(py::arg("stream") = kLegacyDefaultStream)
                           : obj.attr("__dlpack__")();
  PyObject* c = capsule.ptr();
  if (!PyCapsule_IsValid(c, kCapsule))
    throw py::type_error("__dlpack__() returned " +
                         std::string(py::str(py::type::handle_of(capsule).attr("__name__"))) +
                         ", not an unused \"dltensor\" capsule");
  auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(c, kCapsule));
  // The NDArray owns it from here on (from_dlpack deletes it even if it throws).
  PyCapsule_SetName(c, kUsedCapsule);
  return NDArray::from_dlpack(managed);
}

std::string type_name(const py::handle& obj) {
  return py::str(py::type::handle_of(obj).attr("__name__"));
}

// A call's argument as an NDArray: a kiln array as it is, any other tensor
// through DLPack. `where` names the argument for messages.
NDArray argument(const py::handle& obj, const std::string& where) {
  if (py::isinstance<NDArray>(obj)) return obj.cast<NDArray>();
  if (!py::hasattr(obj, "__dlpack__"))
    throw py::type_error(where + ": a " + type_name(obj) +
                         " is not an array; pass a NumPy array, a PyTorch tensor (anything with "
                         "__dlpack__) or a kiln.nd.array");
  try {
    return import_dlpack(obj);
  } catch (py::error_already_set& e) {
    py::raise_from(
        e, PyExc_TypeError,
        (where + ": cannot take the " + type_name(obj) + " through __dlpack__: " + e.what() +
         " (a read-only NumPy array cannot be shared: pass x.copy(); a PyTorch "
         "tensor that requires grad: pass x.detach())")
            .c_str());
    throw py::error_already_set();
  }
}

// A call's Python arguments as NDArrays (DLPack imports, no copies).
std::vector<NDArray> arguments(const Kernel& kernel, const py::args& args) {
  const KernelSignature& signature = kernel.signature();
  std::vector<NDArray> arrays;
  arrays.reserve(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    std::string where = "kernel `" + signature.name + "`, argument " + std::to_string(i);
    if (i < signature.params.size()) where += " (`" + signature.params[i].name + "`)";
    arrays.push_back(argument(args[i], where));
  }
  return arrays;
}

// Calls `kernel` on Python arguments, with the GIL released while it runs.
void call(const Kernel& kernel, const py::args& args) {
  std::vector<NDArray> arrays = arguments(kernel, args);
  {
    py::gil_scoped_release release;
    kernel(arrays);
  }
  // `arrays` goes with the GIL held: an imported tensor's deleter may need it.
}

// Module.time_evaluator's result: times a kernel on the arrays it is called with.
struct Timer {
  Kernel kernel;
  runtime::TimingOptions options;
  runtime::TimingResult operator()(const py::args& args) const {
    std::vector<NDArray> arrays = arguments(kernel, args);
    std::vector<const DLTensor*> tensors;
    for (const NDArray& a : arrays) tensors.push_back(&a.tensor());
    py::gil_scoped_release release;
    return runtime::time_kernel(kernel, tensors, options);
  }
};

runtime::CacheFlush parse_flush(const py::object& flush) {
  if (flush.is_none()) return runtime::CacheFlush::kAuto;
  return flush.cast<bool>() ? runtime::CacheFlush::kOn : runtime::CacheFlush::kOff;
}

std::string fspath(const py::object& path) {
  return py::str(py::module_::import("os").attr("fspath")(path));
}

// NumPy's view of a CPU array's memory (strides in bytes), kept alive by `owner`.
py::array numpy_view(const NDArray& array, const py::object& owner) {
  const DLTensor& t = array.tensor();
  const py::dtype dtype = numpy_dtype_of(t.dtype);
  const std::vector<int64_t> shape = array.shape();
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = dtype.itemsize();
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = t.strides ? t.strides[i] * dtype.itemsize() : stride;
    stride *= shape[i];
  }
  return py::array(dtype, std::vector<py::ssize_t>(shape.begin(), shape.end()), strides,
                   static_cast<char*>(t.data) + t.byte_offset, owner);
}

py::array to_numpy(const NDArray& self) {
  NDArray host = self;
  if (self.device().device_type != kDLCPU) {
    host = NDArray::empty(self.shape(), self.dtype());
    host.copy_from(self);
  }
  py::array view = numpy_view(host, py::cast(host));
  return py::module_::import("numpy").attr("array")(view, py::arg("copy") = true,
                                                    py::arg("order") = "C");
}

// kiln.nd.array: a new aligned array with `obj`'s contents.
NDArray make_array(const py::object& obj, const py::object& dtype, const std::string& device) {
  const DLDevice target = runtime::parse_device(device);
  // Tensors that need no conversion copy straight, from any device.
  if (dtype.is_none() && (py::isinstance<NDArray>(obj) ||
                          (py::hasattr(obj, "__dlpack__") && !py::isinstance<py::array>(obj)))) {
    NDArray source = argument(obj, "kiln.nd.array");
    if (source.is_contiguous()) {
      NDArray out = NDArray::empty(source.shape(), source.dtype(), target);
      out.copy_from(source);
      return out;
    }
  }
  py::object numpy = py::module_::import("numpy");
  py::array host = numpy.attr("ascontiguousarray")(obj, dtype);
  std::vector<int64_t> shape(host.shape(), host.shape() + host.ndim());
  NDArray staged = NDArray::empty(shape, dtype_of(host.dtype()));
  std::memcpy(staged.data(), host.data(), static_cast<size_t>(staged.num_bytes()));
  if (target.device_type == kDLCPU) return staged;
  NDArray out = NDArray::empty(shape, staged.dtype(), target);
  out.copy_from(staged);
  return out;
}

std::string kind(const Module& m) { return m.defined() ? m.node()->kind() : "undefined"; }

std::string signature_str(const KernelSignature& s) {
  std::string text = s.name + "(";
  for (size_t i = 0; i < s.params.size(); ++i) {
    const auto& p = s.params[i];
    text += (i ? ", " : "") + p.name + ": " + runtime::dtype_str(p.dtype) + " " +
            std::string(py::str(to_tuple(p.shape)));
  }
  return text + ")";
}

}  // namespace

void bind_runtime(py::module_& m) {
  py::register_exception<runtime::RuntimeError>(m, "KilnRuntimeError", PyExc_RuntimeError).doc() =
      R"(Raised by the runtime: an argument a kernel cannot take (the message names
the kernel, the argument, what it expected and the fix), a library that is
not kiln's, a device or driver that is missing.

Example::

    try:
        mod(a, b)    # one array short
    except kiln.KilnRuntimeError as e:
        print(e))";

  py::class_<NDArray>(m, "NDArray",
                      R"(A tensor on a device, in memory kiln allocated (64-byte aligned on the
CPU) or imported without a copy through DLPack. It exports itself through
DLPack too: np.from_dlpack(a) and torch.from_dlpack(a) share its memory.

Example::

    a = kiln.nd.array(np.arange(6, dtype="float32").reshape(2, 3))
    print(a.shape, a.dtype, a.device)    # (2, 3) float32 cpu
    view = np.from_dlpack(a)             # no copy: writes to view show in a)")
      .def_property_readonly(
          "shape", [](const NDArray& a) { return to_tuple(a.shape()); }, "The extents.")
      .def_property_readonly(
          "dtype", [](const NDArray& a) { return runtime::dtype_str(a.dtype()); },
          "The element type's name (\"float32\").")
      .def_property_readonly(
          "device", [](const NDArray& a) { return runtime::device_str(a.device()); },
          "Where the data lives: \"cpu\", \"cuda:0\", \"opencl:0\".")
      .def("numpy", &to_numpy, "A NumPy copy of the array (from any device).")
      .def(
          "__dlpack__",
          [](const NDArray& self, const py::object& stream, const py::object& max_version,
             const py::object& dl_device, const py::object& copy) {
            // Kiln's device work is synchronous, so any stream may read the array now.
            if (!dl_device.is_none()) {
              auto wanted = dl_device.cast<std::pair<int, int>>();
              if (wanted.first != self.device().device_type ||
                  wanted.second != self.device().device_id)
                throw py::buffer_error("__dlpack__: the array is on " +
                                       runtime::device_str(self.device()) +
                                       " and kiln exports it only there; copy it with "
                                       "kiln.nd.array(x, device=...) first");
            }
            NDArray exported = self;
            const bool copied = !copy.is_none() && copy.cast<bool>();
            if (copied) {
              exported = NDArray::empty(self.shape(), self.dtype(), self.device());
              exported.copy_from(self);
            }
            // A consumer that reads DLPack 1.0 gets the versioned form.
            if (!max_version.is_none() && max_version.cast<std::pair<int, int>>().first >= 1)
              return export_versioned_capsule(exported, copied);
            return export_capsule(exported);
          },
          py::kw_only(), py::arg("stream") = py::none(), py::arg("max_version") = py::none(),
          py::arg("dl_device") = py::none(), py::arg("copy") = py::none(),
          "The array as a DLPack capsule (np.from_dlpack(x), torch.from_dlpack(x)).")
      .def(
          "__dlpack_device__",
          [](const NDArray& self) {
            return py::make_tuple(static_cast<int>(self.device().device_type),
                                  self.device().device_id);
          },
          "(DLPack device type, device index): (1, 0) for the CPU, (2, 0) for cuda:0.")
      .def("__repr__", [](const NDArray& a) {
        return "kiln.nd.NDArray(shape=" + std::string(py::str(to_tuple(a.shape()))) +
               ", dtype=" + runtime::dtype_str(a.dtype()) +
               ", device=" + runtime::device_str(a.device()) + ")";
      });

  m.def("array", &make_array, py::arg("obj"), py::arg("dtype") = py::none(),
        py::arg("device") = "cpu", "kiln.nd.array: a new aligned array with a copy of `obj`.");
  m.def(
      "empty",
      [](const std::vector<int64_t>& shape, const std::string& dtype, const std::string& device) {
        return NDArray::empty(shape, runtime::parse_dtype(dtype), runtime::parse_device(device));
      },
      py::arg("shape"), py::arg("dtype") = "float32", py::arg("device") = "cpu",
      "kiln.nd.empty: an uninitialized aligned array.");
  m.def(
      "from_dlpack", [](const py::object& obj) { return argument(obj, "kiln.nd.from_dlpack"); },
      py::arg("obj"), "kiln.nd.from_dlpack: `obj`'s memory as a kiln array, without a copy.");

  py::class_<Kernel>(m, "Kernel",
                     R"(One kernel of a Module, called with one array per parameter (NumPy,
PyTorch, any DLPack tensor, kiln.nd arrays); outputs are written in place.

Example::

    add = mod["add"]
    print(add.params)    # [('A', 'float32', (32, 32)), ...]
    add(a, b, c))")
      .def(
          "__call__", [](const Kernel& k, const py::args& args) { call(k, args); },
          "Runs the kernel on one array per parameter, in order.")
      .def_property_readonly(
          "name", [](const Kernel& k) { return k.signature().name; }, "The kernel's name.")
      .def_property_readonly(
          "params",
          [](const Kernel& k) {
            py::list params;
            for (const auto& p : k.signature().params)
              params.append(py::make_tuple(p.name, runtime::dtype_str(p.dtype), to_tuple(p.shape)));
            return params;
          },
          "(name, dtype, shape) of each parameter, in call order.")
      .def("__repr__",
           [](const Kernel& k) { return "kiln.Kernel " + signature_str(k.signature()); });

  py::class_<runtime::TimingResult>(
      m, "TimingResult", R"(Seconds per call: median, min, a 95% confidence interval of the median,
and every sample.

Example::

    r = mod.time_evaluator(repeat=10)(a, b, c)
    print(r.median * 1e3, "ms", r.ci95))")
      .def_readonly("median", &runtime::TimingResult::median_s, "Median seconds per call.")
      .def_readonly("min", &runtime::TimingResult::min_s, "Fastest sample, seconds per call.")
      .def_property_readonly(
          "ci95",
          [](const runtime::TimingResult& r) { return py::make_tuple(r.ci95_s[0], r.ci95_s[1]); },
          "(low, high): a 95% confidence interval of the median, seconds.")
      .def_readonly("samples", &runtime::TimingResult::samples_s, "Every sample, seconds per call.")
      .def_readonly("number", &runtime::TimingResult::number, "Calls per sample.")
      .def_readonly("flushed", &runtime::TimingResult::flushed,
                    "Whether the CPU caches were flushed before each sample.")
      .def("__repr__", [](const runtime::TimingResult& r) {
        char text[160];
        std::snprintf(text, sizeof(text),
                      "kiln.TimingResult(median=%.4g ms, min=%.4g ms, ci95=[%.4g, %.4g] ms, "
                      "%zu samples of %d calls)",
                      r.median_s * 1e3, r.min_s * 1e3, r.ci95_s[0] * 1e3, r.ci95_s[1] * 1e3,
                      r.samples_s.size(), r.number);
        return std::string(text);
      });
  py::class_<Timer>(m, "Timer",
                    R"(Times a kernel on the arrays it is called with (Module.time_evaluator).

Example::

    timer = mod.time_evaluator(repeat=10)
    print(timer(a, b, c).median))")
      .def("__call__", &Timer::operator(),
           "Times the kernel on one array per parameter; returns a TimingResult.");

  py::class_<Module>(m, "Module",
                     R"(Compiled kernels (kiln.build, kiln.load_module), called with NumPy
arrays, PyTorch tensors, any DLPack tensor or kiln arrays, without copies
(a CPU array less aligned than the kernel wants is copied, and said once).
A module of one kernel is called directly; mod["name"] picks one.

Example::

    mod = kiln.build(func, "llvm")
    mod(a, b, c)
    print(mod.kernel_names, mod.get_source("asm")[:200]))")
      .def(
          "__call__", [](const Module& self, const py::args& args) { call(self.entry(), args); },
          "Runs the module's only kernel on one array per parameter, in order.")
      .def(
          "__getitem__",
          [](const Module& self, const std::string& name) {
            try {
              return self.get(name);
            } catch (const runtime::RuntimeError& e) {
              throw py::key_error(e.what());
            }
          },
          py::arg("name"), "The kernel `name`; KeyError names the ones there are.")
      .def(
          "__contains__",
          [](const Module& self, const std::string& name) {
            for (const std::string& n : self.kernel_names())
              if (n == name) return true;
            return false;
          },
          py::arg("name"))
      .def_property_readonly("kernel_names", &Module::kernel_names, "The kernels' names.")
      .def_property_readonly(
          "kind", [](const Module& self) { return kind(self); },
          "What made it: \"llvm\", \"cuda\", \"opencl\", \"library\" (loaded).")
      .def("get_source", &Module::get_source, py::arg("format"),
           "The generated code: \"ll\" or \"asm\" (llvm), \"cuda\" or \"ptx\" (cuda), "
           "\"cl\" (opencl).")
      .def(
          "time_evaluator",
          [](const Module& self, const std::string& name, int number, int repeat,
             double min_repeat_ms, const py::object& flush, int warmup, double budget_ms) {
            runtime::TimingOptions o;
            o.number = number;
            o.repeat = repeat;
            o.min_repeat_ms = min_repeat_ms;
            o.flush = parse_flush(flush);
            o.warmup = warmup;
            o.budget_ms = budget_ms;
            return Timer{name.empty() ? self.entry() : self.get(name), o};
          },
          py::arg("name") = "", py::kw_only(), py::arg("number") = runtime::TimingOptions{}.number,
          py::arg("repeat") = runtime::TimingOptions{}.repeat,
          py::arg("min_repeat_ms") = runtime::TimingOptions{}.min_repeat_ms,
          py::arg("flush") = py::none(), py::arg("warmup") = runtime::TimingOptions{}.warmup,
          py::arg("budget_ms") = runtime::TimingOptions{}.budget_ms,
          R"(A timer for kernel `name` (the only one by default), called like the kernel:

    timer = mod.time_evaluator(repeat=10)
    r = timer(a, b, c)          # r.median, r.min, r.ci95, r.samples, r.number

`number` calls per sample (0: as many as make a sample last `min_repeat_ms`),
`repeat` samples (fewer, but at least 3, once they took `budget_ms` when it is
not 0), `warmup` calls first; `flush` (None: when the arrays fit in
the last-level cache) evicts the arrays from the CPU caches before each
sample. CPU kernels are timed as whole calls, GPU kernels by the device.)")
      .def(
          "export_library",
          [](const Module& self, const py::object& path) { self.export_library(fspath(path)); },
          py::arg("path"),
          "Writes the kernels as a shared library (and a C header beside it) that "
          "kiln.load_module, or C through the header, can call.")
      .def("__repr__", [](const Module& self) {
        if (!self.defined()) return std::string("kiln.Module(undefined)");
        std::string names;
        for (const std::string& n : self.kernel_names()) names += (names.empty() ? "" : ", ") + n;
        return "kiln.Module(kind=" + kind(self) + ", kernels=[" + names + "])";
      });

  m.def(
      "load_module", [](const py::object& path) { return runtime::load_module(fspath(path)); },
      py::arg("path"), "kiln.load_module: the kernels of a library export_library wrote.");
}

}  // namespace kiln::python

"""Standard operators with their shapes and NumPy references.

Example::

    import kiln
    w = kiln.workloads.get("matmul", M=128, N=128, K=64)
    args = w.random_args(seed=0)
    kiln.interpret(w.func, args)
    expected = w.reference(args)
"""

import numpy as np

from kiln._ffi import workloads as _registry
from kiln.workload_references import REFERENCES

__all__ = ["Workload", "default_shape", "get", "label", "list", "network", "networks"]

# Every registered workload has one output: its last parameter.
_NUM_OUTPUTS = 1


class Workload:
    """One operator instance: ``func`` (the PrimFunc), ``shape`` (a dict),
    ``random_args()`` and ``reference()``.

    Example::

        w = kiln.workloads.get("softmax")
        args = w.random_args()
    """

    def __init__(self, name, func, shape, description):
        self.name = name
        self.func = func
        self.shape = dict(shape)
        self.description = description

    def __repr__(self):
        dims = ", ".join(f"{k}={v}" for k, v in self.shape.items())
        return f"<kiln.Workload {self.name}({dims})>"

    def task(self, target="llvm", weight=1.0):
        """This operator as a tuning :class:`kiln.Task` on ``target``.

        Example::

            task = kiln.workloads.get("matmul", M=512).task("llvm")
        """
        from kiln._ffi import Task, Target

        target = Target(target) if isinstance(target, str) else target
        return Task.from_workload(self.name, self.shape, target, weight)

    def random_args(self, seed=0):
        """NumPy arrays in parameter order: random inputs, zeroed outputs.

        Example::

            args = w.random_args(seed=1)
        """
        rng = np.random.default_rng(seed)
        n_in = len(self.func.params) - _NUM_OUTPUTS
        args = []
        for i, buf in enumerate(self.func.params):
            dtype = np.dtype(buf.dtype)
            if i < n_in:
                args.append(rng.uniform(-1.0, 1.0, size=buf.shape).astype(dtype))
            else:
                args.append(np.zeros(buf.shape, dtype))
        return args

    def reference(self, args):
        """The expected outputs (a list of arrays) for the inputs in ``args``.

        Example::

            expected = w.reference(w.random_args())
        """
        n_in = len(self.func.params) - _NUM_OUTPUTS
        return REFERENCES[self.name](self.shape, [*args[:n_in]])


def list():  # noqa: A001 - mirrors the CLI word
    """Names of the registered workloads.

    Example::

        assert "matmul" in kiln.workloads.list()
    """
    return _registry.list()


def label(name, shape):
    """A task's name with its shape, as tables show it (a network has
    several matmuls, told apart by their shapes).

    Example::

        kiln.workloads.label("matmul", {"M": 128, "N": 768}) == "matmul M=128,N=768"
    """
    text = ",".join(f"{k}={v}" for k, v in shape.items())
    return f"{name} {text}" if text else name


def default_shape(name):
    """The small default shape of a workload, a dict.

    Example::

        shape = kiln.workloads.default_shape("matmul")    # {"K": ..., "M": ..., "N": ...}
    """
    return _registry.default_shape(name)


def get(name, **shape):
    """A workload by name; shape keys not given take their small defaults.

    Example::

        w = kiln.workloads.get("conv2d_nhwc", N=1, H=14, W=14, C=32, K=32)
    """
    func, full_shape, description = _registry.get(name, {k: int(v) for k, v in shape.items()})
    return Workload(name, func, full_shape, description)


def networks():
    """The networks whose operators :func:`network` lists.

    Example::

        print(kiln.workloads.networks())    # ["bert_base_layer", ...]
    """
    return [*_registry.networks()]


def network(name, target="llvm"):
    """The operators of network ``name`` as tuning tasks on ``target``, each
    weighted by how often it occurs (layers of one shape are one task).

    Example::

        tasks = kiln.workloads.network("resnet18")
        result = kiln.tune(tasks, trials=2000, log="tuning_logs/resnet18.jsonl")
        print(result.weighted_latency_s)
    """
    from kiln._ffi import Target, Task

    target = Target(target) if isinstance(target, str) else target
    return [Task.from_workload(workload, shape, target, float(count))
            for workload, shape, count, _layers in _registry.network(name)]

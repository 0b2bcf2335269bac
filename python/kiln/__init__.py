"""kiln: a tensor-program auto-tuner.

Define an operator with :mod:`kiln.te`, look at its loop program, run it::

    import numpy as np
    from kiln import te
    import kiln

    A = te.placeholder((64, 64), "float32", name="A")
    B = te.placeholder((64, 64), "float32", name="B")
    k = te.reduce_axis((0, 64), name="k")
    C = te.compute((64, 64), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    func = te.create_prim_func([A, B, C])
    print(func.script())
    a, b = np.random.rand(64, 64).astype("float32"), np.random.rand(64, 64).astype("float32")
    c = np.zeros((64, 64), "float32")
    kiln.interpret(func, [a, b, c])
"""

from kiln import _ffi
from kiln import cost_model, nd, te, workloads
from kiln.measurement import Database, Replayed, Task, TuningRecord, measure, replay
from kiln.tuning import TuneResult, tune
from kiln._ffi import (
    BlockRV,
    Buffer,
    BuildError,
    DataType,
    Expr,
    ExprRV,
    InterpreterError,
    KilnRuntimeError,
    LoopRV,
    Module,
    NDArray,
    ParseError,
    PrimFunc,
    Schedule,
    ScheduleError,
    Target,
    Trace,
    Var,
)

__version__ = "0.1.0"

__all__ = [
    "BlockRV",
    "Buffer",
    "BuildError",
    "Database",
    "DataType",
    "Expr",
    "ExprRV",
    "InterpreterError",
    "KilnRuntimeError",
    "LoopRV",
    "Module",
    "NDArray",
    "ParseError",
    "PrimFunc",
    "Replayed",
    "Schedule",
    "ScheduleError",
    "Target",
    "Task",
    "Trace",
    "TuneResult",
    "TuningRecord",
    "Var",
    "build",
    "cost_model",
    "interpret",
    "load_module",
    "lower",
    "measure",
    "nd",
    "parse",
    "replay",
    "structural_equal",
    "structural_hash",
    "te",
    "tune",
    "workloads",
]


def parse(text: str) -> PrimFunc:
    """Read a function from kiln's text form (what ``func.script()`` prints).

    Example::

        func2 = kiln.parse(func.script())
        assert kiln.structural_equal(func, func2)

    Raises :class:`kiln.ParseError` with the line and column of the mistake.
    """
    return _ffi.parse(text)


def structural_equal(a, b) -> bool:
    """True when two functions (or expressions) have the same structure,
    ignoring variable, buffer and function names.

    Example::

        assert kiln.structural_equal(func, kiln.parse(func.script()))
    """
    return _ffi.structural_equal(a, b)


def structural_hash(obj) -> int:
    """A hash consistent with :func:`structural_equal`, stable across runs;
    the workload key of tuning records.

    Example::

        key = kiln.structural_hash(func)
    """
    return _ffi.structural_hash(obj)


def interpret(func: PrimFunc, arrays) -> None:
    """Run ``func`` in the reference interpreter on NumPy arrays, one per
    parameter in order; outputs are written in place.

    Example::

        c = np.zeros((64, 64), "float32")
        kiln.interpret(func, [a, b, c])
        np.testing.assert_allclose(c, a @ b, rtol=1e-5)

    Every buffer access is bounds-checked; a fault raises
    :class:`kiln.InterpreterError` naming the buffer and the index.
    """
    _ffi.interpret(func, list(arrays))


def lower(func: PrimFunc, target="llvm") -> PrimFunc:
    """The low-level loop program ``func`` compiles to for ``target``: blocks
    gone, buffers flat, vector loops as vector code.

    Example::

        print(kiln.lower(sch.func, "llvm").script())
    """
    return _ffi.lower(func, Target(target) if isinstance(target, str) else target)


def build(func: PrimFunc, target="llvm"):
    """Compile ``func`` (scheduled or not) for ``target`` into a callable
    module. Call it with NumPy arrays, PyTorch tensors or any DLPack tensor,
    one per parameter; outputs are written in place.

    Example::

        mod = kiln.build(sch.func, target="llvm")
        mod(a, b, c)
        print(mod.get_source("asm"))
        mod.export_library("libmatmul.so")   # and libmatmul.h beside it

    Raises :class:`kiln.BuildError` when the function cannot be compiled for
    the target (a GPU schedule for the CPU, say).
    """
    return _ffi.build(func, Target(target) if isinstance(target, str) else target)


def load_module(path) -> Module:
    """Load a library that ``Module.export_library`` wrote; it needs only
    kiln's runtime, not the compiler. Call it like the module it came from.

    Example::

        mod = kiln.build(func)
        mod.export_library("libmatmul.so")
        mod2 = kiln.load_module("libmatmul.so")
        mod2(a, b, c)                      # or mod2["matmul"](a, b, c)

    Raises :class:`kiln.KilnRuntimeError` when the file is missing or is not
    a kiln library.
    """
    return _ffi.load_module(path)

"""kiln.nd: arrays for kiln kernels.

A kernel takes NumPy arrays and PyTorch tensors directly (through DLPack, no
copy); a :class:`NDArray` made here is the same thing in memory kiln
allocated, 64-byte aligned, which every kernel accepts.

Example::

    import numpy as np
    import kiln

    a = kiln.nd.array(np.arange(6, dtype="float32").reshape(2, 3))
    c = kiln.nd.empty((2, 3), "float32")
    print(a, a.numpy())
"""

from kiln import _ffi
from kiln._ffi import NDArray

__all__ = ["NDArray", "array", "empty", "from_dlpack"]


def array(obj, dtype=None, device: str = "cpu") -> NDArray:
    """A new aligned array with a copy of ``obj`` (a NumPy array, a list, a
    PyTorch tensor, a kiln array), converted to ``dtype`` when given.

    Example::

        a = kiln.nd.array(np.ones((64, 64), "float32"))
        b = kiln.nd.array([[1, 2], [3, 4]], dtype="int32")
        assert b.shape == (2, 2) and b.dtype == "int32"
    """
    return _ffi.array(obj, dtype, device)


def empty(shape, dtype: str = "float32", device: str = "cpu") -> NDArray:
    """An uninitialized aligned array, e.g. for a kernel's output.

    Example::

        c = kiln.nd.empty((64, 64), "float32")
        module(a, b, c)
        result = c.numpy()
    """
    return _ffi.empty(list(shape), dtype, device)


def from_dlpack(obj) -> NDArray:
    """``obj`` (anything with ``__dlpack__``: NumPy, PyTorch) as a kiln array,
    sharing its memory: writes through one show in the other.

    Example::

        x = np.zeros(4, "float32")
        a = kiln.nd.from_dlpack(x)
        assert a.shape == (4,)
    """
    return _ffi.from_dlpack(obj)

"""The timing protocol of ``kiln bench`` and ``kiln demo``, for every
kernel they time from Python (kiln's, NumPy's, and the peer tuner's in its
own virtual environment, which loads this file by its path: it imports
nothing of kiln's). It is bench/timing.h's ``time_runs``, which times the vendor
libraries: two warm-up calls, then at least ``repeat`` calls and at least
``min_seconds`` in all; the median call is the result, the fastest says how
much a busy machine slowed the others down.

Example::

    from kiln.bench_timing import time_calls
    median_s, best_s = time_calls(lambda: np.matmul(a, b, out=c))
"""

import math
import time

__all__ = ["time_calls"]


def time_calls(run, repeat=10, min_seconds=1.0):
    """``(median_s, best_s)`` of calls to ``run()``.

    Example::

        median_s, best_s = time_calls(lambda: kernel(a, b, c), repeat=10, min_seconds=0.5)
    """
    def time_one():
        start = time.perf_counter()
        run()
        return time.perf_counter() - start

    time_one()
    estimate = max(time_one(), 1e-9)
    runs = max(repeat, math.ceil(min_seconds / estimate))
    times = sorted(time_one() for _ in range(runs))
    return times[runs // 2], times[0]

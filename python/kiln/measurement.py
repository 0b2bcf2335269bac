"""Measuring schedules and keeping what was measured: tasks, the tuning log,
``measure`` and ``replay``.

Example::

    import kiln
    task = kiln.Task(kiln.workloads.get("matmul", M=256, N=256, K=256).func, "llvm")
    sch = kiln.Schedule(task.func)
    ...                                    # schedule it
    records = kiln.measure(task, [sch.trace], log="tuning_logs/matmul.jsonl")
    best = kiln.replay("tuning_logs/matmul.jsonl", task)
    best.module(a, b, c)
"""

from kiln import _ffi
from kiln._ffi import Database, Task, TuningRecord

__all__ = ["Database", "Replayed", "Task", "TuningRecord", "measure", "replay"]


def _target(target):
    return _ffi.Target(target) if isinstance(target, str) else target


def measure(task, traces, log=None, *, repeat=0, min_repeat_ms=-1.0, flush=None,
            array_offset=16, timeout_s=60.0, final=False):
    """Build, run, check and time each trace of ``task``; returns one
    :class:`TuningRecord` per trace, in order (and appends each to ``log``,
    a JSON Lines file, as soon as it exists).

    Candidates compile in worker processes on every core, then run one at a
    time in another; a candidate that crashes, hangs, fails to compile or
    computes a wrong result ends as an error record of its own kind, and the
    others are measured. Arrays start ``array_offset`` bytes past a cache
    line, as NumPy's do. ``final=True`` then re-measures the task's best
    records in the log together, interleaved, and marks the winner.

    Example::

        records = kiln.measure(task, [sch.trace], log="tuning_logs/mm.jsonl")
        print(records[0].status, records[0].latency)
    """
    return _ffi.measure(task, list(traces), log or "", repeat, min_repeat_ms, flush,
                        array_offset, timeout_s, final)


class Replayed:
    """The best kernel a tuning log holds for a function: ``module`` (built
    for the target), ``record`` (the measurement it came from), ``schedule``
    (replayed from the record's trace), ``latency`` (seconds) and
    ``warnings`` (records skipped because their trace no longer applies).

    Example::

        best = kiln.replay("tuning_logs/mm.jsonl", task)
        best.module(a, b, c)
        print(best.schedule.trace)
    """

    def __init__(self, module, record, schedule, warnings):
        self.module = module
        self.record = record
        self.schedule = schedule
        self.warnings = list(warnings)

    @property
    def latency(self):
        return self.record.latency

    def __repr__(self):
        return f"<kiln.Replayed {self.record!r}>"


def replay(log, func_or_task, target=None):
    """Rebuild the best kernel ``log`` (a path, or a :class:`Database` read
    once for many replays) holds for a function (or a :class:`Task`) on
    ``target`` (the task's, or ``"llvm"``) by replaying its trace, never by
    loading a binary.

    Example::

        best = kiln.replay("tuning_logs/mm.jsonl", task)
        best.module(a, b, c)
        db = kiln.Database("tuning_logs/resnet18.jsonl")
        kernels = [kiln.replay(db, t).module for t in kiln.workloads.network("resnet18")]

    Raises RuntimeError when the log has no usable record for the function
    on that target.
    """
    if isinstance(func_or_task, Task):
        func = func_or_task.func
        target = target or func_or_task.target
    else:
        func = func_or_task
    db = log if isinstance(log, Database) else Database(str(log))
    return Replayed(*_ffi.replay(db, func, _target(target or "llvm")))

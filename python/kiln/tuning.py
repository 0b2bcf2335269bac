"""Tuning: ``kiln.tune`` searches for the fastest schedule of an operator (or
of every operator of a network) and returns what it found.

Example::

    import kiln
    w = kiln.workloads.get("matmul", M=512, N=512, K=512)
    result = kiln.tune(w.func, target="llvm", trials=200, log="tuning_logs/mm.jsonl")
    print(result.best_latency_s, result.best_trace)
    mod = result.build()
    mod(a, b, c)
"""

import contextlib
import os

from kiln import _ffi
from kiln import cost_model as cost_models
from kiln._ffi import Task
from kiln.progress import TuneView

__all__ = ["TuneResult", "tune"]


class TuneResult:
    """What a tuning run found. For one task: ``best_latency_s``,
    ``best_trace``, ``history`` (a list of ``(trial, best latency so far in
    seconds, wall seconds)``) and ``build()``; for several, ``tasks`` (the
    tasks), ``results`` (one each) and ``weighted_latency_s``;
    ``cost_model`` says which model ranked the candidates.

    Example::

        r = kiln.tune(func, trials=100)
        mod = r.build()
        print(r.best_latency_s * 1e3, "ms")
    """

    def __init__(self, native):
        self._native = native
        self.tasks = list(native.tasks)
        self.results = list(native.results)
        self.wall_s = native.wall_s
        self.cost_model = ""

    @property
    def best_latency_s(self):
        return self.results[0].best_latency_s

    @property
    def best_trace(self):
        return self.results[0].best_trace

    @property
    def history(self):
        return self.results[0].history

    @property
    def weighted_latency_s(self):
        return self._native.weighted_latency_s()

    def build(self, index=0):
        """The best kernel of task ``index``, built from its trace."""
        return self._native.build(index)

    def __repr__(self):
        rows = ", ".join(f"{r.name}: {r.best_latency_s * 1e3:.4g} ms" for r in self.results)
        return f"<kiln.TuneResult {rows}>"


def _tasks_of(func_or_tasks, target):
    target = _ffi.Target(target) if isinstance(target, str) else target
    if isinstance(func_or_tasks, Task):
        return [func_or_tasks]
    if isinstance(func_or_tasks, (list, tuple)):
        return [t if isinstance(t, Task) else Task(t, target) for t in func_or_tasks]
    return [Task(func_or_tasks, target)]


def tune(func_or_tasks, target="llvm", trials=1000, log=None, seed=0, *,
         cost_model="pretrained", measure_per_round=64, population=512, generations=4,
         epsilon=0.05, crossover=0.0, task_scheduler="gradient", final_k=5, repeat=0,
         min_repeat_ms=-1.0,
         callbacks=(), on_round=None, progress=True):
    """Search for the fastest schedule of a function (or of a list of
    :class:`kiln.Task`, which then share the ``trials``) on ``target``.

    Every measurement is appended to ``log`` (default
    ``tuning_logs/<name>.jsonl``) as it happens; running again with the same
    log resumes: its records count against ``trials``, are never measured
    again and seed the search. ``callbacks`` are called with ``(task,
    record)`` for each measured candidate; ``on_round`` with a dict of the
    run's progress after each round. ``progress`` shows the run as it goes
    (:class:`kiln.progress.TuneView`: a live table on a terminal or in a
    notebook, a line per round elsewhere). The ``seed`` fixes every choice the
    search makes (given the same measurements). ``cost_model`` ranks the
    candidates: "pretrained" (kiln's shipped model, learning on from this
    run's measurements), "xgboost" (from scratch), "random", a saved
    model's path or a :class:`kiln.cost_model.CostModel`; see
    :mod:`kiln.cost_model`. ``crossover`` is the share of the search's
    changed children made by crossing two parents of the same sketch
    instead of by one mutation; off by default: on matmul 512 (4 seeds) it
    reached the same final best, sooner in 3 of them.

    Example::

        r = kiln.tune(kiln.workloads.get("matmul", M=512, N=512, K=512).func,
                      trials=200, log="tuning_logs/mm.jsonl")
        r.build()(a, b, c)
    """
    tasks = _tasks_of(func_or_tasks, target)
    if log is None:
        log = os.path.join("tuning_logs", f"{tasks[0].name}.jsonl")
    callbacks = list(callbacks)
    round_callbacks = [on_round] if on_round else []
    view = TuneView(tasks, trials) if progress else contextlib.nullcontext()
    if progress:
        callbacks.append(view.on_record)
        round_callbacks.append(view.on_round)

    def each_record(task, record):
        for cb in callbacks:
            cb(task, record)

    def each_round(p):
        for cb in round_callbacks:
            cb(p)

    model, description = cost_models.make(cost_model, tasks[0].target, seed)
    with view:
        native = _ffi.tune(tasks, trials, str(log), seed, measure_per_round, population,
                           generations, epsilon, crossover, task_scheduler, final_k, repeat, min_repeat_ms,
                           model, each_record if callbacks else None,
                           each_round if round_callbacks else None)
    result = TuneResult(native)
    result.cost_model = description
    return result

"""What a tuning run shows while it runs: ``kiln.tune(..., progress=True)``
and ``kiln tune`` draw it.

On a terminal or in a notebook it is a live table (rich): trials done of the
budget, per task its trials, share of the budget, best latency and GFLOP/s so
far and its errors, the run's errors by kind, elapsed and estimated remaining
time. Anywhere else (a pipe, a log file, CI) it is one line per round, so
the output stays readable as plain text.

Example::

    view = kiln.progress.TuneView(tasks, trials=200)
    with view:
        kiln.tune(tasks, trials=200, callbacks=[view.on_record], on_round=view.on_round,
                  progress=False)
"""

import sys
import time
from collections import Counter

__all__ = ["TuneView", "duration", "rate"]

_INF = float("inf")


def duration(seconds):
    """``seconds`` as ``45s``, ``3m07s`` or ``2h05m``.

    Example::

        duration(187) == "3m07s"
    """
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def rate(flops, seconds):
    """``flops`` done in ``seconds`` as GFLOP/s text, ``-`` when there is no time.

    Example::

        rate(2 * 512**3, 0.0025) == "107.4 GFLOP/s"
    """
    return f"{flops / seconds * 1e-9:.1f} GFLOP/s" if 0 < seconds < _INF else "-"


class TuneView:
    """The progress of one tuning run over ``tasks`` with a budget of
    ``trials``, drawn on ``console`` (a ``rich.console.Console``; default:
    standard output); pass :meth:`on_record` and :meth:`on_round` to
    :func:`kiln.tune` and use the view as a context manager around the call
    (the live table starts and stops with it).

    Example::

        view = TuneView(tasks, 200)
        with view:
            kiln.tune(tasks, trials=200, callbacks=[view.on_record],
                      on_round=view.on_round, progress=False)
    """

    def __init__(self, tasks, trials, console=None):
        from rich.console import Console

        self.tasks = list(tasks)
        self.trials_total = trials
        self.console = console or Console(file=sys.stdout)
        self.live = self.console.is_terminal or self.console.is_jupyter
        self._row = {}
        for i, task in enumerate(self.tasks):
            self._row.setdefault(task.id, i)
        n = len(self.tasks)
        self.trials = 0
        self.task_trials = [0] * n
        self.task_best_s = [_INF] * n
        self.task_errors = [Counter() for _ in range(n)]
        self.errors = Counter()
        self.final = False  # the best programs are being re-measured together
        self._measured = 0  # in this run (a resumed log's records are not)
        self._start = time.monotonic()
        self._live = None

    def __enter__(self):
        self._start = time.monotonic()
        if self.live:
            from rich.live import Live

            # get_renderable, not a fixed renderable: the clock moves between events.
            self._live = Live(console=self.console, get_renderable=self._table,
                              refresh_per_second=2)
            self._live.start()
        return self

    def __exit__(self, *exc):
        if self._live is not None:
            self._live.stop()
            self._live = None

    def on_record(self, task, record):
        """Counts one measured candidate of ``task`` (a ``kiln.tune`` callback)."""
        i = self._row.get(task.id)
        if i is None:
            return
        if record.stage == "final":
            self.final = True
            return
        self._measured += 1
        self.trials += 1
        self.task_trials[i] += 1
        if record.ok:
            self.task_best_s[i] = min(self.task_best_s[i], record.latency)
        else:
            self.task_errors[i][record.status] += 1
            self.errors[record.status] += 1

    def on_round(self, p):
        """Takes the run's own account after a round (resumed trials included)."""
        self.trials = p["trials"]
        self.task_trials = list(p["task_trials"])
        self.task_best_s = list(p["task_best_s"])
        self.errors = Counter(p["errors"])
        if not self.live:
            self._line(p["task"])

    def _label(self, i):
        from kiln.workloads import label

        return label(self.tasks[i].name, self.tasks[i].shape)

    def _times(self):
        elapsed = time.monotonic() - self._start
        left = elapsed / self._measured * (self.trials_total - self.trials) if self._measured else None
        return elapsed, left

    def _best_text(self, i):
        best = self.task_best_s[i]
        if best == _INF:
            return "no valid program yet"
        return f"best {best * 1e3:.4g} ms ({rate(self.tasks[i].flops, best)})"

    def _errors_text(self, errors):
        return ", ".join(f"{k} {v}" for k, v in sorted(errors.items())) or "none"

    def _line(self, i):
        elapsed, left = self._times()
        total = self.trials_total
        left_text = f", ~{duration(left)} left" if left is not None else ""
        self.console.file.write(
            f"[{self.trials:>{len(str(total))}}/{total}] {self._label(i)}: {self._best_text(i)} "
            f"| errors: {self._errors_text(self.errors)} | {duration(elapsed)} elapsed{left_text}\n")
        self.console.file.flush()

    def _table(self):
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        elapsed, left = self._times()
        total = self.trials_total
        if self.final or self.trials >= total:
            state = "re-measuring the best programs together"
        elif left is None:
            state = "building the first candidates"
        else:
            state = f"~{duration(left)} left"
        title = (f"kiln tune: {min(self.trials, total)}/{total} trials, "
                 f"{duration(elapsed)} elapsed, {state}")
        table = Table(box=None, pad_edge=False, header_style="bold")
        table.add_column("task")
        table.add_column("trials", justify="right")
        table.add_column("budget", justify="right")
        table.add_column("best ms", justify="right")
        table.add_column("GFLOP/s", justify="right")
        table.add_column("errors")
        for i, task in enumerate(self.tasks):
            best = self.task_best_s[i]
            table.add_row(
                self._label(i),
                str(self.task_trials[i]),
                f"{self.task_trials[i] / total:.0%}",
                "-" if best == _INF else f"{best * 1e3:.4g}",
                "-" if best == _INF else f"{task.flops / best * 1e-9:.1f}",
                self._errors_text(self.task_errors[i]) if self.task_errors[i] else "",
            )
        header = Table.grid(padding=(0, 1))
        header.add_row(ProgressBar(total=total, completed=min(self.trials, total), width=30), title)
        return Group(header, table, f"errors: {self._errors_text(self.errors)}")

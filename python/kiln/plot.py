"""Tuning curves: the best latency found so far against trials and against
wall time, one row of two charts per task, the curves of several logs on
the same charts. ``kiln plot`` draws them.

Example::

    from kiln import plot
    fig = plot.tuning_curves(["tuning_logs/a.jsonl", "tuning_logs/b.jsonl"], "curves.png")
"""

import datetime
import os
import textwrap

from matplotlib import ticker
# Figure and the Agg canvas directly, not pyplot: no global backend to set,
# no window, nothing left open in a process that draws many figures.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kiln import log_report

__all__ = ["best_so_far", "tuning_curves"]


def _seconds(timestamp):
    # fromisoformat reads a trailing "Z" only from Python 3.11 on.
    return datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def best_so_far(records):
    """``(trials, wall_s, best_s)``: after each search measurement that
    improved on the best, and after the last one (trial number from 1,
    seconds since the first record, best median latency in seconds). Final
    re-measurements are no trials: they only time again what the search
    found.

    Example::

        trials, wall_s, best_s = plot.best_so_far(summary.records)
    """
    start = min(_seconds(r.timestamp) for r in records)
    searched = [r for r in records if r.stage == "search"]
    trials, wall_s, best_s = [], [], []
    for trial, r in enumerate(searched, 1):
        if r.ok and (not best_s or r.latency < best_s[-1]):
            trials.append(trial)
            wall_s.append(_seconds(r.timestamp) - start)
            best_s.append(r.latency)
    # The curve runs on to the last trial: a flat tail is a search that
    # found nothing better, which is worth seeing.
    if best_s:
        trials.append(len(searched))
        wall_s.append(_seconds(searched[-1].timestamp) - start)
        best_s.append(best_s[-1])
    return trials, wall_s, best_s


def _labels(logs):
    # The file name reads best in a legend; the path only when two logs
    # share a name.
    names = [os.path.basename(str(log)) for log in logs]
    return [name if names.count(name) == 1 else str(log) for name, log in zip(names, logs)]


def tuning_curves(logs, output=None, workload="", target=""):
    """A figure of each task's best latency against trials (left) and wall
    time (right), a curve per log (and per target, where a log tuned a task
    for several), saved as a PNG to ``output`` when given. ``workload`` and
    ``target`` filter as in :func:`kiln.log_report.summarize`.

    Example::

        fig = plot.tuning_curves(["a.jsonl", "b.jsonl"], "curves.png")
        assert len(fig.axes) == 2 * tasks

    Raises :class:`kiln.log_report.LogError` for a log that cannot be read.
    """
    # task id -> (task, [(label, style, summary)]), in order of appearance;
    # a log keeps its color on every row, its targets differ in line style.
    rows = {}
    for i, (log, label) in enumerate(zip(logs, _labels(logs))):
        summaries = log_report.summarize(log, workload, target)
        for s in summaries:
            targets = [o.target for o in summaries if o.task.id == s.task.id]
            style = {"color": f"C{i % 10}",
                     "linestyle": ("-", "--", ":", "-.")[targets.index(s.target) % 4]}
            curve_label = f"{label} ({s.target})" if len(targets) > 1 else label
            rows.setdefault(s.task.id, (s.task, []))[1].append((curve_label, style, s))

    fig = Figure(figsize=(13, 3.8 * len(rows)), layout="constrained")
    FigureCanvasAgg(fig)
    # A row of its own per task: its name with its shape is too long to
    # repeat over both charts.
    row_figures = fig.subfigures(len(rows), 1, squeeze=False)[:, 0]
    for (task, curves), row in zip(rows.values(), row_figures):
        row.suptitle(textwrap.fill(task.label, 110), fontsize="large")
        by_trial, by_time = row.subplots(1, 2, sharey=True)
        drawn = []
        for label, style, s in curves:
            trials, wall_s, best_s = best_so_far(s.records)
            best_ms = [b * 1e3 for b in best_s]
            # Dots where the best improved, not on the end of the flat tail.
            dots = {"marker": ".", "markevery": list(range(len(best_ms) - 1))}
            by_trial.step(trials, best_ms, where="post", label=label, **dots, **style)
            by_time.step(wall_s, best_ms, where="post", label=label, **dots, **style)
            drawn += best_ms
        if not drawn:
            by_trial.text(0.5, 0.5, "no valid measurement", ha="center", va="center",
                          transform=by_trial.transAxes)
        # A search's first candidates are often many times slower than its
        # last: on a log scale the late improvements stay visible.
        elif max(drawn) > 10 * min(drawn):
            by_trial.set_yscale("log")
            by_trial.yaxis.set_major_locator(ticker.LogLocator(subs=(1, 2, 3, 5)))
            by_trial.yaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
            by_trial.yaxis.set_minor_formatter(ticker.NullFormatter())
        by_trial.set_title("against trials")
        by_time.set_title("against wall time")
        by_trial.set_xlabel("trials (search measurements)")
        by_time.set_xlabel("wall time since the task's first record (s)")
        by_trial.set_ylabel("best latency (ms)")
        for ax in (by_trial, by_time):
            ax.grid(True, which="both", alpha=0.3)
        if drawn:
            by_trial.legend(fontsize="small")
    if output:
        fig.savefig(output, dpi=100)
    return fig

"""Tuning curves: the best latency found so far against trials and against
wall time, one row of two charts per task, the curves of several logs on
the same charts. ``kiln plot`` draws them. A results file of ``kiln bench``
(bench/RESULTS.json) draws kiln's and TVM MetaSchedule's curves of each
operator on one chart.

Example::

    from kiln import plot
    fig = plot.tuning_curves(["tuning_logs/a.jsonl", "tuning_logs/b.jsonl"], "curves.png")
"""

import json
import os
import textwrap

from matplotlib import ticker
# Figure and the Agg canvas directly, not pyplot: no global backend to set,
# no window, nothing left open in a process that draws many figures.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kiln import log_report
from kiln.log_report import best_so_far

__all__ = ["best_so_far", "tuning_curves"]


def _labels(logs):
    # The file name reads best in a legend; the path only when two logs
    # share a name.
    names = [os.path.basename(str(log)) for log in logs]
    return [name if names.count(name) == 1 else str(log) for name, log in zip(names, logs)]


def _bench_curves(path):
    """The curves a ``kiln bench`` results file holds: per operator, kiln's
    (from its log) and MetaSchedule's (from its database), as
    ``{operator id: (title, [(label, (trials, wall_s, best_s))])}``; None when
    ``path`` is no such file."""
    if not str(path).endswith(".json"):
        return None
    try:
        with open(path) as f:
            results = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(results, dict) or results.get("benchmark") != "kiln bench":
        return None
    rows = {}
    for op in results["operators"]:
        curves = []
        for label, tuner in (("kiln", op.get("kiln")), ("MetaSchedule", op.get("metaschedule"))):
            if tuner and tuner.get("curve"):
                trials, wall_s, best_s = zip(*tuner["curve"])
                curves.append((f"{label} ({tuner['trials']} trials)", (trials, wall_s, best_s)))
        if curves:
            rows[op["id"]] = (op["label"], curves)
    return rows


def tuning_curves(logs, output=None, workload="", target=""):
    """A figure of each task's best latency against trials (left) and wall
    time (right), a curve per log (and per target, where a log tuned a task
    for several), saved as a PNG to ``output`` when given. ``workload`` and
    ``target`` filter as in :func:`kiln.log_report.summarize`. A results file
    of ``kiln bench`` (``bench/RESULTS.json``) in ``logs`` adds a row per
    operator with kiln's and MetaSchedule's curves.

    Example::

        fig = plot.tuning_curves(["a.jsonl", "b.jsonl"], "curves.png")
        assert len(fig.axes) == 2 * tasks
        plot.tuning_curves(["bench/RESULTS.json"], "bench/RESULTS.png")

    Raises :class:`kiln.log_report.LogError` for a log that cannot be read.
    """
    # task id -> (title, [(label, style, (trials, wall_s, best_s))], what the
    # wall time counts from), in order of appearance; a log keeps its color on
    # every row, its targets differ in line style.
    rows = {}
    for i, (log, label) in enumerate(zip(logs, _labels(logs))):
        bench = _bench_curves(log)
        if bench is not None:
            for key, (title, curves) in bench.items():
                rows[(log, key)] = (title, [
                    (curve_label, {"color": f"C{(i + j) % 10}", "linestyle": "-"}, curve)
                    for j, (curve_label, curve) in enumerate(curves)], "since tuning began")
            continue
        summaries = log_report.summarize(log, workload, target)
        for s in summaries:
            targets = [o.target for o in summaries if o.task.id == s.task.id]
            style = {"color": f"C{i % 10}",
                     "linestyle": ("-", "--", ":", "-.")[targets.index(s.target) % 4]}
            curve_label = f"{label} ({s.target})" if len(targets) > 1 else label
            row = rows.setdefault(s.task.id, (s.task.label, [], "since the task's first record"))
            row[1].append((curve_label, style, best_so_far(s.records)))
    if not rows:
        raise log_report.LogError(f"no tuning curves in {', '.join(map(str, logs))}")
    return _draw(rows, output)


def _draw(rows, output):
    fig = Figure(figsize=(13, 3.8 * len(rows)), layout="constrained")
    FigureCanvasAgg(fig)
    # A row of its own per task: its name with its shape is too long to
    # repeat over both charts.
    row_figures = fig.subfigures(len(rows), 1, squeeze=False)[:, 0]
    for (title, curves, since), row in zip(rows.values(), row_figures):
        row.suptitle(textwrap.fill(title, 110), fontsize="large")
        by_trial, by_time = row.subplots(1, 2, sharey=True)
        drawn = []
        for label, style, (trials, wall_s, best_s) in curves:
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
        by_time.set_xlabel(f"wall time {since} (s)")
        by_trial.set_ylabel("best latency (ms)")
        for ax in (by_trial, by_time):
            ax.grid(True, which="both", alpha=0.3)
        if drawn:
            by_trial.legend(fontsize="small")
    if output:
        fig.savefig(output, dpi=100)
    return fig

"""What a tuning log holds, task by task: how many records, the errors by
kind, the best measurement, its GFLOP/s and its share of the machine's
nominal peak; and the best schedule as the Python program that rebuilds it.
``kiln show`` prints this.

Example::

    from kiln import log_report
    for s in log_report.summarize("tuning_logs/matmul.jsonl"):
        print(s.task.label, len(s.records), s.errors, s.best_s, s.gflops)
    print(log_report.schedule_program(s.task, s.best))
"""

import collections
import dataclasses
import datetime
import functools
import os

import kiln
from kiln import _ffi, workloads

__all__ = ["LogError", "LoggedTask", "Peak", "TaskSummary", "best_function", "best_programs",
           "best_so_far", "nominal_peak", "read", "schedule_program", "summarize", "table"]


class LogError(ValueError):
    """A file that cannot be reported on: missing, unreadable, not a tuning
    log, without records, or without the task asked for. Its message is one
    line, for people.

    Example::

        try:
            log_report.summarize("notes.txt")
        except log_report.LogError as err:
            print(err)   # 'notes.txt' is not a kiln tuning log: ...
    """


def read(path):
    """The :class:`kiln.Database` of the tuning log at ``path`` (``.jsonl``,
    or ``.jsonl.gz``).

    Example::

        db = log_report.read("tuning_logs/models/logs/matmul1024.jsonl.gz")

    Raises :class:`LogError` when there is no such file, it is no tuning log
    or it holds no records.
    """
    path = str(path)
    if not os.path.isfile(path):
        raise LogError(f"no tuning log at '{path}'")
    try:
        db = kiln.Database(path)
    except RuntimeError as err:  # unreadable, a damaged .gz, or not a tuning log at all
        raise LogError(str(err)) from err
    if len(db) == 0:
        raise LogError(f"'{path}' holds no records")
    return db


@dataclasses.dataclass(frozen=True)
class LoggedTask:
    """A task as a log keeps it. It has the attributes of :class:`kiln.Task`
    that :func:`schedule_program` reads, but no target: a log may come from a
    machine whose target this one cannot make.

    Example::

        task = log_report.summarize("tuning_logs/mm.jsonl")[0].task
        print(task.label, task.flops, task.func.script())
    """

    id: str
    name: str
    workload: str
    shape: dict
    func: object  # kiln.PrimFunc
    flops: float

    @property
    def label(self):
        """The name and the shape: a network's log holds several matmuls."""
        return workloads.label(self.name, self.shape)


@dataclasses.dataclass(frozen=True)
class Peak:
    """A nominal FP32 peak: every core issuing a full vector of fused
    multiply-adds on each of its FMA units every cycle. Real kernels stay
    below it; it is a scale, not a promise.

    Example::

        peak = log_report.Peak(cores=8, lanes=8, fma_units=2, clock_hz=3.5e9)
        print(peak)   # 8 cores x 8 float32 lanes x 2 flops (multiply-add) x 2 FMA units x ...
    """

    cores: int
    lanes: int
    fma_units: int
    clock_hz: float

    @property
    def flops(self):
        return self.cores * self.lanes * 2 * self.fma_units * self.clock_hz

    def __str__(self):
        return (f"{self.cores} cores x {self.lanes} float32 lanes x 2 flops (multiply-add) x "
                f"{self.fma_units} FMA units x {self.clock_hz * 1e-9:.2f} GHz = "
                f"{self.flops * 1e-9:.1f} GFLOP/s")


@dataclasses.dataclass
class TaskSummary:
    """One task on one target of one log: its records in file order and the
    best of them (:meth:`kiln.Database.best`), or None when none is valid.

    Example::

        s = log_report.summarize("tuning_logs/mm.jsonl")[0]
        print(len(s.records), dict(s.errors), s.best_s, s.gflops, s.peak_fraction)
    """

    task: LoggedTask
    target: str
    records: list
    best: object  # kiln.TuningRecord or None
    peak: object  # Peak, or None where the clock of the target's machine is unknown

    @property
    def errors(self):
        """How many records ended in each error status."""
        return collections.Counter(r.status for r in self.records if not r.ok)

    @property
    def best_s(self):
        return self.best.latency if self.best else None

    @property
    def gflops(self):
        return self.task.flops / self.best_s * 1e-9 if self.best else None

    @property
    def peak_fraction(self):
        return self.task.flops / self.best_s / self.peak.flops if self.best and self.peak else None


@functools.lru_cache(maxsize=None)
def _host_target_key():
    return str(kiln.Target("llvm"))


def _clock_hz():
    """This machine's highest CPU clock, or None when it does not say."""
    try:
        with open("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq") as f:
            return int(f.read()) * 1e3  # kHz
    except (OSError, ValueError):
        pass
    # Virtual machines often have no cpufreq; /proc/cpuinfo has the clock the
    # hypervisor reports.
    try:
        with open("/proc/cpuinfo") as f:
            mhz = [float(line.split(":")[1]) for line in f if line.startswith("cpu MHz")]
    except (OSError, ValueError):
        return None
    return max(mhz) * 1e6 if mhz else None


def nominal_peak(target, description):
    """The nominal FP32 :class:`Peak` of the machine a log's target line
    describes, or None: the clock is known only for this machine, so only
    when ``target`` (a key) is this machine's ``str(kiln.Target("llvm"))``.

    Example::

        peak = log_report.nominal_peak(str(kiln.Target("llvm")), kiln.Target("llvm").describe())
        print(peak, peak.flops)
    """
    if not description or description.get("kind") != "llvm" or target != _host_target_key():
        return None
    clock = _clock_hz()
    if clock is None:
        return None
    # Hardware threads of a core share its FMA units, and a kernel runs on no
    # more threads than the target's num_cores.
    cores = description["num_cores"]
    cores = min(cores, description.get("physical_cores", cores))
    # Most x86 cores with FMA (Haswell and later, Zen 2 and later) have two
    # FMA pipes; one without FMA is counted as one multiply and one add per
    # cycle.
    fma_units = 2 if description["has_fma"] else 1
    return Peak(cores, description["vector_bytes"] // 4, fma_units, clock)


def _target_matches(key, text):
    # Every word given must be in the key: "llvm -mcpu=znver3" picks the
    # znver3 targets whatever their features and core counts.
    return set(text.split()) <= set(key.split())


def summarize(path, workload="", target=""):
    """One :class:`TaskSummary` per task and target of the log at ``path``,
    in the order they were first measured; only tasks whose workload or name is
    ``workload`` and targets whose key holds every word of ``target``, when
    given.

    Example::

        for s in log_report.summarize("tuning_logs/resnet18.jsonl",
                                      workload="conv2d_bias_relu_nhwc"):
            print(s.task.label, s.best_s)

    Raises :class:`LogError` as :func:`read` does, and when the filters
    leave nothing.
    """
    db = read(path)
    tasks = []
    for stored in db.tasks():
        if workload and workload not in (stored["workload"], stored["name"]):
            continue
        try:
            func = kiln.parse(stored["func"])
        except kiln.ParseError as err:
            first_line = str(err).splitlines()[0]
            raise LogError(f"'{path}': the function of task {stored['name']} does not read back "
                           f"(written by another version of kiln?): {first_line}") from err
        tasks.append(LoggedTask(stored["id"], stored["name"], stored["workload"],
                                dict(stored["shape"]), func, _ffi.count_flops(func)))
    if not tasks:
        names = sorted({t["workload"] or t["name"] for t in db.tasks()})
        raise LogError(f"'{path}' has no task '{workload}'; it has: {', '.join(names)}")
    # Records of a task without its task line (damaged, and warned about by
    # the reader) are left out: there is no function to count or replay.
    targets = {}  # by task id
    for task_id, key in db.task_targets():
        targets.setdefault(task_id, []).append(key)
    summaries = []
    for task in tasks:
        for key in targets.get(task.id, []):
            if target and not _target_matches(key, target):
                continue
            best = db.best(task.id, key, 1)
            summaries.append(TaskSummary(task, key, db.records(task.id, key),
                                         best[0] if best else None,
                                         nominal_peak(key, db.target_description(key))))
    # ISO 8601 UTC timestamps of one format sort as text.
    summaries.sort(key=lambda s: s.records[0].timestamp)
    if not summaries:
        keys = sorted({key for _, key in db.task_targets()})
        raise LogError(f"'{path}' has no records of {workload or 'any task'} on a target "
                       f"'{target}'; its targets: {'; '.join(keys)}")
    return summaries


def _seconds(timestamp):
    # fromisoformat reads a trailing "Z" only from Python 3.11 on.
    return datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def best_so_far(records, start=None):
    """``(trials, wall_s, best_s)``: after each search measurement that
    improved on the best, and after the last one (trial number from 1,
    seconds since ``start`` (a POSIX time, say when tuning began) or else
    since the first record, best median latency in seconds). Final
    re-measurements are no trials: they only time again what the search
    found.

    Example::

        trials, wall_s, best_s = log_report.best_so_far(summary.records)
    """
    if start is None:
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


def schedule_program(task, record):
    """The Python program that rebuilds ``record``'s schedule of ``task`` (a
    :class:`kiln.Task` or a :class:`LoggedTask`), headed by comments saying
    what was measured, where and when.

    Example::

        best = kiln.replay("tuning_logs/mm.jsonl", task)
        print(log_report.schedule_program(task, best.record))
    """
    shape = ", ".join(f"{k}={v}" for k, v in task.shape.items())
    lat = record.to_json()["latency"]
    lines = [
        f"# {task.name}{' ' + shape if shape else ''} on {record.target}",
        f"# {lat['median_s'] * 1e3:.4f} ms median (95% CI {lat['ci95_s'][0] * 1e3:.4f} - "
        f"{lat['ci95_s'][1] * 1e3:.4f} ms, {len(lat['samples_s'])} samples of "
        f"{lat['number']} calls), measured {record.timestamp}"
        + (", the winner of the final re-measurement" if record.winner else ""),
    ]
    if task.workload:
        lines.append(f"sch = kiln.Schedule(kiln.workloads.get({task.workload!r}, {shape}).func)")
    else:
        lines.append(f'sch = kiln.Schedule(kiln.parse("""\n{task.func.script()}"""))')
    trace = str(record.trace).rstrip()
    lines.append(trace or "# (no schedule: the function as it is defined was fastest)")
    return "\n".join(lines)


def best_function(summary):
    """The best record's scheduled function of ``summary``: its trace
    replayed on the task's function.

    Example::

        print(log_report.best_function(s).script())

    Raises :class:`kiln.ScheduleError` when the trace no longer applies.
    """
    sch = kiln.Schedule(summary.task.func)
    summary.best.trace.apply_to_schedule(sch)
    return sch.func


def best_programs(summary, trace=True, script=False):
    """The best record of ``summary`` as the Python program that rebuilds its
    schedule (``trace``) and as the scheduled function's loop program
    (``script``).

    Example::

        print(log_report.best_programs(s, trace=True, script=True))
    """
    if summary.best is None:
        return f"# {summary.task.label} on {summary.target}: no valid measurement"
    parts = [schedule_program(summary.task, summary.best)] if trace else []
    if script:
        try:
            text = best_function(summary).script().rstrip()
        except kiln.ScheduleError as err:
            text = f"# its trace no longer applies: {str(err).splitlines()[0]}"
        parts.append(f"# {summary.task.label} on {summary.target}: the best scheduled function\n"
                     + text)
    return "\n\n".join(parts)


def _number(value, scale, digits):
    return "-" if value is None else f"{value * scale:.{digits}f}"


def table(summaries):
    """The summaries of one log as text: for each target, its key, its
    nominal peak and a row per task, columns aligned.

    Example::

        print(log_report.table(log_report.summarize("tuning_logs/mm.jsonl")))
    """
    by_target = {}
    for s in summaries:
        by_target.setdefault(s.target, []).append(s)
    header = ("task", "records", "ok", "best ms", "GFLOP/s", "% of peak", "errors")
    out = []
    for key, group in by_target.items():
        peak = group[0].peak
        out.append(f"target {key}")
        out.append(f"nominal peak: {peak}" if peak else
                   "nominal peak: - (known only for this machine's own CPU target, whose "
                   "clock it can read)")
        rows = [header]
        for s in group:
            errors = ", ".join(f"{status} {n}" for status, n in sorted(s.errors.items()))
            ok = len(s.records) - sum(s.errors.values())
            rows.append((s.task.label, str(len(s.records)), str(ok), _number(s.best_s, 1e3, 4),
                         _number(s.gflops, 1, 1), _number(s.peak_fraction, 100, 1), errors or "-"))
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        for r in rows:
            # Names read left-aligned, numbers right-aligned; errors last, unpadded.
            cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:-1], widths[1:-1])]
            out.append("  ".join(cells + [r[-1]]))
        out.append("")
    return "\n".join(out).rstrip("\n")

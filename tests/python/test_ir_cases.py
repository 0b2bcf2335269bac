"""Golden schedule cases: tests/ir_cases/<primitive>/<case>.kiln.

Each file has three sections, each after a marker line: `## before` (a
function), `## schedule` (the Python form of a trace, run with
`sch = kiln.Schedule(before)`) and `## expected` (the function it must give).
The printed trace must equal the schedule section, so a case also checks that
traces print as the program a user wrote.
"""

import pathlib

import pytest

import kiln

CASES = pathlib.Path(__file__).resolve().parents[1] / "ir_cases"
SCHEDULE_CASES = sorted(p for p in CASES.glob("*/*.kiln") if p.parent.name != "workloads")


def sections(path):
    parts, current = {}, None
    for line in path.read_text().splitlines(keepends=True):
        if line.startswith("## "):
            current = line[3:].strip()
            parts[current] = ""
        elif current is not None:
            parts[current] += line
    missing = {"before", "schedule", "expected"} - parts.keys()
    assert not missing, f"{path}: missing sections {sorted(missing)}"
    return parts


@pytest.mark.parametrize("path", SCHEDULE_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_schedule_case(path):
    parts = sections(path)
    before = kiln.parse(parts["before"])
    expected = kiln.parse(parts["expected"])
    sch = kiln.Schedule(before)
    exec(parts["schedule"], {"sch": sch})  # noqa: S102 - the case files are ours
    assert kiln.structural_equal(sch.func, expected), sch.func.script()
    assert str(sch.trace).strip() == parts["schedule"].strip()
    # The trace replays to the same function through JSON.
    replay = kiln.Schedule(before)
    kiln.Trace.from_json(sch.trace.as_json()).apply_to_schedule(replay)
    assert kiln.structural_equal(replay.func, expected)

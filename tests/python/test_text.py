"""The text form from Python: round trip, located parse errors, golden files."""

import pathlib

import pytest

import kiln

CASES = pathlib.Path(__file__).resolve().parents[1] / "ir_cases"


def test_parse_error_has_line_and_column():
    text = kiln.workloads.get("matmul").func.script().replace("reads(", "reeds(", 1)
    with pytest.raises(kiln.ParseError, match=r"line \d+, column \d+"):
        kiln.parse(text)


@pytest.mark.parametrize("bad", ["", "def", "@kiln.prim_func\ndef f(:\n", "\x00\xff garbage"])
def test_malformed_input_raises_parse_error(bad):
    with pytest.raises(kiln.ParseError):
        kiln.parse(bad)


GOLDEN = sorted(CASES.glob("workloads/*.kiln"))


def test_there_are_golden_files():
    assert len(GOLDEN) >= 4


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_workload_text(path):
    # A golden file is the exact text of a workload at its default shape: a
    # change to the printer or to the DSL's lowering shows up here as a diff.
    func = kiln.workloads.get(path.stem).func
    assert func.script() == path.read_text()
    assert kiln.structural_equal(kiln.parse(path.read_text()), func)

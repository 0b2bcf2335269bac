"""The README's Python blocks, run in order in one namespace as a new user
pastes them (in a fresh folder, where the shipped logs are where the README
says), so that they stay true."""

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def python_blocks():
    with open(os.path.join(ROOT, "README.md")) as f:
        return re.findall(r"^```python\n(.*?)^```", f.read(), re.S | re.M)


def test_readme_python_blocks_run_in_order(tmp_path, monkeypatch):
    blocks = python_blocks()
    assert len(blocks) >= 6
    (tmp_path / "tuning_logs").mkdir()
    os.symlink(os.path.join(ROOT, "tuning_logs", "models"), tmp_path / "tuning_logs" / "models")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__readme__"}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"README.md, Python block {number}", "exec"), namespace)

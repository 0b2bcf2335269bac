"""Cost models from Python and the command line: training on a log, saving,
loading, evaluating, choosing one for tuning, and the errors on bad input."""

import gzip
import json
import os
import shutil
import subprocess
import sys

import pytest

import kiln

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data")
# 12 measured programs each of matmul 64^3 and dense+bias+relu 32x64x64.
LOG = os.path.join(DATA, "matmul_dense_znver4.jsonl")

needs_xgboost = pytest.mark.skipif(not kiln._ffi.have_xgboost(), reason="built without XGBoost")


def kiln_cli(*args):
    return subprocess.run([sys.executable, "-m", "kiln", *args], capture_output=True, text=True)


@needs_xgboost
def test_train_save_load_and_keep_learning(tmp_path):
    out = tmp_path / "model.json"
    model, info = kiln.cost_model.train([LOG], output=out, seed=1)
    assert (info["programs"], info["tasks"], info["skipped"]) == (24, 2, 0)
    saved = json.loads(out.read_text())
    assert saved["kind"] == "xgboost" and saved["trained_programs"] == 24
    loaded = kiln.cost_model.CostModel(start=str(out))
    assert loaded.kind == "xgboost"
    # A model started from a saved one learns on (and saves base + new trees).
    _, info = kiln.cost_model.train([LOG], output=tmp_path / "again.json", start=out)
    assert info["programs"] == 24
    assert json.loads((tmp_path / "again.json").read_text())["trained_programs"] == 48


@needs_xgboost
def test_gzipped_logs_are_read(tmp_path):
    packed = tmp_path / "log.jsonl.gz"
    with open(LOG, "rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    _, info = kiln.cost_model.train([packed])
    assert info["programs"] == 24


@needs_xgboost
def test_held_out_rows_name_each_task_with_its_shape(tmp_path):
    # A network's log holds several matmuls; only the shape tells their rows apart.
    shapes = {"matmul": {"M": 64, "N": 64, "K": 64}, "dense_bias_relu": {"M": 32, "N": 64, "K": 64}}
    lines = [json.loads(line) for line in open(LOG)]
    for x in lines:
        if x.get("kind") == "task":
            x["shape"] = shapes[x["name"]]
    log = tmp_path / "shaped.jsonl"
    log.write_text("".join(json.dumps(x) + "\n" for x in lines))
    r = kiln.cost_model.evaluate([log], seed=3)
    assert sorted(t["name"] for t in r["held_out"]) == ["dense_bias_relu K=64,M=32,N=64",
                                                        "matmul K=64,M=64,N=64"]


@needs_xgboost
def test_evaluate_reports_seen_and_held_out_tasks():
    r = kiln.cost_model.evaluate([LOG], seed=3, test_fraction=0.25)
    assert r["train_programs"] + r["test_programs"] == 24
    assert r["test_programs"] == 6  # a quarter of each task's 12
    assert r["seen_tasks"]["tasks"] == 2
    assert sorted(t["name"] for t in r["held_out"]) == ["dense_bias_relu", "matmul"]
    for m in [r["seen_tasks"], r["held_out_tasks"], *r["held_out"]]:
        assert 0 <= m["pairwise_accuracy"] <= 1 and 0 < m["top1"] <= m["top5"] <= 1
        assert -1 <= m["spearman"] <= 1


def test_make_understands_kinds_paths_and_models(tmp_path):
    model, what = kiln.cost_model.make("random", "llvm", seed=1)
    assert model.kind == "random" and what == "random"
    assert kiln.cost_model.make(model)[0] is model
    with pytest.raises(ValueError, match="neither a file nor one of"):
        kiln.cost_model.make("no_such_model")
    model.save(str(tmp_path / "r.json"))
    assert kiln.cost_model.make(str(tmp_path / "r.json"))[0].kind == "random"
    _, what = kiln.cost_model.make("pretrained", "llvm")
    if kiln._ffi.have_xgboost():
        path = kiln.cost_model.pretrained_path("llvm")
        assert path and os.path.isfile(path), "kiln ships a pretrained CPU model"
        assert what.startswith("pretrained (")
        # No model is shipped for CUDA: XGBoost from scratch, said so.
        assert "no pretrained model" in kiln.cost_model.make("pretrained", "cuda")[1]


@needs_xgboost
def test_cli_train_and_eval(tmp_path):
    out = tmp_path / "m.json"
    r = kiln_cli("cost-model", "train", "--log", LOG, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "trained on 24 programs of 2 tasks" in r.stdout and out.is_file()
    r = kiln_cli("cost-model", "eval", "--log", LOG, "--json", str(tmp_path / "e.json"))
    assert r.returncode == 0, r.stderr
    for row in ("all seen tasks", "matmul", "dense_bias_relu", "mean over tasks"):
        assert row in r.stdout
    assert json.loads((tmp_path / "e.json").read_text())["seen_tasks"]["tasks"] == 2


def test_cli_mistakes_are_one_line(tmp_path):
    for args in (("cost-model", "train", "--log", str(tmp_path / "none.jsonl"), "-o", "x.json"),
                 ("cost-model", "eval", "--log", LOG, "--test-fraction", "1.5"),
                 ("tune", "--workload", "matmul", "--cost-model", "no_such_model")):
        r = kiln_cli(*args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_log_of_one_task_cannot_be_evaluated(tmp_path):
    lines = [json.loads(line) for line in open(LOG)]
    matmul = {x["id"] for x in lines if x.get("kind") == "task" and x["name"] == "matmul"}
    one = tmp_path / "one.jsonl"
    one.write_text("".join(json.dumps(x) + "\n" for x in lines
                           if x.get("kind") != "record" or x["task"] in matmul))
    r = kiln_cli("cost-model", "eval", "--log", str(one))
    assert r.returncode == 2
    assert "at least two tasks" in r.stderr

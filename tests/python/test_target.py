"""kiln.Target from Python and `kiln target`: keys, descriptions, refusals."""

import json
import subprocess
import sys

import pytest

import kiln


def kiln_cli(*args):
    return subprocess.run([sys.executable, "-m", "kiln", *args], capture_output=True, text=True)


def test_equal_targets_share_a_key_and_a_hash():
    a = kiln.Target("llvm -mcpu=znver4 -mattr=+avx512f -num_cores=4")
    b = kiln.Target("llvm -num_cores=4 -mcpu=znver4")
    assert a == b and hash(a) == hash(b) and str(a) == "llvm -mcpu=znver4 -num_cores=4"
    assert kiln.Target("llvm -mcpu=znver3 -num_cores=4") != a
    host = kiln.Target("llvm")
    assert kiln.Target(str(host)) == host
    assert len({host, kiln.Target(str(host))}) == 1


def test_the_cpu_name_implies_its_features():
    t = kiln.Target("llvm -mcpu=znver4")
    assert t.vector_bytes == 64 and t.has_fma and "avx512f" in t.features
    assert kiln.Target("llvm -mcpu=haswell").vector_bytes == 32


def test_describe_this_machine():
    d = kiln.Target("llvm").describe()
    assert d["hardware_source"] == "host"
    assert d["key"] == str(kiln.Target("llvm"))
    assert 16 * 1024 <= d["l1d_cache_bytes"] <= d["l2_cache_bytes"]
    assert d["physical_cores"] >= 1 and d["hardware_threads"] >= d["physical_cores"]


def test_gpu_presets_need_no_device():
    d = kiln.Target("cuda -arch=sm_90").describe()
    assert d["hardware_source"] == "preset"
    assert d["compute_capability"] == "9.0" and "wgmma" in d["tensor_core_instructions"]
    assert "wgmma" not in kiln.Target("cuda -arch=sm_80").tensor_core_instructions


def test_impossible_targets_are_refused_when_parsed():
    for text in ("llvm -mcpu=nonsense", "llvm -mattr=+nonsense", "cuda -arch=sm_10", "tpu"):
        with pytest.raises(ValueError):
            kiln.Target(text)


def test_cli_describes_this_machine():
    r = kiln_cli("target")
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(None, 1) for line in r.stdout.splitlines())
    assert lines["target"] == str(kiln.Target("llvm"))
    assert "L1d" in lines["caches"] and "this machine" in lines["hardware"]


def test_cli_json_and_describe_flag():
    r = kiln_cli("target", "--describe", "cuda -arch=sm_86", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["key"] == "cuda -arch=sm_86"


def test_cli_unknown_target_is_one_line():
    r = kiln_cli("target", "llvm -mcpu=nonsense")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "nonsense" in r.stderr

"""kiln as a C++ package: `cmake --install <build> --component cpp` into a
fresh prefix, examples/cpp configured and built against it with
find_package(kiln), and both of its programs run: tune_matmul (kiln::kiln)
tunes, checks and exports a matmul with the installed kiln_worker, and
run_matmul (kiln::runtime only) loads the exported library and checks it.

The build tree is $KILN_BUILD_DIR, else build/py (./scripts/build.sh)."""

import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("KILN_BUILD_DIR", os.path.join(ROOT, "build", "py"))


def run(args, timeout=300, env=None):
    r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)
    assert r.returncode == 0, f"`{' '.join(args)}` failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    if not os.path.exists(os.path.join(BUILD, "cmake_install.cmake")):
        pytest.skip(f"no kiln build tree at {BUILD} (run ./scripts/build.sh, or set "
                    f"KILN_BUILD_DIR to one)")
    if shutil.which("cmake") is None:
        pytest.skip("cmake is not on PATH")
    prefix = tmp_path_factory.mktemp("prefix")
    run(["cmake", "--install", BUILD, "--component", "cpp", "--prefix", str(prefix)])
    return prefix


def test_install_has_headers_libraries_worker_and_package(prefix):
    # lib, or lib64 where the platform puts libraries there (GNUInstallDirs).
    package = [p.parent for p in prefix.glob("lib*/cmake/kiln/kilnConfig.cmake")]
    assert len(package) == 1, list(prefix.rglob("*"))[:50]
    libdir = package[0].parent.parent
    for path in [prefix / "include/kiln/runtime/module.h", prefix / "include/kiln/runtime/c_api.h",
                 prefix / "include/kiln/search/tune.h", libdir / "libkiln_runtime.a",
                 libdir / "libkiln_search.a", package[0] / "kilnConfigVersion.cmake",
                 package[0] / "kilnTargets.cmake", prefix / "libexec/kiln/kiln_worker",
                 prefix / "share/kiln/kiln_worker_location.cc"]:
        assert path.exists(), path
    # The C++ package holds nothing of the Python one.
    assert not list(prefix.rglob("_ffi*")), "the Python module was installed with the C++ package"
    assert not (prefix / "kiln").exists()


def test_example_tunes_exports_and_runs_with_the_runtime_alone(prefix, tmp_path):
    build = tmp_path / "build"
    configure = ["cmake", "-S", os.path.join(ROOT, "examples", "cpp"), "-B", str(build),
                 f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release"]
    if shutil.which("ninja"):
        configure += ["-G", "Ninja"]
    if shutil.which("ccache"):
        configure += ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"]
    run(configure)
    run(["cmake", "--build", str(build), "-j", str(os.cpu_count() or 2)], timeout=600)

    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "KILN_WORKER"}
    tuned = run([str(build / "tune_matmul"), str(out), "64", "64", "64", "4"], env=env)
    # The tuner found the kiln_worker of the installed package.
    assert f"kiln_worker: {prefix / 'libexec' / 'kiln' / 'kiln_worker'}" in tuned, tuned
    assert "tuned 64x64x64 in 4 trials" in tuned, tuned
    header = (out / "libmatmul.h").read_text()
    assert "int32_t matmul(const float* A, const float* B, float* C);" in header, header
    assert "A: float32[64, 64], read" in header and "C: float32[64, 64], written" in header

    ran = run([str(build / "run_matmul"), str(out / "libmatmul.so")])
    assert "matmul 64x64x64, max abs error" in ran, ran
    # run_matmul links no part of the compiler.
    symbols = run(["nm", "-C", str(build / "run_matmul")]) if shutil.which("nm") else ""
    assert "kiln::search::" not in symbols and "llvm::" not in symbols

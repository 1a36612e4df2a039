"""What the sdist and the wheel hold: the package, its data and its model, nothing else."""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import triage
from tests.conftest import REPO

RESOURCES = ["lexicon.toml", "policy.toml", "stopwords.txt", "userdict.txt"]
# files outside tests/ that the tests read
TEST_INPUTS = [
    "README.md",
    "docs/batch.md",
    "docs/retraining.md",
    "examples/complaints.csv",
    "notebooks/01_quickstart.ipynb",
    "notebooks/02_retrain.ipynb",
    "notebooks/03_label_next.ipynb",
    "notebooks/demo_complaints.csv",
]


def test_the_package_says_it_is_typed() -> None:
    # PEP 561: without the marker, mypy treats an installed triage as untyped
    assert Path(triage.__file__).with_name("py.typed").is_file()


def _build(kind: str, source: Path, out: Path) -> Path:
    code = f"import sys, hatchling.build as b; print(b.build_{kind}(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return out / done.stdout.split()[-1]


@pytest.mark.slow
def test_the_sdist_holds_what_its_tests_read_and_builds_the_wheel(tmp_path: Path) -> None:
    pytest.importorskip("hatchling.build", reason="building needs hatchling: pip install hatchling")
    sdist = _build("sdist", REPO, tmp_path)
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tar.extractall(tmp_path, filter="data")
        else:
            tar.extractall(tmp_path)
    assert {
        "pyproject.toml",
        "LICENSE",
        "tests/conftest.py",
        "models/default/model.joblib",
    } <= names
    assert set(TEST_INPUTS) <= names
    # the model by name: not a temporary file a killed save left beside it
    assert {n for n in names if n.startswith("models/")} == {
        "models/README.md",
        "models/default/model.joblib",
        "models/default/model.json",
    }
    assert not {n for n in names if n.startswith((".ci/", "benchmarks/", ".hypothesis/"))}
    assert not {n for n in names if "__pycache__" in n or n.endswith(".pyc")}
    # the docs name files of a checkout that the sdist leaves out
    unpacked = tmp_path / sdist.name.removesuffix(".tar.gz")
    test = ["tests/test_docs.py", "-k", "files_the_docs_name"]
    docs = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *test],
        cwd=unpacked,
        capture_output=True,
        text=True,
    )
    assert docs.returncode == 0, docs.stdout[-2000:]

    # the wheel as pip builds it when it installs from the sdist
    wheel = _build("wheel", unpacked, tmp_path)
    with zipfile.ZipFile(wheel) as whl:
        files = set(whl.namelist())
        meta = email.message_from_bytes(whl.read(f"triage-{triage.__version__}.dist-info/METADATA"))
        scripts = whl.read(f"triage-{triage.__version__}.dist-info/entry_points.txt").decode()
    packaged = {n for n in files if ".dist-info/" not in n}
    assert {
        "triage/py.typed",
        "triage/_models/default/model.joblib",
        "triage/_models/default/model.json",
    } | {f"triage/resources/{name}" for name in RESOURCES} <= packaged
    assert {n.split("/", 1)[0] for n in packaged} == {"triage"}
    assert {n for n in packaged if n.startswith("triage/_models/")} == {
        "triage/_models/default/model.joblib",
        "triage/_models/default/model.json",
    }
    assert not {n for n in packaged if "__pycache__" in n or n.endswith(".pyc")}
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["License"] == "MIT"
    # the MIT licence asks for its text to travel with every copy
    assert f"triage-{triage.__version__}.dist-info/licenses/LICENSE" in files
    assert "triage = triage.cli:main" in scripts


def _bounds(requirements: list[str]) -> dict[str, str]:
    """The lowest version each requirement allows, by project name."""
    import re

    found = (re.fullmatch(r"([\w.-]+)(?:\[[\w,]+\])?>=([\w.]+)", r) for r in requirements)
    return {m[1].lower(): m[2] for m in found if m}


def test_the_lower_bounds_job_installs_the_lowest_version_pyproject_allows() -> None:
    # a bound raised in pyproject.toml and not in the job's constraints, or
    # the other way round, would leave the bound untested
    import tomllib

    pins_file = REPO / ".ci" / "lower-bounds.txt"
    if not pins_file.is_file():
        pytest.skip("no .ci/lower-bounds.txt (an sdist holds no CI files)")
    with (REPO / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    extras = project["optional-dependencies"]
    bounds = _bounds(
        [
            *project["dependencies"],
            *(r for name in ("parquet", "dask", "notebook", "test") for r in extras[name]),
        ]
    )
    pins = {}
    for line in pins_file.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower()] = version
    assert {"scikit-learn", "pandas", "numpy", "opencc", "dask", "pytest"} <= set(bounds)
    # each bound pinned at a release of it: scipy>=1.11 at 1.11.1, 1.11.0 was yanked
    assert {
        name: pins.get(name, "").split(".")[: len(bound.split("."))]
        for name, bound in bounds.items()
    } == {name: bound.split(".") for name, bound in bounds.items()}

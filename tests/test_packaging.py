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


# A user's script, never run: mypy --strict checks each call's types as
# the docstrings give them (assert_type fails on Any as on a wrong type).
USER_SCRIPT = """
from __future__ import annotations

from pathlib import Path
from typing import assert_type

import pandas as pd

import triage
from triage import (
    Assessment, Category, CategoryResult, Emotion, EmotionResult, Evaluation, Evidence,
    Explanation, LabelMap, LexiconModel, Policy, Priority, PriorityResult, Reason, TriageModel,
)
from triage.batch import ScoreSummary, score_file
from triage.retrain import Comparison, CrossValidation


def use(model: TriageModel, frame: pd.DataFrame, path: Path) -> None:
    text = "快递一周还没到，客服也不回"
    lexicon = LexiconModel()
    models: list[TriageModel | LexiconModel | None] = [None, model, lexicon]
    for m in models:
        a = assert_type(triage.analyze(text, model=m), Assessment)
        c = assert_type(triage.classify(text, model=m), CategoryResult)
        e = assert_type(triage.score_emotions(text, model=m), EmotionResult)
        why = triage.explain(text, model=m, top=3)
        by_label: dict[Category | Emotion, Explanation] = why
        assert_type(why["logistics"], Explanation)  # as the docs index it
        assert_type(why[Category.LOGISTICS], Explanation)
        assert_type(next(iter(by_label)), Category | Emotion)
        triage.warm_up(model=m)
        triage.set_default_model(m)
        assert_type(triage.score_frame(frame, model=m), pd.DataFrame)
        assert_type(score_file(path, path, model=m), ScoreSummary)
        assert_type(triage.evaluate(m, frame), Evaluation)
        assert_type(triage.compare_models(m, lexicon, frame), Comparison)
    # a path is no model, as the docstrings say: load it with triage.load_model
    triage.evaluate(str(path), frame)  # type: ignore[arg-type]
    triage.compare_models(None, str(path), frame)  # type: ignore[arg-type]
    triage.set_default_model(path)
    assert_type(a.primary, Category | None)
    assert_type(a.categories, tuple[Category, ...])
    assert_type(a.emotions, LabelMap[int])
    assert_type(a.priority, Priority)
    assert_type(a.reasons, tuple[Reason, ...])
    assert_type(a.reasons[0].evidence, tuple[Evidence, ...])
    assert_type(c.probabilities, LabelMap[float])
    assert_type(e.sentiment, float)
    policy = assert_type(triage.load_policy(), Policy)
    context = triage.Context(recent_complaints=2, channel="12315")
    p = triage.prioritize(text, c, e, context=context, policy=policy)
    assert_type(p, PriorityResult)
    assert_type(triage.normalize(text), str)
    assert_type(triage.segment(text), list[str])
    labeled = assert_type(triage.read_labeled(path), pd.DataFrame)
    assert_type(triage.validate_labels(labeled), pd.DataFrame)
    trained = assert_type(triage.train(labeled, random_state=1, C=2.0), TriageModel)
    assert_type(triage.load_model(path), TriageModel)
    assert_type(triage.save_model(trained, path, overwrite=True), Path)
    assert_type(triage.evaluate(trained, frame), Evaluation)
    assert_type(triage.evaluate(lexicon, frame).categories, pd.DataFrame)
    assert_type(triage.score_frame(frame, n_jobs=2), pd.DataFrame)
    triage.score_frame(frame, n_jobs=None)  # joblib's convention, as TriageModel's
    score_file(path, path, n_jobs=-2)
    assert_type(score_file(path, path), ScoreSummary)
    assert_type(triage.cross_validate(frame, folds=3), CrossValidation)
    assert_type(triage.compare_models(lexicon, trained, frame), Comparison)
    assert_type(triage.tune_thresholds(trained, frame), TriageModel)
    assert_type(triage.split_labeled(frame), tuple[pd.DataFrame, pd.DataFrame])
    picked = assert_type(triage.select_for_labeling(trained, [text], n=1), pd.DataFrame)
    triage.select_for_labeling(None, frame, n=1)
    triage.select_for_labeling(trained, frame["text"], exclude=[text])
    triage.select_for_labeling(trained, (t for t in [text, None]))
    # no texts, as the docstring says: refused at run time
    triage.select_for_labeling(trained, path)  # type: ignore[arg-type]
    triage.select_for_labeling(trained, 3)  # type: ignore[arg-type]
    assert_type(triage.export_for_labeling(picked, path), Path)
    assert_type(triage.load_weak_emotions(), pd.DataFrame)
    assert_type(triage.MAX_CHARS, int)
    assert_type(triage.CATEGORIES, tuple[Category, ...])
"""


@pytest.mark.slow
def test_a_user_script_type_checks_as_the_docstrings_say(tmp_path: Path) -> None:
    from importlib import metadata

    pytest.importorskip("mypy.api", reason="type-checking needs mypy: pip install mypy")
    try:
        metadata.version("pandas-stubs")
    except metadata.PackageNotFoundError:
        pytest.skip("without pandas-stubs, mypy reads no types of pandas: pip install pandas-stubs")
    script = tmp_path / "use_triage.py"
    script.write_text(USER_SCRIPT, encoding="utf-8")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    done = subprocess.run(
        # the user's errors alone, as of an installed package: the package's
        # own code is checked by CI's mypy, with the newest stubs
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", *cache, str(script)],
        cwd=REPO,  # the package's own mypy settings, for the package it reads
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout


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
    assert "triage = triage.__main__:run" in scripts


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

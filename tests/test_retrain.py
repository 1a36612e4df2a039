"""Retraining helpers: cross-validation, threshold tuning, comparison, selection.

Most tests run on the demo complaints shipped with the notebooks and on fake
models whose predictions are built from the labels, so they need neither the
shared data nor any training; the few that train use small slices.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import triage
from triage import (
    LabelError,
    ModelFileError,
    ParameterError,
    TriageWarning,
    load_model,
    load_policy,
    save_model,
)
from triage._learn import best_f1_threshold
from triage.labeled import parse_labels, read_labeled
from triage.labels import CATEGORIES, EMOTION_COLUMNS, EMOTIONS, PRIORITIES
from triage.model import Predictions, TriageModel
from triage.priority import default_policy
from triage.retrain import (
    LABELING_COLUMNS,
    STRATEGIES,
    _best_threshold,
    _probabilities,
    compare_models,
    cross_validate,
    export_for_labeling,
    select_for_labeling,
    split_labeled,
    tune_thresholds,
)

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "notebooks" / "demo_complaints.csv"


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return read_labeled(DEMO)


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    # The selection tests predict a few rows, with BLAS in as many threads as
    # there are cores: on rows so few, the other threads only wait for the
    # first, spinning. The clustering runs on one thread of its own accord.
    import sklearn.cluster  # noqa: F401  (loads the OpenMP runtime to limit)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


class FakeModel:
    """Predicts from the labels of a frame: exactly right, or with rows spoiled."""

    def __init__(self, frame: pd.DataFrame, *, wrong: tuple[int, ...] = ()) -> None:
        self.frame = frame
        self.wrong = set(wrong)

    def predict_many(self, texts: list[str]) -> Predictions:
        y = parse_labels(self.frame)
        assert texts == self.frame["text"].tolist()
        n = len(texts)
        cats = y.categories.astype(bool).copy()
        primary = y.primary.copy()
        emotions = y.emotions.astype(np.int64).copy()
        prio = np.eye(len(PRIORITIES))[y.priority]
        for i in self.wrong:
            cats[i] = ~cats[i]
            primary[i] = int(np.flatnonzero(cats[i])[0]) if cats[i].any() else -1
            emotions[i] = (emotions[i] + 1) % 3
        return Predictions(
            texts=list(texts),
            tokens=[[t] for t in texts],
            truncated=np.zeros(n, dtype=bool),
            low_confidence=np.zeros(n, dtype=bool),
            category_proba=cats.astype(float),
            category_labels=cats,
            primary=primary,
            emotion_proba=(emotions >= 1).astype(float),
            intensity=emotions,
            priority_proba=prio,
            sentiment=np.full(n, 0.2),
        )


# -- validation flows through every entry point ------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("categories", "logistics|hygiene", "unknown category 'hygiene'"),
        ("angry", "3", "intensity must be 0, 1 or 2"),
        ("primary", "environment", "not among the categories"),
        ("priority", "P0", "priority must be one of"),
    ],
)
def test_bad_rows_are_refused_before_any_work(
    demo: pd.DataFrame, column: str, value: str, problem: str
) -> None:
    bad = demo.copy()
    bad.loc[0, column] = value
    for call in (
        lambda: cross_validate(bad, folds=2),
        lambda: split_labeled(bad),
        lambda: compare_models(FakeModel(demo), FakeModel(demo), bad),
    ):
        with pytest.raises(LabelError, match=rf"row 0 \(id 'demo-1'\).*{problem}"):
            call()


def _dask_frame(frame: pd.DataFrame) -> Any:
    dd = pytest.importorskip("dask.dataframe")
    return dd.from_pandas(frame, npartitions=1)


def _arrow_table(frame: pd.DataFrame) -> Any:
    pa = pytest.importorskip("pyarrow")
    return pa.Table.from_pandas(frame)


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        (lambda f: str(DEMO), r"got str '.*demo_complaints\.csv'; read the file first: "),
        (lambda f: DEMO, r"got \w*Path '.*demo_complaints\.csv'; read the file first: "),
        (lambda f: f.to_dict("records"), r"got list; make one with pandas\.DataFrame\(rows\)"),
        (lambda f: f.to_dict("list"), r"got dict; make one with pandas\.DataFrame\(rows\)"),
        # another library's frame was "got DataFrame", as if pandas' were refused
        (_dask_frame, r"got dask DataFrame; compute it into pandas first with \.compute\(\)$"),
        (_arrow_table, r"got pyarrow Table; convert it with \.to_pandas\(\)$"),
        # frame.iloc[0], which pd.DataFrame(rows) would not make a frame of its row
        (lambda f: f.iloc[0], r"got Series; this one is a row of a frame .*frame\.iloc\[\[i\]\]"),
    ],
    ids=["path", "Path", "list-of-dicts", "dict-of-columns", "dask", "pyarrow", "row"],
)
def test_labeled_rows_that_are_no_frame_are_refused_saying_how_to_make_one(
    demo: pd.DataFrame, tiny_frame: pd.DataFrame, given: Any, hint: str
) -> None:
    from tests.conftest import TINY_PARAMS

    model = TriageModel(**TINY_PARAMS).fit(tiny_frame)
    rows = given(demo)
    for what, call in (
        ("the labeled data", lambda: triage.validate_labels(rows)),
        ("the labeled data", lambda: triage.train(rows, **TINY_PARAMS)),
        ("the labeled data", lambda: triage.evaluate(model, rows)),
        ("the labeled data", lambda: cross_validate(rows, folds=2, **TINY_PARAMS)),
        ("the labeled data", lambda: split_labeled(rows)),
        ("the labeled data", lambda: tune_thresholds(model, rows)),
        ("the labeled data", lambda: compare_models(model, model, rows)),
        ("the extra training data", lambda: triage.train(demo, extra=rows, **TINY_PARAMS)),
        ("y, the labels,", lambda: TriageModel(**TINY_PARAMS).fit(demo["text"], rows)),
    ):
        with pytest.raises(
            triage.ParameterError, match=rf"^{what} must be a pandas DataFrame, {hint}"
        ):
            call()


def test_labeled_rows_with_columns_on_two_levels_are_refused_saying_how_to_flatten(
    demo: pd.DataFrame, tiny_frame: pd.DataFrame
) -> None:
    # frame["text"] of such a frame is a frame: evaluate raised AttributeError
    from tests.conftest import TINY_PARAMS

    model = TriageModel(**TINY_PARAMS).fit(tiny_frame)
    rows = demo.copy()
    rows.columns = pd.MultiIndex.from_arrays([["labels"] * demo.shape[1], demo.columns])
    for call in (
        lambda: triage.validate_labels(rows),
        lambda: triage.train(rows, **TINY_PARAMS),
        lambda: triage.evaluate(model, rows),
        lambda: tune_thresholds(model, rows),
    ):
        with pytest.raises(
            triage.ParameterError,
            match=r"^the labeled data has columns on 2 levels \(a MultiIndex\); give it one "
            r"level of column names, such as frame\.columns = frame\.columns\.get_level_values",
        ):
            call()
    assert triage.validate_labels(rows.droplevel(0, axis=1)).empty


@pytest.mark.parametrize("column", ["text", "categories", "primary", "angry", "priority"])
def test_a_missing_label_column_is_a_label_and_a_column_error_everywhere(
    demo: pd.DataFrame, tiny_frame: pd.DataFrame, tmp_path: Path, column: str
) -> None:
    # caught as a bad labeled frame, or as any missing column (KeyError, as pandas)
    from tests.conftest import TINY_PARAMS

    model = TriageModel(**TINY_PARAMS).fit(tiny_frame)
    lacking = demo.drop(columns=[column])
    path = tmp_path / "lacking.csv"
    lacking.to_csv(path, index=False)
    for call in (
        lambda: triage.train(lacking, **TINY_PARAMS),
        *([lambda: triage.evaluate(model, lacking)] if column == "text" else []),
        lambda: cross_validate(lacking, folds=2, **TINY_PARAMS),
        *([lambda: split_labeled(lacking)] if column == "text" else []),
        *([lambda: tune_thresholds(model, lacking)] if column == "text" else []),
        lambda: compare_models(model, model, lacking),
        lambda: triage.train(triage.read_labeled(path), **TINY_PARAMS),
    ):
        with pytest.raises(
            triage.ColumnError, match=rf"^bad columns .*: no column '{column}'"
        ) as info:
            call()
        assert isinstance(info.value, LabelError) and isinstance(info.value, KeyError)
    # evaluate, split_labeled and tune_thresholds read the heads the frame
    # labels: the others' figures, the frame's halves, the thresholds of its
    # labels, or why they cannot
    refused = {
        "categories": r"^primary is labeled without categories",
        "angry": r"^the five emotions are rated together",
    }
    if column in refused:
        for call in (
            lambda: triage.evaluate(model, lacking),
            lambda: split_labeled(lacking),
            lambda: tune_thresholds(model, lacking),
        ):
            with pytest.raises(triage.ColumnError, match=refused[column]) as info:
                call()
            assert isinstance(info.value, LabelError) and isinstance(info.value, KeyError)
    elif column != "text":
        ev = triage.evaluate(model, lacking)
        assert ev.not_evaluated == {column: "no column"} and column not in ev.heads
        assert sum(map(len, split_labeled(lacking))) == len(lacking)
        assert tune_thresholds(model, lacking).threshold_source_["labeled"] == list(ev.heads)


# labels of some heads alone, as teams send them: triage.evaluate takes them
_SOME_HEADS = pd.DataFrame(
    {
        "text": ["洗衣机转了一次就漏水", "快递三天没更新，打客服也没人接", "谢谢，问题解决了"],
        "categories": ["product", "logistics|service", ""],
        "primary": ["product", "logistics", ""],
        "angry": ["1", "2", "0"],
        "anxious": ["0", "1", "0"],
        "confused": ["0", "0", "0"],
        "humorous": ["0", "0", "0"],
        "aggrieved": ["0", "1", "0"],
        "priority": ["P3", "P2", "P4"],
    }
)


@pytest.mark.parametrize(
    ("columns", "blank", "heads"),
    [
        # a support team's categories
        (["text", "categories", "primary"], [], "categories, primary"),
        # an analyst's priorities
        (["text", "priority"], [], "priority"),
        # the five emotions
        (["text", *EMOTION_COLUMNS], [], "emotions"),
        # an export for labeling whose emotions and priorities were left empty
        (list(_SOME_HEADS), [*EMOTION_COLUMNS, "priority"], "categories, primary"),
    ],
    ids=["support", "analyst", "emotions", "export"],
)
@pytest.mark.parametrize("use", ["cross_validate", "compare_models"])
def test_what_takes_every_head_says_so_and_names_evaluate_for_some(
    columns: list[str], blank: list[str], heads: str, use: str
) -> None:
    # they were told how to train on such rows (label the missing columns,
    # or extra=rows), as if they were training data, and not that
    # triage.evaluate takes them
    some = _SOME_HEADS[columns].assign(**dict.fromkeys(blank, ""))
    assert ", ".join(triage.labeled.labeled_heads(some)[0]) == heads
    lexicon = triage.LexiconModel()
    call = {
        "cross_validate": lambda: cross_validate(some, folds=2),
        "compare_models": lambda: compare_models(lexicon, lexicon, some),
    }[use]
    with pytest.raises(LabelError) as info:
        call()
    message = str(info.value)
    said = (
        f"{use} takes every label column: label {'them' if blank else 'the missing ones'}, "
        f"or evaluate the heads labeled ({heads}) with triage.evaluate, which takes some "
        "heads alone"
    )
    assert said in message and "extra=rows" not in message
    # refused as before: a missing column is a ColumnError, empty cells a LabelError
    assert isinstance(info.value, triage.ColumnError) is not bool(blank)
    if blank:  # one line, not a problem a cell
        assert message.startswith(
            f"bad columns in the labeled data: {', '.join(blank)} are empty on every row; {said}"
        )
    # training is told how to train on them, as it was
    with pytest.raises(LabelError) as trained:
        triage.train(some)
    assert "takes every label column" not in str(trained.value)


def test_comparison_refuses_bad_labels_before_loading_the_default_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a baseline of None (the shipped model) was loaded, a second or more and
    # 180 MB, before a file of the support team's two columns was refused
    from triage import _default

    def load() -> None:
        raise AssertionError("the default model was loaded before the labels were read")

    monkeypatch.setattr(_default, "get_default_model", load)
    some = _SOME_HEADS[["text", "categories", "primary"]]
    with pytest.raises(triage.ColumnError, match="compare_models takes every label column"):
        compare_models(None, triage.LexiconModel(), some)


def test_duplicate_ids_are_refused(demo: pd.DataFrame) -> None:
    bad = demo.copy()
    bad.loc[3, "id"] = bad.loc[2, "id"]
    with pytest.raises(LabelError, match=r"row 3.*duplicate id"):
        split_labeled(bad)


# -- split -----------------------------------------------------------------------------


def test_split_is_disjoint_complete_and_reproducible(demo: pd.DataFrame) -> None:
    a, b = split_labeled(demo, test_size=0.25, random_state=3)
    assert (len(a), len(b)) == (18, 6)
    assert sorted([*a["id"], *b["id"]]) == sorted(demo["id"])
    again = split_labeled(demo, test_size=0.25, random_state=3)
    assert again[1]["id"].tolist() == b["id"].tolist()


@pytest.mark.parametrize(
    ("columns", "blank", "strata"),
    [
        # a support team's: split as the full frame of its rows is
        (["categories", "primary"], [], "full"),
        # an export whose emotions and priorities were left empty: the same
        (["categories", "primary"], [*EMOTION_COLUMNS, "priority"], "full"),
        # an analyst's: each half keeps its share of every level
        (["priority"], [], "priority"),
        # the five emotions, or categories with no primary: not stratified
        (list(EMOTION_COLUMNS), [], None),
        (["categories"], [], None),
    ],
    ids=["support", "export", "analyst", "emotions", "categories"],
)
def test_a_frame_of_some_heads_is_split_by_the_labels_it_has(
    demo: pd.DataFrame, columns: list[str], blank: list[str], strata: str | None
) -> None:
    # it was refused with training's advice (label the missing columns, or
    # extra=rows), though its halves are what triage.evaluate takes
    levels = [*["P1"] * 4, *["P2"] * 6, *["P3"] * 10, *["P4"] * 4]
    full = demo.assign(priority=levels)
    some = full[["id", "text", *columns]].assign(**dict.fromkeys(blank, ""))
    a, b = split_labeled(some, test_size=0.25, random_state=3)
    assert (len(a), len(b)) == (18, 6) and list(a.columns) == list(some.columns)
    assert sorted([*a["id"], *b["id"]]) == sorted(full["id"])
    whole = split_labeled(full, test_size=0.25, random_state=3)
    if strata == "full":
        assert b["id"].tolist() == whole[1]["id"].tolist()
    elif strata == "priority":
        assert b["priority"].value_counts().to_dict() == {"P3": 2, "P2": 2, "P1": 1, "P4": 1}
    assert (
        triage.evaluate(triage.LexiconModel(), b).heads
        == triage.evaluate(triage.LexiconModel(), some).heads
    )
    # a row not labeled for a head it labels is refused, as evaluate refuses it
    bad = some.copy()
    bad.loc[2, columns[0]] = "低" if columns[0] == "priority" else "9"
    with pytest.raises(LabelError, match=r"row 2 \(id '[^']*'\) \w+='[^']*': "):
        split_labeled(bad)


def _with_copies(frame: pd.DataFrame, every: int = 3) -> pd.DataFrame:
    """`frame` plus a copy of every `every`-th row, written a little differently
    (traditional characters, full-width punctuation, spaces around it) but the
    same text once normalised, and with its own id."""
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    copies = frame.iloc[::every].copy()
    copies["text"] = [f"  {to_traditional.convert(t).replace(',', '，')} " for t in copies["text"]]
    if "id" in copies.columns:
        copies["id"] = [f"{i}-copy" for i in copies["id"]]
    return pd.concat([frame, copies], ignore_index=True).sample(frac=1, random_state=0)


def _same_text(a: pd.DataFrame, b: pd.DataFrame) -> set[str]:
    from triage.text import normalize

    return {normalize(t) for t in a["text"]} & {normalize(t) for t in b["text"]}


def _spy_folds(
    monkeypatch: pytest.MonkeyPatch, trained_on: Callable[[pd.DataFrame, dict[str, Any]], Any]
) -> tuple[list[Any], list[pd.DataFrame]]:
    """Record, for each cross-validation fold, `trained_on(rows, kwargs)` of its
    fit and the rows it is evaluated on."""
    import triage.evaluation

    trained: list[Any] = []
    tested: list[pd.DataFrame] = []
    fit, evaluate = TriageModel.fit, triage.evaluation.evaluate

    def spy_fit(self: TriageModel, rows: pd.DataFrame, **kwargs: Any) -> TriageModel:
        trained.append(trained_on(rows, kwargs))
        return fit(self, rows, **kwargs)

    def spy_evaluate(model: Any, rows: pd.DataFrame, **kwargs: Any) -> Any:
        tested.append(rows)
        return evaluate(model, rows, **kwargs)

    monkeypatch.setattr(TriageModel, "fit", spy_fit)
    monkeypatch.setattr(triage.evaluation, "evaluate", spy_evaluate)
    return trained, tested


def test_split_keeps_copies_of_a_text_on_one_side(demo: pd.DataFrame) -> None:
    frame = _with_copies(demo)
    a, b = split_labeled(frame, test_size=0.3)
    assert len(a) + len(b) == len(frame)
    assert sorted(a["id"].tolist() + b["id"].tolist()) == sorted(frame["id"].tolist())
    assert not _same_text(a, b)


@pytest.mark.filterwarnings("ignore:the training labels give")  # a small frame, 3 folds
def test_cross_validation_never_tests_a_text_it_trained_on(
    demo: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = _with_copies(demo)
    trained, tested = _spy_folds(monkeypatch, lambda rows, kwargs: rows)
    cv = cross_validate(frame, folds=3, min_df=1, max_features=5_000)
    assert len(trained) == len(tested) == cv.folds == 3
    for fold_train, fold_test in zip(trained, tested, strict=True):
        assert not _same_text(fold_train, fold_test)
    assert sorted(i for t in tested for i in t["id"]) == sorted(frame["id"])


def _by_primary(counts: dict[str, int]) -> pd.DataFrame:
    """A labeled frame of distinct texts, `counts[primary]` rows of each primary."""
    from tests.conftest import labeled_frame

    said = {
        "product": "买的水壶第{}天就漏水了",
        "logistics": "快递第{}天了还没送到",
        "process": "退款申请提交第{}天了还在审核",
        "": "第{}天去公园散步，心情不错",
    }
    rows = [
        (said[p].format(i + 1), p, p, "0 0 0 0 0", "P3" if p else "P4")
        for p, n in counts.items()
        for i in range(n)
    ]
    return labeled_frame(rows)  # type: ignore[no-any-return]


def test_folds_stay_stratified_when_a_primary_has_fewer_rows_than_folds() -> None:
    # two texts that are no complaint cannot be spread over five folds; the
    # categories still are: 3 logistics and 2 process rows per fold, 4 product give or take one
    from triage.retrain import cv_splits

    frame = _by_primary({"product": 20, "logistics": 15, "process": 10, "": 2})
    for seed in range(5):
        for _, test in cv_splits(frame, 5, random_state=seed):
            held = frame["primary"].iloc[test].value_counts()
            assert [held.get(p, 0) for p in ("logistics", "process")] == [3, 2]
            assert abs(held.get("product", 0) - 4) <= 1


def test_a_split_stays_stratified_when_a_primary_has_one_row() -> None:
    frame = _by_primary({"product": 20, "logistics": 10, "process": 6, "": 1})
    for seed in range(5):
        a, b = split_labeled(frame, test_size=0.5, random_state=seed)
        for part in (a, b):
            held = part["primary"].value_counts()
            assert [held.get(p, 0) for p in ("logistics", "process")] == [5, 3]


def test_splits_are_the_same_for_a_file_read_with_plain_pandas(tmp_path: Path) -> None:
    # plain read_csv holds a row of no complaint's primary as NaN, which was
    # stratified as "nan", between the categories, and drew other rows
    from triage.retrain import cv_splits

    path = tmp_path / "labeled.csv"
    _by_primary({"product": 9, "logistics": 6, "": 6, "process": 1}).to_csv(path, index=False)
    read, plain = read_labeled(path), pd.read_csv(path)
    assert plain["primary"].isna().sum() == 6
    for seed in range(3):
        a, b = split_labeled(read, random_state=seed), split_labeled(plain, random_state=seed)
        assert a[1]["text"].tolist() == b[1]["text"].tolist()
        folds = [cv_splits(f, 3, random_state=seed) for f in (read, plain)]
        assert [t.tolist() for _, t in folds[0]] == [t.tolist() for _, t in folds[1]]


@pytest.mark.parametrize("size", [0, 1, 1.5, -0.1])
def test_split_rejects_impossible_sizes(demo: pd.DataFrame, size: float) -> None:
    with pytest.raises(ValueError, match="test_size"):
        split_labeled(demo, test_size=size)


# -- thresholds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "proba", "beta", "expected"),
    [
        ([0, 0, 1, 1], [0.1, 0.35, 0.4, 0.9], 1.0, 0.4),
        ([0, 1, 1, 1], [0.3, 0.2, 0.6, 0.9], 1.0, 0.2),  # recall of all wins
        ([0, 1, 1, 1], [0.3, 0.2, 0.6, 0.9], 0.3, 0.5),  # precision-heavy: skip the 0.3
        ([0, 0, 0, 0], [0.1, 0.2, 0.3, 0.4], 1.0, 0.5),  # nothing to gain: stays at 0.5
    ],
)
def test_best_threshold_table(
    target: list[int], proba: list[float], beta: float, expected: float
) -> None:
    assert _best_threshold(np.array(target), np.array(proba), beta) == pytest.approx(expected)


def test_beta_one_is_the_training_rule() -> None:
    rng = np.random.default_rng(0)
    target = rng.integers(0, 2, 200)
    proba = np.clip(target * 0.3 + rng.random(200) * 0.7, 0, 1)
    assert _best_threshold(target, proba, 1.0) == best_f1_threshold(target, proba)
    assert _best_threshold(target, proba, 1.0 + 1e-9) == pytest.approx(
        best_f1_threshold(target, proba)
    )


def assert_best_for_what_the_model_gives(tuned: TriageModel, rows: pd.DataFrame) -> None:
    """Each category's threshold (the clause stage's, with the stage) is the
    grid value that maximises its F1 of the categories `tuned` gives `rows`,
    the other thresholds as they are (ties: the closest to 0.5)."""
    import copy

    from triage._learn import _GRID
    from triage.retrain import _read

    truth = parse_labels(rows).categories.astype(bool)
    decider = _read(tuned, rows["text"].tolist())[1]
    trial = copy.deepcopy(tuned)
    cuts = tuned.clause_thresholds_ if tuned._staged() else tuned.thresholds_["categories"]
    trial_cuts = trial.clause_thresholds_ if tuned._staged() else trial.thresholds_["categories"]
    assert cuts is not None and trial_cuts is not None
    for j, c in enumerate(CATEGORIES):
        f1 = []
        for t in _GRID:
            trial_cuts[j] = t
            given = decider.categories(trial)[:, j]
            f1.append(2 * (given & truth[:, j]).sum() / (given.sum() + truth[:, j].sum()))
        trial_cuts[j] = cuts[j]
        best = max(f1)
        ties = [float(t) for t, f in zip(_GRID, f1, strict=True) if f >= best - 1e-12]
        assert cuts[j] == min(ties, key=lambda t: abs(t - 0.5)), c


@pytest.fixture(scope="module")
def model(train_frame: pd.DataFrame) -> TriageModel:
    return TriageModel(threshold_folds=0, max_features=20_000).fit(train_frame.iloc[:500])


@pytest.fixture(scope="module")
def tuned(model: TriageModel, dev_frame: pd.DataFrame) -> TriageModel:
    return tune_thresholds(model, dev_frame.iloc[:300])


def test_tuning_returns_a_copy_with_thresholds_chosen_on_the_rows(
    model: TriageModel, tuned: TriageModel, dev_frame: pd.DataFrame
) -> None:
    rows = dev_frame.iloc[:300]
    assert tuned is not model
    assert all((v == 0.5).all() for v in model.thresholds_.values())  # untouched
    y = parse_labels(rows)
    proba = _probabilities(model, rows["text"].tolist())
    assert_best_for_what_the_model_gives(tuned, rows)
    for j in range(len(EMOTIONS)):
        present = y.emotions[:, j] >= 1
        if present.sum() >= 5:
            assert tuned.thresholds_["presence"][j] == best_f1_threshold(
                present, proba["presence"][:, j]
            )
        strong = y.emotions[present, j] == 2
        if strong.sum() >= 5:
            assert tuned.thresholds_["strong"][j] == best_f1_threshold(
                strong, proba["strong"][present, j]
            )
        else:
            assert tuned.thresholds_["strong"][j] == 0.5
            assert f"strong:{EMOTIONS[j]}" in tuned.threshold_source_["kept"]
    src = tuned.threshold_source_
    assert src["rows"] == 300 and len(src["fingerprint_sha256"]) == 64
    assert src["previous"]["categories"] == [0.5] * len(CATEGORIES)


def test_the_categories_tuning_weighs_are_those_the_model_gives(
    model: TriageModel, clause_model: TriageModel, dev_frame: pd.DataFrame
) -> None:
    import copy

    from triage.retrain import _read

    texts = dev_frame["text"].tolist()[:300]
    gated = copy.deepcopy(model).set_params(min_complaint_proba=0.4)
    for base in (model, clause_model, gated):
        decider = _read(base, texts)[1]
        for cut in (None, 0.15, 0.35, 0.8):
            trial = copy.deepcopy(base)
            if cut is not None:
                trial.thresholds_["categories"][:] = cut
                if trial.clause_thresholds_ is not None:
                    trial.clause_thresholds_[:] = cut
            given = trial.predict_many(texts).category_labels
            # the rescue of a negative text, the gate and problem_cues included
            np.testing.assert_array_equal(decider.categories(trial), given, err_msg=str(cut))


def test_tuning_lowers_no_category_that_the_rescue_gave_texts(
    small_model: TriageModel, dev_frame: pd.DataFrame
) -> None:
    # Tuned on its probabilities alone, product kept 0.46: the other
    # categories' lower thresholds left fewer negative texts with none, which
    # the rescue gave their likeliest, often product, and its F1 on the rows
    # it was tuned on fell (0.8142 -> 0.8131)
    rows = dev_frame.iloc[:300]
    tuned = tune_thresholds(small_model, rows)
    table = compare_models(small_model, tuned, rows, n_boot=0).to_frame()
    assert (table.loc["category", "delta"] >= 0).all()
    assert_best_for_what_the_model_gives(tuned, rows)


def test_tuning_raises_f1_on_the_tuning_rows(
    model: TriageModel, tuned: TriageModel, dev_frame: pd.DataFrame
) -> None:
    rows = dev_frame.iloc[:300]
    cmp = compare_models(model, tuned, rows, n_boot=0)
    table = cmp.to_frame()
    assert (table.loc["category", "delta"].drop("macro") >= -1e-9).all()


@pytest.mark.parametrize(
    ("keep", "blank", "heads"),
    [
        # a support team's categories and primary: the category thresholds
        (["categories", "primary"], [], ["categories"]),
        # an export whose emotions and priorities were left empty: the same
        (["categories", "primary"], [*EMOTION_COLUMNS, "priority"], ["categories"]),
        (["categories"], [], ["categories"]),
        # the five emotions: their presence and strength
        (list(EMOTION_COLUMNS), [], ["presence", "strong"]),
        # an analyst's priorities: no threshold to tune
        (["priority"], [], []),
    ],
    ids=["support", "export", "categories", "emotions", "analyst"],
)
def test_tuning_on_some_heads_tunes_the_thresholds_of_their_labels(
    model: TriageModel,
    tuned: TriageModel,
    dev_frame: pd.DataFrame,
    keep: list[str],
    blank: list[str],
    heads: list[str],
) -> None:
    # it refused such rows with training's advice (label the missing columns,
    # or extra=rows), though a threshold is tuned on its own labels alone
    from triage.exceptions import LabelColumnError

    rows = dev_frame.iloc[:300]
    some = rows[["text", *keep]].assign(**dict.fromkeys(blank, ""))
    labeled = list(triage.labeled.labeled_heads(some)[0])
    # every head asked, as by default: said which it can tune
    refused = LabelError if blank else LabelColumnError
    with pytest.raises(refused) as info:
        tune_thresholds(model, some)
    assert type(info.value) is refused
    message = str(info.value)
    assert message.startswith("tune_thresholds tunes ") and "extra=rows" not in message
    if heads:
        assert f"or pass heads={heads!r} to tune those of the labels it has" in message
    else:
        assert "or evaluate the heads it labels (priority) with triage.evaluate" in message
        return
    # those it can: as tuned on the fully labeled rows, and the others kept
    mine = tune_thresholds(model, some, heads=heads)
    for head, values in mine.thresholds_.items():
        expected = tuned if head in heads else model
        np.testing.assert_array_equal(values, expected.thresholds_[head])
    source = mine.threshold_source_
    assert source["labeled"] == labeled and "labeled" not in tuned.threshold_source_
    assert source["tuned"] == [
        k for k in tuned.threshold_source_["tuned"] if k.split(":")[0] in heads
    ]
    assert source["fingerprint_sha256"] != tuned.threshold_source_["fingerprint_sha256"]


def test_texts_under_the_complaint_gate_do_not_move_the_category_thresholds(
    model: TriageModel, dev_frame: pd.DataFrame
) -> None:
    import copy

    praise = [
        "快递很快，包装也很好，好评",
        "物流很快，东西不错",
        "客服态度很好，耐心解答",
        "房间干净，服务周到",
        "价格实惠，质量也好",
        "送餐很快，味道很好",
        "酒店环境好，前台热情",
        "退款很快就到账了，点赞",
        "包装精美，发货迅速",
        "店家服务好，下次还来",
    ]
    gated = copy.deepcopy(model)
    head = gated.predict_many(praise).complaint_proba
    assert head is not None
    # a gate over all the praise: it has no category, whatever the thresholds
    # (and the one that names a problem, 退款...到账, its likeliest alone)
    gated.set_params(min_complaint_proba=float(head.max()) + 1e-9)
    given = gated.predict_many(praise).category_labels
    assert given.sum(axis=1).tolist() == [0] * 7 + [1] + [0] * 2
    # and the thresholds are tuned on what it decides
    from triage.retrain import _gate, _probabilities

    proba = _probabilities(gated, praise)
    _gate(gated, proba)
    np.testing.assert_array_equal(proba["categories"], given.astype(float))
    rows = dev_frame.iloc[:100]
    labels = {"categories": "", "primary": "", **dict.fromkeys(EMOTION_COLUMNS, "0")}
    none = pd.DataFrame({"text": praise, **labels, "priority": "P4"})
    with_praise = pd.concat([rows, none], ignore_index=True)
    alone = tune_thresholds(gated, rows, heads=("categories",), min_positives=1)
    beside = tune_thresholds(gated, with_praise, heads=("categories",), min_positives=1)
    # rows the model never gives a category and that have none change no F1
    np.testing.assert_array_equal(beside.thresholds_["categories"], alone.thresholds_["categories"])


@pytest.mark.filterwarnings("ignore:the training labels give")  # 16 rows
def test_texts_the_model_cannot_read_move_no_threshold(tiny_frame: pd.DataFrame) -> None:
    from tests.conftest import TINY_PARAMS, labeled_frame
    from triage.retrain import _gate

    model = TriageModel(**TINY_PARAMS).fit(tiny_frame)
    # no Chinese: no category and no emotion, whatever the thresholds
    unreadable = [
        ("WORST SERVICE EVER!!!", "service", "service", "2 0 0 0 1", "P2"),
        ("😡😡😡😡", "service", "service", "2 0 0 0 1", "P2"),
        ("terrible, never again", "service", "service", "2 0 0 0 1", "P2"),
        ("!!!!!!", "service", "service", "2 0 0 0 1", "P2"),
        ("refund me NOW", "pricing", "pricing", "2 1 0 0 0", "P2"),
    ]
    texts = [row[0] for row in unreadable]
    given = model.predict_many(texts)
    assert given.low_confidence.all()
    proba = _probabilities(model, texts)
    _gate(model, proba)
    np.testing.assert_array_equal(proba["categories"], given.category_labels.astype(float))
    np.testing.assert_array_equal(proba["presence"], given.intensity >= 1)
    extra = labeled_frame(unreadable).assign(id=lambda f: "unreadable-" + f["id"])
    beside = pd.concat([tiny_frame, extra], ignore_index=True)
    alone = tune_thresholds(model, tiny_frame, min_positives=1)
    with_them = tune_thresholds(model, beside, min_positives=1)
    for head, values in alone.thresholds_.items():
        np.testing.assert_array_equal(with_them.thresholds_[head], values, err_msg=head)


def test_tuning_reads_gated_texts_as_a_model_with_the_clause_stage_decides_them(
    clause_model: TriageModel, train_frame: pd.DataFrame
) -> None:
    import copy

    from triage.retrain import _gate, _probabilities

    # every text under the gate: those that name a problem keep the likeliest
    # category of the heads, which is not always the clause stage's likeliest
    model = copy.deepcopy(clause_model).set_params(min_complaint_proba=1.0)
    texts = train_frame["text"].tolist()[600:900]
    given = model.predict_many(texts).category_labels
    assert 0 < given.any(axis=1).sum() < len(texts)
    proba = _probabilities(model, texts)
    _gate(model, proba)
    np.testing.assert_array_equal(proba["categories"], given.astype(float))


def test_with_the_clause_stage_tuning_sets_the_thresholds_that_decide(
    clause_model: TriageModel, train_frame: pd.DataFrame
) -> None:
    rows = train_frame.iloc[600:900]  # not trained on
    tuned = tune_thresholds(clause_model, rows)
    # the heads' thresholds only feed the stage: kept
    np.testing.assert_array_equal(
        tuned.thresholds_["categories"], clause_model.thresholds_["categories"]
    )
    proba = _probabilities(clause_model, rows["text"].tolist())
    assert tuned.clause_thresholds_ is not None
    assert_best_for_what_the_model_gives(tuned, rows)
    assert clause_model.clause_thresholds_ is not None
    assert tuned.threshold_source_["previous"]["clause"] == [
        round(float(x), 4) for x in clause_model.clause_thresholds_
    ]
    # and those probabilities are the clause stage's: every category over its
    # threshold applies (the primary and the rescue of a negative text may add one)
    pred = tuned.predict_many(rows["text"].tolist())
    over = (proba["categories"] >= tuned.clause_thresholds_) & ~pred.low_confidence[:, None]
    assert (pred.category_labels | ~over).all()


def test_tuning_only_the_chosen_heads(model: TriageModel, dev_frame: pd.DataFrame) -> None:
    only = tune_thresholds(model, dev_frame.iloc[:300], heads=("strong",), min_positives=1)
    assert (only.thresholds_["categories"] == 0.5).all()
    assert (only.thresholds_["presence"] == 0.5).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beta": 0}, "beta"),
        ({"beta": float("nan")}, "beta"),
        ({"min_positives": 0}, "min_positives"),
        ({"heads": ("category",)}, "allowed: categories, presence, strong"),
        ({"heads": "strong"}, "allowed"),
    ],
)
def test_tuning_rejects_bad_options(
    model: TriageModel, demo: pd.DataFrame, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        tune_thresholds(model, demo, **kwargs)


def test_tuned_model_saves_loads_in_a_fresh_process_and_predicts_the_same(
    tuned: TriageModel, dev_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = save_model(tuned, tmp_path / "m", notes={"thresholds": tuned.threshold_source_})
    texts = dev_frame["text"].iloc[:50].tolist()
    here = tuned.predict_many(texts)
    script = (
        "import sys, json, numpy as np, triage\n"
        "m = triage.load_model(sys.argv[1])\n"
        "p = m.predict_many(json.loads(sys.stdin.read()))\n"
        "print(json.dumps({'thresholds': {k: v.tolist() for k, v in m.thresholds_.items()},"
        " 'proba': p.category_proba.tolist(), 'intensity': p.intensity.tolist(),"
        " 'primary': p.primary.tolist()}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        check=True,
    )
    got = json.loads(out.stdout)
    for k, v in tuned.thresholds_.items():
        assert got["thresholds"][k] == v.tolist()
    assert got["proba"] == here.category_proba.tolist()
    assert got["intensity"] == here.intensity.tolist()
    assert got["primary"] == here.primary.tolist()
    assert load_model(path).threshold_source_ == tuned.threshold_source_


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"labels": {"categories": ["a"], "emotions": [], "priorities": []}}, "label sets"),
        ({"format_version": 99}, "format version 99 is not supported"),
        ({"format": "onnx"}, "not a triage model card"),
    ],
)
def test_models_for_other_labels_or_formats_are_refused(
    tuned: TriageModel, tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = save_model(tuned, tmp_path / "m")
    card = json.loads((path / "model.json").read_text(encoding="utf-8"))
    (path / "model.json").write_text(json.dumps(card | change), encoding="utf-8")
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


# -- comparison ------------------------------------------------------------------------


def test_a_model_against_itself_differs_by_nothing(demo: pd.DataFrame) -> None:
    cmp = compare_models(FakeModel(demo), FakeModel(demo), demo, n_boot=200)
    t = cmp.table
    assert (t["delta"] == 0).all() and (t["ci_low"] == 0).all() and (t["ci_high"] == 0).all()
    assert (t["p_not_better"] == 1).all() and (t["verdict"] == "").all()


def test_one_model_given_twice_predicts_once(demo: pd.DataFrame) -> None:
    class Counted(FakeModel):
        calls = 0

        def predict_many(self, texts: list[str]) -> Predictions:
            Counted.calls += 1
            return super().predict_many(texts)

    model = Counted(demo)
    same = compare_models(model, model, demo, n_boot=200).table
    assert Counted.calls == 1
    apart = compare_models(FakeModel(demo), FakeModel(demo), demo, n_boot=200).table
    pd.testing.assert_frame_equal(same, apart)


def test_a_better_model_is_found_better(demo: pd.DataFrame) -> None:
    worse = FakeModel(demo, wrong=tuple(range(0, 24, 2)))
    cmp = compare_models(worse, FakeModel(demo), demo, n_boot=500, names=("old", "new"))
    t = cmp.to_frame()
    assert t.loc[("category", "macro"), "candidate"] == pytest.approx(1.0)
    assert t.loc[("category", "macro"), "delta"] > 0.3
    assert t.loc[("category", "macro"), "verdict"] == "better"
    assert t.loc[("category", "macro"), "p_not_better"] < 0.05
    assert t.loc[("primary", "accuracy"), "verdict"] == "better"
    assert (t["ci_low"] <= t["delta"] + 1e-12).all() and (t["delta"] <= t["ci_high"] + 1e-12).all()
    swapped = compare_models(FakeModel(demo), worse, demo, n_boot=500).to_frame()
    assert swapped.loc[("category", "macro"), "verdict"] == "worse"
    assert cmp.names == ("old", "new")
    assert set(cmp.summary().index) >= {("category", "macro"), ("priority", "P1")}


def test_comparison_point_figures_match_evaluate(demo: pd.DataFrame) -> None:
    cmp = compare_models(FakeModel(demo), FakeModel(demo, wrong=(1, 4, 9)), demo, n_boot=0)
    t = cmp.to_frame()
    ev = cmp.candidate
    for c in CATEGORIES:
        assert t.loc[("category", str(c)), "candidate"] == pytest.approx(ev.categories.loc[c, "f1"])
    for e in EMOTIONS:
        assert t.loc[("emotion", str(e)), "candidate"] == pytest.approx(ev.emotions.loc[e, "f1"])
        assert t.loc[("intensity", str(e)), "candidate"] == pytest.approx(
            ev.emotions.loc[e, "intensity_accuracy"]
        )
    assert t.loc[("emotion", "macro"), "candidate"] == pytest.approx(ev.emotion_macro_f1)
    assert t.loc[("primary", "accuracy"), "candidate"] == pytest.approx(ev.primary_accuracy)
    assert t.loc[("priority", "accuracy"), "candidate"] == pytest.approx(ev.priority_accuracy)
    assert t["ci_low"].isna().all()


def test_comparison_leaves_undefined_figures_undefined_as_evaluate_does(
    demo: pd.DataFrame,
) -> None:
    # no P1 row and no environment row: P1 recall and environment F1 are
    # undefined (NaN), not 0, and the macro F1 is over the defined labels only
    frame = demo[~demo["categories"].str.contains("environment") & (demo["priority"] != "P1")]
    frame = frame.reset_index(drop=True)
    cmp = compare_models(FakeModel(frame), FakeModel(frame), frame, n_boot=50)
    t = cmp.to_frame()
    for model in ("baseline", "candidate"):
        assert np.isnan(t.loc[("priority", "P1"), model])
        assert np.isnan(t.loc[("category", "environment"), model])
        assert t.loc[("category", "macro"), model] == pytest.approx(cmp.baseline.category_macro_f1)
    assert cmp.baseline.category_macro_f1 == pytest.approx(1.0)
    for column in ("delta", "ci_low", "ci_high", "p_not_better"):
        assert np.isnan(t.loc[("priority", "P1"), column])
        assert t.loc[("category", "macro"), column] == (1.0 if column == "p_not_better" else 0.0)
    assert t.loc[("priority", "P1"), "verdict"] == ""
    json.dumps(cmp.to_dict(), allow_nan=False)


def test_bootstrap_is_reproducible(demo: pd.DataFrame) -> None:
    a, b = FakeModel(demo, wrong=(0, 1, 2, 3)), FakeModel(demo, wrong=(5,))
    one = compare_models(a, b, demo, n_boot=300, random_state=7).table
    two = compare_models(a, b, demo, n_boot=300, random_state=7).table
    pd.testing.assert_frame_equal(one, two)
    assert json.dumps(compare_models(a, b, demo, n_boot=10).to_dict())


def test_comparison_rejects_a_bad_n_boot(demo: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="n_boot"):
        compare_models(FakeModel(demo), FakeModel(demo), demo, n_boot=-1)


# -- selection -------------------------------------------------------------------------


POOL = [
    "快递五天了还没发货，客服也联系不上",
    "快递五天了还没发货，客服也联系不上",  # repeated: chosen once at most
    "菜有点咸，不过送得挺快",
    "这个手续费到底是怎么收的？",
    "酒店房间很干净，前台也很热情",
    "hello world",
    "手机用了一周就黑屏，售后说要寄回厂家检测",
    "价格比别家贵了不少，还不送运费险",
    "等了一个小时外卖才到，饭都凉了",
    "退货流程太麻烦了，填了三张表",
    "服务员态度很差，叫了好几次都没人理",
]


@pytest.mark.parametrize("strategy", ["uncertainty", "diversity", "mixed"])
def test_selection_returns_a_file_ready_for_labeling(strategy: str) -> None:
    chosen = select_for_labeling(
        None,
        POOL,
        n=5,
        strategy=strategy,
        pool_factor=2,
        exclude=["等了一个小时外卖才到，饭都凉了"],
    )
    assert len(chosen) == 5
    assert list(chosen.columns[: len(LABELING_COLUMNS)]) == list(LABELING_COLUMNS)
    assert chosen["text"].is_unique
    assert not set(chosen["text"]) & {"", None, "等了一个小时外卖才到，饭都凉了"}
    for col in ("categories", "primary", "angry", "priority"):
        assert (chosen[col] == "").all()
    assert chosen["uncertainty"].between(0, 1).all()
    assert chosen["uncertainty"].is_monotonic_decreasing
    assert chosen["suggested_priority"].isin([str(p) for p in PRIORITIES]).all()
    assert chosen["id"].str.startswith("unlabeled-").all()
    if strategy == "uncertainty":
        assert (chosen["cluster"] == -1).all()
    else:
        # each pick names its own cluster; one made up for a cluster k-means
        # left empty (texts the model reads alike) names none
        named = chosen.loc[chosen["cluster"] != -1, "cluster"]
        assert named.is_unique and named.isin(range(5)).all() and len(named) >= 3


@pytest.mark.parametrize("prefer_uncertain", [True, False])
@pytest.mark.parametrize(
    ("points", "n", "clusters"),
    [
        # two points for four clusters: two are left empty, made up with the
        # most uncertain rows left, which name no cluster
        ([(1, 0)] * 4 + [(0, 1)] * 4, 4, 2),
        ([(1, 0)] * 3 + [(0, 1)] * 3 + [(0.6, 0.8)] * 3, 5, 3),
        ([(1, 0), (0, 1), (0.6, 0.8), (0.8, 0.6)], 3, 3),  # no cluster empty
    ],
)
def test_each_cluster_names_one_row_and_fill_ins_none(
    points: list[tuple[float, float]], n: int, clusters: int, prefer_uncertain: bool
) -> None:
    # a row that made up an empty cluster repeated the cluster of another
    # row chosen, misleading whoever took one text per cluster
    from triage.retrain import _kmeans_pick

    Xn = np.array(points, dtype=float)
    score = np.linspace(0.9, 0.1, len(points))
    picked, groups = _kmeans_pick(Xn, score, n, prefer_uncertain=prefer_uncertain, random_state=0)
    assert len(picked) == len(set(picked.tolist())) == len(groups) == n
    named = groups[groups >= 0].tolist()
    assert len(named) == len(set(named)) == clusters
    # and the rows chosen for clusters lie at as many points
    assert len({tuple(Xn[i]) for i in picked[groups >= 0]}) == clusters
    filled = picked[groups < 0]
    left = np.setdiff1d(np.arange(len(points)), picked[groups >= 0])
    assert filled.tolist() == left[np.argsort(-score[left], kind="stable")][: n - clusters].tolist()


@pytest.mark.parametrize("strategy", ["diversity", "mixed"])
def test_clusters_of_chosen_rows_do_not_repeat(strategy: str) -> None:
    # texts of no word the model knows share one point: clusters are left empty
    pool = [*COMPLAINTS[:4], "!!!", "???", "...", "12315", "404", "~~~", "###", "***"]
    chosen = select_for_labeling(None, pool, n=8, strategy=strategy, pool_factor=2)
    named = chosen.loc[chosen["cluster"] >= 0, "cluster"].tolist()
    assert len(named) == len(set(named)) and set(named) <= set(range(8))


@pytest.mark.parametrize("strategy", ["diversity", "mixed"])
def test_a_pool_of_no_more_than_n_texts_is_taken_whole_unclustered(strategy: str) -> None:
    few = ["快递三天了还没到", "客服一直不回消息", "房间隔音太差"]
    chosen = select_for_labeling(None, few, n=5, strategy=strategy)
    assert sorted(chosen["text"]) == sorted(few)
    assert (chosen["cluster"] == -1).all()


@pytest.mark.parametrize("strategy", ["diversity", "mixed"])
def test_clustering_runs_in_a_latent_space_of_at_most_100_dimensions(
    strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # k-means on the TF-IDF vectors held each centre as a dense row of every
    # term of the model (some 50,000): 500 clusters of 2,500 rows took minutes
    from sklearn.cluster import MiniBatchKMeans

    seen: list[tuple[int, ...]] = []
    fit_predict = MiniBatchKMeans.fit_predict

    def spy(self: MiniBatchKMeans, X: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(X.shape)
        return fit_predict(self, X, *args, **kwargs)

    monkeypatch.setattr(MiniBatchKMeans, "fit_predict", spy)
    chosen = select_for_labeling(None, POOL, n=3, strategy=strategy, pool_factor=2)
    # a cluster k-means leaves empty is made up by a row that names none
    named = chosen.loc[chosen["cluster"] != -1, "cluster"]
    assert len(chosen) == 3 and named.is_unique and named.isin(range(3)).all()
    [(rows, dims)] = seen
    assert rows == (10 if strategy == "diversity" else 6)
    assert dims <= 100


@pytest.mark.parametrize("strategy", ["diversity", "mixed"])
def test_clustering_runs_on_one_thread_whatever_the_callers(
    strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the reduction and k-means on as many BLAS and OpenMP threads as the
    # machine had summed in another order on another machine, enough to tip
    # a tie of k-means (2 of 300 rows chosen otherwise): they run on one, as
    # the heads are fitted, whatever threads the caller allows
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from threadpoolctl import threadpool_info, threadpool_limits

    threads: list[set[int]] = []

    def spied(method: Any) -> Any:
        def spy(self: Any, X: Any, *args: Any, **kwargs: Any) -> Any:
            threads.append({pool["num_threads"] for pool in threadpool_info()})
            return method(self, X, *args, **kwargs)

        return spy

    monkeypatch.setattr(MiniBatchKMeans, "fit_predict", spied(MiniBatchKMeans.fit_predict))
    monkeypatch.setattr(TruncatedSVD, "fit_transform", spied(TruncatedSVD.fit_transform))
    with threadpool_limits(limits=2):
        chosen = select_for_labeling(None, POOL, n=3, strategy=strategy, pool_factor=2)
        assert all(pool["num_threads"] == 2 for pool in threadpool_info())
    assert len(chosen) == 3
    assert threads == [{1}, {1}]


@pytest.mark.parametrize("strategy", ["uncertainty", "diversity", "mixed"])
def test_selection_predicts_a_chunk_at_a_time_and_chooses_as_at_once(
    strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a year of complaints predicted at once held every row's tokens,
    # features and clauses together: gigabytes for a million rows
    import triage.retrain

    whole = select_for_labeling(None, POOL, n=4, strategy=strategy, pool_factor=2)
    sizes: list[int] = []
    read = triage.retrain._pass

    def spy(model: TriageModel, texts: Any) -> Any:
        sizes.append(len(texts))
        return read(model, texts)

    monkeypatch.setattr(triage.retrain, "_pass", spy)
    monkeypatch.setattr(triage.retrain, "_CHUNK", 3)
    chunked = select_for_labeling(None, POOL, n=4, strategy=strategy, pool_factor=2)
    assert sizes == [3, 3, 3, 1]  # the 10 texts to choose from
    pd.testing.assert_frame_equal(chunked, whole)


@pytest.mark.parametrize("strategy", ["uncertainty", "diversity", "mixed"])
def test_selection_scores_the_clauses_of_each_text_once(
    strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the clause stage's scores of every text were computed by predict_many,
    # then again for its doubts, and again for the rows mixed clusters: some
    # half of the time the pool took
    from collections import Counter

    scored: Counter[str] = Counter()
    clause_scores = TriageModel._clause_scores

    def spy(self: TriageModel, norm: list[str], *args: Any, **kwargs: Any) -> Any:
        scored.update(norm)
        return clause_scores(self, norm, *args, **kwargs)

    monkeypatch.setattr(TriageModel, "_clause_scores", spy)
    chosen = select_for_labeling(None, POOL, n=4, strategy=strategy, pool_factor=2)
    # the 10 texts to choose from once, the 4 chosen once more for their suggestions
    assert sorted(scored.values()) == [1] * 6 + [2] * 4
    assert len(chosen) == 4


@pytest.mark.parametrize("strategy", ["uncertainty", "diversity", "mixed"])
def test_selection_reads_the_pool_in_worker_processes_and_chooses_the_same(
    strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a pool of a year's complaints was segmented and weighed in one process,
    # where score_frame takes n_jobs
    import triage.retrain

    monkeypatch.setattr(triage.retrain, "_CHUNK", 3)  # the 10 texts in 4 chunks
    alone = select_for_labeling(None, POOL, n=4, strategy=strategy, pool_factor=2)
    shared = select_for_labeling(None, POOL, n=4, strategy=strategy, pool_factor=2, n_jobs=2)
    pd.testing.assert_frame_equal(shared, alone)


def test_a_model_given_is_the_one_the_workers_read_with(
    model: TriageModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    import triage.retrain

    monkeypatch.setattr(triage.retrain, "_CHUNK", 3)
    alone = select_for_labeling(model, POOL, n=3, strategy="uncertainty")
    shared = select_for_labeling(model, POOL, n=3, strategy="uncertainty", n_jobs=2)
    pd.testing.assert_frame_equal(shared, alone)
    # not the default model's doubts
    default = select_for_labeling(None, POOL, n=3, strategy="uncertainty")
    assert shared["uncertainty"].tolist() != default["uncertainty"].tolist()


def test_diversity_measures_distances_to_the_centres_a_chunk_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the distance of every row to every centre, held at once, was 8 bytes a
    # row and centre: 400 MB for 500 centres of 100,000 rows
    from sklearn.cluster import MiniBatchKMeans

    import triage.retrain

    whole = select_for_labeling(None, POOL, n=4, strategy="diversity")
    rows: list[int] = []
    transform = MiniBatchKMeans.transform

    def spy(self: MiniBatchKMeans, X: Any) -> Any:
        rows.append(len(X))
        return transform(self, X)

    monkeypatch.setattr(MiniBatchKMeans, "transform", spy)
    monkeypatch.setattr(triage.retrain, "_CHUNK", 3)
    chunked = select_for_labeling(None, POOL, n=4, strategy="diversity")
    assert rows == [3, 3, 3, 1]  # the 10 texts clustered
    pd.testing.assert_frame_equal(chunked, whole)


def test_pure_uncertainty_takes_the_most_uncertain_rows() -> None:
    every = select_for_labeling(None, POOL, n=100, strategy="uncertainty")
    top = select_for_labeling(None, POOL, n=3, strategy="uncertainty")
    assert top["text"].tolist() == every["text"].head(3).tolist()
    assert len(every) == 10  # 11 minus a repeat


def test_uncertainty_is_measured_where_the_clause_stage_decides() -> None:
    # the shipped model decides its categories with the clause stage: a row is
    # uncertain when that stage's probability is near that stage's threshold
    from triage._default import get_default_model
    from triage.retrain import _probabilities

    model = get_default_model()
    assert model.clause_coef_ is not None and model.clause_thresholds_ is not None
    chosen = select_for_labeling(None, POOL, n=100, strategy="uncertainty")
    chosen = chosen[chosen["text"] != "hello world"]  # no features: scored 0
    proba = _probabilities(model, chosen["text"].tolist())
    staged = model.clause_thresholds_
    p = np.concatenate([proba["categories"], proba["presence"]], axis=1)
    t = np.concatenate(
        [
            np.where(np.isnan(staged), model.thresholds_["categories"], staged),
            model.thresholds_["presence"],
        ]
    )
    close = np.clip(1 - np.abs(p - t) / np.maximum(t, 1 - t), 0, 1).mean(axis=1)
    np.testing.assert_allclose(chosen["uncertainty"], close, atol=1e-3)


def test_a_text_the_model_cannot_read_names_no_head_in_doubt() -> None:
    # its uncertainty is 0, not a head's: it named emotion:anxious, a reason
    # to label it that no probability gave
    pool = ["😡😡😡", "ok", "!!!", "快递三天没到，客服也不回", "外卖洒了一半，汤全漏了"]
    chosen = select_for_labeling(None, pool, n=10, strategy="uncertainty")
    unread = chosen["text"].isin(pool[:3])
    assert unread.sum() == 3 and unread.tolist() == [False, False, True, True, True]
    assert (chosen.loc[unread, "uncertainty"] == 0).all()
    assert (chosen.loc[unread, "most_uncertain"] == "").all()
    assert chosen.loc[~unread, "most_uncertain"].str.match(r"(category|emotion):").all()


def test_selection_needs_a_trained_model() -> None:
    # the lexicon baseline has no thresholds to be uncertain about
    with pytest.raises(triage.ParameterError, match=r"model must be a TriageModel.*LexiconModel"):
        select_for_labeling(triage.LexiconModel(), POOL, n=2, strategy="uncertainty")
    # nor has a model not fitted yet, and that is what it is told
    with pytest.raises(triage.NotFittedError, match=r"^this TriageModel is not fitted yet"):
        select_for_labeling(TriageModel(), POOL, n=2, strategy="uncertainty")
    # nor the lexicon set as the default model
    triage.set_default_model(triage.LexiconModel())
    try:
        with pytest.raises(triage.ParameterError, match=r"default model is a LexiconModel"):
            select_for_labeling(None, POOL, n=2, strategy="uncertainty")
    finally:
        triage.set_default_model(None)


def test_selection_compares_texts_as_the_model_reads_them() -> None:
    # copies that differ in punctuation width, whitespace or traditional
    # characters are one text to the model: a labeled one is not offered
    # again, and two of them in the pool are offered once
    pool = [
        "外卖送了快两个小时,饭都凉透了",
        "耳機用了三天右邊就沒聲音了",
        "耳机用了三天右边就没声音了",
        "房间  隔音太差，一晚上没睡好",
        "<p>房间 隔音太差,一晚上没睡好</p>",
    ]
    chosen = select_for_labeling(
        None, pool, n=10, strategy="uncertainty", exclude=["外卖送了快两个小时，饭都凉透了"]
    )
    assert sorted(chosen["text"]) == sorted([pool[1], pool[3]])  # the first of each


@pytest.mark.parametrize(
    ("pool", "exclude", "offered"),
    [
        # a complaint pasted again with other punctuation or emoji is offered once
        (["快递没到，客服也不回", "快递没到，客服也不回！！", "快递没到😡😡"], [], [0, 2]),
        (["快递三天没到😡", "快递三天没到！", "快递 三天 没到"], [], [0]),
        # a template filled with another order number, amount or date
        (
            ["订单12345678还没发货", "订单87654321还没发货！", "订单87654321还没发货，急"],
            [],
            [0, 2],
        ),
        (["多扣了58元，请退回", "多扣了 120 元,请退回!"], [], [0]),
        (["3月5日下单至今未到", "3月15日下单至今未到。", "三月下单至今未到"], [], [0, 2]),
        # letters compare without case
        (["WiFi连不上", "wifi连不上!", "Wi-Fi 连不上"], [], [0]),
        # a text labeled already, so written, is not offered
        (["订单123没发货！！", "订单456没到货"], ["订单789没发货"], [1]),
        # digits alone are the text itself: other numbers are other texts
        (["12315", "12345", "12315!"], [], [0, 1]),
    ],
)
def test_selection_offers_a_complaint_once_whatever_its_punctuation_and_digits(
    pool: list[str], exclude: list[str], offered: list[int]
) -> None:
    chosen = select_for_labeling(None, pool, n=10, strategy="uncertainty", exclude=exclude)
    assert sorted(chosen["id"]) == sorted(f"unlabeled-{i}" for i in offered)


def test_a_complaint_pasted_50_times_with_other_numbers_takes_one_row() -> None:
    pasted = [f"订单{100000 + 7 * i}物流三天没更新了！{'！' * (i % 3)}" for i in range(50)]
    pool = [*pasted, *POOL]
    for strategy in STRATEGIES:
        chosen = select_for_labeling(None, pool, n=8, strategy=strategy, pool_factor=2)
        assert len(chosen) == 8
        assert chosen["text"].str.contains("物流三天没更新").sum() <= 1


def test_selection_keeps_ids_and_sources_of_a_frame() -> None:
    frame = pd.DataFrame(
        {"id": [f"shop-{i}" for i in range(4)], "source": "shop", "body": POOL[6:10]}
    )
    chosen = select_for_labeling(None, frame, n=2, text_column="body", random_state=1)
    assert set(chosen["id"]) <= set(frame["id"]) and (chosen["source"] == "shop").all()
    again = select_for_labeling(None, frame, n=2, text_column="body", random_state=1)
    pd.testing.assert_frame_equal(chosen, again)


COMPLAINTS = [
    "快递三天了还没到，客服也不回",
    "外卖洒了一半，汤全漏了",
    "房间隔音太差，一晚上没睡好",
    "充电器用了两天就坏了",
    "退款申请一周了还没处理",
    "骑手态度很差还骂人",
]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(
    "index",
    [
        pd.RangeIndex(6),
        pd.Index([10, 11, 12, 13, 14, 15]),
        pd.Index(["t-a", "t-b", "t-c", "t-d", "t-e", "t-f"], name="ticket"),
        pd.Index([5, 3, 1, 0, 2, 4]),  # sorted by another column
    ],
)
def test_chosen_rows_keep_the_pool_index_labels(strategy: str, index: pd.Index) -> None:
    # a filtered pool (pool[pool.month == "2026-10"]) gave rows indexed 0..n-1,
    # so pool.loc[chosen.index] found other rows than those chosen, or none
    pool = pd.DataFrame(
        {"month": ["2026-10", "2026-09"] * 3, "text": COMPLAINTS, "shop": list("abcdef")},
        index=index,
    )
    for rows in (pool, pool[pool["month"] == "2026-10"], pool.iloc[::-1]):
        chosen = select_for_labeling(None, rows, n=2, strategy=strategy, pool_factor=1)
        assert chosen.index.name == index.name
        assert rows.loc[chosen.index, "text"].tolist() == chosen["text"].tolist()
        # the ids stay the rows' positions in the frame given
        positions = [rows.index.get_loc(label) for label in chosen.index]
        assert chosen["id"].tolist() == [f"unlabeled-{i}" for i in positions]
        # a Series of texts keeps its labels as well
        texts = select_for_labeling(None, rows["text"], n=2, strategy=strategy, pool_factor=1)
        pd.testing.assert_frame_equal(texts, chosen)


def test_chosen_texts_of_a_list_are_indexed_by_their_positions() -> None:
    with pytest.warns(TriageWarning, match=r"left out 1 row of 7"):
        chosen = select_for_labeling(None, ["", *COMPLAINTS], n=3, strategy="uncertainty")
    assert len(chosen) == 3
    assert [["", *COMPLAINTS][i] for i in chosen.index] == chosen["text"].tolist()
    assert chosen["id"].tolist() == [f"unlabeled-{i}" for i in chosen.index]
    empty = pd.DataFrame({"text": []}, index=pd.Index([], name="ticket"))
    assert select_for_labeling(None, empty, n=3).index.name == "ticket"
    labeled = pd.DataFrame({"text": COMPLAINTS[:2]}, index=pd.Index(["x", "y"], name="ticket"))
    chosen = select_for_labeling(None, labeled, n=3, exclude=COMPLAINTS)
    assert chosen.empty and chosen.index.name == "ticket"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_selection_says_how_many_rows_it_left_out_for_their_text(strategy: str) -> None:
    # they were left out silently: a column of numbers chose nothing, with no word
    pool = [
        "快递三天了还没到，客服也不回",
        "",
        None,
        float("nan"),
        "  \u200b ",  # nothing once normalised
        "外卖洒了一半，汤全漏了",
        404,
        "房间隔音太差，一晚上没睡好",
        b"\xe5\xbf\xab",
    ]
    said = (
        "left out 6 rows of 9, with no text to label: text is missing or empty "
        "(rows 1, 2, 3, 4), text is not a string: int (row 6), text is not a string: "
        "bytes; decode the column first (row 8); rows counted from 0 in data as given"
    )
    with pytest.warns(TriageWarning, match=re.escape(said)):
        chosen = select_for_labeling(None, pool, n=2, strategy=strategy, pool_factor=1)
    usable = [t for t in pool if isinstance(t, str) and t.strip(" \u200b")]
    assert len(chosen) == 2 and set(chosen["text"]) <= set(usable)
    # the rows chosen are those of the usable texts alone, at their positions
    alone = select_for_labeling(None, usable, n=2, strategy=strategy, pool_factor=1)
    assert chosen["text"].tolist() == alone["text"].tolist()
    assert [pool[i] for i in chosen.index] == chosen["text"].tolist()


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            pd.DataFrame({"text": [3, 1, 4], "body": ["快递没到", "外卖洒了", "房间很吵"]}),
            "no row of data (column 'text') holds a text to choose: text is not a string: "
            "int (rows 0, 1, 2)",
        ),
        (
            ["", None, " "],
            "no row of data holds a text to choose: text is missing or empty (rows 0, 1, 2)",
        ),
        (
            [*range(7)],
            "text is not a string: int (rows 0, 1, 2, 3, 4, ...)",
        ),
    ],
)
def test_selection_refuses_a_pool_of_no_text(data: Any, said: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(said)):
        select_for_labeling(None, data, n=2)


def test_selection_writes_ids_read_as_numbers_as_they_were_written() -> None:
    # pd.read_csv reads an id column with a gap as floats: 1001 becomes 1001.0
    frame = pd.DataFrame(
        {
            "id": [1001.0, float("nan"), 1003.0, 1004.0],
            "source": ["shop", None, "shop", "shop"],
            "text": POOL[6:10],
        }
    )
    chosen = select_for_labeling(None, frame, n=4, random_state=1)
    assert sorted(chosen["id"]) == ["", "1001", "1003", "1004"]
    assert sorted(chosen["source"]) == ["", "shop", "shop", "shop"]


def test_selection_writes_missing_ids_of_nullable_columns_as_empty() -> None:
    # read with dtype="string" (or convert_dtypes()), an empty cell is pd.NA
    frame = pd.DataFrame(
        {"id": ["a-1", None, "a-3", "a-4"], "source": [None, "shop", "shop", "shop"]}
    ).astype("string")
    frame["text"] = POOL[6:10]
    chosen = select_for_labeling(None, frame, n=4, random_state=1)
    assert sorted(chosen["id"]) == ["", "a-1", "a-3", "a-4"]
    assert sorted(chosen["source"]) == ["", "shop", "shop", "shop"]


@pytest.mark.parametrize(
    ("columns", "text_column", "repeated"),
    [
        (["text", "text"], "text", "'text' appears 2 times"),
        (["id", "text", "id"], "text", "'id' appears 2 times"),
        (["source", "text", "source"], "text", "'source' appears 2 times"),
        (["内容", "id", "内容", "内容"], "内容", "'内容' appears 3 times"),
    ],
)
def test_selection_refuses_a_pool_that_repeats_a_column_it_reads(
    columns: list[str], text_column: str, repeated: str
) -> None:
    # each was a pandas AttributeError: 'DataFrame' object has no attribute 'tolist'
    pool = pd.DataFrame([["快递三天没到很着急"] * len(columns)], columns=columns)
    with pytest.raises(triage.ColumnError, match=re.escape(repeated)):
        select_for_labeling(None, pool, n=2, text_column=text_column)


TEXTS_OF_IDS = ["快递三天没到很着急", "客服态度太差了", "价格比别家贵一倍"]


@pytest.mark.parametrize(
    ("ids", "texts", "exclude", "repeated"),
    [
        (["7", "7", "8"], TEXTS_OF_IDS, None, "'7'"),
        (["7", " 7 ", "8"], TEXTS_OF_IDS, None, "'7'"),
        ([1.0, 1.0, 2.0], TEXTS_OF_IDS, None, "'1'"),
        # a copy of a text is offered once, and an excluded text not at all
        (
            ["7", "7", "8"],
            ["快递三天没到很着急", "快递三天没到很着急", "价格比别家贵一倍"],
            None,
            None,
        ),
        (["7", "7", "8"], TEXTS_OF_IDS, ["客服态度太差了"], None),
        ([None, "", "8"], TEXTS_OF_IDS, None, None),  # blank ids repeat nothing
    ],
)
def test_selection_refuses_a_pool_that_repeats_an_id(
    ids: list[Any], texts: list[str], exclude: list[str] | None, repeated: str | None
) -> None:
    # the labeled file would be refused by the label checks for its "duplicate id"
    pool = pd.DataFrame({"id": ids, "text": texts})
    if repeated is None:
        chosen = select_for_labeling(None, pool, n=3, exclude=exclude)
        named = chosen["id"].str.strip()
        assert named[named != ""].is_unique
    else:
        with pytest.raises(ParameterError, match=f"repeats the id {re.escape(repeated)}"):
            select_for_labeling(None, pool, n=3, exclude=exclude)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"strategy": "random"}, ValueError, "allowed: uncertainty, diversity, mixed"),
        ({"n": 0}, ValueError, "n must be"),
        ({"pool_factor": 0}, ValueError, "pool_factor"),
        ({"text_column": "内容"}, KeyError, "text_column"),
        ({"n_jobs": 0}, ValueError, "n_jobs must be"),
        ({"n_jobs": "2"}, ValueError, "n_jobs must be"),
    ],
)
def test_selection_rejects_bad_options(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        select_for_labeling(None, pd.DataFrame({"text": POOL[:3]}), **kwargs)


@pytest.mark.parametrize(
    ("texts", "exclude"),
    [
        ([], None),
        (COMPLAINTS[:2], COMPLAINTS),
        (["退款一周了还没处理", "退款一周了还没处理！"], ["退款一周了还没处理"]),
    ],
)
def test_nothing_to_choose_gives_an_empty_frame(
    texts: list[str], exclude: list[str] | None
) -> None:
    # a pool of no text at all is refused: test_selection_refuses_a_pool_of_no_text
    chosen = select_for_labeling(None, texts, n=3, exclude=exclude)
    assert chosen.empty and list(chosen.columns[:3]) == ["id", "source", "text"]


def test_export_writes_utf8_with_bom_and_reads_back(tmp_path: Path) -> None:
    chosen = select_for_labeling(None, POOL, n=4)
    path = export_for_labeling(chosen, tmp_path / "out" / "to_label.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,source,text,categories,primary,angry")
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["text"].tolist() == chosen["text"].tolist()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export_for_labeling(chosen, path)
    export_for_labeling(chosen, path, bom=False, overwrite=True)
    assert path.read_bytes().startswith(b"id,")
    with pytest.raises(KeyError, match=r"labeled-file column \['priority'\];"):
        export_for_labeling(chosen.drop(columns="priority"), tmp_path / "x.csv")
    with pytest.raises(KeyError, match=r"labeled-file columns \['text', 'priority'\];"):
        export_for_labeling(chosen.drop(columns=["text", "priority"]), tmp_path / "x.csv")


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("to_label.xlsx", False),  # Excel refuses to open CSV text named .xlsx
        ("to_label.XLS", False),
        ("to_label.ods", False),
        ("to_label.tsv", False),  # comma-separated, not tab-separated
        ("to_label.parquet", False),
        ("to_label.json", False),
        # read back decompressed by the name: a plain CSV under it is unreadable
        ("to_label.csv.gz", False),
        ("to_label.csv.xz", False),
        ("to_label.zip", False),
        ("to_label.csv", True),
        ("to_label.CSV", True),
        ("to_label.txt", True),
        ("to_label", True),
    ],
)
def test_export_refuses_a_file_name_of_another_format(
    tmp_path: Path, name: str, written: bool
) -> None:
    chosen = select_for_labeling(None, POOL, n=2)
    path = tmp_path / name
    if written:
        assert export_for_labeling(chosen, path) == path
        assert read_labeled(path)["text"].tolist() == chosen["text"].tolist()
    else:
        with pytest.raises(ParameterError, match=re.escape(f"{path.suffix}: it writes CSV")):
            export_for_labeling(chosen, path)
        assert not path.exists()


@pytest.mark.parametrize(
    ("renamed", "repeated"),
    [
        ({"cluster": "text"}, "'text' appears 2 times"),
        ({"uncertainty": "priority", "cluster": "priority"}, "'priority' appears 3 times"),
        ({"most_uncertain": "id"}, "'id' appears 2 times"),
    ],
)
def test_export_refuses_rows_that_repeat_a_column_of_the_file(
    tmp_path: Path, renamed: dict[str, str], repeated: str
) -> None:
    # the file was written, labeled, then refused by read_labeled for its header
    chosen = select_for_labeling(None, POOL, n=2)
    chosen.columns = [renamed.get(c, c) for c in chosen.columns]
    path = tmp_path / "to_label.csv"
    with pytest.raises(triage.ColumnError, match=re.escape(repeated)):
        export_for_labeling(chosen, path)
    assert not path.exists()


@pytest.mark.parametrize("overwrite", [False, True])
def test_export_refuses_a_directory_as_the_file(tmp_path: Path, overwrite: bool) -> None:
    # it said to pass overwrite=True, which then failed in os.replace (Is a directory)
    chosen = select_for_labeling(None, POOL, n=2)
    folder = tmp_path / "to_label"
    folder.mkdir()
    with pytest.raises(ParameterError, match=r"is a directory; give the CSV file to write"):
        export_for_labeling(chosen, folder, overwrite=overwrite)
    assert [p.name for p in tmp_path.iterdir()] == ["to_label"]
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("text", "快递\ud800三天没到"),  # half of a surrogate pair, which no UTF-8 holds
        ("source", "\udcff"),
        ("suggested_categories", "logistics\udc80"),
    ],
)
def test_export_that_cannot_encode_a_cell_names_it_and_leaves_no_file(
    tmp_path: Path, column: str, value: str
) -> None:
    chosen = select_for_labeling(None, POOL, n=3)
    chosen = chosen.astype(object)  # an arrow-backed str column holds no surrogate
    chosen.iloc[1, chosen.columns.get_loc(column)] = value
    with pytest.raises(ParameterError, match=rf"^row 1, column {column!r}: .* cannot be written"):
        export_for_labeling(chosen, tmp_path / "to_label.csv")
    assert list(tmp_path.iterdir()) == []  # no temporary file either


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("overwrite", "False"),  # a true str: the labels already in the file were replaced
        ("overwrite", "no"),
        ("overwrite", 0.0),
        ("overwrite", None),
        ("bom", "False"),
        ("bom", 1),
    ],
)
def test_export_refuses_a_flag_that_is_no_bool(tmp_path: Path, option: str, value: Any) -> None:
    chosen = select_for_labeling(None, POOL, n=2)
    path = tmp_path / "to_label.csv"
    path.write_text("id,text\nx1,已经标好的一行\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=rf"^{option} must be True or False, got {value!r}"):
        export_for_labeling(chosen, path, **{option: value})
    assert path.read_text(encoding="utf-8") == "id,text\nx1,已经标好的一行\n"


# Texts that Excel runs as formulas, and texts with apostrophes of their own.
FORMULA_TEXTS = {
    "=1+1": "'=1+1",
    "-5元也要退": "'-5元也要退",
    "+86 138 0013 8000 一直打不通": "'+86 138 0013 8000 一直打不通",
    "@客服 为什么还不退款": "'@客服 为什么还不退款",
    '=HYPERLINK("http://x.example","点这里")': '\'=HYPERLINK("http://x.example","点这里")',
    "\t=cmd": "'\t=cmd",
    "\r=cmd": "'\r=cmd",
    "'好评'都是刷的": "'好评'都是刷的",  # an apostrophe before no formula: as it is
    "'=) 还行吧": "''=) 还行吧",  # one more, so that it reads back as it was
    "快递太慢了": "快递太慢了",
}


def test_export_guards_the_cells_excel_would_run_and_reads_them_back(tmp_path: Path) -> None:
    texts = list(FORMULA_TEXTS)
    chosen = pd.DataFrame({c: [""] * len(texts) for c in LABELING_COLUMNS})
    chosen = chosen.assign(id=[f"@{i}" for i in range(len(texts))], text=texts, uncertainty=-0.5)
    path = export_for_labeling(chosen, tmp_path / "to_label.csv")
    written = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert written["text"].tolist() == list(FORMULA_TEXTS.values())
    assert written["id"].tolist() == [f"'@{i}" for i in range(len(texts))]
    assert written["uncertainty"].eq("-0.5").all()  # a number is no formula
    back = read_labeled(path)
    assert back["text"].tolist() == texts
    assert back["id"].tolist() == chosen["id"].tolist()
    assert back["uncertainty"].eq("-0.5").all()


@pytest.mark.parametrize("dtype", ["category", "string"])
def test_export_guards_the_cells_of_a_column_of_any_text_dtype(tmp_path: Path, dtype: str) -> None:
    # a source column of few values, or a text read from Parquet, is often categorical
    texts = list(FORMULA_TEXTS)
    chosen = pd.DataFrame({c: [""] * len(texts) for c in LABELING_COLUMNS})
    chosen = chosen.assign(id=[f"t{i}" for i in range(len(texts))], text=texts)
    chosen = chosen.astype({"text": dtype})
    path = export_for_labeling(chosen, tmp_path / "to_label.csv")
    written = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert written["text"].tolist() == list(FORMULA_TEXTS.values())
    assert read_labeled(path)["text"].tolist() == texts


# -- cross-validation ------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:the training labels give")  # a small frame, 3 folds
def test_cross_validation_trains_no_fold_on_extra_rows_of_its_test_texts(
    demo: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an empty frame is no extra data, as for fit
    cross_validate(demo, folds=3, extra=pd.DataFrame(), min_df=1, threshold_folds=0)
    # the labeled texts again as extra rows (a weak set not cleared of them),
    # written a little differently, plus one text of their own
    extra = pd.DataFrame(
        {
            "text": [*(f" {t} " for t in demo["text"]), "快递员把包裹扔在门口就走了"],
            "categories": [*demo["categories"], "logistics"],
        }
    )
    trained, tested = _spy_folds(monkeypatch, lambda rows, kwargs: kwargs["extra"])
    cross_validate(demo, folds=3, extra=extra, min_df=1, threshold_folds=0)
    assert len(trained) == len(tested) == 3
    for fold_extra, fold_test in zip(trained, tested, strict=True):
        assert not _same_text(fold_extra, fold_test)
        # and every other extra row still trains the fold
        assert len(fold_extra) == len(extra) - len(fold_test)


def test_cross_validation_reports_every_fold_and_label(train_frame: pd.DataFrame) -> None:
    cv = cross_validate(train_frame.iloc[:240], folds=2, max_features=5_000)
    assert cv.folds == 2 and list(cv.summary.index) == [0, 1, "mean"]
    assert cv.summary.loc["mean", "category_macro_f1"] == pytest.approx(
        cv.summary.loc[[0, 1], "category_macro_f1"].mean()
    )
    # the mean is of the figures as computed, not of figures rounded first
    for k, ev in enumerate(cv.evaluations):
        assert cv.summary.loc[k].to_dict() == pytest.approx(ev.summary(None), abs=0, rel=1e-12)
    assert set(cv.per_fold["fold"]) == {0, 1}
    assert ("category", "macro") in cv.per_label.index and ("priority", "P1") in cv.per_label.index
    assert cv.per_label["f1"].between(0, 1).all()
    # every row is tested exactly once
    assert sum(ev.n_rows for ev in cv.evaluations) == 240
    assert json.dumps(cv.to_dict())


@pytest.mark.filterwarnings("ignore:the training labels give")  # 12 rows a fold
def test_cross_validation_reads_priorities_with_the_policy_given(demo: pd.DataFrame) -> None:
    # a team whose policy drops the P1 triggers measured the default's P1s
    p1_codes = [t.code for t in default_policy().triggers if t.code.startswith("P1")]
    no_p1 = load_policy({"format": 1, "extends": "default", "disable": p1_codes})
    kwargs: dict[str, Any] = {"folds": 2, "threshold_folds": 0, "min_df": 1}
    plain = cross_validate(demo, **kwargs)
    own = cross_validate(demo, policy=no_p1, **kwargs)
    assert plain.summary.loc["mean", "p1_recall"] > 0 == own.summary.loc["mean", "p1_recall"]
    # the policy reads the priorities alone: the same models, the same labels
    for col in ("category_macro_f1", "primary_accuracy", "emotion_macro_f1"):
        assert own.summary[col].equals(plain.summary[col])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"folds": 1}, "folds must be"), ({"folds": 99}, "more than"), ({"Cc": 1.0}, "'Cc'")],
)
def test_cross_validation_rejects_bad_options_before_training(
    demo: pd.DataFrame, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cross_validate(demo, **kwargs)


def test_a_fold_without_a_label_is_named_in_the_warning(tiny_frame: pd.DataFrame) -> None:
    # humorous has one row in the frame: the fold that does not train on it
    # warns "0 of 8 rows positive", which reads as false of the frame unless
    # the fold is named
    from tests.conftest import TINY_PARAMS

    with pytest.warns(UserWarning, match="the training labels give") as caught:
        cross_validate(tiny_frame, folds=2, **TINY_PARAMS)
    messages = [str(w.message) for w in caught]
    assert any("presence:humorous (0 of 8 rows positive)" in m for m in messages)
    assert all(
        re.search(
            r"^the training labels give these heads a single class, "
            r".*\(cross-validation fold [12] of 2, trained on 8 of the 16 rows\)$",
            m,
        )
        for m in messages
    )
    assert all(w.filename == __file__ for w in caught)  # the line that called cross_validate


def test_a_fold_without_the_least_urgent_priority_is_named_in_the_warning(
    tiny_frame: pd.DataFrame,
) -> None:
    # the frame's one P4 row is in one fold: the other's warning of no P4
    # row reads as false of the frame unless the fold is named
    from tests.conftest import TINY_PARAMS
    from triage._learn import FLOOR, ONE_CLASS

    frame = tiny_frame.assign(priority=["P4"] + ["P3", "P2"] * 7 + ["P3"])
    # humorous, of one row, is named too
    with pytest.warns(UserWarning, match=f"^({re.escape(FLOOR)}|{ONE_CLASS})") as caught:
        cross_validate(frame, folds=2, **TINY_PARAMS)
    (message,) = [str(w.message) for w in caught if str(w.message).startswith(FLOOR)]
    assert re.search(
        r"^no training row has the least urgent priority \(P4\): .*"
        r"\(cross-validation fold [12] of 2, trained on 8 of the 16 rows\)$",
        message,
    )


def test_a_fold_of_too_few_rows_of_a_label_is_named_in_the_warning() -> None:
    # five rows of each category and emotion: a fold trains on two or three,
    # too few to tune a threshold on, which reads as false of the frame
    # unless the fold is named
    from tests.test_training import _five_each
    from triage._learn import FEW

    with pytest.warns(UserWarning, match=re.escape(FEW)) as caught:
        cross_validate(_five_each(), folds=2, threshold_folds=2)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2 and all(
        re.search(
            r"category:product \([23] of 15 rows positive: .*"
            r"\(cross-validation fold [12] of 2, trained on 15 of the 30 rows\)$",
            m,
        )
        for m in messages
    )
    assert all(w.filename == __file__ for w in caught)


@pytest.mark.parametrize(
    ("folds", "min_df", "message"),
    [
        # the frame's 16 texts may hold a term 9 times, a fold's 8 cannot:
        # "of the 8 training texts" reads as false of the frame unless the fold is named
        (2, 9, r"of the 8 training texts; use min_df <= 6 .*\(cross-validation fold 1 of 2, "),
        (4, 13, r"of the 12 training texts; use min_df <= 10 .*\(cross-validation fold 1 of 4, "),
    ],
)
@pytest.mark.filterwarnings("ignore:the training labels give")
def test_a_fold_that_cannot_train_is_named_in_the_error(
    tiny_frame: pd.DataFrame, folds: int, min_df: int, message: str
) -> None:
    from tests.conftest import TINY_PARAMS

    params = TINY_PARAMS | {"min_df": min_df}
    with pytest.raises(ParameterError, match=rf"^min_df={min_df} keeps no term: .*{message}"):
        cross_validate(tiny_frame, folds=folds, **params)


@pytest.mark.filterwarnings("ignore:the training labels give")  # 8 rows per fold
def test_cross_validation_to_dict_is_strict_json(tiny_frame: pd.DataFrame) -> None:
    from tests.conftest import TINY_PARAMS

    cv = cross_validate(tiny_frame, folds=2, **TINY_PARAMS)
    assert cv.per_label.isna().any().any()  # some figure no fold could define
    data = json.loads(json.dumps(cv.to_dict(), allow_nan=False))  # NaN as None
    undefined = [k for k, row in data["per_label"].items() if None in row.values()]
    assert len(undefined) == int(cv.per_label.isna().any(axis=1).sum())


def test_tuning_keeps_the_threshold_of_a_constant_head_and_says_so(
    tiny_frame: pd.DataFrame,
) -> None:
    # a label no training row had got one probability for every row, so each
    # threshold gave all rows or none, yet threshold_source_ listed it as tuned
    from tests.conftest import TINY_PARAMS
    from triage import TriageWarning
    from triage._learn import ONE_CLASS

    lacking = tiny_frame[~tiny_frame["categories"].str.contains("environment")]
    with pytest.warns(TriageWarning, match=rf"^{ONE_CLASS}.*category:environment \(0 of 14"):
        model = TriageModel(**TINY_PARAMS).fit(lacking)
    with pytest.warns(TriageWarning, match="no threshold tells their rows apart") as caught:
        tuned = tune_thresholds(model, tiny_frame, min_positives=1, heads=("categories",))
    said = str(caught[0].message)
    assert re.search(r"categories:environment \([0-9.e-]+, 2 of 16 positive\)", said)
    source = tuned.threshold_source_
    assert "categories:environment" in source["kept"]
    assert "categories:environment" not in source["tuned"]
    assert tuned.thresholds_["categories"][-1] == model.thresholds_["categories"][-1]
    # the labels whose rows the probabilities tell apart are tuned
    assert {"categories:product", "categories:logistics"} <= set(source["tuned"])


@pytest.mark.parametrize(
    "heads",
    [
        lambda: ["presence", "strong"],
        lambda: ("presence", "strong"),
        lambda: {"presence", "strong"},
        lambda: iter(["presence", "strong"]),
        lambda: (h for h in ("presence", "strong")),
        lambda: pd.Series(["presence", "strong"]),
    ],
)
def test_tuning_takes_the_heads_of_any_iterable(
    tiny_frame: pd.DataFrame, heads: Callable[[], Any]
) -> None:
    # a generator was used up by the check of the names, and no head was tuned
    model = TriageModel(threshold_folds=0, min_df=1).fit(tiny_frame)
    tuned = tune_thresholds(model, tiny_frame, min_positives=1, heads=heads())
    labels = tuned.threshold_source_["tuned"] + tuned.threshold_source_["kept"]
    assert {label.split(":")[0] for label in labels} == {"presence", "strong"}
    assert len(tuned.threshold_source_["tuned"]) > 0


def test_tuning_on_a_frame_read_with_plain_pandas(tiny_frame: pd.DataFrame, tmp_path: Path) -> None:
    from tests.conftest import TINY_PARAMS

    path = tmp_path / "dev.csv"
    tiny_frame.to_csv(path, index=False, encoding="utf-8")
    model = TriageModel(**TINY_PARAMS).fit(tiny_frame)
    raw = tune_thresholds(model, pd.read_csv(path), min_positives=1)
    clean = tune_thresholds(model, read_labeled(path), min_positives=1)
    assert raw.threshold_source_ == clean.threshold_source_


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f, m: split_labeled(f, test_size=1.5), "test_size must be strictly between"),
        (lambda f, m: cross_validate(f, folds=1), "folds must be an int of at least 2"),
        (lambda f, m: cross_validate(f, folds=99), "folds=99 is more than the 16"),
        (lambda f, m: cross_validate(f, Cc=1.0), "invalid parameter 'Cc' for TriageModel"),
        (lambda f, m: triage.train(f, Cc=1.0), "invalid parameter 'Cc' for TriageModel"),
        (lambda f, m: m.set_params(Cc=1.0), "invalid parameter 'Cc' for TriageModel"),
        (lambda f, m: tune_thresholds(m, f, beta=0), "beta must be a positive number"),
        (lambda f, m: tune_thresholds(m, f, min_positives=0), "min_positives must be"),
        (lambda f, m: tune_thresholds(m, f, heads=["primary"]), r"^unknown head \['primary'\];"),
        (
            lambda f, m: tune_thresholds(m, f, heads=["primary", "level"]),
            r"^unknown heads \['primary', 'level'\]; allowed: ",
        ),
        (
            lambda f, m: tune_thresholds(m, f, heads="presence"),
            r"^heads must be a sequence of head names, not one str: heads=\['presence'\]; allowed",
        ),
        (lambda f, m: tune_thresholds(triage.LexiconModel(), f), "needs a TriageModel"),
        (
            lambda f, m: tune_thresholds(m, f, heads=None),
            r"^heads must be a sequence of head names, got None; allowed",
        ),
        (
            lambda f, m: tune_thresholds(m, f, heads=3),
            r"^heads must be a sequence of head names, got 3; allowed",
        ),
        (lambda f, m: compare_models(m, m, f, n_boot=-1), "n_boot must be"),
        (lambda f, m: compare_models(m, m, f, names=("mine",)), r"^names must be two display"),
        (lambda f, m: compare_models(m, m, f, names="ab"), r"^names must be two display names"),
        (lambda f, m: select_for_labeling(m, ["快递太慢"], strategy="random"), "unknown strategy"),
        (lambda f, m: select_for_labeling(m, ["快递太慢"], n=0), "n must be a positive int"),
        (lambda f, m: select_for_labeling(m, "快递太慢"), "not one str"),
        # each failed in pandas or os: no attribute 'columns', expected str ... not DataFrame
        (
            lambda f, m: export_for_labeling([{"text": "快递太慢"}], "to_label.csv"),
            r"^the rows to label must be a pandas DataFrame, got list; make one",
        ),
        (
            lambda f, m: export_for_labeling("to_label.csv", f),
            r"^the rows to label must be a pandas DataFrame, got str 'to_label.csv'",
        ),
        # a dict gave its keys as the texts to label, "text" among them
        (
            lambda f, m: select_for_labeling(m, {"text": ["快递太慢"]}),
            r"^data is a dict, whose keys are no texts; pass pd.DataFrame\(data\)",
        ),
        (
            lambda f, m: select_for_labeling(m, "快递太慢".encode()),
            r"^data must be a DataFrame or a sequence of texts, got bytes",
        ),
        (
            lambda f, m: select_for_labeling(m, None),
            r"^data must be a DataFrame or a sequence of texts, got NoneType",
        ),
        (
            lambda f, m: select_for_labeling(m, Path("pool.csv")),
            r"^data is a path, not texts: read the file first, e.g. pd.read_csv\('pool.csv'",
        ),
        (
            lambda f, m: select_for_labeling(m, ["快递太慢"], exclude=f),
            r"^exclude is a DataFrame \(it iterates over its column names\); pass the texts",
        ),
        (
            lambda f, m: select_for_labeling(m, ["快递太慢"], exclude=[f, f]),
            r"^exclude holds a DataFrame, not texts",
        ),
        (
            lambda f, m: select_for_labeling(m, ["快递太慢"], exclude="快递太慢"),
            r"^exclude must be a collection of texts, not one str",
        ),
        (lambda f, m: tune_thresholds(m, f, min_positives=True), "min_positives must be"),
        (lambda f, m: tune_thresholds(m, f, beta=True), "beta must be a positive number"),
        (lambda f, m: select_for_labeling(m, ["快递太慢"], pool_factor=True), "pool_factor must"),
        (lambda f, m: split_labeled(f, random_state=-1), "random_state must be None or an int"),
        (lambda f, m: split_labeled(f, random_state="7"), "random_state must be None or an int"),
        (lambda f, m: compare_models(m, m, f, random_state="7"), "random_state must be None or"),
        (lambda f, m: compare_models(m, m, f, random_state=-1), "random_state must be None or"),
        (
            lambda f, m: select_for_labeling(m, ["快递太慢", "客服不理人"], n=1, random_state="7"),
            "random_state must be None or an int",
        ),
    ],
)
def test_an_argument_that_cannot_work_is_a_parameter_error(
    tiny_frame: pd.DataFrame, call: Any, message: str
) -> None:
    # one error class to catch for every bad argument, as for the model's own
    model = triage.TriageModel(threshold_folds=0, min_df=1).fit(tiny_frame)
    with pytest.raises(triage.ParameterError, match=message):
        call(tiny_frame, model)


@pytest.mark.filterwarnings("ignore:the training labels give")  # 8 rows per fold
@pytest.mark.parametrize(
    "call",
    [
        lambda f, m: cross_validate(f, folds=np.int64(2), threshold_folds=0, min_df=1),
        lambda f, m: tune_thresholds(m, f, min_positives=np.int64(2), beta=np.float32(2)),
        lambda f, m: split_labeled(f, test_size=np.float32(0.25)),
        lambda f, m: compare_models(m, m, f, n_boot=np.int64(20), random_state=np.uint32(7)),
        lambda f, m: select_for_labeling(m, f["text"], n=np.int64(3), pool_factor=np.int8(2)),
    ],
    ids=["folds", "min_positives-and-beta", "test_size", "n_boot-and-seed", "n-and-pool_factor"],
)
def test_numpy_numbers_are_numbers_as_for_the_model(tiny_frame: pd.DataFrame, call: Any) -> None:
    # a count or a share from a grid or an array, as TriageModel takes min_df=np.int64(2)
    model = triage.TriageModel(threshold_folds=0, min_df=1).fit(tiny_frame)
    call(tiny_frame, model)

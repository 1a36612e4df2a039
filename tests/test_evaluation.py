"""Evaluation figures: a figure the rows cannot define is NaN, never a misleading 0."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.conftest import labeled_frame
from triage import Evaluation, LexiconModel, ParameterError, analyze, evaluate, score_frame
from triage.cli import render_evaluation
from triage.model import Predictions
from triage.retrain import compare_models, cross_validate

# calm texts only: no complaint row, no P1 row
CALM = [
    ("今天天气真好，出去玩了一天", "", "", "0 0 0 0 0", "P4"),
    ("菜很好吃，下次还来", "", "", "0 0 0 0 0", "P4"),
    ("请问周末营业吗", "", "", "0 0 1 0 0", "P4"),
]


def test_figures_without_rows_to_define_them_are_nan() -> None:
    ev = evaluate(LexiconModel(), labeled_frame(CALM))
    assert ev.primary_support == 0 and math.isnan(ev.primary_accuracy)
    assert math.isnan(ev.priority.loc["P1", "recall"])
    assert math.isnan(ev.categories.loc["product", "recall"])
    assert ev.priority.loc["P4", "recall"] >= 0  # defined where rows exist
    data = ev.to_dict()
    json.dumps(data, allow_nan=False)  # None, not NaN: strict JSON
    assert data["primary"]["accuracy"] is None and data["summary"]["p1_recall"] is None


def test_undefined_figures_are_shown_as_n_a() -> None:
    text = render_evaluation(evaluate(LexiconModel(), labeled_frame(CALM)))
    assert "primary accuracy n/a (n=0)" in text
    assert "P1 recall n/a" in text


class _Never:
    """Predicts the labels of `frame` but never the categories and emotions named:
    a model whose heads for them the training labels gave no positive row."""

    def __init__(self, frame: pd.DataFrame, *, categories: int = 0, emotions: int = 0) -> None:
        from tests.test_retrain import FakeModel

        self.inner = FakeModel(frame)
        self.categories, self.emotions = categories, emotions

    def predict_many(self, texts: list[str]) -> Predictions:
        import dataclasses

        preds = self.inner.predict_many(texts)
        cats, intensity = preds.category_labels.copy(), preds.intensity.copy()
        cats[:, len(cats[0]) - self.categories :] = False
        intensity[:, len(intensity[0]) - self.emotions :] = 0
        return dataclasses.replace(preds, category_labels=cats, intensity=intensity)


@pytest.mark.parametrize(
    ("categories", "emotions", "notes"),
    [
        # every label predicted and labeled: no n/a, no note
        (0, 0, []),
        (
            1,
            0,
            [
                "precision n/a: never predicted on these rows (category environment), "
                "left out of the macro precision"
            ],
        ),
        (
            2,
            1,
            [
                "precision n/a: never predicted on these rows (category process, environment; "
                "emotion aggrieved), left out of the macro precision"
            ],
        ),
    ],
)
def test_the_report_says_what_each_n_a_stands_for(
    categories: int, emotions: int, notes: list[str]
) -> None:
    # a label a retrained model never predicts (no training row had it) showed
    # n/a beside a macro precision of the others, the report saying neither why
    # nor that the macro left it out
    from tests.test_retrain import DEMO
    from triage.labeled import read_labeled

    demo = read_labeled(DEMO)
    ev = evaluate(_Never(demo, categories=categories, emotions=emotions), demo)  # type: ignore[arg-type]
    text = render_evaluation(ev)
    lines = text.splitlines()
    assert lines[len(lines) - len(notes) :] == notes  # after the headline figures
    assert ("n/a" in text) == bool(notes)
    # the macro precision is the mean of the labels predicted
    shown = ev.categories["precision"].drop("macro").dropna()
    assert ev.categories.loc["macro", "precision"] == pytest.approx(shown.mean())


def test_the_report_names_the_labels_no_row_has() -> None:
    text = render_evaluation(evaluate(LexiconModel(), labeled_frame(CALM)))
    assert text.splitlines()[-2] == (
        "recall n/a: no row labeled so (category product, service, logistics, pricing, "
        "process, environment; emotion angry, anxious, humorous, aggrieved; "
        "priority P1, P2, P3), left out of the macro recall"
    )


def test_the_report_says_the_macro_f1_leaves_out_a_label_neither_labeled_nor_predicted() -> None:
    # dev rows without an environment complaint, read by a model that never
    # predicts one: its F1 is n/a, as scikit-learn's with zero_division=np.nan,
    # and the macro F1 that of the other five, which the report did not say
    # (scikit-learn's default scores it 0 and its macro is five sixths)
    import numpy as np
    from sklearn.exceptions import UndefinedMetricWarning
    from sklearn.metrics import f1_score

    from tests.test_retrain import DEMO
    from triage.labeled import parse_labels, read_labeled

    demo = read_labeled(DEMO)
    rows = demo[~demo["categories"].str.contains("environment")].reset_index(drop=True)
    ev = evaluate(_Never(rows, categories=1), rows)  # type: ignore[arg-type]
    assert ev.categories.loc["environment", ["precision", "recall", "f1"]].isna().all()
    assert render_evaluation(ev).splitlines()[-3:] == [
        "precision n/a: never predicted on these rows (category environment), "
        "left out of the macro precision",
        "recall n/a: no row labeled so (category environment), left out of the macro recall",
        "F1 n/a: neither labeled nor predicted (category environment), left out of the macro F1",
    ]
    truth = parse_labels(rows).categories.astype(bool)
    pred = _Never(rows, categories=1).predict_many(rows["text"].tolist()).category_labels
    assert ev.category_macro_f1 == pytest.approx(
        f1_score(truth, pred, average="macro", zero_division=np.nan)
    )
    assert ev.category_macro_f1 == pytest.approx(ev.categories["f1"].iloc[:5].mean())
    with pytest.warns(UndefinedMetricWarning):
        default = f1_score(truth, pred, average="macro")
    assert default == pytest.approx(ev.category_macro_f1 * 5 / 6)
    assert ev.to_dict()["categories"]["environment"]["f1"] is None  # null in a card


def test_f1_is_zero_when_only_one_side_is_empty() -> None:
    # a label predicted but never labeled (or the reverse) has F1 0, not NaN
    frame = labeled_frame([("快递一周还没到，物流太慢", "", "", "0 0 0 0 0", "P4")])
    ev = evaluate(LexiconModel(), frame)
    row = ev.categories.loc["logistics"]
    assert row["f1"] == 0 and math.isnan(row["recall"])
    assert (row["support"], row["predicted"]) == (0, 1)
    assert ev.to_dict()["categories"]["logistics"]["predicted"] == 1


def test_none_is_the_default_model_as_in_analyze() -> None:
    from tests.conftest import TINY_ROWS
    from triage._default import get_default_model

    frame = labeled_frame(TINY_ROWS)
    got = evaluate(None, frame).to_dict()
    assert got == evaluate(get_default_model(), frame).to_dict()


def test_results_holding_frames_or_arrays_compare_by_identity() -> None:
    # `==` on a dataclass of frames raised "truth value of a DataFrame is
    # ambiguous"; equal figures are compared through to_dict
    from triage.retrain import Comparison, CrossValidation

    frame = labeled_frame(CALM)
    first, again = evaluate(LexiconModel(), frame), evaluate(LexiconModel(), frame)
    assert first == first and first != again and len({first, again}) == 2
    assert first.to_dict() == again.to_dict()
    texts = frame["text"].tolist()
    a, b = LexiconModel().predict_many(texts), LexiconModel().predict_many(texts)
    assert a == a and a != b and len({a, b}) == 2
    for cls in (CrossValidation, Comparison):
        assert cls.__eq__ is object.__eq__ and cls.__hash__ is object.__hash__


@pytest.mark.parametrize("rows", [0, 2, 4])
def test_predictions_not_one_per_row_are_refused_naming_the_fix(rows: int) -> None:
    frame = labeled_frame(CALM)
    texts = (frame["text"].tolist() * 2)[:rows]
    with pytest.raises(
        ParameterError,
        match=rf"^predictions holds {rows} rows for the 3 of frame; pass those of "
        r'frame\["text"\], such as model.predict_many',
    ):
        evaluate(None, frame, predictions=LexiconModel().predict_many(texts))


@pytest.mark.parametrize(
    ("predictions", "given"),
    [
        # score_frame's rows: the same predictions, as a table
        (lambda frame: score_frame(frame, model=LexiconModel()), "DataFrame"),
        # the texts themselves
        (lambda frame: frame["text"].tolist(), "list"),
        (lambda frame: frame["text"], "Series"),
    ],
)
def test_predictions_that_are_no_predictions_are_refused_naming_the_fix(
    predictions: Callable[[pd.DataFrame], object], given: str
) -> None:
    frame = labeled_frame(CALM)
    with pytest.raises(
        ParameterError,
        match=rf"^predictions must be the Predictions of a model's predict_many, got {given}; "
        r'pass model.predict_many\(frame\["text"\].tolist\(\)\)',
    ):
        evaluate(LexiconModel(), frame, predictions=predictions(frame))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("texts", "row"),
    [
        # the other half of a split: as many rows, other texts
        (["快递三天还没到", "客服不回消息", "房间很脏"], 0),
        # the same texts in another order
        ([CALM[0][0], CALM[2][0], CALM[1][0]], 1),
    ],
)
def test_predictions_of_other_texts_are_refused_naming_the_row(texts: list[str], row: int) -> None:
    frame = labeled_frame(CALM)
    with pytest.raises(
        ParameterError,
        match=rf"^predictions are not those of frame: row {row} holds the prediction of ",
    ):
        evaluate(None, frame, predictions=LexiconModel().predict_many(texts))
    # the same texts written otherwise (full-width marks, spaces) are the same
    same = [f" {t.replace(',', '，')} " for t in frame["text"]]
    evaluate(None, frame, predictions=LexiconModel().predict_many(same))


def test_a_frame_given_before_the_model_is_said_to_be_swapped() -> None:
    # said the labeled data must be a DataFrame, of the model, where it was given
    frame = labeled_frame(CALM)
    with pytest.raises(
        ParameterError,
        match=r"^evaluate takes the model first, then the labeled frame: evaluate\(model, "
        r"frame\); got a DataFrame, then LexiconModel$",
    ):
        evaluate(frame, LexiconModel())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("models/mine", r"got str 'models/mine'; load a saved model with triage.load_model"),
        (Path("models/mine"), r"got PosixPath .*; load a saved model with triage.load_model"),
        (42, r"model must be a TriageModel .*got int"),
    ],
)
def test_a_model_that_is_no_model_is_named(model: object, message: str) -> None:
    frame = labeled_frame(CALM)
    for call in (
        lambda: evaluate(model, frame),
        lambda: compare_models(model, LexiconModel(), frame, n_boot=0),
        lambda: compare_models(LexiconModel(), model, frame, n_boot=0),
        lambda: analyze("快递太慢", model=model),  # type: ignore[arg-type]
    ):
        with pytest.raises(ParameterError, match=message):
            call()


@pytest.mark.parametrize(
    ("wrong", "shown"),
    [
        # macro-F1 0.89055: 0.891 to three places, though 0.8905 to four
        ((5,), "category macro-F1 0.891 "),
        # 0.91354: 0.914, though 0.9135 to four
        ((2,), "emotion macro-F1 0.914"),
    ],
)
def test_the_report_rounds_each_figure_once(wrong: tuple[int, ...], shown: str) -> None:
    from tests.test_retrain import DEMO, FakeModel
    from triage.labeled import read_labeled

    demo = read_labeled(DEMO)
    text = render_evaluation(evaluate(FakeModel(demo, wrong=wrong), demo))
    assert shown in text
    # the headline line says what the macro rows of the tables say
    macro = [line.split() for line in text.splitlines() if line.startswith("macro")]
    assert f"category macro-F1 {macro[0][3]} " in text
    assert f"emotion macro-F1 {macro[1][3]}" in text


def test_the_report_shows_each_emotion_s_exact_intensity_accuracy() -> None:
    # `--json` had it, the table did not
    from tests.test_retrain import DEMO, FakeModel
    from triage.labeled import read_labeled

    demo = read_labeled(DEMO)
    ev = evaluate(FakeModel(demo, wrong=(0, 3)), demo)
    lines = render_evaluation(ev).splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("emotion"))
    assert lines[head].split() == ["emotion", "precision", "recall", "f1", "support", "intensity"]
    for line, (label, row) in zip(lines[head + 1 :], ev.emotions.iterrows(), strict=False):
        assert line.split()[0] == label
        assert line.split()[-1] == f"{row['intensity_accuracy']:.3f}"
    # the other tables keep their five columns
    assert lines[0].split() == ["category", "precision", "recall", "f1", "support"]
    assert len(next(line for line in lines if line.startswith("P1 ")).split()) == 5


class _NoPredictions(LexiconModel):
    """A model that must not be asked: the call fails before it predicts."""

    def predict_many(self, texts: object, **kwargs: object) -> None:  # type: ignore[override]
        raise AssertionError("predicted before the policy was checked")


@pytest.mark.parametrize("policy", ["my_policy.toml", Path("my_policy.toml"), {"format": 1}])
def test_a_policy_that_is_no_policy_is_named_before_any_prediction(policy: object) -> None:
    # a policy file's path was refused by the first row's priority, once every
    # row had been predicted: minutes into a large labeled file
    frame = labeled_frame(CALM)
    message = r"^policy must be a triage.Policy or None, got \w+; load .* triage.load_policy"
    for call in (
        lambda: evaluate(_NoPredictions(), frame, policy=policy),  # type: ignore[arg-type]
        lambda: compare_models(
            _NoPredictions(),
            _NoPredictions(),
            frame,
            n_boot=0,
            policy=policy,  # type: ignore[arg-type]
        ),
        lambda: cross_validate(frame, folds=2, policy=policy),  # type: ignore[arg-type]
    ):
        with pytest.raises(ParameterError, match=message):
            call()


# Hand-made predictions for TINY_ROWS: categories (primary first) and the
# five intensities. Row 1's product is missed for logistics, row 12 keeps
# only its second category, row 13 has product as primary and is wrong, and
# the humour of row 7 is seen in row 8.
_GUESSES = [
    ("logistics|service", "1 0 0 0 1"),
    ("logistics", "1 0 0 0 0"),
    ("service|pricing", "1 0 0 0 2"),
    ("pricing", "1 0 1 0 0"),
    ("", "0 0 0 0 0"),
    ("environment", "0 0 0 0 1"),
    ("product", "2 2 0 0 0"),
    ("logistics", "0 0 0 0 0"),
    ("pricing|product", "0 0 0 1 0"),
    ("process", "0 2 0 0 0"),
    ("environment", "0 0 0 0 0"),
    ("service", "0 0 0 0 0"),
    ("service", "1 0 0 0 2"),
    ("product|process", "0 0 1 0 0"),
    ("", "0 1 0 0 0"),
    ("product|logistics", "1 0 0 0 0"),
]


def _guessed(texts: list[str]) -> Predictions:
    import numpy as np

    from triage.labels import CATEGORIES

    names = [str(c) for c in CATEGORIES]
    n = len(texts)
    cats = np.zeros((n, len(names)), dtype=bool)
    primary = np.full(n, -1)
    for i, (guess, _) in enumerate(_GUESSES):
        on = [names.index(c) for c in guess.split("|") if c]
        cats[i, on] = True
        primary[i] = on[0] if on else -1
    intensity = np.array([[int(v) for v in e.split()] for _, e in _GUESSES], dtype=np.int64)
    return Predictions(
        texts=list(texts),
        tokens=[[t] for t in texts],
        truncated=np.zeros(n, dtype=bool),
        low_confidence=np.zeros(n, dtype=bool),
        category_proba=cats.astype(float),
        category_labels=cats,
        primary=primary,
        emotion_proba=(intensity >= 1).astype(float),
        intensity=intensity,
        priority_proba=np.full((n, 4), np.nan),  # the rules alone set the level
        sentiment=np.full(n, 0.2),
    )


def _sklearn_table(truth: object, pred: object) -> pd.DataFrame:
    import numpy as np
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(truth, pred, average=None, zero_division=np.nan)
    return pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": s})


def test_per_label_figures_are_scikit_learn_s() -> None:
    import numpy as np
    from sklearn.metrics import accuracy_score, confusion_matrix

    from tests.conftest import TINY_ROWS
    from triage.labeled import parse_labels
    from triage.labels import PRIORITIES

    frame = labeled_frame(TINY_ROWS)
    preds = _guessed(frame["text"].tolist())
    ev = evaluate(LexiconModel(), frame, predictions=preds)
    y = parse_labels(frame)
    tables = [
        (ev.categories, y.categories.astype(bool), preds.category_labels),
        (ev.emotions, y.emotions >= 1, preds.intensity >= 1),
    ]
    levels = [str(p) for p in PRIORITIES]
    assessed = [levels.index(str(preds.assessment(i).priority)) for i in range(len(preds))]
    onehot = np.eye(len(levels), dtype=bool)
    tables.append((ev.priority, onehot[y.priority], onehot[assessed]))
    for got, truth, pred in tables:
        want = _sklearn_table(truth, pred)
        labels = got.drop(index="macro")
        for column in ("precision", "recall", "f1", "support"):
            np.testing.assert_allclose(labels[column], want[column], equal_nan=True)
        np.testing.assert_array_equal(labels["predicted"], pred.sum(axis=0))
        # macro: the mean of the defined figures; support and predicted: totals
        for column in ("precision", "recall", "f1"):
            assert got.loc["macro", column] == pytest.approx(np.nanmean(want[column]))
        assert got.loc["macro", "support"] == truth.sum()
        assert got.loc["macro", "predicted"] == pred.sum()
    # the table is a real test: labels missed, labels given where none is
    assert ev.categories.loc["pricing", "precision"] < 1 < ev.categories.loc["product", "support"]
    assert ev.emotions.loc["humorous", ["precision", "recall", "f1"]].tolist() == [0, 0, 0]

    exact = [accuracy_score(y.emotions[:, k], preds.intensity[:, k]) for k in range(5)]
    np.testing.assert_allclose(ev.emotions["intensity_accuracy"], [*exact, np.mean(exact)])
    # the primary of the rows that have one, product (the first category) among them
    has = y.primary >= 0
    assert ev.primary_support == has.sum() == 14
    assert ev.primary_accuracy == accuracy_score(y.primary[has], preds.primary[has]) == 9 / 14
    assert ev.priority_accuracy == accuracy_score(y.priority, assessed)
    want_confusion = confusion_matrix(y.priority, assessed, labels=range(len(levels)))
    np.testing.assert_array_equal(ev.priority_confusion.to_numpy(), want_confusion)
    assert list(ev.priority_confusion.index) == list(ev.priority_confusion.columns) == levels
    assert ev.p1_as_p4 == want_confusion[0, 3] and ev.n_rows == len(frame)


def test_the_intensity_confusion_counts_each_labeled_intensity_by_the_predicted_one() -> None:
    # the exact accuracy, mostly rows 0 on both sides, said nothing of how
    # often a predicted 2 is labeled 2, or a labeled 2 is found as 1
    import numpy as np
    from sklearn.metrics import confusion_matrix

    from tests.conftest import TINY_ROWS
    from triage.labeled import parse_labels
    from triage.labels import EMOTIONS

    frame = labeled_frame(TINY_ROWS)
    preds = _guessed(frame["text"].tolist())
    ev = evaluate(LexiconModel(), frame, predictions=preds)
    table = ev.intensity_confusion
    assert table.index.names == ["emotion", "labeled"] and table.columns.name == "predicted"
    # angry: one of the two strong rows found as present only
    assert table.loc["angry"].to_numpy().tolist() == [[9, 0, 0], [0, 5, 0], [0, 1, 1]]
    # humorous: the strong row missed, a calm row read as humorous
    assert table.loc["humorous"].to_numpy().tolist() == [[14, 1, 0], [0, 0, 0], [1, 0, 0]]
    y = parse_labels(frame)
    for k, e in enumerate(EMOTIONS):
        want = confusion_matrix(y.emotions[:, k], preds.intensity[:, k], labels=[0, 1, 2])
        np.testing.assert_array_equal(table.loc[str(e)].to_numpy(), want)
        assert ev.to_dict()["intensity_confusion"][str(e)] == {
            str(v): {str(p): int(want[v, p]) for p in range(3)} for v in range(3)
        }
    json.dumps(ev.to_dict(), allow_nan=False)


def test_the_summary_rounds_to_four_places_unless_told() -> None:
    from tests.conftest import TINY_ROWS

    frame = labeled_frame(TINY_ROWS)
    ev = evaluate(LexiconModel(), frame, predictions=_guessed(frame["text"].tolist()))
    exact = ev.summary(None)
    assert exact["primary_accuracy"] == 9 / 14
    assert ev.summary() == {k: round(v, 4) for k, v in exact.items()}
    assert ev.summary(2) == {k: round(v, 2) for k, v in exact.items()}
    assert ev.to_dict()["summary"] == ev.summary()
    assert ev.to_dict()["primary"] == {"accuracy": round(9 / 14, 4), "support": 14}


@pytest.mark.parametrize(
    ("length", "shown"),
    [(29, "'{text}'"), (30, "'{text}'"), (31, "'{head}...'"), (200, "'{head}...'")],
)
def test_a_text_of_other_predictions_is_named_in_its_first_thirty_characters(
    length: int, shown: str
) -> None:
    text = ("快递三天还没到客服也不回消息" * 20)[:length]
    frame = labeled_frame(CALM[:1])
    with pytest.raises(ParameterError) as caught:
        evaluate(None, frame, predictions=LexiconModel().predict_many([text]))
    named = shown.format(text=text, head=text[:30])
    assert f"row 0 holds the prediction of {named}, where frame's text is" in str(caught.value)


def test_to_dict_gives_each_table_to_four_places_and_its_counts_whole() -> None:
    from tests.conftest import TINY_ROWS

    frame = labeled_frame(TINY_ROWS)
    ev = evaluate(LexiconModel(), frame, predictions=_guessed(frame["text"].tolist()))
    data = ev.to_dict()
    for name in ("categories", "emotions", "priority"):
        table = getattr(ev, name)
        assert list(data[name]) == list(table.index)
        for label, row in table.iterrows():
            want = {
                k: (int(v) if k in ("support", "predicted") else None if v != v else round(v, 4))
                for k, v in row.items()
            }
            assert data[name][label] == want
    assert data["emotions"]["aggrieved"]["recall"] == round(4 / 6, 4) == 0.6667


@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
def test_calibration_is_scikit_learn_s_reliability_and_brier(strategy: str) -> None:
    import numpy as np
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    from tests.conftest import TINY_ROWS
    from triage import calibration
    from triage._default import get_default_model
    from triage.labeled import parse_labels
    from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES

    frame = labeled_frame(TINY_ROWS)
    preds = get_default_model().predict_many(frame["text"].tolist())
    got = calibration(None, frame, n_bins=4, strategy=strategy)
    y = parse_labels(frame)
    # a text the model learned nothing of has no priority distribution: left out of P1-P4
    scored = ~np.isnan(preds.priority_proba).any(axis=1)
    assert preds.complaint_proba is not None and 0 < scored.sum() < len(frame)
    heads = {
        str(c): (y.categories[:, j], preds.category_proba[:, j]) for j, c in enumerate(CATEGORIES)
    }
    heads |= {
        str(e): (y.emotions[:, j] >= 1, preds.emotion_proba[:, j]) for j, e in enumerate(EMOTIONS)
    }
    heads["complaint"] = (y.categories.any(axis=1), preds.complaint_proba)
    heads |= {
        str(p): (y.priority[scored] == j, preds.priority_proba[scored, j])
        for j, p in enumerate(PRIORITIES)
    }
    assert list(got.labels.index) == list(heads)
    for label, (truth, proba) in heads.items():
        truth = np.asarray(truth, dtype=int)
        table = got.reliability.loc[label]
        observed, mean_proba = calibration_curve(truth, proba, n_bins=4, strategy=strategy)
        np.testing.assert_allclose(table["observed"], observed, err_msg=label)
        np.testing.assert_allclose(table["mean_proba"], mean_proba, err_msg=label)
        row = got.labels.loc[label]
        assert table["rows"].sum() == row["rows"] == len(truth)
        assert row["brier"] == pytest.approx(brier_score_loss(truth, proba, pos_label=1))
        assert row["rate"] == pytest.approx(truth.mean())
        gaps = (table["rows"] / len(truth) * (table["mean_proba"] - table["observed"]).abs()).sum()
        assert row["ece"] == pytest.approx(gaps)
    assert (got.n_bins, got.strategy, got.n_rows) == (4, strategy, len(frame))


def test_probabilities_that_are_the_labels_are_perfectly_calibrated() -> None:
    # the guesses of _guessed give 1 where they give a label, 0 elsewhere:
    # scored against themselves, every gap is 0; against the rows' labels, the
    # calibration error of a label is the share of rows it gets wrong
    import numpy as np

    from tests.conftest import TINY_ROWS
    from triage import calibration
    from triage.labeled import parse_labels

    frame = labeled_frame(TINY_ROWS)
    preds = _guessed(frame["text"].tolist())
    got = calibration(LexiconModel(), frame, predictions=preds)
    y = parse_labels(frame)
    wrong = np.mean(y.categories.astype(bool) != preds.category_labels, axis=0)
    np.testing.assert_allclose(got.labels["ece"].iloc[:6], wrong)
    np.testing.assert_allclose(got.labels["brier"].iloc[:6], wrong)
    # the guesses' own labels, as a frame
    rows = [
        (text, guess, guess.split("|")[0], emotions, "P4")
        for text, (guess, emotions) in zip(frame["text"], _GUESSES, strict=True)
    ]
    own = calibration(LexiconModel(), labeled_frame(rows), predictions=preds)
    assert (own.labels[["ece", "brier"]] == 0).all().all()


def test_a_probability_no_better_than_the_rate_scores_the_rate_s_brier() -> None:
    # every row given the labeled rate of each category: one bin, no gap, and
    # the Brier score of the rate itself
    import numpy as np

    from tests.conftest import TINY_ROWS
    from triage import calibration
    from triage.labeled import parse_labels

    frame = labeled_frame(TINY_ROWS)
    preds = _guessed(frame["text"].tolist())
    rate = parse_labels(frame).categories.mean(axis=0)
    preds.category_proba[:] = rate
    got = calibration(LexiconModel(), frame, predictions=preds).labels.iloc[:6]
    np.testing.assert_allclose(got["ece"], 0, atol=1e-12)
    np.testing.assert_allclose(got["brier"], got["brier_of_rate"])
    np.testing.assert_allclose(got["rate"], rate)


def test_calibration_of_the_lexicon_names_only_the_heads_it_has() -> None:
    # the keyword baseline has no complaint head and no priority head
    from tests.conftest import TINY_ROWS
    from triage import calibration
    from triage.labels import CATEGORIES, EMOTIONS

    got = calibration(LexiconModel(), labeled_frame(TINY_ROWS))
    assert list(got.labels.index) == [str(c) for c in CATEGORIES] + [str(e) for e in EMOTIONS]
    data = got.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data["labels"]["product"]) == [
        "rows",
        "rate",
        "mean_proba",
        "ece",
        "brier",
        "brier_of_rate",
        "bins",
    ]
    assert sum(b["rows"] for b in data["labels"]["product"]["bins"]) == data["rows"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_bins": 0}, "n_bins must be a whole number of at least 1, got 0"),
        ({"n_bins": 2.5}, "n_bins must be a whole number of at least 1, got 2.5"),
        ({"n_bins": True}, "n_bins must be a whole number of at least 1, got True"),
        ({"strategy": "equal"}, 'strategy must be "quantile" or "uniform", got \'equal\''),
    ],
)
def test_calibration_refuses_bins_it_cannot_cut(options: dict[str, object], message: str) -> None:
    from triage import calibration

    with pytest.raises(ParameterError, match=f"^{message}$".replace("(", r"\(")):
        calibration(LexiconModel(), labeled_frame(CALM), **options)  # type: ignore[arg-type]


def test_calibration_takes_the_model_first_as_evaluate_does() -> None:
    from triage import calibration

    frame = labeled_frame(CALM)
    with pytest.raises(ParameterError, match=r"^calibration takes the model first"):
        calibration(frame, LexiconModel())  # type: ignore[arg-type]


# Complaints labeled in full; the frames below keep some heads of them alone.
# text, categories, primary, angry anxious confused humorous aggrieved, priority
LABELED = [
    ("买的电饭煲用了两天就不加热了", "product", "product", "1 0 0 0 0", "P2"),
    (
        "快递员把包裹扔在楼下就走了，打电话也不接",
        "logistics|service",
        "logistics",
        "2 0 0 0 1",
        "P3",
    ),
    ("会员费自动续费了也没提醒，钱直接扣了", "pricing", "pricing", "1 0 1 0 1", "P2"),
    ("退货流程太复杂，填了三张表还要等审核", "process", "process", "0 0 1 0 0", "P3"),
    ("酒店房间有股霉味，床单上还有头发", "environment", "environment", "1 0 0 0 0", "P3"),
    ("客服说会回电话，等了一整天都没人联系", "service", "service", "0 1 0 0 2", "P3"),
    ("谢谢你们的售后，问题很快就解决了", "", "", "0 0 0 0 0", "P4"),
    ("门店排队一个多小时，工作人员还爱答不理", "process|service", "service", "1 0 0 1 1", "P3"),
    ("充电宝充着充着冒烟了，差点着火", "product", "product", "2 2 0 0 0", "P1"),
]
EMOTION_NAMES = ["angry", "anxious", "confused", "humorous", "aggrieved"]
#: The sections of `Evaluation.to_dict` and the keys of `summary` of each head.
#: Every field of `Evaluation`, in order.
FIELDS = [
    "categories",
    "emotions",
    "primary_accuracy",
    "primary_support",
    "priority",
    "priority_accuracy",
    "priority_confusion",
    "n_rows",
    "intensity_confusion",
    "heads",
    "not_evaluated",
]
LABEL_NAMES = ["categories", "primary", *EMOTION_NAMES, "priority"]
SECTIONS = {
    "categories": (["categories"], ["category_macro_f1"]),
    "primary": (["primary"], ["primary_accuracy"]),
    "emotions": (["emotions", "intensity_confusion"], ["emotion_macro_f1"]),
    "priority": (
        ["priority", "priority_confusion"],
        ["priority_accuracy", "p1_recall", "p1_precision", "p1_as_p4"],
    ),
}


def _some_heads(keep: list[str], blank: Sequence[str] = ()) -> pd.DataFrame:
    """`LABELED` with the label columns `keep` alone, those of `blank` there but empty."""
    full = labeled_frame(LABELED)
    frame = full[["id", "text", *keep, *blank]].copy()
    frame[list(blank)] = ""
    return frame


@pytest.mark.parametrize(
    ("keep", "blank", "heads", "not_evaluated"),
    [
        # a support team's: the categories and the main one
        (
            ["categories", "primary"],
            [],
            ("categories", "primary"),
            {"emotions": "no column", "priority": "no column"},
        ),
        # the categories alone
        (
            ["categories"],
            [],
            ("categories",),
            {"primary": "no column", "emotions": "no column", "priority": "no column"},
        ),
        # an analyst's: the priority alone
        (
            ["priority"],
            [],
            ("priority",),
            {"categories": "no column", "primary": "no column", "emotions": "no column"},
        ),
        # the five emotions alone
        (
            EMOTION_NAMES,
            [],
            ("emotions",),
            {"categories": "no column", "primary": "no column", "priority": "no column"},
        ),
        # a file exported for labeling, its emotions and priority left empty
        (
            ["categories", "primary"],
            [*EMOTION_NAMES, "priority"],
            ("categories", "primary"),
            {"emotions": "empty on every row", "priority": "empty on every row"},
        ),
        # the categories labeled, the primary left empty on every row
        (
            ["categories", "priority"],
            ["primary"],
            ("categories", "priority"),
            {"primary": "empty on every row", "emotions": "no column"},
        ),
        (
            [*EMOTION_NAMES, "priority"],
            [],
            ("emotions", "priority"),
            {"categories": "no column", "primary": "no column"},
        ),
    ],
    ids=["support-team", "categories", "analyst", "emotions", "export", "no-primary", "no-cats"],
)
def test_a_frame_of_some_heads_is_evaluated_on_those_alone(
    keep: list[str], blank: list[str], heads: tuple[str, ...], not_evaluated: dict[str, str]
) -> None:
    # evaluate refused such a frame with an error worded for training ("each
    # head learns from its own column"): the figures of the heads it labels
    # are those of the fully labeled frame, and the others none at all
    model = LexiconModel()
    full = evaluate(model, labeled_frame(LABELED)).to_dict()
    ev = evaluate(model, _some_heads(keep, blank))
    assert ev.heads == heads and ev.not_evaluated == not_evaluated
    data = ev.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["evaluated"] == list(heads) and data["not_evaluated"] == not_evaluated
    for head, (sections, figures) in SECTIONS.items():
        for section in sections:
            assert data.get(section) == (full[section] if head in heads else None)
        for figure in figures:
            assert data["summary"].get(figure, "left out") == (
                full["summary"][figure] if head in heads else "left out"
            )
    # no attribute of a head not evaluated passes for a figure (a 0, a NaN, a
    # None): it has no value, as an attribute a scikit-learn estimator did not
    # compute, and reading it says why
    attributes = {
        "categories": ["categories", "category_macro_f1"],
        "primary": ["primary_accuracy", "primary_support"],
        "emotions": ["emotions", "intensity_confusion", "emotion_macro_f1"],
        "priority": ["priority", "priority_accuracy", "priority_confusion", "p1_as_p4"],
    }
    for head, names in attributes.items():
        for name in names:
            assert hasattr(ev, name) == (head in heads)
            if head in heads:
                continue
            said = (
                rf"^{name} is not evaluated: the labeled frame does not label {head} "
                rf"\({not_evaluated[head]}\); it evaluated {', '.join(heads)} \(Evaluation.heads\)$"
            )
            with pytest.raises(AttributeError, match=said):
                getattr(ev, name)
    assert "heads=" in repr(ev) and all(f"{h}=" not in repr(ev) for h in not_evaluated)
    with pytest.raises(AttributeError, match=r"^'Evaluation' object has no attribute 'prority'$"):
        ev.prority  # type: ignore[attr-defined]  # noqa: B018


@pytest.mark.parametrize(
    ("keep", "blank"),
    [
        (["categories", "primary"], []),  # a support team's
        (["priority"], []),  # an analyst's
        (EMOTION_NAMES, []),
        (["categories", "primary"], [*EMOTION_NAMES, "priority"]),  # an export half labeled
        ([*LABEL_NAMES], []),  # every head
    ],
    ids=["support-team", "analyst", "emotions", "export", "full"],
)
def test_an_evaluation_of_some_heads_goes_through_asdict_and_replace(
    keep: list[str], blank: list[str]
) -> None:
    # dataclasses.asdict and dataclasses.replace read every field, and the
    # fields of a head not evaluated raised AttributeError: an evaluation's
    # fields are those it holds, and a copy is of the same heads
    ev = evaluate(LexiconModel(), _some_heads(keep, blank))
    held = [
        name for name in FIELDS if name in ("n_rows", "heads", "not_evaluated") or hasattr(ev, name)
    ]
    assert [f.name for f in dataclasses.fields(ev)] == held
    assert [f.name for f in dataclasses.fields(Evaluation)] == FIELDS
    data = dataclasses.asdict(ev)
    assert list(data) == held
    assert Evaluation(**data).to_dict() == ev.to_dict()
    copy = dataclasses.replace(ev, n_rows=100)
    assert copy.n_rows == 100 and copy.heads == ev.heads
    assert copy.not_evaluated == ev.not_evaluated
    assert {**copy.to_dict(), "rows": ev.n_rows} == ev.to_dict()
    assert all(hasattr(copy, name) == (name in held) for name in FIELDS)
    # a figure of a head not evaluated is refused, not dropped
    full = evaluate(LexiconModel(), labeled_frame(LABELED))
    for head in ev.not_evaluated:
        name = SECTIONS[head][0][0] if head != "primary" else "primary_support"
        with pytest.raises(ParameterError, match=rf"^{name} given, but {head} is not evaluated"):
            dataclasses.replace(ev, **{name: getattr(full, name)})


@pytest.mark.parametrize(
    ("keep", "blank", "error"),
    [
        # texts with no label column: as for any labeled file
        ([], [], r"bad columns in the labeled data: .*these are texts with no label"),
        # an analyst's column not filled yet
        (["priority"], [], None),
        ([], ["priority"], r"nothing to evaluate: priority is empty on every row"),
        (
            [],
            ["categories", "primary"],
            r"nothing to evaluate: categories, primary are empty on every row",
        ),
        # LABELS.md: the primary is the main one of the categories labeled, and
        # an empty primary says "no complaint" only beside empty categories
        (["primary"], [], r"primary is labeled without categories: .*add the categories"),
        (["primary", "priority"], [], r"primary is labeled without categories"),
        # emotions are rated together: an absent one is 0, not a missing column
        (
            ["angry", "priority"],
            [],
            r"the five emotions are rated together .* but angry is rated and not anxious "
            r"\(no column\), .*aggrieved \(no column\): rate every row for all five",
        ),
        (
            ["categories", "primary", "angry", "anxious"],
            ["confused", "humorous", "aggrieved"],
            r"but angry, anxious are rated and not confused \(empty on every row\)",
        ),
    ],
    ids=[
        "no-label",
        "priority",
        "priority-empty",
        "categories-empty",
        "primary-alone",
        "primary-priority",
        "one-emotion",
        "two-emotions",
    ],
)
def test_a_frame_that_labels_no_head_whole_is_refused_saying_why(
    keep: list[str], blank: list[str], error: str | None
) -> None:
    from triage.exceptions import LabelColumnError

    frame = _some_heads(keep, blank)
    if error is None:  # labeled: evaluated
        assert evaluate(LexiconModel(), frame).heads == tuple(keep)
        return
    with pytest.raises(LabelColumnError, match=error):
        evaluate(LexiconModel(), frame)


@pytest.mark.parametrize(
    ("keep", "row", "value", "said"),
    [
        # a head labeled is labeled on every row: an empty cell is no figure's row
        (["priority"], 2, "", r"row 2 \(id 't-2'\) not labeled yet"),
        (["priority"], 2, "p2", r"row 2 \(id 't-2'\) priority='p2': .*write 'P2'"),
        (EMOTION_NAMES, 4, "", r"row 4 \(id 't-4'\) angry='': intensity must be 0, 1 or 2"),
        (["categories", "primary"], 1, "物流", r"row 1 \(id 't-1'\) categories='物流': "),
    ],
)
def test_the_rows_of_a_head_evaluated_are_checked_as_in_a_full_frame(
    keep: list[str], row: int, value: str, said: str
) -> None:
    from triage.exceptions import LabelError
    from triage.labeled import validate_labels

    frame = _some_heads(keep)
    frame.loc[row, keep[0]] = value
    with pytest.raises(LabelError, match=said) as info:
        evaluate(LexiconModel(), frame)
    # the validator it names lists them for these heads, not the missing columns
    heads = ["emotions"] if keep == EMOTION_NAMES else keep
    assert f"see triage.validate_labels(frame, heads={heads!r}) for all" in str(info.value)
    problems = validate_labels(frame, heads=heads)
    assert problems["row"].tolist() == [row]


def test_an_empty_category_of_a_frame_of_categories_is_no_complaint() -> None:
    # a frame of categories alone cannot say "no complaint" otherwise: its
    # empty cells are that, as in a fully labeled file, no row "not labeled yet"
    frame = _some_heads(["categories", "primary"])
    assert frame.loc[6, "categories"] == ""
    ev = evaluate(LexiconModel(), frame)
    assert ev.primary_support == 8 and ev.n_rows == len(LABELED)


@pytest.mark.parametrize("heads", [None, [], "priority", ["priority", "urgency"]])
def test_validate_labels_names_the_heads_it_takes(heads: object) -> None:
    from triage.labeled import validate_labels

    if heads is None:
        assert validate_labels(labeled_frame(LABELED)).empty
        return
    with pytest.raises(ParameterError, match=r"heads must be a list of some of categories, "):
        validate_labels(labeled_frame(LABELED), heads=heads)  # type: ignore[arg-type]


@pytest.mark.parametrize("heads", [["primary"], ["primary", "priority"]])
def test_validate_labels_checks_no_primary_without_its_categories(heads: list[str]) -> None:
    from triage.labeled import validate_labels

    # each primary of a valid frame was "not among the categories", which
    # were not read: refused, as labeled_heads refuses a frame of primary alone
    with pytest.raises(ParameterError, match=r"pass heads=\['categories', 'primary'\]$"):
        validate_labels(labeled_frame(LABELED), heads=heads)
    assert validate_labels(labeled_frame(LABELED), heads=["categories", *heads]).empty


_LEVEL = st.sampled_from(["0", "1", "2"])


@given(
    rows=st.lists(
        st.tuples(
            st.sets(st.sampled_from(["product", "service", "logistics", "pricing", "process"])),
            st.integers(0, 4),
            st.lists(_LEVEL, min_size=5, max_size=5),
            st.sampled_from(["P1", "P2", "P3", "P4"]),
        ),
        min_size=len(LABELED),
        max_size=len(LABELED),
    )
)
@settings(max_examples=25, deadline=None)
def test_a_full_frame_s_evaluation_is_that_of_its_heads_one_by_one(
    rows: list[tuple[set[str], int, list[str], str]],
) -> None:
    # whatever the labels, each head's figures are the same evaluated alone
    # (with the others left out) as beside the others
    records = []
    for (text, *_), (cats, k, levels, level) in zip(LABELED, rows, strict=True):
        ordered = sorted(cats)
        primary = ordered[k % len(ordered)] if ordered else ""
        records.append((text, "|".join(ordered), primary, " ".join(levels), level))
    assume(any(cats for cats, *_ in rows))  # a frame of categories alone, none a complaint, is none
    full = labeled_frame(records)
    preds = _LEXICON.predict_many(full["text"].tolist())
    whole = evaluate(_LEXICON, full, predictions=preds).to_dict()
    union: dict[str, Any] = {"rows": whole["rows"], "evaluated": [], "not_evaluated": {}}
    union["summary"] = {}
    for keep in (["categories", "primary"], EMOTION_NAMES, ["priority"]):
        part = evaluate(_LEXICON, full[["text", *keep]], predictions=preds).to_dict()
        union["evaluated"] += part.pop("evaluated")
        part.pop("not_evaluated")
        union["summary"] |= part.pop("summary")
        union |= part
    union["evaluated"] = [h for h in SECTIONS if h in union["evaluated"]]
    union["summary"] = {k: union["summary"][k] for k in whole["summary"]}
    assert json.dumps(union, sort_keys=True) == json.dumps(whole, sort_keys=True)


_LEXICON = LexiconModel()


@pytest.mark.parametrize(
    ("keep", "labels"),
    [
        (["categories", "primary"], ["product", "service", "logistics", "pricing", "process"]),
        (EMOTION_NAMES, EMOTION_NAMES),
    ],
)
def test_calibration_of_a_frame_of_some_heads_is_that_of_their_labels(
    keep: list[str], labels: list[str]
) -> None:
    from triage.evaluation import calibration

    full = calibration(_LEXICON, labeled_frame(LABELED), n_bins=3).to_dict()["labels"]
    some = calibration(_LEXICON, _some_heads(keep), n_bins=3).to_dict()["labels"]
    assert set(labels) <= set(some) and {k: full[k] for k in some} == some
    assert not set(some) & {"P1", "P2", "P3", "P4", *(set(EMOTION_NAMES) - set(labels))}


def test_calibration_of_priorities_alone_by_a_model_of_no_priority_head_is_refused() -> None:
    from triage.evaluation import calibration

    with pytest.raises(ParameterError, match=r"nothing to calibrate: the frame labels priority"):
        calibration(_LEXICON, _some_heads(["priority"]))


def _one_level_model() -> Any:
    """A model trained on rows of one priority level: it has no priority head."""
    from tests.conftest import TINY_PARAMS, TINY_ROWS
    from triage import TriageModel

    with pytest.warns(UserWarning, match=r"priority \(every row P3: no priority head"):
        return TriageModel(**TINY_PARAMS).fit(labeled_frame(TINY_ROWS).assign(priority="P3"))


@pytest.mark.parametrize(
    ("model", "keep", "refused"),
    [
        # the keyword baseline and a model of one level: the rules alone decide
        (_LEXICON, ["priority"], True),
        ("one level", ["priority"], True),
        # a head with probabilities beside the priority: it is calibrated
        (_LEXICON, ["categories", "primary", "priority"], False),
        (_LEXICON, EMOTION_NAMES, False),
    ],
    ids=["baseline", "one-level", "baseline-categories", "baseline-emotions"],
)
def test_calibration_refuses_priorities_alone_before_predicting_a_row(
    monkeypatch: pytest.MonkeyPatch, model: Any, keep: list[str], refused: bool
) -> None:
    # the refusal came after every text of the frame was predicted
    from triage.evaluation import calibration

    model = _one_level_model() if model == "one level" else model
    predicted: list[int] = []
    predict_many = type(model).predict_many

    def counted(self: Any, texts: list[str]) -> Any:
        predicted.append(len(texts))
        return predict_many(self, texts)

    monkeypatch.setattr(type(model), "predict_many", counted)
    frame = _some_heads(keep)
    if refused:
        with pytest.raises(ParameterError, match=r"^nothing to calibrate: the frame labels "):
            calibration(model, frame)
        assert predicted == []
    else:
        assert calibration(model, frame, n_bins=3).n_rows == len(frame)
        assert predicted == [len(frame)]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"priority": ""}, "row 3 (id 't-3') priority='': priority must be one of"),
        (
            dict.fromkeys(["angry", "anxious", "confused", "humorous", "aggrieved"], ""),
            "row 3 (id 't-3') the five emotions are empty",
        ),
    ],
    ids=["priority", "emotions"],
)
def test_a_full_file_s_row_not_labeled_for_a_head_is_told_what_evaluation_takes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, str], said: str
) -> None:
    from triage.cli import main
    from triage.exceptions import LabelError

    # it was told to train on such rows as extra rows (triage.train(labeled,
    # extra=rows)), which evaluation does not do
    frame = labeled_frame(LABELED)
    for column, value in change.items():
        frame.loc[3, column] = value
    note = (
        "\nrow 3 is not labeled for every head evaluated (categories, primary, emotions, "
        "priority): label each row of a head, or leave its columns empty on every row, and "
        "it is not evaluated"
    )
    with pytest.raises(LabelError) as caught:
        evaluate(LexiconModel(), frame)
    message = str(caught.value)
    assert message.startswith(
        "1 problem in the labeled data (see triage.validate_labels for all):\n  " + said
    )
    assert message.endswith(note) and "extra=rows" not in message
    path = tmp_path / "dev.csv"
    frame.to_csv(path, index=False)
    assert main(["evaluate", str(path), "--baseline"]) == 2
    err = capsys.readouterr().err
    assert f"(triage check {path} lists them all)" in err
    assert note in err and "extra=rows" not in err

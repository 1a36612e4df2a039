"""Quality gates: train on train.csv, evaluate on dev.csv, assert floors per label.

Marked ``quality``; CI runs them, ``pytest -m "not quality"`` skips them
locally. Figures are always measured on dev, never on train.
"""

from __future__ import annotations

import pytest

from triage import LexiconModel, evaluate

pytestmark = [pytest.mark.quality, pytest.mark.slow]

# Each label must clear a floor of its own, so a good macro average cannot
# hide one label that collapsed.
CATEGORY_F1_FLOOR = {
    "product": 0.80, "service": 0.72, "logistics": 0.82,
    "pricing": 0.74, "process": 0.52, "environment": 0.74,
}
EMOTION_F1_FLOOR = {"angry": 0.74, "anxious": 0.30, "confused": 0.55, "humorous": 0.52, "aggrieved": 0.68}


@pytest.fixture(scope="module")
def dev_eval(trained_model, dev_frame):  # type: ignore[no-untyped-def]
    return evaluate(trained_model, dev_frame)


@pytest.fixture(scope="module")
def baseline_eval(dev_frame):  # type: ignore[no-untyped-def]
    return evaluate(LexiconModel(), dev_frame)


def test_category_macro_f1(dev_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.category_macro_f1 >= 0.78, dev_eval.categories


def test_primary_accuracy_on_complaints(dev_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.primary_accuracy >= 0.80


def test_emotion_presence_macro_f1(dev_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.emotion_macro_f1 >= 0.60, dev_eval.emotions


@pytest.mark.parametrize(("label", "floor"), CATEGORY_F1_FLOOR.items())
def test_category_floor_per_label(dev_eval, label: str, floor: float) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.categories.loc[label, "f1"] >= floor


@pytest.mark.parametrize(("label", "floor"), EMOTION_F1_FLOOR.items())
def test_emotion_floor_per_label(dev_eval, label: str, floor: float) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.emotions.loc[label, "f1"] >= floor


def test_model_beats_the_lexicon_baseline_by_ten_points(dev_eval, baseline_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.category_macro_f1 >= baseline_eval.category_macro_f1 + 0.10
    assert dev_eval.emotion_macro_f1 >= baseline_eval.emotion_macro_f1 + 0.10


def test_priority_on_dev(dev_eval) -> None:  # type: ignore[no-untyped-def]
    s = dev_eval.summary()
    assert s["p1_recall"] >= 0.90
    assert s["p1_precision"] >= 0.50
    assert s["p1_as_p4"] == 0
    assert s["priority_accuracy"] >= 0.70


def test_every_p1_and_p2_on_dev_carries_evidence(trained_model, dev_frame) -> None:  # type: ignore[no-untyped-def]
    preds = trained_model.predict_many(dev_frame["text"].tolist())
    for i in range(len(preds)):
        a = preds.assessment(i)
        if a.priority.rank <= 2:
            assert any(r.evidence for r in a.reasons), (a.text, a.reasons)


def test_shipped_model_card_reports_dev_figures() -> None:
    from triage._default import default_model_path
    from triage.persist import read_card

    card = read_card(default_model_path())
    dev = card["metrics"]["dev"]["summary"]
    base = card["metrics"]["lexicon_baseline_dev"]["summary"]
    assert dev["category_macro_f1"] >= 0.78 and dev["primary_accuracy"] >= 0.80
    assert dev["emotion_macro_f1"] >= 0.60
    assert dev["category_macro_f1"] >= base["category_macro_f1"] + 0.10

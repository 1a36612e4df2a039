"""Quality gates: train on train.csv, evaluate on dev.csv, assert floors per label.

Marked ``quality``; CI runs them, ``pytest -m "not quality"`` skips them
locally. Figures are always measured on dev, never on train.

Two kinds of floor:

* regression floors, a little under what the shipped configuration measures
  today (category macro-F1 0.785, primary accuracy 0.770, emotion macro-F1
  0.615 on dev), so a change that loses quality fails;
* the targets the library aims for: category macro-F1 0.78, emotion
  macro-F1 0.60 and ten points over the lexicon are met and asserted;
  primary accuracy 0.80 is not reached yet, so it is a strict ``xfail``: the
  day it passes, the suite says so and it becomes a plain floor.
"""

from __future__ import annotations

import pytest

from triage import LexiconModel, evaluate

pytestmark = [pytest.mark.quality, pytest.mark.slow]

# Each label must clear a floor of its own, so a good macro average cannot
# hide one label that collapsed.
CATEGORY_F1_FLOOR = {
    "product": 0.82,
    "service": 0.75,
    "logistics": 0.83,
    "pricing": 0.75,
    "process": 0.50,
    "environment": 0.75,
}
EMOTION_F1_FLOOR = {
    "angry": 0.75,
    "anxious": 0.25,
    "confused": 0.57,
    "humorous": 0.57,
    "aggrieved": 0.68,
}

TARGET = pytest.mark.xfail(
    strict=True, reason="target not reached by the current linear models; see models/README.md"
)


@pytest.fixture(scope="module")
def dev_eval(trained_model, dev_frame):  # type: ignore[no-untyped-def]
    return evaluate(trained_model, dev_frame)


@pytest.fixture(scope="module")
def baseline_eval(dev_frame):  # type: ignore[no-untyped-def]
    return evaluate(LexiconModel(), dev_frame)


def test_macro_floors(dev_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.category_macro_f1 >= 0.76, dev_eval.categories
    assert dev_eval.primary_accuracy >= 0.74
    assert dev_eval.emotion_macro_f1 >= 0.60, dev_eval.emotions


def test_target_category_macro_f1(dev_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.category_macro_f1 >= 0.78, dev_eval.categories


@TARGET
def test_target_primary_accuracy_on_complaints(dev_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.primary_accuracy >= 0.80


def test_target_emotion_presence_macro_f1(dev_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.emotion_macro_f1 >= 0.60, dev_eval.emotions


@pytest.mark.parametrize(("label", "floor"), CATEGORY_F1_FLOOR.items())
def test_category_floor_per_label(dev_eval, label: str, floor: float) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.categories.loc[label, "f1"] >= floor


@pytest.mark.parametrize(("label", "floor"), EMOTION_F1_FLOOR.items())
def test_emotion_floor_per_label(dev_eval, label: str, floor: float) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.emotions.loc[label, "f1"] >= floor


def test_model_beats_the_lexicon_baseline(dev_eval, baseline_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.category_macro_f1 >= baseline_eval.category_macro_f1 + 0.07
    assert dev_eval.emotion_macro_f1 >= baseline_eval.emotion_macro_f1 + 0.10
    assert dev_eval.primary_accuracy >= baseline_eval.primary_accuracy + 0.10


def test_target_ten_points_over_the_lexicon_on_categories(dev_eval, baseline_eval) -> None:  # type: ignore[no-untyped-def]
    assert dev_eval.category_macro_f1 >= baseline_eval.category_macro_f1 + 0.10


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
    assert dev["category_macro_f1"] >= 0.74 and dev["primary_accuracy"] >= 0.74
    assert dev["emotion_macro_f1"] >= 0.60
    assert dev["category_macro_f1"] > base["category_macro_f1"]

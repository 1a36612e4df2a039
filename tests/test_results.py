"""The result types: LabelMap as a mapping, and each to_dict field for field."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from triage import ParameterError
from triage.labels import CATEGORIES, EMOTIONS, Category, Emotion, Priority
from triage.results import (
    Assessment,
    CategoryResult,
    EmotionResult,
    Evidence,
    Explanation,
    Explanations,
    LabelMap,
    PriorityResult,
    Reason,
    TermWeight,
    category_map,
    emotion_map,
)


def test_a_label_map_is_a_mapping_in_the_order_of_its_keys() -> None:
    m = LabelMap(("b", "a"), (0.25, 0.75))
    assert list(m) == ["b", "a"] and len(m) == 2 and m["a"] == 0.75
    assert m.to_dict() == {"b": 0.25, "a": 0.75} and list(m.to_dict()) == ["b", "a"]
    assert m == LabelMap(("b", "a"), (0.25, 0.75)) and m == {"a": 0.75, "b": 0.25}
    assert m != LabelMap(("b", "a"), (0.75, 0.25)) and m != {"a": 0.75}
    assert m != LabelMap(("c", "d"), (0.25, 0.75)) and m != LabelMap(("a", "b"), (0.75, 0.25))
    assert hash(m) == hash(LabelMap(("b", "a"), (0.25, 0.75)))
    again = pickle.loads(pickle.dumps(m))
    assert again == m and list(again) == ["b", "a"] and again.to_dict() == m.to_dict()


@pytest.mark.parametrize(
    ("keys", "values", "message"),
    [
        (("a", "b"), (1,), r"^2 keys but 1 value$"),
        (("a",), (1, 2), r"^1 key but 2 values$"),
    ],
)
def test_a_label_map_wants_one_value_a_key(
    keys: tuple[str, ...], values: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        LabelMap(keys, values)


def test_a_label_map_names_its_labels_for_a_missing_one() -> None:
    with pytest.raises(KeyError, match=r"'weather' is not a label here; labels are \['a', 'b'\]"):
        LabelMap(("a", "b"), (1, 2))["weather"]


def test_the_maps_of_the_vocabulary_hold_plain_numbers() -> None:
    import numpy as np

    cats = category_map(np.array([0.5, 0, 0, 0, 0, 1]))
    assert list(cats) == list(CATEGORIES) and cats["environment"] == 1.0
    assert all(type(v) is float for v in cats.values())
    assert list(emotion_map((0, 1, 2, 0, 0))) == list(EMOTIONS)


_SPAN = Evidence("12315", 7, 12)
_REASON = Reason(
    "P1.regulator", Priority.P1, "威胁向监管投诉", "threatens a regulator", (_SPAN,), "rule"
)
_CATEGORIES = CategoryResult(
    category_map([0.1, 0.8, 0.9, 0.0, 0.0, 0.0]),
    (Category.SERVICE, Category.LOGISTICS),  # the primary first
    Category.SERVICE,
)
_EMOTIONS = EmotionResult(
    emotion_map([0.9, 0.2, 0.0, 0.0, 0.6]), emotion_map([2, 0, 0, 0, 1]), 0.125
)


def test_each_part_s_to_dict_names_its_fields_as_the_files_do() -> None:
    assert _CATEGORIES.to_dict() == {
        "categories": ["service", "logistics"],
        "primary": "service",
        "category_probabilities": {
            "product": 0.1,
            "service": 0.8,
            "logistics": 0.9,
            "pricing": 0.0,
            "process": 0.0,
            "environment": 0.0,
        },
    }
    assert CategoryResult(category_map([0.0] * 6), (), None).to_dict()["primary"] == ""
    assert _EMOTIONS.to_dict() == {
        "angry": 2,
        "anxious": 0,
        "confused": 0,
        "humorous": 0,
        "aggrieved": 1,
        "emotion_probabilities": {
            "angry": 0.9,
            "anxious": 0.2,
            "confused": 0.0,
            "humorous": 0.0,
            "aggrieved": 0.6,
        },
        "sentiment": 0.125,
    }
    span = {"text": "12315", "start": 7, "end": 12}
    reason = {
        "code": "P1.regulator",
        "level": "P1",
        "zh": "威胁向监管投诉",
        "en": "threatens a regulator",
        "evidence": [span],
        "source": "rule",
    }
    assert _REASON.to_dict() == reason
    context = Reason("P2.vip", Priority.P2, "会员", "a member", source="context")
    assert context.to_dict()["evidence"] == [] and context.to_dict()["source"] == "context"
    priority = PriorityResult(Priority.P1, (_REASON, context), 10, "crisis")
    assert priority.to_dict() == {
        "priority": "P1",
        "deadline_minutes": 10,
        "route": "crisis",
        "reasons": [reason, context.to_dict()],
    }


def test_an_explanation_s_to_dict_keeps_its_terms_in_order() -> None:
    up = (TermWeight("快递", 1.5, (Evidence("快递", 0, 2),)), TermWeight("慢", 0.25, ()))
    down = (TermWeight("很好", -0.5, (Evidence("很好", 5, 7), Evidence("很好", 9, 11))),)
    # the clause stage may leave out a category its head finds likely
    why = Explanation(Category.LOGISTICS, 0.7, False, up, down)
    assert why.to_dict() == {
        "label": "logistics",
        "probability": 0.7,
        "applies": False,
        "terms": [
            {"term": "快递", "weight": 1.5, "evidence": [{"text": "快递", "start": 0, "end": 2}]},
            {"term": "慢", "weight": 0.25, "evidence": []},
        ],
        "against": [
            {
                "term": "很好",
                "weight": -0.5,
                "evidence": [
                    {"text": "很好", "start": 5, "end": 7},
                    {"text": "很好", "start": 9, "end": 11},
                ],
            }
        ],
    }
    angry = Explanation(Emotion.ANGRY, 0.9, True, (), ())
    both = Explanations({Category.LOGISTICS: why, Emotion.ANGRY: angry})
    assert list(both.to_dict()) == ["logistics", "angry"]
    assert both.to_dict()["logistics"] == why.to_dict()


@pytest.mark.parametrize(
    ("flags", "shown"),
    [
        ({}, {"truncated": False, "low_confidence": False, "complaint_probability": None}),
        (
            {"truncated": True, "complaint_probability": 0.75},
            {"truncated": True, "low_confidence": False, "complaint_probability": 0.75},
        ),
        (
            {"low_confidence": True, "complaint_probability": 0.0},
            {"truncated": False, "low_confidence": True, "complaint_probability": 0.0},
        ),
    ],
)
def test_an_assessment_s_to_dict_is_its_parts_and_its_flags(
    flags: dict[str, Any], shown: dict[str, Any]
) -> None:
    text = "快递三天没到，我要打12315"
    a = Assessment(
        text=text,
        primary=_CATEGORIES.primary,
        categories=_CATEGORIES.labels,
        category_probabilities=_CATEGORIES.probabilities,
        emotions=_EMOTIONS.intensities,
        emotion_probabilities=_EMOTIONS.probabilities,
        sentiment=_EMOTIONS.sentiment,
        priority=Priority.P1,
        reasons=(_REASON,),
        deadline_minutes=10,
        route="crisis",
        **flags,
    )
    parts = {
        **_CATEGORIES.to_dict(),
        **_EMOTIONS.to_dict(),
        **PriorityResult(Priority.P1, (_REASON,), 10, "crisis").to_dict(),
    }
    assert a.to_dict() == parts | shown | {"text": text}
    json.dumps(a.to_dict(), ensure_ascii=False, allow_nan=False)


# ---------------------------------------------------------------------------
# The one line an agent reads
# ---------------------------------------------------------------------------


def _assessed(
    text: str, *categories: str, learned: dict[str, float] | None = None, **context: Any
) -> Assessment:
    """The assessment of `text` with the given categories, calm, by the default policy."""
    from triage.priority import Context, prioritize
    from triage.text import normalize

    text = normalize(text)
    chosen = tuple(Category(c) for c in categories)
    found = CategoryResult(
        category_map([0.9 if c in chosen else 0.1 for c in CATEGORIES]),
        chosen,
        chosen[0] if chosen else None,
    )
    calm = EmotionResult(
        emotion_map((0.1,) * len(EMOTIONS)), emotion_map((0,) * len(EMOTIONS)), 0.3
    )
    result = prioritize(
        text, found, calm, learned=learned, context=Context(**context) if context else None
    )
    return Assessment(
        text=text,
        primary=found.primary,
        categories=found.labels,
        category_probabilities=found.probabilities,
        emotions=calm.intensities,
        emotion_probabilities=calm.probabilities,
        sentiment=calm.sentiment,
        priority=result.level,
        reasons=result.reasons,
        deadline_minutes=result.deadline_minutes,
        route=result.route,
    )


def _case(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of `_assessed`, called in the test, not as it is collected."""
    return args, kwargs


@pytest.mark.parametrize(
    ("case", "summary"),
    [
        (
            _case("孩子喝了拉肚子，再不处理我就找记者", "product"),
            "P1 紧急，10 分钟内响应，转客诉升级组，产品问题。"
            "健康受损：腹泻、中毒、过敏等身体不适（“拉肚子”）；媒体或网上曝光，或威胁曝光（“找记者”）",
        ),
        (
            _case("手机三天就黑屏了", "product"),
            "P2 高，30 分钟内响应，转产品部，产品问题。严重质量问题或核心功能不可用（“黑屏”）",
        ),
        (
            _case("快递送错了", "logistics"),
            "P3 中，2 小时内响应，转仓储物流部，物流问题。"
            "具体问题：送错、延误、态度差、质量差等（“送错”）；一般性问题",
        ),
        (
            _case("有点慢，不过还行", "logistics"),
            "P4 低，24 小时内响应，转仓储物流部，物流问题。轻微不满（“有点”“还行”）",
        ),
        (_case("今天天气真好"), "P4 低，24 小时内响应，转客服部。未发现具体问题"),
        (_case(""), "P4 低，24 小时内响应，转客服部。未发现具体问题"),
        # a reason of the context or the model says its own why: the span it
        # borrows to carry evidence (送错) is not what put it there
        (
            _case("快递送错了", "logistics", channel="12345"),
            "P1 紧急，10 分钟内响应，转客诉升级组，物流问题。来自渠道 12345",
        ),
        (
            _case("快递送错了", "logistics", learned={"P1": 0.4, "P2": 0.45, "P4": 0.15}),
            "P2 高，30 分钟内响应，转仓储物流部，物流问题。模型判断为 P2 或更紧急（概率 0.85）",
        ),
    ],
)
def test_an_assessment_s_summary_is_one_line_an_agent_acts_on(
    case: tuple[tuple[Any, ...], dict[str, Any]], summary: str
) -> None:
    args, kwargs = case
    assert _assessed(*args, **kwargs).summary() == summary


@pytest.mark.parametrize(
    ("minutes", "zh", "en"),
    [
        (10, "10 分钟", "10 min"),
        (30, "30 分钟", "30 min"),
        (90, "90 分钟", "90 min"),
        (120, "2 小时", "2 h"),
        (1440, "24 小时", "24 h"),
        (2880, "2 天", "2 days"),
        (1500, "25 小时", "25 h"),
    ],
)
def test_a_deadline_is_said_in_minutes_hours_or_days(minutes: int, zh: str, en: str) -> None:
    from triage.results import duration

    assert (duration(minutes), duration(minutes, english=True)) == (zh, en)

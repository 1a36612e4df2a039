"""Frozen result types returned by the public functions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from triage._words import counted
from triage.exceptions import ParameterError
from triage.labels import CATEGORIES, EMOTIONS, Category, Emotion, Priority

__all__ = [
    "Assessment",
    "CategoryResult",
    "EmotionResult",
    "Evidence",
    "Explanation",
    "Explanations",
    "LabelMap",
    "PriorityResult",
    "Reason",
    "TermWeight",
]

V = TypeVar("V", float, int)


class LabelMap(Mapping[str, V], Generic[V]):
    """An immutable mapping from labels to values, in vocabulary order.

    Keys are the label enums; plain strings work too because the enums are
    `StrEnum`. Unlike ``types.MappingProxyType`` it pickles, so results cross
    process boundaries.

    >>> m = LabelMap(("a", "b"), (0.25, 0.75))
    >>> m["b"], list(m), m
    (0.75, ['a', 'b'], LabelMap({'a': 0.25, 'b': 0.75}))
    """

    __slots__ = ("_index", "_keys", "_values")

    def __init__(self, keys: Sequence[str], values: Sequence[V]) -> None:
        if len(keys) != len(values):
            raise ParameterError(f"{counted(len(keys), 'key')} but {counted(len(values), 'value')}")
        self._keys = tuple(keys)
        self._values: tuple[V, ...] = tuple(values)
        self._index = {k: i for i, k in enumerate(self._keys)}

    def __getitem__(self, key: str) -> V:
        try:
            return self._values[self._index[key]]
        except KeyError:
            labels = [str(k) for k in self._keys]  # 'angry', not <Emotion.ANGRY: 'angry'>
            raise KeyError(f"{key!r} is not a label here; labels are {labels}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LabelMap):
            return self._keys == other._keys and self._values == other._values
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash((self._keys, self._values))

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{str(k)!r}: {v!r}" for k, v in zip(self._keys, self._values, strict=True)
        )
        return f"LabelMap({{{inner}}})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (LabelMap, (self._keys, self._values))

    def to_dict(self) -> dict[str, V]:
        """A plain ``{label: value}`` dict with string keys."""
        return {str(k): v for k, v in zip(self._keys, self._values, strict=True)}


@dataclass(frozen=True, slots=True)
class CategoryResult:
    """What a complaint is about.

    Attributes
    ----------
    probabilities : LabelMap[float]
        Probability that each of the six categories applies.
    labels : tuple of Category
        The categories over their decision threshold (with the clause stage
        of `TriageModel`, the threshold of that stage's probability, so a
        category may apply below its head's probability or not above it),
        primary first, then by decreasing probability. Empty when the text
        complains about nothing.
    primary : Category or None
        The category the customer cares about most; None when `labels` is empty.
    """

    probabilities: LabelMap[float]
    labels: tuple[Category, ...]
    primary: Category | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``categories`` and ``primary`` as in the labeled files."""
        return {
            "categories": [str(c) for c in self.labels],
            "primary": str(self.primary) if self.primary is not None else "",
            "category_probabilities": self.probabilities.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class EmotionResult:
    """The emotions of a complaint and its polarity.

    An emotion is present (intensity 1 or 2) when its probability reaches
    the model's threshold for it, tuned per emotion and often under 0.5
    (``TriageModel.thresholds_["presence"]``: 0.25 for anxious in the
    shipped model); a second head decides among the present ones which are
    strong. A text of low confidence (`Assessment.low_confidence`: no
    Chinese, or no term the model knows) has no emotion whatever its
    probabilities, which stay the model's for inspection: ``！`` alone has
    an angry probability near 1 and intensity 0.

    Attributes
    ----------
    probabilities : LabelMap[float]
        Probability that each of the five emotions is present.
    intensities : LabelMap[int]
        Predicted intensity of each emotion: 0 absent, 1 present, 2 strong.
    sentiment : float
        Polarity in [0, 1]: 0 very negative, 1 very positive; 0.5 when the
        text holds no word the sentiment model knows. It sums the leanings
        of the text's words, each read alone, so a longer text goes to 0
        or 1 and 不满意 is about even: before averaging it over many texts,
        read the model card (``models/README.md``).
    """

    probabilities: LabelMap[float]
    intensities: LabelMap[int]
    sentiment: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the emotions as intensities, as in the labeled files."""
        out: dict[str, Any] = {str(e): self.intensities[e] for e in EMOTIONS}
        out["emotion_probabilities"] = self.probabilities.to_dict()
        out["sentiment"] = self.sentiment
        return out


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of the normalised text that made a rule fire."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TermWeight:
    """A term of a text and how much it moved a label's score.

    Attributes
    ----------
    term : str
        A word or a run of characters of the normalised text.
    weight : float
        What it adds to the label's log-odds (for a category summed over the
        model's two views of it; negative: what it takes away).
    evidence : tuple of Evidence
        Where it stands in the normalised text (its first three places).
    """

    term: str
    weight: float
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; each piece of evidence as ``{"text", "start", "end"}``."""
        return {
            "term": self.term,
            "weight": self.weight,
            "evidence": [{"text": e.text, "start": e.start, "end": e.end} for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a category or an emotion applies to a text, or does not: the terms
    behind its score.

    Attributes
    ----------
    label : Category or Emotion
    probability : float
        That the category applies (`CategoryResult.probabilities`), or that
        the emotion is present (`EmotionResult.probabilities`).
    applies : bool
        Whether the category is among `CategoryResult.labels`, or the
        emotion's intensity is 1 or 2.
    terms : tuple of TermWeight
        The terms that raise its score most, the largest first.
    against : tuple of TermWeight
        The terms that lower it most, the largest first.
    """

    label: Category | Emotion
    probability: float
    applies: bool
    terms: tuple[TermWeight, ...]
    against: tuple[TermWeight, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the label as its name, the terms as `TermWeight.to_dict`."""
        return {
            "label": str(self.label),
            "probability": self.probability,
            "applies": self.applies,
            "terms": [t.to_dict() for t in self.terms],
            "against": [t.to_dict() for t in self.against],
        }


class Explanations(dict[Category | Emotion, Explanation]):
    """What `triage.explain` returns: the six categories, then the five
    emotions, each to its `Explanation`.

    A plain dict, but for its type: a label's name finds its explanation as
    the label does, ``why["logistics"]`` as ``why[Category.LOGISTICS]``, for
    a type checker too (the labels are `StrEnum` members, equal to their
    names).

    >>> why = Explanations({Category.LOGISTICS: Explanation(Category.LOGISTICS, 0.9, True, (), ())})
    >>> why["logistics"].applies, why == {"logistics": why["logistics"]}
    (True, True)
    >>> why.to_dict()["logistics"]["applies"]
    True
    """

    __slots__ = ()

    def __getitem__(self, key: str) -> Explanation:
        return super().__getitem__(key)  # type: ignore[index]  # a name equals its label

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of each label's name to its `Explanation.to_dict`,
        in this order."""
        return {str(label): why.to_dict() for label, why in self.items()}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a priority level was set.

    Attributes
    ----------
    code : str
        Stable identifier, e.g. ``"P1.regulator"``; safe to filter and count on.
    level : Priority
        The level this reason asks for.
    zh, en : str
        Human-readable description in Chinese and English.
    evidence : tuple of Evidence
        Matched spans with their positions in the normalised text: what a
        trigger matched, the cue words of an emotion signal. Empty for the
        category signal, the context and the learned signal, unless the
        reason borrows the text's strongest span: every P1 and P2 carries
        evidence (`triage.priority`).
    source : str
        What set the reason: ``"rule"``, a rule of the policy, a trigger that
        matched the text, a signal that read the model's categories and
        emotions by the policy's thresholds (``P2.emotion.angry``, strong
        anger as the model reads it; ``P3.category``) or the floor
        (``P4.none``); ``"context"``, the
        complaint's history, channel or customer tier (``context.repeat``);
        ``"model"``, the learned signal alone, the model's probabilities of
        the levels raising the level (``model.P2``).
    """

    code: str
    level: Priority
    zh: str
    en: str
    evidence: tuple[Evidence, ...] = ()
    source: str = "rule"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the level as its name (``"P1"``), the evidence as spans."""
        return {
            "code": self.code,
            "level": str(self.level),
            "zh": self.zh,
            "en": self.en,
            "evidence": [{"text": e.text, "start": e.start, "end": e.end} for e in self.evidence],
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class PriorityResult:
    """Priority of a complaint with the reasons that fired.

    Attributes
    ----------
    level : Priority
    reasons : tuple of Reason
        Every reason that fired, most urgent first.
    deadline_minutes : int
        First-response deadline.
    route : str
        The team the complaint goes to.
    """

    level: Priority
    reasons: tuple[Reason, ...]
    deadline_minutes: int
    route: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``priority`` as in the labeled files."""
        return {
            "priority": str(self.level),
            "deadline_minutes": self.deadline_minutes,
            "route": self.route,
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """The full triage of one complaint, as returned by `triage.analyze`.

    `to_dict` uses the column names of the labeled file format for the labeled
    fields (``categories``, ``primary``, ``angry`` ... ``aggrieved`` as
    intensities, ``priority``), so predictions compare directly with labels.

    ``truncated`` is set when the normalised text was cut to `triage.MAX_CHARS`.
    The priority rules read on past the cut, through all of the text that was
    read (`triage.text.PreparedText.rest`): evidence found there, or across
    the cut (a 12315 whose first digit is the last of ``text``), has offsets
    that reach past the end of ``text``, into the normalised text before the
    cut.
    ``low_confidence`` is set when nothing the model learned applies (no
    Chinese, or no known term): such a text has no category and no emotion,
    and only the priority rules, not the model, set its level. Its
    probabilities are still the model's, for inspection: they set no label
    (``！`` alone has an angry probability near 1 and no emotion).
    ``complaint_probability`` is the model's probability that the text
    complains about anything at all; below the model's
    ``min_complaint_proba`` (praise, small talk) it has no category, unless
    it names a concrete problem (``problem_cues`` of `TriageModel`). None
    for a predictor without it (the lexicon baseline).
    """

    text: str
    primary: Category | None
    categories: tuple[Category, ...]
    category_probabilities: LabelMap[float]
    emotions: LabelMap[int]
    emotion_probabilities: LabelMap[float]
    sentiment: float
    priority: Priority
    reasons: tuple[Reason, ...]
    deadline_minutes: int
    route: str
    truncated: bool = False
    low_confidence: bool = False
    complaint_probability: float | None = None

    def summary(self) -> str:
        """The triage in one line of Chinese, for the agent who answers it.

        The level and its name (`Priority.zh`), the first-response deadline
        in minutes, hours or days, the team, the primary category's name
        (`Category.zh`), then each reason that set the level, with the words
        of the text that made its rule fire, quoted. A reason of the context
        or of the model says its own why; what such a reason borrows to
        carry evidence is no cause of it and is not quoted. The other
        reasons, below the level, are in `reasons`.

        Examples
        --------
        >>> import triage
        >>> print(triage.analyze("我买的奶粉孩子喝了拉肚子，再不处理就找记者").summary())
        P1 紧急，10 分钟内响应，转客诉升级组，产品问题。健康受损：腹泻、中毒、过敏等身体不适（“拉肚子”）；媒体或网上曝光，或威胁曝光（“找记者”）
        >>> print(triage.analyze("有点慢，不过还行").summary())
        P4 低，24 小时内响应，转仓储物流部，物流问题。轻微不满（“有点”“还行”）
        """  # noqa: E501  # an example's output is one line
        return summary_line(
            self.priority, self.deadline_minutes, self.route, self.primary, self.reasons
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the labeled fields use the file-format columns."""
        out: dict[str, Any] = {
            "categories": [str(c) for c in self.categories],
            "primary": str(self.primary) if self.primary is not None else "",
        }
        out.update({str(e): self.emotions[e] for e in EMOTIONS})
        out["priority"] = str(self.priority)
        out.update(
            {
                "category_probabilities": self.category_probabilities.to_dict(),
                "complaint_probability": self.complaint_probability,
                "emotion_probabilities": self.emotion_probabilities.to_dict(),
                "sentiment": self.sentiment,
                "deadline_minutes": self.deadline_minutes,
                "route": self.route,
                "reasons": [r.to_dict() for r in self.reasons],
                "truncated": self.truncated,
                "low_confidence": self.low_confidence,
                "text": self.text,
            }
        )
        return out


def summary_line(
    level: Priority,
    deadline_minutes: int,
    route: str,
    primary: Category | None,
    reasons: Sequence[Reason],
) -> str:
    """The one line of `Assessment.summary`, of its parts: what
    `triage.score_frame(summary=True)` writes in its ``summary`` column too,
    so that a row of a scored file reads as ``triage.analyze`` says it.

    >>> from triage.labels import Category, Priority
    >>> said = (Evidence("三次", 4, 6),)
    >>> late = Reason("P2.repeat", Priority.P2, "多次投诉未解决", "repeated", said)
    >>> print(summary_line(Priority.P2, 30, "客服部", Category.SERVICE, (late,)))
    P2 高，30 分钟内响应，转客服部，服务问题。多次投诉未解决（“三次”）
    """
    head = f"{level} {level.zh}，{duration(deadline_minutes)}内响应，转{route}"
    if primary is not None:
        head += f"，{primary.zh}问题"
    said = []
    for r in reasons:
        if r.level is not level:
            continue
        quoted = "".join(f"“{e.text}”" for e in r.evidence) if r.source == "rule" else ""
        said.append(f"{r.zh}（{quoted}）" if quoted else r.zh)
    return f"{head}。{'；'.join(said)}"


def duration(minutes: int, *, english: bool = False) -> str:
    """A deadline as an agent reads it: ``10 分钟``, ``2 小时``, ``24 小时``,
    ``3 天`` (``10 min``, ``2 h``, ``24 h``, ``3 days`` in English), not
    ``1440``.

    >>> duration(30), duration(120), duration(1440), duration(4320), duration(90)
    ('30 分钟', '2 小时', '24 小时', '3 天', '90 分钟')
    >>> duration(1440, english=True), duration(2880, english=True)
    ('24 h', '2 days')
    """
    if minutes > 1440 and minutes % 1440 == 0:
        return f"{minutes // 1440} days" if english else f"{minutes // 1440} 天"
    if minutes >= 60 and minutes % 60 == 0:
        return f"{minutes // 60} h" if english else f"{minutes // 60} 小时"
    return f"{minutes} min" if english else f"{minutes} 分钟"


def category_map(values: Sequence[float]) -> LabelMap[float]:
    return LabelMap(CATEGORIES, tuple(float(v) for v in values))


def emotion_map(values: Sequence[V]) -> LabelMap[V]:
    return LabelMap(EMOTIONS, tuple(values))

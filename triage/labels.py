"""The label vocabulary: six categories, five emotions and four priority levels.

Every value here is spelled exactly as in the label definitions that the
labeled files follow (``LABELS.md``); ``tests/test_labels.py`` keeps the two in
step. Nothing else in the package spells a label as a bare string.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CATEGORIES",
    "EMOTIONS",
    "EMOTION_COLUMNS",
    "INTENSITIES",
    "LABEL_COLUMNS",
    "PRIORITIES",
    "Category",
    "Emotion",
    "Priority",
]


class Category(StrEnum):
    """What a complaint is about (multi-label, plus one primary)."""

    PRODUCT = "product"
    SERVICE = "service"
    LOGISTICS = "logistics"
    PRICING = "pricing"
    PROCESS = "process"
    ENVIRONMENT = "environment"

    @property
    def zh(self) -> str:
        """The Chinese name, e.g. ``Category.LOGISTICS.zh == "物流"``."""
        return _CATEGORY_ZH[self]


class Emotion(StrEnum):
    """An emotion scored with an intensity 0 (absent), 1 (present) or 2 (strong)."""

    ANGRY = "angry"
    ANXIOUS = "anxious"
    CONFUSED = "confused"
    HUMOROUS = "humorous"
    AGGRIEVED = "aggrieved"

    @property
    def zh(self) -> str:
        """The Chinese name, e.g. ``Emotion.ANGRY.zh == "愤怒"``."""
        return _EMOTION_ZH[self]


class Priority(StrEnum):
    """Urgency of a complaint; ``P1`` is the most urgent.

    Levels compare by urgency: ``Priority.P1.rank < Priority.P4.rank``.
    """

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def rank(self) -> int:
        """1 for P1 (most urgent) to 4 for P4."""
        return int(self.value[1])

    @property
    def zh(self) -> str:
        """The Chinese name, e.g. ``Priority.P1.zh == "紧急"``."""
        return _PRIORITY_ZH[self]

    @property
    def default_deadline_minutes(self) -> int:
        """The first-response time of the label definitions, in minutes."""
        return _PRIORITY_DEADLINE[self]

    def higher(self, other: Priority) -> Priority:
        """Return the more urgent of two levels.

        >>> Priority.P3.higher(Priority.P1)
        <Priority.P1: 'P1'>
        """
        return self if self.rank <= other.rank else other


_CATEGORY_ZH = {
    Category.PRODUCT: "产品",
    Category.SERVICE: "服务",
    Category.LOGISTICS: "物流",
    Category.PRICING: "价格",
    Category.PROCESS: "流程",
    Category.ENVIRONMENT: "环境",
}
_EMOTION_ZH = {
    Emotion.ANGRY: "愤怒",
    Emotion.ANXIOUS: "焦虑",
    Emotion.CONFUSED: "迷茫",
    Emotion.HUMOROUS: "幽默",
    Emotion.AGGRIEVED: "委屈",
}
_PRIORITY_ZH = {Priority.P1: "紧急", Priority.P2: "高", Priority.P3: "中", Priority.P4: "低"}
_PRIORITY_DEADLINE = {Priority.P1: 10, Priority.P2: 30, Priority.P3: 120, Priority.P4: 24 * 60}

CATEGORIES: tuple[Category, ...] = tuple(Category)
EMOTIONS: tuple[Emotion, ...] = tuple(Emotion)
PRIORITIES: tuple[Priority, ...] = tuple(Priority)
INTENSITIES: tuple[int, ...] = (0, 1, 2)

#: Emotion intensity columns of a labeled file, in file order.
EMOTION_COLUMNS: tuple[str, ...] = tuple(e.value for e in EMOTIONS)
#: The labeled columns of the file format, in file order.
LABEL_COLUMNS: tuple[str, ...] = ("categories", "primary", *EMOTION_COLUMNS, "priority")

"""The vocabulary is the one of LABELS.md, spelled the same."""

from __future__ import annotations

import re

import pytest

from tests.conftest import require_data
from triage.labels import (
    CATEGORIES,
    EMOTIONS,
    INTENSITIES,
    LABEL_COLUMNS,
    PRIORITIES,
    Category,
    Emotion,
    Priority,
)


def _table_labels(markdown: str, heading: str) -> list[str]:
    section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.M)


@pytest.fixture(scope="module")
def labels_md() -> str:
    return require_data("LABELS.md").read_text(encoding="utf-8")


def test_categories_match_labels_md(labels_md: str) -> None:
    assert [str(c) for c in CATEGORIES] == _table_labels(labels_md, "## Category")


def test_emotions_match_labels_md(labels_md: str) -> None:
    assert [str(e) for e in EMOTIONS] == _table_labels(labels_md, "## Emotions")


def test_priorities_and_deadlines_match_labels_md(labels_md: str) -> None:
    rows = re.findall(r"^\| `(P\d)` \| (\S+) .*\| (\d+) (minutes|hours) \|$", labels_md, flags=re.M)
    assert [r[0] for r in rows] == [str(p) for p in PRIORITIES]
    for level, zh, amount, unit in rows:
        minutes = int(amount) * (60 if unit == "hours" else 1)
        assert Priority(level).default_deadline_minutes == minutes
        assert Priority(level).zh == zh


def test_chinese_names_match_labels_md(labels_md: str) -> None:
    for label in (*CATEGORIES, *EMOTIONS):
        assert f"| `{label}` | {label.zh} |" in labels_md


def test_intensities_match_labels_md(labels_md: str) -> None:
    # "0 = absent, 1 = present, 2 = strong" and the file format's "int 0-2"
    scale = tuple(int(n) for n in re.findall(r"(\d) = (?:absent|present|strong)", labels_md))
    low, high = re.findall(r"\| int (\d)-(\d) \|", labels_md)[0]
    assert scale == tuple(range(int(low), int(high) + 1)) == (0, 1, 2)
    assert scale == INTENSITIES


def test_file_columns_match_labels_md(labels_md: str) -> None:
    fmt = labels_md.split("## File format", 1)[1]
    columns = re.findall(r"^\| `([a-z_` ]+)` \|", fmt, flags=re.M)
    flat = [c for cell in columns for c in cell.replace("`", "").split()]
    assert flat[flat.index("categories") :] == list(LABEL_COLUMNS)


@pytest.mark.parametrize(
    ("a", "b", "higher"),
    [("P1", "P4", "P1"), ("P3", "P2", "P2"), ("P4", "P4", "P4"), ("P2", "P1", "P1")],
)
def test_higher_takes_the_more_urgent(a: str, b: str, higher: str) -> None:
    assert Priority(a).higher(Priority(b)) is Priority(higher)


def test_enums_compare_equal_to_their_strings() -> None:
    assert Category.LOGISTICS == "logistics"
    assert Emotion("angry") is Emotion.ANGRY
    assert {Category.PRICING: 1}["pricing"] == 1

"""Batch scoring: `score_frame`, `score_file`, parallel runs and Dask."""

from __future__ import annotations

import bz2
import codecs
import contextlib
import dataclasses
import datetime
import functools
import gc
import gzip
import inspect
import io
import json
import lzma
import math
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import triage
from triage import batch
from triage._io import Rows, file_format
from triage.batch import (
    OUTPUT_COLUMNS,
    OUTPUT_FORMAT_VERSION,
    SUMMARY_COLUMN,
    WHY_COLUMN,
    ProgressLine,
    ScoreSummary,
    score_file,
    score_frame,
    scored_by,
)
from triage.cli import main
from triage.exceptions import ColumnError, InputFileError
from triage.labeled import read_labeled
from triage.labels import CATEGORIES, EMOTIONS
from triage.priority import Context
from triage.vectors import read_texts

from .conftest import as_from_a_terminal, require_data

TEXTS = [
    "草,11点下单,1点送到",
    "以前最信赖的京东，现在真让人失望。买了俩件就发了一件。多次联系客服，每次都说要核实查监控。"
    "我等了3天都没回音。差评！差评！差评！",
    "说好的三样赠品一样都没有，联系客服不承认，已打12315投诉",
    "等了两个小时外卖终于到了，小哥是绕地球一圈送的吧😂",
    "为什么同样的套餐我每个月被多扣了10块钱？客服说是系统规定，什么规定也说不清楚",
    "孩子吃了你们的奶粉一直拉肚子，现在在医院，再不处理我就找媒体曝光",
    "房间隔音太差，隔壁说话都听得清清楚楚，一晚上没睡好",
    "建议你们的APP把退货入口做得明显一点，找了半天",
    "前台态度冷淡，问个问题爱答不理的，我们也是花了钱的",
    "今天天气真好，出去玩了一天",
    "這家店的服務態度太差了！！！😡",
    "<p>快递&nbsp;一周还没到</p>",
    "ok",
    "😂😂😂",
    "还好没有拉肚子",
    # praise under the complaint gate, a counterfeit named: its category read from the clauses
    "快递很快，包装也很好，可惜是假货",
    # two complaints: the primary is the first
    "质量不好，价格还贵",
    "快递" * 1500,  # past the length limit: last
]

BAD: list[tuple[Any, str]] = [
    (None, "missing text"),
    (math.nan, "missing text"),
    (pd.NA, "missing text"),
    (pd.NaT, "missing text"),
    # the missing values of numpy's and Python's own types in an object column
    (np.float32("nan"), "missing text"),
    (np.datetime64("NaT", "ns"), "missing text"),
    (Decimal("NaN"), "missing text"),
    (Decimal("sNaN"), "missing text"),  # pd.isna raises on this one
    (Decimal("1.5"), "not a string: Decimal"),
    (3, "not a string: int"),
    (2.5, "not a string: float"),
    ("", "empty text"),
    ("  \n ", "empty text"),
    # nothing left after normalisation is no text either
    ("\u200b\u200c\u200d\ufeff\u2060", "empty text"),
    ("\u200d", "empty text"),
    ("\x00\x07\x1b", "empty text"),
    ("<br><br>", "empty text"),
    ("&nbsp;", "empty text"),
    # a binary column (written by Impala or Hive, or read by a database driver)
    (b"bytes", "not a string: bytes; decode the column first"),
    (bytearray(b"bytes"), "not a string: bytearray; decode the column first"),
]


def expected_row(a: triage.Assessment) -> dict[str, Any]:
    """What `score_frame` must say about a text that `analyze` assessed as `a`."""
    row: dict[str, Any] = {
        "categories": "|".join(a.categories),
        "primary": a.primary or "",
        **{str(e): a.emotions[e] for e in EMOTIONS},
        "priority": str(a.priority),
        **{f"prob_{c}": a.category_probabilities[c] for c in CATEGORIES},
        **{f"prob_{e}": a.emotion_probabilities[e] for e in EMOTIONS},
        "prob_complaint": a.complaint_probability,
        "sentiment": a.sentiment,
        "deadline_minutes": a.deadline_minutes,
        "route": a.route,
        "reasons": "|".join(r.code for r in a.reasons),
        "truncated": a.truncated,
        "low_confidence": a.low_confidence,
        "error": "",
    }
    return row


def assert_row(got: pd.Series, want: dict[str, Any]) -> None:
    for col, value in want.items():
        if isinstance(value, float):
            assert got[col] == pytest.approx(value, abs=1e-9), col
        else:
            assert got[col] == value, col


@pytest.fixture(scope="module")
def expected() -> dict[str, dict[str, Any]]:
    return {t: expected_row(triage.analyze(t)) for t in TEXTS}


def test_columns_dtypes_and_index() -> None:
    frame = pd.DataFrame({"text": TEXTS[:3], "other": [1, 2, 3]}, index=["a", "b", "c"])
    out = score_frame(frame)
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert out.index.tolist() == ["a", "b", "c"]
    assert str(out["angry"].dtype) == "Int64"
    assert str(out["deadline_minutes"].dtype) == "Int64"
    assert out["truncated"].dtype == bool
    assert out["error"].tolist() == ["", "", ""]


def test_equals_analyze_on_every_row(expected: dict[str, dict[str, Any]]) -> None:
    out = score_frame(pd.DataFrame({"text": TEXTS}), chunk_size=5)
    for i, text in enumerate(TEXTS):
        assert_row(out.iloc[i], expected[text])
    assert out["truncated"].iloc[-1]


def test_analyze_gives_the_scores_of_the_batch_to_the_last_bit(
    expected: dict[str, dict[str, Any]],
) -> None:
    # analyze multiplied one text's features by BLAS, which rounds otherwise
    # than the batch's products and otherwise from one CPU to another: the
    # two paths, and two machines, differed in the last bits of a score
    texts = [*TEXTS, "孩子买的玩具车轮子掉了，小零件差点被吞下去，客服还一直推脱说不是质量问题"]
    want = [expected.get(t) or expected_row(triage.analyze(t)) for t in texts]
    out = score_frame(pd.DataFrame({"text": texts}))
    for i, row in enumerate(want):
        floats = {col: value for col, value in row.items() if isinstance(value, float)}
        assert {col: out[col].iloc[i] for col in floats} == floats, texts[i]


def test_rows_go_to_the_priority_engine_without_a_call_of_prioritize_each(
    expected: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a row built three LabelMaps and two results, which prioritize checked
    # again, with the policy and the text: some sixth of the priority stage
    import triage.priority

    def unused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("prioritize was called for a row")

    monkeypatch.setattr(triage.priority, "prioritize", unused)
    out = score_frame(pd.DataFrame({"text": TEXTS}))
    for i, text in enumerate(TEXTS):
        assert_row(out.iloc[i], expected[text])


@pytest.mark.parametrize(("value", "error"), BAD)
def test_bad_rows_get_an_error_not_a_crash(value: Any, error: str) -> None:
    frame = pd.DataFrame({"text": pd.Series(["快递太慢", value, "房间很脏"], dtype=object)})
    out = score_frame(frame)
    assert out["error"].tolist() == ["", error, ""]
    bad = out.iloc[1]
    assert bad["categories"] == bad["primary"] == bad["priority"] == bad["reasons"] == ""
    assert pd.isna(bad["angry"]) and pd.isna(bad["deadline_minutes"])
    assert np.isnan(bad["prob_product"]) and np.isnan(bad["sentiment"])
    assert out.iloc[0]["primary"] == "logistics"


def test_empty_frame_and_all_bad() -> None:
    empty = score_frame(pd.DataFrame({"text": pd.Series([], dtype=object)}))
    assert tuple(empty.columns) == OUTPUT_COLUMNS and len(empty) == 0
    bad = score_frame(pd.DataFrame({"text": [None, ""]}, index=[5, 5]))
    assert bad.index.tolist() == [5, 5]
    assert bad["error"].tolist() == ["missing text", "empty text"]


def test_arithmetic_on_the_integer_columns_does_not_wrap_around() -> None:
    # the emotions were Int8 and the deadline Int32: a weight of 100 made an
    # intensity of 2 -56, and a deadline in microseconds wrapped round
    frame = pd.DataFrame({"text": ["气死我了！！快递一周还没到，客服也不理人，太让人着急了", None]})
    out = score_frame(frame)
    assert out["angry"].tolist() == [2, pd.NA]
    assert (out["angry"] * 100 + out["anxious"] * 50).tolist() == [250, pd.NA]
    minutes = int(out["deadline_minutes"][0])
    assert (out["deadline_minutes"] * 60_000_000).tolist() == [minutes * 60_000_000, pd.NA]


# the dtype pandas gives a column of text: ``str`` from pandas 3, object before
TEXT_DTYPE = pd.Series(["快递"]).dtype
OUTPUT_DTYPES = {
    **dict.fromkeys(("categories", "primary", "priority", "route", "reasons", "error"), TEXT_DTYPE),
    **{str(e): pd.Int64Dtype() for e in EMOTIONS},
    **{c: np.dtype("float64") for c in OUTPUT_COLUMNS if c.startswith("prob_")},
    "sentiment": np.dtype("float64"),
    "deadline_minutes": pd.Int64Dtype(),
    "truncated": np.dtype(bool),
    "low_confidence": np.dtype(bool),
}


@pytest.mark.parametrize(
    "cells",
    [
        pytest.param(["快递一周还没到，客服也不回"], id="one row"),
        pytest.param(["房间很脏", None, "", 3], id="some bad rows"),
        pytest.param([None, "  ", b"bytes"], id="only bad rows"),
        pytest.param([], id="no rows"),
    ],
)
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_output_dtypes_do_not_depend_on_the_rows(cells: list[Any], n_jobs: int) -> None:
    # so that scored batches concatenate, and a Dask frame's meta is right
    out = score_frame(pd.DataFrame({"text": pd.Series(cells, dtype=object)}), n_jobs=n_jobs)
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert out.dtypes.to_dict() == OUTPUT_DTYPES


FOUR = ["快递一周还没到", None, "房间很脏，空调还坏了", "同样的套餐每个月被多扣十块钱"]
INDEXES = {
    "range": pd.RangeIndex(4, name="row"),
    "strings": pd.Index(["甲", "乙", "丙", "丁"], name="ticket"),
    "dates": pd.date_range("2024-03-01", periods=4, freq="h", tz="Asia/Shanghai", name="at"),
    "two levels": pd.MultiIndex.from_arrays([["北京", "北京", "上海", "上海"], [1, 2, 1, 2]]),
    "repeated": pd.Index([7, 7, 3, 7], name="shop"),
    "with NaN": pd.Index([1.0, np.nan, 2.0, np.nan], name="case"),
}


@pytest.mark.parametrize("index", INDEXES.values(), ids=INDEXES.keys())
@pytest.mark.parametrize(
    "rows", [slice(None), slice(1, 3), slice(0, 0)], ids=["all", "part", "none"]
)
def test_output_has_the_index_of_the_input_and_renaming_it_leaves_the_input_alone(
    index: pd.Index, rows: slice
) -> None:
    frame = pd.DataFrame({"text": FOUR}, index=index).iloc[rows]
    before = frame.copy()
    out = score_frame(frame)
    pd.testing.assert_index_equal(out.index, frame.index, exact=True)
    assert out["error"].tolist() == ["" if t else "missing text" for t in FOUR[rows]]
    # a notebook names the index of the scores in place; the input keeps its own
    out.index.names = ["renamed"] * out.index.nlevels
    pd.testing.assert_frame_equal(frame, before)


pool = st.sampled_from(TEXTS[:12] + [v for v, _ in BAD[:4]])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cells=st.lists(pool, max_size=30),
    labels=st.lists(st.integers(-3, 3), min_size=30, max_size=30),
    chunk=st.integers(1, 8),
)
def test_rows_keep_index_order_and_count(
    expected: dict[str, dict[str, Any]], cells: list[Any], labels: list[int], chunk: int
) -> None:
    # shuffled, duplicated index values; bad rows mixed in
    index = pd.Index(labels[: len(cells)], dtype="int64")
    frame = pd.DataFrame({"text": pd.Series(cells, index=index, dtype=object)})
    out = score_frame(frame, chunk_size=chunk)
    assert len(out) == len(frame)
    assert out.index.equals(frame.index)
    # bit for bit what one chunk gives: no score depends on its neighbours
    pd.testing.assert_frame_equal(out, score_frame(frame), check_exact=True)
    for i, cell in enumerate(cells):
        if isinstance(cell, str):
            assert out["error"].iloc[i] == ""
            assert out["categories"].iloc[i] == expected[cell]["categories"]
            assert out["reasons"].iloc[i] == expected[cell]["reasons"]
        else:
            assert out["error"].iloc[i] == "missing text" or "not a string" in out["error"].iloc[i]


def test_score_frame_holds_no_object_of_a_row_once_its_chunk_is_scored() -> None:
    # beyond the result it returns, score_frame's peak is that of a chunk in
    # flight: each chunk's scores go into the result's columns as they come,
    # rather than every chunk held, concatenated and copied into the frame
    # (some 600 to 750 bytes a row above the result); texts made Python
    # strings a chunk at a time, not the whole column at once
    import tracemalloc

    said = ["快递一周还没到", "客服电话打了八次没人接", "退款说好三天到账，半个月了还没退",
            "房间里有股霉味，床单也没换", "汤里吃出一根头发，喝完肚子一直疼",
            "再不处理我就找记者曝光", "骑手把外卖洒了一半还让我给好评"]  # fmt: skip
    rows = 2000
    texts = [f"{said[i % 7]}，{said[i * 3 % 7]}！订单{i}" for i in range(rows)]
    frame = pd.DataFrame({"text": texts})
    options: dict[str, Any] = {"model": triage.LexiconModel(), "chunk_size": 100}
    score_frame(frame.iloc[:100], **options)  # the dictionary and the rules loaded
    tracemalloc.start()
    try:
        scored = score_frame(frame, **options)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(scored) == rows and not scored["error"].any()
    assert (peak - held) / rows < 300  # bytes a row


def test_the_context_fields_are_those_of_context() -> None:
    # context_columns and the CLI's --context FIELD=COLUMN name them
    import dataclasses

    from triage.batch import CONTEXT_FIELDS

    assert tuple(f.name for f in dataclasses.fields(Context)) == CONTEXT_FIELDS


@pytest.mark.parametrize("chunk_size", [10_000, 3, 1])
def test_context_columns_match_analyze_with_context(chunk_size: int) -> None:
    # each chunk with its own rows' contexts
    frame = pd.DataFrame(
        {
            "text": ["快递太慢了", "快递太慢了", "快递太慢了", "房间很脏"],
            "n": [0, 3, None, 1],
            "ch": [None, "weibo", "12315", None],
            "tier": ["vip", None, None, ""],
        }
    )
    cols = {"recent_complaints": "n", "channel": "ch", "customer_tier": "tier"}
    out = score_frame(frame, context_columns=cols, chunk_size=chunk_size)
    contexts = [
        Context(customer_tier="vip"),
        Context(recent_complaints=3, channel="weibo"),
        Context(channel="12315"),
        Context(recent_complaints=1),
    ]
    for i, ctx in enumerate(contexts):
        a = triage.analyze(frame["text"][i], context=ctx)
        assert out["priority"][i] == str(a.priority)
        assert out["reasons"][i] == "|".join(r.code for r in a.reasons)
    assert out["priority"][2] == "P1"
    with pytest.raises(ValueError, match="recent_complaints"):
        score_frame(frame, context_columns={"recent": "n"})
    with pytest.raises(KeyError, match="nope"):
        score_frame(frame, context_columns={"channel": "nope"})


@pytest.mark.parametrize(
    ("cells", "channel"),
    [
        # codes in a column with an empty cell: pandas reads them as floats
        ([12315, None], "12315"),
        ([12315.0, 1.0], "12315"),
        ([np.float32(12345), None], "12345"),
        (pd.array([12315, None], dtype="Int64"), "12315"),
        # a DECIMAL(10, 1) column of a database, as pd.read_sql gives it
        ([Decimal("12315.0"), None], "12315"),
        ([Decimal("12315.00"), Decimal("1.5")], "12315"),
        ([" weibo ", None], "weibo"),
        (["weibo\t", "app"], "weibo"),
        # such floats written to a CSV and read back as text
        (["12315.0", None], "12315"),
        # a zero-width space pasted with the code
        (["12315\u200b", "app"], "12315"),
    ],
    ids=[
        "int-with-gap",
        "floats",
        "float32",
        "nullable-int",
        "decimal",
        "decimals",
        "spaces",
        "tab",
        "float-text",
        "zero-width",
    ],
)
# the second cell of most (1.0, app, 1.5) matches no key, and is said to
@pytest.mark.filterwarnings("ignore:.* matched no key of the policy:triage.TriageWarning")
def test_a_channel_cell_is_read_as_the_policy_writes_it(cells: Any, channel: str) -> None:
    frame = pd.DataFrame({"text": ["快递太慢了", "快递太慢了"], "ch": cells})
    out = score_frame(frame, context_columns={"channel": "ch"})
    expected = triage.analyze("快递太慢了", context=Context(channel=channel))
    plain = triage.analyze("快递太慢了")
    assert out["priority"][0] == str(expected.priority) != str(plain.priority)
    assert out["reasons"][0] == "|".join(r.code for r in expected.reasons)
    tiers = score_frame(frame.assign(ch=[" vip ", 1.0]), context_columns={"customer_tier": "ch"})
    assert "context.tier.vip" in tiers["reasons"][0]


@pytest.mark.parametrize(
    ("count", "recent", "error"),
    [
        (3, 3, ""),
        ("3", 3, ""),
        (" 3.0 ", 3, ""),
        (3.0, 3, ""),
        (np.int64(3), 3, ""),
        (None, 0, ""),
        ("", 0, ""),
        ("abc", None, "recent_complaints (column 'n') is not a count: 'abc'"),
        (1.5, None, "recent_complaints (column 'n') is not a count: '1.5'"),
        (-1, None, "recent_complaints (column 'n') is not a count: '-1'"),
        (True, None, "recent_complaints (column 'n') is not a count: 'True'"),
        # as a CRM export writes them
        ("3次", None, "recent_complaints (column 'n') is not a count: '3次'"),
        ("无", None, "recent_complaints (column 'n') is not a count: '无'"),
        ("-2", None, "recent_complaints (column 'n') is not a count: '-2'"),
    ],
)
def test_a_bad_context_cell_flags_its_row_only(count: Any, recent: int | None, error: str) -> None:
    frame = pd.DataFrame(
        {"text": ["快递太慢了", "房间很脏"], "n": pd.Series([count, 0], dtype=object)}
    )
    out = score_frame(frame, context_columns={"recent_complaints": "n"})
    assert out["error"].tolist() == [error, ""]
    assert out["priority"][1] == str(triage.analyze("房间很脏").priority)
    if recent is None:
        assert out["priority"][0] == ""
    else:
        expected = triage.analyze("快递太慢了", context=Context(recent_complaints=recent))
        assert out["priority"][0] == str(expected.priority)


def test_a_column_of_contexts_is_read_once_a_distinct_row_of_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # each row's cells were read and made a Context anew, in the calling
    # process: a fifth of a row's time in a 2-job batch, on columns of a few values
    made = []
    post_init = Context.__post_init__
    monkeypatch.setattr(Context, "__post_init__", lambda self: (made.append(1), post_init(self)))
    n = 3000
    frame = pd.DataFrame(
        {
            "text": ["快递太慢了"] * n,
            "ch": ["抖音", "12315", None] * (n // 3),
            "tier": pd.Series([np.nan, "vip", "vip"] * (n // 3), dtype=object),
            "n": [0, 3, 3] * (n // 3),
        }
    )
    cols = {"channel": "ch", "customer_tier": "tier", "recent_complaints": "n"}
    with pytest.warns(triage.TriageWarning, match="'抖音' \\(1,000\\)"):
        out = score_frame(frame, context_columns=cols)
    assert len(made) <= 6  # of three rows of cells, and of their values matched to the policy
    with pytest.warns(triage.TriageWarning, match="channel '抖音' matches no key"):
        douyin = triage.analyze("快递太慢了", context=Context(channel="抖音"))
    assert out["reasons"][:3].tolist() == [
        "|".join(r.code for r in a.reasons)
        for a in (
            douyin,
            triage.analyze(
                "快递太慢了",
                context=Context(recent_complaints=3, channel="12315", customer_tier="vip"),
            ),
            triage.analyze("快递太慢了", context=Context(recent_complaints=3, customer_tier="vip")),
        )
    ]


@pytest.mark.parametrize(
    ("cells", "said"),
    [
        # equal, but written otherwise: each is said as it is written
        ([0.0, -0.0], ["'0.0'", "'-0.0'"]),
        ([Decimal("1.5"), Decimal("1.50")], ["'1.5'", "'1.50'"]),
        ([1, True], ["'1'", "'True'"]),
    ],
)
def test_cells_equal_but_written_otherwise_are_each_read_as_written(
    cells: list[Any], said: list[str]
) -> None:
    frame = pd.DataFrame({"text": ["快递太慢了"] * 2, "n": pd.Series(cells, dtype=object)})
    out = score_frame(frame, context_columns={"recent_complaints": "n"})
    if isinstance(cells[0], Decimal):
        assert out["error"].tolist() == [
            f"recent_complaints (column 'n') is not a count: {s}" for s in said
        ]
    with pytest.warns(triage.TriageWarning) as caught:
        score_frame(frame, context_columns={"channel": "n"})
    assert str(caught[0].message).endswith(f": {said[0]} (1), {said[1]} (1)")


def test_a_bad_context_cell_is_named_by_its_column_when_the_field_is_not() -> None:
    # "recent_complaints is not a count" in a file whose count column is 次数
    frame = pd.DataFrame({"text": ["快递太慢了"] * 2, "次数": ["3次", "2"]})
    same = frame.rename(columns={"次数": "recent_complaints"})
    out = score_frame(frame, context_columns={"recent_complaints": "次数"})
    assert out["error"].tolist() == ["recent_complaints (column '次数') is not a count: '3次'", ""]
    out = score_frame(same, context_columns={"recent_complaints": "recent_complaints"})
    assert out["error"].tolist() == ["recent_complaints is not a count: '3次'", ""]


@pytest.mark.parametrize(
    ("field", "key", "reason"),
    [("channel", "12315", "context.channel.12315"), ("customer_tier", "vip", "context.tier.vip")],
)
@pytest.mark.parametrize("kind", [bytes, bytearray, np.bytes_])
def test_a_channel_or_tier_of_bytes_flags_its_row_rather_than_miss_the_policy(
    field: str, key: str, reason: str, kind: type
) -> None:
    # a binary column, as Impala and older Hive write strings to Parquet: its
    # b"12315" was the channel "b'12315'", and the row lost its P1 floor unsaid
    cells = pd.Series([kind(key.encode()), key, None], dtype=object)
    frame = pd.DataFrame({"text": ["快递太慢了"] * 3, "c": cells})
    out = score_frame(frame, context_columns={field: "c"})
    error = f"{field} (column 'c') is not a string: {kind.__name__}; decode the column first"
    assert out["error"].tolist() == [error, "", ""]
    assert out["priority"][0] == ""
    assert reason in out["reasons"][1] and reason not in out["reasons"][2]


@pytest.mark.parametrize("count", [3, "abc"])
def test_a_text_that_normalises_to_nothing_is_scored_as_the_empty_text(count: Any) -> None:
    texts = ["", "\u200b\u200d", "<br><br>", "\x07", "快递太慢了"]
    frame = pd.DataFrame({"text": texts, "n": pd.Series([count] * 5, dtype=object)})
    for context in (None, {"recent_complaints": "n"}):
        out = score_frame(frame, context_columns=context)
        assert out.iloc[1:4].equals(out.iloc[[0, 0, 0]].set_axis(out.index[1:4]))
        assert out["error"].tolist()[:4] == ["empty text"] * 4


KEPT = [
    # input columns, score columns renamed because the input has their names
    pytest.param(["text", "shop"], {}, id="no shared name"),
    pytest.param(
        ["text", "categories", "primary", "angry", "priority"],
        {c: f"triage_{c}" for c in ("categories", "primary", "angry", "priority")},
        id="a labeled frame",
    ),
    pytest.param(
        ["text", "priority", "triage_priority", "error"],
        {"priority": "triage_triage_priority", "error": "triage_error"},
        id="scored before",
    ),
    pytest.param(["priority"], {"priority": "triage_priority"}, id="text named like a score"),
    # a CRM's Priority: SQL engines, Spark and Hive read names whatever their case
    pytest.param(
        ["text", "Priority", "ANGRY"],
        {"priority": "triage_priority", "angry": "triage_angry"},
        id="a name in other letter case",
    ),
    pytest.param(
        ["text", "Priority", "Triage_Priority"],
        {"priority": "triage_triage_priority"},
        id="scored before, in other letter case",
    ),
]


@pytest.mark.parametrize(("columns", "renamed"), KEPT)
@pytest.mark.parametrize(
    "index", [[7, 7, 3, 7], ["甲", "乙", "丙", "丁"]], ids=["repeated", "unique"]
)
def test_keep_input_puts_the_scores_beside_the_input_row_by_row(
    columns: list[str], renamed: dict[str, str], index: list[Any]
) -> None:
    cells = {
        "text": FOUR,
        "shop": ["旗舰店", "旗舰店", "二店", "二店"],
        "categories": ["logistics", "", "environment", "pricing"],
        "primary": ["logistics", "", "environment", "pricing"],
        "angry": [1, 0, 0, 2],
        "priority": ["P3", "P4", "P3", "P2"],
        "triage_priority": ["P3", "", "P3", "P3"],
        "error": ["", "missing text", "", ""],
        "Priority": ["高", "低", "中", "高"],
        "ANGRY": ["是", "否", "否", "是"],
        "Triage_Priority": ["P3", "", "P3", "P3"],
    }
    text_column = columns[0]
    frame = pd.DataFrame({c: cells["text" if c == text_column else c] for c in columns}, index)
    before = frame.copy()
    scores = score_frame(frame, text_column=text_column)
    out = score_frame(frame, text_column=text_column, keep_input=True)
    # every input column as it was, then every score column, one row per input row
    assert out.columns.tolist() == columns + [renamed.get(c, c) for c in OUTPUT_COLUMNS]
    pd.testing.assert_frame_equal(out[columns], before)
    pd.testing.assert_frame_equal(out.iloc[:, len(columns) :], scores.rename(columns=renamed))
    # with a repeated index value, a join would pair every copy with every copy
    if frame.index.is_unique and not renamed:
        pd.testing.assert_frame_equal(out, frame.join(scores))
    out.index.name = "renamed"
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("flag", ["no", "False", 0, None])
def test_keep_input_that_is_no_bool_is_refused(flag: object) -> None:
    # "no" is true: the input's columns came back beside the scores
    frame = pd.DataFrame({"text": ["快递一周还没到"]})
    with pytest.raises(triage.ParameterError, match=r"^keep_input must be True or False, got "):
        score_frame(frame, keep_input=flag)  # type: ignore[arg-type]
    numpy_false: Any = np.bool_(False)  # as a frame's cell gives it
    assert list(score_frame(frame, keep_input=numpy_false)) == list(OUTPUT_COLUMNS)


@pytest.mark.parametrize("rows", [FOUR, []], ids=["rows", "none"])
def test_keep_input_beside_columns_of_two_levels_keeps_them_levels(rows: list[Any]) -> None:
    # a pivot's columns, or a spreadsheet's header of two rows: the input's
    # and the scores' names came back as one flat index of tuples and
    # strings, so out["工单"] failed, and the levels' names were lost
    columns = pd.MultiIndex.from_tuples(
        [("投诉", "内容"), ("工单", "渠道"), ("Priority", "crm")], names=["组", "字段"]
    )
    frame = pd.DataFrame(
        {c: [f"{c[1]}{i}" for i in range(len(rows))] for c in columns[1:]}, columns=columns
    )
    frame[("投诉", "内容")] = rows
    before = frame.copy()
    out = score_frame(frame, text_column=("投诉", "内容"), keep_input=True)
    scores = score_frame(frame, text_column=("投诉", "内容"))
    # the scores are (name, ""), as pandas names a column added to such a frame;
    # priority is compared with the first level, where a CRM's Priority is
    named = [("triage_priority" if c == "priority" else c, "") for c in OUTPUT_COLUMNS]
    assert out.columns.tolist() == [*columns, *named]
    assert out.columns.names == ["组", "字段"]
    pd.testing.assert_frame_equal(out[columns], before)
    assert out["工单"].columns.tolist() == ["渠道"]
    pd.testing.assert_series_equal(out["primary"], scores["primary"], check_names=False)
    assert out["triage_priority"].tolist() == scores["priority"].tolist()
    flat = pd.DataFrame({"text": rows}).rename_axis(columns="字段")
    assert score_frame(flat, keep_input=True).columns.name == "字段"


def test_keep_input_of_an_empty_frame_has_every_column() -> None:
    frame = pd.DataFrame({"id": pd.Series([], dtype="int64"), "text": pd.Series([], dtype=str)})
    out = score_frame(frame, keep_input=True)
    assert out.columns.tolist() == ["id", "text", *OUTPUT_COLUMNS]
    assert out.dtypes.to_dict() == {"id": np.dtype("int64"), "text": TEXT_DTYPE} | OUTPUT_DTYPES


def test_a_text_column_named_twice_is_a_clear_error() -> None:
    frame = pd.DataFrame([["快递太慢了", "好"]], columns=["text", "text"])
    with pytest.raises(ValueError, match="column 'text' appears 2 times in the frame"):
        score_frame(frame)


@pytest.mark.parametrize(
    ("text_column", "said"),
    [
        # a position, as iloc takes it
        (1, r"^no column 1 in the frame; .*not its position: .*, pass text_column='text'$"),
        (np.int64(-1), r"for the column at -1, pass text_column='text'$"),
        (None, r"^no column None in the frame; .* the name of a column \(a str\), got NoneType$"),
        (["text"], r"the name of a column \(a str\), got list$"),
        (2, r"the name of a column \(a str\), got int$"),  # no column there
    ],
)
def test_a_text_column_that_is_no_name_of_the_frame_says_what_it_takes(
    text_column: Any, said: str
) -> None:
    # each was "no column 1 in the frame; ... name the text column with
    # text_column=", as if the frame lacked a column of that name
    frame = pd.DataFrame({"id": [1], "text": ["快递太慢了"]})
    with pytest.raises(ColumnError, match=said):
        score_frame(frame, text_column=text_column)
    # where the columns are numbered, a number is a name
    with pytest.raises(ColumnError, match=r"; name the text column with text_column="):
        score_frame(pd.DataFrame([[1, "快递太慢了"]]), text_column=2)
    assert score_frame(pd.DataFrame([[1, "快递太慢了"]]), text_column=1)["error"].tolist() == [""]


@pytest.mark.parametrize(
    ("have", "asked", "near"),
    [
        ("Tier", "tier", "Tier"),
        ("渠道 ", "渠道", "渠道 "),  # a space a spreadsheet's header kept
        ("\uff36\uff29\uff30", "vip", "\uff36\uff29\uff30"),  # full-width letters
        ("tier", "level", None),
    ],
)
def test_a_context_column_misspelt_by_case_or_spaces_is_named(
    have: str, asked: str, near: str | None, tmp_path: Path
) -> None:
    # the error listed the columns alone, where 'Tier' and 'tier' or a
    # trailing space are hard to tell apart
    frame = pd.DataFrame({"text": ["快递太慢了"], have: ["vip"]})
    said = (
        ""
        if near is None
        else f"; the column {near!r} differs from it only in case, width or spaces"
    )
    with pytest.raises(ColumnError) as caught:
        score_frame(frame, context_columns={"customer_tier": asked})
    assert str(caught.value).endswith(f"columns are ['text', {have!r}]{said}")
    with pytest.raises(ColumnError) as caught:
        score_frame(frame.rename(columns={"text": "Text"}))
    assert "; the column 'Text' differs from it only in case, width or spaces; " in str(
        caught.value
    )
    frame.to_csv(tmp_path / "in.csv", index=False)
    read = {"customer_tier": asked}
    if have.strip() == asked:  # a CSV header's names lose the spaces around them
        score_file(tmp_path / "in.csv", tmp_path / "out.csv", context_columns=read)
    else:
        with pytest.raises(ColumnError) as caught:
            score_file(tmp_path / "in.csv", tmp_path / "out.csv", context_columns=read)
        assert str(caught.value).endswith(said or f"columns are ['text', {have!r}]")


def test_a_context_column_named_twice_is_said_to_hold_its_field_not_the_texts() -> None:
    frame = pd.DataFrame([["快递太慢了", "app", "weibo"]], columns=["text", "来源", "来源"])
    said = r"^column '来源' appears 2 times in the frame; .* holds the channel of each row$"
    with pytest.raises(ColumnError, match=said):
        score_frame(frame, context_columns={"channel": "来源"})


def why_of(text: str, top: int, model: Any = None) -> dict[str, list[str]]:
    """What the ``why`` column should hold for `text`: `triage.explain`'s terms
    of each category that applies, in the order of ``categories``, then of
    each emotion present."""
    explained = triage.explain(text, top=top, model=model)
    applies = [*triage.classify(text, model=model).labels]
    applies += [e for e in EMOTIONS if explained[e].applies]
    return {str(label): [t.term for t in explained[label].terms] for label in applies}


@pytest.mark.parametrize("top", [1, 3])
def test_explain_adds_the_terms_of_each_label_that_applies(top: int) -> None:
    texts = [*TEXTS, None, "", 3]
    plain = score_frame(pd.DataFrame({"text": texts}))
    out = score_frame(pd.DataFrame({"text": texts}), explain=top)
    at = OUTPUT_COLUMNS.index("reasons") + 1
    assert out.columns.tolist() == [*OUTPUT_COLUMNS[:at], WHY_COLUMN, *OUTPUT_COLUMNS[at:]]
    pd.testing.assert_frame_equal(out.drop(columns=WHY_COLUMN), plain)
    for text, why, error in zip(texts, out[WHY_COLUMN], out["error"], strict=True):
        if error:
            assert why == ""
        else:
            assert json.loads(why) == why_of(text, top)
            assert list(json.loads(why)) == list(why_of(text, top))


def test_prob_complaint_tells_praise_from_complaints_and_is_nan_without_a_head() -> None:
    texts = ["快递很快，包装也很好，好评", "快递一周还没到，客服也不回，太气人了！", ""]
    out = score_frame(pd.DataFrame({"text": texts}))
    assert out["prob_complaint"].iloc[0] < 0.1 < 0.9 < out["prob_complaint"].iloc[1]
    assert out["categories"].iloc[0] == "" and np.isnan(out["prob_complaint"].iloc[2])
    lexicon = score_frame(pd.DataFrame({"text": texts}), model=triage.LexiconModel())
    assert lexicon["prob_complaint"].isna().all()


def test_explain_of_the_lexicon_baseline_gives_its_words_found() -> None:
    lexicon = triage.LexiconModel()
    out = score_frame(pd.DataFrame({"text": TEXTS}), model=lexicon, explain=2)
    assert [json.loads(w) for w in out[WHY_COLUMN]] == [why_of(t, 2, lexicon) for t in TEXTS]


def test_explain_in_parallel_with_keep_input_and_no_rows() -> None:
    frame = pd.DataFrame({"text": TEXTS * 3, "why": "kept"}, index=[4, 4, 2] * len(TEXTS))
    serial = score_frame(frame, explain=2, keep_input=True)
    parallel = score_frame(frame, explain=2, keep_input=True, n_jobs=2, chunk_size=7)
    pd.testing.assert_frame_equal(serial, parallel)
    assert serial["why"].eq("kept").all() and f"triage_{WHY_COLUMN}" in serial
    empty = score_frame(frame.iloc[:0], explain=2)
    assert WHY_COLUMN in empty and len(empty) == 0


def test_why_agrees_with_explain_on_the_labeled_complaints() -> None:
    # a batch's features round unlike one text's; terms of equal weight must
    # still rank alike
    texts = pd.read_csv(require_data("labeled", "train.csv"))["text"].head(300).tolist()
    out = score_frame(pd.DataFrame({"text": texts}), explain=3, chunk_size=64)
    assert [json.loads(w) for w in out[WHY_COLUMN]] == [why_of(t, 3) for t in texts]


# what an agent reads of a row in a spreadsheet: (text, channel, complaints
# before) -> the summary column
SUMMARIES = [
    (
        "快递一周还没到，我要打12315投诉你们！",
        None,
        None,
        "P1 紧急，10 分钟内响应，转客诉升级组，物流问题。向监管部门投诉或威胁投诉（“12315”）",
    ),
    (
        "宝宝吃了你们的米粉过敏住院了",
        None,
        None,
        "P1 紧急，10 分钟内响应，转客诉升级组，产品问题。"
        "健康受损：腹泻、中毒、过敏等身体不适（“吃了你们的米粉过敏住院”）",
    ),
    (
        "空调坏了一晚上没人修，气死我了！！",
        None,
        None,
        "P2 高，30 分钟内响应，转产品部，产品问题。严重质量问题或核心功能不可用（“坏了”）；"
        "言辞激烈：气死、忍无可忍、辱骂等（“气死”）",
    ),
    # a reason of the context quotes nothing: the text is not why
    (
        "房间很脏，地毯上还有头发",
        "微博",
        None,
        "P2 高，30 分钟内响应，转门店运营部，环境问题。来自渠道 微博",
    ),
    (
        "这个月第三次找你们了，退款还是没到账",
        None,
        3,
        "P2 高，30 分钟内响应，转运营流程部，流程问题。资金损失或错误扣费（“退款还是没到账”）；"
        "多次投诉未解决（“第三次找”）；近期已投诉 3 次",
    ),
    # praise: no primary category to name
    ("快递很快，包装也很好", None, None, "P4 低，24 小时内响应，转客服部。未发现具体问题"),
    ("", None, None, ""),
    (None, None, None, ""),
]


def test_summary_says_each_row_in_one_line_as_analyze_does() -> None:
    frame = pd.DataFrame(
        [row[:3] for row in SUMMARIES], columns=["text", "渠道", "次数"], dtype=object
    )
    contexts = {"channel": "渠道", "recent_complaints": "次数"}
    out = score_frame(frame, summary=True, context_columns=contexts)
    assert out[SUMMARY_COLUMN].tolist() == [row[3] for row in SUMMARIES]
    for (text, channel, before, _), said in zip(SUMMARIES, out[SUMMARY_COLUMN], strict=True):
        if text:
            context = Context(recent_complaints=before or 0, channel=channel)
            assert said == triage.analyze(text, context=context).summary()


def test_summary_is_a_first_column_only_when_asked() -> None:
    texts = [*TEXTS, None, "", 3]
    plain = score_frame(pd.DataFrame({"text": texts}))
    assert SUMMARY_COLUMN not in plain
    out = score_frame(pd.DataFrame({"text": texts}), summary=True)
    assert out.columns.tolist() == [SUMMARY_COLUMN, *OUTPUT_COLUMNS]
    pd.testing.assert_frame_equal(out.drop(columns=SUMMARY_COLUMN), plain)
    assert out[SUMMARY_COLUMN].dtype == out["primary"].dtype  # the dtype pandas gives text
    for text, said, error in zip(texts, out[SUMMARY_COLUMN], out["error"], strict=True):
        assert said == ("" if error else triage.analyze(text).summary())
    both = score_frame(pd.DataFrame({"text": texts}), summary=True, explain=2)
    assert both.columns.tolist()[:1] == [SUMMARY_COLUMN]
    assert both.columns.tolist().index(WHY_COLUMN) == both.columns.tolist().index("reasons") + 1
    pd.testing.assert_frame_equal(both[out.columns], out)


def test_summary_in_parallel_with_keep_input_and_no_rows() -> None:
    # a CRM's own "Summary" column is kept: the score column is triage_summary
    frame = pd.DataFrame({"text": TEXTS * 3, "Summary": "kept"}, index=[4, 4, 2] * len(TEXTS))
    serial = score_frame(frame, summary=True, keep_input=True)
    parallel = score_frame(frame, summary=True, keep_input=True, n_jobs=2, chunk_size=7)
    pd.testing.assert_frame_equal(serial, parallel)
    assert serial["Summary"].eq("kept").all()
    assert serial.columns.tolist()[2] == f"triage_{SUMMARY_COLUMN}"
    empty = score_frame(frame.iloc[:0], summary=True)
    assert empty.columns.tolist() == [SUMMARY_COLUMN, *OUTPUT_COLUMNS] and len(empty) == 0


@pytest.mark.parametrize("bad", ["yes", "no", 1, None])
def test_a_summary_that_is_not_true_or_false_is_refused(bad: Any) -> None:
    with pytest.raises(triage.ParameterError, match=r"^summary must be True or False"):
        score_frame(pd.DataFrame({"text": ["快递太慢"]}), summary=bad)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3", None])
def test_a_bad_explain_is_refused_before_scoring(bad: Any) -> None:
    # named as the caller passed it: explain=, not the top= of triage.explain
    with pytest.raises(triage.ParameterError, match=r"^explain \(terms per label; CLI: --terms\)"):
        score_frame(pd.DataFrame({"text": ["快递太慢"]}), explain=bad)


def test_parallel_equals_serial() -> None:
    texts = [*TEXTS, None, 7, ""] * 20
    frame = pd.DataFrame(
        {"text": pd.Series(texts, dtype=object)}, index=np.arange(len(texts))[::-1]
    )
    serial = score_frame(frame, chunk_size=50)
    parallel = score_frame(frame, chunk_size=50, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)


def test_a_daemonic_process_scores_in_parallel_batches_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a multiprocessing.Pool worker may start no process: n_jobs failed there
    # with a bare AssertionError
    import multiprocessing

    frame = pd.DataFrame({"text": ["快递寄丢了，客服一直推脱", None, "会员费扣了两次也不退"]})
    frame.to_csv(tmp_path / "in.csv", index=False)
    serial = score_frame(frame, chunk_size=1)
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    with pytest.warns(UserWarning, match=r"^n_jobs=2 ignored: a daemonic process") as seen:
        pd.testing.assert_frame_equal(score_frame(frame, chunk_size=1, n_jobs=2), serial)
    with pytest.warns(UserWarning, match=r"^n_jobs=2 ignored: a daemonic process"):
        score_file(tmp_path / "in.csv", tmp_path / "out.csv", chunk_size=1, n_jobs=2)
    assert seen[0].filename == __file__
    assert pd.read_csv(tmp_path / "out.csv", keep_default_na=False)["priority"].tolist() == (
        serial["priority"].tolist()
    )


# A pre-forking server scores a batch in its parent, then forks its workers:
# the parent's pool of processes, kept for the next batch, belongs to the
# parent (its managing thread is not in the child). A child scores with a
# pool of its own. The lexicon baseline scores: its workers start sooner than
# those of the shipped model, and the pools are the same.
_FORK_AFTER_A_BATCH = """
import json, os, signal, sys
import pandas as pd
import triage

frame = pd.DataFrame({"text": json.loads(sys.argv[1])})
model = triage.LexiconModel()
parent = triage.score_frame(frame, model=model, n_jobs=2, chunk_size=2)
pid = os.fork()
if pid == 0:
    signal.alarm(60)
    child = triage.score_frame(frame, model=model, n_jobs=2, chunk_size=2)
    print(child.equals(parent), flush=True)
    sys.exit(0)  # as a server's worker exits: its own pool is shut down
_, status = os.waitpid(pid, 0)
again = triage.score_frame(frame, model=model, n_jobs=2)
print(os.waitstatus_to_exitcode(status), parent.equals(again))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork")
def test_a_process_forked_after_a_parallel_batch_scores_with_its_own_workers() -> None:
    import subprocess

    texts = ["快递寄丢了，客服一直推脱", "面膜用了脸上起红疹", "会员费扣了两次也不退"]
    out = subprocess.run(
        [sys.executable, "-c", _FORK_AFTER_A_BATCH, json.dumps(texts)],
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    )
    # the child's batch, then its exit code (not -14, its alarm) and the parent's next batch
    assert out.stdout.split() == ["True", "0", "True"]


def test_parallel_with_a_model_and_policy_passed_in() -> None:
    from triage._default import default_model_path
    from triage.persist import load_model
    from triage.priority import load_policy

    model = load_model(default_model_path())
    policy = load_policy({"format": 1, "extends": "default", "disable": ["P1.regulator"]})
    frame = pd.DataFrame({"text": TEXTS * 3})
    serial = score_frame(frame, model=model, policy=policy)
    parallel = score_frame(frame, model=model, policy=policy, n_jobs=2, chunk_size=7)
    pd.testing.assert_frame_equal(serial, parallel)
    # the disabled trigger does not fire
    assert "P1.regulator" not in "|".join(serial["reasons"])


def test_parallel_with_a_model_of_a_class_defined_in_a_script() -> None:
    # a worker cannot find a class of a script or a notebook (__main__) by
    # its name, and pickle cannot write one of a function: n_jobs failed with
    # an AttributeError, though joblib.Parallel sends such objects
    class Counted(triage.LexiconModel):
        pass

    frame = pd.DataFrame({"text": [*TEXTS, None]})
    serial = score_frame(frame, model=Counted())
    parallel = score_frame(frame, model=Counted(), n_jobs=2, chunk_size=3)
    pd.testing.assert_frame_equal(serial, parallel)


def test_an_error_of_the_model_in_a_worker_is_raised_as_it_was() -> None:
    # an exception whose class takes other arguments than it keeps cannot be
    # rebuilt from its pickle: it was taken for a dead worker, and the batch
    # failed after three new pools saying workers had died
    class Refused(LookupError):
        def __init__(self, code: int, detail: str) -> None:
            super().__init__(f"refused ({code}): {detail}")

    class Failing(triage.LexiconModel):
        def predict_many(self, texts: Any, *, explain: int = 0) -> Any:
            texts = list(texts)
            if "炸了" in texts:
                raise Refused(7, "爆炸")
            return super().predict_many(texts, explain=explain)

    frame = pd.DataFrame({"text": ["快递没到", "房间很脏", "炸了", "退款太慢"]})
    with pytest.raises(
        LookupError, match=r"\.Refused: refused \(7\): 爆炸\nraised scoring rows 3 to 3 "
    ):
        score_frame(frame, model=Failing(), n_jobs=2, chunk_size=1, errors="raise")


def _scoring_no_chunk(
    call: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Any]:
    """`score_frame` of two texts (``"frame"``, of none: ``"no rows"``, or of
    a Dask frame: ``"dask"``) or `score_file` of them into ``out.csv``
    (``"file"``), waiting for its keyword arguments, in a process where
    scoring a chunk fails the test."""

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a chunk was scored")

    from triage import batch

    monkeypatch.setattr(batch, "_score_chunk", never)
    frame = pd.DataFrame({"text": ["快递一周还没到", "房间很脏"]})
    frame.to_csv(tmp_path / "in.csv", index=False)
    if call == "frame":
        return functools.partial(score_frame, frame, n_jobs=2, chunk_size=1)
    if call == "no rows":
        return functools.partial(score_frame, frame.iloc[:0])
    if call == "dask":
        dd = pytest.importorskip("dask.dataframe")
        return functools.partial(score_frame, dd.from_pandas(frame, npartitions=2))
    return functools.partial(score_file, tmp_path / "in.csv", tmp_path / "out.csv")


@pytest.mark.parametrize("policy", ["my_policy.toml", Path("my_policy.toml"), {"format": 1}])
@pytest.mark.parametrize("call", ["frame", "dask", "file"])
def test_a_policy_that_is_no_policy_is_refused_before_any_row_is_scored(
    policy: Any, call: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a path, as the CLI's --policy takes, or the data of a policy: not in the
    # first chunk, once the model has scored it or a worker has started
    run = _scoring_no_chunk(call, tmp_path, monkeypatch)
    message = r"policy must be a triage.Policy or None, .*triage.load_policy"
    with pytest.raises(triage.ParameterError, match=message):
        run(policy=policy)
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("models/mine", r"got str 'models/mine'; load a saved model with triage.load_model"),
        (Path("models/mine"), r"Path '.*mine'; load a saved model with triage.load_model"),
        (triage.TriageModel(), r"this TriageModel is not fitted yet"),
    ],
    ids=["str", "path", "unfitted"],
)
@pytest.mark.parametrize("call", ["frame", "no rows", "dask", "file"])
def test_a_model_that_cannot_score_is_refused_before_any_row_is_scored(
    model: Any, error: str, call: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # found in the first chunk scored, so not at all in a frame of no rows or
    # no text, and only once a Dask graph ran on its cluster
    run = _scoring_no_chunk(call, tmp_path, monkeypatch)
    with pytest.raises(triage.TriageError, match=error):
        run(model=model)
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("n_jobs", [0, "2", 1.5, True])
@pytest.mark.parametrize("call", ["frame", "no rows", "dask"])
def test_a_bad_n_jobs_is_refused_before_any_row_is_scored(
    n_jobs: Any, call: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a Dask frame runs on its scheduler and ignores n_jobs, but a typo in
    # it is no more a number of processes there than in pandas
    run = _scoring_no_chunk(call, tmp_path, monkeypatch)
    with pytest.raises(triage.ParameterError, match=r"^n_jobs \(CLI: --jobs\) must be None"):
        run(n_jobs=n_jobs)


def test_a_default_set_in_this_process_reaches_the_workers(small_model) -> None:  # type: ignore[no-untyped-def]
    from triage import set_default_model

    frame = pd.DataFrame({"text": TEXTS * 3})
    expected = score_frame(frame, model=small_model)
    assert not expected.equals(score_frame(frame))  # a model that scores differently
    set_default_model(small_model)
    try:
        parallel = score_frame(frame, n_jobs=2, chunk_size=7)
    finally:
        set_default_model(None)
    pd.testing.assert_frame_equal(parallel, expected)


def test_the_shipped_default_is_not_sent_to_workers() -> None:
    from triage._default import default_model_path
    from triage.batch import _DefaultAt, _Workers
    from triage.persist import read_card

    triage.warm_up()  # the parent holds the shipped default
    workers = _Workers(2, None, None)
    try:
        # each worker loads it once by itself, from the file the parent has
        shipped = default_model_path().resolve()
        assert workers.model == _DefaultAt(str(shipped), read_card(shipped)["file"]["sha256"])
    finally:
        list(workers.map([]))  # removes the temporary directory


def test_a_default_unset_while_the_workers_start_leaves_them_the_shipped_one(
    small_model, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # another thread calls set_default_model(None) just as the workers are
    # set up: whether a default was set, and which, are read as one
    from triage import _default, set_default_model
    from triage._default import default_model_path
    from triage.batch import _DefaultAt, _Workers
    from triage.persist import read_card

    class UnsetOnRead:
        def __bool__(self) -> bool:
            set_default_model(None)  # the other thread, between two reads
            return True

    set_default_model(small_model)
    monkeypatch.setattr(_default, "_user_set", UnsetOnRead())
    try:
        workers = _Workers(2, None, None)
    finally:
        set_default_model(None)
    try:
        shipped = default_model_path().resolve()
        assert workers.model == _DefaultAt(str(shipped), read_card(shipped)["file"]["sha256"])
    finally:
        list(workers.map([]))


def test_workers_score_with_the_default_model_this_process_has(
    small_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # TRIAGE_MODEL, as a notebook sets it, names a retrained model (relatively);
    # then it is unset, and the working directory changes: this process keeps
    # the model it loaded, and so must the workers, new or already running
    from triage import save_model, set_default_model

    save_model(small_model, tmp_path / "mine")
    frame = pd.DataFrame({"text": TEXTS * 3})
    expected = score_frame(frame, model=small_model)
    set_default_model(None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGE_MODEL", "mine")
    try:
        pd.testing.assert_frame_equal(score_frame(frame), expected)
        monkeypatch.delenv("TRIAGE_MODEL")
        monkeypatch.chdir("/")
        pd.testing.assert_frame_equal(score_frame(frame, n_jobs=2, chunk_size=7), expected)
    finally:
        set_default_model(None)  # the next test loads the shipped one again


# A default model saved with another jieba: each worker loads it by itself,
# out of reach of the caller's warning filters.
_STALE_DEFAULT = """
import sys, warnings
import pandas as pd
import triage
from triage.persist import ModelVersionWarning

warnings.simplefilter(sys.argv[1], ModelVersionWarning)
frame = pd.DataFrame({"text": ["快递一周还没到", "房间很脏"] * 4})
triage.score_frame(frame, n_jobs=2, chunk_size=2)
"""


@pytest.mark.parametrize(("action", "times"), [("default", 1), ("ignore", 0)])
def test_a_stale_default_model_warns_the_caller_once_under_its_filters(
    tmp_path: Path, action: str, times: int
) -> None:
    import subprocess

    from triage._default import default_model_path
    from triage.persist import CARD_FILE, MODEL_FILE, read_card

    shipped = default_model_path()
    card = read_card(shipped)
    card["library_versions"]["jieba"] = "0.39"
    (tmp_path / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    (tmp_path / MODEL_FILE).symlink_to(shipped / MODEL_FILE)
    done = subprocess.run(
        [sys.executable, "-c", _STALE_DEFAULT, action],
        capture_output=True,
        text=True,
        env={**os.environ, "TRIAGE_MODEL": str(tmp_path)},
        check=True,
    )
    assert done.stderr.count("ModelVersionWarning") == times, done.stderr


def test_parallel_scoring_of_the_default_model_needs_no_temporary_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a read-only root filesystem: only a model or policy passed in is sent
    # to the workers through a file
    import tempfile

    def nowhere() -> str:
        raise FileNotFoundError(2, "No usable temporary directory found")

    frame = pd.DataFrame({"text": ["快递一周还没到", "房间很脏"] * 4})
    serial = score_frame(frame)
    monkeypatch.setattr(tempfile, "gettempdir", nowhere)
    pd.testing.assert_frame_equal(score_frame(frame, n_jobs=2, chunk_size=2), serial)


def test_parallel_scoring_leaves_joblib_parallel_working() -> None:
    # scikit-learn's n_jobs and users' own joblib.Parallel run in the same
    # process as the batch workers
    from joblib import Parallel, delayed

    frame = pd.DataFrame({"text": ["快递一周还没到", "房间很脏"] * 20})
    first = score_frame(frame, n_jobs=2, chunk_size=20)
    assert Parallel(n_jobs=2)(delayed(abs)(-i) for i in range(4)) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(score_frame(frame, n_jobs=2, chunk_size=20), first)


@pytest.mark.parametrize(
    ("rows", "chunk_size", "n_jobs", "workers"),
    [
        (3, 5000, 4, None),  # one chunk: scored here, as with n_jobs=1
        (3, 5000, 1000, None),
        (3, 1, 8, 3),  # three chunks: three workers, not eight
        (20, 7, 3, 3),
        (20, 7, 2, 2),
    ],
)
def test_no_more_workers_start_than_there_are_chunks(
    rows: int,
    chunk_size: int,
    n_jobs: int,
    workers: int | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # each worker is a process that imports jieba and its dictionary: n_jobs=-1
    # on a large server, or a large n_jobs, must not start them for a few rows
    from triage import batch

    started: list[int] = []
    pool = batch._pool

    def spy(n: int) -> Any:
        started.append(n)
        return pool(n)

    monkeypatch.setattr(batch, "_pool", spy)
    texts = [f"第{i}单快递一周还没到" for i in range(rows)]
    frame = pd.DataFrame({"text": texts})
    serial = score_frame(frame, chunk_size=chunk_size)
    assert started == []
    pd.testing.assert_frame_equal(score_frame(frame, chunk_size=chunk_size, n_jobs=n_jobs), serial)
    assert started == ([] if workers is None else [workers])
    started.clear()
    src = write(tmp_path / "in.csv", "text\n" + "".join(f"{t}\n" for t in texts))
    score_file(src, tmp_path / "out.csv", chunk_size=chunk_size, n_jobs=n_jobs)
    assert started == ([] if workers is None else [workers])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_chunk_scored_is_let_go_of(n_jobs: int) -> None:
    # memory stays flat: the first chunks, looked at to count the workers, are
    # not held to the end of the run
    import gc
    import weakref

    from triage import batch

    class Payload:
        pass

    made: list[weakref.ref[Payload]] = []

    def tasks() -> Any:
        for i in range(12):
            payload = Payload()
            made.append(weakref.ref(payload))
            yield payload, [f"第{i}单快递一周还没到"], None

    for k, _ in enumerate(batch._Workers(n_jobs, None, None).map(tasks())):
        if k == 10:
            gc.collect()
            assert made[0]() is None


def test_workers_score_without_importing_pandas() -> None:
    # pandas and the pyarrow it imports would add about 60 MB to every worker
    from triage import batch

    score_frame(pd.DataFrame({"text": ["快递一周还没到"] * 4}), n_jobs=2, chunk_size=2)

    def score_then_list_modules() -> list[str]:
        from triage.batch import _score_chunk

        _score_chunk(["房间很脏，客服也不回"], None, None, None)
        return sorted(sys.modules)

    pool = batch._pool(2)
    for _ in range(3):
        assert "pandas" not in pool.submit(score_then_list_modules).result()


def test_batches_of_different_sizes_share_one_pool_of_workers() -> None:
    # a pool was kept for each number of chunks: a service scoring batches of
    # every size with n_jobs=4 ran 2 + 3 + 4 worker processes, each with its
    # own dictionary and model
    from triage import batch

    texts = [f"第{i}单快递一周还没到" for i in range(8)]
    want = score_frame(pd.DataFrame({"text": texts}), chunk_size=2)
    for chunks in (2, 3, 2):
        frame = pd.DataFrame({"text": texts[: 2 * chunks]})
        got = score_frame(frame, n_jobs=4, chunk_size=2)
        pd.testing.assert_frame_equal(got, want.iloc[: 2 * chunks])
    level = batch._jieba_level()
    assert len([n for n, at in batch._pools if at == level]) == 1
    # a batch whose pool a larger one replaced sends its next chunks there
    flight = batch._InFlight(2)
    flight.submit(0, (texts[:2], None, None, None, 0))
    size = max(n for n, _ in batch._pools) + 1
    batch._pool(size)
    flight.submit(1, (texts[2:4], None, None, None, 0))
    assert [flight.pop()[0], flight.pop()[0]] == [0, 1]
    assert [key for key in batch._pools if key[1] == level] == [(size, level)]


def _cached_in_worker() -> list[str]:
    from triage import batch

    return [type(obj).__qualname__ for obj in batch._worker_cache.values()]


def test_a_model_passed_to_batch_after_batch_is_loaded_once_per_worker() -> None:
    # each call sent the model under a new name: a worker loaded it again
    # and kept every copy (four), some 200 MB more a worker for the shipped model
    from triage import batch

    class Repeated(triage.LexiconModel):
        pass

    model = Repeated()
    frame = pd.DataFrame({"text": [f"第{i}单快递一周还没到" for i in range(8)]})
    for _ in range(3):
        score_frame(frame, model=model, n_jobs=2, chunk_size=2)
    pool = batch._pool(2)
    for cached in [pool.submit(_cached_in_worker).result() for _ in range(8)]:
        assert sum(name.endswith("Repeated") for name in cached) <= 1


def test_a_model_file_for_the_workers_changed_before_they_read_it_is_not_unpickled(
    tmp_path: Path,
) -> None:
    # a worker unpickled the file its parent wrote, whatever it then held
    from triage.exceptions import ModelFileError

    shared = batch._Shared(triage.LexiconModel(), str(tmp_path))
    handle = pickle.loads(pickle.dumps(shared))
    assert isinstance(batch._resolve_shared(handle), triage.LexiconModel)
    batch._worker_cache.clear()
    Path(shared.path).write_bytes(pickle.dumps(Exception("not the model")))
    with pytest.raises(ModelFileError, match="was changed before they read it"):
        batch._resolve_shared(handle)
    assert handle.key not in batch._worker_cache


def kill_workers() -> list[Any]:
    """SIGKILL every worker of the batch pools, as the kernel's OOM killer would."""
    import os
    import signal

    from triage import batch

    pools = list(batch._pools.values())
    for pool in pools:
        for pid in list(pool._processes):
            os.kill(pid, signal.SIGKILL)
    return pools


def chunk_tasks(texts: list[str], size: int, kill_at: set[int]) -> Any:
    """``(index, texts, None)`` tasks; the workers die just before each chunk in `kill_at`."""
    for i in range(0, len(texts), size):
        if i // size in kill_at:
            kill_workers()
        yield i // size, texts[i : i + size], None


KILLS = pytest.mark.skipif(sys.platform == "win32", reason="kills its workers with SIGKILL")

# The model the batches of workers killed score with: each pool that replaces
# a killed one loads it anew, and a worker that scores with the lexicon
# baseline starts in some two thirds of the time of one with the shipped model
# (which model scores the chunks is not what these tests are about)
KILLED = triage.LexiconModel()


@KILLS
def test_workers_killed_between_batches_are_replaced() -> None:
    import time

    frame = pd.DataFrame({"text": ["快递一周还没到", "房间很脏"] * 20})
    first = score_frame(frame, model=KILLED, n_jobs=2, chunk_size=20)
    pools = kill_workers()
    # wait until each pool has noticed its dead workers, as it would have
    # between two batches of a real run (a fixed sleep is flaky on a slow host)
    deadline = time.monotonic() + 30
    while any(pool._flags.broken is None for pool in pools):
        assert time.monotonic() < deadline, "the pool never noticed its killed workers"
        time.sleep(0.05)
    pd.testing.assert_frame_equal(score_frame(frame, model=KILLED, n_jobs=2, chunk_size=20), first)


@KILLS
@pytest.mark.parametrize("kill_at", [{0}, {3}, {2, 6}], ids=["idle", "mid-batch", "twice"])
def test_workers_killed_during_a_batch_lose_no_chunk(kill_at: set[int]) -> None:
    # {0}: killed while the pool sat idle, before it could notice; {3}: with
    # chunks in flight; {2, 6}: twice in one batch
    from triage import batch

    texts = [f"第{i}单快递一周还没到，客服也不回" if i % 2 else f"房间{i}很脏" for i in range(80)]
    want = list(batch._Workers(1, KILLED, None).map(chunk_tasks(texts, 8, set())))
    score_frame(pd.DataFrame({"text": texts[:4]}), model=KILLED, n_jobs=2, chunk_size=2)  # up
    got = list(batch._Workers(2, KILLED, None).map(chunk_tasks(texts, 8, kill_at)))
    assert [i for i, _ in got] == list(range(10))
    for (_, a), (_, b) in zip(got, want, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@KILLS
def test_a_batch_whose_workers_keep_dying_fails_and_the_next_batch_works() -> None:
    from concurrent.futures.process import BrokenProcessPool

    from triage import batch

    texts = ["快递一周还没到"] * 80
    score_frame(pd.DataFrame({"text": texts[:4]}), model=KILLED, n_jobs=2, chunk_size=2)
    # the error says what happened and what to try, not only loky's exit codes
    with pytest.raises(BrokenProcessPool, match=r"died 3 times .* fewer jobs or a smaller chunk"):
        list(batch._Workers(2, KILLED, None).map(chunk_tasks(texts, 8, set(range(1, 10)))))
    frame = pd.DataFrame({"text": texts[:10]})
    pd.testing.assert_frame_equal(
        score_frame(frame, model=KILLED, n_jobs=2, chunk_size=5),
        score_frame(frame, model=KILLED, n_jobs=1),
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_an_error_scoring_a_chunk_names_its_rows(n_jobs: int) -> None:
    # an error an hour into a file said nothing of where it was
    class Failing(triage.LexiconModel):
        def predict_many(self, texts: list[str], **kwargs: Any) -> Any:
            if "坏掉的一行" in texts:
                raise RuntimeError("cannot score this")
            return super().predict_many(texts, **kwargs)

    texts = [f"第{i}单快递一周还没到" for i in range(40)]
    texts[25] = "坏掉的一行"
    with pytest.raises(RuntimeError, match="cannot score this") as caught:
        score_frame(
            pd.DataFrame({"text": texts}),
            model=Failing(),
            n_jobs=n_jobs,
            chunk_size=10,
            errors="raise",
        )
    assert caught.value.__notes__ == [
        "raised scoring rows 21 to 30 of the input (counted from 1, a file's header and "
        "malformed lines not counted)"
    ]


class _RaisesOnMarker(triage.LexiconModel):
    """The lexicon baseline, raising on every text holding 坏掉的一行."""

    def predict_many(self, texts: Any, **kwargs: Any) -> Any:
        texts = list(texts)
        if any("坏掉的一行" in t for t in texts):
            raise RuntimeError("cannot score " + "长" * 80)
        return super().predict_many(texts, **kwargs)


def _marked_texts() -> list[Any]:
    texts: list[Any] = [f"第{i}单快递一周还没到" for i in range(40)]
    texts[3], texts[25], texts[26] = "又是坏掉的一行", "坏掉的一行", None
    return texts


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_row_whose_scoring_raises_is_flagged_and_the_others_scored(n_jobs: int) -> None:
    # one row that raised stopped the whole call: nothing scored was returned,
    # and the rest could not be scored without finding the row and removing it
    texts = _marked_texts()
    frame = pd.DataFrame({"text": texts}, index=[f"t{i}" for i in range(40)][::-1])
    with pytest.warns(triage.TriageWarning) as caught:
        out = score_frame(frame, model=_RaisesOnMarker(), n_jobs=n_jobs, chunk_size=10)
    assert out.index.equals(frame.index)
    flagged = "scoring raised RuntimeError: cannot score " + "长" * 37 + "... (93 characters)"
    assert out["error"].tolist() == [
        flagged if i in (3, 25) else "missing text" if i == 26 else "" for i in range(40)
    ]
    expected = score_frame(frame, model=triage.LexiconModel())
    scored = (out["error"] == "").to_numpy()
    pd.testing.assert_frame_equal(out[scored], expected[scored])
    assert out.loc[~scored, "priority"].tolist() == ["", "", ""]
    [warning] = caught
    message = str(warning.message)
    assert warning.filename == __file__
    assert message.startswith(
        "scoring raised an exception on 2 rows, left unscored, its error saying so: rows 4, 26 "
        "(counted from 1, a file's header and malformed lines not counted); errors='raise' "
        "(CLI: --errors raise) stops at the first. The first raised:\nTraceback (most recent "
        "call last):\n"
    )
    assert "in predict_many\n" in message
    assert message.endswith("\nRuntimeError: cannot score " + "长" * 80)


def test_a_row_whose_scoring_raises_has_no_summary_and_the_others_theirs() -> None:
    frame = pd.DataFrame({"text": _marked_texts()})
    with pytest.warns(triage.TriageWarning, match="on 2 rows, "):
        out = score_frame(frame, model=_RaisesOnMarker(), chunk_size=10, summary=True)
    expected = score_frame(frame, model=triage.LexiconModel(), summary=True)
    scored = (out["error"] == "").to_numpy()
    pd.testing.assert_frame_equal(out[scored], expected[scored])
    assert out.loc[~scored, SUMMARY_COLUMN].tolist() == ["", "", ""]


def test_a_model_that_fails_on_any_text_still_stops_the_call() -> None:
    # every row flagged, each scored alone, would hide a broken model behind
    # a slow run of empty results
    class Broken(triage.LexiconModel):
        def predict_many(self, texts: Any, **kwargs: Any) -> Any:
            raise AttributeError("'Broken' object has no attribute 'vocabulary_'")

    with pytest.raises(AttributeError, match="vocabulary_") as caught:
        score_frame(pd.DataFrame({"text": _marked_texts()}), model=Broken(), chunk_size=10)
    assert caught.value.__notes__[0].startswith("raised scoring rows 1 to 10 ")


def test_memory_running_out_while_a_row_is_scored_stops_the_call() -> None:
    class Full(triage.LexiconModel):
        def predict_many(self, texts: Any, **kwargs: Any) -> Any:
            if "坏掉的一行" in texts:
                raise MemoryError
            return super().predict_many(texts, **kwargs)

    with pytest.raises(MemoryError):
        score_frame(pd.DataFrame({"text": _marked_texts()}), model=Full(), chunk_size=10)


@pytest.mark.parametrize("errors", ["ignore", "RAISE", None, True])
def test_errors_takes_flag_or_raise(errors: Any) -> None:
    with pytest.raises(triage.ParameterError, match="errors must be one of 'flag', 'raise', got"):
        score_frame(pd.DataFrame({"text": ["快递没到"]}), errors=errors)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_score_file_writes_a_row_whose_scoring_raises_and_counts_it(
    fmt: str, tmp_path: Path
) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": range(40), "text": _marked_texts()}).to_csv(source, index=False)
    with pytest.warns(triage.TriageWarning, match="on 2 rows, .*: rows 4, 26 "):
        summary = score_file(
            source, tmp_path / f"out.{fmt}", model=_RaisesOnMarker(), chunk_size=10, record=True
        )
    assert (summary.rows, summary.errors, summary.raised) == (40, 3, 2)
    record = json.loads((tmp_path / f"_out.{fmt}.triage.json").read_text(encoding="utf-8"))
    assert (record["rows"], record["errors"], record["raised"]) == (40, 3, 2)
    assert "\nscoring raised an exception on 2 rows, left unscored" in str(summary)
    out = (
        pd.read_parquet(summary.output)
        if fmt == "parquet"
        else pd.read_json(summary.output, lines=True, dtype=False)
        if fmt == "jsonl"
        else pd.read_csv(summary.output, dtype=str, keep_default_na=False)
    )
    assert [str(i) for i in out["id"]] == [str(i) for i in range(40)]
    assert [i for i, e in enumerate(out["error"]) if e.startswith("scoring raised")] == [3, 25]
    with pytest.raises(RuntimeError, match="cannot score"):
        score_file(source, tmp_path / f"again.{fmt}", model=_RaisesOnMarker(), errors="raise")
    assert not (tmp_path / f"again.{fmt}").exists()


def test_a_dask_partition_flags_a_row_whose_scoring_raises() -> None:
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"text": _marked_texts()})
    lazy = score_frame(dd.from_pandas(frame, npartitions=2), model=_RaisesOnMarker())
    with pytest.warns(triage.TriageWarning, match="on 1 row, "):
        out = lazy.compute(scheduler="sync")
    assert [i for i, e in enumerate(out["error"]) if e.startswith("scoring raised")] == [3, 25]


def _alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, dead but not reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@KILLS
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_the_process_that_started_them_is_killed() -> None:
    # killed by the OOM killer or kill -9, the parent left its workers waiting
    # for chunks forever, each holding a model, and the output of the command
    import time

    script = textwrap.dedent(
        """
        import os, signal
        import pandas as pd
        import triage
        from triage import batch
        frame = pd.DataFrame({"text": ["快递没到"] * 4})
        model = triage.LexiconModel()  # its workers start sooner than the shipped model's
        triage.score_frame(frame, model=model, n_jobs=2, chunk_size=2)
        print(*batch._pool(2)._processes, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    with proc.stdout:
        workers = [int(pid) for pid in proc.stdout.readline().split()]
    assert proc.wait(timeout=120) == -signal.SIGKILL and len(workers) == 2
    deadline = time.monotonic() + 20
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if _alive(pid)]
    for pid in alive:  # not left behind by a failing test
        os.kill(pid, signal.SIGKILL)
    assert alive == []


@KILLS
def test_a_stopped_batch_stops_the_workers_scoring_its_chunks() -> None:
    # a batch stopped by Ctrl-C (a notebook's interrupt, which reaches this
    # process alone) or SIGTERM (a scheduler's, sent to triage score alone)
    # left its workers scoring the chunks sent them, which no one would read:
    # the next batch waited behind them, and the process, at its end, waited
    # for them, a chunk's time, past a scheduler's grace. Here they never end
    script = textwrap.dedent(
        """
        import os, time
        import pandas as pd
        import triage

        class Stuck(triage.LexiconModel):
            parent = os.getpid()

            def predict_many(self, texts, **options):
                if os.getpid() != self.parent:
                    os.write(1, b"scoring\\n")  # one write: two workers print it
                    time.sleep(3600)
                return super().predict_many(texts, **options)

        frame = pd.DataFrame({"text": ["快递一周还没到"] * 8})
        try:
            triage.score_frame(frame, model=Stuck(), n_jobs=2, chunk_size=2)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        scored = triage.score_frame(frame, model=triage.LexiconModel(), n_jobs=2, chunk_size=2)
        print("scored", len(scored), flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its workers in its group, killed with it if this fails
        preexec_fn=as_from_a_terminal(signal.SIGINT),
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline() == "scoring\n"
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)  # ends once its workers have
    finally:
        with contextlib.suppress(ProcessLookupError):  # all gone
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
        proc.wait()
    assert (out.replace("scoring\n", ""), proc.returncode) == ("interrupted\nscored 8\n", 0)


@KILLS
def test_a_stopped_batch_with_chunks_still_waiting_stops_its_workers() -> None:
    # a SIGTERM'd triage score --jobs 2 said so, then hung: the chunks still
    # waiting for a worker were cancelled, then the pool stopped with its
    # workers killed, and loky's managing thread, setting an error on each
    # chunk it held, raised InvalidStateError on a cancelled one and died
    # before it killed the workers
    from triage import batch

    class Stuck(triage.LexiconModel):
        parent = os.getpid()

        def predict_many(self, texts: list[str], **options: Any) -> Any:
            if os.getpid() != self.parent:
                time.sleep(3600)
            return super().predict_many(texts, **options)

    flight = batch._InFlight(2)
    # more than the workers take and loky's queue to them holds (n_jobs + 1)
    for i in range(4 * flight.n_jobs):
        flight.submit(i, (["快递一周还没到"], Stuck(), None, None, 0))
    executor = flight.executor
    deadline = time.monotonic() + 30
    while not any(future.running() for _, _, future in flight.pending):
        assert time.monotonic() < deadline, "no worker took a chunk"
        time.sleep(0.05)
    workers = list(executor._processes)
    manager = executor._executor_manager_thread
    try:
        flight.cancel()
        manager.join(timeout=30)
        assert not manager.is_alive(), "the pool's managing thread did not end"
        for pid in workers:  # killed, and reaped by the managing thread
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert executor not in batch._pools.values()


def test_workers_share_the_cores_rather_than_each_start_a_thread_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from joblib import cpu_count

    from triage.batch import _thread_limits

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # a limit the user set is kept
    limits = _thread_limits(cpu_count())
    assert limits["OPENBLAS_NUM_THREADS"] == "1"
    assert limits["OMP_NUM_THREADS"] == "3"
    assert _thread_limits(1)["OPENBLAS_NUM_THREADS"] == str(cpu_count())


def test_bad_arguments() -> None:
    frame = pd.DataFrame({"review": ["快递太慢"]})
    with pytest.raises(KeyError, match="review"):
        score_frame(frame)
    with pytest.raises(ValueError, match="n_jobs"):
        score_frame(frame, text_column="review", n_jobs=0)
    with pytest.raises(ValueError, match="chunk_size"):
        score_frame(frame, text_column="review", chunk_size=0)
    with pytest.raises(TypeError, match="DataFrame"):
        score_frame(["快递太慢"])


@pytest.mark.parametrize(
    ("argument", "value", "error"),
    [
        ("chunk_size", np.int64(2), None),  # numpy integers are integers
        ("n_jobs", np.int64(2), None),
        ("chunk_size", 1e4, r"chunk_size \(CLI: --chunk-size\) must be an integer, got 10000.0"),
        ("chunk_size", "100", r"chunk_size \(CLI: --chunk-size\) must be an integer, got '100'"),
        ("chunk_size", None, r"chunk_size \(CLI: --chunk-size\) must be an integer, got None"),
        ("chunk_size", True, r"chunk_size \(CLI: --chunk-size\) must be an integer, got True"),
        ("chunk_size", -5, r"chunk_size \(CLI: --chunk-size\) must be at least 1, got -5"),
        ("n_jobs", None, None),  # joblib's convention, as TriageModel's: None is 1
        ("n_jobs", -2, None),  # all cores but one
        ("n_jobs", -(10**6), None),  # more than the cores: one process
        (
            "n_jobs",
            2.0,
            r"n_jobs \(CLI: --jobs\) must be None \(1\), a positive integer or a negative one "
            r"\(-1: all cores, -2: all but one\), got 2.0",
        ),
        ("n_jobs", False, r"n_jobs \(CLI: --jobs\) must be None \(1\), .*, got False"),
        ("n_jobs", 0, r"n_jobs \(CLI: --jobs\) must be None \(1\), .*, got 0"),
    ],
)
def test_counts_are_whole_numbers(
    tmp_path: Path, argument: str, value: Any, error: str | None
) -> None:
    frame = pd.DataFrame({"text": ["快递太慢", "房间很脏", "价格太贵"]})
    src = write(tmp_path / "in.csv", "text\n快递太慢\n房间很脏\n")
    if error is None:
        out = score_frame(frame, **{argument: value})
        pd.testing.assert_frame_equal(out, score_frame(frame))
        assert score_file(src, tmp_path / "out.csv", **{argument: value}).rows == 2
    else:
        with pytest.raises(ValueError, match=f"^{error}$"):
            score_frame(frame, **{argument: value})
        with pytest.raises(ValueError, match=f"^{error}$"):
            score_file(src, tmp_path / "out.csv", **{argument: value})


def test_n_jobs_follows_joblib(monkeypatch: pytest.MonkeyPatch) -> None:
    # joblib's convention, as TriageModel and train_vectors take it (-2 was refused)
    from triage import batch

    monkeypatch.setattr("joblib.cpu_count", lambda: 4)
    given = [None, 1, 3, -1, -2, -4, -9]
    assert [batch._jobs(n) for n in given] == [1, 1, 3, 4, 3, 1, 1]


# -- files ----------------------------------------------------------------------


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("header", "options"),
    [
        ("{text}", {}),  # a file of texts alone: its first text is its header
        ("id,{text}", {}),
        ("id,{text}", {"text_column": "id", "id_column": "工单号"}),
        ("text,{text}", {"context_columns": {"channel": "来源"}}),
    ],
)
def test_a_header_of_a_long_text_is_named_by_its_start_not_whole(
    tmp_path: Path, header: str, options: dict[str, Any]
) -> None:
    # the error line held the whole of the customer's text, 100,000 characters
    text = "快递一周还没到，打了三次电话客服都说再等等，" * 5000
    src = write(tmp_path / "in.csv", header.format(text=text) + "\n1,客服态度差\n")
    with pytest.raises(ColumnError) as caught:
        score_file(src, tmp_path / "out.csv", model=triage.LexiconModel(), **options)
    said = str(caught.value)
    assert len(said) < 600 and "'... (110,000 characters)" in said


def test_score_csv_carries_columns_and_reports(tmp_path: Path) -> None:
    src = write(
        tmp_path / "in.csv",
        "id,text,priority\n1,快递一周还没到,x\n2,,y\n3,房间很脏,z\n",
    )
    seen: list[int] = []
    summary = score_file(
        src, tmp_path / "out.csv", id_column="id", progress=lambda r, s: seen.append(r)
    )
    assert isinstance(summary, ScoreSummary)
    assert (summary.rows, summary.errors, summary.malformed_lines) == (3, 1, [])
    assert seen == [3]
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out.columns.tolist()[:3] == ["id", "text", "priority"]
    # an input column named like an output column is kept; the score is prefixed
    assert out["priority"].tolist() == ["x", "y", "z"]
    assert out["triage_priority"].tolist()[1] == ""
    assert out["primary"].tolist() == ["logistics", "", "environment"]
    assert out["error"].tolist() == ["", "empty text", ""]
    assert "3 rows, 1 error," in str(summary)


@pytest.mark.parametrize("output", ["out.csv", "out.jsonl"])
def test_the_summary_of_a_text_output_says_what_scored_it(tmp_path: Path, output: str) -> None:
    # a CSV or JSON Lines output holds no record of its model and policy, and
    # the summary gave none either: outputs of two models were told apart by nothing
    from triage.priority import load_policy

    src = write(tmp_path / "in.csv", "text\n快递一周还没到\n")
    policy = load_policy({"format": 1, "extends": "default", "disable": ["P1.regulator"]})
    lexicon = triage.LexiconModel()
    summary = score_file(src, tmp_path / output, model=lexicon, policy=policy)
    by = scored_by(lexicon, policy)
    assert summary.scored_by == by != scored_by(lexicon)
    said = str(summary).splitlines()[0]  # the output still ends it
    assert said.endswith(
        f" rows/s, model (no file), policy {by['policy_sha256'][:12]}, "
        f"triage {triage.__version__} -> {tmp_path / output}"
    )
    assert score_file(src, tmp_path / output).scored_by == scored_by()


@pytest.mark.parametrize("output", ["out.csv", "out.jsonl.gz"])
def test_a_recorded_output_has_its_record_beside_it(tmp_path: Path, output: str) -> None:
    # nothing beside a CSV or JSON Lines output said what scored it, from what
    src = write(tmp_path / "in.csv", "text\n快递一周还没到\n房间很脏\n")
    folder = tmp_path / "scored"
    summary = score_file(src, folder / output, record=True)
    written = sorted(p.name for p in folder.iterdir())
    assert written == sorted([output, f"_{output}.triage.json"])  # no temporary file left
    record = json.loads((folder / f"_{output}.triage.json").read_text(encoding="utf-8"))
    assert record.pop("scored_by") == summary.scored_by == scored_by()
    assert record.pop("input") == str(src)
    assert record.pop("output_bytes") == (folder / output).stat().st_size
    assert record.pop("seconds") == round(summary.seconds, 3)
    assert record.pop("finished").endswith("+00:00")
    assert record == {
        "output": output,
        "rows": 2,
        "errors": 0,
        "raised": 0,
        "malformed_lines": 0,
        "undecodable_lines": 0,
        "unmatched_channel_rows": 0,
        "unmatched_tier_rows": 0,
        "context_columns": {},
        "empty_context_columns": {},
    }
    # a folder of outputs read as one input passes over the records
    assert score_file(folder, tmp_path / "again.csv").rows == 2


def test_a_record_names_a_context_column_empty_in_every_row(tmp_path: Path) -> None:
    # the summary named it, the record kept for the file did not
    src = write(tmp_path / "in.csv", "text,渠道,等级\n快递一周还没到,,金卡\n房间很脏,, \n")
    summary = score_file(
        src,
        tmp_path / "out.csv",
        context_columns={"channel": "渠道", "customer_tier": "等级"},
        record=True,
    )
    assert summary.empty_context_columns == {"channel": "渠道"}
    record = json.loads((tmp_path / "_out.csv.triage.json").read_text(encoding="utf-8"))
    assert record["empty_context_columns"] == {"channel": "渠道"}
    # the columns the unmatched counts were of, as the summary names them
    assert record["context_columns"] == {"channel": "渠道", "customer_tier": "等级"}


@pytest.mark.skipif(sys.platform == "win32", reason="names of bytes")
def test_a_recorded_output_named_in_bytes_no_utf8_has_its_record(tmp_path: Path) -> None:
    # a name of GBK bytes (a script saved as GBK), held as surrogates, raised
    # a UnicodeEncodeError writing the record, after the output was in place
    src = write(tmp_path / os.fsdecode("投诉.csv".encode("gbk")), "text\n快递一周还没到\n")
    output = os.fsdecode("结果.csv".encode("gbk"))
    score_file(src, tmp_path / output, record=True)
    record = json.loads((tmp_path / f"_{output}.triage.json").read_text(encoding="utf-8"))
    assert (record["input"], record["output"], record["rows"]) == (str(src), output, 1)


def test_an_output_written_again_loses_the_record_of_the_earlier_run(tmp_path: Path) -> None:
    # else the record would name the model and rows of an output no longer there
    src = write(tmp_path / "in.csv", "text\n快递一周还没到\n")
    score_file(src, tmp_path / "out.csv", record=True)
    score_file(src, tmp_path / "out.csv", model=triage.LexiconModel())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_the_record_of_an_output_written_through_a_link_is_beside_the_file(
    tmp_path: Path,
) -> None:
    # -o /dev/stdout redirected to a file wrote its record as /dev/_stdout.triage.json
    src = write(tmp_path / "in.csv", "text\n快递一周还没到\n")
    (tmp_path / "scored").mkdir()
    (tmp_path / "latest.csv").symlink_to(tmp_path / "scored" / "2024.csv")
    score_file(src, tmp_path / "latest.csv", record=True)
    assert sorted(p.name for p in (tmp_path / "scored").iterdir()) == [
        "2024.csv",
        "_2024.csv.triage.json",
    ]
    record = (tmp_path / "scored" / "_2024.csv.triage.json").read_text(encoding="utf-8")
    assert json.loads(record)["output"] == "2024.csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "latest.csv", "scored"]


def _planted_link(tmp_path: Path, owner: int | None) -> tuple[Path, Path]:
    """A link ``shared/scored.csv`` to a file of the user's, ``home/notes.txt``,
    in a sticky folder anyone may write to, as /tmp is, made by `owner` (the
    user when None); skips where a link of another user cannot be made."""
    shared, home = tmp_path / "shared", tmp_path / "home"
    shared.mkdir()
    home.mkdir()
    shared.chmod(0o1777)
    notes = home / "notes.txt"
    notes.write_text("备忘\n", encoding="utf-8")
    link = shared / "scored.csv"
    link.symlink_to(notes)
    if owner is not None:
        try:
            os.lchown(link, owner, owner)
        except PermissionError:
            pytest.skip("a link of another user is made by root alone")
    return link, notes


@pytest.mark.skipif(not hasattr(os, "lchown"), reason="POSIX owners of links")
@pytest.mark.parametrize("record", [False, True])
def test_an_output_that_is_another_user_s_link_in_a_shared_folder_is_refused(
    tmp_path: Path, record: bool
) -> None:
    # the finished file was renamed over the file such a link names, which
    # the system's fs.protected_symlinks refuses to open through: a link
    # planted at /tmp/scored.csv had the user's file replaced by the scores
    # (and a record written beside it)
    link, notes = _planted_link(tmp_path, 65534)
    src = write(tmp_path / "in.csv", "text\n快递一周还没到\n")
    with pytest.raises(
        PermissionError, match=r"symbolic link \(to .*notes\.txt\) that another user"
    ):
        score_file(src, link, record=record)
    assert notes.read_text(encoding="utf-8") == "备忘\n"
    assert sorted(p.name for p in notes.parent.iterdir()) == ["notes.txt"]
    assert os.readlink(link) == str(notes)


@pytest.mark.skipif(not hasattr(os, "lchown"), reason="POSIX owners of links")
def test_an_output_that_is_the_user_s_own_link_in_a_shared_folder_is_written_through(
    tmp_path: Path,
) -> None:
    link, notes = _planted_link(tmp_path, None)
    src = write(tmp_path / "in.csv", "text\n快递一周还没到\n")
    score_file(src, link, record=True)
    assert notes.read_text(encoding="utf-8").startswith("text,categories,")
    assert sorted(p.name for p in notes.parent.iterdir()) == ["_notes.txt.triage.json", "notes.txt"]


@pytest.mark.parametrize(
    ("record", "output", "message"),
    [
        ("yes", "out.csv", r"^record must be True or False, got str$"),
        (True, "/dev/null", r"^record=True \(CLI: --record\) writes a file beside the output, "),
    ],
)
def test_a_record_that_cannot_be_written_is_refused_before_scoring(
    tmp_path: Path, record: Any, output: str, message: str
) -> None:
    src = write(tmp_path / "in.csv", "text\n快递一周还没到\n")
    with pytest.raises(triage.ParameterError, match=message):
        score_file(src, tmp_path / output, output_format="csv", record=record)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_rescoring_an_output_keeps_every_column_name_unique(tmp_path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    src = write(tmp_path / "in.csv", "id,text\n1,快递一周还没到\n2,房间很脏\n")
    score_file(src, tmp_path / "once.csv")
    score_file(tmp_path / "once.csv", tmp_path / "twice.csv")
    score_file(tmp_path / "twice.csv", tmp_path / f"thrice.{fmt}")
    target = tmp_path / f"thrice.{fmt}"
    readers = {"csv": pd.read_csv, "jsonl": lambda p: pd.read_json(p, lines=True)}
    out = readers.get(fmt, pd.read_parquet)(target)
    assert out.columns.is_unique
    assert {"priority", "triage_priority", "triage_triage_priority"} <= set(out.columns)
    assert out["id"].astype(str).tolist() == ["1", "2"]


# The score columns of each version of the output's format, in order, with
# the dtype score_frame gives each ("text": the dtype pandas gives text). A
# column added, removed, renamed or moved, or a dtype changed, fails here:
# raise OUTPUT_FORMAT_VERSION and add its columns below, keeping the older.
_OUTPUT_FORMATS = {
    1: {
        "categories": "text",
        "primary": "text",
        **{str(e): "Int64" for e in EMOTIONS},
        "priority": "text",
        **{f"prob_{c}": "float64" for c in CATEGORIES},
        **{f"prob_{e}": "float64" for e in EMOTIONS},
        "prob_complaint": "float64",
        "sentiment": "float64",
        "deadline_minutes": "Int64",
        "route": "text",
        "reasons": "text",
        "truncated": "bool",
        "low_confidence": "bool",
        "error": "text",
    },
}
# version 2 added the column summary=True asks for, first
_OUTPUT_FORMATS[2] = dict(_OUTPUT_FORMATS[1])
# the columns an option adds, by version: (option, column, the column it follows)
_OPTIONAL_COLUMNS = {
    1: [("explain", "why", "reasons")],
    2: [("explain", "why", "reasons"), ("summary", "summary", None)],
}


def test_the_output_format_version_is_that_of_the_columns_written() -> None:
    text = pd.Series([""]).dtype
    for frame in (pd.DataFrame({"text": ["快递一周还没到", None]}), pd.DataFrame({"text": []})):
        scored = score_frame(frame)
        kinds = {c: "text" if t == text else str(t) for c, t in scored.dtypes.items()}
        assert list(kinds.items()) == list(_OUTPUT_FORMATS[OUTPUT_FORMAT_VERSION].items())
        assert scored.astype(batch.OUTPUT_DTYPES).dtypes.equals(scored.dtypes)
        assert list(batch.OUTPUT_DTYPES) == list(OUTPUT_COLUMNS)
        for option, column, after in _OPTIONAL_COLUMNS[OUTPUT_FORMAT_VERSION]:
            asked = score_frame(frame, **{option: 2 if option == "explain" else True})
            names = asked.columns.tolist()
            assert names.index(column) == (0 if after is None else names.index(after) + 1)
            assert asked[column].dtype == text
            assert asked.drop(columns=column).columns.tolist() == list(OUTPUT_COLUMNS)


def test_a_checkpoint_of_an_earlier_format_is_continued_with_the_options_it_lacked() -> None:
    # a run stopped under an earlier version whose columns are this one's
    # without those of options added since is finished with those options
    # at their defaults (--resume after an upgrade); another is refused
    now = _OPTIONAL_COLUMNS[OUTPUT_FORMAT_VERSION]
    defaults = inspect.signature(score_file).parameters
    for version in range(1, OUTPUT_FORMAT_VERSION):
        then = _OPTIONAL_COLUMNS[version]
        same = _OUTPUT_FORMATS[version] == _OUTPUT_FORMATS[OUTPUT_FORMAT_VERSION]
        added = {
            o: defaults[o].default for o, column, after in now if (o, column, after) not in then
        }
        want = added if same and set(then) <= set(now) else None
        assert batch._EARLIER_FORMATS.get(version) == want, version
    assert set(batch._EARLIER_FORMATS) <= set(range(1, OUTPUT_FORMAT_VERSION))


def _read_back(path: Path, fmt: str) -> pd.DataFrame:
    """A scored file read as docs/batch.md says, "Reading the output in pandas"."""
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "jsonl":
        scored = pd.read_json(path, lines=True, dtype=False, precise_float=True)
        return scored.astype(batch.OUTPUT_DTYPES)
    numbers = [c for c, t in batch.OUTPUT_DTYPES.items() if t not in ("str", "bool")]
    return pd.read_csv(
        path,
        sep="\t" if fmt == "tsv" else ",",
        dtype=defaultdict(lambda: "str", batch.OUTPUT_DTYPES),
        keep_default_na=False,
        na_values={c: [""] for c in numbers},
    )


# texts whose scores, and whose cells, a format could write otherwise
_ROUND_TRIP = {
    "00123": "快递一周还没到，客服也不回，我要投诉到12315！",  # P1, several categories
    "00124": "快递很快，包装也很好",  # praise: no category, "" in categories
    "00125": "",  # an error: "" and NA
    "00126": None,
    "00127": '房间很脏，空调坏了，前台说"没办法"',  # quotes and commas
    "00128": "退款金额不对|少退了20元\r\n第二行还没说完\t",  # the separator, line ends, a tab
    "00129": '=HYPERLINK("http://x","点我")',
    "00130": "hello 😂",  # low confidence
    "00131": "等了很久，快递还没到，" * 200,  # truncated
}


@pytest.mark.parametrize("model", ["default", "lexicon"])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "parquet"])
def test_every_output_format_reads_back_as_score_frame_gives_it(
    tmp_path: Path, fmt: str, model: str
) -> None:
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"ticket": list(_ROUND_TRIP), "text": list(_ROUND_TRIP.values())})
    frame.to_parquet(tmp_path / "in.parquet")
    # the lexicon baseline has no complaint head: prob_complaint NaN on every row
    found = triage.LexiconModel() if model == "lexicon" else None
    explain = 2 if model == "default" else 0
    summary = model == "default"
    score_file(
        tmp_path / "in.parquet",
        tmp_path / f"out.{fmt}",
        model=found,
        explain=explain,
        summary=summary,
    )
    got = _read_back(tmp_path / f"out.{fmt}", fmt)
    want = score_frame(frame, model=found, explain=explain, summary=summary)
    assert list(got.columns) == ["ticket", "text", *want.columns]
    pd.testing.assert_frame_equal(got[want.columns], want)
    assert got["ticket"].tolist() == list(_ROUND_TRIP)
    texts = [t or "" for t in _ROUND_TRIP.values()]  # None is an empty cell of CSV
    assert [t if isinstance(t, str) else "" for t in got["text"]] == texts
    assert set(got["error"]) == {"", "empty text", "missing text"}
    assert got["truncated"].any() and got["low_confidence"].any()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_file_scored_says_the_version_of_its_format(tmp_path: Path, fmt: str) -> None:
    # a file read months later: its columns are those of the version it names
    src = write(tmp_path / "in.csv", "id,text\n1,快递一周还没到\n")
    if fmt == "parquet":
        pq = pytest.importorskip("pyarrow.parquet")
    summary = score_file(src, tmp_path / f"out.{fmt}", record=True)
    record = json.loads((tmp_path / f"_out.{fmt}.triage.json").read_text(encoding="utf-8"))
    assert summary.scored_by["output_format_version"] == OUTPUT_FORMAT_VERSION
    assert record["scored_by"]["output_format_version"] == OUTPUT_FORMAT_VERSION
    if fmt == "parquet":
        meta = json.loads(pq.read_schema(tmp_path / "out.parquet").metadata[b"triage"])
        assert meta["output_format_version"] == OUTPUT_FORMAT_VERSION
    assert isinstance(OUTPUT_FORMAT_VERSION, int) and OUTPUT_FORMAT_VERSION >= 1


def test_a_parquet_output_says_which_model_and_policy_scored_it(tmp_path: Path) -> None:
    # results of two models or policies are not mixed unknowingly: each file
    # says what made it, the same for every file the same model scores
    pq = pytest.importorskip("pyarrow.parquet")
    from triage._default import get_default_model
    from triage.batch import SCORED_BY_KEY, scored_by
    from triage.priority import Policy, default_policy

    def said(path: Path) -> Any:
        return json.loads(pq.read_schema(path).metadata[SCORED_BY_KEY.encode()])

    src = write(tmp_path / "in.csv", "id,text\n1,快递一周还没到\n2,\n")
    score_file(src, tmp_path / "a.parquet", chunk_size=1)
    score_file(tmp_path / "a.parquet", tmp_path / "b.parquet")
    by = said(tmp_path / "a.parquet")
    assert by == said(tmp_path / "b.parquet") == scored_by()
    assert by["triage_version"] == triage.__version__
    assert by["model_sha256"] == get_default_model().card_["file"]["sha256"]
    assert pd.read_parquet(tmp_path / "a.parquet")["id"].tolist() == ["1", "2"]

    data = default_policy().to_dict()
    data["levels"]["P1"]["deadline_minutes"] += 5
    score_file(
        src, tmp_path / "c.parquet", model=triage.LexiconModel(), policy=Policy.from_dict(data)
    )
    other = said(tmp_path / "c.parquet")
    assert other["model_sha256"] is None and other["policy_sha256"] != by["policy_sha256"]


def test_a_model_tuned_after_loading_is_not_said_to_be_its_file(tiny_frame: Any) -> None:
    # tune_thresholds copies the loaded model, card and all: the copy scores
    # otherwise, and is no file
    from triage._default import get_default_model
    from triage.batch import scored_by
    from triage.retrain import tune_thresholds

    loaded = get_default_model()
    assert scored_by(loaded)["model_sha256"] == loaded.card_["file"]["sha256"]
    tuned = tune_thresholds(loaded, tiny_frame, min_positives=1)
    assert scored_by(tuned)["model_sha256"] is None
    assert scored_by(loaded)["model_sha256"] == loaded.card_["file"]["sha256"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_a_column_named_like_a_score_in_other_letter_case_keeps_its_name(
    tmp_path: Path, fmt: str
) -> None:
    # Spark, Hive, BigQuery and SQL's unquoted names take Priority and
    # priority for one column: a CRM's Priority would be read for the score
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    src = write(tmp_path / "in.csv", "id,Priority,text\n1,高,快递一周还没到\n2,低,房间很脏\n")
    score_file(src, tmp_path / f"out.{fmt}")
    readers = {"csv": pd.read_csv, "jsonl": lambda p: pd.read_json(p, lines=True)}
    out = readers.get(fmt, pd.read_parquet)(tmp_path / f"out.{fmt}")
    assert out.columns.str.lower().is_unique
    assert out["Priority"].tolist() == ["高", "低"]
    assert out["triage_priority"].tolist() == ["P3", "P3"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_score_csv_in_any_chinese_encoding(tmp_path: Path, encoding: str) -> None:
    rows = "".join(f"{i},{t}\n" for i, t in enumerate(["快递太慢了", "房间很脏，服务员态度差"] * 3))
    src = write(tmp_path / "in.csv", "id,text\n" + rows, encoding)
    score_file(src, tmp_path / "out.csv", chunk_size=4)
    out = pd.read_csv(tmp_path / "out.csv", encoding="utf-8", keep_default_na=False)
    assert out["text"].tolist()[:2] == ["快递太慢了", "房间很脏，服务员态度差"]
    want = score_frame(pd.DataFrame({"text": out["text"]}))
    assert out["reasons"].tolist() == want["reasons"].tolist()
    assert out["primary"].tolist()[0] == "logistics"


# texts with a stray NUL byte, as a database export may hold them
NUL_TEXTS = [
    "退款\x00还没到账，气死了",
    "奶粉\x00有虫子，孩子吃了发烧",
    "快递\x00\x00一周还没到",
    "\x00",
]


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_a_nul_byte_in_a_text_file_scores_and_comes_back_as_in_a_frame(
    tmp_path: Path, suffix: str
) -> None:
    sep = "," if suffix == ".csv" else "\t"
    rows = "".join(f'{i:03d}{sep}"{t}"\n' for i, t in enumerate(NUL_TEXTS))
    src = write(tmp_path / f"in{suffix}", f"id{sep}text\n" + rows + f"999{sep}包装破损\n" * 60)
    score_file(src, tmp_path / "out.jsonl", chunk_size=3)
    out = pd.read_json(tmp_path / "out.jsonl", lines=True, dtype=False).head(len(NUL_TEXTS))
    assert out["id"].tolist() == [f"{i:03d}" for i in range(len(NUL_TEXTS))]
    assert out["text"].tolist() == NUL_TEXTS
    want = score_frame(pd.DataFrame({"text": NUL_TEXTS}))
    for column in ("categories", "priority", "reasons", "error"):
        assert out[column].tolist() == want[column].tolist(), column


@pytest.mark.parametrize(
    ("name", "content", "encoding", "fmt", "columns"),
    [
        # Excel's "Unicode Text" export, renamed .csv: tab-separated UTF-16
        ("in.csv", "id\ttext\n1\t快递太慢,三天没到\n", "utf-16", None, ["id", "text"]),
        # ... as some tools write it, without the byte-order mark
        ("in.csv", "id\ttext\n1\t快递太慢,三天没到\n", "utf-16-le", None, ["id", "text"]),
        ("in.txt", "id,text\n1,快递太慢\n", "utf-16-be", None, ["id", "text"]),
        ("in.txt", "id,text\n1,快递太慢\n", "utf-8", None, ["id", "text"]),
        ("in.tsv", "id,text\n1,快递太慢\n", "utf-8", None, ["id", "text"]),
        ("in.csv", "id,text\n1,快递太慢\t三天没到\n", "utf-8", None, ["id", "text"]),
        ("in.csv", "text\n快递太慢\t三天没到\n", "utf-8", None, ["text"]),  # a tie: by name
        # blank lines before the header, as before a comma-separated one
        ("in.csv", "\n \r\nid\ttext\n1\t快递太慢,三天没到\n", "utf-8", None, ["id", "text"]),
        ("in.csv", "\n\nid\ttext\n1\t快递太慢,三天没到\n", "utf-16", None, ["id", "text"]),
        # a format given by the caller decides a tie only
        ("in.csv", "id\ttext\n1\t快递太慢\n", "utf-8", "csv", ["id", "text"]),
    ],
)
def test_delimiter_of_a_csv_or_tsv_input_is_read_from_its_header(
    tmp_path: Path,
    name: str,
    content: str,
    encoding: str,
    fmt: str | None,
    columns: list[str],
) -> None:
    src = write(tmp_path / name, content, encoding)
    out = tmp_path / "out.jsonl"
    if "text" not in columns:
        with pytest.raises(KeyError, match="text"):
            score_file(src, out, input_format=fmt)
        return
    score_file(src, out, input_format=fmt)
    got = pd.read_json(out, lines=True, dtype=False)
    assert got.columns.tolist()[: len(columns)] == columns
    assert got["primary"].tolist() == ["logistics"]


@pytest.mark.parametrize(
    ("name", "content", "fmt", "rows"),
    [
        # a header that only the other delimiter splits into the columns is read at it
        ("in.csv", "id\ttext\n1\t快递太慢,三天没到\n", "csv", [("1", "快递太慢,三天没到")]),
        ("in.dat", "id\ttext\n1\t快递太慢,三天没到\n", "csv", [("1", "快递太慢,三天没到")]),
        ("in.tsv", "id,text\n1,房间很脏\t没人打扫\n", "tsv", [("1", "房间很脏\t没人打扫")]),
        ("in.txt", "id;text\n1;会员费乱扣,客服不理\n", "tsv", [("1", "会员费乱扣,客服不理")]),
        # a tie is the given format's, whatever the name says
        ("in.txt", "text\n快递太慢\t三天没到\n", "csv", [("", "快递太慢\t三天没到")]),
        ("in.csv", "text\n快递太慢,三天没到\n", "tsv", [("", "快递太慢,三天没到")]),
        ("in.tsv", "id,text\n1,快递太慢\t三天没到\n", "csv", [("1", "快递太慢\t三天没到")]),
    ],
    ids=[
        "tabs-as-csv",
        "tabs-as-csv-dat",
        "commas-as-tsv",
        "semicolons-as-tsv",
        "tie-csv",
        "tie-tsv",
        "commas-as-csv-tsv",
    ],
)
def test_a_given_format_reads_a_header_that_only_another_delimiter_splits(
    tmp_path: Path, name: str, content: str, fmt: str, rows: list[tuple[str, str]]
) -> None:
    src = write(tmp_path / name, content)
    out = tmp_path / "out.jsonl"
    score_file(src, out, input_format=fmt)
    got = pd.read_json(out, lines=True, dtype=False)
    ids = got["id"].astype(str).tolist() if "id" in got.columns else [""] * len(got)
    assert list(zip(ids, got["text"], strict=True)) == rows
    assert list(read_texts(src, input_format=fmt)) == [text for _, text in rows]
    cli = tmp_path / "cli.jsonl"
    assert main(["score", str(src), "-o", str(cli), "--quiet", "--input-format", fmt]) == 0
    assert pd.read_json(cli, lines=True, dtype=False)["text"].tolist() == got["text"].tolist()


def test_a_header_of_one_name_holding_commas_read_as_tsv_says_how_commas_split_it(
    tmp_path: Path,
) -> None:
    src = write(tmp_path / "in.tsv", "编号,内容\n1,快递还没到\n")
    with pytest.raises(
        ColumnError, match=r"or \['编号', '内容'\] if it is separated by ','; name the text column"
    ):
        score_file(src, tmp_path / "out.csv")


def read_everywhere(src: Path, tmp_path: Path) -> list[tuple[str, str]]:
    """The (id, text) rows of `src` as `score_file` writes them, checked to be
    the same with one worker and two, a chunk of one row and the default, by
    `triage score`, and for CSV and TSV by `read_labeled`; no line skipped,
    none read with U+FFFD."""
    got = []
    for n_jobs, chunk_size in ((1, 10_000), (1, 1), (2, 1)):
        out = tmp_path / f"out-{n_jobs}-{chunk_size}.jsonl"
        summary = score_file(src, out, n_jobs=n_jobs, chunk_size=chunk_size, id_column="id")
        assert summary.malformed_lines == summary.undecodable_lines == []
        got.append(pd.read_json(out, lines=True, dtype=False))
    out = tmp_path / "cli.jsonl"
    assert main(["score", str(src), "-o", str(out), "--quiet", "--id-column", "id"]) == 0
    got.append(pd.read_json(out, lines=True, dtype=False))
    if file_format(src) != "jsonl":
        got.append(read_labeled(src))
    rows = [list(zip(g["id"].astype(str), g["text"], strict=True)) for g in got]
    for other in rows[1:]:
        assert other == rows[0]
    return rows[0]


@pytest.mark.parametrize(
    ("content", "encoding", "rows"),
    [
        # the CSV of Excel where the decimal mark is a comma
        (
            "id;text\n1;快递还没到\n2;客服态度太差了\n",
            "utf-8",
            [("1", "快递还没到"), ("2", "客服态度太差了")],
        ),
        (
            'id;text;金额\r\n1;"退款;说好三天,到现在没到";12,50\r\n2;快递还没到;0\r\n',
            "gbk",
            [("1", "退款;说好三天,到现在没到"), ("2", "快递还没到")],
        ),
        ("\ufeffid;text\n1;房间很脏,没人打扫\n", "utf-8", [("1", "房间很脏,没人打扫")]),
        # a comma-separated file whose texts and names hold semicolons stays one
        (
            "id,text,备注;说明\n1,快递还没到;客服也不回,无\n2,房间很脏,无\n",
            "utf-8",
            [("1", "快递还没到;客服也不回"), ("2", "房间很脏")],
        ),
        ("id,text\n1;2,快递还没到;三天了\n", "utf-8", [("1;2", "快递还没到;三天了")]),
    ],
    ids=["semicolons", "semicolons-gbk-quoted", "semicolons-bom", "commas", "commas-in-id"],
)
def test_a_csv_separated_by_semicolons_is_read_as_excel_writes_it(
    tmp_path: Path, content: str, encoding: str, rows: list[tuple[str, str]]
) -> None:
    src = write(tmp_path / "in.csv", content, encoding)
    assert read_everywhere(src, tmp_path) == rows
    # a format given as csv is read the same
    score_file(src, tmp_path / "given.jsonl", input_format="csv")
    got = pd.read_json(tmp_path / "given.jsonl", lines=True, dtype=False)
    assert list(zip(got["id"].astype(str), got["text"], strict=True)) == rows


@pytest.mark.parametrize(
    ("content", "encoding", "rows"),
    [
        (
            "sep=;\nid;text\n1;快递还没到,三天了\n2;客服态度太差了\n",
            "utf-8",
            [("1", "快递还没到,三天了"), ("2", "客服态度太差了")],
        ),
        ("sep=,\r\nid,text\r\n1,房间很脏;没人打扫\r\n", "gbk", [("1", "房间很脏;没人打扫")]),
        (
            "\ufeffsep=\t\nid\ttext\n1\t会员费乱扣,客服不理\n",
            "utf-8",
            [("1", "会员费乱扣,客服不理")],
        ),
        (
            "sep=|\nid|text\n1|奶粉有异味,孩子喝了拉肚子\n",
            "utf-16",
            [("1", "奶粉有异味,孩子喝了拉肚子")],
        ),
    ],
    ids=["semicolons", "commas-gbk", "tabs-bom", "bars-utf-16"],
)
def test_a_first_line_naming_the_delimiter_is_honoured_and_skipped(
    tmp_path: Path, content: str, encoding: str, rows: list[tuple[str, str]]
) -> None:
    # Excel reads "sep=;" as naming the delimiter; some exports write it for it
    src = write(tmp_path / "in.csv", content, encoding)
    assert read_everywhere(src, tmp_path) == rows
    assert list(read_texts(src)) == [text for _, text in rows]
    score_file(src, tmp_path / "given.jsonl", input_format="csv")
    got = pd.read_json(tmp_path / "given.jsonl", lines=True, dtype=False)
    assert list(zip(got["id"].astype(str), got["text"], strict=True)) == rows
    # a folder of such exports
    write(tmp_path / "exports" / "part-1.csv", content, encoding)
    summary = score_file(tmp_path / "exports", tmp_path / "folder.csv", id_column="id")
    assert summary.rows == len(rows)


def test_the_lines_after_a_sep_line_keep_their_numbers_in_the_file(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "sep=;\nid;text\n1;快递还没到\n2;客服;不回\n3;房间很脏\n")
    summary = score_file(src, tmp_path / "out.csv")
    assert (summary.rows, summary.malformed_lines) == (2, [4])


def test_a_header_that_semicolons_split_into_other_names_is_an_error_saying_so(
    tmp_path: Path,
) -> None:
    src = write(tmp_path / "in.csv", "编号;内容\n1;快递还没到\n")
    with pytest.raises(
        ColumnError, match=r"or \['编号', '内容'\] if it is separated by ';'; name the text column"
    ):
        score_file(src, tmp_path / "out.csv")
    score_file(src, tmp_path / "out.csv", text_column="内容")
    out = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert out[["编号", "内容", "primary"]].values.tolist() == [["1", "快递还没到", "logistics"]]


@pytest.mark.parametrize(
    ("content", "rows"),
    [
        (
            '{"id": 1, "text": "快递还没到\r已经一周了"}\n{"id": 2, "text": "退款没到账"}\n',
            [("1", "快递还没到\r已经一周了"), ("2", "退款没到账")],
        ),
        (
            '{"id": 1, "text": "房间很脏\t没人打扫"}\r\n{"id": 2, "text": "退款没到账"}\r\n',
            [("1", "房间很脏\t没人打扫"), ("2", "退款没到账")],
        ),
        (
            '{"id": 1, "text": "快递\r还没到"}\r{"id": 2, "text": "退款没到账"}\r',
            [("1", "快递\r还没到"), ("2", "退款没到账")],
        ),
    ],
    ids=["cr-in-text", "tab-in-text", "mac-cr-in-text"],
)
def test_a_jsonl_text_holding_a_raw_cr_or_tab_is_scored_whole(
    tmp_path: Path, content: str, rows: list[tuple[str, str]]
) -> None:
    src = write(tmp_path / "in.jsonl", content)
    assert read_everywhere(src, tmp_path) == rows
    # the keys and types of a Parquet output are read from the same records
    pytest.importorskip("pyarrow")
    score_file(src, tmp_path / "out.parquet")
    got = pd.read_parquet(tmp_path / "out.parquet")
    assert list(zip(got["id"].astype(str), got["text"], strict=True)) == rows


LONG_COMPLAINT = "快递还没到，客服说在路上，一上午都没人理我！" * 4_546  # 100,012 characters


@pytest.mark.parametrize(
    ("name", "content", "encoding"),
    [
        ("in.csv", f"id,text\r\n1,{LONG_COMPLAINT}\r\n2,退款没到账\r\n", "utf-16-le"),
        ("in.txt", f"id\ttext\r\n1\t{LONG_COMPLAINT}\r\n2\t退款没到账\r\n", "utf-16-le"),
        ("in.csv", f"id,text\n1,{LONG_COMPLAINT}\n2,退款没到账\n", "utf-16-be"),
        (
            "in.jsonl",
            f'{{"id": 1, "text": "{LONG_COMPLAINT}"}}\n{{"id": 2, "text": "退款没到账"}}\n',
            "utf-16-le",
        ),
    ],
    ids=["csv-le", "unicode-text-le", "csv-be", "jsonl-le"],
)
def test_utf16_without_a_bom_and_a_long_first_text_is_scored(
    tmp_path: Path, name: str, content: str, encoding: str
) -> None:
    src = write(tmp_path / name, content, encoding)
    assert read_everywhere(src, tmp_path) == [("1", LONG_COMPLAINT), ("2", "退款没到账")]


@pytest.mark.parametrize(
    ("name", "data", "rows"),
    [
        (
            "in.csv",
            "id,text\r\n1,充值100".encode("gbk")
            + b"\x80"
            + "没到账\r\n2,退款没到\r\n".encode("gbk"),
            [("1", "充值100€没到账"), ("2", "退款没到")],
        ),
        (
            "in.tsv",
            "id\ttext\n1\t".encode("gbk") + b"\x80" + "50的券用不了\n".encode("gbk"),
            [("1", "€50的券用不了")],
        ),
        (
            "in.jsonl",
            '{"id": 1, "text": "充值100'.encode("gbk") + b"\x80" + '没到账"}\n'.encode("gbk"),
            [("1", "充值100€没到账")],
        ),
    ],
    ids=["csv", "tsv", "jsonl"],
)
def test_the_euro_sign_of_excel_in_a_gbk_file_is_scored_as_written(
    tmp_path: Path, name: str, data: bytes, rows: list[tuple[str, str]]
) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_everywhere(src, tmp_path) == rows


def test_a_header_written_with_spaces_after_its_commas_is_scored(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "id, text\n1,快递太慢\n2,房间很脏\n")
    summary = score_file(src, tmp_path / "out.csv", id_column="id")
    assert (summary.rows, summary.errors) == (2, 0)
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out.columns.tolist()[:2] == ["id", "text"]
    assert out["primary"].tolist() == ["logistics", "environment"]


def test_csv_with_a_broken_line(tmp_path: Path) -> None:
    src = write(
        tmp_path / "in.csv",
        'id,text\n1,快递太慢\n2,房间,很脏,多了一列\n3,"服务员态度差"\n\n4,包装破损\n',
    )
    summary = score_file(src, tmp_path / "out.csv", chunk_size=2)
    assert summary.malformed_lines == [3]
    assert summary.rows == 3
    out = pd.read_csv(tmp_path / "out.csv")
    assert out["id"].tolist() == [1, 3, 4]
    assert "skipped 1 malformed line: 3" in str(summary)


@pytest.mark.parametrize("name", ["in.csv.gz", "in.csv.bz2", "in.csv.xz", "in.zip"])
def test_compressed_input_scores_as_the_plain_file(tmp_path: Path, name: str) -> None:
    # a GBK export, tab-separated, with a quoted line break and a broken line
    body = 'id\ttext\n1\t快递太慢\n2\t房间\t很脏\n3\t"服务员态度差\n还不道歉"\n\n4\t包装破损\n'
    plain = write(tmp_path / "in.csv", body, "gbk")
    src = tmp_path / name
    data = plain.read_bytes()
    if name.endswith(".zip"):
        with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("in.csv", data)
    else:
        compress = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}
        src.write_bytes(compress[src.suffix](data))
    want = score_file(plain, tmp_path / "plain.jsonl", chunk_size=2)
    summary = score_file(src, tmp_path / "out.jsonl", chunk_size=2)
    assert (summary.rows, summary.malformed_lines) == (want.rows, want.malformed_lines) == (3, [3])
    out = (tmp_path / "out.jsonl").read_bytes()
    assert out == (tmp_path / "plain.jsonl").read_bytes()
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["1", "3", "4"]
    assert records[1]["text"] == "服务员态度差\n还不道歉"


def test_one_column_file_with_blank_lines_keeps_every_row(tmp_path: Path) -> None:
    # a column pasted from a spreadsheet: output row i is input line i + 1
    src = write(tmp_path / "in.csv", "text\n快递太慢\n\n房间很脏\n\n\n包装破损\n")
    summary = score_file(src, tmp_path / "out.csv", chunk_size=2)
    assert (summary.rows, summary.errors, summary.malformed_lines) == (6, 3, [])
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out["text"].tolist() == ["快递太慢", "", "房间很脏", "", "", "包装破损"]
    assert out["error"].tolist() == ["", "empty text", "", "empty text", "empty text", ""]
    assert out["primary"].tolist() == ["logistics", "", "environment", "", "", "logistics"]


def test_tsv_and_jsonl_round_trip(tmp_path: Path) -> None:
    src = write(tmp_path / "in.tsv", "text\tshop\n快递太慢\ta\n房间很脏\tb\n")
    score_file(src, tmp_path / "out.jsonl")
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["shop"] for r in records] == ["a", "b"]
    assert [r["primary"] for r in records] == ["logistics", "environment"]
    # and JSONL in, with a broken line, a missing key and a number
    src = write(
        tmp_path / "in.jsonl",
        '{"text": "快递太慢", "id": 1}\n{"text": oops}\n{"id": 3}\n{"text": 42, "id": 4}\n'
        '{"text": "房间很脏", "id": 5, "new": 1}\n',
    )
    with pytest.warns(UserWarning, match="dropping key.*'new'"):
        summary = score_file(src, tmp_path / "out.tsv", chunk_size=2)
    assert summary.malformed_lines == [2]
    out = pd.read_csv(tmp_path / "out.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert out["id"].tolist() == ["1", "3", "4", "5"]
    assert out["error"].tolist() == ["", "missing text", "not a string: int", ""]
    assert "new" not in out.columns


def test_the_warning_of_a_key_first_seen_later_counts_the_records_as_rows_are_counted(
    tmp_path: Path,
) -> None:
    # it said "the first chunk of 1 records"
    src = write(tmp_path / "in.jsonl", '{"text": "快递太慢"}\n{"text": "房间很脏", "new": 1}\n')
    with pytest.warns(UserWarning, match="not in the first chunk of 1 record, "):
        score_file(src, tmp_path / "out.jsonl", chunk_size=1)


@pytest.mark.parametrize(
    ("column", "value", "written"),
    [
        # 17 significant digits: a float of 15 is another number
        ("amount", 0.12345678901234567, 0.12345678901234567),
        ("amount", 1700000000123.4567, 1700000000123.4567),
        ("amount", 5e-324, 5e-324),
        ("at", datetime.datetime(2024, 1, 2, 3, 4, 5, 123456), "2024-01-02T03:04:05.123456"),
        ("at", datetime.datetime(2024, 1, 2, 3, 4), "2024-01-02T03:04:00"),
    ],
)
def test_a_jsonl_output_keeps_every_value_of_the_input_and_the_scores(
    tmp_path: Path, column: str, value: Any, written: Any
) -> None:
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {"text": ["快递一周还没到，客服也不回", "房间很脏"], column: [value, None]}
    )
    frame.to_parquet(tmp_path / "in.parquet")
    score_file(tmp_path / "in.parquet", tmp_path / "out.jsonl")
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r[column] for r in records] == [written, None]
    scored = score_frame(frame)
    for name in OUTPUT_COLUMNS:
        if name.startswith("prob_") or name == "sentiment":
            assert [r[name] for r in records] == scored[name].tolist(), name
    # and from a JSONL input, whose numbers are read as written
    if isinstance(value, float):
        write(tmp_path / "in.jsonl", json.dumps({"text": "房间很脏", column: value}) + "\n")
        score_file(tmp_path / "in.jsonl", tmp_path / "again.jsonl")
        again = json.loads((tmp_path / "again.jsonl").read_text(encoding="utf-8"))
        assert again[column] == written


@pytest.mark.parametrize("source", ["parquet", "jsonl"])
def test_a_jsonl_output_writes_an_infinity_as_null_and_says_so(tmp_path: Path, source: str) -> None:
    # JSON has no infinity: a strict reader refuses Infinity with its record
    ratios = [math.inf, -math.inf, math.nan, 1.5]
    texts = ["快递一周还没到", "房间很脏", "价格太贵了", "客服态度差"]
    if source == "parquet":
        pytest.importorskip("pyarrow")
        pd.DataFrame({"text": texts, "ratio": ratios}).to_parquet(tmp_path / "in.parquet")
    else:  # json.dumps writes Infinity and NaN, and Python reads them
        lines = [json.dumps({"text": t, "ratio": r}) for t, r in zip(texts, ratios, strict=True)]
        write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    with pytest.warns(
        triage.TriageWarning,
        match=r"out\.jsonl: 2 infinite values of column 'ratio' written as null, .*"
        "write CSV or Parquet",
    ):
        score_file(tmp_path / f"in.{source}", tmp_path / "out.jsonl")
    text = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaN" not in text
    assert [json.loads(line)["ratio"] for line in text.splitlines()] == [None, None, None, 1.5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # CSV keeps them, and NaN alone is no loss
        score_file(tmp_path / f"in.{source}", tmp_path / "out.csv")
        score_file(tmp_path / "out.jsonl", tmp_path / "again.jsonl")
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out["ratio"].tolist() == ["inf", "-inf", "", "1.5"]


def test_a_jsonl_line_too_large_or_deep_for_python_is_a_malformed_line(tmp_path: Path) -> None:
    # the record and 99 objects in it: 100 deep, carried as it is
    deep = {"text": "房间很脏", "meta": json.loads('{"a":' * 99 + "1" + "}" * 99)}
    lines = [
        '{"id": "1", "text": "快递没到"}',
        '{"id": %s, "text": "服务差"}' % ("9" * 5000),  # past int's 4,300 digits
        '{"id": "3", "d": %s}' % ('{"a":' * 500 + "1" + "}" * 500),  # past the copy's recursion
        '{"id": "4", "d": %s}' % ("[" * 5000 + "]" * 5000),  # past the decoder's
        json.dumps({"id": "5", **deep}),
    ]
    write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    report = score_file(tmp_path / "in.jsonl", tmp_path / "out.jsonl")
    assert report.rows == 2 and report.malformed_lines == [2, 3, 4]
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [r["id"] for r in out] == ["1", "5"]
    assert out[1]["meta"] == deep["meta"]


def test_parquet_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"ticket": np.arange(7), "text": [*TEXTS[:5], None, "快递太慢"]})
    frame.to_parquet(tmp_path / "in.parquet")
    summary = score_file(tmp_path / "in.parquet", tmp_path / "out.parquet", chunk_size=3)
    assert summary.rows == 7 and summary.errors == 1
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["ticket"].tolist() == list(range(7))
    want = score_frame(frame)
    pd.testing.assert_series_equal(
        out["reasons"], want["reasons"].astype(out["reasons"].dtype), check_index=False
    )


def test_parquet_columns_keep_one_type_when_chunks_drift(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    # JSONL chunks of 2: "id" is integer, then missing, then
    # an integer again; "note" is empty in the first chunk, then numbers, then text
    src = write(
        tmp_path / "in.jsonl",
        '{"text": "快递太慢", "id": 1, "note": null}\n'
        '{"text": "房间很脏", "id": 2, "note": null}\n'
        '{"text": "快递太慢", "id": null, "note": 3}\n'
        '{"text": "房间很脏", "id": 4, "note": 4.5}\n'
        '{"text": "快递太慢", "id": 5, "note": "加急"}\n',
    )
    summary = score_file(src, tmp_path / "out.parquet", chunk_size=2)
    assert summary.rows == 5
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert out["id"].tolist()[:2] == [1, 2] and pd.isna(out["id"][2])
    assert out["id"].tolist()[3:] == [4, 5]
    assert out["note"].isna().tolist() == [True, True, False, False, False]
    assert out["note"].tolist()[2:] == ["3", "4.5", "加急"]
    assert out["primary"].tolist() == ["logistics", "environment"] * 2 + ["logistics"]
    # Parquet in: a batch with a missing integer comes out of pyarrow as floats
    ids = pd.array([1, 2, None, 4], dtype="Int64")
    pd.DataFrame({"id": ids, "text": ["快递太慢", "房间很脏"] * 2}).to_parquet(
        tmp_path / "in.parquet"
    )
    score_file(tmp_path / "in.parquet", tmp_path / "again.parquet", chunk_size=2)
    again = pd.read_parquet(tmp_path / "again.parquet")
    assert again["id"].isna().tolist() == [False, False, True, False]
    assert again["id"].dropna().astype(int).tolist() == [1, 2, 4]
    # library columns keep their types whatever a chunk holds (here: only errors)
    src = write(tmp_path / "errors.csv", "text\n快递太慢\n\n房间很脏\n")
    score_file(src, tmp_path / "errors.parquet", chunk_size=1)
    typed = pd.read_parquet(tmp_path / "errors.parquet")
    assert str(typed["angry"].dtype) == "Int64"


def test_a_parquet_text_column_stored_as_binary_is_read_as_utf8(tmp_path: Path) -> None:
    # Impala and older Hive write strings as BYTE_ARRAY without the UTF8 annotation
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = ["快递太慢", None, "房间很脏"]
    raw = [None if t is None else t.encode() for t in texts]
    kinds = {
        "binary": pa.array(raw, pa.binary()),
        "large_binary": pa.array(raw, pa.large_binary()),
        # a pandas categorical of bytes: every row was "not a string: bytes"
        "dictionary": pa.array(raw, pa.binary()).dictionary_encode(),
    }
    for text in kinds.values():
        table = pa.table({"id": [1, 2, 3], "text": text, "blob": pa.array(raw, pa.binary())})
        pq.write_table(table, tmp_path / "in.parquet")
        summary = score_file(tmp_path / "in.parquet", tmp_path / "out.parquet")
        out = pd.read_parquet(tmp_path / "out.parquet")
        assert summary.errors == 1 and out["error"].tolist() == ["", "missing text", ""]
        assert out["text"].isna().tolist() == [False, True, False]
        assert out["text"].dropna().tolist() == ["快递太慢", "房间很脏"]
        assert out["primary"].tolist() == ["logistics", "", "environment"]
        assert out["blob"].tolist() == raw  # other binary columns are carried as they are
    # bytes that are not UTF-8 are read as U+FFFD, as in a text file, and reported
    pq.write_table(
        pa.table({"text": pa.array([b"\xff\xfe ok"], pa.binary())}), tmp_path / "b.parquet"
    )
    with pytest.warns(UserWarning, match=r"not UTF-8 in 1 row \(1\)"):
        score_file(tmp_path / "b.parquet", tmp_path / "b.csv")
    assert pd.read_csv(tmp_path / "b.csv")["text"].tolist() == ["\ufffd\ufffd ok"]


def test_a_parquet_output_keeps_the_types_of_a_parquet_input(tmp_path: Path) -> None:
    # types pandas cannot tell back to Arrow: a map's pairs failed the first
    # write, and a struct's integer fields came back as floats
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    import decimal

    columns = {
        "map": pa.array([[("k", 1)], None, []], pa.map_(pa.string(), pa.int64())),
        "struct": pa.array([{"a": 1, "b": "x"}, None, {"a": None, "b": "y"}]),
        "list": pa.array([[1, 2], None, []], pa.list_(pa.int64())),
        "uint64": pa.array([2**64 - 1, None, 0], pa.uint64()),
        "decimal": pa.array([decimal.Decimal("1.50"), None, decimal.Decimal("-2.25")]),
        "when": pa.array([0, None, 1], pa.timestamp("us", tz="Asia/Shanghai")),
        "tier": pa.array(["vip", None, "vip"]).dictionary_encode(),
        "text": pa.array(["快递太慢", "房间很脏", None]),
    }
    table = pa.table(columns)
    pq.write_table(table, tmp_path / "in.parquet")
    for chunk_size in (1, 10):
        score_file(tmp_path / "in.parquet", tmp_path / "out.parquet", chunk_size=chunk_size)
        out = pq.read_table(tmp_path / "out.parquet")
        for name in columns:
            assert out.schema.field(name).type == table.schema.field(name).type, name
            assert out.column(name).to_pylist() == table.column(name).to_pylist(), name
        assert out.column("error").to_pylist() == ["", "", "missing text"]


@pytest.mark.parametrize("chunk_size", [1, 2, 10])
def test_parquet_integer_ids_with_a_missing_value_keep_every_digit(
    tmp_path: Path, chunk_size: int
) -> None:
    # pandas reads integers with a missing value as floats: 19-digit ids
    # lost their last digits, and 5 was written 5.0 only in some chunks
    # (a file that Spark or Hive wrote, with no pandas dtypes stored in it)
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    ids = pa.array([1234567890123456789, None, 5, 6], pa.int64())
    texts = ["快递太慢", "房间很脏", "价格太贵", "客服不理人"]
    pq.write_table(pa.table({"id": ids, "text": texts}), tmp_path / "in.parquet")
    score_file(tmp_path / "in.parquet", tmp_path / "out.csv", chunk_size=chunk_size)
    got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert got["id"].tolist() == ["1234567890123456789", "", "5", "6"]
    score_file(tmp_path / "in.parquet", tmp_path / "out.jsonl", chunk_size=chunk_size)
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1234567890123456789, None, 5, 6]


# a Parquet column of times or durations: (type, values, each cell in a CSV or TSV output)
TIME_COLUMNS = [
    (
        "timestamp[us]",
        [
            datetime.datetime(2024, 1, 5, 13, 45, 0, 123456),
            None,
            datetime.datetime(2024, 2, 29),
            datetime.datetime(2024, 3, 1, 8, 30),
        ],
        ["2024-01-05 13:45:00.123456", "", "2024-02-29 00:00:00", "2024-03-01 08:30:00"],
    ),
    (
        "timestamp[s]",
        [datetime.datetime(2024, 1, 5, 13, 45), None, datetime.datetime(2024, 2, 29), None],
        ["2024-01-05 13:45:00", "", "2024-02-29 00:00:00", ""],
    ),
    (
        "timestamp[ms, tz=Asia/Shanghai]",
        [
            datetime.datetime(2024, 1, 5, 5, 45, 0, 500000, tzinfo=datetime.UTC),
            None,
            datetime.datetime(2024, 2, 28, 16, tzinfo=datetime.UTC),
            None,
        ],
        ["2024-01-05 13:45:00.500000+08:00", "", "2024-02-29 00:00:00+08:00", ""],
    ),
    (
        "duration[us]",
        [
            datetime.timedelta(days=1),
            None,
            datetime.timedelta(hours=2, microseconds=5),
            datetime.timedelta(0),
        ],
        ["1 days 00:00:00", "", "0 days 02:00:00.000005", "0 days 00:00:00"],
    ),
]


@pytest.mark.parametrize(
    ("kind", "values", "cells"), TIME_COLUMNS, ids=[t[0] for t in TIME_COLUMNS]
)
@pytest.mark.parametrize("output", ["out.csv", "out.tsv"])
def test_a_time_is_written_to_a_text_file_as_itself_whatever_its_chunk(
    tmp_path: Path, kind: str, values: list[Any], cells: list[str], output: str
) -> None:
    # pandas wrote a chunk's times in the format of the ones at hand: 2024-02-29
    # in a chunk of midnights, 2024-02-29 00:00:00.000000 beside a microsecond
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    types = {
        "timestamp[us]": pa.timestamp("us"),
        "timestamp[s]": pa.timestamp("s"),
        "timestamp[ms, tz=Asia/Shanghai]": pa.timestamp("ms", tz="Asia/Shanghai"),
        "duration[us]": pa.duration("us"),
    }
    texts = ["快递太慢", "房间很脏", "价格太贵", "客服不理人"]
    table = pa.table({"at": pa.array(values, types[kind]), "text": texts})
    pq.write_table(table, tmp_path / "in.parquet")
    sep = "," if output == "out.csv" else "\t"
    for chunk_size in (1, 2, 3, 10):
        score_file(tmp_path / "in.parquet", tmp_path / output, chunk_size=chunk_size)
        got = pd.read_csv(tmp_path / output, sep=sep, dtype=str, keep_default_na=False)
        assert got["at"].tolist() == cells, chunk_size


def test_a_binary_text_column_of_another_encoding_is_reported_by_row(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = ["快递太慢".encode(), "房间很脏".encode("gbk"), None, "价格太贵".encode("gbk")]
    pq.write_table(pa.table({"text": pa.array(texts, pa.binary())}), tmp_path / "in.parquet")
    with pytest.warns(
        UserWarning, match=r"in\.parquet: texts that are not UTF-8 in 2 rows \(2, 4\)"
    ):
        summary = score_file(tmp_path / "in.parquet", tmp_path / "out.csv", chunk_size=3)
    assert summary.undecodable_lines == [2, 4] and summary.rows == 4
    got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert got["text"].tolist()[0] == "快递太慢" and "\ufffd" in got["text"].tolist()[1]


@pytest.mark.parametrize("output", ["out.csv", "out.tsv", "out.jsonl", "out.jsonl.gz"])
def test_other_binary_columns_are_written_to_text_files_as_text_or_hex(
    tmp_path: Path, output: str
) -> None:
    # a UUID or hash stored as bytes stopped a JSONL output mid-run, and CSV got b'...'
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    cells = [
        ("工单-1".encode(), "工单-1"),  # a string Impala or Hive stored as binary
        (None, None),
        (b"\xff\xfe\x00\x01", "fffe0001"),  # not UTF-8
        (bytes(range(16)), "000102030405060708090a0b0c0d0e0f"),  # UTF-8, but not text
    ]
    table = pa.table(
        {
            "text": ["快递太慢", "房间很脏", "快递太慢", "客服不理人"],
            "uid": pa.array([raw for raw, _ in cells], pa.binary()),
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    summary = score_file(tmp_path / "in.parquet", tmp_path / output, chunk_size=1)
    assert summary.rows == 4 and summary.errors == 0
    if ".jsonl" in output:
        got = pd.read_json(tmp_path / output, lines=True, dtype=False)
    else:
        got = pd.read_csv(tmp_path / output, sep="\t" if output.endswith(".tsv") else ",")
    assert [None if pd.isna(v) else v for v in got["uid"]] == [text for _, text in cells]
    assert got["primary"].tolist() == ["logistics", "environment", "logistics", "service"]


@pytest.mark.parametrize("output", ["out.csv", "out.tsv", "out.jsonl"])
def test_nested_columns_are_written_to_text_files_as_json(tmp_path: Path, output: str) -> None:
    # a CSV field held the Python repr (['a' 'b'], {'d': Decimal('1.50')}), which
    # nothing reads back, and bytes inside a struct stopped a JSONL output
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    cells = [
        ("tags", pa.array([["a", "b"], None]), ["a", "b"]),
        ("meta", pa.array([{"d": Decimal("1.50"), "n": 2}, None]), {"d": "1.50", "n": 2}),
        (
            "when",
            pa.array([{"t": datetime.datetime(2024, 1, 2, 3, 4)}, None]),
            {"t": "2024-01-02T03:04:00"},
        ),
        ("m", pa.array([[("k", 1)], None], pa.map_(pa.string(), pa.int64())), [["k", 1]]),
        ("blob", pa.array([{"b": b"\xff\x00"}, None]), {"b": "ff00"}),
    ]
    columns = {name: array for name, array, _ in cells}
    pq.write_table(pa.table({"text": ["快递太慢", "房间很脏"], **columns}), tmp_path / "in.parquet")
    summary = score_file(tmp_path / "in.parquet", tmp_path / output)
    assert summary.rows == 2 and summary.errors == 0
    if output.endswith(".jsonl"):
        rows = [json.loads(line) for line in (tmp_path / output).read_text("utf-8").splitlines()]
    else:
        sep = "\t" if output.endswith(".tsv") else ","
        got = pd.read_csv(tmp_path / output, sep=sep, dtype=str, keep_default_na=False)
        rows = [
            {k: json.loads(v) if v else None for k, v in row.items() if k in columns}
            for row in got.to_dict("records")
        ]
    assert [rows[0][name] for name, _, _ in cells] == [value for _, _, value in cells]
    assert [rows[1][name] for name, _, _ in cells] == [None] * len(cells)


# the values of a JSONL column, one record each -> its Parquet type and values
JSON_COLUMNS = [
    ([1, 2, None], "int64", [1, 2, None]),
    ([None, 2**60], "int64", [None, 2**60]),
    ([1.5, 2], "double", [1.5, 2.0]),
    ([1, 1.5], "double", [1.0, 1.5]),
    ([True, None, False], "bool", [True, None, False]),
    (["A-7", "B-8"], "string", ["A-7", "B-8"]),
    # values of several kinds are their JSON text, whichever comes first
    ([1, "A-7", None], "string", ["1", "A-7", None]),
    (["A-7", 1], "string", ["A-7", "1"]),
    ([True, 3], "string", ["true", "3"]),
    ([{"a": 1}, {"b": "x"}], "string", ['{"a": 1}', '{"b": "x"}']),
    ([[1], "x", {}], "string", ["[1]", "x", "{}"]),
    # integers a float64 or an int64 does not hold exactly
    ([2**53 + 1, 0.5], "string", ["9007199254740993", "0.5"]),
    ([2**64, 1], "string", ["18446744073709551616", "1"]),
    ([None, None], "string", [None, None]),
]


@pytest.mark.parametrize(("values", "kind", "written"), JSON_COLUMNS)
def test_a_jsonl_column_has_one_parquet_type_from_all_its_values(
    tmp_path: Path, values: list[Any], kind: str, written: list[Any]
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    texts = ["快递太慢", "房间很脏", "价格太贵"]
    lines = [json.dumps({"id": v, "text": t}) + "\n" for v, t in zip(values, texts, strict=False)]
    one = write(tmp_path / "in.jsonl", "".join(lines))
    folder = tmp_path / "exports"  # a record a file
    for i, line in enumerate(lines):
        write(folder / f"{i}.jsonl", line)
    for src, chunk_size in [(one, 1), (one, 100), (folder, 1), (folder, 100)]:
        out = tmp_path / "out.parquet"
        summary = score_file(src, out, chunk_size=chunk_size)
        table = pq.read_table(out)
        assert str(table.schema.field("id").type) == kind
        assert table.column("id").to_pylist() == written
        assert table.column("text").to_pylist() == texts[: len(values)]
        assert summary.rows == len(values) and summary.errors == 0
        out.unlink()
    # the same input as JSONL keeps every value as it was
    score_file(one, tmp_path / "out.jsonl", chunk_size=1)
    got = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in got] == values


def test_a_partition_key_in_a_later_jsonl_record_is_refused_before_scoring(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "complaints"
    write(folder / "m=1" / "part-0.jsonl", '{"text": "快递太慢"}\n')
    write(folder / "m=2" / "part-0.jsonl", '{"text": "房间很脏"}\n{"text": "价格太贵", "m": "2"}\n')
    with pytest.raises(
        InputFileError,
        match=r"m=2.part-0\.jsonl: 'm' is both a partition folder \(m=\.\.\.\) and a key of "
        r"its records \(line 2\)",
    ):
        score_file(
            folder,
            tmp_path / "out.csv",
            chunk_size=1,
            progress=lambda rows, s: pytest.fail("scored"),
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["complaints"]


def test_a_progress_that_is_no_callable_is_refused_before_a_row_is_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "'bool' object is not callable" once the first chunk was scored
    from triage import batch

    src = write(tmp_path / "in.csv", "text\n快递太慢\n")
    monkeypatch.setattr(batch, "_score_chunk", lambda *a, **k: pytest.fail("scored"))
    said = r"^progress must be None or a callable, progress\(rows_done, seconds\), got bool; "
    with pytest.raises(triage.ParameterError, match=said):
        score_file(src, tmp_path / "out.csv", progress=True)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_keys_that_first_appear_after_the_first_chunk_are_dropped_with_one_warning(
    tmp_path: Path,
) -> None:
    src = write(
        tmp_path / "in.jsonl",
        '{"text": "快递太慢"}\n{"text": "房间很脏"}\n'
        '{"text": "客服不回", "shop": "A"}\n{"text": "又没到", "shop": "B"}\n'
        '{"text": "太贵了", "shop": "C", "city": "杭州"}\n',
    )
    with pytest.warns(UserWarning, match="dropping key") as caught:
        summary = score_file(src, tmp_path / "out.jsonl", chunk_size=2)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2, messages  # 'shop' once, though two chunks hold it
    assert "in.jsonl" in messages[0] and "'shop'" in messages[0] and "chunk" in messages[0]
    assert "'city'" in messages[1] and "'shop'" not in messages[1]
    assert [m.partition(": ")[2].split()[:2] for m in messages] == [["dropping", "key"]] * 2
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert summary.rows == len(lines) == 5
    assert ["shop" in json.loads(line) for line in lines] == [False] * 5


# records as Spark writes them, a null left out: the first ones have no text or id
NULLS_LEFT_OUT = [
    '{"id": "001"}\n{"id": "002"}\n{"id": "003", "text": "快递一周还没到"}\n{"text": "房间很脏"}\n',
    '{"shop": "A"}\n{"shop": "B", "text": "客服不回"}\n{"id": "007", "text": "退款没到账"}\n',
    '{"shop": "A"}\n{"shop": "B", "id": "006"}\n{"id": "007", "text": "退款没到账"}\n',
]


@pytest.mark.parametrize("content", NULLS_LEFT_OUT, ids=["no-text", "no-text-no-id", "id-first"])
@pytest.mark.parametrize("chunk_size", [1, 2, 10_000])
@pytest.mark.parametrize("output", ["out.csv", "out.jsonl"])
def test_a_jsonl_text_or_id_left_out_of_the_first_records_is_read_whatever_the_chunk_size(
    tmp_path: Path, content: str, chunk_size: int, output: str
) -> None:
    src = write(tmp_path / "in.jsonl", content)
    records = [json.loads(line) for line in content.splitlines()]
    records_keys = list(pd.DataFrame(records).columns)
    score_file(src, tmp_path / output, id_column="id", chunk_size=chunk_size)
    if output == "out.csv":
        got = pd.read_csv(tmp_path / output, dtype=str, keep_default_na=False)
        rows = got.to_dict("records")
    else:
        lines = (tmp_path / output).read_text(encoding="utf-8").splitlines()
        rows = [{k: "" if v is None else v for k, v in json.loads(x).items()} for x in lines]
    assert len(rows) == len(records)
    # the columns of one chunk of every record
    assert [c for c in rows[0] if c in ("id", "text")] == [
        c for c in records_keys if c in ("id", "text")
    ]
    assert [r["id"] for r in rows] == [r.get("id", "") for r in records]
    assert [r["text"] for r in rows] == [r.get("text", "") for r in records]
    texts = [r.get("text") for r in records]
    want = score_frame(pd.DataFrame({"text": pd.Series(texts, dtype=object)}))
    for column in ("primary", "priority", "reasons", "error"):
        assert [r[column] for r in rows] == want[column].tolist(), column


def test_a_jsonl_text_column_no_record_has_is_refused_by_name(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", '{"id": "001"}\n{"id": "002", "content": "快递没到"}\n')
    with pytest.raises(KeyError, match="no column 'text'"):
        score_file(src, tmp_path / "out.csv", chunk_size=1)


def _together(parts: Iterator[Rows]) -> Iterator[Rows]:
    read = list(parts)
    yield Rows(None, [r for part in read for r in part.rows])


# how a stream's records reach its scoring: each a read of its own (tail -f),
# or every record at once (a file piped in)
ARRIVING = {
    "one-by-one": lambda parts, limit, waited=None: parts,
    "together": lambda parts, limit, waited=None: _together(parts),
}


@pytest.mark.parametrize("content", NULLS_LEFT_OUT, ids=["no-text", "no-text-no-id", "id-first"])
@pytest.mark.parametrize("arriving", ["one-by-one", "together"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_stream_whose_first_records_leave_the_text_or_id_out_is_scored_as_the_file_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, arriving: str, fmt: str
) -> None:
    # refused for its first record ("no column 'text' in <stdin>"), where the
    # file was read: a record without the text is a row flagged, in its place
    monkeypatch.setattr(batch, "_arrived", ARRIVING[arriving])
    src = write(tmp_path / "in.jsonl", content)
    score_file(src, tmp_path / f"out.{fmt}", id_column="id")
    out = io.BytesIO()
    summary = batch._score_stream(
        io.BytesIO(content.encode()), out, input_format="jsonl", output_format=fmt, id_column="id"
    )
    assert out.getvalue() == (tmp_path / f"out.{fmt}").read_bytes()
    assert summary.rows == len(content.splitlines())


def _records(count: int, key: str) -> bytes:
    return "".join(
        json.dumps({"id": str(n), key: "快递一周还没到"}, ensure_ascii=False) + "\n"
        for n in range(count)
    ).encode()


@pytest.mark.parametrize("arriving", ["one-by-one", "together"])
def test_a_stream_none_of_whose_first_records_has_the_text_is_refused_with_the_keys_seen(
    monkeypatch: pytest.MonkeyPatch, arriving: str
) -> None:
    # a --text-column mistyped is caught once so many records went without it,
    # though a later one has it (a live stream cannot wait for its end)
    monkeypatch.setattr(batch, "_arrived", ARRIVING[arriving])
    held = batch._STREAM_HELD_RECORDS
    data = _records(held, "content") + _records(1, "text")
    out = io.BytesIO()
    with pytest.raises(ColumnError) as raised:
        batch._score_stream(io.BytesIO(data), out, input_format="jsonl", output_format="csv")
    assert str(raised.value) == (
        f"no column 'text' in the first {held} records of <stdin>; columns are ['id', "
        "'content']; name the text column with text_column= (CLI: --text-column)"
    )
    assert out.getvalue() == b""


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            b'{"id": "1"}\n' + _records(2, "content"),
            "no column 'text' in <stdin>; columns are ['id', 'content']",
        ),
        (
            b'{"shop": "A"}\n{"shop": "B", "text": "\xe5\xae\xa2\xe6\x9c\x8d"}\n',
            "no id column 'id' in <stdin>; columns are ['shop', 'text']",
        ),
    ],
    ids=["text", "id"],
)
def test_a_stream_that_ends_before_a_record_has_the_text_or_id_is_refused_as_a_file_is(
    tmp_path: Path, data: bytes, said: str
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(data)
    with pytest.raises(ColumnError, match=re.escape(said.replace("<stdin>", str(src)))):
        score_file(src, tmp_path / "out.csv", id_column="id")
    with pytest.raises(ColumnError, match=re.escape(said)):
        batch._score_stream(
            io.BytesIO(data),
            io.BytesIO(),
            input_format="jsonl",
            output_format="csv",
            id_column="id",
        )


@pytest.mark.parametrize(
    ("data", "id_column", "said", "keys"),
    [
        (
            '{"id": 1, "text": "快递一周还没到"}\n{"id": 2, "text": "房间很脏", "shop": "A"}\n',
            None,
            "dropping key 'shop', not in the first record, whose keys every row gets",
            ["id", "text"],
        ),
        (
            '{"id": 1}\n{"id": 2, "text": "快递一周还没到", "shop": "A"}\n',
            None,
            "dropping key 'shop', not in the first record, whose keys every row gets, with "
            "'text', which it left out, from the first record that has it",
            ["id", "text"],
        ),
        (
            '{"shop": "A"}\n{"text": "快递一周还没到", "memo": "催"}\n'
            '{"id": 3, "text": "房间很脏"}\n',
            "id",
            "dropping key 'memo', not in the first record, whose keys every row gets, with "
            "'text', 'id', which it left out, from the first records that have them",
            ["shop", "text", "id"],
        ),
    ],
    ids=["first-has-all", "text-later", "text-and-id-later"],
)
def test_a_streams_warning_of_the_keys_it_drops_names_the_keys_every_row_gets(
    data: str, id_column: str | None, said: str, keys: list[str]
) -> None:
    # said "not in the first record, whose keys every row gets" where every
    # row also got the text key the first record left out, as a null
    out = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        batch._score_stream(
            io.BytesIO(data.encode()),
            out,
            input_format="jsonl",
            output_format="jsonl",
            id_column=id_column,
        )
    assert [str(w.message) for w in caught] == [f"<stdin>: {said}"]
    rows = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert [list(row)[: len(keys)] for row in rows] == [keys] * len(rows)
    assert list(rows[0])[len(keys)] == "categories"  # the scores after them


def test_parallel_file_equals_serial(tmp_path: Path) -> None:
    body = "".join(f"{i},{t}\n" for i, t in enumerate(TEXTS * 4))
    src = write(tmp_path / "in.csv", "id,text\n" + body)
    score_file(src, tmp_path / "one.csv", chunk_size=9)
    score_file(src, tmp_path / "two.csv", chunk_size=9, n_jobs=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


@pytest.mark.parametrize("name", ["out.csv", "out.csv.gz", "out.jsonl.xz"])
def test_interrupted_run_leaves_no_output(tmp_path: Path, name: str) -> None:
    src = write(tmp_path / "in.csv", "text\n" + "快递太慢\n" * 10)
    (tmp_path / name).write_text("old", encoding="utf-8")

    def interrupt(rows: int, seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        score_file(src, tmp_path / name, chunk_size=3, progress=interrupt)
    # the old file is untouched and no partial file is left behind
    assert (tmp_path / name).read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.csv", name])


# -- resuming a run that stopped ------------------------------------------------

# a batch of complaints, a text to flag (empty), one a spreadsheet would run
# and one over two lines, with a channel column the policy knows in part
RESUMED = [
    ("A1", "app", "快递五天了还没到，客服电话一直打不通"),
    ("A2", "phone", "收到的手机屏幕是碎的，要求退货退款"),
    ("A3", "", ""),
    ("A4", "weibo", '=HYPERLINK("http://x","点我")退款呢'),
    ("A5", "app", "扣了两次会员费，\n到现在都没退回来"),
    ("A6", "phone", "汤里吃出一根鱼钩，孩子嘴都划破了"),
    ("A7", "", "再不处理我就发到网上让大家评评理"),
    ("A8", "app", "包装很好，送得也快，谢谢"),
]


class _Stop(Exception):
    """Raised by a progress callback to stop a run after some chunks."""


def _stop_after(rows: int, exc: BaseException) -> Callable[[int, float], None]:
    def progress(done: int, seconds: float) -> None:
        if done >= rows:
            raise exc

    return progress


def _resumed_input(tmp_path: Path, fmt: str) -> Path:
    rows = [
        {"id": f"{key}-{i}", "channel": channel, "text": text and f"{text}（第{i}单）"}
        for i in range(5)
        for key, channel, text in RESUMED
    ]
    frame = pd.DataFrame(rows)  # 40 rows
    if fmt == "jsonl":
        frame.to_json(tmp_path / "in.jsonl", orient="records", lines=True, force_ascii=False)
        return tmp_path / "in.jsonl"
    frame.to_csv(tmp_path / "in.csv", index=False)
    return tmp_path / "in.csv"


def _stopped_run(tmp_path: Path, rows: int) -> tuple[Path, Path]:
    """The input of `_resumed_input` and its output ``out.csv``, a run with
    ``resume=True`` stopped after `rows` rows (chunks of 7), its checkpoint
    left beside it."""
    src = _resumed_input(tmp_path, "csv")
    out = tmp_path / "out.csv"
    with pytest.raises(_Stop):
        score_file(src, out, chunk_size=7, resume=True, progress=_stop_after(rows, _Stop()))
    return src, out


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize(
    ("source", "name", "options"),
    [
        ("csv", "out.csv", {}),
        ("csv", "out.tsv", {"output_encoding": "utf-16"}),
        ("jsonl", "out.jsonl", {}),
        ("csv", "out.csv", {"output_encoding": "utf-8-sig", "escape_formulas": True, "explain": 2}),
        ("csv", "out.txt", {"output_format": "tsv", "context_columns": {"channel": "channel"}}),
    ],
)
@pytest.mark.parametrize(
    "stop", [KeyboardInterrupt(), _Stop()], ids=["KeyboardInterrupt", "exception"]
)
def test_a_run_stopped_and_resumed_writes_the_bytes_of_a_run_never_stopped(
    tmp_path: Path, source: str, name: str, options: dict[str, Any], stop: BaseException
) -> None:
    src = _resumed_input(tmp_path, source)
    whole = score_file(src, tmp_path / f"whole.{name}", chunk_size=7, **options)
    out = tmp_path / name
    with pytest.raises(type(stop)):  # after the third chunk, then after the fifth
        score_file(src, out, chunk_size=7, resume=True, progress=_stop_after(21, stop), **options)
    assert not out.exists()  # nothing that looks complete
    assert _left(tmp_path) == [f".{name}.resume", f".{name}.resume.json"]
    with pytest.raises(type(stop)):
        score_file(
            src, out, chunk_size=7, resume=True, progress=_stop_after(35, stop), n_jobs=2, **options
        )
    seen: list[int] = []
    resumed = score_file(
        src, out, chunk_size=7, resume=True, progress=lambda rows, _: seen.append(rows), **options
    )
    assert seen == [40]  # the last chunk alone was scored
    assert out.read_bytes() == (tmp_path / f"whole.{name}").read_bytes()
    assert _left(tmp_path) == []
    # the summary counts every row of the output, as the run never stopped does
    for field in dataclasses.fields(ScoreSummary):
        if field.name not in ("seconds", "loading_seconds", "output"):  # times, and where
            assert getattr(resumed, field.name) == getattr(whole, field.name), field.name
    assert resumed.rows == 40 and resumed.errors == 5


def test_a_run_killed_outright_is_resumed_from_its_last_checkpoint(tmp_path: Path) -> None:
    src, out = _stopped_run(tmp_path, 14)
    score_file(src, tmp_path / "whole.csv", chunk_size=7)  # another output: no checkpoint's
    # killed while writing the third chunk: part of it is in the file, past the checkpoint
    with (tmp_path / ".out.csv.resume").open("ab") as partial:
        partial.write("A5-1,app,扣了两次会员费".encode())
    score_file(src, out, chunk_size=7, resume=True)
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()


@pytest.mark.parametrize(
    ("damaged", "text", "said"),
    [
        (".out.csv.resume", "id,channel,text\r\n", "is gone or cut short"),
        (".out.csv.resume.json", '{"version": 1, "rows": 14', "is unreadable"),
        (".out.csv.resume.json", '{"version": 99}', "is unreadable"),
    ],
)
def test_a_run_without_a_checkpoint_to_take_up_scores_from_the_first_row(
    tmp_path: Path, damaged: str, text: str, said: str
) -> None:
    src, out = _stopped_run(tmp_path, 14)
    score_file(src, tmp_path / "whole.csv", chunk_size=7)  # another output: no checkpoint's
    (tmp_path / damaged).write_text(text, encoding="utf-8")
    with pytest.warns(triage.TriageWarning, match=rf"{said}: scoring .* from its first row"):
        score_file(src, out, chunk_size=7, resume=True)
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()


@pytest.mark.parametrize("stopped_at", [8, 27], ids=["mid-way", "after-its-last-chunk"])
def test_a_folder_of_monthly_exports_is_resumed_as_one_input(
    tmp_path: Path, stopped_at: int
) -> None:
    (tmp_path / "in").mkdir()
    for month, texts in enumerate([RESUMED[:3], RESUMED[3:6], RESUMED[5:]], start=1):
        frame = pd.DataFrame(texts * 3, columns=["id", "channel", "text"])
        frame.to_csv(tmp_path / "in" / f"2024-0{month}.csv", index=False)  # 9 rows each
    score_file(tmp_path / "in", tmp_path / "whole.csv", chunk_size=4)
    out = tmp_path / "out.csv"
    with pytest.raises(_Stop):
        score_file(
            tmp_path / "in",
            out,
            chunk_size=4,
            resume=True,
            progress=_stop_after(stopped_at, _Stop()),
        )
    assert score_file(tmp_path / "in", out, chunk_size=4, resume=True).rows == 27
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()


def _checkpoint_of_version(progress: Path, version: Any) -> None:
    """Make the checkpoint at `progress` one a library writing `version` of the
    output's format left: version 1 knew no summary=, which its options lack."""
    saved = json.loads(progress.read_text(encoding="utf-8"))
    if version == 1:
        del saved["options"]["summary"]
    saved["scored_by"]["output_format_version"] = version
    progress.write_text(json.dumps(saved), encoding="utf-8")


@pytest.mark.parametrize("options", [{}, {"explain": 2, "context_columns": {"channel": "channel"}}])
def test_a_run_stopped_under_version_1_of_the_format_is_finished_without_summary(
    tmp_path: Path, options: dict[str, Any]
) -> None:
    # upgraded mid-run: without summary= a run writes version 1's bytes, so
    # the hours already scored are kept, and the run says what it wrote
    src = _resumed_input(tmp_path, "csv")
    whole = score_file(src, tmp_path / "whole.csv", chunk_size=7, **options)
    out = tmp_path / "out.csv"
    with pytest.raises(_Stop):
        score_file(
            src, out, chunk_size=7, resume=True, progress=_stop_after(14, _Stop()), **options
        )
    _checkpoint_of_version(tmp_path / ".out.csv.resume.json", 1)
    with pytest.raises(_Stop):  # stopped again: its checkpoint is of this version now
        score_file(
            src, out, chunk_size=7, resume=True, progress=_stop_after(28, _Stop()), **options
        )
    saved = json.loads((tmp_path / ".out.csv.resume.json").read_text(encoding="utf-8"))
    assert saved["options"]["summary"] is False and saved["rows"] == 28
    assert saved["scored_by"]["output_format_version"] == OUTPUT_FORMAT_VERSION
    seen: list[int] = []
    resumed = score_file(
        src,
        out,
        chunk_size=7,
        resume=True,
        record=True,
        progress=lambda rows, _: seen.append(rows),
        **options,
    )
    assert seen == [35, 40]  # the rows written under version 1 were not scored again
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()
    record = json.loads((tmp_path / "_out.csv.triage.json").read_text(encoding="utf-8"))
    assert resumed.scored_by == record["scored_by"] == whole.scored_by
    assert resumed.rows == 40 and resumed.errors == whole.errors == 5
    assert _left(tmp_path) == []


def test_a_run_stopped_under_another_version_of_triage_is_refused_naming_it(
    tmp_path: Path,
) -> None:
    # an upgrade may score otherwise with the same model and policy (its
    # rules, its segmentation): the rows kept are not this version's
    src, out = _stopped_run(tmp_path, 7)
    progress = tmp_path / ".out.csv.resume.json"
    saved = json.loads(progress.read_text(encoding="utf-8"))
    saved["scored_by"]["triage_version"] = "0.0.9"
    progress.write_text(json.dumps(saved), encoding="utf-8")
    said = (
        rf"was written with another version of triage, model or policy: triage_version "
        rf"'0\.0\.9' then, '{re.escape(triage.__version__)}' now\. Run with those of the "
        r"stopped run to continue; delete .* from the first row$"
    )
    with pytest.raises(triage.ParameterError, match=said):
        score_file(src, out, chunk_size=7, resume=True)
    assert progress.is_file() and not out.exists()


@pytest.mark.parametrize(
    ("version", "summary", "said"),
    [
        # version 1 had no column summary: its rows cannot have one
        (1, True, r"was written with other options: summary False then, True now\. Run "),
        (OUTPUT_FORMAT_VERSION + 1, False, r"was written in version \d+ of the output's format"),
        (0, False, r"was written in version 0 of the output's format"),
        (None, False, r"was written in version None of the output's format"),
        (True, False, r"was written in version True of the output's format"),
    ],
)
def test_a_checkpoint_of_a_format_this_run_does_not_write_is_refused_and_kept(
    tmp_path: Path, version: Any, summary: bool, said: str
) -> None:
    src, out = _stopped_run(tmp_path, 7)
    progress = tmp_path / ".out.csv.resume.json"
    _checkpoint_of_version(progress, version)
    kept = progress.read_bytes()
    with pytest.raises(triage.ParameterError, match=rf"{said}.*; delete .* from the first row$"):
        score_file(src, out, chunk_size=7, resume=True, summary=summary)
    assert progress.read_bytes() == kept and (tmp_path / ".out.csv.resume").is_file()
    assert not out.exists()


@pytest.mark.skipif(os.name != "posix", reason="no advisory lock (fcntl) elsewhere")
def test_a_checkpoint_another_run_is_writing_is_refused(tmp_path: Path) -> None:
    import fcntl

    src, out = _stopped_run(tmp_path, 7)
    with (tmp_path / ".out.csv.resume").open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a run writing it holds it
        with pytest.raises(triage.ParameterError, match="another run is writing the output"):
            score_file(src, out, chunk_size=7, resume=True)
    assert not out.exists()
    score_file(src, out, chunk_size=7, resume=True)  # once it has ended


def _touched(src: Path) -> dict[str, Any]:
    os.utime(src, ns=(src.stat().st_atime_ns, src.stat().st_mtime_ns + 10**9))
    return {}


@pytest.mark.parametrize(
    ("change", "error", "said"),
    [
        (_touched, InputFileError, r"not this input as it is now"),
        (lambda src: {"chunk_size": 5}, triage.ParameterError, r"chunk_size 7 then, 5 now"),
        (lambda src: {"explain": 1}, triage.ParameterError, r"explain 0 then, 1 now"),
        (lambda src: {"summary": True}, triage.ParameterError, r"summary False then, True now"),
        (
            lambda src: {"output_encoding": "utf-8-sig"},
            triage.ParameterError,
            r"output_encoding 'utf-8' then, 'utf-8-sig' now",
        ),
        (
            lambda src: {
                "policy": triage.load_policy(
                    {"format": 1, "extends": "default", "disable": ["P1.media"]}
                )
            },
            triage.ParameterError,
            r"another version of triage, model or policy: policy_sha256 '[0-9a-f]{64}' then",
        ),
    ],
)
def test_a_checkpoint_of_another_input_or_other_options_is_refused_and_kept(
    tmp_path: Path, change: Callable[[Path], dict[str, Any]], error: type, said: str
) -> None:
    src, out = _stopped_run(tmp_path, 14)
    kept = {p: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(".")}
    options = {"chunk_size": 7, **change(src)}
    with pytest.raises(error, match=said) as raised:
        score_file(src, out, resume=True, **options)
    assert "delete" in str(raised.value) and "to score it from the first row" in str(raised.value)
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(".")} == kept
    assert not out.exists()


@pytest.mark.parametrize(
    ("left", "said"),
    [
        ((".out.csv.resume", ".out.csv.resume.json"), r"checkpoint holding its first 14 rows: "),
        ((".out.csv.resume",), r"checkpoint: .*\.out\.csv\.resume \([\d,]+ bytes\)\. "),
        ((".out.csv.resume.json",), r"checkpoint holding its first 14 rows: .*json\. "),
    ],
)
def test_a_run_without_resume_names_the_checkpoint_it_leaves(
    tmp_path: Path, left: tuple[str, ...], said: str
) -> None:
    src, out = _stopped_run(tmp_path, 14)
    score_file(src, tmp_path / "whole.csv", chunk_size=7)  # another output: no checkpoint's
    for name in {".out.csv.resume", ".out.csv.resume.json"} - set(left):
        (tmp_path / name).unlink()
    kept = {p: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(".")}
    with pytest.warns(triage.TriageWarning, match=said + ".*This run, without resume, scores"):
        score_file(src, out, chunk_size=7)
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith(".")} == kept
    # taken up, the checkpoint is gone with the run, and the next run is told of none
    with warnings.catch_warnings():  # a progress without its partial output: is cut short
        warnings.simplefilter("ignore", triage.TriageWarning)
        score_file(src, out, chunk_size=7, resume=True)
    score_file(src, out, chunk_size=7)
    assert _left(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "options", "said"),
    [
        ("out.parquet", {}, "Parquet file is readable only once closed"),
        ("out.csv.gz", {}, "compressed stream"),
        ("out.jsonl.xz", {}, "compressed stream"),
        ("/dev/null", {"output_format": "csv"}, "a pipe or a device"),
        ("out.csv", {"model": triage.LexiconModel()}, "needs a model loaded from its file"),
        ("out.csv", {"resume": 1}, "resume must be True or False, got int"),
    ],
)
def test_an_output_that_cannot_be_resumed_is_refused_before_it_is_read(
    tmp_path: Path, name: str, options: dict[str, Any], said: str
) -> None:
    src = _resumed_input(tmp_path, "csv")
    with pytest.raises(triage.ParameterError, match=said):
        score_file(src, tmp_path / name, **{"resume": True, **options})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_the_command_line_resumes_a_run_and_says_what_it_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _resumed_input(tmp_path, "csv")
    args = ["score", str(src), "--chunk-size", "7", "--context", "channel=channel"]
    assert main([*args, "-o", str(tmp_path / "whole.csv"), "--quiet"]) == 0
    out = tmp_path / "out.csv"
    stop = _stop_after(21, KeyboardInterrupt())  # Ctrl-C after the third chunk

    def shown(self: ProgressLine, rows: int, seconds: float, **_: float) -> None:
        stop(rows, 0)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch.ProgressLine, "__call__", shown)
        assert main([*args, "-o", str(out), "--resume"]) == 130
    err = capsys.readouterr().err
    assert f"the first 21 rows are kept in {tmp_path / '.out.csv.resume'}" in err
    assert main([*args, "-o", str(out), "--resume", "--jobs", "2", "--quiet"]) == 0
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert main(["score", "-", "-o", str(out), "--resume"]) == 2
    assert "--resume cannot take up a run from stdin" in capsys.readouterr().err


def _cut_short(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _added_to(path: Path) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write("客服一直不回消息\n")


def _written_anew(path: Path) -> None:
    path.write_text("text\n门票订了却进不去\n", encoding="utf-8")


def _replaced(path: Path) -> None:
    new = write(path.with_name("new.csv"), "text\n门票订了却进不去\n")
    new.replace(path)


@pytest.mark.parametrize("change", [_cut_short, _added_to, _written_anew, _replaced])
@pytest.mark.parametrize("name", ["in.csv", "in.csv.gz", "folder/b.csv"])
def test_an_input_that_changes_while_it_is_read_gives_no_output(
    tmp_path: Path, name: str, change: Callable[[Path], None]
) -> None:
    # cut short, added to or written again by an export still running, it
    # gave a complete-looking output of part of it, or of two versions of it
    body = "text\n" + "快递三天了还没发货\n" * 40
    src = tmp_path / name
    if name.endswith(".gz"):
        src.write_bytes(gzip.compress(body.encode("utf-8")))
    else:
        write(src, body)
    if name.startswith("folder/"):
        write(src.with_name("a.csv"), body)
    (tmp_path / "out.csv").write_text("old", encoding="utf-8")

    def changing(rows: int, seconds: float) -> None:
        if rows == 10:
            change(src)

    given = tmp_path / "folder" if name.startswith("folder/") else src
    with pytest.raises(InputFileError, match=rf"{re.escape(name)} changed while it was read"):
        score_file(given, tmp_path / "out.csv", chunk_size=10, progress=changing)
    assert (tmp_path / "out.csv").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_input_deleted_once_open_is_read_whole(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "text\n" + "快递三天了还没发货\n" * 40)

    def deleting(rows: int, seconds: float) -> None:
        if rows == 10:
            src.unlink()

    summary = score_file(src, tmp_path / "out.csv", chunk_size=10, progress=deleting)
    assert summary.rows == 40


@pytest.mark.parametrize("name", ["out.csv.gz", "out.tsv.bz2", "out.jsonl.xz", "out.csv.GZ"])
def test_compressed_output_holds_the_plain_output(tmp_path: Path, name: str) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": range(len(TEXTS)), "text": TEXTS}).to_csv(src, index=False)
    plain = tmp_path / name.rsplit(".", 1)[0]
    score_file(src, plain, chunk_size=4)
    summary = score_file(src, tmp_path / name, chunk_size=4)
    assert summary.output == tmp_path / name and summary.rows == len(TEXTS)
    decompress = {".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress}
    packed = (tmp_path / name).read_bytes()
    assert decompress[Path(name).suffix.lower()](packed) == plain.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.csv", plain.name, name])
    # and it is read back as input: scoring the output again keeps its rows in order
    again = score_file(tmp_path / name, tmp_path / "again.csv", chunk_size=4)
    assert again.rows == len(TEXTS)
    out = pd.read_csv(tmp_path / "again.csv", dtype=str, keep_default_na=False)
    assert out["id"].tolist() == [str(i) for i in range(len(TEXTS))]


def test_compressed_parquet_or_zip_output_is_refused(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "text\n快递太慢\n")
    with pytest.raises(ValueError, match=r"Parquet .* compresses its columns itself"):
        score_file(src, tmp_path / "out.parquet.gz")
    with pytest.raises(ValueError, match="cannot write a zip archive"):
        score_file(src, tmp_path / "out.csv.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    # the name says no format: what an old archive of that name holds is no matter
    for members in ({}, {"a.csv": b"text\n", "b.csv": b"text\n"}):
        with zipfile.ZipFile(tmp_path / "out.zip", "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        with pytest.raises(ValueError, match=r"cannot write a zip archive .*; write out\.csv\.gz"):
            score_file(src, tmp_path / "out.zip")
    with pytest.raises(ValueError, match=r"; write out\.jsonl\.gz"):
        score_file(src, tmp_path / "out.zip", output_format="jsonl")


# complaints with an emoji, traditional characters and a han character beyond
# the Basic Multilingual Plane, which GBK and Big5 have no room for
WIDE_TEXTS = ["這家店的服務態度太差了😡", "𠀾字都打不出來，客服還說是我的問題", "快递一周还没到"]
# the byte-order mark each output encoding starts a file with, if any
OUTPUT_BOMS = {
    "utf-8": b"",
    "utf-8-sig": codecs.BOM_UTF8,
    "utf-16": codecs.BOM_UTF16,
    "utf-16-le": b"",
    "utf-16-be": b"",
    "utf-32": codecs.BOM_UTF32,
    "utf-32-le": b"",
    "utf-32-be": b"",
    "gb18030": b"",
}


def test_a_csv_written_as_utf8_sig_starts_with_the_bom_excel_needs(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "id,text\n" + "".join(f"{i},快递太慢了\n" for i in range(7)))
    score_file(src, tmp_path / "plain.csv", chunk_size=3)
    score_file(src, tmp_path / "excel.csv", chunk_size=3, output_encoding="utf-8-sig")
    data = (tmp_path / "excel.csv").read_bytes()
    # one mark at the start, not one per chunk, and then the UTF-8 of the default
    assert data.startswith(codecs.BOM_UTF8 + b"id,text,") and data.count(codecs.BOM_UTF8) == 1
    assert data[len(codecs.BOM_UTF8) :] == (tmp_path / "plain.csv").read_bytes()


@pytest.mark.parametrize("encoding", OUTPUT_BOMS)
@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_an_output_in_any_encoding_that_holds_every_character_reads_back_as_written(
    tmp_path: Path, encoding: str, suffix: str
) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["001", "002", "003"], "text": WIDE_TEXTS}).to_csv(src, index=False)
    out = tmp_path / f"out{suffix}"
    score_file(src, out, output_encoding=encoding)
    data = out.read_bytes()
    sep = "," if suffix == ".csv" else "\t"
    # the mark once, where the encoding writes one (decoding drops one mark)
    assert data.startswith(OUTPUT_BOMS[encoding])
    assert data.decode(encoding).startswith(f"id{sep}text{sep}")
    got = pd.read_csv(io.StringIO(data.decode(encoding)), sep=sep, dtype=str)
    assert got["text"].tolist() == WIDE_TEXTS
    # and scored again as it is, its encoding detected (UTF-32 without a
    # byte-order mark is not: it is given)
    given = encoding if encoding in ("utf-32-le", "utf-32-be") else None
    again = score_file(out, tmp_path / "again.csv", encoding=given)
    assert again.undecodable_lines == []
    back = pd.read_csv(tmp_path / "again.csv", dtype=str, keep_default_na=False)
    assert back["id"].tolist() == ["001", "002", "003"]
    assert back["text"].tolist() == WIDE_TEXTS
    assert back["primary"].tolist() == got["primary"].fillna("").tolist()


def test_a_compressed_csv_written_as_utf8_sig_holds_the_bom(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": WIDE_TEXTS}).to_csv(src, index=False)
    score_file(src, tmp_path / "out.csv.gz", chunk_size=2, output_encoding="utf-8-sig")
    data = gzip.decompress((tmp_path / "out.csv.gz").read_bytes())
    assert data.startswith(codecs.BOM_UTF8 + b"text,") and data.count(codecs.BOM_UTF8) == 1
    score_file(tmp_path / "out.csv.gz", tmp_path / "again.csv")
    back = pd.read_csv(tmp_path / "again.csv", dtype=str, keep_default_na=False)
    assert back["text"].tolist() == WIDE_TEXTS


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
@pytest.mark.parametrize(
    ("suffix", "decompress"),
    [(".gz", gzip.decompress), (".bz2", bz2.decompress), (".xz", lzma.decompress)],
)
def test_a_compressed_output_in_utf16_or_utf32_starts_with_its_bom(
    tmp_path: Path, encoding: str, suffix: str, decompress: Any
) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": WIDE_TEXTS}).to_csv(src, index=False)
    out = tmp_path / f"out.csv{suffix}"
    score_file(src, out, chunk_size=2, output_encoding=encoding)
    data = decompress(out.read_bytes())
    bom = OUTPUT_BOMS[encoding]
    assert data.startswith(bom) and data.count(bom) == 1
    assert pd.read_csv(io.BytesIO(data), encoding=encoding, dtype=str)["text"].tolist() == (
        WIDE_TEXTS
    )
    score_file(out, tmp_path / "again.csv")
    back = pd.read_csv(tmp_path / "again.csv", dtype=str, keep_default_na=False)
    assert back["text"].tolist() == WIDE_TEXTS


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("UTF8", "utf-8"),
        ("utf_8_sig", "utf-8-sig"),
        ("UTF-16LE", "utf-16-le"),
        ("GB18030", "gb18030"),
    ],
)
def test_an_output_encoding_is_known_by_any_of_its_names(
    tmp_path: Path, given: str, written: str
) -> None:
    src = write(tmp_path / "in.csv", "text\n這家店的服務態度太差了😡\n")
    score_file(src, tmp_path / "given.csv", output_encoding=given)
    score_file(src, tmp_path / "named.csv", output_encoding=written)
    assert (tmp_path / "given.csv").read_bytes() == (tmp_path / "named.csv").read_bytes()


@pytest.mark.parametrize("encoding", ["gbk", "gb2312", "cp936", "big5", "latin-1", "ascii"])
def test_an_output_encoding_without_room_for_every_character_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    def read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the input was read")

    src = write(tmp_path / "in.csv", "text\n快递太慢了\n")
    monkeypatch.setattr("triage._io.detect_encoding", read)
    message = (
        rf"^output_encoding='{encoding}' \(CLI: --output-encoding\) cannot hold every "
        r"character a text may have: an emoji such as 😡 or a rare han character such as 𠀾 "
        r"would not fit, .*; use gb18030, the superset of GBK .*, or utf-8-sig, .*Excel"
    )
    for output in ("out.csv", "out.tsv.gz"):
        with pytest.raises(triage.ParameterError, match=message):
            score_file(src, tmp_path / output, output_encoding=encoding)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_a_jsonl_output_takes_utf8_by_any_name(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "text\n這家店的服務態度太差了😡\n")
    score_file(src, tmp_path / "out.jsonl", output_encoding="UTF8")
    got = pd.read_json(tmp_path / "out.jsonl", lines=True)
    assert got["text"].tolist() == ["這家店的服務態度太差了😡"]


# texts a customer may write that Excel or WPS runs as a formula, each with
# the cell that escape_formulas=True writes; a cell of apostrophes before such
# a character gets one more, so that removing the first gives it back
FORMULA_TEXTS = {
    '=HYPERLINK("http://x","点我")': '\'=HYPERLINK("http://x","点我")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-_-快递又晚了": "'-_-快递又晚了",
    "@SUM(1+1)": "'@SUM(1+1)",
    "\t=1+1快递没到": "'\t=1+1快递没到",
    "\r=1+1快递没到": "'\r=1+1快递没到",
    "'=1+1": "''=1+1",
}
# texts no spreadsheet runs, written as they are: an apostrophe before no
# formula, a sign after the first character, and the full-width signs
# (U+FF1D, U+FF0B, U+FF0D, U+FF20), which are left alone
SAFE_TEXTS = [
    "快递一周还没到",
    "'好评'都是假的",
    "价格=原价+运费,太贵了",
    "\uff1d1+1",
    "\uff0b86 138 0000 0000",
    "\uff0d5元",
    "\uff20客服",
]


def unescaped(cells: list[str]) -> list[str]:
    """`cells` without the apostrophe that escape_formulas=True adds."""
    return [re.sub(r"^'(?='*[=+\-@\t\r])", "", c) for c in cells]


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_escape_formulas_writes_a_text_a_spreadsheet_would_run_after_an_apostrophe(
    tmp_path: Path, suffix: str
) -> None:
    texts = [*FORMULA_TEXTS, *SAFE_TEXTS]
    ids = [f"{i:03d}" for i in range(len(texts))]
    src = tmp_path / "in.jsonl"  # a bare CR in a text, as JSON holds it
    pd.DataFrame({"id": ids, "text": texts}).to_json(src, orient="records", lines=True)
    out = tmp_path / f"out{suffix}"
    score_file(src, out, chunk_size=3, escape_formulas=True)
    got = pd.read_csv(out, sep="," if suffix == ".csv" else "\t", dtype=str, keep_default_na=False)
    assert got["text"].tolist() == [*FORMULA_TEXTS.values(), *SAFE_TEXTS]
    assert unescaped(got["text"].tolist()) == texts
    assert got["id"].tolist() == ids
    # the scores are those of the texts as they were
    plain = pd.read_csv(score_file(src, tmp_path / "plain.csv").output, dtype=str)
    assert got["primary"].tolist() == plain["primary"].fillna("").tolist()


def test_escape_formulas_reaches_the_score_columns_and_the_header(tmp_path: Path) -> None:
    from triage.priority import load_policy

    teams = {"escalation_team": "@值班主管", "default_team": "-客服部"}
    policy = load_policy({"format": 1, "extends": "default", "routing": teams})
    rows = "=总计,text\n1,孩子吃了你们的奶粉一直拉肚子，我要找媒体曝光\n2,你好\n"
    src = write(tmp_path / "in.csv", rows)
    score_file(src, tmp_path / "out.csv", policy=policy, explain=3, escape_formulas=True)
    got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert list(got.columns[:2]) == ["'=总计", "text"]
    assert got["route"].tolist() == ["'@值班主管", "'-客服部"]
    assert got["'=总计"].tolist() == ["1", "2"]
    assert got["why"].str.startswith("{").all() and got["reasons"].str.match("P[1-4]").all()


def test_escape_formulas_leaves_numbers_as_they_are(tmp_path: Path) -> None:
    # a number of a Parquet or JSONL input is written as it is, -5 and all;
    # the string "-5" is text and escaped, as a CSV input's -5 is
    texts = ["=1+1", "快递一周还没到"]
    src = tmp_path / "in.parquet"
    frame = pd.DataFrame({"amount": [-5, 3], "rate": [-1.5, 0.25], "note": ["-5", "x"]})
    frame.assign(text=texts).to_parquet(src)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        '{"amount": -5, "rate": -1.5, "note": "-5", "text": "=1+1"}\n'
        '{"amount": 3, "rate": 0.25, "note": "x", "text": "快递一周还没到"}\n',
        encoding="utf-8",
    )
    for source in (src, jsonl):
        score_file(source, tmp_path / "plain.csv")
        score_file(source, tmp_path / "out.csv", escape_formulas=True)
        plain = pd.read_csv(tmp_path / "plain.csv", dtype=str, keep_default_na=False)
        got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
        assert got["amount"].tolist() == ["-5", "3"] and got["rate"].tolist() == ["-1.5", "0.25"]
        assert got["note"].tolist() == ["'-5", "x"] and got["text"].tolist() == ["'=1+1", texts[1]]
        numbers = [c for c in got.columns if c.startswith("prob_") or c == "sentiment"]
        assert got[numbers].equals(plain[numbers])


def test_escape_formulas_is_off_by_default_and_every_text_is_written_as_read(
    tmp_path: Path,
) -> None:
    texts = [*FORMULA_TEXTS, *SAFE_TEXTS]
    src = tmp_path / "in.jsonl"
    pd.DataFrame({"text": texts}).to_json(src, orient="records", lines=True)
    score_file(src, tmp_path / "default.csv")
    score_file(src, tmp_path / "off.csv", escape_formulas=False)
    data = (tmp_path / "off.csv").read_bytes()
    assert data == (tmp_path / "default.csv").read_bytes()
    got = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert got["text"].tolist() == texts


def test_escape_formulas_works_compressed_and_in_utf8_sig(tmp_path: Path) -> None:
    texts = [*FORMULA_TEXTS, *SAFE_TEXTS]
    src = tmp_path / "in.jsonl"
    pd.DataFrame({"text": texts}).to_json(src, orient="records", lines=True)
    out = tmp_path / "out.csv.gz"
    score_file(src, out, chunk_size=2, output_encoding="utf-8-sig", escape_formulas=True)
    data = gzip.decompress(out.read_bytes())
    assert data.startswith(codecs.BOM_UTF8 + b"text,") and data.count(codecs.BOM_UTF8) == 1
    got = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert got["text"].tolist() == [*FORMULA_TEXTS.values(), *SAFE_TEXTS]


def test_score_file_reads_the_context_columns_as_score_frame_does(tmp_path: Path) -> None:
    # the file's channel, count and tier columns were not read: no row had its floor
    frame = pd.DataFrame(
        {
            "text": ["空调不制冷，修了两次", "空调不制冷，修了两次", "房间有点吵", "房间有点吵"],
            "n": ["0", "2", "", "x"],
            "src": ["12315", "", "", ""],
            "tier": ["", "", "VIP", ""],
        }
    )
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    cols = {"recent_complaints": "n", "channel": "src", "customer_tier": "tier"}
    score_file(source, tmp_path / "out.csv", context_columns=cols, chunk_size=3)
    got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    expected = score_frame(frame, context_columns=cols)
    assert got["priority"].tolist() == expected["priority"].tolist()
    assert got["reasons"].tolist() == expected["reasons"].tolist()
    assert got["error"].tolist() == expected["error"].tolist()
    assert "context.channel.12315" in got["reasons"][0]
    assert "context.repeat" in got["reasons"][1]
    assert "context.tier.vip" in got["reasons"][2]
    assert got["error"][3] == "recent_complaints (column 'n') is not a count: 'x'"
    with pytest.raises(ColumnError, match=r"context column channel='nope' is not in"):
        score_file(source, tmp_path / "x.csv", context_columns={"channel": "nope"})
    with pytest.raises(ValueError, match=r"\['chan'\] are not Context fields"):
        score_file(source, tmp_path / "x.csv", context_columns={"chan": "src"})


def test_the_summary_counts_the_channels_and_tiers_that_matched_no_key(tmp_path: Path) -> None:
    # a CRM's column of 抖音 set no floor on any row, and nothing said so
    frame = pd.DataFrame(
        {
            "text": ["快递太慢了"] * 6,
            "渠道": ["抖音", "抖音", "电话", "微博", "12315平台", ""],
            "等级": ["vip1", " VIP ", "", "金卡", "vip1", "vip1"],
        }
    )
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    cols = {"channel": "渠道", "customer_tier": "等级"}
    policy = triage.load_policy(
        {"format": 1, "extends": "default", "context": {"tiers": {"金卡": "P2"}}}
    )
    summary = score_file(source, tmp_path / "out.csv", context_columns=cols, chunk_size=4)
    assert summary.unmatched_channels == {"抖音": 2, "电话": 1}
    assert summary.unmatched_tiers == {"vip1": 3, "金卡": 1}
    assert (summary.unmatched_channel_rows, summary.unmatched_tier_rows) == (3, 4)
    # named by their columns, of all the rows, as score_frame's warning says it:
    # "channel matched no key" left the user of --context channel=渠道 to guess
    assert str(summary).endswith(
        "\nchannel (column '渠道') matched no key of the policy, so set no floor, on 3 of 6 "
        "rows: '抖音' (2), '电话' (1)"
        "\ncustomer_tier (column '等级') matched no key of the policy, so set no floor, on 4 "
        "of 6 rows: 'vip1' (3), '金卡' (1)"
    )
    assert summary.context_columns == cols
    mine = score_file(
        source, tmp_path / "out.csv", context_columns=cols, policy=policy, chunk_size=4
    )
    assert mine.unmatched_tiers == {"vip1": 3}
    assert "customer_tier" in str(mine) and "金卡" not in str(mine)
    plain = score_file(source, tmp_path / "out.csv")
    assert plain.unmatched_channel_rows == plain.unmatched_tier_rows == 0
    assert "matched no key" not in str(plain)


def test_the_summary_keeps_the_rows_of_the_first_100_unmatched_values(tmp_path: Path) -> None:
    # a column of texts given as the channel by mistake is not kept whole
    # and of a value kept, seen again past the hundredth, every row
    source = tmp_path / "in.csv"
    channels = [f"c{i}" for i in range(120)] + ["c1"]
    pd.DataFrame({"text": ["快递太慢了"] * 121, "c": channels}).to_csv(source, index=False)
    summary = score_file(source, tmp_path / "out.csv", context_columns={"channel": "c"})
    assert len(summary.unmatched_channels) == 100 and summary.unmatched_channels["c1"] == 2
    assert summary.unmatched_channel_rows == 121
    shown = "on 121 of 121 rows: 'c1' (2), 'c0' (1), 'c2' (1), 'c3' (1), 'c4' (1), ..."
    assert shown in str(summary)


def test_score_frame_warns_once_of_the_channels_and_tiers_that_set_no_floor() -> None:
    # a frame's column of 抖音 set no floor on any row, and score_frame said
    # nothing: the count was in score_file's summary alone. Now one warning a
    # call, of every chunk's rows, names each value with its rows
    frame = pd.DataFrame(
        {
            "text": ["快递太慢了"] * 7,
            "渠道": [
                "抖音",
                "抖音 ",
                "电话",
                "微博",
                "\uff11\uff12\uff13\uff11\uff15",
                None,
                "抖音",
            ],
            "tier": ["金卡", " VIP ", "", "金卡", "svip", np.nan, "金卡"],
        }
    )
    cols = {"channel": "渠道", "customer_tier": "tier"}
    with pytest.warns(triage.TriageWarning) as caught:
        out = score_frame(frame, context_columns=cols, chunk_size=2)
    assert [str(w.message) for w in caught] == [
        "channel (column '渠道') matched no key of the policy, so set no floor, on 4 of 7 rows: "
        "'抖音' (2), '抖音 ' (1), '电话' (1)\n"
        "customer_tier (column 'tier') matched no key of the policy, so set no floor, "
        "on 4 of 7 rows: '金卡' (3), 'svip' (1)"
    ]
    assert caught[0].filename == __file__  # the caller's line, not the library's
    assert out["reasons"].str.contains("context.channel").tolist() == [0, 0, 0, 1, 1, 0, 0]
    # named by the policy, or given by no column: nothing to say
    policy = triage.load_policy(
        {
            "format": 1,
            "extends": "default",
            "context": {
                "channels": {"抖音": "P2", "电话": "P3"},
                "tiers": {"金卡": "P2", "svip": "P2"},
            },
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score_frame(frame, context_columns=cols, policy=policy)
        score_frame(frame)
        score_frame(frame.iloc[:0], context_columns=cols)


@pytest.mark.parametrize(
    "empty",
    [
        [None, None, None],
        [np.nan, np.nan, np.nan],
        ["", " ", "\t"],
        pd.array([None, None, None], dtype="string"),
        pd.Categorical([None, None, None], categories=["微博"]),
        # what an export writes for none (df.astype(str) of NaN and None, a
        # database's NULL, a spreadsheet's #N/A, a form's dash): no tier, not
        # three tiers the policy does not know
        ["nan", "None", "NULL"],
        ["N/A", "#N/A", " - "],
        ["null", "\uff2e\uff0f\uff21", "无"],
    ],
)
def test_a_context_column_empty_in_every_row_is_said(empty: Any, tmp_path: Path) -> None:
    # a column named by mistake, or one an export left blank, gave no row a
    # floor, and nothing said so
    frame = pd.DataFrame(
        {"text": ["快递太慢了", "房间很脏", "屏幕碎了"], "等级": empty, "渠道": "微博"}
    )
    cols = {"customer_tier": "等级", "channel": "渠道"}
    with pytest.warns(triage.TriageWarning) as caught:
        score_frame(frame, context_columns=cols, chunk_size=1)
    assert [str(w.message) for w in caught] == [
        "customer_tier (column '等级') was empty in every row, so set no floor on any"
    ]
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    summary = score_file(source, tmp_path / "out.csv", context_columns=cols, chunk_size=1)
    assert summary.empty_context_columns == {"customer_tier": "等级"}
    assert str(summary).endswith(
        "\ncustomer_tier (column '等级') was empty in every row, so set no floor on any"
    )
    # one value in the last chunk is enough
    frame["等级"] = [None, None, "vip"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score_frame(frame, context_columns=cols, chunk_size=1)
    frame.to_csv(source, index=False)
    kept = score_file(source, tmp_path / "out.csv", context_columns=cols, chunk_size=1)
    assert kept.empty_context_columns == {}
    assert "was empty" not in str(kept)


def test_a_channel_written_as_none_is_no_channel_not_an_unknown_one(tmp_path: Path) -> None:
    # a column of 抖音 and 'nan' (df["渠道"].astype(str) of a gap) counted the
    # gaps among the channels that matched no key, beside 抖音
    frame = pd.DataFrame(
        {
            "text": ["快递太慢了"] * 5,
            "渠道": ["抖音", "nan", "微博", "None", "-"],
            "等级": ["N/A", "vip", "null", "", "vip"],
        }
    )
    cols = {"channel": "渠道", "customer_tier": "等级"}
    with pytest.warns(triage.TriageWarning) as caught:
        out = score_frame(frame, context_columns=cols)
    assert [str(w.message) for w in caught] == [
        "channel (column '渠道') matched no key of the policy, so set no floor, on 1 of 5 rows: "
        "'抖音' (1)"
    ]
    assert out["priority"].tolist() == ["P3", "P3", "P2", "P3", "P3"]
    assert out["error"].tolist() == [""] * 5
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    summary = score_file(source, tmp_path / "out.csv", context_columns=cols)
    assert (summary.unmatched_channels, summary.unmatched_tiers) == ({"抖音": 1}, {})
    assert summary.empty_context_columns == {}


def test_a_dask_partition_does_not_warn_of_the_channels_that_set_no_floor() -> None:
    # one warning a partition, in the workers' logs, would say nothing of the whole
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"text": ["快递太慢了"] * 4, "渠道": ["抖音", "电话", "微博", ""]})
    lazy = score_frame(dd.from_pandas(frame, npartitions=2), context_columns={"channel": "渠道"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = lazy.compute(scheduler="sync")
    assert got["priority"].tolist() == ["P3", "P3", "P2", "P3"]


@pytest.mark.parametrize(("seconds", "rate"), [(0.5, 2000.0), (4.0, 250.0), (0.0, 0.0)])
def test_the_summary_gives_the_rows_per_second_of_the_run(seconds: float, rate: float) -> None:
    summary = ScoreSummary(rows=1000, errors=0, seconds=seconds, output=Path("out.csv"))
    assert summary.rows_per_second == rate
    assert str(summary) == f"1,000 rows, 0 errors, {seconds:.1f} s, {rate:,.0f} rows/s -> out.csv"


@pytest.mark.parametrize(
    ("seconds", "waiting", "said"),
    [
        (12.0, 10.0, "12.0 s, 10.0 s of it waiting for input, 500 rows/s in the rest"),
        (2.0, 0.04, "2.0 s, 510 rows/s"),  # too short to say
        (10.0, 10.0, "10.0 s, 10.0 s of it waiting for input, 0 rows/s in the rest"),
    ],
)
def test_the_summary_of_a_stream_gives_its_rate_without_the_time_waiting_for_rows(
    seconds: float, waiting: float, said: str
) -> None:
    # a live stream's rate counted the hours it waited for rows to arrive:
    # 1,000 rows in 12 s, 10 of them waiting, were 83 rows/s
    summary = ScoreSummary(
        rows=1000, errors=0, seconds=seconds, output=Path("<stdout>"), waiting_seconds=waiting
    )
    assert str(summary) == f"1,000 rows, 0 errors, {said} -> <stdout>"


class _Pipe(io.RawIOBase):
    """A pipe of `reads`, the last read once `hold` returns."""

    def __init__(self, reads: list[bytes], hold: Callable[[], None]) -> None:
        self._reads = list(reads)
        self._hold = hold

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._reads:
            return 0
        if len(self._reads) == 1:
            self._hold()
        data = self._reads.pop(0)
        buffer[: len(data)] = data
        return len(data)


def _paused(written: threading.Event) -> _Pipe:
    """A pipe whose second row comes half a second after the first is written."""

    def hold() -> None:
        assert written.wait(120)
        time.sleep(0.5)

    return _Pipe(["text\n快递一周还没到\n".encode(), "房间很脏\n".encode()], hold)


class _Told(io.BytesIO):
    """An output that tells `written` once its first row follows the header."""

    def __init__(self, written: threading.Event) -> None:
        super().__init__()
        self._written = written

    def flush(self) -> None:
        if self.getvalue().count(b"\n") >= 2:
            self._written.set()


def test_a_streams_time_waiting_for_its_rows_is_told_apart() -> None:
    written = threading.Event()
    shown = io.StringIO()
    summary = batch._score_stream(
        io.BufferedReader(_paused(written)),
        _Told(written),
        input_format="csv",
        output_format="csv",
        progress=ProgressLine(shown, every=0),
    )
    assert summary.rows == 2
    assert 0.25 <= summary.waiting_seconds < summary.seconds
    busy = summary.seconds - summary.waiting_seconds - summary.loading_seconds
    assert summary.rows_per_second == 2 / busy
    # the progress line's rows/s counted the wait too, which it did not say
    first, second = shown.getvalue().splitlines()
    assert "waiting" not in first
    said = r"scored +2 rows \| .* s, \d+\.\d s of it waiting for input(, .* loading the model)?"
    assert re.fullmatch(said, second)


@pytest.mark.parametrize(
    ("seconds", "waiting", "loading", "said"),
    [
        (
            14.0,
            10.0,
            2.0,
            "14.0 s, 10.0 s of it waiting for input, 2.0 s loading the model, "
            "500 rows/s in the rest",
        ),
        (4.0, 0.0, 2.0, "4.0 s, 2.0 s of it loading the model, 500 rows/s in the rest"),
        (2.0, 0.0, 0.04, "2.0 s, 510 rows/s"),  # too short to say
    ],
)
def test_the_summary_of_a_stream_leaves_the_models_load_out_of_its_rate(
    seconds: float, waiting: float, loading: float, said: str
) -> None:
    # the seconds a stream took to load the model before its first row
    # counted as scoring: 30 rows that came one every 0.3 s were 8 rows/s in
    # the rest, 3.3 s of its 3.6 the load
    summary = ScoreSummary(
        rows=1000,
        errors=0,
        seconds=seconds,
        output=Path("<stdout>"),
        waiting_seconds=waiting,
        loading_seconds=loading,
    )
    assert str(summary) == f"1,000 rows, 0 errors, {said} -> <stdout>"


def _gbk(shown: list[warnings.WarningMessage]) -> _Pipe:
    """A pipe of GBK rows, the second sent once the first's warning is shown."""

    def hold() -> None:
        deadline = time.monotonic() + 60
        while not shown and time.monotonic() < deadline:
            time.sleep(0.01)

    return _Pipe(["text\n快递一周还没到\n".encode("gbk"), "房间很脏\n".encode("gbk")], hold)


def test_a_stream_of_another_encoding_is_warned_of_as_its_first_such_line_arrives() -> None:
    # the undecodable lines were said in the summary alone, once the input
    # ended: never, for a stream followed by tail -f, whose every GBK row was
    # scored as U+FFFD meanwhile
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        summary = batch._score_stream(
            io.BufferedReader(_gbk(shown)),
            io.BytesIO(),
            input_format="csv",
            output_format="csv",
        )
    said = [str(w.message) for w in shown if issubclass(w.category, triage.TriageWarning)]
    assert said == [
        "<stdin>: bytes that are not UTF-8 on line 2, read as U+FFFD, as they are on each "
        "line after it that holds some: the rows are scored as read, and the summary counts "
        "those lines once the input ends (ScoreSummary.undecodable_lines). A stream is read "
        "as UTF-8 unless --encoding names its own (--encoding gb18030 for GBK, the CSV of "
        "Excel on Chinese Windows)"
    ]
    assert (summary.rows, summary.undecodable_lines) == (2, [2, 3])


@pytest.mark.parametrize(
    ("fmt", "reads", "what"),
    [
        (
            "csv",
            ["text\n快递一周还没到\n多,余\n", "房间很脏\n退,款,没到\n"],
            "a record of another number of fields than the header, or one a quote broke",
        ),
        (
            "jsonl",
            ['{"text": "快递一周还没到"}\n\n{"text": 房间很脏}\n', '{"text": "房间很脏"}\n[1]\n'],
            "no JSON object",
        ),
    ],
)
def test_a_streams_first_malformed_line_is_warned_of_as_it_arrives(
    fmt: str, reads: list[str], what: str
) -> None:
    # the malformed lines were said in the summary alone, once the input
    # ended: never, for a stream followed by tail -f, which skipped them unsaid
    released: list[int] = []  # the warnings shown when the rest of the pipe was sent

    def hold() -> None:
        deadline = time.monotonic() + 60
        while not shown and time.monotonic() < deadline:
            time.sleep(0.01)
        released.append(len(shown))

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        summary = batch._score_stream(
            io.BufferedReader(_Pipe([r.encode() for r in reads], hold)),
            io.BytesIO(),
            input_format=fmt,
            output_format=fmt,
        )
    said = [str(w.message) for w in shown if issubclass(w.category, triage.TriageWarning)]
    assert said == [
        f"<stdin>: line 3 is malformed ({what}) and skipped, as is each such line after it: "
        "the summary lists them once the input ends (ScoreSummary.malformed_lines)"
    ]
    assert released == [1]
    assert (summary.rows, summary.malformed_lines) == (2, [3, 5])


def test_a_streams_time_loading_the_model_is_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    from triage import api

    warm_up = api.warm_up

    def slow(**kwargs: Any) -> None:  # a model as slow to load as the shipped one, cold
        time.sleep(0.3)
        warm_up(**kwargs)

    monkeypatch.setattr(api, "warm_up", slow)
    shown = io.StringIO()
    summary = batch._score_stream(
        io.BytesIO("text\n快递一周还没到\n房间很脏\n".encode()),
        io.BytesIO(),
        input_format="csv",
        output_format="csv",
        progress=ProgressLine(shown, every=0),
    )
    assert summary.rows == 2
    assert 0.3 <= summary.loading_seconds < summary.seconds
    busy = summary.seconds - summary.waiting_seconds - summary.loading_seconds
    assert summary.rows_per_second == 2 / busy
    assert re.search(
        r", \d+\.\d s of it loading the model, [\d,]+ rows/s in the rest", str(summary)
    )
    assert shown.getvalue().endswith(" s of it loading the model\n")


class _SlowToLoad(triage.LexiconModel):
    """A model as slow to load as the shipped one, cold: its first call
    takes 0.3 s more."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False

    def predict_many(self, texts: Any, **options: Any) -> Any:
        if not self.loaded:
            time.sleep(0.3)
            self.loaded = True
        return super().predict_many(texts, **options)


@pytest.mark.parametrize("n_jobs", [1, 2])  # a file of one chunk is scored here whatever n_jobs
def test_a_files_time_loading_the_model_is_told_apart(tmp_path: Path, n_jobs: int) -> None:
    # a file's run counted the model's load, as its first chunk was scored,
    # as scoring, where a stream's says it apart: 5 rows were 4 rows/s, of
    # 1.4 s nearly all the load
    source = tmp_path / "in.csv"
    source.write_text("text\n快递一周还没到\n房间很脏\n客服挂我电话\n", encoding="utf-8")
    shown = io.StringIO()
    summary = score_file(
        source,
        tmp_path / "out.csv",
        model=_SlowToLoad(),
        n_jobs=n_jobs,
        progress=ProgressLine(shown, every=0),
    )
    assert summary.rows == 3
    assert 0.3 <= summary.loading_seconds < summary.seconds
    assert summary.rows_per_second == 3 / (summary.seconds - summary.loading_seconds)
    assert re.search(
        r"^3 rows, 0 errors, \d+\.\d s, \d+\.\d s of it loading the model, [\d,]+ rows/s in the "
        r"rest, model \(no file\)",
        str(summary),
    )
    said = r"scored +3 rows \| +[\d,]+ rows/s \| +\d+\.\d s, \d+\.\d s of it loading the model"
    assert re.fullmatch(said, shown.getvalue().rstrip("\n"))
    # the same bytes as a model loaded before
    again = tmp_path / "again.csv"
    score_file(source, again, model=triage.LexiconModel())
    assert (tmp_path / "out.csv").read_bytes() == again.read_bytes()


def test_a_file_scored_by_worker_processes_says_no_load_apart(tmp_path: Path) -> None:
    # each worker loads its own model as it takes its first chunk, while the
    # rows are read and sent: no time of the run's is the load alone
    source = tmp_path / "in.csv"
    source.write_text("text\n快递一周还没到\n房间很脏\n客服挂我电话\n", encoding="utf-8")
    summary = score_file(source, tmp_path / "out.csv", n_jobs=2, chunk_size=1)
    assert summary.loading_seconds == 0
    assert "loading" not in str(summary)


def test_a_model_that_fails_in_a_files_load_fails_in_its_first_chunk(tmp_path: Path) -> None:
    # loaded before the first chunk is scored, the model's error is still
    # raised naming the rows it was scoring
    class Broken(triage.LexiconModel):
        def predict_many(self, texts: Any, **kwargs: Any) -> Any:
            raise AttributeError("'Broken' object has no attribute 'vocabulary_'")

    source = tmp_path / "in.csv"
    source.write_text("text\n快递一周还没到\n房间很脏\n", encoding="utf-8")
    with pytest.raises(AttributeError, match="vocabulary_") as caught:
        score_file(source, tmp_path / "out.csv", model=Broken())
    assert caught.value.__notes__[0].startswith("raised scoring rows 1 to 2 ")


@pytest.mark.parametrize(
    ("seconds", "waiting", "said"),
    [
        (2.0, 0.0, "|      500 rows/s |     2.0 s"),  # a file's
        (12.0, 10.0, "|      500 rows/s |    12.0 s, 10.0 s of it waiting for input"),
        (3600.0, 3580.0, "|       50 rows/s | 3,600.0 s, 3,580.0 s of it waiting for input"),
        (5.0, 5.0, "|        0 rows/s |     5.0 s, 5.0 s of it waiting for input"),
    ],
)
def test_progress_of_a_stream_gives_rows_per_second_of_the_time_not_waiting(
    seconds: float, waiting: float, said: str
) -> None:
    # 1,000 rows in 12 s, 10 of them waiting for rows to arrive, read 83 rows/s
    stream = io.StringIO()
    ProgressLine(stream, every=0)(1000, seconds, waiting=waiting)
    assert stream.getvalue() == f"scored        1,000 rows {said}\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("redraw", "every", "written"),
    [(None, 0.5, "\rscored        1,000 rows "), (False, 30.0, "scored        1,000 rows ")],
)
def test_progress_on_a_terminal_is_redrawn_unless_told_not_to(
    redraw: bool | None, every: float, written: str
) -> None:
    # a terminal the rows of a stream reach too takes each line whole
    terminal = _Terminal()
    progress = ProgressLine(terminal, redraw=redraw)
    progress(1000, 2.0)
    progress.close()
    assert progress.every == every
    said = "|      500 rows/s |     2.0 s"
    assert terminal.getvalue() == f"{written}{said}\n"  # ended by close, or written whole


def test_progress_of_a_stream_leaves_the_models_load_out_of_its_rate() -> None:
    stream = io.StringIO()
    ProgressLine(stream, every=0)(1000, 14.0, waiting=10.0, loading=2.0)
    said = "|      500 rows/s |    14.0 s, 10.0 s of it waiting for input, 2.0 s loading the model"
    assert stream.getvalue() == f"scored        1,000 rows {said}\n"


@pytest.mark.parametrize(
    ("lines", "shown"),
    [(10, "2, 3, 4, 5, 6, 7, 8, 9, 10, 11"), (11, "2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...")],
)
def test_the_summary_shows_ten_malformed_lines_at_most(lines: int, shown: str) -> None:
    malformed = list(range(2, 2 + lines))
    summary = ScoreSummary(
        rows=3, errors=0, seconds=1.0, output=Path("o.csv"), malformed_lines=malformed
    )
    assert str(summary).endswith(f"\nskipped {lines} malformed lines: {shown}")


def test_the_summary_shows_ten_malformed_lines_of_a_folder_at_most() -> None:
    files = {Path("in", "a.csv"): list(range(2, 8)), Path("in", "b.csv"): list(range(2, 8))}
    summary = ScoreSummary(
        rows=3,
        errors=0,
        seconds=1.0,
        output=Path("out.csv"),
        malformed_lines=[n for lines in files.values() for n in lines],
        malformed_files=files,
    )
    shown = [f"a.csv:{n}" for n in range(2, 8)] + [f"b.csv:{n}" for n in range(2, 6)]
    assert str(summary).endswith(f"\nskipped 12 malformed lines: {', '.join(shown)}, ...")


def test_score_file_errors(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "review\n快递太慢\n")
    with pytest.raises(KeyError, match="review"):
        score_file(src, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(KeyError, match="ticket"):
        score_file(src, tmp_path / "out.csv", text_column="review", id_column="ticket")
    with pytest.raises(FileNotFoundError):
        score_file(tmp_path / "missing.csv", tmp_path / "out.csv")
    with pytest.raises(FileNotFoundError, match=r"no input file at .*missing\.zip"):
        score_file(tmp_path / "missing.zip", tmp_path / "out.csv")
    with pytest.raises(ValueError, match="spreadsheet workbook"):
        score_file(src, tmp_path / "out.xlsx", text_column="review")
    with pytest.raises(ValueError, match="extension"):
        score_file(src, tmp_path / "out.dat", text_column="review")
    with pytest.raises(ValueError, match="input file"):
        score_file(src, src, text_column="review")
    empty = write(tmp_path / "empty.csv", "")
    with pytest.raises(InputFileError, match=r"empty\.csv is empty"):
        score_file(empty, tmp_path / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.csv", "in.csv"]


@pytest.mark.parametrize("out", ["out.jsonl", "out.parquet"])
def test_a_column_named_twice_is_a_clear_error_for_an_output_that_needs_unique_names(
    tmp_path: Path, out: str
) -> None:
    if out.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    src = write(tmp_path / "in.csv", "备注,text,备注\na,快递太慢,b\n")
    with pytest.raises(ValueError, match=r"column '备注' appears 2 times in .*in\.csv.*CSV"):
        score_file(src, tmp_path / out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    # CSV holds repeated names: the file is scored, every column carried through
    score_file(src, tmp_path / "out.csv")
    header = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("备注,text,备注,categories,")


def test_a_big5_file_is_scored_as_the_traditional_chinese_it_holds(tmp_path: Path) -> None:
    texts = ["快遞一週還沒到，客服也不回，太氣人了！", "價格太貴，還多扣了我十塊錢"]
    src = tmp_path / "in.csv"
    src.write_bytes(
        ("id,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(texts))).encode("big5")
    )
    score_file(src, tmp_path / "out.csv")
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out["text"].tolist() == texts
    assert out["primary"].tolist() == ["logistics", "pricing"]


def test_values_inside_parquet_lists_structs_and_maps_keep_their_digits(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    big = 1234567890123456789  # a float has 17 digits of it: ...768
    when = datetime.datetime(2024, 1, 1, 8, 0, 0, 1)
    order = pa.struct([("order_id", pa.int64()), ("at", pa.timestamp("ns"))])
    table = pa.table(
        {
            "text": ["快递一周还没到", "客服不理人"],
            "order": pa.array(
                [{"order_id": big, "at": when}, {"order_id": None, "at": None}], order
            ),
            "ids": pa.array([[big, None], [5]]),
            "tags": pa.array([[("vip", 3)], None], pa.map_(pa.string(), pa.int64())),
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    score_file(tmp_path / "in.parquet", tmp_path / "out.jsonl")
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [r["order"] for r in out] == [
        {"order_id": big, "at": "2024-01-01T08:00:00.000001"},
        {"order_id": None, "at": None},
    ]
    assert [r["ids"] for r in out] == [[big, None], [5]]  # 5, not 5.0
    assert [r["tags"] for r in out] == [[["vip", 3]], None]
    score_file(tmp_path / "in.parquet", tmp_path / "out.csv")
    csv_out = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert csv_out["ids"].tolist() == [f"[{big}, null]", "[5]"]
    score_file(tmp_path / "in.parquet", tmp_path / "out.parquet")
    again = pq.read_table(tmp_path / "out.parquet")
    for name in ("order", "ids", "tags"):
        assert again.column(name).to_pylist() == table.column(name).to_pylist(), name


@pytest.mark.parametrize("folder", [False, True], ids=["file", "dataset"])
def test_int96_timestamps_past_2262_keep_their_date(tmp_path: Path, folder: bool) -> None:
    # as Spark, Hive and Impala write timestamps; 9999-12-31 is a common "no end"
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    stamps = [datetime.datetime(2024, 1, 1, 8, 30, 0, 123456), datetime.datetime(9999, 12, 31)]
    table = pa.table(
        {"text": ["快递一周还没到", "客服不理人"], "until": pa.array(stamps, pa.timestamp("us"))}
    )
    src = tmp_path / "in"
    path = src / "month=1" / "part-0.parquet" if folder else src.with_suffix(".parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, use_deprecated_int96_timestamps=True)
    source = src if folder else path
    score_file(source, tmp_path / "out.jsonl")
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [r["until"] for r in out] == ["2024-01-01T08:30:00.123456", "9999-12-31T00:00:00"]
    score_file(source, tmp_path / "out.parquet")
    assert pq.read_table(tmp_path / "out.parquet").column("until").to_pylist() == stamps


def test_a_parquet_file_corrupt_past_its_footer_is_named_in_the_error(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = [f"快递没到第{i}天" for i in range(20_000)]
    pq.write_table(pa.table({"text": texts}), tmp_path / "in.parquet", row_group_size=5_000)
    data = bytearray((tmp_path / "in.parquet").read_bytes())
    middle = len(data) // 3
    data[middle : middle + 200] = bytes(b ^ 0x5A for b in data[middle : middle + 200])
    (tmp_path / "in.parquet").write_bytes(data)  # its footer intact: it opens
    with pytest.raises(InputFileError, match=r"in\.parquet cannot be read: .*corrupt"):
        score_file(tmp_path / "in.parquet", tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("rows", [2, 0])
def test_a_parquet_column_named_twice_keeps_each_copy_its_own_type(
    tmp_path: Path, rows: int
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    ids = pa.array(["a-1", "b-2"][:rows]), pa.array([1234567890123456789, None][:rows])
    texts = pa.array(["快递一周还没到", "客服不理人"][:rows])
    table = pa.Table.from_arrays([ids[0], texts, ids[1]], names=["id", "text", "id"])
    pq.write_table(table, tmp_path / "in.parquet")
    assert score_file(tmp_path / "in.parquet", tmp_path / "out.csv").rows == rows
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out.columns[:3].tolist() == ["id", "text", "id.1"]
    assert out["id"].tolist() == ["a-1", "b-2"][:rows]
    assert out["id.1"].tolist() == ["1234567890123456789", ""][:rows]
    # the text column named twice is refused by name, binary (Impala's strings) too
    for kind in (pa.string(), pa.binary()):
        twice = pa.Table.from_arrays(
            [ids[0], texts.cast(kind), texts.cast(kind)], names=["id", "text", "text"]
        )
        pq.write_table(twice, tmp_path / "twice.parquet")
        with pytest.raises(ValueError, match=r"column 'text' appears 2 times in .*twice"):
            score_file(tmp_path / "twice.parquet", tmp_path / "out2.csv")


def test_empty_input_gives_header_only(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", "id,text\n")
    summary = score_file(src, tmp_path / "out.csv")
    assert summary.rows == 0
    header = (tmp_path / "out.csv").read_text(encoding="utf-8").strip().split(",")
    assert tuple(header) == ("id", "text", *OUTPUT_COLUMNS)
    # the text column is checked even when there are no rows
    with pytest.raises(KeyError, match="review"):
        score_file(src, tmp_path / "out2.csv", text_column="review")
    # so is a Parquet file without rows
    pytest.importorskip("pyarrow")
    no_rows = pd.DataFrame({"id": pd.Series([], dtype="int64"), "text": pd.Series([], dtype=str)})
    no_rows.to_parquet(tmp_path / "in.parquet")
    score_file(tmp_path / "in.parquet", tmp_path / "out.parquet")
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert list(out.columns) == ["id", "text", *OUTPUT_COLUMNS]


def test_a_text_too_long_for_the_csv_module_is_truncated_and_flagged(tmp_path: Path) -> None:
    long = "快递太慢了，" * 30_000  # 180,000 characters in one CSV field
    src = write(tmp_path / "in.csv", f"id,text\n1,{long}\n2,房间很脏\n")
    summary = score_file(src, tmp_path / "out.csv")
    assert (summary.rows, summary.malformed_lines) == (2, [])
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert out["truncated"].tolist() == [True, False]
    assert out["text"].str.len().tolist() == [len(long), 4]
    assert out["primary"].tolist() == ["logistics", "environment"]


def test_progress_line() -> None:
    stream = io.StringIO()
    line = ProgressLine(stream, every=0)
    line(1000, 2.0)
    line(3000, 3.0)
    line.close()
    shown = stream.getvalue().splitlines()
    assert len(shown) == 2
    assert "3,000 rows" in shown[1] and "1,000 rows/s" in shown[1]


def test_progress_of_one_row_says_row_and_keeps_its_columns() -> None:
    # "scored 1 rows" was the line of a file of one complaint
    stream = io.StringIO()
    line = ProgressLine(stream, every=0)
    line(1, 1.0)
    line(2, 1.0)
    one, two = stream.getvalue().splitlines()
    assert "scored            1 row  | " in one and "scored            2 rows | " in two
    assert one.index("|") == two.index("|")


def test_progress_into_a_log_file_is_a_line_now_and_then() -> None:
    # a cron job's log: not a line every half second of a two-minute run
    stream = io.StringIO()
    line = ProgressLine(stream)
    assert line.every == 30.0
    for k in range(1, 200):
        line(1000 * k, 0.5 * k)
    line.close()
    assert len(stream.getvalue().splitlines()) == 1


# -- Dask -----------------------------------------------------------------------


def _in_dask(dtypes: dict[str, Any]) -> dict[str, Any]:
    """`dtypes` as Dask plans and computes them: with pandas 2, Dask keeps text
    as pyarrow strings rather than objects (its ``dataframe.convert-string``),
    in the meta and in the partitions alike."""
    from dask.dataframe.utils import pyarrow_strings_enabled

    if not isinstance(TEXT_DTYPE, np.dtype) or not pyarrow_strings_enabled():  # pandas 3: str
        return dtypes
    return {c: pd.StringDtype("pyarrow") if d == TEXT_DTYPE else d for c, d in dtypes.items()}


def test_dask_equals_pandas() -> None:
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    # a list, not a Series: one aligned on the index below left every odd row
    # NaN. Dask makes text of an object column's cells (dataframe.convert-string),
    # a number among them too, so the bad rows are of kinds it keeps
    texts = [*TEXTS, None, "  "] * 3
    frame = pd.DataFrame(
        {"text": texts, "n": np.arange(len(texts))}, index=np.arange(len(texts)) * 2
    )
    assert frame["text"].tolist()[: len(TEXTS)] == TEXTS
    want = score_frame(frame)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster),
    ):
        lazy = score_frame(dd.from_pandas(frame, npartitions=3))
        assert lazy.dtypes.to_dict() == _in_dask(OUTPUT_DTYPES)  # the meta is what compute gives
        got = lazy.compute()
        # partitions numbered from 0 each, as files read with dd.read_parquet are
        parts = [frame.iloc[i : i + 8].reset_index(drop=True) for i in range(0, len(frame), 8)]
        files = dd.concat([dd.from_pandas(p, npartitions=1) for p in parts])
        kept = score_frame(files, keep_input=True)
        assert kept.columns.tolist() == ["text", "n", *OUTPUT_COLUMNS]
        beside = kept.compute()
    want = want.astype(_in_dask(OUTPUT_DTYPES))
    pd.testing.assert_frame_equal(got, want)
    assert beside["n"].tolist() == frame["n"].tolist()
    pd.testing.assert_frame_equal(
        beside[list(OUTPUT_COLUMNS)], want.set_axis(beside.index), check_index_type=False
    )


def test_dask_makes_text_of_cells_unless_told_not_to() -> None:
    # as docs/batch.md says in its Dask section
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"text": ["快递一周还没到", 5, None]})
    assert score_frame(frame)["error"].tolist() == ["", "not a string: int", "missing text"]
    with dask.config.set({"dataframe.convert-string": True}):
        converted = score_frame(dd.from_pandas(frame, npartitions=1)).compute(scheduler="sync")
    assert converted["error"].tolist() == ["", "", "missing text"]
    with dask.config.set({"dataframe.convert-string": False}):
        kept = score_frame(dd.from_pandas(frame, npartitions=1)).compute(scheduler="sync")
    assert kept["error"].tolist() == ["", "not a string: int", "missing text"]


@pytest.mark.parametrize("options", [{"explain": 2}, {"summary": True, "explain": 2}])
def test_dask_explain_and_summary_plan_their_columns(options: dict[str, Any]) -> None:
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"text": [*TEXTS, None]})
    want = score_frame(frame, **options)
    lazy = score_frame(dd.from_pandas(frame, npartitions=3), **options)
    assert lazy.columns.tolist() == want.columns.tolist()
    planned = _in_dask(want.dtypes.to_dict())
    assert lazy.dtypes.to_dict() == planned
    pd.testing.assert_frame_equal(lazy.compute(scheduler="sync"), want.astype(planned))


def test_a_dask_model_is_in_one_task_of_the_graph_not_in_each_partition() -> None:
    # each partition's task carried its own copy, which distributed sent to the
    # workers and unpickled partition by partition: some 0.6 s each for the
    # shipped model, ten times the scoring of a partition of 1,000 rows
    dd = pytest.importorskip("dask.dataframe")
    model = triage.LexiconModel()
    frame = pd.DataFrame({"text": [*TEXTS, None]})
    lazy = score_frame(dd.from_pandas(frame, npartitions=4), model=model)

    class Finder(pickle.Pickler):
        found = False

        def persistent_id(self, obj: Any) -> str | None:
            if obj is model:
                self.found = True
                return "model"
            return None

    holding = []
    for key, task in dict(lazy.__dask_graph__()).items():
        finder = Finder(io.BytesIO())
        finder.dump(task)  # each task pickled alone, as it is sent to a worker
        if finder.found:
            holding.append(key)
    assert len(holding) == 1
    want = score_frame(frame, model=model)
    pd.testing.assert_frame_equal(
        lazy.compute(scheduler="sync"), want.astype(_in_dask(OUTPUT_DTYPES))
    )


def test_a_default_set_in_this_process_reaches_the_dask_worker_processes() -> None:
    # the processes scheduler's workers, as a cluster's, scored with the
    # shipped model, while the sync and threads schedulers used the one set
    dd = pytest.importorskip("dask.dataframe")
    from triage import set_default_model

    lexicon = triage.LexiconModel()
    frame = pd.DataFrame({"text": [*TEXTS, None]})
    want = score_frame(frame, model=lexicon).astype(_in_dask(OUTPUT_DTYPES))
    assert not want.equals(score_frame(frame).astype(_in_dask(OUTPUT_DTYPES)))
    set_default_model(lexicon)
    try:
        lazy = score_frame(dd.from_pandas(frame, npartitions=2))
    finally:
        set_default_model(None)
    got = lazy.compute(scheduler="processes", num_workers=1)
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("column", ["text", "n"])
def test_a_dask_series_is_refused_as_a_pandas_one_is_before_anything_runs(column: str) -> None:
    # not planned, to fail in every partition once the graph runs on a cluster
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"text": ["快递三天还没到", "房间很脏"], "n": [1, 2]})
    message = r"expects a pandas or Dask DataFrame, got Series"
    with pytest.raises(triage.ParameterError, match=message):
        score_frame(frame[column], text_column=column)
    with pytest.raises(triage.ParameterError, match=message):
        score_frame(dd.from_pandas(frame, npartitions=2)[column], text_column=column)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"chunk_size": 1e4},
        {"chunk_size": "100"},
        {"n_jobs": 1.0},
        {"context_columns": {"vip": "x"}},
    ],
)
def test_bad_arguments_are_parameter_errors(kwargs: dict[str, Any]) -> None:
    frame = pd.DataFrame({"text": ["快递三天还没到"]})
    with pytest.raises(triage.ParameterError):
        triage.score_frame(frame, **kwargs)


class _PolarsFrame:
    """A stand-in of a polars DataFrame (polars is not among the test dependencies)."""

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame({"text": ["快递三天还没到"]})


_PolarsFrame.__module__ = "polars.dataframe.frame"
_PolarsFrame.__name__ = _PolarsFrame.__qualname__ = "DataFrame"


def test_another_librarys_frame_is_named_with_its_package_and_how_to_convert_it() -> None:
    # "expects a pandas or Dask DataFrame, got DataFrame" said of a polars one
    message = r"got polars DataFrame; convert it with \.to_pandas\(\)$"
    with pytest.raises(triage.ParameterError, match=message):
        score_frame(_PolarsFrame())
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(triage.ParameterError, match=r"got pyarrow Table; convert it with"):
        score_frame(pa.table({"text": ["快递三天还没到"]}))
    with pytest.raises(triage.ParameterError, match=r"got list; for a list of texts use"):
        score_frame(["快递三天还没到"])


def test_a_row_of_a_frame_is_told_to_become_a_frame_of_that_row() -> None:
    # frame.iloc[0] was told to_frame('content'), which scores each of its
    # cells, the ticket among them, as a text
    frame = pd.DataFrame({"ticket": ["A-1", "A-2"], "content": ["快递三天还没到", "房间很脏"]})
    message = (
        r"got Series; this one is a row of a frame \(frame\.iloc\[i\], its index the columns, "
        r"'content' among them\): pass frame\.iloc\[\[i\]\], a frame of that row$"
    )
    with pytest.raises(triage.ParameterError, match=message):
        score_frame(frame.iloc[0], text_column="content")
    scored = score_frame(frame.iloc[[1]], text_column="content")
    assert (scored.index.tolist(), scored["primary"].tolist()) == ([1], ["environment"])


@pytest.mark.parametrize("lazy", [False, True], ids=["pandas", "dask"])
def test_a_series_is_told_to_become_a_frame_of_its_rows(lazy: bool) -> None:
    # told pd.DataFrame({'text': texts}), which of a Dask Series computes it all here
    series = pd.Series(["快递三天还没到", "房间很脏"], index=[5, 5], name="content")
    if lazy:
        dd = pytest.importorskip("dask.dataframe")
        series = dd.from_pandas(series, npartitions=2)
    with pytest.raises(triage.ParameterError, match=r"pass series\.to_frame\('content'\),"):
        score_frame(series, text_column="content")
    scored = score_frame(series.to_frame("content"), text_column="content")
    assert type(scored).__module__.startswith("dask") is lazy
    if lazy:
        scored = scored.compute(scheduler="sync")
    assert scored.index.tolist() == [5, 5]
    assert scored["primary"].tolist() == ["logistics", "environment"]


@pytest.mark.parametrize(
    ("columns", "shown"),
    [
        (["channel"], r"\{'channel': 'channel'\}"),
        (
            ("channel", "customer_tier"),
            r"\{'channel': 'channel', 'customer_tier': 'customer_tier'\}",
        ),
        ("channel", r"\{'channel': 'channel'\}"),
        ([("channel", "ch")], r"\{'channel': 'ch'\}"),
    ],
    ids=["list", "tuple", "str", "pairs"],
)
def test_context_columns_that_are_no_mapping_say_what_to_pass(columns: Any, shown: str) -> None:
    # a list of the fields failed with AttributeError ('list' has no 'items'),
    # a field's name alone with a list of its letters as unknown fields
    frame = pd.DataFrame({"text": ["快递三天还没到"], "channel": ["weibo"], "ch": ["weibo"]})
    message = r"context_columns must map Context fields to columns, .* pass " + shown
    with pytest.raises(triage.ParameterError, match=message):
        score_frame(frame, context_columns=columns)


# dask's Parquet writer calls set_index(inplace=True), deprecated in pandas 3.1
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.set_index")
def test_dask_plans_with_the_dtypes_it_computes(tmp_path: Path) -> None:
    # Dask builds on the meta it is given: a string column planned as object,
    # or an index of another type, breaks `to_parquet` and makes a join of the
    # input and its scores turn the flag columns into objects.
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"text": [*TEXTS, None], "n": range(len(TEXTS) + 1)})
    lazy = dd.from_pandas(frame, npartitions=2)
    scored = score_frame(lazy)
    want = score_frame(frame)
    assert scored.dtypes.to_dict() == _in_dask(want.dtypes.to_dict())
    assert score_frame(frame.iloc[:0]).dtypes.to_dict() == want.dtypes.to_dict()
    assert lazy.join(scored).dtypes["truncated"] == np.dtype(bool)
    with dask.config.set(scheduler="sync"):
        dd.concat([lazy, scored], axis=1).to_parquet(tmp_path / "scored")
    got = pd.read_parquet(tmp_path / "scored")
    pd.testing.assert_frame_equal(
        got[list(OUTPUT_COLUMNS)],
        want,
        check_dtype=False,
        check_index_type=False,
        check_names=False,
    )


# -- a folder of Parquet files (a dataset) --------------------------------------


def test_a_folder_of_parquet_files_is_read_as_one_dataset_in_natural_order(
    tmp_path: Path,
) -> None:
    # what pandas and Spark write: one folder per partition value (month=1 ...
    # month=12), a file or several in each, and markers that are not data
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    texts = ["快递一周还没到", "房间很脏", "太贵了", None, "客服不回消息"]
    frame = pd.DataFrame(
        {
            "ticket": [f"T{i:03d}" for i in range(60)],
            "text": [texts[i % len(texts)] for i in range(60)],
            "month": np.repeat(np.arange(1, 13), 5),
        }
    )
    folder = tmp_path / "complaints"
    for month, part in frame.groupby("month"):
        where = folder / f"month={month}"
        where.mkdir(parents=True)
        table = pa.Table.from_pandas(part.drop(columns="month"), preserve_index=False)
        pq.write_table(table.slice(0, 3), where / "part-00000.snappy.parquet")
        pq.write_table(table.slice(3), where / "part-00001.snappy.parquet")
        (where / ".part-00000.snappy.parquet.crc").write_bytes(b"crc")
    (folder / "_SUCCESS").write_bytes(b"")
    summary = score_file(folder, tmp_path / "scored.parquet", chunk_size=7)
    assert summary.rows == 60 and summary.errors == 12
    out = pd.read_parquet(tmp_path / "scored.parquet")
    # month=2 before month=10, as the numbers go, not as the names sort
    assert out["ticket"].tolist() == frame["ticket"].tolist()
    assert out["month"].tolist() == frame["month"].tolist()  # the partition is a column
    want = score_frame(frame)
    assert out["primary"].tolist() == want["primary"].tolist()
    assert out["error"].tolist() == want["error"].tolist()


def test_a_dataset_folder_may_hold_files_of_differing_columns(tmp_path: Path) -> None:
    # Spark's part files side by side, and a Hive file named without an
    # extension; a later file has a column more, and floats for integers
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "export"
    folder.mkdir()
    pq.write_table(pa.table({"id": [1, 2], "text": ["快递太慢", "房间很脏"]}), folder / "000000_0")
    pq.write_table(
        pa.table({"id": [3.0, None], "text": ["太贵了", "快递太慢"], "channel": ["app", "web"]}),
        folder / "000001_0",
    )
    score_file(folder, tmp_path / "out.csv")
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert out["id"].tolist() == ["1.0", "2.0", "3.0", ""]
    assert out["channel"].tolist() == ["", "", "app", "web"]
    assert out["primary"].tolist() == ["logistics", "environment", "pricing", "logistics"]


@pytest.mark.parametrize(
    "spelled",
    [
        "{folder}",
        "{folder}/",
        "{folder}//",
        "./{name}",
        "./{name}/",
        "{name}",
        "{name}/../{name}",
    ],
)
def test_a_dataset_folder_gives_the_same_columns_however_its_path_is_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelled: str
) -> None:
    # the folder itself is a partition of a larger table (year=2024): only the
    # partition folders below it are columns, whatever way the path is typed
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "year=2024"
    for month in (1, 2):
        (folder / f"month={month}").mkdir(parents=True)
        pq.write_table(pa.table({"text": ["快递太慢"]}), folder / f"month={month}" / "a.parquet")
    monkeypatch.chdir(tmp_path)
    path = spelled.format(folder=folder, name=folder.name)
    score_file(path, tmp_path / "out.csv")
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == ["text", "month", *OUTPUT_COLUMNS]
    assert out["month"].tolist() == [1, 2]


def test_a_dataset_folder_follows_linked_folders_but_not_loops(tmp_path: Path) -> None:
    # a partition kept elsewhere and linked in is part of the table; a link
    # back up the tree is not read again (nor forever)
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder, elsewhere = tmp_path / "complaints", tmp_path / "archive" / "month=1"
    (folder / "month=2").mkdir(parents=True)
    elsewhere.mkdir(parents=True)
    pq.write_table(pa.table({"text": ["快递太慢"]}), elsewhere / "a.parquet")
    pq.write_table(pa.table({"text": ["房间很脏"]}), folder / "month=2" / "a.parquet")
    try:
        (folder / "month=1").symlink_to(elsewhere, target_is_directory=True)
    except OSError:  # Windows without the privilege
        pytest.skip("no symbolic links here")
    (folder / "month=2" / "again").symlink_to(folder, target_is_directory=True)
    (elsewhere / "back").symlink_to(folder, target_is_directory=True)
    assert score_file(folder, tmp_path / "out.csv").rows == 2
    out = pd.read_csv(tmp_path / "out.csv")
    assert out["month"].tolist() == [1, 2]
    assert out["primary"].tolist() == ["logistics", "environment"]


def test_a_dataset_column_categorical_in_one_file_is_read_with_the_others(
    tmp_path: Path,
) -> None:
    # pandas writes a categorical as a dictionary-encoded column; the files
    # of other days hold the same column as plain text
    pytest.importorskip("pyarrow")
    folder = tmp_path / "in"
    folder.mkdir()
    texts, channels = pd.Categorical(["快递太慢", "房间很脏"]), pd.Categorical(["app", "web"])
    pd.DataFrame({"text": texts, "channel": channels}).to_parquet(folder / "day-1.parquet")
    pd.DataFrame({"text": ["太贵了"], "channel": ["app"]}).to_parquet(folder / "day-2.parquet")
    assert score_file(folder, tmp_path / "out.csv", chunk_size=2).rows == 3
    out = pd.read_csv(tmp_path / "out.csv")
    assert out["channel"].tolist() == ["app", "web", "app"]
    assert out["primary"].tolist() == ["logistics", "environment", "pricing"]


def test_a_dataset_folder_with_no_rows_gives_its_columns(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    (tmp_path / "in").mkdir()
    empty = pa.table({"id": pa.array([], pa.int64()), "text": pa.array([], pa.string())})
    pq.write_table(empty, tmp_path / "in" / "part-0.parquet")
    assert score_file(tmp_path / "in", tmp_path / "out.csv").rows == 0
    assert list(pd.read_csv(tmp_path / "out.csv").columns) == ["id", "text", *OUTPUT_COLUMNS]


def test_a_folder_that_is_no_parquet_dataset_is_a_clear_error(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "_SUCCESS").write_bytes(b"")
    with pytest.raises(InputFileError, match=r"in is a folder with no data file"):
        score_file(folder, tmp_path / "out.csv")
    pq.write_table(pa.table({"text": ["快递太慢"]}), folder / "a.parquet")
    write(folder / "notes.csv", "text\n快递太慢\n")
    with pytest.raises(
        InputFileError, match=r"in mixes text files \(notes\.csv, ...\) with others \(a\.parquet\)"
    ):
        score_file(folder, tmp_path / "out.csv")
    (folder / "notes.csv").unlink()
    (folder / "notes").write_text("a stray file with no extension")
    with pytest.raises(InputFileError, match=r"notes in the dataset .* not a readable Parquet"):
        score_file(folder, tmp_path / "out.csv")
    (folder / "notes").unlink()
    pq.write_table(pa.table({"text": [3]}), folder / "b.parquet")
    with pytest.raises(InputFileError, match=r"files of .* do not agree on their columns.*text"):
        score_file(folder, tmp_path / "out.csv")
    (folder / "b.parquet").unlink()
    # a partition folder naming a column of the files, of another type
    clash = tmp_path / "clash"
    (clash / "m=1").mkdir(parents=True)
    pq.write_table(pa.table({"m": [1], "text": ["快递太慢"]}), clash / "m=1" / "a.parquet")
    with pytest.raises(InputFileError, match=r"clash: 'm' is both a partition folder \(m=...\)"):
        score_file(clash, tmp_path / "out.csv")
    shutil.rmtree(clash)
    # told to read CSV, every file is read as CSV
    with pytest.raises(InputFileError, match=r"a\.parquet is not a text file: it is a Parquet"):
        score_file(folder, tmp_path / "out.csv", input_format="csv")
    # the output of a run inside its input would be read by the next one
    with pytest.raises(ValueError, match=r"inside the input folder"):
        score_file(folder, folder / "scored.parquet")
    with pytest.raises(ValueError, match=r"output .* is a folder"):
        score_file(folder / "a.parquet", folder, output_format="csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.integers(1, 12), st.integers(0, 11)), min_size=1, max_size=40),
    st.integers(1, 7),
)
def test_a_folder_keeps_every_row_in_the_order_of_its_paths(
    tmp_path: Path, suffix: str, placement: list[tuple[int, int]], chunk_size: int
) -> None:
    # row i goes to month=<m>/part-<p>.<suffix>; rows come out by month, then
    # by part, as the numbers go, then in their order within the file
    import uuid

    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    folder = tmp_path / uuid.uuid4().hex
    files: dict[tuple[int, int], list[int]] = {}
    for i, key in enumerate(placement):
        files.setdefault(key, []).append(i)
    for (month, part), ids in files.items():
        rows = pd.DataFrame({"id": ids, "text": ["快递太慢" if i % 2 else "" for i in ids]})
        path = folder / f"month={month}" / f"part-{part}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".parquet":
            rows.to_parquet(path, index=False)
        else:
            rows.to_csv(path, index=False)
    out = tmp_path / f"{folder.name}.csv"
    summary = score_file(folder, out, chunk_size=chunk_size)
    got = pd.read_csv(out, keep_default_na=False)
    want = [i for key in sorted(files) for i in files[key]]
    assert summary.rows == len(placement) and got["id"].tolist() == want
    assert got["month"].tolist() == [placement[i][0] for i in want]
    assert got["error"].tolist() == ["" if i % 2 else "empty text" for i in want]
    shutil.rmtree(folder)
    out.unlink()


# -- folders of CSV, TSV and JSONL files ------------------------------------------


def test_a_folder_of_csv_exports_is_read_as_one_input_in_natural_order(tmp_path: Path) -> None:
    # monthly exports, as a help desk writes them: CSV and TSV, some
    # compressed, each with its own encoding
    folder = tmp_path / "exports"
    write(folder / "2024-10.csv", "id,text\n3,房间很脏\n")
    write(folder / "2024-2.csv", "id,text\n1,快递太慢\n2,\n", encoding="gb18030")
    (folder / "2025-1.csv.gz").write_bytes(gzip.compress("id\ttext\n4,5\t价格太贵\n".encode()))
    write(folder / "_SUCCESS", "")
    write(folder / ".2025-1.csv.crc", "")
    summary = score_file(folder, tmp_path / "out.csv")
    got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert got["id"].tolist() == ["1", "2", "3", "4,5"]
    assert got["primary"].tolist() == ["logistics", "", "environment", "pricing"]
    assert got["error"].tolist() == ["", "empty text", "", ""]
    assert got.columns.tolist() == ["id", "text", *OUTPUT_COLUMNS]
    assert summary.rows == 4 and summary.errors == 1 and not summary.malformed_lines


def test_the_small_files_of_a_folder_are_scored_in_whole_chunks(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    for day in range(1, 6):
        write(folder / f"day-{day}.csv", f"id,text\n{day}a,快递太慢\n{day}b,房间很脏\n")
    seen: list[int] = []
    score_file(folder, tmp_path / "out.csv", chunk_size=4, progress=lambda n, s: seen.append(n))
    assert seen == [4, 8, 10]
    got = pd.read_csv(tmp_path / "out.csv", dtype=str)
    assert got["id"].tolist() == [f"{d}{x}" for d in range(1, 6) for x in "ab"]


def test_a_folder_of_partitioned_files_gives_its_partition_columns(tmp_path: Path) -> None:
    folder = tmp_path / "complaints"
    write(folder / "year=2024" / "month=9" / "part-0.jsonl", '{"text": "快递太慢"}\n')
    write(folder / "year=2024" / "month=10" / "part-0.jsonl", '{"text": "房间很脏"}\n')
    write(folder / "year=2025" / "month=1" / "part-0.jsonl", '{"text": "价格太贵"}\n')
    score_file(folder, tmp_path / "out.jsonl")
    got = pd.read_json(tmp_path / "out.jsonl", lines=True, dtype=False)
    assert got[["text", "year", "month"]].values.tolist() == [
        ["快递太慢", "2024", "9"],
        ["房间很脏", "2024", "10"],
        ["价格太贵", "2025", "1"],
    ]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_partition_folders_are_url_decoded_and_hive_null_is_missing(
    tmp_path: Path, fmt: str
) -> None:
    # as Hive and Spark write them, and pyarrow reads a Parquet dataset's
    folder = tmp_path / "complaints"
    texts = {"city=%E5%8C%97%E4%BA%AC": "快递太慢", "city=__HIVE_DEFAULT_PARTITION__": "房间很脏"}
    for part, text in texts.items():
        path = folder / part / f"part-0.{fmt}"
        if fmt == "parquet":
            pytest.importorskip("pyarrow")
            path.parent.mkdir(parents=True)
            pd.DataFrame({"text": [text]}).to_parquet(path)
        else:
            write(path, f"text\n{text}\n" if fmt == "csv" else json.dumps({"text": text}) + "\n")
    score_file(folder, tmp_path / "out.jsonl")
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert {r["text"]: r["city"] for r in out} == {"快递太慢": "北京", "房间很脏": None}


def test_the_malformed_lines_of_a_folder_are_reported_by_file(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    write(folder / "a" / "part-1.csv", 'text\n快递太慢\n"stray"quote\n房间很脏\n')
    write(folder / "b" / "part-1.csv", 'text\n"x"y\n价格太贵\n')
    summary = score_file(folder, tmp_path / "out.csv")
    assert summary.rows == 3 and summary.malformed_lines == [3, 2]
    assert summary.malformed_files == {
        folder / "a" / "part-1.csv": [3],
        folder / "b" / "part-1.csv": [2],
    }
    assert str(summary).endswith("skipped 2 malformed lines: a/part-1.csv:3, b/part-1.csv:2")
    shutil.rmtree(folder / "b")  # one file in the folder: still said by file
    summary = score_file(folder, tmp_path / "out.csv")
    assert summary.malformed_files == {folder / "a" / "part-1.csv": [3]}
    assert str(summary).endswith("skipped 1 malformed line: part-1.csv:3")


def test_undecodable_bytes_are_reported_by_file_and_line_and_their_rows_scored(
    tmp_path: Path,
) -> None:
    # GBK exports with a corrupt byte: b"\xff" starts no GBK character
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "1.csv").write_bytes("id,text\n1,快递太慢\n".encode("gbk"))
    (folder / "2.csv").write_bytes(
        "id,text\n2,房间很脏\n3,价格".encode("gbk") + b"\xff" + "太贵\n4,客服不理人\n".encode("gbk")
    )
    with pytest.warns(UserWarning, match=r"read as U\+FFFD") as caught:
        summary = score_file(folder / "2.csv", tmp_path / "out.csv")
    (warned,) = [str(w.message) for w in caught]
    assert warned.startswith(f"{folder / '2.csv'}: bytes that are not gb18030 on 1 line (3)")
    assert (summary.undecodable_lines, summary.undecodable_files) == ([3], {})
    assert str(summary).endswith("read undecodable bytes as U+FFFD on 1 line: 3")
    got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert got["id"].tolist() == ["2", "3", "4"]
    assert got["text"].tolist() == ["房间很脏", "价格\ufffd太贵", "客服不理人"]
    assert got["error"].tolist() == ["", "", ""]

    (folder / "3.csv").write_bytes(b"id,text\n5,\xff\n")
    with pytest.warns(UserWarning, match=r"read as U\+FFFD") as caught:
        summary = score_file(folder, tmp_path / "out.csv")
    assert [str(w.message).split(":")[0] for w in caught] == [
        str(folder / "2.csv"),
        str(folder / "3.csv"),
    ]
    assert summary.undecodable_lines == [3, 2]
    assert summary.undecodable_files == {folder / "2.csv": [3], folder / "3.csv": [2]}
    assert str(summary).endswith("on 2 lines: 2.csv:3, 3.csv:2")
    got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert got["id"].tolist() == ["1", "2", "3", "4", "5"]
    assert got["error"].tolist() == ["", "", "", "", ""]


def test_the_files_of_a_folder_may_differ_in_their_columns(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    write(folder / "1.csv", "id,text,channel\n1,快递太慢,app\n")
    write(folder / "2.csv", "text,id,agent\n房间很脏,2,王\n")  # channel gone, agent new
    with (
        pytest.warns(UserWarning, match=r"2\.csv: dropping column 'agent', not in"),
        pytest.warns(UserWarning, match=r"2\.csv has no column 'channel' of .*1\.csv"),
    ):
        score_file(folder, tmp_path / "out.csv")
    got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert got[["id", "text", "channel"]].values.tolist() == [
        ["1", "快递太慢", "app"],
        ["2", "房间很脏", ""],
    ]


@pytest.mark.parametrize(
    "later",
    ["\ntext\n房间很脏\n", "\r\n\r\ntext\n房间很脏\n", "\n \ntext\n房间很脏\n"],
)
def test_a_file_of_a_folder_may_start_with_blank_lines(tmp_path: Path, later: str) -> None:
    # skipped, as in a file scored alone: the header is the first line not blank
    folder = tmp_path / "exports"
    write(folder / "1.csv", "text\n快递太慢\n")
    write(folder / "2.csv", later)
    summary = score_file(folder, tmp_path / "out.csv")
    assert (summary.rows, summary.errors) == (2, 0)
    got = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert got["text"].tolist() == ["快递太慢", "房间很脏"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        # a failed export among the others: stopped before any row is scored
        ({"1.csv": "text\n快递太慢\n", "2.csv": ""}, r"2\.csv in .* is empty"),
        (
            {"1.csv": "text\n快递太慢\n", "2.csv": "内容\n房间很脏\n"},
            r"2\.csv in .* no column 'text'; .*name the column with text_column= "
            r"\(CLI: --text-column\)",
        ),
        (
            {"1.csv": "text\n快递太慢\n", "notes.md": "# notes"},
            r"mixes text files .* \(notes\.md\)",
        ),
        ({"1.csv": "text\n快递太慢\n", "2.jsonl": '{"text": "x"}\n'}, r"mixes JSONL files"),
        ({"m=1/1.csv": "m,text\n1,快递太慢\n"}, r"'m' is both a partition folder"),
        # columns named twice cannot be matched by name to another file's
        (
            {
                "1.csv": "id,text,note,note\n1,快递太慢,a,b\n",
                "2.csv": "text,id,note,note\n房间很脏,2,c,d\n",
            },
            r"2\.csv in .* names column 'note' twice, and .*2\.csv has not the columns of .*1\.csv",
        ),
        (
            {
                "1.csv": "id,text,note,note\n1,快递太慢,a,b\n",
                "2.csv": "id,text,note\n2,房间很脏,c\n",
            },
            r"1\.csv in .* names column 'note' twice, and .*2\.csv has not the columns",
        ),
        (
            {"1.csv": "id,text\n1,快递太慢\n", "2.csv": "id,text,id\n2,房间很脏,3\n"},
            r"2\.csv in .* names column 'id' twice",
        ),
        # a JSONL export that failed, empty or of blank lines, is as one of CSV
        ({"1.jsonl": '{"text": "快递太慢"}\n', "2.jsonl": ""}, r"2\.jsonl in .* is empty"),
        ({"1.jsonl": '{"text": "快递太慢"}\n', "2.jsonl": "\n \n"}, r"2\.jsonl in .* is empty"),
    ],
)
def test_a_folder_that_cannot_be_read_whole_is_refused_before_scoring(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    folder = tmp_path / "exports"
    for name, text in files.items():
        write(folder / name, text)
    with pytest.raises(InputFileError, match=message):
        score_file(folder, tmp_path / "out.csv", progress=lambda rows, s: pytest.fail("scored"))
    assert not (tmp_path / "out.csv").exists()


def test_a_folder_with_no_file_to_read_as_csv_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "exports" / "_SUCCESS", "")
    with pytest.raises(InputFileError, match=r"exports is a folder with no data file"):
        score_file(tmp_path / "exports", tmp_path / "out.csv", input_format="csv")


@pytest.mark.parametrize(
    ("name", "output", "options", "message"),
    [
        (
            "in.csv",
            "out.parquet",
            {"n_jobs": 0},
            r"n_jobs \(CLI: --jobs\) must be None \(1\), a positive integer or a negative one",
        ),
        ("in.jsonl", "out.parquet", {"n_jobs": "2"}, r"n_jobs \(CLI: --jobs\) must be .*, got '2'"),
        (
            "in.csv",
            "out.parquet",
            {"chunk_size": 0},
            r"chunk_size \(CLI: --chunk-size\) must be at",
        ),
        (
            "in.csv",
            "out.parquet",
            {"encoding": "rot13"},
            r"encoding='rot13' is not a text encoding",
        ),
        ("in.csv", "out.parquet", {"explain": -1}, r"explain \(terms per label; CLI: --terms\)"),
        # an output option the output's format has no use for
        (
            "in.csv",
            "out.jsonl",
            {"output_encoding": "utf-8-sig"},
            r"JSON Lines are UTF-8 by definition",
        ),
        (
            "in.csv",
            "out.jsonl.gz",
            {"output_encoding": "gb18030"},
            r"JSON Lines are UTF-8 by definition",
        ),
        (
            "in.csv",
            "out.parquet",
            {"output_encoding": "utf-16"},
            r"Parquet stores its text as UTF-8 itself",
        ),
        (
            "in.csv",
            "out.csv",
            {"output_encoding": "rot13"},
            r"not a text encoding; allowed: utf-8, utf-8-sig, ",
        ),
        ("in.csv", "out.csv", {"output_encoding": "no-such"}, r"is not a text encoding; allowed: "),
        (
            "in.csv",
            "out.csv",
            {"output_encoding": "utf-7"},
            r"not one a scored file is written in; use gb18030",
        ),
        (
            "in.csv",
            "out.jsonl",
            {"escape_formulas": True},
            r"escape_formulas=True \(CLI: --escape-formulas\) is for a CSV ",
        ),
        (
            "in.csv",
            "out.jsonl.gz",
            {"escape_formulas": True},
            r"; a JSON Lines output is read as data, never run as formulas",
        ),
        (
            "in.csv",
            "out.parquet",
            {"escape_formulas": True},
            r"; a Parquet output is read as .*write CSV or TSV",
        ),
        (
            "in.csv",
            "out.csv",
            {"escape_formulas": "yes"},
            r"escape_formulas must be True or False, got 'yes'",
        ),
    ],
)
def test_score_file_checks_its_parameters_before_reading_the_input(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    output: str,
    options: dict[str, Any],
    message: str,
) -> None:
    # the input is read through to find its encoding: gigabytes, maybe
    def read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the input was read")

    src = write(tmp_path / name, "text\n=1+1\n" if name.endswith(".csv") else "{}\n")
    monkeypatch.setattr("triage._io.detect_encoding", read)
    monkeypatch.setattr("triage._io.check_encoding", read)
    with pytest.raises(triage.ParameterError, match=message) as refused:
        score_file(src, tmp_path / output, **options)
    [(option, value)] = options.items()
    assert str(refused.value).startswith(option)  # the option is named first, with its value
    assert repr(value).strip("'") in str(refused.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize(
    ("read", "what"),
    [
        (lambda path, out: score_file(path, out), "input"),
        (lambda path, out: read_texts(path), "corpus file"),
        (lambda path, out: read_labeled(path), "labeled file"),
    ],
    ids=["score_file", "read_texts", "read_labeled"],
)
def test_a_named_pipe_input_is_named_as_one_not_as_missing(
    tmp_path: Path, read: Any, what: str
) -> None:
    # its data would go to the first of the readings (encoding, header, rows)
    fifo = tmp_path / "complaints.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match=f"complaints.csv is a pipe .*: the {what} is read"):
        read(fifo, tmp_path / "out.csv")


@pytest.mark.parametrize(
    "output",
    ["in.csv", "./sub/../in.csv", "link.csv", "hard-link.csv"],
    ids=["same", "other-spelling", "symlink", "hard-link"],
)
def test_an_output_that_is_the_input_under_any_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    # another name of the input (a hard link; in.csv and IN.csv where the
    # file system ignores case) had the scored file renamed into its place
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    src = write(tmp_path / "in.csv", "id,text\n1,快递一周还没到\n")
    (tmp_path / "link.csv").symlink_to("in.csv")
    os.link(src, tmp_path / "hard-link.csv")
    with pytest.raises(triage.ParameterError, match=f"output {output} is the input file"):
        score_file("in.csv", output)
    assert src.read_text(encoding="utf-8") == "id,text\n1,快递一周还没到\n"


@pytest.mark.parametrize(
    ("name", "content", "fmt", "shown"),
    [
        ("in.csv", '{"id": 1, "text": "快递一周还没到"}\n', None, "CSV"),
        ("in.jsonl", '{"id": 1, "text": "快递一周还没到"}\n', "csv", "CSV"),
        ("in.txt", '\n{"id":1,"text":"房间很脏,没人打扫"}\n', None, "TSV"),
        ("in.csv.gz", '{"text": "快递一周还没到"}\n', None, "CSV"),
    ],
    ids=["named-csv", "given-csv", "txt-without-spaces", "gzip"],
)
def test_jsonl_read_as_csv_is_named_as_jsonl(
    tmp_path: Path, name: str, content: str, fmt: str | None, shown: str
) -> None:
    # its keys split at commas made a header of no text column, and a
    # ColumnError that named them as columns
    src = tmp_path / name
    data = content.encode()
    src.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    message = rf"{name} is JSONL \(a JSON object a line\), not {shown}: .*"
    with pytest.raises(InputFileError, match=f"{message}--input-format jsonl"):
        score_file(src, tmp_path / "out.csv", input_format=fmt)
    # as triage train --corpus-file, which tells the format by the name alone
    with pytest.raises(InputFileError, match=rf"{message}\(CLI: name it \.jsonl\)$"):
        read_texts(src, input_format=fmt)
    score_file(src, tmp_path / "out.csv", input_format="jsonl")


def test_a_csv_header_that_starts_with_a_brace_is_a_header(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", '"{""id"": 1}",text\n1,快递一周还没到\n')
    assert score_file(src, tmp_path / "out.csv").rows == 1
    src = write(tmp_path / "in.csv", '{"a": 1}\n快递一周还没到\n')
    assert score_file(src, tmp_path / "out.csv", text_column='{"a": 1}').rows == 1


@pytest.mark.parametrize(
    ("output", "output_format", "message"),
    [
        ("scored.json", None, r"output .*scored\.json: .* name it scored\.jsonl \(or \.ndjson\)"),
        ("scored.JSON", None, r"name it scored\.jsonl"),
        ("scored.json.gz", None, r"name it scored\.jsonl\.gz \(or \.ndjson\)"),
        ("scored.json.xz", None, r"name it scored\.jsonl\.xz"),
        # asked for by name, JSON Lines are written under it
        ("scored.json", "jsonl", None),
        ("scored.json", "csv", None),
        ("scored.jsonl", None, None),
        ("scored.ndjson", None, None),
    ],
)
def test_a_json_output_is_refused_unless_its_format_is_given(
    tmp_path: Path, output: str, output_format: str | None, message: str | None
) -> None:
    # a .json name says one JSON document: JSON Lines under it fail json.load
    # and pd.read_json at their second record
    src = write(tmp_path / "in.csv", "id,text\n1,快递一周还没到\n2,房间很脏没人打扫\n")
    if message is not None:
        with pytest.raises(triage.ParameterError, match=message):
            score_file(src, tmp_path / output, output_format=output_format)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
        return
    summary = score_file(src, tmp_path / output, output_format=output_format)
    assert summary.rows == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.csv", output])


def test_a_json_input_holding_json_lines_is_still_read(tmp_path: Path) -> None:
    body = '{"id": 1, "text": "快递一周还没到"}\n{"id": 2, "text": "退款还没到账"}\n'
    src = write(tmp_path / "in.json", body)
    assert score_file(src, tmp_path / "out.jsonl").rows == 2
    got = pd.read_json(tmp_path / "out.jsonl", lines=True)
    assert got["id"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("input", "output", "told", "untold"),
    [
        # an output: only what it may be named, and output_format
        ("in.csv", "out.dat", r"of output .*out\.dat from its extension", [".csv.zip", "input"]),
        ("in.csv", "out.dat.gz", r"\(\.csv\.gz, \.csv\.bz2, \.csv\.xz\), or", [".zip", "input"]),
        ("in.csv", "scored", r"\(output_format=; CLI: --output-format\)", [".zip", "input"]),
        # an input may be a zip archive: it is named among them
        ("in.dat", "out.csv", r"\.csv\.xz, \.csv\.zip\), .*input_format=", []),
    ],
)
def test_a_format_not_told_is_said_with_the_names_the_file_may_have(
    tmp_path: Path, input: str, output: str, told: str, untold: list[str]
) -> None:
    src = write(tmp_path / input, "id,text\n1,快递一周还没到\n")
    with pytest.raises(triage.ParameterError, match="cannot tell the format") as caught:
        score_file(src, tmp_path / output)
    message = str(caught.value)
    assert re.search(told, message), message
    assert [word for word in untold if word in message] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [input]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_the_workers_without_a_traceback(tmp_path: Path) -> None:
    # Ctrl-C in a terminal signals the workers too: each printed the
    # traceback of where it was, under the command's own line; one signalled
    # alone is replaced
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(
            """
            import os, signal, sys, time
            import pandas as pd
            import triage
            from triage import batch

            frame = pd.DataFrame({"text": ["快递一周还没到", "房间很脏"] * 20})
            model = triage.LexiconModel()  # its workers start sooner than the shipped model's
            triage.score_frame(frame, model=model, n_jobs=2, chunk_size=20)
            # this process's own handling of Ctrl-C is left as it was
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
            (pool,) = batch._pools.values()
            assert pool.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_DFL

            def pid_while_busy():
                time.sleep(0.2)
                return os.getpid()

            # Ctrl-C for workers that have started: one still importing numpy
            # on a busy machine has no handler of ours yet
            started, deadline = set(), time.monotonic() + 60
            while started != set(pool._processes):
                assert time.monotonic() < deadline, "the workers did not start"
                started |= {f.result() for f in [pool.submit(pid_while_busy) for _ in range(2)]}
            for pid in list(pool._processes):
                os.kill(pid, signal.SIGINT)
            deadline = time.monotonic() + 30
            while pool._flags.broken is None:
                assert time.monotonic() < deadline, "the workers outlived Ctrl-C"
                time.sleep(0.05)
            # the next batch starts new workers
            assert len(triage.score_frame(frame, model=model, n_jobs=2, chunk_size=20)) == 40
            """
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        # as from a terminal: a shell starts a background job (pytest ... &)
        # with SIGINT ignored, and the workers would rightly ignore it too
        preexec_fn=as_from_a_terminal(signal.SIGINT),
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr, done.stderr


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_a_signal_as_workers_start_is_handled_once_they_have() -> None:
    # raised inside loky's submit, it cut a worker's start short, between
    # its process and the data sent to it; it is handled at the block's end,
    # the chunk submitted and kept, and a worker starts with SIGINT blocked
    # (until its initializer makes Ctrl-C end it quietly)
    class Stopped(Exception):
        pass

    def stop(signum: int, frame: Any) -> None:
        raise Stopped(signum)

    done: list[Any] = []

    def submit() -> None:
        with batch._workers_start():
            done.append(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, ()))
            os.kill(os.getpid(), signal.SIGHUP)
            for _ in range(100):  # the handler runs between two instructions
                done.append(len(done))
            done.append("submitted")

    previous = signal.signal(signal.SIGHUP, stop)
    # a runner may start pytest with signals blocked, which would hold it
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGHUP})
    try:
        with pytest.raises(Stopped):
            submit()
        assert (done[0], done[-1]) == (True, "submitted")
        assert signal.getsignal(signal.SIGHUP) is stop
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGHUP, previous)


def _row(i: int, malformed: tuple[int, ...] = ()) -> Rows:
    """The `Rows` a CSV reader gives for row `i` of a pipe (line i + 2)."""
    return Rows(["text"], [[f"第{i}条"]], list(malformed), [], [i + 2])


def test_rows_of_a_pipe_are_taken_together_as_they_have_arrived() -> None:
    # waiting all at once: joined, in order, at most the limit at a time,
    # each row with its line and the malformed lines read before it
    parts = [_row(i, (100 + i,) if i % 7 == 0 else ()) for i in range(25)]
    got = list(batch._arrived(iter(parts), 10))
    assert [r for b in got for r in b.rows] == [[f"第{i}条"] for i in range(25)]
    assert [n for b in got for n in b.lines] == [i + 2 for i in range(25)]
    assert [n for b in got for n in b.malformed_lines] == [100, 107, 114, 121]
    assert all(b.header == ["text"] and 1 <= len(b.rows) <= 10 for b in got)

    # arriving one by one, each only once the one before was taken (tail -f):
    # each is given alone, not held for the next
    taken = [threading.Event() for _ in range(3)]

    def live() -> Iterator[Rows]:
        for i in range(3):
            if i:
                assert taken[i - 1].wait(60)
            yield _row(i)

    alone = []
    for b in batch._arrived(live(), 10):
        alone.append(b.rows)
        taken[len(alone) - 1].set()
    assert alone == [[["第0条"]], [["第1条"]], [["第2条"]]]

    # malformed lines at the end, with no row after them, are given too
    tail = [_row(0), Rows(["text"], [], [5, 6], [4], [])]
    got = list(batch._arrived(iter(tail), 10))
    assert [n for b in got for n in b.malformed_lines] == [5, 6]
    assert [n for b in got for n in b.undecodable_lines] == [4]

    # what the reading raises, once the rows before it are given
    def broken() -> Iterator[Rows]:
        yield _row(1)
        yield _row(2)
        raise InputFileError("<stdin> is cut short")

    seen: list[Any] = []

    def take() -> None:
        for b in batch._arrived(broken(), 10):
            seen.extend(b.rows)

    with pytest.raises(InputFileError, match="cut short"):
        take()
    assert seen == [["第1条"], ["第2条"]]


def test_rows_of_a_pipe_waiting_to_be_taken_are_held_as_a_files_chunk_holds_them() -> None:
    # A pipe read ahead of its scoring holds thousands of rows at a time; a
    # `Rows` and its four lists for each, new objects for the garbage
    # collector, made it go through every object of the process (the
    # model's) three times as often as a file's run of the same rows did.
    # The rows read are joined as they are read: the collector's objects
    # held for them are their own lists, one a row, as in a file's chunk.
    n = 5_000
    done = threading.Event()

    def parts() -> Iterator[Rows]:
        for i in range(n):
            yield _row(i)
        done.set()

    gc.collect()
    before = len(gc.get_objects())
    arrived = batch._arrived(parts(), 2 * n)
    first = next(arrived)  # the thread starts, and reads on
    assert done.wait(60)
    held = len(gc.get_objects()) - before
    assert n <= held < 1.2 * n, held
    rest = list(arrived)
    assert sum(len(b.rows) for b in [first, *rest]) == n


def test_a_checkpoint_finished_by_another_run_meanwhile_is_refused_not_padded(
    tmp_path: Path,
) -> None:
    # A second run reads the progress of the checkpoint, the first finishes
    # (its partial file renamed into place), then the second takes the lock:
    # the file it opens is new and empty, and cut "to" the bytes it read it
    # would begin the output with zero bytes.
    from triage._io import AtomicWriter, resume_file

    out = tmp_path / "out.csv"
    with pytest.raises(triage.ParameterError, match="another run finished or removed it"):
        AtomicWriter(out, fmt="csv", resume=4_096)
    assert not resume_file(out).exists()  # the empty file it made is gone
    resume_file(out).write_bytes(b"text,priority\r\n")  # cut short
    with pytest.raises(triage.ParameterError, match="fewer than the 4,096 bytes"):
        AtomicWriter(out, fmt="csv", resume=4_096)
    assert resume_file(out).read_bytes() == b"text,priority\r\n"  # kept, as it was
    assert not out.exists()

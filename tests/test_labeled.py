"""Validation of labeled frames: every kind of bad row is reported, with its row."""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from triage import InputFileError, LabelError, ParameterError, validate_labels
from triage.exceptions import LabelColumnError
from triage.labeled import (
    MAX_WEIGHT,
    check_heads,
    check_labels,
    check_partial,
    parse_labels,
    problem_lines,
    read_labeled,
    read_labeled_lines,
    validate_partial,
)
from triage.labels import EMOTION_COLUMNS

GOOD = {
    "id": "x-1",
    "text": "快递一周还没到，客服也不回",
    "categories": "logistics|service",
    "primary": "logistics",
    "angry": "1",
    "anxious": "0",
    "confused": "0",
    "humorous": "0",
    "aggrieved": "1",
    "priority": "P3",
}


# logistics|service complaints, one per row of `frame`: a text labeled twice must agree
TEXTS = (
    GOOD["text"],
    "快递五天了还没发货，客服也联系不上",
    "包裹显示签收了但我没收到，客服一直推诿",
    "外卖晚了一个小时，打客服电话没人接",
    "物流信息三天没更新，问客服只会说再等等",
)


LABEL_COLUMNS = ("categories", "primary", *EMOTION_COLUMNS, "priority")


def frame(*changes: dict[str, str]) -> pd.DataFrame:
    rows = [GOOD | {"id": f"x-{i}", "text": TEXTS[i]} | c for i, c in enumerate(changes)]
    return pd.DataFrame(rows)


def assert_problems(found: pd.DataFrame, problems: list[tuple[int, str, str]]) -> None:
    """`found` lists `problems`, each a (row, column, start of the problem), in order."""
    assert len(found) == len(problems)
    for (row, column, problem), got in zip(problems, found.itertuples(), strict=True):
        assert (got.row, got.column) == (row, column) and got.problem.startswith(problem)


def test_a_valid_frame_has_no_problems() -> None:
    assert validate_labels(frame({}, {"categories": "", "primary": "", "priority": "P4"})).empty


@pytest.mark.parametrize(
    ("change", "column", "problem"),
    [
        ({"categories": "logistics|shipping"}, "categories", "unknown category 'shipping'"),
        ({"categories": "logistics|logistics"}, "categories", "repeated"),
        ({"primary": "pricing"}, "primary", "not among the categories"),
        ({"primary": "cost"}, "primary", "unknown primary 'cost'"),
        ({"primary": ""}, "primary", "primary is empty"),
        ({"angry": "3"}, "angry", "intensity must be 0, 1 or 2"),
        ({"anxious": "-1"}, "anxious", "intensity must be 0, 1 or 2"),
        ({"confused": "yes"}, "confused", "intensity must be 0, 1 or 2"),
        ({"priority": "P5"}, "priority", "priority must be one of"),
        ({"priority": "p1"}, "priority", "priority must be one of"),
        # a label written in another case or by its Chinese name: the code is named
        ({"categories": "logistics|服务"}, "categories", "category '服务' (write 'service')"),
        ({"categories": "logistics|Service"}, "categories", "(write 'service')"),
        ({"primary": "服务"}, "primary", "unknown primary '服务' (write 'service')"),
        # several categories as the primary, which is one of them
        (
            {"primary": "logistics|service"},
            "primary",
            "unknown primary 'logistics|service' (primary is one category: write the main one, "
            "'logistics' or 'service');",
        ),
        ({"primary": "物流、服务"}, "primary", "write the main one, 'logistics' or 'service');"),
        # categories joined by another separator than |, as labelers type them
        (
            {"categories": "logistics, service"},
            "categories",
            "unknown category 'logistics, service' (write 'logistics|service': separate",
        ),
        (
            {"categories": "物流、服务"},
            "categories",
            "unknown category '物流、服务' (write 'logistics|service': separate categories with |)",
        ),
        ({"categories": "Logistics\uff5cService"}, "categories", "(write 'logistics|service'"),
        # the primary is among what the categories meant: one problem, not two
        ({"categories": "Logistics|service"}, "categories", "(write 'logistics')"),
        ({"priority": "p1"}, "priority", "(write 'P1' for 'p1')"),
        ({"priority": "紧急"}, "priority", "(write 'P1' for '紧急')"),
        # typed in full-width mode, with a space, or as the level's number alone
        (
            {"categories": "\uff4c\uff4f\uff47\uff49\uff53\uff54\uff49\uff43\uff53|service"},
            "categories",
            "(write 'logistics')",
        ),
        ({"primary": "\uff33\uff45\uff52\uff56\uff49\uff43\uff45"}, "primary", "(write 'service')"),
        ({"priority": "\uff30\uff13"}, "priority", "(write 'P3' for '\uff30\uff13')"),
        ({"priority": "P 1"}, "priority", "(write 'P1' for 'P 1')"),
        ({"priority": "2"}, "priority", "(write 'P2' for '2')"),
        # as a ticket system writes a level
        ({"priority": "P1级"}, "priority", "(write 'P1' for 'P1级')"),
        ({"priority": "p2 级"}, "priority", "(write 'P2' for 'p2 级')"),
        ({"priority": "一级"}, "priority", "(write 'P1' for '一级')"),
        ({"priority": "4级"}, "priority", "(write 'P4' for '4级')"),
        ({"priority": "P1（紧急）"}, "priority", "(write 'P1' for 'P1（紧急）')"),
        ({"priority": "中(P3)"}, "priority", "(write 'P3' for '中(P3)')"),
        ({"priority": "P2-高"}, "priority", "(write 'P2' for 'P2-高')"),
        ({"priority": "P4低"}, "priority", "(write 'P4' for 'P4低')"),
        ({"priority": "五级"}, "priority", "priority must be one of P1, P2, P3, P4"),
        # "none" written out: the cell is left empty for it
        ({"categories": "无", "primary": ""}, "categories", "'无' (leave the cell empty when"),
        ({"categories": "", "primary": "None"}, "primary", "'None' (leave the cell empty when"),
        # what pandas' astype(str) makes of NaN
        ({"categories": "", "primary": "nan"}, "primary", "'nan' is what astype(str) makes of"),
        ({"angry": "\uff11"}, "angry", "intensity must be 0, 1 or 2 (write '1' for '\uff11')"),
        ({"aggrieved": "\uff12.0"}, "aggrieved", "(write '2' for '\uff12.0')"),
        # a row of a file exported for labeling that was not labeled: one problem, not six
        (dict.fromkeys(LABEL_COLUMNS, ""), "", "not labeled yet: every label cell is empty"),
        (dict.fromkeys(LABEL_COLUMNS, " "), "", "not labeled yet: every label cell is empty"),
        ({"text": "  "}, "text", "missing or empty"),
        # nothing left once normalised: the model would see an empty text
        ({"text": "\u200b\u200d\ufeff"}, "text", "missing or empty"),
        ({"text": "<br><br>&nbsp;"}, "text", "missing or empty"),
        ({"text": "\x00\x07"}, "text", "missing or empty"),
        # a number is no text: the type is named, as score_frame names it
        ({"text": 3}, "text", "text is not a string: int"),
        # a binary column (a database driver's) is told to be decoded, as score_frame tells it
        ({"text": b"\xe5\xbf\xab"}, "text", "text is not a string: bytes; decode the column first"),
        ({"text": bytearray(b"\xe5")}, "text", "not a string: bytearray; decode the column"),
        ({"text": None}, "text", "text is missing or empty"),
    ],
)
def test_each_kind_of_bad_row_is_reported(
    change: dict[str, str], column: str, problem: str
) -> None:
    problems = validate_labels(frame({}, change, {}))
    assert len(problems) == 1
    got = problems.iloc[0]
    assert (got["row"], got["id"], got["column"]) == (1, "x-1", column)
    assert problem in got["problem"]


def test_duplicate_ids_are_reported() -> None:
    problems = validate_labels(frame({}, {"id": "x-0"}))
    assert problems[["row", "column", "problem"]].values.tolist() == [[1, "id", "duplicate id"]]


@pytest.mark.parametrize(
    ("ids", "duplicates"),
    [
        (["x-0", "x-1", "x-0"], [2]),
        (["", "", ""], []),  # id is optional: blank ids are not the same id
        (["", "  ", None], []),
        (["", "x-1", "", "x-1"], [3]),
        (["x-0", "x-0 "], [1]),
    ],
    ids=["repeated", "blank", "blank-spaces-none", "blank-and-repeated", "spaces-around"],
)
def test_only_ids_written_twice_are_duplicates(
    ids: list[str | None], duplicates: list[int]
) -> None:
    f = frame(*({} for _ in ids)).astype(object).assign(id=ids)
    problems = validate_labels(f)
    assert problems["problem"].eq("duplicate id").all()
    assert problems["row"].tolist() == duplicates


@pytest.mark.parametrize(
    ("again", "differ"),
    [
        ({}, None),  # the same labels twice: allowed
        ({"categories": "service|logistics"}, None),  # the same categories in another order
        ({"angry": "1.0", "priority": " P3"}, None),  # the same labels spelled otherwise
        ({"angry": "2"}, "angry"),
        ({"text": f" {GOOD['text']}\n", "priority": "P2"}, "priority"),
        # the same text once normalised: traditional characters, full-width marks, a tag
        ({"text": "快遞一週還沒到，客服也不回<br>", "priority": "P2"}, "priority"),
        ({"categories": "logistics"}, "categories"),
        (
            {"categories": "", "primary": "", "angry": "0", "aggrieved": "0", "priority": "P4"},
            "categories, primary, angry, aggrieved, priority",
        ),
    ],
    ids=[
        "same",
        "category-order",
        "spelling",
        "angry",
        "spaces-around",
        "normalised",
        "categories",
        "all",
    ],
)
def test_a_text_labeled_twice_must_have_the_same_labels(
    again: dict[str, str], differ: str | None
) -> None:
    problems = validate_labels(frame({}, {}, {"text": GOOD["text"]} | again))
    if differ is None:
        assert problems.empty
    else:
        assert problems[["row", "id", "column"]].values.tolist() == [[2, "x-2", "text"]]
        assert problems.iloc[0]["problem"] == (
            f"same text as row 0 (id 'x-0') with other labels: {differ}"
        )


def test_texts_empty_once_normalised_are_each_missing_not_copies_of_each_other() -> None:
    # nothing to learn from, whatever their labels: not one text labeled twice
    rows = frame(
        {"text": " "}, {"text": "\u200b", "priority": "P2"}, {"text": "<br>", "angry": "2"}
    )
    found = validate_labels(rows)[["row", "column", "problem"]].values.tolist()
    assert found == [[row, "text", "text is missing or empty"] for row in range(3)]


UNLABELED = dict.fromkeys(LABEL_COLUMNS, "")


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        # a copy left to label after the labeled one: not labeled, and nothing else
        (({}, {}, {"text": GOOD["text"]} | UNLABELED), [(2, "", "not labeled yet")]),
        # left to label before it: the labeled copies agree, so nothing else either
        (
            ({} | UNLABELED, {}, {"text": GOOD["text"]}),
            [(0, "", "not labeled yet")],
        ),
        # and when they do not, the conflict is between the labeled two
        (
            ({} | UNLABELED, {"text": GOOD["text"]}, {"text": GOOD["text"], "priority": "P2"}),
            [(0, "", "not labeled yet"), (2, "text", "same text as row 1 (id 'x-1')")],
        ),
    ],
    ids=["unlabeled-after", "unlabeled-before", "unlabeled-then-conflict"],
)
def test_a_copy_not_labeled_yet_is_reported_as_that_alone(
    rows: tuple[dict[str, str], ...], problems: list[tuple[int, str, str]]
) -> None:
    found = validate_labels(frame(*rows))[["row", "column", "problem"]].values.tolist()
    assert [(row, column) for row, column, _ in found] == [(r, c) for r, c, _ in problems]
    assert all(p.startswith(start) for (*_, p), (*_, start) in zip(found, problems, strict=True))


def test_missing_columns_are_reported() -> None:
    problems = validate_labels(frame({}).drop(columns=["priority", "angry"]))
    assert set(problems["column"]) == {"priority", "angry"}


def test_a_column_named_by_a_long_text_is_named_by_its_start_not_whole() -> None:
    # a file of texts without a header: its first text, whole, was in the message
    text = "房间的空调一直在滴水，前台说修了三次也没修好，" * 5000
    with pytest.raises(LabelError) as caught:
        check_labels(pd.DataFrame({text: ["客服态度差"]}))
    said = str(caught.value)
    assert len(said) < 1500 and "the columns are ['房间的空调" in said
    assert said.endswith("'... (115,000 characters)]")


def test_the_text_of_a_labeled_file_given_for_the_frame_is_not_repeated() -> None:
    # it was "got str '<the whole file>'; read the file first: triage.read_labeled('<the
    # whole file>')", the file twice over, as if it were a path
    rows = "".join(f"{i},快递第{i}天还没到,logistics,logistics,0,1,0,0,0,P3\n" for i in range(200))
    text = "id,text,categories,primary,angry,anxious,confused,humorous,aggrieved,priority\n" + rows
    with pytest.raises(ParameterError) as caught:
        validate_labels(text)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "the labeled data must be a pandas DataFrame, got str of 201 lines; save it as a "
        "file and read it with triage.read_labeled(path), which reads each cell as it is written"
    )


def test_columns_of_ones_own_are_told_to_be_renamed_to_the_file_format() -> None:
    # 工单号, 客户原话, 归类: every column of the format missing, and nothing said of how to fix it
    own = pd.DataFrame({"工单号": ["1"], "客户原话": ["快递一周还没到"], "归类": ["logistics"]})
    with pytest.raises(
        LabelError,
        match=r"^bad columns in the labeled data: no column 'text', .*'priority'; a labeled "
        r"file names its columns as the file format of the label definitions does "
        r"\(text, categories, .*\): rename yours to them; the columns are \['工单号', ",
    ):
        check_labels(own)


@pytest.mark.parametrize(
    ("names", "said"),
    [
        # as LABELS.md names them in Chinese
        (
            ["文本", "类别", "主类别", "愤怒", "焦虑", "迷茫", "幽默", "委屈", "优先级"],
            "rename '文本' to 'text', '类别' to 'categories', '主类别' to 'primary', '愤怒' to "
            "'angry', '焦虑' to 'anxious', '迷茫' to 'confused', '幽默' to 'humorous', '委屈' "
            "to 'aggrieved', '优先级' to 'priority'",
        ),
        # as a ticket system exports them
        (
            [
                "投诉内容",
                "投诉分类",
                "主要类别",
                "angry",
                "anxious",
                "困惑",
                "humorous",
                "aggrieved",
                "紧急程度",
            ],
            "rename '投诉内容' to 'text', '投诉分类' to 'categories', '主要类别' to 'primary', "
            "'困惑' to 'confused', '紧急程度' to 'priority'",
        ),
        (
            ["text", "categories", "primary", *EMOTION_COLUMNS, " 优先级 "],
            "rename ' 优先级 ' to 'priority'",
        ),
    ],
    ids=["labels-md", "ticket-system", "one"],
)
def test_columns_named_in_chinese_are_told_their_names(names: list[str], said: str) -> None:
    # they were told a labeled file names its columns as the file format does,
    # not which is which
    f = frame({}).drop(columns="id")
    f.columns = pd.Index(names)
    with pytest.raises(LabelColumnError) as caught:
        check_labels(f)
    assert f"; {said}; the columns are " in str(caught.value)


@pytest.mark.parametrize(
    ("dropped", "unrated"),
    [
        ((*EMOTION_COLUMNS, "priority"), True),  # texts labeled with their categories alone
        (("categories", "primary"), False),  # with their emotions and priority alone
        (("priority",), True),  # urgency not rated
    ],
)
def test_a_file_labeled_for_some_heads_is_told_what_to_do_with_it(
    dropped: tuple[str, ...], unrated: bool
) -> None:
    # it said which columns were missing, and nothing of how to train on such rows
    with pytest.raises(LabelError) as caught:
        check_labels(frame({}, {}).drop(columns=list(dropped)))
    message = str(caught.value)
    assert message.startswith(f"bad columns in the labeled data: no column {dropped[0]!r}")
    assert "each head learns from its own column: label the missing ones" in message
    assert ("one level in every row: the rules alone decide" in message) is unrated
    assert "as extra rows beside fully labeled ones, triage.train(labeled, extra=rows)," in message
    assert "(complaint=0 marks no complaint; see TriageModel.fit)" in message
    # a line to read, not a paragraph of some 700 characters
    assert len(message.partition("; the columns are")[0]) < 450
    # without texts, the rows are no such file
    with pytest.raises(LabelError) as untexted:
        check_labels(frame({}).drop(columns=["text"]))
    assert "extra=rows" not in str(untexted.value)


@pytest.mark.parametrize(
    "kept",
    [(), ("priority",), ("primary", "priority")],
    ids=["texts alone", "a priority", "a primary and a priority"],
)
def test_texts_without_a_label_a_head_learns_from_are_told_to_label_them(
    kept: tuple[str, ...],
) -> None:
    # they were told to train on the rows as extra rows, which take
    # categories or emotions and refuse rows of none, in some 700 characters
    texts = frame({}, {})[["id", "text", *kept]]
    with pytest.raises(LabelError) as caught:
        check_labels(texts)
    message = str(caught.value)
    assert "extra=rows" not in message
    assert len(message) < 300
    if kept:
        assert "each head learns from its own column: label the missing ones;" in message
    else:
        assert message == (
            "bad columns in the labeled data: no column 'categories', 'primary', 'angry', "
            "'anxious', 'confused', 'humorous', 'aggrieved', 'priority'; these are texts with "
            "no label: add the label columns of the label definitions' file format (LABELS.md) "
            "and label each row; the columns are ['id', 'text']"
        )


def test_rows_labeled_for_some_heads_in_a_file_of_every_column_are_told_what_to_do() -> None:
    # categories set, emotions and priority left empty: the error listed an
    # intensity that must be 0, 1 or 2 for each cell, and nothing of extra rows
    blank = dict.fromkeys(["angry", "anxious", "confused", "humorous", "aggrieved", "priority"], "")
    with pytest.raises(LabelError) as caught:
        check_labels(frame({}, blank, {"angry": "3"}))
    message = str(caught.value)
    assert "intensity must be 0, 1 or 2" in message
    assert "row 1 is labeled for some heads alone" in message
    assert "triage.train(labeled, extra=rows)" in message
    # a bad value, or a row not labeled at all, is no such row
    for rows in ({"angry": "3"}, dict.fromkeys(blank | {"categories": "", "primary": ""}, "")):
        with pytest.raises(LabelError) as other:
            check_labels(frame({}, rows))
        assert "extra=rows" not in str(other.value)


@pytest.mark.parametrize("written", ["ID", "Id ", "\ufeffid", "\uff29\uff24"])
def test_the_id_column_spelt_otherwise_is_told_to_be_renamed(written: str) -> None:
    # its ids would not be read: a repeated one would go unreported
    f = frame({}, {}).assign(id="x-1").rename(columns={"id": written})
    problems = validate_labels(f)
    assert problems.values.tolist() == [
        [-1, "", written, "", "column is not read as the ids: rename it to 'id'"]
    ]
    with pytest.raises(
        LabelError,
        match=rf"^bad columns in the labeled data: column {re.escape(repr(written))} is not "
        r"read as the ids: rename it to 'id'; the columns are ",
    ):
        check_labels(f)
    # beside an id column, it is a column of the user's own
    assert validate_labels(f.assign(id=["x-0", "x-1"])).empty


@pytest.mark.parametrize(
    "header",
    [
        dict(zip(GOOD, GOOD, strict=True)),
        # the second file's columns in another order, some in another case
        dict(zip(GOOD, ["ID", "Text", "Priority", *reversed(LABEL_COLUMNS[:-1])], strict=True)),
    ],
    ids=["same-order", "other-order"],
)
def test_a_header_line_inside_the_rows_is_one_problem(header: dict[str, str]) -> None:
    # cat a.csv b.csv: the second file's header is a row; its id repeats no id
    problems = validate_labels(frame({}, header, {}, header))
    assert problems[["row", "column"]].values.tolist() == [[1, ""], [3, ""]]
    again = "the header line again, as where labeled files were joined one after another"
    assert problems["problem"].eq(f"{again}: delete the row").all()


def test_a_file_without_its_header_line_is_told_to_add_it(tmp_path: Path) -> None:
    # to_csv(header=False), or the rows pasted into a new sheet: the first row is read as the names
    path = tmp_path / "labeled.csv"
    frame({}, {}).to_csv(path, index=False, header=False)
    with pytest.raises(
        LabelError,
        match=r"^bad columns in the labeled data: no column 'text', .*'priority'; the names "
        r"are the cells of a labeled row \(priority 'P3'\): the first line is a row, not the "
        r"header; add a header line above it naming each cell's column, as "
        r"id,source,text,categories,primary,angry,anxious,confused,humorous,aggrieved,priority "
        r"\(id and source are optional\); the columns are \['x-0', ",
    ):
        check_labels(read_labeled(path))


@pytest.mark.parametrize(
    ("written", "column"),
    [
        ("\ufefftext", "text"),  # read by pandas.read_csv without encoding="utf-8-sig"
        ("Text", "text"),
        ("primary ", "primary"),
        (" Angry", "angry"),
        # typed in an input method's full-width mode
        ("\uff54\uff45\uff58\uff54", "text"),
        ("\uff30\uff52\uff49\uff4f\uff52\uff49\uff54\uff59", "priority"),
    ],
)
def test_a_label_column_named_otherwise_is_named_with_what_to_rename(
    written: str, column: str
) -> None:
    f = frame({}, {}).rename(columns={column: written})
    with pytest.raises(
        LabelError,
        match=rf"^bad columns in the labeled data: no column '{column}'; "
        rf"rename {re.escape(repr(written))} to '{column}'; the columns are ",
    ):
        check_labels(f)


@pytest.mark.parametrize(
    ("again", "duplicated"),
    [
        (["text"], ["text"]),
        (["id"], ["id"]),
        (["priority", "angry"], ["angry", "priority"]),
        (["text", "text"], ["text"]),
        (["source"], ["source"]),
    ],
    ids=["text", "id", "two-columns", "three-times", "source"],
)
def test_duplicate_columns_are_reported(again: list[str], duplicated: list[str]) -> None:
    # pandas names a repeated CSV column text.1, but a frame built in code can repeat a name
    f = frame({}, {}).assign(source="demo")
    f = pd.concat([f, f[again]], axis=1)
    problems = validate_labels(f)
    assert problems["row"].eq(-1).all()
    assert problems["column"].tolist() == duplicated
    assert problems["problem"].str.match(r"^column appears \d times; keep one").all()
    with pytest.raises(
        LabelError, match=rf"^bad columns in the labeled data: column '{duplicated[0]}' appears"
    ):
        check_labels(f)


def test_other_columns_may_repeat() -> None:
    f = frame({}, {})
    notes = pd.DataFrame({"note": ["a", "b"]})
    assert validate_labels(pd.concat([f, notes, notes], axis=1)).empty


@pytest.mark.parametrize("name", ["labels.jsonl", "labels.csv", "labels.jsonl.gz"])
def test_read_labeled_says_a_jsonl_file_is_no_labeled_file(tmp_path: Path, name: str) -> None:
    # its keys split at commas made a header of no column, and the error
    # 'bad columns' named them: '{"id": "x-1"', '"text": ...'
    path = tmp_path / name
    lines = frame({}, {}).to_json(orient="records", lines=True, force_ascii=False)
    path.write_bytes(gzip.compress(lines.encode()) if name.endswith(".gz") else lines.encode())
    said = (
        rf"^{re.escape(str(path))} is JSONL \(a JSON object a line\), not CSV or TSV, which a "
        r"labeled file is: a header line naming its columns \(id, source, text, categories, "
        r"primary, angry, .*, priority\), then a row a line; save its records as CSV "
    )
    with pytest.raises(InputFileError, match=said):
        read_labeled(path)
    # read as it says, it is one
    pd.read_json(path, lines=True, dtype=str).to_csv(tmp_path / "saved.csv", index=False)
    check_labels(read_labeled(tmp_path / "saved.csv"))


@pytest.mark.parametrize("name", ["labels.parquet", "labels.csv"])
def test_read_labeled_says_a_parquet_file_is_no_labeled_file(tmp_path: Path, name: str) -> None:
    # it said to name it .parquet or pass input_format='parquet' (CLI:
    # --input-format parquet), which neither it nor train, evaluate and check take
    path = tmp_path / name
    frame({}).to_parquet(path)
    said = "it is a Parquet file; a labeled file is CSV or TSV: save it as CSV"
    with pytest.raises(InputFileError, match=f"{re.escape(str(path))} is not a text file: {said}$"):
        read_labeled(path)


def test_read_labeled_refuses_a_column_written_twice(tmp_path: Path) -> None:
    path = tmp_path / "labeled.csv"
    f = frame({}, {})
    f.insert(0, "text", "客服态度很差", allow_duplicates=True)
    f.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(LabelError, match=r"labeled\.csv: column 'text' is written 2 times"):
        read_labeled(path)


def test_an_empty_frame_has_no_rows_to_learn_from() -> None:
    empty = frame({}).iloc[:0]
    assert validate_labels(empty)[["row", "column", "problem"]].values.tolist() == [
        [-1, "", "no rows"]
    ]
    with pytest.raises(LabelError, match=r"^no rows in the labeled data"):
        check_labels(empty)


def test_check_labels_raises_with_every_row_named() -> None:
    with pytest.raises(LabelError, match=r"(?s)2 problems.*row 0.*row 2") as info:
        check_labels(frame({"angry": "5"}, {}, {"priority": "urgent"}))
    assert isinstance(info.value, ValueError)


# a paste that went wrong: 100,000 characters in one cell
LONG = "包裹显示签收了但我没收到，" * 7_692 + "客服不理"


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        # a long text labeled twice otherwise
        (
            ({"text": LONG}, {"text": LONG, "priority": "P1"}),
            f"row 1 (id 'x-1') text={LONG[:50]!r}... (100,000 characters): same text as row 0",
        ),
        # a text pasted into a label cell
        (
            ({}, {"categories": LONG, "primary": ""}),
            f"row 1 (id 'x-1') categories={LONG[:50]!r}... (100,000 characters): "
            f"unknown category {LONG[:50]!r}... (100,000 characters); allowed: ",
        ),
        (
            ({}, {"primary": LONG}),
            f"primary={LONG[:50]!r}... (100,000 characters): unknown primary {LONG[:50]!r}...",
        ),
        (
            ({}, {"id": LONG, "angry": "9"}),
            f"row 1 (id {LONG[:50]!r}... (100,000 characters)) angry='9': ",
        ),
    ],
)
def test_a_long_cell_is_named_by_its_start_and_length(
    changes: tuple[dict[str, str], ...], shown: str
) -> None:
    with pytest.raises(LabelError) as info:
        check_labels(frame(*changes))
    assert shown in str(info.value)
    assert len(str(info.value)) < 1_000


def test_rows_not_labeled_yet_are_named_once_each() -> None:
    blank = dict.fromkeys(LABEL_COLUMNS, "")
    with pytest.raises(
        LabelError,
        match=r"^2 problems in the labeled data .*:\n"
        r"  row 0 \(id 'x-0'\) not labeled yet: every label cell is empty; .*\n"
        r"  row 2 \(id 'x-2'\) not labeled yet: every label cell is empty; ",
    ):
        check_labels(frame(blank, {}, blank))


def test_floats_from_spreadsheets_are_accepted() -> None:
    f = frame({}).astype({"angry": "object"})
    f.loc[0, "angry"] = "1.0"
    assert parse_labels(f).emotions[0, 0] == 1


# How pandas shows an empty cell, by how the file was read: NaN by default,
# pd.NA with dtype="string" or convert_dtypes(), None in an object column.
EMPTY_CELLS = [
    pytest.param(float("nan"), id="NaN"),
    pytest.param(None, id="None"),
    pytest.param(pd.NA, id="pd.NA"),
]


@pytest.mark.parametrize("empty", EMPTY_CELLS)
def test_an_empty_cell_is_empty_however_pandas_holds_it(empty: object) -> None:
    # a row that is no complaint: no categories, no primary, no id
    f = frame({}, {"categories": "", "primary": "", "priority": "P4"}).astype(object)
    f.loc[1, ["categories", "primary", "id"]] = [empty, empty, empty]
    f.loc[0, "id"] = empty
    assert validate_labels(f).empty
    assert validate_labels(f.astype("string")).empty
    y = parse_labels(f.astype("string"))
    assert y.categories[1].tolist() == [0] * 6 and y.primary.tolist() == [2, -1]


@pytest.mark.parametrize("empty", EMPTY_CELLS)
def test_an_empty_intensity_or_priority_is_reported_as_such(empty: object) -> None:
    # (of a row among rated ones: a column empty on every row is one problem)
    f = frame({}, {}).astype(object)
    f.loc[0, ["angry", "priority"]] = [empty, empty]
    problems = validate_labels(f.astype("string"))
    assert problems["column"].tolist() == ["angry", "priority"]
    assert problems["problem"].tolist() == [
        "intensity must be 0, 1 or 2",
        "priority must be one of P1, P2, P3, P4",
    ]


def test_parse_labels() -> None:
    y = parse_labels(frame({}, {"categories": "", "primary": "", "priority": "P1", "angry": "2"}))
    assert y.categories.tolist() == [[0, 1, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0]]
    assert y.primary.tolist() == [2, -1]
    assert y.emotions[1].tolist() == [2, 0, 0, 0, 1]
    assert y.priority.tolist() == [2, 0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_read_labeled_in_the_encodings_excel_saves(tmp_path: Path, encoding: str) -> None:
    # a file exported with a BOM, labeled in Excel and saved back as plain "CSV" is GBK
    path = tmp_path / "labeled.csv"
    frame(GOOD, {"text": "房间很脏", "categories": "", "primary": ""}).to_csv(
        path, index=False, encoding=encoding
    )
    got = read_labeled(path)
    assert list(got.columns) == list(GOOD)
    assert got["text"].tolist() == [GOOD["text"], "房间很脏"]
    assert got["categories"].tolist() == ["logistics|service", ""]


@pytest.mark.parametrize(
    ("name", "encoding", "sep"),
    [
        ("labeled.txt", "utf-16", "\t"),  # Excel's "Unicode Text": UTF-16 LE, BOM, tabs
        ("labeled.csv", "utf-16", "\t"),  # the same, renamed
        ("labeled.tsv", "utf-8", "\t"),
        ("labeled.csv", "utf-8-sig", "\t"),
        ("labeled.txt", "utf-8", ","),  # the header decides, not the name
        ("labeled.tsv", "gbk", ","),
        ("labeled.txt", "utf-16-le", "\t"),  # the same without its BOM
        ("labeled.csv", "utf-16-be", ","),
        ("labeled.csv", "utf-8-sig", ";"),  # Excel where the decimal mark is a comma
        ("labeled.csv", "gbk", ";"),
    ],
    ids=[
        "unicode-text",
        "unicode-text-as-csv",
        "tsv",
        "tabs-in-csv",
        "commas-in-txt",
        "commas-in-tsv",
        "unicode-text-without-bom",
        "utf-16-be-without-bom",
        "semicolons",
        "semicolons-gbk",
    ],
)
def test_read_labeled_finds_the_delimiter(
    tmp_path: Path, name: str, encoding: str, sep: str
) -> None:
    path = tmp_path / name
    texts = ["草,11点下单,1点送到", "房间很脏\t空调也坏了"]
    frame({"text": texts[0]}, {"text": texts[1], "categories": "", "primary": ""}).to_csv(
        path, index=False, encoding=encoding, sep=sep
    )
    got = read_labeled(path)
    assert list(got.columns) == list(GOOD)
    assert got["text"].tolist() == texts
    assert got["categories"].tolist() == ["logistics|service", ""]
    assert validate_labels(got).empty


# a first text of 100,000 characters: of Chinese alone, which detection tells
# in UTF-16 without a BOM too; and of Chinese written with zhuyin (bopomofo)
# and its tone marks, which it counts as no text and cannot tell
_LONG = ("快递一周还没到，客服也不回" * 8000)[:100_000]
_ZHUYIN = ("包裹ㄉㄜ˙物流ㄧ直沒更新ㄚ，客服ㄇㄟˊ回" * 6000)[:100_000]


@pytest.mark.parametrize(
    ("written", "bom", "given", "first"),
    [
        ("utf-16-le", b"", "utf-16-le", _LONG),
        ("utf-16-be", b"", "utf-16-be", _LONG),
        ("utf-16-le", b"", "utf-16-le", _ZHUYIN),
        ("utf-16-be", b"", "utf-16-be", _ZHUYIN),
        ("gbk", b"", "gbk", GOOD["text"]),
        ("gbk", b"", "gb18030", GOOD["text"]),
        ("utf-8", codecs.BOM_UTF8, "utf-8", GOOD["text"]),  # Excel's "CSV UTF-8"
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le", GOOD["text"]),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16", _LONG),  # Excel's "Unicode Text"
    ],
    ids=[
        "utf-16-le-long",
        "utf-16-be-long",
        "utf-16-le-zhuyin",
        "utf-16-be-zhuyin",
        "gbk",
        "gbk-as-gb18030",
        "utf-8-bom-as-utf-8",
        "utf-16-le-bom-as-utf-16-le",
        "utf-16-bom",
    ],
)
def test_read_labeled_reads_the_encoding_given(
    tmp_path: Path, written: str, bom: bytes, given: str, first: str
) -> None:
    path = tmp_path / "labeled.csv"
    texts = [first, "房间很脏，空调也坏了"]
    body = frame({"text": texts[0]}, {"text": texts[1], "categories": "", "primary": ""})
    path.write_bytes(bom + body.to_csv(index=False).encode(written))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no bytes said not to be of the encoding
        got, lines = read_labeled_lines(path, encoding=given)
        assert read_labeled(path, encoding=given).equals(got)
    assert list(got.columns) == list(GOOD)  # the BOM skipped, not glued to "id"
    assert got["text"].tolist() == texts
    assert lines == [2, 3]
    assert validate_labels(got).empty


@pytest.mark.parametrize("written", ["utf-16-le", "utf-16-be"])
def test_read_labeled_can_be_given_the_encoding_it_names(tmp_path: Path, written: str) -> None:
    # detection cannot tell this UTF-16 without a BOM, and says what to pass
    path = tmp_path / "labeled.csv"
    path.write_bytes(frame({"text": _ZHUYIN}).to_csv(index=False).encode(written))
    with pytest.raises(InputFileError, match=f"encoding='{written}'") as caught:
        read_labeled(path)
    named = re.search(r"encoding='([^']+)'", str(caught.value))
    assert named is not None
    assert read_labeled(path, encoding=named.group(1))["text"].tolist() == [_ZHUYIN]


@pytest.mark.parametrize(
    ("written", "given", "error", "message"),
    [
        (
            "utf-8",
            "no-such",
            ParameterError,
            r"^encoding='no-such' is not a text encoding \(CLI: --encoding\); give one such as "
            "utf-8, gb18030 or utf-16, or leave it out to have it detected$",
        ),
        ("utf-8", "rot13", ParameterError, r"^encoding='rot13' is not a text encoding"),
        ("utf-8", "", ParameterError, r"^encoding='' is not a text encoding"),
        (
            "utf-16-le",
            "utf-16",
            InputFileError,
            r"labeled\.csv cannot be read as utf-16: UTF-16 stream does not start with BOM; "
            r"name the byte order \(utf-16-le or utf-16-be\)",
        ),
    ],
    ids=["unknown", "no-text-codec", "empty", "utf-16-without-bom"],
)
def test_read_labeled_refuses_an_encoding_it_cannot_read_with(
    tmp_path: Path, written: str, given: str, error: type[Exception], message: str
) -> None:
    path = tmp_path / "labeled.csv"
    frame({}).to_csv(path, index=False, encoding=written)
    with pytest.raises(error, match=message):
        read_labeled(path, encoding=given)


def test_read_labeled_warns_of_an_encoding_given_that_the_file_is_not_in(
    tmp_path: Path,
) -> None:
    path = tmp_path / "labeled.csv"
    frame({}, {}).to_csv(path, index=False, encoding="gbk")
    with pytest.warns(UserWarning, match="not utf-8") as record:
        got = read_labeled(path, encoding="utf-8")
    said = [str(w.message).split(": ", 1)[1] for w in record]
    assert said[0].startswith("the bytes at offset 82 are not utf-8 and are read as U+FFFD")
    assert said[1].startswith("bytes that are not utf-8 on 2 lines, read as U+FFFD")
    assert "\ufffd" in got["text"][0]


def test_read_labeled_drops_fully_blank_rows(tmp_path: Path) -> None:
    # Excel saves rows whose cells it once formatted as ",,,,", however far down
    path = tmp_path / "labeled.csv"
    frame({}, {}).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    width = len(GOOD)
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write("," * (width - 1) + "\r\n")
        f.write(",".join([" ", "\u3000", "\t"] + [""] * (width - 3)) + "\r\n")
        f.write("   \r\n")  # a line of spaces left by a text editor
        f.write("x-9" + "," * (width - 1) + "\r\n")  # an id alone is content
        f.write("," * (width - 1) + "\r\n")
    got = read_labeled(path)
    assert got["id"].tolist() == ["x-0", "x-1", "x-9"]
    assert got.index.tolist() == [0, 1, 2]
    assert validate_labels(got)["row"].unique().tolist() == [2]


@pytest.mark.parametrize(
    ("lines", "malformed"),
    [
        # a quote opened in line 2 closes inside line 4: pandas made one text of three rows
        (['"快递没到', "客服态度很差", '他说"好'], r"3 malformed lines: 2, 3, 4 "),
        # a first row of one field too many: pandas took the texts for an index
        (["快递没到,还没发货", "客服态度很差"], r"1 malformed line: 2 "),
        (["快递没到", "客服态度很差,不回消息"], r"1 malformed line: 3 "),
        (['"快递没到', "客服态度很差"], r"2 malformed lines: 2, 3 "),
    ],
    ids=["stray-quotes", "extra-field-first", "extra-field-later", "quote-never-closed"],
)
@pytest.mark.filterwarnings("ignore:.*opens a quote that is never closed")
def test_read_labeled_refuses_malformed_lines_rather_than_merge_or_shift_rows(
    tmp_path: Path, lines: list[str], malformed: str
) -> None:
    path = tmp_path / "labeled.csv"
    labels = ",".join(GOOD[c] for c in list(GOOD)[2:])
    rows = [f"x-{i},{text},{labels}" for i, text in enumerate(lines)]
    path.write_text("\n".join([",".join(GOOD), *rows, ""]), encoding="utf-8")
    with pytest.raises(LabelError, match=rf"labeled\.csv: {malformed}"):
        read_labeled(path)


@pytest.mark.parametrize(
    ("sep", "texts", "problem"),
    [
        (";", ["快递没到,还没发货", "客服态度很差"], None),
        (",", ["快递没到;还没发货", "客服态度很差"], None),
        ("\t", ["房间很脏", "客服态度很差"], None),
        (";", ["快递没到;还没发货", "客服态度很差"], r"1 malformed line: 3 "),
        (",", ["快递没到", "客服态度很差,不回消息"], r"1 malformed line: 4 "),
    ],
    ids=["semicolons", "commas", "tabs", "malformed-semicolons", "malformed-commas"],
)
def test_read_labeled_takes_the_delimiter_a_sep_line_names(
    tmp_path: Path, sep: str, texts: list[str], problem: str | None
) -> None:
    # Excel reads a first line "sep=;" as naming the delimiter: no row, and
    # the header is line 2
    path = tmp_path / "labeled.csv"
    labels = sep.join(GOOD[c] for c in list(GOOD)[2:])
    rows = [f"x-{i}{sep}{text}{sep}{labels}" for i, text in enumerate(texts)]
    path.write_text("\n".join([f"sep={sep}", sep.join(GOOD), *rows, ""]), encoding="utf-8")
    if problem is not None:
        with pytest.raises(LabelError, match=rf"labeled\.csv: {problem}"):
            read_labeled(path)
        return
    got, lines = read_labeled_lines(path)
    assert list(got.columns) == list(GOOD)
    assert got["text"].tolist() == texts
    assert lines == [3, 4]
    assert validate_labels(got).empty


def test_read_labeled_names_lines_with_bytes_not_of_the_encoding(tmp_path: Path) -> None:
    # a GBK file with one corrupt byte: read, but the damaged text is named
    path = tmp_path / "labeled.csv"
    texts = ["快递一周还没到，客服也不回", "房间很脏，床单上还有头发", "菜很好吃但是送得太慢了"]
    frame(*({"text": t} for t in texts)).to_csv(path, index=False, encoding="gbk")
    data = path.read_bytes()
    at = data.index("房间".encode("gbk"))
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    damaged = r"labeled\.csv: bytes that are not \S+ on 1 line, read as .*: 3;"
    with pytest.warns(UserWarning, match=damaged):
        got = read_labeled(path)
    assert got["text"].tolist() == [texts[0], "\ufffd" + texts[1], texts[2]]


def test_read_labeled_names_a_folder_as_one(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"is a folder; name the labeled CSV or TSV file"):
        read_labeled(tmp_path)


def test_read_labeled_names_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "labeled.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(InputFileError, match=r"labeled\.csv is empty"):
        read_labeled(path)


def test_read_labeled_trims_spaces_around_column_names(tmp_path: Path) -> None:
    # a header typed or edited by hand: "text " is the text column
    path = tmp_path / "labeled.csv"
    good = frame({}, {})
    good.rename(columns={"text": " text ", "priority": "priority\u3000"}).to_csv(
        path, index=False, encoding="utf-8"
    )
    got = read_labeled(path)
    assert got.columns.tolist() == good.columns.tolist()
    assert validate_labels(got).empty


def compress(path: Path, data: bytes, member: str = "labeled.csv") -> Path:
    """`data` written to `path`, compressed as its extension says."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.mkdir("__MACOSX")  # what macOS adds beside the file
            archive.writestr(f"__MACOSX/._{member}", bytes(64))
            archive.writestr(member, data)
    else:
        pack = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[path.suffix]
        path.write_bytes(pack(data))
    return path


@pytest.mark.parametrize(
    ("name", "encoding", "sep"),
    [
        ("labeled.csv.gz", "utf-8-sig", ","),
        ("labeled.csv.bz2", "gbk", ","),
        ("labeled.txt.xz", "utf-16", "\t"),
        ("labeled.zip", "utf-8-sig", ","),
        ("labeled.csv.zip", "gbk", "\t"),
    ],
    ids=["gzip", "bzip2-gbk", "xz-unicode-text", "zip", "zip-gbk-tabs"],
)
def test_read_labeled_reads_compressed_files_as_plain_ones(
    tmp_path: Path, name: str, encoding: str, sep: str
) -> None:
    plain = tmp_path / "labeled.csv"
    texts = ["草,11点下单,1点送到", "房间很脏\n空调也坏了"]
    frame({"text": texts[0]}, {"text": texts[1], "categories": "", "primary": ""}).to_csv(
        plain, index=False, encoding=encoding, sep=sep
    )
    got = read_labeled(compress(tmp_path / name, plain.read_bytes()))
    pd.testing.assert_frame_equal(got, read_labeled(plain))
    assert got["text"].tolist() == texts
    assert validate_labels(got).empty


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("labeled.csv.bz2", r"labeled\.csv\.bz2 is not a readable bzip2 file: Compressed file"),
        ("labeled.csv.xz", r"labeled\.csv\.xz is not a readable xz file: Compressed file"),
        ("labeled.zip", r"labeled\.zip holds 2 files: train\.csv, dev\.csv"),
    ],
)
def test_read_labeled_names_a_broken_or_ambiguous_archive(
    tmp_path: Path, name: str, message: str
) -> None:
    # a BOM settles the encoding at once: the cut, megabytes on, is met reading the rows
    header, *rows = frame(*({} for _ in TEXTS)).to_csv(index=False).splitlines(keepends=True)
    data = (header + "".join(rows) * 6000).encode("utf-8-sig")
    path = tmp_path / name
    if name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("train.csv", data)
            archive.writestr("dev.csv", data)
    else:
        path.write_bytes(compress(path, data).read_bytes()[:-50])
    with pytest.raises(InputFileError, match=message):
        read_labeled(path)


# Extra rows, labeled for some heads alone: an empty cell is unknown, a filled
# one must be valid. (row, column, the start of the problem) of each problem.
PARTIAL_ROWS = [
    ({"text": ["快递太慢了"], "categories": [""], "angry": [""]}, []),
    ({"text": ["快递太慢了"], "complaint": ["1"], "weight": [MAX_WEIGHT]}, []),
    ({"text": ["菜很好吃"], "complaint": [False], "categories": [""], "weight": [0]}, []),
    ({"text": ["快递太慢了"], "categories": ["logistics|物流"]}, [(0, "categories", "unknown")]),
    (
        {"text": ["快递太慢了"], "categories": ["logistics|logistics"]},
        [(0, "categories", "a category is repeated")],
    ),
    ({"text": ["快递太慢了"], "angry": ["3"]}, [(0, "angry", "intensity must be 0, 1 or 2")]),
    ({"text": ["快递太慢了"], "complaint": ["2"]}, [(0, "complaint", "complaint must be 0")]),
    ({"text": ["快递太慢了"], "complaint": ["yes"]}, [(0, "complaint", "complaint must be 0")]),
    (
        {"text": ["快递太慢了"], "complaint": ["0"], "categories": ["logistics"]},
        [(0, "complaint", "complaint is 0 but the row names a category")],
    ),
    ({"text": ["快递太慢了"], "complaint": ["1"], "categories": ["logistics"]}, []),
    ({"text": ["快递太慢了"], "angry": ["1"], "weight": [-1]}, [(0, "weight", "weight must be")]),
    (
        {"text": ["快递太慢了"], "angry": ["1"], "weight": [MAX_WEIGHT * 2]},
        [(0, "weight", "weight must be")],
    ),
    ({"text": ["快递太慢了"], "angry": ["1"], "weight": [""]}, [(0, "weight", "weight must be")]),
    ({"text": [" "], "angry": ["1"]}, [(0, "text", "text is missing")]),
    (
        {"text": ["快递太慢了", "客服不理人"], "id": ["a-1", "a-2"], "angry": ["1", "5"]},
        [(1, "angry", "intensity")],
    ),
    ({"angry": ["1"]}, [(-1, "text", "missing column")]),
    ({"text": ["快递太慢了"], "primary": ["logistics"]}, [(-1, "categories", "no label column")]),
    ({"text": ["快递太慢了"], "Complaint": ["1"]}, [(-1, "Complaint", "column is not read")]),
    ({"text": ["快递太慢了"], "angry": ["1"], "Weight ": [1]}, [(-1, "Weight ", "column is not")]),
]


@pytest.mark.parametrize(("columns", "problems"), PARTIAL_ROWS)
def test_partial_rows_are_checked_cell_by_cell(
    columns: dict[str, list[object]], problems: list[tuple[int, str, str]]
) -> None:
    found = validate_partial(pd.DataFrame(columns))
    assert [(r.row, r.column) for r in found.itertuples()] == [(r, c) for r, c, _ in problems]
    for r, (*_, start) in zip(found.itertuples(), problems, strict=True):
        assert str(r.problem).startswith(start)


def test_partial_rows_name_their_ids_and_a_column_given_twice() -> None:
    found = validate_partial(pd.DataFrame({"text": ["快递太慢了"], "id": ["a-9"], "angry": ["7"]}))
    assert found["id"].tolist() == ["a-9"]
    twice = pd.DataFrame([["快递太慢了", "1", "2"]], columns=["text", "angry", "angry"])
    found = validate_partial(twice)
    assert found[["row", "column", "problem"]].values.tolist() == [
        [-1, "angry", "column appears 2 times; keep one"]
    ]


def test_a_column_given_as_labeled_rows_is_told_to_be_the_frame() -> None:
    # "make one with pandas.DataFrame(rows)" said of frame["text"]
    frame = pd.DataFrame({"text": ["快递太慢了"], "categories": ["logistics"]})
    message = r"got Series; a Series is one column: pass the frame of the text and label columns$"
    with pytest.raises(ParameterError, match=message):
        validate_labels(frame["text"])  # type: ignore[arg-type]


# an id column as pandas holds one: each empty cell is the blank id, as
# validate_labels names it, not "nan", "None" or "<NA>"
PARTIAL_IDS = {
    "strings with None": ["a-1", None, " a-3 "],
    "floats with NaN": [1.0, np.nan, 3.5],
    "string dtype with NA": pd.array(["a-1", pd.NA, " a-3 "], dtype="string"),
    "Int64 with NA": pd.array([1, pd.NA, 3], dtype="Int64"),
}


@pytest.mark.parametrize("ids", PARTIAL_IDS.values(), ids=PARTIAL_IDS.keys())
def test_partial_rows_name_an_empty_id_as_labeled_rows_do(ids: Any) -> None:
    texts = ["快递太慢了", "客服不理人", "房间很脏"]
    extra = pd.DataFrame({"id": ids, "text": texts, "angry": ["7", "8", "9"]})
    labels = {"categories": "service", "primary": "service", **dict.fromkeys(EMOTION_COLUMNS, "0")}
    labeled = extra.assign(**labels, priority="P3").assign(angry=extra["angry"])
    expected = validate_labels(labeled)["id"].tolist()
    assert expected[1] == ""
    assert validate_partial(extra)["id"].tolist() == expected
    with pytest.raises(LabelError, match=r"row 1 \(id ''\) angry='8'"):
        check_partial(extra)


# A support team's export: its categories labeled, the emotions and priority left empty.
UNRATED = dict.fromkeys([*EMOTION_COLUMNS, "priority"], "")
NO_COMPLAINT = {"categories": "", "primary": ""}


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        # one problem a column empty on every row, not six a row, and the row
        # of no complaint is no row left to label
        (
            [UNRATED, UNRATED, UNRATED | NO_COMPLAINT],
            [(-1, c, "empty on every row") for c in [*EMOTION_COLUMNS, "priority"]],
        ),
        # the priorities rated, the emotions not
        (
            [UNRATED | {"priority": "P3"}, UNRATED | {"priority": "P2"}],
            [(-1, c, "empty on every row") for c in EMOTION_COLUMNS],
        ),
        # a problem of a row's own is listed as ever
        (
            [UNRATED, UNRATED | {"primary": "物流"}],
            [(-1, c, "empty on every row") for c in [*EMOTION_COLUMNS, "priority"]]
            + [(1, "primary", "unknown primary '物流' (write 'logistics')")],
        ),
        # a column rated on some rows: each row left empty is a problem of its
        # own (its five emotions one)
        (
            [{}, UNRATED],
            [
                (1, "", "the five emotions are empty"),
                (1, "priority", "priority must be one of P1, P2, P3, P4"),
            ],
        ),
        # no label anywhere: each row is not labeled yet, as before
        (
            [UNRATED | NO_COMPLAINT, UNRATED | NO_COMPLAINT],
            [(0, "", "not labeled yet"), (1, "", "not labeled yet")],
        ),
    ],
    ids=["export", "emotions-empty", "export-bad-row", "some-rated", "unlabeled"],
)
def test_a_column_empty_on_every_row_is_one_problem(
    rows: list[dict[str, str]], problems: list[tuple[int, str, str]]
) -> None:
    # an export whose emotions and priority were left empty was six problems
    # a row (12,000 lines of a support team's 2,000 rows)
    found = validate_labels(frame(*rows))
    assert_problems(found, problems)


def test_labels_of_a_column_empty_on_every_row_are_refused_in_one_line() -> None:
    f = frame(UNRATED, UNRATED, UNRATED | NO_COMPLAINT)
    big = pd.concat([f] * 700, ignore_index=True)
    big["text"] = [f"{t}（第{i}单）" for i, t in enumerate(big["text"])]
    big["id"] = [f"x-{i}" for i in range(len(big))]
    assert problem_lines(big) == [
        "bad columns in the labeled data: angry, anxious, confused, humorous, aggrieved, "
        "priority are empty on every row; each head learns from its own column: label them "
        "(for priorities not rated, one level in every row: the rules alone decide), or "
        "train on the rows as extra rows beside fully labeled ones, triage.train(labeled, "
        "extra=rows), where an empty cell is unknown (complaint=0 marks no complaint; see "
        "TriageModel.fit); the columns are ['id', 'text', 'categories', 'primary', 'angry', "
        "'anxious', 'confused', 'humorous', 'aggrieved', 'priority']"
    ]
    with pytest.raises(LabelError) as caught:
        check_labels(big)
    # the columns are there: a LabelError, as the cells were, no ColumnError
    assert str(caught.value) == problem_lines(big)[0]
    assert not isinstance(caught.value, KeyError)
    # among problems of rows, the columns are one line, and what to do with them is said
    big.loc[5, "primary"] = "物流"
    lines = problem_lines(big)
    assert lines[0] == (
        "angry, anxious, confused, humorous, aggrieved, priority are empty on every row"
    )
    assert lines[1:] == [
        "row 5 (id 'x-5') primary='物流': unknown primary '物流' (write 'logistics'); "
        "allowed: product, service, logistics, pricing, process, environment"
    ]
    with pytest.raises(LabelError) as caught:
        check_labels(big)
    assert str(caught.value) == (
        "2 problems in the labeled data (see triage.validate_labels for all):\n"
        + "".join(f"  {line}\n" for line in lines)
        + f"{lines[0]}: label them, or train on the rows as extra rows beside fully labeled "
        "ones, triage.train(labeled, extra=rows), where an empty cell is unknown (see "
        "TriageModel.fit)"
    )


# A row whose five emotions were left empty among rated rows.
NO_EMOTIONS = dict.fromkeys(EMOTION_COLUMNS, "")
_FIVE = "the five emotions are empty (angry, anxious, confused, humorous, aggrieved): rate each"


@pytest.mark.parametrize(
    ("rows", "heads", "problems"),
    [
        # one problem of the row, not one an emotion
        ([{}, NO_EMOTIONS], None, [(1, "", _FIVE)]),
        ([NO_EMOTIONS, {}, NO_EMOTIONS], None, [(0, "", _FIVE), (2, "", _FIVE)]),
        # checked for some heads, as triage.evaluate checks them
        ([{}, NO_EMOTIONS], ["categories", "primary", "emotions"], [(1, "", _FIVE)]),
        ([{}, NO_EMOTIONS], ["emotions"], [(1, "", "not labeled yet")]),
        ([{}, NO_EMOTIONS], ["categories", "primary", "priority"], []),
        # the priority left empty too is a problem of its own cell
        (
            [{}, NO_EMOTIONS | {"priority": ""}],
            None,
            [(1, "", _FIVE), (1, "priority", "priority must be one of P1, P2, P3, P4")],
        ),
        # some rated: each other one is a cell of its own, as ever
        (
            [{}, NO_EMOTIONS | {"angry": "1"}],
            None,
            [(1, c, "intensity must be 0, 1 or 2") for c in EMOTION_COLUMNS[1:]],
        ),
        (
            [{}, NO_EMOTIONS | {"humorous": "3"}],
            None,
            [(1, c, "intensity must be 0, 1 or 2") for c in EMOTION_COLUMNS],
        ),
        # a row of no label at all is not labeled yet, that alone
        (
            [{}, NO_EMOTIONS | NO_COMPLAINT | {"priority": ""}],
            None,
            [(1, "", "not labeled yet")],
        ),
    ],
    ids=[
        "one-row",
        "two-rows",
        "some-heads",
        "emotions",
        "other-heads",
        "and-priority",
        "one-rated",
        "typo",
        "none",
    ],
)
def test_a_row_whose_five_emotions_are_empty_is_one_problem(
    rows: list[dict[str, str]], heads: list[str] | None, problems: list[tuple[int, str, str]]
) -> None:
    # it was five problems, each "intensity must be 0, 1 or 2", of a row
    # whose emotions were not rated
    found = validate_labels(frame(*rows), heads=heads)
    assert_problems(found, problems)


def test_a_row_whose_five_emotions_are_empty_is_refused_in_one_line() -> None:
    f = frame({}, NO_EMOTIONS, {})
    assert problem_lines(f) == [
        "row 1 (id 'x-1') the five emotions are empty (angry, anxious, confused, humorous, "
        "aggrieved): rate each, 0 where absent (every one 0 is a calm text)"
    ]
    with pytest.raises(LabelError) as caught:
        check_labels(f)
    # and what to do with a row labeled for some heads alone is said, as of its cells
    assert str(caught.value) == (
        "1 problem in the labeled data (see triage.validate_labels for all):\n"
        f"  {problem_lines(f)[0]}\n"
        "row 1 is labeled for some heads alone (an emotion or the priority left empty): label "
        "every cell, or train on such rows as extra rows beside fully labeled ones, "
        "triage.train(labeled, extra=rows), where an empty cell is unknown (see TriageModel.fit)"
    )
    with pytest.raises(LabelError, match=r"\nrow 1 is not labeled for every head evaluated"):
        check_heads(f, ["categories", "primary", "emotions"])


_BLANK_ROW = "empty on every row"


@pytest.mark.parametrize(
    ("rows", "heads", "problems"),
    [
        # the head asked for left empty: one problem a column, not each row
        # not labeled yet
        (
            [UNRATED | dict.fromkeys(EMOTION_COLUMNS, "0")] * 3,
            ["priority"],
            [(-1, "priority", _BLANK_ROW)],
        ),
        ([UNRATED] * 2, ["emotions"], [(-1, c, _BLANK_ROW) for c in EMOTION_COLUMNS]),
        (
            [UNRATED] * 2,
            ["emotions", "priority"],
            [(-1, c, _BLANK_ROW) for c in [*EMOTION_COLUMNS, "priority"]],
        ),
        # beside categories, whose empty cells are no complaint
        ([UNRATED | NO_COMPLAINT] * 2, ["categories", "priority"], [(-1, "priority", _BLANK_ROW)]),
        # a row's own problem is listed as ever
        (
            [UNRATED, UNRATED | {"text": " "}],
            ["priority"],
            [(-1, "priority", _BLANK_ROW), (1, "text", "text is missing or empty")],
        ),
        # every head asked for, as evaluation asks a full file
        (
            [UNRATED | NO_COMPLAINT] * 2,
            ["categories", "primary", "emotions", "priority"],
            [(-1, c, _BLANK_ROW) for c in [*EMOTION_COLUMNS, "priority"]],
        ),
        # categories left empty are no complaint on every row, no problem
        ([NO_COMPLAINT] * 2, ["categories", "primary"], []),
        # of every head, no label anywhere is each row not labeled yet, as before
        (
            [UNRATED | NO_COMPLAINT] * 2,
            None,
            [(0, "", "not labeled yet"), (1, "", "not labeled yet")],
        ),
    ],
    ids=[
        "priority",
        "emotions",
        "both",
        "with-categories",
        "bad-row",
        "every-head",
        "no-complaint",
        "all",
    ],
)
def test_a_head_asked_for_whose_columns_are_empty_is_one_problem_a_column(
    rows: list[dict[str, str]], heads: list[str] | None, problems: list[tuple[int, str, str]]
) -> None:
    # validate_labels(frame, heads=["priority"]) of a file whose priorities
    # were never rated listed each row as not labeled yet (2,000 of a team's)
    found = validate_labels(frame(*rows), heads=heads)
    assert_problems(found, problems)


def test_a_head_checked_whose_columns_are_empty_is_refused_in_one_line() -> None:
    f = frame(*[UNRATED] * 3)
    with pytest.raises(LabelError) as caught:
        check_heads(f, ["priority"])
    # the columns are there: a LabelError, no ColumnError; and for evaluation,
    # not training: no extra rows
    assert not isinstance(caught.value, KeyError)
    assert str(caught.value) == (
        "bad columns in the labeled data: priority is empty on every row; each head checked "
        "(priority) is labeled on every row: label them, or check the heads the frame labels, "
        "triage.labeled.labeled_heads(frame)[0], as triage.evaluate does; the columns are "
        "['id', 'text', 'categories', 'primary', 'angry', 'anxious', 'confused', 'humorous', "
        "'aggrieved', 'priority']"
    )


# A spreadsheet's export whose header lost names: a header cell left empty,
# merged over several columns, or a header of merged cells on two lines.
_HEADER = "text,categories,primary,angry,anxious,confused,humorous,aggrieved,priority"
_ROWS = (
    "快递三天还没到,logistics,logistics,1,1,0,0,0,P3\r\n"
    "充电器冒烟了,product,product,1,2,0,0,0,P1\r\n"
)
_LOST = "(a header cell left empty, or merged over several in a spreadsheet)"


@pytest.mark.parametrize(
    ("header", "said"),
    [
        (
            _HEADER.replace("primary", "Unnamed: 2"),
            "no column 'primary'; the header gives no name to column 3 ('Unnamed: 2'), which "
            f"holds cells {_LOST}: rename 'Unnamed: 2' (column 3) to 'primary', as the file "
            "format's order has it, if it holds those",
        ),
        (
            _HEADER.replace("priority", ""),
            "no column 'priority'; the header gives no name to column 9 (''), which holds "
            f"cells {_LOST}: rename '' (column 9) to 'priority', as the file format's order "
            "has it, if it holds those",
        ),
        # 'emotions' merged over the five
        (
            _HEADER.replace("angry,anxious,confused,humorous,aggrieved", "emotions,,,,"),
            "no column 'angry', 'anxious', 'confused', 'humorous', 'aggrieved'; the header "
            f"gives no name to columns 5 (''), 6 (''), 7 (''), 8 (''), which hold cells {_LOST}: "
            "rename 'emotions' (column 4) to 'angry', '' (column 5) to 'anxious', '' (column 6) "
            "to 'confused', '' (column 7) to 'humorous', '' (column 8) to 'aggrieved', as the "
            "file format's order has them, if they hold those",
        ),
        # where the order cannot say which
        (
            "text,Unnamed: 1,categories,angry,anxious,confused,humorous,aggrieved,priority",
            "no column 'primary'; the header gives no name to column 2 ('Unnamed: 1'), which "
            f"holds cells {_LOST}: name each by what it holds",
        ),
        # on two lines, the names of the second in the first row
        (
            _HEADER.replace("angry,anxious,confused,humorous,aggrieved", "emotions,,,,")
            + "\r\n,,,angry,anxious,confused,humorous,aggrieved,",
            "no column 'angry', 'anxious', 'confused', 'humorous', 'aggrieved'; the header is "
            "on two lines (a header of merged cells, as a spreadsheet's): its first row names "
            "'angry', 'anxious', 'confused', 'humorous', 'aggrieved'; rename 'emotions' "
            "(column 4) to 'angry', '' (column 5) to 'anxious', '' (column 6) to 'confused', '' "
            "(column 7) to 'humorous', '' (column 8) to 'aggrieved' in the header line, and "
            "delete that row",
        ),
    ],
    ids=["unnamed", "empty", "merged", "out-of-order", "two-lines"],
)
def test_columns_whose_names_a_spreadsheet_lost_are_told_their_names(
    tmp_path: Path, header: str, said: str
) -> None:
    # they were told to label the missing columns, or train on the rows as
    # extra rows, though their cells were there
    path = tmp_path / "export.csv"
    path.write_text(f"{header}\r\n{_ROWS}", encoding="utf-8-sig", newline="")
    f = read_labeled(path)
    with pytest.raises(LabelColumnError) as caught:
        check_labels(f)
    assert str(caught.value) == (
        f"bad columns in the labeled data: {said}; the columns are {list(f.columns)!r}"
    )


@pytest.mark.parametrize(
    ("header", "rows"),
    [
        # empty columns saved right of the data
        (_HEADER + ",,Unnamed: 10", _ROWS.replace("\r\n", ",,\r\n")),
        # an index saved with the frame
        ("Unnamed: 0," + _HEADER, "".join(f"{i},{r}\r\n" for i, r in enumerate(_ROWS.split()))),
    ],
    ids=["empty", "index"],
)
def test_columns_of_no_name_that_hold_no_labels_are_no_problem(
    tmp_path: Path, header: str, rows: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"{header}\r\n{rows}", encoding="utf-8-sig", newline="")
    assert validate_labels(read_labeled(path)).empty

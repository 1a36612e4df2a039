"""Chunked readers, encoding detection and atomic writers of `triage._io`."""

from __future__ import annotations

import builtins
import bz2
import codecs
import contextlib
import csv
import gzip
import io
import json
import lzma
import math
import os
import stat
import sys
import tracemalloc
import types
import warnings
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from triage._io import (
    SCORE,
    AtomicWriter,
    Options,
    check_encoding,
    detect_encoding,
    file_format,
    mostly_utf8,
    read_chunks,
    read_rows,
    rows_frame,
    scan_jsonl,
    sniff_header,
)
from triage._paths import follow_links
from triage.batch import score_file
from triage.exceptions import InputFileError, TriageWarning
from triage.lexicon import LexiconModel

TEXT = "id,text\n1,快递太慢了\n2,房间很脏\n"
TRADITIONAL = "id,text\n1,快遞一週還沒到，客服也不回\n2,價格太貴，房間很髒\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
        (b"id,text\n1,ok\n", "utf-8"),
        (b"", "utf-8"),
        (TEXT.encode("utf-16"), "utf-16"),  # Excel's "Unicode Text"
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-32"), "utf-32"),
        # UTF-16 without a byte-order mark: its ASCII characters' NUL bytes tell
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        # Big5 (Taiwan's traditional Chinese), and traditional Chinese in GBK
        (TRADITIONAL.encode("big5"), "cp950"),
        (TRADITIONAL.encode("gbk"), "gb18030"),
    ],
    ids=[
        "utf-8",
        "bom",
        "gbk",
        "gb18030",
        "ascii",
        "empty",
        "utf-16",
        "utf-16-be",
        "utf-32",
        "utf-16-le-no-bom",
        "utf-16-be-no-bom",
        "big5",
        "traditional-gbk",
    ],
)
def test_detect_encoding(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert detect_encoding(path) == expected
    if not data:
        return  # an empty file holds no header: see test_a_file_without_a_header_is_an_error
    chunks = list(read_chunks(path, fmt="csv", chunk_size=10))
    assert [c.frame.columns.tolist() for c in chunks] == [["id", "text"]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(100), "Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), r"\.xls\)"),
        (b"PAR1" + bytes(100), "input_format='parquet'"),
        (bytes(range(256)), "NUL bytes"),
        # NULs in every other field of rows of one length: binary, not UTF-16
        (b"id,text\n" + b"1,\x00\n" * 50, "NUL bytes"),
        (b"id,text\n1,\x00\x00\n2,\x00\x00\n", "NUL bytes"),  # four in a few rows
        (b"\xff\x00\xfe\x01", "NUL bytes"),  # a few, in no text
        # compressed, and named as if it were not
        (gzip.compress(TEXT.encode()), r"compressed with gzip; name the file \.gz"),
        (bz2.compress(TEXT.encode()), r"compressed with bzip2; name the file \.bz2"),
        (lzma.compress(TEXT.encode()), r"compressed with xz; name the file \.xz"),
    ],
    ids=[
        "xlsx",
        "xls",
        "parquet",
        "binary",
        "nul-fields",
        "four-nuls",
        "few",
        "gzip",
        "bzip2",
        "xz",
    ],
)
def test_binary_input_is_refused_with_what_it_is(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with pytest.raises(InputFileError, match=message):
        detect_encoding(path)
    with pytest.raises(InputFileError, match="not a text file"):
        list(read_chunks(path, fmt="csv", chunk_size=10))


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (SCORE, r"CLI: --encoding utf-16-..\)$|\(CLI: --input-format parquet\)$"),
        (
            Options(encoding="--corpus-encoding", input_format=None),
            r"CLI: --corpus-encoding utf-16-..\)$|\(CLI: name it \.parquet\)$",
        ),
    ],
    ids=["score", "a command of its own options"],
)
def test_detect_encoding_names_the_options_of_its_caller(
    tmp_path: Path, options: Options, said: str
) -> None:
    # a command whose encoding option has another name, and none for the format
    for data in (bytes(range(256)), b"PAR1" + bytes(100)):
        path = tmp_path / "f.csv"
        path.write_bytes(data)
        with pytest.raises(InputFileError, match=said):
            detect_encoding(path, options=options)


@pytest.mark.parametrize(
    ("data", "texts"),
    [
        # a database export with a stray NUL in one field: a text file all the same
        ("id,text\n1,快递太慢了\n2,房\x00间很脏\n" + "3,包装破损\n" * 50, "房\x00间很脏"),
        ("id,text\n1,快递太慢了\n2,\x00\n" + "3,包装破损\n" * 50, "\x00"),
        ('id,text\n1,快递太慢了\n2,"房\x00间,很脏"\n' + "3,包装破损\n" * 50, "房\x00间,很脏"),
        # in a file of a few rows, where one NUL is more than one byte in a hundred
        ("id,text\n1,快递太慢了\n2,快递一直没到\x00\n3,包装破损\n", "快递一直没到\x00"),
        ("id,text\n1,坏了\n2,\x00\x00\x00\n3,脏\n", "\x00\x00\x00"),
    ],
    ids=["inside-a-text", "a-whole-field", "in-a-quoted-text", "few-rows", "three-in-few-rows"],
)
def test_a_few_nul_bytes_do_not_make_a_text_file_binary(
    tmp_path: Path, data: str, texts: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data.encode("utf-8"))
    assert detect_encoding(path) == "utf-8"
    (chunk,) = read_chunks(path, fmt="csv", chunk_size=100)
    # the row is kept, in its place, not skipped as malformed
    assert chunk.malformed_lines == []
    assert chunk.frame["id"].tolist()[:3] == ["1", "2", "3"]
    assert chunk.frame["text"].tolist()[1] == texts


LONG_TEXTS = [
    "以前最信赖的京东，现在真让人失望。买了俩件就发了一件。多次联系客服，每次都说要核实查监控。"
    "我等了3天都没回音。差评！差评！差评！",
    "孩子吃了你们的奶粉一直拉肚子😡，现在在医院，再不处理我就找媒体曝光「已截图」",
    "等了两个小时外卖终于到了，小哥是绕地球一圈送的吧😂",
]


@pytest.mark.parametrize(
    ("name", "body", "encoding"),
    [
        # Excel's "Unicode Text" saved by a tool that drops the byte-order mark
        ("f.txt", "id\ttext\r\n1\t快递太慢了\r\n2\t房间很脏\r\n", "utf-16-le"),
        # one column of long complaints: a line end is the only ASCII in a hundred
        # characters, and 一 and 最 (U+4E00, U+6700) put NULs at the other offsets
        ("f.csv", "text\n" + "\n".join(LONG_TEXTS * 20) + "\n", "utf-16-le"),
        ("f.csv", "text\n" + "\n".join(LONG_TEXTS * 20) + "\n", "utf-16-be"),
        # ASCII alone, which is valid UTF-8 too, NULs and all
        ("f.csv", "id,text\n1,ok\n2,bad service\n", "utf-16-le"),
        (
            "f.jsonl",
            '{"id": 1, "text": "快递太慢了"}\n{"id": 2, "text": "房间很脏"}\n',
            "utf-16-be",
        ),
        ("f.csv.gz", "id,text\n1,快递太慢了\n2,房间很脏\n", "utf-16-be"),
        ("f.tsv.xz", "id\ttext\n1\t快递太慢了\n2\t房间很脏\n", "utf-16-le"),
    ],
    ids=["unicode-text", "long-le", "long-be", "ascii", "jsonl", "gzip", "xz"],
)
def test_utf16_without_a_bom_is_detected(
    tmp_path: Path, name: str, body: str, encoding: str
) -> None:
    data = body.encode(encoding)
    path = tmp_path / name
    path.write_bytes(COMPRESS[path.suffix](data) if path.suffix in COMPRESS else data)
    assert detect_encoding(path) == encoding
    assert detect_encoding(path, block=64) == encoding  # the first block is enough
    fmt = file_format(path)
    (chunk,) = read_chunks(path, fmt=fmt, chunk_size=1000)
    assert chunk.malformed_lines == []
    if fmt == "jsonl":
        assert chunk.frame["text"].tolist() == ["快递太慢了", "房间很脏"]
    else:
        sep = "\t" if fmt == "tsv" else ","
        rows = [line.split(sep) for line in body.splitlines()]
        assert chunk.frame.columns.tolist() == rows[0]
        assert chunk.frame.values.tolist() == rows[1:]


# a complaint of 100,000 characters: a line end in far more than 4,096
HUGE = "快递还没到，客服说在路上，一上午都没人理我！" * 4_546


@pytest.mark.parametrize(
    ("name", "body", "encoding"),
    [
        ("f.csv", f"id,text\r\n1,{HUGE}\r\n2,退款没到账\r\n", "utf-16-le"),
        ("f.csv", f"id,text\n1,{HUGE}\n2,退款没到账\n", "utf-16-be"),
        ("f.csv", f"text\r\n{HUGE}\r\n{HUGE}\r\n", "utf-16-le"),
        ("f.txt", f"id\ttext\r\n1\t{HUGE}\r\n" * 8, "utf-16-le"),
        (
            "f.jsonl",
            f'{{"id": 1, "text": "{HUGE}"}}\n{{"id": 2, "text": "退款没到账"}}\n',
            "utf-16-le",
        ),
        ("f.jsonl", f'{{"id": 1, "text": "{HUGE}"}}\n', "utf-16-be"),
    ],
    ids=["csv-le", "csv-be", "one-column", "tsv-many", "jsonl-le", "jsonl-be"],
)
def test_utf16_without_a_bom_is_detected_however_long_its_first_line(
    tmp_path: Path, name: str, body: str, encoding: str
) -> None:
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    assert detect_encoding(path) == encoding
    fmt = file_format(path)
    (chunk,) = read_chunks(path, fmt=fmt, chunk_size=1000)
    assert chunk.malformed_lines == chunk.undecodable_lines == []
    assert chunk.frame["text"].tolist()[0] == HUGE


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # long lines of another encoding, a NUL after a line end and in fields
        (("ok " * 40_000 + "\n").encode() * 3 + "快递".encode("gbk") + b"\n\x00a\x00\n", "gb18030"),
        (
            b"\n\x00".join([("the courier never came " * 9_000).encode("cp1252")] * 3) + b"\xe9\n",
            "gb18030",
        ),
        (
            b"\n\x00".join(
                [
                    ("1,不满意,the courier never came and nobody called," * 900).encode("gbk")
                    + b"\x00,"
                ]
                * 3
            )
            + b"\xe9\n",
            "gb18030",
        ),
    ],
    ids=["gbk", "latin-1-prose", "latin-1-fields"],
)
def test_nul_bytes_after_the_line_ends_of_long_lines_do_not_make_utf16(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert detect_encoding(path) == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_not_told_is_refused_naming_its_byte_order(
    tmp_path: Path, encoding: str
) -> None:
    # a first line longer than the block looked at: no line end to tell it by
    path = tmp_path / "f.jsonl"
    path.write_bytes(f'{{"id": 1, "text": "{HUGE}"}}\n'.encode(encoding))
    with pytest.raises(InputFileError, match=f"encoding='{encoding}'.*--encoding {encoding}"):
        detect_encoding(path, block=1 << 12)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("texts", ["Посылка не пришла уже неделю", "택배가 아직 안 왔어요"])
def test_utf16_of_other_scripts_is_refused_naming_its_own_byte_order(
    tmp_path: Path, encoding: str, texts: str
) -> None:
    # read in the wrong order, Cyrillic and Hangul give CJK characters that pass
    # for text: the order is that of the line ends and commas
    path = tmp_path / "f.csv"
    path.write_bytes(("id,text\n" + f"1,{texts}\n" * 20).encode(encoding))
    with pytest.raises(InputFileError, match=f"encoding='{encoding}'.*--encoding {encoding}"):
        detect_encoding(path)
    rows = next(read_chunks(path, fmt="csv", chunk_size=100, encoding=encoding)).frame
    assert rows["text"].tolist() == [texts] * 20


def nuls_at_odd_bytes(rows: list[str], encoding: str) -> bytes:
    """`rows` encoded, each followed by a field holding a NUL at an odd byte
    offset, then rows without one: a NUL in well under a hundred bytes."""
    data = b"id,text,note\n"
    for i, row in enumerate(rows):
        line = f"{i},{row},".encode(encoding)
        if (len(data) + len(line)) % 2 == 0:
            line += b" "
        data += line + b"\x00\n"
    return data + f"{len(rows)},包装破损,\n".encode(encoding) * 100


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # a database export with a NUL in a few fields, by chance all at odd bytes
        (nuls_at_odd_bytes(["快递太慢了", "房间很脏", "包装破损", "客服不理人"], "utf-8"), "utf-8"),
        (nuls_at_odd_bytes(["ok", "bad", "slow", "late", "rude"], "utf-8"), "utf-8"),
        (nuls_at_odd_bytes(["快递太慢了", "房间很脏", "包装破损", "客服不理人"], "gbk"), "gb18030"),
        (
            nuls_at_odd_bytes(["快递太慢了", "房间很脏", "包装破损", "客服不理人"] * 3, "utf-8")
            + "1,快递太慢了,".encode()
            + b"\xff\n",
            "utf-8",
        ),
    ],
    ids=["utf-8", "ascii", "gbk", "utf-8-with-a-bad-byte"],
)
def test_nul_bytes_at_odd_offsets_alone_do_not_make_utf16(
    tmp_path: Path, data: bytes, expected: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the bad byte's
        assert detect_encoding(path) == expected


def test_detect_encoding_reads_past_an_ascii_start(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"id,text\n" + b"1,ok\n" * 100 + "2,快递太慢\n".encode("gbk"))
    assert detect_encoding(path, block=64) == "gb18030"
    # a multi-byte UTF-8 character split across blocks is still UTF-8
    path.write_bytes(("a" * 63 + "快").encode("utf-8"))
    assert detect_encoding(path, block=64) == "utf-8"


def test_an_encoding_given_by_hand_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("text\n快递太慢\n".encode("gbk"))
    with pytest.warns(UserWarning, match=r"f\.csv: the bytes at offset 5 are not utf-8"):
        check_encoding(path, "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_encoding(path, "gbk")
        # a character cut at the end of the block read is not an error
        path.write_bytes(("a" * 63 + "快").encode("utf-8"))
        check_encoding(path, "utf-8", block=64)
    with pytest.raises(LookupError):
        check_encoding(path, "no-such")


@pytest.mark.parametrize(
    "data",
    [
        "text\n快递太慢\n".encode("gbk"),
        "text\n快递太慢\n".encode(),
        "text\n像拖拉机🚜似的,a🚜b\n".encode("gb18030"),
        # 蒟 is C9 58: one such character among many
        "text\n买的蒟蒻果冻过期了,退款一周还没到账,快递太慢\n".encode("gbk"),
    ],
)
@pytest.mark.parametrize("given", ["latin-1", "cp1252", "iso8859-15"])
def test_a_chinese_file_given_a_latin_encoding_is_warned_of(
    tmp_path: Path, data: bytes, given: str
) -> None:
    # every byte is of a single-byte encoding: no undecodable byte tells
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with pytest.warns(UserWarning, match=rf"f\.csv: read as {given}, the file holds no Chinese"):
        check_encoding(path, given)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for latin in ("café trop lent", "cafétéria fermée"):
            path.write_bytes(f"text\n{latin}\n".encode(given))
            check_encoding(path, given)
        path.write_bytes(b"text\nslow\n")
        check_encoding(path, given)


@pytest.mark.parametrize(
    ("text", "given"),
    [
        ("배송이 너무 늦어요", "euc-kr"),
        ("배송이 너무 늦어요", "cp949"),
        ("ありがとう", "shift_jis"),
    ],
)
def test_a_file_rightly_given_an_encoding_of_its_own_is_not_taken_for_chinese(
    tmp_path: Path, text: str, given: str
) -> None:
    # GB18030 reads the pairs of bytes of Korean as Chinese characters: the
    # warning told to leave out the encoding, which reads the file as GB18030
    path = tmp_path / "f.csv"
    path.write_bytes(f"text\n{text}\n".encode(given))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_encoding(path, given)


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        # Excel's "CSV UTF-8", read with the encoding it is in
        ("f.csv", codecs.BOM_UTF8 + "text,id\n快递太慢,1\n".encode(), "utf-8"),
        ("f.csv", codecs.BOM_UTF8 + "text,id\n快递太慢,1\n".encode(), "UTF8"),
        ("f.csv.gz", gzip.compress(codecs.BOM_UTF8 + "text,id\n快递太慢,1\n".encode()), "utf_8"),
        ("f.tsv", codecs.BOM_UTF16_LE + "text\tid\n快递太慢\t1\n".encode("utf-16-le"), "utf-16-le"),
        ("f.csv", codecs.BOM_UTF16_BE + "text,id\n快递太慢,1\n".encode("utf-16-be"), "utf-16be"),
        ("f.jsonl", codecs.BOM_UTF8 + '{"text": "快递太慢", "id": "1"}\n'.encode(), "utf-8"),
        # the mark's forms that skip it already, and a file without one
        ("f.csv", codecs.BOM_UTF8 + "text,id\n快递太慢,1\n".encode(), "utf-8-sig"),
        ("f.csv", codecs.BOM_UTF16_LE + "text,id\n快递太慢,1\n".encode("utf-16-le"), "utf-16"),
        ("f.csv", "text,id\n快递太慢,1\n".encode(), "utf-8"),
    ],
    ids=[
        "utf-8",
        "utf8-spelled",
        "utf-8-gzip",
        "utf-16-le",
        "utf-16-be",
        "jsonl",
        "utf-8-sig",
        "utf-16",
        "no-mark",
    ],
)
def test_a_byte_order_mark_is_skipped_whatever_the_encoding_given(
    tmp_path: Path, name: str, data: bytes, encoding: str
) -> None:
    # read as U+FEFF, it made the first column "\ufefftext" (no text column)
    # or the first JSONL record malformed
    path = tmp_path / name
    path.write_bytes(data)
    (chunk,) = read_chunks(path, fmt=file_format(path), chunk_size=10, encoding=encoding)
    assert chunk.malformed_lines == []
    assert chunk.frame.to_dict("records") == [{"text": "快递太慢", "id": "1"}]
    summary = score_file(path, tmp_path / "out.csv", encoding=encoding, id_column="id")
    assert (summary.rows, summary.malformed_lines) == (1, [])


@pytest.mark.parametrize(
    ("data", "encoding", "problem", "orders"),
    [
        ("text\n快递太慢\n".encode(), "utf-16", "UTF-16 stream does not start with BOM", "16"),
        ("text\n快递太慢\n".encode("utf-16-le"), "utf-16", "UTF-16 stream does not start", "16"),
        ("text\n快递太慢\n".encode("gbk"), "utf-16", "UTF-16 stream does not start", "16"),
        (gzip.compress("text\n快递太慢\n".encode()), "utf-16", "UTF-16 stream does not", "16"),
        ("text\n快递太慢\n".encode("utf-32-le"), "utf-32", "UTF-32 stream does not start", "32"),
        ("text\n快递太慢\n".encode("utf-32-be"), "UTF32", "UTF-32 stream does not start", "32"),
    ],
    ids=["utf-8", "utf-16-le", "gbk", "gzip", "utf-32-le", "utf-32-be"],
)
def test_an_encoding_that_needs_a_byte_order_mark_the_file_lacks_is_an_error(
    tmp_path: Path, data: bytes, encoding: str, problem: str, orders: str
) -> None:
    # the decoder cannot start: not a warning of bytes read as U+FFFD, but an
    # error naming the file (it was a bare UnicodeError, no file named) and
    # the byte orders of its own width (utf-32 was told to name utf-16-le)
    path = tmp_path / ("f.csv.gz" if data.startswith(b"\x1f\x8b") else "f.csv")
    path.write_bytes(data)
    message = (
        rf"f\.csv(\.gz)? cannot be read as {encoding}: {problem}.*name the byte order "
        rf"\(utf-{orders}-le or utf-{orders}-be\)"
    )
    with pytest.raises(InputFileError, match=message):
        check_encoding(path, encoding)
    with pytest.raises(InputFileError, match=message):
        score_file(path, tmp_path / "out.csv", encoding=encoding)
    if orders == "16":  # detected, the encoding reads it (UTF-32 without a mark is not)
        (chunk,) = read_chunks(path, fmt="csv", chunk_size=10)
        assert chunk.frame["text"].tolist() == ["快递太慢"]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.csv", "csv"),
        ("a.CSV", "csv"),
        ("a.tsv", "tsv"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.parquet", "parquet"),
        ("a.csv.gz", "csv"),
        ("x.2024.jsonl", "jsonl"),
        # the extension before the compression's
        ("a.csv.bz2", "csv"),
        ("a.tsv.xz", "tsv"),
        ("a.JSONL.XZ", "jsonl"),
        ("a.txt.bz2", "tsv"),
        ("a.csv.zip", "csv"),
    ],
)
def test_file_format(name: str, fmt: str) -> None:
    assert file_format(name) == fmt


def test_file_format_errors() -> None:
    with pytest.raises(ValueError, match=r"\.csv, \.tsv, \.jsonl.*--input-format"):
        file_format("a.dat")
    with pytest.raises(
        ValueError, match=r"a\.xlsx: a spreadsheet workbook is neither read nor written; use CSV"
    ):
        file_format("a.xlsx")
    with pytest.raises(ValueError, match="choose one of"):
        file_format("a.csv", "excel")
    assert file_format("a.dat", "tsv") == "tsv"


def test_csv_chunks_and_malformed_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        'id,text\n1,a\n2,"two\nlines"\n3,b,extra\n\n4,c\n5\n6,d\n',
        encoding="utf-8",
    )
    chunks = list(read_chunks(path, fmt="csv", chunk_size=2))
    frames = [c.frame for c in chunks]
    assert [len(f) for f in frames] == [2, 2]
    assert pd.concat(frames)["id"].tolist() == ["1", "2", "4", "6"]
    assert frames[0]["text"].tolist() == ["a", "two\nlines"]
    assert [n for c in chunks for n in c.malformed_lines] == [5, 8]


@pytest.mark.parametrize(
    ("body", "ids", "malformed"),
    [
        # a quote left open runs to the end of the file: every line it swallowed is reported
        ('1,a\n2,"太慢了\n3,b\n4,c\n', ["1"], [3, 4, 5]),
        # ... or to the next quote, which then is not followed by a delimiter
        ('1,a\n2,"太慢了\n3,b\n4,"c"d\n5,e\n', ["1", "5"], [3, 4, 5]),
        ('1,"a"b\n2,c\n', ["2"], [2]),
        # quotes inside an unquoted field, and doubled inside a quoted one, are text
        ('1,他说"好"的\n2,"他说""好"""\n', ["1", "2"], []),
    ],
)
@pytest.mark.filterwarnings("ignore:.*opens a quote that is never closed")
def test_csv_stray_quotes_are_reported_not_merged(
    tmp_path: Path, body: str, ids: list[str], malformed: list[int]
) -> None:
    path = tmp_path / "f.csv"
    path.write_text("id,text\n" + body, encoding="utf-8")
    chunks = list(read_chunks(path, fmt="csv", chunk_size=10))
    assert pd.concat([c.frame for c in chunks])["id"].tolist() == ids
    assert [n for c in chunks for n in c.malformed_lines] == malformed


@pytest.mark.parametrize(
    ("name", "body", "texts", "malformed"),
    [
        # one column: a blank line is an empty text, so rows stay in line with the input
        ("f.csv", "text\n快递太慢了\n\n房间很脏\n", ["快递太慢了", "", "房间很脏"], []),
        ("f.csv", "text\n\n\n客服不理人\n", ["", "", "客服不理人"], []),
        ("f.csv", "text\r\n快递太慢了\r\n\r\n房间很脏\r\n", ["快递太慢了", "", "房间很脏"], []),
        ("f.tsv", "text\n快递太慢了\n\n房间很脏\n", ["快递太慢了", "", "房间很脏"], []),
        ("f.csv", 'text\n好评\n\n"坏"了\n\n差评\n', ["好评", "", "", "差评"], [4]),
        # ... but the end of the file is no row: neither its last newline nor blank lines after
        ("f.csv", "text\n快递太慢了\n", ["快递太慢了"], []),
        ("f.csv", "text\n快递太慢了", ["快递太慢了"], []),
        ("f.csv", "text\n快递太慢了\n\n\n", ["快递太慢了"], []),
        ("f.csv", "text\n\n", [], []),
        # several columns: a blank line is no row, a line of empty fields is one
        ("f.csv", "id,text\n1,快递太慢了\n\n2,房间很脏\n,\n", ["快递太慢了", "房间很脏", ""], []),
        # ... and so is a line of only spaces or a tab, as before the header
        ("f.csv", "id,text\n1,快递太慢了\n  \n2,房间很脏\n\t\n", ["快递太慢了", "房间很脏"], []),
        (
            "f.tsv",
            "id\ttext\r\n1\t快递太慢了\r\n \r\n2\t房间很脏\r\n",
            ["快递太慢了", "房间很脏"],
            [],
        ),
        # in a file of one column it is a text (of spaces), as an empty line is
        ("f.csv", "text\n快递太慢了\n  \n房间很脏\n", ["快递太慢了", "  ", "房间很脏"], []),
    ],
)
def test_blank_lines_of_a_one_column_file_are_empty_texts(
    tmp_path: Path, name: str, body: str, texts: list[str], malformed: list[int]
) -> None:
    path = tmp_path / name
    path.write_bytes(body.encode("utf-8"))
    for size in (1, 2, 10):
        chunks = list(read_chunks(path, fmt=file_format(path), chunk_size=size))
        assert all(len(c.frame) <= size for c in chunks)
        assert pd.concat([c.frame for c in chunks])["text"].tolist() == texts
        assert [n for c in chunks for n in c.malformed_lines] == malformed


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        # a quoted line break, a blank line and a malformed line in between
        ('id,text\n1,快递太慢了\n\n2,"房间\n很脏"\n3,多,余\n4,太贵了\n', [2, 4, 7]),
        # blank lines of a one-column file are rows, before the header they are not
        ("text\n快递太慢了\n\n房间很脏\n", [2, 3, 4]),
        ("\n  \nid,text\n1,快递太慢了\n", [4]),
        ("id,text\r\n1,快递太慢了\r\n2,房间很脏\r\n", [2, 3]),
    ],
)
def test_each_csv_row_knows_the_line_it_starts_on(
    tmp_path: Path, body: str, lines: list[int]
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(body.encode("utf-8"))
    for size in (1, 2, 10):
        chunks = list(read_chunks(path, fmt="csv", chunk_size=size))
        assert all(len(c.lines) == len(c.frame) for c in chunks)
        assert [n for c in chunks for n in c.lines] == lines


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("f.csv", codecs.BOM_UTF8 + "id,text\n1,快递太慢了\n2,多,余\n3,房间很脏\n".encode()),
        (
            "f.csv",
            'id,text\r\n1,"房间很脏,\r\n空调也坏了"\r\n\r\n2,"说""好的""退款呢"\r\n'.encode(),
        ),
        ("f.csv", "sep=;\nid;text\n1;快递太慢了\n".encode()),
        ("f.tsv", "text\n快递太慢了\n\n房间很脏\n\n".encode()),
        (
            "f.jsonl",
            '{"id": 1, "text": "快递太慢了"}\nnot json\n{"text": "房间很脏", "shop": "A"}\n'
            '{"text": null, "tags": ["退款"], "id": 3}\n'.encode(),
        ),
    ],
    ids=["bom", "quoted-crlf", "sep", "one-column", "jsonl-keys"],
)
def test_rows_read_one_by_one_make_the_frame_a_chunk_of_them_is(
    tmp_path: Path, name: str, data: bytes
) -> None:
    # a live stream's rows, each given as it is read, are built into one frame
    # as they arrive together: the frame, lines and malformed lines of a chunk
    path = tmp_path / name
    path.write_bytes(data)
    fmt = file_format(path)
    (chunk,) = read_chunks(path, fmt=fmt, chunk_size=100, encoding="utf-8")
    read = list(read_rows(path, fmt=fmt, chunk_size=1, encoding="utf-8"))
    assert all(len(part.rows) <= 1 for part in read)
    pd.testing.assert_frame_equal(rows_frame(read), chunk.frame)
    assert [n for part in read for n in part.lines] == chunk.lines
    assert [n for part in read for n in part.malformed_lines] == chunk.malformed_lines


def _take_every_list_for_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    """pandas' guess whether a list holds arrays saying yes of every list, as
    it does of a list of names when an exception is raised within it."""
    from pandas._libs import lib

    monkeypatch.setattr(lib, "is_all_arraylike", lambda values: True)


# files -> the columns of their chunks of two rows
COLUMNS_READ = [
    ("f.csv", "id,text\n1,快递太慢了\n2,房间很脏\n3,退款还没到\n", [["id", "text"]] * 2),
    ("f.tsv", "text\n快递太慢了\n房间很脏\n", [["text"]]),
    (
        "f.jsonl",
        '{"id": 1, "text": "快递太慢了"}\n{"text": "房间很脏", "shop": "A"}\n'
        '{"tags": ["退款"], "text": "退款还没到"}\n',
        [["id", "text", "shop"], ["tags", "text"]],
    ),
]


@pytest.mark.parametrize(("name", "data", "columns"), COLUMNS_READ, ids=["csv", "tsv", "jsonl"])
def test_a_chunk_s_columns_are_its_names_whatever_pandas_guesses_of_a_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: str, columns: list[list[str]]
) -> None:
    # pandas guesses whether a list given as a frame's columns holds arrays,
    # the levels of a MultiIndex; compiled, the guess reads an exception
    # raised within it (a KeyboardInterrupt of Ctrl-C) as a yes and may lose
    # it, so that a header was taken for arrays ("TypeError: Input must be a
    # list / sequence of array-likes"). A reader's names are never guessed at:
    # its frames are those read when pandas guesses right
    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    fmt = file_format(path)
    chunks = list(read_chunks(path, fmt=fmt, chunk_size=2, encoding="utf-8"))
    _take_every_list_for_arrays(monkeypatch)
    guessed = list(read_chunks(path, fmt=fmt, chunk_size=2, encoding="utf-8"))
    assert [list(chunk.frame.columns) for chunk in guessed] == columns
    for chunk, read in zip(chunks, guessed, strict=True):
        pd.testing.assert_frame_equal(read.frame, chunk.frame)


def test_a_parquet_column_named_twice_is_read_whatever_pandas_guesses_of_a_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a join's output, two columns of one name, which the reader names again
    # after pyarrow's conversion
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    ids, texts = pa.array(["a-1", "b-2"]), pa.array(["快递一周还没到", "客服不理人"])
    table = pa.Table.from_arrays([ids, texts, ids], names=["id", "text", "id"])
    pq.write_table(table, tmp_path / "in.parquet")
    (chunk,) = read_chunks(tmp_path / "in.parquet", fmt="parquet", chunk_size=10)
    _take_every_list_for_arrays(monkeypatch)
    (read,) = read_chunks(tmp_path / "in.parquet", fmt="parquet", chunk_size=10)
    assert list(read.frame.columns) == ["id", "text", "id"]
    pd.testing.assert_frame_equal(read.frame, chunk.frame)


# inputs whose columns are made up as they are read: records whose keys
# differ from chunk to chunk, the first with the text or without it; no rows
KEYS_APART = [
    ("f.jsonl", '{"id": 1, "text": "快递太慢了"}\n{"text": "退款还没到", "shop": "A"}\n'),
    (
        "f.jsonl",
        '{"id": 1}\n{"id": 2, "text": "快递太慢了", "shop": "A"}\n'
        '{"text": "房间很脏,空调也坏了", "id": 3}\n',
    ),
    ("f.csv", "id,text\n"),
]


@pytest.mark.parametrize("stream", [False, True], ids=["file", "stream"])
@pytest.mark.parametrize(("name", "data"), KEYS_APART, ids=["keys", "text-later", "no-rows"])
def test_an_input_is_scored_whatever_pandas_guesses_of_a_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, data: str, stream: bool
) -> None:
    from triage.batch import _score_stream

    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    fmt = file_format(path)

    def scored() -> tuple[bytes, list[str]]:
        out = tmp_path / "out.csv"
        with warnings.catch_warnings(record=True) as caught:  # keys dropped
            warnings.simplefilter("always")
            if stream:
                with out.open("wb") as target:
                    _score_stream(
                        io.BytesIO(data.encode()),
                        target,
                        input_format=fmt,
                        output_format="csv",
                        model=LexiconModel(),
                        chunk_size=1,
                    )
            else:
                score_file(path, out, model=LexiconModel(), chunk_size=1)
        return out.read_bytes(), [str(w.message) for w in caught]

    right = scored()
    _take_every_list_for_arrays(monkeypatch)
    assert scored() == right


# bare carriage returns (CR): a file's rows -> its rows read, the malformed
# lines, the lines of rows a bare CR ended among rows a line feed ended
BARE_CR = [
    # a CR ends a row, as in pandas and the csv module: a CR inside a text
    # splits it, so a file of both kinds of line end is warned of
    ("id\ttext\n1\t快递\r没到\n2\t房间\n", [["1", "快递"], ["2", "房间"]], [3], [2]),
    ("text\n快递\r没到\n房间\n", [["快递"], ["没到"], ["房间"]], [], [2]),
    # quoted, a CR is text; a file of old Mac programs ends every row so
    ('text\n"快递\r没到"\n房间\n', [["快递\r没到"], ["房间"]], [], []),
    ("text\r快递\r\r房间\r", [["快递"], [""], ["房间"]], [], []),
    # "\r\r\n", as a CSV writer on Windows writes through a file opened
    # without newline="", is one line end, not a line end and a blank line
    ("text\r\r\n快递\r\r\n房间\r\r\n", [["快递"], ["房间"]], [], []),
    ("text\r\r\n快递\r\r\n\r\r\n房间\r\r\n", [["快递"], [""], ["房间"]], [], []),
    ("id,text\r\r\n1,快递\r\r\n2,房间\r\r\n", [["1", "快递"], ["2", "房间"]], [], []),
]


@pytest.mark.parametrize(("body", "rows", "malformed", "cr_lines"), BARE_CR)
def test_a_bare_carriage_return_ends_a_row_and_a_mix_of_line_ends_is_warned_of(
    tmp_path: Path, body: str, rows: list[list[str]], malformed: list[int], cr_lines: list[int]
) -> None:
    path = tmp_path / ("f.tsv" if "\t" in body else "f.csv")
    path.write_bytes(body.encode())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chunks = list(read_chunks(path, fmt=file_format(path), chunk_size=1, encoding="utf-8"))
    assert pd.concat([c.frame for c in chunks]).to_numpy().tolist() == rows
    assert [n for c in chunks for n in c.malformed_lines] == malformed
    messages = [str(w.message) for w in caught]
    if cr_lines:
        (message,) = messages
        shown = ", ".join(map(str, cr_lines))
        ended = f"{len(cr_lines)} row" + "s" * (len(cr_lines) != 1)
        lines = "line" + "s" * (len(cr_lines) != 1)
        assert message.startswith(f"{path}: a bare carriage return (CR) ends {ended}, on {lines} ")
        assert f"on {lines} {shown}, the others a line feed" in message
    else:
        assert messages == []


@pytest.mark.parametrize(
    ("rows", "shown"),
    [
        (10, "2, 4, 6, 8, 10, 12, 14, 16, 18, 20, the"),
        (11, "2, 4, 6, 8, 10, 12, 14, 16, 18, 20, ..., the"),
    ],
)
def test_the_bare_carriage_returns_of_many_rows_are_shown_ten_at_most(
    tmp_path: Path, rows: int, shown: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(("text\n" + "快递\r没到\n" * rows).encode())
    with pytest.warns(TriageWarning) as caught:
        list(read_chunks(path, fmt="csv", chunk_size=100, encoding="utf-8"))
    (message,) = [str(w.message) for w in caught]
    assert f"ends {rows} rows, on lines {shown} others a line feed" in message


def test_a_file_whose_every_row_a_bare_cr_ends_is_read_in_memory_that_does_not_grow(
    tmp_path: Path,
) -> None:
    # an old Mac program's file: its rows read in chunks hold nothing more for
    # each row read, as a file of LF or CRLF line ends; the warning of a mix of
    # line ends still counts every row a bare CR ended, none of those that
    # "\r\r\n" ended
    def peak(rows: int) -> tuple[int, str]:
        path = tmp_path / f"{rows}.csv"
        body = "".join("快递没到\r" if i % 3 else "房间很脏\r\r\n" for i in range(rows))
        path.write_bytes(("text\n" + body).encode())
        tracemalloc.start()
        try:
            with pytest.warns(TriageWarning) as caught:
                for _ in read_chunks(path, fmt="csv", chunk_size=500, encoding="utf-8"):
                    pass
            return tracemalloc.get_traced_memory()[1], str(caught[0].message)
        finally:
            tracemalloc.stop()

    small, said = peak(6_000)
    assert "ends 3,999 rows, on lines 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, ..., the" in said
    large, said = peak(60_000)
    assert "ends 39,999 rows, on lines 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, ..., the" in said
    assert large < small + 200_000  # a list of those lines held 1.3 MB more


# a live stream's CRLF that a pause splits: what has arrived when its first
# row is read, what arrives after it
SPLIT_CRLF = [
    ("csv", "id,text\r\n1,快递一周还没到\r", "\n2,房间很脏\r\n3,多,余\r\n4,退款没到账\r\n"),
    ("csv", "id,text\r", "\n1,快递一周还没到\r\n2,多,余\r\n"),  # the header's
    ("csv", 'id,text\r\n1,"快递\r', '\n一周还没到"\r\n2,多,余\r\n'),  # a quoted field's
    ("csv", "text\r\n快递一周还没到\r", "\n\n房间很脏\r\n"),  # a blank line after it
    ("csv", "text\r\n快递一周还没到\r", "\n"),  # the input's last
    ("jsonl", '{"text": "快递一周还没到"}\r', '\nnot json\r\n{"text": "房间很脏"}\r\n'),
    # a string a CR broke, which a CRLF does not: the line ends there, as in a file
    ("jsonl", '{"text": "快递\r', '\n一周还没到"}\r\n{"text": "房间很脏"}\r\n'),
]


@pytest.mark.skipif(os.name != "posix", reason="a pause is told on POSIX")
@pytest.mark.parametrize(("fmt", "first", "rest"), SPLIT_CRLF)
def test_a_crlf_a_live_stream_splits_keeps_the_lines_a_file_of_it_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, first: str, rest: str
) -> None:
    # the LF that came after the pause was read as a blank line, so that every
    # line after it, a malformed line's in the summary, was numbered one more
    import threading

    from triage import _io

    read, write = os.pipe()
    waited = threading.Event()  # the CR read as ending its line: the pause
    idle = _io._Headed.idle

    def told(self: Any, timeout: float) -> bool:
        if idle(self, timeout):
            waited.set()
            return True
        return False

    monkeypatch.setattr(_io._Headed, "idle", told)
    paused: list[bool] = []

    def feed() -> None:
        os.write(write, first.encode())
        paused.append(waited.wait(60))
        os.write(write, rest.encode())
        os.close(write)

    writer = threading.Thread(target=feed)
    writer.start()
    with open(read, "rb", buffering=0) as pipe:
        raw = _io.unless_binary(pipe, "<stdin>", "")
        streamed = list(read_rows("<stdin>", fmt=fmt, chunk_size=1, raw=raw))
    writer.join()
    assert paused == [True]
    path = tmp_path / f"f.{fmt}"
    path.write_bytes((first + rest).encode())
    whole = list(read_rows(path, fmt=fmt, chunk_size=1, encoding="utf-8"))
    # a stream's malformed line is given as it is read, in a part with no row
    for of in ("rows", "lines", "malformed_lines"):
        assert [x for p in streamed for x in getattr(p, of)] == [
            x for p in whole for x in getattr(p, of)
        ], of
    assert [p.rows for p in streamed if p.rows] == [p.rows for p in whole if p.rows]


def test_text_is_mostly_utf8_from_four_chinese_characters_to_one_bad_sequence() -> None:
    assert mostly_utf8("快递没到\ufffd")
    assert not mostly_utf8("快递没\ufffd")
    assert mostly_utf8("") and mostly_utf8("hello")


def test_csv_field_longer_than_the_csv_module_default_is_read(tmp_path: Path) -> None:
    long = "快递太慢了" * 40_000  # 200,000 characters; the csv module's default limit is 131,072
    path = tmp_path / "f.csv"
    path.write_text(f'id,text\n1,{long}\n2,"{long}"\n3,短\n', encoding="utf-8")
    (chunk,) = read_chunks(path, fmt="csv", chunk_size=10)
    assert chunk.frame["text"].tolist() == [long, long, "短"]
    assert chunk.malformed_lines == []


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_a_line_over_the_limit_is_a_malformed_line_not_held_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    monkeypatch.setattr("triage._io.MAX_LINE", 40)
    longest = "退款" * 19 + "没到"  # 40 characters: read
    path = tmp_path / "f.csv"
    lines = ["id,text", f"1,{longest[2:]}", "2," + "快递太慢" * 30, "3,房间很脏", "4," + "吵" * 39]
    path.write_bytes((end.join(lines) + end + "5," + "慢" * 100).encode("utf-8"))
    for chunk_size in (1, 1000):
        chunks = list(read_chunks(path, fmt="csv", chunk_size=chunk_size))
        frame = pd.concat([c.frame for c in chunks])
        assert frame["id"].tolist() == ["1", "3"]
        assert frame["text"].tolist() == [longest[2:], "房间很脏"]
        assert [n for c in chunks for n in c.malformed_lines] == [3, 5, 6]
    path = tmp_path / "f.jsonl"
    records = [json.dumps({"text": t}, ensure_ascii=False) for t in ("退款没到账", "吵" * 40, "好")]
    path.write_bytes((end.join(records) + end).encode("utf-8"))
    chunks = list(read_chunks(path, fmt="jsonl", chunk_size=1000))
    assert [t for c in chunks for t in c.frame["text"]] == ["退款没到账", "好"]
    assert [n for c in chunks for n in c.malformed_lines] == [2]


def test_the_lines_of_a_quoted_field_over_the_limit_are_malformed_not_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # once the csv module gave up on the field, each line after was a row
    monkeypatch.setattr("triage._io._CSV_FIELD_LIMIT", 60)
    quoted = "\n".join(f"9{i},第{i}行：快递一周还没到，客服也不回" for i in range(6))
    path = tmp_path / "f.csv"
    path.write_text(f'id,text\n1,房间很脏\n2,"{quoted}"\n3,"退款""没到账"""\n', encoding="utf-8")
    old = csv.field_size_limit(60)
    try:
        (chunk,) = read_chunks(path, fmt="csv", chunk_size=100)
    finally:
        csv.field_size_limit(old)
    assert chunk.frame.values.tolist() == [["1", "房间很脏"], ["3", '退款"没到账"']]
    assert chunk.malformed_lines == [3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # an export that cut a text after its opening quote: every line after is lost
        ('1,房间很脏\n2,"快递一周还没到\n3,客服也不回\n4,退款没到账\n', "line 3 opens a quote"),
        ('1,房间很脏\n2,退款没到账\n3,"客服也不回\n', None),  # the last line alone
        ('1,"房间\n很脏"\n2,退款没到账\n', None),  # a quote closed on a later line
    ],
)
def test_a_quote_never_closed_is_named_as_why_the_lines_after_it_are_malformed(
    tmp_path: Path, body: str, said: str | None
) -> None:
    # the summary listed lines 2, 3, 4 as malformed and no more: a file wrong throughout
    path = tmp_path / "f.csv"
    path.write_text("id,text\n" + body, encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (chunk,) = read_chunks(path, fmt="csv", chunk_size=100)
    told = [str(w.message) for w in caught if issubclass(w.category, TriageWarning)]
    if said is None:
        assert told == []
    else:
        assert chunk.frame.values.tolist() == [["1", "房间很脏"]]
        assert chunk.malformed_lines == [3, 4, 5]
        assert told == [
            f"{path}: the record on line 3 opens a quote that is never closed, so lines 3 to "
            "5, the end of the file, are one malformed record and none of them is read; "
            'close the quote, or double a quote inside a text ("")'
        ]


def test_a_header_over_the_line_limit_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("triage._io.MAX_LINE", 40)
    path = tmp_path / "f.csv"
    path.write_text("\nid," + "text" * 20 + "\n1,快递慢\n", encoding="utf-8")
    message = r"f\.csv: the first line that is not blank, the header, is over 40 characters"
    with pytest.raises(InputFileError, match=message):
        sniff_header(path)
    with pytest.raises(InputFileError, match=message):
        list(read_chunks(path, fmt="csv", chunk_size=10))


@pytest.fixture
def default_field_limit() -> Iterator[None]:
    """The csv module's field limit at its default, as in a new process."""
    old = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(old)


@pytest.mark.usefixtures("default_field_limit")
def test_a_header_longer_than_the_csv_module_default_is_read(tmp_path: Path) -> None:
    # split at a tab or a semicolon, a header of many columns is one field
    # past the default limit: "field larger than field limit (131072)"
    names = ["text", *(f"feature_{i}" for i in range(20_000))]  # 230,000 characters
    path = tmp_path / "f.csv"
    path.write_text(",".join(names) + "\n快递太慢了," + ",1" * 19_999 + "1\n", encoding="utf-8")
    assert sniff_header(path, columns=("text",)) == (",", names)
    (chunk,) = read_chunks(path, fmt="csv", chunk_size=10)
    assert chunk.frame.columns.tolist() == names


@pytest.mark.usefixtures("default_field_limit")
def test_reading_a_csv_leaves_the_csv_module_s_field_limit_as_it_was(tmp_path: Path) -> None:
    # the limit is one for the process: raised for good, the application's
    # own csv reading took fields of 64 MB from then on
    long = "快递太慢了" * 40_000  # 200,000 characters
    path = tmp_path / "f.csv"
    path.write_text(f'id,text\n1,"{long}"\n2,短\n', encoding="utf-8")
    assert sniff_header(path) == (",", ["id", "text"])
    assert csv.field_size_limit() == 131_072
    chunks = read_chunks(path, fmt="csv", chunk_size=1)
    assert next(chunks).frame["text"].tolist() == [long]
    assert csv.field_size_limit() == 131_072  # between chunks too
    assert next(chunks).frame["text"].tolist() == ["短"]
    score_file(path, tmp_path / "out.csv", model=LexiconModel())
    assert csv.field_size_limit() == 131_072
    # a limit the application sets meanwhile is its own
    chunks = read_chunks(path, fmt="csv", chunk_size=1)
    next(chunks)
    csv.field_size_limit(1_000_000)
    assert [len(c.frame) for c in chunks] == [1]
    assert csv.field_size_limit() == 1_000_000


def test_a_file_without_rows_still_gives_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("id,text\n", encoding="utf-8")
    (chunk,) = read_chunks(path, fmt="csv", chunk_size=10)
    assert list(chunk.frame.columns) == ["id", "text"] and len(chunk.frame) == 0


@pytest.mark.parametrize(
    ("name", "header"),
    [("f.csv", "id, text ,渠道\n"), ("f.tsv", " id\ttext\t 渠道\n")],
    ids=["csv", "tsv"],
)
def test_spaces_around_header_names_are_dropped(tmp_path: Path, name: str, header: str) -> None:
    # as read_labeled and the delimiter sniffer read them: "id, text" names the column text
    sep = "\t" if name.endswith(".tsv") else ","
    path = tmp_path / name
    path.write_text(header + sep.join(["1", "快递太慢", "app"]) + "\n", encoding="utf-8")
    fmt = "tsv" if name.endswith(".tsv") else "csv"
    (chunk,) = read_chunks(path, fmt=fmt, chunk_size=10)
    assert list(chunk.frame.columns) == ["id", "text", "渠道"]
    assert chunk.frame["text"].tolist() == ["快递太慢"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("f.csv", b""),
        ("f.csv", codecs.BOM_UTF8),
        ("f.csv", codecs.BOM_UTF16_LE),
        ("f.csv", b" \n\r\n\t\n"),
        ("f.tsv", b"\n\n"),
        ("f.csv.gz", gzip.compress(b"")),
        ("f.jsonl", b""),
        ("f.jsonl", codecs.BOM_UTF8 + b"\n  \n"),
    ],
    ids=["empty", "bom", "utf-16-bom", "blank-lines", "tsv", "gzip", "jsonl", "jsonl-blank"],
)
def test_a_file_without_a_header_is_an_error(tmp_path: Path, name: str, data: bytes) -> None:
    # a failed export, not a table with no rows
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputFileError, match=f"{name} is empty") as info:
        list(read_chunks(path, fmt=file_format(path), chunk_size=10))
    assert isinstance(info.value, ValueError)


def test_blank_lines_before_the_header_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("\n  \nid,text\n1,快递太慢了\n2,房间很脏,多余\n", encoding="utf-8")
    (chunk,) = read_chunks(path, fmt="csv", chunk_size=10)
    assert chunk.frame.columns.tolist() == ["id", "text"]
    assert chunk.frame["text"].tolist() == ["快递太慢了"]
    assert chunk.malformed_lines == [5]  # line numbers still count the blank lines


# files that start with the line Excel reads as naming the delimiter ->
# its delimiter, rows, the lines they start on and the malformed lines,
# numbered in the file (the sep= line is line 1)
SEP_LINES = [
    (
        "f.csv",
        "sep=;\nid;text\n1;快递还没到,三天了\n2;客服不回\n",
        ";",
        [["1", "快递还没到,三天了"], ["2", "客服不回"]],
        [3, 4],
        [],
    ),
    (
        "f.csv",
        "sep=\t\r\nid\ttext\r\n1\t房间很脏,没人打扫\r\n",
        "\t",
        [["1", "房间很脏,没人打扫"]],
        [3],
        [],
    ),
    (
        "f.csv",
        "sep=|\nid|text\n1|退款;说好三天\n2|多|一列\n3|快递丢了\n",
        "|",
        [["1", "退款;说好三天"], ["3", "快递丢了"]],
        [3, 5],
        [4],
    ),
    # the name of a TSV file says nothing against the line
    ("f.tsv", "sep=,\nid,text\n1,奶粉\t有异味\n", ",", [["1", "奶粉\t有异味"]], [3], []),
    # quoted by a CSV writer that wrote it as a field; in capitals
    ("f.csv", '"sep=,"\nid,text\n1,会员费乱扣\n', ",", [["1", "会员费乱扣"]], [3], []),
    ("f.csv", "SEP=;\nid;text\n1;会员费乱扣\n", ";", [["1", "会员费乱扣"]], [3], []),
    # blank lines around it, as before any header
    ("f.csv", "\nsep=;\n\nid;text\n1;快递还没到\n", ";", [["1", "快递还没到"]], [5], []),
    # a file of one column
    ("f.csv", "sep=;\ntext\n快递还没到,气死了\n", ";", [["快递还没到,气死了"]], [3], []),
]


@pytest.mark.parametrize(("name", "body", "delimiter", "rows", "lines", "malformed"), SEP_LINES)
def test_a_first_line_naming_the_delimiter_is_read_as_excel_reads_it(
    tmp_path: Path,
    name: str,
    body: str,
    delimiter: str,
    rows: list[list[str]],
    lines: list[int],
    malformed: list[int],
) -> None:
    path = tmp_path / name
    path.write_bytes(body.encode("utf-8"))
    columns = ["text"] if len(rows[0]) == 1 else ["id", "text"]
    assert sniff_header(path, columns=("text", "id")) == (delimiter, columns)
    for size in (1, 10):
        chunks = list(read_chunks(path, fmt=file_format(path), chunk_size=size))
        assert {tuple(c.frame.columns) for c in chunks} == {tuple(columns)}
        assert [r for c in chunks for r in c.frame.values.tolist()] == rows
        assert [n for c in chunks for n in c.lines] == lines
        assert [n for c in chunks for n in c.malformed_lines] == malformed


@pytest.mark.parametrize("data", [b"sep=;\r\n", b"sep=,", b"sep=\t\n\n  \n"])
def test_a_file_of_a_sep_line_alone_is_empty(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert sniff_header(path) == (data[4:5].decode(), [])
    with pytest.raises(InputFileError, match=r"f\.csv is empty"):
        list(read_chunks(path, fmt="csv", chunk_size=10))


def test_gzip_input(tmp_path: Path) -> None:
    path = tmp_path / "f.csv.gz"
    with gzip.open(path, "wb") as f:
        f.write(TEXT.encode("gbk"))
    assert detect_encoding(path) == "gb18030"
    (chunk,) = read_chunks(path, fmt="csv", chunk_size=10)
    assert chunk.frame["text"].tolist() == ["快递太慢了", "房间很脏"]


COMPRESS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}

# a GBK export with a quoted line break, a malformed line and a blank line:
# what the reader sees must not depend on how the file was compressed
DELIMITED = 'id,text\n1,快递太慢了\n2,"房间很脏\n空调也坏了"\n3,包装,破损\n\n4,客服不理人\n'
JSONL = '{"id": 1, "text": "快递太慢了"}\n不是JSON\n\n{"id": 4, "text": "客服不理人"}\n'


@pytest.mark.parametrize("compression", sorted(COMPRESS))
@pytest.mark.parametrize(
    ("name", "body", "encoding", "found", "ids", "malformed"),
    [
        ("f.csv", DELIMITED, "gbk", "gb18030", ["1", "2", "4"], [5]),
        ("f.csv", DELIMITED, "utf-8-sig", "utf-8-sig", ["1", "2", "4"], [5]),
        ("f.tsv", DELIMITED.replace(",", "\t"), "utf-8", "utf-8", ["1", "2", "4"], [5]),
        ("f.jsonl", JSONL, "utf-8", "utf-8", [1, 4], [2]),
    ],
    ids=["csv-gbk", "csv-bom", "tsv", "jsonl"],
)
def test_compressed_input_reads_as_the_plain_file(
    tmp_path: Path,
    compression: str,
    name: str,
    body: str,
    encoding: str,
    found: str,
    ids: list[Any],
    malformed: list[int],
) -> None:
    data = body.encode(encoding)
    path = tmp_path / (name + compression)
    path.write_bytes(COMPRESS[compression](data))
    assert file_format(path) == file_format(name)
    assert detect_encoding(path) == found
    for size in (1, 10):
        chunks = list(read_chunks(path, fmt=file_format(path), chunk_size=size))
        got = pd.concat([c.frame for c in chunks])
        assert got["id"].tolist() == ids
        assert [n for c in chunks for n in c.malformed_lines] == malformed
    plain = tmp_path / name
    plain.write_bytes(data)
    want = pd.concat([c.frame for c in read_chunks(plain, fmt=file_format(name), chunk_size=10)])
    pd.testing.assert_frame_equal(got, want)
    assert got["text"].tolist()[0] == "快递太慢了"


def test_jsonl_chunks(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"text": "a"}\n[1, 2]\n\n{"text": "b"}\nnot json\n', encoding="utf-8")
    chunks = list(read_chunks(path, fmt="jsonl", chunk_size=1))
    assert [c.frame["text"].tolist() for c in chunks if len(c.frame)] == [["a"], ["b"]]
    assert [n for c in chunks for n in c.malformed_lines] == [2, 5]


@pytest.mark.parametrize(
    ("content", "texts", "malformed"),
    [
        # a CR inside a text that the writer did not escape
        (
            '{"id": 1, "text": "快递还没到\r已经一周了"}\n{"id": 2, "text": "退款没到账"}\n',
            ["快递还没到\r已经一周了", "退款没到账"],
            [],
        ),
        (
            '{"id": 1, "text": "客服说\r\r会回电"}\r\n{"id": 2, "text": "退款没到账"}\r\n',
            ["客服说\r\r会回电", "退款没到账"],
            [],
        ),
        (
            '{"id": 1, "text": "房间很脏\t没人打扫"}\n{"id": 2, "text": "退款没到账"}\n',
            ["房间很脏\t没人打扫", "退款没到账"],
            [],
        ),
        # the line ends of old Mac programs, a CR in a text among them
        (
            '{"id": 1, "text": "快递还没到"}\r{"id": 2, "text": "退款没到账"}\r',
            ["快递还没到", "退款没到账"],
            [],
        ),
        (
            '{"id": 1, "text": "快递\r还没到"}\r{"id": 2, "text": "退款没到账"}\r',
            ["快递\r还没到", "退款没到账"],
            [],
        ),
        (
            '{"id": 1, "text": "快递还没到"}\r\r\n\r\n{"id": 2, "text": "退款没到账"}\n',
            ["快递还没到", "退款没到账"],
            [],
        ),
        # a string left open is a malformed line, and the next record is read
        (
            '{"id": 1, "text": "坏了\r{"id": 2, "text": "退款没到账"}\n{"id": 3, "text": "好"}\n',
            ["退款没到账", "好"],
            [1],
        ),
        ('{"id": 1, "text": "坏了\r\r{"id": 2, "text": "退款没到账"}\r', ["退款没到账"], [1]),
        ('{"id": 1, "text": "退款没到账"}\n{"id": 2, "text": "坏了\r', ["退款没到账"], [2]),
    ],
    ids=[
        "cr-in-text",
        "two-crs-in-text-crlf",
        "tab-in-text",
        "mac",
        "mac-cr-in-text",
        "cr-cr-lf",
        "open-string",
        "open-string-mac",
        "open-string-at-the-end",
    ],
)
def test_a_bare_cr_or_a_control_character_in_a_jsonl_text_is_part_of_it(
    tmp_path: Path, content: str, texts: list[str], malformed: list[int]
) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(content.encode("utf-8"))
    for chunk_size in (1, 1000):
        chunks = list(read_chunks(path, fmt="jsonl", chunk_size=chunk_size))
        assert [t for c in chunks if len(c.frame) for t in c.frame["text"].tolist()] == texts
        assert [n for c in chunks for n in c.malformed_lines] == malformed
    assert scan_jsonl(path, "utf-8").kinds == {"id": {"int"}, "text": {"str"}}


def test_a_jsonl_string_broken_by_more_crs_than_the_limit_ends_its_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a file of CRs after an open string was held whole: 3.7 GB for 100 MB
    monkeypatch.setattr("triage._io._MAX_HELD", 5, raising=False)
    path = tmp_path / "f.jsonl"
    content = (
        '{"id": 1, "text": "客服说\r\r\r会回电"}\n'  # 4 lines: read
        + '{"id": 2, "text": "坏了'
        + "\r" * 20  # 21 lines: line 5 alone is the record
        + '还没到"}\n{"id": 3, "text": "退款没到账"}\n'
    )
    path.write_bytes(content.encode("utf-8"))
    chunks = list(read_chunks(path, fmt="jsonl", chunk_size=1000))
    texts = [t for c in chunks for t in c.frame["text"]]
    assert texts == ["客服说\r\r\r会回电", "退款没到账"]
    assert [n for c in chunks for n in c.malformed_lines] == [5, 25]


def test_a_jsonl_string_broken_by_crs_past_max_line_characters_ends_its_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as many characters as a line may hold, not only so many lines
    monkeypatch.setattr("triage._io.MAX_LINE", 40)
    path = tmp_path / "f.jsonl"
    broken = '{"text": "快递\r' + ("没到" * 10 + "\r") * 3 + '了"}\n'  # over 40 characters
    path.write_bytes((broken + '{"text": "房间很脏"}\n').encode("utf-8"))
    chunks = list(read_chunks(path, fmt="jsonl", chunk_size=1000))
    assert [t for c in chunks for t in c.frame["text"]] == ["房间很脏"]
    assert [n for c in chunks for n in c.malformed_lines] == [1, 2, 3, 4, 5]


def test_a_jsonl_record_without_a_quote_ends_at_its_bare_cr(tmp_path: Path) -> None:
    # only a line with an open string goes on with the next
    path = tmp_path / "f.jsonl"
    path.write_bytes('{}\r{"text": "快递没到"}\r[1]\r'.encode())
    (chunk,) = read_chunks(path, fmt="jsonl", chunk_size=1000)
    assert chunk.frame["text"].isna().tolist() == [True, False]
    assert chunk.frame["text"].iloc[1] == "快递没到" and chunk.malformed_lines == [3]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n[1]\n", r"no line is a JSON object \(2 lines: 1, 2\); is it JSONL\?"),
        # a CSV export named .jsonl
        ("id,text\n" + "1,快递太慢\n" * 6, r"\(7 lines: 1, 2, 3, 4, 5, \.\.\.\)"),
    ],
)
def test_jsonl_of_no_record_at_all_is_an_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError, match=message):
        list(read_chunks(path, fmt="jsonl", chunk_size=2))


def test_chunk_size_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        list(read_chunks(tmp_path / "f.csv", fmt="csv", chunk_size=0))


def test_a_parquet_chunk_of_another_type_is_named_by_its_rows_in_the_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.parquet"
    with AtomicWriter(target, fmt="parquet") as writer:
        writer.write(pd.DataFrame({"n": [1, 2]}))
        writer.write(pd.DataFrame({"n": [3, 4]}))
        with pytest.raises(InputFileError, match=r"column 'n' is int64 .* but rows 5-6 hold"):
            writer.write(pd.DataFrame({"n": [[5], [6]]}))
    assert not target.exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_atomic_writer_left_without_commit_leaves_nothing_and_holds_no_descriptor(
    tmp_path: Path, fmt: str
) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc/self/fd to count open descriptors")
    frame = pd.DataFrame({"text": ["快递太慢"]})
    before = len(os.listdir("/proc/self/fd"))
    with AtomicWriter(tmp_path / "new" / f"o.{fmt}", fmt=fmt) as writer:
        writer.write(frame)
    assert list(tmp_path.iterdir()) == []
    with AtomicWriter(tmp_path / f"o.{fmt}", fmt=fmt) as writer:
        writer.write(frame)
        writer.commit()
    assert [p.name for p in tmp_path.iterdir()] == [f"o.{fmt}"]
    assert len(os.listdir("/proc/self/fd")) == before
    assert (
        len(
            pd.read_csv(tmp_path / "o.csv")
            if fmt == "csv"
            else pd.read_parquet(tmp_path / "o.parquet")
        )
        == 1
    )


def test_atomic_writer_commits_or_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    with AtomicWriter(target, fmt="csv") as writer:
        writer.write(frame)
        writer.write(frame)
        assert not target.exists()
        writer.commit()
    assert target.read_bytes() == b"a,b\r\n1,x\r\n2,y\r\n1,x\r\n2,y\r\n"

    def fail() -> None:
        with AtomicWriter(tmp_path / "other.jsonl", fmt="jsonl") as w:
            w.write(frame)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    # folders made for the target go with it; a folder that was there stays
    (tmp_path / "kept").mkdir()
    for folder in ("new/deeper", "kept/new"):
        with pytest.raises(RuntimeError), AtomicWriter(tmp_path / folder / "o.csv", fmt="csv"):
            raise RuntimeError
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "out.csv"]
    assert not any((tmp_path / "kept").iterdir())
    with AtomicWriter(tmp_path / "new" / "deeper" / "o.csv", fmt="csv") as writer:
        writer.write(frame)
        writer.commit()
    assert (tmp_path / "new" / "deeper" / "o.csv").is_file()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("linked", [False, True], ids=["pipe", "link-to-pipe"])
def test_a_target_that_is_a_named_pipe_is_written_into_not_replaced(
    tmp_path: Path, fmt: str, linked: bool
) -> None:
    # as /dev/stdout or /dev/null is, or a shell's >(gzip > scored.csv.gz):
    # renaming a file over it would replace the device with a file
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = fifo
    if linked:  # /dev/stdout is a link to /proc/self/fd/1
        target = tmp_path / "stdout"
        target.symlink_to(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with AtomicWriter(target, fmt=fmt) as writer:
            writer.write(pd.DataFrame({"id": ["7"], "text": ["快递还没到,客服不回"]}))
            assert writer.commit() == target
        data = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({fifo.name, target.name})
    plain = tmp_path / "out" / f"plain.{fmt}"
    with AtomicWriter(plain, fmt=fmt) as writer:
        writer.write(pd.DataFrame({"id": ["7"], "text": ["快递还没到,客服不回"]}))
        writer.commit()
    assert data == plain.read_bytes()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_target_without_a_temporary_folder_says_why_one_is_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a read-only root filesystem: -o /dev/null said "No such file or directory"
    import tempfile

    def nowhere() -> str:
        raise FileNotFoundError(2, "No usable temporary directory found in ['/tmp']")

    monkeypatch.setattr(tempfile, "gettempdir", nowhere)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(FileNotFoundError) as raised:
        AtomicWriter(fifo, fmt="csv")
    assert str(raised.value) == (
        f"[Errno 2] cannot write the output {fifo}: No usable temporary directory found in "
        "['/tmp']; a pipe or a device is written into once the output is complete, which a "
        "temporary file holds until then: set TMPDIR to a writable directory, or name a file"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


@pytest.mark.parametrize(
    ("link", "target", "exists"),
    [
        ("latest.csv", "runs/2024-06.csv", True),
        ("latest.csv", "runs/2024-07.csv", False),  # a link made before the run
        ("latest.jsonl.gz", "2024-06.jsonl.gz", True),
        ("out/latest.parquet", "../runs/2024-06.parquet", True),
    ],
    ids=["to-a-file", "to-no-file-yet", "compressed", "relative-from-another-folder"],
)
def test_a_target_that_is_a_link_is_written_through(
    tmp_path: Path, link: str, target: str, exists: bool
) -> None:
    # renaming the finished file over the link replaced it with a file, and
    # the file it named kept its old rows
    path = tmp_path / link
    path.parent.mkdir(parents=True, exist_ok=True)
    named = (path.parent / target).resolve()
    named.parent.mkdir(parents=True, exist_ok=True)
    if exists:
        named.write_bytes(b"old")
    path.symlink_to(target)
    fmt = file_format(named)
    frame = pd.DataFrame({"id": ["7"], "text": ["快递还没到,客服不回"]})
    with AtomicWriter(path, fmt=fmt) as writer:
        writer.write(frame)
        assert writer.commit() == path
    assert path.is_symlink() and os.readlink(path) == target
    (chunk,) = read_chunks(named, fmt=fmt, chunk_size=10)
    assert chunk.frame.astype(str).values.tolist() == [["7", "快递还没到,客服不回"]]
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".partial")]
    assert leftovers == []


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX links")
@pytest.mark.parametrize(
    "path",
    [
        "latest.csv",  # -> runs/2024-06.csv
        "out/latest.parquet",  # -> ../runs/2024-06.parquet
        "up.csv",  # -> deep/../2024-07.csv, deep a link to runs/a/b
        "deep/../x.csv",  # the parent of where the link leads
        "./runs/none/../x.csv",  # not there: as written
        "runs/2024-06.csv",  # no link
    ],
)
def test_the_file_a_link_names_is_found_as_realpath_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs/a/b").mkdir(parents=True)
    (tmp_path / "out").mkdir()
    Path("latest.csv").symlink_to("runs/2024-06.csv")
    Path("out/latest.parquet").symlink_to("../runs/2024-06.parquet")
    Path("deep").symlink_to(tmp_path / "runs/a/b")
    Path("up.csv").symlink_to("deep/../2024-07.csv")
    assert follow_links(path, "the output") == os.path.realpath(path)


@pytest.mark.skipif(not hasattr(os, "lchown"), reason="POSIX owners of links")
@pytest.mark.parametrize("step", ["last", "folder"])
def test_a_writer_refuses_another_user_s_link_in_a_shared_folder(tmp_path: Path, step: str) -> None:
    # the system refuses to open a file through such a link (fs.protected_symlinks);
    # renaming the finished file over the one it names went round that
    shared, home = tmp_path / "shared", tmp_path / "home"
    shared.mkdir()
    home.mkdir()
    shared.chmod(0o1777)
    notes = home / "notes.csv"
    notes.write_bytes(b"mine")
    planted = shared / ("out.csv" if step == "last" else "runs")
    planted.symlink_to(notes if step == "last" else home)
    try:
        os.lchown(planted, 65534, 65534)
    except PermissionError:
        pytest.skip("a link of another user is made by root alone")
    (tmp_path / "latest.csv").symlink_to(
        shared / ("out.csv" if step == "last" else "runs/notes.csv")
    )
    with pytest.raises(PermissionError, match=r"another user made in .*shared, a folder anyone"):
        AtomicWriter(tmp_path / "latest.csv", fmt="csv")
    assert notes.read_bytes() == b"mine" and sorted(home.iterdir()) == [notes]


DECOMPRESS = {".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress}


@pytest.mark.parametrize("compression", sorted(DECOMPRESS))
@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_compressed_output_holds_the_plain_output(
    tmp_path: Path, fmt: str, compression: str
) -> None:
    frame = pd.DataFrame({"id": ["1", "2"], "text": ["快递太慢了", "房间很脏\n空调也坏了"]})
    outputs = []
    for name in (f"out.{fmt}", f"out.{fmt}{compression}"):
        with AtomicWriter(tmp_path / name, fmt=fmt) as writer:
            writer.write(frame)
            writer.write(frame.iloc[::-1])
            # written beside the target, not yet in its place
            assert [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{name}.")]
            assert not (tmp_path / name).exists()
            writer.commit()
        outputs.append((tmp_path / name).read_bytes())
    plain, packed = outputs
    assert DECOMPRESS[compression](packed) == plain
    (chunk,) = read_chunks(tmp_path / f"out.{fmt}{compression}", fmt=fmt, chunk_size=10)
    assert chunk.frame["id"].tolist() == ["1", "2", "2", "1"]
    assert chunk.frame["text"].tolist()[1] == "房间很脏\n空调也坏了"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"out.{fmt}", f"out.{fmt}{compression}"]


def test_gzip_output_names_the_file_not_the_temporary_one(tmp_path: Path) -> None:
    # gunzip -N restores the name in the header: that of the output, never
    # the hidden .partial file it was written as; and no time, so the same
    # rows give the same bytes
    frame = pd.DataFrame({"text": ["快递太慢了"]})
    for name in ("a/out.csv.gz", "b/out.csv.gz"):
        with AtomicWriter(tmp_path / name, fmt="csv") as writer:
            writer.write(frame)
            writer.commit()
    data = (tmp_path / "a/out.csv.gz").read_bytes()
    assert data == (tmp_path / "b/out.csv.gz").read_bytes()
    flags, mtime = data[3], int.from_bytes(data[4:8], "little")
    assert flags & 0x08 and data[10:].startswith(b"out.csv\x00") and mtime == 0


def test_compressed_output_interrupted_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "out.jsonl.xz").write_bytes(b"old")
    frame = pd.DataFrame({"text": ["快递太慢了"] * 1000})

    def interrupted() -> None:
        with AtomicWriter(tmp_path / "out.jsonl.xz", fmt="jsonl") as w:
            w.write(frame)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl.xz"]
    assert (tmp_path / "out.jsonl.xz").read_bytes() == b"old"


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [
        ("out.csv.zip", "csv", r"cannot write a zip archive .*out\.csv\.zip; write out\.csv\.gz"),
        ("out.zip", "jsonl", r"cannot write a zip archive .*out\.zip; write out\.jsonl\.gz"),
        ("out.parquet.gz", "parquet", "Parquet is neither read nor written inside .gz"),
    ],
)
def test_zip_and_compressed_parquet_output_are_refused(
    tmp_path: Path, name: str, fmt: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        AtomicWriter(tmp_path / name, fmt=fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_written_text_fields_read_back_unchanged(tmp_path: Path, fmt: str) -> None:
    texts = ["快递\r慢", "第一行\n第二行", "客服说\r\n再等等", '他说"马上到"', "a,b\tc", ""]
    target = tmp_path / f"out.{fmt}"
    with AtomicWriter(target, fmt=fmt) as writer:
        writer.write(pd.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts}))
        writer.commit()
    (chunk,) = read_chunks(target, fmt=fmt, chunk_size=100)
    assert chunk.malformed_lines == []
    assert chunk.frame["text"].fillna("").tolist() == texts


def test_jsonl_output_keeps_full_precision_and_iso_dates(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    frame = pd.DataFrame(
        {
            "p": [0.11429908945535217, math.nan],
            "at": [pd.Timestamp("2026-03-01 08:30:00.000001"), pd.NaT],
            "n": pd.array([3, None], dtype="Int8"),
            "x": pd.array([0.5, None], dtype="Float64"),
            "d": [Decimal("1.50"), None],
        }
    )
    with AtomicWriter(target, fmt="jsonl") as writer:
        writer.write(frame)
        writer.commit()
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert records == [
        {
            "p": 0.11429908945535217,
            "at": "2026-03-01T08:30:00.000001",
            "n": 3,
            "x": 0.5,
            "d": "1.50",
        },
        {"p": None, "at": None, "n": None, "x": None, "d": None},
    ]


def test_utf8_with_a_few_corrupt_bytes_stays_utf8(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(TEXT.encode("utf-8") + b"3,bad\xff byte\n")
    with pytest.warns(UserWarning, match="1 byte sequence is not UTF-8 and is read as U"):
        assert detect_encoding(path) == "utf-8"
    with pytest.warns(UserWarning, match="1 byte sequence"):
        (chunk,) = read_chunks(path, fmt="csv", chunk_size=10)
    assert chunk.frame["text"].tolist() == ["快递太慢了", "房间很脏", "bad\ufffd byte"]
    # GBK text with a stray UTF-8 character is still GBK
    path.write_bytes(TEXT.encode("gbk") + "3,快\n".encode())
    assert detect_encoding(path) == "gb18030"


@pytest.mark.parametrize("gbk_first", [False, True], ids=["gbk-appended", "gbk-first"])
def test_a_file_whose_encoding_changes_partway_is_read_as_most_of_its_lines(
    tmp_path: Path, gbk_first: bool
) -> None:
    # an export of UTF-8 rows with GBK rows appended, or the other way round:
    # read as GB18030, which decodes almost any bytes, some UTF-8 lines were
    # read as other characters and reported nowhere
    utf8 = [f"{i},第{i}单的快递一周还没到，客服电话也打不通" for i in range(40)]
    gbk = [f"{i},房间很脏，退款金额也不对" for i in range(40, 60)]
    part_u = "".join(f"{line}\n" for line in utf8).encode("utf-8")
    part_g = "".join(f"{line}\n" for line in gbk).encode("gbk")
    path = tmp_path / "f.csv"
    body = part_g + part_u if gbk_first else part_u + part_g
    path.write_bytes(b"id,text\n" + body)
    with pytest.warns(UserWarning, match="not UTF-8"):
        assert detect_encoding(path) == "utf-8"
    with (
        pytest.warns(UserWarning, match="280 byte sequences are not UTF-8 and are read"),
        pytest.warns(UserWarning, match="not utf-8 on 20 lines"),
    ):
        summary = score_file(path, tmp_path / "out.csv")
    # every GBK line is reported, and every UTF-8 line is read as written
    first = 2 if gbk_first else 2 + len(utf8)
    assert summary.undecodable_lines == list(range(first, first + len(gbk)))
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    read = dict(zip(out["id"], out["text"], strict=True))
    assert [f"{i},{read[str(i)]}" for i in range(40)] == utf8


@pytest.mark.parametrize("gbk_first", [False, True], ids=["utf8-first", "gbk-first"])
def test_utf8_lines_among_more_of_gbk_are_said_to_be_read_damaged(
    tmp_path: Path, gbk_first: bool
) -> None:
    # two files joined, the one of GBK the longer: read as GB18030, most
    # UTF-8 lines decode, as other characters, and none of those was named
    utf8 = "".join(f"{i},第{i}单的快递一周还没到\n" for i in range(10)).encode("utf-8")
    gbk = "".join(f"{i},房间很脏，退款金额也不对\n" for i in range(10, 40)).encode("gbk")
    path = tmp_path / "f.csv"
    path.write_bytes(b"id,text\n" + (gbk + utf8 if gbk_first else utf8 + gbk))
    with pytest.warns(
        UserWarning,
        match=r"f\.csv: 10 lines of Chinese are UTF-8 and most others are not: the "
        r"file's encoding changes partway \(files joined one after another\?\), and those "
        r"lines are read as gb18030, their texts damaged; save the file again in one "
        r"encoding, or pass the encoding of most of it \(CLI: --encoding\)",
    ):
        assert detect_encoding(path) == "gb18030"
    # a GBK file, with an ASCII line, a line of one UTF-8 character, is not said to be so
    path.write_bytes(b"id,text\n" + gbk + b"1,ok\n" + "2,快\n".encode())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert detect_encoding(path) == "gb18030"


# b"\x81\x20": a GBK lead byte followed by a space, no GBK character;
# b"\xff": a byte that starts none
BROKEN = [
    ("f.csv", "gb18030", "id,text\n1,快递太慢了\n2,房间\x81\x20很脏\n", ["1", "2"], [3]),
    ("f.csv", "gb18030", "id,text\n1,快递\xff太慢了\n2,房间很脏\n", ["1", "2"], [2]),
    # a quoted line break: the line, not the row, is named
    ("f.csv", "gb18030", 'id,text\n1,"快递太慢了\n\xff"\n2,房间很脏\n', ["1", "2"], [3]),
    # a broken header names its line too
    ("f.csv", "gb18030", "id,te\xffxt\n1,快递太慢了\n", ["1"], [1]),
    ("f.tsv", "gb18030", "id\ttext\n1\t快递\xff\n2\t房间\xff\n3\t很脏\n", ["1", "2", "3"], [2, 3]),
    ("f.csv", "utf-8", "id,text\n1,快递太慢了\n2,\xe6\x88房间很脏\n", ["1", "2"], [3]),
    (
        "f.jsonl",
        "gb18030",
        '{"id": "1", "text": "快递\xff"}\n\n{"id": "2", "text": "房间"}\n',
        ["1", "2"],
        [1],
    ),
    ("f.csv.gz", "gb18030", "id,text\n1,快递太慢了\n2,房间\xff很脏\n", ["1", "2"], [3]),
    ("f.csv", "gb18030", "id,text\n1,快递太慢了\n2,房间很脏\n", ["1", "2"], []),
]


#: A CSV of one complaint with Excel's euro sign, 0x80 in code page 936.
_EURO = "id,text\n1,充值100".encode("gbk") + b"\x80" + "没到账\n".encode("gbk")


@pytest.mark.parametrize(
    ("data", "given", "texts", "lines"),
    [
        # Excel's CSV on Chinese Windows, code page 936: the euro sign is 0x80
        (
            "id,text\n1,充值100".encode("gbk") + b"\x80" + "没到账\n2,退款没到\n".encode("gbk"),
            None,
            ["充值100€没到账", "退款没到"],
            [],
        ),
        # ... read as GBK under each of its names, or as GB18030
        *((_EURO, given, ["充值100€没到账"], []) for given in ("gbk", "cp936", "gb18030")),
        # a byte after it that makes a character with it is that character: 0x80 is no lead byte
        ("id,text\n1,".encode("gbk") + b"\x81\x80\x80" + "贵\n".encode("gbk"), None, ["亐€贵"], []),
        # right after a character, whose second byte could start one
        (
            "id,text\n1,充值".encode("gbk") + b"\x80" + "没到账\n".encode("gbk"),
            "gb2312",
            ["充值€没到账"],
            [],
        ),
        (
            "id,text\n1,充值".encode("gbk") + b"\x80\x80" + "没到账\n".encode("gbk"),
            "gbk",
            ["充值€€没到账"],
            [],
        ),
        # the second byte of a character the encoding given does not have (個 of
        # GBK read as GB2312, a user-defined character of code page 936 as GBK)
        # is no euro sign
        (
            "id,text\n1,买了三個充电宝\n".encode("gbk"),
            "gb2312",
            ["买了三\ufffd\ufffd充电宝"],
            [2],
        ),
        (
            "id,text\n1,充值".encode("gbk") + b"\xa1\x80" + "没到账\n".encode("gbk"),
            "gbk",
            ["充值\ufffd\ufffd没到账"],
            [2],
        ),
        # the euro sign alone in an ASCII file: Windows-1252's 0x80 too
        (b"id,text\n1,refund 20\x80 please\n", None, ["refund 20€ please"], []),
        # not in UTF-8, where 0x80 is half a character
        (
            "id,text\n1,充值没到账\n2,退款".encode() + b"\x80" + "没到\n".encode(),
            None,
            ["充值没到账", "退款\ufffd没到"],
            [3],
        ),
        (
            "id,text\n1,充值100".encode("gbk") + b"\xff" + "没到账\n".encode("gbk"),
            "gbk",
            ["充值100\ufffd没到账"],
            [2],
        ),
    ],
    ids=[
        "detected",
        "gbk",
        "cp936",
        "gb18030",
        "after-a-lead-byte",
        "after-a-character-gb2312",
        "after-a-character-gbk",
        "second-byte-gb2312",
        "second-byte-gbk",
        "ascii",
        "utf-8",
        "not-0x80",
    ],
)
def test_the_euro_sign_of_a_gbk_file_is_read_as_excel_wrote_it(
    tmp_path: Path, data: bytes, given: str | None, texts: list[str], lines: list[int]
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error" if not lines else "ignore")
        if given is not None:
            check_encoding(path, given)
        chunks = list(read_chunks(path, fmt="csv", chunk_size=1, encoding=given))
    assert [t for c in chunks for t in c.frame["text"].tolist()] == texts
    assert [n for c in chunks for n in c.undecodable_lines] == lines


@pytest.mark.parametrize(("name", "encoding", "body", "ids", "lines"), BROKEN)
def test_lines_of_bytes_not_of_the_encoding_are_reported_and_their_rows_kept(
    tmp_path: Path, name: str, encoding: str, body: str, ids: list[str], lines: list[int]
) -> None:
    # the text holds the bytes as escapes: each character of it is its byte
    # when it is below U+0100, and the character in `encoding` otherwise
    data = b"".join(c.encode("latin-1") if ord(c) < 0x100 else c.encode(encoding) for c in body)
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    fmt = file_format(path)
    chunks = list(read_chunks(path, fmt=fmt, chunk_size=1, encoding=encoding))
    frame = pd.concat([c.frame for c in chunks])
    assert frame["id"].tolist() == ids
    assert [n for c in chunks for n in c.undecodable_lines] == lines
    assert not [n for c in chunks for n in c.malformed_lines]
    # each undecodable sequence is one U+FFFD, the rest of the text as it was
    texts = "".join(frame.to_numpy().ravel().tolist()) + "".join(frame.columns)
    assert texts.count("\ufffd") == body.count("\xff") + body.count("\x81") + body.count("\xe6\x88")
    assert "\udcff" not in texts


def write_zip(
    path: Path, members: dict[str, bytes | None], method: int = zipfile.ZIP_DEFLATED
) -> Path:
    """A zip archive of `members`; a name ending in / with None is a folder."""
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            if data is None:
                archive.mkdir(name)
            else:
                archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("name", "members", "method", "fmt"),
    [
        # the format from the file inside when the archive's name has none
        ("complaints.zip", {"complaints.csv": "gbk"}, zipfile.ZIP_DEFLATED, "csv"),
        ("complaints.zip", {"complaints.jsonl": "utf-8"}, zipfile.ZIP_STORED, "jsonl"),
        # ... and from the archive's name when it has one
        ("complaints.csv.zip", {"export.txt": "utf-8"}, zipfile.ZIP_BZIP2, "csv"),
        ("complaints.2024.zip", {"a.tsv": "utf-16"}, zipfile.ZIP_DEFLATED, "tsv"),
        # what macOS's "Compress" adds beside the file: its folder and __MACOSX
        (
            "export.zip",
            {
                "export/": None,
                "export/complaints.csv": "utf-8-sig",
                "__MACOSX/": None,
                "__MACOSX/export/._complaints.csv": b"\x00\x05\x16\x07" + bytes(100),
                "export/.DS_Store": bytes(100),
            },
            zipfile.ZIP_LZMA,
            "csv",
        ),
    ],
    ids=["csv-inside", "jsonl-inside", "csv-by-name", "tsv-inside", "macos"],
)
def test_zip_of_one_file_reads_as_the_file(
    tmp_path: Path, name: str, members: dict[str, str | bytes | None], method: int, fmt: str
) -> None:
    # the one member given by its encoding is the file to read
    ((member, encoding),) = [(m, e) for m, e in members.items() if isinstance(e, str)]
    body = {"csv": DELIMITED, "tsv": DELIMITED.replace(",", "\t"), "jsonl": JSONL}[fmt]
    data = body.encode(str(encoding))
    path = write_zip(
        tmp_path / name, {m: data if m == member else d for m, d in members.items()}, method
    )
    plain = tmp_path / f"plain.{fmt}"
    plain.write_bytes(data)
    assert file_format(path) == fmt
    assert detect_encoding(path) == detect_encoding(plain)
    for size in (1, 10):
        chunks = list(read_chunks(path, fmt=fmt, chunk_size=size))
        want = list(read_chunks(plain, fmt=fmt, chunk_size=size))
        pd.testing.assert_frame_equal(
            pd.concat([c.frame for c in chunks]), pd.concat([c.frame for c in want])
        )
        assert [c.malformed_lines for c in chunks] == [c.malformed_lines for c in want]
    assert [n for c in chunks for n in c.malformed_lines] == [2 if fmt == "jsonl" else 5]
    assert chunks[0].frame["text"].tolist()[0] == "快递太慢了"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({}, r"f\.zip holds no file to read; a zip archive is read when it holds one file"),
        (
            {"export/": None, "__MACOSX/": None, "__MACOSX/._a.csv": b"x"},
            r"f\.zip holds no file to read \(only export/, __MACOSX/, __MACOSX/\._a\.csv\)",
        ),
        (
            {"2023.csv": TEXT.encode(), "notes/": None, "2024.csv": TEXT.encode()},
            r"f\.zip holds 2 files: 2023\.csv, 2024\.csv; a zip archive is read when it holds one",
        ),
        (
            {f"{m:02}.csv": TEXT.encode() for m in range(1, 13)},
            r"holds 12 files: 01\.csv, 02\.csv, .*, 10\.csv, \.\.\. \(12 in all\)",
        ),
    ],
    ids=["empty", "only-folders", "two-files", "twelve-files"],
)
def test_zip_of_no_file_or_several_is_an_error_listing_them(
    tmp_path: Path, members: dict[str, bytes | None], message: str
) -> None:
    path = write_zip(tmp_path / "f.zip", members)
    with pytest.raises(InputFileError, match=message):
        file_format(path)
    named = write_zip(tmp_path / "f.csv.zip", members)
    with pytest.raises(InputFileError, match=message.replace("f\\.zip", "f\\.csv\\.zip")):
        list(read_chunks(named, fmt="csv", chunk_size=10))


def test_broken_or_unreadable_zip_is_a_clear_error(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "f.csv.zip", {"f.csv": LONG}, zipfile.ZIP_STORED)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the directory at the end is lost
    with pytest.raises(
        InputFileError, match=r"f\.csv\.zip is not a readable zip file: File is not"
    ):
        list(read_chunks(path, fmt="csv", chunk_size=10))
    # a byte changed inside the file: its checksum fails once it is read
    at = data.index(b"1999,")
    path.write_bytes(data[:at] + b"9" + data[at + 1 :])
    with pytest.raises(InputFileError, match=r"f\.csv\.zip is not a readable zip file: Bad CRC-32"):
        list(read_chunks(path, fmt="csv", chunk_size=10, encoding="utf-8"))
    # a file the archive's own name does not name, with no format of its own
    path = write_zip(tmp_path / "f.zip", {"f.dat": LONG})
    with pytest.raises(ValueError, match=r"cannot tell the format of .*f\.zip \(holding f\.dat\)"):
        file_format(path)
    path = write_zip(tmp_path / "f.zip", {"f.parquet": b"PAR1"})
    with pytest.raises(ValueError, match=r"f\.zip: Parquet is neither read nor written inside"):
        file_format(path)


# a file long enough that a cut leaves whole rows before it
LONG = ("id,text\n" + "".join(f"{i},快递{i}天了还没到\n" for i in range(2000))).encode()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("f.csv.gz", b"not gzip", "gzip file: Not a gzipped file"),
        ("f.csv.gz", gzip.compress(TEXT.encode())[:20], "gzip file: Compressed file ended"),
        ("f.csv.gz", gzip.compress(LONG)[:-100], "gzip file: Compressed file ended"),
        ("f.csv.bz2", b"not bzip2", "bzip2 file: Invalid data stream"),
        ("f.csv.bz2", bz2.compress(LONG)[:-100], "bzip2 file: Compressed file ended"),
        ("f.csv.xz", b"not xz", "xz file: Input format not supported"),
        ("f.csv.xz", lzma.compress(LONG)[:-100], "xz file: Compressed file ended"),
        ("f.csv.xz", lzma.compress(LONG)[:300] + bytes(100), "xz file: Corrupt input data"),
    ],
    ids=[
        "not-gzip",
        "truncated-gzip",
        "cut-gzip",
        "not-bzip2",
        "cut-bzip2",
        "not-xz",
        "cut-xz",
        "corrupt-xz",
    ],
)
def test_broken_compressed_file_is_a_clear_error(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    match = f"{name} is not a readable {message}"
    with pytest.raises(InputFileError, match=match):
        detect_encoding(path)
    with pytest.raises(InputFileError, match=match):
        list(read_chunks(path, fmt="csv", chunk_size=10))
    # with the encoding given the rows are the first read: the error is the same
    with pytest.raises(InputFileError, match=match):
        list(read_chunks(path, fmt="csv", chunk_size=10, encoding="utf-8"))


@pytest.mark.parametrize("name", ["f.parquet.gz", "f.pq.bz2", "f.parquet.xz"])
def test_parquet_inside_compression_is_refused(tmp_path: Path, name: str) -> None:
    # Parquet compresses its columns itself
    with pytest.raises(ValueError, match=f"{name}: Parquet .*compresses its columns itself"):
        file_format(name)
    with pytest.raises(ValueError, match=r"Parquet .*compresses its columns itself"):
        file_format(tmp_path / "f.csv.gz", "parquet")
    with pytest.raises(ValueError, match=r"Parquet .*compresses its columns itself"):
        AtomicWriter(tmp_path / name, fmt="parquet")
    assert list(tmp_path.iterdir()) == []


def test_malformed_header_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text('id,"te"xt\n1,快递慢\n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"f\.csv: the header ends on line 1 and is malformed"):
        list(read_chunks(path, fmt="csv", chunk_size=10))


def test_jsonl_lone_surrogates_become_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(
        '{"id": "a\\udc80", "text": "\\ud83d"}\n{"id": "b", "text": "好\\ud83d\\ude00"}\n',
        encoding="utf-8",
    )
    (chunk,) = read_chunks(path, fmt="jsonl", chunk_size=10)
    assert chunk.frame.to_dict("list") == {"id": ["a\ufffd", "b"], "text": ["\ufffd", "好😀"]}


@pytest.mark.parametrize(
    ("index", "columns"),
    [
        (pd.Index([10, 20], name="ticket"), ["ticket", "text"]),
        (
            pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["shop", "n"]),
            ["shop", "n", "text"],
        ),
        (pd.Index(["x", "y"]), ["index", "text"]),
        (pd.Index(["x", "y"], name="text"), ["_text", "text"]),
        (pd.RangeIndex(2), ["text"]),
    ],
    ids=["named", "multi", "unnamed", "clashing", "range"],
)
def test_parquet_index_is_read_as_columns(
    tmp_path: Path, index: pd.Index, columns: list[str]
) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "f.parquet"
    pd.DataFrame({"text": ["快递慢", "好"]}, index=index).to_parquet(path)
    (chunk,) = read_chunks(path, fmt="parquet", chunk_size=10)
    assert chunk.frame.columns.tolist() == columns
    assert chunk.frame["text"].tolist() == ["快递慢", "好"]


def test_parquet_without_pyarrow_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pyarrow"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(
        ModuleNotFoundError, match=r"needs pyarrow: pip install pyarrow.*'\.\[parquet\]'"
    ):
        list(read_chunks(tmp_path / "f.parquet", fmt="parquet", chunk_size=10))


@pytest.mark.parametrize("version", ["14.0.0", "13.0.0", "0.17.1"])
def test_parquet_with_a_pyarrow_older_than_the_extra_names_the_version_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    # an older pyarrow, installed beside triage without its parquet extra,
    # deserialises arbitrary Python objects from the file it reads
    pa = pytest.importorskip("pyarrow")
    path = tmp_path / "f.parquet"
    pd.DataFrame({"text": ["快递慢"]}).to_parquet(path)
    monkeypatch.setattr(pa, "__version__", version)
    monkeypatch.delitem(sys.modules, "pyarrow_hotfix", raising=False)
    with pytest.raises(ImportError, match=rf"pyarrow 14\.0\.1 or newer, not {version}.*>=14\.0\.1"):
        list(read_chunks(path, fmt="parquet", chunk_size=10))
    with pytest.raises(ImportError, match="CVE-2023-47248"):
        score_file(path, tmp_path / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.parquet"]
    # the release that fixed it, a later one, and an old one made safe by the hotfix
    for fixed in ("14.0.1", "15.0.0.dev12", "21.0.0"):
        monkeypatch.setattr(pa, "__version__", fixed)
        (chunk,) = read_chunks(path, fmt="parquet", chunk_size=10)
        assert chunk.frame["text"].tolist() == ["快递慢"]
    monkeypatch.setattr(pa, "__version__", version)
    monkeypatch.setitem(sys.modules, "pyarrow_hotfix", types.ModuleType("pyarrow_hotfix"))
    (chunk,) = read_chunks(path, fmt="parquet", chunk_size=10)
    assert chunk.frame["text"].tolist() == ["快递慢"]


def test_a_file_that_is_not_parquet_is_an_input_file_error(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "f.parquet"
    path.write_text("id,text\n1,快递太慢\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"f\.parquet is not a readable Parquet file"):
        list(read_chunks(path, fmt="parquet", chunk_size=10))


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_an_output_has_the_umask_s_permissions_and_the_umask_is_never_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: int, mode: int, fmt: str
) -> None:
    # the umask is read only by setting it, for every thread of the process:
    # set to 0 for a moment, a file a service's other thread made then was
    # writable by all
    before = os.umask(umask)
    set_to: list[int] = []

    def umask_set(mask: int) -> int:
        set_to.append(mask)
        return umask

    monkeypatch.setattr(os, "umask", umask_set)
    try:
        target = tmp_path / f"out.{fmt}"
        with AtomicWriter(target, fmt=fmt) as writer:
            writer.write(pd.DataFrame({"text": ["快递太慢了"]}))
            writer.commit()
    finally:
        monkeypatch.undo()
        os.umask(before)
    assert (set_to, target.stat().st_mode & 0o777) == ([], mode)


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX permissions")
@pytest.mark.parametrize(
    ("old", "umask", "mode"),
    [
        (0o600, 0o022, 0o600),  # scored complaints made private stay private
        (0o640, 0o022, 0o640),
        (0o664, 0o077, 0o664),  # a file shared with the team stays shared
        (0o444, 0o022, 0o444),  # made read-only
        (0o4755, 0o022, 0o755),  # never setuid
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("through_link", [False, True], ids=["file", "link"])
def test_an_output_replaced_keeps_its_permissions(
    tmp_path: Path, old: int, umask: int, mode: int, fmt: str, through_link: bool
) -> None:
    # replaced by a file of the umask's permissions, scores kept private
    # with chmod 600 became readable by everyone at the next run
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    target = tmp_path / f"runs/out.{fmt}"
    target.parent.mkdir()
    target.write_bytes(b"old")
    target.chmod(old)
    named = tmp_path / f"latest.{fmt}"
    named.symlink_to(target)
    before = os.umask(umask)
    try:
        with AtomicWriter(named if through_link else target, fmt=fmt) as writer:
            writer.write(pd.DataFrame({"text": ["快递太慢了"]}))
            writer.commit()
    finally:
        os.umask(before)
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_bytes() != b"old" and named.is_symlink()


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX permissions")
def test_an_output_replacing_another_user_s_file_has_the_umask_s_permissions(
    tmp_path: Path,
) -> None:
    # a file left under the output's name by another user, writable by all,
    # would have decided who reads and changes the scores
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    target.chmod(0o666)
    try:
        os.chown(target, 65534, 65534)
    except PermissionError:
        pytest.skip("a file of another user is made by root alone")
    before = os.umask(0o022)
    try:
        with AtomicWriter(target, fmt="csv") as writer:
            writer.write(pd.DataFrame({"text": ["快递太慢了"]}))
            writer.commit()
    finally:
        os.umask(before)
    st = target.stat()
    assert (stat.S_IMODE(st.st_mode), st.st_uid) == (0o644, os.geteuid())


@pytest.mark.skipif(not hasattr(os, "fchown"), reason="POSIX groups")
@pytest.mark.parametrize("member", [True, False], ids=["member", "no-member"])
def test_an_output_replaced_keeps_its_group_or_its_group_s_permissions_are_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, member: bool
) -> None:
    # given to the user's own group, the old file's group permissions would
    # let another group read the scores
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    target.chmod(0o640)
    gid = target.stat().st_gid
    given: list[int] = []

    def fchown(fd: int, uid: int, group: int) -> None:
        given.append(group)
        if not member:
            raise PermissionError(1, "Operation not permitted")

    real_fstat = os.fstat

    def fstat(fd: int) -> os.stat_result:  # the new file in another group
        st = real_fstat(fd)
        return os.stat_result((*st[:5], gid + 1, *st[6:]))

    monkeypatch.setattr(os, "fchown", fchown)
    with AtomicWriter(target, fmt="csv") as writer:
        writer.write(pd.DataFrame({"text": ["快递太慢了"]}))
        monkeypatch.setattr(os, "fstat", fstat)
        writer.commit()
    monkeypatch.undo()
    assert given == [gid]
    assert stat.S_IMODE(target.stat().st_mode) == (0o640 if member else 0o600)


POSIX_LOCKS = pytest.mark.skipif(sys.platform == "win32", reason="fcntl.flock")
# a partial file as AtomicWriter names one: .<output name>.<16 hex>.partial
DEAD = ".out.csv.0123456789abcdef.partial"


def _write_one(path: Path) -> None:
    with AtomicWriter(path, fmt=file_format(path)) as writer:
        writer.write(pd.DataFrame({"text": ["快递三天没动了"]}))
        writer.commit()


@POSIX_LOCKS
@pytest.mark.parametrize("name", ["out.csv", "out.parquet"])
def test_a_partial_file_a_killed_run_left_is_removed_by_the_next_run(
    tmp_path: Path, name: str
) -> None:
    # kill -9 or the OOM killer leaves the partial file, which nobody locks
    dead = tmp_path / DEAD.replace("out.csv", name)
    dead.write_bytes(b"x" * 1000)
    others = [tmp_path / ".other.csv.0123456789abcdef.partial", tmp_path / f".{name}.notes"]
    for other in others:
        other.write_bytes(b"kept")
    _write_one(tmp_path / name)
    assert not dead.exists()
    assert all(other.read_bytes() == b"kept" for other in others)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, *(o.name for o in others)])


@POSIX_LOCKS
def test_the_partial_file_of_a_run_still_going_is_left_alone(tmp_path: Path) -> None:
    import fcntl

    live = tmp_path / DEAD
    live.write_bytes(b"rows so far")
    with open(live, "rb") as held:  # as the run writing it holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        _write_one(tmp_path / "out.csv")
        assert live.read_bytes() == b"rows so far"


@POSIX_LOCKS
def test_a_run_holds_its_partial_file_locked_until_it_ends(tmp_path: Path) -> None:
    # a second run to the same output, in another process, while the first
    # writes; then the first killed with SIGKILL, and a third run
    import signal
    import subprocess
    import textwrap

    output = tmp_path / "out.csv"
    script = textwrap.dedent(
        f"""
        import sys, time
        import pandas as pd
        from triage._io import AtomicWriter
        writer = AtomicWriter({str(output)!r}, fmt="csv")
        writer.write(pd.DataFrame({{"text": ["房间很脏"]}}))
        print(writer.tmp, flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        partial = Path(child.stdout.readline().strip())  # type: ignore[union-attr]
        assert partial.exists() and partial.parent == tmp_path
        _write_one(output)
        assert partial.exists()  # the run is alive
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()  # type: ignore[union-attr]
    assert partial.exists()  # the killed run's, left
    _write_one(output)
    assert not partial.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_without_locks_a_partial_file_left_is_named_not_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows has no fcntl: a dead run's file and a live one's look alike
    import triage._io

    monkeypatch.setattr(triage._io, "fcntl", None)
    left = tmp_path / DEAD
    left.write_bytes(b"rows so far")
    with pytest.warns(TriageWarning, match=r"1 partial file of another run .* is in .*"):
        _write_one(tmp_path / "out.csv")
    assert left.read_bytes() == b"rows so far"
    assert DEAD in str(left)


@POSIX_LOCKS
def test_a_killed_run_into_a_device_has_its_partial_file_removed_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # -o /dev/stdout is written through a partial file in the temporary folder
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = tmp_path / ".null.k3x_9qa2.partial"
    dead.write_bytes(b"x" * 1000)
    other = tmp_path / ".other.k3x_9qa2.partial"
    other.write_bytes(b"kept")
    with AtomicWriter(os.devnull, fmt="csv") as writer:
        writer.write(pd.DataFrame({"text": ["快递三天没动了"]}))
        writer.commit()
    assert [p.name for p in tmp_path.iterdir()] == [other.name]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_named_as_a_partial_file_is_passed_over(tmp_path: Path) -> None:
    # opened to be looked at, it would wait for a writer for ever
    import threading

    fifo = tmp_path / DEAD
    os.mkfifo(fifo)
    done = threading.Thread(target=_write_one, args=(tmp_path / "out.csv",), daemon=True)
    done.start()
    done.join(10)
    hung = done.is_alive()
    if hung:  # a writer, so that the thread's open returns
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        done.join(10)
    assert not hung
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert (tmp_path / "out.csv").exists()

"""The command line: thin wrappers, exercised end to end."""

from __future__ import annotations

import argparse
import bz2
import codecs
import contextlib
import functools
import gzip
import io
import json
import lzma
import os
import re
import select
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import triage
from triage import batch
from triage.cli import _decode, _Terminated, main
from triage.exceptions import InputFileError, ModelFileError

from .conftest import as_from_a_terminal, write_chats


def test_analyze_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "孩子吃了你们的奶粉一直拉肚子，我要找媒体曝光"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["priority"] == "P1" and out["deadline_minutes"] == 10
    assert out["reasons"] and out["route"]


@pytest.mark.parametrize("text", ["-_-快递又晚了", "-1分都不想给,客服太差", "--快递太慢了--"])
def test_a_text_that_starts_with_a_dash_is_told_to_follow_two_dashes(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["analyze", text])
    assert exc.value.code == 2
    assert f"triage analyze -- '{text}'" in capsys.readouterr().err
    assert main(["analyze", "--", text]) == 0
    assert json.loads(capsys.readouterr().out)["text"]


def test_analyze_text_format_shows_level_deadline_route_and_reasons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["analyze", "--format", "text", "已经打了12315投诉你们"]) == 0
    out = capsys.readouterr().out
    for field in ("priority", "route", "reason"):
        assert field in out
    assert "P1" in out


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # 1440 min is a sum to an agent; 24 h is a deadline
        ("今天天气真好", "priority   P4 (低)  respond within 24 h"),
        ("快递送错了", "priority   P3 (中)  respond within 2 h"),
        ("我要去12315投诉你们", "priority   P1 (紧急)  respond within 10 min"),
    ],
)
def test_analyze_text_format_says_the_deadline_in_minutes_or_hours(
    capsys: pytest.CaptureFixture[str], text: str, first: str
) -> None:
    assert main(["analyze", "--format", "text", text]) == 0
    assert capsys.readouterr().out.splitlines()[0] == first


def test_analyze_text_format_shows_how_likely_the_text_complains(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # praise under the complaint gate: no category, and the reason why
    assert main(["analyze", "--format", "text", "快递很快，包装也很好，好评"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("complaint "))
    assert lines[at - 1] == "categories -" and lines[at] == "complaint  0.00"
    assert main(["analyze", "--format", "text", "快递一周还没到，客服也不回"]) == 0
    assert "complaint  0.9" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("快递一周还没到，客服也不回", []),
        # nothing the model learned: no category, no emotion, the rules' priority
        ("my parcel never came", ["low_confidence"]),
        ("！！！", ["low_confidence"]),
        ("", ["low_confidence"]),
        # the model reads the first MAX_CHARS characters
        ("收到的衣服线头很多，洗一次就褪色了。" * 150, ["truncated"]),
        ("ok " * 1500, ["low_confidence", "truncated"]),
    ],
)
def test_analyze_text_format_shows_the_flags_the_json_has(
    capsys: pytest.CaptureFixture[str], text: str, flags: list[str]
) -> None:
    assert main(["analyze", "--", text]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [f for f in ("low_confidence", "truncated") if result[f]] == flags
    assert main(["analyze", "--format", "text", "--", text]) == 0
    lines = capsys.readouterr().out.splitlines()
    shown = [line.split()[1].rstrip(":") for line in lines if line.startswith("flag ")]
    assert shown == flags
    # after the labels they qualify, before the reasons
    if flags:
        at = next(i for i, line in enumerate(lines) if line.startswith("flag "))
        assert lines[at - 1].startswith("sentiment ") and lines[at + len(flags)].startswith(
            "reason "
        )


@pytest.mark.parametrize(
    ("characters", "threat_read"),
    [
        (3_000, True),  # past the model's cut, within the rules' reach
        (50_000, False),  # a pasted page: its end is past the 16,000 characters read
    ],
)
def test_analyze_text_format_says_how_far_the_rules_read_a_truncated_text(
    capsys: pytest.CaptureFixture[str], characters: int, threat_read: bool
) -> None:
    # the flag said the rules read on, and no more: a threat at the end of a
    # 50,000-character text, which they never read, looked read and weighed
    filler = "收到的衣服线头很多，洗一次就褪色了。"
    text = filler * (characters // len(filler)) + "再不处理我就打12315投诉"
    assert main(["analyze", "--", text]) == 0
    result = json.loads(capsys.readouterr().out)
    codes = [r["code"] for r in result["reasons"]]
    assert (result["truncated"], "P1.regulator" in codes) == (True, threat_read)
    assert main(["analyze", "--format", "text", "--", text]) == 0
    (flag,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("flag ")]
    assert flag.startswith("flag       truncated: the model read the first ")
    assert flag.endswith(
        "the priority rules read on, up to 16,000 characters (markup and blank padding not counted)"
    )


def test_console_script_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "triage", "analyze", "快递太慢了"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["primary"] == "logistics"


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["score", "--help"]])
def test_help_and_version_load_no_numerical_library(argv: list[str]) -> None:
    # they answer at once, without numpy, pandas, jieba or scikit-learn
    code = (
        "import sys\n"
        "from triage.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'numpy', 'pandas', 'jieba', 'sklearn', 'scipy', 'snownlp'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert done.stderr.strip() == "[]"


def _piped(
    data: bytes,
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capfdbinary: pytest.CaptureFixture[bytes],
) -> tuple[int, bytes, str]:
    """``data | triage *argv`` run in this process: `data` written into a real
    pipe that is stdin, stdout and stderr read; the status, stdout's bytes and
    stderr's text. The pipe is what a shell gives; a command of its own
    would cost a model load and tell nothing more."""
    read, write = os.pipe()

    def feed() -> None:
        with open(write, "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=feed)
    writer.start()
    with open(read, "rb") as pipe:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(pipe))
        try:
            status = main(argv)
        finally:
            writer.join()
    out, err = capfdbinary.readouterr()
    return status, out, err.decode()


@contextlib.contextmanager
def _redirected(fd: int, path: Path, mode: str) -> Iterator[None]:
    """This process's descriptor `fd` (0 or 1) redirected to the file `path`
    opened in `mode`, as a shell's ``< path`` or ``> path`` gives a command,
    and put back after: /dev/stdin or /dev/stdout names that file, as it does
    in a command of its own, which would cost a model load and tell nothing
    more."""
    saved = os.dup(fd)
    try:
        with path.open(mode) as f:
            os.dup2(f.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_analyze_reads_stdin_in_utf8_or_gbk(
    encoding: str, monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    data = "快递一周还没到".encode(encoding)
    status, stdout, _ = _piped(data, ["analyze", "-"], monkeypatch, capfdbinary)
    assert status == 0
    out = json.loads(stdout)
    assert out["text"] == "快递一周还没到" and out["primary"] == "logistics"


TEXT = "退款申请两周了还在审核"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), TEXT),
        (TEXT.encode("utf-8-sig"), TEXT),
        (TEXT.encode("gbk"), TEXT),
        (TEXT.encode("gb18030"), TEXT),
        ("充值100".encode("gbk") + b"\x80" + "没到账".encode("gbk"), "充值100€没到账"),
        # the Big5 of a terminal of Taiwan's Windows, and traditional Chinese in GBK
        ("退款申請兩週了還在審核".encode("big5"), "退款申請兩週了還在審核"),
        ("退款申請兩週了還在審核".encode("gbk"), "退款申請兩週了還在審核"),
        # saved as "Unicode" (UTF-16 with its byte-order mark), in either byte order
        (TEXT.encode("utf-16"), TEXT),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), TEXT),
        (TEXT.encode("utf-32"), TEXT),
        (b"", ""),
    ],
)
def test_the_text_of_analyze_is_decoded_as_a_file_is(data: bytes, expected: str) -> None:
    assert _decode(data) == expected


def test_a_utf8_text_with_a_corrupt_byte_stays_utf8_with_a_warning() -> None:
    # a paste cut inside a character: one bad byte among Chinese characters,
    # not a reason to read the whole text as GB18030
    data = TEXT.encode("utf-8")[:-1] + "，客服也不回".encode()
    with pytest.warns(UserWarning, match="^1 byte sequence of the text is not UTF-8 and is read"):
        text = _decode(data)
    assert text.startswith("退款申请两周了还在审") and text.endswith("\ufffd，客服也不回")
    # counted as a file's are, the U+FFFD the text held already not among them
    data = "\ufffd".encode() + data + b"\xff\xfe" + "，太慢".encode()
    with pytest.warns(UserWarning, match="^3 byte sequences of the text are not UTF-8 and are"):
        _decode(data)


class _Piped(io.RawIOBase):
    """A stdin of `size` bytes, `unit` over and over, made as they are read."""

    def __init__(self, unit: bytes, size: int) -> None:
        self.unit, self.left, self.read_so_far = unit, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.left)
        start = self.read_so_far % len(self.unit)
        buffer[:n] = (self.unit * (n // len(self.unit) + 2))[start : start + n]
        self.left -= n
        self.read_so_far += n
        return n


def test_analyze_of_a_long_stdin_holds_no_more_of_it_than_it_reads(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # cat dump.txt | triage analyze -: the analysis reads the first 200,000
    # characters at most, and all of stdin was held, then decoded
    import tracemalloc

    unit = "快递一周还没到，客服也不回\n".encode()
    piped = _Piped(unit, 64 << 20)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(piped)))
    expected = triage.analyze((unit * 20_000).decode())  # 280,000 characters, and warm
    tracemalloc.start()
    try:
        assert main(["analyze", "-"]) == 0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20
    assert piped.left == 0  # read to its end all the same: the writer is not cut off
    out = json.loads(capsys.readouterr().out)
    assert out == json.loads(json.dumps(expected.to_dict(), ensure_ascii=False))
    assert out["truncated"]


def test_a_wrong_encoding_given_for_stdin_is_a_warning_naming_stdin(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    data = "text\n快递太慢\n".encode("gbk")
    argv = ["score", "-", "-o", "-", "-q", "--encoding", "utf-8"]
    status, _, stderr = _piped(data, argv, monkeypatch, capfdbinary)
    assert status == 0
    assert "warning: <stdin>: the bytes at offset 5 are not utf-8" in stderr
    assert "triage-score-" not in stderr  # the spool file is not what the user piped


@pytest.mark.parametrize(
    ("source", "args", "read"),
    [
        # unzip -p export.zip | triage score - -o -
        ("id,text\n7,快递一周还没到\n8,房间很脏\n", [], "csv"),
        # a tab-separated GBK export: the delimiter and encoding are found as for a file
        ("id\ttext\n7\t快递一周还没到\n8\t房间很脏\n", ["--encoding", "gbk"], "csv"),
        (
            '{"id": 7, "text": "快递一周还没到"}\n{"id": 8, "text": "房间很脏"}\n',
            ["--input-format", "jsonl", "--output-format", "jsonl"],
            "jsonl",
        ),
    ],
    ids=["csv", "tsv-gbk", "jsonl"],
)
def test_score_reads_stdin_and_writes_stdout_with_dash(
    source: str,
    args: list[str],
    read: str,
    monkeypatch: pytest.MonkeyPatch,
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    encoding = "gbk" if "gbk" in args else "utf-8"
    argv = ["score", "-", "-o", "-", "--quiet", *args]
    status, out, summary = _piped(source.encode(encoding), argv, monkeypatch, capfdbinary)
    assert status == 0
    got = (
        pd.read_json(io.BytesIO(out), lines=True, dtype=False)
        if read == "jsonl"
        else pd.read_csv(io.BytesIO(out), dtype=str, keep_default_na=False)
    )
    assert got["id"].astype(str).tolist() == ["7", "8"]
    assert got["primary"].tolist() == ["logistics", "environment"]
    assert summary.startswith("2 rows, 0 errors") and "-> <stdout>" in summary


def _zipped(*names: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, data)
    return buffer.getvalue()


CSV = "id,text\n7,快递一周还没到\n8,房间很脏\n".encode()
JSONL = '{"id": 7, "text": "快递一周还没到"}\n{"id": 8, "text": "房间很脏"}\n'.encode()


# curl .../complaints.csv.gz | triage score - ...: the bytes tell the compression
@pytest.mark.parametrize(
    ("data", "args"),
    [
        (gzip.compress(CSV), []),
        (bz2.compress(CSV), []),
        (lzma.compress(CSV), []),
        (gzip.compress(JSONL), ["--input-format", "jsonl"]),
        (_zipped("2024/complaints.jsonl", data=JSONL), []),  # the format of the file inside
        (_zipped("complaints", data=CSV), ["--input-format", "csv"]),
    ],
    ids=["gzip", "bzip2", "xz", "gzip-jsonl", "zip-jsonl", "zip-given-format"],
)
def test_score_decompresses_piped_input(
    data: bytes,
    args: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    argv = ["score", "-", "-o", "-", "--quiet", *args]
    status, out, err = _piped(data, argv, monkeypatch, capfdbinary)
    assert status == 0, err
    got = pd.read_csv(io.BytesIO(out), dtype=str)
    assert got["id"].tolist() == ["7", "8"]
    assert got["primary"].tolist() == ["logistics", "environment"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "<stdin> is empty"),
        (gzip.compress(CSV)[:30], "<stdin> is not a readable gzip file"),
        (_zipped("a.csv", "b.csv", data=CSV), "<stdin> holds 2 files: a.csv, b.csv"),
        (
            b"PAR1" + b"\x00" * 64,
            "<stdin> is not a text file: it is a Parquet file; .*--input-format parquet",
        ),
    ],
    ids=["empty", "truncated-gzip", "zip", "parquet"],
)
def test_score_names_the_pipe_in_its_errors(
    data: bytes,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    status, _, err = _piped(data, ["score", "-", "-o", "-"], monkeypatch, capfdbinary)
    assert status == 2
    assert re.match(f"triage score: error: {message}", err)


@contextlib.contextmanager
def _no_room_to_write() -> Iterator[None]:
    """A full disk, as a file-size limit gives it: this process's writes past
    8 KB fail with EFBIG (SIGXFSZ ignored, as it would end the process), the
    limit and the signal's handler put back after."""
    import resource

    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (8192, limits[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="no file-size limits on this system")
@pytest.mark.parametrize(
    ("source", "output", "message"),
    [
        ("file", "file", r"cannot write the output .*out\.csv: File too large$"),
        (
            "file",
            "-",
            r"cannot write the rows for stdout to a temporary file in .*spool: File too large; "
            r"set TMPDIR to a folder with room, or name a file instead of a pipe$",
        ),
        (
            "-",
            "file",
            r"cannot copy stdin to a temporary file in .*spool: File too large; "
            r"set TMPDIR to a folder with room, or give a file instead of a pipe$",
        ),
    ],
)
def test_score_with_no_room_to_write_names_what_it_was_writing(
    tmp_path: Path,
    source: str,
    output: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    # the line said "[Errno 27] File too large" (or "No space left on device"), naming no file
    import tempfile

    rows = "".join(f"{i},快递一周还没到，客服也不回，第{i}次问了\n" for i in range(400))
    data = f"id,text\n{rows}".encode()
    given = tmp_path / "in.csv"
    given.write_bytes(data)
    (tmp_path / "spool").mkdir()
    out = tmp_path / "out.csv"
    argv = ["score", "-" if source == "-" else str(given), "-o", "-" if output == "-" else str(out)]
    monkeypatch.setenv("TMPDIR", str(tmp_path / "spool"))
    monkeypatch.setattr(tempfile, "tempdir", None)  # found again, from TMPDIR
    with _no_room_to_write():
        piped = data if source == "-" else b""
        status, _, err = _piped(piped, [*argv, "--quiet"], monkeypatch, capfdbinary)
    assert status == 2
    lines = err.splitlines()
    assert len(lines) == 1 and re.search(message, lines[0]), lines
    assert not out.exists() and not list((tmp_path / "spool").iterdir())


def test_score_says_which_model_and_policy_scored_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the summary named neither, and a CSV output holds no record of them
    from triage.batch import scored_by
    from triage.priority import load_policy

    source = tmp_path / "in.csv"
    source.write_text("id,text\n7,快递一周还没到\n", encoding="utf-8")
    policy = tmp_path / "rules.toml"
    policy.write_text('format = 1\nextends = "default"\ndisable = ["P1.regulator"]\n', "utf-8")
    argv = ["score", str(source), "-o", str(tmp_path / "out.csv"), "--quiet"]
    assert main(argv) == 0
    by = scored_by()
    assert capsys.readouterr().err.endswith(
        f" rows/s, model {by['model_sha256']!s:.12} (default), "
        f"policy {by['policy_sha256']!s:.12} (default), triage {triage.__version__} "
        f"-> {tmp_path / 'out.csv'}\n"
    )
    assert main([*argv, "--policy", str(policy)]) == 0
    sha = scored_by(None, load_policy(policy))["policy_sha256"]
    assert f", policy {sha!s:.12} ({policy}), " in capsys.readouterr().err


def test_score_record_is_written_beside_the_output_naming_the_input_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a CSV output carried nothing of what scored it; piped, the record names
    # stdin, not the spool file it was read from
    from triage.batch import scored_by

    source = tmp_path / "in.csv"
    source.write_text("id,text\n7,快递一周还没到\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["score", str(source), "-o", str(out), "--quiet", "--record"]) == 0
    record = json.loads((tmp_path / "_out.csv.triage.json").read_text(encoding="utf-8"))
    assert (record["input"], record["rows"]) == (str(source), 1)
    assert record["scored_by"] == scored_by()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(source.read_bytes())))
    assert main(["score", "-", "-o", str(out), "--quiet", "--record"]) == 0
    record = json.loads((tmp_path / "_out.csv.triage.json").read_text(encoding="utf-8"))
    assert (record["input"], record["output_bytes"]) == ("<stdin>", out.stat().st_size)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "_out.csv.triage.json",
        "in.csv",
        "out.csv",
    ]
    capsys.readouterr()
    assert main(["score", str(source), "-o", "-", "--quiet", "--record"]) == 2
    assert capsys.readouterr().err == (
        "triage score: error: record=True (CLI: --record) writes a file beside the output, "
        "and stdout (-) is a pipe or a device, beside which there is none; name an output file\n"
    )


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="no /dev/stdout on this system")
def test_score_record_of_dev_stdout_redirected_to_a_file_is_beside_that_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the record was written as /dev/_stdout.triage.json, naming an empty file
    source = tmp_path / "in.csv"
    source.write_text("id,text\n7,快递一周还没到\n", encoding="utf-8")
    with _redirected(1, tmp_path / "scored.csv", "wb"):
        argv = ["score", str(source), "-o", "/dev/stdout", "--record", "--quiet"]
        status = main(argv)
    assert status == 0, capsys.readouterr().err
    record = json.loads((tmp_path / "_scored.csv.triage.json").read_text(encoding="utf-8"))
    assert record["output"] == "scored.csv"
    assert record["output_bytes"] == (tmp_path / "scored.csv").stat().st_size > 0


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_score_to_a_full_stdout_says_so() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "triage", "score", "-", "-o", "-", "--quiet"],
            input=CSV,
            stdout=full,
            stderr=subprocess.PIPE,
        )
    assert done.returncode == 2
    assert done.stderr.decode() == (
        "triage score: error: [Errno 28] cannot write to stdout: No space left on device\n"
    )


def test_score_of_files_needs_no_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a read-only root filesystem: TMPDIR, /tmp, /var/tmp and the working
    # directory unwritable, the output's folder writable
    import tempfile

    def nowhere() -> str:
        raise FileNotFoundError(2, "No usable temporary directory found")

    monkeypatch.setattr(tempfile, "gettempdir", nowhere)
    source = tmp_path / "in.csv"
    source.write_text("id,text\n7,快递一周还没到\n", encoding="utf-8")
    assert main(["score", str(source), "-o", str(tmp_path / "out.csv"), "--quiet"]) == 0
    assert capsys.readouterr().err.startswith("1 row, 0 errors")
    assert pd.read_csv(tmp_path / "out.csv")["primary"].tolist() == ["logistics"]
    # a pipe needs a spool file: the error says why
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"id,text\n7,x\n")))
    assert main(["score", "-", "-o", str(tmp_path / "piped.csv"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "No usable temporary directory" in err
    # and what to do: TMPDIR, or files
    assert err.endswith("; set TMPDIR to a writable directory, or give files instead of pipes\n")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_score_summary_writes_each_row_in_one_line_after_the_input(
    tmp_path: Path, suffix: str
) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    import triage

    texts = ["快递一周还没到，我要打12315投诉你们！", "房间很脏，隔音也差", ""]
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2, 3], "text": texts}).to_csv(source, index=False)
    out = tmp_path / f"out{suffix}"
    assert main(["score", str(source), "-o", str(out), "--quiet", "--summary"]) == 0
    readers = {".csv": pd.read_csv, ".jsonl": lambda p: pd.read_json(p, lines=True)}
    scored = readers.get(suffix, pd.read_parquet)(out)
    assert scored.columns.tolist()[:4] == ["id", "text", "summary", "categories"]
    said = [s if isinstance(s, str) else "" for s in scored["summary"]]
    assert said == [triage.analyze(t).summary() for t in texts[:2]] + [""]
    assert said[0].startswith("P1 紧急，10 分钟内响应，转客诉升级组，物流问题。")
    plain = tmp_path / f"plain{suffix}"
    assert main(["score", str(source), "-o", str(plain), "--quiet"]) == 0
    assert "summary" not in readers.get(suffix, pd.read_parquet)(plain).columns


@pytest.mark.parametrize(
    ("args", "top", "suffix"),
    [
        (["--explain"], 3, ".csv"),
        (["--explain", "--terms", "1"], 1, ".csv"),
        (["--explain"], 3, ".parquet"),
    ],
)
def test_score_explain_writes_the_terms_behind_each_label(
    tmp_path: Path, args: list[str], top: int, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    import triage

    texts = ["快递一周还没到，客服也不回，太气人了！", "房间很脏，隔音也差"]
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2], "text": texts}).to_csv(source, index=False)
    out = tmp_path / f"out{suffix}"
    assert main(["score", str(source), "-o", str(out), "--quiet", *args]) == 0
    scored = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    columns = scored.columns.tolist()
    assert columns.index("why") == columns.index("reasons") + 1
    for text, why in zip(texts, scored["why"], strict=True):
        explained = triage.explain(text, top=top)
        for label, terms in json.loads(why).items():
            assert explained[label].applies
            assert terms == [t.term for t in explained[label].terms]
    with pytest.raises(SystemExit):  # as for 0: the library's ">= 0" is no count --explain takes
        main(["score", str(source), "-o", str(tmp_path / "x.csv"), "--explain", "--terms", "-1"])
    assert "--terms must be at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # --terms alone would do nothing
        main(["score", str(source), "-o", str(tmp_path / "z.csv"), "--terms", "2"])
    with pytest.raises(SystemExit):  # nor would --terms 0: no 'why' column
        main(["score", str(source), "-o", str(tmp_path / "z.csv"), "--explain", "--terms", "0"])
    # a flag, not an option with a value: the input after it stays the input
    assert main(["score", "--explain", str(source), "-o", str(tmp_path / "y.csv"), "-q"]) == 0


def refused_as_misuse(argv: list[str]) -> None:
    """`main(argv)` refuses its arguments as argparse does: status 2, said on stderr."""
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["score", "in.csv", "-o", "out.csv", "--terms", "2"], "--terms counts the terms"),
        (["train", "train.csv", "-o", "-"], "-o names the model directory"),
        (["train", "train.csv", "-o", "m", "--corpus-column", "c"], "--corpus-column names"),
        (["evaluate", "dev.csv", "--baseline", "--model", "m"], "--baseline evaluates"),
        (["check", "-"], "the labeled file cannot be stdin"),
    ],
)
def test_a_misuse_of_a_command_is_told_with_its_usage(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # as argparse tells a command's own errors; these said "triage: error:"
    # under the usage of triage itself
    refused_as_misuse(argv)
    err = capsys.readouterr().err
    assert err.startswith(f"usage: triage {argv[0]} ")
    assert f"\ntriage {argv[0]}: error: {said}" in err


def _buffered() -> dict[str, str]:
    """The environment of a command as a user runs it: stdout into a pipe or
    a file buffered, its output written at exit (PYTHONUNBUFFERED, which CI
    systems set, wrote each line at once)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


@pytest.mark.parametrize(
    "argv",
    [
        ["analyze", "快递一周还没到"],
        ["analyze", "--format", "text", "快递一周还没到"],
        ["--version"],
    ],
    ids=["json", "text", "version"],
)
def test_a_closed_pipe_ends_quietly(argv: list[str]) -> None:
    # triage analyze ... | head: the reader has gone before the answer is
    # written; the interpreter's flush at exit said "Exception ignored ...
    # BrokenPipeError", with status 120
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_buffered(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait() == 141
    assert err == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    ("argv", "command"), [(["analyze", "快递一周还没到"], "triage analyze"), (["--help"], "triage")]
)
def test_output_to_a_full_stdout_says_so(argv: list[str], command: str) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "triage", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            env=_buffered(),
        )
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"{command}: error: [Errno 28] cannot write to stdout: No space left on device\n"
    )


def test_errors_are_reported_not_raised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--model", str(tmp_path), "快递太慢"]) == 2
    assert "no model card" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("body", "args", "message"),
    [
        ("review\n快递太慢\n", [], "no column 'text' in .*--text-column"),
        # texts alone, one a line: --text-column 快递太慢 would drop that text
        (
            "快递太慢\n房间很脏\n",
            [],
            r"no column 'text' in .*; columns are \['快递太慢'\]; .*--text-column\), or, if "
            r"that first line is a text rather than a header, put a line 'text' before it",
        ),
        ("text\n快递太慢\n", ["--id-column", "ticket"], "no id column 'ticket'"),
        ("text\n快递太慢\n", ["--encoding", "no-such"], "encoding=.no-such. is not a text"),
        (
            "text\n快递太慢\n",
            ["--input-format", "parquet"],
            ".*in.csv is not a readable Parquet file",
        ),
        ('id,"te"xt\n1,快递太慢\n', [], ".*in.csv: the header ends on line 1 and is malformed"),
        # a failed export: no header, so no table
        ("", [], ".*in.csv is empty"),
        ("\ufeff", [], ".*in.csv is empty"),
        (" \n\n", [], ".*in.csv is empty"),
    ],
)
def test_score_reports_bad_input_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, args: list[str], message: str
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(body, encoding="utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), *args]) == 2
    err = capsys.readouterr().err
    assert re.search(f"^triage score: error: {message}", err)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("in.zip", r".*in\.zip holds 2 files: 2023/in\.csv, 2024/in\.csv; a zip archive is read"),
        ("in.csv.xz", r".*in\.csv\.xz is not a readable xz file: Compressed file ended"),
    ],
)
def test_score_reports_a_broken_or_ambiguous_archive_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    body = ("id,text\n" + "".join(f"{i},快递{i}天了还没到\n" for i in range(500))).encode()
    src = tmp_path / name
    if name.endswith(".zip"):
        with zipfile.ZipFile(src, "w") as archive:
            archive.writestr("2023/in.csv", body)
            archive.writestr("2024/in.csv", body)
    else:
        src.write_bytes(lzma.compress(body)[:-50])
    for encoding in ([], ["--encoding", "utf-8"]):
        assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), *encoding]) == 2
        err = capsys.readouterr().err
        assert re.search(f"^triage score: error: {message}", err)
        assert "Traceback" not in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("out.csv.xz", None),
        ("out.jsonl.bz2", None),
        ("out.parquet.gz", r".*out\.parquet\.gz: Parquet is neither read nor written inside \.gz"),
        ("out.csv.zip", r"cannot write a zip archive .*out\.csv\.zip; write out\.csv\.gz"),
        # JSON Lines are no JSON document: a .json name is refused, before the input is read
        ("out.json", r"output .*out\.json: .*; name it out\.jsonl \(or \.ndjson\), or pass "),
        ("out.json.gz", r"output .*out\.json\.gz: .*; name it out\.jsonl\.gz"),
        # an output's names alone, zip none of them, and its option
        (
            "out.dat",
            r"cannot tell the format of output .*\(\.csv\.gz, \.csv\.bz2, \.csv\.xz\), "
            r"or pass the format: csv, tsv, jsonl or parquet "
            r"\(output_format=; CLI: --output-format\)$",
        ),
    ],
)
def test_score_writes_compressed_output_or_says_why_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str, message: str | None
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,text\n7,快递一周还没到\n8,房间很脏\n", encoding="utf-8")
    code = main(["score", str(src), "-o", str(tmp_path / output), "--quiet"])
    err = capsys.readouterr().err
    if message is not None:
        assert code == 2 and re.search(f"^triage score: error: {message}", err)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
        return
    assert code == 0 and err.startswith("2 rows, 0 errors") and output in err
    # pandas decompresses by the name as well
    lines = output.startswith("out.jsonl")
    got = pd.read_json(tmp_path / output, lines=True) if lines else pd.read_csv(tmp_path / output)
    assert got["id"].tolist() == [7, 8]
    assert got["primary"].tolist() == ["logistics", "environment"]


# complaints with an emoji, traditional characters and a han character
# beyond the Basic Multilingual Plane
WIDE = ["這家店的服務態度太差了😡", "𠀾字都打不出來，客服還說是我的問題"]


@pytest.mark.parametrize(
    ("encoding", "start"),
    [
        ("utf-8-sig", codecs.BOM_UTF8 + b"id,"),
        ("utf-16", codecs.BOM_UTF16 + "id,".encode("utf-16")[2:]),
        ("gb18030", b"id,"),
    ],
)
@pytest.mark.parametrize("output", ["out.csv", "out.csv.gz"])
def test_score_writes_the_output_encoding_given_and_reads_it_back(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    encoding: str,
    start: bytes,
    output: str,
) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["007", "008"], "text": WIDE}).to_csv(src, index=False)
    out = tmp_path / output
    argv = ["score", str(src), "-o", str(out), "--output-encoding", encoding, "--quiet"]
    assert main(argv) == 0
    data = out.read_bytes()
    data = gzip.decompress(data) if output.endswith(".gz") else data
    assert data.startswith(start) and data.decode(encoding).count("\ufeff") == 0
    # the scored file is an input as it is: its encoding is detected
    assert main(["score", str(out), "-o", str(tmp_path / "again.csv"), "--quiet"]) == 0
    assert capsys.readouterr().err.startswith("2 rows, 0 errors")
    back = pd.read_csv(tmp_path / "again.csv", dtype=str, keep_default_na=False)
    assert back["id"].tolist() == ["007", "008"] and back["text"].tolist() == WIDE


EXCEL = ["--output-encoding", "utf-8-sig", "--quiet"]


def test_score_writes_stdout_in_the_output_encoding_given(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    status, out, _ = _piped(CSV, ["score", "-", "-o", "-", *EXCEL], monkeypatch, capfdbinary)
    assert status == 0
    assert out.startswith(codecs.BOM_UTF8 + b"id,text,")
    got = pd.read_csv(io.BytesIO(out), encoding="utf-8-sig", dtype=str)
    assert got["id"].tolist() == ["7", "8"]


def test_score_help_says_which_output_encoding_excel_needs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--output-encoding" in text
    assert "utf-8-sig for a CSV that Excel on Chinese Windows opens" in text


# complaint texts that Excel or WPS would run as a formula, and a safe one
FORMULAS = ['=HYPERLINK("http://x","点我")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-_-快递又晚了"]


@pytest.mark.parametrize("output", ["out.csv", "out.tsv.gz"])
def test_score_escape_formulas_writes_a_formula_after_an_apostrophe(
    tmp_path: Path, output: str
) -> None:
    src = tmp_path / "in.csv"
    texts = [*FORMULAS, "快递一周还没到"]
    pd.DataFrame({"id": ["-1", "002", "003", "004", "005"], "text": texts}).to_csv(src, index=False)
    out = tmp_path / output
    sep = "\t" if ".tsv" in output else ","
    argv = ["score", str(src), "-o", str(out), "--output-encoding", "utf-8-sig", "--quiet"]
    assert main([*argv, "--escape-formulas"]) == 0
    got = pd.read_csv(out, sep=sep, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert got["text"].tolist() == [*("'" + t for t in FORMULAS), "快递一周还没到"]
    # a CSV input's cells are text: its -1 is escaped too
    assert got["id"].tolist() == ["'-1", "002", "003", "004", "005"]
    assert main(argv) == 0  # and without the option, every text as it was
    got = pd.read_csv(out, sep=sep, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert got["text"].tolist() == texts and got["id"].tolist()[0] == "-1"


def test_score_help_says_how_to_escape_formulas_for_excel(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--escape-formulas for a CSV or TSV output opened in Excel or WPS" in text


def _every_argument() -> list[tuple[str, argparse.Action]]:
    """Each command's name with each of its arguments."""
    from triage.cli import _commands, build_parser

    return [(name, a) for name, c in _commands(build_parser()).items() for a in c._actions]


def test_every_option_of_every_command_says_what_it_is() -> None:
    silent = [
        f"{name} {action.option_strings[0] if action.option_strings else action.dest}"
        for name, action in _every_argument()
        if not action.help
    ]
    assert silent == []


def test_analyze_help_names_the_default_output(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    assert "(default: json)" in " ".join(capsys.readouterr().out.split())


def test_help_lists_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for status in ("0 done", "2 bad input or usage", "130 or 143", "141"):
        assert status in text


def test_score_help_names_the_compressions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["score", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for what in (".gz, .bz2 or .xz in and out", ".zip holding one file", ".csv.xz"):
        assert what in text


def test_score_summary_says_when_more_lines_were_skipped_than_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,text\n" + "1,快递,太慢,了\n" * 12 + "2,房间很脏\n", encoding="utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("1 row, 0 errors")
    assert "skipped 12 malformed lines: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ..." in err


def test_score_writes_a_row_whose_scoring_raises_and_warns_with_its_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a rule that raised on one text stopped the run with a traceback, and
    # no output written for the rows scored before it
    import triage.priority

    rules = triage.priority._prioritize

    def failing(text: str, *args: Any) -> Any:
        if "坏掉的一行" in text:
            raise RuntimeError("bad rule")
        return rules(text, *args)

    monkeypatch.setattr(triage.priority, "_prioritize", failing)
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,快递太慢了\n2,坏掉的一行\n3,房间很脏\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["score", str(src), "-o", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.startswith(
        "triage score: warning: scoring raised an exception on 1 row, left unscored, its error "
        "saying so: row 2 (counted from 1, "
    )
    assert "in failing\n" in err
    assert "\n3 rows, 1 error, " in err
    assert err.endswith("\nscoring raised an exception on 1 row, left unscored\n")
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert scored["error"].tolist() == ["", "scoring raised RuntimeError: bad rule", ""]
    assert scored["priority"].tolist()[::2] == ["P3", "P3"]
    with pytest.raises(RuntimeError, match="bad rule"):
        main(["score", str(src), "-o", str(tmp_path / "again.csv"), "--errors", "raise"])


def test_score_reports_an_output_directory_before_reading_and_warnings_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes("text\n快递太慢了\n房间很脏\n".encode() + b"bad\xff byte\n")
    (tmp_path / "out.csv").mkdir()
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(
        r"triage score: error: output .*out.csv is a folder; name the file to write\n", err
    )
    # a folder on the way that is a file: said before reading, not "[Errno 17] File exists"
    assert main(["score", str(src), "-o", str(src / "sub" / "scored.csv")]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(
        r"triage score: error: output .*scored.csv: .*in.csv is a file, not a folder; .*\n", err
    )
    assert main(["score", str(src), "-o", str(tmp_path / "scored.csv"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert re.search("^triage score: warning: .*in.csv: 1 byte sequence", err, re.M)
    assert "Traceback" not in err


def test_score_reports_workers_that_keep_dying_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures.process import BrokenProcessPool

    def score_file(*args: object, **kwargs: object) -> None:
        raise BrokenProcessPool("worker processes died 3 times in this batch")

    monkeypatch.setattr("triage.batch.score_file", score_file)
    src = tmp_path / "in.csv"
    src.write_text("text\n快递太慢\n", encoding="utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("triage score: error: worker processes died 3 times")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (
            ["--jobs", "2", "--chunk-size", "500"],
            "try fewer --jobs (each worker holds a model; now 2) "
            "or a smaller --chunk-size (now 500)",
        ),
        ([], "try a smaller --chunk-size (now 10000)"),
    ],
)
def test_score_out_of_memory_says_so_in_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    options: list[str],
    said: str,
) -> None:
    # a MemoryError was a traceback that ended "MemoryError", and no advice
    def score_file(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr("triage.batch.score_file", score_file)
    src = tmp_path / "in.csv"
    src.write_text("text\n快递太慢\n", encoding="utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), *options]) == 1
    err = capsys.readouterr().err
    assert err == f"triage score: error: out of memory; no output written: {said}\n"
    with pytest.raises(MemoryError):  # -v: the traceback
        main(["-v", "score", str(src), "-o", str(tmp_path / "out.csv")])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, "SIGHUP"], ids=["term", "ctrl-c", "hangup"]
)
def test_score_stopped_by_a_signal_cleans_up_and_says_so(tmp_path: Path, signum: Any) -> None:
    # a scheduler's timeout or kill sends SIGTERM; Ctrl-C sends SIGINT; a
    # terminal closed or an ssh session dropped, SIGHUP, which left the
    # partial file behind
    signum = getattr(signal, signum) if isinstance(signum, str) else signum

    src = tmp_path / "in.csv"
    # far more rows than are scored before the signal lands, even on a busy
    # machine: 20,000 were done 0.7 s after the first progress line, and a
    # run that had finished exited 0
    src.write_text("text\n" + "快递一周还没到，客服也不回\n" * 200_000, encoding="utf-8")
    argv = ["score", str(src), "-o", str(tmp_path / "out.csv"), "--jobs", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", *argv, "--chunk-size", "100"],
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        # as from a terminal: a runner may start this one with SIGHUP blocked,
        # and the command, which never saw it, ran to its end
        preexec_fn=as_from_a_terminal(signal.SIGINT, signal.SIGHUP, signal.SIGTERM),
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until rows are being written
        if line.startswith("scored"):
            break
    proc.send_signal(signum)
    # the workers are gone too: they hold stderr open while they live
    _, err = proc.communicate(timeout=60)
    # Ctrl-C ends it by SIGINT, as it ends Python (a shell says status 130);
    # SIGTERM and SIGHUP, which it handles, with status 128 + the signal
    assert proc.returncode == (-signum if signum == signal.SIGINT else 128 + signum), err
    # no partial output left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    assert "interrupted" in err and "Traceback" not in err, err


@pytest.mark.skipif(
    sys.platform == "win32" or shutil.which("bash") is None, reason="POSIX signals and shell"
)
def test_ctrl_c_stops_the_shell_script_that_runs_score(tmp_path: Path) -> None:
    # Ctrl-C reaches the shell running a script (for f in */*.csv; do triage
    # score ...; done) as it reaches the command. The shell, waiting for the
    # command, stops the script only when the command dies of SIGINT, as
    # Python and sleep do; a command that exits with status 130 instead
    # handled Ctrl-C itself, so the script went on to score the next file
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    big.write_text("text\n" + "退款申请提交半个月了还没处理\n" * 200_000, encoding="utf-8")
    small.write_text("text\n快递一周还没到\n", encoding="utf-8")
    score = f"{shlex.quote(sys.executable)} -m triage score --chunk-size 100"
    script = f"for f in big small; do {score} $f.csv -o $f.out.csv; echo $?; done; echo went on"
    proc = subprocess.Popen(
        ["bash", "-c", script],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        # a process group of its own, the terminal's foreground one, that
        # Ctrl-C sends SIGINT to as a whole
        start_new_session=True,
        preexec_fn=as_from_a_terminal(signal.SIGINT),
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until rows are being written
        if line.startswith("scored"):
            break
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (out, proc.returncode) == ("", -signal.SIGINT), err
    assert err.splitlines()[-1] == "triage score: interrupted by SIGINT; no output written", err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "small.csv"]


def _children(pid: int) -> list[int]:
    """The processes `pid` started, from Linux's /proc."""
    kids = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # the parent is the second field after the name, which may hold spaces
            if int(stat_file.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(stat_file.parent.name))
    return kids


@pytest.mark.skipif(sys.platform != "linux", reason="POSIX signals, Linux's /proc")
def test_ctrl_c_as_the_workers_start_stops_them_without_a_traceback(tmp_path: Path) -> None:
    # Ctrl-C in the first seconds of --jobs 2 reached the workers while they
    # imported loky's bootstrap, before they could end quietly: each printed
    # its traceback under the command's one line
    src = tmp_path / "in.csv"
    src.write_text("text\n" + "退款申请提交半个月了还没处理\n" * 20_000, encoding="utf-8")
    argv = ["score", str(src), "-o", str(tmp_path / "out.csv"), "--jobs", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", *argv, "--chunk-size", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        # the terminal's foreground job, which Ctrl-C signals as a whole
        start_new_session=True,
        preexec_fn=as_from_a_terminal(signal.SIGINT),
    )
    try:
        # a worker started, and importing: psutil is among loky's first imports
        starting, deadline = False, time.monotonic() + 120
        while not starting and proc.poll() is None and time.monotonic() < deadline:
            for kid in _children(proc.pid):
                with contextlib.suppress(OSError):
                    cmd = Path(f"/proc/{kid}/cmdline").read_bytes()
                    maps = Path(f"/proc/{kid}/maps").read_text()
                    starting = starting or (b"popen_loky" in cmd and "psutil" in maps)
            time.sleep(0.005)
        assert starting, "no worker started"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    # one line, and nothing on stdout, where a worker cut short as it
    # started printed that it had read nothing
    assert (out, proc.returncode) == ("", -signal.SIGINT), err
    assert err == "triage score: interrupted by SIGINT; no output written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("entry", ["python -m triage", "console script"])
@pytest.mark.parametrize(
    ("module", "said"),
    [
        ("triage.cli", ""),  # the command not yet known: nothing done to say
        ("jieba", "triage score: interrupted by SIGINT; no output written\n"),
        ("numpy.exceptions", "triage score: interrupted by SIGINT; no output written\n"),
    ],
    ids=["the-command", "jieba", "numpy"],
)
def test_ctrl_c_as_the_command_imports_its_modules_ends_it_by_sigint_without_a_traceback(
    tmp_path: Path, entry: str, module: str, said: str
) -> None:
    # a Ctrl-C in the first tenth of a second or so of any command, as
    # Python imported the command's modules before main ran, or jieba before
    # it handled one, printed the traceback of the import it cut short; and
    # cut short as triage score imported numpy, which cannot be imported
    # twice in a process, it was imported again to say how the command was
    # stopped: an ImportError's traceback, status 1
    import tomllib

    from tests.conftest import REPO

    # a Ctrl-C, as the terminal sends it, while `module` is imported
    (tmp_path / "sitecustomize.py").write_text(
        "import os, signal, sys\n\n"
        "class CtrlC:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name == {module!r}:\n"
        "            sys.meta_path.remove(self)\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n\n"
        "sys.meta_path.insert(0, CtrlC())\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "triage"]
    if entry == "console script":  # as the script pip writes runs it
        with (REPO / "pyproject.toml").open("rb") as f:
            where, name = tomllib.load(f)["project"]["scripts"]["triage"].split(":")
        command = [
            sys.executable,
            "-c",
            f"import sys; from {where} import {name}; sys.exit({name}())",
        ]
    src = tmp_path / "in.csv"
    src.write_text("text\n快递一周还没到\n", encoding="utf-8")
    paths = [str(tmp_path), str(REPO), os.environ.get("PYTHONPATH", "")]
    done = subprocess.run(
        [*command, "score", str(src), "-o", str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        preexec_fn=as_from_a_terminal(signal.SIGINT),
        timeout=120,
    )
    # dead of SIGINT, so that a shell script running it stops too
    assert (done.returncode, done.stderr) == (-signal.SIGINT, said)
    assert not (tmp_path / "out.csv").exists()


# what stops a run, the exit status it gives and the signal it names
STOPS = pytest.mark.parametrize(
    ("stop", "status", "name"), [(KeyboardInterrupt, 130, "SIGINT"), (_Terminated, 143, "SIGTERM")]
)


@STOPS
def test_score_stopped_while_writing_to_stdout_says_what_stdout_got_is_incomplete(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stop: type[KeyboardInterrupt],
    status: int,
    name: str,
) -> None:
    # -o - writes the output once it is complete; a signal then (a reader that
    # is slow to read) leaves the reader part of it: "no output written" it was not
    class Stopped(io.BytesIO):
        def write(self, data: Any) -> int:
            super().write(bytes(data)[:10])
            raise stop

    stdout = Stopped()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(stdout, encoding="utf-8"))
    source = tmp_path / "in.csv"
    source.write_text("text\n快递一周还没到\n", encoding="utf-8")
    assert main(["score", str(source), "-o", "-", "--quiet"]) == status
    assert stdout.getvalue() == b"text,categ"
    assert capsys.readouterr().err == (
        f"triage score: interrupted by {name}; the output written to stdout is incomplete\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@STOPS
def test_score_stopped_while_writing_into_a_named_output_pipe_says_it_is_incomplete(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stop: type[KeyboardInterrupt],
    status: int,
    name: str,
) -> None:
    # -o /dev/stdout into a pipe, or a named pipe, is written once the output
    # is complete, as -o - is: stopped then, its reader has had part of it
    import shutil
    import threading

    def cut(source: Any, target: Any, length: int = 0) -> None:
        target.write(source.read(10))
        target.flush()
        raise stop

    monkeypatch.setattr(shutil, "copyfileobj", cut)
    pipe = tmp_path / "out.csv"
    os.mkfifo(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()))
    reader.start()
    source = tmp_path / "in.csv"
    source.write_text("text\n快递一周还没到\n", encoding="utf-8")
    assert main(["score", str(source), "-o", str(pipe), "--quiet"]) == status
    reader.join(timeout=30)
    assert got == [b"text,categ"]
    assert capsys.readouterr().err == (
        f"triage score: interrupted by {name}; the output written to {pipe} is incomplete\n"
    )


def test_train_and_evaluate_round_trip(
    train_frame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    train_csv = tmp_path / "train.csv"
    train_frame.iloc[:300].to_csv(train_csv, index=False)
    dev_csv = tmp_path / "dev.csv"
    train_frame.iloc[300:400].to_csv(dev_csv, index=False)
    out = tmp_path / "model"
    words = tmp_path / "words.txt"
    words.write_text("外卖平台\n送餐员 5 n\n(以旧换新)\n", encoding="utf-8")
    argv = ["train", str(train_csv), "--dev", str(dev_csv), "-o", str(out), "--words", str(words)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err.count("'(以旧换新)' can never be cut whole") == 1
    text = captured.out
    assert "category macro-F1" in text and "lexicon baseline" in text
    card = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert card["metrics"]["dev"]["rows"] == 100
    assert card["words"]["count"] == 3 and card["params"]["words"] == str(words)
    assert main(["evaluate", str(dev_csv), "--model", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 100


def test_evaluate_with_calibration_says_how_far_each_probability_is_one(
    tiny_frame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    # the report gave figures of labels only, none of the probabilities users
    # threshold on: --calibration adds triage.calibration's, and --json its bins
    from triage.evaluation import calibration

    path = tmp_path / "labeled.csv"
    tiny_frame.to_csv(path, index=False)
    want = calibration(triage.LexiconModel(), tiny_frame)
    assert main(["evaluate", str(path), "--baseline", "--calibration"]) == 0
    text = capsys.readouterr().out
    table = text[text.index("probability    rows") :].splitlines()
    assert [line.split()[0] for line in table[1:12]] == list(want.labels.index)
    for line, (label, row) in zip(table[1:12], want.labels.iterrows(), strict=True):
        shown = [int(row["rows"])] + [
            f"{row[k]:.3f}" for k in ("rate", "mean_proba", "ece", "brier", "brier_of_rate")
        ]
        assert line.split() == [label, *map(str, shown)]
    assert table[12].startswith("ECE: expected calibration error over 10 bins")
    assert main(["evaluate", str(path), "--baseline", "--calibration", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calibration"] == want.to_dict()
    assert main(["evaluate", str(path), "--baseline", "--json"]) == 0
    assert "calibration" not in json.loads(capsys.readouterr().out)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_train_saves_the_model_before_a_report_that_cannot_be_printed(
    tiny_frame, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # a full disk, or a reader of stdout that went away (| head): the trained
    # model is kept all the same
    train_csv = tmp_path / "train.csv"
    tiny_frame.to_csv(train_csv, index=False)
    out = tmp_path / "model"
    argv = ["train", str(train_csv), "--dev", str(train_csv), "-o", str(out)]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "triage", *argv],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert done.returncode == 2 and "No space left on device" in done.stderr
    from triage import load_model

    assert load_model(out).n_train_ == len(tiny_frame)


def test_train_learns_word_vectors_from_a_file_of_ones_own(
    train_frame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    from triage import normalize

    train_csv = tmp_path / "train.csv"
    train_frame.iloc[:300].to_csv(train_csv, index=False)
    # a history of texts, among them those trained on, which are left out
    history = tmp_path / "history.jsonl"
    texts = train_frame["text"].iloc[:1500]
    texts.to_frame("body").to_json(history, orient="records", lines=True, force_ascii=False)
    trained = {normalize(t) for t in train_frame["text"].iloc[:300]}
    unlabeled = sum(normalize(t) not in trained for t in texts)
    out = tmp_path / "model"
    argv = ["train", str(train_csv), "-o", str(out), "--corpus-file", str(history)]
    assert main([*argv, "--corpus-column", "body"]) == 0
    said = capsys.readouterr().err
    assert f"word vectors from {unlabeled:,} unlabeled texts of {history}" in said
    card = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert card["params"]["word_vectors"]["n_texts"] == unlabeled > 1000
    assert card["notes"]["corpus_file"] == "history.jsonl"
    assert card["notes"]["corpus_column"] == "body" and "corpus" not in card["notes"]


@pytest.fixture
def no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    def train(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before the input was checked")

    monkeypatch.setattr("triage.training.train", train)


@pytest.mark.parametrize(
    ("dev_change", "output", "message"),
    [
        ({"angry": "3"}, "", r"dev\.csv: 1 problem in .*angry='3'"),
        ({"primary": "shipping"}, "", r"dev\.csv: 1 problem in .*unknown primary"),
        ({}, "a model", r"model\.joblib exists; pass overwrite=True"),
        ({}, "a link to nothing", r"model is a link to .*gone, which does not exist"),
        ({}, "a file", r"train\.csv is a file \(it would hold .*train\.csv/model\)"),
        # -o "$OUT" with OUT unset: not the working directory
        ({}, "empty", r"the model directory is empty"),
        # a place nothing can be written to, as root cannot either
        ({}, "/proc", r"cannot write to /proc \(where /proc/triage-model would be made\)"),
    ],
)
@pytest.mark.usefixtures("no_training")
def test_train_checks_dev_and_output_before_training(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    dev_change: dict[str, str],
    output: str,
    message: str,
) -> None:
    train_csv, dev_csv = tmp_path / "train.csv", tmp_path / "dev.csv"
    tiny_frame.to_csv(train_csv, index=False)
    dev = tiny_frame.iloc[:4].copy()
    for column, value in dev_change.items():
        dev.loc[2, column] = value
    dev.to_csv(dev_csv, index=False)
    out = tmp_path / "model"
    if output == "a model":
        out.mkdir()
        (out / "model.joblib").write_bytes(b"")
    elif output == "a link to nothing":
        out.symlink_to(tmp_path / "gone")
    elif output == "a file":  # -o given the training file's folder path, say
        out = train_csv / "model"
    elif output == "empty":
        out = Path("")
    elif output == "/proc":
        if not Path("/proc/self").is_dir():
            pytest.skip("no /proc on this system")
        out = Path("/proc/triage-model")
    target = "" if output == "empty" else str(out)
    assert main(["train", str(train_csv), "--dev", str(dev_csv), "-o", target]) == 2
    err = capsys.readouterr().err
    assert re.search(f"^triage train: error: .*{message}", err, flags=re.S)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--words", "WORDS"], r"words\.txt, line 2: frequency 0 for '送餐员'"),
        # words= and a Python list of words were no help on a command line
        (["--words", "missing.txt"], r"--words missing\.txt names no file; give the path of a .*"),
        (["--words", "."], r"--words \. is a folder; name the user dictionary file in it"),
        (
            ["--corpus-file", "HISTORY", "--corpus-column", "body"],
            r"no column 'body' in .*history\.csv; columns are \['text'\].*--corpus-column",
        ),
        (["--corpus-file", "missing.csv"], r"no corpus file at missing\.csv"),
        (["--corpus-file", "GONE"], r"no corpus file at .*gone\.csv: it is a link to moved\.csv"),
    ],
)
def test_train_checks_its_options_before_learning_word_vectors(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    option: list[str],
    message: str,
) -> None:
    def read_corpus(*args: object, **kwargs: object) -> None:
        raise AssertionError("read the corpus before the options were checked")

    monkeypatch.setattr("triage.vectors.read_corpus", read_corpus)
    train_csv = tmp_path / "train.csv"
    tiny_frame.to_csv(train_csv, index=False)
    words = tmp_path / "words.txt"
    words.write_text("外卖平台\n送餐员 0\n", encoding="utf-8")
    history = tmp_path / "history.csv"
    history.write_text("text\n快递太慢了\n", encoding="utf-8")
    gone = tmp_path / "gone.csv"
    gone.symlink_to("moved.csv")
    named = {"WORDS": str(words), "HISTORY": str(history), "GONE": str(gone)}
    option = [named.get(o, o) for o in option]
    argv = ["train", str(train_csv), "-o", str(tmp_path / "m"), "--corpus", str(tmp_path)]
    assert main([*argv, *option]) == 2
    assert re.search(f"^triage train: error: .*{message}", capsys.readouterr().err)


def test_train_warns_of_dev_texts_it_trains_on(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # dev figures of rows the model was trained on flatter it; a copy written
    # with other spaces or punctuation width is the same text to the model
    train_csv, dev_csv = tmp_path / "train.csv", tmp_path / "dev.csv"
    tiny_frame.to_csv(train_csv, index=False)
    dev = tiny_frame.iloc[:4].copy()
    dev.loc[1, "text"] = f"  {dev.loc[1, 'text']} "
    dev.loc[3, "text"] = "外卖送到的时候汤全洒了"
    dev.to_csv(dev_csv, index=False)
    argv = ["train", str(train_csv), "--dev", str(dev_csv), "-o", str(tmp_path / "m")]
    assert main(argv) == 0
    assert re.search(
        r"triage train: warning: .*dev\.csv: 3 of its 4 texts are in .*train\.csv too "
        r"\(compared as the model reads them\): a model trained on one file and measured on the "
        r"other is flattered by them; keep each text in one file",
        capsys.readouterr().err,
    )


def test_train_warns_of_a_label_of_too_few_rows_to_tune_its_threshold_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_training import _pricing_rows

    train_csv = tmp_path / "train.csv"
    _pricing_rows(1).to_csv(train_csv, index=False)
    assert main(["train", str(train_csv), "-o", str(tmp_path / "m")]) == 0
    assert (
        "triage train: warning: too few labeled rows of these labels to tune their decision "
        "thresholds on (fewer than 5 of a class): category:pricing (1 of 26 rows positive: its "
        "threshold stays 0.5). Their predictions are unreliable; label more rows of them."
    ) in capsys.readouterr().err


@pytest.mark.usefixtures("no_training")
class _Fitted(Exception):
    """What a stand-in for fit_word_vectors raises, holding the texts it was given."""


@pytest.mark.parametrize(
    ("written", "given", "said"),
    [
        # detection cannot tell it: the error names the option of the corpus file
        ("utf-16-le", None, "error: .*CLI: --corpus-encoding utf-16-le\\)$"),
        ("utf-16-be", None, "error: .*CLI: --corpus-encoding utf-16-be\\)$"),
        ("utf-16-le", "utf-16-le", None),
        ("utf-16-be", "utf-16-be", None),
        ("gbk", "gbk", None),
        ("gbk", "utf-8", "warning: .* are not utf-8 .*\\(CLI: --corpus-encoding\\)$"),
        ("utf-8", "rot13", "error: encoding='rot13' .*\\(CLI: --corpus-encoding\\);"),
    ],
    ids=["le-told", "be-told", "le", "be", "gbk", "wrong", "no-text-codec"],
)
def test_train_reads_a_corpus_file_in_the_corpus_encoding(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    written: str,
    given: str | None,
    said: str | None,
) -> None:
    # --encoding is that of the labeled files: a corpus file has its own
    def fit_word_vectors(texts: Iterable[str], **kwargs: object) -> None:
        raise _Fitted(list(texts))

    monkeypatch.setattr("triage.vectors.fit_word_vectors", fit_word_vectors)
    monkeypatch.chdir(tmp_path)
    tiny_frame.to_csv("labeled.csv", index=False)
    texts = [_ZHUYIN if written.startswith("utf-16") else "快递一周还没到", "客服态度很差"]
    Path("history.csv").write_bytes(
        pd.DataFrame({"text": texts}).to_csv(index=False).encode(written)
    )
    argv = ["train", "labeled.csv", "-o", "model", "--corpus-file", "history.csv"]
    argv += ["--corpus-encoding", given] if given else []
    if said is not None and said.startswith("error"):
        assert main(argv) == 2
        assert re.search(f"^triage train: {said}", capsys.readouterr().err.strip())
        return
    with pytest.raises(_Fitted) as fitted:
        main(argv)
    if said is None:
        assert fitted.value.args[0] == texts
        assert capsys.readouterr().err == ""
    else:  # once, though the file is opened first to check its column
        err = capsys.readouterr().err.strip()
        assert len(re.findall(f"^triage train: {said}", err, flags=re.M)) == 1, err


def test_train_help_says_jobs_segment_the_corpus_too(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # it said "parallel jobs for fitting", and --jobs 2 also starts the processes
    # that segment the corpus, each with its own dictionary, as the README's
    # `--corpus DATA_DIR` (under a minute with --jobs 2) counts on
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert (
        "--jobs JOBS parallel jobs for fitting, and processes that segment the texts of "
        "--corpus and --corpus-file" in said
    )

    jobs: list[object] = []

    def fit_word_vectors(texts: Iterable[str], **kwargs: object) -> None:
        jobs.append(kwargs["n_jobs"])
        raise _Fitted(list(texts))

    monkeypatch.setattr("triage.vectors.fit_word_vectors", fit_word_vectors)
    monkeypatch.chdir(tmp_path)
    tiny_frame.to_csv("labeled.csv", index=False)
    pd.DataFrame({"text": ["快递一周还没到", "客服态度很差"]}).to_csv("history.csv", index=False)
    with pytest.raises(_Fitted):
        main(["train", "labeled.csv", "-o", "model", "--corpus-file", "history.csv", "--jobs", "2"])
    assert jobs == [2]


@pytest.mark.parametrize(
    ("name", "write", "said"),
    [
        (
            "history.csv",
            lambda f, path: f.to_json(path, orient="records", lines=True, force_ascii=False),
            r"history\.csv is JSONL .*; name it \.jsonl, or pass input_format='jsonl' "
            r"\(CLI: name it \.jsonl\)",
        ),
        (
            "history.csv",
            lambda f, path: f.to_parquet(path),
            r"history\.csv is not a text file: it is a Parquet file; name it \.parquet, or "
            r"pass input_format='parquet' \(CLI: name it \.parquet\)",
        ),
        (
            "history.dat",
            lambda f, path: f.to_csv(path, index=False),
            r"cannot tell the format of history\.dat .*\(input_format=; the command line "
            r"tells it by the extension alone\)",
        ),
    ],
    ids=["jsonl", "parquet", "unknown"],
)
@pytest.mark.usefixtures("no_training")
def test_train_says_how_to_give_the_format_of_a_corpus_file_by_its_name(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    write: Any,
    said: str,
) -> None:
    # train has no --input-format: the format of --corpus-file is its extension's
    monkeypatch.chdir(tmp_path)
    tiny_frame.to_csv("labeled.csv", index=False)
    write(pd.DataFrame({"text": ["快递一周还没到", "客服态度很差"]}), name)
    argv = ["train", "labeled.csv", "-o", "model", "--corpus-file", name]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(f"triage train: error: {said}\n", err), err
    assert "--input-format" not in err


def test_train_refuses_a_corpus_column_without_a_corpus_file(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # alone it would train without the word vectors meant, and say nothing
    train_csv = tmp_path / "train.csv"
    tiny_frame.to_csv(train_csv, index=False)
    argv = ["train", str(train_csv), "-o", str(tmp_path / "m"), "--corpus-column", "内容"]
    refused_as_misuse(argv)
    assert "--corpus-column names the column of --corpus-file" in capsys.readouterr().err
    argv = ["train", str(train_csv), "-o", str(tmp_path / "m"), "--corpus-encoding", "gbk"]
    refused_as_misuse(argv)
    assert "--corpus-encoding is the encoding of --corpus-file" in capsys.readouterr().err


@pytest.mark.usefixtures("no_training")
def test_train_says_public_sets_without_text_are_too_few(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from triage.vectors import CORPUS_SOURCES

    for relative, column in CORPUS_SOURCES.values():  # a header each, no row
        (tmp_path / "raw" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "raw" / relative).write_text(f"{column}\n", encoding="utf-8")
    train_csv = tmp_path / "train.csv"
    tiny_frame.to_csv(train_csv, index=False)
    argv = ["train", str(train_csv), "-o", str(tmp_path / "m"), "--corpus", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    # not that an iterator read before be read again, which no command line can do
    assert re.search(r"^triage train: error: 0 words .* in 0 texts: too few for 200 dim", err)
    assert "read_texts" not in err


@pytest.mark.parametrize(
    ("corpus", "message"),
    [
        # the command has no option for the dimensions: more text is what it needs
        (
            "text\n快递太慢了\n客服态度差\n",
            r"0 words of at least 3 occurrences in 2 texts: too few for 200 dimensions; give "
            r"more text, ideally 100,000 texts or more \(or, in Python, a lower dim=\)",
        ),
        # the labeled texts are left out of the word vectors: the labeled file
        # itself, given as the corpus, leaves nothing, and is told so before training
        (None, r"the corpus file .*train\.csv holds no text but those of the labeled files"),
        # had been told to hold only labeled texts, as the labeled file does
        (
            "text,id\n,1\n  ,2\n",
            r"the corpus file .*history\.csv holds no text: its column 'text' ",
        ),
        ("text\n", r"the corpus file .*history\.csv holds no text: .*\(--corpus-column names"),
    ],
    ids=["too-small", "the-labeled-file", "blank-texts", "a-header-alone"],
)
@pytest.mark.usefixtures("no_training")
def test_train_says_what_to_do_with_a_corpus_file_it_cannot_learn_from(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    corpus: str | None,
    message: str,
) -> None:
    train_csv = tmp_path / "train.csv"
    tiny_frame.to_csv(train_csv, index=False)
    history = train_csv
    if corpus is not None:
        history = tmp_path / "history.csv"
        history.write_text(corpus, encoding="utf-8")
    argv = ["train", str(train_csv), "-o", str(tmp_path / "m"), "--corpus-file", str(history)]
    assert main(argv) == 2
    assert re.search(f"^triage train: error: {message}", capsys.readouterr().err)


@pytest.mark.usefixtures("no_training")
def test_train_refuses_an_output_that_is_a_file(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    train_csv = tmp_path / "train.csv"
    tiny_frame.to_csv(train_csv, index=False)
    assert main(["train", str(train_csv), "-o", str(train_csv)]) == 2
    assert "train.csv is a file; a model is saved to a directory" in capsys.readouterr().err


# a complaint of 100,000 characters in Chinese written with zhuyin (bopomofo),
# whose UTF-16 without a byte-order mark detection cannot tell
_ZHUYIN = ("等ㄌㄧㄤˇ個禮拜ㄌ，快递ㄇㄟˊ到" * 8000)[:100_000]


@pytest.mark.parametrize("written", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "argv",
    [
        ["check", "labeled.csv"],
        ["evaluate", "labeled.csv", "--baseline"],
        ["train", "labeled.csv", "--dev", "dev.csv", "-o", "model"],
    ],
    ids=["check", "evaluate", "train"],
)
def test_labeled_files_are_read_in_the_encoding_given(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    written: str,
) -> None:
    import triage.training
    from tests.conftest import TINY_PARAMS

    trained = triage.training.train
    monkeypatch.setattr(
        "triage.training.train", lambda frame, **kw: trained(frame, **kw | TINY_PARAMS)
    )
    monkeypatch.chdir(tmp_path)
    labeled = tiny_frame.copy()
    # 5,000 of its characters, where 500 already keep detection from telling
    # the encoding: train segments each text with snownlp too, seconds for
    # 100,000 characters, and what is checked is the encoding, not what is
    # learned
    labeled.loc[0, "text"] = _ZHUYIN[:5_000]
    Path("labeled.csv").write_bytes(labeled.to_csv(index=False).encode(written))
    Path("dev.csv").write_bytes(labeled.iloc[:4].to_csv(index=False).encode(written))
    # the error says what to pass, and the command takes it
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"triage {argv[0]}: error: labeled.csv is not a text file: it holds NUL")
    advice = re.search(r"CLI: (--encoding \S+)\)$", err.strip())
    assert advice is not None and advice.group(1) == f"--encoding {written}"
    assert main([*argv, *advice.group(1).split()]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "U+FFFD" not in err
    if argv[0] == "check":
        assert err == f"labeled.csv: {len(labeled)} rows, no problem\n"
    elif argv[0] == "evaluate":
        assert out.startswith("lexicon baseline on labeled.csv")
    else:
        assert f"trained on {len(labeled)} rows of labeled.csv" in err
        assert "model on dev.csv" in out
        card = json.loads(Path("model", "model.json").read_text(encoding="utf-8"))
        assert card["metrics"]["dev"]["rows"] == 4


LABELED_HEADER = "text,categories,primary,angry,anxious,confused,humorous,aggrieved,priority\n"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        # a text holding a line break puts the rows after it a line further down
        (
            '"快递太慢了\n客服也不回",logistics|service,logistics,1,0,0,0,0,P3\n'
            "房间很脏,environment,environment,5,0,0,0,0,P3\n",
            "row 1 (line 4, id '') angry='5': intensity must be 0, 1 or 2",
        ),
        # so do the empty rows Excel saves, which are dropped
        (
            "快递太慢了,logistics,logistics,0,0,0,0,0,P3\n,,,,,,,,\n,,,,,,,,\n"
            "房间很脏,environment,environment,0,0,0,0,0,P9\n",
            "row 1 (line 5, id '') priority='P9'",
        ),
        # the earlier copy of a text labeled otherwise is named by its line too
        (
            "客服不回消息,service,service,0,0,0,0,0,P3\n"
            "客服不回消息,service,service,0,0,0,0,0,P2\n",
            "row 1 (line 3, id '') text='客服不回消息': same text as row 0 (line 2) with other "
            "labels: priority",
        ),
    ],
)
def test_evaluate_names_a_bad_row_by_its_line_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, named: str
) -> None:
    path = tmp_path / "dev.csv"
    path.write_text(LABELED_HEADER + body, encoding="utf-8")
    assert main(["evaluate", str(path), "--baseline"]) == 2
    assert named in capsys.readouterr().err


#: A support team's file: categories and primary labeled, the rest of an
#: export's columns left empty.
_SUPPORT_TEAM = (
    "text,categories,primary,angry,anxious,confused,humorous,aggrieved,priority\n"
    "洗衣机转了一次就漏水,product,product,,,,,,\n"
    "快递三天没更新，打客服也没人接,logistics|service,logistics,,,,,,\n"
    "谢谢，问题解决了,,,,,,,,\n"
    "会员费多扣了一个月,pricing,pricing,,,,,,\n"
)


def test_evaluate_reports_the_heads_a_file_labels_and_names_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # it was refused as though it were to train on ("each head learns from its own column")
    from triage.cli import render_evaluation
    from triage.labeled import read_labeled

    path = tmp_path / "support.csv"
    path.write_text(_SUPPORT_TEAM, encoding="utf-8")
    ev = triage.evaluate(triage.LexiconModel(), read_labeled(path))
    assert main(["evaluate", str(path), "--baseline"]) == 0
    out = capsys.readouterr().out
    assert out == f"{render_evaluation(ev, f'lexicon baseline on {path}')}\n"
    lines = out.splitlines()
    assert lines[1].startswith("category      precision") and "emotion macro" not in out
    assert "intensity" not in out
    assert "P1 recall" not in out and "priority accuracy" not in out
    assert re.search(r"^category macro-F1 \d\.\d{3}   primary accuracy [\d.]+ \(n=3\)$", out, re.M)
    assert "not evaluated: emotions (empty on every row); priority (empty on every row)" in lines
    assert main(["evaluate", str(path), "--baseline", "--json", "--calibration"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["evaluated"] == ["categories", "primary"] and "priority" not in data
    assert data["not_evaluated"] == {
        "emotions": "empty on every row",
        "priority": "empty on every row",
    }
    assert {k: v for k, v in data.items() if k != "calibration"} == ev.to_dict()
    assert "angry" not in data["calibration"]["labels"]


@pytest.mark.parametrize(
    ("body", "heads"),
    [
        (_SUPPORT_TEAM, "categories, primary"),  # the other columns empty on every row
        ("text,categories,primary\n洗衣机转了一次就漏水,product,product\n", "categories, primary"),
        ("text,priority\n充电器冒烟了,P1\n门口太吵,P4\n", "priority"),
    ],
    ids=["export", "support", "analyst"],
)
def test_train_says_a_dev_file_of_some_heads_is_one_to_evaluate(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: str,
    heads: str,
) -> None:
    # a dev file that labels some heads alone was told how to train on it
    # (label the missing columns, or extra=rows), not that triage evaluate takes it
    train_csv, dev_csv = tmp_path / "train.csv", tmp_path / "dev.csv"
    tiny_frame.to_csv(train_csv, index=False)
    dev_csv.write_text(body, encoding="utf-8")
    out = tmp_path / "model"
    assert main(["train", str(train_csv), "--dev", str(dev_csv), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"triage train: error: {dev_csv}: ")
    assert (
        "triage train --dev takes every label column: label "
        f"{'them' if ',,,' in body else 'the missing ones'}, or evaluate the heads labeled "
        f"({heads}) with triage evaluate, which takes some heads alone"
    ) in err
    assert "extra=rows" not in err and not out.exists()
    # which it does
    assert main(["evaluate", str(dev_csv), "--baseline", "--json"]) == 0
    assert ", ".join(json.loads(capsys.readouterr().out)["evaluated"]) == heads


@pytest.mark.parametrize(
    ("body", "problems", "heads", "own"),
    [
        # an export whose emotions and priorities were left empty: one
        # problem of those columns, not one a cell
        (_SUPPORT_TEAM, 1, "categories, primary", 0),
        (
            "text,categories,primary\n洗衣机转了一次就漏水,product,product\n",
            1,
            "categories, primary",
            0,
        ),
        ("text,priority\n充电器冒烟了,P1\n门口太吵,P4\n", 1, "priority", 0),
        # a problem of the heads it labels, which evaluate refuses too
        ("text,priority\n充电器冒烟了,P1\n门口太吵,低\n", 1, "priority", 1),
        (
            "text,categories,primary\n快递三天没更新,物流,logistics\n物流太慢,物流,物流\n",
            1,
            "categories, primary",
            3,
        ),
    ],
    ids=["export", "support", "analyst", "analyst-bad", "support-bad"],
)
def test_check_says_a_file_of_some_heads_is_one_to_evaluate(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: str,
    problems: int,
    heads: str,
    own: int,
) -> None:
    # it listed the columns missing, with how to train on the file alone:
    # nothing said triage evaluate takes it
    path = tmp_path / "labeled.csv"
    path.write_text(body, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == problems  # the problems are those of training, as before
    rows = len(body.splitlines()) - 1
    fix = ""
    if own:
        listed = [h.strip() for h in heads.split(",")]
        fix = (
            f" once {own} problem{'s' * (own > 1)} of theirs {'are' if own > 1 else 'is'} fixed "
            f"(triage.validate_labels(triage.read_labeled({str(path)!r}), heads={listed!r}) "
            f"lists {'them' if own > 1 else 'it'})"
        )
    assert err == (
        f"{path}: {problems} problem{'s' * (problems > 1)} in {rows} row{'s' * (rows > 1)}, "
        "for training, which "
        "takes every label column; triage evaluate takes the file for the heads it labels "
        f"({heads}){fix}\n"
    )
    # which it does, once the problems of those heads are fixed
    assert main(["evaluate", str(path), "--baseline", "--json"]) == (2 if own else 0)


def test_check_of_a_team_s_export_says_the_columns_left_empty_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a support team's export of 2,000 rows, its emotions and priorities left
    # empty, was 12,000 lines of "intensity must be 0, 1 or 2" and "priority
    # must be one of", six a row
    header, *rows = _SUPPORT_TEAM.splitlines()
    body = [f"{row.replace(',', f'（第{n}单）,', 1)}" for n in range(500) for row in rows]
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{path}: bad columns in the labeled data: angry, anxious, confused, humorous, "
        "aggrieved, priority are empty on every row; each head learns from its own column: "
        "label them (for priorities not rated, one level in every row: the rules alone "
        "decide), or train on the rows as extra rows beside fully labeled ones, "
        "triage.train(labeled, extra=rows), where an empty cell is unknown (complaint=0 marks "
        "no complaint; see TriageModel.fit); the columns are ['text', 'categories', 'primary', "
        "'angry', 'anxious', 'confused', 'humorous', 'aggrieved', 'priority']"
    ]
    assert err.startswith(f"{path}: 1 problem in 2,000 rows, for training")


_ANALYST = "text,priority\n充电器冒烟了,P1\n快递慢了一天,P3\n门口太吵,P4\n"


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        # an analyst's priorities: the keyword baseline gives them no probability
        (_ANALYST, True),
        # a support team's categories, the other columns empty: they have one
        (_SUPPORT_TEAM, False),
    ],
    ids=["priority", "categories"],
)
def test_evaluate_refuses_to_calibrate_priorities_alone_before_predicting(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    body: str,
    refused: bool,
) -> None:
    # triage evaluate --baseline --calibration predicted every text and
    # computed the evaluation, then said there was nothing to calibrate
    path = tmp_path / "labeled.csv"
    path.write_text(body, encoding="utf-8")
    predicted: list[int] = []
    predict_many = triage.LexiconModel.predict_many

    def counted(self: Any, texts: list[str]) -> Any:
        predicted.append(len(texts))
        return predict_many(self, texts)

    monkeypatch.setattr(triage.LexiconModel, "predict_many", counted)
    status = main(["evaluate", str(path), "--baseline", "--calibration"])
    out, err = capsys.readouterr()
    if refused:
        assert (status, out, predicted) == (2, "", [])
        assert err.startswith(
            "triage evaluate: error: nothing to calibrate: the frame labels priority alone"
        )
    else:
        assert (status, predicted) == (0, [len(body.splitlines()) - 1])
        assert "ECE: expected calibration error" in out


def test_evaluate_names_a_row_a_head_evaluated_leaves_empty_by_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "analyst.csv"
    path.write_text(
        "text,priority\n充电器冒烟了,P1\n快递慢了一天,\n门口太吵,P4\n", encoding="utf-8"
    )
    assert main(["evaluate", str(path), "--baseline"]) == 2
    err = capsys.readouterr().err
    assert "row 1 (line 3, id '') not labeled yet: every label cell is empty" in err
    # triage check reads every head: the call that lists them all for this one
    assert (
        f"(triage.validate_labels(triage.read_labeled({str(path)!r}), heads=['priority']) "
        "lists them all)" in err
    )


# twelve rows whose angry is out of range: more than the 10 problems an error shows
_TWELVE_BAD = "".join(
    f"第{n}次催发货了还没动静,logistics,logistics,5,1,0,0,0,P3\n" for n in range(12)
)


@pytest.mark.parametrize(
    ("body", "status", "shown"),
    [
        ("快递三天没更新,logistics,logistics,0,1,0,0,0,P3\n", 0, []),
        (
            "快递三天没更新,logistics,logistics,0,1,0,0,0,P3\n"
            "房间里有蟑螂,hygiene,environment,1,0,0,0,0,P2\n"
            "客服挂我电话,,,,,,,,\n",
            1,
            [
                "row 1 (line 3, id '') categories='hygiene': unknown category 'hygiene'; "
                "allowed: product, service, logistics, pricing, process, environment",
                "row 1 (line 3, id '') primary='environment': primary 'environment' is not "
                "among the categories",
                "row 2 (line 4, id '') not labeled yet: every label cell is empty; label the "
                "row or leave it out",
            ],
        ),
        # every problem, not the first 10 of an error
        (
            _TWELVE_BAD,
            1,
            [
                f"row {n} (line {n + 2}, id '') angry='5': intensity must be 0, 1 or 2"
                for n in range(12)
            ],
        ),
    ],
)
def test_check_lists_every_problem_of_a_labeled_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, status: int, shown: list[str]
) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(LABELED_HEADER + body, encoding="utf-8")
    assert main(["check", str(path)]) == status
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{path}: {problem}" for problem in shown]
    rows = len(body.splitlines())
    problems = f"{len(shown)} problem{'s' * (len(shown) != 1)}"
    said = f"{problems} in {rows} rows" if shown else f"{rows} row, no problem"
    assert err == f"{path}: {said}\n"


def test_check_reads_each_file_and_says_so_of_a_bad_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad, texts = tmp_path / "good.csv", tmp_path / "bad.csv", tmp_path / "texts.csv"
    good.write_text(LABELED_HEADER + "退款一周没到账,pricing,pricing,1,1,0,0,0,P3\n", "utf-8")
    bad.write_text(LABELED_HEADER + _TWELVE_BAD, encoding="utf-8")
    texts.write_text("id,text\n1,退款一周没到账\n", encoding="utf-8")
    assert main(["check", str(good), str(good)]) == 0
    assert capsys.readouterr().out == ""
    # a file of texts, not labels: one line for its columns, not one a row
    assert main(["check", str(good), str(texts), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert [line.partition(": ")[0] for line in out.splitlines()] == [str(texts)] + [str(bad)] * 12
    assert re.match(rf"{re.escape(str(texts))}: bad columns in the labeled data: no column ", out)
    assert err.splitlines() == [
        f"{good}: 1 row, no problem",
        f"{texts}: 1 problem in 1 row",
        f"{bad}: 12 problems in 12 rows",
    ]
    # a file that cannot be read is bad input, as for the other commands, and
    # the files after it are checked all the same
    gone = tmp_path / "gone.csv"
    assert main(["check", str(gone), str(bad), str(good)]) == 2
    out, err = capsys.readouterr()
    assert [line.partition(": ")[0] for line in out.splitlines()] == [str(bad)] * 12
    assert err.splitlines() == [
        f"triage check: error: no labeled file at {gone}",
        f"{bad}: 12 problems in 12 rows",
        f"{good}: 1 row, no problem",
    ]


def test_check_warns_of_texts_a_file_shares_with_an_earlier_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # triage check my_train.csv my_dev.csv said nothing of dev rows that are
    # training rows, whose figures flatter a model trained on the other file
    train, dev = tmp_path / "train.csv", tmp_path / "dev.csv"
    train.write_text(
        LABELED_HEADER + "退款一周没到账！,pricing,pricing,1,1,0,0,0,P3\n"
        "空调坏了一晚上没人修,environment,environment,1,0,0,0,1,P3\n",
        encoding="utf-8",
    )
    dev.write_text(
        LABELED_HEADER + "房间里有蟑螂,environment,environment,1,0,0,0,0,P3\n"
        # the same text to the model: full-width punctuation, spaces around
        " 退款一周没到账! ,pricing,pricing,1,1,0,0,0,P3\n"
        "空调坏了一晚上没人修,environment,environment,1,0,0,0,1,P3\n",
        encoding="utf-8",
    )
    assert main(["check", str(train), str(dev), str(train)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    said = (
        "2 of its {} texts are in {} too (compared as the model reads them), on lines {}: a model "
        "trained on one file and measured on the other is flattered by them; keep each text in "
        "one file"
    )
    assert err.splitlines() == [
        f"{train}: 2 rows, no problem",
        f"{dev}: 3 rows, no problem",
        f"triage check: warning: {dev}: {said.format(3, train, '3, 4')}",
        f"{train}: 2 rows, no problem",
        # of the file given again, the texts of the other
        f"triage check: warning: {train}: {said.format(2, dev, '2, 3')}",
    ]
    # files of no text in common: nothing said
    assert main(["check", str(train)]) == 0
    assert capsys.readouterr().err == f"{train}: 2 rows, no problem\n"


@pytest.mark.parametrize("command", ["check", "evaluate", "train"])
def test_a_jsonl_file_is_said_to_be_no_labeled_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # it was 'bad columns in the labeled data', its keys split at commas as columns
    path = tmp_path / "labels.jsonl"
    record = {"text": "退款一周没到账", "categories": "pricing", "primary": "pricing"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    argv = {"check": [], "evaluate": [], "train": ["-o", str(tmp_path / "m")]}[command]
    assert main([command, str(path), *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(
        f"triage {command}: error: {path} is JSONL (a JSON object a line), not CSV or TSV, "
        "which a labeled file is: "
    )


@pytest.mark.parametrize("command", ["evaluate", "train"])
def test_train_and_evaluate_point_to_check_for_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = tmp_path / "my labels.csv"
    path.write_text(LABELED_HEADER + _TWELVE_BAD, encoding="utf-8")
    argv = ["--baseline"] if command == "evaluate" else ["-o", str(tmp_path / "model")]
    assert main([command, str(path), *argv]) == 2
    err = capsys.readouterr().err
    assert f"12 problems in the labeled data (triage check '{path}' lists them all):" in err
    assert "... and 2 more" in err and "validate_labels" not in err


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["--baseline", "--model", "models/mine"], None),  # one or the other, not both
        (["--model", "models/mine", "--baseline"], None),
        (["--baseline"], 0),
    ],
)
def test_evaluate_takes_the_baseline_or_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int | None
) -> None:
    path = tmp_path / "dev.csv"
    row = "快递还没到，气死了,logistics,logistics,2,0,0,0,0,P2\n"
    path.write_text(LABELED_HEADER + row, encoding="utf-8")
    if status is not None:
        assert main(["evaluate", str(path), *argv]) == status
        assert "lexicon baseline on" in capsys.readouterr().out
        return
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", str(path), *argv])
    assert exc.value.code == 2
    assert "--baseline evaluates the keyword lexicon, not a model; leave out --model" in (
        capsys.readouterr().err
    )


def test_evaluate_reports_a_file_without_rows_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header_only = tmp_path / "dev.csv"
    header_only.write_text(
        "id,source,text,categories,primary,angry,anxious,confused,humorous,aggrieved,priority\n",
        encoding="utf-8",
    )
    assert main(["evaluate", str(header_only), "--baseline"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"triage evaluate: error: {header_only}: no rows in the labeled data")


def test_score_reads_a_parquet_dataset_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"text": ["快递太慢了", "房间很脏", "太贵了"], "year": [2023, 2024, 2024]})
    frame.to_parquet(tmp_path / "complaints", partition_cols=["year"])
    out = tmp_path / "scored.csv"
    assert main(["score", str(tmp_path / "complaints"), "-o", str(out), "--quiet"]) == 0
    assert capsys.readouterr().err.startswith("3 rows, 0 errors")
    scored = pd.read_csv(out)
    assert scored["year"].tolist() == [2023, 2024, 2024]
    assert scored["primary"].tolist() == ["logistics", "environment", "pricing"]


def test_score_with_a_pyarrow_too_old_for_parquet_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pa = pytest.importorskip("pyarrow")
    src = tmp_path / "in.parquet"
    pd.DataFrame({"text": ["快递太慢了"]}).to_parquet(src)
    monkeypatch.setattr(pa, "__version__", "13.0.0")
    monkeypatch.delitem(sys.modules, "pyarrow_hotfix", raising=False)
    assert main(["score", str(src), "-o", str(tmp_path / "out.csv"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("triage score: error: reading or writing Parquet needs pyarrow 14.0.1")
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_analyze_explains_the_categories_and_emotions_that_apply(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = "快递一周还没到，客服也不回，太气人了！"
    assert main(["analyze", text, "--explain"]) == 0
    out = json.loads(capsys.readouterr().out)
    present = [e for e in ("angry", "anxious", "confused", "humorous", "aggrieved") if out[e]]
    assert [e["label"] for e in out["explanation"]] == out["categories"] + present
    first = out["explanation"][0]["terms"][0]
    assert first["term"] == "快递" and first["weight"] > 0
    assert first["evidence"] == [{"text": "快递", "start": 0, "end": 2}]
    assert main(["analyze", text, "--format", "text", "--explain"]) == 0
    why = [line for line in capsys.readouterr().out.splitlines() if line.startswith("why")]
    assert len(why) == len(out["categories"]) + len(present)
    assert re.match(r"why        logistics: '快递' \+\d\.\d\d, ", why[0])
    assert "'到,' +" in why[0]  # a term holding a comma stays one term
    assert main(["analyze", text]) == 0
    assert "explanation" not in json.loads(capsys.readouterr().out)
    # nothing applies: a line says so, as the categories' and emotions' do
    assert main(["analyze", "hello world", "--format", "text", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "categories -\n" in out and "emotions   -\n" in out and "why        -\n" in out


def test_analyze_explains_with_as_many_terms_as_asked(capsys: pytest.CaptureFixture[str]) -> None:
    import triage

    text = "快递一周还没到，客服也不回，太气人了！"
    assert main(["analyze", text, "--explain", "--terms", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    explained = triage.explain(text, top=2)
    for e in out["explanation"]:
        assert e == explained[e["label"]].to_dict()
        assert len(e["terms"]) == 2
    for bad, said in [
        (["--explain", "--terms", "0"], "--terms must be at least 1"),
        (["--explain", "--terms", "-1"], "--terms must be at least 1"),
        (["--terms", "2"], "--terms counts the terms of --explain"),
    ]:
        with pytest.raises(SystemExit):
            main(["analyze", text, *bad])
        assert f"triage analyze: error: {said}" in capsys.readouterr().err


def _bad_input_files(folder: Path, tiny_frame) -> None:  # type: ignore[no-untyped-def]
    (folder / "in.csv").write_text("text\n快递太慢了\n", encoding="utf-8")
    tiny_frame.to_csv(folder / "labeled.csv", index=False)
    tiny_frame.drop(columns=["priority", "angry"]).to_csv(folder / "unlabeled.csv", index=False)
    (folder / "model").mkdir()
    (folder / "model" / "model.joblib").write_bytes(b"")


@pytest.mark.usefixtures("no_training")
@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["analyze", "快递太慢", "--model", "in.csv"],
            r"in\.csv is not a saved model: there is no model\.json beside it; .*",
        ),
        (
            ["evaluate", "labeled.csv", "--model", "model/model.joblib"],
            r"no model card at model/model\.json; .*",
        ),
        (
            ["train", "labeled.csv", "-o", "model"],
            r"model/model\.joblib exists; pass overwrite=True \(CLI: --overwrite\) to replace it",
        ),
        *(
            (
                ["evaluate", "unlabeled.csv", *more],
                # evaluate reads the heads a file labels, but not four emotions of five
                r"unlabeled\.csv: the five emotions are rated together .* not angry \(no column\): "
                r"rate every row for all five, or leave all five out to evaluate the other heads; "
                r"the columns are \['id', 'text', .*\]",
            )
            for more in [[], ["--baseline"]]
        ),
        *(
            (
                [command, "unlabeled.csv", *more],
                r"unlabeled\.csv: bad columns in the labeled data: no column 'angry', 'priority'; "
                r"each head learns from its own column: .*extra=rows.*; "
                r"the columns are \['id', 'text', .*\]",
            )
            for command, more in [
                ("train", ["-o", "new"]),
                ("train", ["-o", "new", "--dev", "unlabeled.csv"]),
            ]
        ),
        *(
            (
                ["score", "in.csv", "-o", "out.csv", "--encoding", name],
                f"encoding='{name}' is not a text encoding \\(CLI: --encoding\\); give one "
                "such as utf-8, gb18030 or utf-16, or leave it out to have it detected",
            )
            for name in ("no-such", "rot13", "base64", "hex")
        ),
    ],
    ids=[
        "model-is-a-csv",
        "model-without-card",
        "model-exists",
        "evaluate-unlabeled",
        "evaluate-baseline-unlabeled",
        "train-unlabeled",
        "dev-unlabeled",
        "encoding-unknown",
        "encoding-rot13",
        "encoding-base64",
        "encoding-hex",
    ],
)
def test_bad_input_is_one_line_naming_what_to_change(
    argv: list[str],
    line: str,
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _bad_input_files(tmp_path, tiny_frame)
    assert main(argv) == 2
    # one line, no traceback
    assert re.fullmatch(f"triage {argv[0]}: error: {line}\n", capsys.readouterr().err)


def _raises(error: Exception) -> Any:
    def bug(*args: object, **kwargs: object) -> None:
        raise error

    return bug


# (argv, function of the library made to raise, what it raises): a bug, each
# a builtin the library does not raise on purpose; a KeyError, ValueError or
# IndexError was said in one line with status 2 ("triage score: error:
# 'angry'"), as if the input were wrong, and the bug report held nothing
BUGS = [
    (["analyze", "快递太慢"], "triage.priority._prioritize", KeyError("angry")),
    (["analyze", "快递太慢", "--explain"], "triage.api.explain", AttributeError("no .terms")),
    (["score", "in.csv", "-o", "out.csv"], "triage.priority._prioritize", ValueError("bad rule")),
    (["train", "labeled.csv", "-o", "new"], "triage.training.train", IndexError("out of range")),
    (["evaluate", "labeled.csv", "--baseline"], "triage.evaluation.evaluate", KeyError("angry")),
    (["check", "labeled.csv"], "triage.labeled.read_labeled_lines", ValueError("bad split")),
    (["score", "in.csv", "-o", "out.csv"], "triage.batch.score_file", ImportError(name="triage.x")),
]

# (argv, the line that says it): bad input of each kind, still one line, status 2
BAD_INPUT = [
    (["analyze", "快递太慢", "--policy", "bad.toml"], r"policy bad\.toml: not valid TOML: .*"),
    (["score", "gone.csv", "-o", "out.csv"], r"no input file at gone\.csv"),
    (["score", "in.csv", "-o", "out.csv", "--text-column", "body"], r"no column 'body' in .*"),
    (["score", "in.csv", "-o", "out.csv", "--encoding", "utf-16"], r"in\.csv cannot be read .*"),
    (["score", "in.csv", "-o", "out.csv", "--model", "in.csv"], r"in\.csv is not a saved .*"),
    (["evaluate", "labeled.csv", "--model", "model"], r"no model card at model/model\.json; .*"),
    (["train", "unlabeled.csv", "-o", "new"], r"unlabeled\.csv: bad columns in .*"),
    (["check", "gone.csv"], r"no labeled file at gone\.csv"),
]


@pytest.mark.usefixtures("no_training")
@pytest.mark.parametrize(
    ("argv", "function", "error"),
    [*BUGS, *((argv, None, line) for argv, line in BAD_INPUT)],
    ids=[
        *(f"bug-{argv[0]}-{type(error).__name__}" for argv, _, error in BUGS),
        *(f"input-{argv[0]}-{i}" for i, (argv, _) in enumerate(BAD_INPUT)),
    ],
)
def test_a_bug_is_raised_as_a_bug_and_bad_input_is_one_line(
    argv: list[str],
    function: str | None,
    error: Any,
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _bad_input_files(tmp_path, tiny_frame)
    (tmp_path / "bad.toml").write_text("format = = 1", encoding="utf-8")
    if function is None:
        assert main(argv) == 2
        assert re.fullmatch(f"triage {argv[0]}: error: {error}\n", capsys.readouterr().err)
        return
    monkeypatch.setattr(function, _raises(error))
    # raised as it is: Python shows its traceback, with the note, and exits 1
    with pytest.raises(type(error)) as raised:
        main(argv)
    assert raised.value is error
    # the last note, after the rows a batch was scoring
    assert error.__notes__[-1] == (
        f"triage {argv[0]}: this is a bug in triage {triage.__version__}, not an error of the "
        "input; please report it with the traceback above"
    )
    assert "error:" not in capsys.readouterr().err


def test_a_bug_shows_its_traceback_with_status_1(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("text\n快递太慢了\n", encoding="utf-8")
    code = (
        "import sys, triage.priority\n"
        "def bug(*args):\n"
        "    raise KeyError('angry')\n"
        "triage.priority._prioritize = bug\n"
        "from triage.cli import main\n"
        f"sys.exit(main(['score', {str(src)!r}, '-o', {str(tmp_path / 'out.csv')!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8"
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback (most recent call last):\n")
    assert done.stderr.endswith(
        "KeyError: 'angry'\nraised scoring rows 1 to 1 of the input (counted from 1, a file's "
        "header and malformed lines not counted)\ntriage score: this is a bug in triage "
        f"{triage.__version__}, not an error of the input; please report it with the "
        "traceback above\n"
    )
    assert "in bug\n" in done.stderr
    assert not (tmp_path / "out.csv").exists()


def test_the_help_and_the_guide_tell_a_bug_from_bad_input() -> None:
    from triage.cli import build_parser

    said = " ".join(build_parser().format_help().split())
    assert "1 check found problems in a labeled file, or memory ran out, said in one line, " in said
    assert "or a bug in triage, shown as its traceback to report; 2 bad input or usage" in said
    guide = Path(__file__).parent.parent / "docs" / "batch.md"
    guide_said = " ".join(guide.read_text(encoding="utf-8").split())
    assert (
        "any other exception (a `KeyError` or `ValueError` of a rule, the model or "
        "scikit-learn) is a bug in triage, shown as Python shows it, its traceback ending "
        "with a note that it is a bug to report, status 1." in guide_said
    )


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("output", ["/proc/out.csv", "/proc/scored/out.csv"])
def test_an_output_that_cannot_be_written_is_named(
    output: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # not the hidden partial file beside it, which the user never named
    (tmp_path / "in.csv").write_text("text\n快递太慢了\n", encoding="utf-8")
    assert main(["score", str(tmp_path / "in.csv"), "-o", output]) == 2
    assert capsys.readouterr().err == (
        f"triage score: error: [Errno 2] cannot write the output {output}: "
        "No such file or directory\n"
    )


class _Unread(io.RawIOBase):
    """A stdin that fails the test when it is read."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        raise AssertionError("stdin was read")


CORPUS_ROT13 = ["--corpus-encoding", "rot13"]

# (policy file text, what the error says)
BAD_POLICIES = [
    (
        'format = 1\nextends = "default"\n[levels.P3]\ndeadline_minutes = "60"\n',
        "expected an integer",
    ),
    ("format = = 1", "not valid TOML"),
    ("", "missing required key 'format'"),
]


@pytest.mark.parametrize(("text", "message"), BAD_POLICIES)
def test_score_names_a_malformed_policy_before_reading_a_pipe(
    text: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(text, encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Unread())))
    argv = ["score", "-", "-o", str(tmp_path / "out.csv"), "--quiet", "--policy", str(policy)]
    assert main(argv) == 2
    assert re.search(
        f"triage score: error: policy .*policy.toml: .*{message}", capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["analyze", "-", "--policy", "bad.toml"], r"policy bad\.toml: not valid TOML: .*"),
        (["analyze", "-", "--model", "model"], r"no model card at model/model\.json; .*"),
        (["analyze", "-", "--model", "missing"], r"no model at missing: the path does not exist"),
        (["evaluate", "labeled.csv", "--policy", "bad.toml"], r"policy .*bad\.toml: .*"),
        (
            ["evaluate", "labeled.csv", "--model", "model"],
            r"no model card at model/model\.json; .*",
        ),
        (["score", "-", "-o", "out.csv", "--model", "model"], r"no model card at .*"),
        (["score", "-", "-o", "out.csv", "--encoding", "rot13"], r"encoding='rot13' is not .*"),
        (["score", "-", "-o", "folder"], r"output folder is a folder; name the file to write"),
        (["score", "-", "-o", "out.xlsx"], r"out\.xlsx: a spreadsheet workbook is neither .*"),
        (
            ["score", "-", "-o", "out.csv", "--output-encoding", "gbk"],
            r"output_encoding='gbk' \(CLI: --output-encoding\) cannot hold every character .*"
            r"use gb18030, .* or utf-8-sig, .*",
        ),
        (
            ["score", "-", "-o", "-", "--output-format", "jsonl", "--output-encoding", "utf-16"],
            r"output_encoding='utf-16' \(CLI: --output-encoding\): JSON Lines are UTF-8 .*",
        ),
        (
            ["score", "-", "-o", "out.parquet", "--output-encoding", "utf-8-sig"],
            r"output_encoding='utf-8-sig' .*: Parquet stores its text as UTF-8 itself; .*",
        ),
        (
            ["score", "-", "-o", "out.jsonl", "--escape-formulas"],
            r"escape_formulas=True \(CLI: --escape-formulas\) is for a CSV or TSV output, .*"
            r"a JSON Lines output is read as data, .*",
        ),
        (
            ["score", "-", "-o", "-", "--output-format", "parquet", "--escape-formulas"],
            r"escape_formulas=True .*; a Parquet output is read as data, .*",
        ),
        (["train", "labeled.csv", "-o", "model"], r"model/model\.joblib exists; pass .*"),
        (["train", "labeled.csv", "-o", "new", "--words", "none.txt"], r"--words none\.txt .*"),
        (["train", "labeled.csv", "-o", "new", "--encoding", "rot13"], r"encoding='rot13' .*"),
        (["evaluate", "labeled.csv", "--encoding", "no-such"], r"encoding='no-such' is not .*"),
        (["check", "labeled.csv", "--encoding", "hex"], r"encoding='hex' is not a text .*"),
        (
            ["train", "labeled.csv", "-o", "m", "--corpus-file", "in.csv", *CORPUS_ROT13],
            r"encoding='rot13' is not a text encoding \(CLI: --corpus-encoding\); .*",
        ),
    ],
    ids=[
        "analyze-policy",
        "analyze-model",
        "analyze-no-model",
        "evaluate-policy",
        "evaluate-model",
        "score-model",
        "score-encoding",
        "score-output-folder",
        "score-output-workbook",
        "score-output-encoding",
        "score-output-encoding-stdout-jsonl",
        "score-output-encoding-parquet",
        "score-escape-formulas-jsonl",
        "score-escape-formulas-stdout-parquet",
        "train-output",
        "train-words",
        "train-encoding",
        "evaluate-encoding",
        "check-encoding",
        "train-corpus-encoding",
    ],
)
def test_options_are_checked_before_the_input_is_read(
    argv: list[str],
    line: str,
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # a policy or model that is no such thing, or an option out of range, is
    # named at once, not after a pipe is drained or a labeled file read
    def read_labeled_lines(*args: object) -> None:
        raise AssertionError("the labeled file was read")

    monkeypatch.chdir(tmp_path)
    _bad_input_files(tmp_path, tiny_frame)
    (tmp_path / "bad.toml").write_text("format = = 1", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Unread())))
    monkeypatch.setattr("triage.labeled.read_labeled_lines", read_labeled_lines)
    assert main(argv) == 2
    assert re.fullmatch(f"triage {argv[0]}: error: {line}\n", capsys.readouterr().err)


@pytest.mark.skipif(not Path("/dev/stdin").exists(), reason="no /dev/stdin on this system")
@pytest.mark.parametrize("name", ["in.csv", "in.jsonl"])
def test_score_reads_a_dev_stdin_redirected_from_a_file_as_that_file(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # triage score /dev/stdin -o out.csv < in.jsonl: the file's name says its format
    src = tmp_path / name
    if name.endswith(".jsonl"):
        src.write_text('{"id": "1", "text": "快递一周还没到"}\n', encoding="utf-8")
    else:
        src.write_text("id,text\n1,快递一周还没到\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    with _redirected(0, src, "rb"):
        status = main(["score", "/dev/stdin", "-o", str(out), "-q"])
    assert status == 0, capsys.readouterr().err
    assert pd.read_csv(out, dtype=str)["primary"].tolist() == ["logistics"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_score_writes_into_a_named_pipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # -o /dev/stdout, or a shell's >(gzip > scored.csv.gz): written into, not replaced
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,快递一周还没到\n", encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        argv = ["score", str(src), "-o", str(fifo), "--output-format", fmt, "--quiet"]
        assert main(argv) == 0
        data = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(tmp_path.iterdir()) == [src, fifo]
    read = pd.read_csv if fmt == "csv" else functools.partial(pd.read_json, lines=True)
    assert read(io.BytesIO(data))["primary"].tolist() == ["logistics"]
    assert capsys.readouterr().err.endswith(f"-> {fifo}\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_score_writes_csv_into_a_named_pipe_whose_name_says_no_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a shell's >(gzip > scored.csv.gz) is /dev/fd/63: CSV, as stdout is
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,快递一周还没到\n", encoding="utf-8")
    fifo = tmp_path / "63"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert main(["score", str(src), "-o", str(fifo), "--quiet"]) == 0
        data = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert pd.read_csv(io.BytesIO(data))["primary"].tolist() == ["logistics"]
    assert capsys.readouterr().err.endswith(f"-> {fifo}\n")


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1"])
def test_score_writes_csv_to_its_own_stdout_redirected_to_a_file(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # with stdout redirected to a file, /dev/stdout is no pipe: its name said
    # no format, and it was refused
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,快递一周还没到\n", encoding="utf-8")
    out = tmp_path / "scored.csv"
    with _redirected(1, out, "wb"):
        status = main(["score", str(src), "-o", name, "--quiet"])
    assert status == 0, capsys.readouterr().err
    assert pd.read_csv(out)["primary"].tolist() == ["logistics"]


def _fed(fifo: Path, data: bytes) -> threading.Thread:
    """A thread writing `data` into the named pipe `fifo` once it is opened."""

    def feed() -> None:
        with fifo.open("wb") as f:
            f.write(data)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize(
    ("name", "data", "args"),
    [
        ("pipe", "id,text\n1,快递一周还没到\n".encode(), []),
        ("pipe", gzip.compress("id\ttext\n1\t快递一周还没到\n".encode("gbk")), []),
        (
            "pipe",
            b'{"id": 1, "text": "\\u5feb\\u9012\\u4e00\\u5468\\u8fd8\\u6ca1\\u5230"}\n',
            ["--input-format", "jsonl"],
        ),
        ("complaints.jsonl", '{"id": 1, "text": "快递一周还没到"}\n'.encode(), []),
    ],
    ids=["csv", "gzip-tsv-gbk", "jsonl-given", "jsonl-by-name"],
)
def test_score_reads_a_named_pipe_as_it_reads_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes, args: list[str]
) -> None:
    # a shell's <(zcat complaints.csv.gz) is such a pipe: read once, it is
    # spooled to a file first, as - is
    fifo = tmp_path / name
    os.mkfifo(fifo)
    feeding = _fed(fifo, data)
    out = tmp_path / "out.csv"
    assert main(["score", str(fifo), "-o", str(out), "--quiet", *args]) == 0
    feeding.join(10)
    got = pd.read_csv(out, dtype=str)
    assert got[["id", "text", "primary"]].values.tolist() == [["1", "快递一周还没到", "logistics"]]
    assert capsys.readouterr().err.startswith("1 row, 0 errors")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["evaluate", "PIPE"], "labeled file"),
        (["train", "PIPE", "-o", "model"], "labeled file"),
        (["train", "labeled.csv", "-o", "model", "--corpus-file", "PIPE"], "corpus file"),
    ],
    ids=["evaluate", "train", "corpus-file"],
)
@pytest.mark.usefixtures("no_training")
def test_a_pipe_read_more_than_once_is_named_so(
    argv: list[str],
    what: str,
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    tiny_frame.to_csv(tmp_path / "labeled.csv", index=False)
    os.mkfifo(tmp_path / "pipe")
    argv = [a.replace("PIPE", "pipe") for a in argv]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"triage {argv[0]}: error: pipe is a pipe or a device, not a file: the {what} is "
        "read more than once (its encoding, its header, its rows); save it to a file and "
        "pass that\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "train.csv", "-o", "-"], "-o names the model directory to write, which stdout"),
        (
            ["train", "-", "-o", "m"],
            "the labeled file cannot be stdin (-): it is read more than once",
        ),
        (["train", "train.csv", "--dev", "-", "-o", "m"], "--dev cannot be stdin (-)"),
        (
            ["train", "train.csv", "-o", "m", "--corpus-file", "-"],
            "--corpus-file cannot be stdin (-)",
        ),
        (
            ["evaluate", "-"],
            "the labeled file cannot be stdin (-): it is read more than once; save",
        ),
        (
            ["check", "train.csv", "-"],
            "the labeled file cannot be stdin (-): it is read more than once; save",
        ),
    ],
    ids=["train-output", "train", "dev", "corpus-file", "evaluate", "check"],
)
@pytest.mark.usefixtures("no_training")
def test_a_dash_where_no_pipe_is_read_or_written_is_refused(
    argv: list[str],
    message: str,
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # a model is a folder, and labeled files are read more than once: -o -
    # made a folder named -, and - was "no labeled file at -"
    monkeypatch.chdir(tmp_path)
    tiny_frame.to_csv(tmp_path / "train.csv", index=False)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Unread())))
    refused_as_misuse(argv)
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.csv"]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["score", "gone.csv", "-o", "out.csv"], r"no input file at gone\.csv: it is a link to "),
        (["score", "loop.csv", "-o", "out.csv"], r"no input file at loop\.csv: it is a symbolic "),
        (["score", "in.csv", "-o", "loop.csv"], r"cannot write the output loop\.csv: it is a sym"),
        (["evaluate", "gone.csv"], r"no labeled file at gone\.csv: it is a link to .*nowhere\.csv"),
        (["check", "loop.csv"], r"no labeled file at loop\.csv: it is a symbolic link in a loop"),
        (["analyze", "-", "--model", "loop"], r"no model at loop: it is a symbolic link in a loop"),
        (["analyze", "-", "--model", "gone"], r"no model at gone: it is a link to .*nowhere\b"),
    ],
    ids=["input", "input-loop", "output-loop", "labeled", "labeled-loop", "model-loop", "model"],
)
def test_a_link_that_leads_to_no_file_is_named_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    line: str,
) -> None:
    # a loop of links raised RuntimeError from Path.resolve, a traceback;
    # a link to a moved file was "no input file", the link being right there
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("快递还没到"))
    Path("in.csv").write_text("id,text\n1,快递一周还没到\n", encoding="utf-8")
    for name in ("gone.csv", "gone"):
        Path(name).symlink_to("nowhere.csv" if name.endswith(".csv") else "nowhere")
    for name, other in (("loop.csv", "round.csv"), ("loop", "round")):
        Path(name).symlink_to(other)
        Path(other).symlink_to(name)
    assert main(argv) == 2
    assert re.search(f"^triage {argv[0]}: error: .*{line}", capsys.readouterr().err, flags=re.M)
    assert not Path("out.csv").exists()


def test_train_learns_calm_from_customer_service_chats(
    train_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(write_chats(tmp_path / "data")))
    train_csv, out = tmp_path / "train.csv", tmp_path / "model"
    train_frame.iloc[:300].to_csv(train_csv, index=False)
    assert main(["train", str(train_csv), "-o", str(out), "--calm-chats"]) == 0
    assert re.search(
        r"trained on 300 rows of .*train\.csv and 15 calm chat turns", capsys.readouterr().err
    )
    card = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert card["training_data"]["extra_rows"] == 15  # the distinct turns of two characters or more
    assert len(card["training_data"]["extra_fingerprint_sha256"]) == 64
    assert card["notes"]["calm_chats"] is True


def test_train_learns_praise_from_positive_reviews(
    train_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import pandas as pd

    from triage.weak import REVIEW_SOURCES

    root = tmp_path / "data"
    for relative, column, _ in REVIEW_SOURCES.values():
        (root / "raw" / relative).parent.mkdir(parents=True)
        reviews = ["送餐很快，味道很棒", "房间干净，服务热情", "质量很好，穿着舒服", "还行吧"]
        frame = pd.DataFrame({"label": ["1", "1", "1", "1"], column: reviews})
        frame.to_csv(root / "raw" / relative, index=False)
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(write_chats(root)))
    train_csv, out = tmp_path / "train.csv", tmp_path / "model"
    train_frame.iloc[:300].to_csv(train_csv, index=False)
    assert main(["train", str(train_csv), "-o", str(out), "--calm-chats", "--praise"]) == 0
    # the same review in three sets is one row, and 还行吧 may complain
    assert re.search(
        r"trained on 300 rows of .*train\.csv and 15 calm chat turns and 3 short positive reviews",
        capsys.readouterr().err,
    )
    card = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert card["training_data"]["extra_rows"] == 18
    assert card["notes"]["calm_chats"] is True and card["notes"]["praise"] is True


@pytest.mark.usefixtures("no_training")
def test_train_looks_for_the_chats_before_training(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    train_csv = tmp_path / "train.csv"
    tiny_frame.to_csv(train_csv, index=False)
    argv = ["train", str(train_csv), "-o", str(tmp_path / "m"), "--calm-chats"]
    assert main([*argv, "--corpus", str(tmp_path)]) == 2
    assert re.search(
        r"^triage train: error: no customer-service chat file at .*ecd_sample\.csv; "
        r"data_dir= \(CLI: --corpus\) must be the shared data folder",
        capsys.readouterr().err,
    )


@pytest.mark.parametrize(
    ("argv", "stream", "line"),
    [
        (["analyze", "-"], "stdin", "stdin is closed (<&-), so there is no text to read from -"),
        (["score", "-", "-o", "out.csv"], "stdin", "stdin is closed (<&-), so there is no "),
        (["analyze", "快递太慢了"], "stdout", "stdout is closed (>&-), so the result has nowhere"),
        (["score", "in.csv", "-o", "-"], "stdout", "stdout is closed (>&-), so the result "),
        (["evaluate", "train.csv", "--baseline"], "stdout", "stdout is closed (>&-), so the "),
    ],
    ids=["analyze-stdin", "score-stdin", "analyze-stdout", "score-stdout", "evaluate-stdout"],
)
def test_a_closed_stdin_or_stdout_is_said_in_one_line(
    argv: list[str],
    stream: str,
    line: str,
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # a shell's <&- or >&- closes the stream, which Python then holds as None:
    # an AttributeError's traceback, or a result dropped with status 0
    monkeypatch.chdir(tmp_path)
    tiny_frame.to_csv(tmp_path / "train.csv", index=False)
    (tmp_path / "in.csv").write_text("text\n快递太慢了\n", encoding="utf-8")
    monkeypatch.setattr(sys, stream, None)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"triage {argv[0]}: error: {line}") and err.count("\n") == 1
    assert not (tmp_path / "out.csv").exists()


def test_a_command_run_with_stdin_closed_says_so() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "triage", "analyze", "-"],
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(0),  # as the shell's <&-
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "stdin is closed" in done.stderr


def _stdout_of(encoding: str, errors: str = "strict") -> io.TextIOWrapper:
    """A stdout as Python opens it in a locale of `encoding` (LANG=en_US.ISO-8859-1,
    PYTHONIOENCODING=ascii, LC_ALL=C with PYTHONUTF8=0)."""
    return io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors=errors)


def _written(stdout: io.TextIOWrapper) -> bytes:
    stdout.flush()
    buffer = stdout.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("encoding", "errors"),
    [("ascii", "strict"), ("latin-1", "strict"), ("ascii", "surrogateescape"), ("gbk", "strict")],
)
def test_json_is_escaped_for_a_stdout_that_cannot_write_chinese(
    encoding: str,
    errors: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # it was "error: 'ascii' codec can't encode characters in position 792-796"
    # and no result; \u escapes are strict JSON, read back as the same result
    argv = ["analyze", "快递一周还没到，气死了😡"]
    assert main(argv) == 0
    expected = json.loads(capsys.readouterr().out)
    stdout = _stdout_of(encoding, errors)
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(argv) == 0
    assert json.loads(_written(stdout).decode(encoding)) == expected
    assert capsys.readouterr().err == ""  # nothing was lost: no warning


def test_text_is_escaped_for_a_stdout_that_cannot_write_chinese_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdout = _stdout_of("ascii", "surrogateescape")
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(["analyze", "--format", "text", "快递一周还没到"]) == 0
    out = _written(stdout).decode("ascii")
    assert "route      \\u4ed3\\u50a8\\u7269\\u6d41\\u90e8\n" in out  # 仓储物流部
    assert capsys.readouterr().err == (
        "triage: warning: stdout's encoding, ascii, cannot write characters of the output "
        "(Chinese, say), which are written as \\u escapes; run in a UTF-8 locale "
        "(LANG=C.UTF-8) or set PYTHONIOENCODING=utf-8\n"
    )
    assert stdout.errors == "surrogateescape"  # as it was, once the command is done


def test_help_is_printed_to_a_stdout_that_cannot_write_chinese() -> None:
    # the help of train quotes a Chinese text: it was a UnicodeEncodeError's traceback
    done = subprocess.run(
        [sys.executable, "-m", "triage", "train", "--help"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr
    assert b"(\\u5feb\\u9012\\u5f88\\u5feb" in done.stdout  # (快递很快


@pytest.mark.parametrize(
    "argv",
    [
        ["-v", "analyze", "快递太慢了", "--model", "none"],
        ["analyze", "快递太慢了", "--model", "none", "-v"],
        ["analyze", "--verbose", "快递太慢了", "--model", "none"],
        ["score", "in.csv", "-o", "out.csv", "--model", "none", "-v"],
    ],
)
def test_verbose_goes_before_or_after_the_command(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an error line says "-v for the traceback", and triage score ... -v was
    # "unrecognized arguments: -v"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelFileError, match="no model at none"):
        main(argv)


def test_a_command_without_verbose_keeps_the_one_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["analyze", "快递太慢了", "--model", "none"]) == 2
    assert capsys.readouterr().err == (
        "triage analyze: error: no model at none: the path does not exist\n"
    )


@pytest.mark.parametrize("argv", [["analyze", "快递太慢了"], ["-v", "check", "none.csv"]])
def test_main_called_in_a_program_leaves_its_logging_as_it_was(argv: list[str]) -> None:
    # a program calling main() kept a stderr handler on the root logger, so
    # that its own logging.basicConfig after did nothing, and jieba's logger
    # at WARNING (-v raises the error of a file that is not there)
    from tests.conftest import REPO

    code = (
        "import logging\nfrom triage.cli import main\n"
        "root, log = logging.getLogger(), logging.getLogger('jieba')\n"
        f"try:\n    main({argv!r})\nexcept Exception:\n    pass\n"
        "print(root.level, len(root.handlers), log.level, len(log.handlers))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "30 0 0 0"


def test_a_command_run_with_stderr_closed_writes_its_output_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a shell's 2>&- leaves sys.stderr None: the progress line raised an
    # AttributeError after the first chunk, and print(..., file=None) writes
    # to stdout, so an error line landed in the output
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.csv").write_text("text\n快递太慢了\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["score", "in.csv", "-o", "out.csv"]) == 0
    assert pd.read_csv(tmp_path / "out.csv")["primary"].tolist() == ["logistics"]
    assert main(["analyze", "快递太慢了", "--model", "none"]) == 2
    assert capsys.readouterr().out == ""
    assert sys.stderr is None  # as it was, once the command is done


def test_a_command_run_with_stderr_closed_writes_stdout_alone(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text("text\n快递太慢了\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "triage", "score", str(tmp_path / "in.csv"), "-o", "-"],
        capture_output=True,
        preexec_fn=lambda: os.close(2),  # as the shell's 2>&-
    )
    assert done.returncode == 0
    assert pd.read_csv(io.BytesIO(done.stdout))["primary"].tolist() == ["logistics"]


def test_every_option_with_a_default_says_it() -> None:
    from triage.model import TriageModel

    unsaid = [
        f"{name} {action.option_strings[0]}"
        for name, action in _every_argument()
        if action.option_strings
        and not any(action.default is none for none in (None, False, argparse.SUPPRESS))
        and "default" not in (action.help or "")
    ]
    assert unsaid == []
    # the options left to the library say its defaults
    helps = {(name, a.dest): a.help for name, a in _every_argument()}
    assert f"(default: {TriageModel().C:g})" in (helps["train", "C"] or "")
    for name in ("analyze", "score", "evaluate"):
        assert "default: the built-in policy" in (helps[name, "policy"] or "")


def test_score_takes_the_context_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # triage score had no way to read a file's channel or tier column
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["房间有点吵"] * 3, "src": ["12315", "", ""], "n": ["", "3", ""]}).to_csv(
        source, index=False
    )
    out = tmp_path / "out.csv"
    args = ["score", str(source), "-o", str(out), "-q"]
    assert main([*args, "--context", "channel=src", "--context", "recent_complaints=n"]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["priority"].tolist()[:2] == ["P1", "P2"]
    assert got["reasons"][0].startswith("context.channel.12315")
    assert "context.repeat" in got["reasons"][1]
    assert "context" not in got["reasons"][2]
    for extra, message in [
        (["--context", "channel"], "argument --context: FIELD=COLUMN, e.g. channel=source"),
        (["--context", "channel=src", "--context", "channel=n"], "--context gives channel twice"),
        # named by the option, not by score_file's context_columns
        (
            ["--context", "chan=src"],
            "argument --context: 'chan' is no field of the context; FIELD is one of "
            "recent_complaints, channel, customer_tier",
        ),
        (["--context", "channel=nope"], "context column channel='nope' is not in"),
    ]:
        capsys.readouterr()
        try:  # argparse stops the bad option itself; main returns 2 for the rest
            code = main([*args, *extra])
        except SystemExit as stopped:
            code = stopped.code  # type: ignore[assignment]
        assert code == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["train", "labeled.csv", "-o", "m", "--jobs", "0"], "--jobs: a whole number other than 0"),
        (["score", "-", "-o", "out.csv", "--jobs", "0"], "--jobs: a whole number other than 0"),
        (["score", "-", "-o", "out.csv", "--jobs", "two"], "--jobs: a whole number other than 0"),
        (["score", "-", "-o", "out.csv", "--chunk-size", "0"], "--chunk-size: a whole number >= 1"),
        (["train", "labeled.csv", "-o", "m", "--C", "-1"], "--C: a number > 0, at most 1e+12"),
        (["train", "labeled.csv", "-o", "m", "--C", "nan"], "--C: a number > 0, at most 1e+12"),
        (["train", "labeled.csv", "-o", "m", "--seed", "-1"], "--seed: a whole number in [0, "),
    ],
)
def test_a_bad_number_is_said_by_the_option_typed(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # triage train --jobs 0 said "invalid TriageModel parameter(s): n_jobs=0", --C -1
    # "C=-1.0" and --seed -1 "random_state=-1": names and values the user never typed
    refused_as_misuse(argv)
    said = capsys.readouterr().err.splitlines()[-1]  # after the usage
    assert said.startswith(f"triage {argv[0]}: error: argument {line}")
    assert said.endswith(f", not {argv[-1]!r}")
    allowed = {"--jobs": "(-1: all cores, -2: all but one)", "--seed": "2**32 - 1]"}
    assert allowed.get(argv[-2], "") in said


@pytest.mark.parametrize("value", ["2.0", " 2 ", "1e1"])
def test_a_count_of_recent_complaints_may_be_written_as_score_frame_reads_one(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # "2.0" was refused as no "whole number >= 0", though a count cell may be 2.0
    text = "洗衣机又漏水了，上次修完没两天"
    assert main(["analyze", text, "--recent", value]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = triage.analyze(text, context=triage.Context(recent_complaints=int(float(value))))
    assert out["priority"] == str(expected.priority)
    assert [r["code"] for r in out["reasons"]] == [r.code for r in expected.reasons]
    assert "context.repeat" in [r["code"] for r in out["reasons"]]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        # 抖音, which the policy does not rank: no floor, and nothing said
        (["--channel", "抖音"], "--channel '抖音' matches no key of the policy's context.channels"),
        (["--channel", "电话"], "--channel '电话' matches no key of the policy's context.channels"),
        (["--tier", "金卡"], "--tier '金卡' matches no key of the policy's context.tiers (vip)"),
        (["--tier", "vip1"], "--tier 'vip1' matches no key of the policy's context.tiers (vip)"),
        (["--channel", "Weibo", "--tier", " VIP "], None),
        (["--channel", "12315平台"], None),
        (["--channel", "微博"], None),
        # typed in GBK, whose bytes Python holds as surrogates: a UnicodeEncodeError
        (["--channel", os.fsdecode("微博".encode("gbk"))], None),
        (
            ["--tier", os.fsdecode("金卡".encode("gbk"))],
            "--tier '金卡' matches no key of the policy's context.tiers (vip)",
        ),
        (["--tier", os.fsdecode(b"\xff")], "--tier '\ufffd' matches no key of the policy's"),
    ],
)
def test_a_channel_or_tier_that_sets_no_floor_is_said(
    argv: list[str], said: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", "快递太慢了", *argv]) == 0
    err = capsys.readouterr().err
    if said is None:
        assert err == ""
    else:
        assert err.startswith(f"triage analyze: warning: {said}")
        assert err.endswith(", so it sets no floor\n") and err.count("\n") == 1


@pytest.mark.parametrize("value", ["-1", "1.5", "两", "nan", "inf", "-0.5"])
def test_a_count_of_recent_complaints_is_named_by_its_option(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # -1 was "error: Context: recent_complaints must be ...", a name the user never typed
    refused_as_misuse(["analyze", "快递太慢了", "--recent", value])
    assert capsys.readouterr().err.endswith(
        f"triage analyze: error: argument --recent: a whole number >= 0, not {value!r}\n"
    )


def test_analyze_of_a_text_not_quoted_says_to_quote_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # triage analyze 快递 一周 没到: the shell made three arguments of one text
    refused_as_misuse(["analyze", "快递", "一周", "没到"])
    assert capsys.readouterr().err.endswith(
        "triage: error: unrecognized arguments: 一周 没到; analyze takes one text: quote it as "
        "one argument (triage analyze '快递 一周 没到'), or score a file of many texts with "
        "triage score\n"
    )
    with pytest.raises(SystemExit):  # an unknown option is only that
        main(["analyze", "快递", "--colour"])
    assert capsys.readouterr().err.endswith("triage: error: unrecognized arguments: --colour\n")
    with pytest.raises(SystemExit):  # a text that starts with a dash keeps its --
        main(["analyze", "--", "-_-快递", "没到"])
    assert "(triage analyze -- '-_-快递 没到')" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["analyze", "--", "-5元的券用不了", "--format", "text"],
            "unrecognized arguments: --format text; '--' ends the options, so --format after "
            "it is none: give the options before '--' (triage analyze --format text -- "
            "'-5元的券用不了')",
        ),
        (
            ["analyze", "--recent", "2", "--", "-_-又没到", "--channel=微博"],
            "so --channel=微博 after it is none: give the options before '--' (triage analyze "
            "--recent 2 '--channel=微博' -- '-_-又没到')",
        ),
        (
            ["score", "-o", "out.csv", "--", "-in.csv", "--jobs", "2"],
            "so --jobs after it is none: give the options before '--' (triage score -o out.csv "
            "--jobs 2 -- -in.csv)",
        ),
        # an option of no command is only unrecognized, after '--' or not
        (["analyze", "--", "-_-又没到", "--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_an_option_given_after_the_double_dash_is_told_to_go_before_it(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # the help says a text that starts with a dash goes after '--', and
    # `triage analyze -- '-5元的券用不了' --format text` said only "unrecognized arguments"
    refused_as_misuse(argv)
    assert capsys.readouterr().err.endswith(f"{said}\n")


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--model", "mine", "analyze", "快递太慢了"], "--model"),  # was "invalid choice: 'mine'"
        (["--json", "evaluate", "dev.csv"], "--json"),
        (["--bogus"], "--bogus"),  # was "the following arguments are required: command"
        (["-q", "score", "in.csv", "-o", "-"], "-q"),
    ],
)
def test_an_option_of_a_command_given_before_it_is_told_to_follow_it(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    refused_as_misuse(argv)
    assert capsys.readouterr().err.endswith(
        f"triage: error: {option} is no option of triage itself; an option of a command goes "
        f"after the command: triage COMMAND {option} ...\n"
    )


# a file name that would clear the screen, set the window's title, ring the
# bell, move back to the line's start and show a C1 control
_HOSTILE = "\x1b[2J\x1b]0;owned\x07\r\x9b"
_SHOWN = r"\x1b[2J\x1b]0;owned\x07\x0d\x9b"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["score", f"in{_HOSTILE}.csv", "-o", "out.csv"], f"no input file at in{_SHOWN}.csv"),
        (["score", "rows.csv", "-o", f"out{_HOSTILE}.csv"], f"-> out{_SHOWN}.csv"),
        (["check", f"labeled{_HOSTILE}.csv"], f"no labeled file at labeled{_SHOWN}.csv"),
        (["score", f"mixed{_HOSTILE}.csv", "-o", "out.csv"], f"warning: mixed{_SHOWN}.csv: a bare"),
    ],
    ids=["error", "summary", "check", "warning"],
)
def test_control_characters_of_a_file_name_reach_the_terminal_as_escapes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    said: str,
) -> None:
    # the name was written as it is: the terminal cleared, its title set
    monkeypatch.chdir(tmp_path)
    Path("rows.csv").write_text("id,text\n1,快递一周还没到\n2,x,y\n", encoding="utf-8")
    Path(f"mixed{_HOSTILE}.csv").write_bytes("id,text\n1,快递\r2,房间很脏\n".encode())
    main(argv)
    err = capsys.readouterr().err
    assert said in err
    assert not set(err) & set("\x1b\x07\r\x9b")


# -- triage score --stream: a live pipe (tail -f complaints.jsonl | triage score ...) --

STREAM_ARGV = ["score", "-", "-o", "-", "--stream", "-q"]
STREAM = [sys.executable, "-m", "triage", *STREAM_ARGV]


def _live(*args: str) -> subprocess.Popen[bytes]:
    """``triage score - -o - --stream`` with `args`, its stdin a pipe the test
    writes to as it goes, its stdout and stderr pipes it reads."""
    return subprocess.Popen(
        [*STREAM, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_buffered(),
    )


def _next_line(stream: Any, proc: subprocess.Popen[bytes], seconds: float = 180) -> bytes:
    """The next line `proc` writes, read within `seconds` (a liveness bound,
    generous for a busy machine's model load), else the process killed and
    the test failed."""
    import queue

    got: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=lambda: got.put(stream.readline()), daemon=True).start()
    try:
        return got.get(timeout=seconds)
    except queue.Empty:
        proc.kill()
        pytest.fail(f"no line on stdout within {seconds} s: the row was held, not written")


@pytest.mark.parametrize(
    ("fmt", "header", "rows"),
    [
        (
            "jsonl",
            None,
            ['{"id": "1", "text": "快递一周还没到，太气人了"}', '{"id": "2", "text": "房间很脏"}'],
        ),
        ("csv", "id,text", ["1,快递一周还没到，太气人了", "2,房间很脏"]),
        ("tsv", "id\ttext", ["1\t快递一周还没到，太气人了", "2\t房间很脏"]),
    ],
)
def test_score_stream_writes_each_row_before_the_next_arrives(
    fmt: str, header: str | None, rows: list[str]
) -> None:
    # a row written, its scores read back while the pipe stays open: without
    # --stream the output waited for the end of the input, which tail -f never gives
    with _live("--input-format", fmt, "--output-format", fmt) as proc:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        if header is not None:
            proc.stdin.write(header.encode() + b"\n")
        for i, (row, primary) in enumerate(zip(rows, ["logistics", "environment"], strict=True)):
            proc.stdin.write(row.encode() + b"\n")
            proc.stdin.flush()
            if header is not None and i == 0:
                # the input's columns, then the scores', at the input's delimiter
                assert _next_line(proc.stdout, proc).decode().startswith(header + header[2])
            assert primary in _next_line(proc.stdout, proc).decode()
        proc.stdin.close()
        assert proc.stdout.read() == b""
        err = proc.stderr.read().decode()
    assert proc.returncode == 0
    assert err.startswith("2 rows, 0 errors") and "-> <stdout>" in err


@pytest.mark.parametrize(
    ("fmt", "first", "then"),
    [
        ("csv", "text\r快递一周还没到，太气人了\r", "房间很脏\r"),
        ("jsonl", '{"text": "快递一周还没到，太气人了"}\r', '{"text": "房间很脏"}\r'),
        ("csv", "text\r\n快递一周还没到，太气人了\r", "\n房间很脏\r\n"),  # a CRLF in two
    ],
    ids=["csv", "jsonl", "crlf-split"],
)
def test_score_stream_writes_a_row_a_bare_cr_ends_before_the_next_arrives(
    fmt: str, first: str, then: str
) -> None:
    # a CR last was held for the next character, to tell a CRLF: the row of
    # a stream whose line ends are bare CRs waited for the next row
    with _live("--input-format", fmt, "--output-format", fmt) as proc:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write(first.encode())
        proc.stdin.flush()
        if fmt == "csv":
            assert _next_line(proc.stdout, proc).startswith(b"text,categories,")
        assert "logistics" in _next_line(proc.stdout, proc).decode()
        proc.stdin.write(then.encode())
        proc.stdin.close()
        assert "environment" in _next_line(proc.stdout, proc).decode()
        assert proc.stdout.read() == b""
        err = proc.stderr.read().decode()
    assert proc.returncode == 0
    assert err.startswith("2 rows, 0 errors")
    assert "bare carriage return" not in err  # all bare, or a CRLF


# written as the spooled run writes them: quoted line breaks and commas, an
# empty text, a text repeated, a formula, a malformed line
STREAMED = {
    "csv": 'id,channel,text\n1,12315,快递一周还没到，客服也不回\n2,app,"房间很脏,\n空调也坏了"\n'
    "3,app,\n4,,=1+1 退款一直没到账\n5,weibo,快递一周还没到，客服也不回\n6,too,many,fields\n",
    "jsonl": '{"id": "1", "channel": "12315", "text": "快递一周还没到，客服也不回"}\n'
    '{"id": "2", "channel": "app", "text": "房间很脏,\\n空调也坏了"}\n'
    "not json\n"
    '{"id": "3", "channel": null, "text": "孩子吃了拉肚子"}\n',
}


@pytest.mark.parametrize(
    ("src", "dst", "args"),
    [
        ("csv", "csv", ["--context", "channel=channel", "--escape-formulas"]),
        ("csv", "jsonl", ["--explain"]),
        ("csv", "tsv", ["--summary", "--explain", "--context", "channel=channel"]),
        ("jsonl", "tsv", ["--output-encoding", "utf-8-sig"]),
        ("jsonl", "jsonl", []),
    ],
)
def test_score_stream_writes_what_score_writes_row_for_row(
    src: str,
    dst: str,
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    source = tmp_path / f"in.{src}"
    source.write_text(STREAMED[src], encoding="utf-8", newline="")
    assert main(["score", str(source), "-o", str(tmp_path / f"out.{dst}"), "-q", *args]) == 0
    capfdbinary.readouterr()
    argv = [*STREAM_ARGV, "--input-format", src, "--output-format", dst, *args]
    status, out, err = _piped(source.read_bytes(), argv, monkeypatch, capfdbinary)
    assert status == 0, err
    assert out == (tmp_path / f"out.{dst}").read_bytes()
    bad = "8" if src == "csv" else "3"  # the line in the input, quoted lines counted
    assert f"\nskipped 1 malformed line: {bad}\n" in err


# waiting in the pipe together: a byte-order mark, CRLF line ends, a quoted
# line break, a blank line, a malformed line; JSONL records of other keys
ARRIVED = {
    "csv": codecs.BOM_UTF8
    + 'id,text\r\n1,快递一周还没到\r\n2,"房间很脏,\r\n空调也坏了"\r\n\r\n3,多,余\r\n'
    "4,退款一直没到账\r\n".encode(),
    "jsonl": '{"id": 1, "text": "快递一周还没到"}\n{"text": "房间很脏", "id": 2}\n'
    '{"id": 3}\nnot json\n{"id": 4, "text": "退款一直没到账"}\n'.encode(),
}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_score_stream_builds_the_rows_that_arrived_together_into_one_frame(
    fmt: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # each row was built into a frame of its own as it was read, and the
    # frames joined: a file piped through --stream took 2 to 2.5 times as long
    from triage import _io

    built: list[int] = []
    real = _io.rows_frame

    def counting(read: list[_io.Rows]) -> pd.DataFrame:
        built.append(sum(len(part.rows) for part in read))
        return real(read)

    monkeypatch.setattr(_io, "rows_frame", counting)

    def joined(parts: Iterator[_io.Rows]) -> Iterator[_io.Rows]:
        read = list(parts)
        yield _io.Rows(
            read[0].header,
            [row for part in read for row in part.rows],
            [n for part in read for n in part.malformed_lines],
            [n for part in read for n in part.undecodable_lines],
            [n for part in read for n in part.lines],
        )

    # every row read before the first is taken, as from a file piped in
    monkeypatch.setattr(batch, "_arrived", lambda parts, limit, waited=None: joined(parts))
    out = io.BytesIO()
    with pytest.warns(triage.TriageWarning, match="is malformed"):
        summary = batch._score_stream(
            io.BytesIO(ARRIVED[fmt]), out, input_format=fmt, output_format=fmt
        )
    assert built == [3 if fmt == "csv" else 4]  # a blank line and a malformed one are no rows
    assert summary.malformed_lines == [6 if fmt == "csv" else 4]
    source = tmp_path / f"in.{fmt}"
    source.write_bytes(ARRIVED[fmt])
    batch.score_file(source, tmp_path / f"out.{fmt}")
    assert out.getvalue() == (tmp_path / f"out.{fmt}").read_bytes()


def test_score_stream_keeps_the_keys_of_the_first_record_where_a_file_keeps_a_chunks(
    tmp_path: Path,
) -> None:
    # a live stream cannot wait for the records of a chunk to know its keys
    # before writing the first row: it keeps the first record's
    data = '{"id": 1, "text": "快递一周还没到"}\n{"id": 2, "text": "房间很脏", "shop": "A"}\n'
    source = tmp_path / "in.jsonl"
    source.write_text(data, encoding="utf-8")
    batch.score_file(source, tmp_path / "out.jsonl")
    assert '"shop":"A"' in (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    out = io.BytesIO()
    with pytest.warns(triage.TriageWarning, match="dropping key 'shop', not in the first"):
        batch._score_stream(
            io.BytesIO(data.encode()), out, input_format="jsonl", output_format="jsonl"
        )
    assert b'"shop"' not in out.getvalue()


def test_score_stream_of_a_header_alone_writes_the_header_and_of_nothing_fails(
    monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    status, out, _ = _piped(b"id,text\n", STREAM_ARGV, monkeypatch, capfdbinary)
    assert status == 0
    assert out.decode().startswith("id,text,categories,primary,")
    assert out.count(b"\n") == 1
    status, _, err = _piped(b"", STREAM_ARGV, monkeypatch, capfdbinary)
    assert status == 2
    assert err.startswith("triage score: error: <stdin> is empty")


@pytest.mark.parametrize(
    ("fmt", "said"),
    [
        ("csv", "<stdin> is empty: no header and no rows (a failed export?); a CSV file"),
        ("tsv", "<stdin> is empty: no header and no rows (a failed export?); a TSV file"),
        ("jsonl", "<stdin> is empty: no records (a failed export?); a JSONL file"),
    ],
)
@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"", None),
        # no row either: what an export writes before its first, blank lines
        (codecs.BOM_UTF8, None),
        (b"\n\n", None),
        (codecs.BOM_UTF8 + b"\r\n \r\n", None),
        (" \r\n\r\n".encode("utf-16"), "utf-16"),
        # more than one read of the pipe (64 KB) of them
        (b"\n" * 100_000, None),
        (codecs.BOM_UTF8 + b" \r\n" * 40_000, None),
    ],
    ids=[
        "nothing",
        "bom",
        "blank-lines",
        "bom-blank-lines",
        "utf-16-blank-lines",
        "100,000-blank-lines",
        "bom-120-KB-of-blank-lines",
    ],
)
@pytest.mark.parametrize("via", ["pipe", "file"])
def test_score_stream_of_a_pipe_ended_with_no_row_fails_before_loading_the_model(
    fmt: str,
    said: str,
    data: bytes,
    encoding: str | None,
    via: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    # an export that failed upstream is said at once, not after the seconds
    # the model takes to load, and with no byte of output (utf-16's BOM)
    def load(**_: Any) -> None:
        raise AssertionError("the model was loaded for an empty stream")

    monkeypatch.setattr("triage.api.warm_up", load)
    if via == "file":  # < export.csv
        (tmp_path / "export").write_bytes(data)
        read = os.open(tmp_path / "export", os.O_RDONLY)
    else:
        import fcntl

        read, write = os.pipe()
        if len(data) > 1 << 16:  # a pipe that holds it, as a producer's that wrote it all
            if not hasattr(fcntl, "F_SETPIPE_SZ"):
                os.close(read)
                os.close(write)
                pytest.skip("a pipe of more than 64 KB")
            fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, len(data))
        os.write(write, data)
        os.close(write)  # ended before it is read, as < /dev/null or a failed producer's pipe
    with open(read, "rb") as pipe:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(pipe))
        argv = [*STREAM_ARGV, "--input-format", fmt, "--output-encoding", "utf-16"]
        status = main(argv + (["--encoding", encoding] if encoding else []))
    out, err = capfdbinary.readouterr()
    assert (status, out) == (2, b"")
    assert err.decode().startswith(f"triage score: error: {said}")


@pytest.mark.parametrize(
    ("data", "line"),
    [(b"\xef\xbb", 1), ("\n快".encode()[:-1], 2)],  # a byte-order mark, a character, cut short
    ids=["bom", "character"],
)
def test_score_stream_of_a_pipe_ended_with_a_character_cut_short_reads_it(
    data: bytes,
    line: int,
    monkeypatch: pytest.MonkeyPatch,
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    # no text before it ended, but a character, undecodable: read as a file's
    # is, a header of U+FFFD (and warned of), not said empty, nor read twice
    read, write = os.pipe()
    os.write(write, data)
    os.close(write)  # ended before it is read
    with open(read, "rb") as pipe:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(pipe))
        status = main(STREAM_ARGV)
    out, err = (b.decode() for b in capfdbinary.readouterr())
    assert (status, out) == (2, "")
    warned, error = err.splitlines()
    assert warned.startswith(
        f"triage score: warning: <stdin>: bytes that are not UTF-8 on line {line},"
    )
    assert error.startswith(
        "triage score: error: no column 'text' in <stdin>; columns are ['\ufffd']"
    )


def _read_until(fd: int, shown: bytearray, until: bytes | None) -> None:
    """Read a terminal's side `fd` into `shown` until it holds `until` (None:
    until the other side is closed by all)."""
    deadline = time.monotonic() + 120
    while until is None or until not in shown:
        assert time.monotonic() < deadline, bytes(shown)
        if not select.select([fd], [], [], 1)[0]:
            continue
        try:
            data = os.read(fd, 1 << 16)
        except OSError:  # EIO: every process holding the other side has ended
            data = b""
        if not data:
            return
        shown += data


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
def test_score_stream_on_a_terminal_writes_no_row_on_its_progress_line() -> None:
    # the progress line was drawn over with \r on a terminal that the rows
    # reach too (at once, or through | jq): the next row was written after
    # it, on the same line
    import pty

    terminal, side = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", "score", "-", "-o", "-", "--stream"],
        stdin=subprocess.PIPE,
        stdout=side,
        stderr=side,
    )
    os.close(side)
    assert proc.stdin is not None
    shown = bytearray()
    try:
        proc.stdin.write("text\n快递一周还没到\n".encode())
        proc.stdin.flush()
        _read_until(terminal, shown, b"scored")  # the progress line, after the first row
        proc.stdin.write("房间很脏\n".encode())
        proc.stdin.close()
        _read_until(terminal, shown, None)
        assert proc.wait(60) == 0, bytes(shown)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(terminal)
    lines = bytes(shown).decode().replace("\r\n", "\n").split("\n")
    assert [line for line in lines if "房间很脏" in line and "scored" in line] == []
    assert [line.split(",")[0] for line in lines if "," in line and "rows" not in line] == [
        "text",
        "快递一周还没到",
        "房间很脏",
    ]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["in.csv", "-o", "-"], "--stream reads stdin and writes stdout: pass - as the input"),
        (["-", "-o", "out.csv"], "--stream reads stdin and writes stdout: pass - as the input"),
        (["-", "-o", "-", "--output-format", "parquet"], "Parquet is written and read whole"),
        (["-", "-o", "-", "--jobs", "2"], "--stream scores each row as it arrives, in one"),
    ],
)
def test_score_stream_refuses_what_it_cannot_stream(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", *argv, "--stream"]) == 2
    assert said in capsys.readouterr().err


def _zipped(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("complaints.csv", data)
    return buffer.getvalue()


PIPED = "text\n快递一周还没到，客服也不回\n".encode()


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (gzip.compress(PIPED), "is compressed with gzip, not text read row by row; decompress"),
        (bz2.compress(PIPED), "is compressed with bzip2, not text read row by row; decompress"),
        (lzma.compress(PIPED), "is compressed with xz, not text read row by row; decompress"),
        (_zipped(PIPED), "is not a text file: it is a zip archive"),
        (b"PAR1\x15\x04", "is a Parquet file, not text read row by row"),
    ],
    ids=["gzip", "bzip2", "xz", "zip", "parquet"],
)
def test_score_stream_refuses_compressed_input_by_name(data: bytes, said: str) -> None:
    # its bytes were read as a CSV header: no column 'text', columns '\x1f\x8b\x08...'
    with pytest.raises(InputFileError, match=f"<stdin> {said}"):
        batch._score_stream(io.BytesIO(data), io.BytesIO(), input_format="csv", output_format="csv")


class _Trickle(io.RawIOBase):
    """A pipe that gives one byte a read, as a slow writer's may."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._data:
            return 0
        buffer[0], self._data = self._data[0], self._data[1:]
        return 1


@pytest.mark.parametrize(
    ("data", "header"),
    [
        (codecs.BOM_UTF8 + PIPED, "text,"),  # the mark skipped
        ("BZh,text\n,快递一周还没到，客服也不回\n".encode(), "BZh,text,"),  # as bzip2 starts
        ("PK,text\n,快递一周还没到，客服也不回\n".encode(), "PK,text,"),  # as a zip does
    ],
    ids=["byte-order-mark", "BZh", "PK"],
)
def test_score_stream_reads_text_that_starts_as_a_compressed_file_may(
    data: bytes, header: str
) -> None:
    for source in (io.BytesIO(data), io.BufferedReader(_Trickle(data))):
        out = io.BytesIO()
        batch._score_stream(source, out, input_format="csv", output_format="csv")
        head, row = out.getvalue().decode().splitlines()
        assert head.startswith(header + "categories,primary,")
        assert "快递一周还没到，客服也不回,logistics|service|process,logistics," in row


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM and a closed pipe as POSIX has them")
@pytest.mark.parametrize("stop", ["sigterm", "reader gone"])
def test_score_stream_waiting_for_a_row_ends_cleanly_when_stopped(stop: str) -> None:
    # the thread reading stdin held its lock as the interpreter ended, which
    # then aborted ("Fatal Python error ... could not acquire lock"), status 134
    with _live() as proc:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        proc.stdin.write("id,text\n1,快递一周还没到\n".encode())
        proc.stdin.flush()
        assert _next_line(proc.stdout, proc).startswith(b"id,text,")
        assert _next_line(proc.stdout, proc).startswith("1,快递一周还没到,".encode())
        if stop == "sigterm":
            proc.send_signal(signal.SIGTERM)
        else:  # | head -2: gone, and the next row is written to no one
            proc.stdout.close()
            proc.stdin.write("2,房间很脏\n".encode())
            proc.stdin.flush()
        assert proc.wait(timeout=180) == (143 if stop == "sigterm" else 141)
        err = proc.stderr.read().decode()
    said = "triage score: interrupted by SIGTERM; the rows scored before it are on stdout\n"
    assert err == (said if stop == "sigterm" else "")

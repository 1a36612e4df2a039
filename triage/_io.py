"""Chunked reading and atomic writing of complaint files (CSV, TSV, JSONL, Parquet).

Readers yield `Chunk`s of at most ``chunk_size`` rows as string-typed frames,
so memory does not grow with the file; malformed CSV and JSONL lines are
skipped and reported by their 1-based line number in the file, and so are
the lines holding bytes not of the file's encoding, read as U+FFFD; a text file
with no header or record at all is an `InputFileError`. Text files compressed
with gzip (``.gz``), bzip2 (``.bz2``) or xz (``.xz``), or the one file of a
zip archive (``.zip``), are read as they stream out of the decompressor; a
broken one is an `InputFileError`. A folder is read as a Parquet dataset, its
files in the natural order of their paths. Writers write
to a hidden temporary file beside the target and rename it into place only
when everything is written, so an interrupted run leaves no output that looks
complete.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import csv
import datetime
import errno
import functools
import gzip
import io
import itertools
import json
import logging
import lzma
import math
import os
import re
import select
import shutil
import stat
import sys
import tempfile
import threading
import warnings
import zipfile
import zlib
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np

from ._paths import follow_links, keep_permissions, new_file
from ._words import counted, plural
from .exceptions import InputFileError, ParameterError, TriageWarning, user_stacklevel

if sys.platform == "win32":
    fcntl = None
else:
    import fcntl

if TYPE_CHECKING:
    import pandas as pd
    from _typeshed import WriteableBuffer

logger = logging.getLogger(__name__)

__all__ = [
    "FORMATS",
    "SCORE",
    "AtomicWriter",
    "Chunk",
    "Options",
    "check_escape_formulas",
    "check_output_encoding",
    "dataset_files",
    "detect_encoding",
    "file_format",
    "folder_format",
    "guard_formula",
    "guard_formulas",
    "is_stream",
    "open_binary",
    "read_chunks",
    "sniff_header",
    "target_format",
]

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}

# the extension of a compressed text file after its format's: the name of the
# compression, as its errors call it
COMPRESSIONS = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zip": "zip"}


@dataclass(frozen=True)
class Options:
    """The options of the caller of a reader that its errors and warnings name
    for the user to pass: the command-line option giving a file's encoding
    (``encoding=`` in Python, for every reader) and the one giving its format,
    None for a command that tells the format by the file's name alone, and
    the one giving the encoding of an output (``output_encoding=``).
    `only`, for a caller that reads CSV and TSV files alone (and takes no
    ``input_format=``), says so: ``"a labeled file is CSV or TSV"``.
    """

    encoding: str = "--encoding"
    input_format: str | None = "--input-format"
    only: str | None = None
    output_encoding: str = "--output-encoding"

    def pass_format(self, fmt: str) -> str:
        """What to do for a file to be read as `fmt` (``jsonl``, ``parquet``)."""
        if self.only is not None:
            return f"{self.only}: save it as CSV"
        cli = f"{self.input_format} {fmt}" if self.input_format else f"name it .{fmt}"
        return f"name it .{fmt}, or pass input_format='{fmt}' (CLI: {cli})"


#: The options of `triage.batch.score_file` and ``triage score``.
SCORE = Options()


def _format_extension(path: str | os.PathLike[str]) -> str:
    """The extension of `path` that names its format, lowercase: the one before
    a compression's (``.csv`` of ``complaints.csv.gz``); "" for none."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _compression(path: str | os.PathLike[str]) -> str | None:
    """The extension of `path` if it names a compression (``.gz``, ...), lowercase."""
    suffix = Path(path).suffix.lower()
    return suffix if suffix in COMPRESSIONS else None


def file_format(
    path: str | os.PathLike[str],
    given: str | None = None,
    *,
    output: bool = False,
    options: Options = SCORE,
) -> str:
    """The format of `path` from its extension (or `given`), checked.

    A compression's extension (``.gz``, ``.bz2``, ``.xz``, ``.zip``) is
    passed over: ``complaints.csv.xz`` is CSV. A zip archive whose name says
    no format (``complaints.zip``) has that of the one file it holds
    (``complaints.csv``). Parquet is never compressed so: it compresses its
    columns itself. With `output`, a name that says no format is told so
    as an output's: what an output may be named, and ``output_format=``;
    else as an input's, with the options of the caller, `options`.

    Raises
    ------
    triage.ParameterError
        The format is unknown or cannot be told (a `ValueError`).
    InputFileError
        A zip archive whose format is that of its file holds no file or
        several, or is not a zip archive.
    """
    if Path(path).is_dir():
        return folder_format(path, given)
    compression = _compression(path)
    named = str(path)
    if given is not None:
        if given not in set(FORMATS.values()):
            raise ParameterError(
                f"unknown format {given!r}; choose one of csv, tsv, jsonl, parquet"
            )
        fmt: str | None = given
    else:
        ext = _format_extension(path)
        if ext not in FORMATS and compression == ".zip" and Path(path).is_file():
            with _zip(path) as archive:
                member = _zip_member(archive, path).filename
            ext = PurePosixPath(member).suffix.lower()
            named = f"{path} (holding {member})"
        fmt = FORMATS.get(ext)
        if fmt is None and ext in (".xlsx", ".xlsm", ".xls", ".et"):
            raise ParameterError(
                f"{named}: a spreadsheet workbook is neither read nor written; "
                "use CSV, which Excel opens and saves"
            )
    if fmt is None and output:  # never a zip, which `target_format` refuses
        raise ParameterError(
            f"cannot tell the format of output {named} from its extension; use .csv, .tsv, "
            ".jsonl (.ndjson) or .parquet, the text formats also compressed (.csv.gz, "
            ".csv.bz2, .csv.xz), or pass the format: csv, tsv, jsonl or parquet "
            "(output_format=; CLI: --output-format)"
        )
    if fmt is None:
        given_as = (
            "(input_format=; the command line tells it by the extension alone)"
            if options.input_format is None
            else f"(input_format= / output_format=; CLI: {options.input_format} / --output-format)"
        )
        raise ParameterError(
            f"cannot tell the format of {named} from its extension; use .csv, .tsv, .jsonl "
            "(.ndjson) or .parquet, the text formats also compressed (.csv.gz, .csv.bz2, "
            f".csv.xz, .csv.zip), or pass the format: csv, tsv, jsonl or parquet {given_as}"
        )
    if fmt == "parquet" and compression is not None:
        raise ParameterError(
            f"{path}: Parquet is neither read nor written inside {compression}: it "
            "compresses its columns itself; name the file .parquet (or decompress it)"
        )
    return fmt


def target_format(path: str | os.PathLike[str], given: str | None = None) -> str:
    """The format of an output `path`, as `file_format` tells it, checked as a
    target: a zip archive is not written (what an old one holds is no matter),
    nor a folder, nor under a file. A ``.json`` name is refused unless
    `given`: it says one JSON document, and JSON Lines are written (an input
    so named is read as JSON Lines)."""
    if Path(path).is_dir():
        raise ParameterError(f"output {path} is a folder; name the file to write")
    for parent in Path(path).parents:
        if parent.exists():
            if not parent.is_dir():
                raise ParameterError(
                    f"output {path}: {parent} is a file, not a folder; name a file in a folder"
                )
            break
    if _compression(path) == ".zip":
        plain = Path(path).with_suffix("")
        if plain.suffix.lower() not in FORMATS:
            plain = plain.with_name(f"{plain.name}.{given or 'csv'}")
        raise ParameterError(
            f"cannot write a zip archive {path}; write {plain.name}.gz (or .bz2, .xz), "
            "or zip the output once it is written"
        )
    if given is None and _format_extension(path) == ".json":
        # JSON Lines, which a reader of .json (json.load, pd.read_json, jq -s
        # aside) takes for one JSON document and refuses at its second line
        name = Path(path).name
        compression = _compression(path)
        stem = name[: -len(compression)] if compression else name
        jsonl = stem[: -len(".json")] + ".jsonl" + (name[len(stem) :] if compression else "")
        raise ParameterError(
            f"output {path}: a .json name says one JSON document, and scores are written as "
            f"JSON Lines, a record a line; name it {jsonl} (or .ndjson), or pass "
            "output_format='jsonl' (CLI: --output-format jsonl) to write them under this name"
        )
    return file_format(path, given, output=True)


#: The encodings a CSV or TSV output is written in, by their `codecs` names:
#: those that hold every character, so that no row can stop a run mid-file.
#: ``utf-8-sig``, UTF-8 after a byte-order mark, is what Excel needs to open a
#: CSV as UTF-8; ``gb18030`` is the superset of GBK that holds all of Unicode.
OUTPUT_ENCODINGS = (
    "utf-8",
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
    "gb18030",
)

# the byte-order mark, in the machine's byte order, that an output encoding
# in either order starts a file with
_WRITTEN_BOMS = {"utf-16": codecs.BOM_UTF16, "utf-32": codecs.BOM_UTF32}

# characters a complaint may hold that a legacy encoding (gbk, big5, latin-1)
# has no room for, as the error refusing it names them
_BEYOND_LEGACY = {"😡": "an emoji", "𠀾": "a rare han character"}


def check_output_encoding(encoding: Any, fmt: str, *, options: Options = SCORE) -> str:
    """The `codecs` name of `encoding` (``UTF8`` is ``utf-8``) for an output
    of format `fmt`, checked: one of `OUTPUT_ENCODINGS` for CSV and TSV;
    UTF-8 alone for JSON Lines, which are UTF-8 by definition, and for
    Parquet, which stores its text as UTF-8 itself.

    Raises
    ------
    triage.ParameterError
        Another encoding, or one that names no codec of text; the message
        names the option of `options` and what to pass instead (a
        `ValueError`).
    """
    option = f"output_encoding={encoding!r} (CLI: {options.output_encoding})"
    allowed = f"allowed: {', '.join(OUTPUT_ENCODINGS)}"
    try:
        info = codecs.lookup(encoding) if isinstance(encoding, str) else None
    except LookupError:
        info = None
    if info is None or not info._is_text_encoding:
        raise ParameterError(f"{option} is not a text encoding; {allowed}")
    name = info.name
    if fmt in ("jsonl", "parquet") and name != "utf-8":
        kind = (
            "JSON Lines are UTF-8 by definition, with no byte-order mark"
            if fmt == "jsonl"
            else "Parquet stores its text as UTF-8 itself"
        )
        raise ParameterError(
            f"{option}: {kind}; leave the option out, or write CSV or TSV "
            "(.csv, .tsv) in another encoding"
        )
    if name not in OUTPUT_ENCODINGS:
        lost = []
        for char, what in _BEYOND_LEGACY.items():
            try:
                char.encode(name)
            except UnicodeError:
                lost.append(f"{what} such as {char}")
        why = (
            f"cannot hold every character a text may have: {' or '.join(lost)} would not "
            "fit, and the run would stop mid-file"
            if lost
            else "is not one a scored file is written in"
        )
        raise ParameterError(
            f"{option} {why}; use gb18030, the superset of GBK that holds every character, "
            f"or utf-8-sig, UTF-8 that Excel opens as such ({allowed})"
        )
    return name


def check_escape_formulas(flag: Any, fmt: str) -> bool:
    """`flag`, the ``escape_formulas=`` of an output of format `fmt`, checked:
    True or False, and True for a CSV or TSV output alone.

    Raises
    ------
    triage.ParameterError
        `flag` is no bool (``"False"`` would be true), or True for JSON Lines
        or Parquet, which no spreadsheet opens as cells and whose texts are
        written as they are (a `ValueError`).
    """
    if not isinstance(flag, bool | np.bool_):
        raise ParameterError(f"escape_formulas must be True or False, got {flag!r}")
    if flag and fmt not in ("csv", "tsv"):
        kind = "JSON Lines" if fmt == "jsonl" else "Parquet"
        raise ParameterError(
            f"escape_formulas=True (CLI: --escape-formulas) is for a CSV or TSV output, "
            f"which Excel or WPS opens as cells; a {kind} output is read as data, never "
            "run as formulas, and keeps every text as it is: leave the option out, or "
            "write CSV or TSV (.csv, .tsv)"
        )
    return bool(flag)


def sniff_header(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    columns: tuple[str, ...] = (),
    fmt: str | None = None,
) -> tuple[str, list[str]]:
    """The field delimiter of a CSV or TSV file, ``","``, ``"\\t"`` or ``";"``, and its header.

    The header line decides: the delimiter that splits it into more of
    `columns` (into more fields, when `columns` is empty) wins. On a tie
    `fmt`, the format given for the file (``"csv"`` or ``"tsv"``), decides,
    else the extension as for scoring (`file_format`: ``.tsv`` and ``.txt``
    are tab-separated), and a comma otherwise. So Excel's "Unicode Text"
    export, tab-separated UTF-16, is read right whatever it is named or
    said to be: a format given as CSV does not make one column of a header
    that only tabs split into `columns`.

    A semicolon is the delimiter only when it splits the header into more of
    `columns` than a comma or a tab does: the "CSV" of Excel in a locale
    whose decimal mark is a comma (``id;text``). The semicolons of texts never
    count, nor do those of a header whose names are not known: ``评论;备注``
    is one column of a comma-separated file.

    A first line ``sep=;`` (``sep=,``, ``sep=|``, a tab after ``sep=`` ...),
    which Excel reads as naming the delimiter and some exports write for
    it, names the delimiter; the header is the line after it.

    Returns
    -------
    delimiter : str
    header : list of str
        The column names of its first line that is not blank (or of the
        next, after a ``sep=`` line), as the file writes them, spaces around
        them dropped; empty for an empty file.
    """
    with _open_text(path, encoding) as f:
        # the header is the first line that is not blank, as the reader finds it
        lines = (line for line in f if line.strip())
        line = next(lines, "")
        named = _sep_line(line)
        if named is not None:
            line = next(lines, "")
    if line.startswith(_OVERLONG):
        raise _overlong_header(path)
    # a header of many columns is one field long past the csv module's
    # default limit, split at a delimiter it does not hold
    if named is not None:
        with _LongFields():
            return named, [n.strip() for n in next(csv.reader([line], delimiter=named), [])]
    try:
        by_name = "\t" if (fmt or file_format(path)) == "tsv" else ","
    except ValueError:  # another extension: the header alone decides
        by_name = ","
    wanted = set(columns)
    best: tuple[int, str, list[str]] | None = None
    others = [d for d in (",", "\t", *(";" if wanted else ())) if d != by_name]
    for delimiter in (by_name, *others):
        with _LongFields():
            names = [n.strip() for n in next(csv.reader([line], delimiter=delimiter), [])]
        score = len(wanted.intersection(names)) if wanted else len(names)
        if best is None or score > best[0]:
            best = (score, delimiter, names)
    assert best is not None
    return best[1], best[2]


def starts_as_jsonl(path: str | os.PathLike[str], encoding: str | None = None) -> bool:
    """Whether the first line of `path` that is not blank is a JSON object,
    as a JSONL file's is: a header of no column, were it read as CSV."""
    with _open_text(path, encoding) as f:
        line = next((line for line in f if line.strip()), "").strip()
    if not line.startswith("{"):
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


# The first line of a CSV file that Excel reads as naming its delimiter,
# written by exports meant for it: sep=; or sep=, (the quotes of a CSV writer
# that quoted the line as a field of its own aside)
_SEP_LINE = re.compile(r'sep=([^"\r\n])|"sep=([^"\r\n])"', re.IGNORECASE)


def _sep_line(line: str) -> str | None:
    """The delimiter that `line`, a ``sep=;`` line, names; None for another line."""
    match = _SEP_LINE.fullmatch(line.rstrip("\r\n"))
    return None if match is None else match[1] or match[2]


def open_binary(path: str | os.PathLike[str]) -> io.BufferedReader:
    """`path` opened for reading bytes, decompressed by its extension.

    A zip archive gives the bytes of the one file it holds, folders and what
    macOS adds (``__MACOSX/``, ``.DS_Store``) aside. A compressed file whose
    data is broken (truncated, corrupt, not of its compression at all)
    raises an `InputFileError` naming the file and the problem when the
    bytes are read; so does a zip archive of no file or several, when opened.
    """
    compression = _compression(path)
    if compression is None:
        return open(path, "rb")
    stream = _decompressing(path, compression)
    return io.BufferedReader(_Checked(stream, path, COMPRESSIONS[compression]), 1 << 16)


def _decompressing(path: str | os.PathLike[str], compression: str) -> io.BufferedIOBase:
    if compression == ".gz":
        return gzip.open(path, "rb")
    if compression == ".bz2":
        return bz2.open(path, "rb")
    if compression == ".xz":
        return lzma.open(path, "rb")
    # the member keeps the archive's file open until it is closed itself
    with _zip(path) as archive:
        member = _zip_member(archive, path)
        try:
            # a ZipExtFile, which typeshed gives as IO[bytes]
            return cast("io.BufferedIOBase", archive.open(member))
        except zipfile.BadZipFile as exc:
            raise InputFileError(f"{path} is not a readable zip file: {exc}") from exc
        except (NotImplementedError, RuntimeError) as exc:  # deflate64; a password
            raise InputFileError(
                f"{path}: {member.filename} in it cannot be read ({exc}); unzip it with "
                "another tool and read the file itself"
            ) from exc


def _zip(path: str | os.PathLike[str]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InputFileError(f"{path} is not a readable zip file: {exc}") from exc


def _zip_member(archive: zipfile.ZipFile, path: str | os.PathLike[str]) -> zipfile.ZipInfo:
    """The one file in a zip archive, folders and what macOS adds aside.

    Raises an InputFileError listing the archive's entries when it holds no
    file or several: which one is meant is not for the reader to guess.
    """
    entries = archive.infolist()
    files = [
        e
        for e in entries
        if not e.is_dir()
        and not e.filename.startswith("__MACOSX/")
        and PurePosixPath(e.filename).name != ".DS_Store"
    ]
    if len(files) == 1:
        return files[0]
    names = [e.filename for e in files or entries]
    shown = ", ".join(names[:10]) + (f", ... ({len(names)} in all)" if len(names) > 10 else "")
    rule = "a zip archive is read when it holds one file"
    if not files:
        only = f" (only {shown})" if names else ""
        raise InputFileError(f"{path} holds no file to read{only}; {rule}")
    raise InputFileError(
        f"{path} holds {len(files)} files: {shown}; {rule}: unzip it and pass the file you mean"
    )


def _broken(exc: BaseException) -> bool:
    """Whether `exc`, raised reading a decompressor, says its data is broken.

    gzip and bzip2 raise an OSError without an error number for data that
    is not theirs; an OSError with one (a disk's I/O error, say) is no
    problem of the data.
    """
    if isinstance(exc, OSError):
        return exc.errno is None
    return isinstance(exc, EOFError | zlib.error | lzma.LZMAError | zipfile.BadZipFile)


class _Checked(io.RawIOBase):
    """The bytes a decompressor reads; broken data is an InputFileError naming the file."""

    def __init__(self, stream: io.BufferedIOBase, path: str | os.PathLike[str], kind: str):
        self._stream = stream
        self._path = path
        self._kind = kind

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        try:
            return self._stream.readinto(buffer)
        except Exception as exc:
            if not _broken(exc):
                raise
            raise InputFileError(
                f"{self._path} is not a readable {self._kind} file: {exc}"
            ) from exc

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            super().close()


# byte-order marks, UTF-32's first: its little-endian mark begins with UTF-16's
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),  # Excel's "Unicode Text" export
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# the first bytes of a file of each compression (bzip2's name its block size)
_ZIP = b"PK\x03\x04"
_COMPRESSED = (
    (b"\x1f\x8b\x08", ".gz"),
    *((b"BZh%d1AY&SY" % level, ".bz2") for level in range(1, 10)),
    (b"\xfd7zXZ\x00", ".xz"),
)
# binary files that are often given a text file's extension (a Parquet file's
# what to do is the caller's, `Options.pass_format`)
_PARQUET = b"PAR1"
_MAGIC = (
    (
        _ZIP,
        "a zip archive, such as an Excel workbook (.xlsx); save it as CSV (a zipped "
        "text file is read when named .zip)",
    ),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls); save it as CSV"),
    (_PARQUET, "a Parquet file"),
    # compressed text named without its compression's extension
    *(
        (magic, f"compressed with {COMPRESSIONS[ext]}; name the file {ext} or decompress it")
        for magic, ext in _COMPRESSED
    ),
)


def unless_binary(raw: IO[bytes], name: str, instead: str, head: bytes = b"") -> IO[bytes]:
    """`raw`, a stream of text read as it arrives (a pipe's rows), unless its
    first bytes are those of a compressed file, a workbook or a Parquet
    file, which its reader would take for text: an `InputFileError` naming
    it and what to do (`instead`). Its first bytes are read only while they
    may start one (or a byte-order mark), so a live stream waits for no
    byte more than it has sent; the stream returned gives them again, after
    `head`, those read from `raw` already (`first_arrived`)."""
    marks = [magic for magic, _ in _MAGIC] + [bom for bom, _ in _BOMS]
    while any(len(m) > len(head) and m.startswith(head) for m in marks):
        byte = raw.read(1)
        if not byte:
            break
        head += byte
    for magic, ext in _COMPRESSED:
        if head.startswith(magic):
            raise InputFileError(
                f"{name} is compressed with {COMPRESSIONS[ext]}, not text read row by row; "
                f"{instead}"
            )
    if head.startswith(_PARQUET):
        raise InputFileError(f"{name} is a Parquet file, not text read row by row; {instead}")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise InputFileError(f"{name} is not a text file: it is {what}")
    return cast("IO[bytes]", _Headed(head, raw))


def first_arrived(raw: IO[bytes], encoding: str | None = None) -> tuple[bytes, bool]:
    """What has arrived of `raw`, a pipe, read without waiting while it holds
    no text in `encoding` (UTF-8 if None): nothing, a byte-order mark, blank
    lines; and whether the pipe has ended so, with no row to read (an empty
    export, a producer that failed), which its reader then says at once.
    ``(b"", False)`` when no byte has arrived, or when that cannot be told
    (a stream with a buffer of its own, or outside POSIX).

    Blank lines are read on, as many as have arrived, up to
    `_ARRIVED_HELD` bytes: a pipe (or a file, ``< export.csv``) of more than
    a read's 64 KB of them was not told empty, so the model was loaded
    before its reader said so, where a shorter one was said empty at once."""
    head = bytearray()
    if os.name != "posix" or not isinstance(raw, io.FileIO):
        return bytes(head), False
    try:
        decoder = codecs.getincrementaldecoder(encoding or "utf-8")()
    except LookupError:  # the reader names it
        return bytes(head), False
    other = False  # whether a character but a leading byte-order mark was read
    while len(head) < _ARRIVED_HELD and select.select([raw], [], [], 0)[0]:
        data = raw.read(_ARRIVED_READ)  # what the pipe holds
        head += data
        try:
            # a character cut short at the end is one, undecodable
            text = decoder.decode(data, final=not data)
        except UnicodeError:
            return bytes(head), False
        if not other:
            text = text.lstrip("\ufeff")
            other = bool(text)
        if text.strip():
            break
        if not data:
            return bytes(head), True
    return bytes(head), False


# the most bytes `first_arrived` reads at a time, and holds while they are blank
_ARRIVED_READ = 1 << 16
_ARRIVED_HELD = 1 << 26


class _Headed(io.RawIOBase):
    """The bytes `head`, read from `raw` already, then the rest of `raw`, as
    they arrive: each read waits for no more than one read of `raw` gives."""

    def __init__(self, head: bytes, raw: IO[bytes]) -> None:
        super().__init__()
        self._head = head
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n], self._head = self._head[:n], self._head[n:]
            return n
        # what it holds, else one read: a buffered stream's readinto1 waits for more
        read1 = getattr(self._raw, "read1", None)
        data = read1(len(view)) if read1 is not None else self._raw.read(len(view))
        view[: len(data)] = data
        return len(data)

    def idle(self, timeout: float) -> bool:
        """Whether no byte arrives within `timeout` seconds: False when some
        are held or have arrived, or when it cannot be told (a stream with a
        buffer of its own, or no descriptor to wait on, as outside POSIX)."""
        if self._head or os.name != "posix" or not isinstance(self._raw, io.FileIO):
            return False
        ready, _, _ = select.select([self._raw], [], [], timeout)
        return not ready

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


# How long a live stream's line that a CR ended waits for an LF (a CRLF)
# when nothing more has arrived, before it is read as ended by the CR.
_CR_WAIT = 0.05


class _CrEnded(io.RawIOBase):
    """A live stream (`_Headed`) of text whose lines a bare CR may end, in an
    encoding that writes a CR as the byte 0x0D alone (UTF-8, GB18030, Big5).

    A reader of text that has read a CR waits for the next character, to
    tell a CRLF from a bare CR, and a live stream may send none before its
    next row. So once the bytes given end with a CR and no byte more arrives
    within `_CR_WAIT` seconds, a read gives none, which the reader takes for
    the end of what there is: it gives the line, and reads on at its next
    read. An LF that comes later still is the rest of its line end, no line
    of its own (`_Lines`): the lines after it keep their numbers."""

    def __init__(self, raw: _Headed) -> None:
        super().__init__()
        self._raw = raw
        self._cr = False  # whether the bytes given end with a CR

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._cr and self._raw.idle(_CR_WAIT):
            self._cr = False
            return 0
        n = self._raw.readinto(buffer)
        self._cr = bool(n) and memoryview(buffer).cast("B")[n - 1] == 0x0D
        return n

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def compression_of(path: str | os.PathLike[str]) -> str | None:
    """The extension of the compression `path` holds by its first bytes
    (``.gz``, ``.bz2``, ``.xz`` or ``.zip``), whatever its name; None for
    other data. For data without a name, such as a pipe spooled to a file."""
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(_ZIP):
        return ".zip"
    return next((ext for magic, ext in _COMPRESSED if head.startswith(magic)), None)


def detect_encoding(
    path: str | os.PathLike[str], *, block: int = 1 << 20, options: Options = SCORE
) -> str:
    """The encoding of a text file: from its byte-order mark, else ``utf-16-le``
    or ``utf-16-be`` when it is UTF-16 without one, else ``utf-8`` when it
    decodes as UTF-8, else ``cp950`` when it is Big5 (`_gb_or_big5`), else
    ``gb18030``.

    The whole file is checked (UTF-8 decoding runs at hundreds of MB/s), so a
    GBK file whose first rows happen to be ASCII is still recognised. GB18030
    is a superset of GBK and GB2312, the encodings Excel uses for Chinese text
    on Windows; Excel's "Unicode Text" is UTF-16 with a byte-order mark. UTF-16
    without one, as some tools write it, is told by the first block alone:
    the NUL byte of each ASCII character (digits, commas, line ends), at
    odd offsets in little-endian and at even ones in big-endian. A few NULs
    in a UTF-8 or GBK file (a database export) do not make it UTF-16. Nor
    do they in a file of long lines (texts of many thousand characters),
    which UTF-16 is told in by more than its NULs: no line end of another
    encoding, and more NUL-bearing characters in a line than its line end.
    A compressed file is decompressed first. Its errors and warnings name
    the options of the caller, `options`.

    A GB18030 file is read as Excel writes GBK (code page 936): its byte 0x80,
    which no character of GB18030 starts with, is the euro sign, as it is
    in Windows-1252; so it is when GBK (``gbk``, ``cp936``) or GB18030 is
    given.

    A UTF-8 file with a few corrupt bytes is still UTF-8: when its Chinese
    characters outnumber its undecodable bytes four to one (GBK text read as
    UTF-8 gives at most one to four), the bytes are read as U+FFFD, with a
    warning, rather than the whole file being misread as GB18030. So is a file
    of more lines of UTF-8 than of other bytes, whose encoding changes
    partway: its other lines are reported as undecodable (`_mostly_utf8`).

    Raises
    ------
    InputFileError
        The file is not text: a workbook, a Parquet file or other binary data.

    Warns
    -----
    TriageWarning
        A UTF-8 file holds bytes that are not UTF-8; or a file read as
        GB18030 or Big5 holds lines of Chinese in UTF-8 (its encoding changes
        partway), which are read as other characters.
    """
    blocks = _blocks(path, block)
    data = next(blocks, b"")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    for magic, what in _MAGIC:
        if data.startswith(magic):
            if magic == _PARQUET:
                what = f"{what}; {options.pass_format('parquet')}"
            raise InputFileError(f"{path} is not a text file: it is {what}")
    if b"\x00" in data and (utf16 := _utf16_without_bom(data)):
        return utf16
    if _binary(data):
        utf16 = _utf16_order(data)
        raise InputFileError(
            f"{path} is not a text file: it holds NUL bytes (if it is text, UTF-16 "
            f"written without a byte-order mark, say, pass its encoding: encoding='{utf16}', "
            f"the byte order its line ends and delimiters are in; CLI: {options.encoding} {utf16})"
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=False)
        for data in blocks:
            decoder.decode(data, final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return _mostly_utf8(path, block, options)
    return "utf-8"


# C0 control bytes other than tab, line feed and carriage return
_CONTROL = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])

# characters of text, Chinese or not: ASCII and Latin-1 but their control
# characters, punctuation and symbols, CJK punctuation, kana and ideographs,
# full-width forms, emoji. Other bytes read as UTF-16 give mostly others:
# Hangul, Yi, private use.
_NOT_TEXT = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\xff\u2000-\u2bff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ufe30-\ufe4f\uff00-\uffef\U00010000-\U0010ffff]"
)


def check_encoding(
    path: str | os.PathLike[str],
    encoding: str,
    *,
    block: int = 1 << 20,
    options: Options = SCORE,
) -> None:
    """Warn when the first `block` bytes of a file (decompressed) are not `encoding`.

    An encoding given by hand is trusted, and bytes it cannot decode are read
    as U+FFFD; a wrong one would otherwise turn a whole file into U+FFFD
    without a word. Raises LookupError for an unknown encoding, and an
    `InputFileError` for a file that the encoding cannot start to read:
    ``utf-16`` or ``utf-32``, whose byte order is read from a byte-order
    mark, given for a file without one. Its errors and warnings name the
    options of the caller, `options`.
    """
    decoder = codecs.getincrementaldecoder(encoding)("triage.strict")
    with open_binary(path) as f:
        head = f.read(block)
    name = codecs.lookup(encoding).name
    marks = _ORDER_MARKS.get(name)
    if head and marks is not None and not head.startswith(marks):
        # UTF-32 of the other byte order is no UnicodeError of a missing mark
        # to the decoder, but a code point out of range, as is UTF-16 of
        # either byte order to it
        raise InputFileError(
            f"{path} cannot be read as {encoding}: {name.upper()} stream does not start "
            f"with BOM; name the byte order ({name}-le or {name}-be) if it is so encoded, "
            f"or leave the encoding out to have it detected (CLI: {options.encoding})"
        )
    try:
        text = decoder.decode(head)  # a character cut at the end of the block waits
    except UnicodeDecodeError as exc:
        warnings.warn(
            f"{path}: the bytes at offset {exc.start} are not {encoding} and are read as "
            "U+FFFD; leave the encoding out to have it detected, or pass the file's own "
            f"(CLI: {options.encoding})",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )
    except UnicodeError as exc:  # no error handler reads past it
        raise InputFileError(
            f"{path} cannot be read as {encoding}: {exc}; pass the file's own encoding, "
            f"or leave the encoding out to have it detected (CLI: {options.encoding})"
        ) from None
    else:
        _check_chinese(path, encoding, head, text, options)


_CHINESE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_LONE_HIGH_BYTE = re.compile(rb"(?<![\x80-\xff])[\x80-\xff](?![\x80-\xff])")
# a character of four bytes in GB18030 (an emoji), which has two digits
_GB18030_FOUR = re.compile(rb"[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]")


@functools.cache
def _single_byte(encoding: str) -> bool:
    """Whether `encoding` reads every byte over 0x7F as a character of its own
    (latin-1, cp1252): none waits for a byte after it, as a lead byte does."""
    return all(
        codecs.getincrementaldecoder(encoding)("replace").decode(bytes([b])) != ""
        for b in range(0x80, 0x100)
    )


def _check_chinese(
    path: str | os.PathLike[str], encoding: str, head: bytes, text: str, options: Options
) -> None:
    """Warn when `text`, `head` read as the `encoding` given, holds no Chinese
    character and `head` read as UTF-8 or else as GB18030 does.

    A single-byte encoding (latin-1, cp1252) decodes any bytes, so a
    Chinese file given as one has no byte that is not of it: every text
    is read as Latin letters, and scored or learned as such, without a word.
    GB18030 reads most pairs of bytes as a character, an accented letter and
    the ASCII letter after it too (``é`` ``t`` of ``café`` in latin-1),
    where it has a byte over 0x7F between two ASCII ones. Chinese text
    rarely has one (蒟 is ``C9 58``; an emoji of four bytes has two digits),
    so a file where one in 20 such bytes stands so is not taken for it.

    An encoding of several bytes a character (euc-kr, shift_jis) is not
    looked at: it fails on bytes not of it, and a file rightly given one may
    hold no Chinese character (Korean), where GB18030 reads its pairs of
    bytes as Chinese ones.
    """
    if _CHINESE.search(text) or not _single_byte(encoding):
        return
    data = _GB18030_FOUR.sub(b"", head)
    high = len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))
    lone = len(_LONE_HIGH_BYTE.findall(data))
    readings = ("utf-8",) if lone * 20 >= high else ("utf-8", "gb18030")
    for reading in readings:
        try:
            chinese = _CHINESE.search(codecs.getincrementaldecoder(reading)().decode(head))
        except UnicodeDecodeError:
            continue
        if chinese:
            warnings.warn(
                f"{path}: read as {encoding}, the file holds no Chinese character, and read "
                f"as {reading} it does; leave the encoding out to have it detected, or pass "
                f"the file's own (CLI: {options.encoding})",
                TriageWarning,
                stacklevel=user_stacklevel(),
            )
        return


# The byte-order marks that an encoding of either byte order (``utf-16``,
# ``utf-32``) reads its byte order from: a file without one it cannot read
_ORDER_MARKS = {
    "utf-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE),
    "utf-32": (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE),
}


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when `data`, a file's first block, is
    UTF-16 text without a byte-order mark; else None.

    UTF-16 writes an ASCII character (a digit, comma, line end) as its byte
    and a NUL: the NUL second in little-endian, first in big-endian. Read in
    the right byte order such bytes are text with line ends; bytes of
    another encoding read as UTF-16 are mostly Hangul, Yi or private-use
    characters, or have no line ends (a line end would need a NUL beside it).
    Bytes that are valid UTF-8 are UTF-16 only when nine in ten of their
    characters have the NUL (ASCII text written as UTF-16): a few NULs in
    UTF-8 (a database export) leave it UTF-8.
    """
    data = data[: len(data) - len(data) % 2]
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data)
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    for encoding, at in (("utf-16-le", 1), ("utf-16-be", 0)):
        nuls = data[at::2].count(0)
        if not nuls or (utf8 and nuls * 10 < len(data) // 2 * 9):
            continue
        try:
            # a character cut by the end of the block is left for the next
            text = codecs.getincrementaldecoder(encoding)().decode(data)
        except UnicodeDecodeError:  # a surrogate out of its pair: not UTF-16
            continue
        lines = text.count("\n") or text.count("\r")
        if not lines or len(_NOT_TEXT.findall(text)) * 10 >= len(text):
            continue
        if lines * 4096 >= len(text):
            return encoding
        # Few line ends, the texts long (a complaint of 100,000 characters):
        # they are UTF-16's when no line end of another encoding is there, a
        # CR or LF byte beside a byte that is not NUL (U+0Axx, U+0Dxx), each
        # line holds more NUL-bearing characters than its line end (a
        # delimiter, a quote, a CR), unlike a stray NUL after a line end, and
        # hardly a character is not text (ASCII read so has its commas,
        # periods and digits 1 to 3 as such: U+2Cxx, U+31xx)
        if (
            nuls >= 2 * lines
            and not _LINE_BYTE.search(text)
            and len(_NOT_TEXT.findall(text)) * 100 < len(text)
        ):
            return encoding
    return None


# a CR or LF byte read as the high byte of a UTF-16 character: Gurmukhi,
# Gujarati, Malayalam, Sinhala, which Chinese text does not hold
_LINE_BYTE = re.compile("[\u0a00-\u0aff\u0d00-\u0dff]")


def _utf16_order(data: bytes) -> str:
    """``utf-16-le`` or ``utf-16-be``: the byte order in which the line ends,
    delimiters and quotes of a CSV, TSV or JSONL file fall, else the one that
    reads more of `data` as text.

    Not the places of its NULs alone: 一 (U+4E00) puts one where ASCII
    characters do not. Nor the text alone: Cyrillic and Hangul read in the
    wrong order give CJK characters, which pass for text.
    """
    data = data[: len(data) - len(data) % 2]
    pairs = [data[i : i + 2] for i in range(0, len(data), 2)]
    marks = b'\n\r,\t";:{}'
    little = sum(p[1] == 0 and p[0] in marks for p in pairs)
    big = sum(p[0] == 0 and p[1] in marks for p in pairs)
    if little != big:
        return "utf-16-le" if little > big else "utf-16-be"
    return min(
        ("utf-16-le", "utf-16-be"),
        key=lambda e: len(_NOT_TEXT.findall(data.decode(e, errors="replace"))),
    )


def _binary(data: bytes) -> bool:
    """Whether `data` holds NUL bytes and is not text: binary data, or UTF-16
    without a byte-order mark that `_utf16_without_bom` could not tell (every
    ASCII character has a NUL byte).

    A text file with a stray NUL in a field or two (a database export) is
    text: there control bytes are far below one in a hundred, or, in a file
    of a few rows, `_FEW_CONTROLS` at most in UTF-8.
    """
    if b"\x00" not in data:
        return False
    control = len(data) - len(data.translate(None, _CONTROL))
    if control * 100 < len(data):
        return False
    # in a file of a row or two, one stray NUL is more than one byte in a hundred
    return control > _FEW_CONTROLS or not _utf8_but_its_end(data)


# Control bytes that UTF-8 text of any length may hold (`_binary`)
_FEW_CONTROLS = 3


def _utf8_but_its_end(data: bytes) -> bool:
    """Whether `data` is UTF-8, but perhaps for a character its end cuts."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _blocks(path: str | os.PathLike[str], block: int) -> Iterator[bytes]:
    """The bytes of a file (decompressed) in blocks; broken compressed data is an
    InputFileError."""
    with open_binary(path) as f:
        while data := f.read(block):
            yield data


_HAN = re.compile("[\u4e00-\u9fff]")


def mostly_utf8(text: str) -> bool:
    """Whether `text`, bytes read as UTF-8 with each undecodable sequence as
    U+FFFD, is UTF-8 with a few corrupt bytes: its Chinese characters
    outnumber the U+FFFD four to one (GBK read as UTF-8 gives at most one to
    four)."""
    return _utf8_counts_fit(len(_HAN.findall(text)), text.count("\ufffd"))


def _utf8_counts_fit(han: int, bad: int) -> bool:
    return han >= 4 * bad


# a line holding a character that is not ASCII, and one holding U+FFFD,
# matched from a line's start only: unanchored, a long line of ASCII was
# scanned to its end from each of its characters
_NOT_ASCII_LINE = re.compile("^[^\n]*[^\x00-\x7f]", re.MULTILINE)
_REPLACED_LINE = re.compile("^[^\n]*\ufffd", re.MULTILINE)
_CLEAN_LINE = re.compile("^[^\n\ufffd]*$", re.MULTILINE)


def _mostly_utf8(path: str | os.PathLike[str], block: int, options: Options) -> str:
    """``utf-8`` for a UTF-8 file with a few corrupt bytes, or of more lines
    of UTF-8 than of other bytes, else ``gb18030`` or Big5 (`_gb_or_big5`).

    A file whose encoding changes partway (an export of UTF-8 rows with
    rows of GBK appended) is read in the encoding of most of its lines
    that are not ASCII: the other lines are then reported as undecodable.
    Read as GB18030, which decodes almost any bytes, a fifth of the UTF-8
    lines of such a file were read as other characters, unreported. GBK
    text, of several characters, is next to never valid UTF-8: the lines of
    a file read as GB18030 that are UTF-8 of two Chinese characters or more
    are counted in a warning (their texts are damaged, most of them without
    a byte that GB18030 does not decode).
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    han = bad = lines = damaged = chinese = 0
    for data in (*_blocks(path, block), b""):
        text = decoder.decode(data, final=not data)
        han += len(_HAN.findall(text))
        bad += text.count("\ufffd")
        # a line cut by a block's end may count twice: one line among thousands
        block_lines = len(_NOT_ASCII_LINE.findall(text))
        block_damaged = len(_REPLACED_LINE.findall(text))
        lines += block_lines
        damaged += block_damaged
        if block_lines > block_damaged:  # lines of Chinese in UTF-8 (GBK of two
            # characters and more next to never is valid UTF-8)
            chinese += sum(len(_HAN.findall(m[0])) > 1 for m in _CLEAN_LINE.finditer(text))
    if not _utf8_counts_fit(han, bad) and lines - damaged <= damaged:
        encoding = _gb_or_big5(path, block)
        if chinese:  # read as GB18030 or Big5, most of them decode: as other characters
            warnings.warn(
                f"{path}: {counted(chinese, 'line')} of Chinese "
                f"{'is' if chinese == 1 else 'are'} UTF-8 and most others are not: "
                "the file's encoding changes partway (files joined one after another?), and those "
                f"lines are read as {encoding}, their texts damaged; save the file again "
                f"in one encoding, or pass the encoding of most of it (CLI: {options.encoding})",
                TriageWarning,
                stacklevel=user_stacklevel(),
            )
        return encoding
    warnings.warn(
        f"{path}: {counted(bad, 'byte sequence')} {'is' if bad == 1 else 'are'} not UTF-8 and "
        f"{'is' if bad == 1 else 'are'} read as U+FFFD; "
        f"pass the file's encoding if it is not UTF-8 (CLI: {options.encoding})",
        TriageWarning,
        stacklevel=user_stacklevel(),
    )
    return "utf-8"


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _gb_or_big5(path: str | os.PathLike[str], block: int) -> str:
    """`gb_or_big5` of the first `block` bytes of a file (decompressed)."""
    return gb_or_big5(next(_blocks(path, block), b""))


def gb_or_big5(data: bytes) -> str:
    """``gb18030``, or ``cp950`` (Big5 as Windows writes it, the traditional
    Chinese of Taiwan) when the bytes of Chinese text that are not UTF-8,
    `data`, are Big5.

    Both encodings take two bytes a character, and most Big5 text decodes as
    GB18030 without an error, as nonsense. But the nonsense is told by its
    private-use characters: the bytes of Big5's most common characters
    (0xA440 to 0xC67E) fall in GBK's user-defined areas, which GB18030 maps
    to the private-use area, where Chinese text has no character. When one
    character in twenty is private-use, and the bytes are Big5 (at most one
    undecodable sequence in a hundred characters), they are Big5.
    """
    as_gb = codecs.getincrementaldecoder("gb18030")(errors="replace").decode(data)
    odd = len(_PRIVATE_USE.findall(as_gb))
    if odd * 20 < max(len(_HAN.findall(as_gb)) + odd, 1):
        return "gb18030"
    as_big5 = codecs.getincrementaldecoder("cp950")(errors="replace").decode(data)
    if as_big5.count("\ufffd") * 100 <= len(_HAN.findall(as_big5)):
        return "cp950"
    return "gb18030"


@dataclass
class Chunk:
    """Rows read from a file: a string-typed frame, the malformed lines skipped
    and the lines read whose bytes were not all of the file's encoding (each
    undecodable sequence read as U+FFFD), by their 1-based line numbers."""

    frame: pd.DataFrame
    malformed_lines: list[int] = field(default_factory=list)
    undecodable_lines: list[int] = field(default_factory=list)
    #: CSV and TSV: the line each row of `frame` starts on, 1-based, so that
    #: a row can be named where the file has it; empty for other formats
    lines: list[int] = field(default_factory=list)
    #: Parquet: the Arrow type of each column as stored, which pandas' dtypes
    #: do not say (a map, the fields of a struct), for a Parquet output to keep
    types: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rows:
    """Rows of a CSV, TSV or JSONL file as read, not yet a frame: the fields
    of each record under `header`, or JSONL's objects (`header` None), and
    the lines as `Chunk` has them. `rows_frame` makes one frame of many, so
    that rows read one by one (a live stream's) are built into a frame
    together, as a file's chunk is."""

    header: list[str] | None
    rows: list[Any]
    malformed_lines: list[int] = field(default_factory=list)
    undecodable_lines: list[int] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def column_labels(names: Iterable[Any]) -> pd.Index:
    """`names` as the columns of a frame: the index pandas makes of a list of
    names (``pd.Index(names, tupleize_cols=False)``), made without pandas'
    guess whether the list holds arrays, the levels of a MultiIndex, which
    it makes of a list given as a frame's columns (``columns=``,
    ``reindex(columns=)``, ``frame.columns =``).

    Compiled, that guess (``pandas._libs.lib.is_all_arraylike``) reads an
    exception raised within it, as Python raises KeyboardInterrupt for a
    Ctrl-C, as a yes, and may lose it: the list of names is then taken for
    arrays, and the run stops with a TypeError ("Input must be a list /
    sequence of array-likes") rather than of the interrupt. An index given
    is taken as it is, and nothing is guessed.
    """
    import pandas as pd

    labels: pd.Index = pd.Index(list(names), tupleize_cols=False)
    return labels


def with_columns(frame: pd.DataFrame, columns: list[Any]) -> pd.DataFrame:
    """`frame` with the columns `columns`, in their order, one it lacks empty
    (NaN): ``frame.reindex(columns=columns)``, the names `column_labels`
    and named as `frame`'s. A frame whose columns have levels (a Parquet
    file's MultiIndex) is reindexed by the list, which pandas names by them."""
    if not columns or frame.columns.nlevels > 1:
        return frame.reindex(columns=columns)
    return frame.reindex(columns=column_labels(columns).rename(frame.columns.name))


def rows_frame(read: list[Rows]) -> pd.DataFrame:
    """One string-typed frame of the rows of `read` (of one file), as
    `read_chunks` gives a chunk of them: a CSV or TSV file's columns are its
    header; JSONL's are the keys of its objects in the order first found,
    a key an object lacks empty (NaN). The columns are `column_labels`."""
    import pandas as pd

    rows = [row for part in read for row in part.rows]
    header = read[0].header if read else None
    if header is not None:
        return pd.DataFrame(rows, columns=column_labels(header), dtype=object)
    if not rows:
        return pd.DataFrame(rows, dtype=object)
    # the keys as pandas finds them, first found first
    keys = dict.fromkeys(itertools.chain.from_iterable(rows))
    return pd.DataFrame(rows, columns=column_labels(keys), dtype=object)


def _as_chunk(read: Rows) -> Chunk:
    return Chunk(rows_frame([read]), read.malformed_lines, read.undecodable_lines, read.lines)


def read_chunks(
    path: str | os.PathLike[str],
    *,
    fmt: str,
    chunk_size: int,
    encoding: str | None = None,
    text_column: str | None = None,
    delimiter: str | None = None,
    raw: IO[bytes] | None = None,
) -> Iterator[Chunk]:
    """Yield the rows of a file in chunks of at most `chunk_size`.

    A CSV or TSV file is split at `delimiter` when given (``";"``, as
    `sniff_header` finds it), else at commas or tabs by `fmt`; a first line
    ``sep=;`` names the delimiter, whatever `delimiter` says, and is no row
    (its rows keep their lines of the file: the header is line 2). A Parquet
    `text_column` stored as binary is decoded as UTF-8, undecodable bytes as
    U+FFFD, as in a text file.

    A CSV, TSV or JSONL input already open (`raw`, a pipe: stdin) is read
    from it, `path` naming it in messages; each chunk is given as soon as its
    last row is read, so that rows arriving one by one are given one by one
    with `chunk_size` 1.
    """
    if chunk_size < 1:
        raise ParameterError(f"chunk_size must be at least 1, got {chunk_size}")
    if fmt in ("csv", "tsv", "jsonl"):
        for read in read_rows(
            path, fmt=fmt, chunk_size=chunk_size, encoding=encoding, delimiter=delimiter, raw=raw
        ):
            yield _as_chunk(read)
    elif fmt == "parquet":
        yield from _read_parquet(path, chunk_size, text_column)
    else:  # pragma: no cover - file_format checks
        raise ParameterError(f"unknown format {fmt!r}; choose one of csv, tsv, jsonl, parquet")


def is_missing(value: Any) -> bool:
    """Whether a cell is one of the missing values pandas, numpy or Python put in
    a column: None, NaN, ``pd.NA``, NaT (pandas' or numpy's) or a Decimal NaN.

    Written out rather than `pd.isna`, which raises on ``Decimal('sNaN')``.
    """
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return isinstance(value, Decimal) and value.is_nan()


# What the readers decode a byte sequence that is not of the file's encoding
# to: a lone surrogate, which no codec gives for text, so that the lines
# holding one are told and reported before it is made U+FFFD.
_UNDECODABLE = "\udcff"


# The codecs of GBK by their names in Python (cp936 is gbk), whose files
# Excel writes in the code page of Chinese Windows, 936. It gives the euro
# sign one byte, 0x80, as Windows-1252 does; Python's gbk and gb18030 codecs
# leave it undecodable, and no character of theirs starts with it.
_EURO_CODECS = frozenset({"gbk", "gb18030", "gb2312"})


def _euro(exc: UnicodeDecodeError) -> bool:
    """Whether `exc` is code page 936's euro sign, 0x80, read as GBK: the
    byte alone, not the second byte of a character the codec does not have
    (個 of GBK read as GB2312, a user-defined character of code page 936)."""
    return (
        exc.encoding in _EURO_CODECS
        and exc.end == exc.start + 1
        and bytes(exc.object[exc.start : exc.end]) == b"\x80"
        and not _after_lead(exc.object, exc.start, exc.encoding)
    )


def _after_lead(data: Any, at: int, encoding: str) -> bool:
    """Whether the byte at `at` of `data` is the second of a character of
    code page 936 that the `encoding` decoder could not read: the byte
    before it is a first byte there (0x81 to 0xFE; 0x80 is the euro sign,
    0xFF no character) that the decoder held to read with it.

    The bytes are read from the last one before `at` below 0x30, which is a
    character of its own in GBK and GB18030 and never part of one (a second
    byte is 0x40 or above, GB18030's second and fourth of four 0x30 or above):
    a character starts after it, as where the decoder started.
    """
    if not (at > 0 and 0x81 <= data[at - 1] <= 0xFE):
        return False
    start = at
    while start > 0 and data[start - 1] >= 0x30:
        start -= 1
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    decoder.decode(bytes(data[start:at]))
    return bool(decoder.decode(b"", final=True))  # a first byte waits for its second


def _mark_undecodable(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return ("\u20ac" if _euro(exc) else _UNDECODABLE), exc.end


def _replace_undecodable(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return ("\u20ac" if _euro(exc) else "\ufffd"), exc.end


def _strict_but_euro(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError) or not _euro(exc):
        raise exc
    return "\u20ac", exc.end


# the error handlers of every decoding of a file or a text: the byte 0x80 of
# a GBK text is the euro sign, as Excel writes it
codecs.register_error("triage.undecodable", _mark_undecodable)
codecs.register_error("triage.replace", _replace_undecodable)
codecs.register_error("triage.strict", _strict_but_euro)


# The byte-order marks that an encoding of one byte order, given by hand,
# reads as a character (U+FEFF) rather than as the mark: Excel's "CSV UTF-8"
# starts with one, and pandas skips it for encoding="utf-8" too
_MARKS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}


def read_rows(
    path: str | os.PathLike[str],
    *,
    fmt: str,
    chunk_size: int,
    encoding: str | None = None,
    delimiter: str | None = None,
    raw: IO[bytes] | None = None,
) -> Iterator[Rows]:
    """The rows of a CSV, TSV or JSONL file as `read_chunks` reads them, in
    `Rows` of at most `chunk_size`, not yet frames: with `chunk_size` 1, each
    row given as soon as it is read, for `rows_frame` to build the rows that
    have arrived by then into one frame."""
    if fmt in ("csv", "tsv"):
        delimiter = delimiter or ("," if fmt == "csv" else "\t")
        yield from _read_delimited(path, delimiter, chunk_size, encoding, raw)
    elif fmt == "jsonl":
        yield from _read_jsonl(path, chunk_size, encoding, raw)
    else:  # pragma: no cover - the callers' formats
        raise ParameterError(f"rows are read from CSV, TSV or JSONL, not {fmt!r}")


def _open_text(
    path: str | os.PathLike[str],
    encoding: str | None,
    *,
    marked: bool = False,
    raw: IO[bytes] | None = None,
) -> Any:
    """`path` opened as text: undecodable bytes become U+FFFD rather than stop
    the run, or `_UNDECODABLE` when `marked`, for the reader to report. A
    byte-order mark of the encoding is skipped, as its ``-sig`` or
    byte-order-free form (``utf-8-sig``, ``utf-16``) skips it. A stream
    already open (`raw`) is read instead, in `encoding` (UTF-8 if None)."""
    enc = encoding or ("utf-8" if raw is not None else detect_encoding(path))
    mark = _MARKS.get(codecs.lookup(enc).name)  # unknown: LookupError before the file is opened
    if raw is None:
        raw = open_binary(path)
    elif isinstance(raw, _Headed) and "\r".encode(enc) == b"\r":
        raw = io.BufferedReader(_CrEnded(raw))  # a live stream's bare CRs
    elif not isinstance(raw, io.BufferedReader):
        raw = io.BufferedReader(cast("io.RawIOBase", raw))  # for peek
    if mark is not None and raw.peek(len(mark))[: len(mark)] == mark:
        raw.read(len(mark))  # else the first column's name, or record, starts with U+FEFF
    # newline="" lets the csv module see quoted line breaks inside fields
    errors = "triage.undecodable" if marked else "triage.replace"
    return _Lines(io.TextIOWrapper(raw, encoding=enc, errors=errors, newline=""))


# A line longer than this many characters (a broken export's file without a
# line end, a decompression bomb) is read as `_OVERLONG`, a line that is no
# CSV record (a strict reader's error for any delimiter) and no JSON, with
# its line end, so that it is skipped as malformed rather than held in memory whole.
MAX_LINE = 2**26
_OVERLONG = '""\ufffe line of over MAX_LINE characters'


class _Lines:
    """A text file whose lines are read `MAX_LINE` characters at most: a
    longer line is `_OVERLONG`, its rest read and dropped in pieces."""

    def __init__(self, f: io.TextIOWrapper) -> None:
        self._f = f
        self._cr = False  # whether the last line given ended with a CR

    def __enter__(self) -> _Lines:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()

    def close(self) -> None:
        self._f.close()

    def __iter__(self) -> Iterator[str]:
        """The lines, each with its line end; a line that comes after the LF of
        a CRLF that a live stream's pause split from its CR (`_CrEnded`) starts
        with that LF, the rest of the line end of the line before (given
        already), so that the lines keep the numbers they have in a file: the
        reader drops it where it is no text (`_delimited_chunks`,
        `_jsonl_values`). Only such a line starts with an LF and goes on."""
        split = False  # an LF held for the next line
        for line in self._read():
            if self._cr and line == "\n":
                self._cr, split = False, True  # no line of its own; none when the input ends
                continue
            self._cr = line.endswith("\r")
            yield "\n" + line if split else line
            split = False

    def _read(self) -> Iterator[str]:
        readline = self._f.readline
        # the first character of the next line, read to see whether the CR
        # that ended a line over the limit was a CRLF's
        carry = ""
        while True:
            if carry == "\r":  # a blank line, its end a CR or a CRLF
                carry = readline(1)
                yield "\r\n" if carry == "\n" else "\r"
                carry = "" if carry == "\n" else carry
                continue
            line = carry + readline(MAX_LINE + 2 - len(carry))
            carry = ""
            if not line:
                return
            if len(line) <= MAX_LINE or len(line.rstrip("\r\n")) <= MAX_LINE:
                yield line
                continue
            while line and not line.endswith(("\n", "\r")):
                line = readline(1 << 20)
            end = line[len(line.rstrip("\r\n")) :]
            if end == "\r":
                carry = readline(1)
                end, carry = ("\r\n", "") if carry == "\n" else (end, carry)
            # the line end kept, for the line ends a CSV reader checks
            yield _OVERLONG + end


def _undecodable(line: str, number: int, found: list[int]) -> str:
    """`line` with its undecodable bytes as U+FFFD; its `number` added to `found`."""
    found.append(number)
    return line.replace(_UNDECODABLE, "\ufffd")


# The csv module refuses fields over 131,072 characters by default and would
# drop such a row as malformed; scoring truncates and flags long texts instead.
# A longer field, of quoted lines, is refused as a longer line is.
_CSV_FIELD_LIMIT = MAX_LINE


# The limit is the csv module's own, one for the process: it is raised while
# a chunk is read and put back before the chunk is given, so that the
# application's own csv reading keeps its limit. Readers in several threads
# share the raise.
_field_limit_lock = threading.Lock()
_field_limit_readers = 0
_field_limit_before = 0


class _LongFields:
    """Fields up to `_CSV_FIELD_LIMIT` long for the csv module in the block
    (never a lower limit than the one set)."""

    def __enter__(self) -> None:
        global _field_limit_readers, _field_limit_before
        with _field_limit_lock:
            if _field_limit_readers == 0:
                _field_limit_before = csv.field_size_limit()
                if _field_limit_before < _CSV_FIELD_LIMIT:
                    csv.field_size_limit(_CSV_FIELD_LIMIT)
            _field_limit_readers += 1

    def __exit__(self, *exc: object) -> None:
        global _field_limit_readers
        with _field_limit_lock:
            _field_limit_readers -= 1
            # unless the application set a limit of its own meanwhile
            if _field_limit_readers == 0 and csv.field_size_limit() == _CSV_FIELD_LIMIT:
                csv.field_size_limit(_field_limit_before)


def _read_delimited(
    path: str | os.PathLike[str],
    delimiter: str,
    chunk_size: int,
    encoding: str | None,
    raw: IO[bytes] | None = None,
) -> Iterator[Rows]:
    """Rows of a CSV or TSV file, `_delimited_chunks`, each chunk read with
    fields up to `_CSV_FIELD_LIMIT` long and given with the limit as it was."""
    chunks = _delimited_chunks(path, delimiter, chunk_size, encoding, raw)
    try:
        while True:
            with _LongFields():
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk
    finally:
        chunks.close()


def _delimited_chunks(
    path: str | os.PathLike[str],
    delimiter: str,
    chunk_size: int,
    encoding: str | None,
    raw: IO[bytes] | None = None,
) -> Generator[Rows, None, None]:
    """Rows of a CSV or TSV file; a malformed record is skipped with every line it spans.

    The reader is strict: a quoted field left open runs to the end of the file
    and a closing quote followed by anything but a delimiter is an error, so a
    stray quote cannot silently merge the lines after it into one field.

    The header is the first line that is not blank; spaces around its names
    are dropped (``id, text`` names the columns ``id`` and ``text``). In a
    file of one column a blank line after it is a row with an empty text,
    unless only blank lines follow (a line of spaces is a text of spaces); in
    a file of more columns a blank line, empty or of only spaces, is no row.

    A first line ``sep=;`` before the header, which Excel reads as naming the
    delimiter, is read so too, and is no row; lines keep their numbers in the
    file, the ``sep=`` line being line 1.

    LF, CRLF and a bare CR end a row, as for pandas; ``\\r\\r\\n`` is one line
    end. A file whose rows end with LF but some with a bare CR (a CR in an
    unquoted text, most likely, which split it) is a TriageWarning naming them.
    """
    undecodable: list[int] = []
    # the last line read that ended with a bare CR, and whether any line
    # ended with LF: a file of both has a CR that is in a text, most likely
    ends = {"cr": 0, "lf": 0}
    # whether the quotes of the record being read are odd in number (a quoted
    # field goes on to the next line), and whether the lines of a quoted field
    # over the field limit are being passed over, each a malformed line: read
    # as rows of their own, they would be scored
    quotes = {"odd": False, "skip": False}
    # the lines of rows (the header's too) that a bare CR ended
    cr_ended = _SomeLines()

    def lines(f: Iterable[str]) -> Iterator[str]:
        # numbered as the csv reader counts them (`line_num`)
        for number, line in enumerate(f, 1):
            if line[:1] == "\n" and len(line) > 1:
                # the LF of a CRLF that a live stream's pause split from its
                # CR (`_Lines`): the line before ended with no bare CR. In a
                # quoted field it is the field's, as in a file
                if ends["cr"] == number - 1:
                    ends["cr"] = 0
                ends["lf"] = number - 1
                if cr_ended.last == number - 1:
                    cr_ended.pop()
                if not quotes["odd"]:
                    line = line[1:]
            if line.endswith("\r"):
                ends["cr"] = number
            elif line.endswith("\n"):
                ends["lf"] = number
            quotes["odd"] ^= line.count('"') % 2 == 1
            if quotes["skip"]:
                quotes["skip"] = quotes["odd"]
                yield _OVERLONG + line[len(line.rstrip("\r\n")) :]
                continue
            if _UNDECODABLE in line:
                line = _undecodable(line, number, undecodable)
            # a NUL is read as it is (the csv module takes it from Python 3.11),
            # so a text holds what it holds in a DataFrame, a JSONL or a Parquet file
            yield line

    with _open_text(path, encoding, marked=True, raw=raw) as f:
        # the lines up to the first that is not blank: a sep= line, or the header
        head: list[str] = []
        for line in f:
            head.append(line)
            if line.strip():
                break
        named = _sep_line(head[-1].lstrip("\n")) if head else None
        if named is not None:
            delimiter = named
            # read as a blank line, which comes before the header, so that
            # every line after it keeps its number
            head[-1] = head[-1][len(head[-1].rstrip("\r\n")) :]
        reader = csv.reader(lines(itertools.chain(head, f)), delimiter=delimiter, strict=True)
        header = None
        try:
            # the header is the first line that is not blank
            header = next((row for row in reader if not _blank(row)), None)
            quotes["odd"] = False
        except csv.Error as exc:
            if head[-1].lstrip("\n").startswith(_OVERLONG):
                raise _overlong_header(path) from None
            raise InputFileError(
                f"{path}: the header ends on line {reader.line_num} and is malformed ({exc})"
            ) from None
        if header is None:
            kind = "TSV" if delimiter == "\t" else "CSV"
            raise InputFileError(
                f"{path} is empty: no header and no rows (a failed export?); a "
                f"{kind} file starts with a line naming its "
                "columns, such as text"
            )
        # names as `sniff_header` and `read_labeled` give them: "id, text" names text
        header = [name.strip() for name in header]
        width = len(header)
        rows: list[list[str]] = []
        lines_of: list[int] = []  # the line each of `rows` starts on
        bad: list[int] = []
        yielded = False
        unclosed = 0  # the first line of a record whose quote the file never closes
        blanks: list[int] = []  # blank lines of a one-column file since its last row
        start = reader.line_num  # the last line of the previous record
        if ends["cr"] == reader.line_num:
            cr_ended.append(reader.line_num)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row = None
                if str(exc).startswith("field larger than field limit") and quotes["odd"]:
                    quotes["skip"] = True
                elif str(exc) == "unexpected end of data" and reader.line_num > start + 1:
                    unclosed = start + 1
            if not quotes["skip"]:
                quotes["odd"] = False
            if row != [] and ends["cr"] == reader.line_num:
                cr_ended.append(reader.line_num)
            if row and width > 1 and _blank(row):
                row = []  # a line of only spaces is blank, as before the header
            if row is None or (row and len(row) != width):
                bad.extend(range(start + 1, reader.line_num + 1))
            elif not row:
                # In a file of one column a blank line is an empty text, so that
                # the output's rows stay in line with the input's; with more
                # columns it is no row (",," is one). Blank lines at the end of
                # the file are no rows either: they are counted until a row follows.
                if ends["lf"] == reader.line_num and ends["cr"] == reader.line_num - 1:
                    # no blank line but the rest of a "\r\r\n" line end, which
                    # a CSV writer on Windows gives through a file opened
                    # without newline=""
                    if cr_ended.last == ends["cr"]:
                        cr_ended.pop()
                elif width == 1:
                    blanks.append(reader.line_num)
            else:
                rows.extend([""] for _ in blanks)
                lines_of.extend(blanks)
                blanks = []
                rows.append(row)
                lines_of.append(start + 1)
            start = reader.line_num
            if raw is not None and bad and not rows:
                # a pipe's malformed line is given as it is read, not with the
                # row after it, which a live stream may not send for hours
                yield Rows(header, [], bad, undecodable[:], [])
                bad = []
                undecodable.clear()
                yielded = True
            while len(rows) >= chunk_size:
                yield Rows(header, rows[:chunk_size], bad, undecodable[:], lines_of[:chunk_size])
                rows, bad = rows[chunk_size:], []
                lines_of = lines_of[chunk_size:]
                undecodable.clear()
                yielded = True
        if cr_ended.last == reader.line_num:
            cr_ended.pop()  # a CR at the end of the file ends no row early
        if cr_ended.count and ends["lf"]:
            _warn_bare_cr(path, cr_ended.first, cr_ended.count)
        if unclosed:
            _warn_unclosed(path, unclosed, reader.line_num)
        if rows or bad or undecodable or not yielded:  # a file of only a header has columns
            yield Rows(header, rows, bad, undecodable, lines_of)


def _overlong_header(path: str | os.PathLike[str]) -> InputFileError:
    return InputFileError(
        f"{path}: the first line that is not blank, the header, is over {MAX_LINE:,} "
        "characters long (a file without line ends?); a CSV or TSV file starts with a "
        "line naming its columns, such as text"
    )


def _warn_unclosed(path: str | os.PathLike[str], first: int, last: int) -> None:
    """Say why every line from `first` to the end of the file is malformed:
    listed by number alone, they read as a file that is wrong throughout."""
    warnings.warn(
        f"{path}: the record on line {first} opens a quote that is never closed, so "
        f"lines {first:,} to {last:,}, the end of the file, are one malformed record and "
        'none of them is read; close the quote, or double a quote inside a text ("")',
        TriageWarning,
        stacklevel=user_stacklevel(),
    )


class _SomeLines:
    """Line numbers as they are read: counted, the first `_BARE_CR_SHOWN` kept,
    and the last, so that a file whose every row a bare CR ends (an old Mac
    program's) is read in memory that does not grow with its rows."""

    def __init__(self) -> None:
        self.first: list[int] = []
        self.count = 0
        self.last: int | None = None

    def append(self, line: int) -> None:
        self.count += 1
        self.last = line
        if len(self.first) < _BARE_CR_SHOWN:
            self.first.append(line)

    def pop(self) -> None:
        """Forget the last line appended. The one before it, not kept past
        the first lines, is None: lines are read in order, so no later line
        read is it."""
        if self.count <= len(self.first):
            self.first.pop()
        self.count -= 1
        self.last = self.first[-1] if self.first and self.count == len(self.first) else None


# the lines that a bare CR ended named by number in the warning of them
_BARE_CR_SHOWN = 10


def _warn_bare_cr(path: str | os.PathLike[str], lines: list[int], count: int) -> None:
    """Say that a bare CR ended `count` rows, the first on `lines`."""
    shown = ", ".join(map(str, lines[:_BARE_CR_SHOWN])) + (
        ", ..." if count > _BARE_CR_SHOWN else ""
    )
    warnings.warn(
        f"{path}: a bare carriage return (CR) ends {counted(count, 'row')}, on "
        f"{plural(count, 'line')} {shown}, the others a line feed (LF or CRLF). A CR ends "
        "a row, as in "
        "pandas and the files of old Mac programs: if it is inside a text, that text "
        "was split in two rows (or the rest reported as a malformed line); quote the "
        "field, or replace the CR",
        TriageWarning,
        stacklevel=user_stacklevel(),
    )


def _blank(row: list[str]) -> bool:
    """Whether a CSV record is a blank line (nothing, or only whitespace)."""
    return not row or (len(row) == 1 and not row[0].strip())


def _read_jsonl(
    path: str | os.PathLike[str],
    chunk_size: int,
    encoding: str | None,
    raw: IO[bytes] | None = None,
) -> Iterator[Rows]:
    with _open_text(path, encoding, marked=True, raw=raw) as f:
        records: list[dict[str, Any]] = []
        bad: list[int] = []
        undecodable: list[int] = []
        blank, read = True, 0
        unread: list[int] = []  # the lines that are no JSON object before any record
        for number, record in _jsonl_values(f, undecodable):
            blank = False
            if not isinstance(record, dict):  # `_NOT_JSON` too
                bad.append(number)
                if not read:
                    unread.append(number)
                if raw is not None and not records:
                    # a pipe's malformed line is given as it is read, not with
                    # the record after it, which a live stream may not send for hours
                    yield Rows(None, [], bad, undecodable[:])
                    bad = []
                    undecodable.clear()
                continue
            records.append(record)
            read += 1
            if len(records) >= chunk_size:
                yield Rows(None, records, bad, undecodable[:])
                records, bad = [], []
                undecodable.clear()
        if unread and not read:
            shown = ", ".join(map(str, unread[:5])) + (", ..." if len(unread) > 5 else "")
            raise InputFileError(
                f"{path}: no line is a JSON object ({counted(len(unread), 'line')}: {shown}); "
                "is it JSONL? "
                'a JSONL file holds one JSON object per line, such as {"text": "..."}'
            )
        if records or bad or undecodable:
            yield Rows(None, records, bad, undecodable)
    if blank:
        raise InputFileError(
            f"{path} is empty: no records (a failed export?); a JSONL file holds one "
            'JSON object per line, such as {"text": "..."}'
        )


# what `_jsonl_values` gives for a line that is no JSON
_NOT_JSON = object()
# the most lines a JSON string that bare CRs broke is read across
_MAX_HELD = 100_000
# A record nested deeper than this is no JSON to `_jsonl_values`: its values
# could not be carried to the output without recursing past Python's limit.
_MAX_NESTING = 100


def _too_deep(value: Any) -> bool:
    """Whether lists and objects in `value` nest more than `_MAX_NESTING` deep."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth > _MAX_NESTING:
                return True
            stack.extend((v, depth + 1) for v in item)
    return False


# control characters in strings are read as they are, as pandas reads them:
# JSON would have them escaped, but a writer that does not is clear enough
_JSON = json.JSONDecoder(strict=False)


def _jsonl_values(f: IO[str], undecodable: list[int] | None = None) -> Iterator[tuple[int, Any]]:
    """The JSON value of each record of a JSONL file and the 1-based line it
    starts on; `_NOT_JSON` for a line that holds none. Blank lines are passed
    over; with `undecodable`, the lines holding `_UNDECODABLE` are added to it.

    A line ends at LF, CRLF or a bare CR (the files of old Mac programs), as
    for CSV, and a record at the end of its line, but for a bare CR inside a
    JSON string that a writer did not escape (a text pasted from a form):
    a line that ends inside a string at a bare CR goes on with the next.
    A line that is no JSON even so is reported alone, and the lines after it
    are read again as records of their own.
    """
    lines = enumerate(f, 1)
    again: deque[tuple[int, str]] = deque()  # lines to read again
    held: list[tuple[int, str]] = []  # the lines of a record whose string a CR broke
    size = 0  # the characters of `held`
    while True:
        if again:
            number, line = again.popleft()
        elif (nxt := next(lines, None)) is not None:
            number, line = nxt
            if undecodable is not None and _UNDECODABLE in line:
                line = _undecodable(line, number, undecodable)
            if line[:1] == "\n" and len(line) > 1:
                # the LF of a CRLF that a live stream's pause split from its
                # CR (`_Lines`): the end of the line before, which a record
                # held for a string a CR broke ends there, as in a file
                again.append((number, line[1:]))
                if not held:
                    continue
                number, line = held[-1][0], "\n"
        elif held:  # the file ends inside a string
            yield held[0][0], _NOT_JSON
            again.extend(held[1:])
            held, size = [], 0
            continue
        else:
            return
        if not held and not line.strip():
            continue
        held.append((number, line))
        size += len(line)
        # a string that CRs broke is held so long at most (a file of CRs,
        # a decompression bomb), then ends its record as the file's end would
        room = len(held) < _MAX_HELD and size <= MAX_LINE
        cr = line.endswith("\r")
        if cr and len(held) > 1 and '"' not in line and room:
            continue  # no quote to end the string
        text = "".join(part for _, part in held)
        try:
            value = _JSON.decode(text)
        except (ValueError, RecursionError) as exc:
            # JSONDecodeError, an integer of over 4,300 digits, arrays nested
            # past the decoder's recursion limit
            unended = isinstance(exc, json.JSONDecodeError) and exc.msg.startswith(
                "Unterminated string"
            )
            if cr and unended and room:
                continue
            value = _NOT_JSON
        else:
            if text.count("[") + text.count("{") > _MAX_NESTING and _too_deep(value):
                value = _NOT_JSON
        if value is _NOT_JSON:
            yield held[0][0], _NOT_JSON
            again.extendleft(reversed(held[1:]))
            held, size = [], 0
            continue
        if "\\ud" in text.lower():  # an escaped surrogate, perhaps a lone one
            value = _mend(value)
        yield held[0][0], value
        held, size = [], 0


@dataclass
class JsonKeys:
    """The keys of a JSONL file's records: for each, the 1-based line of its first
    record and the kinds of value it holds (`_json_kind`)."""

    lines: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, set[str]] = field(default_factory=dict)


def scan_jsonl(path: str | os.PathLike[str], encoding: str | None) -> JsonKeys:
    """The keys of every record of a JSONL file and the kinds of their values,
    read before any row is scored (lines that are no JSON object are passed
    over, as `read_chunks` skips them)."""
    found = JsonKeys()
    with _open_text(path, encoding) as f:
        for number, record in _jsonl_values(f):
            if not isinstance(record, dict):
                continue
            for key, value in record.items():
                kinds = found.kinds.get(key)
                if kinds is None:
                    kinds = found.kinds[key] = set()
                    found.lines[key] = number
                kinds.add(_json_kind(value))
    return found


_EXACT_IN_FLOAT = 2**53
_INT64 = 2**63


def _json_kind(value: Any) -> str:
    """The kind of a JSON value, as `json_types` tells the type of a column by them."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"  # NaN too: pandas reads it as missing
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        if -_EXACT_IN_FLOAT <= value <= _EXACT_IN_FLOAT:
            return "int"
        return "int64" if -_INT64 <= value < _INT64 else "bigint"
    if isinstance(value, float):
        return "float"
    return "str" if isinstance(value, str) else "nested"


def json_types(kinds: dict[str, set[str]]) -> dict[str, str]:
    """The Parquet type of each JSONL column, from the kinds of all its values.

    ``bool`` for booleans, ``int64`` for integers, ``float64`` for numbers
    with a fraction and integers a float64 holds exactly; ``string`` for the
    rest: strings, objects and arrays, integers beyond int64, and any column
    that mixes kinds (ids that are numbers in one file and strings in
    another), each value that is no string written as its JSON text. Nulls
    do not count; a column of nulls alone is a string column.
    """
    types = {}
    for key, found in kinds.items():
        found = found - {"null"}
        if found == {"bool"}:
            types[key] = "bool"
        elif found and found <= {"int", "int64"}:
            types[key] = "int64"
        elif found and found <= {"int", "float"}:
            types[key] = "float64"
        else:
            types[key] = "string"
    return types


def as_json_types(frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """`frame`, of JSONL records, with the values of each column in `types` made
    the Python values of its type: JSON text in a string column, floats in a
    float64 one. Missing values stay missing."""
    mended = None
    for j, name in enumerate(frame.columns):
        kind = types.get(name)
        if kind not in ("string", "float64"):
            continue
        values = frame.iloc[:, j].tolist()
        typed = [_json_typed(v, kind) for v in values]
        if typed != values:
            if mended is None:
                mended = frame.copy()
            mended.isetitem(j, np.array(typed, dtype=object))
    return frame if mended is None else mended


def _json_typed(value: Any, kind: str) -> Any:
    if value is None or _json_kind(value) == "null" or isinstance(value, str):
        return value
    if kind == "float64":
        return float(value)
    return json.dumps(_plain(value), ensure_ascii=False)


def _mend(value: Any) -> Any:
    """`value` with lone surrogates in its strings (and keys) made U+FFFD.

    JSON may escape half of a character ("\\ud83d" from an emoji cut by a
    length limit); such a string cannot be encoded, so no output could hold it.
    """
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_mend(k): _mend(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mend(v) for v in value]
    return value


def _read_parquet(
    path: str | os.PathLike[str], chunk_size: int, text_column: str | None = None
) -> Iterator[Chunk]:
    pq = _pyarrow_parquet()
    if Path(path).is_dir():
        schema, batches = _dataset_batches(path, chunk_size)
    else:
        try:
            source = pq.ParquetFile(path, coerce_int96_timestamp_unit=_INT96_UNIT)
        except ValueError as exc:  # pyarrow's ArrowInvalid: truncated, or not Parquet
            raise InputFileError(f"{path} is not a readable Parquet file: {exc}") from exc
        schema, batches = source.schema_arrow, _file_batches(source, path, chunk_size)
    # Impala and older Hive write strings as binary, without the UTF8 annotation
    # (a text column named twice is refused by name when the columns are checked)
    at = schema.get_all_field_indices(text_column) if text_column is not None else []
    binary = len(at) == 1 and _binary_type(schema.field(at[0]).type)
    types = {f.name: f.type for f in schema if not (binary and f.name == text_column)}
    empty = True
    rows = 0
    for batch in batches:
        frame = _to_pandas(batch)
        undecodable: list[int] = []
        if binary:
            texts = frame[text_column].tolist()
            for i, v in enumerate(texts):
                if isinstance(v, bytes):
                    try:
                        texts[i] = v.decode("utf-8")
                    except UnicodeDecodeError:  # GBK bytes, say: reported by row
                        texts[i] = v.decode("utf-8", "replace")
                        undecodable.append(rows + i + 1)
            frame[text_column] = texts
        empty = False
        rows += len(frame)
        yield Chunk(_index_as_columns(frame), undecodable_lines=undecodable, types=types)
    if empty:  # no rows, but the schema has the columns
        empty_frame = _to_pandas(schema.empty_table())
        yield Chunk(_index_as_columns(empty_frame), types=types)


def _file_batches(source: Any, path: str | os.PathLike[str], chunk_size: int) -> Iterator[Any]:
    """The record batches of a Parquet file; a page that cannot be read (a
    corrupt or truncated file) is an InputFileError naming the file."""
    import pyarrow as pa

    try:
        yield from source.iter_batches(batch_size=chunk_size)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputFileError(
            f"{path} cannot be read: {exc} (is it corrupt, or was it cut short?)"
        ) from exc


def _to_pandas(data: Any) -> pd.DataFrame:
    """An Arrow record batch or table as a frame, its integer columns nullable
    (`_nullable_integers`) and its lists, structs and maps Python's values,
    each as the file stores it.

    A name the file gives two columns (a join's output) stays on both: pyarrow
    matches the types it maps by name, and would give the first column's type
    to the second. The later copies are renamed for the conversion only.
    """
    import pandas as pd
    import pyarrow as pa

    names = data.schema.names
    apart = {}
    if len(set(names)) < len(names):
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name in seen:
                apart[f"\x00{i}"] = name
                names[i] = f"\x00{i}"
            seen.add(name)
        # rebuilt rather than renamed: pyarrow 14's RecordBatch has no
        # rename_columns; the schema's metadata (pandas' index) is kept
        fields = [f.with_name(n) for f, n in zip(data.schema, names, strict=True)]
        schema = pa.schema(fields, metadata=data.schema.metadata)
        data = type(data).from_arrays(data.columns, schema=schema)
    frame: pd.DataFrame = data.to_pandas(types_mapper=_nullable_integers)
    for i, f in enumerate(data.schema):
        # pandas converts the values in lists, structs and maps through numpy:
        # integers with a null among them become floats (1234567890123456789
        # as 1.2345678901234568e+18), nanosecond times integers
        if pa.types.is_nested(f.type) and f.name in frame.columns:
            cells = data.column(i).to_pylist()
            frame[f.name] = pd.Series(cells, index=frame.index, dtype=object)
    if apart:
        frame.columns = column_labels(apart.get(c, c) for c in frame.columns)
    return frame


def _nullable_integers(kind: Any) -> Any:
    """pandas' nullable dtype of an Arrow integer type (``Int64`` of int64), else None.

    pandas reads an integer column with a missing value as floats: a 19-digit
    ticket id loses its last digits, and ``5`` is written ``5.0`` in the
    chunks that hold a missing value and ``5`` in the others.
    """
    import pandas as pd
    import pyarrow as pa

    if not pa.types.is_integer(kind):
        return None
    return pd.api.types.pandas_dtype(str(kind).replace("int", "Int").replace("uInt", "UInt"))


def _binary_type(kind: Any) -> bool:
    """Whether an Arrow type holds bytes, its values' type for a dictionary (categorical)."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(
        pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
        or getattr(pa.types, "is_binary_view", lambda _: False)(kind)
    )


def dataset_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The data files of a Parquet dataset folder, in the natural order of their paths.

    Every file below `folder` is one, except those in or under a name that
    starts with ``.`` or ``_`` (Spark's ``_SUCCESS`` and ``.crc`` files, the
    ``_metadata`` summaries), as pyarrow's own discovery passes over them.
    A symbolic link to a folder is followed, as pyarrow follows it, unless
    it leads back to a folder it stands in (a loop). Runs of digits compare
    as numbers, so ``month=2`` comes before ``month=10`` and ``part-9``
    before ``part-10``.
    """
    found = []
    # os.walk passes over linked folders unless told to follow them, and then
    # follows a link to a folder above it forever: each folder's real path
    # is kept for the folders below it
    above: dict[str, frozenset[str]] = {}
    for root, dirs, files in os.walk(folder, followlinks=True):
        real, chain = os.path.realpath(root), above.pop(root, frozenset())
        if real in chain:
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        above.update((os.path.join(root, d), chain | {real}) for d in dirs)
        found += [Path(root, f) for f in files if not f.startswith((".", "_"))]

    def natural(path: Path) -> tuple[list[Any], str]:
        rel = path.relative_to(folder).as_posix()
        return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", rel)], rel

    return sorted(found, key=natural)


def _text_format(path: Path) -> bool:
    """Whether `path` is named as a CSV, TSV or JSONL file, compressed or not."""
    return FORMATS.get(_format_extension(path), "parquet") != "parquet"


def folder_format(folder: str | os.PathLike[str], given: str | None = None) -> str:
    """The format of an input folder: ``parquet`` for a Parquet dataset, else
    that of its text files (CSV and TSV exports may be mixed: each file's
    delimiter is found from its header). A folder is a Parquet dataset unless
    every file in it is named as a text file, or `given` names a text format
    (each file is then read as that, whatever its name).

    Raises
    ------
    triage.ParameterError
        `given` is not a format (a `ValueError`).
    InputFileError
        Text and other files are mixed (a stray ``notes.md`` among CSV
        exports), or JSONL files with CSV or TSV ones.
    """
    if given is not None and given not in set(FORMATS.values()):
        raise ParameterError(f"unknown format {given!r}; choose one of csv, tsv, jsonl, parquet")
    files = dataset_files(folder)
    text = [f for f in files if _text_format(f)]
    if given == "parquet" or (given is None and not text):
        return "parquet"
    if given is not None:
        return given
    if len(text) < len(files):
        other = next(f for f in files if not _text_format(f))
        raise InputFileError(
            f"{folder} mixes text files ({text[0].relative_to(folder)}, ...) with others "
            f"({other.relative_to(folder)}): a folder is read as a Parquet dataset, or as "
            "CSV, TSV or JSONL files, every file below it but those whose names start with "
            "'.' or '_'; move the others out, or name them so"
        )
    kinds = {f: FORMATS[_format_extension(f)] for f in text}
    if "jsonl" in kinds.values() and set(kinds.values()) != {"jsonl"}:
        jsonl = next(f for f, k in kinds.items() if k == "jsonl")
        delimited = next(f for f, k in kinds.items() if k != "jsonl")
        raise InputFileError(
            f"{folder} mixes JSONL files ({jsonl.relative_to(folder)}) with CSV or TSV "
            f"ones ({delimited.relative_to(folder)}); score each kind on its own"
        )
    return kinds[text[0]]


def partition_values(folder: str | os.PathLike[str], path: Path) -> dict[str, str | None]:
    """The partition folders (``month=10``) between `folder` and its file `path`,
    as column -> value, in the order of the path.

    As pyarrow reads the folders of a Parquet dataset (and Hive and Spark
    write them): names and values are URL-decoded (``city=%E5%8C%97%E4%BA%AC``
    is 北京), and Hive's ``__HIVE_DEFAULT_PARTITION__`` is a missing value.
    """
    from urllib.parse import unquote

    parts = path.relative_to(folder).parts[:-1]
    pairs = (part.split("=", 1) for part in parts if "=" in part and not part.startswith("="))
    return {unquote(key): None if value == _HIVE_NULL else unquote(value) for key, value in pairs}


# the value of a Hive partition folder of the rows whose key is null
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def _dataset_batches(folder: str | os.PathLike[str], chunk_size: int) -> tuple[Any, Iterator[Any]]:
    """The schema and the record batches of a Parquet dataset folder, in file order.

    Its files may differ in their columns: a column some lack is null in
    their rows, and one whose types differ takes the type that holds both
    (an integer and a float column: float). Partition folders
    (``month=10/``) give columns of their own. Every file's footer is read
    first, so a file that is not Parquet, or columns that cannot agree, stop
    the run before a row is scored.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    pq = _pyarrow_parquet()
    files = dataset_files(folder)
    if not files:
        raise InputFileError(
            f"{folder} is a folder with no data file in it; a folder is read as a Parquet "
            "dataset: every file below it but those whose names start with '.' or '_'"
        )
    schemas = []
    for file in files:
        try:
            with pq.ParquetFile(file, coerce_int96_timestamp_unit=_INT96_UNIT) as footer:
                schemas.append(footer.schema_arrow)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputFileError(
                f"{file} in the dataset {folder} is not a readable Parquet file: {exc}"
            ) from exc
    names = [str(f) for f in files]
    # the folder as the paths of its files spell it ("./a//" as "a"): pyarrow
    # takes the base off a path by its text, and parses what is left over
    base = str(Path(folder))
    read = ds.ParquetReadOptions(coerce_int96_timestamp_unit=_INT96_UNIT)
    options = {
        "format": ds.ParquetFileFormat(read_options=read),
        "partitioning": "hive",
        "partition_base_dir": base,
    }
    try:
        found = ds.dataset(names, **options)
        keys = [f for f in found.schema if f.name not in schemas[0].names]
        schema = pa.unify_schemas(
            [*_decoded(schemas), pa.schema(keys)], promote_options="permissive"
        )
        dataset = ds.dataset(names, schema=schema, **options)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        # a partition folder (m=1/) naming a column the files hold too: pyarrow
        # takes the folder's value, and fails when the types differ
        keys_named = {
            part.split("=", 1)[0]
            for f in files
            for part in f.relative_to(folder).parts[:-1]
            if "=" in part
        }
        columns = {name for schema in schemas for name in schema.names}
        both = sorted(keys_named & columns)
        if both:
            raise InputFileError(
                f"{folder}: {', '.join(map(repr, both))} is both a partition folder "
                f"({both[0]}=...) and a column of the files, of another type ({exc}); "
                "rename the folders or the column"
            ) from exc
        raise InputFileError(
            f"the files of the dataset {folder} do not agree on their columns: {exc}"
        ) from exc

    def batches() -> Iterator[Any]:
        # a file's batches end with it; chunks span files, as they would one file
        pending: list[Any] = []
        rows = 0
        try:
            # reading is far faster than scoring: no batches queued ahead
            # (pyarrow's default of 16, and 4 files), so memory stays flat
            for batch in dataset.to_batches(
                batch_size=chunk_size, batch_readahead=1, fragment_readahead=1
            ):
                pending.append(batch)
                rows += batch.num_rows
                while rows >= chunk_size:
                    table = pa.Table.from_batches(pending, schema)
                    yield table.slice(0, chunk_size)
                    pending, rows = table.slice(chunk_size).to_batches(), rows - chunk_size
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputFileError(f"the dataset {folder} cannot be read: {exc}") from exc
        if rows:
            yield pa.Table.from_batches(pending, schema)

    return schema, batches()


def _decoded(schemas: list[Any]) -> list[Any]:
    """`schemas` with a column that is dictionary-encoded in some files and not
    in others (a pandas categorical in one) as the type of its values in all.

    Arrow merges no dictionary type with another type; the values of each
    file are read as the plain type.
    """
    import pyarrow as pa

    types: dict[str, set[Any]] = {}
    for schema in schemas:
        for f in schema:
            types.setdefault(f.name, set()).add(f.type)
    mixed = {
        name
        for name, found in types.items()
        if len(found) > 1 and any(pa.types.is_dictionary(t) for t in found)
    }
    out = []
    for schema in schemas:
        for i, f in enumerate(schema):
            if f.name in mixed and pa.types.is_dictionary(f.type):
                schema = schema.set(i, f.with_type(f.type.value_type))
        out.append(schema)
    return out


def _index_as_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the index pandas stored in the file (often a ticket id) as columns.

    Writers drop the index, so an index left in place would be lost; a range
    index is row numbers only and is dropped.
    """
    import pandas as pd

    if isinstance(frame.index, pd.RangeIndex):
        return frame
    names: list[str] = []
    for i, name in enumerate(frame.index.names):
        label = (
            str(name) if name is not None else "index" if frame.index.nlevels == 1 else f"level_{i}"
        )
        while label in frame.columns or label in names:
            label = "_" + label
        names.append(label)
    return frame.reset_index(names=names)


def _compressing(file: IO[bytes], compression: str | None, name: str) -> IO[bytes]:
    """`file` written through the compressor of `compression`, if any.

    gzip at its tool's default level 6 (Python's 9 is slower for a few per
    cent) and bzip2 at its 9 keep up with scoring. xz at preset 1, not its
    tool's 6: 6 compresses scored rows about five times slower (some 1 MB a
    second), which doubled the time of a one-worker run, for a file 15 per
    cent smaller. gzip's header names the output, not the temporary file
    written, and holds no time, so the same rows give the same bytes.
    """
    if compression == ".gz":
        return cast(
            "IO[bytes]",
            gzip.GzipFile(filename=name, mode="wb", fileobj=file, compresslevel=6, mtime=0),
        )
    if compression == ".bz2":
        return cast("IO[bytes]", bz2.BZ2File(file, "wb"))
    if compression == ".xz":
        return cast("IO[bytes]", lzma.LZMAFile(file, "wb", preset=1))
    return file


# The unit of the INT96 timestamps Spark, Hive and Impala write. pyarrow
# reads them as nanoseconds, which wraps a date past 2262: 9999-12-31, a
# common "no end" value, read as 1816-03-29.
_INT96_UNIT = "us"


# The lowest pyarrow of the parquet extra: 14.0.0 and older deserialise
# arbitrary Python objects from a Parquet file (CVE-2023-47248), unless the
# pyarrow_hotfix package has been imported.
_PYARROW_MIN = (14, 0, 1)


def _pyarrow_parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "reading or writing Parquet needs pyarrow: pip install pyarrow "
            "(from a checkout of triage: pip install '.[parquet]')"
        ) from None
    import pyarrow as pa

    version = tuple(int(n) for n in re.findall(r"\d+", pa.__version__)[:3])
    if version < _PYARROW_MIN and "pyarrow_hotfix" not in sys.modules:
        raise ImportError(
            f"reading or writing Parquet needs pyarrow 14.0.1 or newer, not {pa.__version__}, "
            "which runs code hidden in a Parquet file (CVE-2023-47248): "
            "pip install -U 'pyarrow>=14.0.1' (from a checkout of triage: pip install '.[parquet]')"
        )
    return pq


def _first_table(frame: pd.DataFrame, types: dict[str, Any] | None = None) -> Any:
    """The Arrow table of the first chunk; its schema is the file's.

    A column of `types` has the type given there, an Arrow type or its name
    (``int64``), and its values are read as of that type; another with no
    values in it (Arrow type ``null``) is declared a string column, so that
    values in later chunks still fit.
    """
    import pyarrow as pa

    wanted = {
        name: pa.type_for_alias(kind) if isinstance(kind, str) else kind
        for name, kind in (types or {}).items()
        if name in frame.columns
    }
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        if not wanted:
            raise
        # pandas' values of some types are not told back by Arrow (the pairs
        # of a map): those columns are made of their values by their types
        table = pa.Table.from_pandas(frame.assign(**dict.fromkeys(wanted)), preserve_index=False)
    for i, f in enumerate(table.schema):
        want = wanted.get(f.name, pa.string() if pa.types.is_null(f.type) else None)
        if want is not None and f.type != want:
            column = pa.array(frame[f.name], type=want, from_pandas=True)
            table = table.set_column(i, f.with_type(want), column)
    return table


def _conform(frame: pd.DataFrame, schema: Any, offset: int) -> Any:
    """A later chunk as a table of the file's `schema`.

    A column of another type is cast to the schema's (integers read as float
    because of a missing value, numbers read as strings); values that cannot
    be cast become their text in a string column, and raise a ValueError
    naming the column and the rows otherwise: a Parquet column has one type.
    """
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass  # find the column, below
    arrays = []
    for f in schema:
        values = frame[f.name]
        try:
            arrays.append(pa.array(values, type=f.type, from_pandas=True))
            continue
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as e:
            problem = e
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            text = [v if v is None or isinstance(v, str) else _as_text(v) for v in values]
            arrays.append(pa.array(text, type=f.type, from_pandas=True))
            continue
        raise InputFileError(
            f"column {f.name!r} is {f.type} in the first rows written, but rows "
            f"{offset + 1}-{offset + len(frame)} hold values that are not ({problem}); "
            "a Parquet column has one type: write CSV or JSONL, or make the column "
            "one type in the input"
        ) from None
    return pa.Table.from_arrays(arrays, schema=schema)


def _text_cells(frame: pd.DataFrame, *, nested_as_json: bool) -> pd.DataFrame:
    """`frame` with the cells a text file cannot take as they are, made text.

    Bytes (a Parquet binary column) are their UTF-8 text, as the strings
    Impala and Hive store as binary are, or hex where they are no text (a
    UUID, a hash). A nested value (a Parquet list, struct or map, a JSON
    object or array) is JSON: a CSV or TSV field holds its JSON text
    (`nested_as_json`), a JSONL record the value. pandas would write a CSV
    field as the Python repr (``b'...'``, ``['a' 'b']``, ``{'d': Decimal('1.50')}``),
    and stop a JSONL output at the first bytes that are not UTF-8.
    """
    mended = None
    for j, dtype in enumerate(frame.dtypes):
        if dtype.kind != "O":
            continue
        values = frame.iloc[:, j].tolist()
        if not any(isinstance(v, _NESTED) for v in values):
            continue
        if mended is None:
            mended = frame.copy()
        mended.isetitem(j, [_text_cell(v, nested_as_json) for v in values])
    return frame if mended is None else mended


_NESTED = (bytes, dict, list, tuple, np.ndarray)


def _time_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its columns of times and durations as the text of each value
    (``2024-02-29 00:00:00``, ``1 days 00:00:00``), None where missing.

    pandas writes such a column to CSV in one format for all its values, that
    of the ones at hand: a date alone when every time is midnight, six
    decimals of a second when one value has any. A chunk's values would then
    be written so by the chance of the others in its chunk: ``2024-02-29``
    in one chunk and ``2024-02-29 00:00:00.000000`` in the next.
    """
    mended = None
    for j, dtype in enumerate(frame.dtypes):
        if dtype.kind not in "mM":
            continue
        if mended is None:
            mended = frame.copy()
        values = frame.iloc[:, j].tolist()
        mended.isetitem(j, np.array([None if is_missing(v) else str(v) for v in values], object))
    return frame if mended is None else mended


# A cell that starts with = + - @, a tab or a carriage return is a formula to
# Excel and WPS: "=HYPERLINK(...)", "-5元", "+86 138...", "@客服". Such a
# cell is written after an apostrophe, as OWASP recommends against CSV
# injection, so that it is shown as text; so is a cell of apostrophes before
# one of these characters, so that removing the first apostrophe of a cell
# that this pattern matches after it (as `triage.read_labeled` does) gives
# back every text as it was. The full-width signs (U+FF1D, U+FF0B, U+FF0D,
# U+FF20) are left alone: that a spreadsheet opening a CSV runs a cell
# starting with one is not known (docs/batch.md).
FORMULA = re.compile(r"'*[=+\-@\t\r]")


def guard_formula(value: Any) -> Any:
    """`value` after an apostrophe when it is a string that `FORMULA` matches
    (``=1+1`` is ``'=1+1``, ``'=)`` is ``''=)``); any other value, a number
    among them, as it is."""
    return "'" + value if isinstance(value, str) and FORMULA.match(value) else value


def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with `guard_formula` applied to every cell of its columns of
    text (object, string or categorical: a column of numbers, flags or
    times keeps its values); `frame` itself when no cell changes."""
    import pandas as pd

    mended = None
    for j, dtype in enumerate(frame.dtypes):
        if not (
            pd.api.types.is_object_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype)
            or isinstance(dtype, pd.CategoricalDtype)
        ):
            continue
        column = frame.iloc[:, j]
        guarded = column.map(guard_formula)
        if guarded.equals(column):
            continue
        if mended is None:
            mended = frame.copy()
        mended.isetitem(j, guarded.array)
    return frame if mended is None else mended


def _text_cell(value: Any, nested_as_json: bool) -> Any:
    if isinstance(value, bytes):
        return _bytes_text(value)
    if not isinstance(value, _NESTED):
        return value
    return json.dumps(_plain(value), ensure_ascii=False) if nested_as_json else _plain(value)


def _plain(value: Any) -> Any:
    """A nested value as JSON data: lists, objects, numbers, strings and None."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bytes):
        return _bytes_text(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)  # a Decimal, say: its digits


# C0 controls but tab and line breaks, and DEL: no text holds them
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _bytes_text(value: bytes) -> str:
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return value.hex()
    return value.hex() if _CONTROL_CHARS.search(text) else text


def _as_text(value: Any) -> str | None:
    import pandas as pd

    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def _json_lines(frame: pd.DataFrame, infinite: dict[str, int] | None = None) -> Iterator[str]:
    """The rows of `frame` as JSONL records, every value as it is, but an
    infinity, which JSON has no number for: null, counted by column name in
    `infinite`.

    Not ``DataFrame.to_json``, which writes a float with 15 digits at most
    (another number, for most of them) and a time to the millisecond, nor
    ``json.dumps`` of the floats, which writes ``Infinity`` and ``NaN``: no
    JSON, which a strict reader (JavaScript's, Go's, BigQuery's) refuses
    with the whole record.
    """
    names = [str(c) for c in frame.columns]
    columns = [_json_column(frame.iloc[:, j]) for j in range(len(names))]
    if infinite is not None:
        for j, name in enumerate(names):
            n = _infinities(frame.iloc[:, j])
            if n:
                infinite[name] = infinite.get(name, 0) + n
    for row in zip(*columns, strict=True):
        record = dict(zip(names, row, strict=True))
        yield json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _infinities(column: pd.Series) -> int:
    """How many values of `column` are an infinity (a float's, of any sign)."""
    if isinstance(column.dtype, np.dtype):
        if column.dtype.kind == "f":
            return int(np.count_nonzero(np.isinf(column.to_numpy())))
        if column.dtype.kind != "O":
            return 0
    return sum(isinstance(v, float) and math.isinf(v) for v in column.tolist())


def _json_column(column: pd.Series) -> list[Any]:
    """The values of `column` as JSON data: missing ones (and infinities) None,
    times and dates their ISO 8601 text, other values that JSON has no kind
    for their text (a Decimal's digits)."""
    values = column.tolist()
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "f":
        return [v if math.isfinite(v) else None for v in values]
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biu":
        return values
    return [_json_scalar(v) for v in values]


def infinity_warning(path: str | os.PathLike[str], infinite: dict[str, int]) -> str:
    """The warning that the columns of `infinite` held that many infinities,
    written to the JSON Lines output `path` as null."""
    total = sum(infinite.values())
    if len(infinite) == 1:
        said = f"column {next(iter(infinite))!r}"
    else:
        said = "columns " + ", ".join(f"{name!r} ({n:,})" for name, n in infinite.items())
    return (
        f"{path}: {counted(total, 'infinite value')} of {said} written as null, as JSON "
        "has no number for an infinity (nor for NaN, null too, as missing); write CSV or "
        "Parquet to keep them"
    )


def _json_scalar(value: Any) -> Any:
    if isinstance(value, np.generic) and not isinstance(value, np.datetime64 | np.timedelta64):
        value = value.item()
    if is_missing(value):
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str | bool | int | dict | list):  # nested: `_text_cells` made it plain
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()  # a pandas Timestamp's to the nanosecond
    return str(value)


def is_stream(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a device, a named pipe or a socket (``/dev/stdout``,
    ``/dev/null``, the ``/dev/fd/63`` of a shell's ``<(zcat x.gz)`` or
    ``>(gzip > x.gz)``), its links followed: a target to write into, not to
    rename a file over, and an input that can be read only once."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # none yet, or not to be looked at: a file to make
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def missing_message(path: str | os.PathLike[str], what: str) -> str:
    """The message of the `FileNotFoundError` of an input `path` that is
    neither a file nor a folder: none there, or a symbolic link whose target
    is not there, which says where the link leads (a renamed target, an
    unmounted disk) or that it leads back to itself."""
    message = f"no {what} at {path}"
    if os.path.islink(path):
        if link_loop(path):
            message += ": it is a symbolic link in a loop of links, leading to no file"
        else:
            message += f": it is a link to {os.readlink(path)}, which does not exist"
    return message


def link_loop(path: str | os.PathLike[str]) -> bool:
    """Whether following the links of `path` comes back to a link already
    followed (``a.csv -> b.csv -> a.csv``): no file can be read or written
    there, and `Path.resolve` raises `RuntimeError` on it."""
    try:
        os.path.realpath(path, strict=True)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def stream_error(path: str | os.PathLike[str], what: str) -> InputFileError:
    """The error of an input `path` that `is_stream`: read more than once, a
    pipe would give its data to the first reading alone."""
    return InputFileError(
        f"{path} is a pipe or a device, not a file: the {what} is read more than once "
        "(its encoding, its header, its rows); save it to a file and pass that"
    )


def remove_dead_partials(folder: Path, prefix: str, *, keep: str) -> list[Path]:
    """Remove the partial files ``<prefix><random>.partial`` in `folder`
    that runs no longer alive left (killed by ``kill -9``, the OOM killer, a
    power cut), and return them; `keep` is the caller's own.

    A run holds an advisory lock (`fcntl.flock`) on its partial file until it
    renames or deletes it, and the system releases it when the run dies: a
    file that can be locked is a dead run's, and one whose lock is held, of a
    run still going (here or, over NFS with locking, on another machine), is
    left alone. Where there is no such lock (Windows), or the file system
    refuses to lock one, none is removed: a `TriageWarning` names them
    instead. Only regular files are opened to be looked at: a named pipe of
    such a name would keep its open waiting for a writer.
    """
    # new_file's names, and mkstemp's in the temporary folder (-o /dev/stdout)
    pattern = re.compile(re.escape(prefix) + r"(?:[0-9a-f]{16}|[0-9a-z_]{8})\.partial")
    try:
        names = sorted(n for n in os.listdir(folder) if pattern.fullmatch(n))
    except OSError:
        return []
    left: list[Path] = []
    removed: list[Path] = []
    for name in names:
        path = folder / name
        if str(path) == str(keep):
            continue
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(path, flags)
        except OSError:  # gone meanwhile, or not ours to read
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            if fcntl is None:
                left.append(path)
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # a run still writing it
                continue
            except OSError:  # no locks here: alive or not cannot be told
                left.append(path)
                continue
            # the name still the file locked, not one renamed into its place
            if os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False)):
                size = os.fstat(fd).st_size
                path.unlink()
                removed.append(path)
                logger.info(
                    "removed %s (%s bytes), left by a run to the same output that was killed",
                    path,
                    f"{size:,}",
                )
        except OSError:
            continue
        finally:
            os.close(fd)
    if left:
        warnings.warn(
            f"{counted(len(left), 'partial file')} of another run to this output "
            f"{'is' if len(left) == 1 else 'are'} in {folder} ({', '.join(p.name for p in left)}): "
            "left by a run that was killed, or written by one still going, which cannot "
            "be told here; delete them once no run writes to this output",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )
    return removed


class PartWritten(KeyboardInterrupt):
    """Ctrl-C (or another interrupt, `interrupt`) while a complete output was
    written into a pipe or a device (``/dev/stdout``): its reader has had
    part of it, which cannot be taken back, unlike a file's."""

    def __init__(self, output: str, interrupt: KeyboardInterrupt) -> None:
        super().__init__(f"the output written to {output} is incomplete")
        self.output = output
        self.interrupt = interrupt


def resume_file(output: str | os.PathLike[str]) -> Path:
    """The checkpoint of `output` that `AtomicWriter` keeps with `resume`:
    ``.<name>.resume`` beside the file it names."""
    path = Path(output)
    real = Path(follow_links(path, "the output")) if path.is_symlink() else path
    return real.with_name(f".{real.name}.resume")


def check_resumable(output: str | os.PathLike[str], fmt: str) -> None:
    """Raise `ParameterError` unless a run to `output` in `fmt` can be taken
    up where it stopped (`AtomicWriter`'s `resume`): an uncompressed CSV,
    TSV or JSONL file."""
    if fmt == "parquet":
        why = "a Parquet file is readable only once closed"
    elif _compression(output) is not None:
        why = "a compressed stream cannot be taken up again as one stream"
    elif is_stream(output) or output == "-":
        why = "a pipe or a device keeps nothing of a run that stopped"
    else:
        return
    raise ParameterError(
        f"resume=True (CLI: --resume) cannot take up the output {output}: {why}; write an "
        "uncompressed CSV, TSV or JSONL file, or score without resume"
    )


def write_text(
    text: IO[str],
    frame: pd.DataFrame,
    fmt: str,
    *,
    header: bool,
    escape_formulas: bool = False,
    infinite: dict[str, int] | None = None,
) -> None:
    """Write `frame`'s rows into `text` as CSV, TSV (with the `header` line
    first) or JSON Lines (`fmt`), as every text output of `triage score` is
    written: RFC 4180 line ends, formulas escaped with `escape_formulas`
    (`guard_formulas`), the infinities JSON has no number for counted into
    `infinite` by column."""
    frame = _text_cells(frame, nested_as_json=fmt in ("csv", "tsv"))
    if fmt in ("csv", "tsv"):
        frame = _time_cells(frame)
        names: bool | list[str] = header
        if escape_formulas:
            # after the cells made text: bytes, a negative duration's text
            frame = guard_formulas(frame)
            if header:
                names = [guard_formula(str(name)) for name in frame.columns]
        frame.to_csv(
            text,
            header=names,
            index=False,
            sep="," if fmt == "csv" else "\t",
            # RFC 4180 line ends: the csv module quotes a field holding a
            # character of the terminator, and "\r\n" covers a bare "\r"
            lineterminator="\r\n",
        )
    else:
        text.writelines(_json_lines(frame, infinite))


class AtomicWriter:
    """Append chunks to a temporary file; `commit` renames it to the target.

    A CSV, TSV or JSONL target named ``.gz``, ``.bz2`` or ``.xz`` is
    compressed as it is written, as one stream. Its text is written in
    `encoding`, checked beforehand by `check_output_encoding` (the
    byte-order mark of ``utf-8-sig``, ``utf-16`` or ``utf-32`` once, at the
    start). With `escape_formulas`, for CSV and TSV alone, a text cell (and
    a name of the header) that a spreadsheet would run as a formula is
    written after an apostrophe (`guard_formulas`). Used as a context
    manager: leaving the block by an exception
    (including KeyboardInterrupt) deletes the temporary file and the folders
    made for the target, and leaves the target alone.

    A target that is a device or a named pipe (``/dev/stdout``,
    ``/dev/null``) is no file to replace: the temporary file is made in the
    system's temporary folder, and `commit` copies it into the target. A
    target that is a symbolic link is written through, as `open` writes:
    the file it names is replaced (or made), and the link stays, unless
    the system would not open a file through it (`follow_links`). A file
    replaced keeps its permission bits and group (`keep_permissions`), as
    one written in place would; a new one has those the umask gives.
    A Parquet target's schema gets the keys and values of `metadata` too.

    With `resume` (a byte count), the temporary file is the checkpoint
    ``.<name>.resume`` beside the target (`resume_file`), made if missing,
    whose first `resume` bytes are kept and written after (the header, and
    a byte-order mark, were written then); it is kept when the block is
    left by an exception, for a later run to continue, and `checkpoint`
    makes what was written so far durable. For an uncompressed CSV, TSV or
    JSONL file alone: a Parquet file is whole only once closed, a
    compressed stream cannot be taken up again as one stream, and a pipe
    keeps nothing. A checkpoint another run holds (its lock), or one
    shorter than `resume` once locked (another run finished it meanwhile),
    is a `ParameterError`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fmt: str,
        types: dict[str, Any] | None = None,
        encoding: str = "utf-8",
        escape_formulas: bool = False,
        metadata: dict[str, str] | None = None,
        resume: int | None = None,
    ) -> None:
        self.escape_formulas = check_escape_formulas(escape_formulas, fmt)
        # key-value metadata of a Parquet file's schema, beside pandas' own
        self.metadata = metadata or {}
        compression = _compression(path)
        if compression is not None:
            target_format(path, fmt)  # a zip, or Parquet inside a compression
        self.path = Path(path)
        self.fmt = fmt
        # Parquet types of columns by name, Arrow types or their names
        # (``int64``, `json_types`), read when the first chunk is written;
        # the others' from the first chunk
        self.types = types
        # written into, not replaced: whole, once committed
        self._stream = is_stream(self.path)
        self.resume = resume
        if resume is not None:
            check_resumable(self.path, fmt)
        # the file renamed into place: a link's, not the link (latest.csv -> 2024-06.csv)
        self._file_path = (
            Path(follow_links(self.path, "the output")) if self.path.is_symlink() else self.path
        )
        parent = self._file_path.parent
        # the folders made here are removed again if nothing is committed
        self._made = [p for p in (parent, *parent.parents) if not p.exists()]
        folder = self._temporary_folder() if self._stream else parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            if resume is None:
                fd, tmp = self._locked_file(Path(folder))
            else:
                fd, tmp = self._checkpoint_file(resume)
        except OSError as exc:  # read-only, no space: named as the user named it
            for folder in self._made:
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise self._named(exc) from None
        self.tmp = Path(tmp)
        # held open, and so locked, until the file is renamed or deleted
        self._lock: int | None = os.dup(fd)
        self._parquet: Any = None
        self._schema: Any = None
        self._first = not resume  # the header is written once, by the first run
        self._rows = 0
        # the infinities of a JSONL target's columns, written as null, by name
        self.infinite: dict[str, int] = {}
        self._file: IO[bytes] | None = None
        self._text: io.TextIOWrapper | None = None
        if fmt == "parquet":
            os.close(fd)
            return
        self._file = os.fdopen(fd, "wb")
        binary = _compressing(self._file, compression, self.path.name)
        bom = _WRITTEN_BOMS.get(encoding)
        if bom is not None and resume:
            encoding += "-le" if sys.byteorder == "little" else "-be"  # the mark is there
        elif bom is not None:
            # io.TextIOWrapper writes the mark of utf-16 and utf-32 only into
            # a stream it can seek, which a bz2 or xz one is not: it is
            # written here, and the text after it in its byte order
            binary.write(bom)
            encoding += "-le" if sys.byteorder == "little" else "-be"
        # RFC 4180 line ends are written as given; JSONL's as the platform's
        self._text = io.TextIOWrapper(
            binary,
            encoding=encoding,
            newline="" if fmt in ("csv", "tsv") else None,
        )

    def _locked_file(self, folder: Path) -> tuple[int, str]:
        """The new partial file in `folder`, open and locked (`fcntl.flock`)
        for the life of the run, so that a later run to the same output can
        tell it from one a run that is no longer alive left there; those are
        then removed (`remove_dead_partials`)."""
        prefix = f".{self._file_path.name}."
        while True:
            if self._stream:  # in the temporary folder, which others share: 0o600
                fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".partial", dir=folder)
            else:
                fd, tmp = new_file(folder, prefix, ".partial")
            if fcntl is None:
                break
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:  # a file system that does not lock: none is told dead
                return fd, tmp
            # another run may have taken it for a dead one's between its
            # making and its lock, and removed it: a new one then
            with contextlib.suppress(OSError):
                if os.path.samestat(os.fstat(fd), os.stat(tmp, follow_symlinks=False)):
                    break
            os.close(fd)
        remove_dead_partials(folder, prefix, keep=tmp)
        return fd, tmp

    def _checkpoint_file(self, keep: int) -> tuple[int, str]:
        """The checkpoint `resume_file`, open and locked, cut to its first
        `keep` bytes (those a run that stopped had made durable), at its end.
        TextIOWrapper writes no UTF-8 or UTF-16 byte-order mark at a
        position other than 0."""
        path = resume_file(self._file_path)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, 0o666)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise ParameterError(
                        f"another run is writing the output {self.path} with resume=True "
                        "(CLI: --resume) now: wait for it to end"
                    ) from None
                except OSError:  # a file system that does not lock
                    pass
            # Shorter than the progress read before the lock was taken: the
            # run that held it has since finished (its file renamed into
            # place, so this one is new and empty) or the file was cut. Cut
            # "to" `keep` bytes, it would be padded with zero bytes.
            if os.fstat(fd).st_size < keep:
                if os.fstat(fd).st_size == 0:
                    with contextlib.suppress(OSError):
                        path.unlink()
                raise ParameterError(
                    f"the partial output {path} of a run to {self.path} holds fewer than the "
                    f"{keep:,} bytes its checkpoint said when this run started: another run "
                    "finished or removed it meanwhile; run the command again"
                )
            os.ftruncate(fd, keep)
            os.lseek(fd, keep, os.SEEK_SET)
        except BaseException:
            os.close(fd)
            raise
        return fd, str(path)

    def checkpoint(self) -> int:
        """Flush what was written to the disk (`os.fsync`) and return its
        size in bytes: a run stopped later, however, keeps that much."""
        if self._text is not None:
            self._text.flush()
        if self._file is None:
            raise ParameterError("checkpoint() is for a CSV, TSV or JSONL output being written")
        self._file.flush()
        os.fsync(self._file.fileno())
        return self._file.tell()

    def _unlock(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock)
            self._lock = None

    def _temporary_folder(self) -> str:
        """The folder of the temporary file of a target that `is_stream`; where
        there is none (a read-only root filesystem), the error says why one is
        needed, not that the target is missing ("No such file or directory")."""
        try:
            return tempfile.gettempdir()
        except FileNotFoundError as exc:
            raise type(exc)(
                exc.errno,
                f"cannot write the output {self.path}: {exc.strerror}; a pipe or a device "
                "is written into once the output is complete, which a temporary file holds "
                "until then: set TMPDIR to a writable directory, or name a file",
            ) from None

    def _named(self, exc: OSError) -> OSError:
        """`exc` saying which output it could not write, as the user named it."""
        # the errno's words: pyarrow's strerror wraps them in its own
        reason = os.strerror(exc.errno) if exc.errno is not None else exc.strerror
        return type(exc)(exc.errno, f"cannot write the output {self.path}: {reason}")

    def write(self, frame: pd.DataFrame) -> None:
        try:
            self._write(frame)
        except OSError as exc:
            if exc.errno is None:  # not the disk's: pyarrow's, say
                raise
            # a full disk, a file-size limit: said without naming the
            # temporary file, of which the user knows nothing
            raise self._named(exc) from exc

    def _write(self, frame: pd.DataFrame) -> None:
        if self._text is not None:
            write_text(
                self._text,
                frame,
                self.fmt,
                header=self._first,
                escape_formulas=self.escape_formulas,
                infinite=self.infinite,
            )
        else:
            pq = _pyarrow_parquet()
            if self._parquet is None:
                table = _first_table(frame, self.types)
                if self.metadata:
                    table = table.replace_schema_metadata(
                        {**(table.schema.metadata or {}), **self.metadata}
                    )
                self._schema = table.schema
                self._parquet = pq.ParquetWriter(self.tmp, self._schema)
            else:
                table = _conform(frame, self._schema, self._rows)
            self._parquet.write_table(table)
        self._rows += len(frame)
        self._first = False

    def commit(self) -> Path:
        try:
            return self._commit()
        except OSError as exc:
            if exc.errno is None:
                raise
            raise self._named(exc) from exc

    def _commit(self) -> Path:
        if self.infinite:
            warnings.warn(
                infinity_warning(self.path, self.infinite),
                TriageWarning,
                stacklevel=user_stacklevel(),
            )
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._text is not None:
            self._text.close()  # the compressor's end of stream too
            self._text = None
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._stream:
            # a named pipe's open waits for its reader: stopped there, it has had nothing
            with open(self.tmp, "rb") as written, open(self.path, "wb") as target:
                try:
                    shutil.copyfileobj(written, target, 1 << 20)
                    target.flush()
                except KeyboardInterrupt as exc:
                    # the reader has had part of the output, which cannot be taken back
                    raise PartWritten(str(self.path), exc) from None
            self.tmp.unlink()
            self._unlock()
            return self.path
        if self._lock is not None:  # a private output replaced stays private
            keep_permissions(self._lock, self._file_path)
        os.replace(self.tmp, self._file_path)
        self._unlock()
        self._made = []
        return self.path

    def discard(self) -> None:
        # the file is deleted whatever closing it says (a full disk, say)
        for stream in (self._parquet, self._text, self._file):
            if stream is not None:
                with contextlib.suppress(Exception):
                    stream.close()
        self._parquet = self._text = self._file = None
        self.tmp.unlink(missing_ok=True)
        self._unlock()
        for folder in self._made:  # deepest first; one someone has filled stays
            with contextlib.suppress(OSError):
                folder.rmdir()

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.resume is not None and exc_type is not None:
            # kept for a later run, which cuts off what no checkpoint covers
            for stream in (self._text, self._file):
                if stream is not None:
                    with contextlib.suppress(Exception):
                        stream.close()
            self._text = self._file = None
            self._unlock()
            return
        if exc_type is not None or self.tmp.exists():
            self.discard()

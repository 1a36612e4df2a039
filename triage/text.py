"""Normalise and segment complaint text.

Pure ``str -> str`` and ``str -> list[str]`` functions. The converter and the
tokenizer are built on first use and shared by all threads; importing this
module does no work.

The library owns its tokenizer: a `jieba.Tokenizer` with the complaint-domain
user dictionary in ``triage/resources/userdict.txt``. The global ``jieba``
state that a host application may use is never touched, and the host's
changes to it (``jieba.load_userdict``, ``jieba.del_word``) do not reach the
library's cut.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import html.entities
import logging
import marshal
import math
import os
import re
import stat
import sys
import tempfile
import threading
import unicodedata
import warnings
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from triage._paths import user_path
from triage._resources import resource_path, word_list
from triage._words import counted
from triage.exceptions import InvalidTextError, ParameterError, TriageWarning, user_stacklevel

if TYPE_CHECKING:
    import jieba

__all__ = [
    "MAX_CHARS",
    "PreparedText",
    "Words",
    "check_text",
    "normalize",
    "prepare",
    "read_words",
    "segment",
]

_log = logging.getLogger(__name__)

#: Texts longer than this many characters (after normalisation) are truncated
#: and flagged. Real complaints are far shorter; the cap keeps the cost of one
#: text bounded whatever is pasted into a form.
MAX_CHARS = 2000

# Raw input is cut to this length before any work, so that a 10 MB paste costs
# no more than a long complaint. HTML markup may shrink a text several times,
# hence the margin over MAX_CHARS.
_RAW_CAP = MAX_CHARS * 8

# A longer text first has its tags stripped, its entities decoded, its
# invisible characters removed and its whitespace collapsed over this much of
# it (linear regex passes), so that a page whose <style> block, tags or
# &nbsp; entities, or a paste whose padding, run past _RAW_CAP still yields
# the complaint after them.
_MARKUP_CAP = MAX_CHARS * 100

# HTML's element names (and a few obsolete ones still in old pages). Only these
# make a tag: a product name in angle brackets, <Apple Watch> or <iPhone15>,
# is text.
_ELEMENT_NAMES = (
    "a|abbr|address|area|article|aside|audio|b|base|bdi|bdo|big|blockquote|body|br|"
    "button|canvas|caption|center|cite|code|col|colgroup|data|datalist|dd|del|details|"
    "dfn|dialog|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|form|h1|h2|h3|"
    "h4|h5|h6|head|header|hgroup|hr|html|i|iframe|img|input|ins|kbd|label|legend|li|link|"
    "main|map|mark|marquee|menu|meta|meter|nav|nobr|noscript|object|ol|optgroup|option|"
    "output|p|param|picture|pre|progress|q|rp|rt|ruby|s|samp|script|section|select|small|"
    "source|span|strike|strong|style|sub|summary|sup|svg|table|tbody|td|template|"
    "textarea|tfoot|th|thead|time|title|tr|track|tt|u|ul|var|video|wbr"
)
_ELEMENTS = frozenset(_ELEMENT_NAMES.split("|"))
# An attribute of a tag: a name in ASCII, then optionally = and a value that
# is quoted (anything but "<" inside) or unquoted (printable ASCII but quotes,
# "=", "<", ">" and "`"). Han text after an element name, as in a comparison
# "a<b 且 c>d", is no attribute, so "<b 且 c>" is not a tag.
_ATTRIBUTE = r"""[a-z_:@][a-z0-9_:.@-]*+(?:\s*+=\s*+(?:"[^"<]*+"|'[^'<]*+'|[!#-&(-;?-_a-~]++))?+"""
# A script or style block, a comment, a doctype, an XML declaration, the
# conditional comments of Word and Outlook (<![if !supportLists]>), the marks
# around a CDATA section (its text is kept), or anything shaped like a tag
# (kept unless its name is an element, or a name with a prefix as Office
# writes them: <o:p>, <st1:chsdate>). An unclosed comment, script or style
# block runs to the end of the text, as in a browser; <!--> and <!---> are
# whole, empty comments, as a browser reads them. A tag's parts never
# backtrack (possessive) and never run past the next "<", so one pass is linear.
_TAG = re.compile(
    r"<(?:script|style)\b.*?(?:</(?:script|style)\s*>|\Z)|<!--(?:-?>|.*?(?:-->|\Z))"
    r"|<!(?:doctype\b|\[(?:end)?if\b)[^<>]*+>|<\?xml\b[^<>]*+>"
    r"|<!\[CDATA\[|\]\]>"
    rf"|</?([a-z][a-z0-9]*+(?::[a-z][a-z0-9-]*+)?)(?:\s++{_ATTRIBUTE})*+\s*+/?>",
    re.S | re.I,
)


# A character reference: a number, or a name. HTML's old names that may go
# without their ";" (&amp &lt &nbsp &not &times &para &reg ...) are read
# without it only when they are the whole name and no "=" follows, as a
# browser reads an attribute: in a pasted link, ?id=1&timestamp=9&region=sh
# and &notify_url= are a link's parameters, not a multiplication sign before
# "tamp", a registered sign before "ion" or a not sign before "ify_url".
_ENTITY = re.compile(r"&(?:#[0-9]++;?|#[xX][0-9a-fA-F]++;?|([A-Za-z][A-Za-z0-9]*+)(;|(?!=))?)")


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name, end = match[1], match[2]
        if name is None:
            return _number(match[0])
        if end != ";" and (end is None or name not in html.entities.html5):
            return match[0]
        return html.unescape(match[0])

    return _ENTITY.sub(replace, text)


def _number(reference: str) -> str:
    """The character of a numeric reference (``&#24555;``, ``&#x5feb``).

    A number of more than seven digits, leading zeros aside, is beyond
    U+10FFFF and is U+FFFD, as `html.unescape` makes it: Python refuses to
    read a decimal number of thousands of digits (an order number pasted
    after ``&#``), and `html.unescape` would raise `ValueError`.
    """
    prefix = reference[:3] if reference[2:3] in ("x", "X") else reference[:2]
    digits = reference[len(prefix) :].rstrip(";").lstrip("0")
    if len(digits) > 7:
        return "\ufffd"
    return html.unescape(f"{prefix}{digits or '0'};")


def _strip_tags(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name is None or ":" in name or name.lower() in _ELEMENTS:
            return " "
        return match[0]

    return _TAG.sub(replace, text)


_SPACE = re.compile(r"\s+")
# A lone UTF-16 surrogate (half an emoji cut by a length limit, an escape in
# a JSON export, undecodable bytes of a command line) cannot be encoded.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: Any) -> str:
    """Return `text` if it is a `str`; raise `InvalidTextError` naming its type.

    >>> check_text(None)
    Traceback (most recent call last):
    ...
    triage.exceptions.InvalidTextError: expected a str, got NoneType (None); ...
    """
    if isinstance(text, str):
        return text
    kind = type(text).__name__
    shown = "NaN" if isinstance(text, float) and math.isnan(text) else repr(text)[:40]
    raise InvalidTextError(
        f"expected a str, got {kind} ({shown}); "
        "pass the complaint text as a string (use score_frame for columns with missing values)"
    )


# Control and format characters (C0/C1 controls but tab and newlines, soft
# hyphen, zero-width spaces and marks, bidi controls, BOM, interlinear
# annotation). The zero-width joiner U+200D and the tag characters stay:
# emoji sequences need them. `tests/test_text.py` checks this class against
# `unicodedata`.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001]+"
)

# What the class above keeps, and whitespace: a text of nothing else shows
# nothing, and normalises to "" as a blank text does.
_BLANK = re.compile("[\\s\u200d\U000e0020-\U000e007f]*")

#: Emoji and pictographs: ©, ®, ‼, ⁉, ™, the information sign, Ⓜ, arrows, technical and
#: miscellaneous symbols, squares and triangles (▪, ▶), dingbats, stars
#: (⭐, ⭕), 〰, ㊗, flags, skin tones and the emoji planes.
PICTOGRAPHS = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u24c2\u25aa-\u25fe\u2934\u2935"
    "\u2190-\u21ff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001faff"
)
#: The invisible parts of emoji sequences: the zero-width joiner, variation
#: selectors, tag characters, the combining grapheme joiner and Mongolian
#: variation selectors. After no emoji, a keycap's digit or another such part
#: they join or vary nothing, and, typed or pasted inside a word (客\u200d服,
#: 退\ufe0f款) or a number (1231\u200d5), would cut it in two: `normalize`
#: removes them.
EMOJI_PARTS = (
    "\u034f\u180b-\u180d\u180f\u200d\ufe00-\ufe0f\U000e0020-\U000e007f\U000e0100-\U000e01ef"
)
_PART = re.compile(f"[{EMOJI_PARTS}]")
# kept after an emoji, after a keycap's U+20E3 (1⃣️, as many write it, the
# selector last), and after a digit, # or * only when the keycap follows
# them (1️⃣): a digit of a number is no emoji
_STRAY_PARTS = re.compile(
    f"(?<![{PICTOGRAPHS}{EMOJI_PARTS}\u20e3])(?!(?<=[0-9#*])[{EMOJI_PARTS}]+\u20e3)[{EMOJI_PARTS}]+"
)


# Tokenizers with words of their own kept at once for the callers of
# `tokenize` that hold none (training, fitting word vectors): each is a copy
# of the dictionary (some 15 MB). A model holds its own (`tokenizer_for`)
# for as long as it lives, however many there are.
_EXTENDED = 4
# Word sets told apart by identity at once (`_Lazy.extended`): each holds a
# model's words, which a service that loads a model anew keeps making.
_KNOWN = 16
# Log frequencies a tokenizer keeps (`_costs`), some 130 bytes each: the
# dictionary's half a million entries would be 65 MB, and a service's stream
# of complaints meets ever more of them (128,000 in 145,000 reviews).
_COSTS_KEPT = 50_000


class _Lazy:
    """Process-wide singletons built once, under a lock, on first use."""

    def __init__(self) -> None:
        # a fork waits for it (see `triage._default._lock`): jieba and
        # opencc are imported under it
        self._lock = threading.RLock()
        self._converter: Any = None
        self._to_traditional: Any = None
        self._tokenizer: jieba.Tokenizer | None = None
        # every tokenizer with words of its own that something holds (a
        # model, or `_extended`), by its words: one copy of the dictionary
        # for a set of words, freed with its last holder
        self._held: weakref.WeakValueDictionary[Words, jieba.Tokenizer] = (
            weakref.WeakValueDictionary()
        )
        # those `tokenize` was last asked for, the most recently built last
        # (at most _EXTENDED of them)
        self._extended: dict[Words, jieba.Tokenizer] = {}
        # the same by the identity of the words asked for, each beside its
        # words, which keep the id from being reused: text after text cut
        # with the same words (a fit's, word vectors') hashes nothing, and
        # hashing the words (a tuple, whose hash is not kept) cost 0.4 ms a
        # text for 20,000 of them, 25 times the cut (a model hashes its
        # words once, for the copy it holds)
        self._known: dict[int, tuple[Words, jieba.Tokenizer]] = {}

    def before_fork(self) -> None:
        self._lock.acquire()

    def after_fork_in_parent(self) -> None:
        self._lock.release()

    def new_lock(self) -> None:
        """A forked child's own lock: its parent's was held at the fork, by
        the thread that forked."""
        self._lock = threading.RLock()

    def converter(self) -> Any:
        if self._converter is None:
            with self._lock:
                if self._converter is None:
                    import opencc

                    self._converter = opencc.OpenCC("t2s")
        return self._converter

    def to_traditional(self) -> Any:
        """OpenCC's s2t, which tells a traditional text from a simplified one."""
        if self._to_traditional is None:
            with self._lock:
                if self._to_traditional is None:
                    import opencc

                    self._to_traditional = opencc.OpenCC("s2t")
        return self._to_traditional

    def tokenizer(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    tokenizer = _tokenizer_class()()
                    _load_dictionary(tokenizer)
                    for word, freq, tag in _userdict():
                        tokenizer.add_word(word, freq, tag)
                    self._tokenizer = tokenizer
        return self._tokenizer

    def held(self, words: Words) -> jieba.Tokenizer:
        """The library's tokenizer with `words` added: the copy something
        holds already, or a new one, which lives as long as its holders."""
        base = self.tokenizer()
        with self._lock:
            tokenizer = self._held.get(words)
            if tokenizer is None:
                tokenizer = _tokenizer_class()()
                # a copy of the library's dictionary: its prefix table and
                # total, the tags posseg would read
                tokenizer.FREQ = dict(base.FREQ)
                tokenizer.total = base.total
                tokenizer.user_word_tag_tab = dict(base.user_word_tag_tab)
                tokenizer.initialized = True
                for word, freq, tag in words:
                    tokenizer.add_word(word, freq, tag)
                self._held[words] = tokenizer
            return tokenizer

    def extended(self, words: Words) -> jieba.Tokenizer:
        """The library's tokenizer with `words` added (`held`), kept among the
        last `_EXTENDED` asked for."""
        known = self._known.get(id(words))
        if known is not None and known[0] is words:
            return known[1]
        with self._lock:
            tokenizer = self._extended.get(words)
            known_now = self._known
            if tokenizer is None:
                tokenizer = self.held(words)
                if len(self._extended) >= _EXTENDED:  # each copy holds the dictionary
                    dropped = self._extended.pop(next(iter(self._extended)))
                    # nor is it held by the identities of its words
                    known_now = {k: v for k, v in known_now.items() if v[1] is not dropped}
                self._extended[words] = tokenizer
            if len(known_now) >= _KNOWN:  # models loaded and let go: their words
                known_now = {}
            # a new dict: another thread may be reading the one it had
            self._known = {**known_now, id(words): (words, tokenizer)}
        return tokenizer


def _userdict() -> Iterator[tuple[str, int | None, str | None]]:
    """The entries of the library's user dictionary, read as `jieba.load_userdict`
    reads them, but with a regex of our own (`_ENTRY`): jieba's is a module
    global, which a host replaces to split the fields of its own dictionary
    otherwise (to keep spaces in its words), and each line of ours was then
    one word, its frequency and tag in it."""
    with open(resource_path("userdict.txt"), encoding="utf-8-sig") as f:
        for line in f:
            line = line.strip()
            if line:
                match = _ENTRY.fullmatch(line)
                assert match is not None  # (.+?) takes any line
                word, freq, tag = match.groups()
                yield word, None if freq is None else int(freq), tag


# What importing jieba warns of, as `warnings.filterwarnings` takes it: the
# message, the category and the module. A warning of compiling a file names
# the file for its module (.../jieba/__init__).
_JIEBA_WARNINGS = (
    ("", SyntaxWarning, r".*[\\/]jieba[\\/]"),
    ("invalid escape sequence", DeprecationWarning, r".*[\\/]jieba[\\/]"),
    ("pkg_resources is deprecated", Warning, ""),
    ("", DeprecationWarning, "pkg_resources"),
)


@contextlib.contextmanager
def _ignoring(filters: tuple[tuple[str, type[Warning], str], ...]) -> Iterator[None]:
    """Ignore the warnings `filters` match in the block, then take out those
    filters alone.

    Not `warnings.catch_warnings`, which puts back the list of filters it
    found: the filters are the process's, and a service imports jieba in one
    of its threads while others run. A filter another thread added meanwhile
    was lost, and one of another thread's own ``catch_warnings`` block, ended
    after this one, stayed in force for good, as did these.
    """
    added = []
    for message, category, module in filters:
        entry = (
            "ignore",
            re.compile(message, re.I) if message else None,
            category,
            re.compile(module) if module else None,
            0,
        )
        into = warnings.filters
        if entry not in into:  # an application's own is left to it
            warnings.filterwarnings("ignore", message, category, module)
            added.append((entry, into))
    try:
        yield
    finally:
        for entry, into in added:
            # the list it went into, and the one now in force, which another
            # thread's catch_warnings block may have copied from it
            for found in (into, warnings.filters):
                if isinstance(found, list):  # as warnings keeps them
                    with contextlib.suppress(ValueError):
                        found.remove(entry)
        mutated = getattr(warnings, "_filters_mutated", None)
        if added and callable(mutated):
            mutated()  # what warnings itself does on changing them


class _NoPkgResources:
    """A finder that tells one thread, the one importing jieba, that there is
    no ``pkg_resources`` (`_without_pkg_resources`); every other import, and
    every other thread's, it leaves to the finders after it."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pkg_resources" and threading.get_ident() == self.thread:
            raise ModuleNotFoundError("pkg_resources is not read by jieba here", name=name)
        return None


@contextlib.contextmanager
def _without_pkg_resources() -> Iterator[None]:
    """Import jieba without ``pkg_resources``.

    jieba imports it, when setuptools is installed (as it is in every virtual
    environment of Python 3.11), only to open its own files in its package
    folder (dict.txt, the HMM's tables), and opens them itself without it.
    The import took 0.1 s of every process's start, for files it opens alike
    (a tenth of ``triage analyze`` run once). Not taken from a process that
    has imported it already, nor from another thread meanwhile.
    """
    if "pkg_resources" in sys.modules:
        yield
        return
    finder = _NoPkgResources()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)


def _import_jieba() -> Any:
    """The jieba module, imported without changing the host's logging.

    On import, jieba sets its logger to DEBUG and gives it a stderr handler of
    its own, so that building a tokenizer prints four lines there, and sets
    the logger of its ``jieba._compat`` to DEBUG. When this is the first
    import of jieba, all are undone: its messages then go wherever the
    application sends the logging of its other libraries.

    The warnings jieba's import raises are its own, not the application's,
    and are ignored: the invalid escape sequences of its regexes (reported
    when its modules are compiled, as under ``-OO`` or in a read-only install
    without ``.pyc`` files) and the deprecation of ``pkg_resources``, which it
    imports when setuptools is installed (though not from here:
    `_without_pkg_resources`). Under ``-W error`` they were errors.
    """
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    log, compat = logging.getLogger("jieba"), logging.getLogger("jieba._compat")
    level, handlers, compat_level = log.level, list(log.handlers), compat.level
    with _ignoring(_JIEBA_WARNINGS), _without_pkg_resources():
        import jieba

    log.setLevel(level)
    compat.setLevel(compat_level)
    for handler in log.handlers[:]:
        if handler not in handlers:
            log.removeHandler(handler)
    return jieba


# How jieba 0.42 splits a text into blocks before its dictionary is looked
# at (jieba.re_han_default, jieba.re_skip_default), and a block of characters
# the dictionary left single before its HMM is run (finalseg.re_han,
# finalseg.re_skip).
_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]+)")
_BLOCK_SPACE = re.compile(r"(\r\n|\s)")
_HMM_BLOCK = re.compile("([\u4e00-\u9fd5]+)")
_HMM_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
# Two letters or digits in a row: a run that no word may start or end inside
# (`_inside`).
_RUN = re.compile("[a-zA-Z0-9]{2}")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _inside(sentence: str) -> list[bool] | None:
    """For each place between two characters of `sentence` (and its two
    ends), whether it falls inside a run of ASCII letters and digits; None
    when no such run holds two characters.

    jieba cuts the words of its dictionary out of any run: 12315 and 12345
    out of a phone or an order number (138|12345|678), the APP of the
    complaint dictionary out of apple and happy (h|app|y). Such a run is
    one token, as jieba makes one of letters and digits it knows no word
    in; a word of two or more characters is taken only where it starts and
    ends at the run's edges (打12315投诉, 4S店, APP闪退).
    """
    if _RUN.search(sentence) is None:
        return None
    alnum = [ch in _ALNUM for ch in sentence]
    return [False, *map(bool.__and__, alnum, alnum[1:]), False]


@functools.cache
def _tokenizer_class() -> Any:
    """A `jieba.Tokenizer` whose HMM ignores the words jieba was told to split.

    jieba keeps the words given a frequency of 0 (``jieba.del_word``, or
    ``suggest_freq`` cutting a word apart) in one set of its ``finalseg``
    module, and its HMM splits them in every tokenizer: a host application
    deleting 张小明 from its own dictionary made this library's ``hmm=True``
    cut 张 小 明 too. This tokenizer runs the same HMM without that set
    (the library never gives a word frequency 0). Should jieba's HMM not be
    where jieba 0.42 has it, jieba's own tokenizer is used.

    It also finds jieba's route through a block, the likeliest words, in one
    pass over the dictionary rather than two (`lcut`), and splits a text into
    blocks with regexes of its own, jieba 0.42's (`_BLOCK`): jieba reads its
    from module globals, which a host replaces to keep other characters in a
    word (``jieba.re_han_default = ...``), and that changed this library's cut
    of every text with digits or letters.
    """
    module = _import_jieba()
    from jieba import finalseg

    hmm = getattr(finalseg, "__cut", None)  # the HMM, before the global set is applied
    if not callable(hmm):
        return module.Tokenizer
    han, skip = _HMM_BLOCK, _HMM_SKIP

    def recognize(text: str) -> Iterator[str]:
        # finalseg.cut, less its Force_Split_Words
        for block in han.split(text):
            if han.match(block):
                yield from hmm(block)
            else:
                yield from (piece for piece in skip.split(block) if piece)

    block, space = _BLOCK, _BLOCK_SPACE

    class Tokenizer(module.Tokenizer):  # type: ignore[misc,name-defined]
        # the prefix table and total `_costs` were computed from, and the costs
        _cost: tuple[dict[str, int], int, dict[str, float | None]] | None = None

        def lcut(
            self,
            sentence: Any,
            cut_all: bool = False,
            HMM: bool = True,  # jieba's name
            use_paddle: bool = False,
        ) -> list[str]:
            """jieba's ``lcut``: the same words in some 60 % of its time,
            but for the words jieba cuts out of a run of letters and digits
            (`_inside`).

            Every text of a batch is cut by this. jieba's cut goes through a
            generator per block and one per word, and looks each word up
            twice, building the word graph (`get_DAG`) and then routing it
            (`calc`); here a block is routed in one pass (`_ends`).
            """
            if cut_all or use_paddle or not isinstance(sentence, str):  # bytes jieba decodes
                return list(super().cut(sentence, cut_all, HMM, use_paddle))
            self.check_initialized()
            out: list[str] = []
            for blk in block.split(sentence):
                if not blk:
                    continue
                if block.match(blk):
                    out += self._Tokenizer__cut_DAG(blk) if HMM else self._words(blk)
                else:
                    for piece in space.split(blk):
                        if space.match(piece):
                            out.append(piece)
                        else:
                            out += piece
            return out

        def cut(
            self,
            sentence: Any,
            cut_all: bool = False,
            HMM: bool = True,  # jieba's name
            use_paddle: bool = False,
        ) -> Iterator[str]:
            """jieba's ``cut``, through `lcut`: what jieba's own methods cut
            with (``add_word`` suggesting a word's frequency) is cut alike."""
            return iter(self.lcut(sentence, cut_all, HMM, use_paddle))

        def add_word(self, word: Any, freq: Any = None, tag: Any = None) -> None:
            """jieba's ``add_word``, forgetting the log frequencies `_ends` kept."""
            super().add_word(word, freq, tag)
            self._cost = None

        def _costs(self) -> dict[str, float | None]:
            """``log(frequency) - log(total)`` of the dictionary's entries met
            so far, None for an entry of frequency 0 (the prefix of longer
            words alone): the floats `_ends` computed each time, kept for as
            long as the prefix table and total are those they came from, and
            begun again past `_COSTS_KEPT` of them (a new dict: another
            thread may be reading the one it had)."""
            kept = self._cost
            freq, total = self.FREQ, self.total
            if (
                kept is None
                or kept[0] is not freq
                or kept[1] != total
                or len(kept[2]) > _COSTS_KEPT
            ):
                kept = self._cost = (freq, total, {})
            return kept[2]

        def _ends(self, sentence: str) -> list[int]:
            """Where the likeliest word at each place of `sentence` ends (its
            last character), as jieba's `get_DAG` and `calc` route it, in one
            pass: the same sums in the same order, ties to the longer word.
            Unlike jieba, no word of two or more characters starts or ends
            inside a run of letters and digits (`_inside`).

            A word's ``log(frequency) - log(total)`` is computed once and kept
            (`_costs`): a batch meets the same words again and again, and
            taking their logarithms again was some seventh of its cut."""
            freq = self.FREQ
            total = math.log(self.total)
            log = math.log
            costs = self._costs()
            n = len(sentence)
            score = [0.0] * n + [0]  # jieba's route[n] is (0, 0)
            ends = list(range(n + 1))
            inside = _inside(sentence)
            for k in range(n - 1, -1, -1):
                best = None
                i, frag = k, sentence[k]
                # a word starting inside a run is its character alone
                last = k if inside is not None and inside[k] else n - 1
                while True:
                    if frag in costs:
                        c = costs[frag]
                    elif frag in freq:
                        f = freq[frag]
                        c = costs[frag] = log(f) - total if f else None
                    else:  # a prefix of no word of the dictionary
                        break
                    if c is not None and (inside is None or i == k or not inside[i + 1]):
                        s = c + score[i + 1]
                        if best is None or s >= best:
                            best, ends[k] = s, i
                    i += 1
                    if i > last:
                        break
                    frag = sentence[k : i + 1]
                if best is None:  # no word starts here: the character alone
                    best = log(freq.get(sentence[k]) or 1) - total + score[k + 1]
                score[k] = best
            return ends

        def _words(self, sentence: str) -> list[str]:
            # jieba.Tokenizer.__cut_DAG_NO_HMM: single letters and digits in a
            # run are one word (those of its re_eng, [a-zA-Z0-9])
            ends = self._ends(sentence)
            out: list[str] = []
            x, buf, n = 0, "", len(sentence)
            while x < n:
                y = ends[x] + 1
                word = sentence[x:y]
                if y - x == 1 and word in _ALNUM:
                    buf += word
                else:
                    if buf:
                        out.append(buf)
                        buf = ""
                    out.append(word)
                x = y
            if buf:
                out.append(buf)
            return out

        def _Tokenizer__cut_DAG_NO_HMM(self, sentence: str) -> Iterator[str]:
            return iter(self._words(sentence))

        def _Tokenizer__cut_DAG(self, sentence: str) -> Iterator[str]:
            # jieba.Tokenizer.__cut_DAG, with `recognize` for finalseg.cut
            ends = self._ends(sentence)
            x, buf, n = 0, "", len(sentence)
            while x < n:
                y = ends[x] + 1
                word = sentence[x:y]
                if y - x == 1:
                    buf += word
                    x = y
                    continue
                if buf:
                    yield from self._unknown(buf, recognize)
                    buf = ""
                yield word
                x = y
            if buf:
                yield from self._unknown(buf, recognize)

        def _unknown(self, buf: str, recognize: Any) -> Iterator[str]:
            # characters the dictionary left single: one, a word, or the HMM's
            if len(buf) == 1:
                yield buf
            elif not self.FREQ.get(buf):
                yield from recognize(buf)
            else:
                yield from buf

    return Tokenizer


# jieba builds its prefix dictionary (half a million entries) from its
# dict.txt in about a second and keeps it in ``jieba.cache`` in the temporary
# directory. Left to do that itself, jieba fails when there is no usable
# temporary directory (a read-only root filesystem), and when it cannot
# replace the cache (a read-only /tmp, a cache another user wrote) it logs a
# traceback and leaves its 9 MB temporary file behind, at every start. It
# also unmarshals whatever file has that name, and marshal data is not safe
# to load from someone else: any user of the machine can write to /tmp.
#
# The dictionary is cached here instead, one file per user, read only if it
# belongs to that user and no one else may write to it. A cache that cannot
# be read or written costs the build, never an error or a message. It is
# replaced by a rename, so processes starting together each see a whole file.
# It names the dict.txt it was built from, with its size and time: after jieba
# is upgraded or installed elsewhere, it is built again, not read. Each
# dict.txt has a file of its own, named by its path: with one for all, the
# environments of one user that each install jieba (a virtual environment
# per project or per Python version) replaced one another's, and every start
# after another environment's built the dictionary again.


def _cache_path(dictionary: str) -> str | None:
    """This user's cache file in the temporary directory for the dictionary
    file at the absolute path `dictionary`, or None without one."""
    try:
        directory = tempfile.gettempdir()
    except OSError:  # no usable temporary directory
        return None
    user = f"-{os.geteuid()}" if hasattr(os, "geteuid") else ""  # Windows: a per-user temp
    tag = hashlib.sha256(os.fsencode(dictionary)).hexdigest()[:12]
    return os.path.join(directory, f"triage-jieba{user}-{tag}.cache")


def _dictionary_file(tokenizer: jieba.Tokenizer) -> str:
    """The dictionary file `tokenizer` is built from: jieba's dict.txt by default."""
    if tokenizer.dictionary:
        return str(tokenizer.dictionary)
    return os.path.join(os.path.dirname(_import_jieba().__file__), "dict.txt")


def _dictionary_key(path: str) -> str | None:
    """The dictionary file's path, size and time, or None when it cannot be told."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def _load_dictionary(tokenizer: jieba.Tokenizer) -> None:
    """Give `tokenizer` jieba's prefix dictionary, from the cache when it can."""
    path = os.path.abspath(_dictionary_file(tokenizer))
    key = _dictionary_key(path)
    cache = None if key is None else _cache_path(path)
    loaded = None if cache is None or key is None else _read_cache(cache, key)
    if loaded is None:
        loaded = tokenizer.gen_pfdict(tokenizer.get_dict_file())
        if cache is not None and key is not None:
            _write_cache(cache, (key, *loaded))
    tokenizer.FREQ, tokenizer.total = loaded
    tokenizer.initialized = True


def _read_cache(path: str, key: str) -> tuple[dict[str, int], int] | None:
    # not through a symbolic link, and not waiting on a FIFO put in its place
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        with open(os.open(path, flags), "rb") as f:
            if not _owned(os.fstat(f.fileno())):  # the file opened, not the name
                _log.debug("jieba's dictionary cache %s not read: not this user's alone", path)
                return None
            # marshal.load reads a file object piece by piece, at twice the time
            value = marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError) as exc:
        if not isinstance(exc, FileNotFoundError):
            _log.debug("jieba's dictionary cache %s not read: %s", path, exc)
        return None
    if (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[1], dict)
        and isinstance(value[2], int)
    ):
        if value[0] == key:
            return value[1], value[2]
        _log.debug("jieba's dictionary cache %s not read: built from another dict.txt", path)
        return None
    _log.debug("jieba's dictionary cache %s not read: not a dictionary", path)
    return None


def _owned(st: os.stat_result) -> bool:
    """Whether a regular file belongs to this user and no one else may write to it."""
    if not stat.S_ISREG(st.st_mode):
        return False
    if not hasattr(os, "geteuid"):
        return True
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write_cache(path: str, value: tuple[str, dict[str, int], int]) -> None:
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".jieba.", suffix=".tmp", dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as f:
            marshal.dump(value, f)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        _log.debug("jieba's dictionary cache %s not written: %s", path, exc)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


_lazy = _Lazy()
if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(
        before=_lazy.before_fork,
        after_in_parent=_lazy.after_fork_in_parent,
        after_in_child=_lazy.new_lock,
    )


def warm_up() -> None:
    """Build the converter and tokenizer now rather than on the first call."""
    _lazy.converter()
    _lazy.tokenizer()


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A normalised text and what normalisation had to do to it.

    ``rest`` is the normalised text past `MAX_CHARS` of what was read (the
    first 16,000 raw characters, more when markup, whitespace or invisible
    characters fill them): empty unless the text was cut. The priority rules
    read it; the model does not. A cut never splits an emoji sequence or a
    letter from its marks, nor leaves a space at the end of ``text``: ``text``
    may then end a few characters short of `MAX_CHARS`.
    """

    text: str
    original_length: int
    truncated: bool
    rest: str = ""


def prepare(text: Any) -> PreparedText:
    """Check, normalise and cap a text; the result says whether it was cut.

    >>> p = prepare("  快遞  <b>太慢</b>！ ")
    >>> p.text, p.truncated
    ('快递 太慢 !', False)
    """
    raw = check_text(text)
    cut = raw[: _boundary(raw, _RAW_CAP)]
    truncated = len(raw) > _RAW_CAP
    if truncated:
        # as normalisation reads it: an editor's &nbsp; (or &#8203;, or
        # joiners that join nothing) pads as the character it stands for
        head = _SPACE.sub(" ", _clean(raw[:_MARKUP_CAP]))
        cut = head[: _boundary(head, _RAW_CAP)]
        truncated = len(raw) > _MARKUP_CAP or len(head) > _RAW_CAP
    norm = _normalize(cut)
    truncated = truncated or len(norm) > MAX_CHARS
    end = _boundary(norm, MAX_CHARS)
    if norm[end - 1 : end] == " " and end < len(norm):
        end -= 1  # the space before the cut goes with the rest: a normalised text ends in none
    return PreparedText(norm[:end], len(raw), truncated, norm[end:])


# What continues the character before it: combining marks and the keycap,
# variation selectors, skin tones, the zero-width joiner, tag characters.
_CONTINUES = re.compile(f"[{EMOJI_PARTS}\U0001f3fb-\U0001f3ff]")
_REGIONAL = re.compile("[\U0001f1e6-\U0001f1ff]")
_GRAPHEME = 32


def _boundary(text: str, cap: int) -> int:
    """Where to cut `text` to at most `cap` characters without splitting one.

    A cut never falls inside a surrogate pair, between a letter and its
    combining mark, inside an emoji sequence (a joiner, a skin tone, a
    variation selector, a keycap, a subdivision flag's tags) or between the
    two halves of a flag; it moves back to before that character instead,
    by `_GRAPHEME` characters at most (the longest emoji sequence has 11;
    a run of marks longer than that is cut where it is).
    """
    end = min(cap, len(text))
    lowest = max(end - _GRAPHEME, 0)
    while lowest < end < len(text):
        ch, before = text[end], text[end - 1]
        if (
            _CONTINUES.match(ch)
            or before == "\u200d"
            or unicodedata.category(ch) in ("Mn", "Mc", "Me")
            or ("\udc00" <= ch <= "\udfff" and "\ud800" <= before <= "\udbff")
        ):
            end -= 1
        elif _REGIONAL.match(ch) and _REGIONAL.match(before):
            # a flag is two indicators: the cut splits one if an odd number lead up to it
            start = end
            while start > 0 and _REGIONAL.match(text[start - 1]):
                start -= 1
            end -= (end - start) % 2
            break
        else:
            break
    return end if end > lowest else min(cap, len(text))


def normalize(text: str) -> str:
    """Normalise a complaint for matching and features.

    Unicode NFKC (full-width letters, digits and punctuation become their
    half-width forms; a circled number ``①`` becomes ``(1)``, not a digit
    that would run into the number after it), traditional characters to
    simplified, HTML tags and entities removed, control and zero-width
    characters removed, as are the joiners and variation selectors of emoji
    sequences that follow no emoji (客\u200d服 is 客服; `EMOJI_PARTS`), runs
    of whitespace collapsed to one space. Emoji and
    repeated punctuation such as ``！！！`` (``!!!`` after NFKC) are kept:
    they are emotion signals. A text of nothing but tags, control, zero-width
    and format characters normalises to ``""``, as a blank one does.

    Only HTML elements with attributes in HTML's syntax are tags: angle
    brackets around other text, such as a product name ``<iPhone15>`` or a
    comparison ``a<b 且 c>d``, are kept. Likewise an entity without its
    ``;`` is read only when it is one of HTML's old names standing alone
    (``&nbsp``), so that a pasted link keeps ``&timestamp=`` and ``&region=``.

    Raises
    ------
    InvalidTextError
        `text` is not a str (None, NaN, a number ...). Also a `TypeError`.

    Examples
    --------
    >>> normalize("這家店的服務態度太差了！！！😡")
    '这家店的服务态度太差了!!!😡'
    >>> normalize("<p>快递&nbsp;一周\\u200b还没到</p>")
    '快递 一周还没到'
    """
    return _normalize(check_text(text))


# Circled numbers (① to ⑳, ⓪, ㉑ to ㊿) mark the points of a list, and NFKC
# makes them bare digits that run into the digits after them: "①12315投诉过"
# read as 112315, "②3天没发货" as 23 days. They become "(1)", as NFKC makes ⑴.
_CIRCLED_NUMBER = re.compile("[\u2460-\u2473\u24ea\u3251-\u325f\u32b1-\u32bf]")


def _nfkc(text: str) -> str:
    if _CIRCLED_NUMBER.search(text):
        text = _CIRCLED_NUMBER.sub(
            lambda match: f"({unicodedata.normalize('NFKC', match[0])})", text
        )
    return unicodedata.normalize("NFKC", text)


def _normalize(text: str) -> str:
    text = _clean(text)
    if _BLANK.fullmatch(text):
        return ""
    text = _SPACE.sub(" ", text).strip()
    if text and not text.isascii():
        # what a removed character stood between is joined now: a letter and
        # its accent compose, two accents take their canonical order
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        text = _simplify(text)
    return text


def _clean(text: str) -> str:
    """`text` in NFKC without its tags, entities, control characters and stray
    emoji parts; its whitespace and its traditional characters as they are.
    A few linear passes: `prepare` cleans up to `_MARKUP_CAP` characters so."""
    if _SURROGATE.search(text):
        # Join the pairs that make a character; lone halves become U+FFFD.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    # Control and zero-width characters go first: left in until after the tags
    # and entities, <b\u200b> or &\u200blt; would become a tag or an entity then.
    text = _CONTROL.sub("", _nfkc(text))
    # Unescaping can reveal a tag (&lt;b&gt;), another entity (&amp;lt;) or a
    # control character (&#8203;), NFKC can make a tag from full-width
    # brackets, and removing a stray emoji part (<\u200db>, &\ufe0flt;) a tag
    # or an entity: repeat until nothing changes, so that normalising twice
    # gives what normalising once gave. The parts go after the entities,
    # which may decode to the emoji a part follows (&#9786;\ufe0f).
    for _ in range(4):
        if "<" not in text and "&" not in text:
            break
        before = text
        if "<" in text:
            text = _strip_tags(text)
        if "&" in text:
            text = _CONTROL.sub("", _nfkc(_unescape(text)))
        if _PART.search(text):
            text = _STRAY_PARTS.sub("", text)
        if text == before:
            break
    if _PART.search(text):  # a third of the cost of looking behind every character
        text = _STRAY_PARTS.sub("", text)
    return text


def _simplify(text: str) -> str:
    """Traditional characters to simplified, converted again until nothing changes.

    OpenCC's t2s is not idempotent on a few characters and names: 薴 gives
    苧, which it would give as 苎, and 陳昇 gives 陈昇, then 陈升. Converting
    until the text stays as it is (twice at most for these) keeps
    `normalize` idempotent; a simplified text is converted once.

    坏, the simplified 壞 (broken), is kept as it is: OpenCC 1.3.2 and 1.4.0
    make every 坏 the 坯 of pottery, and 1.4.2 still does in 打坏, 拉坏 and
    坏处, reading 坏 as an old form of 坯, which it never is in a complaint.
    The text is converted between its 坏.

    Then the forms t2s leaves as Taiwan and Hong Kong write them become the
    mainland's (`_MAINLAND`), as the dictionary and the model read them:
    著 as the aspect marker 着 (著急, 等著, 著火) but where it means notable
    or written (著名, 显著, 著作), 甚么 什么, 帐号 帐单 帐户 账号 账单 账户,
    衞 卫, and the characters OpenCC's hk2s and tw2s make mainland ones: 枱
    台 (前枱 is the front desk), 衹 只, 粧 妆, 痺 痹, 敍 叙, 簷 檐, 糭 粽,
    睪 睾; and 暱 昵 (暱稱, the nickname) and 揹 背, which s2t writes and
    t2s leaves.

    A text written in traditional characters (`_taiwan_script`) has Taiwan's
    words then written as the mainland's (`_TAIWAN_FORM`: 软体 软件, 网路 网络,
    影片 视频, 萤幕 屏幕, 联络 联系 ...), which the model, learned from the
    mainland's texts, reads; a simplified text keeps its words.

    A text written in Cantonese, with a character Mandarin does not write
    (`_CANTONESE_SCRIPT`: 咗 冇 唔 嘅 喺 哋 啲 嘢 嚟 佢 ..., but 唔 before a
    pause, Mandarin's hum), or asking 系咪, or 点样 or 点解 where a clause
    starts, or saying 仲未 or web Cantonese's 系度, has its words of grammar
    and everyday speech written as Mandarin's (`_CANTONESE_FORM`: 咗 了, 冇 没,
    唔 不, 嘅 的, 喺 在, 喺度 在这里, 你哋 你们, 佢 他, 系 是, 仲 还, 系咪
    是不是, 有冇 有没有, 嬲 生气, 好嬲 很生气, 攰 累, 听日 明天, 琴日 昨天, 睇
    看, 揾 找, 点解 为什么, 食到 吃到, 瞓唔到 睡不着, 咁 这么 but 这样 where it
    ends a clause ...), and V唔到 as V不了 after a verb of working a thing or
    doing a step (开唔到机 开不了机, 用唔到 用不了, 退唔到款 退不了款), as
    V不到 after one of getting (揾唔到 找不到, 收唔到 收不到), so that
    打咗五次电话都冇人理 is read as 打了五次电话都没人理 by the rules, the
    dictionary and the model alike; Mandarin's words of 系 and 仲 (系统, 联系,
    关系, 仲裁, 仲介) stay, as do the words of Cantonese that Mandarin shares
    (屙, 肚痛, 入院).
    """
    convert = _lazy.converter().convert
    written = text
    for _ in range(4):
        converted = "坏".join([convert(part) for part in text.split("坏")])
        # the mainland's forms inside the loop: 藉著 is 藉着 to t2s, which
        # it converts again, as 借着
        converted = _MAINLAND.sub(_mainland, converted)
        if converted == text:
            break
        text = converted
    if text != written and _taiwan_script(written, text):
        text = _TAIWAN.sub(_taiwan, text)
    if _CANTONESE_SCRIPT.search(text):
        text = _CANTONESE.sub(_cantonese, text)
    return text


def _taiwan_script(written: str, simplified: str) -> bool:
    """Whether `written` is written in traditional characters: more of its
    characters are traditional ones t2s changed than simplified ones s2t
    would change. A simplified text with a traditional character or two
    (怎麽, 回覆) is not; the traditional text's own 台 or 里 do not make it
    simplified."""
    if len(simplified) != len(written):
        return False
    traditional = sum(a != b for a, b in zip(written, simplified, strict=True))
    back: str = _lazy.to_traditional().convert(written)
    if len(back) != len(written):
        return False
    return traditional > sum(a != b for a, b in zip(written, back, strict=True))


# Taiwan's words for what the mainland, whose texts the dictionary and the
# model read, says otherwise; in a text written in traditional characters
# alone. Not OpenCC's tw2sp, whose list is of computing: it makes 行程 (a
# trip) 进程, 程序 (a procedure) 进程, 文件 文档, 资料 数据, 执行 运行,
# 登出 注销, 存取款 访问款, 指标 指针 and 通道 信道.
_TAIWAN_FORM = {
    "软体": "软件", "硬体": "硬件", "韧体": "固件", "网际网路": "互联网", "网路": "网络",
    "影片": "视频", "视讯": "视频", "资讯": "信息", "使用者": "用户", "萤幕": "屏幕",
    "联络": "联系", "开启": "打开", "解析度": "分辨率", "选单": "菜单", "简讯": "短信",
    "讯号": "信号", "讯息": "消息", "记忆体": "内存", "随身碟": "U盘", "印表机": "打印机",
    "滑鼠": "鼠标", "硬碟": "硬盘", "光碟": "光盘", "计程车": "出租车", "脚踏车": "自行车",
    "登入": "登录", "宽频": "宽带", "网咖": "网吧", "部落格": "博客",
    "笔记型电脑": "笔记本电脑", "空气清净机": "空气净化器", "塑胶": "塑料", "晶片": "芯片",
    "档案": "文件", "资料夹": "文件夹", "点选": "点击", "搜寻": "搜索", "高画质": "高清",
    "频宽": "带宽", "雷射": "激光", "骇客": "黑客", "重灌": "重装", "相容": "兼容",
    "效能": "性能", "预设值": "默认值", "载入": "加载", "价效比": "性价比", "咖哩": "咖喱",
    "显示卡": "显卡",
}  # fmt: skip
# the longest first; 网路由器 is 网 and 路由器
_TAIWAN = re.compile(
    "|".join(
        f"{word}(?!由)" if word == "网路" else word
        for word in sorted(_TAIWAN_FORM, key=len, reverse=True)
    )
)


def _taiwan(match: re.Match[str]) -> str:
    return _TAIWAN_FORM[match[0]]


# Characters of written Cantonese that Mandarin does not write: a text that
# holds one is Cantonese, and its words of `_CANTONESE_FORM` are read as
# Mandarin writes them. 𠮶 is 嗰 (that) as t2s gives it. 唔 is Cantonese's
# no before the word it negates, and Mandarin's hum (唔，让我想想, 唔……)
# before a pause or beside another 唔. A text with none of them is Cantonese
# too when it asks 系咪 (is it) or, where a clause starts, 点样 (how) or 点解
# (why), but not 点解锁 (tap to unlock); when it says 仲未 (not yet), which
# Mandarin never writes (伯仲未分 aside); or when it writes 喺度 (here) 系度,
# as Guangdong's web Cantonese does, where 系 is none of Mandarin's words.
_NOT = "(?<!唔)唔(?![唔\\s,.!?;:~。、…]|$)"
# 点 asks (点解 why, 点样 how, 点算 what now) where a clause or a question
# starts: 快点解决, 重点解决 and 这点算什么 are Mandarin's 点.
_ASKS = "(?<![^\\s,.!?;:~你佢我们哋但又就仲咁究竟到底下问])"
# 系 is 係 (is) as t2s writes it, but in Mandarin's words of 系: 系统, 系列,
# 系数, 联系, 关系 and 没关系, 体系, 维系, 一系列, 菜系, 派系, 直系 and 旁系,
# 院系, 语系, 星系 and 银河系, and 系 where it ties (系上, 系紧, 系鞋带).
_ENDS_A_WORD_OF_XI = "联关体维列菜派直旁嫡院语星河阳水谱世干"
_IS = f"(?<![{_ENDS_A_WORD_OF_XI}])系(?![统列数上紧鞋])"
# 喺度 (here, or doing now), which web Cantonese writes 系度: 一直系度等 is
# 一直在这里等, but 联系度假村 is 联系 and 度假村, as 喺度假村 is 在度假村.
# Its lookbehind follows the 系, as that of 仲 below: every text is searched
# for the marks of Cantonese, and a pattern that starts with its character
# is passed over at once where the character is not, where one that starts
# with a lookbehind is tried at every place (the search took some 60 % longer).
_HERE = "喺度(?!假)"
_HERE_ONLINE = f"系(?<![{_ENDS_A_WORD_OF_XI.replace('直', '')}]系)度(?!假)"
# 仲 (still, even) is 还, but Mandarin's 仲裁, Taiwan's 仲介 (an agent), 伯仲
# and the 仲 of the seasons (仲夏, 仲秋).
_STILL = "仲(?<!伯仲)(?![裁介夏秋春冬])"
_CANTONESE_SCRIPT = re.compile(
    f"[咗冇嘅喺哋啲嘢嚟嬲揾睇畀咁嗰𠮶㗎喎嘞乜佢瞓掟攞啱噉冚攰嘥嗌]|{_NOT}|系咪"
    f"|{_ASKS}点(?:样|解(?![锁压冻封绑]))|{_STILL}未|{_HERE_ONLINE}"
)
# V唔到 is "cannot V": Mandarin's V不到 where the verb is one of reaching or
# getting (揾唔到 找不到, 收唔到 收不到, 睇唔到 看不到, 买唔到 买不到), but V不了
# after a verb of working a thing or doing a step (开唔到机 开不了机, 用唔到
# 用不了, 登入唔到 登入不了, 退唔到款 退不了款, 改唔到 改不了), and 瞓唔到 is
# 睡不着. Before a number it is "less than" (用唔到一日就坏咗, 唔到一日), 不到.
_UNABLE = "开关用退改充付装玩修删载录入上连消动"
_CANNOT = f"(?<=[{_UNABLE}])唔到(?![一二两三四五六七八九十百千半几0-9])"
# Cantonese's words of grammar and everyday speech, as Mandarin writes them,
# 佢 (he, she) among them, and 系 and 仲 where they are Cantonese's; 话 (say)
# stays, as in 电话 and 话费, and the policy reads it after 他. The particles
# at a clause's end (㗎, 喎, 啦), which mean nothing to a reader, stay.
# 咁 is 这么 before what it measures (咁贵, 咁多, 咁慢), but 这样 where it
# ends a clause, before a particle or 嘅, or before 都 and 就 (点解会咁?,
# 都系咁㗎, 咁嘅服务, 咁都得?, 咁就算?), as is 噉.
_SO = "咁(?=[嘅的噶既㗎喎啦呀啊咩噃嘛吖喇嘞囉咯架都就\\s,.!?;:~。、…]|$)"
_CANTONESE_FORM = {
    "(?<!唔)唔该": "麻烦", "(?<!唔)唔使": "不用", _NOT: "不", "冇": "没", "咗": "了", "嘅": "的",
    "喺": "在", "你哋": "你们", "我哋": "我们", "差啲": "差点", "快啲": "快点",
    "好啲": "好点", "多啲": "多点", "少啲": "少点", "早啲": "早点", "啲": "些",
    "乜嘢": "什么", "咩嘢": "什么", "讲嘢": "说话", "做嘢": "做事", "嘢": "东西", "嚟": "来",
    "有冇": "有没有", "冇乜(?!嘢)": "没什么", "无乜(?!嘢)": "没什么", "做乜(?!嘢)": "做什么",
    "搞乜(?!嘢)": "搞什么",
    "攰": "累", "听日(?![语本文])": "明天", "琴日": "昨天", "寻日": "昨天",
    "嬲死": "气死", "好嬲(?!死)": "很生气", "嬲": "生气", "揾": "找", "睇": "看",
    "畀": "给", "俾": "给", "咁样": "这样", _SO: "这样", "咁": "这么", "噉": "这样",
    "嗰": "那", "𠮶": "那", "依家": "现在",
    "而家": "现在", "宜家": "现在", "边个": "谁", "边度": "哪里", "污糟": "脏",
    _HERE: "在这里", _HERE_ONLINE: "在这里",
    _CANNOT: "不了", "瞓唔到": "睡不着", "瞓": "睡", "掟": "扔", "攞": "拿", "嘈(?!杂)": "吵",
    "食到": "吃到", "食完": "吃完", "食咗": "吃了", "食了": "吃了", "食过": "吃过",
    "好食": "好吃", "难食": "难吃",
    f"{_ASKS}点解": "为什么", f"{_ASKS}点样": "怎样", f"{_ASKS}点算": "怎么办",
    "佢哋": "他们", "佢": "他", "系咪": "是不是", "啱啱": "刚刚", "啱": "对", _IS: "是",
    _STILL: "还",
}  # fmt: skip


def _word(pattern: str) -> str:
    """The word a key of `_CANTONESE_FORM` spells, without its lookarounds."""
    return re.sub(r"\(\?<?[!=][^)]*\)", "", pattern)


# the longest first; 嘈杂 is Mandarin's noise, kept. Each key is a group of
# its own, which tells what the word matched is read as: the same word may be
# read otherwise in another context, the key of that context before it (咁).
_CANTONESE_KEYS = sorted(_CANTONESE_FORM, key=lambda word: len(_word(word)), reverse=True)
_CANTONESE = re.compile("|".join(f"({key})" for key in _CANTONESE_KEYS))
_CANTONESE_READ = ("", *(_CANTONESE_FORM[key] for key in _CANTONESE_KEYS))


def _cantonese(match: re.Match[str]) -> str:
    return _CANTONESE_READ[match.lastindex or 0]


# 著 stays only in the words where the mainland writes it too
_MAINLAND = re.compile(
    "(?<![显卓昭土名原巨论专编合所遗新拙译])著(?![名作称述书者录])|甚么|帐(?=[号单户])"
    "|[衞枱衹粧痺敍簷糭睪暱揹]"
)
_MAINLAND_FORM = {
    **{"著": "着", "甚么": "什么", "帐": "账"},
    **dict(zip("衞枱衹粧痺敍簷糭睪暱揹", "卫台只妆痹叙檐粽睾昵背", strict=True)),
}


def _mainland(match: re.Match[str]) -> str:
    return _MAINLAND_FORM[match[0]]


def tokenize(normalized: str, *, hmm: bool = False, words: Words = ()) -> list[str]:
    """Segment an already normalised text with the library's tokenizer.

    Whitespace tokens are dropped. This is the hot path shared by every model;
    `segment` is the public, normalising entry point. `words` (as `read_words`
    gives them) are added to a copy of the library's dictionary: the one a
    model with those words holds, or one of the last few made here.
    """
    return tokenize_with(_lazy.extended(words) if words else _lazy.tokenizer(), normalized, hmm)


def tokenizer_for(words: Words = (), *, keep: bool = False) -> jieba.Tokenizer:
    """The library's tokenizer, or with `words` a copy of its dictionary with
    them added, for `tokenize_with`.

    A copy is made once for as long as anything holds it: a model holds the
    copy of its words for as long as it lives, and models of the same words
    share it. Once nothing does, it is freed (some 15 MB), and made again
    (some 40 ms) when asked for. With `keep` it is also kept among the last
    few `tokenize` was asked for, as fitting wants it, which cuts the same
    texts again in other places.
    """
    if not words:
        return _lazy.tokenizer()
    return _lazy.extended(words) if keep else _lazy.held(words)


def tokenize_with(tokenizer: jieba.Tokenizer, normalized: str, hmm: bool) -> list[str]:
    """`tokenize` with a tokenizer at hand (`tokenizer_for`)."""
    tokens: list[str] = tokenizer.lcut(normalized, HMM=hmm)
    if _SPACE.search(normalized) is None:  # no whitespace, so no whitespace token
        return tokens
    return [t for t in tokens if not t.isspace()]


#: Words for the segmenter: ``(word, frequency or None, part-of-speech tag or None)``.
Words = tuple[tuple[str, int | None, str | None], ...]

_ENTRY = re.compile(r"(.+?)(?: ([0-9]+))?(?: ([a-z]+))?")
# The longest word a user dictionary may give (jieba's own dictionary's are
# 16 characters). At each place of a text the segmenter walks on through the
# dictionary for as long as the text spells the start of a word, so a word of
# 2,000 characters made each text that repeats its start take seconds; a
# longer line is rather a text than a word.
_LONGEST_WORD = 32
# what jieba keeps in one word (its ``re_han_default``): other characters
# split a text before its dictionary is looked at
_JIEBA_WORD = re.compile(r"[\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]+")


def read_words(source: Any) -> Words:
    """Words to add to the segmenter's dictionary, from a jieba user dictionary.

    Parameters
    ----------
    source : None, path-like or sequence of str
        None (no words); the path of a UTF-8 text file of one entry a line,
        as `jieba.load_userdict` reads it; or the entries themselves. An
        entry is a word, optionally followed by a space and its frequency (a
        whole number, higher cuts it out more readily; jieba suggests one
        that keeps the word whole when it is left out) and by a space and a
        part-of-speech tag: ``花呗``, ``花呗 5``, ``花呗 5 nz``. A tab or a
        full-width space separates the fields as a space does, and a
        frequency may be written in full-width digits. Blank lines are
        passed over.

    Returns
    -------
    tuple of (word, frequency or None, tag or None)
        In the order given, a word given twice in the place of its first
        entry with the values of its last (as jieba would). Each word is
        normalised as texts are (`normalize`: traditional to simplified,
        full-width to half-width), so that it meets the words it is meant for.

    Raises
    ------
    triage.ParameterError
        `source` is of another type, a string that names no file, or a file
        that is not UTF-8; an entry whose word normalises to nothing, holds
        a space or is longer than 32 characters (a line of text rather than
        a word, which would make segmenting slow), or whose frequency is 0
        (jieba would then change its own global state) -- named by its line.

    Warns
    -----
    TriageWarning
        Words that hold characters jieba never keeps in a word (brackets,
        "·", symbols): they are kept, but a text is split at those characters
        before the dictionary is looked at, so they can never be cut whole.

    Examples
    --------
    >>> read_words(["花呗", "借唄 5", "ETC卡 10 nz"])
    (('花呗', None, None), ('借呗', 5, None), ('ETC卡', 10, 'nz'))
    """
    if source is None:
        return ()
    if isinstance(source, str | os.PathLike):
        path = os.fspath(user_path(source))
        if os.path.isdir(path):
            raise ParameterError(
                f"words={path!r} is a directory; pass the path of a user dictionary file "
                "(one word a line) in it"
            )
        if not os.path.isfile(path) and "\n" in path:  # a dictionary's text, not its path
            raise ParameterError(
                f"words is one str of {counted(len(path.splitlines()), 'line')}, not the path "
                "of a user dictionary; pass its lines as a list of words, text.splitlines()"
            )
        if not os.path.isfile(path):
            raise ParameterError(
                f"words={path!r} names no file; pass the path of a user dictionary "
                f"(one word a line) or a list of words, such as [{path!r}]"
            )
        try:
            with open(path, encoding="utf-8-sig") as f:
                lines = f.read().splitlines()
        except UnicodeDecodeError as exc:
            raise ParameterError(f"words: {path} is not UTF-8 text ({exc})") from None
        where = path
    elif isinstance(source, list | tuple) and all(isinstance(w, str) for w in source):
        lines, where = list(source), "words"
    else:
        raise ParameterError(
            f"words must be None, the path of a user dictionary or a list of str, "
            f"got {type(source).__name__}"
        )
    entries: dict[str, tuple[str, int | None, str | None]] = {}
    for number, line in enumerate(lines, 1):
        # a word and its frequency typed in full width, or a spreadsheet's
        # columns, are fields as jieba's, split by one space
        line = _SPACE.sub(" ", _nfkc(line)).strip()
        if not line:
            continue
        match = _ENTRY.fullmatch(line)
        assert match is not None  # (.+?) takes any line
        raw, freq, tag = match.groups()
        word = _normalize(raw).strip()
        if not word or _SPACE.search(word):
            raise ParameterError(
                f"{where}, line {number}: {raw!r} is no word the segmenter can keep whole "
                "(it is empty or holds a space once normalised)"
            )
        if len(word) > _LONGEST_WORD:
            raise ParameterError(
                f"{where}, line {number}: {word[:20]!r}... has {len(word)} characters, more "
                f"than the {_LONGEST_WORD} a word may have: the segmenter follows a word's start "
                "at each place of a text that spells it, so a long entry makes such texts slow "
                "to cut; give the words of your domain, one a line"
            )
        if freq is not None and int(freq) == 0:
            raise ParameterError(
                f"{where}, line {number}: frequency 0 for {word!r}; give 1 or more, or none"
            )
        entries[word] = (word, None if freq is None else int(freq), tag)
    split = [w for w in entries if not _JIEBA_WORD.fullmatch(w)]
    if split:
        shown = ", ".join(map(repr, split[:5])) + (
            f" and {len(split) - 5} more" if len(split) > 5 else ""
        )
        warnings.warn(
            f"{where}: {shown} can never be cut whole: jieba splits a text at characters other "
            "than Han characters, letters, digits and + # & . _ % -",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )
    return tuple(entries.values())


def segment(text: str, *, drop_stopwords: bool = False, hmm: bool = False) -> list[str]:
    """Normalise `text` and cut it into words.

    Uses the library's own `jieba.Tokenizer` with its complaint-domain user
    dictionary; the global ``jieba`` state is left alone. A run of ASCII
    letters and digits (a phone, order or waybill number, a Latin word) is
    one token, or is cut only where a word of the dictionary spans it whole
    (``4S店``): unlike jieba, the library does not cut 12345 out of
    13812345678, nor app out of apple.

    Parameters
    ----------
    text : str
        The complaint.
    drop_stopwords : bool, default False
        Drop function words (的, 了, 我 ...) as the word features do.
    hmm : bool, default False
        Let jieba guess unknown words with its HMM (slower; the models are
        trained without it).

    Returns
    -------
    list of str

    Raises
    ------
    InvalidTextError
        `text` is not a str. Also a `TypeError`.
    ParameterError
        `drop_stopwords` or `hmm` is not True or False (``"no"`` would be
        true).

    Examples
    --------
    >>> segment("外卖小哥态度很差，还要退差价")
    ['外卖小哥', '态度', '很', '差', ',', '还要', '退差价']
    """
    text = check_text(text)
    _check_flag("drop_stopwords", drop_stopwords)
    _check_flag("hmm", hmm)
    tokens = tokenize(_normalize(text), hmm=hmm)
    if drop_stopwords:
        stop = stopwords()
        tokens = [t for t in tokens if t not in stop]
    return tokens


def _check_flag(name: str, value: object) -> None:
    """Refuse an option that is no bool, numpy's aside: ``"no"`` would be true."""
    if isinstance(value, bool):
        return
    import numpy as np  # not at import: the core imports no numpy for a str

    if not isinstance(value, np.bool_):
        raise ParameterError(f"{name} must be True or False, got {value!r}")


def stopwords() -> frozenset[str]:
    """The stopword list used by the word features."""
    return word_list("stopwords.txt")

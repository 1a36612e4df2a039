"""The priority engine: an explainable P1 to P4 level, a deadline and a team.

`prioritize` is a pure function of the normalised text, the category and
emotion results and, optionally, a learned distribution over levels and the
context of the complaint. Every level it sets comes with its reasons: a stable
code, a Chinese and an English description and the evidence, the spans of the
text that made a rule fire.

How a level is reached, in order (when two levels fit, the higher wins):

1. **Triggers** of the policy, regular expressions per level, are matched
   against the text, read through the spaces inside Chinese words and between
   single digits (``报 警``, ``1 2 3 1 5``) and the emoji and symbols typed
   inside Chinese words (``报👮警``, ``曝·光``; the evidence spans keep them).
   Between two words an emoji ends a clause, as a comma does: a negation does
   not reach across one (``没到😡报警`` is a threat) unless it wants a verb
   after it (``不会😭拉肚子``) or the emoji stands inside it (``没😡有报警``).
   A match is dropped when its context changes its meaning, as listed in the
   trigger's ``cancel_on``:

   - ``negation``: a negation governs the match (``没拉肚子``, ``还好没有受伤``,
     ``不至于去投诉``), an intent is denied (``我不是要投诉到12315``) or a
     threat with what it is about between (``我不会把这事发网上``);
   - ``hypothetical``: the harm is only feared or supposed (``万一吃坏肚子``).
     Threats do not list it: ``如果再这样我就去12315`` is a threat and counts;
   - ``question``: the clause asks whether it could happen (``会过敏吗``) or
     whether the customer may act (``是不是可以打12315?``) or whether it was
     so before (``你们是不是被曝光过?``); an ultimatum
     (``要我去12315投诉你们才处理吗?``) asks nothing;
   - ``reported``: someone else said it. A threat that staff voice
     (``客服说"你去投诉吧"``, ``前台说:你去报警吧``, ``客服让我去12315投诉``)
     is not the customer's own threat and does not count; what the customer
     says (``我说"再不退就报警"``) does;
   - ``notice``: a notice to every reader, not the customer's act: a footer
     or boilerplate (``如有问题请拨打12315``, ``举报电话:12315``, a link
     ``回复|举报``) raises nothing;
   - ``retracted``: the text takes it back after saying it: the negated half
     of a contrast (``不是吃出石子,是吃出头发``) or an intent given up
     (``我本来想报警的,后来算了``). The policy's pairs of patterns say what
     ends right before the match and what starts right after it, in the rest
     of its sentence; the trigger's matches inside what they read are taken
     back too (the ``律师`` of ``本来想起诉,律师说没必要``);
   - ``circumstance``: the match is the customer's own state, named as the
     reason for an ask of something else: an ill or injured customer's ask
     of the delivery (``我肚子疼,外卖放门口就行``, ``我腿骨折了,麻烦送上楼``)
     or a question whether a product suits them (``孩子肠胃炎,这个奶粉适合吗``).
     The policy's pairs of patterns say what asks, starting right after the
     match in the rest of its sentence, or in the next one where nothing but
     a particle is left of it (``我腿骨折了。麻烦送上楼``), and what, found
     anywhere in the text, ties the match to what was eaten or used, to who or what did it,
     or complains of it (``吃了``, ``把我撞倒了``, ``漏电``, ``不新鲜``,
     ``退款``): a match so tied is a harm done, whatever is asked after it
     (``吃了你们的菜拉肚子了,明天别送了``). A pair may read the ask said
     first instead (``before``): ending right before the match, where nothing
     but a particle is left of the match's sentence (``麻烦送上楼,我腿骨折了``).
2. **Signals** from the other results, for a text that complains about at
   least one category: strong anger raises to P2 (when the
   signal ``needs_problem``, only if a concrete-problem cue of the text fired
   too: the model's intensities are noisy, an outburst about nothing concrete
   is not high priority); a category makes an ordinary problem (P3) when one
   of the triggers the category signal ``requires`` fired (a concrete-problem
   cue such as ``送错``, ``态度差``; with no ``requires``, any category does),
   unless the text is only mild: no trigger above P3 and no displeasure
   (angry, anxious or aggrieved; the policy's ``signals.category.emotions``), and
   either praise beside the complaint (a ``mixed`` trigger: ``菜还不错,就是有点咸``)
   or a hedge, suggestion or question (a ``mild`` trigger) in the clause of
   every ordinary cue (``有点慢``, ``建议把退货入口做得明显一点``). A cue in a
   clause of its own stays a problem (``隔音太差,建议加装双层玻璃``). A policy
   may put the category signal at another level; a mild text stays mild.
   Anything else is P4, the floor that the learned signal may raise.
3. **Context**: earlier complaints of the same customer make a repeat (P2);
   some channels (a regulator hotline) and customer tiers set a floor. They
   are matched whatever their case, their width (full-width letters), their
   script (traditional or simplified) and the spaces around them; a policy
   whose keys differ only so (``vip`` and ``VIP``) is refused.
4. **Learned signal**: a model's distribution may raise the level. The levels
   are ordered, so the model's vote for a level L is the probability that the
   complaint is L *or more urgent*; the most urgent L (more urgent than the
   rule level) whose vote reaches the policy threshold for L wins. It never
   lowers a level, and its reason has ``source="model"``. Nor does it make a
   crisis of a text that denies one: when a P1 trigger matched only where a
   negation, hypothetical, question or quote cancelled it (``还好没有拉肚子``),
   the model's P1 probability counts for no level.

Each reason's ``source`` says which of these set it: ``"rule"`` a rule of the
policy, a trigger (1), a signal (2) or the floor (``P4.none``); ``"context"`` the context (3);
``"model"`` the learned signal (4) alone, the model's own vote for a level. A
signal reads what the model found, its categories and emotions, by the
policy's thresholds: ``P2.emotion.angry`` is strong anger as the model reads
it, and a rule, as ``P3.category`` is.

Every P1 and P2 result carries at least one reason with evidence. A trigger's
evidence is what it matched, an emotion signal's the words of its ``cues``
found in the text; the category signal, the context and the learned signal
have no span of their own. When no reason at the result's level has evidence,
the first of them borrows the strongest supporting cue the engine found in the
text (the span of the most urgent trigger that matched, even one below the
final level) or, when the text matched nothing, its first sentence.

Policy
------
The policy is data. The default is the package file
``triage/resources/policy.toml``; its comments document every key. A user
policy is a TOML or JSON file or a dict with ``format = 1`` that either

- **replaces** the default: it must then give every section; or
- **extends** it, with ``extends = "default"``: tables are merged key by key
  (the user's value wins), ``triggers`` and ``signals.emotions`` are merged by
  ``code`` (an entry with an existing code replaces it, a new code is
  appended), ``disable`` lists trigger or emotion-signal codes to drop (a
  trigger the category signal names in ``mild``, ``mixed`` or ``requires`` must be
  dropped there too, by giving that list), and any other list replaces the
  default's list. A channel or tier of ``context.channels`` or
  ``context.tiers`` replaces the default's whatever its case (``VIP``
  replaces ``vip``).

A malformed policy raises `triage.exceptions.PolicyError` at load time with a
message naming the bad entry; unknown keys are errors, not ignored.
"""

from __future__ import annotations

import abc
import bisect
import contextlib
import contextvars
import dataclasses
import functools
import json
import math
import operator
import os
import re
import sys
import threading
import tomllib
import unicodedata
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage._paths import user_path
from triage._resources import read_toml
from triage._words import counted
from triage._words import shown as _cut
from triage.exceptions import ParameterError, PolicyError, TriageWarning, user_stacklevel
from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES, Category, Emotion, Priority
from triage.results import CategoryResult, EmotionResult, Evidence, PriorityResult, Reason
from triage.text import _RAW_CAP, EMOJI_PARTS, PICTOGRAPHS, _clean, _simplify, check_text

__all__ = [
    "MODIFIERS",
    "POLICY_FORMAT",
    "CategorySignal",
    "Context",
    "EmotionSignal",
    "Policy",
    "Trigger",
    "default_policy",
    "load_policy",
    "prioritize",
]

#: Version of the policy format; a policy file says ``format = 1``.
POLICY_FORMAT = 1

#: The contexts that may cancel a trigger match (a trigger's ``cancel_on``).
MODIFIERS: tuple[str, ...] = (
    "negation",
    "hypothetical",
    "question",
    "reported",
    "notice",
    "retracted",
    "circumstance",
)

_DEFAULT_CANCEL: tuple[str, ...] = ("negation", "question")
# `Priority.rank` is a property; the hot path reads this dict instead.
_RANK: dict[Priority, int] = {p: p.rank for p in PRIORITIES}
_DEFAULT_FILE = "policy.toml"
# The longest deadline: batch output holds deadlines as 32-bit integers (4,000 years).
_MAX_DEADLINE = 2**31 - 1
_MAX_SPANS = 3
# A clause ends at these characters; a sentence at the second set.
_CLAUSE_END = frozenset(",，.。!！?？;；:：\n、~")
_SENTENCE_END = frozenset(".。!！?？;；\n")
_SENTENCE_STOP = re.compile("[.。!！?？;；\n]")
# what may be left of a sentence after a match the `circumstance` modifier reads the
# next sentence after (我腿骨折了。), and the ends of sentences between the two
_BARE_REST = re.compile(r"[了啦呀啊哦呢嘛的,，\s]*")
_SENTENCE_RUN = frozenset(".。!！;；\n\t\r ")
_PARTICLES = frozenset("吗呢吧么")  # what ends a question
_QUOTES_OPEN = frozenset('“「『"')
_QUOTES_CLOSE = frozenset('”」』"')
# What a customer types inside a word, as around a platform's filter (报👮警,
# 曝·光, 报*警): pictographs and the invisible parts of their sequences
# (报☎\ufe0e警), the keycap, middle dots, an asterisk or an underscore.
# Between two Chinese characters they are read through, with the spaces
# beside them.
_FILLERS = "·•・*_\u20e3" + EMOJI_PARTS + PICTOGRAPHS
_FILLER = re.compile(f"[{_FILLERS}]")
# Between two words an emoji ends a clause, as a comma does (没到😡报警), so a
# negation does not reach across one, unless it ends in a word that wants a
# verb after it (不会😭拉肚子, 不要😡曝光).
_PICTOGRAPH = re.compile(f"[{PICTOGRAPHS}]")
# 不, 别 and 未 end no clause either (我不😤报警); 没 and 没有 may (退款都没有😡报警了
# is a report), so a threat after them and an emoji counts.
_WANTS_VERB = re.compile("(?:会|要|用|想|能|敢|得|至于|必|怎么|打算|准备|考虑|不|别|未)$")
_GAP = re.compile(f"[ {_FILLERS}]+")
# The customer taking up their own act after reporting what someone said,
# unpunctuated: 商家说不给退我就去12315投诉, 客服说不能退那我只能报警了,
# 客服说不能退我明天就去报警.
# (我要是 is a condition of what was said: 客服说我要是不满意可以投诉.)
_OWN_ACT = re.compile(
    "我(?:明天|今天|今晚|现在|回头|下午|晚上)?(?:就|只能|只好|一定|直接|马上|立刻|会|要(?!是))"
    "|(?:那|所以|于是)我"
)
# A harm its clause says was done: 了, 完 (吃完), 已经.
_DONE = re.compile("了|完|已经")
# A supposition that says what would follow it, asks (担心会不会有问题) or
# ends in a particle
_SUPPOSED = re.compile("就|才|便|那(?:就|么|我)|会不会|[吗呢吧么]$")


# ---------------------------------------------------------------------------
# Public value types
# ---------------------------------------------------------------------------


def _shown(value: Any) -> str:
    return f"{type(value).__name__} ({repr(value)[:40]})"


@dataclass(frozen=True, slots=True)
class Context:
    """Optional facts about the situation of a complaint.

    Attributes
    ----------
    recent_complaints : int
        How many times this customer complained recently, before this one.
    channel : str or None
        Where the complaint came in, e.g. ``"app"``, ``"phone"``, ``"weibo"``,
        ``"12315"``.
    customer_tier : str or None
        E.g. ``"vip"``.

    A channel or tier matches the policy's key whatever its case, its width
    and the spaces around it: ``"VIP"``, ``" vip "`` and a full-width VIP get the
    ``vip`` floor, and the reason's code is the policy's, ``context.tier.vip``.
    Invisible format characters are ignored too (``"vip\\u200b"``, with a
    zero-width space), and so is the script: a channel a Hong Kong or Taiwan
    system writes ``"市長熱線"`` gets the ``市长热线`` floor; a code written as a
    float matches its whole number: ``"12315.0"`` gets the ``12315`` floor.
    What an export writes for no value (``"nan"``, ``"None"``, ``"null"``,
    ``"N/A"``, ``"-"``, ``"无"``, blank: the strings `pandas.read_csv` reads as
    missing, a dash and 无) is no channel or tier, as None is.
    """

    recent_complaints: int = 0
    channel: str | None = None
    customer_tier: str | None = None

    def __post_init__(self) -> None:
        # Checked here, once: a channel of 12315 as a number would otherwise
        # miss the policy's "12315" floor without a word, and a count read
        # from a form as "2" would fail deep inside the engine.
        n = self.recent_complaints
        try:
            count = -1 if isinstance(n, bool) else operator.index(n)
        except TypeError:
            count = -1
        if count < 0:
            # 2.0 (a count of a column with a gap) or "2" (of a form): say the int to pass
            try:
                number = math.nan if isinstance(n, bool) else float(n)
            except (TypeError, ValueError):
                number = math.nan
            hint = (
                f"; a count is an int: pass {int(number)}"
                if number >= 0 and number.is_integer()
                else ""
            )
            raise ParameterError(
                f"Context: recent_complaints must be a whole number >= 0, got {_shown(n)}{hint}"
            )
        object.__setattr__(self, "recent_complaints", count)
        for name in ("channel", "customer_tier"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                # str(b"vip") is "b'vip'", which matches no key; and a long value
                # is shown by its start alone, as above
                if isinstance(value, bytes | bytearray):
                    fix = "decode it first (value.decode('utf-8'))"
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    fix = f"pass str({value!r})"
                else:
                    fix = "pass a str"
                raise ParameterError(
                    f"Context: {name} must be a str or None, got {_shown(value)}; "
                    f"the policy's keys are strings: {fix}"
                )


@dataclass(frozen=True, slots=True)
class Trigger:
    """One rule of a policy: patterns that ask for a level."""

    code: str
    level: Priority
    zh: str
    en: str
    patterns: tuple[str, ...]
    cancel_on: tuple[str, ...] = _DEFAULT_CANCEL
    needs_category: bool = False


@dataclass(frozen=True, slots=True)
class EmotionSignal:
    """An emotion at or over an intensity asks for a level."""

    code: str
    emotion: str
    min_intensity: int
    level: Priority
    zh: str
    en: str
    needs_problem: bool = False
    #: Regular expressions whose matches are the evidence when the signal fires
    #: (the angry words themselves); without a match the reason borrows a span.
    cues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CategorySignal:
    """A category and a concrete-problem cue make an ordinary problem, unless only mild."""

    code: str
    level: Priority
    zh: str
    en: str
    min_emotion: int
    mild: tuple[str, ...]
    requires: tuple[str, ...] = ()
    #: Triggers that make the whole text mild, not only the cues of their clause.
    mixed: tuple[str, ...] = ()
    #: The emotions that, at `min_emotion` or more, keep a text from being only mild.
    emotions: tuple[Emotion, ...] = EMOTIONS


@dataclass(frozen=True, slots=True)
class _Compiled:
    """Per-policy state built once: one combined regex per level and lookups."""

    # Scanning, per text kind (`True`: the text has a category, `False`: it has
    # none): a one-class regex finds the characters that can start a trigger;
    # at each, the regex of the patterns that can start with that character
    # (named groups, most urgent level first) says which trigger matched.
    # Patterns whose first character cannot be worked out go to `slow`, each
    # with its `_run_guard` or None.
    starts: dict[bool, re.Pattern[str] | None]
    # (`_alternatives`: a `_Chain` among them is matched apart, `_first_at`),
    # each built when a text first has its character where a trigger may
    # start (`_by_char`): a policy has some 800 of them, two thirds of its
    # build, and a text meets a few
    by_char: dict[bool, dict[str, _Alternatives]]
    # the (trigger, pattern) behind each `by_char` regex, in its order; and,
    # built when first needed, the regex of those after the j-th that belong
    # to other triggers, with their places in `parts` (`_next_at`)
    parts: dict[bool, dict[str, tuple[tuple[int, str], ...]]]
    after: dict[tuple[bool, str, int], tuple[_Alternatives, tuple[int, ...]] | None]
    slow: dict[
        bool,
        tuple[
            tuple[re.Pattern[str], tuple[int, ...], re.Pattern[str] | None, _Matcher | None], ...
        ],
    ]
    # each emotion signal's cues, compiled, with their `_run_guard` and `_chain`
    cues: tuple[tuple[tuple[re.Pattern[str], re.Pattern[str] | None, _Matcher | None], ...], ...]
    negation: re.Pattern[str]
    hypothetical: re.Pattern[str]
    question: re.Pattern[str]
    reported: re.Pattern[str]
    notice: re.Pattern[str] | None
    # each pair of `retracted`: what ends right before the match, what starts right after it
    retracted: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
    # each pair of `circumstance`: the ask that starts right after the match,
    # and what ties it to the business anywhere in the text
    circumstance: tuple[tuple[re.Pattern[str], re.Pattern[str] | None], ...]
    # each `before` pair of `circumstance`: the ask that ends right before the
    # match (anchored), and what ties it to the business anywhere in the text
    circumstance_before: tuple[tuple[re.Pattern[str], re.Pattern[str] | None], ...]
    deadlines: dict[Priority, int]
    teams: dict[Category, str]
    # by the key folded as values are matched: the policy's key and its level
    channels: dict[str, tuple[str, Priority]]
    tiers: dict[str, tuple[str, Priority]]
    thresholds: dict[Priority, float]
    cancel: tuple[frozenset[str], ...]
    mild: frozenset[str]
    mixed: frozenset[str]
    requires: frozenset[str]
    # per trigger, by text kind: 1 for a mild trigger, 2 for a trigger at the
    # category signal's level or one it requires (whose matches a mild word in
    # their clause qualifies), else 0; all 0 for a text without a category
    marks: dict[bool, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Policy:
    """A validated, immutable priority policy.

    Build one with `load_policy` or `Policy.from_dict`; the default is
    `default_policy`. Patterns are checked when the policy is built and
    compiled once, those that may start with a character when a text first
    has it.
    One built from its fields, as ``dataclasses.replace(policy, window=6)``
    does, is checked as `from_dict` checks its data (a `PolicyError` names
    the bad entry).

    Examples
    --------
    >>> policy = default_policy()
    >>> policy.deadline_minutes(Priority.P1), policy.route(Priority.P3, Category.LOGISTICS)
    (10, '仓储物流部')
    """

    levels: tuple[tuple[Priority, str, str, int], ...]
    triggers: tuple[Trigger, ...]
    escalate: tuple[Priority, ...]
    escalation_team: str
    default_team: str
    teams: tuple[tuple[Category, str], ...]
    window: int
    negation: str
    hypothetical: str
    question: str
    reported: str
    emotion_signals: tuple[EmotionSignal, ...]
    category_signal: CategorySignal
    repeat_after: int
    repeat_level: Priority
    channels: tuple[tuple[str, Priority], ...]
    tiers: tuple[tuple[str, Priority], ...]
    thresholds: tuple[tuple[Priority, float], ...]
    #: The ``notice`` modifier; "" for none.
    notice: str = ""
    #: The ``retracted`` modifier: pairs of patterns (before, after); () for none.
    retracted: tuple[tuple[str, str], ...] = ()
    #: The ``circumstance`` modifier: pairs of patterns (after, unless), unless
    #: "" for none; () for none.
    circumstance: tuple[tuple[str, str], ...] = ()
    #: The ``circumstance`` modifier's pairs that read the ask said before the
    #: match: (before, unless), unless "" for none; () for none.
    circumstance_before: tuple[tuple[str, str], ...] = ()
    source: str = field(default="<dict>", compare=False)
    _c: _Compiled = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if _VALIDATED.get():
            object.__setattr__(self, "_c", _compile(self))
        else:
            _check_direct(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its data, read back by `from_dict` and compiled anew: the
        # fields of a frozen dataclass pickle by position, and a policy pickled
        # by another version of triage (with a model, or for worker processes)
        # would load with its rules and compiled state in the wrong fields.
        return (_unpickle_policy, (self.to_dict(), self.source))

    def __repr__(self) -> str:
        # the fields' own reprs run to some 13,000 characters, the triggers'
        # patterns most: a notebook, a log or a test's failure shows this instead
        def keys(pairs: tuple[tuple[str, Priority], ...]) -> str:
            return ", ".join(f"{k}={p}" for k, p in pairs) or "none"

        codes = ", ".join(t.code for t in self.triggers) or "none"
        return (
            f"<Policy {self.source}: triggers {codes}; channels {keys(self.channels)}; "
            f"tiers {keys(self.tiers)}>"
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> Policy:
        """Validate a policy given as plain data (as read from TOML or JSON).

        Raises
        ------
        PolicyError
            The message names the bad entry, e.g.
            ``policy p.toml: triggers[3] ('P1.media'): level 'P0' is not one of P1, P2, P3, P4``.
        """
        if not isinstance(data, Mapping):
            raise PolicyError(f"policy {source}: expected a table, got {type(data).__name__}")
        # Checked first: whatever else a policy of another format lacks is beside the point.
        fmt = data.get("format", POLICY_FORMAT)
        if fmt != POLICY_FORMAT or isinstance(fmt, bool):
            raise PolicyError(
                f"policy {source}: format: {fmt!r} is not a supported format; "
                f"this version of triage reads format = {POLICY_FORMAT} only"
            )
        if "extends" in data:
            base = data["extends"]
            if base != "default":
                raise PolicyError(
                    f"policy {source}: extends: {base!r} is not supported; "
                    'use extends = "default" or give a complete policy'
                )
            merged = _merge(default_policy().to_dict(), data, source)
            return _build(merged, source, _user_places(merged, data))
        if "disable" in data:
            raise PolicyError(
                f"policy {source}: disable: drops rules of the default policy, which a "
                'policy without extends = "default" replaces: add extends = "default"'
            )
        return _build(data, source)

    def deadline_minutes(self, level: Priority) -> int:
        """First-response deadline of a level, in minutes.

        Raises
        ------
        ParameterError
            `level` is not one of P1 to P4 (a `Priority` or its name).
        """
        return self._c.deadlines[_level_arg(level)]

    def route(self, level: Priority, primary: Category | None) -> str:
        """The team a complaint of this level and primary category goes to.

        Raises
        ------
        ParameterError
            `level` is not one of P1 to P4, or `primary` not a category or None.
        """
        if _level_arg(level) in self.escalate:
            return self.escalation_team
        if primary is None:
            return self.default_team
        category = _CATEGORY_OF.get(primary) if isinstance(primary, str) else None
        if category is None:
            raise ParameterError(
                f"primary must be one of {', '.join(CATEGORIES)} or None, got {_shown(primary)}"
            )
        return self._c.teams.get(category, self.default_team)

    def to_dict(self) -> dict[str, Any]:
        """The whole policy as plain data; ``Policy.from_dict`` reads it back."""
        return {
            "format": POLICY_FORMAT,
            "levels": {
                str(p): {"zh": zh, "en": en, "deadline_minutes": m} for p, zh, en, m in self.levels
            },
            "routing": {
                "escalate": [str(p) for p in self.escalate],
                "escalation_team": self.escalation_team,
                "default_team": self.default_team,
                "categories": {str(c): team for c, team in self.teams},
            },
            "modifiers": {
                "window": self.window,
                "negation": self.negation,
                "hypothetical": self.hypothetical,
                "question": self.question,
                "reported": self.reported,
                "notice": self.notice,
                "retracted": [{"before": b, "after": a} for b, a in self.retracted],
                "circumstance": [
                    *({"after": a, **({"unless": u} if u else {})} for a, u in self.circumstance),
                    *(
                        {"before": b, **({"unless": u} if u else {})}
                        for b, u in self.circumstance_before
                    ),
                ],
            },
            "triggers": [
                {
                    "code": t.code,
                    "level": str(t.level),
                    "zh": t.zh,
                    "en": t.en,
                    "patterns": list(t.patterns),
                    "cancel_on": list(t.cancel_on),
                    "needs_category": t.needs_category,
                }
                for t in self.triggers
            ],
            "signals": {
                "emotions": [
                    {
                        "code": s.code,
                        "emotion": s.emotion,
                        "min_intensity": s.min_intensity,
                        "level": str(s.level),
                        "zh": s.zh,
                        "en": s.en,
                        "needs_problem": s.needs_problem,
                        "cues": list(s.cues),
                    }
                    for s in self.emotion_signals
                ],
                "category": {
                    "code": self.category_signal.code,
                    "level": str(self.category_signal.level),
                    "zh": self.category_signal.zh,
                    "en": self.category_signal.en,
                    "min_emotion": self.category_signal.min_emotion,
                    "mild": list(self.category_signal.mild),
                    "mixed": list(self.category_signal.mixed),
                    "requires": list(self.category_signal.requires),
                    "emotions": [str(e) for e in self.category_signal.emotions],
                },
            },
            "context": {
                "repeat_after": self.repeat_after,
                "repeat_level": str(self.repeat_level),
                "channels": {k: str(v) for k, v in self.channels},
                "tiers": {k: str(v) for k, v in self.tiers},
            },
            "learned": {"thresholds": {str(p): t for p, t in self.thresholds}},
        }


# ---------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------


def _unpickle_policy(data: Mapping[str, Any], source: str) -> Policy:
    """A pickled `Policy` (`Policy.__reduce__`)."""
    return Policy.from_dict(data, source=source)


# Set while `_build` makes a policy of data it has checked.
_VALIDATED: contextvars.ContextVar[bool] = contextvars.ContextVar("_VALIDATED", default=False)


def _check_direct(policy: Policy) -> None:
    """Hold a policy built from its fields (``Policy(...)``,
    ``dataclasses.replace(policy, window=0)``) to what `Policy.from_dict`
    accepts: otherwise a bad value would act unchecked, and the policy fail
    to unpickle later, in a worker process.

    It becomes the policy `from_dict` reads from its `to_dict`, so that the
    two compare equal and pickle alike.
    """

    def refused(exc: Exception) -> PolicyError:
        return PolicyError(
            f"policy {policy.source}: its fields are not a policy's "
            f"({type(exc).__name__}: {exc}); build one with load_policy or Policy.from_dict"
        )

    failure: Exception | None = None
    try:
        # Its own checks first: `to_dict` would merge keys that differ in case.
        _compile(policy)
    except PolicyError:
        raise
    except Exception as exc:
        failure = exc
    try:
        data = policy.to_dict()
    except Exception as exc:
        raise refused(exc) from exc
    built = Policy.from_dict(data, source=policy.source)  # names the bad entry
    if failure is not None:
        raise refused(failure) from failure
    for f in dataclasses.fields(Policy):
        object.__setattr__(policy, f.name, getattr(built, f.name))


@functools.cache
def default_policy() -> Policy:
    """The package's default policy (``triage/resources/policy.toml``), built once."""
    return _build(read_toml(_DEFAULT_FILE), f"<default {_DEFAULT_FILE}>")


def load_policy(
    path_or_data: str | os.PathLike[str] | Mapping[str, Any] | Policy | None = None,
) -> Policy:
    """Load a priority policy.

    Parameters
    ----------
    path_or_data : path, mapping, Policy or None
        None for the default policy; a ``.toml`` or ``.json`` file; a dict
        with the same content; or a `Policy`, returned as is.

    Returns
    -------
    Policy

    Raises
    ------
    PolicyError
        The file cannot be read or parsed, its ``format`` is not one this
        version reads (checked before anything else), or an entry is malformed.

    Examples
    --------
    >>> policy = load_policy({"format": 1, "extends": "default",
    ...                       "levels": {"P1": {"deadline_minutes": 5}}})
    >>> policy.deadline_minutes(Priority.P1)
    5
    """
    if path_or_data is None:
        return default_policy()
    if isinstance(path_or_data, Policy):
        return path_or_data
    if isinstance(path_or_data, Mapping):
        return Policy.from_dict(path_or_data)
    if not isinstance(path_or_data, str | os.PathLike):
        raise PolicyError(
            f"a policy is a path, a mapping or a Policy, not {type(path_or_data).__name__}"
        )
    if isinstance(path_or_data, str) and "\n" in path_or_data and not os.path.exists(path_or_data):
        # the text of a policy file (read_text(), or pasted), not its path
        raise PolicyError(
            f"policy {path_or_data.strip()[:40]!r}...: a str is the path of a policy file, "
            "and this holds lines of text; pass the file's path, or its text read as "
            "data: load_policy(tomllib.loads(text))"
        )
    path = Path(user_path(path_or_data))
    suffix = path.suffix.lower()
    if path.is_dir():
        raise PolicyError(f"policy {path} is a folder; name the policy file (.toml or .json)")
    if suffix not in (".toml", ".json"):
        raise PolicyError(f"policy {path}: unknown file type {suffix!r}; use .toml or .json")
    try:
        # utf-8-sig: Windows editors start UTF-8 files with a byte order mark
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PolicyError(f"policy {path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise PolicyError(
            f"policy {path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start}); save the file as UTF-8"
        ) from None
    try:
        data = (
            tomllib.loads(raw)
            if suffix == ".toml"
            else json.loads(raw, object_pairs_hook=_unique_keys)
        )
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        key = _bare_key(raw, str(exc)) if suffix == ".toml" else None
        hint = (
            f'; a key of other characters than A-Z, a-z, 0-9, - and _ is quoted in TOML: "{key}"'
            if key
            else ""
        )
        raise PolicyError(f"policy {path}: not valid {suffix[1:].upper()}: {exc}{hint}") from exc
    except _DuplicateKey as exc:
        raise PolicyError(
            f"policy {path}: key {exc.args[0]!r} is given twice in one table; JSON would "
            "keep the last and drop the first without a word: merge them"
        ) from None
    return Policy.from_dict(data, source=str(path))


#: Where tomllib says a TOML error is.
_TOML_AT = re.compile(r"\(at line ([0-9]+), column ([0-9]+)\)")
#: A bare key with a character TOML does not allow in one, from its start.
_BARE_KEY = re.compile(r"[^\s=.\]}\"',]*[^\x00-\x7f][^\s=.\]}\"',]*")


def _bare_key(raw: str, message: str) -> str | None:
    """The key that a TOML error stands at, when it is a bare key of
    characters that TOML allows only in a quoted one (抖音 = "P2", as a
    channel or tier is named); None otherwise."""
    at = _TOML_AT.search(message)
    if at is None or ("key" not in message and "Invalid statement" not in message):
        return None  # a value (deadline_minutes = 六十) is no key
    lines = raw.split("\n")
    line, column = int(at[1]), int(at[2])
    if not 0 < line <= len(lines):
        return None
    text, start = lines[line - 1], column - 1
    while 0 < start <= len(text) and (
        (text[start - 1].isascii() and text[start - 1].isalnum()) or text[start - 1] in "-_"
    ):
        start -= 1  # the part TOML read as a key already (vip of vip金卡)
    found = _BARE_KEY.match(text, start)
    return found[0] if found else None


class _DuplicateKey(Exception):
    """A JSON object names a key twice (TOML refuses that itself)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _merge(base: dict[str, Any], user: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Merge a user policy over the default (see the module docstring)."""
    out = dict(base)
    for key, value in user.items():
        if key == "extends":
            continue
        if key == "disable":
            continue
        if key == "triggers":
            out[key] = _merge_by_code(base.get(key, []), value, key, source)
        elif key == "signals" and isinstance(value, Mapping):
            sig = dict(base.get("signals", {}))
            for skey, svalue in value.items():
                if skey == "emotions":
                    sig[skey] = _merge_by_code(
                        sig.get(skey, []), svalue, "signals.emotions", source
                    )
                elif isinstance(svalue, Mapping) and isinstance(sig.get(skey), Mapping):
                    sig[skey] = _merge_tables(sig[skey], svalue)
                else:
                    sig[skey] = svalue
            out[key] = sig
        elif isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            out[key] = _merge_tables(base[key], value)
            if key == "context":
                # a channel or tier replaces the default's whatever its case
                for name in ("channels", "tiers"):
                    mine, theirs = value.get(name), base[key].get(name)
                    if isinstance(mine, Mapping) and isinstance(theirs, Mapping):
                        given = {_fold(k) for k in mine if isinstance(k, str)}
                        kept = {k: v for k, v in theirs.items() if _fold(k) not in given}
                        out[key][name] = {**kept, **mine}
        else:
            out[key] = value
    disable = user.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(c, str) for c in disable):
        raise PolicyError(
            f"policy {source}: disable: expected a list of trigger or emotion-signal codes"
        )
    if disable:
        given = out.get("signals", {})
        if not isinstance(given, Mapping):  # the emotion signals to drop are in it
            raise PolicyError(f"policy {source}: signals: expected a table, got {_kind(given)}")
        signals = dict(given)
        emotions = signals.get("emotions", [])
        known = {_code(e) for e in [*out["triggers"], *emotions]}
        user_signals = user.get("signals")
        theirs = {
            "triggers": user.get("triggers"),
            "signals.emotions": user_signals.get("emotions")
            if isinstance(user_signals, Mapping)
            else None,
        }
        for code in disable:
            if code not in known:
                raise PolicyError(
                    f"policy {source}: disable: no trigger or emotion signal with code {code!r}"
                )
            for where, entries in theirs.items():
                if isinstance(entries, list) and code in map(_code, entries):
                    raise PolicyError(
                        f"policy {source}: disable: {code!r} is also given in {where}, "
                        "where it would be dropped too; an entry with the code of a default "
                        "one replaces it: drop the code from disable"
                    )
        out["triggers"] = [t for t in out["triggers"] if _code(t) not in disable]
        if isinstance(emotions, list):
            signals["emotions"] = [e for e in emotions if _code(e) not in disable]
            out["signals"] = signals
        category = signals.get("category", {})
        for key in ("mild", "mixed", "requires"):
            named = category.get(key) if isinstance(category, Mapping) else None
            if not isinstance(named, list):
                continue  # reported by the checks that follow
            for code in disable:
                if code in named:
                    rest = [c for c in named if c != code]
                    raise PolicyError(
                        f"policy {source}: disable: {code!r} is still named in "
                        f"signals.category.{key}; also set signals.category.{key} = {rest!r}"
                    )
    return out


def _user_places(merged: Mapping[str, Any], user: Mapping[str, Any]) -> dict[tuple[str, int], str]:
    """Where each entry of the merged lists of tables stands in the user's
    file (``triggers[0]``) or that it is the default policy's: the merged
    list puts the user's entries after the default's, so its index is no
    place in the file an error could send the user to."""
    signals = merged.get("signals")
    user_signals = user.get("signals")
    lists = {
        "triggers": (merged.get("triggers"), user.get("triggers")),
        "signals.emotions": (
            signals.get("emotions") if isinstance(signals, Mapping) else None,
            user_signals.get("emotions") if isinstance(user_signals, Mapping) else None,
        ),
    }
    places = {}
    for where, (entries, theirs) in lists.items():
        mine = {id(e): j for j, e in enumerate(theirs)} if isinstance(theirs, list) else {}
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            j = mine.get(id(entry))
            places[where, i] = f"{where}[{j}]" if j is not None else f"the default {where}"
    return places


def _code(entry: Any) -> str | None:
    """The code of a trigger or signal entry; None when it has no string code
    (reported by the checks that follow)."""
    code = entry.get("code") if isinstance(entry, Mapping) else None
    return code if isinstance(code, str) else None


def _merge_tables(base: Mapping[str, Any], user: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in user.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge_tables(out[key], value)
        else:
            out[key] = value
    return out


def _merge_by_code(base: Any, user: Any, where: str, source: str) -> list[Any]:
    if not isinstance(user, list):
        raise PolicyError(f"policy {source}: {where}: expected a list, got {_kind(user)}")
    out = list(base)
    index = {e.get("code"): i for i, e in enumerate(out) if isinstance(e, Mapping)}
    for entry in user:
        code = entry.get("code") if isinstance(entry, Mapping) else None
        # a code that is not a string is reported by the checks that follow
        if isinstance(code, str) and code in index:
            out[index[code]] = entry
        else:
            out.append(entry)
    return out


def _kind(value: Any) -> str:
    return type(value).__name__


class _Checker:
    """Reads one policy table, naming the entry in every error."""

    def __init__(self, source: str, places: Mapping[tuple[str, int], str] | None = None) -> None:
        self.source = source
        # the place in the file of an entry of a list of tables, where the
        # list was merged with the default policy's (see `_user_places`)
        self.places = places or {}

    def place(self, where: str, i: int) -> str:
        return self.places.get((where, i), f"{where}[{i}]")

    def fail(self, where: str, message: str) -> PolicyError:
        return PolicyError(f"policy {self.source}: {where}: {message}")

    def table(
        self,
        value: Any,
        where: str,
        required: Sequence[str],
        optional: Sequence[str] = (),
        *,
        missing: str = "",
    ) -> Mapping[str, Any]:
        """`value` as a table of these keys; `missing` is added to the
        message of a required key it lacks."""
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a table, got {_kind(value)}")
        allowed = (*required, *optional)
        for key in value:
            if key not in allowed:
                raise self.fail(
                    where, f"unknown key {key!r}; allowed keys are {', '.join(allowed)}"
                )
        for key in required:
            if key not in value:
                raise self.fail(where, f"missing required key {key!r}{missing}")
        return value

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a table, got {_kind(value)}")
        return value

    def str_(self, value: Any, where: str, *, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"expected a string, got {_kind(value)}")
        if not empty and not value.strip():
            raise self.fail(where, "must not be empty")
        return value

    def int_(self, value: Any, where: str, low: int, high: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"expected an integer, got {_kind(value)}")
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f">= {low}"
            raise self.fail(where, f"{value} is out of range; expected {bound}")
        return value

    def level(self, value: Any, where: str) -> Priority:
        if isinstance(value, str) and value in Priority.__members__:
            return Priority(value)
        raise self.fail(
            where, f"level {value!r} is not one of {', '.join(str(p) for p in PRIORITIES)}"
        )

    def regex(self, value: Any, where: str) -> str:
        text = self.str_(value, where)
        problem = _regex_problem(text)
        if problem is not None:
            raise self.fail(where, problem)
        return text

    def bool_(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"expected true or false, got {_kind(value)}")
        return value

    def probability(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"expected a number, got {_kind(value)}")
        if not 0.0 <= float(value) <= 1.0:
            raise self.fail(where, f"{value} is not a probability between 0 and 1")
        return float(value)

    def one_of(self, value: Any, allowed: Sequence[str], where: str) -> str:
        if value not in allowed:
            raise self.fail(where, f"{value!r} is not one of {', '.join(allowed)}")
        return str(value)

    def tables(
        self, value: Any, where: str, required: Sequence[str], optional: Sequence[str] = ()
    ) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Each table of a list of tables, with its place (and code, when it has one)."""
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list of tables, got {_kind(value)}")
        for i, raw in enumerate(value):
            name = raw.get("code") if isinstance(raw, Mapping) else None
            at = self.place(where, i) + (f" ({name!r})" if isinstance(name, str) else "")
            yield at, self.table(raw, at, required, optional)

    def str_list(self, value: Any, where: str) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {_kind(value)}")
        return [self.str_(v, f"{where}[{i}]") for i, v in enumerate(value)]


def _build(
    data: Mapping[str, Any], source: str, places: Mapping[tuple[str, int], str] | None = None
) -> Policy:
    ck = _Checker(source, places)
    top = ck.table(
        data,
        "top level",
        ("format", "levels", "routing", "modifiers", "triggers", "signals", "context", "learned"),
        # a policy merged with the default lacks none: this one replaces it
        missing='; a policy without extends = "default" replaces the default policy and '
        'gives every section: to change only the keys it gives, add extends = "default"',
    )

    lv = ck.table(top["levels"], "levels", tuple(str(p) for p in PRIORITIES))
    levels = []
    for p in PRIORITIES:
        where = f"levels.{p}"
        entry = ck.table(lv[str(p)], where, ("zh", "en", "deadline_minutes"))
        levels.append(
            (
                p,
                ck.str_(entry["zh"], f"{where}.zh"),
                ck.str_(entry["en"], f"{where}.en"),
                ck.int_(entry["deadline_minutes"], f"{where}.deadline_minutes", 1, _MAX_DEADLINE),
            )
        )
    minutes = [m for _, _, _, m in levels]
    if minutes != sorted(minutes):
        raise ck.fail("levels", f"deadlines must not decrease from P1 to P4, got {minutes}")

    rt = ck.table(
        top["routing"], "routing", ("escalate", "escalation_team", "default_team", "categories")
    )
    # Sets, in a fixed order: policies that say the same compare and hash equal.
    escalate = tuple(
        sorted(
            {
                ck.level(v, f"routing.escalate[{i}]")
                for i, v in enumerate(ck.str_list(rt["escalate"], "routing.escalate"))
            },
            key=_RANK.__getitem__,
        )
    )
    cats = ck.table(rt["categories"], "routing.categories", (), tuple(str(c) for c in CATEGORIES))
    teams = tuple(
        (c, ck.str_(cats[str(c)], f"routing.categories.{c}")) for c in CATEGORIES if str(c) in cats
    )

    md = ck.table(
        top["modifiers"],
        "modifiers",
        ("window", "negation", "hypothetical", "question", "reported"),
        ("notice", "retracted", "circumstance"),
    )
    retracted = tuple(
        (ck.regex(pair["before"], f"{at}.before"), ck.regex(pair["after"], f"{at}.after"))
        for at, pair in ck.tables(
            md.get("retracted", []), "modifiers.retracted", ("before", "after")
        )
    )
    # each pair reads the ask on one side of the match: after it or before it
    circumstance: list[tuple[str, str]] = []
    circumstance_before: list[tuple[str, str]] = []
    for at, pair in ck.tables(
        md.get("circumstance", []), "modifiers.circumstance", (), ("after", "before", "unless")
    ):
        if ("after" in pair) == ("before" in pair):
            raise ck.fail(
                at,
                "missing required key 'after' or 'before'"
                if "after" not in pair
                else "both 'after' and 'before'; a pair reads the ask on one side",
            )
        side = "after" if "after" in pair else "before"
        unless = ck.regex(pair["unless"], f"{at}.unless") if pair.get("unless", "") != "" else ""
        (circumstance if side == "after" else circumstance_before).append(
            (ck.regex(pair[side], f"{at}.{side}"), unless)
        )

    triggers = _build_triggers(ck, top["triggers"])
    sg = ck.table(top["signals"], "signals", ("emotions", "category"))
    emotion_signals = _build_emotion_signals(ck, sg["emotions"])
    category_signal = _build_category_signal(ck, sg["category"], {t.code for t in triggers})
    _check_codes(ck, triggers, emotion_signals, category_signal)

    cx = ck.table(top["context"], "context", ("repeat_after", "repeat_level", "channels", "tiers"))
    channels = ck.mapping(cx["channels"], "context.channels")
    tiers = ck.mapping(cx["tiers"], "context.tiers")

    ln = ck.table(top["learned"], "learned", ("thresholds",))
    th = ck.table(ln["thresholds"], "learned.thresholds", (), tuple(str(p) for p in PRIORITIES))
    lowest = str(PRIORITIES[-1])
    if lowest in th:
        # every text is at least the lowest level: its threshold could never act
        raise ck.fail(
            f"learned.thresholds.{lowest}",
            f"the model raises a level to {', '.join(map(str, PRIORITIES[:-1]))} only; "
            f"drop {lowest}",
        )
    thresholds = tuple(
        (p, ck.probability(th[str(p)], f"learned.thresholds.{p}"))
        for p in PRIORITIES
        if str(p) in th
    )

    token = _VALIDATED.set(True)
    try:
        return Policy(
            levels=tuple(levels),
            triggers=tuple(triggers),
            escalate=escalate,
            escalation_team=ck.str_(rt["escalation_team"], "routing.escalation_team"),
            default_team=ck.str_(rt["default_team"], "routing.default_team"),
            teams=teams,
            window=ck.int_(md["window"], "modifiers.window", 1, 64),
            negation=ck.regex(md["negation"], "modifiers.negation"),
            hypothetical=ck.regex(md["hypothetical"], "modifiers.hypothetical"),
            question=ck.regex(md["question"], "modifiers.question"),
            reported=ck.regex(md["reported"], "modifiers.reported"),
            notice=ck.regex(md["notice"], "modifiers.notice") if md.get("notice", "") != "" else "",
            retracted=retracted,
            circumstance=tuple(circumstance),
            circumstance_before=tuple(circumstance_before),
            emotion_signals=tuple(emotion_signals),
            category_signal=category_signal,
            repeat_after=ck.int_(cx["repeat_after"], "context.repeat_after", 1),
            repeat_level=ck.level(cx["repeat_level"], "context.repeat_level"),
            channels=_context_keys(ck, channels, "context.channels"),
            tiers=_context_keys(ck, tiers, "context.tiers"),
            thresholds=thresholds,
            source=source,
        )
    finally:
        _VALIDATED.reset(token)


# why a code may hold no bar
_BAR = "which joins the reason codes of a batch output's reasons column"


def _check_codes(
    ck: _Checker,
    triggers: Sequence[Trigger],
    emotion_signals: Sequence[EmotionSignal],
    category_signal: CategorySignal,
) -> None:
    """Every reason's code names one rule: a trigger's, an emotion signal's
    and the category signal's codes are told apart, and none is a code the
    engine gives reasons of its own (``P4.none``, ``context.*``, ``model.*``).
    Two rules of one code would give one result two reasons of that code,
    and ``disable`` would drop both."""
    seen: dict[str, str] = {}
    entries = [
        *((f"{ck.place('triggers', i)} ({t.code!r})", t.code) for i, t in enumerate(triggers)),
        *(
            (f"{ck.place('signals.emotions', i)} ({e.code!r})", e.code)
            for i, e in enumerate(emotion_signals)
        ),
        ("signals.category", category_signal.code),
    ]
    for where, code in entries:
        if "|" in code:
            raise ck.fail(where, f"code {code!r} holds '|', {_BAR}")
        if code == "P4.none" or code.startswith(("context.", "model.")):
            raise ck.fail(
                where,
                f"code {code!r} is one the engine gives reasons of its own (P4.none, "
                "context.*, model.*); choose another",
            )
        other = seen.setdefault(code, where)
        if other != where:
            if where.startswith("the default "):  # name the entry of the user's file first
                where, other = other, where
            raise ck.fail(
                where,
                f"code {code!r} is also the code of {other}; a reason names its rule "
                "by code: choose another (an entry replaces one of its own table and code)",
            )


def _context_keys(
    ck: _Checker, table: Mapping[str, Any], where: str
) -> tuple[tuple[str, Priority], ...]:
    """Channels or tiers and their levels; two keys that match the same value
    (``"vip"`` and ``"VIP"``: keys are matched whatever their case) are an error."""
    out: list[tuple[str, Priority]] = []
    seen: dict[str, str] = {}
    for k, v in table.items():
        key = ck.str_(k, where)
        if "|" in key:
            kind = where.removeprefix("context.").removesuffix("s")
            raise ck.fail(where, f"key {key!r} holds '|', {_BAR} (context.{kind}.<key>)")
        if _no_value(key):
            raise ck.fail(where, _no_key(key))
        other = seen.setdefault(_fold(key), key)
        if other != key:
            raise ck.fail(where, _one_match(other, key))
        out.append((key, ck.level(v, f"{where}.{k}")))
    return tuple(sorted(out))  # in one order: policies that say the same compare equal


def _folded(pairs: tuple[tuple[str, Priority], ...], name: str) -> dict[str, tuple[str, Priority]]:
    """Channels or tiers by their matched form. `from_dict` names the entry when two
    keys fold together; this catches a `Policy` built directly (or by
    `dataclasses.replace`), where the later key would silently win."""
    out: dict[str, tuple[str, Priority]] = {}
    for key, level in pairs:
        folded = _fold(key)
        if folded in _NO_VALUE:
            raise PolicyError(f"context.{name}: {_no_key(key)}")
        if folded in out:
            other = out[folded][0]
            what = (
                f"key {key!r} is given twice; keep one" if other == key else _one_match(other, key)
            )
            raise PolicyError(f"context.{name}: {what}")
        out[folded] = (key, level)
    return out


def _no_key(key: str) -> str:
    """Why a channel or tier key that `_no_value` reads as none is refused."""
    return (
        f"key {key!r} is what an export writes for no value (as are nan, None, NULL, N/A, "
        "- and blank), which is read as no channel or tier and matches no key; name the "
        "channel or tier itself"
    )


def _one_match(key: str, other: str) -> str:
    """Why two channel or tier keys that `_fold` alike are refused."""
    return (
        f"keys {key!r} and {other!r} differ only in what matching ignores (case, full-width "
        "forms, traditional characters, surrounding spaces, invisible characters, a code's "
        ".0): both would match the same value; keep one"
    )


#: A code written as a float (``12315.0``), the whole number it is in group 1.
_FLOAT_CODE = re.compile(r"([0-9]+)\.0+")


@functools.lru_cache(maxsize=1024)
def _fold(key: str) -> str:
    """A channel or tier as it is matched: case, width and surrounding spaces
    ignored (NFKC, as a text is normalised: the full-width letters and digits
    of an input method are ``vip`` or ``12315``), as are the invisible format
    characters a value pasted from a web page or read from a file may hold (a
    zero-width space, a byte order mark), and a code written as a float is
    its whole number: ``12315.0`` is how a CSV holds a column of codes that
    pandas read as floats (one cell was empty), and how ``str(12315.0)``
    writes one. Traditional characters are simplified as a text's are: a
    system in Hong Kong or Taiwan writes the channel 市長熱線 or 媒體.
    Cached: a column of channels repeats a few values."""
    shown = unicodedata.normalize("NFKC", key)
    folded = "".join(c for c in shown if unicodedata.category(c) != "Cf").strip().casefold()
    if not folded.isascii():
        folded = _simplify(folded)
    whole = _FLOAT_CODE.fullmatch(folded)
    return folded if whole is None else whole[1]


#: What an export writes in a cell that holds no value, as `_fold` gives it:
#: the strings `pandas.read_csv` reads as missing (``NaN``, ``None``,
#: ``NULL``, ``N/A``, ``#N/A``, ``<NA>`` ...), ``NaT``, a dash and 无, as a
#: form or a CRM writes none. A channel or tier of one is no channel or tier.
_NO_VALUE = frozenset(
    {"", "nan", "-nan", "none", "null", "n/a", "na", "#n/a", "#n/a n/a", "#na", "<na>", "nat"}
    | {"1.#ind", "-1.#ind", "1.#qnan", "-1.#qnan", "-", "--", "—", "——", "无"}
)


def _no_value(value: str) -> bool:
    """Whether a channel or tier is what an export writes for none (``"nan"``,
    ``"None"``, ``"N/A"``, ``"-"``, blank ...), whatever its case or width."""
    return _fold(value) in _NO_VALUE


def _build_triggers(ck: _Checker, value: Any) -> tuple[Trigger, ...]:
    triggers: list[Trigger] = []
    seen: set[str] = set()
    for where, t in ck.tables(
        value,
        "triggers",
        ("code", "level", "zh", "en", "patterns"),
        ("cancel_on", "needs_category"),
    ):
        needs = ck.bool_(t.get("needs_category", False), f"{where}.needs_category")
        code = ck.str_(t["code"], f"{where}.code")
        if code in seen:
            raise ck.fail(where, f"duplicate code {code!r}")
        seen.add(code)
        pats = t["patterns"]
        if not isinstance(pats, list) or not pats:
            raise ck.fail(f"{where}.patterns", "expected a non-empty list of regular expressions")
        cancel = ck.str_list(t.get("cancel_on", list(_DEFAULT_CANCEL)), f"{where}.cancel_on")
        for j, m in enumerate(cancel):
            ck.one_of(m, MODIFIERS, f"{where}.cancel_on[{j}]")
        triggers.append(
            Trigger(
                code=code,
                level=ck.level(t["level"], where),
                zh=ck.str_(t["zh"], f"{where}.zh"),
                en=ck.str_(t["en"], f"{where}.en"),
                patterns=tuple(
                    _trigger_pattern(ck, p, f"{where}.patterns[{j}]") for j, p in enumerate(pats)
                ),
                cancel_on=tuple(cancel),
                needs_category=needs,
            )
        )
    return tuple(triggers)


@functools.lru_cache(maxsize=4096)
def _regex_problem(text: str) -> str | None:
    """Why `text` cannot be a policy's regular expression, or None.

    One answer a pattern: every policy that extends the default checked its
    hundreds of patterns again, with the same answers (a user's policy in a
    notebook, each context's policy in a service), half of its build.
    """
    try:
        compiled = re.compile(text)
    except re.error as exc:
        return f"bad regular expression {text!r}: {exc}"
    if re.match(r"\(\?[aiLmsux]+\)", text):
        return (
            f"regular expression {text!r} sets a flag for the whole policy; "
            "scope it to the pattern, e.g. (?i:ceo)"
        )
    # Patterns are combined into one expression, where group numbers and
    # names are not the pattern's own.
    if re.search(r"\\[1-9]|\(\?P=|\(\?\(", text):
        return f"regular expression {text!r} uses a backreference"
    if "(?P<" in text:
        return f"regular expression {text!r} uses a named group; use (?:...) instead"
    if compiled.search("") is not None:
        return f"regular expression {text!r} matches the empty string"
    if _nested_repeat(text):
        return (
            f"regular expression {text!r} repeats a part that itself repeats without "
            "bound, as (a+)+ does: a failing match may take minutes on a long text "
            "(catastrophic backtracking); repeat the part once, or make the inner "
            "repeat possessive (a++) or atomic ((?>a+))"
        )
    if _split_repeats(text):
        return (
            f"regular expression {text!r} has repeats side by side that match the "
            "same characters, as a*a* does: a failing match tries every way to split "
            "a run between them, from a tenth of a second to minutes on a text of "
            f"the {_RAW_CAP:,} characters the rules read; merge them (a*a* to a*), "
            "make the first possessive (a*+a*), or bound them ({0,6})"
        )
    if _ambiguous_repeat(text):
        return (
            f"regular expression {text!r} repeats alternatives that split one run "
            "of text in more than one way, as (?:哈|哈哈)+ does (哈哈 is 哈哈 or "
            "哈 哈): a failing match may take minutes on a long run (catastrophic "
            "backtracking); write the run once (哈+), or make the repeat possessive "
            "((?:哈|哈哈)++)"
        )
    return None


def _trigger_pattern(ck: _Checker, value: Any, where: str) -> str:
    """A trigger's pattern, checked (`_trigger_problem`)."""
    text = ck.regex(value, where)
    problem = _trigger_problem(text)
    if problem is not None:
        raise ck.fail(where, problem)
    return text


@functools.lru_cache(maxsize=4096)
def _trigger_problem(text: str) -> str | None:
    """Why the trigger pattern `text` could never match, or None, one answer a
    pattern (as `_regex_problem`): one that spells a space or a symbol the
    text is read without (`_closed_up`), or a traditional character the text
    is read simplified."""
    runs = _literal_runs(text)
    found_away = _normalised_away(runs)
    if found_away is not None:
        piece, read = found_away
        fix = f"write '{re.escape(read)}'" if read else "drop it"
        return (
            f"regular expression {text!r} holds {piece!r}, which the text is read as "
            f"{read!r}: the patterns match the normalised text (triage.normalize: "
            f"full-width letters, digits and punctuation half-width, HTML and invisible "
            f"characters removed), so it never matches there; {fix}"
        )
    for run in runs:
        simplified = _simplify(run) if not run.isascii() else run
        if _changed(run, simplified):
            return (
                f"regular expression {text!r} holds {run!r}, which the text is read as "
                f"{simplified!r}: traditional characters are simplified before the patterns "
                f"match (總經理 is read 总经理), and Cantonese written as Mandarin writes it "
                f"(报咗警 is read 报了警), so it never matches there; write {simplified!r}"
            )
    found = _read_through(runs)
    if found is not None:
        run, closed = found
        return (
            f"regular expression {text!r} holds {run!r}, which the text is read as "
            f"{closed!r}: spaces inside Chinese words and numbers, and emoji and symbols "
            f"typed inside Chinese words, are taken out before the patterns match "
            f"(报 警 and 报👮警 are read 报警), so it never matches there; write {closed!r}"
        )
    return None


def _normalised_away(runs: list[str]) -> tuple[str, str] | None:
    """A word of the literal runs of a pattern (`_literal_runs`) that the
    text is never written as once normalised (``找ｃｅｏ`` is read ``找ceo``,
    ``差！`` ``差!``, ``&amp;`` ``&``), with how it is read (closed up as the
    engine reads it); None when there is none. Traditional characters are
    left to the check that follows."""
    for run in runs:
        for piece in run.split(" "):
            cleaned = _clean(piece)
            if cleaned != piece:
                return piece, _closed_up(" ".join(cleaned.split()))[0]
    return None


def _changed(run: str, simplified: str) -> bool:
    """Whether simplifying changed `run`, a part of a pattern, otherwise than
    in 著: the text keeps 著 in 著名 or 显著, which a pattern may spell apart
    (``(?:显|卓)著``)."""
    if len(run) != len(simplified):
        return True
    return any(a != b and a != "著" for a, b in zip(run, simplified, strict=True))


def _read_through(runs: list[str]) -> tuple[str, str] | None:
    """A run of literal characters of a pattern (`_literal_runs`) that
    `_closed_up` reads otherwise (``总 经理`` as ``总经理``), with how it reads
    it; None when there is none. A space between two digits is let be: beside
    what the pattern puts around the run, the digits may be no single ones."""
    for run in runs:
        view, gaps = _closed_up(run)
        for k, d in enumerate(gaps or ()):
            at = d + k  # the dropped character's place in `run`
            if not (run[at] == " " and run[at - 1].isdigit() and run[at + 1].isdigit()):
                return run, view
    return None


@functools.lru_cache(maxsize=4096)
def _parsed(pattern: str) -> Any:
    """`pattern` as Python's regex parser reads it, parsed once: a policy's
    checks and its build each read the tree, and none changes it. Each
    pattern was parsed some seven times, half the build of the default
    policy, and again for each character whose regex holds it (`_chain`)."""
    from re import _parser  # type: ignore[attr-defined]

    return _parser.parse(pattern)


def _literal_runs(pattern: str) -> list[str]:
    """The runs of literal characters of `pattern` (none when Python's parser
    is not as expected)."""

    def runs(items: Any) -> Iterator[str]:
        run: list[str] = []
        for op, av in items:
            name = str(op)
            if name == "LITERAL":
                run.append(chr(av))
                continue
            yield "".join(run)
            run = []
            if name == "SUBPATTERN":
                yield from runs(av[-1])
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                yield from runs(av[2])
            elif name == "BRANCH":
                for alt in av[1]:
                    yield from runs(alt)
            elif name == "ATOMIC_GROUP":
                yield from runs(av)
            elif name in ("ASSERT", "ASSERT_NOT"):
                yield from runs(av[1])
        yield "".join(run)

    try:
        parsed = _parsed(pattern).data
    except Exception:  # pragma: no cover - parser internals differ: not checked
        return []
    return [run for run in runs(parsed) if run]


def _build_emotion_signals(ck: _Checker, value: Any) -> tuple[EmotionSignal, ...]:
    signals = []
    for where, s in ck.tables(
        value,
        "signals.emotions",
        ("code", "emotion", "min_intensity", "level", "zh", "en"),
        ("needs_problem", "cues"),
    ):
        cues = tuple(
            ck.regex(v, f"{where}.cues[{j}]")
            for j, v in enumerate(ck.str_list(s.get("cues", []), f"{where}.cues"))
        )
        needs_problem = ck.bool_(s.get("needs_problem", False), f"{where}.needs_problem")
        emotion = ck.one_of(s["emotion"], [str(e) for e in EMOTIONS], f"{where}.emotion")
        signals.append(
            EmotionSignal(
                code=ck.str_(s["code"], f"{where}.code"),
                emotion=emotion,
                min_intensity=ck.int_(s["min_intensity"], f"{where}.min_intensity", 1, 2),
                level=ck.level(s["level"], where),
                zh=ck.str_(s["zh"], f"{where}.zh"),
                en=ck.str_(s["en"], f"{where}.en"),
                needs_problem=needs_problem,
                cues=cues,
            )
        )
    return tuple(signals)


def _build_category_signal(ck: _Checker, value: Any, codes: set[str]) -> CategorySignal:
    cs = ck.table(
        value,
        "signals.category",
        ("code", "level", "zh", "en", "min_emotion", "mild"),
        ("requires", "mixed", "emotions"),
    )
    mild = ck.str_list(cs["mild"], "signals.category.mild")
    for j, code in enumerate(mild):
        if code not in codes:
            raise ck.fail(f"signals.category.mild[{j}]", f"no trigger with code {code!r}")
    mixed = ck.str_list(cs.get("mixed", []), "signals.category.mixed")
    for j, code in enumerate(mixed):
        if code not in codes:
            raise ck.fail(f"signals.category.mixed[{j}]", f"no trigger with code {code!r}")
    requires = ck.str_list(cs.get("requires", []), "signals.category.requires")
    for j, code in enumerate(requires):
        if code not in codes:
            raise ck.fail(f"signals.category.requires[{j}]", f"no trigger with code {code!r}")
        if code in mild or code in mixed:
            raise ck.fail(
                f"signals.category.requires[{j}]",
                f"{code!r} is a {'mild' if code in mild else 'mixed'} trigger; "
                "a concrete-problem cue cannot also be mild",
            )
    known = [str(e) for e in EMOTIONS]
    emotions = ck.str_list(cs.get("emotions", known), "signals.category.emotions")
    for j, name in enumerate(emotions):
        ck.one_of(name, known, f"signals.category.emotions[{j}]")
        if name in emotions[:j]:
            raise ck.fail(f"signals.category.emotions[{j}]", f"{name!r} is given twice")
    return CategorySignal(
        code=ck.str_(cs["code"], "signals.category.code"),
        level=ck.level(cs["level"], "signals.category"),
        zh=ck.str_(cs["zh"], "signals.category.zh"),
        en=ck.str_(cs["en"], "signals.category.en"),
        min_emotion=ck.int_(cs["min_emotion"], "signals.category.min_emotion", 1, 3),
        mild=tuple(mild),
        requires=tuple(requires),
        mixed=tuple(mixed),
        emotions=tuple(Emotion(name) for name in emotions),
    )


@functools.cache
def _lowered_from() -> dict[str, tuple[str, ...]]:
    """Every character by the characters that `re` lowers to it, when they are
    others (K and the Kelvin sign U+212A for k), read once from all of Unicode."""
    import _sre  # type: ignore[import-not-found]

    out: dict[str, list[str]] = {}
    for code in range(sys.maxunicode + 1):
        low = _sre.unicode_tolower(code)
        if low != code:
            out.setdefault(chr(low), []).append(chr(code))
    return {k: tuple(v) for k, v in out.items()}


def _any_case(chars: frozenset[str]) -> frozenset[str]:
    """The characters a case-insensitive ``(?i:...)`` match may start with,
    when its pattern starts with `chars`: a superset of those `re` matches
    (it compares characters lowered, and a few, as U+017F and s, as equals)."""
    import _sre
    from re import _casefix  # type: ignore[attr-defined]

    lowered: set[str] = set()
    for ch in chars:
        for one in (ch, ch.lower(), ch.upper()):
            if len(one) == 1:
                low = _sre.unicode_tolower(ord(one))
                lowered.update((one, chr(low)))
                lowered.update(chr(c) for c in _casefix._EXTRA_CASES.get(low, ()))
    table = _lowered_from()
    out = set(lowered)
    for low in lowered:
        out.update(table.get(low, ()))
    return frozenset(out)


def _first_chars(items: Any) -> tuple[frozenset[str] | None, bool]:
    """Characters a parsed pattern can start with (None: any) and whether it can be empty."""
    out: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            out.add(chr(av))
            return frozenset(out), False
        if name == "IN":
            for iop, iav in av:
                iname = str(iop)
                if iname == "LITERAL":
                    out.add(chr(iav))
                elif iname == "RANGE" and iav[1] - iav[0] < 512:
                    out.update(chr(c) for c in range(iav[0], iav[1] + 1))
                else:
                    return None, False
            return frozenset(out), False
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue  # zero width: the next item starts the match
        if name in ("SUBPATTERN", "MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT", "BRANCH"):
            if name == "SUBPATTERN":
                if av[1] & re.IGNORECASE:  # (?i:...): either case may start it
                    chars, empty = _first_chars(av[-1])
                    if chars is None:
                        return None, False
                    out.update(_any_case(chars))
                    if not empty:
                        return frozenset(out), False
                    continue
                subs, nullable_self = [av[-1]], False
            elif name == "BRANCH":
                subs, nullable_self = list(av[1]), False
            else:
                subs, nullable_self = [av[2]], av[0] == 0
            nullable = nullable_self
            for sub in subs:
                chars, empty = _first_chars(sub)
                if chars is None:
                    return None, False
                out.update(chars)
                nullable = nullable or empty
            if not nullable:
                return frozenset(out), False
            continue
        return None, False
    return frozenset(out), True


def _nested_repeat(pattern: str) -> bool:
    """Whether `pattern` repeats a part whose only required content is an
    unbounded repeat, as in ``(a+)+`` or ``(?:x|y*)*``: the ways to split a run
    between the two repeats grow exponentially with its length, and a failing
    match tries them all. A possessive repeat or an atomic group does not
    backtrack and is safe.
    """
    from re import _parser  # type: ignore[attr-defined]

    unbounded = _parser.MAXREPEAT

    def nullable(item: Any) -> bool:
        name, av = str(item[0]), item[1]
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            return True
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            return av[0] == 0 or all(nullable(i) for i in av[2])
        if name == "SUBPATTERN":
            return all(nullable(i) for i in av[-1])
        if name == "ATOMIC_GROUP":
            return all(nullable(i) for i in av)
        if name == "BRANCH":
            return any(all(nullable(i) for i in alt) for alt in av[1])
        return False

    def absorbs(items: Any) -> bool:
        """Whether an unbounded repeat among `items` may match a character that
        can follow it, in `items` or in the next round of the repeat around
        them, as ``.*`` in ``(?:.*哈)+`` may: a run of 哈 splits between the two
        repeats in every way."""
        start = _first_chars(items)[0]
        for k, item in enumerate(items):
            name, av = str(item[0]), item[1]
            if name in ("MAX_REPEAT", "MIN_REPEAT") and av[1] == unbounded:
                after, empty = _first_chars(items[k + 1 :])
                if after is None or (empty and start is None):
                    return True
                if _may_match(av[2], after | (start if empty and start else frozenset())):
                    return True
        return False

    def grows(items: Any) -> bool:
        """Whether `items` may match as nothing but a backtracking unbounded repeat."""
        required = [i for i in items if not nullable(i)]
        if required and absorbs(items):
            return True
        if len(required) > 1:
            return False
        for item in required or items:
            name, av = str(item[0]), item[1]
            if name in ("MAX_REPEAT", "MIN_REPEAT") and av[1] == unbounded:
                return True
            if name == "SUBPATTERN" and grows(av[-1]):
                return True
            if name == "BRANCH" and any(grows(alt) for alt in av[1]):
                return True
        return False

    try:
        return any(grows(body) for body in _repeats(pattern))
    except Exception:  # pragma: no cover - parser internals differ: not checked
        return False


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _may_match(items: Any, chars: frozenset[str]) -> bool:
    """Whether the parsed part `items`, one round of a repeat, may start with
    one of `chars`; True when it cannot be told (a conservative answer)."""
    # the one item of a part of one, as the . of .*
    name: str = str(items[0][0]) if len(items) == 1 else ""
    av: Any = items[0][1] if len(items) == 1 else None
    if name == "NOT_LITERAL":
        return any(c != chr(av) for c in chars)
    if name == "ANY":
        return any(c != "\n" for c in chars)
    if name != "IN":  # a literal, or a part whose first characters are told
        found = _first_chars(items)[0]
        return found is None or bool(found & chars)
    parts = [(str(op), arg) for op, arg in av]
    known = ("NEGATE", "LITERAL", "RANGE")
    if any(k not in known and not (k == "CATEGORY" and str(a) in _CATEGORIES) for k, a in parts):
        return True
    negate = ("NEGATE", None) in parts

    def member(c: str) -> bool:
        for kind, arg in parts:
            if kind == "LITERAL" and ord(c) == arg:
                return True
            if kind == "RANGE" and arg[0] <= ord(c) <= arg[1]:
                return True
            if kind == "CATEGORY" and re.match(_CATEGORIES[str(arg)], c):
                return True
        return False

    return any(member(c) != negate for c in chars)


def _repeats(pattern: str, *, inside_atomic: bool = True) -> Iterator[Any]:
    """The parsed part of each repeat of `pattern` that backtracks, that is
    neither possessive nor bounded under 16 times; with `inside_atomic`, those
    inside an atomic group or a possessive repeat too (where a repeat still
    backtracks while the group is matched, if something after it there fails).
    """
    from re import _parser  # type: ignore[attr-defined]

    unbounded = _parser.MAXREPEAT

    def walk(items: Any) -> Iterator[Any]:
        for item in items:
            name, av = str(item[0]), item[1]
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                if name != "POSSESSIVE_REPEAT" and (av[1] == unbounded or av[1] >= 16):
                    yield av[2]
                subs = [av[2]] if inside_atomic or name != "POSSESSIVE_REPEAT" else []
            elif name == "SUBPATTERN":
                subs = [av[-1]]
            elif name == "ATOMIC_GROUP":
                subs = [av] if inside_atomic else []
            elif name in ("ASSERT", "ASSERT_NOT"):
                subs = [av[1]]
            elif name == "BRANCH":
                subs = list(av[1])
            else:
                continue
            for sub in subs:
                yield from walk(sub)

    yield from walk(_parsed(pattern).data)


# the most words `_words` spells out for one repeated part
_MAX_WORDS = 2000


def _words(items: Any) -> list[str] | None:
    """Every text a parsed pattern matches, when they are few and it has
    neither lookarounds nor flags: a list, with a text twice when the pattern
    matches it in two ways; None when that cannot be told so."""
    out = [""]
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            these: list[str] | None = [chr(av)]
        elif name == "IN":
            these = []
            for iop, iav in av:
                if str(iop) == "LITERAL":
                    these.append(chr(iav))
                elif str(iop) == "RANGE" and iav[1] - iav[0] < 256:
                    these.extend(chr(c) for c in range(iav[0], iav[1] + 1))
                else:
                    return None
        elif name == "SUBPATTERN":
            these = None if av[1] or av[2] else _words(av[-1])
        elif name == "BRANCH":
            these = []
            for alt in av[1]:
                more = _words(alt)
                if more is None:
                    return None
                these.extend(more)
        elif name in ("MAX_REPEAT", "MIN_REPEAT") and av[1] <= 4:
            one = _words(av[2])
            if one is None:
                return None
            these = [""] if av[0] == 0 else []
            run = [""]
            for k in range(1, av[1] + 1):
                run = [a + b for a in run for b in one]
                if len(run) > _MAX_WORDS:
                    return None
                if k >= av[0]:
                    these.extend(run)
        else:
            return None
        if these is None or len(out) * len(these) > _MAX_WORDS:
            return None
        out = [a + b for a in out for b in these]
    return out


def _uniquely_decodable(words: set[str]) -> bool:
    """Whether no text splits into `words` in two ways (Sardinas-Patterson)."""
    code = words - {""}
    if len(code) < len(words):
        return False  # the empty word: any split may take it anywhere
    dangling = {b[len(a) :] for a in code for b in code if a != b and b.startswith(a)}
    seen: set[frozenset[str]] = set()
    while dangling:
        if not dangling.isdisjoint(code):
            return False
        key = frozenset(dangling)
        if key in seen:
            return True
        seen.add(key)
        dangling = {y[len(x) :] for x in code for y in dangling if y.startswith(x) and y != x} | {
            y[len(x) :] for x in dangling for y in code if y.startswith(x) and y != x
        }
    return True


def _ambiguous_repeat(pattern: str) -> bool:
    """Whether `pattern` repeats without bound (or 16 times or more) a part
    whose texts split a run in more than one way, as in ``(?:哈|哈哈)+``,
    ``(?:太太?)*`` or ``(?:好|好)+``: a failing match tries every split. Only
    a part of few, spelled-out texts is judged; a possessive repeat or an
    atomic group does not backtrack and is safe.
    """
    try:
        for body in _repeats(pattern, inside_atomic=False):
            words = _words(body)
            if words is not None and (
                len(set(words)) < len(words) or not _uniquely_decodable(set(words))
            ):
                return True
    except Exception:  # pragma: no cover - parser internals differ: not checked
        return False
    return False


# characters that `_one_class` tells apart classes by, besides those they name
_PROBES = frozenset(
    [chr(c) for c in range(128)] + list("哈啊的了一退款没到账\u3000，。！？１ａé😡")
)


def _one_class(state: Any, body: Any) -> re.Pattern[str] | None:
    """The parsed part `body` compiled, when it matches one character of a class."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    if len(body) != 1 or str(body[0][0]) not in ("LITERAL", "NOT_LITERAL", "IN", "ANY"):
        return None
    rx: re.Pattern[str] = _compiler.compile(_parser.SubPattern(state, list(body)), state.flags)
    return rx


def _overlap(state: Any, one: Any, other: Any) -> bool:
    """Whether the parsed parts `one` and `other` may match a character alike;
    True when it cannot be told (a conservative answer)."""
    a, b = _one_class(state, one), _one_class(state, other)
    if a is not None and b is not None:
        named = (_first_chars(one)[0] or frozenset()) | (_first_chars(other)[0] or frozenset())
        return any(a.match(c) and b.match(c) for c in _PROBES | named)
    first = _first_chars(one)[0]
    if first is not None:
        return _may_match(other, first)
    first = _first_chars(other)[0]
    return first is None or _may_match(one, first)


def _split_repeats(pattern: str, length: int = _RAW_CAP) -> bool:
    """Whether `pattern` holds repeats side by side, with nothing required
    between them, that match the same characters (``a*a*b``, ``\\d+ *\\d+``,
    ``.*?.*``, ``哈{0,200}哈{0,200}``) and split a run of `length` characters,
    the most the rules read, in more than `length` ways: a failing match
    tries every split at each place, a polynomial of the run's length.

    ``a*a*b`` took seconds over 4,000 a, ``a*a*a*a*b`` minutes over 300; a
    possessive repeat gives nothing back, so one that comes first splits
    nothing (``a*+a*``), while one after a repeat still is matched anew for
    each character that repeat gives back.
    """
    parsed = _parsed(pattern)
    state = parsed.state

    def nullable(name: str, av: Any) -> bool:
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            return True
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            return bool(av[0] == 0)
        return False

    def splits(items: Any) -> bool:
        chain: list[tuple[Any, int, bool]] = []  # (part, most times, overlaps another)
        for item in items:
            name, av = str(item[0]), item[1]
            while name == "SUBPATTERN" and len(av[-1]) == 1 and not av[1] and not av[2]:
                name, av = str(av[-1][0][0]), av[-1][0][1]
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[1] > 1:
                most = min(av[1], length)
                hit = [k for k, (part, _, _) in enumerate(chain) if _overlap(state, part, av[2])]
                for k in hit:
                    chain[k] = (chain[k][0], chain[k][1], True)
                chain.append((av[2], most, bool(hit)))
                ways = math.prod(n + 1 for _, n, both in chain if both)
                if hit and ways > length:
                    return True
                if name == "POSSESSIVE_REPEAT" or (not hit and av[0] > 0):
                    chain = [] if name == "POSSESSIVE_REPEAT" else chain[-1:]
            elif not nullable(name, av):
                chain = []
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                subs = [av[2]]
            elif name == "SUBPATTERN":
                subs = [av[-1]]
            elif name == "ATOMIC_GROUP":
                subs = [av]
            elif name in ("ASSERT", "ASSERT_NOT"):
                subs = [av[1]]
            elif name == "BRANCH":
                subs = list(av[1])
            else:
                subs = []
            if any(splits(sub) for sub in subs):
                return True
        return False

    try:
        return splits(parsed.data)
    except Exception:  # pragma: no cover - parser internals differ: not checked
        return False


def _named(parts: Sequence[tuple[int, str]]) -> tuple[re.Pattern[str], tuple[int, ...]]:
    """One regex of several patterns as named groups ``g0``, ``g1`` ..., and their triggers."""
    rx = re.compile("|".join(f"(?P<g{j}>{pat})" for j, (_, pat) in enumerate(parts)))
    return rx, tuple(i for i, _ in parts)


def _run_guard(part: tuple[int, str]) -> re.Pattern[str] | None:
    """`_named` of a pattern that starts by repeating one character class
    without bound (``\\d+元``, ``.*投诉``, ``[^,]+?退款``), behind a guard that it
    does not start inside a run of that class (``(?<!\\d)``); None for
    another pattern, or one that may match an empty text.

    A match tried inside a run could end wherever one tried a character
    before it could, and more: when the match tried where the run starts
    fails, all those inside the run fail too. Scanning for them anyway
    (`re.finditer`) read the rest of the run at each of its characters:
    ``\\d+元`` took a second on a text of 16,000 digits. With the guard the
    scan goes on from where a run starts (`_guarded_finditer`).
    """
    from re import _parser  # type: ignore[attr-defined]

    pattern = part[1]
    try:
        parsed = _parsed(pattern)
        if parsed.getwidth()[0] < 1:
            return None
        name, av = str(parsed.data[0][0]), parsed.data[0][1]
        if name not in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            return None
        body = list(av[2])
        if av[1] != _parser.MAXREPEAT or len(body) != 1:
            return None
        if str(body[0][0]) not in ("LITERAL", "NOT_LITERAL", "IN", "ANY"):
            return None
        for k in range(1, len(pattern)):  # the class as the pattern writes it
            with contextlib.suppress(re.error):
                if list(_parsed(pattern[:k])) == body:
                    return _named([(part[0], f"(?<!{pattern[:k]})(?:{pattern})")])[0]
    except Exception:  # pragma: no cover - parser internals differ: not guarded
        return None
    return None  # pragma: no cover - a class is some start of its pattern


def _guarded_finditer(
    rx: re.Pattern[str], guard: re.Pattern[str], view: str
) -> Iterator[re.Match[str]]:
    """The matches ``rx.finditer(view)`` gives, found with `guard`, its
    `_run_guard`: where a scan goes on, inside a run or not, a match is tried
    there, and from the next character on only where a run starts."""
    pos, n = 0, len(view)
    while pos < n:
        m = rx.match(view, pos)
        if m is None:
            m = guard.search(view, pos + 1)
            if m is None:
                return
        yield m
        pos = m.end()


class _Matcher(abc.ABC):
    """A pattern matched apart from the regex: `_Chain`, `_Plain` or
    `_Either`; its matches are those of ``re.finditer`` of the pattern,
    which matches at least one character."""

    __slots__ = ()
    lead = False  # whether it may start inside a run, tried where the last match ended

    @abc.abstractmethod
    def end(self, view: str, pos: int, memo: dict[int, Any]) -> int | None:
        """Where the pattern's match at `pos` ends, as ``re.match`` of it
        says, or None when it does not match there."""

    @abc.abstractmethod
    def starts(self, view: str, memo: dict[int, Any]) -> list[int]:
        """The places in `view`, in order, where the first match after
        another (or after the text's start) may start."""

    def spans(self, view: str, memo: dict[int, Any]) -> Iterator[tuple[int, int]]:
        """The spans of ``re.finditer`` of the pattern."""
        tried = self.starts(view, memo)
        pos, k, after = 0, 0, False
        while True:
            if after:
                start, after = pos, False
            else:
                k = bisect.bisect_left(tried, pos, k)
                if k == len(tried):
                    return
                start, k = tried[k], k + 1
            end = self.end(view, start, memo)
            if end is not None:
                yield start, end
                pos, after = end, self.lead


class _Chain(_Matcher):
    """A pattern of fixed parts joined by repeats of one character class
    (``退款.*没.*到账``, ``退款.*?没.+?到账``, ``退款[^。]*没[^。]*到账``,
    ``退款\\w*没\\S*到账``, ``退款.{0,500}没.{0,500}到账``,
    ``(?:退款|退货款).*没.*到账``, ``.*退款.*到账``), matched by where its
    parts stand in the text, not by backtracking.

    A failing match of ``退款.*没.*到账`` tries every 没 after each 退款 and,
    from each, every place up to the end of the line: over a text of 退款 and
    没 without 到账 a cube of its length, a minute over 16,000 characters,
    ten for ``.*?``. Each part (literals, classes, lookarounds, anchors,
    exact repeats of them and alternatives: each way to read it, in the
    order the regex tries them, has one length) is found once per text, all
    its places in one scan, and so is each run of the characters a repeat
    takes (``.`` takes no line break); the match at a place is then the one
    the regex finds: a greedy repeat takes the last place of its part,
    within the run and its bound, from which the rest still matches, a lazy
    one the first, and there the part is read the first way from which the
    rest matches. A pattern may start with a repeat (``.*退款``, an empty
    first part): its match is tried where a run of it starts, where its
    first part stands, as far before that as a bounded repeat reaches, and
    where the last match ended, as a failing match inside a run fails at
    its start unless the bound lets it reach further.
    """

    __slots__ = ("gaps", "lead", "parts", "whole")

    def __init__(
        self,
        parts: tuple[tuple[tuple[re.Pattern[str], int], ...], ...],
        gaps: tuple[tuple[int, int | None, bool, re.Pattern[str]], ...],
    ) -> None:
        # per part, each way to read it in the regex's order: a lookahead of
        # it (each place it matches) and its length; none for the empty first
        # part of a pattern that starts with a repeat
        self.parts = parts
        self.lead = not parts[0]
        # per repeat before a part, its least and most length (None: no bound),
        # whether lazy and a regex of the runs of what it takes
        self.gaps = gaps
        least = [min((w for _, w in ways), default=0) for ways in parts]
        self.whole = least[0] + sum(w + g[0] for w, g in zip(least[1:], gaps, strict=True))

    def _places(
        self, view: str, memo: dict[int, Any]
    ) -> tuple[list[list[int]], list[list[set[int]]], list[tuple[list[int], list[int]]]]:
        """Per part, the places in `view` where it matches and the rest after
        it can too, and per way to read it the places where it does so read;
        per repeat where its runs start and end. Found once per text
        (`memo`)."""
        key = id(self)
        if key not in memo:
            ways = []
            for part in reversed(self.parts):  # the last first: often it is nowhere
                ways.append([[m.start() for m in finder.finditer(view)] for finder, _ in part])
                if part and not any(ways[-1]):  # no match: no need of the rest
                    empty: list[list[int]] = [[] for _ in self.parts]
                    memo[key] = (empty, [[] for _ in self.parts], [([], []) for _ in self.gaps])
                    return self._places(view, memo)
            ways.reverse()
            runs = []
            for _, _, _, runner in self.gaps:
                spans = [m.span() for m in runner.finditer(view)]
                runs.append(([s for s, _ in spans], [e for _, e in spans]))
            places: list[list[int]] = [[] for _ in self.parts]
            read: list[list[set[int]]] = [[] for _ in self.parts]
            last = len(self.parts) - 1
            places[last] = sorted({x for found in ways[last] for x in found})
            read[last] = [set(found) for found in ways[last]]
            for i in range(last - 1, -1, -1):
                read[i] = [
                    {x for x in found if self._next(places, runs, i + 1, x + w) is not None}
                    for found, (_, w) in zip(ways[i], self.parts[i], strict=True)
                ]
                places[i] = sorted(set().union(*read[i]))
            memo[key] = (places, read, runs)
        got: tuple[list[list[int]], list[list[set[int]]], list[tuple[list[int], list[int]]]]
        got = memo[key]
        return got

    def _next(
        self,
        places: list[list[int]],
        runs: list[tuple[list[int], list[int]]],
        i: int,
        at: int,
        lazy: bool = False,
    ) -> int | None:
        """Where the `i`-th part goes when the one before it ends at `at`:
        the last of its places (the first, `lazy`) past the repeat's least
        length and within the run of what it takes from `at` and its most
        length; None when there is none."""
        starts, ends = runs[i - 1]
        k = bisect.bisect_right(starts, at) - 1
        reach = ends[k] if k >= 0 and ends[k] > at else at
        least, most = self.gaps[i - 1][:2]
        if most is not None:
            reach = min(reach, at + most)
        low = at + least
        if lazy:
            k = bisect.bisect_left(places[i], low)
            x = places[i][k] if k < len(places[i]) else reach + 1
        else:
            k = bisect.bisect_right(places[i], reach) - 1
            x = places[i][k] if k >= 0 else -1
        return x if low <= x <= reach else None

    def _width(self, read: list[list[set[int]]], i: int, x: int) -> int:
        """The length of the `i`-th part at `x`: of the first way to read it
        there from which the rest matches."""
        ways = self.parts[i]
        if len(ways) == 1:
            return ways[0][1]
        return next(w for found, (_, w) in zip(read[i], ways, strict=True) if x in found)

    def end(self, view: str, pos: int, memo: dict[int, Any]) -> int | None:
        """Where the pattern's match at `pos` ends, as ``re.match`` of it
        says, or None when it does not match there."""
        places, read, runs = self._places(view, memo)
        at = pos
        if not self.lead:
            k = bisect.bisect_left(places[0], pos)
            if k == len(places[0]) or places[0][k] != pos:
                return None
            at = pos + self._width(read, 0, pos)
        for i in range(1, len(places)):
            x = self._next(places, runs, i, at, self.gaps[i - 1][2])
            if x is None:
                return None
            at = x + self._width(read, i, x)
        return at

    def starts(self, view: str, memo: dict[int, Any]) -> list[int]:
        places, _, runs = self._places(view, memo)
        if not self.lead:
            return places[0]
        # with an empty first part, a match inside a run of the first repeat
        # fails where one before it in the run failed, unless the repeat's
        # bound lets it reach a place of the next part the other did not; and
        # outside a run the repeat is empty and the next part stands there. So
        # the first match is where a run starts, where the next part stands,
        # as far before one as the bound reaches, or where the last match ended.
        most = self.gaps[0][1]
        reached = () if most is None else (max(0, x - most) for x in places[1])
        return sorted({*runs[0][0], *places[1], *reached})


class _Plain(_Matcher):
    """A pattern of no repeat to join its parts (``退款``), as one of the
    alternatives of an `_Either`."""

    __slots__ = ("finder", "rx")

    def __init__(self, rx: re.Pattern[str], finder: re.Pattern[str]) -> None:
        self.rx = rx
        self.finder = finder  # a lookahead of it: each place it matches

    def end(self, view: str, pos: int, memo: dict[int, Any]) -> int | None:
        m = self.rx.match(view, pos)
        return None if m is None else m.end()

    def starts(self, view: str, memo: dict[int, Any]) -> list[int]:
        key = id(self)
        if key not in memo:
            memo[key] = [m.start() for m in self.finder.finditer(view)]
        found: list[int] = memo[key]
        return found


class _Either(_Matcher):
    """Alternatives of which one at least is a `_Chain`
    (``退款.*没.*到账|退货.*没.*到账``): at a place, the first that matches
    there, as the regex tries them; each is looked for once per text."""

    __slots__ = ("lead", "ways")

    def __init__(self, ways: tuple[_Matcher, ...]) -> None:
        self.ways = ways
        self.lead = any(way.lead for way in ways)

    def end(self, view: str, pos: int, memo: dict[int, Any]) -> int | None:
        for way in self.ways:
            end = way.end(view, pos, memo)
            if end is not None:
                return end
        return None

    def starts(self, view: str, memo: dict[int, Any]) -> list[int]:
        return sorted(set().union(*(way.starts(view, memo) for way in self.ways)))


# A repeat of one class at most this long or unbounded makes a pattern a
# `_Chain`: ``退款.{0,500}没.{0,500}到账`` took a third of a second on a text
# of 16,000 characters of 退款 and 没, ``.{0,2000}`` five, ``.{0,50}`` what
# ``.*`` does as a chain.
_LONG_GAP = 50

# The most ways to read one part of a `_Chain` (``(?:a|bc)(?:d|ef)``: four).
_MAX_WAYS = 64


@functools.lru_cache(maxsize=4096)
def _chain(pattern: str) -> _Matcher | None:
    """`pattern` as a `_Chain`, or None when it is not fixed parts joined by
    repeats of one character class (``.``, ``[^。]``, ``\\w``, ``\\S``) of
    which one at least is long (`_LONG_GAP`), or when it may match an empty
    text. A pattern of short repeats alone (``退款.{0,6}没到账``) is left to
    the regex, which reads it as fast."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    if "*" not in pattern and "+" not in pattern and "{" not in pattern:  # no repeat
        return None
    try:
        parsed = _parsed(pattern)
        state = parsed.state

        def ways(items: Any) -> list[list[Any]] | None:
            """Each way to read `items`, in the regex's order, as items
            without alternatives; None when a way has no one length."""
            out: list[list[Any]] = [[]]
            for op, av in items:
                name = str(op)
                options: list[list[Any]] | None
                if name == "BRANCH":
                    options = []
                    for alt in av[1]:
                        these = ways(alt)
                        if these is None:
                            return None
                        options.extend(these)
                elif name == "SUBPATTERN":
                    inner = ways(av[-1])
                    options = (
                        None
                        if inner is None
                        else [[(op, (*av[:-1], _parser.SubPattern(state, way)))] for way in inner]
                    )
                elif name == "ATOMIC_GROUP" or (
                    name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] == av[1]
                ):
                    body = av if name == "ATOMIC_GROUP" else av[2]
                    low, high = _parser.SubPattern(state, list(body)).getwidth()
                    options = [[(op, av)]] if low == high else None
                elif name in ("LITERAL", "NOT_LITERAL", "IN", "ANY", "AT", "ASSERT", "ASSERT_NOT"):
                    options = [[(op, av)]]
                else:
                    options = None
                if options is None or len(out) * len(options) > _MAX_WAYS:
                    return None
                out = [way + option for way in out for option in options]
            return out

        def one(body: Any) -> bool:  # ., [^。], \w, [a-z] or 哈: one character
            return len(body) == 1 and str(body[0][0]) in ("ANY", "NOT_LITERAL", "IN", "LITERAL")

        def chain_of(data: Any) -> _Chain | None:
            items: list[list[Any]] = [[]]
            gaps: list[tuple[int, int | None, bool, re.Pattern[str]]] = []
            for op, av in data:
                name = str(op)
                if name in ("MAX_REPEAT", "MIN_REPEAT") and av[0] != av[1] and one(av[2]):
                    run = _parser.SubPattern(
                        state, [(_parser.MAX_REPEAT, (1, _parser.MAXREPEAT, av[2]))]
                    )
                    most = None if av[1] == _parser.MAXREPEAT else av[1]
                    compiled = _compiler.compile(run, state.flags)
                    gaps.append((av[0], most, name == "MIN_REPEAT", compiled))
                    items.append([])
                else:
                    items[-1].append((op, av))
            if not any(g[1] is None or g[1] >= _LONG_GAP for g in gaps):
                return None
            parts: list[tuple[tuple[re.Pattern[str], int], ...]] = []
            for n, part in enumerate(items):
                if not n and not part:  # the pattern starts with a repeat
                    parts.append(())
                    continue
                read = ways(part)
                if read is None:
                    return None
                found = []
                for way in read:
                    sub = _parser.SubPattern(state, way)
                    low, high = sub.getwidth()
                    if low != high:  # pragma: no cover - a way without alternatives has one length
                        return None
                    look = _parser.SubPattern(state, [(_parser.ASSERT, (1, sub))])
                    found.append((_compiler.compile(look, state.flags), low))
                parts.append(tuple(found))
            chain = _Chain(tuple(parts), tuple(gaps))
            return chain if chain.whole > 0 else None

        data = list(parsed.data)
        # alternatives (a|b), their common start taken out by the parser
        branch = data[-1] if data and str(data[-1][0]) == "BRANCH" else None
        if branch is None or any(str(op) not in ("LITERAL", "IN", "ANY") for op, _ in data[:-1]):
            return chain_of(data)
        matchers: list[_Matcher] = []
        for alt in branch[1][1]:
            whole = data[:-1] + list(alt)
            chain = chain_of(whole)
            if chain is not None:
                matchers.append(chain)
                continue
            sub = _parser.SubPattern(state, whole)
            if sub.getwidth()[0] < 1:
                return None
            look = _parser.SubPattern(state, [(_parser.ASSERT, (1, sub))])
            finder = _compiler.compile(look, state.flags)
            matchers.append(_Plain(_compiler.compile(sub, state.flags), finder))
        # the regex reads words joined by one repeat about as fast (a square
        # of the text's length at most, 50 ms over 16,000 characters); by two
        # or more, a cube
        if not any(isinstance(m, _Chain) and len(m.gaps) > 1 for m in matchers):
            return None
        return _Either(tuple(matchers))
    except Exception:  # pragma: no cover - parser internals differ: the regex reads it
        return None


_Alternatives = tuple[re.Pattern[str], tuple[int, ...], tuple[tuple[int, _Matcher], ...]]


def _alternatives(parts: Sequence[tuple[int, str]]) -> _Alternatives:
    """`_named` of `parts`, with each `_Chain` among them matched apart: its
    group in the regex never matches, and `_first_at` tries it in its turn."""
    chains = tuple((j, ch) for j, (_, pat) in enumerate(parts) if (ch := _chain(pat)) is not None)
    held = {j for j, _ in chains}
    rx, owners = _named([(i, "(?!)" if j in held else pat) for j, (i, pat) in enumerate(parts)])
    return rx, owners, chains


def _first_at(
    alts: _Alternatives, view: str, pos: int, memo: dict[int, Any]
) -> tuple[int, int] | None:
    """(end, j) of the match at `pos` of the first of `alts` that matches
    there, the j-th, as the regex of them all would find it; None when none
    does."""
    rx, owners, chains = alts
    m = rx.match(view, pos)
    first = len(owners) if m is None or m.lastgroup is None else int(m.lastgroup[1:])
    for j, chain in chains:
        if j > first:
            break
        end = chain.end(view, pos, memo)
        if end is not None:
            return end, j
    return None if m is None or first == len(owners) else (m.end(), first)


def _compile(policy: Policy) -> _Compiled:
    cs = policy.category_signal

    firsts: list[frozenset[str] | None] = []
    for trig in policy.triggers:
        for pat in trig.patterns:
            try:
                found, empty = _first_chars(_parsed(pat).data)
            except Exception:  # pragma: no cover - parser internals differ: scan slowly
                found, empty = None, True
            firsts.append(None if empty or not found else found)

    starts: dict[bool, re.Pattern[str] | None] = {}
    by_char: dict[bool, dict[str, _Alternatives]] = {}
    parts: dict[bool, dict[str, tuple[tuple[int, str], ...]]] = {}
    slow: dict[
        bool,
        tuple[
            tuple[re.Pattern[str], tuple[int, ...], re.Pattern[str] | None, _Matcher | None], ...
        ],
    ] = {}
    for with_category in (True, False):
        # Patterns in level order, then policy order: the first that matches at a
        # place is found by one regex, the others there by `_next_at`.
        entries: list[tuple[int, str, frozenset[str] | None]] = []
        k = 0
        for i, trig in enumerate(policy.triggers):
            for pat in trig.patterns:
                if with_category or not trig.needs_category:
                    entries.append((i, pat, firsts[k]))
                k += 1
        entries.sort(key=lambda e: policy.triggers[e[0]].level.rank)
        chars: dict[str, list[tuple[int, str]]] = {}
        slow_parts: list[tuple[int, str]] = []
        for i, pat, first in entries:
            # one that starts with a run is tried where the run starts, whatever
            # its first characters (`_run_guard`)
            if first is None or _run_guard((i, pat)) is not None:
                slow_parts.append((i, pat))
            else:
                for ch in first:
                    chars.setdefault(ch, []).append((i, pat))
        by_char[with_category] = {}
        parts[with_category] = {ch: tuple(pats) for ch, pats in chars.items()}
        slow[with_category] = tuple((*_named([p]), _run_guard(p), _chain(p[1])) for p in slow_parts)
        starts[with_category] = (
            re.compile("[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]")
            if chars
            else None
        )
    return _Compiled(
        starts=starts,
        by_char=by_char,
        parts=parts,
        after={},
        slow=slow,
        cues=tuple(
            tuple((_named([(0, cue)])[0], _run_guard((0, cue)), _chain(cue)) for cue in sig.cues)
            for sig in policy.emotion_signals
        ),
        negation=re.compile(f"(?:{policy.negation})$"),
        hypothetical=re.compile(policy.hypothetical),
        question=re.compile(policy.question),
        reported=re.compile(policy.reported),
        notice=re.compile(policy.notice) if policy.notice else None,
        retracted=tuple(
            (re.compile(f"(?:{before})$"), re.compile(f"(?:{after})"))
            for before, after in policy.retracted
        ),
        circumstance=tuple(
            (re.compile(after), re.compile(unless) if unless else None)
            for after, unless in policy.circumstance
        ),
        circumstance_before=tuple(
            (re.compile(f"(?:{before})$"), re.compile(unless) if unless else None)
            for before, unless in policy.circumstance_before
        ),
        deadlines={p: m for p, _, _, m in policy.levels},
        teams=dict(policy.teams),
        channels=_folded(policy.channels, "channels"),
        tiers=_folded(policy.tiers, "tiers"),
        thresholds=dict(policy.thresholds),
        cancel=tuple(frozenset(t.cancel_on) for t in policy.triggers),
        mild=frozenset(policy.category_signal.mild),
        mixed=frozenset(policy.category_signal.mixed),
        requires=frozenset(policy.category_signal.requires),
        marks={
            True: tuple(
                1 if t.code in cs.mild else 2 if t.level is cs.level or t.code in cs.requires else 0
                for t in policy.triggers
            ),
            False: (0,) * len(policy.triggers),
        },
    )


# ---------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------


def _clause_start(text: str, pos: int, low: int, ends: frozenset[str]) -> int:
    i = pos
    while i > low and text[i - 1] not in ends:
        i -= 1
    return i


def _clause_end(text: str, pos: int, high: int) -> int:
    i = pos
    while i < high and text[i] not in _CLAUSE_END:
        i += 1
    return i + 1 if i < high and text[i] in "?？" else i


def _quote_start(text: str, pos: int, low: int) -> int:
    """Where the quotation around `pos` opens, or -1 when `pos` is not quoted."""
    for i in range(pos - 1, low - 1, -1):
        ch = text[i]
        if ch in _QUOTES_CLOSE and ch != '"':
            return -1
        if ch in _QUOTES_OPEN and ch != '"':
            return i
    straight = text.count('"', low, pos)
    return text.rfind('"', low, pos) if straight % 2 else -1


def _cancelled(
    text: str,
    start: int,
    end: int,
    kinds: frozenset[str],
    c: _Compiled,
    w: int,
    breaks: Sequence[int] = (),
    spaces: Sequence[int] = (),
    memo: dict[int, Any] | None = None,
    lines: Sequence[int] | None = None,
) -> str | None:
    """The modifier among `kinds` that cancels the match ``text[start:end]``, or None.

    `breaks` are the positions of `text` before which an emoji was taken out
    (`_pictograph_breaks`), in order: a negation does not reach across one
    unless it wants a verb after it or the emoji stands inside it. `spaces`
    are those before which a space after a Chinese character was
    (`_clause_spaces`). A question after either asks nothing of the match
    (孩子吃完拉肚子了 能退货吗, 拉肚子了😡能退货吗), nor does a 吗 before it
    (能退货吗 孩子吃完拉肚子了). A negation before such a space, a
    supposition said whole before it, words said by staff or a notice before
    it reach no harm or threat the words after it say was done
    (`_done_on_its_line`, `_supposed_on_its_line`).
    `lines` are `spaces` and `breaks` together, where such a line may end
    (an emoji between two lines: 客服说让我等等 😡 我已经报警了), `spaces`
    when None. `memo` keeps what is found once per text (whether a
    `circumstance` pair's ``unless`` is in it).
    """
    low = max(0, start - w)
    if lines is None:
        lines = spaces
    if "negation" in kinds:
        a = _clause_start(text, start, low, _CLAUSE_END)
        clause = text[a:start]
        m = c.negation.search(clause) if clause else None
        if m is not None:
            cut = _last_break(breaks, start) if breaks else 0
            if (
                cut <= a
                # the emoji stands inside the negation (没😡有), as inside a keyword
                or a + m.start() < cut < start
                or c.negation.search(text, cut, start)
                or _WANTS_VERB.search(text, a, cut)
            ) and not _done_on_its_line(text, a + m.start(), start, end, c, w, spaces):
                return "negation"
    if "hypothetical" in kinds:
        a = _clause_start(text, start, low, _CLAUSE_END)
        for h in c.hypothetical.finditer(
            text, _clause_start(text, start, low, _SENTENCE_END), start
        ):
            # in an earlier clause it supposes no harm its own clause says was done
            # (我本来就怕辣,吃完你们的菜拉肚子了)
            if h.start() < a:
                if not _DONE.search(text, a, _clause_end(text, end, min(len(text), end + w))):
                    return "hypothetical"
            # nor on a line of its own that says it whole (会不会是这批货有问题
            # 吃了你们的外卖食物中毒住院了)
            elif not _supposed_on_its_line(text, h, start, end, c, w, lines):
                return "hypothetical"
    if "question" in kinds:
        a = _clause_start(text, start, low, _CLAUSE_END)
        a = max(a, text.rfind("吗", a, start) + 1)  # a 吗 before the match asked before it
        high = min(len(text), end + w)
        for cuts in (spaces, breaks):
            i = bisect.bisect_left(cuts, end)
            # a particle after the space or emoji still ends the question (会拉肚子 吗)
            while i < len(cuts) and cuts[i] < high and text[cuts[i]] in _PARTICLES:
                i += 1
            high = min(high, cuts[i]) if i < len(cuts) else high
        # an emoji kept in `text` (beside a space, a digit or a Latin letter:
        # 拉肚子 😡 3天了还没人回复吗) ends the clause as one taken out does
        for emoji in _PICTOGRAPH.finditer(text, end, high):
            after = emoji.end()
            while after < high and _PICTOGRAPH.match(text, after):
                after += 1
            if after >= len(text) or text[after] not in _PARTICLES:
                high = emoji.start()
                break
        b = _clause_end(text, end, high)
        clause = text[a:b]
        if c.question.search(clause) and (clause.endswith(("?", "？")) or "吗" in clause):
            return "question"
    if "reported" in kinds:
        # what staff said runs on longer than a negation's reach: 客服说如果我不满意可以去法院起诉
        # ... but not past the end of the line said, when the next line says
        # the customer's own act was done: 客服说让我等等 我已经报警了
        a = _clause_start(text, start, max(0, start - 2 * w), _CLAUSE_END)
        said = c.reported.search(text, a, start)
        if (
            said
            and not _OWN_ACT.search(text, said.end(), start)
            and not _done_on_its_line(text, said.end(), start, end, c, w, lines, c.reported)
        ):
            return "reported"
        # the words after a speaker's colon, unquoted: 前台说:你去报警吧
        if a > 0 and text[a - 1] in ":：":
            speaker = text[_clause_start(text, a - 1, max(0, a - 1 - w), _CLAUSE_END) : a - 1]
            if (
                c.reported.search(speaker)
                and not speaker.endswith("我说")
                and not _done_on_its_line(text, a, start, end, c, w, lines, c.reported)
            ):
                return "reported"
        q = _quote_start(text, start, max(0, start - 4 * w))
        if q > 0:
            speaker = text[max(0, q - w) : q]
            if (
                c.reported.search(speaker)
                and not speaker.rstrip(":：,， ").endswith("我说")
                and not _done_on_its_line(text, q + 1, start, end, c, w, lines, c.reported)
            ):
                return "reported"
    if "notice" in kinds and c.notice is not None:
        # the clause with the labels around it: 举报电话:12345 and 电话:12315
        a = _clause_start(text, start, low, _CLAUSE_END)
        b = _clause_end(text, end, min(len(text), end + w))
        lo, hi = max(0, a - 3), min(len(text), b + 1)
        n = c.notice.search(text, lo, hi)
        if n is not None and _acted_on_its_line(text, start, end, w, lines):
            # ... on the match's line: a notice on a line before or after the
            # customer's own act (如有问题请联系客服 我已经打了12315投诉) labels none
            first = _line_break(lines, -1, start)
            j = bisect.bisect_left(lines, end)
            lo, hi = max(lo, first), min(hi, lines[j] if j < len(lines) else hi)
            n = c.notice.search(text, lo, hi) if lo < hi else None
        if n is not None:
            return "notice"
    if "retracted" in kinds and _taken_back(text, start, end, c, w) >= 0:
        return "retracted"
    if (
        "circumstance" in kinds
        and (c.circumstance or c.circumstance_before)
        and _aside(text, start, end, c, w, memo)
    ):
        return "circumstance"
    return None


def _aside(
    text: str, start: int, end: int, c: _Compiled, w: int, memo: dict[int, Any] | None
) -> bool:
    """Whether the match ``text[start:end]`` is the customer's own state,
    named as the reason for an ask of something else: a pair of the
    `circumstance` modifier reads the ask right after it, in the rest of its
    sentence (我肚子疼,外卖放门口就行), or in the next one where nothing but a
    particle is left of it (我腿骨折了。麻烦送上楼); or, where nothing but a
    particle is left of its sentence, a ``before`` pair reads the ask ending
    right before it, within 4 times `w` characters (麻烦送上楼,我腿骨折了); and
    nothing in the text ties it to the business (吃了, 不新鲜). Whether the
    text holds an ``unless`` is looked up once a text (`memo`): a long one
    names a symptom and an ask many times over."""
    high = min(len(text), end + 4 * w)
    stop = _SENTENCE_STOP.search(text, end, high)
    # nothing but a particle left of the match's sentence, which asks nothing
    bare = (
        _BARE_REST.fullmatch(text, end, stop.start()) is not None
        and text[stop.start()] not in "?？"
        if stop is not None
        else high == len(text) and _BARE_REST.fullmatch(text, end, high) is not None
    )
    if bare and c.circumstance_before:
        said = text[max(0, start - 4 * w) : start]
        for asks, unless in c.circumstance_before:
            if asks.search(said) is not None and not _tied(text, unless, memo):
                return True
    if bare and stop is not None:
        # the state said as a sentence of its own, the ask in the next one
        nxt, limit = stop.end(), min(len(text), stop.end() + w)
        while nxt < limit and text[nxt] in _SENTENCE_RUN:
            nxt += 1
        high = min(len(text), nxt + 4 * w)
        stop = _SENTENCE_STOP.search(text, nxt, high)
        after = text[nxt : high if stop is None else stop.start()]
    else:
        after = text[end : high if stop is None else stop.start()]
    for asks, unless in c.circumstance:
        if asks.match(after) is not None and not _tied(text, unless, memo):
            return True
    return False


def _tied(text: str, unless: re.Pattern[str] | None, memo: dict[int, Any] | None) -> bool:
    """Whether `unless` is found in `text`, looked up once a text (`memo`)."""
    if unless is None:
        return False
    if memo is None:
        return unless.search(text) is not None
    tied = memo.get(id(unless))
    if tied is None:
        tied = memo[id(unless)] = unless.search(text) is not None
    return bool(tied)


def _taken_back(text: str, start: int, end: int, c: _Compiled, w: int) -> int:
    """Where what takes back the match ``text[start:end]`` ends, or -1 when
    nothing does: a pair of the `retracted` modifier reads the clause up to
    the match and the rest of its sentence after it (不是吃出石子,是吃出头发;
    本来想报警的,后来算了)."""
    if not c.retracted:
        return -1
    a = _clause_start(text, start, max(0, start - w), _CLAUSE_END)
    high = min(len(text), end + 4 * w)
    b = end
    while b < high and text[b] not in _SENTENCE_END:
        b += 1
    before, after = text[a:start], text[end:b]
    for ends_before, starts_after in c.retracted:
        if ends_before.search(before):
            m = starts_after.match(after)
            if m is not None:
                return end + m.end()
    return -1


def _line_break(spaces: Sequence[int], low: int, start: int) -> int:
    """The last of `spaces` after `low` and at or before `start`, or -1."""
    i = bisect.bisect_right(spaces, start)
    return spaces[i - 1] if i and spaces[i - 1] > low else -1


def _supposed_on_its_line(
    text: str,
    h: re.Match[str],
    start: int,
    end: int,
    c: _Compiled,
    w: int,
    spaces: Sequence[int],
) -> bool:
    """Whether the supposition `h` is said whole on a line before the match
    ``text[start:end]``, which the match's line says was done
    (`_done_on_its_line`): words of its own follow it up to a space of
    `spaces`, and its line asks it (会不会是这批货有问题, 担心会不会有问题),
    says what would follow (如果不行就退货) or ends in a particle (万一是假货呢).
    A supposition whose line says no more (万一这个插座 漏电了谁负责, 如果
    孩子受伤了) may go on past a space typed inside it, and still reaches."""
    i = bisect.bisect_right(spaces, h.end())
    if i == len(spaces) or spaces[i] > start:
        return False
    # its own line, up to the first break after it
    if h[0] != "会不会" and not _SUPPOSED.search(text, h.end(), spaces[i]):
        return False
    return _done_on_its_line(text, h.end(), start, end, c, w, spaces)


def _done_on_its_line(
    text: str,
    low: int,
    start: int,
    end: int,
    c: _Compiled,
    w: int,
    spaces: Sequence[int],
    again: re.Pattern[str] | None = None,
) -> bool:
    """Whether a space of `spaces` after `low` (a line break, normalised)
    stands before the match ``text[start:end]``, with no negation (or
    `again`, the modifier at `low`) after it, and the words from it to the
    next such space or the end of the match's clause say the harm or threat
    was done (`_DONE`), or the words before the match that the customer
    takes it up (`_OWN_ACT`: 再不处理我就找媒体曝光): the negation,
    supposition, words said or notice at `low` end a line of their own
    (快递还没到 宝宝被盒子划伤了, 催了三次都没用 12315已经投诉了, 客服说让我等等
    我已经报警了, 如有问题请联系客服 我已经打了12315投诉), as before a comma. Before
    what was not done, a space typed inside a clause is not told from a line
    break, and they still reach across it (我没有 报警的意思, 还好没有 受伤,
    客服说 你去报警吧)."""
    line = _line_break(spaces, low, start)
    if line < 0 or c.negation.search(text, line, start):
        return False
    if again is not None and again is not c.negation and again.search(text, line, start):
        return False
    return _acted_on_its_line(text, start, end, w, spaces)


def _acted_on_its_line(text: str, start: int, end: int, w: int, spaces: Sequence[int]) -> bool:
    """Whether the line of the match ``text[start:end]`` (from the last space
    of `spaces` before it to the next, or the end of its clause) says it was
    done (`_DONE`), or before the match that the customer takes it up
    (`_OWN_ACT`)."""
    line = max(_line_break(spaces, -1, start), 0)
    high = _clause_end(text, end, min(len(text), end + w))
    j = bisect.bisect_left(spaces, end)
    if j < len(spaces):
        high = min(high, spaces[j])
    return bool(_DONE.search(text, line, high) or _OWN_ACT.search(text, line, start))


def _last_break(breaks: Sequence[int], pos: int) -> int:
    """The last of `breaks` at or before `pos`, or 0."""
    i = bisect.bisect_right(breaks, pos)
    return breaks[i - 1] if i else 0


def _first_sentence(text: str) -> Evidence:
    end = 0
    while end < len(text) and text[end] not in _SENTENCE_END:
        end += 1
    end = max(end, min(len(text), 1))
    return Evidence(text[:end], 0, end)


_LEVEL_OF: dict[str, Priority] = {str(p): p for p in PRIORITIES}
_CATEGORY_OF: dict[str, Category] = {str(c): c for c in CATEGORIES}


def _level_arg(level: object) -> Priority:
    """`level`, a `Priority` or its name, as a `Priority`."""
    found = _LEVEL_OF.get(level) if isinstance(level, str) else None
    if found is None:
        raise ParameterError(f"level must be one of {', '.join(PRIORITIES)}, got {_shown(level)}")
    return found


def check_policy(policy: object) -> None:
    """Refuse a `policy` argument that is neither a `Policy` nor None.

    Raises
    ------
    ParameterError
        A path or a dict, say: the message says to load it with `load_policy`.
    """
    if policy is not None and not isinstance(policy, Policy):
        raise ParameterError(
            f"policy must be a triage.Policy or None, got {type(policy).__name__}; "
            "load a file or a dict once with triage.load_policy(...) and pass the result"
        )


def _validate_learned(learned: Mapping[str, float]) -> dict[Priority, float]:
    if not isinstance(learned, Mapping):
        raise ParameterError(
            f"learned must be a mapping of level to probability, got {type(learned).__name__}; "
            'e.g. {"P1": 0.1, "P2": 0.6, "P3": 0.2, "P4": 0.1}'
        )
    probs: dict[Priority, float] = {}
    for key, value in learned.items():
        level = _LEVEL_OF.get(key)  # a dict look-up: this runs once per scored row
        if level is None:
            raise ParameterError(
                f"learned: {_cut(key)} is not a priority level; expected keys among "
                f"{', '.join(str(p) for p in PRIORITIES)}"
            )
        try:
            p = float(value)
        except (TypeError, ValueError):
            p = math.nan
        if not 0.0 <= p <= 1.0:
            raise ParameterError(f"learned[{key!r}] = {_cut(value)} is not a probability in [0, 1]")
        probs[level] = p
    if not probs:
        raise ParameterError("learned: the distribution is empty; pass None for no model")
    return probs


def prioritize(
    text: str,
    categories: CategoryResult,
    emotions: EmotionResult,
    *,
    learned: Mapping[str, float] | None = None,
    context: Context | None = None,
    policy: Policy | None = None,
) -> PriorityResult:
    """Set the priority of one complaint and say why.

    Parameters
    ----------
    text : str
        The complaint, already normalised by `triage.text.normalize`; evidence
        offsets index into it.
    categories : CategoryResult
        What the complaint is about.
    emotions : EmotionResult
        Its emotions; intensities drive the emotion signals.
    learned : mapping of str to float, optional
        A model's probabilities per level, ``{"P1": .., "P2": .., "P3": .., "P4": ..}``.
        It may raise the rule level, never lower it.
    context : Context, optional
        Earlier complaints, channel and customer tier.
    policy : Policy, optional
        The policy; the default policy when None.

    Returns
    -------
    PriorityResult
        The level, every reason that fired (most urgent first), the
        first-response deadline and the team to route to.

    Raises
    ------
    InvalidTextError
        `text` is not a str.
    ParameterError
        `categories` is not a `CategoryResult`, `emotions` not an
        `EmotionResult`, `learned` not a mapping of levels to probabilities
        in [0, 1], `context` not a `Context` or `policy` not a `Policy` (load
        a policy file once with `load_policy`).

    Warns
    -----
    TriageWarning
        The channel or tier of `context` matches no key of the policy's
        ``[context]`` (``"wechat"`` where it says 微信), so sets no floor: once
        a process for each value, the first 100 values. What an export writes
        for none (``"nan"``, ``"None"``, ``"N/A"``, ``"-"``) is no channel.

    Examples
    --------
    >>> from triage.labels import CATEGORIES, EMOTIONS, Category
    >>> from triage.results import CategoryResult, EmotionResult, LabelMap
    >>> cats = CategoryResult(LabelMap(CATEGORIES, (0.9, 0, 0, 0, 0, 0)),
    ...                       (Category.PRODUCT,), Category.PRODUCT)
    >>> calm = EmotionResult(LabelMap(EMOTIONS, (0.0,) * 5), LabelMap(EMOTIONS, (0,) * 5), 0.3)
    >>> r = prioritize("孩子吃完一直拉肚子,再不处理我就去12315", cats, calm)
    >>> r.level, r.deadline_minutes, r.route
    (<Priority.P1: 'P1'>, 10, '客诉升级组')
    >>> [(x.code, x.evidence[0].text) for x in r.reasons if x.evidence]
    [('P1.health', '拉肚子'), ('P1.regulator', '12315')]
    >>> prioritize("还好没有拉肚子", cats, calm).level
    <Priority.P4: 'P4'>
    """
    check_text(text)
    check_policy(policy)
    for name, value, kind, made_by in (
        ("categories", categories, CategoryResult, "triage.classify(text)"),
        ("emotions", emotions, EmotionResult, "triage.score_emotions(text)"),
    ):
        if not isinstance(value, kind):
            raise ParameterError(
                f"{name} must be a triage.{kind.__name__}, got {type(value).__name__}; "
                f"as {made_by} gives it"
            )
    if context is not None and not isinstance(context, Context):
        raise ParameterError(
            f"context must be a triage.Context, got {type(context).__name__}; "
            "e.g. triage.Context(recent_complaints=2, channel='app')"
        )
    pol = default_policy() if policy is None else policy
    if context is not None and (context.channel is not None or context.customer_tier is not None):
        _warn_unmatched(context, pol)
    return _prioritize(
        text,
        categories.labels,
        categories.primary,
        emotions.intensities,
        None if learned is None else _validate_learned(learned),
        context,
        pol,
    )


def _prioritize(
    text: str,
    labels: Sequence[Category],
    primary: Category | None,
    intensities: Mapping[str, int],
    learned: Mapping[Priority, float] | None,
    context: Context | None,
    pol: Policy,
) -> PriorityResult:
    """`prioritize` of checked arguments: the categories' `labels` and
    `primary`, the emotions' `intensities` and the `learned` probabilities
    by level (`_validate_learned`). `triage.score_frame` calls it for every
    row, with what `prioritize` would have built and checked."""
    has_category = bool(labels)

    reasons, denied, plain = _trigger_reasons(text, pol, has_category)
    # The strongest span of the text, for reasons without one of their own
    # (the first sentence, found only when a reason needs it).
    support = reasons[0].evidence if reasons else None
    if has_category:
        reasons = _signal_reasons(text, intensities, pol, reasons, plain)
    if context is not None:
        reasons += _context_reasons(context, pol)
    level = min((r.level for r in reasons), key=_RANK.__getitem__, default=Priority.P4)
    if learned is not None:
        raised = _learned_reason(learned, level, pol, denied)
        if raised is not None:
            reasons.append(raised)
            level = raised.level
    if not reasons:
        reasons.append(
            Reason("P4.none", Priority.P4, "未发现具体问题", "no concrete problem found")
        )

    # Every P1 and P2 carries evidence: when no reason at the final level has a
    # span of its own, the first of them borrows the strongest span of the text.
    if _RANK[level] <= 2 and not any(r.evidence for r in reasons if r.level is level):
        top = next(i for i, r in enumerate(reasons) if r.level is level)
        r = reasons[top]
        if support is None:
            support = (_first_sentence(text),)
        reasons[top] = Reason(r.code, r.level, r.zh, r.en, support, r.source)

    reasons.sort(key=lambda r: _RANK[r.level])
    return PriorityResult(
        level=level,
        reasons=tuple(reasons),
        deadline_minutes=pol._c.deadlines[level],
        route=pol.route(level, primary),
    )


def _trigger_reasons(
    text: str, pol: Policy, has_category: bool
) -> tuple[list[Reason], set[Priority], bool]:
    """The policy triggers that fire in `text`, most urgent first; the
    levels the text denies: those a trigger matched for but a negation,
    hypothetical, question or quote cancelled, with none of the level firing
    (``还好没有拉肚子``); and whether a trigger at the category signal's level
    matched in a clause that no mild trigger qualifies (`_plain`).

    One scan per level; each trigger keeps its first few spans that no
    negation, hypothetical, question or quote cancels. What cancels a match
    cancels the matches that start inside it too: in ``没有食物中毒`` the
    negation governs ``中毒`` as it governs ``食物中毒``; and what takes a
    match back takes back the trigger's matches in what it read (the ``律师``
    of ``本来想起诉,律师说没必要``). Every trigger that
    matches at a place counts, not only the first: a policy's ``律师函`` beside
    the default ``律师``, or its ``中毒`` with ``cancel_on = []`` where the
    default one is cancelled.

    Spaces inside Chinese words and digit runs are read through (``报 警``,
    ``1 2 3 1 5``): the patterns match `text` closed up, and each span is
    the stretch of `text` it covers, spaces included.
    """
    c = pol._c
    spans: dict[int, list[Evidence]] = {}
    last_end: dict[int, int] = {}  # where each trigger's last span ends, in `view`
    cancelled: set[Priority] = set()
    found: list[tuple[int, int, int]] = []  # (start, end, trigger), in `view`
    view, at = _closed_up(text)
    memo: dict[int, Any] = {}  # what each `_Chain` found in `view`
    breaks = _pictograph_breaks(text, at) if at is not None else ()
    spaces = _clause_spaces(text, view, at)
    if breaks and at is not None:
        # an emoji after a space (on a line of its own: 催了三次都没用 😡
        # 吃了你们的外卖食物中毒住院了) ends the line before it, as the space does
        alone = [
            v
            for k, v in enumerate(at)
            if k and text[v + k - 1] == " " and _PICTOGRAPH.match(text, v + k)
        ]
        if alone:
            spaces = sorted({*spaces, *alone})
    # where a line may end for the words before it: those spaces, an emoji
    # taken out, and one kept (beside a space or a digit: 如有问题请联系客服 😡
    # 12315已经投诉了), as the question's clause ends at it
    kept = [m.start() for m in _PICTOGRAPH.finditer(view)] if _FILLER.search(text) else []
    lines = sorted({*spaces, *breaks, *kept}) if breaks or kept else spaces

    starts = c.starts[has_category]
    if starts is not None:
        table = c.by_char[has_category]
        for hit in starts.finditer(view):
            pos = hit.start()
            alts = table.get(view[pos]) or _by_char(c, has_category, view[pos])
            first = _first_at(alts, view, pos, memo)
            if first is not None and first[0] > pos:
                end, j = first
                found.append((pos, end, alts[1][j]))
                # the other triggers that match here count too
                following = _next_at(c, has_category, view, pos, j, memo)
                while following is not None:
                    end, idx, j = following
                    found.append((pos, end, idx))
                    following = _next_at(c, has_category, view, pos, j, memo)
    for rx, owners, guard, chain in c.slow[has_category]:
        if chain is not None:
            found.extend((s, e, owners[0]) for s, e in chain.spans(view, memo))
            continue
        for m in rx.finditer(view) if guard is None else _guarded_finditer(rx, guard, view):
            if m.lastgroup is not None and m.end() > m.start():
                found.append((m.start(), m.end(), owners[int(m.lastgroup[1:])]))
    if c.slow[has_category]:
        found.sort(key=operator.itemgetter(0))  # stable: at one start, the scan's order

    # the cancelled matches still open at the current start, with what cancelled them
    open_cancels: list[tuple[int, str]] = []
    # where what took back a match of each trigger ends (`_taken_back`)
    taken_back: dict[int, int] = {}
    # every match of a mild trigger and of an ordinary cue; those past the
    # spans kept are checked at the end, and only if both kinds matched
    marks = c.marks[has_category]
    mild: list[tuple[int, int]] = []
    ordinary: list[tuple[int, int]] = []
    late: list[tuple[int, int, int]] = []
    for s, e, idx in found:
        got = spans.get(idx)
        if got is not None and (len(got) >= _MAX_SPANS or s < last_end[idx]):
            if marks[idx] and s >= last_end[idx]:
                late.append((s, e, idx))
            continue
        kinds = c.cancel[idx]
        if not kinds:
            how = None
        else:
            if open_cancels:
                open_cancels = [(end, kind) for end, kind in open_cancels if end > s]
            how = next((kind for _, kind in open_cancels if kind in kinds), None)
            if how is None and s < taken_back.get(idx, -1):
                how = "retracted"
            how = how or _cancelled(view, s, e, kinds, c, pol.window, breaks, spaces, memo, lines)
        if how is not None:
            cancelled.add(pol.triggers[idx].level)
            open_cancels.append((e, how))
            if how == "retracted":
                # what takes the match back takes back the trigger's matches in
                # it: the 律师 of 本来想起诉,律师说没必要 is no lawsuit either
                reach = _taken_back(view, s, e, c, pol.window)
                taken_back[idx] = max(taken_back.get(idx, -1), reach)
            continue
        if marks[idx]:
            (mild if marks[idx] == 1 else ordinary).append((s, e))
        last_end[idx] = e
        if at is not None:
            s, e = _in_text(at, s), _in_text(at, e - 1) + 1
        ev = Evidence(text[s:e], s, e)
        if got is None:
            spans[idx] = [ev]
        else:
            got.append(ev)

    reasons = []
    for idx in sorted(spans, key=lambda i: (_RANK[pol.triggers[i].level], i)):
        t = pol.triggers[idx]
        reasons.append(Reason(t.code, t.level, t.zh, t.en, tuple(spans[idx])))
    # only a crisis is denied so: a negation of an ordinary problem is often
    # the problem itself (没有送到, 没有发票)
    denied = (cancelled & {Priority.P1}) - {r.level for r in reasons}
    if late and _both(late, marks, bool(ordinary), bool(mild)):
        for s, e, idx in late:
            kinds = c.cancel[idx]
            if (
                not kinds
                or _cancelled(view, s, e, kinds, c, pol.window, breaks, spaces, memo, lines) is None
            ):
                (mild if marks[idx] == 1 else ordinary).append((s, e))
    plain = bool(ordinary) and (not mild or _plain(view, ordinary, mild, pol.window))
    return reasons, denied, plain


def _by_char(c: _Compiled, has_category: bool, ch: str) -> _Alternatives:
    """The regex of the patterns that may start with `ch` (`_alternatives`),
    built once: threads that build it together build the same."""
    alts = c.by_char[has_category].get(ch)
    if alts is None:
        alts = c.by_char[has_category][ch] = _alternatives(c.parts[has_category][ch])
    return alts


def _build_all(policy: Policy) -> None:
    """Build every regex of `policy` that a text builds when it first has
    its character (`_by_char`), as `triage.warm_up` does for the default
    policy: a service's first requests are then as fast as the rest, and a
    pre-forking server's workers share them."""
    c = policy._c
    for has_category, chars in c.parts.items():
        for ch in chars:
            _by_char(c, has_category, ch)


def _next_at(
    c: _Compiled, has_category: bool, view: str, pos: int, j: int, memo: dict[int, Any]
) -> tuple[int, int, int] | None:
    """The match at `pos` of the first pattern after the `j`-th of those that
    start with ``view[pos]`` whose trigger is another than the `j`-th's, as
    (end, trigger, its place), or None."""
    key = (has_category, view[pos], j)
    if key not in c.after:
        parts = c.parts[has_category][view[pos]]
        rest = [k for k in range(j + 1, len(parts)) if parts[k][0] != parts[j][0]]
        c.after[key] = (_alternatives([parts[k] for k in rest]), tuple(rest)) if rest else None
    found = c.after[key]
    if found is None:
        return None
    alts, places = found
    got = _first_at(alts, view, pos, memo)
    if got is None or got[0] <= pos:
        return None
    k = places[got[1]]
    return got[0], c.parts[has_category][view[pos]][k][0], k


def _both(late: list[tuple[int, int, int]], marks: tuple[int, ...], cue: bool, word: bool) -> bool:
    """Whether, with the `late` matches, both a cue and a mild word matched."""
    for _, _, idx in late:
        if marks[idx] == 1:
            word = True
        else:
            cue = True
        if cue and word:
            return True
    return cue and word


def _plain(view: str, ordinary: list[tuple[int, int]], mild: list[tuple[int, int]], w: int) -> bool:
    """Whether an ordinary cue (start, end) stands in a clause without a mild
    word: ``太慢了`` does, ``有点太慢了`` and ``建议把退货入口做得明显一点`` do not.

    A mild word qualifies the cues of its own clause, within `w` characters,
    before or after them (``退货流程有点麻烦``); praise or a suggestion in another
    clause leaves the problem as it is (``菜还不错,就是送得太慢``).
    """
    for s, e in ordinary:
        a = _clause_start(view, s, max(0, s - w), _CLAUSE_END)
        b = _clause_end(view, e, min(len(view), e + w))
        if not any(a <= ms and me <= b for ms, me in mild):
            return True
    return False


# What a line may open with besides a Chinese character or a digit: a quote
# or a bracket (kept in the view: a space before them is taken out), a Latin
# letter (APP上能申请退款吗; the space before it stays)
_LINE_OPENINGS = frozenset('“「『"([【《〈')
_SPACE_BEFORE_LATIN = re.compile(
    "(?<=[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0010ffff]) (?=[A-Za-z])"
)


def _han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ch >= "\U00020000"


def _closed_up(text: str) -> tuple[str, list[int] | None]:
    """`text` without the spaces inside Chinese words and digit runs, and the
    emoji and symbols typed inside Chinese words, and where the dropped
    characters were, for `_in_text` (None when nothing was dropped).

    A space goes when neither neighbour is a Latin letter and one is not
    ASCII (``报 警``, ``打 12315``), or between two single digits
    (``1 2 3 1 5``); spaces between words (``call the police``) and between
    numbers (``12 315``) stay. A run of emoji, middle dots, asterisks or
    underscores, with the spaces beside it, goes when it stands between two
    Chinese characters (``报👮警``, ``曝·光``, ``没有😊 拉肚子``).
    """
    if " " not in text and _FILLER.search(text) is None:
        return text, None
    # Only the spaces and symbols are looked at, so a long text costs a pass in
    # C: where the view's k-th gap (a dropped character at text[d]) falls,
    # d - k, says how many characters before a view position were dropped
    # (`_in_text`).
    gaps: list[int] = []
    pieces: list[str] = []
    last = 0
    n = len(text)
    for hit in _GAP.finditer(text, 1, n - 1):
        i, j = hit.span()
        filler = text[i:j] != " " and _FILLER.search(text, i, j) is not None
        if filler and _han(text[i - 1]) and _han(text[j]):
            for k in range(i, j):
                gaps.append(k - len(gaps))
            pieces.append(text[last:i])
            last = j
            continue
        for k in range(i, j):
            if text[k] != " ":
                continue
            a, b = text[k - 1], text[k + 1]
            if a.isascii() and b.isascii():
                single = (k < 2 or not text[k - 2].isdigit()) and (
                    k + 2 >= n or not text[k + 2].isdigit()
                )
                if not (a.isdigit() and b.isdigit() and single):
                    continue
            elif (a.isascii() and a.isalpha()) or (b.isascii() and b.isalpha()):
                continue
            gaps.append(k - len(gaps))
            pieces.append(text[last:k])
            last = k + 1
    if not gaps:
        return text, None
    pieces.append(text[last:])
    return "".join(pieces), gaps


def _pictograph_breaks(text: str, gaps: list[int]) -> list[int]:
    """The positions of the closed-up view of `text` before which an emoji
    was taken out (``没到😡报警``: the one of ``报``), in order; `gaps` are
    those `_closed_up` gave."""
    return sorted({v for k, v in enumerate(gaps) if _PICTOGRAPH.match(text, v + k) is not None})


def _clause_spaces(text: str, view: str, gaps: list[int] | None) -> list[int]:
    """The positions of `view`, the closed-up view of `text`, before which a
    space after a Chinese character, and before another, a digit or an
    opening quote or bracket, was taken out, and those of the spaces it keeps
    after a Chinese character and before a Latin letter, in order. Such a
    space is often a line break, normalised: in 孩子吃完拉肚子了 能退货吗 and
    孩子吃完拉肚子了 APP上能申请退款吗 the question is a clause of its own.
    After a digit it is not told from a space typed in a question (能打12315
    投诉吗). `gaps` are those `_closed_up` gave."""
    spaces = [
        v
        for k, v in enumerate(gaps or ())
        if text[v + k] == " "
        and _han(text[v + k - 1])
        and (
            _han(text[v + k + 1]) or text[v + k + 1].isdigit() or text[v + k + 1] in _LINE_OPENINGS
        )
    ]
    if " " in view:
        kept = [m.start() for m in _SPACE_BEFORE_LATIN.finditer(view)]
        if kept:
            spaces = sorted([*spaces, *kept])
    return spaces


def _in_text(gaps: list[int], v: int) -> int:
    """Where the character at position `v` of the closed-up view stands in the text."""
    return v + bisect.bisect_right(gaps, v)


def _signal_reasons(
    text: str, intens: Mapping[str, int], pol: Policy, reasons: list[Reason], plain: bool
) -> list[Reason]:
    """`reasons` with the emotion signals and the category signal applied.

    Called for complaints with at least one category; `intens` are their
    emotions' intensities; `reasons` are the trigger reasons, most urgent
    first; `plain` says whether a cue at the category signal's level stands
    in a clause no mild word qualifies.
    """
    c = pol._c
    cs = pol.category_signal
    fired = {r.code for r in reasons}
    top_rule = reasons[0].level if reasons else Priority.P4
    # A concrete-problem cue: a trigger the category signal requires, or any
    # trigger above its level. With no `requires`, the category is enough.
    problem = (
        not c.requires or not fired.isdisjoint(c.requires) or _RANK[top_rule] < _RANK[cs.level]
    )
    out = list(reasons)
    memo: dict[int, Any] = {}  # what each `_Chain` found in `text`
    for sig, cues in zip(pol.emotion_signals, c.cues, strict=True):
        if intens[sig.emotion] >= sig.min_intensity and (problem or not sig.needs_problem):
            # the first spans in the text, whichever cue matched them (a longer
            # one first where two start together)
            spans = sorted(
                {
                    span
                    for rx, guard, chain in cues
                    for span in (
                        chain.spans(text, memo)
                        if chain is not None
                        else (
                            m.span()
                            for m in (
                                rx.finditer(text)
                                if guard is None
                                else _guarded_finditer(rx, guard, text)
                            )
                        )
                    )
                },
                key=lambda span: (span[0], -span[1]),
            )[:_MAX_SPANS]
            evidence = tuple(Evidence(text[s:e], s, e) for s, e in spans)
            out.append(Reason(sig.code, sig.level, sig.zh, sig.en, evidence))
    # the cues the signal requires may stand above its level (a policy that
    # lowers it): they are what a mild word qualifies, not more
    top_other = next((r.level for r in reasons if r.code not in c.requires), Priority.P4)
    only_mild = (
        _RANK[top_other] >= _RANK[cs.level]
        and max((intens[e] for e in cs.emotions), default=0) < cs.min_emotion
        and (not fired.isdisjoint(c.mixed) or (not plain and not fired.isdisjoint(c.mild)))
    )
    if only_mild:
        # The mild words qualify the ordinary cues of their clause (有点慢), praise
        # those of the whole text (菜还不错,就是有点咸): they do not count, at
        # whatever level the policy puts the category signal.
        return [
            r
            for r in out
            if r.code not in c.requires
            and (_RANK[r.level] > _RANK[cs.level] or r.code in c.mild or r.code in c.mixed)
        ]
    if problem:
        out.append(Reason(cs.code, cs.level, cs.zh, cs.en))
    return out


def _context_reasons(context: Context, pol: Policy) -> list[Reason]:
    """Reasons from the complaint's history, channel and customer tier."""
    c = pol._c
    out = []
    n = context.recent_complaints
    if n >= pol.repeat_after:
        out.append(
            Reason(
                "context.repeat",
                pol.repeat_level,
                f"近期已投诉 {n} 次",
                f"complained {counted(n, 'time')} recently",
                (),
                "context",
            )
        )
    lookups = (
        ("channel", context.channel, c.channels, "来自渠道", "came in through"),
        ("tier", context.customer_tier, c.tiers, "客户等级", "customer tier"),
    )
    for kind, value, levels, zh, en in lookups:
        found = levels.get(_fold(value)) if value is not None else None
        if found is not None:
            key, level = found
            out.append(
                Reason(f"context.{kind}.{key}", level, f"{zh} {key}", f"{en} {key}", (), "context")
            )
    return out


def _unmatched(context: Context, pol: Policy) -> tuple[str | None, str | None]:
    """The channel and the tier of `context` that match no key of `pol`'s
    ``[context]`` (None for one that matches or is not given): they set no
    floor, rightly for a channel the policy does not rank (电话), but a
    column of 金卡 where the policy says vip misses every floor unnoticed."""
    c = pol._c
    return (
        _unmatched_value(context.channel, c.channels),
        _unmatched_value(context.customer_tier, c.tiers),
    )


#: The channels and tiers `_warn_unmatched` said matched no key, each by its
#: field, its folded value and the folded keys of the policy: said once a
#: process, and only the first `_WARNED_KEPT`, so that a service whose
#: channel is a free-text field is neither flooded nor grows.
_WARNED: set[tuple[str, str, frozenset[str]]] = set()
_WARNED_KEPT = 100
_WARNED_LOCK = threading.Lock()


def _warn_unmatched(
    context: Context, pol: Policy, named: tuple[str, str] = ("channel", "customer_tier")
) -> None:
    """Warn, once a process for each value, of a channel or tier of `context`
    that matches no key of `pol` (`_unmatched`), `named` as the caller gave
    them: it sets no floor, rightly for a channel the policy does not rank
    (电话), while wechat where the policy says 微信 would miss its floor unsaid."""
    c = pol._c
    fields = (("channel", "channels", c.channels), ("customer_tier", "tiers", c.tiers))
    for value, (field_, kind, keys), name in zip(
        _unmatched(context, pol), fields, named, strict=True
    ):
        if value is None:
            continue
        seen = (field_, _fold(value), frozenset(keys))
        with _WARNED_LOCK:
            if seen in _WARNED or len(_WARNED) >= _WARNED_KEPT:
                continue
            _WARNED.add(seen)
            last = len(_WARNED) == _WARNED_KEPT
        known = ", ".join(key for key, _ in keys.values()) or "none"
        more = f" ({_WARNED_KEPT} values said; no more will be)" if last else ""
        warnings.warn(
            f"{name} {value!r} matches no key of the policy's context.{kind} ({known}), so it "
            f"sets no floor{more}",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )


def _unmatched_value(value: str | None, keys: Mapping[str, tuple[str, Priority]]) -> str | None:
    """`value` when it is given, not a stand-in for none (`_no_value`: a
    ``"nan"`` or ``"N/A"`` is no channel, not an unknown one) and no key of
    `keys` (folded) matches it; None otherwise."""
    if value is None:
        return None
    folded = _fold(value)
    return None if folded in keys or folded in _NO_VALUE else value


def _learned_reason(
    probs: Mapping[Priority, float],
    level: Priority,
    pol: Policy,
    denied: set[Priority] = frozenset(),  # type: ignore[assignment]
) -> Reason | None:
    """The reason a model's level probabilities `probs` (checked by
    `_validate_learned`) raise `level`, if they do.

    The learned signal may raise, never lower. The vote for a level is the
    probability of that level or a more urgent one; the most urgent level whose
    vote reaches its threshold wins. It does not raise to a level the text
    denies (`_trigger_reasons`), and its probability of that level counts
    for no lower one: "还好没有拉肚子" is no health risk, nor a serious
    problem, because a model reads 拉肚子.
    """
    at_least = 0.0
    for lv in PRIORITIES:
        if lv in denied:  # nor does what it read there count for a lower level
            continue
        at_least += probs.get(lv, 0.0)
        if _RANK[lv] >= _RANK[level]:
            return None
        threshold = pol._c.thresholds.get(lv)
        if threshold is not None and at_least >= threshold:
            return Reason(
                f"model.{lv}",
                lv,
                # not 至少为 P3, which reads as P3 or P4: the number is not the urgency
                f"模型判断为 {lv} 或更紧急（概率 {at_least:.2f}）",
                f"the model rates it {lv} or more urgent (probability {at_least:.2f})",
                (),
                "model",
            )
    return None

"""`analyze`: the full triage of one complaint in one call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage._default import loading, resolve_model

if TYPE_CHECKING:
    from triage.lexicon import LexiconModel
    from triage.model import TriageModel
    from triage.priority import Context, Policy
    from triage.results import Assessment, Explanations

__all__ = ["analyze", "explain", "warm_up"]


def analyze(
    text: str,
    *,
    model: TriageModel | LexiconModel | None = None,
    context: Context | None = None,
    policy: Policy | None = None,
) -> Assessment:
    """Triage one complaint: categories, emotions, sentiment and priority.

    Parameters
    ----------
    text : str
        The complaint. Traditional characters, HTML, emoji and full-width
        punctuation are fine; texts longer than `triage.MAX_CHARS` characters
        are truncated and flagged (``Assessment.truncated``).
    model : TriageModel or LexiconModel, optional
        A loaded or freshly trained model, or the lexicon baseline; the
        shipped default when omitted
        (loaded once per process on first use, thread-safe).
    context : Context, optional
        Recent complaints of the customer, channel and tier, for the priority.
    policy : Policy, optional
        Priority policy (triggers, deadlines, routing); the default when omitted.

    Returns
    -------
    Assessment

    Raises
    ------
    InvalidTextError
        `text` is not a str (None, NaN, a number ...). Also a `TypeError`.
    ParameterError
        `context` is not a `Context`, `policy` not a `Policy` (load a policy
        file once with `triage.load_policy`) or `model` not a model (a path:
        load it with `triage.load_model`). Also a `TypeError`.

    Warns
    -----
    TriageWarning
        The channel or tier of `context` matches no key of the policy's
        ``[context]`` (``"wechat"`` where it says 微信), so sets no floor: once
        a process for each value, the first 100 values. What an export writes
        for none (``"nan"``, ``"None"``, ``"N/A"``, ``"-"``) is no channel.

    Examples
    --------
    >>> a = analyze("快递一周还没到，客服也不回，太气人了！")
    >>> str(a.primary), [str(c) for c in a.categories]
    ('logistics', ['logistics', 'service'])
    >>> a.emotions["angry"] >= 1
    True
    >>> b = analyze("孩子吃了你们的奶粉一直拉肚子，再不处理我就找媒体曝光")
    >>> str(b.priority), b.deadline_minutes
    ('P1', 10)
    """
    return resolve_model(model).analyze(text, context=context, policy=policy)


def warm_up(*, model: TriageModel | LexiconModel | None = None) -> None:
    """Do the one-time loading now (default model, dictionary, converters,
    the term tables `explain` reads, some 1.5 MB, the term lookup of the
    batch path, some 10 MB, the converter back to traditional characters,
    some 13 MB, and the regexes of the default policy's patterns: warmed up
    with the shipped model, a process holds 206 MB).

    Services call this at start-up so the first request is as fast as the
    rest, of `analyze` as of `explain`, of a text in traditional characters
    as of one in simplified, and of one that names a problem after praise
    (which the batch path scores) as of any other. A second call does
    nothing more. A process forking while a thread of it warms up (a
    pre-forking server) waits for it to end, so that its child starts warm.
    """
    with loading():  # a fork amid its imports left the child waiting on one
        found = resolve_model(model)
        found.analyze("快递还没到")
        found.explain("快递还没到", top=1)
        many = getattr(found, "predict_many", None)  # a model of one text may lack it
        if many is not None:
            many(["快递还没到"])
        # in this order a process holds 206 MB: the converter back to
        # traditional (which tells them apart) built first left 12 MB of the
        # heap unused for good, explain before analyze 5
        found.analyze("快遞還沒到")
        # the regexes of the default policy's patterns, which a text builds
        # for the characters it is the first to have
        from triage.priority import _build_all, default_policy

        _build_all(default_policy())


def explain(
    text: str, *, model: TriageModel | LexiconModel | None = None, top: int = 5
) -> Explanations:
    """Why each category and emotion applies to one complaint, or does not.

    The heads are linear, so a label's log-odds are a sum over the features
    of the text: its words and character n-grams, and for the emotions the
    counts of cue words, ``!``, ``?``, ellipses and emoji (a count's share
    goes to what it counted). Each term's share is its weight; for a
    category it is summed over the category's two views (the logistic head
    and its naive-Bayes view). The word-vector columns belong to no single
    term and are left out, so the weights explain most of a score, not all
    of it. With the clause stage (`TriageModel` ``clause_stage``), whether a
    category applies is decided from these scores of the text and of each of
    its clauses: the terms explain the text's score (its probability), not
    the decision alone. A text under the model's ``min_complaint_proba``
    (praise, see `Assessment.complaint_probability`) has no category, so
    none applies, whatever its probability, unless it names a concrete
    problem (``problem_cues`` of `TriageModel`: 好吃好吃，下次还来，吃完拉肚子了
    keeps product). For the lexicon baseline
    (``model=LexiconModel()``) the terms are its words found in the text,
    each weighing the times it occurs.

    Parameters
    ----------
    text : str
        The complaint.
    model : TriageModel or LexiconModel, optional
        A loaded or freshly trained model, or the lexicon baseline; the
        shipped default when omitted.
    top : int, default 5
        Terms kept on each side, for and against.

    Returns
    -------
    Explanations
        A dict of each label to its `Explanation`, which a label's name
        finds too (``why["logistics"]``): the six categories, then the five
        emotions, each with its probability, whether it applies, and the
        terms that raise (`terms`) and lower (`against`) its score the most,
        with where each stands in the normalised text. Its ``to_dict()`` is
        JSON-ready: each label's name to its `Explanation.to_dict`.

    Raises
    ------
    InvalidTextError
        `text` is not a str. Also a `TypeError`.
    ParameterError
        `top` is not a whole number >= 0, or `model` is not a model (a path:
        load it with `triage.load_model`).

    Examples
    --------
    >>> why = explain("快递一周还没到，客服也不回，太气人了！")
    >>> why["logistics"].applies, why["logistics"].terms[0].term
    (True, '快递')
    >>> why["logistics"].terms[0].evidence
    (Evidence(text='快递', start=0, end=2),)
    >>> why["angry"].applies, [t.term for t in why["angry"].terms[:2]]
    (True, ['气人', '!'])
    """
    return resolve_model(model).explain(text, top=top)

"""`analyze`: the full triage of one complaint in one call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage._default import resolve_model

if TYPE_CHECKING:
    from triage.model import TriageModel
    from triage.priority import Context, Policy
    from triage.results import Assessment

__all__ = ["analyze", "warm_up"]


def analyze(
    text: str,
    *,
    model: TriageModel | None = None,
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
    model : TriageModel, optional
        A loaded or freshly trained model; the shipped default when omitted
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
        `context` is not a `Context` or `policy` not a `Policy` (load a policy
        file once with `triage.load_policy`). Also a `TypeError`.

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


def warm_up(*, model: TriageModel | None = None) -> None:
    """Do the one-time loading now (default model, dictionary, converter).

    Services call this at start-up so the first request is as fast as the rest.
    """
    resolve_model(model).analyze("快递还没到")

"""Category classification of one complaint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage._default import resolve_model

if TYPE_CHECKING:
    from triage.model import TriageModel
    from triage.results import CategoryResult

__all__ = ["classify"]


def classify(text: str, *, model: TriageModel | None = None) -> CategoryResult:
    """The categories of one complaint, with a probability each and a primary.

    Parameters
    ----------
    text : str
        The complaint.
    model : TriageModel, optional
        A loaded or freshly trained model; the shipped default when omitted.

    Returns
    -------
    CategoryResult

    Examples
    --------
    >>> r = classify("快递一周还没到，客服也不回，太气人了！")
    >>> str(r.primary)
    'logistics'
    >>> "service" in r.labels
    True
    """
    return resolve_model(model).classify(text)

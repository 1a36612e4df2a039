"""Category classification of one complaint."""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from triage._default import resolve_model

if TYPE_CHECKING:
    from triage.labels import Category
    from triage.model import TriageModel
    from triage.results import CategoryExplanation, CategoryResult

__all__ = ["classify", "explain"]


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


def explain(
    text: str, *, model: TriageModel | None = None, top: int = 5
) -> dict[Category, CategoryExplanation]:
    """Why each category applies to one complaint, or does not: the terms behind its score.

    The models are linear, so a category's log-odds are a sum over the words
    and character n-grams of the text; each term's share, summed over the
    category's two views (the logistic head and its naive-Bayes view), is its
    weight. The word-vector and cue columns belong to no single term and are
    left out, so the weights explain most of a score, not all of it. For the
    lexicon baseline (``model=LexiconModel()``) the terms are its words found
    in the text, each weighing the times it occurs.

    Parameters
    ----------
    text : str
        The complaint.
    model : TriageModel, optional
        A loaded or freshly trained model; the shipped default when omitted.
    top : int, default 5
        Terms kept on each side, for and against.

    Returns
    -------
    dict of Category to CategoryExplanation
        Every category, in vocabulary order, with its probability, whether
        it applies, and the terms that raise (`terms`) and lower (`against`)
        its score the most, where each stands in the normalised text.

    Examples
    --------
    >>> why = explain("快递一周还没到，客服也不回，太气人了！")
    >>> why["logistics"].applies, why["logistics"].terms[0].term
    (True, '快递')
    >>> why["logistics"].terms[0].evidence
    (Evidence(text='快递', start=0, end=2),)
    """
    return resolve_model(model).explain(text, top=top)


class _CallableModule(types.ModuleType):
    """This module, callable as `classify`.

    ``triage.classify`` is the function, bound lazily by the package. Importing
    this module by name (``from triage.classify import explain``) makes the
    import system bind the package's ``classify`` to the module instead, so
    the module classifies when called, as the function would.
    """

    def __call__(self, text: str, *, model: TriageModel | None = None) -> CategoryResult:
        return classify(text, model=model)


sys.modules[__name__].__class__ = _CallableModule

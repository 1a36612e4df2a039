"""Category classification of one complaint."""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from triage._default import resolve_model

if TYPE_CHECKING:
    from triage.lexicon import LexiconModel
    from triage.model import TriageModel
    from triage.results import CategoryResult

__all__ = ["classify"]


def classify(text: str, *, model: TriageModel | LexiconModel | None = None) -> CategoryResult:
    """The categories of one complaint, with a probability each and a primary.

    Parameters
    ----------
    text : str
        The complaint.
    model : TriageModel or LexiconModel, optional
        A loaded or freshly trained model, or the lexicon baseline; the
        shipped default when omitted.

    Returns
    -------
    CategoryResult

    Raises
    ------
    InvalidTextError
        `text` is not a str (None, NaN, a number ...). Also a `TypeError`.
    ParameterError
        `model` is not a model (a path: load it with `triage.load_model`).
        Also a `TypeError`.

    Examples
    --------
    >>> r = classify("快递一周还没到，客服也不回，太气人了！")
    >>> str(r.primary)
    'logistics'
    >>> "service" in r.labels
    True
    """
    return resolve_model(model).classify(text)


class _CallableModule(types.ModuleType):
    """This module, callable as `classify`.

    ``triage.classify`` is the function, bound lazily by the package. Importing
    this module by name (``from triage.classify import classify``) makes the
    import system bind the package's ``classify`` to the module instead, so
    the module classifies when called, as the function would.
    """

    def __call__(
        self, text: str, *, model: TriageModel | LexiconModel | None = None
    ) -> CategoryResult:
        return classify(text, model=model)


sys.modules[__name__].__class__ = _CallableModule

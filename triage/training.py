"""Train a model from a labeled frame: the notebook-facing entry point."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage.model import TriageModel

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["train"]


def train(
    frame: pd.DataFrame,
    *,
    extra: pd.DataFrame | None = None,
    random_state: int = 0,
    **params: Any,
) -> TriageModel:
    """Fit a `TriageModel` on labeled complaints.

    Parameters
    ----------
    frame : DataFrame
        Labeled complaints in the file format of the label definitions
        (``text``, ``categories``, ``primary``, ``angry`` ... ``aggrieved``,
        ``priority``); validated first, every bad row reported.
    extra : DataFrame, optional
        Partially or weakly labeled rows (see `TriageModel.fit`), weighted by
        the ``extra_weight`` parameter or their own ``weight`` column.
    random_state : int, default 0
        Seed; the same rows, in the same order, and seed give identical
        predictions (the threshold folds are cut by row position).
    **params
        Any `TriageModel` parameter, e.g. ``C=2.0`` or ``threshold_folds=0``.

    Returns
    -------
    TriageModel
        The fitted model, ready for `analyze`, `evaluate` and `save_model`.

    Raises
    ------
    LabelError
        A bad row or column of `frame` or `extra`, named, before any fitting.
    ParameterError
        A parameter `TriageModel` does not have, or a value it cannot use;
        parameters that leave no term to learn from (say ``min_df`` above
        the number of texts any term is in), named with a value that works.

    Warns
    -----
    TriageWarning
        Labels the rows give no example of, or too few to tune a threshold
        on (fewer than 5), each named with its count, as `TriageModel.fit`
        warns of them.
    """
    # a misspelt name is named with the valid ones, as set_params names it
    model = TriageModel(random_state=random_state).set_params(**params)
    return model.fit(frame, extra=extra)

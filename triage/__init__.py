"""Triage Chinese customer complaints: categories, emotions, sentiment and priority.

>>> import triage
>>> a = triage.analyze("快递一周还没到，客服也不回，太气人了！")
>>> str(a.primary), str(a.priority)
('logistics', 'P2')

One complaint: `analyze` gives the whole triage, `classify` and
`score_emotions` its halves, `prioritize` the priority rules alone (with a
`Context` and a `Policy` from `load_policy`), and `explain` the terms behind
each label; `normalize` and `segment` prepare the text. `warm_up` loads
everything at start-up. Many: `score_frame` scores a DataFrame,
`triage.batch.score_file` a file, as the ``triage`` command does.

Your own model: `read_labeled` and `validate_labels` read labeled rows,
`train` fits a `TriageModel`, `evaluate` measures it (`Evaluation`) and
`calibration` how far its probabilities are probabilities (`Calibration`);
`save_model`, `load_model` and `set_default_model` keep and use it, and
`LexiconModel` is the keyword baseline. To retrain (docs/retraining.md):
`split_labeled`, `cross_validate`, `tune_thresholds`, `compare_models`,
`select_for_labeling` and `export_for_labeling`, with `load_weak_emotions`
for weakly labeled rows and `triage.plots` for figures.

Every error the library raises on purpose is a `TriageError`, and also the
builtin a caller would catch (`ValueError`, `KeyError`, `TypeError`); a few
are raised as Python raises them (see `triage.exceptions`): `FileNotFoundError`
for an input that is not there, `FileExistsError` for an output that would be
replaced without ``overwrite``, and `ImportError` for an optional package that
is not installed (pyarrow for Parquet, matplotlib for plots).

Importing the package does no work: the dictionary, converter and default
model load on first use. Heavy modules are imported lazily on attribute access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from triage.exceptions import (
    ColumnError,
    InputFileError,
    InvalidTextError,
    LabelColumnError,
    LabelError,
    ModelFileError,
    NotFittedError,
    ParameterError,
    PolicyError,
    TriageError,
    TriageWarning,
)
from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES, Category, Emotion, Priority
from triage.results import (
    Assessment,
    CategoryResult,
    EmotionResult,
    Evidence,
    Explanation,
    Explanations,
    LabelMap,
    PriorityResult,
    Reason,
    TermWeight,
)
from triage.text import MAX_CHARS, normalize, segment

if TYPE_CHECKING:
    from triage._default import set_default_model
    from triage.api import analyze, explain, warm_up
    from triage.batch import score_frame
    from triage.classify import classify
    from triage.evaluation import Calibration, Evaluation, calibration, evaluate
    from triage.labeled import read_labeled, validate_labels
    from triage.lexicon import LexiconModel
    from triage.model import TriageModel
    from triage.persist import load_model, save_model
    from triage.priority import Context, Policy, load_policy, prioritize
    from triage.retrain import (
        compare_models,
        cross_validate,
        export_for_labeling,
        select_for_labeling,
        split_labeled,
        tune_thresholds,
    )
    from triage.sentiment import score_emotions
    from triage.training import train
    from triage.weak import load_weak_emotions

__version__ = "0.1.0"

_LAZY = {
    "analyze": "triage.api",
    "warm_up": "triage.api",
    "classify": "triage.classify",
    "explain": "triage.api",
    "score_emotions": "triage.sentiment",
    "prioritize": "triage.priority",
    "Context": "triage.priority",
    "Policy": "triage.priority",
    "load_policy": "triage.priority",
    "score_frame": "triage.batch",
    "train": "triage.training",
    "TriageModel": "triage.model",
    "LexiconModel": "triage.lexicon",
    "evaluate": "triage.evaluation",
    "Evaluation": "triage.evaluation",
    "calibration": "triage.evaluation",
    "Calibration": "triage.evaluation",
    "save_model": "triage.persist",
    "load_model": "triage.persist",
    "set_default_model": "triage._default",
    "read_labeled": "triage.labeled",
    "validate_labels": "triage.labeled",
    "cross_validate": "triage.retrain",
    "tune_thresholds": "triage.retrain",
    "compare_models": "triage.retrain",
    "select_for_labeling": "triage.retrain",
    "export_for_labeling": "triage.retrain",
    "split_labeled": "triage.retrain",
    "load_weak_emotions": "triage.weak",
}

__all__ = [
    "CATEGORIES",
    "EMOTIONS",
    "MAX_CHARS",
    "PRIORITIES",
    "Assessment",
    "Calibration",
    "Category",
    "CategoryResult",
    "ColumnError",
    "Context",
    "Emotion",
    "EmotionResult",
    "Evaluation",
    "Evidence",
    "Explanation",
    "Explanations",
    "InputFileError",
    "InvalidTextError",
    "LabelColumnError",
    "LabelError",
    "LabelMap",
    "LexiconModel",
    "ModelFileError",
    "NotFittedError",
    "ParameterError",
    "Policy",
    "PolicyError",
    "Priority",
    "PriorityResult",
    "Reason",
    "TermWeight",
    "TriageError",
    "TriageModel",
    "TriageWarning",
    "analyze",
    "calibration",
    "classify",
    "compare_models",
    "cross_validate",
    "evaluate",
    "explain",
    "export_for_labeling",
    "load_model",
    "load_policy",
    "load_weak_emotions",
    "normalize",
    "prioritize",
    "read_labeled",
    "save_model",
    "score_emotions",
    "score_frame",
    "segment",
    "select_for_labeling",
    "set_default_model",
    "split_labeled",
    "train",
    "tune_thresholds",
    "validate_labels",
    "warm_up",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'triage' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

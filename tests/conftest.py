"""Shared fixtures: the labeled data (skipped cleanly when absent) and models."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """``$TRIAGE_DATA_DIR``, else ``../shared/data`` beside the repository."""
    return Path(os.environ.get("TRIAGE_DATA_DIR", REPO.parent / "shared" / "data"))


def require_data(*parts: str) -> Path:
    path = data_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"shared data not found at {path}; set TRIAGE_DATA_DIR to the folder holding "
            "LABELS.md and labeled/ to run this test"
        )
    return path


@pytest.fixture(autouse=True, scope="session")
def _quiet_jieba() -> None:
    import jieba  # noqa: F401  (jieba sets its logger to DEBUG on import)

    logging.getLogger("jieba").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def train_frame():  # type: ignore[no-untyped-def]
    from triage.labeled import read_labeled

    return read_labeled(require_data("labeled", "train.csv"))


@pytest.fixture(scope="session")
def dev_frame():  # type: ignore[no-untyped-def]
    from triage.labeled import read_labeled

    return read_labeled(require_data("labeled", "dev.csv"))


@pytest.fixture(scope="session")
def small_model(train_frame):  # type: ignore[no-untyped-def]
    """A quick model on a slice of train, for contract tests (not for quality)."""
    from triage import TriageModel

    return TriageModel(threshold_folds=0, max_features=20_000).fit(train_frame.iloc[:600])


@pytest.fixture(scope="session")
def word_vectors(train_frame, dev_frame):  # type: ignore[no-untyped-def]
    """Word vectors from the unlabeled public sets, the labeled texts left out."""
    from triage.vectors import fit_word_vectors, read_corpus

    require_data("raw", "waimai_10k")
    held_out = train_frame["text"].tolist() + dev_frame["text"].tolist()
    return fit_word_vectors(read_corpus(data_dir(), exclude=held_out))


@pytest.fixture(scope="session")
def trained_model(train_frame, word_vectors):  # type: ignore[no-untyped-def]
    """A model trained on all of train.csv as the shipped one is (`triage train --corpus`)."""
    from triage import train

    return train(train_frame, random_state=0, n_jobs=2, word_vectors=word_vectors)

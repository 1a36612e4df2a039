"""The quality gates' model, trained in a process of its own.

``python -m tests._quality_model OUT`` trains the model the quality gates
evaluate, as the shipped one is made (`triage train --corpus --calm-chats
--praise`: word vectors from the unlabeled public sets, the labeled texts left
out, then all of train.csv), and pickles it with the warnings raised on the
way to OUT. `conftest.py` starts it once the tests are collected, so that its
minute of training runs on the second core while the other tests run, and the
`trained_model` fixture waits for it and raises its warnings again, under the
test run's filters. It runs at a lower priority (``nice``), so that the tests
beside it, some of which time their processes out, keep their core.
"""

from __future__ import annotations

import os
import pickle
import sys
import warnings
from pathlib import Path
from typing import Any

#: The parts of the shared data folder the model is trained from.
NEEDS = (
    ("labeled", "train.csv"),
    ("labeled", "dev.csv"),
    ("raw", "waimai_10k"),
    ("raw", "ecd_taobao_dialogue_sample"),
)


def fit(data: Path) -> Any:
    """The model trained on the shared data folder `data`."""
    import pandas as pd

    from triage import train
    from triage.labeled import read_labeled
    from triage.vectors import fit_word_vectors, read_corpus
    from triage.weak import load_calm_chats, load_praise

    train_frame = read_labeled(data / "labeled" / "train.csv")
    dev_frame = read_labeled(data / "labeled" / "dev.csv")
    labeled = [*train_frame["text"], *dev_frame["text"]]
    vectors = fit_word_vectors(read_corpus(data, exclude=labeled))
    extra = pd.concat(
        [load_calm_chats(data, exclude=labeled), load_praise(data, exclude=labeled)],
        ignore_index=True,
    )
    return train(train_frame, random_state=0, n_jobs=2, word_vectors=vectors, extra=extra)


def main(data: str, out: str) -> None:
    if hasattr(os, "nice"):  # the tests beside it first: it takes the idle core
        os.nice(10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit(Path(data))
    said = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
    Path(out).write_bytes(pickle.dumps((model, said), protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(*sys.argv[1:])

"""The keyword-lexicon baseline as a model: its calls and its parameters."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from triage import LexiconModel, ParameterError


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        # one str would be scored a character at a time, a frame by its column names
        ("快递三天没到", r"texts is one str; pass a list of texts"),
        ("快递三天没到".encode(), r"texts is one bytes"),
        (pd.DataFrame({"text": ["快递三天没到", "客服不理人"]}), r"texts is a DataFrame"),
    ],
)
def test_predict_many_refuses_what_iterates_as_something_else(texts: Any, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        LexiconModel().predict_many(texts)


def test_predict_many_takes_a_series_of_texts() -> None:
    pred = LexiconModel().predict_many(pd.Series(["快递三天没到", "客服不理人"]))
    assert pred.texts == ["快递三天没到", "客服不理人"]

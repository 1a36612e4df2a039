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


def _without_environment_words() -> dict[str, Any]:
    from triage._resources import read_toml

    lexicon = read_toml("lexicon.toml")
    return {**lexicon, "categories": {**lexicon["categories"], "environment": []}}


def test_a_lexicon_assigned_after_a_prediction_is_the_one_read() -> None:
    model = LexiconModel()
    dirty = "房间太脏了"
    assert [str(c) for c in model.classify(dirty).labels] == ["environment"]
    model.lexicon = _without_environment_words()
    assert model.classify(dirty).labels == ()
    assert model.predict_many([dirty]).category_labels.sum() == 0
    model.lexicon = None  # the package lexicon again
    assert [str(c) for c in model.classify(dirty).labels] == ["environment"]


def test_a_bad_lexicon_assigned_later_is_refused_at_the_next_prediction() -> None:
    model = LexiconModel()
    model.classify("快递太慢")
    model.lexicon = {"categories": {}}
    with pytest.raises(ParameterError, match=r"lexicon.categories has no words of 'product'"):
        model.classify("快递太慢")


def test_a_pickled_model_predicts_with_its_lexicon() -> None:
    import pickle

    model = LexiconModel(_without_environment_words())
    model.classify("房间太脏了")
    again = pickle.loads(pickle.dumps(model))
    assert again.classify("房间太脏了").labels == ()
    again.lexicon = None
    assert [str(c) for c in again.classify("房间太脏了").labels] == ["environment"]


def test_the_model_has_the_parameters_of_an_estimator() -> None:
    from sklearn.base import clone

    lexicon = _without_environment_words()
    model = LexiconModel(lexicon)
    assert model.get_params() == {"lexicon": lexicon}
    copy = clone(model)
    assert copy.lexicon == lexicon and copy.lexicon is not lexicon
    assert copy.classify("房间太脏了").labels == ()
    assert repr(LexiconModel()) == "LexiconModel()"
    tables = "categories, emotions, cues, not_in"
    assert repr(model) == f"LexiconModel(lexicon=<dict of the tables {tables}>)"
    assert model.set_params(lexicon=None) is model
    assert [str(c) for c in model.classify("房间太脏了").labels] == ["environment"]


def test_set_params_refuses_what_the_constructor_refuses() -> None:
    model = LexiconModel()
    with pytest.raises(ParameterError, match=r"invalid parameter 'lexicons' for LexiconModel"):
        model.set_params(lexicons=None)
    with pytest.raises(ParameterError, match=r"lexicon has no table 'categories'"):
        model.set_params(lexicon={"emotions": {}})
    assert model.lexicon is None


@pytest.mark.parametrize("emoji", ["😂", "🤣", "😆"])
def test_a_laughing_emoji_reads_humorous(emoji: str) -> None:
    # LABELS.md: humour is recognised by, among others, laughing emoji
    found = LexiconModel().score_emotions(f"等了两个小时还没送到{emoji}").intensities
    assert {str(e): i for e, i in found.items() if i} == {"humorous": 1}


@pytest.mark.parametrize(
    ("text", "categories", "angry"),
    [
        # a Latin word counts in any case, and still only as a word of its own
        ("什么Tm服务", {"service"}, 1),
        ("什么tm服务", {"service"}, 1),
        ("App一直闪退", {"process", "product"}, 0),
        ("Atm取不出钱", set(), 0),
        ("用WhatsApp联系不上", set(), 0),
    ],
)
def test_a_latin_word_counts_in_any_case(text: str, categories: set[str], angry: int) -> None:
    model = LexiconModel()
    assert {str(c) for c in model.classify(text).labels} == categories
    assert model.score_emotions(text).intensities["angry"] == angry


def test_a_latin_not_in_word_is_held_in_its_longer_words_in_any_case() -> None:
    from triage._resources import read_toml

    lexicon = read_toml("lexicon.toml")
    lexicon = {
        **lexicon,
        "categories": {**lexicon["categories"], "pricing": ["VIP价"]},
        "not_in": {"vip价": ["非VIP价"]},
    }
    model = LexiconModel(lexicon)
    assert "pricing" not in model.classify("非vip价还要排队").labels
    assert "pricing" in model.classify("Vip价比原价还高").labels
    with pytest.raises(ParameterError, match=r"lists 'VIP价', the word itself"):
        LexiconModel({**lexicon, "not_in": {"vip价": ["VIP价"]}})


def test_a_word_found_more_than_three_times_weighs_each_time_and_shows_three_places() -> None:
    text = "快递慢，快递差，快递贵，快递丢"
    (term,) = LexiconModel().explain(text)["logistics"].terms
    assert (term.term, term.weight) == ("快递", 4.0)
    assert [(e.text, e.start, e.end) for e in term.evidence] == [
        ("快递", 0, 2),
        ("快递", 4, 6),
        ("快递", 8, 10),
    ]


def test_explain_shows_five_terms_unless_told_and_predict_many_none() -> None:
    text = "快递物流发货配送骑手签收运输"
    model = LexiconModel()
    assert [t.term for t in model.explain(text)["logistics"].terms] == [
        "快递",
        "物流",
        "发货",
        "配送",
        "骑手",
    ]
    assert len(model.explain(text, top=6)["logistics"].terms) == 6
    assert model.predict_many([text]).why is None
    assert model.predict_many([text], explain=2).why == [{"logistics": ["快递", "物流"]}]


@pytest.mark.parametrize(
    ("text", "hits", "intensity"),
    [
        ("东西还行", 0, 0),
        ("什么垃圾东西", 1, 1),
        ("垃圾东西，垃圾店", 2, 2),
        ("垃圾东西，垃圾店，垃圾客服", 3, 2),
    ],
)
def test_an_emotion_is_as_strong_as_its_words_occur_at_most_two(
    text: str, hits: int, intensity: int
) -> None:
    import math

    emotions = LexiconModel().score_emotions(text)
    assert emotions.intensities["angry"] == intensity
    assert emotions.probabilities["angry"] == pytest.approx(1 - math.exp(-hits))


@pytest.mark.parametrize(
    ("text", "primary"),
    [
        ("今天出去玩了一天", -1),  # no word of the lexicon
        ("气死我了，到底怎么回事", -1),  # emotion words, no category word
        ("快递太慢", 2),
        ("质量太差，快递还慢，质量问题一堆", 0),  # product's words occur most
    ],
)
def test_the_primary_is_the_category_whose_words_occur_most_or_none(
    text: str, primary: int
) -> None:
    model = LexiconModel()
    assert model.predict_many([text]).primary.tolist() == [primary]
    result = model.classify(text)
    assert result.primary == (None if primary < 0 else result.labels[0])
    assert (result.primary is None) == (result.labels == ())

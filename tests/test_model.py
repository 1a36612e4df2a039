"""The estimator contract of TriageModel and its invariants."""

from __future__ import annotations

import copy
import html
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import triage
from triage import InvalidTextError, NotFittedError, ParameterError, TriageModel
from triage.labels import CATEGORIES, EMOTIONS


def test_constructor_only_stores_parameters() -> None:
    m = TriageModel(C=2.0, threshold_folds=0)
    assert m.get_params()["C"] == 2.0
    assert not hasattr(m, "coef_")
    assert repr(m) == "TriageModel(C=2.0, threshold_folds=0)"


# scikit-learn's repr shows 30 items of a sequence and cuts at 700 characters
_MANY_WORDS = [f"套餐{i}" for i in range(3000)]


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        (
            {"words": _MANY_WORDS},
            "TriageModel(words=[" + ", ".join(map(repr, _MANY_WORDS[:30])) + ", ...])",
        ),
        (
            {"words": tuple(_MANY_WORDS), "C": 2.0},
            "TriageModel(C=2.0, words=(" + ", ".join(map(repr, _MANY_WORDS[:30])) + ", ...))",
        ),
        (
            {"words": _MANY_WORDS[:30]},
            "TriageModel(words=" + repr(_MANY_WORDS[:30]) + ")",
        ),
    ],
    ids=["list", "tuple", "30 words"],
)
def test_a_long_parameter_is_shown_as_scikit_learn_shows_it(
    params: dict[str, Any], shown: str
) -> None:
    # the 3,000 words of a model were all in its repr, 27,000 characters a
    # notebook printed each time it showed the model
    assert repr(TriageModel(**params)) == shown


@given(words=st.lists(st.text(min_size=1, max_size=200), max_size=60))
def test_a_repr_is_at_most_700_characters(words: list[str]) -> None:
    r = repr(TriageModel(C=2.0, words=words))
    full = f"TriageModel(C=2.0, words={words!r})"
    assert len(r) <= 700
    if len(words) <= 30 and len(full) <= 700:
        assert r == full
    else:
        assert "..." in r and r.startswith("TriageModel(C=2.0, words=") and r.endswith(")")


def test_a_notebook_shows_the_model_as_scikit_learn_shows_an_estimator() -> None:
    # a notebook showed the text repr alone, where a pipeline of scikit-learn's
    # estimators shows their diagram
    import sklearn

    m = TriageModel(words=_MANY_WORDS, C=2.0)
    shown = m._repr_html_()
    assert "sk-top-container" in shown and html.escape(repr(m)) in shown
    with sklearn.config_context(display="text"):
        assert not hasattr(m, "_repr_html_")


@pytest.mark.parametrize(
    "words",
    [
        pytest.param(np.array(["花呗", "携号转网"]), id="array"),
        pytest.param(pd.Series(["花呗", "携号转网"], name="word"), id="Series"),
    ],
)
def test_a_parameter_that_compares_as_an_array_is_shown(
    words: Any, tiny_frame: pd.DataFrame
) -> None:
    # a notebook showing the model, or a search holding it, raised "the truth
    # value of an array is ambiguous" from the repr
    from sklearn.model_selection import GridSearchCV
    from sklearn.utils import estimator_html_repr

    m = TriageModel(words=words, C=2.0)
    assert repr(m).startswith("TriageModel(C=2.0, words=") and "携号转网" in repr(m)
    assert "携号转网" in estimator_html_repr(GridSearchCV(m, {"C": [1.0, 2.0]}))
    with pytest.raises(ParameterError, match="words must be None, the path of a user"):
        m.fit(tiny_frame)


def test_set_params_rejects_typos() -> None:
    with pytest.raises(ValueError, match=r"invalid parameter 'c'.*valid parameters: C"):
        TriageModel().set_params(c=1.0)


def test_bad_parameters_are_counted_as_one_or_many(tiny_frame) -> None:  # type: ignore[no-untyped-def]
    # it said "invalid TriageModel parameter(s)" of one as of two
    with pytest.raises(ParameterError, match=r"^invalid TriageModel parameter: C=-1.0 \("):
        TriageModel(C=-1.0).fit(tiny_frame)
    with pytest.raises(ParameterError, match=r"^invalid TriageModel parameters: C=-1.0 \(.*; "):
        TriageModel(C=-1.0, primary_blend=2.0).fit(tiny_frame)


def test_sklearn_clone_works() -> None:
    from sklearn.base import clone

    m = TriageModel(C=3.0)
    c = clone(m)
    assert c is not m and c.get_params() == m.get_params()


def test_fit_names_every_column_extra_rows_may_have() -> None:
    doc = " ".join((TriageModel.fit.__doc__ or "").split())
    for name in ("text", "categories", "complaint", "weight"):
        assert f"``{name}``" in doc, name
    assert "the five emotion columns" in doc


def test_unfitted_model_says_what_to_do() -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        TriageModel().analyze("快递太慢")


def test_not_fitted_error_is_caught_like_scikit_learns() -> None:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    for base in SklearnNotFittedError.__bases__:
        with pytest.raises(base):
            TriageModel().predict_many(["快递太慢"])


def test_labels_exist_only_once_fitted(small_model) -> None:  # type: ignore[no-untyped-def]
    assert not hasattr(TriageModel(), "labels_")
    assert small_model.labels_["categories"][0] == "product"
    assert small_model.labels_["priorities"] == ["P1", "P2", "P3", "P4"]


def test_check_is_fitted_works(small_model) -> None:  # type: ignore[no-untyped-def]
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError
    from sklearn.utils.validation import check_is_fitted

    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(TriageModel())
    check_is_fitted(small_model)


def test_fit_returns_self_and_learns_attributes(train_frame) -> None:  # type: ignore[no-untyped-def]
    m = TriageModel(threshold_folds=0, max_features=5000)
    assert m.fit(train_frame.iloc[:300]) is m
    assert m.coef_.shape == (m.features_.n_features, 27)
    assert m.n_train_ == 300
    assert set(m.thresholds_) == {"categories", "presence", "strong"}


def test_fit_accepts_texts_and_labels_separately(train_frame) -> None:  # type: ignore[no-untyped-def]
    part = train_frame.iloc[:200]
    a = TriageModel(threshold_folds=0).fit(part)
    b = TriageModel(threshold_folds=0).fit(part["text"].tolist(), part.drop(columns="text"))
    np.testing.assert_array_equal(a.coef_, b.coef_)


@pytest.mark.parametrize(
    "texts",
    [
        pytest.param(lambda f: f["text"].tolist(), id="list"),
        pytest.param(lambda f: f["text"].set_axis(range(100, 100 + len(f))), id="Series"),
        pytest.param(lambda f: f[["text"]], id="one-column frame"),
        pytest.param(lambda f: f.rename(columns={"text": "内容"})[["内容"]], id="named otherwise"),
        pytest.param(lambda f: f[["id", "text"]], id="frame with a text column"),
    ],
)
def test_fit_takes_the_texts_as_scikit_learn_passes_x(tiny_frame, texts) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import TINY_PARAMS

    whole = TriageModel(**TINY_PARAMS).fit(tiny_frame)
    labels = tiny_frame.drop(columns="text")
    apart = TriageModel(**TINY_PARAMS).fit(texts(tiny_frame), labels)
    np.testing.assert_array_equal(whole.coef_, apart.coef_)


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (lambda f: "快递太慢", r"X is one str; pass the texts, one per row of y"),
        (lambda f: f["text"].tolist()[:3], r"X holds 3 texts but y has 16 rows"),
        (lambda f: f[["id", "primary"]], r"X has no 'text' column \(columns: id, primary\)"),
    ],
)
def test_fit_names_texts_that_do_not_match_the_labels(tiny_frame, texts, message) -> None:  # type: ignore[no-untyped-def]
    labels = tiny_frame.drop(columns="text")
    with pytest.raises(ParameterError, match=message):
        TriageModel(threshold_folds=0).fit(texts(tiny_frame), labels)


def test_same_data_and_seed_give_identical_models(train_frame) -> None:  # type: ignore[no-untyped-def]
    # 200 rows are enough for every head's folds and for a clause stage:
    # all that the seed decides
    part = train_frame.iloc[:200]
    a = TriageModel(threshold_folds=3, random_state=7).fit(part)
    b = TriageModel(threshold_folds=3, random_state=7).fit(part)
    assert a.clause_coef_ is not None
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.nb_coef_, b.nb_coef_)
    for k in a.thresholds_:
        np.testing.assert_array_equal(a.thresholds_[k], b.thresholds_[k])
    for name in ("clause_coef_", "clause_intercept_", "clause_thresholds_"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    texts = part["text"].tolist()[:50]
    pa, pb = a.predict_many(texts), b.predict_many(texts)
    np.testing.assert_array_equal(pa.category_proba, pb.category_proba)
    np.testing.assert_array_equal(pa.category_labels, pb.category_labels)
    np.testing.assert_array_equal(pa.primary, pb.primary)


def test_fit_rejects_a_plain_list_without_labels() -> None:
    with pytest.raises(TypeError, match="DataFrame"):
        TriageModel().fit(["快递太慢"])  # type: ignore[arg-type]


def test_model_survives_pickling(small_model) -> None:  # type: ignore[no-untyped-def]
    clone = pickle.loads(pickle.dumps(small_model))
    t = "快递一周还没到"
    assert clone.analyze(t) == small_model.analyze(t)


def test_one_and_many_paths_agree(small_model, dev_frame) -> None:  # type: ignore[no-untyped-def]
    texts = dev_frame["text"].tolist()[:100]
    many = small_model.predict_many(texts)
    for i, t in enumerate(texts):
        one = small_model.predict_one(t)
        np.testing.assert_allclose(
            one.category_proba[0], many.category_proba[i], rtol=0, atol=1e-12
        )
        np.testing.assert_array_equal(one.category_labels[0], many.category_labels[i])
        np.testing.assert_array_equal(one.intensity[0], many.intensity[i])
        assert one.primary[0] == many.primary[i]


def test_category_probabilities_are_the_mean_of_the_two_views(small_model, dev_frame) -> None:  # type: ignore[no-untyped-def]
    from triage.model import _CAT, _sigmoid

    space = small_model.features_
    assert small_model.nb_coef_.shape == (space.n_terms, len(CATEGORIES))
    texts = dev_frame["text"].tolist()[:30]
    norm, toks, _ = small_model._docs(texts)
    X = space.matrix(zip(norm, toks, strict=True))
    present = (X[:, : space.n_terms] != 0).astype(float)
    z_nb = present @ small_model.nb_coef_ + small_model.nb_intercept_
    expected = 0.5 * (_sigmoid(small_model.logits(X)[:, _CAT]) + _sigmoid(z_nb))
    np.testing.assert_allclose(
        small_model.predict_many(texts).category_proba, expected, rtol=0, atol=1e-12
    )


def test_without_the_naive_bayes_view_the_first_heads_decide_alone(train_frame) -> None:  # type: ignore[no-untyped-def]
    from triage.model import _CAT, _sigmoid

    # where the view stands, not what it learns: 150 rows show it
    part = train_frame.iloc[:150]
    plain = TriageModel(C_nb=None, threshold_folds=0).fit(part)
    both = TriageModel(threshold_folds=0).fit(part)
    assert plain.nb_coef_ is None and plain.nb_intercept_ is None
    # the view is beside the heads, not in them
    np.testing.assert_array_equal(plain.coef_, both.coef_)
    texts = part["text"].tolist()[:20]
    z = plain.logits(plain.features_.matrix(zip(*plain._docs(texts)[:2], strict=True)))
    np.testing.assert_allclose(
        plain.predict_many(texts).category_proba, _sigmoid(z[:, _CAT]), rtol=0, atol=1e-12
    )
    assert not np.allclose(
        both.predict_many(texts).category_proba, plain.predict_many(texts).category_proba
    )


def test_naive_bayes_weights_favour_the_terms_of_a_category(small_model) -> None:  # type: ignore[no-untyped-def]
    from triage._features import WORD

    m = small_model  # fitted on train's first 600 rows
    col = m.features_.vocabulary[WORD + "快递"]  # the word, not the characters
    j = [str(c) for c in CATEGORIES].index("logistics")
    assert m.nb_coef_[col, j] > 0
    assert m.nb_coef_[col, j] > np.median(m.nb_coef_[:, j])


@pytest.mark.parametrize(
    "text", ["", "   ", "😡😡😡", "The parcel never arrived", "!!!???", "12345"]
)
def test_empty_and_non_chinese_text_gives_low_confidence_result(small_model, text: str) -> None:  # type: ignore[no-untyped-def]
    a = small_model.analyze(text)
    assert a.low_confidence
    assert a.categories == () and a.primary is None
    assert all(v == 0 for v in a.emotions.values())


@pytest.mark.parametrize("bad", [None, float("nan"), 3, b"bytes"])
def test_bad_types_raise(small_model, bad: object) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidTextError):
        small_model.analyze(bad)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_string_gives_a_valid_result(small_model, text: str) -> None:  # type: ignore[no-untyped-def]
    a = small_model.analyze(text)
    assert all(0.0 <= p <= 1.0 for p in a.category_probabilities.values())
    assert all(0.0 <= p <= 1.0 for p in a.emotion_probabilities.values())
    assert all(v in (0, 1, 2) for v in a.emotions.values())
    assert 0.0 <= a.sentiment <= 1.0
    assert (a.primary is None) == (a.categories == ())
    assert a.primary is None or a.categories[0] == a.primary
    assert set(a.category_probabilities) == set(CATEGORIES)
    assert set(a.emotions) == set(EMOTIONS)
    assert a.deadline_minutes > 0


def test_very_long_text_is_truncated_flagged_and_cheap(small_model) -> None:  # type: ignore[no-untyped-def]
    a = small_model.analyze("快递一周还没到，客服也不回。" * 8000)  # 112,000 characters
    assert a.truncated and len(a.text) == triage.MAX_CHARS


def test_cue_columns_feed_the_emotion_heads_only(small_model) -> None:  # type: ignore[no-untyped-def]
    from triage.model import _CAT, _PRESENT, _PRIMARY

    m = small_model  # cues=True, the default
    assert m.cues is True
    space = m.features_
    assert space.n_features == space.n_terms + len(space.cues) == m.coef_.shape[0]
    cue_rows = m.coef_[space.n_terms :]
    assert not cue_rows[:, _CAT].any() and not cue_rows[:, _PRIMARY].any()
    assert cue_rows[:, _PRESENT].any()
    texts = ["气死我了！！！客服根本不理人😡", "为什么多扣钱？？", "快递还没到..."]
    many = m.predict_many(texts)
    for i, t in enumerate(texts):
        np.testing.assert_allclose(
            m.predict_one(t).emotion_proba[0], many.emotion_proba[i], atol=1e-12
        )


DEMO = Path(__file__).resolve().parents[1] / "notebooks" / "demo_complaints.csv"


def test_a_label_without_both_classes_is_warned_of_at_the_callers_line() -> None:
    demo = triage.read_labeled(DEMO)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every category and emotion is present: silent
        TriageModel(threshold_folds=0).fit(demo)
    no_environment = demo[~demo["categories"].str.contains("environment")]
    with pytest.warns(UserWarning, match="predict a constant") as caught:
        TriageModel(threshold_folds=0).fit(no_environment)
    (warning,) = caught
    assert "category:environment (0 of" in str(warning.message)
    assert "primary (never environment)" in str(warning.message)
    assert "presence:" not in str(warning.message)
    assert warning.filename == __file__


def test_refitting_forgets_tuned_thresholds_and_the_loaded_card(
    tiny_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from tests.conftest import TINY_PARAMS
    from triage.persist import read_card
    from triage.retrain import tune_thresholds

    model = TriageModel(**TINY_PARAMS).fit(tiny_frame)
    tuned = tune_thresholds(model, tiny_frame, min_positives=1)
    loaded = triage.load_model(triage.save_model(tuned, tmp_path / "tuned"))
    assert loaded.card_["threshold_source"]["rows"] == len(tiny_frame)
    loaded.fit(tiny_frame.iloc[:12])
    assert not hasattr(loaded, "threshold_source_") and not hasattr(loaded, "card_")
    card = read_card(triage.save_model(loaded, tmp_path / "refit"))
    assert card["threshold_source"] == "0.5, not tuned (threshold_folds below 2)"
    assert card["training_data"]["rows"] == 12


# -- words of the model's own ---------------------------------------------------

WORD_ROWS = [
    ("花呗还款多扣了利息，太黑了", "pricing", "pricing", "1 0 0 0 1", "P2"),
    ("花呗分期的手续费怎么这么高", "pricing", "pricing", "0 0 1 0 0", "P3"),
    ("携号转网办了一个月还没办好", "process", "process", "0 1 0 0 1", "P3"),
    ("携号转网要跑三趟营业厅，流程太复杂", "process", "process", "1 0 0 0 0", "P3"),
]


@pytest.fixture
def word_frame():  # type: ignore[no-untyped-def]
    from tests.conftest import TINY_ROWS, labeled_frame

    return labeled_frame(TINY_ROWS + WORD_ROWS)


def test_a_model_cuts_its_texts_with_its_own_words(word_frame) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import TINY_PARAMS

    plain = TriageModel(**TINY_PARAMS).fit(word_frame)
    own = TriageModel(words=["花呗", "携号转网 5 nz"], **TINY_PARAMS).fit(word_frame)
    assert own.words_ == (("花呗", None, None), ("携号转网", 5, "nz"))
    assert plain.words_ == ()
    from triage._features import WORD

    words = {WORD + "花呗", WORD + "携号转网"}
    assert words <= set(own.features_.vocabulary)
    assert not words & set(plain.features_.vocabulary)
    # predicting cuts the same way, one text or many; the library's segment does not
    text = "花呗又多扣了钱"
    assert own.predict_one(text).tokens[0] == own.predict_many([text]).tokens[0]
    assert "花呗" in own.predict_one(text).tokens[0]
    assert "花呗" not in plain.predict_one(text).tokens[0]
    assert "花呗" not in triage.segment(text)
    # get_params and clone carry the words as given
    from sklearn.base import clone

    assert clone(own).get_params()["words"] == ["花呗", "携号转网 5 nz"]


def test_a_model_with_words_round_trips_and_scores_in_workers(
    word_frame,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from tests.conftest import TINY_PARAMS
    from triage.persist import read_card

    words = tmp_path / "words.txt"
    words.write_text("花呗\n携号转网 5 nz\n", encoding="utf-8")
    model = TriageModel(words=words, **TINY_PARAMS).fit(word_frame)
    saved = triage.save_model(model, tmp_path / "m")
    words.unlink()  # the model keeps its words: the file is not needed again
    card = read_card(saved)
    assert card["params"]["words"] == str(words) and card["words"]["count"] == 2
    loaded = triage.load_model(saved)
    assert loaded.words_ == model.words_
    texts = ["花呗又多扣了钱", "携号转网太难了", "快递一周还没到"]
    np.testing.assert_array_equal(
        loaded.predict_many(texts).category_proba, model.predict_many(texts).category_proba
    )
    import pandas as pd

    frame = pd.DataFrame({"text": texts * 4})
    serial = triage.score_frame(frame, model=loaded)
    parallel = triage.score_frame(frame, model=loaded, n_jobs=2, chunk_size=3)
    pd.testing.assert_frame_equal(serial, parallel)


def test_bad_words_are_refused_before_any_text_is_cut(word_frame) -> None:  # type: ignore[no-untyped-def]
    model = TriageModel(words=["花呗 0"], threshold_folds=0)
    with pytest.raises(triage.ParameterError, match="line 1: frequency 0"):
        model.fit(word_frame)
    assert not hasattr(model, "words_")


# A service of one model per tenant, each of its own words: a model holds the
# copy of the dictionary its words are in for as long as it lives, however
# many models there are; none is pickled with its model, and none outlives
# the models that held it.


@pytest.fixture(scope="module")
def worded_model() -> TriageModel:
    from tests.conftest import TINY_PARAMS, TINY_ROWS, labeled_frame

    frame = labeled_frame(TINY_ROWS + WORD_ROWS)
    return TriageModel(words=["花呗", "携号转网 5 nz"], **TINY_PARAMS).fit(frame)


def _tenant(model: TriageModel, *entries: str) -> TriageModel:
    """`model` loaded anew, as if fitted with `entries` for its words (they
    change how its texts are cut, no more)."""
    from triage.text import read_words

    tenant: TriageModel = pickle.loads(pickle.dumps(model))
    if entries:
        tenant.words_ = read_words(list(entries))
    return tenant


@pytest.fixture
def copies_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The copies of the dictionary built while the test runs, counted (the
    copies `tokenize` kept let go first)."""
    from triage import text as text_module

    text_module._lazy._extended.clear()
    text_module._lazy._known = {}
    built = [0]
    make = text_module._tokenizer_class()

    def counted() -> Any:
        built[0] += 1
        return make()

    monkeypatch.setattr(text_module, "_tokenizer_class", lambda: counted)
    return built


def test_models_of_their_own_words_taking_turns_each_build_their_copy_once(
    worded_model: TriageModel,
    copies_built: list[int],
) -> None:
    tenants = [_tenant(worded_model, f"花呗{n}号", "携号转网 5 nz") for n in range(10)]
    texts = [f"我的花呗{n}号又被多扣了利息" for n in range(10)]
    for _ in range(3):
        cuts = [m.predict_one(t).tokens[0] for m, t in zip(tenants, texts, strict=True)]
        assert [f"花呗{n}号" in cut for n, cut in enumerate(cuts)] == [True] * 10
    assert copies_built[0] == 10
    # the batch path and the explanation cut with the same copy
    for m, t in zip(tenants, texts, strict=True):
        assert m.predict_many([t]).tokens[0] == m.predict_one(t).tokens[0]
        m.explain(t)
    assert copies_built[0] == 10


def test_models_of_the_same_words_share_one_copy_freed_with_the_last(
    worded_model: TriageModel,
    copies_built: list[int],
) -> None:
    import gc
    import weakref

    first, second = _tenant(worded_model, "租户甲专线"), _tenant(worded_model, "租户甲专线")
    assert "租户甲专线" in first.predict_one("租户甲专线一直打不通").tokens[0]
    assert "租户甲专线" in second.predict_one("租户甲专线一直打不通").tokens[0]
    assert copies_built[0] == 1
    copy_of_words = weakref.ref(first._tokenizer())
    del first
    gc.collect()
    assert copy_of_words() is second._tokenizer()  # still held by the other
    del second
    gc.collect()
    assert copy_of_words() is None
    # a model of those words loaded again builds it again
    again = _tenant(worded_model, "租户甲专线")
    assert "租户甲专线" in again.predict_one("租户甲专线坏了").tokens[0]
    assert copies_built[0] == 2


def test_a_model_is_pickled_and_copied_without_its_copy_of_the_dictionary(
    worded_model: TriageModel,
    copies_built: list[int],
) -> None:
    tenant = _tenant(worded_model, "花呗3号")
    pickled = pickle.dumps(tenant)
    tenant.predict_one("花呗3号被冻结了")
    assert pickle.dumps(tenant) == pickled
    # a copy of the model finds the copy of its words the model holds
    assert copy.deepcopy(tenant)._tokenizer() is tenant._tokenizer()
    assert pickle.loads(pickled)._tokenizer() is tenant._tokenizer()
    assert copies_built[0] == 1


def test_threads_first_using_models_of_the_same_words_build_one_copy(
    worded_model: TriageModel,
    copies_built: list[int],
) -> None:
    from tests.conftest import run_interleaved

    tenants = [_tenant(worded_model, "花呗7号", "携号转网 5 nz") for _ in range(4)]
    got: list[list[str]] = [[] for _ in range(8)]

    def cut(k: int) -> None:
        for _ in range(20):
            got[k] = tenants[k % 4].predict_one("花呗7号还款日多扣了钱").tokens[0]

    run_interleaved(cut, 8)
    assert got == [got[0]] * 8 and "花呗7号" in got[0]
    assert copies_built[0] == 1


def test_explanation_weights_add_up_to_the_terms_share_of_the_log_odds(
    tiny_frame,  # type: ignore[no-untyped-def]
) -> None:
    from tests.conftest import TINY_PARAMS
    from triage.model import _CAT, _PRESENT

    model = TriageModel(**TINY_PARAMS).fit(tiny_frame)
    for text in ("快递一周还没到，客服也不回！！", "房间很脏，空调还坏了😡", "hello world"):
        why = model.explain(text, top=10**6)
        pred = model.predict_one(text)
        # the batch path's matrix: its vocabulary and cue columns (no vectors here)
        X = model.features_.matrix([(pred.texts[0], pred.tokens[0])])
        head = np.asarray(X @ model.coef_)[0]
        nb = model._nb_logits(X)[0] - model.nb_intercept_
        want = [*(head[_CAT] + nb), *head[_PRESENT]]
        for w, e in zip(want, why.values(), strict=True):
            total = sum(t.weight for t in (*e.terms, *e.against))
            assert total == pytest.approx(w, abs=1e-9)


@pytest.mark.parametrize(
    ("text", "term", "evidence"),
    [
        # stopwords between the words of a bigram: they stand apart in the text
        ("快递一周还没到，客服也不回", "客服 不", "客服也不"),
        ("收到的杯子一摔就裂了，质量太差", "收到 杯子", "收到的杯子"),
        ("孩子吃了你们的饼干上吐下泻", "吃 饼干", "吃了你们的饼干"),
        # side by side, or a space between them
        ("房间很脏，空调还坏了", "房间 很脏", "房间很脏"),
        ("房间 很脏", "房间 很脏", "房间 很脏"),
    ],
)
def test_a_word_ngram_points_at_its_words_in_the_normalised_text(
    tiny_frame,  # type: ignore[no-untyped-def]
    text: str,
    term: str,
    evidence: str,
) -> None:
    from tests.conftest import TINY_PARAMS

    model = TriageModel(**{**TINY_PARAMS, "word_ngrams": (1, 2)}).fit(tiny_frame)
    norm = triage.normalize(text)
    found = [
        t
        for e in model.explain(text, top=10**6).values()
        for t in (*e.terms, *e.against)
        if t.term == term
    ]
    assert found
    for t in found:
        assert [e.text for e in t.evidence] == [evidence]
        assert all(norm[e.start : e.end] == e.text for e in t.evidence)


# -- the clause stage ------------------------------------------------------------


def _without_clause_stage(model):  # type: ignore[no-untyped-def]
    import copy

    plain = copy.deepcopy(model)
    plain.clause_coef_ = plain.clause_intercept_ = plain.clause_thresholds_ = None
    return plain


def test_no_clause_stage_when_no_category_has_the_texts_for_one() -> None:
    # one text per category: nothing to learn a stage from, so none (and no
    # cost to every call), rather than one that decides nothing
    from tests.conftest import TINY_PARAMS, TINY_ROWS, labeled_frame

    frame = labeled_frame([TINY_ROWS[i] for i in (1, 3, 4, 5, 7, 11)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # service: no text has it
        model = TriageModel(**{**TINY_PARAMS, "threshold_folds": 2}).fit(frame)
    assert model.clause_coef_ is None and model.clause_thresholds_ is None
    assert not model._staged()


def test_the_clause_stage_is_learned_with_out_of_fold_thresholds(clause_model, small_model) -> None:  # type: ignore[no-untyped-def]
    from triage.model import N_CLAUSE_FEATURES

    assert clause_model.clause_stage and clause_model.get_params()["clause_stage"] is True
    assert clause_model.clause_coef_.shape == (len(CATEGORIES), N_CLAUSE_FEATURES)
    assert clause_model.clause_intercept_.shape == (len(CATEGORIES),)
    assert np.all((clause_model.clause_thresholds_ > 0) & (clause_model.clause_thresholds_ < 1))
    # without out-of-fold scores there is nothing to learn it from
    assert small_model.clause_stage and small_model.clause_coef_ is None


def test_the_clause_stage_decides_the_categories_and_keeps_the_primary(
    clause_model, train_frame
) -> None:  # type: ignore[no-untyped-def]
    import copy

    texts = train_frame["text"].tolist()[600:900]
    # without the rescue of texts that name a problem, which each path does
    # after its own decision, nor the primary read from the clauses
    model = copy.deepcopy(clause_model).set_params(
        problem_cues=False, primary_complaint_weight=0, primary_order_weight=0
    )
    staged = model.predict_many(texts)
    plain = _without_clause_stage(model).predict_many(texts)
    np.testing.assert_array_equal(staged.category_proba, plain.category_proba)
    assert (staged.category_labels != plain.category_labels).any()
    # the heads' primary stays, and always applies
    has = plain.primary >= 0
    np.testing.assert_array_equal(staged.primary[has], plain.primary[has])
    on = staged.primary >= 0
    assert staged.category_labels[np.flatnonzero(on), staged.primary[on]].all()
    assert not staged.category_labels[~on].any()
    assert not staged.category_labels[staged.low_confidence].any()


def test_the_clause_stage_reads_each_clause_s_complaint_beside_its_sentiment(
    clause_model, train_frame
) -> None:  # type: ignore[no-untyped-def]
    import copy

    from triage.model import clause_polarity

    assert clause_model.clause_reads_complaint_ is True
    texts = train_frame["text"].tolist()[600:800]
    pred = clause_model.predict_many(texts)
    scored = clause_model._clause_scores(pred.texts, pred.tokens)
    read = clause_polarity(scored.polarity, scored.complaint)
    assert ((read >= 0) & (read <= 1)).all()
    # praise that snownlp finds only mildly positive is read as praise
    np.testing.assert_allclose(clause_polarity(np.array([0.34]), np.array([0.06])), [0.64])
    # the stage's probabilities are those of the polarity it was trained on
    sentiment_only = copy.deepcopy(clause_model)
    sentiment_only.clause_reads_complaint_ = False
    a = clause_model._clause_proba(pred.category_proba, pred.sentiment, pred.texts, pred.tokens)
    b = sentiment_only._clause_proba(pred.category_proba, pred.sentiment, pred.texts, pred.tokens)
    assert not np.allclose(a, b)


def test_labeled_texts_that_all_complain_give_a_clause_stage_of_the_sentiment_alone(
    train_frame, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # with no labeled text of no category, the complaint head cannot be
    # scored out of fold: the stage was trained on clauses whose complaint
    # read 0, and at prediction read the head's, near 1 for every clause
    # (fitted on the 1,127 complaints of train's first 1,200 rows, category
    # macro-F1 on dev's complaints 0.728, against 0.792 with the sentiment
    # alone and 0.781 without the stage)
    import triage.model
    from triage.labeled import parse_labels

    # (the 189 complaints of the first 200 rows, in two folds, show it)
    part = train_frame.iloc[:200]
    part = part[parse_labels(part).categories.any(axis=1)]
    model = TriageModel(threshold_folds=2, max_features=20_000).fit(part)
    assert model.clause_coef_ is not None
    assert model.clause_reads_complaint_ is False
    # the stage is the one the sentiment alone trains
    monkeypatch.setattr(triage.model, "clause_polarity", lambda sentiment, complaint: sentiment)
    alone = TriageModel(threshold_folds=2, max_features=20_000).fit(part)
    np.testing.assert_array_equal(model.clause_coef_, alone.clause_coef_)
    np.testing.assert_array_equal(model.clause_thresholds_, alone.clause_thresholds_)


def test_labeled_complaints_with_praise_among_the_extra_rows_read_the_complaint(
    train_frame,
) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    # a labeled file may hold complaints alone; with praise
    # (`weak.load_praise`, written here) the complaint head has both
    # classes, and its out-of-fold scores of the clauses split the labeled
    # rows alone
    from triage.labeled import parse_labels

    part = train_frame.iloc[:200]  # 189 complaints, as many as it takes
    part = part[parse_labels(part).categories.any(axis=1)]
    praise = [
        "快递很快，包装也很好",
        "菜很好吃，下次还来",
        "酒店干净整洁，前台很热情",
        "东西不错，物流也快",
        "非常满意，五星好评",
        "客服很耐心，态度很好",
        "衣服质量很好，穿着舒服",
        "味道很棒，分量足",
    ] * 3
    extra = pd.DataFrame({"text": praise, "complaint": "0", "weight": 1.0})
    model = TriageModel(threshold_folds=2, max_features=20_000).fit(part, extra=extra)
    assert model.clause_coef_ is not None
    assert model.clause_reads_complaint_ is True


def test_clauses_are_scored_alike_in_slices_of_any_size(
    train_frame, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # a chunk's clauses are scored a slice at a time, to bound the memory of
    # their word-vector block: the shipped model has one
    import triage.model
    from triage._default import get_default_model

    model = get_default_model()
    # 60 texts, some 600 clauses: in one slice, then in 86 of 7
    pred = model.predict_many(train_frame["text"].tolist()[:60])
    whole = model._clause_scores(pred.texts, pred.tokens)
    assert len(whole.polarity) < triage.model._CLAUSE_SLICE  # one slice
    monkeypatch.setattr(triage.model, "_CLAUSE_SLICE", 7)
    for a, b in zip(whole, model._clause_scores(pred.texts, pred.tokens), strict=True):
        np.testing.assert_array_equal(a, b)


def test_with_the_clause_stage_one_and_many_and_any_chunk_agree(clause_model, train_frame) -> None:  # type: ignore[no-untyped-def]
    texts = [*train_frame["text"].tolist()[600:760], "", "hello", "!!!", "太差了"]
    many = clause_model.predict_many(texts)
    for i, t in enumerate(texts):
        one = clause_model.predict_one(t)
        np.testing.assert_array_equal(one.category_labels[0], many.category_labels[i])
        assert one.primary[0] == many.primary[i]
        one_result, many_result = clause_model.classify(t), many.category_result(i)
        assert one_result.labels == many_result.labels
        assert one_result.primary == many_result.primary
    # the one-text path scores each clause as the batch path does
    pred = clause_model.predict_many(texts[:20])
    by_one = clause_model._clause_scores(pred.texts, pred.tokens, one=True)
    by_many = clause_model._clause_scores(pred.texts, pred.tokens)
    for name in ("proba", "complaint"):
        np.testing.assert_allclose(
            getattr(by_one, name), getattr(by_many, name), rtol=0, atol=1e-12
        )
    np.testing.assert_array_equal(by_one.polarity, by_many.polarity)
    np.testing.assert_array_equal(by_one.starts, by_many.starts)
    chunks = [clause_model.predict_many(texts[k : k + 7]) for k in range(0, len(texts), 7)]
    for name in ("category_proba", "category_labels", "primary"):
        np.testing.assert_array_equal(
            np.concatenate([getattr(c, name) for c in chunks]), getattr(many, name)
        )


def _heads_primary(model):  # type: ignore[no-untyped-def]
    """A copy of `model` whose primary is the heads' choice alone."""
    import copy

    return copy.deepcopy(model).set_params(primary_complaint_weight=0, primary_order_weight=0)


@pytest.mark.parametrize("staged", [True, False], ids=["clause-stage", "no-clause-stage"])
def test_the_primary_read_from_the_clauses_is_one_of_the_categories_that_apply(
    clause_model, train_frame, staged: bool
) -> None:  # type: ignore[no-untyped-def]
    # without the clause stage, the clauses of the texts with several
    # categories are scored for the primary alone
    model = clause_model if staged else _without_clause_stage(clause_model)
    texts = [*train_frame["text"].tolist()[600:900], "质量不好，价格还贵"]
    read = model.predict_many(texts)
    heads = _heads_primary(model).predict_many(texts)
    # the categories are the same; only the choice among several moves
    np.testing.assert_array_equal(read.category_labels, heads.category_labels)
    several = read.category_labels.sum(axis=1) > 1
    np.testing.assert_array_equal(read.primary[~several], heads.primary[~several])
    assert (read.primary[several] != heads.primary[several]).any()
    rows = np.flatnonzero(several)
    assert read.category_labels[rows, read.primary[rows]].all()
    # alike by the one-text and the batch paths, and in chunks
    for i in np.flatnonzero(several)[:40]:
        assert model.predict_one(texts[i]).primary[0] == read.primary[i]
    chunks = [model.predict_many(texts[k : k + 9]).primary for k in range(0, len(texts), 9)]
    np.testing.assert_array_equal(np.concatenate(chunks), read.primary)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        # leaned to the last complaint, silently
        (
            {"primary_order_weight": -1},
            r"primary_order_weight=-1 \(allowed: a number >= 0, at most 1e\+12\)",
        ),
        # a primary that was none of the categories
        ({"primary_complaint_weight": float("inf")}, r"primary_complaint_weight=inf"),
        ({"primary_complaint_weight": float("nan")}, r"primary_complaint_weight=nan"),
        # overflowed the scores, with a numpy warning
        (
            {"primary_complaint_weight": 1e308},
            r"=1e\+308 \(allowed: a number >= 0, at most 1e\+12\)",
        ),
        # ValueError and TypeError of float()
        ({"primary_order_weight": "x"}, r"primary_order_weight='x'"),
        ({"primary_complaint_weight": None}, r"primary_complaint_weight=None"),
        ({"primary_complaint_weight": "0.5"}, r"primary_complaint_weight='0.5'"),
        # the other parameters a prediction reads: a primary outside the
        # categories' blend, a numpy error, switches read as truthy strings
        ({"primary_blend": 2.0}, r"primary_blend=2.0 \(allowed: a number in \[0, 1\]\)"),
        ({"min_primary_proba": "0.3"}, r"min_primary_proba='0.3'"),
        ({"min_complaint_proba": 5}, r"min_complaint_proba=5 \(allowed: None or a number"),
        ({"problem_cues": "no"}, r"problem_cues='no' \(allowed: True or False\)"),
        ({"clause_stage": "no"}, r"clause_stage='no' \(allowed: True or False\)"),
    ],
)
def test_parameters_set_on_a_fitted_model_are_checked_at_every_prediction(
    small_model, train_frame, weights: dict[str, Any], message: str
) -> None:  # type: ignore[no-untyped-def]
    model = copy.deepcopy(small_model).set_params(**weights)
    for predict in (model.predict_one, lambda t: model.predict_many([t]), model.explain):
        with pytest.raises(ParameterError, match=message):
            predict("质量不好，价格还贵")
    with pytest.raises(ParameterError, match=message):
        triage.tune_thresholds(model, train_frame.iloc[600:700])
    # 0 and large weights are allowed
    model = copy.deepcopy(small_model)
    model.set_params(primary_complaint_weight=0, primary_order_weight=1e6)
    one, many = model.predict_one("质量不好，价格还贵"), model.predict_many(["质量不好，价格还贵"])
    assert one.primary[0] == many.primary[0]
    assert one.category_labels[0, one.primary[0]]


def test_hmm_is_read_at_fit_and_set_since_waits_for_the_next(small_model, train_frame) -> None:  # type: ignore[no-untyped-def]
    from triage.text import tokenize

    texts = train_frame["text"].tolist()[600:700]
    plain = small_model.predict_many(texts)
    # texts jieba's guessing would cut otherwise
    pairs = zip(plain.texts, plain.tokens, strict=True)
    assert any(tokenize(t, hmm=True) != cut for t, cut in pairs)
    changed = copy.deepcopy(small_model).set_params(hmm=True)
    assert changed.hmm_ is False
    after = changed.predict_many(texts)
    assert after.tokens == plain.tokens
    np.testing.assert_array_equal(after.category_proba, plain.category_proba)
    assert changed.predict_one(texts[0]).tokens == plain.tokens[:1]

    guessing = TriageModel(hmm=True, threshold_folds=0).fit(train_frame.iloc[:200])
    assert guessing.hmm_ is True
    guessed = guessing.set_params(hmm=False).predict_many(texts)
    assert guessed.tokens == [tokenize(t, hmm=True) for t in plain.texts]


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        ("快递三天没到", r"texts is one str; pass a list of texts"),
        ("快递三天没到".encode(), r"texts is one bytes"),
        (pd.DataFrame({"text": ["快递三天没到", "客服不理人"]}), r"texts is a DataFrame"),
    ],
)
def test_predict_many_refuses_what_iterates_as_something_else(
    small_model, texts: Any, message: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match=message):
        small_model.predict_many(texts)


def test_the_primary_scores_lean_to_the_first_complained_of_category() -> None:
    from triage.model import _ClauseScores, primary_scores

    th = np.array([0.5, 0.5])
    # two clauses: the first about category 0, the second about category 1
    about = np.array([[0.9, 0.1], [0.1, 0.9]])
    prim = np.array([[0.5, 0.5]])

    def best(complaint: list[float], a: float, b: float) -> int:
        scored = _ClauseScores(about, np.array([0.5, 0.5]), np.array([0]), np.array(complaint))
        return int(primary_scores(prim, scored, th, a, b).argmax())

    assert best([0.9, 0.9], 0.5, 0.5) == 0  # both complain: the first named
    assert best([0.1, 0.9], 0.5, 0.5) == 1  # the first is praise
    assert best([0.9, 0.1], 0.5, 0.5) == 0
    assert best([0.1, 0.9], 0.5, 0.0) == 1  # by the share alone
    assert best([0.9, 0.9], 0.0, 0.5) == 0  # by the order alone
    # with no weight, the blended probabilities alone
    scored = _ClauseScores(about, np.array([0.5, 0.5]), np.array([0]), np.array([0.1, 0.9]))
    s = primary_scores(np.array([[0.7, 0.3]]), scored, th, 0.0, 0.0)
    np.testing.assert_allclose(s, np.log([[0.7, 0.3]]))


def test_one_long_text_of_many_clauses_is_scored_in_memory_that_grows_with_it() -> None:
    # a text at the truncation limit holds a thousand clauses: scoring them
    # through one (clauses, terms) matrix took some 30 MB and most of the call
    import tracemalloc

    from triage._default import get_default_model
    from triage.text import MAX_CHARS

    model = get_default_model()  # with word vectors, as the shipped model has
    text = "好，" * (MAX_CHARS // 2)
    pred = model.predict_many([text])
    many = model._clause_scores(pred.texts, pred.tokens)
    assert len(many.polarity) == MAX_CHARS // 2
    tracemalloc.start()
    try:
        one = model._clause_scores(pred.texts, pred.tokens, one=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(one.proba, many.proba, rtol=0, atol=1e-12)
    np.testing.assert_allclose(one.complaint, many.complaint, rtol=0, atol=1e-12)
    assert peak < 8e6, f"{peak / 1e6:.1f} MB"
    one = model.predict_one(text)
    np.testing.assert_array_equal(one.category_labels, pred.category_labels)
    assert one.truncated[0] == pred.truncated[0]


def test_clause_stage_false_predicts_as_the_heads_alone(clause_model, train_frame) -> None:  # type: ignore[no-untyped-def]
    # `clause_model` is the model fitted with the stage, on train's first 600 rows
    on, texts = clause_model, train_frame["text"].tolist()[600:700]
    off = TriageModel(**{**on.get_params(), "clause_stage": False}).fit(train_frame.iloc[:600])
    assert off.clause_coef_ is None and off.clause_thresholds_ is None
    a, b = off.predict_many(texts), _without_clause_stage(on).predict_many(texts)
    np.testing.assert_array_equal(a.category_labels, b.category_labels)
    np.testing.assert_array_equal(a.primary, b.primary)


def test_clause_stage_false_on_a_fitted_model_switches_the_stage_off(
    clause_model, train_frame
) -> None:  # type: ignore[no-untyped-def]
    texts = train_frame["text"].tolist()[600:900]
    heads = _without_clause_stage(clause_model).predict_many(texts)
    off = copy.deepcopy(clause_model).set_params(clause_stage=False)
    assert repr(off) == "TriageModel(clause_stage=False, max_features=20000, threshold_folds=3)"
    many = off.predict_many(texts)
    np.testing.assert_array_equal(many.category_labels, heads.category_labels)
    np.testing.assert_array_equal(many.primary, heads.primary)
    for i, t in enumerate(texts[:20]):
        one = off.predict_one(t)
        np.testing.assert_array_equal(one.category_labels[0], heads.category_labels[i])
        assert one.primary[0] == heads.primary[i]
    # and back on: the stage it learned decides again
    on = off.set_params(clause_stage=True).predict_many(texts)
    np.testing.assert_array_equal(
        on.category_labels, clause_model.predict_many(texts).category_labels
    )


def test_clause_stage_must_be_a_bool(tiny_frame) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(triage.ParameterError, match="clause_stage='yes'"):
        TriageModel(clause_stage="yes").fit(tiny_frame)  # type: ignore[arg-type]


def test_clause_features_of_hand_made_clauses() -> None:
    from triage.model import N_CLAUSE_FEATURES, clause_features

    text_p = np.array([[0.6, 0.1], [0.3, 0.2]])
    text_pol = np.array([0.2, 0.9])
    # text 0: two clauses, the first negative; text 1: one clause
    clause_p = np.array([[0.9, 0.1], [0.2, 0.3], [0.4, 0.05]])
    clause_pol = np.array([0.1, 0.8, 0.9])
    F = clause_features(
        text_p, text_pol, clause_p, clause_pol, np.array([0, 2]), np.array([0.5, 0.5])
    )
    assert F.shape == (2, 2, N_CLAUSE_FEATURES)
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    np.testing.assert_allclose(F[0, 0, 0], logit(0.6))
    np.testing.assert_allclose(F[0, 0, 1], logit(0.9 * 0.9))  # the highest p * (1 - polarity)
    np.testing.assert_allclose(F[0, 0, 2], np.log(0.9 * 0.9 + 0.2 * 0.2 + 1e-4))
    np.testing.assert_allclose(F[0, 0, 3], logit(0.9))
    np.testing.assert_allclose(F[0, 0, 5], (0.81 + 0.04) / 1.1)
    np.testing.assert_allclose(F[0, 0, 6], logit(0.9))  # among the negative clauses
    np.testing.assert_allclose(F[0, 0, 7], logit(0.2))  # among the others
    np.testing.assert_allclose(F[1, 0, 6], logit(1e-4))  # none: 0, clipped
    assert F[0, 0, 8] == 0.1  # the clause over the threshold
    assert F[0, 1, 8] == 0.8  # none over it: the likeliest clause
    np.testing.assert_allclose(F[0, 0, 9], (0.9 * 0.1 + 0.2 * 0.8) / 1.1)
    assert F[1, 1, 10] == 0.9
    np.testing.assert_allclose(F[:, 0, 11], np.log([2, 1]))
    np.testing.assert_allclose(F[1, 0, 12], logit(0.3) * 0.9)


def test_explain_rounds_the_weights_of_every_label_in_one_pass(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from triage import model as model_module

    text = "空调装好第二天就漏水，师傅说要等配件，客服一直推脱，我很生气！"
    before = triage.explain(text, top=4)
    calls = []
    real = model_module._round

    def counted(x: np.ndarray) -> np.ndarray:
        calls.append(x.shape)
        return real(x)

    monkeypatch.setattr(model_module, "_round", counted)
    assert triage.explain(text, top=4) == before
    # one pass over the table of terms by labels, not one per label and direction
    assert len(calls) == 1
    assert calls[0][1] == len(CATEGORIES) + len(EMOTIONS)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), max_size=20))
def test_a_negated_weight_rounds_to_the_negated_rounding(values: list[float]) -> None:
    # explain rounds each table once and reads the terms against a label from its negation
    from triage.model import _round

    x = np.array(values, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        np.testing.assert_array_equal(_round(-x), -_round(x), strict=True)


def _shipped_copy() -> TriageModel:
    from triage._default import get_default_model

    return copy.deepcopy(get_default_model())


def test_an_emotion_is_present_from_its_threshold_on_and_strong_by_its_own() -> None:
    # EmotionResult: present when its probability reaches the threshold
    text = "等了三个小时还没到，气死我了！！！"
    model = _shipped_copy()
    k = EMOTIONS.index(triage.Emotion.ANGRY)
    p = float(model.predict_one(text).emotion_proba[0, k])
    presence = model.thresholds_["presence"].copy()
    for threshold, present in [(p, True), (float(np.nextafter(p, 1.0)), False)]:
        presence[k] = threshold
        model.thresholds_ = {**model.thresholds_, "presence": presence.copy()}
        assert bool(model.predict_one(text).intensity[0, k]) is present
    presence[k] = 0.0
    for strong, intensity in [(0.0, 2), (1.5, 1)]:
        model.thresholds_ = {
            **model.thresholds_,
            "presence": presence.copy(),
            "strong": np.full(len(EMOTIONS), strong),
        }
        assert model.predict_one(text).intensity[0, k] == intensity
        assert model.predict_many([text]).intensity[0, k] == intensity


@pytest.mark.parametrize(("floor", "kept"), [(0.3, 1), (0.5, 0), (None, 0)])
def test_a_negative_text_without_a_category_keeps_its_likeliest_above_the_floor(
    floor: float | None, kept: int
) -> None:
    # min_primary_proba: its likeliest category (0.32 here) must reach it
    text = "太差了，气死我了"
    model = _shipped_copy().set_params(min_primary_proba=floor)
    pred = model.predict_many([text])
    assert 0.3 < pred.category_proba.max() < 0.5 and pred.sentiment[0] < 0.5
    assert pred.category_labels.sum() == kept
    assert model.predict_one(text).category_labels.sum() == kept


def test_a_text_under_the_complaint_gate_that_names_a_problem_keeps_its_priority_signal() -> None:
    # the gate makes the priority head's signal NaN for praise, not for a
    # text kept by the problem it names
    model = _shipped_copy()
    gate = model.min_complaint_proba
    assert gate is not None
    pred = model.predict_many(["好吃好吃，下次还来，吃完拉肚子了", "好吃好吃，下次还来"])
    assert (pred.complaint_proba < gate).all()
    assert pred.category_labels[0].any() and not pred.category_labels[1].any()
    assert np.isfinite(pred.priority_proba[0]).all() and np.isnan(pred.priority_proba[1]).all()


@pytest.mark.parametrize(("product", "kept"), [(0.19, "logistics"), (0.21, "product")])
def test_the_category_of_a_named_problem_reaches_min_primary_proba(
    product: float, kept: str
) -> None:
    # the product is what 可惜是假货 complains of, but only a category of at
    # least min_primary_proba (0.2, as logistics here) is kept
    from triage.text import normalize

    model = _shipped_copy()
    assert model.min_primary_proba == 0.2
    names = [str(c) for c in CATEGORIES]
    cat_p = np.full((1, len(names)), 0.01)
    cat_p[0, names.index("product")] = product
    cat_p[0, names.index("logistics")] = 0.2
    text = normalize("快递很快，包装也很好，可惜是假货")
    assert names[int(model._named_category(cat_p, [text])[0])] == kept


def test_a_chinese_text_of_no_known_term_has_low_confidence() -> None:
    from triage.model import low_confidence

    np.testing.assert_array_equal(
        low_confidence(["快递太慢", "快递太慢", "hello", ""], np.array([3, 0, 2, 0])),
        [False, True, True, True],
    )
    assert _shipped_copy().predict_many(["龘靐齉"]).low_confidence.tolist() == [True]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("孩子被烫了一下", True),  # P1
        ("下单一个星期了还没发货", True),  # P3
        ("建议你们的APP改一下", False),  # P4
    ],
)
def test_a_trigger_of_p1_to_p3_names_a_problem(text: str, named: bool) -> None:
    from triage.model import names_a_problem
    from triage.text import normalize

    assert names_a_problem(normalize(text)) is named


def test_the_two_views_weigh_alike() -> None:
    from triage.model import _sigmoid, two_views

    head, nb = np.array([[0.0, 3.0]]), np.array([[2.0, -1.0]])
    np.testing.assert_allclose(
        two_views(head, nb), [[(0.5 + _sigmoid(2.0)) / 2, (_sigmoid(3.0) + _sigmoid(-1.0)) / 2]]
    )
    np.testing.assert_allclose(two_views(head, None), _sigmoid(head))


@pytest.mark.parametrize(("complaint", "first"), [(0.5, 0), (0.49, 1)])
def test_a_clause_complains_from_a_complaint_probability_of_one_half(
    complaint: float, first: int
) -> None:
    # by the order alone: the first category named in a clause that complains
    from triage.model import _ClauseScores, primary_scores

    scored = _ClauseScores(
        np.array([[0.9, 0.1], [0.1, 0.9], [0.1, 0.1]]),
        np.array([0.5, 0.5, 0.5]),
        np.array([0]),
        np.array([complaint, 0.9, 0.9]),
    )
    s = primary_scores(np.array([[0.5, 0.5]]), scored, np.array([0.5, 0.5]), 0.0, 1.0)
    assert int(s.argmax()) == first


def test_equal_terms_not_found_as_spelt_rank_after_those_found() -> None:
    from triage.model import _top

    for terms in (["甲乙", "x y", "丙"], ["x y", "丙", "甲乙"]):
        picked = _top(np.array(terms), np.ones(3), "丙甲乙", 3)
        assert [terms[i] for i in picked] == ["丙", "甲乙", "x y"]

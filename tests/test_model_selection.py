"""TriageModel in scikit-learn's model selection: score, search, clone, pickle."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import triage
from tests.conftest import OWN_WORDS, TINY_PARAMS, TINY_ROWS, labeled_frame
from triage import NotFittedError, ParameterError, TriageModel

#: `TINY_ROWS` with a second wording of each complaint, so that every fold of
#: three trains on rows of every label without a copy of a text it is tested on.
OTHER_WORDING = [
    "快递十天了还没送到，客服也联系不上",
    "买的碗一碰就碎了，做工太差",
    "客服说话很冲，问两句就挂电话",
    "这个月话费又多扣了二十块，怎么回事",
    "售后换货申请提交三周了还没人处理",
    "酒店卫生间有异味，热水也没有",
    "老人喝了你们的牛奶肚子疼了一晚上，我要去消协投诉",
    "快递员是骑蜗牛送的吧，真快呢",
    "比隔壁店贵了一半，太不划算了",
    "支付一直失败，订单也查不到，急死人了",
    "楼上半夜一直拖椅子，吵得睡不着",
    "周末去公园散步，心情不错",
    "耳机用了两天就没声音了，客服让我自己寄回去",
    "希望能把发票入口放在首页",
    "服务员很热情，环境也好",
    "箱子压扁了，里面的盘子碎了一个",
]


@pytest.fixture
def rows() -> pd.DataFrame:
    """32 hand-written labeled complaints, two wordings of each row of `TINY_ROWS`."""
    other = [(text, *labels) for text, (_, *labels) in zip(OTHER_WORDING, TINY_ROWS, strict=True)]
    return labeled_frame(TINY_ROWS + other)  # type: ignore[arg-type,no-any-return]


def test_score_is_the_mean_of_three_figures_of_evaluate(rows: pd.DataFrame) -> None:
    model = TriageModel(**TINY_PARAMS).fit(rows.iloc[:16])
    held_out = rows.iloc[16:]
    ev = triage.evaluate(model, held_out)
    expected = np.mean([ev.category_macro_f1, ev.primary_accuracy, ev.emotion_macro_f1])
    assert model.score(held_out) == pytest.approx(expected, abs=1e-12)
    assert 0 <= model.score(held_out) <= 1
    # the texts and their labels apart, as fit takes them
    labels = held_out.drop(columns="text")
    assert model.score(held_out["text"], labels) == model.score(held_out)


def test_score_leaves_out_a_figure_the_rows_do_not_define(rows: pd.DataFrame) -> None:
    # no complaint row: primary accuracy is undefined (NaN), not 0
    model = TriageModel(**TINY_PARAMS).fit(rows)
    calm = rows[rows["primary"] == ""]
    ev = triage.evaluate(model, calm)
    assert np.isnan(ev.primary_accuracy)
    defined = [f for f in (ev.category_macro_f1, ev.emotion_macro_f1) if not np.isnan(f)]
    expected = np.mean(defined) if defined else np.nan  # NaN: none is defined
    assert model.score(calm) == pytest.approx(expected, abs=1e-12, nan_ok=True)


EMOTIONS = ["angry", "anxious", "confused", "humorous", "aggrieved"]
#: The figure of score and those of the three heads it reads.
THREE = ["score", "category_macro_f1", "primary_accuracy", "emotion_macro_f1"]


@pytest.mark.parametrize(
    ("keep", "blank", "scores", "unmet"),
    [
        # a support team's categories and primary
        (["categories", "primary"], [], ["category_macro_f1", "primary_accuracy"], "emotions"),
        # an analyst's priorities
        (["priority"], [], ["priority_accuracy", "p1_recall", "p1_precision"], "categories"),
        # the five emotions
        (EMOTIONS, [], ["emotion_macro_f1"], "categories"),
        # an export whose emotions and priorities were left empty
        (
            ["categories", "primary"],
            [*EMOTIONS, "priority"],
            ["category_macro_f1", "primary_accuracy"],
            "emotions",
        ),
        # every head score reads: the priority is no part of it
        (["categories", "primary", *EMOTIONS], [], THREE, "priority"),
        (["categories", "primary", *EMOTIONS], ["priority"], THREE, "priority"),
    ],
    ids=["support", "analyst", "emotions", "export", "no-priority", "priority-empty"],
)
def test_score_and_scorers_take_the_rows_that_label_the_heads_of_their_figure(
    rows: pd.DataFrame, keep: list[str], blank: list[str], scores: list[str], unmet: str
) -> None:
    # score and the scorers read every head, as fit does, and refused rows of
    # some with training's advice (label the missing columns, or extra=rows),
    # though a scorer's figure is of one head and score's of three
    from triage.exceptions import LabelColumnError, LabelError
    from triage.retrain import SCORER_NAMES, scorer

    model = TriageModel(**TINY_PARAMS).fit(rows)
    some = rows[["text", *keep]].assign(**dict.fromkeys(blank, ""))
    heads, why = triage.labeled.labeled_heads(some)
    figures = triage.evaluate(model, some).summary(None)
    full = triage.evaluate(model, rows).summary(None)
    refused = LabelColumnError if why[unmet] == "no column" else LabelError
    for name in ["score", *SCORER_NAMES]:
        call = model.score if name == "score" else scorer(name)
        args = (some,) if name == "score" else (model, some)
        if name in scores:
            got = call(*args)
            # the figure of a fully labeled frame of the rows
            if name == "score":
                assert got == model.score(rows)
            else:
                assert got == pytest.approx(figures[name], nan_ok=True)
                assert got == pytest.approx(full[name], nan_ok=True)
            continue
        with pytest.raises(refused) as info:
            call(*args)
        assert type(info.value) is refused
        message = str(info.value)
        assert " labeled, for " in message and "extra=rows" not in message
        assert (
            f"or evaluate the heads it labels ({', '.join(heads)}) with triage.evaluate, "
            "which takes some heads alone" in message
        )


def test_score_names_the_three_heads_it_needs(rows: pd.DataFrame) -> None:
    from triage.exceptions import LabelColumnError

    model = TriageModel(**TINY_PARAMS).fit(rows)
    with pytest.raises(LabelColumnError) as info:
        model.score(rows[["text", "categories", "primary"]])
    assert str(info.value) == (
        "TriageModel.score needs categories, primary and emotions labeled, for "
        "category_macro_f1, primary_accuracy and emotion_macro_f1: the frame does not label "
        "emotions (no column); label them, or evaluate the heads it labels (categories, "
        "primary) with triage.evaluate, which takes some heads alone; the columns are "
        "['text', 'categories', 'primary']"
    )


def test_score_needs_a_fitted_model(rows: pd.DataFrame) -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        TriageModel().score(rows)


def test_grid_search_picks_a_parameter_by_score(rows: pd.DataFrame) -> None:
    from sklearn.model_selection import GridSearchCV

    search = GridSearchCV(TriageModel(**TINY_PARAMS), {"C": [0.1, 10.0]}, cv=2)
    search.fit(rows)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all()
    assert search.best_params_["C"] == [0.1, 10.0][int(np.argmax(scores))]
    best = search.best_estimator_
    assert isinstance(best, TriageModel) and search.best_params_["C"] == best.C
    assert best.n_train_ == len(rows)  # refitted on every row
    assert search.score(rows) == best.score(rows)
    # the fitted search pickles, its model predicting as before
    again = pickle.loads(pickle.dumps(search))
    text = "快递一周还没到，客服也不回"
    assert again.best_estimator_.analyze(text) == best.analyze(text)


def test_cross_val_score_and_clone(rows: pd.DataFrame) -> None:
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    scores = cross_val_score(TriageModel(**TINY_PARAMS), rows, cv=2)
    assert scores.shape == (2,) and np.isfinite(scores).all()
    fitted = TriageModel(**TINY_PARAMS).fit(rows)
    fresh = clone(fitted)
    assert fresh.get_params() == fitted.get_params()
    assert not hasattr(fresh, "coef_")


#: scikit-learn's estimator checks that apply to a model of texts whose labels
#: are a frame's columns. The others fit numeric arrays with one column of
#: labels, which the model refuses: its tags say it takes no 2-D array, so
#: `check_estimator` skips them all; the tests here cover their ground on
#: texts (a refit, clone, pickling).
API_CHECKS = (
    "check_no_attributes_set_in_init",
    "check_get_params_invariance",
    "check_set_params",
    "check_parameters_default_constructible",
    "check_estimators_unfitted",
    "check_estimator_repr",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_valid_tag_types",
)


@pytest.mark.parametrize("name", API_CHECKS)
def test_scikit_learn_api_checks_that_apply_pass(name: str) -> None:
    from sklearn.utils import estimator_checks

    check = getattr(estimator_checks, name, None)
    if check is None:
        pytest.skip(f"scikit-learn {__import__('sklearn').__version__} has no {name}")
    check("TriageModel", TriageModel(**TINY_PARAMS))


@pytest.mark.filterwarnings("ignore:the training labels give these heads a single class")
def test_a_refit_on_other_rows_is_a_fresh_fit(rows: pd.DataFrame) -> None:
    # other texts (so another vocabulary), no environment row, one priority
    # level and no words of its own: nothing of the first fit is left
    fewer = rows[~rows["categories"].str.contains("environment")].iloc[8:]
    fewer = fewer.assign(priority="P3")
    params = {**TINY_PARAMS, "words": list(OWN_WORDS)}
    model = TriageModel(**params).fit(rows)
    model.analyze("花呗还款一周没到账")
    assert model.set_params(words=None).fit(fewer) is model
    fresh = TriageModel(**{**params, "words": None}).fit(fewer)
    learned = {k: v for k, v in vars(model).items() if k.endswith("_")}
    assert learned.keys() == {k for k in vars(fresh) if k.endswith("_")}
    assert pickle.dumps(learned) == pickle.dumps({k: getattr(fresh, k) for k in learned})
    texts = [*rows["text"], "花呗还款一周没到账"]
    np.testing.assert_equal(vars(model.predict_many(texts)), vars(fresh.predict_many(texts)))


def test_search_passes_the_texts_and_labels_apart(rows: pd.DataFrame) -> None:
    from sklearn.model_selection import cross_val_score

    whole = cross_val_score(TriageModel(**TINY_PARAMS), rows, cv=2)
    apart = cross_val_score(
        TriageModel(**TINY_PARAMS), rows["text"], rows.drop(columns="text"), cv=2
    )
    np.testing.assert_array_equal(whole, apart)


@pytest.mark.parametrize(
    "y",
    [
        pytest.param(lambda f: f["primary"], id="Series"),
        pytest.param(lambda f: f["primary"].to_numpy(), id="array"),
    ],
)
def test_one_column_of_labels_is_told_the_labels_are_the_frames_columns(rows, y) -> None:  # type: ignore[no-untyped-def]
    expected = (
        r"the labels are columns of the frame \(categories, primary, angry, anxious, "
        r"confused, humorous, aggrieved, priority\); pass (fit|score)\(frame\) with them"
    )
    with pytest.raises(ParameterError, match=expected):
        TriageModel(**TINY_PARAMS).fit(rows, y(rows))
    model = TriageModel(**TINY_PARAMS).fit(rows)
    with pytest.raises(ParameterError, match=expected.replace("(fit|score)", "score")):
        model.score(rows, y(rows))


def test_fit_with_extra_still_takes_it_by_keyword(rows: pd.DataFrame) -> None:
    extra = pd.DataFrame({"text": ["谢谢客服，问题解决了"], "angry": ["0"], "aggrieved": ["0"]})
    model = TriageModel(**TINY_PARAMS).fit(rows, extra=extra)
    assert model.n_extra_ == 1
    assert TriageModel(**TINY_PARAMS).fit(rows, None, extra=extra).n_extra_ == 1


@pytest.mark.filterwarnings("ignore:the training labels give these heads a single class")
def test_cv_splits_are_the_folds_of_cross_validate(rows: pd.DataFrame) -> None:
    from sklearn.model_selection import cross_val_score

    from triage.retrain import cross_validate, cv_splits, scorer

    # each complaint again, in full-width punctuation: the same text once normalised
    copies = rows.assign(text=rows["text"].str.replace("，", ", "), id="copy of " + rows["id"])
    frame = pd.concat([rows, copies], ignore_index=True)
    splits = cv_splits(frame, 3)
    norm = triage.labeled.model_texts(frame["text"])
    for train, test in splits:
        assert sorted([*train, *test]) == list(range(len(frame)))
        assert not {norm[i] for i in train} & {norm[i] for i in test}
    scores = cross_val_score(
        TriageModel(**TINY_PARAMS),
        frame,
        cv=splits,
        scoring=scorer("category_macro_f1"),
    )
    cv = cross_validate(frame, folds=3, **TINY_PARAMS)
    expected = cv.summary["category_macro_f1"].iloc[:3].to_numpy()
    np.testing.assert_allclose(scores, expected, atol=5e-5)  # the summary's 4 places


def test_cv_splits_refuses_what_cross_validate_refuses(rows: pd.DataFrame) -> None:
    from triage.retrain import cv_splits

    with pytest.raises(ParameterError, match="folds must be an int of at least 2, got 1"):
        cv_splits(rows, 1)
    with pytest.raises(ParameterError, match="folds=40 is more than the 32 labeled row"):
        cv_splits(rows, 40)
    with pytest.raises(ParameterError, match="random_state must be None or an int"):
        cv_splits(rows, 2, random_state=-1)


@pytest.mark.parametrize(
    ("keep", "blank", "heads"),
    [
        (["categories", "primary"], [], "categories, primary"),  # a support team's
        (["priority"], [], "priority"),  # an analyst's
        (["categories", "primary"], [*EMOTIONS, "priority"], "categories, primary"),  # an export
    ],
    ids=["support", "analyst", "export"],
)
def test_the_folds_of_a_search_say_they_take_every_head(
    rows: pd.DataFrame, keep: list[str], blank: list[str], heads: str
) -> None:
    # they gave training's advice (label the missing columns, or extra=rows),
    # which no search takes: a search trains on the frame its folds cut
    from sklearn.model_selection import GridSearchCV

    from triage.exceptions import LabelError
    from triage.retrain import Folds, cv_splits

    some = rows[["text", *keep]].assign(**dict.fromkeys(blank, ""))
    search = GridSearchCV(TriageModel(**TINY_PARAMS), {"C": [0.1, 10.0]}, cv=Folds(2))
    for use, call in (
        ("cv_splits", lambda: cv_splits(some, 2)),
        ("Folds.split", lambda: list(Folds(2).split(some))),
        ("Folds.split", lambda: search.fit(some)),
    ):
        with pytest.raises(LabelError) as info:
            call()
        message = str(info.value)
        assert (
            f"; {use}, whose folds a search trains on, takes every label column: label "
            f"{'them' if blank else 'the missing ones'}, or evaluate the heads labeled "
            f"({heads}) with triage.evaluate, which takes some heads alone; " in message
        )
        assert "extra=rows" not in message and isinstance(info.value, KeyError) is not bool(blank)


@pytest.mark.filterwarnings("ignore:the training labels give these heads a single class")
def test_folds_cut_the_frame_a_search_inside_cross_validation_is_given(
    rows: pd.DataFrame,
) -> None:
    from sklearn.model_selection import GridSearchCV, cross_val_score

    from triage.retrain import Folds, cv_splits

    # nested: each outer fold fits the search on its training rows alone, which
    # the positions of cv_splits(rows) do not fit
    grid = {"C": [0.1, 10.0]}
    search = GridSearchCV(TriageModel(**TINY_PARAMS), grid, cv=Folds(2))
    nested = cross_val_score(search, rows, cv=Folds(2), error_score="raise")
    expected = []
    for train, test in cv_splits(rows, 2):
        inner = rows.iloc[train].reset_index(drop=True)
        by_hand = GridSearchCV(TriageModel(**TINY_PARAMS), grid, cv=cv_splits(inner, 2))
        expected.append(by_hand.fit(inner).score(rows.iloc[test]))
    np.testing.assert_allclose(nested, expected)
    # the folds of a frame are those of cv_splits, given whole or as texts and labels
    for got in (Folds(3).split(rows), Folds(3).split(rows["text"], rows.drop(columns="text"))):
        for (a, b), (c, d) in zip(got, cv_splits(rows, 3), strict=True):
            np.testing.assert_array_equal(a, c)
            np.testing.assert_array_equal(b, d)
    assert Folds(3).get_n_splits() == 3 and repr(Folds(3)) == "Folds(3, random_state=0)"


def test_folds_refuse_what_cv_splits_refuses(rows: pd.DataFrame) -> None:
    from triage.retrain import Folds

    with pytest.raises(ParameterError, match="folds must be an int of at least 2, got 1"):
        Folds(1)
    with pytest.raises(ParameterError, match="random_state must be None or an int"):
        Folds(2, random_state=-1)
    with pytest.raises(ParameterError, match="folds=40 is more than the 32 labeled row"):
        list(Folds(40).split(rows))
    with pytest.raises(ParameterError, match="y is a Series, but the labels are columns"):
        list(Folds(2).split(rows["text"], rows["primary"]))


def test_a_scorer_ranks_a_search_by_one_figure(rows: pd.DataFrame) -> None:
    from sklearn.model_selection import GridSearchCV

    from triage.retrain import scorer

    search = GridSearchCV(
        TriageModel(**TINY_PARAMS),
        {"C": [0.1, 10.0]},
        cv=2,
        scoring={"categories": scorer("category_macro_f1"), "p1": scorer("p1_recall")},
        refit="categories",
    )
    search.fit(rows)
    test_fold = rows.iloc[:16]  # scikit-learn's first fold: its first half
    model = TriageModel(**TINY_PARAMS, C=0.1).fit(rows.iloc[16:])
    ev = triage.evaluate(model, test_fold)
    assert search.cv_results_["split0_test_categories"][0] == ev.category_macro_f1
    assert search.cv_results_["split0_test_p1"][0] == ev.summary(None)["p1_recall"]
    assert (
        pickle.loads(pickle.dumps(scorer("p1_recall")))(model, test_fold)
        == ev.summary(None)["p1_recall"]
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("p1_as_p4", r"no scorer 'p1_as_p4' \(a count, better lower\); choose one of "),
        ("f1_macro", r"no scorer 'f1_macro'; choose one of category_macro_f1, primary_accuracy"),
    ],
)
def test_a_scorer_of_no_figure_is_refused(name: str, message: str) -> None:
    from triage.retrain import scorer

    with pytest.raises(ParameterError, match=message):
        scorer(name)

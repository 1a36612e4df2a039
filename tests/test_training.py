"""Training from labeled frames however they were read, and refusal of bad input before work."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import triage
from tests.conftest import TINY_PARAMS
from triage.labeled import validate_partial
from triage.labels import CATEGORIES, Category
from triage.model import TriageModel, fingerprint

# what earlier versions recorded for TINY_ROWS: cards stay comparable
TINY_FINGERPRINT = "8f227001a2afaf26b0a6d397c3441d2daf29f08b32db017bd01eea2dd3faf60f"


def _fingerprint(frame: pd.DataFrame) -> str:
    norm, _, _ = TriageModel()._docs(frame["text"].tolist(), words=(), hmm=False)
    return fingerprint(norm, frame)


def test_fingerprint_of_a_clean_frame_is_unchanged(tiny_frame: pd.DataFrame) -> None:
    assert _fingerprint(tiny_frame) == TINY_FINGERPRINT


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("angry", 1),  # read by pandas as a number
        ("angry", 1.0),  # a float column after a blank somewhere
        ("angry", "1.0"),
        ("categories", " logistics | service "),
        ("primary", " logistics "),
        ("priority", "P3 "),
    ],
    ids=["int", "float", "float-string", "spaced-categories", "spaced-primary", "spaced-priority"],
)
def test_fingerprint_is_of_the_labels_not_their_spelling(
    tiny_frame: pd.DataFrame, column: str, value: object
) -> None:
    # row 0 is logistics|service, primary logistics, angry 1, P3
    f = tiny_frame.astype(object)
    f.at[0, column] = value
    assert _fingerprint(f) == TINY_FINGERPRINT


def test_a_frame_read_with_plain_pandas_trains(tiny_frame: pd.DataFrame, tmp_path: Path) -> None:
    # pandas reads empty categories and primaries as NaN, intensities as ints
    path = tmp_path / "labeled.csv"
    tiny_frame.to_csv(path, index=False, encoding="utf-8")
    raw = pd.read_csv(path)
    assert raw["categories"].isna().any()
    model = triage.train(raw, **TINY_PARAMS)
    assert model.training_fingerprint_ == TINY_FINGERPRINT
    expected = triage.train(triage.read_labeled(path), **TINY_PARAMS)
    np.testing.assert_array_equal(model.coef_, expected.coef_)


def test_a_frame_without_complaints_trains_constant_heads(tiny_frame: pd.DataFrame) -> None:
    calm = tiny_frame.assign(categories="", primary="")
    with pytest.warns(UserWarning, match=r"single class.*category:product.*primary \(never"):
        model = triage.train(calm, **TINY_PARAMS)
    assert model.classify("快递一周还没到").labels == ()


def test_a_priority_of_one_level_is_named_and_raises_no_text(tiny_frame: pd.DataFrame) -> None:
    # a column filled with one level says nothing of urgency: it must not
    # raise every text to that level
    flat = tiny_frame.assign(priority="P2")
    with pytest.warns(
        UserWarning, match=r"single class.*priority \(every row P2: no priority head"
    ):
        model = triage.train(flat, **TINY_PARAMS)
    texts = ["东西很好，谢谢", "请问发票怎么开"]
    assert np.isnan(model.predict_many(texts).priority_proba).all()
    for text in texts:
        assert [
            r.source for r in triage.analyze(text, model=model).reasons if r.source == "model"
        ] == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"text": ["快递太慢了", "客服不理人"], "categories": ["logistics", "Service"]},
            r"row 1 \(id ''\) categories='Service': "
            r"unknown category 'Service' \(write 'service'\); allowed",
        ),
        (
            {"text": ["快递太慢了", "房间很脏"], "categories": ["logistics", "hygiene"]},
            r"row 1 .*categories='hygiene': unknown category 'hygiene'",
        ),
        (
            {"text": ["快递太慢了", "客服不理人"], "angry": ["1", "3"]},
            r"row 1 .*angry='3': intensity must be 0, 1 or 2",
        ),
        (
            {"text": ["快递太慢了", "客服不理人"], "angry": ["1", "0"], "weight": ["0.5", ""]},
            r"row 1 .*weight='': weight must be a number >= 0",
        ),
        (
            {"text": ["快递太慢了", "客服不理人"], "angry": ["1", "0"], "weight": [-1.0, 0.5]},
            r"row 0 .*weight=-1.0: weight must be a number >= 0",
        ),
        (
            {"text": ["快递太慢了", "客服不理人"], "angry": ["1", "0"], "weight": [1e200, 0.5]},
            r"row 0 .*weight=1e\+200: weight must be a number >= 0, at most 1e\+12$",
        ),
        (
            {"text": ["快递太慢了", None], "angry": ["1", "0"]},
            # pandas 3 makes the None of a column of strings NaN, pandas 2 keeps it
            r"row 1 .*text=(nan|None): text is missing or empty",
        ),
        (
            {"review": ["快递太慢了"], "angry": ["1"]},
            r"^bad columns in the extra training data: no column 'text'; "
            r"the columns are \['review', 'angry'\]$",
        ),
        ({"text": ["快递太慢了"], "primary": ["logistics"]}, r"no label column; give any of"),
        (
            {"text": ["快递太慢了", "东西不错"], "complaint": ["1", "yes"]},
            r"row 1 .*complaint='yes': complaint must be 0 or 1 \(or empty for unknown\)$",
        ),
        (
            {"text": ["快递太慢了", "东西不错"], "complaint": ["1", "\uff10"]},
            r"complaint='\uff10': complaint must be 0 or 1 \(or empty for unknown\) "
            r"\(write '0' for '\uff10'\)",
        ),
        (
            {"text": ["快递很快，好评"], "categories": ["logistics"], "complaint": ["0"]},
            r"row 0 .*complaint='0': complaint is 0 but the row names a category",
        ),
        (
            {"text": ["快递很快，好评"], "categories": [""], "Complaint": ["0"]},
            r"^bad columns in the extra training data: column 'Complaint' is not read: "
            r"rename it to 'complaint'; the columns are",
        ),
        (
            {"text": ["快递太慢了"], "angry ": ["1"]},
            r"column 'angry ' is not read: rename it to 'angry'",
        ),
    ],
    ids=[
        "uppercase-category",
        "unknown-category",
        "intensity-3",
        "blank-weight",
        "negative-weight",
        "weight-past-1e12",
        "missing-text",
        "no-text-column",
        "no-label-column",
        "complaint-yes",
        "complaint-full-width",
        "complaint-0-with-a-category",
        "complaint-capitalised",
        "emotion-with-a-space",
    ],
)
def test_bad_extra_rows_are_refused_naming_row_and_column(
    tiny_frame: pd.DataFrame, extra: dict[str, list[object]], message: str
) -> None:
    with pytest.raises(triage.LabelError, match=r"in the extra training data") as info:
        triage.train(tiny_frame, extra=pd.DataFrame(extra), **TINY_PARAMS)
    assert re.search(message, str(info.value))


def test_empty_extra_cells_are_unknown(tiny_frame: pd.DataFrame) -> None:
    extra = pd.DataFrame(
        {
            "text": ["快递三天了还没发货", "客服一直不回消息，气死了", "房间有股霉味"],
            "categories": ["logistics", np.nan, ""],
            "angry": ["", "2", np.nan],
            "weight": [0.5, 1, "0.25"],
        }
    )
    model = triage.train(tiny_frame, extra=extra, **TINY_PARAMS)
    assert model.n_extra_ == 3


@pytest.mark.parametrize(
    ("columns", "named"),
    [
        (["primary"], r"column 'primary' is"),
        (["primary", "Priority"], r"columns \['primary', 'Priority'\] are"),
    ],
)
def test_a_primary_or_priority_of_extra_rows_is_said_to_be_unread(
    tiny_frame: pd.DataFrame, columns: list[str], named: str
) -> None:
    # rows of a file labeled with categories and primary, given as extra rows:
    # their primaries trained nothing, and nothing said so
    extra = pd.DataFrame(
        {
            "text": ["快递三天没到，客服也不理", "比别家贵了一倍"],
            "categories": ["logistics|service", "pricing"],
        }
    )
    for column in columns:
        extra[column] = ["service", "pricing"] if column == "primary" else ["P3", "P4"]
    with pytest.warns(
        UserWarning,
        match=rf"^the extra training data's {named} not read: extra rows train the category, "
        r"complaint and emotion heads, and the labeled rows alone the primary and the priority",
    ):
        model = triage.train(tiny_frame, extra=extra, **TINY_PARAMS)
    assert model.n_extra_ == 2


def test_fitting_runs_blas_and_openmp_on_one_thread(
    tiny_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # their spare threads spin while they wait: a slower fit, and much slower
    # beside another busy process (benchmarks/bench_train.py)
    import sklearn.linear_model  # noqa: F401 - its OpenMP and scipy's BLAS, loaded
    from threadpoolctl import threadpool_info, threadpool_limits

    import triage._learn as learn

    seen: list[int] = []
    fit_binary = learn._fit_binary

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.extend(pool["num_threads"] for pool in threadpool_info())
        return fit_binary(*args, **kwargs)

    monkeypatch.setattr(learn, "_fit_binary", watched)
    with threadpool_limits(limits=2):  # the process's own setting, restored after the fit
        before = [pool["num_threads"] for pool in threadpool_info()]
        triage.train(tiny_frame, **TINY_PARAMS)
        after = [pool["num_threads"] for pool in threadpool_info()]
    assert seen and set(seen) == {1}
    assert after == before


def test_extra_rows_train_the_naive_bayes_view_too(tiny_frame: pd.DataFrame) -> None:
    texts = ["快递三天了还没发货", "快递丢了也没人管", "快递员把包裹扔在门口"]
    models = [
        triage.train(
            tiny_frame,
            extra=pd.DataFrame({"text": texts, "categories": "logistics", "weight": w}),
            **TINY_PARAMS,
        )
        for w in (0.0, 1.0)
    ]
    j = [str(c) for c in triage.CATEGORIES].index("logistics")
    ignored, used = (m.nb_coef_[:, j] for m in models)
    assert not np.allclose(ignored, used)


def test_extra_rows_teach_only_the_heads_they_label(tiny_frame: pd.DataFrame) -> None:
    # rows that say only "not angry" moved the categories and the primary
    # through a vocabulary and term weights learned from their texts too
    calm = pd.DataFrame(
        {"text": ["请问发票怎么开", "能帮我改一下收货地址吗", "好的，收到了，谢谢"], "angry": "0"}
    )
    plain = triage.train(tiny_frame, **TINY_PARAMS)
    taught = triage.train(tiny_frame, extra=calm, extra_weight=1.0, **TINY_PARAMS)
    texts = ["快递一周还没到，客服也不回", "请问发票怎么开", "房间很吵，空调也坏了"]
    before, after = plain.predict_many(texts), taught.predict_many(texts)
    np.testing.assert_array_equal(before.category_proba, after.category_proba)
    assert before.primary.tolist() == after.primary.tolist()
    angry = [str(e) for e in triage.EMOTIONS].index("angry")
    assert after.emotion_proba[1, angry] < before.emotion_proba[1, angry]
    assert taught.features_.n_features == plain.features_.n_features
    assert taught.n_extra_ == 3 and plain.extra_fingerprint_ is None
    assert len(taught.extra_fingerprint_ or "") == 64


def test_praise_rows_teach_the_complaint_head_alone(tiny_frame: pd.DataFrame) -> None:
    praise = pd.DataFrame(
        {
            "text": [
                "快递很快，包装很好",
                "服务热情，房间干净",
                "味道不错，好评",
                "物流给力，好评",
            ],
            "complaint": "0",
        }
    )
    plain = triage.train(tiny_frame, **TINY_PARAMS)
    taught = triage.train(tiny_frame, extra=praise, extra_weight=1.0, **TINY_PARAMS)
    texts = ["快递很快，好评", "快递一周还没到，客服也不回"]
    before, after = plain.predict_many(texts), taught.predict_many(texts)
    # the category, emotion and priority heads are as they were
    np.testing.assert_array_equal(before.category_proba, after.category_proba)
    np.testing.assert_array_equal(before.emotion_proba, after.emotion_proba)
    assert after.complaint_proba is not None and before.complaint_proba is not None
    assert after.complaint_proba[0] < before.complaint_proba[0]
    assert after.complaint_proba[1] > 0.5
    assert taught.n_extra_ == 4


def test_a_complaint_column_of_booleans_is_read_as_ones_and_zeros(
    tiny_frame: pd.DataFrame,
) -> None:
    texts = ["快递很快，包装很好", "服务热情，房间干净", "快递一周还没到"]
    flags = pd.Series([False, False, True])
    as_bools = triage.train(
        tiny_frame, extra=pd.DataFrame({"text": texts, "complaint": flags}), **TINY_PARAMS
    )
    as_ints = triage.train(
        tiny_frame,
        extra=pd.DataFrame({"text": texts, "complaint": flags.astype(int)}),
        **TINY_PARAMS,
    )
    np.testing.assert_array_equal(as_bools.coef_, as_ints.coef_)
    # numpy's bools and a nullable boolean column with a gap too
    nullable = pd.array([False, None, True], dtype="boolean")
    extra = pd.DataFrame({"text": texts, "complaint": nullable})
    assert validate_partial(extra).empty
    extra["complaint"] = np.array([False, True, True])
    assert validate_partial(extra).empty


def test_the_extra_fingerprint_tells_complaint_labels_apart(tiny_frame: pd.DataFrame) -> None:
    texts = ["快递很快，包装很好", "服务热情，房间干净"]
    praise = pd.DataFrame({"text": texts, "complaint": "0"})
    complaints = pd.DataFrame({"text": texts, "complaint": "1"})
    a = triage.train(tiny_frame, extra=praise, **TINY_PARAMS)
    b = triage.train(tiny_frame, extra=complaints, **TINY_PARAMS)
    assert a.extra_fingerprint_ != b.extra_fingerprint_


def test_the_extra_fingerprint_is_of_the_labels_not_their_spelling(
    tiny_frame: pd.DataFrame,
) -> None:
    texts = ["快递很快，包装很好", "等了三天还没发货，太气人了", "请问发票怎么开"]
    as_text = pd.DataFrame(
        {
            "text": texts,
            "categories": ["", " logistics | service ", ""],
            "complaint": ["0", "1", ""],
            "angry": ["0", "2", ""],
        }
    )
    # as plain pandas.read_csv reads a file of them, as a nullable column
    # holds them, and a complaint column of booleans with a gap
    as_floats = as_text.assign(
        categories=[np.nan, "logistics|service", np.nan],
        complaint=[0.0, 1.0, np.nan],
        angry=[0.0, 2.0, np.nan],
    )
    as_nullable = as_text.assign(
        complaint=pd.array([False, True, None], dtype="boolean"),
        angry=pd.array([0, 2, None], dtype="Int64"),
    )
    models = [triage.train(tiny_frame, extra=e, **TINY_PARAMS) for e in (as_text, as_floats)]
    models.append(triage.train(tiny_frame, extra=as_nullable, **TINY_PARAMS))
    np.testing.assert_array_equal(models[0].coef_, models[1].coef_)
    np.testing.assert_array_equal(models[0].coef_, models[2].coef_)
    assert len({m.extra_fingerprint_ for m in models}) == 1
    # and a label changed is another fingerprint
    angrier = triage.train(tiny_frame, extra=as_text.assign(angry=["1", "2", ""]), **TINY_PARAMS)
    assert angrier.extra_fingerprint_ != models[0].extra_fingerprint_


def test_a_text_under_min_complaint_proba_has_no_category(small_model) -> None:  # type: ignore[no-untyped-def]
    import copy

    texts = ["快递一周还没到，客服也不回", "收到的杯子一摔就裂了", "房间很脏"]
    # (each names a problem, which would give it back its likeliest category)
    model = copy.deepcopy(small_model).set_params(min_complaint_proba=None, problem_cues=False)
    ungated = model.predict_many(texts)
    assert ungated.category_labels.any(axis=1).all()
    assert ungated.complaint_proba is not None
    assert ((ungated.complaint_proba > 0) & (ungated.complaint_proba < 1)).all()
    # a gate over every text's probability takes every category, and the primary
    model.set_params(min_complaint_proba=float(ungated.complaint_proba.max()) + 1e-9)
    gated = model.predict_many(texts)
    assert not gated.category_labels.any() and (gated.primary == -1).all()
    # and the priority head's signal: nothing learned raises a text about nothing
    assert np.isnan(gated.priority_proba).all()
    np.testing.assert_array_equal(gated.category_proba, ungated.category_proba)
    np.testing.assert_array_equal(gated.intensity, ungated.intensity)
    assert [a.complaint_probability for a in map(model.analyze, texts)] == pytest.approx(
        ungated.complaint_proba.tolist()
    )


def test_a_text_that_names_a_problem_keeps_its_likeliest_category(small_model) -> None:  # type: ignore[no-untyped-def]
    import copy

    texts = ["孩子吃了你们的饼干上吐下泻", "还好没有拉肚子", "快递很快，包装也很好"]
    model = copy.deepcopy(small_model).set_params(min_complaint_proba=None)
    every = model.predict_many(texts).complaint_proba
    assert every is not None
    # a gate over every text's probability would leave each with no category
    model.set_params(min_complaint_proba=float(every.max()) + 1e-9, problem_cues=False)
    assert not model.predict_many(texts).category_labels.any()
    model.set_params(problem_cues=True)
    named = model.predict_many(texts)
    # the harm named (上吐下泻) keeps the likeliest category, as primary, and
    # the priority head reads it again; a harm denied or praise does not
    best = int(named.category_proba[0].argmax())
    assert named.category_proba[0, best] >= model.min_primary_proba
    assert named.category_labels[0].tolist() == [j == best for j in range(6)]
    assert named.primary.tolist() == [best, -1, -1]
    assert not np.isnan(named.priority_proba[0]).any()
    assert not named.category_labels[1:].any() and np.isnan(named.priority_proba[1:]).all()
    one = model.analyze(texts[0])
    assert one.primary is not None and one.primary == triage.CATEGORIES[best]
    # nor under a likeliest category of less than min_primary_proba
    model.set_params(min_primary_proba=float(named.category_proba[0, best]) + 1e-9)
    assert not model.predict_many(texts).category_labels.any()


def test_an_empty_frame_is_refused_as_labels(tiny_frame: pd.DataFrame) -> None:
    with pytest.raises(triage.LabelError, match="no rows"):
        triage.train(tiny_frame.iloc[:0], **TINY_PARAMS)
    with pytest.raises(triage.LabelError, match="no rows"):
        triage.evaluate(triage.LexiconModel(), tiny_frame.iloc[:0])


@pytest.mark.parametrize(
    ("which", "column"),
    [("frame", "text"), ("frame", "angry"), ("extra", "text"), ("extra", "categories")],
)
def test_duplicate_columns_are_refused_by_name(
    tiny_frame: pd.DataFrame, which: str, column: str
) -> None:
    extra = pd.DataFrame({"text": ["快递太慢了", "客服不理人"], "categories": ["logistics", ""]})
    frames = {"frame": tiny_frame, "extra": extra}
    frames[which] = pd.concat([frames[which], frames[which][[column]]], axis=1)
    with pytest.raises(triage.LabelError, match=rf"column '{column}' appears 2 times; keep one"):
        triage.train(frames["frame"], extra=frames["extra"], **TINY_PARAMS)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"min_df": 100},
            r"min_df=100 keeps no term: the most common of the \d+ terms is in (\d+) of the 16 "
            r"training texts; use min_df <= \1",
        ),
        ({"min_df": 17, "cues": False}, r"min_df=17 keeps no term"),
        (
            {"word_ngrams": (0, 0), "char_ngrams": (0, 0)},
            r"word_ngrams=\(0, 0\) and char_ngrams=\(0, 0\) switch off every term; "
            r"give word_ngrams=\(1, 1\) or char_ngrams=\(1, 3\)",
        ),
    ],
    ids=["min-df", "min-df-no-cues", "no-ngrams"],
)
def test_parameters_that_leave_no_terms_are_named(
    tiny_frame: pd.DataFrame, params: dict[str, object], message: str
) -> None:
    with pytest.raises(triage.ParameterError, match=message) as info:
        triage.train(tiny_frame, **(TINY_PARAMS | params))
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("params", "allowed"),
    [
        ({"C": -1}, "a number > 0"),
        ({"C": "10"}, "a number > 0"),
        ({"C_primary": 0}, "a number > 0"),
        ({"C_nb": 0}, "None or a number > 0"),
        ({"C_nb": "1"}, "None or a number > 0"),
        ({"class_weight": "balance"}, "'balanced' or None"),
        ({"word_ngrams": (2, 1)}, r"\(low, high\) with 1 <= low <= high"),
        ({"char_ngrams": 3}, r"\(low, high\)"),
        ({"char_ngrams": (0, 3)}, r"\(low, high\)"),
        ({"primary_blend": 1.5}, r"a number in \[0, 1\]"),
        ({"min_primary_proba": -0.1}, r"None or a number in \[0, 1\]"),
        ({"min_complaint_proba": 1.5}, r"None or a number in \[0, 1\]"),
        ({"C_complaint": 0}, "a number > 0"),
        ({"problem_cues": "yes"}, "True or False"),
        ({"min_df": 0}, "an int >= 1"),
        ({"min_df": 1.5}, "an int >= 1"),
        ({"max_features": 0}, "None or an int >= 1"),
        ({"max_features": -5}, "None or an int >= 1"),
        ({"threshold_folds": -1}, "an int >= 0"),
        ({"extra_weight": float("nan")}, "a number >= 0"),
        # liblinear never returns once C times a row's weight nears 1e150
        ({"C": 1e200}, r"a number > 0, at most 1e\+12"),
        ({"C_primary": 1e13}, r"a number > 0, at most 1e\+12"),
        ({"C_nb": 1e300}, r"None or a number > 0, at most 1e\+12"),
        ({"C_complaint": 1e200}, r"a number > 0, at most 1e\+12"),
        ({"extra_weight": 1e200}, r"a number >= 0, at most 1e\+12"),
        ({"random_state": "a"}, r"None or an int in \[0, 2\*\*32 - 1\]"),
        ({"n_jobs": 0}, "None or an int other than 0"),
        ({"cues": "no"}, "True or False"),
        ({"hmm": 1}, "True or False"),
        ({"word_vectors": "vectors.npz"}, "None or a triage.vectors.WordVectors"),
    ],
)
def test_unusable_parameter_values_are_refused_before_any_work(
    tiny_frame: pd.DataFrame, params: dict[str, object], allowed: str
) -> None:
    name, value = next(iter(params.items()))
    shown = type(value).__name__ if name == "word_vectors" else re.escape(repr(value))
    with pytest.raises(triage.ParameterError, match=rf"{name}={shown} \(allowed: {allowed}"):
        triage.train(tiny_frame.iloc[:0], **(TINY_PARAMS | params))  # no rows: params first


def test_parameter_errors_are_value_and_type_errors() -> None:
    assert issubclass(triage.ParameterError, ValueError)
    assert issubclass(triage.ParameterError, TypeError)


@pytest.mark.parametrize(
    "params",
    [
        {"C": 1, "C_primary": np.float64(2.5), "min_df": np.int64(1)},
        {"word_ngrams": [1, 2], "char_ngrams": (0, 0), "class_weight": None},
        {"random_state": None, "min_primary_proba": None, "max_features": None, "n_jobs": -1},
        {"C_nb": None},
        {"C_nb": np.float32(0.5)},
        {"min_complaint_proba": None, "C_complaint": np.float64(0.3)},
    ],
)
def test_usual_parameter_spellings_are_accepted(
    tiny_frame: pd.DataFrame, params: dict[str, object]
) -> None:
    assert triage.train(tiny_frame, **(TINY_PARAMS | params)).coef_.shape[1] > 0


@pytest.mark.filterwarnings("ignore:too few labeled rows")  # the tiny rows
def test_threshold_folds_keep_copies_of_a_text_together(
    tiny_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Thresholds are chosen on out-of-fold probabilities; a text whose copy
    # trained its fold would look easy and pull its head's threshold.
    import triage._learn as learn
    from triage.text import normalize

    copies = tiny_frame.iloc[:8].copy()
    copies["text"] = [f" {t} " for t in copies["text"]]  # the same once normalised
    frame = pd.concat([tiny_frame, copies, copies], ignore_index=True).drop(columns="id")
    calls: list[tuple[list[str], list[tuple[np.ndarray, np.ndarray]]]] = []
    group_splits = learn.group_splits

    def spy(texts, split):  # type: ignore[no-untyped-def]
        out = group_splits(texts, split)
        calls.append((list(texts), out))
        return out

    monkeypatch.setattr(learn, "group_splits", spy)
    TriageModel(**{**TINY_PARAMS, "threshold_folds": 2}).fit(frame)
    assert any(len(set(texts)) < len(texts) for texts, _ in calls)
    for texts, splits in calls:
        assert texts == [normalize(t) for t in frame["text"]] or len(texts) < len(frame)
        for train, test in splits:
            assert not {texts[i] for i in train} & {texts[i] for i in test}
            assert sorted([*train, *test]) == list(range(len(texts)))


@pytest.mark.filterwarnings("ignore:too few labeled rows")  # the tiny rows
def test_extra_rows_train_no_threshold_fold_that_holds_out_their_text(
    tiny_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The labeled texts again as extra rows (own partial labels of them, or a
    # weak set not cleared of them), written a little differently: a fold
    # that trained on the extra copy of a text it scores would find it easy.
    import triage._learn as learn

    extra = pd.DataFrame(
        {"text": [f"  {t} " for t in tiny_frame["text"]], "angry": tiny_frame["angry"]}
    )
    used: list[tuple[int, int]] = []  # (labeled rows, extra rows) of each fit of a head
    with_extra = learn._with_extra

    def spy(X, target, Xe, part):  # type: ignore[no-untyped-def]
        if part is not None:
            used.append((X.shape[0], len(part[0])))
        return with_extra(X, target, Xe, part)

    monkeypatch.setattr(learn, "_with_extra", spy)
    TriageModel(**{**TINY_PARAMS, "threshold_folds": 2}).fit(tiny_frame, extra=extra)
    folds = [(rows, extra_rows) for rows, extra_rows in used if rows < len(tiny_frame)]
    assert folds  # the out-of-fold fits of the angry heads (presence, strength)
    # each text once labeled, once extra: a fold trains on the extra copies of its own texts
    assert all(rows == extra_rows for rows, extra_rows in used)


# Five complaints of each category, each with one emotion present in turn,
# so that every label has five rows or more of each class: the rows of a
# label are then taken away, or the emotion set, to leave it a few.
FIVE_EACH = [
    ("product", "充电宝充一次电就鼓包了，吓死人"),
    ("product", "新买的鞋子穿了两天鞋底就开胶"),
    ("product", "面膜打开一股怪味，敷完脸又红又痒"),
    ("product", "电饭煲煮出来的饭一半是生的"),
    ("product", "收到的沙发颜色和图片差了一大截"),
    ("service", "客服把我的问题转了三次还没人管"),
    ("service", "打电话问售后，对方直接挂了"),
    ("service", "在线客服只会发模板回复，根本不看问题"),
    ("service", "店员翻白眼说爱买不买"),
    ("service", "投诉了一周，客服一句道歉都没有"),
    ("logistics", "快递在中转站躺了五天不动"),
    ("logistics", "包裹被送到隔壁小区也不打电话"),
    ("logistics", "外卖送来时汤洒了一袋子"),
    ("logistics", "物流显示已签收，可我根本没收到"),
    ("logistics", "快递员不送上楼，让我自己下去搬"),
    ("pricing", "同一件衣服第二天就降价一百块"),
    ("pricing", "结账时多收了打包费，菜单上没写"),
    ("pricing", "说好的满减，付款时又不算了"),
    ("pricing", "会员价居然比普通价还贵"),
    ("pricing", "自动续费扣了钱，从来没提醒过"),
    ("process", "退款审核了半个月还没结果"),
    ("process", "换货要填四张表格，太麻烦了"),
    ("process", "发票申请提交了三次都被驳回"),
    ("process", "注销账号要本人去营业厅办理"),
    ("process", "修改收货地址的入口找了半天也没找到"),
    ("environment", "酒店房间的床单上有头发"),
    ("environment", "餐厅里苍蝇乱飞，桌子也油腻"),
    ("environment", "楼上半夜还在装修，吵得睡不着"),
    ("environment", "健身房的更衣室一股霉味"),
    ("environment", "候车厅的空调坏了，热得喘不过气"),
]


def _five_each() -> pd.DataFrame:
    from triage.labels import EMOTION_COLUMNS

    rows = []
    for i, (category, text) in enumerate(FIVE_EACH):
        emotions = {e: "1" if k == i % 5 else "0" for k, e in enumerate(EMOTION_COLUMNS)}
        priority = ("P1", "P2", "P3", "P4")[i % 4]
        row = {"id": f"f-{i}", "text": text, "categories": category, "primary": category}
        rows.append(row | emotions | {"priority": priority})
    return pd.DataFrame(rows)


def _pricing_rows(k: int) -> pd.DataFrame:
    """The frame with `k` of its five pricing complaints."""
    frame = _five_each()
    pricing = frame.index[frame["categories"] == "pricing"]
    return frame.drop(pricing[k:]).reset_index(drop=True)


def _emotion_rows(emotion: str, k: int, value: str = "1") -> pd.DataFrame:
    """The frame with `emotion` `value` in its first `k` rows, the other in the rest."""
    frame = _five_each()
    frame[emotion] = [value if i < k else ("0" if value == "1" else "1") for i in frame.index]
    return frame


def _copied_pricing(k: int, copies: int) -> pd.DataFrame:
    """The frame with `k` of its five pricing complaints, each written `copies` times."""
    frame = _pricing_rows(k)
    pricing = frame[frame["categories"] == "pricing"]
    again = [pricing.assign(id=pricing["id"] + f"-copy{n}") for n in range(1, copies)]
    return pd.concat([frame, *again], ignore_index=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("frame", "said"),
    [
        # no row: a head of one class, warned of as such
        (_pricing_rows(0), None),
        (_pricing_rows(1), "category:pricing (1 of 26 rows positive: its threshold stays 0.5)"),
        (
            _pricing_rows(2),
            "category:pricing (2 of 27 rows positive: its threshold is tuned on these 2 alone)",
        ),
        (
            _pricing_rows(4),
            "category:pricing (4 of 29 rows positive: its threshold is tuned on these 4 alone)",
        ),
        (_pricing_rows(5), None),
        (
            _emotion_rows("humorous", 1),
            "presence:humorous (1 of 30 rows positive: its threshold stays 0.5)",
        ),
        (
            _emotion_rows("humorous", 3),
            "presence:humorous (3 of 30 rows positive: its threshold is tuned on these 3 alone)",
        ),
        # angry in all rows but two
        (
            _emotion_rows("angry", 2, "0"),
            "presence:angry (2 of 30 rows negative: its threshold is tuned on these 2 alone)",
        ),
        # copies of a text share a threshold fold: they are one text to tune on
        (
            _copied_pricing(1, 5),
            "category:pricing (1 of 26 distinct texts positive: its threshold stays 0.5)",
        ),
        (
            _copied_pricing(2, 3),
            "category:pricing (2 of 27 distinct texts positive: its threshold is tuned on "
            "these 2 alone)",
        ),
        (_copied_pricing(5, 2), None),
    ],
    ids=[
        "pricing-0",
        "pricing-1",
        "pricing-2",
        "pricing-4",
        "pricing-5",
        "humorous-1",
        "humorous-3",
        "angry-all-but-2",
        "one-text-5-rows",
        "two-texts-6-rows",
        "five-texts-10-rows",
    ],
)
def test_a_label_of_too_few_rows_to_tune_its_threshold_on_is_named(
    frame: pd.DataFrame, said: str | None
) -> None:
    import warnings

    from triage._learn import FEW

    with warnings.catch_warnings(record=True) as caught:  # the one-class warning of no row too
        warnings.simplefilter("always")
        # the thresholds are tuned before the clause stage, which reads them:
        # without it, a fit of these rows takes a third of the time
        triage.train(frame, clause_stage=False)
    few = [str(w.message) for w in caught if str(w.message).startswith(FEW)]
    if said is None:
        assert few == []
    else:
        assert len(few) == 1 and said in few[0], few
        assert few[0].count(" positive") + few[0].count(" negative") == 1  # no other label
        assert all(w.filename == __file__ for w in caught)


# pricing complaints of partial labels, for a frame that has none
EXTRA_PRICING = [
    "会员费说好一年九十九，结果扣了一百九十九",
    "同样的套餐，新用户比老用户便宜一半",
    "外卖配送费突然从三块涨到八块",
    "酒店退房时多收了一晚的房费",
    "买完第二天就降价两百，客服不给退差价",
]


@pytest.mark.slow
def test_a_label_that_only_extra_rows_have_is_named_among_the_few() -> None:
    # the extra rows give the head both classes, so it is no head of one
    # class; its threshold is tuned on the labeled rows, which have no positive
    import warnings

    from triage._learn import FEW, ONE_CLASS

    extra = pd.DataFrame({"text": EXTRA_PRICING, "categories": "pricing"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = triage.train(_pricing_rows(0), extra=extra, clause_stage=False)  # as above
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if m.startswith(ONE_CLASS) and "category:pricing" in m]
    few = [m for m in messages if m.startswith(FEW)]
    assert len(few) == 1, messages
    assert "category:pricing (0 of 25 rows positive: its threshold stays 0.5)" in few[0]
    assert model.thresholds_["categories"][CATEGORIES.index(Category.PRICING)] == 0.5


def test_thresholds_not_tuned_warn_of_no_label_of_few_rows() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        triage.train(_pricing_rows(1), threshold_folds=0)


@pytest.mark.filterwarnings("ignore:the training labels give", "ignore:too few labeled rows")
def test_texts_the_model_cannot_read_choose_no_threshold_at_fit(
    tiny_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No Chinese, or no term the model knows: no category and no emotion
    # whatever the thresholds. Counted with the probability every such text
    # gets, angry English complaints pulled thresholds down at fit, as they
    # did in tune_thresholds.
    from tests.conftest import labeled_frame
    from triage import _learn

    chosen_on: list[np.ndarray] = []
    real = _learn.best_f1_threshold

    def spy(target: np.ndarray, proba: np.ndarray) -> float:
        chosen_on.append(np.array(proba, copy=True))
        return real(target, proba)

    monkeypatch.setattr(_learn, "best_f1_threshold", spy)
    unreadable = labeled_frame(
        [
            ("WORST SERVICE EVER!!!", "service", "service", "2 0 0 0 1", "P2"),
            ("😡😡😡😡", "service", "service", "2 0 0 0 1", "P2"),
            ("terrible, never again", "service", "service", "2 0 0 0 1", "P2"),
            ("refund me NOW", "pricing", "pricing", "2 1 0 0 0", "P2"),
        ]
    ).assign(id=lambda f: "unreadable-" + f["id"])
    frame = pd.concat([tiny_frame, unreadable], ignore_index=True)
    model = TriageModel(**{**TINY_PARAMS, "threshold_folds": 2}).fit(frame)
    assert model.predict_many(unreadable["text"].tolist()).low_confidence.all()
    whole = [p for p in chosen_on if len(p) == len(frame)]  # the heads of every row
    assert whole
    for proba in whole:
        assert (proba[len(tiny_frame) :] == 0.0).all()
        assert (proba[: len(tiny_frame)] > 0.0).any()


@pytest.mark.parametrize(
    ("levels", "said"),
    [
        (
            ("P1", "P2", "P3"),
            r"priority \(P4\): the priority head votes P3 or more urgent for every text, so the "
            r"model raises to P3 at least every text the rules leave at P4\. Label rows of P4 "
            r"to learn it\.$",
        ),
        (
            ("P1", "P2"),
            r"priorities \(P3, P4\): the priority head votes P2 or more urgent for every text, "
            r"so the model raises to P2 at least every text the rules leave at P3 or P4\. Label "
            r"rows of P3 and P4 to learn them\.$",
        ),
    ],
)
def test_a_priority_column_without_the_least_urgent_level_is_named(
    tiny_frame: pd.DataFrame, levels: tuple[str, ...], said: str
) -> None:
    # labelers who never wrote P4: the head's vote for P3 or more urgent is 1
    # for every text, and a thanks (P4 by the rules) was P3, unannounced
    frame = tiny_frame.assign(priority=[levels[i % len(levels)] for i in range(len(tiny_frame))])
    with pytest.warns(UserWarning, match=rf"^no training row has the least urgent {said}"):
        model = triage.train(frame, **TINY_PARAMS)
    floor = levels[-1]
    assert triage.analyze("谢谢，东西收到了", model=model).priority == floor
    assert triage.analyze("谢谢，东西收到了").priority == "P4"  # what the rules make of it


def test_a_priority_column_with_p4_rows_is_not_named(tiny_frame: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="no training row has the least urgent")
        triage.train(tiny_frame, **TINY_PARAMS)

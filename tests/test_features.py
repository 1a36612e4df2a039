"""The feature space: the batch path, the one-text path and the plain string path agree."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import run_interleaved
from triage._features import FeatureSpace, guarded
from triage.vectors import WordVectors

# a small alphabet, so that documents share n-grams; space, an emoji outside the
# BMP and a character whose code point needs all 21 bits are in it
CHARS = "退款快递到了吗哈 !?😂\U0010fffd…"
WORDS = ["退款", "快递", "到", "了", "吗", "哈哈", "a b", "😂", "!", "的"]

docs = st.lists(
    st.tuples(
        st.text(alphabet=CHARS, max_size=30),
        st.lists(st.sampled_from(WORDS), max_size=12),
    ),
    min_size=1,
    max_size=12,
)


def fit_space(
    corpus: list[tuple[str, list[str]]],
    word_ngrams: tuple[int, int],
    char_ngrams: tuple[int, int],
    with_vectors: bool,
) -> FeatureSpace:
    vectors = None
    if with_vectors:
        rng = np.random.default_rng(0)
        words = ("退款", "快递", "a b", "的", "不在语料里")
        vectors = WordVectors(words, rng.normal(size=(len(words), 4)).astype(np.float16))
    return FeatureSpace.fit(
        corpus,
        word_ngrams=word_ngrams,
        char_ngrams=char_ngrams,
        stopwords=frozenset({"的", "了"}),
        min_df=1,
        cues=(
            ("哈哈", "哈"),
            ("吗",),
            ("!", "!!"),
            "[😂]",
            ("…", ".."),
            # guarded words beside a literal one: 快 not in 快递, 了 not after 到
            (re.compile(guarded("快", ["快递"])), re.compile(guarded("了", ["到了"])), "吗"),
        ),
        word_vectors=vectors,
    )


def string_path(space: FeatureSpace) -> FeatureSpace:
    """The same space, looking up one term string at a time."""
    plain = FeatureSpace.__new__(FeatureSpace)
    plain.__setstate__(space.__getstate__())
    plain._lookup = None
    return plain


@settings(max_examples=150, deadline=None)
@given(
    corpus=docs,
    queries=docs,
    word_ngrams=st.sampled_from([(1, 1), (1, 2), (2, 3), (0, 0)]),
    char_ngrams=st.sampled_from([(1, 3), (2, 2), (0, 0), (1, 4)]),
    with_vectors=st.booleans(),
)
def test_batch_lookup_equals_one_string_per_term(
    corpus: list[tuple[str, list[str]]],
    queries: list[tuple[str, list[str]]],
    word_ngrams: tuple[int, int],
    char_ngrams: tuple[int, int],
    with_vectors: bool,
) -> None:
    if word_ngrams == (0, 0) and char_ngrams == (0, 0):
        return
    space = fit_space(corpus, word_ngrams, char_ngrams, with_vectors)
    X, dense = space.blocks(queries)
    X_plain, dense_plain = string_path(space).blocks(queries)
    assert X.shape == X_plain.shape == (len(queries), space.n_terms)
    assert (X_plain != X).nnz == 0
    np.testing.assert_array_equal(dense, dense_plain)
    # and every row is what the one-text path gives
    full = space.matrix(queries).toarray()
    for i, (text, tokens) in enumerate(queries):
        idx, w = space.vector(text, tokens)
        row = np.zeros(space.n_features)
        row[idx] = w
        np.testing.assert_allclose(full[i], row, atol=1e-12)
        # and what analyze's path gives, to the last bit
        idx, w, one = space.row(text, tokens)
        start, stop = X.indptr[i], X.indptr[i + 1]
        np.testing.assert_array_equal(idx, X.indices[start:stop])
        np.testing.assert_array_equal(w, X.data[start:stop])
        if dense is None:
            assert one is None
        else:
            assert one is not None
            np.testing.assert_array_equal(one[0], dense[i])


def test_packed_lookup_is_used_for_the_usual_ranges() -> None:
    space = fit_space([("退款到了吗", ["退款", "到", "了", "吗"])], (1, 2), (1, 3), True)
    space.blocks([("退款", ["退款"])])
    assert space._lookup not in (None, False)


def test_overlapping_cue_words_count_like_str_count() -> None:
    space = fit_space([("哈哈哈", ["哈哈", "哈"])], (1, 1), (1, 1), False)
    _, dense = space.blocks([("哈哈哈", ["哈哈", "哈"]), ("!!!", ["!"])])
    assert dense is not None
    # 哈哈 once (non-overlapping) + 哈 three times; ! three times + !! once
    np.testing.assert_allclose(dense[:, 0], np.log1p([4, 0]))
    np.testing.assert_allclose(dense[:, 2], np.log1p([0, 4]))


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("快了吗", 3),  # 快, 了 and 吗 alone
        ("快递到了吗", 1),  # 快 in 快递 and 了 after 到 do not count
        ("快快递", 1),  # the first 快 is no part of 快递
        ("到了了", 1),  # the second 了 follows 了, not 到
        ("", 0),
    ],
)
def test_a_guarded_cue_word_does_not_count_inside_its_longer_words(text: str, count: int) -> None:
    space = fit_space([("快了吗", ["快", "了", "吗"])], (1, 1), (1, 1), False)
    _, dense = space.blocks([(text, []), ("退款", [])])
    assert dense is not None
    np.testing.assert_allclose(dense[:, 5], np.log1p([count, 0]))
    assert len(space.cue_matches(text)[5]) == count
    idx, w = space.vector(text, [])
    assert dict(zip(idx.tolist(), w.tolist(), strict=True)).get(space.n_features - 1, 0.0) == (
        pytest.approx(np.log1p(count))
    )


@pytest.mark.parametrize(
    ("text", "laughs", "others"),
    [
        ("呵呵,乐呵呵", 1, 0),  # 呵呵 in 乐呵呵 (cheerful) does not count
        ("乐呵呵呵", 1, 0),  # the 呵呵 after 乐 is 乐呵呵's; the one after it counts
        ("呵呵呵呵", 2, 0),
        ("乐呵呵的", 0, 0),
        ("ATM机吞卡了,atm也不行", 0, 2),  # a pattern that ignores case
        ("退钱!说好的退款呢", 0, 2),  # a pattern of two words
        ("", 0, 0),
    ],
)
def test_cue_patterns_count_in_a_batch_as_in_one_text(text: str, laughs: int, others: int) -> None:
    space = FeatureSpace.fit(
        [("呵呵", ["呵呵"])],
        word_ngrams=(1, 1),
        char_ngrams=(1, 1),
        min_df=1,
        cues=(
            (re.compile(guarded("呵呵", ["乐呵呵"])),),
            (re.compile("(?i)atm"), re.compile("退款|退钱")),
        ),
    )
    _, dense = space.blocks([("呵呵", []), (text, []), ("乐呵呵", [])])
    assert dense is not None
    np.testing.assert_array_equal(dense[1], np.log1p([laughs, others]))
    idx, w = space.vector(text, [])
    alone = np.zeros(space.n_features)
    alone[idx] = w
    np.testing.assert_allclose(alone[space.n_text_features :], dense[1], atol=1e-12)


def test_a_guarded_cue_word_survives_pickling() -> None:
    import pickle

    space = fit_space([("快了吗", ["快", "了", "吗"])], (1, 1), (1, 1), False)
    again = pickle.loads(pickle.dumps(space))
    _, dense = again.blocks([("快递到了快", [])])
    assert dense is not None
    np.testing.assert_allclose(dense[0, 5], np.log1p(1))


def test_lookup_is_not_pickled_and_is_rebuilt() -> None:
    import pickle

    space = fit_space([("退款到了吗", ["退款", "到", "了", "吗"])], (1, 1), (1, 3), False)
    X, _ = space.blocks([("退款了", ["退款", "了"])])
    again = pickle.loads(pickle.dumps(space))
    assert again._lookup is False
    X2, _ = again.blocks([("退款了", ["退款", "了"])])
    assert (X != X2).nnz == 0


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.integers(0, 2**63 - 1), st.integers(0, 10**6), max_size=300),
    st.lists(st.integers(0, 2**63 - 1), max_size=100),
    st.integers(0, 3),
)
def test_hash_table_finds_exactly_what_a_dict_finds(
    pairs: dict[int, int], others: list[int], repeat: int
) -> None:
    from triage._features import _Table

    table = _Table(pairs)
    keys = np.array([*pairs, *others] * repeat, dtype=np.int64)
    rows = np.arange(keys.size, dtype=np.int64)
    want = [(r, pairs[k]) for r, k in zip(rows.tolist(), keys.tolist(), strict=True) if k in pairs]
    got_rows, got_cols = table.find(keys, rows)
    assert list(zip(got_rows.tolist(), got_cols.tolist(), strict=True)) == want


def test_hash_table_probes_stay_short_when_slots_collide() -> None:
    from triage._features import _Table

    # keys differing only in their high bits, and a dense run: both hash apart
    pairs = {i << 40: i for i in range(5000)} | {i: i for i in range(5000)}
    table = _Table(pairs)
    assert table.max_probe <= 32
    keys = np.fromiter(pairs, dtype=np.int64)
    rows, cols = table.find(keys, np.arange(keys.size))
    assert rows.size == keys.size
    np.testing.assert_array_equal(cols, list(pairs.values()))


@pytest.mark.parametrize(
    ("text", "tokens", "expected"),
    [
        # punctuation tokens end a clause and belong to none
        (
            "快递太慢了,客服不回!",
            ["快递", "太慢", "了", ",", "客服", "不回", "!"],
            ["快递太慢了", "客服不回"],
        ),
        # so does whitespace between two tokens, which tokenize drops
        ("快递 太慢", ["快递", "太慢"], ["快递", "太慢"]),
        # runs of punctuation, and the Chinese marks NFKC keeps
        (
            "等了三天。。。还没到~~",
            ["等", "了", "三天", "。。。", "还", "没到", "~~"],
            ["等了三天", "还没到"],
        ),
        ("质量差;退货难:", ["质量", "差", ";", "退货", "难", ":"], ["质量差", "退货难"]),
        # a clause of no Chinese character, letter or digit is dropped
        ("太差了! [怒] ...", ["太差", "了", "!", "[", "怒", "]", "..."], ["太差了", "[怒]"]),
        ("太差了! :)", ["太差", "了", "!", ":)"], ["太差了"]),
        # letters and digits are content; a token that is not only punctuation stays
        ("iPhone 15 屏幕坏了", ["iPhone", "15", "屏幕", "坏", "了"], ["iPhone", "15", "屏幕坏了"]),
        ("贵了3.5元", ["贵", "了", "3.5", "元"], ["贵了3.5元"]),
        # no clause with content: the whole text, all its tokens
        ("!!!", ["!!!"], ["!!!"]),
        ("", [], [""]),
    ],
)
def test_clauses_are_cut_at_punctuation_and_whitespace(
    text: str, tokens: list[str], expected: list[str]
) -> None:
    from triage._features import clauses

    got = clauses(text, tokens)
    assert [c for c, _ in got] == expected
    if expected != [text]:  # each clause holds its own tokens, spelt as in the text
        for clause, toks in got:
            assert "".join(toks) == clause.replace(" ", "")


def _clauses_by_search(text: str, tokens: list[str]) -> list[tuple[str, list[str]]]:
    """`clauses` as its docstring says it, each token's place searched for."""
    from triage._features import _CLAUSE_END, _CONTENT

    out: list[tuple[str, list[str]]] = []
    part: list[str] = []
    start = end = at = 0
    for token in tokens:
        place = text.find(token, at)
        if part and (place > at or _CLAUSE_END.fullmatch(token)):
            if any(_CONTENT.search(t) for t in part):
                out.append((text[start:end], part))
            part = []
        if not _CLAUSE_END.fullmatch(token):
            start = place if not part else start
            part.append(token)
            end = place + len(token)
        at = place + len(token)
    if part and any(_CONTENT.search(t) for t in part):
        out.append((text[start:end], part))
    return out or [(text, list(tokens))]


# Chinese, clause marks of both widths, spaces of several kinds, letters, an emoji
_CLAUSE_ALPHABET = "快递太慢了客服不回好 ,.!?;:。！？；，：…~\uff5e\t\u3000\xa0aZ09[]😂"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_CLAUSE_ALPHABET, max_size=40))
def test_clauses_are_those_of_the_definition(raw: str) -> None:
    from triage._features import clauses
    from triage.text import prepare, tokenize

    text = prepare(raw).text
    tokens = tokenize(text)
    assert clauses(text, tokens) == _clauses_by_search(text, tokens)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.just(" "), st.text(alphabet=_CLAUSE_ALPHABET, max_size=4)), max_size=16),
    st.sampled_from(["none", "whitespace", "spaces", "single spaces"]),
)
def test_clauses_of_any_tokens_are_those_of_the_definition(parts: list[str], dropped: str) -> None:
    # tokens that spell the text, or spell it but for the whitespace or spaces
    # left out (a token may hold a space, or be empty), as lists and as tuples
    from triage._features import clauses

    text = "".join(parts)
    leave_out = {
        "none": lambda p: False,
        "whitespace": str.isspace,
        "spaces": lambda p: bool(p) and not p.strip(" "),
        "single spaces": lambda p: p == " ",
    }[dropped]
    tokens = [p for p in parts if not leave_out(p)]
    expected = _clauses_by_search(text, tokens)
    assert clauses(text, tokens) == expected
    got = clauses(text, tuple(tokens))
    assert got == [(clause, tuple(toks)) for clause, toks in expected]
    assert all(type(toks) is tuple for _, toks in got)


def test_clauses_of_real_texts_keep_every_token_of_content(small_model, train_frame) -> None:  # type: ignore[no-untyped-def]
    from triage._features import _CLAUSE_END, _CONTENT, clauses

    pred = small_model.predict_many(train_frame["text"].tolist()[:300])
    for norm, tokens in zip(pred.texts, pred.tokens, strict=True):
        got = clauses(norm, tokens)
        assert all(clause in norm for clause, _ in got)
        kept = [t for _, toks in got for t in toks]
        # in order, none lost but punctuation and what holds no content
        assert [t for t in kept if _CONTENT.search(t)] == [t for t in tokens if _CONTENT.search(t)]
        if len(got) > 1:
            assert not any(_CLAUSE_END.fullmatch(t) for t in kept)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([3, 15, 90]).flatmap(lambda most: st.lists(st.integers(0, most), max_size=600)),
    st.sampled_from([2, 6, 7, 200]),
    st.integers(0, 2**32 - 1),
)
def test_row_sums_adds_each_document_s_entries_in_order(
    docs_of: list[int], columns: int, seed: int
) -> None:
    # the clauses of one text, from a short complaint's few (added one by
    # one) to a long text's hundreds of entries (in one block) of the six
    # categories', the category and complaint heads' or the word vectors' 200
    # columns: each document's sum is `in_order`'s, as the text's is, to the
    # last bit; never a BLAS product's, whose order is its own and differs
    # from one CPU to another
    from triage._features import in_order, row_sums

    row = np.sort(np.array(docs_of, dtype=np.intp))
    n = int(row.max()) + 2 if row.size else 3  # the last document holds nothing
    rng = np.random.default_rng(seed)
    weight = rng.random(row.size)
    M = rng.standard_normal((row.size, columns))
    got = row_sums(row, weight, M, n)
    assert got.shape == (n, columns)
    for d in range(n):
        np.testing.assert_array_equal(got[d], in_order(weight[row == d], M[row == d]))


# numpy's functions that let go of the interpreter lock whatever the size of
# their input (numpy 2): each time, threads calling `triage.analyze`
# together wake one another to take it, which costs them more than the call
LOCK_RELEASING = frozenset(
    {"arange", "searchsorted", "bincount", "unique", "argsort", "repeat", "argmax"}
)


def numpy_called(call: Callable[[], object]) -> set[str]:
    """The names of the functions and methods `call` calls (``searchsorted``
    for ``np.searchsorted`` and ``ndarray.searchsorted``)."""
    import sys

    names: set[str] = set()

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event == "c_call":
            names.add(getattr(arg, "__name__", ""))
        elif event == "call":
            names.add(frame.f_code.co_name)

    before = sys.getprofile()
    sys.setprofile(hook)
    try:
        call()
    finally:
        sys.setprofile(before)
    return names


@pytest.mark.parametrize(
    "clauses_of",
    [
        [0],  # one clause
        [0, 0, 0, 1, 1, 2, 2, 2, 2, 4],  # a clause without a term among five
        [d for d in range(16) for _ in range(40)],  # 16 clauses of a 300-character complaint
    ],
)
@pytest.mark.parametrize("columns", [7, 200])
def test_the_clauses_of_a_complaint_are_summed_without_letting_go_of_the_lock(
    clauses_of: list[int], columns: int
) -> None:
    # the clause stage of every analyze makes three such sums, of the heads'
    # weights and of the word vectors: laid out in a block by searchsorted,
    # arange and a fancy index, they let go of the interpreter lock 26 times
    # of the 69 that one analyze of a 100-character complaint did
    from triage._features import _FEW, row_sums

    row = np.array(clauses_of, dtype=np.intp)
    n = int(row.max()) + 1
    assert n <= _FEW
    rng = np.random.default_rng(0)
    weight, M = rng.random(row.size), rng.standard_normal((row.size, columns))
    released = numpy_called(lambda: row_sums(row, weight, M, n)) & LOCK_RELEASING
    assert not released, released


@pytest.mark.parametrize(
    ("text", "cued"),
    [
        ("气死了，太失望了！！！等了一个月还没到？？", True),
        ("😡😡 客服又不理人……", True),
        ("收到了", False),
        ("", False),
    ],
)
def test_one_text_s_cues_are_counted_without_letting_go_of_the_lock(text: str, cued: bool) -> None:
    # each cue word found in one text (analyze's) was placed in it by
    # searchsorted and counted by bincount, which let go of the interpreter
    # lock whatever their size: six times of 55 for a 100-character complaint
    from triage._default import get_default_model
    from triage.text import normalize

    space = get_default_model().features_
    norm = normalize(text)
    counted = space._cue_matrix([norm])
    assert counted.any() == cued
    released = numpy_called(lambda: space._cue_matrix([norm])) & LOCK_RELEASING
    assert not released, released
    # as the batch counts them
    batch = space._cue_matrix([normalize("快递太慢了!!!气死了"), norm, "好评"])
    np.testing.assert_array_equal(counted[0], batch[1])


def test_a_few_documents_are_weighed_as_one_by_one(train_frame) -> None:  # type: ignore[no-untyped-def]
    # FeatureSpace.few (the clauses of one text) gives each document the
    # weights `vector` gives it alone, cue columns left out
    from triage._default import get_default_model
    from triage._features import clauses

    model = get_default_model()
    space = model.features_
    pred = model.predict_many([*train_frame["text"].tolist()[:40], "!!!", "hello"])
    for text, tokens in zip(pred.texts, pred.tokens, strict=True):
        docs = clauses(text, tokens)
        row, col, val, mean = space.few(docs)
        assert mean is not None and mean.shape == (len(docs), space.n_dims)
        for k, (clause, toks) in enumerate(docs):
            idx, w = space.vector(clause, toks)
            terms = idx < space.n_terms
            got = dict(zip(col[row == k].tolist(), val[row == k].tolist(), strict=True))
            assert got.keys() == set(idx[terms].tolist())
            np.testing.assert_allclose([got[i] for i in idx[terms]], w[terms], rtol=1e-12)
            dense = np.zeros(space.n_dims)
            on = (idx >= space.n_terms) & (idx < space.n_text_features)
            dense[idx[on] - space.n_terms] = w[on]
            np.testing.assert_allclose(mean[k], dense, rtol=0, atol=1e-12)


def test_half_precision_vectors_weigh_as_their_float32_table(train_frame) -> None:  # type: ignore[no-untyped-def]
    # the shipped model's vectors are read as they are, in half precision:
    # widening the whole table first (6 million values) cost every process
    # some 0.07 s before its first answer. Each row a text has is widened
    # exactly, so every weight is the one the float32 table gives.
    from triage._default import get_default_model

    model = get_default_model()
    space = model.features_
    assert space.vec_source is not None and space.vec_source.vectors.dtype == np.float16
    assert space._vectors()[1] is space.vec_source.vectors
    wide = FeatureSpace.__new__(FeatureSpace)
    wide.__setstate__(space.__getstate__())
    wide._vec_cache = (space.vec_source.index, space.vec_source.vectors.astype(np.float32))
    pred = model.predict_many([*train_frame["text"].tolist()[:40], "!!!", "hello"])
    docs = list(zip(pred.texts, pred.tokens, strict=True))
    for doc in docs:
        for got, want in zip(space.row(*doc), wide.row(*doc), strict=True):
            np.testing.assert_array_equal(got, want)
        for got, want in zip(space.vector(*doc), wide.vector(*doc), strict=True):
            np.testing.assert_array_equal(got, want)
    for got, want in zip(space.few(docs), wide.few(docs), strict=True):
        np.testing.assert_array_equal(got, want)
    (terms, dense), (terms_wide, dense_wide) = space.blocks(docs), wide.blocks(docs)
    assert (terms != terms_wide).nnz == 0
    np.testing.assert_array_equal(dense, dense_wide)


def test_the_lookup_and_term_tables_are_built_once_for_threads_asking_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the threads of a service meeting the batch path and explain together
    # share one build of each table, and each gets what one thread gets
    import pickle
    import threading
    import time

    from triage import _features

    corpus = [("退款到了吗", ["退款", "到", "了", "吗"]), ("快递哈哈", ["快递", "哈哈"])]
    space = fit_space(corpus, (1, 2), (1, 3), True)
    query = [("退款了吗哈哈", ["退款", "了", "吗", "哈哈"])]
    terms_want, dense_want = space.blocks(query)
    ids_want = space.term_ids()
    fresh = pickle.loads(pickle.dumps(space))  # nothing built yet
    built = {"lookup": 0, "terms": 0}
    build, term_ids = _features._Lookup.build.__func__, _features.TermIds

    # each build gives the other threads the interpreter, as a build of a
    # model's 200,000 terms does many times over, before it ends
    def counted_build(cls: type, space: FeatureSpace) -> object:
        built["lookup"] += 1
        time.sleep(0.05)
        return build(cls, space)

    def counted_term_ids(*args: object) -> object:
        built["terms"] += 1
        time.sleep(0.05)
        return term_ids(*args)

    monkeypatch.setattr(_features._Lookup, "build", classmethod(counted_build))
    monkeypatch.setattr(_features, "TermIds", counted_term_ids)
    threads = 16
    start = threading.Barrier(threads)
    got: list[object] = [None] * threads

    def ask(k: int) -> None:
        start.wait()
        got[k] = fresh.blocks(query) if k % 2 else fresh.term_ids()

    run_interleaved(ask, threads)  # threads interleave inside each build
    assert built == {"lookup": 1, "terms": 1}
    for k, out in enumerate(got):
        if k % 2:
            terms, dense = out  # type: ignore[misc]
            assert (terms != terms_want).nnz == 0
            np.testing.assert_array_equal(dense, dense_want)
        else:
            assert out.names.tolist() == ids_want.names.tolist()  # type: ignore[attr-defined]
            np.testing.assert_array_equal(out.of_column, ids_want.of_column)  # type: ignore[attr-defined]

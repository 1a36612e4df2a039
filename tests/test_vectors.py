"""Word vectors: learned from unlabeled text, deterministic, and one feature path."""

from __future__ import annotations

import json
import pickle
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from triage import TriageModel, TriageWarning, load_model, save_model
from triage.exceptions import ColumnError, InputFileError, ParameterError, TriageError
from triage.vectors import WordVectors, fit_word_vectors, read_corpus, read_texts

# Complaints written for these tests: delivery words share contexts, and so do
# hygiene words, so their vectors should end up closer to each other.
CORPUS = [
    "快递太慢了，等了三天",
    "物流太慢了，等了三天",
    "快递员态度很差",
    "骑手态度很差",
    "房间很脏，床单有污渍",
    "房间很脏，地毯有污渍",
    "客服一直不回消息",
    "客服态度很差，一直不回",
    "价格太贵了，不值这个钱",
    "退款流程太麻烦了",
] * 6


@pytest.fixture(scope="module")
def vectors() -> WordVectors:
    return fit_word_vectors(CORPUS, dim=4, min_count=2)


def test_shape_unit_rows_and_half_precision(vectors: WordVectors) -> None:
    assert vectors.vectors.shape == (len(vectors), 4)
    assert vectors.vectors.dtype == np.float16
    norms = np.linalg.norm(vectors.vectors.astype(np.float32), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-2)
    assert "快递" in vectors and "不存在的词" not in vectors


def test_same_texts_same_vectors(vectors: WordVectors) -> None:
    again = fit_word_vectors(CORPUS, dim=4, min_count=2)
    assert again.words == vectors.words
    np.testing.assert_array_equal(again.vectors, vectors.vectors)
    assert again.corpus_sha256 == vectors.corpus_sha256


def test_the_svd_runs_blas_on_one_thread(
    vectors: WordVectors, monkeypatch: pytest.MonkeyPatch
) -> None:
    # its spare threads spin while ARPACK waits: 20 s of CPU on two cores, a
    # minute beside other jobs, for a few thousand words one thread does in 1 s
    import scipy.sparse.linalg
    from threadpoolctl import threadpool_info, threadpool_limits

    seen: list[int] = []
    svds = scipy.sparse.linalg.svds

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.extend(pool["num_threads"] for pool in threadpool_info())
        return svds(*args, **kwargs)

    monkeypatch.setattr(scipy.sparse.linalg, "svds", watched)
    with threadpool_limits(limits=2):  # the process's own setting, restored after the fit
        before = [pool["num_threads"] for pool in threadpool_info()]
        again = fit_word_vectors(CORPUS, dim=4, min_count=2)
        after = [pool["num_threads"] for pool in threadpool_info()]
    assert seen and set(seen) == {1}
    assert after == before
    np.testing.assert_array_equal(again.vectors, vectors.vectors)


@pytest.mark.parametrize(
    ("chunk", "pairs", "n_jobs"),
    [
        (7, 1 << 22, 2),  # segmented in workers, several chunks coming back in order
        (7, 5, 1),  # taken a chunk at a time, each chunk paired alone
        (1, 1 << 22, 1),  # one text a chunk, all paired at once
    ],
)
def test_any_chunking_slicing_or_workers_give_the_same_vectors(
    vectors: WordVectors, monkeypatch: pytest.MonkeyPatch, chunk: int, pairs: int, n_jobs: int
) -> None:
    import triage.vectors

    monkeypatch.setattr(triage.vectors, "_CHUNK", chunk)
    monkeypatch.setattr(triage.vectors, "_PAIRS", pairs)
    texts = iter([*CORPUS, None, ""])  # an iterator, with texts to skip
    again = fit_word_vectors(texts, dim=4, min_count=2, n_jobs=n_jobs)  # type: ignore[arg-type]
    assert again.words == vectors.words
    np.testing.assert_array_equal(again.vectors, vectors.vectors)
    assert again.corpus_sha256 == vectors.corpus_sha256


def test_a_generator_is_segmented_as_it_is_read_not_held_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import triage.vectors

    monkeypatch.setattr(triage.vectors, "_CHUNK", 10)
    taken = 0
    taken_when_segmenting: list[int] = []

    def texts() -> Iterator[str]:
        nonlocal taken
        for text in CORPUS:
            taken += 1
            yield text

    segmented = triage.vectors._segmented

    def spy(*args: Any) -> Any:
        taken_when_segmenting.append(taken)
        return segmented(*args)

    monkeypatch.setattr(triage.vectors, "_segmented", spy)
    fit_word_vectors(texts(), dim=4, min_count=2)
    assert taken_when_segmenting == [10, 20, 30, 40, 50, 60]


def test_numpy_integers_are_taken_and_recorded_as_ints(vectors: WordVectors) -> None:
    again = fit_word_vectors(
        CORPUS, dim=np.int64(4), min_count=np.int32(2), random_state=np.int64(0)
    )
    np.testing.assert_array_equal(again.vectors, vectors.vectors)
    assert again.params == vectors.params
    assert type(again.params.pop("hmm")) is bool
    assert all(type(v) is int for v in again.params.values())


def test_the_segmentation_and_seed_are_recorded(vectors: WordVectors) -> None:
    assert vectors.params["hmm"] is False and vectors.params["random_state"] == 0
    other = fit_word_vectors(CORPUS, dim=4, min_count=2, hmm=True, random_state=None)
    assert other.params["hmm"] is True and other.params["random_state"] is None
    assert json.dumps(other.describe())


@pytest.mark.parametrize("n_jobs", [None, np.int64(1)])
def test_n_jobs_is_taken_as_the_model_takes_it(vectors: WordVectors, n_jobs: object) -> None:
    again = fit_word_vectors(CORPUS, dim=4, min_count=2, n_jobs=n_jobs)  # type: ignore[arg-type]
    np.testing.assert_array_equal(again.vectors, vectors.vectors)


def test_blank_and_missing_texts_are_skipped() -> None:
    with_noise = fit_word_vectors([*CORPUS, "", "   ", None, float("nan")], dim=4, min_count=2)  # type: ignore[list-item]
    assert with_noise.params["n_texts"] == len(CORPUS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dim": 500}, "too few"),
        # each named with the value given, where one message listed all four
        ({"window": 0}, "^window must be an int >= 1, got 0$"),
        ({"dim": -5}, "^dim must be an int >= 1, got -5$"),
        ({"min_count": 0}, "^min_count must be an int >= 1, got 0$"),
        ({"max_words": 1}, "^max_words must be an int >= 2, got 1$"),
        ({"n_jobs": 0}, "n_jobs must be None or an int other than 0"),
        ({"n_jobs": 1.0}, "n_jobs must be None or an int other than 0"),
        # had been numpy's and scipy's errors deep inside, or a dimension of True
        ({"dim": 4.0}, "dim must be an int, got 4.0"),
        ({"dim": True}, "dim must be an int, got True"),
        ({"window": 2.5}, "window must be an int"),
        ({"min_count": "3"}, "min_count must be an int, got '3'"),
        ({"min_count": None}, "min_count must be an int"),
        ({"max_words": 1e4}, "max_words must be an int"),
        ({"random_state": -1}, r"random_state must be None or an int in \[0, 2\*\*32 - 1\]"),
        ({"random_state": 1.5}, "random_state must be"),
        ({"hmm": "no"}, "hmm must be True or False, got 'no'"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_word_vectors(CORPUS, **kwargs)


@pytest.mark.parametrize(("dim", "max_words"), [(10, 8), (10, 10), (200, 100)])
def test_max_words_not_above_dim_is_refused_before_a_text_is_read(dim: int, max_words: int) -> None:
    # had been "too few words ...; give more text", which no text could mend,
    # and only once every text had been segmented
    def texts() -> Iterator[str]:
        raise AssertionError("a text was read")
        yield ""

    said = rf"^max_words={max_words} keeps too few words for dim={dim}: .*give a max_words above"
    with pytest.raises(ParameterError, match=said):
        fit_word_vectors(texts(), dim=dim, max_words=max_words, min_count=1)


def test_most_similar_and_describe(vectors: WordVectors) -> None:
    near = vectors.most_similar("快递", n=3)
    assert len(near) == 3 and all(w != "快递" for w, _ in near)
    with pytest.raises(KeyError, match="not in the vocabulary"):
        vectors.most_similar("不存在的词")
    card = vectors.describe()
    assert card["dim"] == 4 and card["words"] == len(vectors) and card["n_texts"] == len(CORPUS)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, 0),
        (np.int64(2), 2),
        (10**9, "all"),  # every other word
    ],
)
def test_most_similar_gives_n_words_or_all_the_others(
    vectors: WordVectors, n: int, expected: int | str
) -> None:
    near = vectors.most_similar("快递", n=n)
    assert len(near) == (len(vectors) - 1 if expected == "all" else expected)


@pytest.mark.parametrize(
    "n",
    [
        -1,  # had been every word but the last, as a slice reads it
        -5,
        2.5,  # had been a TypeError of slice indices
        True,  # had been one word
        "3",
        None,
    ],
)
def test_most_similar_refuses_an_n_that_is_no_count(vectors: WordVectors, n: Any) -> None:
    with pytest.raises(ParameterError, match=r"n must be an int >= 0, got"):
        vectors.most_similar("快递", n=n)


def test_words_are_looked_up_as_texts_are_normalised(vectors: WordVectors) -> None:
    # traditional characters, as the texts they were learned from are converted
    assert "快遞" in vectors and " 快遞 " in vectors
    assert vectors.most_similar("快遞", n=3) == vectors.most_similar("快递", n=3)
    assert 3 not in vectors and None not in vectors


def test_pickles_without_its_index(vectors: WordVectors) -> None:
    _ = vectors.index
    back = pickle.loads(pickle.dumps(vectors))
    assert "index" not in back.__dict__
    assert back.index == vectors.index
    # as format version 1 stored them: the words as a plain tuple
    old = WordVectors.__new__(WordVectors)
    old.__setstate__({**back.__getstate__(), "words": vectors.words})
    assert "index" not in old.__dict__
    assert old.words == vectors.words and old.index == vectors.index


@pytest.fixture(scope="module")
def model_with_vectors(vectors: WordVectors, train_frame):  # type: ignore[no-untyped-def]
    return TriageModel(word_vectors=vectors, threshold_folds=0, max_features=5000).fit(
        train_frame.iloc[:300]
    )


def test_vectors_cut_otherwise_than_the_model_are_warned_of(
    vectors: WordVectors, train_frame: pd.DataFrame
) -> None:
    # words jieba's HMM joins (or does not) find no vector in the other cut
    model = TriageModel(word_vectors=vectors, hmm=True, threshold_folds=0, max_features=500)
    with pytest.warns(TriageWarning, match="learned with hmm=False and the model segments with"):
        model.fit(train_frame.iloc[:300])
    older = WordVectors(vectors.words, vectors.vectors)  # no record of its cut: nothing said
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*hmm=")
        model.set_params(word_vectors=older).fit(train_frame.iloc[:300])


def test_single_and_batch_paths_agree(model_with_vectors) -> None:  # type: ignore[no-untyped-def]
    texts = ["快递太慢了，等了三天，客服也不回", "房间很脏", "", "🙂🙂", "完全没见过的词语组合"]
    batch = model_with_vectors.predict_many(texts)
    for i, t in enumerate(texts):
        one = model_with_vectors.predict_one(t)
        np.testing.assert_allclose(one.category_proba[0], batch.category_proba[i], atol=1e-9)
        np.testing.assert_allclose(one.emotion_proba[0], batch.emotion_proba[i], atol=1e-9)


def test_vectors_are_features_after_the_vocabulary(model_with_vectors, vectors) -> None:  # type: ignore[no-untyped-def]
    space = model_with_vectors.features_
    assert space.n_dims == vectors.dim
    assert space.n_features == space.n_terms + vectors.dim + len(space.cues)
    assert model_with_vectors.coef_.shape[0] == space.n_features


def test_saved_once_and_summarised_in_the_card(model_with_vectors, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from triage.persist import read_card

    save_model(model_with_vectors, tmp_path / "m")
    card = read_card(tmp_path / "m")
    assert card["params"]["word_vectors"]["dim"] == 4
    back = load_model(tmp_path / "m")
    # the feature space and the parameter share one object after loading too
    assert back.features_.vec_source is back.word_vectors
    text = "快递员态度很差"
    np.testing.assert_allclose(
        back.predict_one(text).category_proba, model_with_vectors.predict_one(text).category_proba
    )


def test_read_corpus_leaves_out_the_held_out_texts(train_frame) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import data_dir, require_data

    require_data("raw", "waimai_10k")
    held_out = train_frame["text"].tolist()
    every = read_corpus(data_dir(), sources=["waimai_10k"])
    kept = read_corpus(data_dir(), sources=["waimai_10k"], exclude=held_out)
    labeled_here = (train_frame["source"] == "waimai_10k").sum()
    assert 0 < len(every) - len(kept) >= labeled_here * 0.9
    with pytest.raises(ValueError, match="unknown source"):
        read_corpus(data_dir(), sources=["nope"])
    with pytest.raises(ParameterError, match="exclude is a DataFrame"):
        read_corpus(data_dir(), sources=["waimai_10k"], exclude=train_frame)


def test_learning_holds_a_few_bytes_a_word_of_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    # A hundred thousand texts hold tens of millions of word pairs within the
    # window: held all at once, with their rows, columns and counts, and with
    # a string object per word occurrence, they had taken over 600 bytes per
    # word of the corpus (3.6 GB for the public sets). Then the tokens, a
    # list of strings a text, took some 50 bytes a word: a corpus of millions
    # of texts did not fit. Now the corpus is one int32 id a word, and the
    # pairs are counted a slice of the corpus at a time.
    import random
    import tracemalloc

    import triage.vectors
    from triage import text as _text

    rng = random.Random(0)
    parts = ["快递", "太慢", "客服", "态度", "很差", "质量", "退款", "房间", "很脏", "太贵"]
    texts = [
        "，".join("".join(rng.choice(parts) for _ in range(3)) for _ in range(4))
        for _ in range(10_000)
    ]
    fit_word_vectors(
        texts[:500], dim=4, min_count=1
    )  # the segmenter's dictionary is not the measure
    # as for a corpus of millions: many chunks, and many slices to count
    monkeypatch.setattr(triage.vectors, "_CHUNK", 1000)
    monkeypatch.setattr(triage.vectors, "_PAIRS", 1 << 12)
    tracemalloc.start()
    try:
        fit_word_vectors(texts, dim=4, min_count=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    n_words = sum(len(_text.tokenize(_text.normalize(t))) for t in texts)
    assert peak < 14 * n_words  # 9.5 when written


# Texts of a history file written for these tests, with the cells a real export has.
HISTORY = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5],
        "text": ["快递太慢了，等了三天", None, "客服态度很差", "   ", "房间很脏"],
    }
)
HISTORY_TEXTS = ["快递太慢了，等了三天", "客服态度很差", "房间很脏"]


def _write(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    elif ".jsonl" in path.suffixes:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_csv(path, index=False, sep="\t" if ".tsv" in path.suffixes else ",")


@pytest.mark.parametrize(
    "name", ["history.csv", "history.tsv", "history.jsonl", "history.parquet", "history.csv.gz"]
)
def test_read_texts_reads_each_format_in_order(tmp_path: Path, name: str) -> None:
    _write(HISTORY, tmp_path / name)
    assert list(read_texts(tmp_path / name)) == HISTORY_TEXTS


def test_read_texts_reads_a_folder_of_files_in_the_order_of_their_names(tmp_path: Path) -> None:
    for month in (10, 2, 1):  # 10 after 2, as people number them
        texts = [f"{month}月的快递太慢了", f"{month}月的客服不回"]
        _write(pd.DataFrame({"text": texts}), tmp_path / f"{month}.csv")
    got = [t.split("的")[0] for t in read_texts(tmp_path)]
    assert got == ["1月", "1月", "2月", "2月", "10月", "10月"]


def test_read_texts_leaves_out_the_held_out_texts_as_normalised(tmp_path: Path) -> None:
    _write(HISTORY, tmp_path / "history.csv")
    # traditional characters and full-width spaces: the same text once normalised
    held_out = ["客服態度很差", "　房間很髒　"]
    assert list(read_texts(tmp_path / "history.csv", exclude=held_out)) == HISTORY_TEXTS[:1]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"text_column": "review"}, ColumnError, r"no column 'review' in .*history\.csv"),
        ({"encoding": "rot13"}, ParameterError, "not a text encoding"),
        # iterating a frame gives its column names: nothing would be left out
        ({"exclude": HISTORY}, ParameterError, "exclude is a DataFrame"),
        ({"exclude": "快递太慢了"}, ParameterError, "not one str"),
    ],
)
def test_read_texts_refuses_what_it_cannot_read_before_a_row_is_read(
    tmp_path: Path, kwargs: dict[str, str], error: type[Exception], message: str
) -> None:
    _write(HISTORY, tmp_path / "history.csv")
    with pytest.raises(error, match=message):
        list(read_texts(tmp_path / "history.csv", **kwargs))
    with pytest.raises(FileNotFoundError, match="no corpus file"):
        read_texts(tmp_path / "missing.csv")  # when called, not when first read


def test_read_texts_names_its_option_for_a_file_of_a_folder_without_the_column(
    tmp_path: Path,
) -> None:
    _write(HISTORY, tmp_path / "1.csv")
    _write(HISTORY.rename(columns={"text": "内容"}), tmp_path / "2.csv")
    with pytest.raises(InputFileError, match=r"2\.csv in .* no column 'text'.*--corpus-column"):
        read_texts(tmp_path)  # every file's header is checked before a text is read


def _jsonl_named_csv(path: Path) -> None:
    _write(HISTORY, path.with_suffix(".jsonl"))
    path.with_suffix(".jsonl").rename(path)


def _parquet_named_csv(path: Path) -> None:
    _write(HISTORY, path.with_suffix(".parquet"))
    path.with_suffix(".parquet").rename(path)


@pytest.mark.parametrize(
    ("name", "write", "kwargs", "said"),
    [
        # its command, triage train --corpus-file, has an encoding option of its own
        (
            "history.csv",
            lambda path: path.write_bytes("text\n客服态度很差\n".encode("utf-16-le")),
            {"encoding": "utf-16"},
            r"UTF-16 stream does not start with BOM; .*\(CLI: --corpus-encoding\)$",
        ),
        (
            "history.csv",
            lambda path: _write(HISTORY, path),
            {"encoding": "rot13"},
            r"^encoding='rot13' is not a text encoding \(CLI: --corpus-encoding\); ",
        ),
        # and none of the format, which the file's name tells
        (
            "history.csv",
            _jsonl_named_csv,
            {},
            r"is JSONL .*; name it \.jsonl, or pass input_format='jsonl' "
            r"\(CLI: name it \.jsonl\)$",
        ),
        (
            "history.csv",
            _parquet_named_csv,
            {},
            r"it is a Parquet file; name it \.parquet, or pass input_format='parquet' "
            r"\(CLI: name it \.parquet\)$",
        ),
        (
            "history.dat",
            lambda path: _write(HISTORY, path),
            {},
            r"or pass the format: csv, tsv, jsonl or parquet \(input_format=; the command "
            r"line tells it by the extension alone\)$",
        ),
    ],
    ids=["no-byte-order-mark", "no-text-codec", "jsonl", "parquet", "unknown"],
)
def test_read_texts_errors_name_the_options_of_train_corpus_file(
    tmp_path: Path, name: str, write: Any, kwargs: dict[str, str], said: str
) -> None:
    # what read_texts says is what triage train --corpus-file can be given:
    # --corpus-encoding, not score's --encoding (of the labeled files there),
    # and no --input-format, which it has not
    path = tmp_path / name
    write(path)
    with pytest.raises(TriageError, match=said) as got:  # InputFileError, ParameterError
        list(read_texts(path, **kwargs))
    assert "--encoding" not in str(got.value) and "--input-format" not in str(got.value)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("utf-8", "read as U+FFFD; leave the encoding out to have it detected, or pass"),
        ("latin-1", "read as gb18030 it does; leave the encoding out to have it detected, or pass"),
    ],
    ids=["bytes-not-of-it", "chinese-read-as-latin"],
)
def test_read_texts_warnings_name_the_encoding_option_of_train_corpus_file(
    tmp_path: Path, given: str, said: str
) -> None:
    path = tmp_path / "history.csv"
    path.write_bytes("text\n客服态度很差\n".encode("gbk"))
    with pytest.warns(UserWarning, match="the file.s own") as caught:
        list(read_texts(path, encoding=given))
    (warning,) = [str(w.message) for w in caught]
    assert warning.endswith(f"{said} the file's own (CLI: --corpus-encoding)")


def test_read_texts_refuses_a_header_that_names_the_column_twice(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("text,id,text\n快递太慢,1,客服不回\n", encoding="utf-8")
    with pytest.raises(ColumnError, match=r"column 'text' appears 2 times in .*history\.csv"):
        list(read_texts(path))


def test_read_texts_skips_malformed_lines_and_says_which(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text('text,id\n快递太慢了,1\n"客服不回,2\n房间很脏,3\n', encoding="utf-8")
    with (
        pytest.warns(UserWarning, match=r"skipped 2 malformed lines: 3, 4"),
        pytest.warns(TriageWarning, match=r"line 3 opens a quote that is never closed"),
    ):
        assert list(read_texts(path)) == ["快递太慢了"]


def test_read_texts_warns_of_malformed_lines_at_the_line_that_learns_from_them(
    tmp_path: Path,
) -> None:
    # the texts are read as fit_word_vectors segments them: the warning named
    # a line of triage/vectors.py, where a host filters or shows its own
    path = tmp_path / "history.csv"
    lines = "".join(f"{t},1\n" for t in CORPUS)
    path.write_text(f"text,id\n{lines}客服不回,2,3\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"skipped 1 malformed line: ") as caught:
        fit_word_vectors(read_texts(path), dim=4, min_count=2)
    assert [w.filename for w in caught] == [__file__]


def test_vectors_from_a_file_read_as_they_are_learned(tmp_path: Path) -> None:
    _write(pd.DataFrame({"text": CORPUS}), tmp_path / "history.parquet")
    from_file = fit_word_vectors(read_texts(tmp_path / "history.parquet"), dim=4, min_count=2)
    from_list = fit_word_vectors(CORPUS, dim=4, min_count=2)
    np.testing.assert_array_equal(from_file.vectors, from_list.vectors)
    assert from_file.corpus_sha256 == from_list.corpus_sha256


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        # a file's path: its characters had been twelve texts, "too few" words
        ("history.parquet", r"not one str \('history\.parquet'\); for a file, pass read_texts"),
        (Path("history.csv"), r"not one PosixPath .*read_texts\(path\)"),
        ("快递太慢了，等了三天" * 50, "not one str"),
        (b"history.csv", "not one bytes"),
        # a frame iterates over its column names: one text, 'text'
        (pd.DataFrame({"text": CORPUS}), r"DataFrame .* frame\['text'\]"),
    ],
)
def test_texts_that_iterate_over_something_else_are_refused(texts: Any, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        fit_word_vectors(texts, dim=4, min_count=2)


@pytest.mark.parametrize(
    ("texts", "dim", "message"),
    [
        # ratings of one word each: no pair to count, had been ARPACK error -9
        (
            ["好评", "差评", "一般", "垃圾"] * 100,
            2,
            r"0 of the 4 words .* \('好评', '差评', '一般', \.\.\.\)",
        ),
        (["好评", "差评"] * 100 + ["快递太慢"] * 3, 2, r"2 of the 4 words .*too few for 2 dim"),
    ],
)
def test_a_corpus_of_words_without_contexts_is_refused_with_the_reason(
    texts: list[str], dim: int, message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        fit_word_vectors(texts, dim=dim)


@pytest.mark.parametrize(
    ("alone", "times"),
    [
        ("好评", 10),  # a rating, only ever a text of its own
        ("满意", 2),  # as often as min_count
        ("五星", 50),
    ],
)
def test_a_word_never_seen_beside_another_gets_no_vector(
    vectors: WordVectors, alone: str, times: int
) -> None:
    # its row had been rounding noise scaled to unit length (or zeros): a
    # text of only that word got an arbitrary direction as its mean vector
    again = fit_word_vectors([*CORPUS, *[alone] * times], dim=4, min_count=2)
    assert alone not in again
    assert again.words == vectors.words
    np.testing.assert_array_equal(again.vectors, vectors.vectors)
    norms = np.linalg.norm(again.vectors.astype(np.float32), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-2)


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        # the lines of a file opened in binary mode: had been only "0 texts"
        ([t.encode("utf-8") for t in CORPUS], r"in 0 texts \(60 items that are no str skipped, "),
        ([CORPUS[0], 404, 500.5], r"in 1 text \(2 items .* such as a int: texts must be str"),
    ],
)
def test_too_few_words_because_the_items_were_no_str_says_so(
    texts: list[Any], message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        fit_word_vectors(texts, dim=4, min_count=2)


def test_an_iterator_read_before_is_told_to_be_read_again(tmp_path: Path) -> None:
    # had been "0 words ... in 0 texts: too few ...; give more text", the file
    # holding plenty: read_texts is used up by the first fit
    _write(pd.DataFrame({"text": CORPUS}), tmp_path / "history.csv")
    texts = read_texts(tmp_path / "history.csv")
    fit_word_vectors(texts, dim=4, min_count=2)
    with pytest.raises(ParameterError, match=r"^texts gave no text .*call read_texts again"):
        fit_word_vectors(texts, dim=4, min_count=2)
    with pytest.raises(ParameterError, match=r"^texts gave no text"):
        fit_word_vectors(iter(["", None]), dim=4, min_count=2)  # type: ignore[list-item]
    # a list is read anew by every fit: one without texts is too few
    with pytest.raises(ParameterError, match=r"^0 words .* in 0 texts: too few"):
        fit_word_vectors([], dim=4, min_count=2)


def test_missing_texts_are_not_counted_as_no_str() -> None:
    with pytest.raises(ParameterError, match=r"in 1 text: too few"):
        fit_word_vectors([CORPUS[0], None, float("nan"), pd.NA], dim=4, min_count=2)

"""Weak labels from public emotion sets: the mapping, exclusions, limits, errors.

The mapping tests write a tiny raw file of their own (invented posts) under a
temporary data folder; one test reads the real shared file when it is there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import triage
from triage.labels import EMOTION_COLUMNS
from triage.vectors import read_corpus
from triage.weak import (
    REVIEW_SOURCES,
    WEAK_MAPPINGS,
    data_dir,
    load_calm_chats,
    load_praise,
    load_reviews,
    load_weak_emotions,
)

from .conftest import require_data, write_chats

POSTS = [
    ("train", "排了两个小时的队还被插队，气死我了！", "angry"),
    ("train", "明天就要考试了，好害怕考砸", "fear"),
    ("eval", "今天下了一整天的雨", "neutral"),
    ("test", "终于放假啦，开心", "happy"),
    ("train", "养了十年的猫走了，好难过", "sad"),
    ("train", "居然在地铁上遇到了小学同学", "surprise"),
    ("train", "又停电了，什么破小区！", "angry"),
    ("train", "短", "angry"),  # too short
    ("train", "今天下了一整天的雨", "neutral"),  # repeated
    ("train", "这条既气人又好笑", "angry"),
    ("train", "这条既气人又好笑", "happy"),  # conflicting labels: dropped
    ("train", "有木有啊！！", "happy"),
    ("train", "有木有啊!!", "happy"),  # the same post as the model reads it
    ("train", "又加班到十点！", "angry"),
    ("train", "又加班到十點!", "happy"),  # the same post, another label: dropped
]


@pytest.fixture
def fake_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "raw" / "smp2020_ewect_usual"
    folder.mkdir(parents=True)
    pd.DataFrame(POSTS, columns=["split", "text", "label"]).to_csv(
        folder / "smp2020_ewect_usual.csv", index=False, encoding="utf-8"
    )
    return tmp_path


def row(frame: pd.DataFrame, text: str) -> dict[str, str]:
    hit = frame[frame["text"] == text]
    assert len(hit) == 1, text
    return {e: hit.iloc[0][e] for e in EMOTION_COLUMNS}


def test_default_mapping_fills_angry_and_anxious_only(fake_dir: Path) -> None:
    weak = load_weak_emotions(fake_dir)
    blank = dict.fromkeys(EMOTION_COLUMNS, "")
    assert row(weak, "排了两个小时的队还被插队，气死我了！") == blank | {"angry": "1"}
    assert row(weak, "明天就要考试了，好害怕考砸") == blank | {"anxious": "1"}
    assert row(weak, "今天下了一整天的雨") == blank | {"angry": "0", "anxious": "0"}
    assert row(weak, "终于放假啦，开心") == blank | {"angry": "0", "anxious": "0"}
    # sad and surprise say nothing about angry or anxious: left out
    assert not weak["text"].isin(["养了十年的猫走了，好难过", "居然在地铁上遇到了小学同学"]).any()
    assert not weak["text"].isin(["短", "这条既气人又好笑"]).any()
    assert weak["text"].is_unique
    assert weak["text"].str.startswith("有木有啊").sum() == 1
    assert not weak["text"].str.startswith("又加班到十").any()
    assert (weak["weight"] == 0.2).all() and (weak["source"] == "smp2020").all()
    assert (weak["humorous"] == "").all()


def test_every_mapped_emotion_can_be_asked_for(fake_dir: Path) -> None:
    weak = load_weak_emotions(
        fake_dir, emotions=("angry", "anxious", "confused", "aggrieved"), weight=0.5
    )
    assert row(weak, "养了十年的猫走了，好难过")["aggrieved"] == "1"
    assert row(weak, "居然在地铁上遇到了小学同学")["confused"] == "1"
    assert row(weak, "今天下了一整天的雨") == {
        "angry": "0",
        "anxious": "0",
        "confused": "0",
        "humorous": "",
        "aggrieved": "0",
    }
    assert row(weak, "终于放假啦，开心")["confused"] == ""  # happy says nothing about confusion
    assert (weak["weight"] == 0.5).all()


def test_exclude_and_limit(fake_dir: Path) -> None:
    weak = load_weak_emotions(fake_dir, exclude=["又停电了，什么破小区！"])
    assert "又停电了，什么破小区！" not in set(weak["text"])
    limited = load_weak_emotions(fake_dir, limit=1, random_state=1)
    assert limited["source_label"].value_counts().max() == 1
    assert limited.equals(load_weak_emotions(fake_dir, limit=1, random_state=1))


@pytest.mark.parametrize(
    ("lengths", "message"),
    [
        # None for "no upper limit" kept no row, silently
        ({"max_chars": None}, r"^max_chars must be a whole number >= 0, got None$"),
        ({"min_chars": "4"}, r"^min_chars must be a whole number >= 0, got '4'$"),
        ({"min_chars": 2.5}, r"^min_chars must be a whole number >= 0, got 2.5$"),
        ({"min_chars": -1}, r"^min_chars must be a whole number >= 0, got -1$"),
        ({"max_chars": True}, r"^max_chars must be a whole number >= 0, got True$"),
        ({"min_chars": 10, "max_chars": 5}, r"^min_chars=10 is over max_chars=5: no text would"),
    ],
)
def test_lengths_that_keep_no_text_are_refused(
    fake_dir: Path, lengths: dict[str, Any], message: str
) -> None:
    with pytest.raises(triage.ParameterError, match=message):
        load_weak_emotions(fake_dir, **lengths)


@pytest.mark.parametrize("emotions", [(), ["humorous"], ("humorous",)])
def test_emotions_no_source_label_speaks_of_are_refused(
    fake_dir: Path, emotions: list[str]
) -> None:
    # no row would have a known emotion: the frame was empty, without a word
    noun = "emotion" if len(emotions) == 1 else "emotions"
    message = (
        rf"no label of smp2020 says anything of the {noun} \[.*; the ones it fills: angry, "
        "anxious, confused"
    )
    with pytest.raises(triage.ParameterError, match=message):
        load_weak_emotions(fake_dir, emotions=emotions)
    assert len(load_weak_emotions(fake_dir, emotions=["humorous", "angry"])) > 0


def test_lengths_keep_the_texts_between_them(fake_dir: Path) -> None:
    texts = set(load_weak_emotions(fake_dir, min_chars=0, max_chars=1)["text"])
    assert texts == {"短"}


@pytest.mark.parametrize(
    "labeled",
    [
        "又停电了,什么破小区!",  # half-width punctuation
        "又停電了，什麼破小區！",  # traditional characters
        "又停电了，\u200b什么破小区！\n",  # a zero-width space, a newline
    ],
)
def test_a_labeled_text_is_excluded_however_it_was_written(fake_dir: Path, labeled: str) -> None:
    # a dev text that came back as a weak training row would flatter dev
    weak = load_weak_emotions(fake_dir, exclude=[labeled])
    assert "又停电了，什么破小区！" not in set(weak["text"])


@pytest.mark.parametrize(
    ("exclude", "message"),
    [
        (
            lambda labeled: labeled,
            r"^exclude is a DataFrame \(it iterates over its column names\); pass the texts",
        ),
        (lambda labeled: [labeled], r"^exclude holds a DataFrame, not texts; pass the texts"),
        (lambda labeled: [labeled["text"]], r"^exclude holds a Series, not texts; pass the texts"),
        (lambda labeled: labeled["text"].iat[0], r"^exclude must be a collection of texts, not"),
    ],
    ids=["frame", "list-of-frames", "list-of-series", "one-str"],
)
def test_an_exclude_that_would_leave_out_nothing_is_refused(
    fake_dir: Path, exclude: Any, message: str
) -> None:
    # a labeled frame given whole would have left every labeled text in, silently
    labeled = pd.DataFrame({"text": ["又停电了，什么破小区！"], "angry": ["1"]})
    with pytest.raises(triage.ParameterError, match=message):
        load_weak_emotions(fake_dir, exclude=exclude(labeled))


def test_the_frame_trains_as_extra_data(fake_dir: Path) -> None:
    from triage._learn import parse_partial

    weak = load_weak_emotions(fake_dir)
    heads = parse_partial(weak, 0.2)
    rows, target, weights = heads["presence:angry"]
    assert len(rows) == len(weak) - 1  # the fear post says nothing about anger
    assert target.sum() == 2 and (weights == 0.2).all()
    assert len(heads["presence:humorous"][0]) == 0  # all unknown: the head learns nothing


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"source": "weibo"}, "allowed: smp2020, nlpcc2013"),
        ({"emotions": ("angry", "happy")}, r"^unknown emotion \['happy'\]; allowed: angry, "),
        ({"emotions": ("happy", "sad")}, r"^unknown emotions \['happy', 'sad'\]; allowed: "),
        # one str had been its letters, each an unknown emotion: ['a', 'n', 'g', 'r', 'y']
        (
            {"emotions": "angry"},
            r"^emotions must be a sequence of emotion names, not one str: emotions=\['angry'\]; ",
        ),
        # a generator had been used up by the check: "says anything of the emotions []"
        (
            {"emotions": (e for e in ["angry"])},
            r"^emotions must be a sequence of emotion names, got generator; allowed: angry, ",
        ),
        ({"weight": 0}, "weight"),
        ({"limit": 0}, "limit"),
        # a flag is no number of rows, as load_praise and load_calm_chats say
        ({"weight": True}, "weight must be a positive number"),
        ({"limit": True}, "limit must be a positive int or None"),
        # had been pandas' TypeError "Invalid comparison between dtype=int64 and str"
        ({"min_chars": "4"}, r"^min_chars must be a whole number >= 0, got '4'$"),
        # had been no rows, silently
        ({"min_chars": None}, r"^min_chars must be a whole number >= 0, got None$"),
        ({"min_chars": 10, "max_chars": 5}, r"^min_chars=10 is over max_chars=5"),
        ({"max_chars": 4.5}, r"^max_chars must be a whole number >= 0, got 4.5$"),
        # had been numpy's "Seed must be between 0 and 2**32 - 1", naming nothing
        (
            {"limit": 1, "random_state": -1},
            r"^random_state must be None or an int in \[0, 2\*\*32 - 1\]",
        ),
        ({"random_state": "a"}, "random_state must be None or an int"),
    ],
)
def test_bad_options_are_refused(fake_dir: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(triage.ParameterError, match=message):
        load_weak_emotions(fake_dir, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("read", "sources"),
    [
        (load_reviews, ("waimai_10k", "chnsenticorp_htl", "waimai_10k")),
        (read_corpus, ["asap", "asap"]),
    ],
    ids=["load_reviews", "read_corpus"],
)
def test_a_source_named_twice_is_refused(read: Any, sources: Any, tmp_path: Path) -> None:
    # its rows had been read twice: the ids of a pool to label repeated, and
    # each text counted twice by the word vectors
    with pytest.raises(triage.ParameterError, match=rf"^source named twice: {sources[0]}; "):
        read(tmp_path, sources=sources)
    with pytest.raises(triage.ParameterError, match=r"^unknown source \['nope'\]; allowed: "):
        read(tmp_path, sources=[*sources, "nope"])
    with pytest.raises(triage.ParameterError, match=r"^unknown sources \['no', 'pe'\]; "):
        read(tmp_path, sources=["no", "pe"])
    # a generator had been used up by the check, and no source read: pandas' "No
    # objects to concatenate"; None had been "'NoneType' object is not iterable"
    for given, kind in (((s for s in sources), "generator"), (None, "NoneType")):
        with pytest.raises(
            triage.ParameterError,
            match=rf"^sources must be a sequence of source names, got {kind}; allowed: ",
        ):
            read(tmp_path, sources=given)
    # one str had been its letters, each an unknown source: ['w', 'a', 'i', ...]
    with pytest.raises(
        triage.ParameterError,
        match=rf"^sources must be a sequence of source names, not one str: "
        rf"sources=\['{sources[0]}'\]; allowed: ",
    ):
        read(tmp_path, sources=sources[0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # a flag of a string had been true: "no" kept the negative reviews alone
        ({"negative_only": "no"}, "^negative_only must be True or False, got 'no'$"),
        ({"negative_only": 0}, "negative_only must be True or False"),
        ({"limit": 1, "random_state": 2**32}, "random_state must be None or an int"),
    ],
)
def test_reviews_refuse_bad_options(
    kwargs: dict[str, object], message: str, tmp_path: Path
) -> None:
    with pytest.raises(triage.ParameterError, match=message):
        load_reviews(tmp_path, **kwargs)  # type: ignore[arg-type]


# each loader of the raw files, and the file it looks for first
LOADERS: dict[str, tuple[Any, str]] = {
    "load_weak_emotions": (
        lambda root: load_weak_emotions(root, source="nlpcc2013"),
        r"nlpcc2013_weibo_emotion\.csv",
    ),
    "load_reviews": (load_reviews, r"waimai_10k\.csv"),
    "load_praise": (load_praise, r"waimai_10k\.csv"),
    "load_calm_chats": (load_calm_chats, r"ecd_sample\.csv"),
    "read_corpus": (read_corpus, r"waimai_10k\.csv"),
}
SHARED = "the shared data folder, the one holding raw/"


@pytest.mark.parametrize("loader", list(LOADERS))
def test_a_missing_file_of_the_folder_given_says_to_give_another(
    loader: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the variable is not read when a folder is given (CLI: --corpus):
    # setting it, as the message had said, changed nothing
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "elsewhere"))
    load, file = LOADERS[loader]
    said = rf"^no .* file at .*data/raw/.*{file}; data_dir= \(CLI: --corpus\) must be {SHARED}$"
    with pytest.raises(FileNotFoundError, match=said) as caught:
        load(tmp_path / "data")
    assert "TRIAGE_DATA_DIR" not in str(caught.value)


@pytest.mark.parametrize("loader", list(LOADERS))
def test_a_missing_file_of_the_folder_of_the_variable_names_it(
    loader: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # set in a service's environment, the folder is in no call that fails
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))
    load, file = LOADERS[loader]
    said = (
        rf"{file}; TRIAGE_DATA_DIR names .*data, which must be {SHARED} "
        r"\(or pass data_dir=; CLI: --corpus\)$"
    )
    with pytest.raises(FileNotFoundError, match=said):
        load(None)


@pytest.mark.parametrize("loader", list(LOADERS))
def test_a_missing_file_of_the_folder_found_says_to_set_the_variable(
    loader: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRIAGE_DATA_DIR", raising=False)
    (tmp_path / "shared" / "data").mkdir(parents=True)  # found from the working directory
    monkeypatch.chdir(tmp_path)
    load, file = LOADERS[loader]
    said = (
        rf"shared/data/raw/.*{file}; "
        rf"set TRIAGE_DATA_DIR \(or pass data_dir=; CLI: --corpus\) to {SHARED}$"
    )
    with pytest.raises(FileNotFoundError, match=said):
        load(None)


def test_the_raw_folder_given_for_the_data_folder_is_told(tmp_path: Path) -> None:
    relative, column, _ = REVIEW_SOURCES["waimai_10k"]
    (tmp_path / "raw" / relative).parent.mkdir(parents=True)
    pd.DataFrame({"label": ["0"], column: ["饭都凉了"]}).to_csv(tmp_path / "raw" / relative)
    with pytest.raises(FileNotFoundError, match=r"/raw is the raw folder itself: give its parent$"):
        load_reviews(tmp_path / "raw")
    assert load_reviews(tmp_path)["text"].tolist() == ["饭都凉了"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("split,words,label\ntrain,又停电了,angry\n".encode(), r"no column 'text'.*words"),
        ("split,text,label\ntrain,又停电了,angry\n".encode("gb18030"), "not UTF-8"),
        (b"", "empty"),
    ],
    ids=["renamed column", "wrong encoding", "empty file"],
)
def test_a_broken_raw_file_is_named_in_a_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    folder = tmp_path / "raw" / "smp2020_ewect_usual"
    folder.mkdir(parents=True)
    (folder / "smp2020_ewect_usual.csv").write_bytes(content)
    with pytest.raises(ValueError, match=message) as caught:
        load_weak_emotions(tmp_path)
    assert "smp2020_ewect_usual.csv" in str(caught.value)
    with pytest.raises(ValueError, match=message):
        read_corpus(tmp_path, sources=["smp2020_ewect"])


def test_data_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("TRIAGE_DATA_DIR")
    # from a folder with no shared/data above it (a shared/data above an
    # unpacked sdist would be found first), the folder beside the source tree
    monkeypatch.chdir(Path(tmp_path.anchor))
    assert data_dir() == Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def test_data_dir_of_an_installed_package_is_not_in_its_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # pip install . puts the package in site-packages, whose ../shared/data,
    # .venv/lib/python3.11/shared/data, was named by the notebooks and every
    # error of a missing raw file, as if the data belonged in the environment
    import triage.weak

    monkeypatch.delenv("TRIAGE_DATA_DIR", raising=False)
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages"
    (site / "triage").mkdir(parents=True)
    monkeypatch.setattr(triage.weak, "_REPO", site)
    root = Path(tmp_path.anchor)  # no shared/data above it
    monkeypatch.chdir(root)
    assert data_dir() == root / "shared" / "data"
    with pytest.raises(FileNotFoundError) as caught:
        load_reviews()
    assert ".venv" not in str(caught.value)
    where = re.escape(str(root / "shared" / "data" / "raw"))
    assert re.match(rf"no waimai_10k file at {where}.*; set TRIAGE_DATA_DIR", str(caught.value))
    # from a checkout, the package run from its source tree, ../shared/data beside it
    (tmp_path / "checkout").mkdir()
    (tmp_path / "checkout" / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.setattr(triage.weak, "_REPO", tmp_path / "checkout")
    assert data_dir() == tmp_path / "shared" / "data"


def test_data_dir_is_found_from_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a checkout beside shared/, the package installed elsewhere
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "checkout" / "notebooks").mkdir(parents=True)
    monkeypatch.delenv("TRIAGE_DATA_DIR", raising=False)
    for where in ("checkout", "checkout/notebooks"):
        monkeypatch.chdir(tmp_path / where)
        assert data_dir() == tmp_path / "shared" / "data"


def test_the_docs_of_the_data_folder_say_it_is_found_from_the_working_directory() -> None:
    # help(triage.weak) and read_corpus said $TRIAGE_DATA_DIR, else
    # ../shared/data beside the repository, as data_dir read it no longer
    import triage.weak
    from triage.vectors import read_corpus

    rule = re.compile(
        r"``\$TRIAGE_DATA_DIR``.*the first ``shared/data``.* from the working "
        r"directory upwards.*[,;] else ``\.\./shared/data`` beside the source tree"
    )
    for doc in (triage.weak.__doc__, data_dir.__doc__, read_corpus.__doc__):
        assert rule.search(" ".join((doc or "").split())), doc


def test_data_dir_is_found_from_a_working_directory_removed_since(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import triage.weak

    # had been FileNotFoundError "[Errno 2] No such file or directory", naming nothing
    (tmp_path / "gone").mkdir()
    monkeypatch.chdir(tmp_path / "gone")
    (tmp_path / "gone").rmdir()
    monkeypatch.delenv("TRIAGE_DATA_DIR", raising=False)
    monkeypatch.setattr(triage.weak, "_REPO", tmp_path / "checkout")
    assert data_dir() == tmp_path / "shared" / "data"
    with pytest.raises(FileNotFoundError, match=r"no waimai_10k file at .*shared/data/raw/"):
        load_reviews()


def test_mappings_name_only_our_emotions() -> None:
    for mapping in WEAK_MAPPINGS.values():
        for known in mapping.values():
            assert set(known) <= set(EMOTION_COLUMNS)
            assert set(known.values()) <= {0, 1}


def test_real_sets_load() -> None:
    root = require_data("raw", "smp2020_ewect_usual").parent.parent
    weak = load_weak_emotions(root, limit=50)
    assert len(weak) == 200 and set(weak["source_label"]) == {"angry", "fear", "neutral", "happy"}
    nlpcc = load_weak_emotions(root, source="nlpcc2013", limit=20)
    assert set(nlpcc["source_label"]) == {"anger", "disgust", "fear", "none", "happiness", "like"}
    reviews = load_reviews(root, sources=("waimai_10k", "chnsenticorp_htl"), limit=30)
    assert len(reviews) == 60 and reviews["id"].is_unique
    raw = pd.read_csv(root / "raw" / "waimai_10k" / "waimai_10k.csv", dtype=str)
    first = reviews[reviews["source"] == "waimai_10k"].iloc[0]
    assert raw["review"].iloc[int(first["id"].split("-")[1])].strip() == first["text"]
    assert (raw["label"].iloc[[int(i.split("-")[1]) for i in reviews["id"][:30]]] == "0").all()


@pytest.fixture
def chat_dir(tmp_path: Path) -> Path:
    return write_chats(tmp_path)


def test_calm_chat_turns_are_neither_angry_aggrieved_nor_humorous(chat_dir: Path) -> None:
    calm = load_calm_chats(chat_dir)
    # every turn once, in order, its words joined again; Latin words and
    # numbers keep their spaces; a turn of one character (嗯) is left out
    assert calm["text"].tolist() == [
        "请问这款有黑色的吗",
        "有的亲",
        "好的谢谢",
        "不客气哦",
        "什么时候发货",
        "今天16点前付款当天发哦",
        "好的",
        "帮我改一下地址吧",
        "好的亲",
        "谢谢",
        "嗯嗯",
        "订单号发你了",
        "Order 12 345",
        "查个快递也要这么久我也是醉了",
        "收到",
    ]
    assert row(calm, "什么时候发货") == {
        "angry": "0",
        "anxious": "",
        "confused": "",
        "humorous": "0",
        "aggrieved": "0",
    }
    # irony (我也是醉了) may be humour: unknown
    assert row(calm, "查个快递也要这么久我也是醉了")["humorous"] == ""
    assert (calm["weight"] == 0.3).all() and (calm["source"] == "ecd_taobao").all()
    assert load_calm_chats(chat_dir, weight=1)["weight"].eq(1.0).all()


def test_calm_chats_leave_out_labeled_texts_however_written(chat_dir: Path) -> None:
    calm = load_calm_chats(chat_dir, exclude=["什么時候發貨", "謝謝！"])
    assert "什么时候发货" not in calm["text"].tolist()
    assert "好的谢谢" in calm["text"].tolist()


def test_a_calm_chat_turn_written_twice_is_one_row(tmp_path: Path) -> None:
    folder = tmp_path / "raw" / "ecd_taobao_dialogue_sample"
    folder.mkdir(parents=True)
    chats = [("train", "好的，谢谢 ||| 在吗", "好的,谢谢"), ("train", "謝謝 ||| 在吗？", "谢谢")]
    pd.DataFrame(chats, columns=["split", "context", "response"]).to_csv(
        folder / "ecd_sample.csv", index=False
    )
    # each turn as first written, once as the model reads it
    assert load_calm_chats(tmp_path)["text"].tolist() == ["好的，谢谢", "在吗", "謝謝", "在吗？"]


def test_calm_chats_train_only_the_heads_they_label(chat_dir: Path) -> None:
    from triage._learn import parse_partial

    heads = parse_partial(load_calm_chats(chat_dir), 0.3)
    n = len(load_calm_chats(chat_dir))
    assert len(heads["presence:angry"][0]) == len(heads["presence:aggrieved"][0]) == n
    assert len(heads["presence:humorous"][0]) == n - 1  # all but the ironic turn
    assert heads["presence:angry"][1].sum() == heads["presence:humorous"][1].sum() == 0
    for unknown in ("anxious", "confused"):
        assert len(heads[f"presence:{unknown}"][0]) == 0
    assert not any(name.startswith("category:") for name in heads)


@pytest.mark.parametrize("weight", [0, -1, True, "0.3", None])
def test_calm_chats_refuse_a_weight_that_is_no_positive_number(
    chat_dir: Path, weight: object
) -> None:
    with pytest.raises(triage.ParameterError, match="weight must be a positive number"):
        load_calm_chats(chat_dir, weight=weight)  # type: ignore[arg-type]


def test_calm_chats_say_where_they_were_looked_for(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"ecd_sample\.csv; data_dir= \(CLI: --corpus\)"):
        load_calm_chats(tmp_path)


def test_real_calm_chats_load() -> None:
    root = require_data("raw", "ecd_taobao_dialogue_sample").parent.parent
    calm = load_calm_chats(root)
    assert len(calm) > 1000 and calm["text"].is_unique
    assert not calm["text"].str.contains(" [^\x00-\x7f]|[^\x00-\x7f] ").any()


#: Invented reviews of the three public review sets: (set, label, review).
REVIEWS = [
    ("waimai_10k", "1", "送餐很快，味道很棒"),
    ("waimai_10k", "1", "味道不错，就是送得有点慢"),  # contrast: may complain
    ("waimai_10k", "1", "好吃"),  # too short to say
    ("waimai_10k", "0", "等了两个小时，饭都凉了"),  # negative
    ("waimai_10k", "1", "送餐很快，味道很棒"),  # repeated
    ("online_shopping", "1", "质量很好，穿着舒服，颜色也正"),
    ("online_shopping", "1", "物流很快，但是包装破了"),
    ("online_shopping", "1", "还行吧，凑合用"),
    ("online_shopping", "1", "做工精细" * 20),  # too long
    ("chnsenticorp_htl", "1", "房间干净，服务热情，早餐丰富"),
    ("chnsenticorp_htl", "1", "位置好，前台很耐心，下次还住"),
    ("chnsenticorp_htl", "1", "位置好,前台很耐心,下次还住"),  # the same as the model reads it
    ("online_shopping", "1", "送餐很快,味道很棒"),  # the first set's already
]


@pytest.fixture
def review_dir(tmp_path: Path) -> Path:
    for name, (relative, column, _) in REVIEW_SOURCES.items():
        rows = [(label, review) for source, label, review in REVIEWS if source == name]
        path = tmp_path / "raw" / relative
        path.parent.mkdir(parents=True)
        frame = pd.DataFrame(rows, columns=["label", column])
        if name == "online_shopping":
            frame.insert(0, "cat", "衣服")
        frame.to_csv(path, index=False, encoding="utf-8")
    return tmp_path


def test_praise_is_short_positive_reviews_with_no_word_of_complaint(review_dir: Path) -> None:
    praise = load_praise(review_dir)
    assert praise["text"].tolist() == [
        "送餐很快，味道很棒",
        "房间干净，服务热情，早餐丰富",
        "位置好，前台很耐心，下次还住",
        "质量很好，穿着舒服，颜色也正",
    ]
    assert set(praise["complaint"]) == {"0"} and set(praise["weight"]) == {1.0}
    assert praise["source"].tolist() == [
        "waimai_10k",
        "chnsenticorp_htl",
        "chnsenticorp_htl",
        "online_shopping",
    ]
    assert "categories" not in praise.columns  # it says nothing of which category is not
    triage.labeled.check_partial(praise)


def test_praise_leaves_out_labeled_texts_and_draws_at_most_limit(review_dir: Path) -> None:
    praise = load_praise(review_dir, exclude=["送餐很快,味道很棒"], limit=1, weight=0.5)
    assert praise["source"].tolist() == ["chnsenticorp_htl", "online_shopping"]
    assert set(praise["weight"]) == {0.5}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weight": 0}, "weight must be a positive number"),
        ({"weight": float("inf")}, r"weight must be a positive number, at most 1e\+12"),
        ({"weight": 1e200}, r"weight must be a positive number, at most 1e\+12"),
        ({"limit": 0}, "limit must be a positive int or None"),
        ({"limit": True}, "limit must be a positive int or None"),
        ({"exclude": "送餐很快"}, "exclude must be a collection of texts"),
        ({"random_state": -1}, "random_state must be None or an int"),
    ],
)
def test_praise_refuses_bad_options(
    review_dir: Path, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(triage.ParameterError, match=message):
        load_praise(review_dir, **kwargs)  # type: ignore[arg-type]


def test_praise_says_where_it_was_looked_for(tmp_path: Path) -> None:
    where = r"waimai_10k\.csv; data_dir= \(CLI: --corpus\) must be the shared data folder"
    with pytest.raises(FileNotFoundError, match=where):
        load_praise(tmp_path)


def test_real_praise_loads() -> None:
    root = require_data("raw", "waimai_10k").parent.parent
    praise = load_praise(root, limit=None)
    assert len(praise) > 8000 and praise["text"].is_unique
    assert praise["text"].str.len().between(4, 60).all()
    assert len(load_praise(root)) == 1500 + 1500 + praise["source"].eq("chnsenticorp_htl").sum()

"""A path that starts with ``~`` means the home directory, wherever a path is taken.

pandas reads ``read_csv("~/x.csv")`` so, and a shell expands ``~`` but not
after ``=`` (``--policy=~/p.toml``). Each entry point is given the path of a
file or folder under a home directory of its own; the working directory is
another, so that a ``~`` folder made in it is seen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import triage
from tests.conftest import OWN_WORDS, TINY_PARAMS, TINY_ROWS, labeled_frame

POLICY = 'format = 1\nextends = "default"\n\n[levels.P1]\ndeadline_minutes = 7\n'

# texts of your own history: history.csv, and a raw set under the data folder
HISTORY = ["快递三天没更新物流了", "客服电话一直占线", "退货运费凭什么我出"]
# the Weibo emotion set of the data folder: text, label
WEIBO = [
    ("排了两个小时的队，到我就说卖完了，气死我了", "angry"),
    ("体检报告出来了，医生让我复查，好担心", "fear"),
    ("终于收到心心念念的包裹了，开心", "happy"),
]
# the takeaway reviews of the data folder: review, label
REVIEWS = [("送到的时候汤全洒了，袋子里一塌糊涂", "0"), ("味道不错，送得也快", "1")]
WORDS = "".join(f"{entry}\n" for entry in OWN_WORDS)  # 花呗, 携号转网 5


@pytest.fixture(scope="module")
def tiny_model() -> triage.TriageModel:
    return triage.TriageModel(**TINY_PARAMS).fit(labeled_frame(TINY_ROWS))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home directory of the test's, with the files each entry point reads;
    the working directory is elsewhere."""
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    (home / "models").mkdir(parents=True)
    labeled_frame(TINY_ROWS).to_csv(home / "labels.csv", index=False)
    (home / "policy.toml").write_text(POLICY, encoding="utf-8")
    (home / "words.txt").write_text(WORDS, encoding="utf-8")
    pd.DataFrame({"id": range(len(HISTORY)), "text": HISTORY}).to_csv(
        home / "complaints.csv", index=False
    )
    raw = home / "data" / "raw"
    weibo = raw / "smp2020_ewect_usual" / "smp2020_ewect_usual.csv"
    weibo.parent.mkdir(parents=True)
    pd.DataFrame(WEIBO, columns=["text", "label"]).to_csv(weibo, index=False)
    waimai = raw / "waimai_10k" / "waimai_10k.csv"
    waimai.parent.mkdir(parents=True)
    pd.DataFrame(REVIEWS, columns=["review", "label"]).to_csv(waimai, index=False)
    return home


def _saved(model: triage.TriageModel, home: Path) -> Path:
    return triage.save_model(model, home / "models" / "mine")


def _read_labeled(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    assert triage.read_labeled("~/labels.csv")["text"].tolist()[:2] == [r[0] for r in TINY_ROWS[:2]]


def _read_labeled_path(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    assert len(triage.read_labeled(Path("~/labels.csv"))) == len(TINY_ROWS)


def _load_policy(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    assert triage.load_policy("~/policy.toml").deadline_minutes(triage.Priority.P1) == 7


def _export_for_labeling(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    rows = triage.select_for_labeling(model, HISTORY, n=2)
    assert triage.export_for_labeling(rows, "~/to_label/round1.csv") == (
        home / "to_label" / "round1.csv"
    )
    assert len(triage.read_labeled(home / "to_label" / "round1.csv")) == 2


def _score_file(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    from triage.batch import score_file

    summary = score_file("~/complaints.csv", "~/scored.parquet", model=model)
    assert summary.rows == len(HISTORY)
    assert pd.read_parquet(home / "scored.parquet")["text"].tolist() == HISTORY


def _read_texts(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    from triage.vectors import read_texts

    assert list(read_texts("~/complaints.csv")) == HISTORY


def _read_corpus(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    from triage.vectors import read_corpus

    assert read_corpus("~/data", sources=["waimai_10k"]) == [r[0] for r in REVIEWS]


def _load_weak_emotions(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    weak = triage.load_weak_emotions("~/data")
    assert weak["text"].tolist() == [t for t, _ in WEIBO]


def _load_reviews(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    from triage.weak import load_reviews

    assert load_reviews("~/data")["text"].tolist() == [REVIEWS[0][0]]


def _data_dir_variable(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    from triage.weak import data_dir

    m.setenv("TRIAGE_DATA_DIR", "~/data")
    assert data_dir() == home / "data"
    assert len(triage.load_weak_emotions()) == len(WEIBO)


def _read_words(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    from triage.text import read_words

    assert read_words("~/words.txt") == (("花呗", None, None), ("携号转网", 5, None))


def _model_words(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    words = triage.TriageModel(words="~/words.txt", **TINY_PARAMS).fit(labeled_frame(TINY_ROWS))
    assert [w for w, _, _ in words.words_] == ["花呗", "携号转网"]


def _save_model(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    assert triage.save_model(model, "~/models/mine") == home / "models" / "mine"
    assert (home / "models" / "mine" / "model.json").is_file()


def _check_destination(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    from triage.persist import check_destination

    _saved(model, home)
    with pytest.raises(FileExistsError, match="overwrite"):
        check_destination("~/models/mine")


def _load_model(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    _saved(model, home)
    assert triage.load_model("~/models/mine").labels_ == model.labels_


def _read_card(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    from triage.persist import read_card

    _saved(model, home)
    assert read_card("~/models/mine/model.json")["format"] == "triage-model"


def _set_default_model(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    _saved(model, home)
    triage.set_default_model("~/models/mine")
    try:
        assert triage.analyze("快递三天没更新物流了").primary is not None
    finally:
        triage.set_default_model(None)


def _model_variable(home: Path, model: triage.TriageModel, m: pytest.MonkeyPatch) -> None:
    from triage._default import default_model_path
    from triage.persist import warn_if_stale

    _saved(model, home)
    m.setenv("TRIAGE_MODEL", "~/models/mine")
    assert default_model_path() == home / "models" / "mine"
    assert warn_if_stale(default_model_path())["format"] == "triage-model"


Check = Callable[[Path, triage.TriageModel, pytest.MonkeyPatch], None]

ENTRY_POINTS: list[tuple[str, Check]] = [
    ("read_labeled", _read_labeled),
    ("read_labeled-Path", _read_labeled_path),
    ("load_policy", _load_policy),
    ("export_for_labeling", _export_for_labeling),
    ("score_file", _score_file),
    ("read_texts", _read_texts),
    ("read_corpus", _read_corpus),
    ("load_weak_emotions", _load_weak_emotions),
    ("load_reviews", _load_reviews),
    ("TRIAGE_DATA_DIR", _data_dir_variable),
    ("read_words", _read_words),
    ("TriageModel-words", _model_words),
    ("save_model", _save_model),
    ("check_destination", _check_destination),
    ("load_model", _load_model),
    ("read_card", _read_card),
    ("set_default_model", _set_default_model),
    ("TRIAGE_MODEL", _model_variable),
]


@pytest.mark.parametrize(
    "check", [c for _, c in ENTRY_POINTS], ids=[name for name, _ in ENTRY_POINTS]
)
def test_a_path_under_the_home_directory_is_given_with_a_tilde(
    check: Check,
    home: Path,
    tiny_model: triage.TriageModel,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check(home, tiny_model, monkeypatch)
    assert list(Path.cwd().iterdir()) == []  # no folder named ~ made in the working directory


# a shell leaves ~ as it is after = and in quotes: the command reads it so
COMMANDS = [
    ("analyze 快递三天没更新物流了 --model=~/models/mine --policy=~/policy.toml", ""),
    (
        "score ~/complaints.csv -o ~/scored.csv --model=~/models/mine --policy=~/policy.toml -q",
        "scored.csv",
    ),
    ("evaluate ~/labels.csv --model=~/models/mine --policy=~/policy.toml", ""),
    ("train ~/labels.csv --dev=~/labels.csv -o ~/models/cli --words=~/words.txt", "models/cli"),
]


@pytest.mark.parametrize(
    ("command", "written"), COMMANDS, ids=[command.split()[0] for command, _ in COMMANDS]
)
def test_a_command_reads_a_tilde_as_the_home_directory(
    command: str,
    written: str,
    home: Path,
    tiny_model: triage.TriageModel,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from triage.cli import main

    _saved(tiny_model, home)
    assert main(command.split()) == 0, capsys.readouterr().err
    if written:
        assert (home / written).exists()
    assert list(Path.cwd().iterdir()) == []

"""Shared fixtures: the labeled data (skipped cleanly when absent) and models."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """``$TRIAGE_DATA_DIR`` (``~`` expanded; empty is unset, as the library reads
    it), else ``../shared/data`` beside the repository, whatever folder a test
    has made the working directory."""
    env = os.environ.get("TRIAGE_DATA_DIR")
    return Path(env).expanduser() if env else REPO.parent / "shared" / "data"


def require_data(*parts: str) -> Path:
    path = data_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"shared data not found at {path}; set TRIAGE_DATA_DIR to the folder holding "
            "LABELS.md and labeled/ to run this test"
        )
    return path


@pytest.fixture(autouse=True, scope="session")
def _quiet_jieba() -> None:
    import jieba  # noqa: F401  (jieba sets its logger to DEBUG on import)

    logging.getLogger("jieba").setLevel(logging.WARNING)


@pytest.fixture(autouse=True)
def _unmatched_context_said_afresh() -> None:
    # a channel or tier that matches no key is said once a process: each test
    # is a process of its own in this
    from triage import priority

    priority._WARNED.clear()


# Hand-written complaints covering every category, emotion and priority, for
# training tests that need no shared data: every head sees both classes.
# text, categories, primary, angry anxious confused humorous aggrieved, priority
TINY_ROWS = [
    ("快递一周还没到，客服也不回", "logistics|service", "logistics", "1 0 0 0 1", "P3"),
    ("收到的杯子一摔就裂了，质量太差", "product", "product", "1 0 0 0 0", "P3"),
    ("客服态度恶劣，问什么都不理", "service", "service", "2 0 0 0 1", "P2"),
    ("同样的套餐每个月被多扣十块钱，为什么", "pricing", "pricing", "1 0 2 0 0", "P2"),
    ("退款申请提交半个月了还在审核", "process", "process", "0 1 0 0 1", "P3"),
    ("房间很脏，空调还坏了", "environment", "environment", "0 0 0 0 1", "P3"),
    ("孩子吃了你们的饼干上吐下泻，我要打12315投诉", "product", "product", "2 2 0 0 0", "P1"),
    ("外卖小哥是绕地球一圈才送到的吧，呵呵", "logistics", "logistics", "0 0 0 2 0", "P3"),
    ("价格比上周贵了一倍，性价比太低", "pricing", "pricing", "0 0 0 0 0", "P4"),
    ("APP登录一直报错，账号也找不回来，急死了", "process", "process", "0 2 0 0 0", "P2"),
    ("隔壁装修太吵了，一晚上没睡好", "environment", "environment", "0 0 0 0 1", "P3"),
    ("今天天气真好，出去玩了一天", "", "", "0 0 0 0 0", "P4"),
    ("手机屏幕用了三天就失灵，客服让我自己去修", "product|service", "product", "1 0 0 0 2", "P2"),
    ("建议把退货入口做得明显一点", "process", "process", "0 0 1 0 0", "P4"),
    ("菜很好吃，下次还来", "", "", "0 0 0 0 0", "P4"),
    ("包装破损，里面的碗碎了两个", "logistics", "logistics", "1 0 0 0 0", "P3"),
]


#: Invented customer-service chats in the form of the public corpus under
#: ``raw/``: turns cut into words by spaces and joined by ``|||``.
CHATS = [
    ("train", "请问 这 款 有 黑色 的 吗 ||| 有 的 亲 ||| 好 的 谢谢", "不 客气 哦"),
    ("train", "什么 时候 发货 ||| 今天 16 点前 付款 当天 发 哦", "好 的"),
    ("valid", "帮 我 改 一下 地址 吧 ||| 好 的 亲 ||| 谢谢", "嗯 嗯"),
    (
        "test",
        "订单 号 发 你 了 ||| Order 12 345 ||| 嗯 ||| 查 个 快递 也 要 这么 久 我 也是 醉 了",
        "收到",
    ),
]


def write_chats(root: Path) -> Path:
    """`CHATS` as the chat file of the shared data folder `root`; returns `root`."""
    import pandas as pd

    folder = root / "raw" / "ecd_taobao_dialogue_sample"
    folder.mkdir(parents=True)
    pd.DataFrame(CHATS, columns=["split", "context", "response"]).to_csv(
        folder / "ecd_sample.csv", index=False, encoding="utf-8"
    )
    return root


def prioritize_as_labeled(  # type: ignore[no-untyped-def]
    text: str, categories: str, primary: str, intensities: tuple[int, ...]
):
    """The priority rules alone on `text`, read from its labeled categories
    (``|``-joined, `primary` first) and emotion intensities, each label at
    probability 0.9."""
    from triage.labels import CATEGORIES, EMOTIONS, Category
    from triage.priority import prioritize
    from triage.results import CategoryResult, EmotionResult, LabelMap
    from triage.text import normalize

    names = sorted((c for c in categories.split("|") if c), key=lambda c: c != primary)
    chosen = tuple(Category(c) for c in names)
    cats = CategoryResult(
        LabelMap(CATEGORIES, tuple(0.9 if c in chosen else 0.05 for c in CATEGORIES)),
        chosen,
        chosen[0] if chosen else None,
    )
    emos = EmotionResult(
        LabelMap(EMOTIONS, tuple(0.9 if v else 0.1 for v in intensities)),
        LabelMap(EMOTIONS, intensities),
        0.3,
    )
    return prioritize(normalize(text), cats, emos)


def labeled_frame(rows: list[tuple[str, str, str, str, str]]):  # type: ignore[no-untyped-def]
    """A labeled frame of strings, as `read_labeled` gives, from rows of `TINY_ROWS` form."""
    import pandas as pd

    from triage.labels import EMOTION_COLUMNS

    records = []
    for i, (text, cats, primary, emotions, priority) in enumerate(rows):
        levels = dict(zip(EMOTION_COLUMNS, emotions.split(), strict=True))
        records.append(
            {"id": f"t-{i}", "text": text, "categories": cats, "primary": primary}
            | levels
            | {"priority": priority}
        )
    return pd.DataFrame(records)


@pytest.fixture
def tiny_frame():  # type: ignore[no-untyped-def]
    """`TINY_ROWS` as a labeled frame (a fresh copy per test)."""
    return labeled_frame(TINY_ROWS)


#: Parameters that train on `TINY_ROWS` in a second.
TINY_PARAMS = {"threshold_folds": 0, "min_df": 1}

#: Words of one's own for the segmenter, for tests that train with some (any
#: would do: these are the retraining guide's). A fit with words refits the
#: sentiment feature on texts cut with them, some 7 s of CPU the first time a
#: process meets those words: tests that share them pay it once a run.
OWN_WORDS = ("花呗", "携号转网 5")


@pytest.fixture(scope="session")
def train_frame():  # type: ignore[no-untyped-def]
    from triage.labeled import read_labeled

    return read_labeled(require_data("labeled", "train.csv"))


@pytest.fixture(scope="session")
def dev_frame():  # type: ignore[no-untyped-def]
    from triage.labeled import read_labeled

    return read_labeled(require_data("labeled", "dev.csv"))


@pytest.fixture(scope="session")
def small_model(train_frame):  # type: ignore[no-untyped-def]
    """A quick model on a slice of train, for contract tests (not for quality)."""
    from triage import TriageModel

    return TriageModel(threshold_folds=0, max_features=20_000).fit(train_frame.iloc[:600])


@pytest.fixture(scope="session")
def clause_model(train_frame):  # type: ignore[no-untyped-def]
    """`small_model` with out-of-fold thresholds, and so with the clause stage."""
    from triage import TriageModel

    return TriageModel(threshold_folds=3, max_features=20_000).fit(train_frame.iloc[:600])


# The quality gates' model, training in a process of its own since the tests
# were collected (`tests._quality_model`): the process, its output, its stderr
_quality_job: dict[str, Any] = {}


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start training the quality gates' model beside the other tests, when
    a test collected needs it and the shared data is there."""
    import subprocess
    import sys
    import tempfile

    from tests._quality_model import NEEDS

    if session.config.option.collectonly or not any(
        "trained_model" in getattr(item, "fixturenames", ()) for item in session.items
    ):
        return
    data = data_dir()
    if not all(data.joinpath(*parts).exists() for parts in NEEDS):
        return  # the fixture skips, naming what is missing
    folder = Path(tempfile.mkdtemp(prefix="triage-quality-"))
    out, err = folder / "model.pickle", folder / "stderr.txt"
    with err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests._quality_model", str(data), str(out)],
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )
    _quality_job.update(proc=proc, folder=folder, out=out, err=err)


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    proc = _quality_job.pop("proc", None)
    if proc is not None:
        if proc.poll() is None:  # the run stopped before the gates (-x, Ctrl-C)
            proc.kill()
        proc.wait()
        shutil.rmtree(_quality_job.pop("folder"), ignore_errors=True)


@pytest.fixture(scope="session")
def trained_model():  # type: ignore[no-untyped-def]
    """A model trained on all of train.csv as the shipped one is (`triage train
    --corpus --calm-chats --praise`), with word vectors from the unlabeled
    public sets, the labeled texts left out.

    Trained in a process of its own started once the tests were collected
    (`pytest_collection_finish`): the warnings it raised are raised again
    here, under the test run's filters, as if it had trained in this one.
    """
    import pickle
    import warnings

    from tests._quality_model import NEEDS

    for parts in NEEDS:
        require_data(*parts)
    proc = _quality_job.get("proc")
    if proc is None:  # the data appeared after collection
        from tests._quality_model import fit

        return fit(data_dir())
    if proc.wait():
        pytest.fail(
            f"training the quality gates' model failed (status {proc.returncode}):\n"
            + _quality_job["err"].read_text(encoding="utf-8", errors="replace")
        )
    model, said = pickle.loads(_quality_job["out"].read_bytes())
    for message, category, filename, lineno in said:
        warnings.warn_explicit(message, category, filename, lineno)
    return model


def run_interleaved(target: Callable[[int], None], threads: int) -> None:
    """Run ``target(k)`` in `threads` threads at once, k = 0 .. threads - 1,
    with the interpreter switching threads every microsecond, so that they
    interleave inside each call, and wait for them all."""
    import sys
    import threading

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        workers = [threading.Thread(target=target, args=(k,)) for k in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sys.setswitchinterval(interval)


def as_from_a_terminal(*signums: int) -> Callable[[], None]:
    """A ``preexec_fn`` that gives a child `signums` as a terminal's
    foreground job has them: handled by default and not blocked.

    A shell starts a background job (``pytest ... &``) with SIGINT ignored and
    ``nohup`` with SIGHUP ignored, and a runner may start its jobs with some
    signals blocked, which a child inherits: the command would rightly ignore
    them, or never see them, and a test that sends one would see it run on.
    """
    import signal

    def preexec() -> None:
        for signum in signums:
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signums)

    return preexec

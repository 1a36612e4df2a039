"""The README's examples are what the shipped model really answers."""

from __future__ import annotations

import doctest
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import triage
from tests.conftest import REPO, prioritize_as_labeled, require_data
from triage.batch import OUTPUT_COLUMNS
from triage.cli import main
from triage.exceptions import PolicyError
from triage.labels import EMOTIONS, Priority
from triage.priority import default_policy

README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The README text under ``## title``, up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", section, re.M | re.S)


def test_quick_start_says_which_demo_rows_are_errors_and_why() -> None:
    frame = pd.read_csv(REPO / "examples" / "complaints.csv", dtype=str, keep_default_na=False)
    scored = triage.score_frame(frame, keep_input=True)
    errors = scored[scored["error"] != ""]
    said = " ".join(_section("Quick start").split())
    assert f"{len(frame)} rows, {len(errors)} error," in said
    for id_, error in zip(errors["id"], errors["error"], strict=True):
        assert f"`{id_}`" in said and f"`{error}`" in said


def test_readme_names_the_install_of_every_extra() -> None:
    # a reader who opens the notebooks, or scores a Dask frame, after `pip
    # install .` learns here which extra brings what they import
    import tomllib

    with (REPO / "pyproject.toml").open("rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    assert [name for name in extras if f'".[{name}]"' not in README] == []


def test_readme_names_every_notebook() -> None:
    # the quickstart notebook was named nowhere in the README: a newcomer
    # following it met the notebooks of retraining alone
    notebooks = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    assert notebooks
    assert [name for name in notebooks if f"`notebooks/{name}`" not in README] == []


def test_development_lists_every_benchmark_with_its_time() -> None:
    # docs/retraining.md leaned on bench_search.py, which the README's list
    # of benchmarks left out
    if not (REPO / "benchmarks").is_dir():
        pytest.skip("no benchmarks/ (an sdist holds none)")
    section = _section("Development")
    (commands,) = _blocks(section, "bash")
    listed = re.findall(r"benchmarks/(\w+\.py)", commands)
    assert sorted(listed) == sorted(p.name for p in (REPO / "benchmarks").glob("bench_*.py"))
    said = " ".join(section.split(commands, 1)[1].split())
    assert [name for name in listed if f"`{name}` " not in said] == []


def test_one_complaint_example_runs_as_shown() -> None:
    (example,) = _blocks(_section("One complaint"), "python")
    test = doctest.DocTestParser().get_doctest(example, {}, "README: One complaint", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    results = runner.run(test)
    assert results.attempted >= 5
    assert results.failed == 0, "the README example differs from what triage answers; see above"


def test_shell_example_prints_what_the_readme_shows(capsys: pytest.CaptureFixture[str]) -> None:
    section = _section("One complaint")
    command = next(b for b in _blocks(section, "bash") if b.startswith("triage analyze"))
    after = section.split(command, 1)[1].removeprefix("```\n")
    shown = re.search(r"^```\n(.*?)^```", after, re.M | re.S)
    assert shown, "README shows no output after the shell example"
    argv = shlex.split(command)
    assert main(argv[1:]) == 0
    assert capsys.readouterr().out == shown.group(1)


@pytest.mark.parametrize(
    ("text", "level", "code"),
    [
        ("盒子压坏了", "P3", "P3.problem"),
        ("路上摔坏了", "P3", "P3.problem"),
        ("坏了", "P2", "P2.unusable"),
        ("还好没有拉肚子", "P4", "P4.mild"),
        ("我拉肚子了，今天别送了", "P4", "P4.none"),
        ("孩子拉肚子，是不是奶粉的问题", "P1", "P1.health"),
        ("有点慢", "P3", "P4.mild"),
    ],
)
def test_priority_prose_gives_the_level_and_reason_analyze_gives(
    text: str, level: str, code: str
) -> None:
    section = " ".join(_section("Priority policy").split())
    assert f"`{text}`" in section and f"`{code}`" in section
    a = triage.analyze(text)
    assert (str(a.priority), code in [r.code for r in a.reasons]) == (level, True)


def test_priority_prose_names_the_default_policy_signals_and_floors() -> None:
    section = " ".join(_section("Priority policy").split())
    policy = default_policy()
    for signal in policy.emotion_signals:
        assert f"`{signal.code}`" in section
    assert [str(e) for e in policy.category_signal.emotions] == ["angry", "anxious", "aggrieved"]
    for key, level in (*policy.channels, *policy.tiers):
        assert re.search(rf"`{key}`[^;.]*? {level}\b", section), key
    # the worked examples of LABELS.md it names, at their labeled level by the rules
    for text, category, intensities, level in [
        ("前台态度冷淡，问个问题爱答不理的，我们也是花了钱的", "service", (1, 0, 0, 0, 2), "P3"),
        ("建议你们的APP把退货入口做得明显一点，找了半天", "process", (0, 0, 1, 0, 0), "P4"),
    ]:
        assert f"`{text}`" in section
        assert str(prioritize_as_labeled(text, category, category, intensities).level) == level


def test_priority_policy_example_gives_the_levels_and_floors_it_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = _section("Priority policy")
    (policy_file,) = _blocks(section, "toml")
    (example,) = _blocks(section, "python")
    assert policy_file.startswith("# my_policy.toml\n")
    (tmp_path / "my_policy.toml").write_text(policy_file, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    *setup, first, second = example.strip().splitlines()
    names: dict[str, Any] = {"triage": triage}
    exec("\n".join(setup), names)
    policy = names["policy"]
    assert policy.deadline_minutes(Priority.P3) == 60

    def codes(a: triage.Assessment) -> set[str]:
        return {r.code for r in a.reasons}

    exec_ = eval(first, names)
    assert (exec_.priority, exec_.deadline_minutes) == (Priority.P1, 10)
    assert {"P1.vip_exec", "P2.repeat", "context.repeat"} <= codes(exec_)
    channel = eval(second, names)
    assert channel.priority is Priority.P2 and channel.route == "物流客服组"
    assert {"context.channel.抖音", "P3.problem"} <= codes(channel)
    tier = triage.analyze("有点慢", policy=policy, context=triage.Context(customer_tier="金卡"))
    assert tier.priority is Priority.P3 and "context.tier.金卡" in codes(tier)
    prose = " ".join(section.split())
    for code in ("P1.vip_exec", "P2.repeat", "context.repeat", "context.channel.抖音"):
        assert f"`{code}`" in prose
    # unquoted, the Chinese key is no TOML, and the error says to quote it
    (tmp_path / "my_policy.toml").write_text(
        policy_file.replace('"抖音" =', "抖音 ="), encoding="utf-8"
    )
    with pytest.raises(PolicyError, match='is quoted in TOML: "抖音"'):
        triage.load_policy("my_policy.toml")


def test_many_complaints_example_puts_the_scores_beside_the_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (example,) = _blocks(_section("Many complaints"), "python")
    code = "\n".join(line[4:] for line in example.splitlines() if line.startswith(">>> "))
    monkeypatch.chdir(REPO)  # the example reads examples/complaints.csv
    names = {"triage": triage}  # imported by the example before it
    exec(code, names)
    source = pd.read_csv(REPO / "examples" / "complaints.csv")
    assert list(names["scored"].columns) == list(OUTPUT_COLUMNS)
    both = names["both"]
    assert list(both.columns) == [*source.columns, *OUTPUT_COLUMNS]
    assert both["text"].equals(source["text"])
    assert both["priority"].iloc[0] == triage.analyze(source["text"].iloc[0]).priority.value


# The README's app.py, run as a pre-forking server's master runs it, then a
# worker forked from it: the worker scores with what the master loaded.
_PRE_FORK = """
import os, sys
exec(sys.argv[1])  # the README's app.py
import triage.persist, triage.text
pid = os.fork()
if pid == 0:
    try:
        def refuse(*args, **kwargs):
            raise AssertionError("the worker loaded again")
        triage.persist.load_model = triage.text._load_dictionary = refuse
        a = triage.analyze(sys.argv[2])
        why = triage.explain(sys.argv[2], top=1)
        print(a.primary, why[a.primary].terms[0].term, gc.get_freeze_count() > 0, flush=True)
    finally:
        os._exit(0)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork")
def test_service_example_warms_the_master_for_the_workers_it_forks() -> None:
    (example,) = _blocks(_section("In a service"), "python")
    assert "gunicorn --preload" in example
    out = subprocess.run(
        [sys.executable, "-c", _PRE_FORK, example, "快递一周还没到，客服也不回"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.split() == ["logistics", "快递", "True", "0"], out.stderr


def test_a_service_is_told_to_load_a_model_before_setting_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # it said set_default_model may be called while other threads serve, and
    # not that set_default_model(None) makes every call wait for a load
    import threading

    from triage import _default, persist
    from triage.lexicon import LexiconModel

    section = " ".join(_section("In a service").split())
    assert "`triage.set_default_model(triage.load_model(path))`" in section
    assert "the other threads serve with the old model meanwhile" in section
    assert "`set_default_model(None)` loads nothing: the next call loads the shipped " in section
    assert "every call made meanwhile waits for it" in section
    for name in ("_model", "_user_set", "_source"):  # the default as it was, after the test
        monkeypatch.setattr(_default, name, getattr(_default, name))
    old, new = LexiconModel(), LexiconModel()
    triage.set_default_model(old)
    loading, loaded = threading.Event(), threading.Event()

    def load_model(path: object) -> LexiconModel:
        loading.set()
        assert loaded.wait(30)
        return new

    monkeypatch.setattr(persist, "load_model", load_model)
    # a path loads in the thread that sets it; the others serve meanwhile
    setter = threading.Thread(target=triage.set_default_model, args=("models/new",))
    setter.start()
    assert loading.wait(30)
    assert triage.analyze("快递一周还没到").primary == "logistics"
    assert _default.get_default_model() is old
    loaded.set()
    setter.join(30)
    assert _default.get_default_model() is new
    # None: the next call loads, under the lock, and a call made meanwhile waits
    loading.clear()
    loaded.clear()
    triage.set_default_model(None)
    done: list[str] = []
    calls = [
        threading.Thread(target=lambda: done.append(triage.analyze("快递一周还没到").primary))
        for _ in range(2)
    ]
    calls[0].start()
    assert loading.wait(30)
    calls[1].start()
    calls[1].join(0.3)
    assert done == []
    loaded.set()
    for call in calls:
        call.join(30)
    assert done == ["logistics", "logistics"]


def _json_fields() -> dict[str, str]:
    """The JSON type the README's table gives each field of `Assessment.to_dict`,
    in the table's order."""
    section = _section("In a service")
    table = section.split("**The JSON of a complaint.**", 1)[1]
    types: dict[str, str] = {}
    for cell, kind in re.findall(r"^\| (`[^|]*?) \| ([^|]*?) \|", table, re.M):
        types.update(dict.fromkeys(re.findall(r"`([^`]+)`", cell), kind))
    return types


_JSON_TYPES = {
    "array of strings": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) is float,
    "number or null": lambda v: v is None or type(v) is float,
    "boolean": lambda v: type(v) is bool,
    "object": lambda v: isinstance(v, dict),
    "array of objects": lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
}


@pytest.mark.parametrize("lexicon", [False, True], ids=["model", "lexicon baseline"])
def test_the_json_of_a_complaint_has_the_fields_the_readme_lists(lexicon: bool) -> None:
    # a service that stores the JSON reads its contract there: every field,
    # in order, of the type said
    from triage.lexicon import LexiconModel

    model = LexiconModel() if lexicon else None
    said = _json_fields()
    for text in ("😡我要去12315投诉你们，快递一周还没到！", "", "很好"):
        data = json.loads(json.dumps(triage.analyze(text, model=model).to_dict()))
        assert list(data) == list(said)
        assert [k for k, kind in said.items() if not _JSON_TYPES[kind](data[k])] == []
        for reason in data["reasons"]:
            assert list(reason) == ["code", "level", "zh", "en", "evidence", "source"]
            for span in reason["evidence"]:
                assert data["text"][span["start"] : span["end"]] == span["text"]
        assert (data["complaint_probability"] is None) == lexicon


def test_the_calm_chat_example_gives_the_shipped_models_anxious_threshold() -> None:
    # the threshold of anxious that the README and the emotions' docstring
    # name had stayed that of an earlier model
    from triage._default import get_default_model

    said = " ".join(README.split())
    match = re.search(
        r"`请问发票怎么开`.*?anxious \((0\.\d+), over that emotion's threshold of (0\.\d+)\)",
        said,
    )
    assert match, "the README no longer says how anxious 请问发票怎么开 reads"
    threshold = float(get_default_model().thresholds_["presence"][1])
    probability = triage.analyze("请问发票怎么开").emotion_probabilities["anxious"]
    assert (float(match[1]), float(match[2])) == (round(probability, 2), round(threshold, 2))
    docstring = " ".join((triage.EmotionResult.__doc__ or "").split())
    assert f"{round(threshold, 2)} for anxious in the shipped model" in docstring


def test_priority_prose_counts_the_training_complaints_the_rules_make_mild() -> None:
    # the rules alone, read from each training complaint's labeled categories and emotions
    train = pd.read_csv(require_data("labeled", "train.csv"), dtype=str, keep_default_na=False)
    mild: dict[str, list[str]] = {"mild": [], "mixed": []}
    for row in train[train["categories"] != ""].itertuples():
        levels = tuple(int(getattr(row, str(e))) for e in EMOTIONS)
        result = prioritize_as_labeled(row.text, row.categories, row.primary, levels)
        codes = {r.code for r in result.reasons}
        if str(result.level) != "P4":
            continue
        if "P4.mixed" in codes:
            mild["mixed"].append(row.priority)
        elif codes & {"P4.mild", "P4.suggestion", "P4.question"}:
            mild["mild"].append(row.priority)
    said = " ".join(_section("Priority policy").split())
    made, mixed = mild["mild"], mild["mixed"]
    assert f"{made.count('P3')} of {len(made)} are labeled P3 and {made.count('P4')} P4" in said
    assert f"mixed reviews {mixed.count('P4')} of {len(mixed)} are labeled P4" in said

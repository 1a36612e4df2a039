"""The guides under docs/ and models/README.md: their examples do what they say."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

import triage
from tests.conftest import REPO, data_dir, require_data

DOCS = ("README.md", "docs/batch.md", "docs/retraining.md", "models/README.md")
# folders of the repository: a path the docs give under one of them must exist
REPO_DIRS = ("benchmarks/", "docs/", "examples/", "models/", "notebooks/", "tests/", "triage/")
# paths the docs name that a checkout does not hold: the wheel's copy of the
# shipped model, and the model the retraining examples write
NOT_IN_A_CHECKOUT = {"triage/_models/default", "models/mine"}
# folders of a checkout that the sdist leaves out
NOT_IN_THE_SDIST = ("benchmarks/",)


def _section(doc: str, title: str) -> str:
    """The text of `doc` under ``## title``, up to the next heading of that level."""
    text = (REPO / doc).read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"{doc} has no section {title!r}"
    return match.group(1)


def _python(section: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", section, re.M | re.S)


def test_batch_dataframe_example_keeps_each_row_with_its_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "same index, same order, duplicates included": on a repeated index the
    # example must still give one row per complaint, scored as itself.
    example = _python(_section("docs/batch.md", "DataFrames"))[0]
    texts = ["快递一周还没到", "客服态度恶劣", "房间很脏", "今天天气真好"]
    frame = pd.DataFrame({"text": texts}, index=[7, 7, 3, 3])
    monkeypatch.setattr(pd, "read_csv", lambda *args, **kwargs: frame.copy())
    names: dict[str, object] = {}
    exec(example, names)
    scored = names["scored"]
    assert isinstance(scored, pd.DataFrame)
    assert scored.index.tolist() == [7, 7, 3, 3]
    assert scored["primary"].tolist() == [str(triage.analyze(t).primary or "") for t in texts]


def test_batch_why_example_shows_what_the_example_answers() -> None:
    # The terms the guide shows for the first complaint of the README's demo
    # file are those score_frame gives it, label for label and in order.
    example = next(
        block for block in _python(_section("docs/batch.md", "DataFrames")) if "json.loads" in block
    )
    match = re.search(r"^(json\.loads\(.*\))\n# (\{.*), \.\.\.\}$", example, re.M)
    assert match, "the example shows no result after json.loads"
    call, shown = match.groups()
    names: dict[str, object] = {
        "triage": triage,
        "df": pd.read_csv(REPO / "examples" / "complaints.csv"),
    }
    exec(example.split(call)[0], names)
    answered = eval(call, names)
    expected = json.loads(shown + "}")
    assert list(answered.items())[: len(expected)] == list(expected.items())


@pytest.mark.parametrize("backend", ["numpy_nullable", "pyarrow"])
def test_batch_decoding_a_binary_column_gives_texts_to_score(tmp_path: Path, backend: str) -> None:
    # A binary Parquet column, read by pandas as bytes objects or, with
    # dtype_backend="pyarrow", as binary[pyarrow], whose .str.decode fails
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    section = _section("docs/batch.md", "DataFrames")
    recipe = re.findall(r"`(df\[\"text\"\] = [^`]*\.str\.decode\([^`]*)`", section)[0]
    texts = ["快递一周还没到".encode(), None, "房间很脏".encode("gbk")]
    pq.write_table(pa.table({"text": pa.array(texts, pa.binary())}), tmp_path / "t.parquet")
    df = pd.read_parquet(tmp_path / "t.parquet", dtype_backend=backend)
    assert triage.score_frame(df)["error"].str.startswith("not a string: bytes").sum() == 2
    names: dict[str, object] = {"df": df}
    exec(recipe, names)
    scored = triage.score_frame(df)
    assert scored["error"].tolist() == ["", "missing text", ""]
    assert df["text"][0] == "快递一周还没到" and "\ufffd" in df["text"][2]


def test_batch_counts_of_levels_and_categories_are_those_of_the_rows() -> None:
    # every level counted, empty ones too, and each category once a text
    # that has it: a text of none (praise), or an error, is no category ""
    blocks = [b for b in _python(_section("docs/batch.md", "DataFrames")) if "value_counts" in b]
    texts = ["快递一周还没到，客服也不回", "快递很快，包装也很好", None, "房间很脏", "客服态度恶劣"]
    scored = triage.score_frame(pd.DataFrame({"text": texts}, index=[5, 5, 2, 1, 1]))
    kinds = [t and triage.analyze(t) for t in texts]
    levels = [str(a.priority) for a in kinds if a]
    named = [str(c) for a in kinds if a for c in a.categories]
    assert "" in scored["categories"].tolist() and len(set(named)) < len(named)
    names: dict[str, Any] = {"pd": pd, "scored": scored}
    counts = []
    for block in blocks:
        *lines, last = block.strip().splitlines()
        exec("\n".join(lines), names)
        counts.append(eval(last, names).to_dict())
    assert counts == [
        {p: levels.count(p) for p in ("P1", "P2", "P3", "P4")},
        {c: named.count(c) for c in set(named)},
    ]


def test_the_complaint_gate_is_said_to_spare_a_text_that_names_a_problem() -> None:
    # praise first, then a harm: under the gate, and product all the same
    from triage import batch
    from triage._default import resolve_model

    text = "好吃好吃，下次还来，吃完拉肚子了"
    a = triage.analyze(text)
    gate = resolve_model(None).min_complaint_proba
    assert a.complaint_probability is not None and gate is not None
    assert a.complaint_probability < gate and a.categories == (triage.Category.PRODUCT,)
    assert triage.explain(text)[triage.Category.PRODUCT].applies
    said = {
        "triage.explain": triage.explain.__doc__ or "",
        "Assessment": triage.Assessment.__doc__ or "",
        "triage.batch": batch.__doc__ or "",
        **{doc: (REPO / doc).read_text(encoding="utf-8") for doc in DOCS[:3]},
    }
    for where, doc in said.items():
        doc = " ".join(doc.split())
        for at in [m.start() for m in re.finditer("min_complaint_proba", doc)]:
            near = doc[at : at + 200]
            if "no category" in near:
                assert "unless it names a concrete problem" in near, where


def _column_table() -> dict[str, str]:
    """The meaning docs/batch.md gives each output column, by column."""
    from triage.batch import OUTPUT_COLUMNS

    section = _section("docs/batch.md", "DataFrames")
    meanings: dict[str, str] = {}
    for cell, meaning in re.findall(r"^\| (`[^|]*?) \| (.*) \|$", section, re.M):
        for name in re.findall(r"`([^`]+)`", cell):
            group = re.fullmatch(r"prob_<(\w+)>", name)
            labels = {"category": triage.CATEGORIES, "emotion": triage.EMOTIONS}
            for column in [f"prob_{label}" for label in labels[group[1]]] if group else [name]:
                assert column in OUTPUT_COLUMNS, column
                meanings[column] = meaning
    return meanings


def test_batch_column_table_says_what_each_column_means() -> None:
    # An analyst with a scored file reads this table, not the docstrings:
    # every column is in it, each said in its own words, and the sentiment's
    # ends the way the model reads them.
    from triage.batch import OUTPUT_COLUMNS

    meanings = _column_table()
    assert sorted(meanings) == sorted(OUTPUT_COLUMNS)
    assert not [column for column, meaning in meanings.items() if meaning.startswith("as in")]
    sentiment = meanings["sentiment"]
    assert sentiment.index("0 negative") < sentiment.index("1 positive")
    assert triage.analyze("质量太差了，气死我了").sentiment < 0.5
    assert triage.analyze("东西很好，物流也快，好评").sentiment > 0.5
    assert "MAX_CHARS" in meanings["truncated"]
    # how far the rules read: a threat past it, at the end of a pasted page, is not
    from triage.text import _RAW_CAP

    assert f"up to {_RAW_CAP:,} characters" in meanings["truncated"]
    threat = "再不处理我就打12315投诉"
    long = triage.score_frame(pd.DataFrame({"text": ["快递一周还没到。" * 6_000 + threat]}))
    assert long["truncated"].all() and "P1.regulator" not in long["reasons"].iloc[0]
    assert "emoji alone, English" in meanings["low_confidence"]
    scored = triage.score_frame(pd.DataFrame({"text": ["😂😂", "hello world"]}))
    assert scored["low_confidence"].all() and (scored["categories"] == "").all()
    assert (scored["error"] == "").all()


def test_batch_reading_each_output_gives_the_frame_score_frame_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pd.read_csv left to guess loses the "" of a scored row's error and the
    # leading zeros of an id; pd.read_json with its defaults made 123 of the
    # ticket "00123" and rounded the last digits of the probabilities, and
    # as the guide said it, gave float emotions where a row was unscored
    pytest.importorskip("pyarrow")
    from triage.batch import OUTPUT_COLUMNS, score_file

    (block,) = [
        b
        for b in _python(_section("docs/batch.md", "Files: `triage score`"))
        if "read_parquet" in b
    ]
    reads = re.findall(r"^scored = .*\n(?:[ ]+.*\n)*", block, re.M)
    assert [r.split("(", 1)[0] for r in reads] == [
        f"scored = pd.read_{f}" for f in ("parquet", "csv", "json")
    ]
    tickets = ["00123", "00124", "00125"]
    texts = ["快递一周还没到，太气人了！", "", "客服态度恶劣，退款也不给"]
    frame = pd.DataFrame({"ticket": tickets, "text": texts})
    monkeypatch.chdir(tmp_path)
    frame.to_csv("complaints.csv", index=False)
    expected = triage.score_frame(frame)
    for read, fmt in zip(reads, ("parquet", "csv", "jsonl"), strict=True):
        score_file("complaints.csv", f"scored.{fmt}")
        code = block
        for other in reads:
            code = code if other == read else code.replace(other, "")
        names: dict[str, Any] = {}
        exec(code, names)
        scored, failed = names["scored"], names["failed"]
        pd.testing.assert_frame_equal(scored[list(OUTPUT_COLUMNS)], expected)
        assert scored["ticket"].tolist() == tickets
        assert (failed["ticket"].tolist(), failed["error"].tolist()) == (["00124"], ["empty text"])
    guessed = pd.read_csv("scored.csv")  # what the guide warns of
    assert guessed[guessed["error"] == ""].empty and guessed["ticket"].tolist() == [123, 124, 125]
    guessed = pd.read_json("scored.jsonl", lines=True)
    assert guessed["ticket"].tolist() == [123, 124, 125]
    probabilities = [c for c in expected.columns if c.startswith("prob_")]
    scored_rows = expected.loc[[0, 2], probabilities].to_numpy().tolist()
    assert guessed.loc[[0, 2], probabilities].to_numpy().tolist() != scored_rows
    guessed = pd.read_json("scored.jsonl", lines=True, dtype=False, precise_float=True)
    assert str(guessed["angry"].dtype) == "float64"  # NaN where a row was not scored


def test_batch_output_line_ends_are_those_the_guide_gives_each_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the guide gave every output text file RFC 4180's \r\n, where JSON Lines
    # end each record with \n alone
    from triage.batch import score_file

    said = " ".join(_section("docs/batch.md", "Files: `triage score`").split())
    match = re.search(
        r"CSV and TSV outputs are .*? line ends \(`(.+?)`\).*?JSON Lines .*?`(.+?)`", said
    )
    assert match, "docs/batch.md no longer says how an output's lines end"
    ends = {
        "csv": match[1].encode().decode("unicode_escape"),
        "jsonl": match[2].encode().decode("unicode_escape"),
    }
    ends["tsv"] = ends["csv"]
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"text": ["快递一周还没到", "客服态度恶劣"]}).to_csv("in.csv", index=False)
    for kind, end in ends.items():
        score_file("in.csv", f"out.{kind}")
        data = (tmp_path / f"out.{kind}").read_bytes().decode("utf-8")
        assert data.endswith(end) and data.count(end) == 3 - (kind == "jsonl"), kind
        assert data.count("\n") == data.count(end), kind


# dask's Parquet writer calls set_index(inplace=True), deprecated in pandas 3.1
@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.set_index")
def test_batch_dask_example_writes_each_row_with_its_scores(tmp_path: Path) -> None:
    # Files read together each number their rows from 0: the example must not
    # pair the rows of one file with the scores of another.
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
    (example,) = _python(_section("docs/batch.md", "Dask: beyond one machine"))
    cluster = 'Client("scheduler:8786")'
    source, target = "s3://archive/complaints/*.parquet", "s3://archive/scored/"
    assert cluster in example and source in example and target in example
    example = example.replace(cluster, "None")  # dask's own scheduler, set below
    example = example.replace(source, str(tmp_path / "in" / "*.parquet"))
    example = example.replace(target, str(tmp_path / "out"))
    (tmp_path / "in").mkdir()
    texts = ["快递一周还没到", "客服态度恶劣", "房间很脏", "孩子吃了拉肚子，我要找媒体曝光"]
    for k, part in enumerate((texts[:2], texts[2:])):
        frame = pd.DataFrame({"ticket": [f"{k}-{i}" for i in range(2)], "text": part})
        frame.to_parquet(tmp_path / "in" / f"part{k}.parquet")
    with dask.config.set(scheduler="sync"):
        exec(example, {})
    out = pd.read_parquet(tmp_path / "out").sort_values("ticket")
    assert out["text"].tolist() == texts
    assert out["reasons"].tolist() == [
        "|".join(r.code for r in triage.analyze(t).reasons) for t in texts
    ]


def test_batch_spark_example_declares_the_columns_its_udf_returns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Spark refuses, at run time on the cluster, a pandas UDF whose frame has
    # other columns than its schema or an integer column not 32-bit: the
    # example runs here against a stand-in of pyspark that records both
    import sys
    from types import ModuleType

    from triage.batch import OUTPUT_COLUMNS

    (example,) = _python(_section("docs/batch.md", "Spark: a pandas UDF"))
    kinds = {"StringType": "str", "IntegerType": "Int32", "DoubleType": "float64"}
    kinds["BooleanType"] = "bool"
    spark_types = ModuleType("pyspark.sql.types")
    for name, kind in kinds.items():
        setattr(spark_types, name, lambda kind=kind: kind)
    spark_types.StructField = lambda name, kind: (name, kind)  # type: ignore[attr-defined]
    spark_types.StructType = list  # type: ignore[attr-defined]
    returned: list[tuple[Any, pd.DataFrame]] = []

    def pandas_udf(schema: object) -> object:
        def wrap(udf: Any) -> object:
            return lambda source: (schema, udf, source)

        return wrap

    class Frame:
        def __init__(self, rows: pd.DataFrame) -> None:
            self.rows = rows

        def withColumn(self, name: str, column: tuple[Any, Any, str]) -> Frame:
            schema, udf, source = column
            returned.append((schema, udf(self.rows[source])))
            return self

        def select(self, *columns: str) -> Frame:
            return self

        def drop(self, name: str) -> Frame:
            return self

    functions = ModuleType("pyspark.sql.functions")
    functions.pandas_udf = pandas_udf  # type: ignore[attr-defined]
    sql = ModuleType("pyspark.sql")
    sql.functions, sql.types = functions, spark_types  # type: ignore[attr-defined]
    for name, module in (
        ("pyspark", ModuleType("pyspark")),
        ("pyspark.sql", sql),
        ("pyspark.sql.functions", functions),
        ("pyspark.sql.types", spark_types),
    ):
        monkeypatch.setitem(sys.modules, name, module)
    texts = ["快递一周还没到，太气人了！", None, 5, "客服态度恶劣"]
    names: dict[str, object] = {"df": Frame(pd.DataFrame({"text": texts}))}
    exec(example, names)
    ((schema, out),) = returned
    assert [name for name, _ in schema] == list(OUTPUT_COLUMNS)
    assert out.columns.tolist() == list(OUTPUT_COLUMNS)
    assert out.index.tolist() == list(range(len(texts)))
    for name, kind in schema:
        dtype = out[name].dtype
        fits = pd.api.types.is_string_dtype(dtype) if kind == "str" else dtype == kind
        assert fits, (name, kind, dtype)
    assert out["error"].tolist() == ["", "missing text", "not a string: int", ""]


def _found(name: str, before: list[str]) -> bool:
    """Whether a file the docs name, after the names in `before`, is where they say."""
    if name.startswith("../shared/data/"):
        return not data_dir().is_dir() or (data_dir() / name.split("/", 3)[3]).exists()
    if name.startswith(NOT_IN_THE_SDIST) and not (REPO / name.split("/")[0]).is_dir():
        return True  # the tests run from an unpacked sdist
    if name.startswith(REPO_DIRS):
        return name.rstrip("/") in NOT_IN_A_CHECKOUT or (REPO / name).exists()
    if name.endswith(".md") and "/" not in name:
        # at the top of the repository, or a file of the shared data folder
        # named by its path first, then by its name alone
        return (REPO / name).exists() or f"../shared/data/{name}" in before
    return True  # a file of the reader's, or not a file


@pytest.mark.parametrize("doc", DOCS)
def test_files_the_docs_name_are_where_they_say(doc: str) -> None:
    text = (REPO / doc).read_text(encoding="utf-8")
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    names = re.findall(r"`([^`\s]+)`", prose)
    missing = [name for i, name in enumerate(names) if not _found(name, names[:i])]
    assert not missing, f"{doc} names files that are not where it says: {missing}"


def _save_model_calls(doc: str) -> list[tuple[str, bool]]:
    """The folder and `overwrite` of each ``save_model`` call in `doc`'s Python examples."""
    text = (REPO / doc).read_text(encoding="utf-8")
    calls = []
    for block in re.findall(r"^```python\n(.*?)^```", text, re.M | re.S):
        lines = block.splitlines()
        if any(line.startswith(">>> ") for line in lines):  # doctest style: code lines only
            lines = [line[4:] for line in lines if line.startswith((">>> ", "... "))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.Call) or "save_model" not in ast.unparse(node.func):
                continue
            folder = ast.literal_eval(node.args[1])
            overwrite = any(
                k.arg == "overwrite" and ast.literal_eval(k.value) is True for k in node.keywords
            )
            calls.append((folder, overwrite))
    return calls


def test_examples_that_save_to_one_folder_replace_what_is_there() -> None:
    # Read in order, the README and docs/retraining.md save models to the same
    # folder: whichever example runs second must not stop on FileExistsError.
    calls = [call for doc in DOCS for call in _save_model_calls(doc)]
    folders = [folder for folder, _ in calls]
    assert len(folders) > len(set(folders)), "no two examples save to one folder any more"
    shared = {folder for folder in folders if folders.count(folder) > 1}
    assert all(overwrite for folder, overwrite in calls if folder in shared), calls


def _undefined_names(doc: str) -> list[str]:
    """Names the Python examples of `doc`, read in order as one session, use
    before any example imports or assigns them."""
    import builtins

    text = (REPO / doc).read_text(encoding="utf-8")
    defined = set(dir(builtins))
    undefined = []
    for block in re.findall(r"^```python\n(.*?)^```", text, re.M | re.S):
        lines = block.splitlines()
        if any(line.startswith(">>> ") for line in lines):  # doctest style: code lines only
            lines = [line[4:] for line in lines if line.startswith((">>> ", "... "))]
        for statement in ast.parse("\n".join(lines)).body:
            for node in ast.walk(statement):  # what the statement binds, first
                if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                    defined.add(node.id)
                elif isinstance(node, ast.Import | ast.ImportFrom):
                    defined.update((a.asname or a.name).split(".")[0] for a in node.names)
                elif isinstance(node, ast.FunctionDef):
                    defined.add(node.name)
                    defined.update(a.arg for a in node.args.args)
            undefined += [
                node.id
                for node in ast.walk(statement)
                if isinstance(node, ast.Name) and node.id not in defined
            ]
    return undefined


@pytest.mark.parametrize("doc", DOCS)
def test_examples_use_only_names_an_earlier_example_defines(doc: str) -> None:
    # a reader runs the examples of a guide one after the other, as a notebook
    assert _undefined_names(doc) == []


def test_retraining_weak_example_compares_models_that_differ_in_the_weak_rows_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Read in order, the guide's `model` has the words and word vectors of its
    # section 2: a model with the weak rows fitted on the default parameters
    # would differ from it in those too, and the comparison credit the weak
    # rows with what they did.
    from triage import retrain, weak

    example, calm, praise = _python(_section("docs/retraining.md", "5. Add weakly labeled data"))
    table = pd.DataFrame({"delta": [0.0, 0.0]}, index=["emotion", "intensity"])
    trained: list[dict[str, object]] = []

    def train(frame: pd.DataFrame, **params: object) -> str:
        trained.append(params)
        return "with_weak"

    monkeypatch.setattr(triage, "train", train)
    monkeypatch.setattr(weak, "load_weak_emotions", lambda *args, **kwargs: "weak rows")
    monkeypatch.setattr(weak, "load_calm_chats", lambda *args, **kwargs: "calm rows")
    monkeypatch.setattr(weak, "load_praise", lambda *args, **kwargs: "praise rows")
    monkeypatch.setattr(
        retrain, "compare_models", lambda *args, **kwargs: SimpleNamespace(to_frame=table.copy)
    )
    rows = pd.DataFrame({"text": ["快递一周还没到"]})
    defaults = triage.TriageModel().get_params()
    for params in (
        {},
        {"words": ["花呗", "携号转网 5"], "C": 2.0},
        {"words": "my_words.txt", "clause_stage": False, "min_df": 1},
    ):
        model = triage.TriageModel(**params)
        trained.clear()
        names = {"triage": triage, "retrain": retrain, "model": model}
        for code, extra in ((example, "weak rows"), (calm, "calm rows"), (praise, "praise rows")):
            trained.clear()
            exec(code, names | {"train": rows, "dev": rows, "weak": weak})
            (given,) = trained
            assert given.pop("extra") == extra
            fitted_with = {**defaults, **given}
            assert fitted_with == model.get_params(), params


@pytest.mark.slow
def test_retraining_guide_runs_in_order_on_files_of_ones_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The guide's examples, one session from the first to the last, with the
    # reader's files it names made from rows of train.csv: a name defined
    # nowhere, a wrong attribute or keyword fails here.
    pytest.importorskip("matplotlib")  # bare figures: no backend is needed
    pytest.importorskip("pyarrow")
    labeled = pd.read_csv(
        require_data("labeled", "train.csv"), dtype=str, keep_default_na=False
    ).sample(frac=1, random_state=0)
    monkeypatch.chdir(tmp_path)
    labeled[:200].to_csv("my_train.csv", index=False)
    labeled[200:300].to_csv("my_dev.csv", index=False)
    labeled[300:][["text"]].to_parquet("history.parquet")
    Path("my_words.txt").write_text("花呗\n携号转网 5\n", encoding="utf-8")
    blocks = _python((REPO / "docs/retraining.md").read_text(encoding="utf-8"))
    code = "\n".join(blocks).replace("limit=3000", "limit=100")  # for time alone
    names: dict[str, object] = {}
    try:
        exec(code, names)
    finally:
        triage.set_default_model(None)
    assert names["model"].words_ == (("花呗", None, None), ("携号转网", 5, None))  # type: ignore[attr-defined]
    assert (tmp_path / "models" / "mine" / "model.json").is_file()
    exported = pd.read_csv("to_label.csv", dtype=str, keep_default_na=False)
    assert len(exported) == 200
    assert exported.columns[-3:].tolist() == ["uncertainty", "most_uncertain", "cluster"]


def test_the_retraining_guide_installs_what_its_examples_read() -> None:
    # its examples read history.parquet, which needs pyarrow, where the
    # guide's install brought the notebook extra alone
    text = (REPO / "docs/retraining.md").read_text(encoding="utf-8")
    install = re.findall(r"^```bash\n(.*?)^```", text, re.M | re.S)[0]
    (extras,) = re.findall(r"^pip install '\.\[([\w,]+)\]'", install, re.M)
    examples = "\n".join(_python(text))
    needed = {"notebook"} if "plots." in examples else set()
    needed |= {"parquet"} if re.search(r"\.parquet\b", examples) else set()
    assert needed == {"notebook", "parquet"}
    assert needed <= set(extras.split(",")), extras


def test_the_search_timings_name_the_benchmark_run_that_gave_them() -> None:
    # bench_search.py reads the first 1,000 rows and tunes thresholds unless
    # told: the guide's figures, of all of train.csv at thresholds of 0.5,
    # named it without its --rows and --quick
    said = " ".join(_section("docs/retraining.md", "Model selection with scikit-learn").split())
    match = re.search(
        r"`benchmarks/bench_search\.py --rows (\d+)( --quick)?` "
        r"\(all ([\d,]+) rows of the shared `train\.csv`([^)]*)\)",
        said,
    )
    assert match, "the guide's search timings do not name the run that gave them"
    assert int(match[1]) == int(match[3].replace(",", ""))
    assert bool(match[2]) == ("thresholds at 0.5" in match[4]), match[0]
    labeled = pd.read_csv(require_data("labeled", "train.csv"), dtype=str, keep_default_na=False)
    assert len(labeled) == int(match[1])


def test_the_full_notebook_run_is_saved_by_the_oldest_nbclient_the_extra_allows() -> None:
    # jupyter execute took --output from nbclient 0.10: with 0.9, which the
    # notebook extra allowed, the guide's command ran the notebook on all the
    # data, warned of an unrecognised alias and wrote nothing
    import tomllib

    section = _section("docs/retraining.md", "Running the notebooks")
    (command,) = [line for line in section.splitlines() if "jupyter execute" in line]
    assert "--output" in command.split()
    with (REPO / "pyproject.toml").open("rb") as f:
        notebook = tomllib.load(f)["project"]["optional-dependencies"]["notebook"]
    (bound,) = [r.removeprefix("nbclient>=") for r in notebook if r.startswith("nbclient>=")]
    assert tuple(int(part) for part in bound.split(".")[:2]) >= (0, 10), bound


@pytest.mark.filterwarnings("ignore:the training labels give these heads a single class")
@pytest.mark.filterwarnings("ignore:no training row has the least urgent priority")
@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_the_guide_says_what_scikit_learns_scorer_names_give() -> None:
    from sklearn.model_selection import GridSearchCV

    from tests.conftest import TINY_PARAMS, TINY_ROWS, labeled_frame

    said = " ".join(_section("docs/retraining.md", "Model selection with scikit-learn").split())
    assert 'scikit-learn\'s own scorer names (`scoring="f1_macro"`' in said
    assert "every fold scores NaN" in said and "merely its first" in said
    search = GridSearchCV(
        triage.TriageModel(**TINY_PARAMS), {"C": [10.0, 1.0]}, cv=2, scoring="f1_macro"
    )
    with pytest.warns(UserWarning, match="Scoring failed"):
        search.fit(labeled_frame(TINY_ROWS))
    assert pd.isna(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_ == {"C": 10.0}


def test_the_guide_says_what_check_estimator_runs() -> None:
    import sklearn
    from sklearn.exceptions import SkipTestWarning
    from sklearn.utils.estimator_checks import check_estimator

    said = " ".join(_section("docs/retraining.md", "Model selection with scikit-learn").split())
    assert "runs one check, that the model clones, and skips the others" in said
    if tuple(int(part) for part in sklearn.__version__.split(".")[:2]) < (1, 6):
        pytest.skip("scikit-learn before 1.6 reads no __sklearn_tags__")
    with pytest.warns(SkipTestWarning, match="Can't test estimator TriageModel"):
        results = check_estimator(triage.TriageModel(), on_fail=None)
    assert [(r["check_name"], r["status"]) for r in results] == [
        ("check_estimator_cloneable", "passed")
    ]


@pytest.mark.filterwarnings("ignore:the training labels give these heads a single class")
def test_the_guides_scikit_learn_figures_are_those_of_evaluate() -> None:
    # each line of the example marked "# report.<figure>" gives that figure of
    # triage.evaluate, on rows no model trained on them can call environment
    from tests.conftest import TINY_PARAMS, TINY_ROWS, labeled_frame

    section = _section("docs/retraining.md", "2. Cross-validate, train, read the per-label report")
    example = next(block for block in _python(section) if "sklearn.metrics" in block)
    dev = labeled_frame([row for row in TINY_ROWS if "environment" not in row[1]])
    model = triage.TriageModel(**TINY_PARAMS).fit(dev)
    rows = triage.score_frame(dev, model=model, keep_input=True, explain=3)
    report = triage.evaluate(model, dev)
    assert report.categories["f1"].isna().any()  # the case the text describes
    assert not report.categories["f1"].isna().all()
    names: dict[str, Any] = {"triage": triage, "rows": rows, "report": report}
    checked = []
    for line in example.splitlines():
        code, _, figure = line.partition("# report.")
        if figure:
            got = eval(code, names)
            assert got == pytest.approx(getattr(report, figure.strip()))
            checked.append(figure.strip())
        else:
            exec(line, names)
    assert checked == ["category_macro_f1", "emotion_macro_f1"]


def _figure_tables(section: str) -> Iterator[tuple[str, list[list[str]]]]:
    """The per-label tables of models/README.md's figures: each head's
    metrics group and the cells of its rows under the header."""
    groups = {"category": "categories", "emotion (presence)": "emotions", "priority": "priority"}
    for table in re.findall(r"^(\| [^\n]*\|\n\|[-:|]+\|\n(?:\|[^\n]*\|\n)+)", section, re.M):
        lines = [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()]
        group = groups.get(lines[0][0])
        if group is not None:
            yield group, lines[2:]


def test_model_readme_figures_are_those_of_the_shipped_card() -> None:
    # the tables of models/README.md are the card's dev figures, rounded
    from triage._default import default_model_path
    from triage.persist import read_card

    metrics = read_card(default_model_path())["metrics"]
    dev, lexicon = metrics["dev"], metrics["lexicon_baseline_dev"]
    section = _section("models/README.md", "Figures on dev")
    checked = 0
    for group, rows in _figure_tables(section):
        for label, precision, recall, f1, support, lexicon_f1 in rows:
            said = [float(precision), float(recall), float(f1), float(lexicon_f1)]
            card = dev[group][label]
            real = [card["precision"], card["recall"], card["f1"], lexicon[group][label]["f1"]]
            assert said == pytest.approx(real, abs=0.0005 + 1e-9), (group, label)
            assert int(support) == card["support"], (group, label)
            checked += 1
    assert checked == 7 + 6 + 5
    confusion = re.search(
        r"^\| labeled \\ predicted \|.*\n\|[-:|]+\|\n((?:\|.*\|\n)+)", section, re.M
    )
    assert confusion is not None
    said_cells = {
        cells[0]: [int(c) for c in cells[1:]]
        for cells in (
            [c.strip() for c in line.strip("|").split("|")]
            for line in confusion.group(1).splitlines()
        )
    }
    card_cells = {level: list(row.values()) for level, row in dev["priority_confusion"].items()}
    assert said_cells == card_cells


def test_model_readme_figures_are_those_triage_evaluate_prints() -> None:
    # the card keeps four digits, and figures rounded again from them were not
    # what `triage evaluate dev.csv` (--baseline for the lexicon), which the
    # section names to reproduce them, prints: the card's 0.4045 was said
    # 0.405 where it prints 0.404, its 0.9225 said 0.922 where it prints 0.923
    from triage._default import default_model_path
    from triage.persist import read_card

    dev = triage.read_labeled(require_data("labeled", "dev.csv"))
    runs = {
        "model": triage.evaluate(triage.load_model(default_model_path()), dev),
        "lexicon": triage.evaluate(triage.LexiconModel(), dev),
    }
    metrics = read_card(default_model_path())["metrics"]
    cards = {"model": metrics["dev"], "lexicon": metrics["lexicon_baseline_dev"]}

    def printed(real: float, card: float | None = None) -> str | None:
        """A figure as `triage evaluate` prints it; None for a priority figure
        (given with its `card`'s) that the policy of today reads otherwise than
        the card's, which the section gives."""
        if card is not None and round(real, 4) != card:
            return None
        return f"{real:.3f}"

    said: list[tuple[str, str | None]] = []
    section = _section("models/README.md", "Figures on dev")
    for group, rows in _figure_tables(section):
        for label, precision, recall, f1, _support, lexicon_f1 in rows:
            cells = [("model", precision, "precision"), ("model", recall, "recall")]
            cells += [("model", f1, "f1"), ("lexicon", lexicon_f1, "f1")]
            for run, cell, column in cells:
                real = float(getattr(runs[run], group).loc[label, column])
                card = cards[run][group][label][column] if group == "priority" else None
                said.append((cell, printed(real, card)))
    headline = " ".join(section.split("\n\n")[0].split())
    pairs = re.findall(r"\*\*([\d.]+)\*\* \((?:lexicon )?baseline ([\d.]+)\)", headline)
    names = ["category_macro_f1", "primary_accuracy", "emotion_macro_f1", "priority_accuracy"]
    assert len(pairs) == len(names)
    for name, cells in zip(names, pairs, strict=True):
        for run, cell in zip(("model", "lexicon"), cells, strict=True):
            real = getattr(runs[run], name)
            card = cards[run]["summary"][name] if name == "priority_accuracy" else None
            said.append((cell, printed(real, card)))
    intensity = re.search(r"^Intensity \(exact 0/1/2\) accuracy: (.*)$", section, re.M)
    assert intensity is not None
    for label, cell in re.findall(r"(\w+) ([\d.]+)", intensity.group(1)):
        real = float(runs["model"].emotions.loc[label, "intensity_accuracy"])
        said.append((cell, printed(real)))
    assert len(said) == 4 * (7 + 6 + 5) + 2 * 4 + 5
    assert [(cell, real) for cell, real in said if real is not None and cell != real] == []


def test_model_readme_calibration_figures_are_the_shipped_models_on_dev() -> None:
    # the docs called every score a probability; the table says how far each
    # head's are, as triage.calibration measures them, and the prose leans on
    # the anxious row and on bins of the reliability table
    import numpy as np

    from triage._default import get_default_model
    from triage.labeled import parse_labels
    from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES

    dev = triage.read_labeled(require_data("labeled", "dev.csv"))
    model = get_default_model()
    preds = model.predict_many(dev["text"].tolist())
    measured = triage.calibration(model, dev, predictions=preds)
    lexicon = triage.calibration(triage.LexiconModel(), dev).labels
    y = parse_labels(dev)
    head = {
        str(c): (y.categories[:, j], preds.category_proba[:, j]) for j, c in enumerate(CATEGORIES)
    }
    head |= {
        str(e): (y.emotions[:, j] >= 1, preds.emotion_proba[:, j]) for j, e in enumerate(EMOTIONS)
    }
    head["complaint"] = (y.categories.any(axis=1), preds.complaint_proba)
    scored = ~np.isnan(preds.priority_proba).any(axis=1)
    head |= {
        str(p): (y.priority[scored] == j, preds.priority_proba[scored, j])
        for j, p in enumerate(PRIORITIES)
    }
    section = " ".join(_section("models/README.md", "Figures on dev").split())
    none = "\u2013"  # the table's dash: no such text, no such head
    rows = re.findall(rf"\| (\w+) \| (0\.\d{{3}}) \|((?: [\d.{none}]+ \|){{8}})", section)
    assert [r[0] for r in rows] == list(measured.labels.index) == list(head)
    columns = ["rate", "mean_proba", "ece", "brier", "brier_of_rate"]
    for label, rate, rest in rows:
        said = [rate] + [x.strip() for x in rest.split("|")[:-1]]
        real = measured.labels.loc[label]
        assert [float(x) for x in said[:5]] == pytest.approx(
            real[columns].tolist(), abs=0.0005 + 1e-9
        ), label
        truth, p = head[label]
        high = p >= 0.8
        assert int(said[5]) == high.sum(), label
        if high.any():
            assert [float(x) for x in said[6:8]] == pytest.approx(
                [p[high].mean(), truth[high].mean()], abs=0.005
            ), label
        else:
            assert said[6:8] == [none, none], label
        if label in lexicon.index:
            assert float(said[8]) == pytest.approx(lexicon.loc[label, "brier"], abs=0.0005), label
        else:
            assert said[8] == none, label
    worse = [
        str(x) for x in lexicon.index if lexicon.loc[x, "brier"] > lexicon.loc[x, "brier_of_rate"]
    ]
    assert f"for {', '.join(worse[:-1])} and {worse[-1]} their Brier score is worse" in section
    assert f"dev's {len(dev)} rows" in section and f"of the {scored.sum()} rows" in section
    anxious = measured.labels.loc["anxious"]
    said = f"its rate of {anxious['rate']:.3f} for every text (Brier {anxious['brier']:.3f}"
    assert said in section
    bins = measured.reliability.round(2)
    aggrieved, p3, p2 = (bins.loc[label] for label in ("aggrieved", "P3", "P2"))
    assert (
        f"given {aggrieved['mean_proba'].iloc[-2]:.2f} and {aggrieved['mean_proba'].iloc[-1]:.2f}, "
        f"are labeled so {aggrieved['observed'].iloc[-2]:.2f} and "
        f"{aggrieved['observed'].iloc[-1]:.2f}"
    ) in section
    assert (
        f"P3 given {p3['mean_proba'].iloc[-3]:.2f} or {p3['mean_proba'].iloc[-2]:.2f} is labeled "
        f"P3 {p3['observed'].iloc[-3]:.2f} and {p3['observed'].iloc[-2]:.2f}"
    ) in section
    assert (
        f"its bin at {p2['mean_proba'].iloc[-2]:.2f} is labeled P2 {p2['observed'].iloc[-2]:.2f}"
    ) in section


def test_the_guides_reading_of_a_probability_is_the_shipped_models_on_dev() -> None:
    # "What a 0.7 means" had kept the figures of an earlier model (calibration
    # errors to 0.032, aggrieved given 0.89 labeled so 0.72 of the time) where
    # models/README.md gave the shipped model's
    from triage._default import get_default_model
    from triage.labels import CATEGORIES

    dev = triage.read_labeled(require_data("labeled", "dev.csv"))
    measured = triage.calibration(get_default_model(), dev)
    errors = measured.labels.loc[[str(c) for c in CATEGORIES], "ece"]
    bins = measured.reliability.round(2)
    aggrieved, p3 = bins.loc["aggrieved"].iloc[-2], bins.loc["P3"].iloc[-3]
    said = " ".join(_section("docs/retraining.md", "3. Tune per-label thresholds").split())
    assert f"calibration errors are {errors.min():.3f} to {errors.max():.3f}" in said
    assert (
        f"aggrieved given {aggrieved['mean_proba']:.2f} is labeled so "
        f"{aggrieved['observed']:.2f} of the time"
    ) in said
    assert f"P3 given {p3['mean_proba']:.2f} is labeled P3 {p3['observed']:.2f} of the time" in said


def test_model_readme_aggregate_figures_are_the_shipped_models_on_dev() -> None:
    # an analyst counting "present" over-counted the rarer emotions, read a
    # mean intensity as strength where a 2 is seldom labeled 2, and averaged
    # a polarity that follows a text's length: the card says each, measured
    import numpy as np

    from triage._default import get_default_model
    from triage.labeled import parse_labels
    from triage.labels import EMOTIONS

    dev = triage.read_labeled(require_data("labeled", "dev.csv"))
    model = get_default_model()
    preds = model.predict_many(dev["text"].tolist())
    ev = triage.evaluate(model, dev, predictions=preds)
    y = parse_labels(dev).emotions
    got = preds.intensity
    section = _section("models/README.md", "Emotions and sentiment in aggregate")
    flat = " ".join(section.split())
    none = "\u2013"
    rows = re.findall(r"^\| (\w+) \|((?: [\d.\u2013]+ \|){10})$", section, re.M)
    assert [r[0] for r in rows] == [str(e) for e in EMOTIONS]
    for k, (label, rest) in enumerate(rows):
        said = [x.strip() for x in rest.split("|")[:-1]]
        table = ev.intensity_confusion.loc[label].to_numpy()
        real = [(y[:, k] >= 1).mean(), (got[:, k] >= 1).mean(), preds.emotion_proba[:, k].mean()]
        real += [y[:, k].mean(), got[:, k].mean()]
        assert [float(x) for x in said[:5]] == pytest.approx(real, abs=0.0005 + 1e-9), label
        assert [int(said[5]), int(said[8])] == [table[:, 2].sum(), table[2].sum()], label
        shares = [table[2, 2] / table[:, 2].sum(), table[1:, 2].sum() / table[:, 2].sum()]
        assert [float(x) for x in said[6:8]] == pytest.approx(shares, abs=0.005), label
        if table[2].sum():
            assert float(said[9]) == pytest.approx(table[2, 2] / table[2].sum(), abs=0.005)
        else:
            assert said[9] == none, label

    def pct(x: float) -> str:
        return f"{100 * x:.1f} %"

    anx, agg = (
        EMOTIONS.index(triage.Emotion("anxious")),
        EMOTIONS.index(triage.Emotion("aggrieved")),
    )
    assert (
        f"{pct((got[:, anx] >= 1).mean())} of dev is predicted anxious where "
        f"{pct((y[:, anx] >= 1).mean())} is labeled so, {pct((got[:, agg] >= 1).mean())} "
        f"aggrieved where {pct((y[:, agg] >= 1).mean())} is"
    ) in flat
    confused = EMOTIONS.index(triage.Emotion("confused"))
    assert (
        f", {preds.emotion_proba[:, confused].mean():.3f} against "
        f"{(got[:, confused] >= 1).mean():.3f})"
    ) in flat
    assert f"({got[:, agg].mean():.3f} against {y[:, agg].mean():.3f})" in flat
    angry = ev.intensity_confusion.loc["angry"].to_numpy()
    assert (
        f"of the {angry[:, 2].sum()} texts given angry 2, {angry[2, 2] / angry[:, 2].sum():.0%} "
        f"are labeled 2 and {angry[1:, 2].sum() / angry[:, 2].sum():.0%} angry"
    ).replace("%", " %") in flat
    nearer = 0
    primary = dev["primary"].to_numpy()
    groups = [c for c in map(str, triage.CATEGORIES) if (primary == c).sum() >= 40]
    for c in groups:
        g = primary == c
        for k in range(len(EMOTIONS)):
            labeled = (y[g, k] >= 1).mean()
            mean_gap = abs(preds.emotion_proba[g, k].mean() - labeled)
            nearer += mean_gap <= abs((got[g, k] >= 1).mean() - labeled)
    words = ("no", "one", "two", "three", "four", "five", "six")
    assert f"dev's {words[len(groups)]} labeled primary categories of 40" in flat
    assert f"in {nearer} of the {len(groups) * len(EMOTIONS)} pairs" in flat
    strong = dict(zip(map(str, EMOTIONS), model.thresholds_["strong"], strict=True))
    presence = dict(zip(map(str, EMOTIONS), model.thresholds_["presence"], strict=True))
    assert f"(anxious {presence['anxious']:.2f})" in flat
    assert "(0.21 and 0.24)" in flat and [strong["aggrieved"], strong["humorous"]] == [0.21, 0.24]
    # the polarity: its examples, and what it does with length on dev
    for text, value in re.findall(r"(\S+?) (?:is )?(0\.\d\d)\b", flat):
        if re.search("[\u4e00-\u9fff]", text) and "，" not in text:
            assert f"{triage.analyze(text).sentiment:.2f}" == value, text
    polarity = {
        t: round(triage.analyze(t).sentiment, 2)
        for t in (
            "物流太慢了。物流太慢了。",
            "物流太慢了。物流太慢了。物流太慢了。",
            "真是太好了，等了一个月",
            "？？？",
            "This is great service",
            "12345",
            "😡😡😡",
        )
    }
    assert list(polarity.values()) == [0.29, 0.20, 0.75, 0.08, 0.15, 0.5, 0.5]
    assert triage.analyze("真是太好了，等了一个月").emotions["humorous"] >= 1
    batch = " ".join((REPO / "docs/batch.md").read_text(encoding="utf-8").split())
    assert f"不满意 is {triage.analyze('不满意').sentiment:.2f}" in batch
    length = dev["text"].str.len().to_numpy()
    complaint = dev["categories"].to_numpy() != ""
    s = preds.sentiment
    mid = complaint & (length >= 50) & (length < 100)
    short = complaint & (length < 20)
    assert f"characters {(s[mid] < 0.1).mean():.0%} are under 0.1".replace("%", " %") in flat
    assert f"under 20 characters {(s[short] < 0.1).mean():.0%}".replace("%", " %") in flat
    assert (
        f"the mean of those two groups is {s[mid].mean():.2f} and {s[short].mean():.2f}, "
        f"their shares under 0.5 {(s[mid] < 0.5).mean():.0%} and {(s[short] < 0.5).mean():.0%}"
    ).replace("%", " %") in flat
    p4 = dev["priority"].to_numpy() == "P4"
    assert (
        f"complaints average {s[complaint].mean():.2f} and its P4 rows {s[p4].mean():.2f}" in flat
    )
    assert np.array_equal(triage.score_frame(dev[["text"]])["sentiment"].to_numpy(), s)
    assert [triage.analyze(t).sentiment for t in dev["text"]] == s.tolist()


def test_the_guides_recalibration_maps_a_probability_on_rows_it_did_not_fit() -> None:
    # the guide's example, run on dev with the shipped model: a monotone map in
    # [0, 1], fitted on one half (where it can only lower the Brier score) and
    # applied to the other
    import numpy as np

    from triage import retrain
    from triage._default import get_default_model

    section = _section("docs/retraining.md", "3. Tune per-label thresholds")
    (example,) = [block for block in _python(section) if "IsotonicRegression" in block]
    dev = triage.read_labeled(require_data("labeled", "dev.csv"))
    names: dict[str, Any] = {"triage": triage, "retrain": retrain, "dev": dev}
    names["model"] = get_default_model()
    exec(example, names)
    before, after = eval(example.strip().splitlines()[-1], names)
    assert (before, after) == (
        pytest.approx(np.mean((names["checked"]["prob_aggrieved"] - names["truth"]) ** 2)),
        pytest.approx(np.mean((names["mapped"] - names["truth"]) ** 2)),
    )
    probability, mapped = names["checked"]["prob_aggrieved"].to_numpy(), names["mapped"]
    assert ((mapped >= 0) & (mapped <= 1)).all() and len(set(mapped)) > 2
    order = np.argsort(probability)
    assert (np.diff(mapped[order]) >= 0).all()
    fit_rows, fitted = names["fit_rows"], names["fitted"]
    truth = fit_rows["aggrieved"].astype(int) > 0
    on_fit = names["mapping"].predict(fitted["prob_aggrieved"])
    assert np.mean((on_fit - truth) ** 2) <= np.mean((fitted["prob_aggrieved"] - truth) ** 2)
    said = " ".join(section.split())
    assert f"fitted on half of dev ({len(fit_rows)} rows)" in said


def test_model_readme_data_is_that_of_the_shipped_card() -> None:
    # the rows and fingerprints models/README.md gives are the card's
    from triage._default import default_model_path
    from triage.persist import read_card

    data = read_card(default_model_path())["training_data"]
    said = " ".join((REPO / "models" / "README.md").read_text(encoding="utf-8").split())
    assert f"{data['rows']} labeled complaints" in said
    assert f"{data['extra_rows']:,} weak rows" in said
    for key in ("fingerprint_sha256", "extra_fingerprint_sha256"):
        assert f"`{data[key][:16]}…`" in said, key


def test_retraining_comparison_with_the_shipped_model_names_how_it_was_made() -> None:
    # a model of triage.train's defaults, compared with the shipped one, was
    # judged on word vectors and weak rows it lacked, and nothing said so
    from triage._default import default_model_path
    from triage.persist import read_card

    card = read_card(default_model_path())
    section = _section("docs/retraining.md", "4. Is it better than the shipped model?")
    (command,) = re.findall(r"^```bash\n(.*?)^```", section, re.M | re.S)
    options = {"--corpus": card["params"]["word_vectors"] is not None}
    options |= {
        f"--{key.replace('_', '-')}": card["notes"][key] for key in ("calm_chats", "praise")
    }
    assert all(options.values()), options  # the shipped model is made with all three
    assert all(option in command.split() for option in options), command
    said = " ".join(section.split())
    assert "models/README.md" in said
    assert f"trained on `../shared/data/labeled/{card['notes']['train_file']}`" in said


def test_the_record_of_what_scored_a_file_is_shown_as_the_shipped_model_gives_it() -> None:
    # the example's hashes had stayed those of an earlier policy
    from triage.batch import scored_by

    text = (REPO / "docs/batch.md").read_text(encoding="utf-8")
    shown = re.search(r'# (\{"triage_version": .*\})', text)
    assert shown, "docs/batch.md no longer shows what scored_by gives"
    said = json.loads(shown[1].replace('..."', '"'))
    given = scored_by()
    assert said["triage_version"] == given["triage_version"]
    for key in ("model_sha256", "policy_sha256"):
        assert given[key] is not None and given[key].startswith(said[key]), key


def test_the_summary_line_of_what_scored_a_file_is_shown_as_triage_score_prints_it(
    tmp_path: Path,
) -> None:
    # the line that names the model and the policy, as the guide shows it
    from triage.batch import score_file, scored_by

    text = (REPO / "docs/batch.md").read_text(encoding="utf-8")
    shown = re.search(
        r"^\S+ rows?, \d+ errors?, \S+ s, (?:\S+ s of it loading the model, )?\S+ rows/s"
        r"(?: in the rest)?, model (\w+) \(default\), "
        r"policy (\w+) \(rules\.toml\), triage (\S+) -> scored\.csv$",
        text,
        re.M,
    )
    assert shown, "docs/batch.md no longer shows the summary's line of what scored a file"
    given = scored_by()
    assert shown.groups() == (
        str(given["model_sha256"])[:12],
        str(given["policy_sha256"])[:12],
        given["triage_version"],
    )
    (tmp_path / "in.csv").write_text("text\n快递一周还没到\n", encoding="utf-8")
    summary = score_file(tmp_path / "in.csv", tmp_path / "scored.csv")
    # the counts and seconds aside, and whether the model's load was long enough to say
    said = str(summary).partition(" rows/s")[2].removeprefix(" in the rest")
    shown_without_paths = shown[0].replace(" (default)", "").replace(" (rules.toml)", "")
    want = shown_without_paths.partition(" rows/s")[2].removeprefix(" in the rest")
    want = want.replace("scored.csv", str(summary.output))
    assert said == want


def test_the_record_beside_an_output_is_shown_with_the_keys_a_run_writes(tmp_path: Path) -> None:
    from triage.batch import score_file

    section = " ".join(_section("docs/batch.md", "Files: `triage score`").split())
    (shown,) = re.findall(r"```json (\{.*?\}) ```", section)
    said = json.loads(shown.replace('..."', '"'))
    (tmp_path / "in.csv").write_text("text\n快递一周还没到\n", encoding="utf-8")
    score_file(tmp_path / "in.csv", tmp_path / "scored.csv", record=True)
    assert "`_scored.csv.triage.json` beside `scored.csv`" in section
    record = json.loads((tmp_path / "_scored.csv.triage.json").read_text(encoding="utf-8"))
    assert list(said) == list(record)
    assert list(said["scored_by"]) == list(record["scored_by"])
    for key in ("model_sha256", "policy_sha256"):
        assert record["scored_by"][key].startswith(said["scored_by"][key]), key

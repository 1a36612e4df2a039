"""Every plot returns a matplotlib Figure that renders; matplotlib loads lazily."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="matplotlib is optional: pip install '.[notebook]'")

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from triage import analyze, evaluate
from triage.labeled import read_labeled
from triage.plots import (
    plot_categories,
    plot_comparison,
    plot_confusion,
    plot_cross_validation,
    plot_report,
)
from triage.retrain import CrossValidation, compare_models

from .test_retrain import DEMO, FakeModel


def renders(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue().startswith(b"\x89PNG")


def cell_counts(ax: Axes) -> list[list[int]]:
    """The count each cell of a heatmap reads, row by row."""
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    rows, cols = max(cells)[0] + 1, max(c for _, c in cells) + 1
    return [
        [int(cells[i, j].get_text().split("\n")[0].replace(",", "")) for j in range(cols)]
        for i in range(rows)
    ]


def cell_colour(ax: Axes, i: int, j: int) -> tuple[str, float] | None:
    """The colour map and share a heatmap's cell is coloured by; None when uncoloured."""
    import numpy as np

    coloured = [im for im in ax.images if not np.ma.getmaskarray(im.get_array())[i, j]]
    if not coloured:
        return None
    (im,) = coloured
    assert im.norm.vmin == 0 and im.norm.vmax == 1
    return im.get_cmap().name, float(im.get_array()[i, j])


@pytest.fixture(scope="module")
def demo():  # type: ignore[no-untyped-def]
    return read_labeled(DEMO)


def test_report_and_confusion(demo) -> None:  # type: ignore[no-untyped-def]
    ev = evaluate(FakeModel(demo, wrong=(1, 2)), demo)
    fig = plot_report(ev)
    renders(fig)
    assert len(fig.axes) == 3 and "24 rows" in fig.get_suptitle()
    fig = plot_confusion(ev, title="mine")
    renders(fig)
    assert fig.get_suptitle() == "mine"
    # the 2x2 counts of each label add up to the rows
    assert all(sum(row) == 24 for row in cell_counts(fig.axes[1]))


@pytest.mark.parametrize(
    ("axis", "counts"),
    [
        # 24 rows: 29 categories labeled, 36 emotions present, a level each
        (0, ["n=6", "n=5", "n=4", "n=4", "n=7", "n=3", "sum n=29"]),
        (1, ["n=17", "n=5", "n=4", "n=2", "n=8", "sum n=36"]),
        (2, ["n=2", "n=6", "n=12", "n=4", "sum n=24"]),
    ],
)
def test_report_says_the_macro_counts_labels_not_rows(demo, axis, counts) -> None:  # type: ignore[no-untyped-def]
    fig = plot_report(evaluate(FakeModel(demo), demo))
    notes = sorted(fig.axes[axis].texts, key=lambda a: a.xy[0])
    assert [a.get_text().split("\n")[1] for a in notes] == counts


def test_report_title_shows_undefined_figures_as_n_a(demo) -> None:  # type: ignore[no-untyped-def]
    calm = demo[demo["primary"] == ""].reset_index(drop=True)  # no complaint: no primary accuracy
    fig = plot_report(evaluate(FakeModel(calm), calm))
    renders(fig)
    assert "primary acc. n/a" in fig.get_suptitle() and "nan" not in fig.get_suptitle()


def test_report_title_rounds_each_figure_once(demo) -> None:  # type: ignore[no-untyped-def]
    # category macro-F1 0.89055: 0.891, as the bars' table has it, not 0.890 (0.8905 rounded)
    fig = plot_report(evaluate(FakeModel(demo, wrong=(5,)), demo))
    assert "category macro-F1 0.891," in fig.get_suptitle()


def test_confusion_counts_are_the_rows_counted(demo) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from triage.labeled import parse_labels

    # "process" predicted on exactly the rows without it (precision 0: every
    # prediction a false positive); "environment" neither labeled nor predicted
    frame = demo[~demo["categories"].str.contains("environment")].reset_index(drop=True)
    truth = parse_labels(frame).categories.astype(bool)
    preds = FakeModel(frame).predict_many(frame["text"].tolist())
    cats = preds.category_labels.copy()
    cats[:, 4] = ~truth[:, 4]
    preds = dataclasses.replace(preds, category_labels=cats)
    ev = evaluate(FakeModel(frame), frame, predictions=preds)
    ax = plot_confusion(ev).axes[1]
    counts = cell_counts(ax)
    n, n_process = len(frame), int(truth[:, 4].sum())
    assert counts[4] == [0, n_process, n - n_process, 0]  # TP FN FP TN
    assert counts[5] == [0, 0, 0, n]
    # every row of process missed, every prediction of it wrong; no share of environment's
    assert [cell_colour(ax, 4, j) for j in range(4)] == [
        ("Greens", 0.0),
        ("Reds", 1.0),
        ("Reds", 1.0),
        None,
    ]
    assert [cell_colour(ax, 5, j) for j in range(4)] == [None] * 4
    assert not any("nan" in t.get_text() for t in ax.texts)


def test_confusion_colours_errors_by_their_share_not_the_true_negatives(demo) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    # 24 rows, then the same with 2,400 more of no label and no emotion: true
    # negatives of every label, which left every other cell the palest colour
    calm = demo[demo["categories"] == ""]
    big = pd.concat([demo, *[calm] * 2_400], ignore_index=True)
    big["id"] = [f"row-{i}" for i in range(len(big))]
    figures = [plot_confusion(evaluate(FakeModel(f, wrong=(1, 2)), f)) for f in (demo, big)]
    for axis, rows in ((0, 3), (1, 6), (2, 5)):  # priority P1 to P3, categories, emotions
        small, large = (fig.axes[axis] for fig in figures)
        for i in range(rows):
            for j in range(4):
                if axis and j == 3:  # TN, uncoloured
                    assert cell_colour(small, i, j) is None is cell_colour(large, i, j)
                    continue
                assert cell_colour(small, i, j) == cell_colour(large, i, j), (axis, i, j)
        if axis:
            assert [row[3] for row in cell_counts(large)] == [
                row[3] + 2_400 * len(calm) for row in cell_counts(small)
            ]
    # the errors of spoiled rows are red, and read as such
    ax = figures[1].axes[1]
    errors = [cell_colour(ax, i, j) for i in range(6) for j in (1, 2)]
    assert any(c is not None and c[0] == "Reds" and c[1] >= 0.2 for c in errors)


def test_confusion_priority_is_coloured_by_share_of_the_labeled_level(demo) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    from sklearn.metrics import confusion_matrix

    from triage.labeled import parse_labels

    model = FakeModel(demo, wrong=(0, 1, 2, 3, 5, 8))
    ev = evaluate(model, demo)
    preds = model.predict_many(demo["text"].tolist())
    levels = ["P1", "P2", "P3", "P4"]
    predicted = [levels.index(str(preds.assessment(i).priority)) for i in range(len(demo))]
    shares = confusion_matrix(
        parse_labels(demo).priority, predicted, labels=range(4), normalize="true"
    )
    ax = plot_confusion(ev).axes[0]
    assert cell_counts(ax) == ev.priority_confusion.to_numpy().tolist()
    for i in range(4):
        for j in range(4):
            cmap, share = cell_colour(ax, i, j) or ("", np.nan)
            assert cmap == ("Greens" if i == j else "Reds")
            assert share == pytest.approx(shares[i, j])


def test_comparison(demo) -> None:  # type: ignore[no-untyped-def]
    cmp = compare_models(FakeModel(demo, wrong=(0, 3, 5)), FakeModel(demo), demo, n_boot=50)
    fig = plot_comparison(cmp)
    renders(fig)
    assert len(fig.axes[0].get_yticklabels()) == len(cmp.table)
    renders(plot_comparison(compare_models(FakeModel(demo), FakeModel(demo), demo, n_boot=0)))


def test_cross_validation(demo) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    ev = evaluate(FakeModel(demo), demo)
    per_label = pd.DataFrame(
        {
            "precision": [0.5, 0.6],
            "recall": [0.5, 0.6],
            "f1": [0.5, 0.6],
            "f1_std": [0.1, None],
            "support": [3, 4],
        },
        index=pd.MultiIndex.from_tuples([("category", "product"), ("emotion", "angry")]),
    )
    cv = CrossValidation(pd.DataFrame(), per_label, pd.DataFrame(), (ev, ev))
    fig = plot_cross_validation(cv)
    renders(fig)
    assert len(fig.axes) == 2 and "2-fold" in fig.get_suptitle()


def test_categories_from_a_frame_or_assessments(demo) -> None:  # type: ignore[no-untyped-def]
    renders(plot_categories(demo))
    fig = plot_categories([analyze(t) for t in demo["text"].head(5)])
    renders(fig)
    assert "5 complaints" in fig.get_suptitle()
    with pytest.raises(KeyError, match="priority"):
        plot_categories(demo.drop(columns="priority"))


def test_importing_plots_does_not_import_matplotlib() -> None:
    code = "import sys, triage.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("texts", "priorities"),
    [
        # 3 in P3: matplotlib's ticks would be 0, 0.5, 1, ... 3.0
        (["快递三天没动静", "包裹被压扁了", "快递员态度很差"], ["P3", "P3", "P3"]),
        # 19 and 1: ticks at 2.5, 5.0, ... 17.5
        ([f"第{i}次催单了还没发货" for i in range(20)], ["P3"] * 19 + ["P4"]),
    ],
)
def test_categories_counts_are_whole_numbers(texts: list[str], priorities: list[str]) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"categories": "logistics", "primary": "logistics", "priority": priorities, "text": texts}
    )
    fig = plot_categories(frame)
    fig.canvas.draw()
    for ax in fig.axes:
        ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
        assert ax.get_ylabel() == "complaints"


@pytest.mark.parametrize(
    ("drop", "axis", "label"),
    [
        # no row labeled or predicted environment: its F1 is undefined
        ("environment", 0, "environment"),
        # no row labeled or predicted humorous
        ("humorous", 1, "humorous"),
    ],
)
def test_report_marks_a_label_without_rows_n_a(demo, drop, axis, label) -> None:  # type: ignore[no-untyped-def]
    column = "categories" if axis == 0 else label
    keep = ~demo[column].str.contains(drop) if axis == 0 else demo[column] == "0"
    frame = demo[keep].reset_index(drop=True)
    fig = plot_report(evaluate(FakeModel(frame), frame))
    renders(fig)
    ax = fig.axes[axis]
    names = [t.get_text() for t in ax.get_xticklabels()]
    notes = {round(a.xy[0] - 0.27): (a.get_text(), a.xy[1]) for a in ax.texts}
    assert notes[names.index(label)] == ("n/a\nn=0", 0.0)
    assert not any("nan" in a.get_text() for a in fig.axes[0].texts + fig.axes[1].texts)


def test_cross_validation_marks_an_undefined_f1_n_a(demo) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    # environment: no fold had a row labeled or predicted with it; process: F1 0
    ev = evaluate(FakeModel(demo), demo)
    per_label = pd.DataFrame(
        {
            "precision": [0.8, 0.0, None],
            "recall": [0.7, 0.0, None],
            "f1": [0.75, 0.0, None],
            "f1_std": [0.05, 0.0, None],
            "support": [9, 4, 0],
        },
        index=pd.MultiIndex.from_tuples(
            [("category", "product"), ("category", "process"), ("category", "environment")]
        ),
    )
    cv = CrossValidation(pd.DataFrame(), per_label, pd.DataFrame(), (ev, ev))
    fig = plot_cross_validation(cv)
    renders(fig)
    notes = [(a.get_text(), a.xy) for a in fig.axes[0].texts]
    assert notes == [("n/a", (2, 0.0))]


def test_categories_counts_labels_written_with_spaces_or_read_as_nan(tmp_path: Path) -> None:
    import pandas as pd

    # a valid labeled file as a spreadsheet leaves it: spaces around the labels
    labeled = tmp_path / "labeled.csv"
    labeled.write_text(
        "text,categories,primary,angry,anxious,confused,humorous,aggrieved,priority\n"
        "快递五天没到，客服也不回, logistics | service ,logistics ,1,0,0,0,0,P3 \n"
        "杯子一倒热水就裂了,product,product,0,0,0,0,0, P2\n"
        "今天出去玩了一天,,,0,0,0,0,0,P4\n",
        encoding="utf-8",
    )
    frame = read_labeled(labeled)
    read_by_pandas = pd.read_csv(labeled)  # the empty cells are NaN
    for data in (frame, read_by_pandas):
        fig = plot_categories(data)
        mentioned, as_primary = (
            [int(b.get_height()) for b in fig.axes[0].patches][k * 6 : k * 6 + 6] for k in (0, 1)
        )
        assert mentioned == [1, 1, 1, 0, 0, 0]  # product, service, logistics
        assert as_primary == [1, 0, 1, 0, 0, 0]
        # the day out is a row of no category, no complaint: grey, over P4's complaints
        heights = [int(b.get_height()) for b in fig.axes[1].patches]
        assert heights == [0, 1, 1, 0, 0, 0, 0, 1]  # complaints, then rows of no category
        assert fig.get_suptitle() == "2 complaints (1 row of no category)"


@pytest.mark.parametrize(
    ("texts", "title"),
    [
        (["快递三天没动静", "客服态度很差"], "2 complaints"),
        # an empty text and a missing one are rows of score_frame with an error, not complaints
        (["快递三天没动静", "", None, "客服态度很差"], "2 complaints (2 rows not scored)"),
        (["", "   "], "0 complaints (2 rows not scored)"),
    ],
)
def test_categories_title_counts_the_complaints_scored(texts: list[str | None], title: str) -> None:
    import pandas as pd

    from triage import score_frame

    scored = score_frame(pd.DataFrame({"text": texts}))
    fig = plot_categories(scored)
    renders(fig)
    assert fig.get_suptitle() == title
    bars = fig.axes[1].patches
    assert sum(b.get_height() for b in bars) == int(title.split()[0])


@pytest.mark.parametrize(
    "name",
    [
        "category:product f1",
        "category:macro f1",
        "emotion:angry f1",
        "intensity:angry accuracy",  # exact intensity, not presence
        "primary:accuracy",
        "priority:accuracy",
        "priority:P1 recall",  # the P1 bar is its recall, not its F1
    ],
)
def test_comparison_names_the_figure_of_each_bar(demo, name: str) -> None:  # type: ignore[no-untyped-def]
    cmp = compare_models(FakeModel(demo, wrong=(0, 3)), FakeModel(demo), demo, n_boot=0)
    names = [t.get_text() for t in plot_comparison(cmp).axes[0].get_yticklabels()]
    assert name in names


@pytest.mark.parametrize(
    "wrong",
    [
        (),  # every F1 1.00: each value is written at the top, where the legend was
        (5,),
    ],
)
def test_report_legend_hides_no_figure(demo, wrong: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    fig = plot_report(evaluate(FakeModel(demo, wrong=wrong), demo))
    fig.draw_without_rendering()
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    assert len(legends) == 1
    box = legends[0].get_window_extent()
    texts = [fig._suptitle, *(t for ax in fig.axes for t in (*ax.texts, *ax.get_xticklabels()))]
    for text in texts:
        assert text is not None
        assert not box.overlaps(text.get_window_extent()), text.get_text()


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        # labels as a team may write them in its own spreadsheet: no bar counts them
        ("categories", "物流", "unknown category '物流' (write 'logistics')"),
        ("categories", "logistics|Service", "unknown category 'Service' (write 'service')"),
        ("categories", "物流，服务", "write 'logistics|service'"),
        ("primary", "Logistics", "unknown primary 'Logistics' (write 'logistics')"),
        ("priority", "p3", "unknown priority 'p3' (write 'P3')"),
        ("priority", "紧急", "unknown priority '紧急' (write 'P1')"),
        ("priority", 2, "unknown priority '2' (write 'P2')"),
        # score_frame's output read back and cast: its rows not scored are no level
        ("priority", "nan", "'nan' is what astype(str) makes of it"),
        ("priority", "P5", "unknown priority 'P5'; allowed: P1, P2, P3, P4, or empty"),
    ],
)
def test_categories_refuses_a_label_no_bar_counts(column: str, value: object, said: str) -> None:
    import pandas as pd

    from triage import LabelError

    # "(1 row not scored)" and no bar for the complaint was what the figure said of such a cell
    frame = pd.DataFrame(
        {
            "text": ["快递员把包裹扔在楼下就走了", "退款审核一周了", "洗衣机第一次用就漏水"],
            "categories": ["logistics", "process", "product"],
            "primary": ["logistics", "process", "product"],
            "priority": ["P3", "P3", "P2"],
        },
        dtype=object,
    )
    frame.loc[0, column] = value
    with pytest.raises(LabelError, match="no bar counts") as info:
        plot_categories(frame)
    assert isinstance(info.value, ValueError)
    assert f"{column}=" in str(info.value) and said in str(info.value), str(info.value)
    assert "(1 row)" in str(info.value)


def test_categories_counts_each_cell_as_its_rows_do() -> None:
    import pandas as pd

    # every way a frame may hold a label: spaces, NaN, None, pd.NA, a categorical
    # column with a category no row holds, a label repeated in its cell
    cells = {
        "categories": ["logistics|service", " logistics ", None, float("nan"), "product|product"],
        "primary": ["logistics", "logistics ", pd.NA, "", "product"],
        "priority": ["P2", " P3", None, "", "P1"],
    }
    frame = pd.DataFrame({k: v * 40_000 for k, v in cells.items()})
    levels = pd.CategoricalDtype(["", " P3", "P1", "P2", "紧急"])
    frame["priority"] = frame["priority"].astype(levels)
    fig = plot_categories(frame)
    heights = [int(b.get_height()) for b in fig.axes[0].patches]
    assert heights[:6] == [40_000, 40_000, 80_000, 0, 0, 0]  # mentioned
    assert heights[6:] == [40_000, 0, 80_000, 0, 0, 0]  # as primary
    assert [int(b.get_height()) for b in fig.axes[1].patches] == [40_000, 40_000, 40_000, 0]
    assert fig.get_suptitle() == "120,000 complaints (80,000 rows not scored)"


@pytest.mark.parametrize(
    ("rows", "title", "complaints", "no_category"),
    [
        (
            [("logistics", "P3"), ("", "P4"), ("", "P4")],
            "1 complaint (2 rows of no category)",
            [0, 0, 1, 0],
            [0, 0, 0, 2],
        ),
        # a threat to call the police over a leak, though of no category, is P1
        (
            [("", "P1"), ("product|service", "P2"), (" | ", "P4"), (None, "P4")],
            "1 complaint (3 rows of no category)",
            [0, 1, 0, 0],
            [1, 0, 0, 2],
        ),
        (
            [("", "P4"), (None, None), ("pricing", "P2")],
            "1 complaint (1 row of no category, 1 row not scored)",
            [0, 1, 0, 0],
            [0, 0, 0, 1],
        ),
        ([("", "P4")], "0 complaints (1 row of no category)", [0, 0, 0, 0], [0, 0, 0, 1]),
    ],
)
def test_categories_counts_rows_of_no_category_apart(
    rows: list[tuple[str | None, str | None]],
    title: str,
    complaints: list[int],
    no_category: list[int],
) -> None:
    import pandas as pd

    # "4 complaints" was said of a thank-you, a question and a day out too
    frame = pd.DataFrame(
        {
            "categories": [c for c, _ in rows],
            "primary": [(c or "").split("|")[0].strip() for c, _ in rows],
            "priority": [p for _, p in rows],
        }
    )
    for data in (frame, frame.astype({"categories": "category", "priority": "category"})):
        fig = plot_categories(data)
        renders(fig)
        assert fig.get_suptitle() == title
        heights = [int(b.get_height()) for b in fig.axes[1].patches]
        assert heights == complaints + no_category
        assert sum(heights[:4]) == int(title.split()[0])
        assert fig.axes[1].get_ylabel() == "rows"
        assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == ["no category"]


def test_categories_counts_assessments_of_no_category_apart() -> None:
    from triage import Priority
    from triage.results import Assessment

    scored = [analyze(t) for t in ("快递三天没动静", "退款审核一周了还没到账")]
    calm = [a for a in map(analyze, ("谢谢", "好的")) if not a.categories]
    assert len(calm) == 2 and all(a.priority == Priority.P4 for a in calm)
    assert all(isinstance(a, Assessment) and a.categories for a in scored)
    fig = plot_categories([*scored, *calm])
    assert fig.get_suptitle() == "2 complaints (2 rows of no category)"
    assert [int(b.get_height()) for b in fig.axes[1].patches][4:] == [0, 0, 0, 2]


def test_comparison_marks_an_undefined_delta_n_a(demo) -> None:  # type: ignore[no-untyped-def]
    # no row labeled or predicted environment, none labeled P1: those figures are
    # undefined, while both models find angry alike (a delta of 0, no bar either)
    keep = ~demo["categories"].str.contains("environment") & (demo["priority"] != "P1")
    frame = demo[keep].reset_index(drop=True)
    cmp = compare_models(FakeModel(frame, wrong=(0, 3)), FakeModel(frame), frame, n_boot=20)
    fig = plot_comparison(cmp)
    renders(fig)
    ax = fig.axes[0]
    at = {round(t.get_position()[1]): t.get_text() for t in ax.get_yticklabels()}
    marked = sorted(at[round(a.xy[1])] for a in ax.texts if a.get_text() == "n/a")
    assert marked == ["category:environment f1", "priority:P1 recall"]
    assert cmp.table.query("group == 'emotion' and label == 'angry'")["delta"].item() == 0


def test_no_figure_needs_a_cjk_font(demo) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.text import Text

    from triage import score_frame

    # the module's promise: every text a figure draws by default is in ASCII,
    # the scored frame's Chinese texts, routes and reasons included
    ev = evaluate(FakeModel(demo, wrong=(1, 2)), demo)
    cmp = compare_models(FakeModel(demo, wrong=(0, 3)), FakeModel(demo), demo, n_boot=0)
    figures = [
        plot_report(ev),
        plot_confusion(ev),
        plot_comparison(cmp),
        plot_categories(score_frame(demo[["text"]].head(8))),
        plot_categories(demo),
    ]
    for fig in figures:
        renders(fig)
        texts = [t.get_text() for t in fig.findobj(Text)]
        assert texts and all(t.isascii() for t in texts), [t for t in texts if not t.isascii()]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        # each failed with AttributeError: 'str' (or 'dict') object has no attribute 'categories'
        (lambda scored: scored["categories"], "a Series is one column: pass the frame"),
        (lambda scored: scored.to_dict("records"), "make one with pandas.DataFrame(rows)"),
        (lambda scored: "scored.csv", "read the file first"),
    ],
)
def test_categories_says_what_it_counts(data, said: str) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from triage import ParameterError

    scored = pd.DataFrame(
        {
            "categories": ["pricing"],
            "primary": ["pricing"],
            "priority": ["P2"],
            "text": ["多扣了20元"],
        }
    )
    with pytest.raises(ParameterError, match="must be a pandas DataFrame") as info:
        plot_categories(data(scored))
    assert isinstance(info.value, TypeError) and said in str(info.value)
    assert plot_categories([]).get_suptitle() == "0 complaints"


def test_categories_of_a_scored_labeled_frame_counts_what_prefix_says() -> None:
    import pandas as pd

    from triage import ParameterError, score_frame

    # labeled pricing, both; the model finds logistics and service: the figure of
    # score_frame(labeled, keep_input=True) drew the labels, as if predicted
    labeled = pd.DataFrame(
        {
            "text": ["快递三天没动静", "客服态度很差，问什么都不回"],
            "categories": ["pricing", "pricing"],
            "primary": ["pricing", "pricing"],
            "priority": ["P4", "P4"],
        }
    )
    scored = score_frame(labeled, keep_input=True)
    with pytest.raises(ParameterError, match='prefix="triage_" for the predictions'):
        plot_categories(scored)
    mentioned = {
        prefix: [
            int(b.get_height()) for b in plot_categories(scored, prefix=prefix).axes[0].patches
        ][:6]
        for prefix in ("triage_", "")
    }
    assert mentioned["triage_"] == [0, 1, 1, 0, 0, 0]  # service, logistics
    assert mentioned[""] == [0, 0, 0, 2, 0, 0]  # pricing
    # a frame of one set of columns needs no prefix; one of another is named
    assert plot_categories(score_frame(labeled[["text"]])).get_suptitle() == "2 complaints"
    with pytest.raises(KeyError, match="triage_priority"):
        plot_categories(labeled, prefix="triage_")
    with pytest.raises(ParameterError, match="prefix must be a str"):
        plot_categories(scored, prefix=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("keep", "said", "title"),
    [
        # a support team's file: no emotion, no priority
        (
            ["categories", "primary"],
            {1: "not evaluated\n(no column)", 2: "not evaluated\n(no column)"},
            ("category macro-F1", "primary acc."),
        ),
        # an analyst's: the priority alone
        (
            ["priority"],
            {0: "not evaluated\n(no column)", 1: "not evaluated\n(no column)"},
            ("priority acc.",),
        ),
    ],
)
def test_report_and_confusion_say_which_heads_the_rows_do_not_label(
    demo,  # type: ignore[no-untyped-def]
    keep: list[str],
    said: dict[int, str],
    title: tuple[str, ...],
) -> None:
    ev = evaluate(FakeModel(demo), demo[["text", *keep]])
    report = plot_report(ev)
    renders(report)
    for k, ax in enumerate(report.axes):
        texts = [t.get_text() for t in ax.texts]
        assert (texts == [said.get(k)]) == (k in said)
    figures = report.get_suptitle().split(": ", 1)[1].split(", ")
    assert [f.rsplit(" ", 1)[0] for f in figures] == list(title)
    confusion = plot_confusion(ev)
    renders(confusion)
    # the confusion's panels: priority, categories, emotions
    panels = {"priority": 0, "categories": 1, "emotions": 2}
    for head, k in panels.items():
        texts = [t.get_text() for t in confusion.axes[k].texts]
        assert (texts == ["not evaluated\n(no column)"]) == (head in ev.not_evaluated)

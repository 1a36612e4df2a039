"""Figures for notebooks and reports; each function returns a matplotlib Figure.

matplotlib is an optional dependency (``pip install '.[notebook]'`` from a checkout) and is
imported only inside these functions. Each figure is a bare
`matplotlib.figure.Figure`, built with the object API and never registered with
``pyplot``: figures made in a loop need no ``plt.close`` and are freed as any
object is, whatever the backend. Jupyter shows one as the value of a cell;
elsewhere, save it (``fig.savefig("categories.png")``), as ``plt.show()`` does
not know it.

A figure saved as PNG is the same bytes at every save (of one matplotlib);
as SVG or PDF it is not, matplotlib writing the date of the save into both
and drawing an SVG's ids at random. For figures kept in version control,
which then change only when the figure does, save an SVG with
``metadata={"Date": None}`` after setting
``matplotlib.rcParams["svg.hashsalt"] = "triage"`` (any fixed text), and a
PDF with ``metadata={"CreationDate": None}``: a PDF keeps its date given
``"Date"``, without a word.

Labels are in English so that no CJK font is needed. A ``title`` (or the
``names`` of `triage.retrain.compare_models`) in Chinese is drawn in
matplotlib's default font, which has no Chinese characters: each is a box, and
matplotlib warns ``Glyph ... missing from font(s) DejaVu Sans``. Name an
installed CJK font after the default one, and matplotlib takes each character
the first font lacks from the next:
``matplotlib.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans CJK SC", "sans-serif"]``
(``fc-list :lang=zh family`` lists those installed on Linux).

>>> import triage.plots  # importing does not import matplotlib
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from triage._io import is_missing
from triage._words import counted, shown
from triage.evaluation import figure_text
from triage.exceptions import ColumnError, LabelError, ParameterError
from triage.labeled import _PRIORITY_HINTS, _hint_key, _unknown, require_frame
from triage.labels import CATEGORIES, PRIORITIES

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from triage.evaluation import Evaluation
    from triage.results import Assessment
    from triage.retrain import Comparison, CrossValidation

__all__ = [
    "plot_categories",
    "plot_comparison",
    "plot_confusion",
    "plot_cross_validation",
    "plot_report",
]

_COLORS = {"precision": "#4C72B0", "recall": "#DD8452", "f1": "#55A868"}


def _figure(width: float, height: float, ncols: int = 1) -> tuple[Figure, list[Axes]]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "triage.plots needs matplotlib: pip install matplotlib "
            "(from a checkout of triage: pip install '.[notebook]')"
        ) from exc
    # A bare Figure (no pyplot) is not registered with any GUI backend; Jupyter
    # still displays it as the value of a cell.
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def _bars(ax: Axes, table: pd.DataFrame, title: str) -> None:
    """Grouped precision / recall / F1 bars, one group per label."""
    labels = [str(i) for i in table.index]
    x = np.arange(len(labels))
    width = 0.27
    for k, metric in enumerate(("precision", "recall", "f1")):
        ax.bar(
            x + (k - 1) * width,
            table[metric].to_numpy(dtype=float),
            width,
            label=metric,
            color=_COLORS[metric],
        )
    rows = zip(labels, table["f1"], table["support"], strict=True)
    for xi, (name, f1, support) in enumerate(rows):
        # an F1 no row defines (no row labeled or predicted) has no bar: say so at the base
        value = float(f1)
        defined = value == value
        # the macro's support adds up the labels': more than the rows when a
        # row has more than one, so not to be read as n rows
        n = f"{'sum n' if name == 'macro' else 'n'}={int(support)}"
        ax.annotate(
            f"{value:.2f}\n{n}" if defined else f"n/a\n{n}",
            (xi + width, value if defined else 0.0),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7,
        )
    ax.set_xticks(x, labels, rotation=30, ha="right")
    ax.set_ylim(0, 1.15)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)


def _not_evaluated(ax: Axes, title: str, why: str) -> None:
    """A panel of a head the labeled rows do not label: said, with no axes."""
    ax.text(0.5, 0.5, f"not evaluated\n({why})", ha="center", va="center", fontsize=10)
    ax.set_axis_off()
    ax.set_title(title)


def _why(evaluation: Evaluation, head: str) -> str:
    return evaluation.not_evaluated.get(head, "not labeled")


def plot_report(evaluation: Evaluation, *, title: str | None = None) -> Figure:
    """Per-label precision, recall and F1 of an `Evaluation` (categories, emotions, priority).

    Each label's bars are marked with its F1 and ``n=``, the rows labeled
    with it (its support). The macro's ``sum n=`` adds those up, a row
    counted once for each label it has: not the rows evaluated (the title's
    count), but more where rows have several categories or emotions, and
    fewer where rows have none. A panel of a head the rows do not label
    (`Evaluation.not_evaluated`) says so, and the title leaves out its
    figures.

    Parameters
    ----------
    evaluation : Evaluation
        From `triage.evaluate`.
    title : str, optional
        Figure title; the number of rows and headline figures when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = _figure(15, 4.2, 3)
    panels = (
        (axes[0], getattr(evaluation, "categories", None), "categories", "categories"),
        (axes[1], getattr(evaluation, "emotions", None), "emotions (presence)", "emotions"),
        (axes[2], getattr(evaluation, "priority", None), "priority (engine)", "priority"),
    )
    for ax, table, name, head in panels:
        if table is None:
            _not_evaluated(ax, name, _why(evaluation, head))
        else:
            _bars(ax, table, name)
    # below the panels: inside one, the legend hid the values written over its highest bars
    ax = next(ax for ax, table, _, _ in panels if table is not None)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", fontsize=8, ncols=3)
    s = evaluation.summary(places=None)
    named = (
        ("category_macro_f1", "category macro-F1"),
        ("primary_accuracy", "primary acc."),
        ("emotion_macro_f1", "emotion macro-F1"),
        ("priority_accuracy", "priority acc."),
    )
    figures = ", ".join(f"{name} {figure_text(s[key])}" for key, name in named if key in s)
    fig.suptitle(title or f"{counted(evaluation.n_rows, 'row')}: {figures}")
    return fig


def _heatmap(
    ax: Axes,
    counts: Any,
    shares: Any,
    right: Any,
    rows: Sequence[str],
    cols: Sequence[str],
) -> None:
    """Cells of `counts`, each coloured by its share in `shares` (0 to 1, on
    one scale for every figure): right answers green, errors red; a share
    that is NaN leaves its cell uncoloured. Each cell reads its count and
    the share its colour shows."""
    data = np.asarray(counts, dtype=float)
    share = np.asarray(shares, dtype=float)
    right = np.asarray(right, dtype=bool)
    undefined = np.isnan(share)
    for cmap, cells in (("Greens", right), ("Reds", ~right)):
        ax.imshow(
            np.ma.masked_array(np.nan_to_num(share), mask=~cells | undefined),
            cmap=cmap,
            vmin=0.0,
            vmax=1.0,
            aspect="auto",
        )
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            v = share[i, j]
            ax.text(
                j,
                i,
                f"{data[i, j]:,.0f}" if undefined[i, j] else f"{data[i, j]:,.0f}\n{v:.0%}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if v > 0.6 else "black",
            )
    ax.set_xticks(range(len(cols)), list(cols))
    ax.set_yticks(range(len(rows)), list(rows))
    # the uncoloured cells, and those of no share, as a blank figure is
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)


def _counts(table: pd.DataFrame, n_rows: int) -> Any:
    """TP, FN, FP, TN per label from recall, support and the predicted count."""
    labels = table.drop(index="macro", errors="ignore")
    support = labels["support"].to_numpy(dtype=float)
    predicted = labels["predicted"].to_numpy(dtype=float)
    recall = labels["recall"].to_numpy(dtype=float)
    # recall is undefined (NaN) exactly when no row has the label: no TP then
    tp = np.where(support > 0, np.round(np.nan_to_num(recall) * support), 0.0)
    fn = support - tp
    fp = predicted - tp
    tn = n_rows - tp - fn - fp
    return np.column_stack([tp, fn, fp, tn]), [str(i) for i in labels.index]


def _share(part: Any, whole: Any) -> Any:
    """`part` / `whole`; NaN where `whole` is 0."""
    part = np.asarray(part, dtype=float)
    whole = np.broadcast_to(np.asarray(whole, dtype=float), part.shape)
    return np.divide(part, whole, out=np.full(part.shape, np.nan), where=whole > 0)


def plot_confusion(evaluation: Evaluation, *, title: str | None = None) -> Figure:
    """Confusion matrices of an `Evaluation`, the errors in red.

    Left: priority, labeled levels in rows, predicted in columns; each cell
    is coloured by its share of the rows labeled with its level, as
    scikit-learn's ``ConfusionMatrixDisplay`` with ``normalize="true"``
    colours them: the diagonal is each level's recall, in green, and a P1
    labeled row of ten found as P4 is a red cell of 10 %, however many rows
    of P3 there are. Middle and right: the counts of each category and each
    emotion (presence), one row per label: true positives, false negatives,
    false positives, true negatives. TP and FN are coloured by their share
    of the rows labeled with the label (recall, and what it misses), FP by
    its share of the rows predicted with it (what the precision misses); TN,
    most of the rows of a rare label, is left uncoloured. Each cell reads its
    count, then the share its colour shows. Colours are on one scale, 0 to
    100 %, in every figure, so that figures of different rows compare.
    A panel of a head the rows do not label (`Evaluation.not_evaluated`)
    says so.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axes = _figure(15, 4.2, 3)
    levels = [str(p) for p in PRIORITIES]
    if "priority" not in evaluation.heads:
        _not_evaluated(axes[0], "priority", _why(evaluation, "priority"))
    else:
        conf = evaluation.priority_confusion.reindex(index=levels, columns=levels, fill_value=0)
        matrix = conf.to_numpy(dtype=float)
        shares = _share(matrix, matrix.sum(axis=1, keepdims=True))
        _heatmap(axes[0], matrix, shares, np.eye(len(levels), dtype=bool), levels, levels)
        axes[0].set_xlabel("predicted (share of the labeled level)")
        axes[0].set_ylabel("labeled")
        axes[0].set_title("priority")
    cols = ["TP", "FN", "FP", "TN"]
    for ax, table, name, head in (
        (axes[1], getattr(evaluation, "categories", None), "categories", "categories"),
        (axes[2], getattr(evaluation, "emotions", None), "emotions (presence)", "emotions"),
    ):
        if table is None:
            _not_evaluated(ax, name, _why(evaluation, head))
            continue
        counts, labels = _counts(table, evaluation.n_rows)
        tp, fn, fp = counts[:, 0:1], counts[:, 1:2], counts[:, 2:3]
        shares = np.hstack(
            [
                _share(tp, tp + fn),
                _share(fn, tp + fn),
                _share(fp, tp + fp),
                np.full_like(tp, np.nan),
            ]
        )
        right = np.broadcast_to(np.array([True, False, False, True]), counts.shape)
        _heatmap(ax, counts, shares, right, labels, cols)
        ax.set_xlabel("TP, FN: share of rows labeled; FP: of rows predicted")
        ax.set_title(name)
    fig.suptitle(title or f"confusion on {counted(evaluation.n_rows, 'row')}")
    return fig


def plot_comparison(comparison: Comparison, *, title: str | None = None) -> Figure:
    """Deltas (candidate minus baseline) of every figure, with 95 % bootstrap intervals.

    Each bar is named by its group, label and metric (``priority:P1 recall``).
    Green: the interval is above 0; red: below 0; grey: it contains 0. A
    figure the rows leave undefined for a model (P1 recall without P1 rows,
    the F1 of a label neither labeled nor predicted) has no bar but "n/a".

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = comparison.table
    # the figure of each bar: the F1 of a label, exact intensity accuracy, P1's recall
    names = [
        f"{g}:{lbl}" if lbl == metric else f"{g}:{lbl} {metric}"
        for g, lbl, metric in zip(table["group"], table["label"], table["metric"], strict=True)
    ]
    delta = table["delta"].to_numpy(dtype=float)
    low = table["ci_low"].to_numpy(dtype=float)
    high = table["ci_high"].to_numpy(dtype=float)
    fig, axes = _figure(8, 0.28 * len(names) + 1.5)
    ax = axes[0]
    y = np.arange(len(names))[::-1]
    colors = [
        "#2ca02c" if lo > 0 else "#d62728" if hi < 0 else "#7f7f7f"
        for lo, hi in zip(low, high, strict=True)
    ]
    err = np.vstack([np.nan_to_num(delta - low), np.nan_to_num(high - delta)])
    ax.barh(y, delta, color=colors, alpha=0.8)
    ax.errorbar(delta, y, xerr=np.abs(err), fmt="none", ecolor="black", capsize=2, lw=0.8)
    ax.axvline(0, color="black", lw=0.8)
    # a delta the rows leave undefined has no bar, as a delta of 0 has none: say so
    for yi in y[np.isnan(delta)]:
        ax.annotate(
            "n/a",
            (0.0, int(yi)),
            xytext=(3, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel(f"{comparison.names[1]} - {comparison.names[0]}")
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(
        title
        or f"{comparison.names[1]} vs {comparison.names[0]} on "
        f"{counted(comparison.n_rows, 'row')} ({counted(comparison.n_boot, 'bootstrap resample')})"
    )
    return fig


def plot_cross_validation(cv: CrossValidation, *, title: str | None = None) -> Figure:
    """Mean F1 per label over the folds, with the spread (one standard deviation).

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = cv.per_label
    groups = list(dict.fromkeys(str(g) for g, _ in table.index))
    fig, axes = _figure(5 * len(groups), 3.8, len(groups))
    for ax, group in zip(axes, groups, strict=True):
        part = table.loc[group]
        x = np.arange(len(part))
        ax.bar(
            x,
            part["f1"].to_numpy(dtype=float),
            yerr=np.nan_to_num(part["f1_std"].to_numpy(dtype=float)),
            color=_COLORS["f1"],
            capsize=3,
        )
        # an F1 no fold defines (no row labeled or predicted) has no bar, nor has an F1 of 0
        for xi in np.flatnonzero(np.isnan(part["f1"].to_numpy(dtype=float))):
            ax.annotate("n/a", (int(xi), 0.0), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, [str(i) for i in part.index], rotation=30, ha="right")
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{group} F1")
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(title or f"{cv.folds}-fold cross-validation")
    return fig


def _cell(value: Any) -> str:
    """A cell of a frame to count: stripped; "" when missing (NaN, None, ``pd.NA``)."""
    return "" if is_missing(value) else str(value).strip()


def _tally(column: pd.Series[Any]) -> dict[str, int]:
    """How many rows hold each cell of `column`, read as `_cell` reads it.

    Each distinct cell is read once: a year of scored complaints holds a few
    dozen of them.
    """
    try:
        distinct = column.value_counts(dropna=False, sort=False)
    except TypeError:  # unhashable cells (lists): each as its text
        distinct = column.map(_cell).value_counts(dropna=False, sort=False)
    counts: dict[str, int] = {}
    for value, n in zip(distinct.index.tolist(), distinct.tolist(), strict=True):
        if not n:  # a category of a categorical column no row holds
            continue
        key = _cell(value)
        counts[key] = counts.get(key, 0) + int(n)
    return counts


def _unknown_priority(level: str) -> str:
    """The problem of a priority outside P1 to P4, naming the level it may stand for."""
    hint = _PRIORITY_HINTS.get(_hint_key(level))
    if hint:
        fix = f" (write {hint!r})"
    elif _hint_key(level) == "nan":
        fix = " (leave the cell empty for a row not scored; 'nan' is what astype(str) makes of it)"
    else:
        fix = ""
    return f"unknown priority {shown(level)}{fix}; allowed: P1, P2, P3, P4, or empty"


def _labels(cell: str) -> set[str]:
    """The labels of a categories cell as `_cell` reads it: ``" logistics | service "``
    holds logistics and service, ``""`` and ``"|"`` none."""
    return {c.strip() for c in cell.split("|")} - {""}


def _no_category(column: pd.Series[Any]) -> Any:
    """Which rows of a categories column hold no label (missing, empty, only
    spaces and ``|``), each distinct cell read once, as `_tally` reads it."""
    try:
        distinct = column.value_counts(dropna=False, sort=False).index.tolist()
    except TypeError:  # unhashable cells (lists): each as its text
        return column.map(lambda value: not _labels(_cell(value))).to_numpy(dtype=bool)
    empty = [v for v in distinct if not is_missing(v) and not _labels(_cell(v))]
    return (column.isna() | column.isin(empty)).to_numpy(dtype=bool)


def _frame_counts(data: pd.DataFrame) -> tuple[list[int], list[int], list[int], list[int], int]:
    """Rows mentioning each category, with it as primary, of a category at
    each priority level, of no category at each level, and without a
    priority; `LabelError` for a label outside the definitions, which no bar
    would count."""
    names = [str(c) for c in CATEGORIES]
    levels = [str(p) for p in PRIORITIES]
    mentioned = dict.fromkeys(names, 0)
    as_primary = dict.fromkeys(names, 0)
    by_level = dict.fromkeys(levels, 0)
    uncategorised = dict.fromkeys(levels, 0)
    unscored = 0
    problems: list[tuple[str, int]] = []
    # cells as a labeled file may hold them: spaces around a label, empty read as NaN
    for cell, n in _tally(data["categories"]).items():
        for label in sorted(_labels(cell)):
            if label in mentioned:
                mentioned[label] += n
            else:
                problems.append((f"categories={shown(cell)}: {_unknown('category', label)}", n))
    for cell, n in _tally(data["primary"]).items():
        if cell in as_primary:
            as_primary[cell] += n
        elif cell:
            problems.append((f"primary={shown(cell)}: {_unknown('primary', cell)}", n))
    for cell, n in _tally(data["priority"]).items():
        if cell in by_level:
            by_level[cell] += n
        elif not cell:  # a row score_frame could not score (its error column says why)
            unscored += n
        else:
            problems.append((f"priority={shown(cell)}: {_unknown_priority(cell)}", n))
    if problems:
        shown_problems = "\n".join(
            f"  {problem} ({counted(n, 'row')})" for problem, n in problems[:5]
        )
        more = f"\n  ... and {counted(len(problems) - 5, 'more cell')}" if len(problems) > 5 else ""
        raise LabelError(
            "plot_categories counts the labels of the label definitions; "
            f"no bar counts these:\n{shown_problems}{more}"
        )
    # a row scored of no category (a thank-you, a question) is no complaint,
    # though it has a level (P4, or P1 for a threat to call the police)
    for cell, n in _tally(data["priority"][_no_category(data["categories"])]).items():
        if cell in uncategorised:
            uncategorised[cell] += n
            by_level[cell] -= n
    return (
        list(mentioned.values()),
        list(as_primary.values()),
        list(by_level.values()),
        list(uncategorised.values()),
        unscored,
    )


#: The columns `plot_categories` counts, after the prefix it is given.
_COUNTED = ("categories", "primary", "priority")


def _counted_columns(data: pd.DataFrame, prefix: str | None) -> pd.DataFrame:
    """The three columns `plot_categories` counts, by their plain names."""
    if prefix is None:
        if all(c in data.columns and f"triage_{c}" in data.columns for c in _COUNTED):
            raise ParameterError(
                "plot_categories' data holds labels of its own (categories, primary, "
                "priority) beside score_frame's predictions of them (triage_categories, "
                "triage_primary, triage_priority), as score_frame(frame, keep_input=True) "
                'writes them for a labeled frame; say which to count: prefix="triage_" '
                'for the predictions, prefix="" for the labels'
            )
        prefix = ""
    elif not isinstance(prefix, str):
        raise ParameterError(
            f'prefix must be a str, such as "triage_", got {type(prefix).__name__}'
        )
    names = [prefix + c for c in _COUNTED]
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise ColumnError(
            f"plot_categories needs the columns {', '.join(names[:2])} and {names[2]}; "
            f"missing {missing}"
        )
    return data if not prefix else data[names].set_axis(list(_COUNTED), axis=1)


def plot_categories(
    data: pd.DataFrame | Iterable[Assessment],
    *,
    title: str | None = None,
    prefix: str | None = None,
) -> Figure:
    """How many complaints fall in each category and each priority level.

    Parameters
    ----------
    data : DataFrame or iterable of Assessment
        The output of `triage.score_frame` (columns ``categories``, ``primary``
        and ``priority``), a labeled frame, or assessments from `analyze`.
        A complaint is a row of a category. Rows of none (a thank-you, a
        question about an invoice) are no complaints, though scored with a
        level: the priority panel stacks them over the complaints of their
        level, grey, and the title counts them apart, as it does rows
        without a priority (those score_frame gave an error).
    title : str, optional
        Figure title; the number of complaints (and of rows of no category
        and rows not scored) when omitted.
    prefix : str, optional
        Count a frame's columns of this prefix: ``prefix="triage_"`` counts
        the predictions of a scored labeled frame (``score_frame(frame,
        keep_input=True)`` writes them as ``triage_categories``,
        ``triage_primary`` and ``triage_priority``, beside the labels), and
        ``prefix=""`` the labels. Required for such a frame; when omitted,
        the columns ``categories``, ``primary`` and ``priority``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        `data` is neither a pandas DataFrame nor Assessments (a column, rows
        as dicts, a path); the message says how to make a frame of it. Or
        `data` holds both labels and score_frame's predictions of them and
        `prefix` does not say which to count, or `prefix` is no str.
    ColumnError
        A column of the three is missing.
    LabelError
        A cell holds a label outside the label definitions (``物流``,
        ``Logistics``, ``p1``), which no bar would count; the message names
        the label it may stand for.
    """
    import pandas as pd

    names = [str(c) for c in CATEGORIES]
    levels = [str(p) for p in PRIORITIES]
    if isinstance(data, pd.DataFrame):
        counted_columns = _counted_columns(data, prefix)
        mentioned, as_primary, by_level, uncategorised, unscored = _frame_counts(counted_columns)
    else:
        from triage.results import Assessment

        # a column, a path or rows as dicts failed on their first item's attribute
        other = isinstance(data, str | os.PathLike | pd.Series)
        items = [] if other else list(data)
        if other or not all(isinstance(a, Assessment) for a in items):
            require_frame(data, "plot_categories' data (unless Assessments from analyze)")
        cats = [{str(c) for c in a.categories} for a in items]
        primary = [str(a.primary) if a.primary is not None else "" for a in items]
        priority = [str(a.priority) for a in items]
        mentioned = [sum(n in row for row in cats) for n in names]
        as_primary = [sum(p == n for p in primary) for n in names]
        by_level = [
            sum(p == lvl for p, c in zip(priority, cats, strict=True) if c) for lvl in levels
        ]
        uncategorised = [
            sum(p == lvl for p, c in zip(priority, cats, strict=True) if not c) for lvl in levels
        ]
        unscored = 0  # analyze scores every text it is given

    fig, axes = _figure(11, 3.8, 2)
    from matplotlib.ticker import MaxNLocator  # after _figure, which says how to install it

    x = np.arange(len(names))
    axes[0].bar(x - 0.2, mentioned, 0.4, label="mentioned", color="#4C72B0")
    axes[0].bar(x + 0.2, as_primary, 0.4, label="primary", color="#DD8452")
    axes[0].set_xticks(x, names, rotation=30, ha="right")
    axes[0].set_title("categories")
    axes[0].legend(fontsize=8)
    axes[1].bar(levels, by_level, color=["#d62728", "#ff7f0e", "#1f77b4", "#7f7f7f"])
    axes[1].set_title("priority")
    for ax in axes:
        ax.grid(axis="y", alpha=0.3)
        ax.set_ylabel("complaints")
        # counts: no tick at 2.5 complaints
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if any(uncategorised):
        axes[1].bar(
            levels,
            uncategorised,
            bottom=by_level,
            color="#d9d9d9",
            hatch="//",
            edgecolor="white",
            label="no category",
        )
        axes[1].legend(fontsize=8)
        axes[1].set_ylabel("rows")
    apart = [
        f"{counted(n, 'row')} {said}"
        for n, said in ((sum(uncategorised), "of no category"), (unscored, "not scored"))
        if n
    ]
    fig.suptitle(
        title or counted(sum(by_level), "complaint") + (f" ({', '.join(apart)})" if apart else "")
    )
    return fig

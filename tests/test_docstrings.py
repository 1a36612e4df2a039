"""The public docstrings say what the signatures take.

An IDE shows a function's "Parameters" section beside its signature: a
parameter the section leaves out is one a reader cannot look up, one it names
and the signature lacks is a TypeError waiting, and a default it states
otherwise misleads.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import triage
from triage.classify import classify

# the submodules the README and docs/ have readers import from
DOCUMENTED_MODULES = [
    "triage.batch",
    "triage.plots",
    "triage.retrain",
    "triage.vectors",
    "triage.weak",
]

_SECTION = re.compile(r"^(\w[\w ]*)\n-{3,}$", re.MULTILINE)
# ``name : type``, ``a, b : type``, ``**params``: a parameter's entry line
_ENTRY = re.compile(r"(\*{0,2}\w+(?:, \*{0,2}\w+)*)(?: : (.*))?")


def _public() -> Iterator[tuple[str, Any]]:
    """Every public name: the package's, then the documented submodules'."""
    seen: set[int] = set()
    modules = [("triage", triage)] + [(m, importlib.import_module(m)) for m in DOCUMENTED_MODULES]
    for prefix, module in modules:
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.ismodule(value):  # triage.classify, once its module is imported by name
                value = getattr(value, name)
            if id(value) not in seen:
                seen.add(id(value))
                yield f"{prefix}.{name}", value


def _callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Public functions, and the public methods of public classes."""
    for name, value in _public():
        if inspect.isfunction(value):
            yield name, value
        elif inspect.isclass(value) and not issubclass(value, BaseException):
            yield name, value
            for attr, member in vars(value).items():
                if isinstance(member, classmethod | staticmethod):
                    member = member.__func__
                if not attr.startswith("_") and inspect.isfunction(member):
                    yield f"{name}.{attr}", member


def _section(doc: str | None, title: str) -> list[str] | None:
    """The entry lines (name and type) of a numpydoc section, None without one."""
    text = inspect.cleandoc(doc or "")
    heads = list(_SECTION.finditer(text))
    for i, head in enumerate(heads):
        if head[1] == title:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            lines = text[head.end() : end].splitlines()
            entries = []
            for line in lines:
                if line and not line[0].isspace():
                    if not _ENTRY.fullmatch(line):
                        break  # prose after the entries
                    entries.append(line)
            return entries
    return None


def _documented(entries: list[str]) -> dict[str, str]:
    """Each documented name with its type line."""
    out = {}
    for line in entries:
        found = _ENTRY.fullmatch(line)
        assert found is not None
        for name in found[1].split(", "):
            out[name] = found[2] or ""
    return out


def _parameters(function: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    prefix = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return {
        prefix.get(p.kind, "") + name: p
        for name, p in inspect.signature(function).parameters.items()
        if name not in ("self", "cls")
    }


def _checked() -> list[tuple[str, Callable[..., Any]]]:
    return [(n, f) for n, f in _callables() if _section(f.__doc__, "Parameters") is not None]


def test_every_public_function_and_method_has_a_docstring() -> None:
    # help() and an IDE show nothing else for it
    assert [name for name, f in _callables() if not (f.__doc__ or "").strip()] == []


def test_the_checker_reads_the_parameters_of_the_public_api() -> None:
    # so that a docstring format it no longer reads fails here, not silently
    names = {name for name, _ in _checked()}
    assert {"triage.analyze", "triage.TriageModel", "triage.batch.score_file"} <= names
    assert len(names) >= 30


@pytest.mark.parametrize("function", [pytest.param(f, id=n) for n, f in _checked()])
def test_a_parameters_section_names_each_parameter_of_the_signature(
    function: Callable[..., Any],
) -> None:
    documented = _documented(_section(function.__doc__, "Parameters") or [])
    taken = _parameters(function)
    assert {
        "undocumented": [p for p in taken if p not in documented],
        "not taken": [p for p in documented if p not in taken],
    } == {"undocumented": [], "not taken": []}


def _said(default: str) -> str:
    """A default as a docstring writes it, as its repr is: ``200_000`` is 200000."""
    return default.replace("_", "") if re.fullmatch(r"[\d_.]+", default) else default


@pytest.mark.parametrize("function", [pytest.param(f, id=n) for n, f in _checked()])
def test_a_default_the_docstring_states_is_the_signatures(function: Callable[..., Any]) -> None:
    taken = _parameters(function)
    wrong = {}
    for line in _section(function.__doc__, "Parameters") or []:
        found = _ENTRY.fullmatch(line)
        assert found is not None
        spec = found[2] or ""
        if "," in found[1] or found[1] not in taken:
            continue  # a group shares its line, or the test above names it
        default = taken[found[1]].default
        stated = re.search(r"\bdefault (.+)$", spec)
        if stated:
            if _said(stated[1]).replace("'", '"') != repr(default).replace("'", '"'):
                wrong[found[1]] = (stated[1], default)
        elif spec.endswith("optional") and default is inspect.Parameter.empty:
            wrong[found[1]] = ("optional", "required")
    assert wrong == {}


def _as_for(function: Callable[..., Any]) -> Iterator[tuple[str, Callable[..., Any]]]:
    """Each parameter documented as ``As for `other`.``, with that `other`."""
    text = inspect.cleandoc(function.__doc__ or "")
    for entry in _section(function.__doc__, "Parameters") or []:
        after = text.split(f"\n{entry}\n", 1)[1].lstrip()
        found = re.match(r"As for `(\w+)`", after)
        if found:
            other = getattr(inspect.getmodule(function), found[1])
            for name in entry.split(" : ")[0].split(", "):
                yield name, other


@pytest.mark.parametrize("function", [pytest.param(f, id=n) for n, f in _checked()])
def test_a_parameter_documented_as_another_functions_has_its_default(
    function: Callable[..., Any],
) -> None:
    # "as for score_frame" told a reader of score_file its chunk_size was 5000
    taken = _parameters(function)
    assert {
        name: (taken[name].default, _parameters(other)[name].default)
        for name, other in _as_for(function)
        if taken[name].default != _parameters(other)[name].default
    } == {}


def _dataclasses() -> list[tuple[str, type]]:
    return [
        (name, value)
        for name, value in _public()
        if inspect.isclass(value)
        and dataclasses.is_dataclass(value)
        and _section(value.__doc__, "Attributes") is not None
    ]


@pytest.mark.parametrize("cls", [pytest.param(c, id=n) for n, c in _dataclasses()])
def test_an_attributes_section_names_each_field(cls: type) -> None:
    documented = _documented(_section(cls.__doc__, "Attributes") or [])
    fields = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
    assert {
        "undocumented": [f for f in fields if f not in documented],
        "no field": [d for d in documented if d not in fields and not hasattr(cls, d)],
    } == {"undocumented": [], "no field": []}


@pytest.mark.parametrize(
    "function",
    [
        triage.analyze,
        classify,
        triage.score_emotions,
        triage.explain,
        triage.normalize,
        triage.segment,
        triage.prioritize,
    ],
)
def test_a_function_of_one_text_documents_the_errors_it_raises(function: Any) -> None:
    # each raises InvalidTextError for a text that is no str, and
    # ParameterError for an option or a model it cannot use
    documented = _documented(_section(function.__doc__, "Raises") or [])
    expected = {"InvalidTextError"}
    if len(_parameters(function)) > 1:
        expected.add("ParameterError")
    assert expected <= set(documented)
    args: list[Any] = [None]
    if function is triage.prioritize:
        args += [triage.classify("快递还没到"), triage.score_emotions("快递还没到")]
    with pytest.raises(triage.InvalidTextError):
        function(*args)


def test_the_package_docstring_names_each_public_function() -> None:
    # help(triage) opens with it: the map of what to call for what
    functions = [name for name, value in _public() if inspect.isfunction(value)]
    functions = [name.removeprefix("triage.") for name in functions if name.count(".") == 1]
    doc = triage.__doc__ or ""
    assert [name for name in functions if f"`{name}`" not in doc] == []


_MODELS = re.compile(r"\b(?:TriageModel|LexiconModel)\b")


@pytest.mark.parametrize("function", [pytest.param(f, id=n) for n, f in _checked()])
def test_a_parameter_documented_to_take_a_model_is_typed_to_take_it(
    function: Callable[..., Any],
) -> None:
    # score_frame took the lexicon baseline, but was typed and documented to take
    # a TriageModel alone; evaluate was documented to take it, but typed Any
    documented = _documented(_section(function.__doc__, "Parameters") or [])
    taken = _parameters(function)
    as_for = dict(_as_for(function))
    differ = {}
    for name, spec in documented.items():
        if name not in taken:
            continue  # the test above names it
        typed = str(taken[name].annotation)
        if name in as_for:
            spec = str(_parameters(as_for[name])[name].annotation)
        if set(_MODELS.findall(spec)) != set(_MODELS.findall(typed)) or (
            _MODELS.search(typed) and re.search(r"\bAny\b", typed)
        ):
            differ[name] = (spec, typed)
    assert differ == {}

"""What the sdist and the wheel hold: the package, its data and its model, nothing else."""

from __future__ import annotations

from pathlib import Path

import triage


def test_the_package_says_it_is_typed() -> None:
    # PEP 561: without the marker, mypy treats an installed triage as untyped
    assert Path(triage.__file__).with_name("py.typed").is_file()

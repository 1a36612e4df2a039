"""Large containers of strings, pickled as one object.

`joblib.load` unpickles with Python's pure-Python unpickler (so that it can
read numpy arrays in place), at about a microsecond per pickle opcode; a dict
of 50,000 words is some 200,000 opcodes. Pickled first by the C pickler into
one ``bytes`` object, the same dict is a single opcode for joblib and a few
milliseconds for `pickle.loads`. This way `joblib.load` of the default
model took 0.17 s instead of 0.45 s.

The bytes are only unpickled from inside a model file that `load_model` has
already checked against its card, so this adds no new way to run code.
"""

from __future__ import annotations

import pickle
from typing import Any


def freeze(value: Any) -> bytes:
    """`value` pickled by the C pickler, for a ``__getstate__``."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def thaw(value: Any) -> Any:
    """The inverse of `freeze`, for a ``__setstate__``; other values pass unchanged.

    Model files of format version 1 hold the containers themselves.

    >>> thaw(freeze({"快递": 3}))
    {'快递': 3}
    >>> thaw({"快递": 3})
    {'快递': 3}
    """
    return pickle.loads(value) if isinstance(value, bytes) else value

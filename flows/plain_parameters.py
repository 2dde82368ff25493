"""A Prefect Flow whose run parameters, when they are plain JSON values already, are stored as they are.

Prefect stores a flow run's parameters after passing each through FastAPI's `jsonable_encoder`.
Importing FastAPI for that costs ~0.16 s on the first run of a process, about a twelfth of a
`budgetlake run` over a few PDFs. The `ingest` flow's parameters are strings, lists of strings,
booleans, integers and None: for those the encoder returns an equal value (a tuple becomes a list),
so they are copied instead. Any other value goes through Prefect's own encoding, unchanged.
"""

from __future__ import annotations

import math
from typing import Any

from prefect.flows import Flow

JSON_SCALAR_TYPES = (str, int, bool, type(None))  # exact types: a str Enum or an int subclass is left to Prefect


class NotPlainJson(ValueError):
    """A value that is not a plain JSON value (see plain_json)."""


def plain_json(value: Any) -> Any:
    """A copy of `value` as JSON data (tuples become lists); NotPlainJson for anything else.

    Plain: str, int, bool, None, a finite float, and lists, tuples and str-keyed dicts of those.
    """
    kind = type(value)
    if kind in JSON_SCALAR_TYPES:
        return value
    if kind is float:
        if not math.isfinite(value):
            raise NotPlainJson(f"not a finite number: {value!r}")
        return value
    if kind in (list, tuple):
        return [plain_json(item) for item in value]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise NotPlainJson("a dict with a key that is not a str")
        return {key: plain_json(item) for key, item in value.items()}
    raise NotPlainJson(f"not a plain JSON value: {kind.__name__}")


class PlainParametersFlow(Flow):
    """A Flow that stores plain JSON parameters as they are (see the module docstring)."""

    def serialize_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        if self.ismethod or self.isclassmethod:  # Prefect drops the bound self/cls: leave that to it
            return super().serialize_parameters(parameters)
        try:
            return {key: plain_json(value) for key, value in parameters.items()}
        except NotPlainJson:
            return super().serialize_parameters(parameters)


def plain_parameters_flow(**options: Any):
    """Like `prefect.flow(**options)`, making a PlainParametersFlow."""
    return lambda function: PlainParametersFlow(function, **options)

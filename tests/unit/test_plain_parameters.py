"""Flow-run parameters that are plain JSON are stored as they are, without importing FastAPI; others as Prefect does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.plain_parameters import NotPlainJson, PlainParametersFlow, plain_json


def _flow(paths: list[str], warehouse: str = "wh", force: bool = False, workers: int | None = None,
          options: dict | None = None, ratio: float = 1.0) -> None:
    """A stand-in flow body with the kinds of parameters the tests pass."""


FLOW = PlainParametersFlow(_flow, name="plain-parameters-test")


@pytest.mark.parametrize(
    "value, expected",
    [
        pytest.param(["a.pdf", "b"], ["a.pdf", "b"], id="list-of-str"),
        pytest.param(("a", 1), ["a", 1], id="tuple-becomes-list"),
        pytest.param({"k": [True, None, 2.5]}, {"k": [True, None, 2.5]}, id="nested-dict"),
        pytest.param("数据/仓库", "数据/仓库", id="non-ascii-str"),
        pytest.param(0, 0, id="zero"),
    ],
)
def test_plain_values_are_copied(value, expected) -> None:
    assert plain_json(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(Path("a/b"), id="path"),
        pytest.param(float("nan"), id="nan"),
        pytest.param({1: "a"}, id="int-key"),
        pytest.param(["ok", {"x": b"bytes"}], id="bytes-inside"),
        pytest.param({"a", "b"}, id="set"),
    ],
)
def test_other_values_are_not_plain(value) -> None:
    with pytest.raises(NotPlainJson):
        plain_json(value)


def test_plain_parameters_are_stored_as_passed() -> None:
    parameters = {"paths": ("in", "more"), "warehouse": "wh", "force": True, "workers": None,
                  "options": {"k": [1, 2]}, "ratio": 0.5}
    assert FLOW.serialize_parameters(parameters) == {
        "paths": ["in", "more"], "warehouse": "wh", "force": True, "workers": None,
        "options": {"k": [1, 2]}, "ratio": 0.5}


def test_any_other_parameter_goes_through_prefect() -> None:
    # one Path among the parameters: all of them are encoded by Prefect (FastAPI's jsonable_encoder)
    assert FLOW.serialize_parameters({"paths": [Path("in/a.pdf")], "warehouse": "wh"}) == {
        "paths": ["in/a.pdf"], "warehouse": "wh"}


def test_running_the_ingest_flow_does_not_import_fastapi() -> None:
    code = (
        "import sys\n"
        "from flows.ingest import ingest, process_report_flow\n"
        "ingest.serialize_parameters({'paths': ['in'], 'warehouse': 'wh', 'force': False, 'workers': None,"
        " 'dask_address': None})\n"
        "process_report_flow.serialize_parameters({'path': 'a.pdf', 'warehouse': 'wh', 'force': True})\n"
        "print('fastapi' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}).stdout
    assert out.strip() == "False"

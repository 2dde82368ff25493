"""The per-report limits of flows.limits: the options they come from, and their enforcement in this process."""

from __future__ import annotations

import pytest

from flows.limits import MIB, LimitExceeded, ReportLimits, limited


@pytest.mark.parametrize("time_limit_s, memory_limit_mb, expected", [
    pytest.param(300, 2048, ReportLimits(seconds=300, memory_bytes=2048 * MIB), id="defaults"),
    pytest.param(0.5, 64, ReportLimits(seconds=0.5, memory_bytes=64 * MIB), id="small"),
    pytest.param(0, 0, ReportLimits(seconds=None, memory_bytes=None), id="zero-means-none"),
    pytest.param(-1, None, ReportLimits(seconds=None, memory_bytes=None), id="negative-or-none-means-none"),
])
def test_limits_from_the_command_line_options(time_limit_s, memory_limit_mb, expected) -> None:
    assert ReportLimits.from_options(time_limit_s, memory_limit_mb) == expected


def test_the_messages_name_the_limit_and_the_flag() -> None:
    limits = ReportLimits(seconds=2.5, memory_bytes=128 * MIB)
    assert "time limit (2.5 s per report)" in limits.time_message() and "--time-limit-s" in limits.time_message()
    assert "memory limit (128 MB per report)" in limits.memory_message()
    assert "--memory-limit-mb" in limits.memory_message()


def test_work_that_never_ends_is_stopped_at_the_time_limit() -> None:
    with pytest.raises(LimitExceeded, match=r"time limit \(0.2 s per report\)"):
        with limited(ReportLimits(seconds=0.2, memory_bytes=None)):
            while True:
                pass


def test_an_allocation_beyond_the_memory_limit_fails_and_the_limit_is_lifted_afterwards() -> None:
    with pytest.raises(MemoryError):
        with limited(ReportLimits(seconds=None, memory_bytes=64 * MIB)):
            bytearray(512 * MIB)
    assert len(bytearray(512 * MIB)) == 512 * MIB  # outside the limit the same allocation works


def test_no_limits_limit_nothing() -> None:
    with limited(None):
        assert len(bytearray(8 * MIB)) == 8 * MIB

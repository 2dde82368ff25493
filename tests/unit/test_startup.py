"""flows.startup: a block that loads modules runs with the cyclic GC off; what it made is frozen, the GC restored."""

from __future__ import annotations

import gc

import pytest

from flows.startup import collector_paused


@pytest.fixture
def gc_state():
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("enabled_before", [pytest.param(True, id="gc-on"), pytest.param(False, id="gc-off")])
def test_the_block_runs_without_the_collector_and_leaves_it_as_it_was(gc_state, enabled_before: bool) -> None:
    (gc.enable if enabled_before else gc.disable)()
    with collector_paused():
        inside = gc.isenabled()
    assert (inside, gc.isenabled()) == (False, enabled_before)


def test_what_the_block_made_is_frozen(gc_state) -> None:
    gc.unfreeze()
    with collector_paused():
        made = [[index] for index in range(1000)]  # noqa: F841 - objects the collector tracks
    assert gc.get_freeze_count() >= 1000


def test_an_error_in_the_block_still_restores_the_collector(gc_state) -> None:
    gc.enable()
    with pytest.raises(ImportError):
        with collector_paused():
            import budgetlake_no_such_module  # noqa: F401
    assert gc.isenabled()

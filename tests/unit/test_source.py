"""Reading an input file once: no symbolic link followed, size checked before reading, a reason for every failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from extract.source import UnreadInput, read_input, readable_size, snapshot, unread_sha256


def test_reads_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4 abc")
    assert read_input(path) == b"%PDF-1.4 abc" and readable_size(path)


@pytest.mark.parametrize("make, phrase", [
    pytest.param(lambda p: p.symlink_to("/etc/passwd"), "symbolic link", id="symlink-to-system-file"),
    pytest.param(lambda p: p.symlink_to(p.with_name("gone")), "symbolic link", id="dangling-symlink"),
    pytest.param(lambda p: None, "vanished", id="missing"),
    pytest.param(lambda p: p.mkdir(), "not a regular file", id="folder"),
    pytest.param(lambda p: os.mkfifo(p), "not a regular file", id="fifo-does-not-block"),
    pytest.param(lambda p: p.write_bytes(b"x" * 101), "input limit (101 bytes > 100 bytes", id="too-large"),
])
def test_every_failure_has_a_reason(tmp_path: Path, make, phrase: str) -> None:
    path = tmp_path / "x.pdf"
    make(path)
    with pytest.raises(UnreadInput, match=phrase.replace("(", r"\(")):
        read_input(path, max_bytes=100)
    assert not readable_size(path, 100)


def test_a_huge_sparse_file_is_refused_from_its_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as handle:
        handle.truncate(8 << 30)
    with pytest.raises(UnreadInput, match="input limit"):
        read_input(path)


def test_an_unread_file_gets_an_id_of_its_own() -> None:
    assert unread_sha256(Path("/a/x.pdf")) != unread_sha256(Path("/a/y.pdf"))
    assert len(unread_sha256(Path("x.pdf"))) == 64


def test_snapshot_holds_the_bytes_under_the_name_and_is_removed() -> None:
    with snapshot(b"abc", "../../报告.pdf") as path:
        assert path.name == "报告.pdf" and path.read_bytes() == b"abc"
    assert not path.exists() and not path.parent.exists()

"""Durable batch writes of a log directory (citytwin.ledger._store): syncfs where the kernel reports
its errors, an fsync per file and directory elsewhere."""

import sys

import pytest

from citytwin.ledger import _store
from citytwin.ledger._store import FileWriter


@pytest.fixture(params=["syncfs", "fsync per file"])
def writer(request, tmp_path, monkeypatch):
    if request.param == "syncfs" and _store._SYNCFS is None:
        pytest.skip("syncfs(2) with error reporting needs Linux 5.8 or later")
    if request.param == "fsync per file":
        monkeypatch.setattr(_store, "_SYNCFS", None)
    files = FileWriter(tmp_path, durable=True)
    yield files
    files.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs(2) is Linux only")
def test_syncfs_is_found_on_this_linux():
    assert _store._SYNCFS is not None


def test_a_durable_batch_writes_every_file_and_its_directories(writer, tmp_path):
    writer.submit("tile/0/000", b"a" * 32)
    writer.submit("tile/entries/000.p/1", b"\x00\x01b")
    writer.finish()
    assert (tmp_path / "tile/0/000").read_bytes() == b"a" * 32
    assert (tmp_path / "tile/entries/000.p/1").read_bytes() == b"\x00\x01b"


def test_a_file_that_cannot_be_written_is_raised_by_finish(writer, tmp_path):
    (tmp_path / "tile/0/000").mkdir(parents=True)  # a directory where the file should go
    writer.submit("tile/0/001", b"b" * 32)
    writer.submit("tile/0/000", b"a" * 32)
    with pytest.raises(IsADirectoryError):
        writer.finish()
    assert (tmp_path / "tile/0/001").read_bytes() == b"b" * 32

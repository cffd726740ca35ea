"""Durable batch writes of a log directory (citytwin.ledger._store)."""

import sys

import pytest

from citytwin.ledger._store import FileWriter, sync_filesystem


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs(2) is Linux only")
def test_syncfs_is_found_and_syncs_the_log_filesystem(tmp_path):
    assert sync_filesystem(tmp_path) is True


def test_sync_of_a_missing_directory_names_it(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(OSError) as err:
        sync_filesystem(missing)
    assert "nowhere" in str(err.value)


def test_a_durable_batch_writes_every_file_and_its_directories(tmp_path):
    writer = FileWriter(tmp_path, durable=True)
    try:
        writer.submit("tile/0/000", b"a" * 32)
        writer.submit("tile/entries/000.p/1", b"\x00\x01b")
        writer.finish()
    finally:
        writer.close()
    assert (tmp_path / "tile/0/000").read_bytes() == b"a" * 32
    assert (tmp_path / "tile/entries/000.p/1").read_bytes() == b"\x00\x01b"


def test_a_write_error_is_raised_by_finish(tmp_path):
    (tmp_path / "tile").write_bytes(b"not a directory")
    writer = FileWriter(tmp_path, durable=True)
    try:
        with pytest.raises(OSError):
            writer.submit("tile/0/000", b"a" * 32)
            writer.finish()
    finally:
        writer.close()

"""The checkpoint history: every published checkpoint, in order, each verifying on its own."""

from __future__ import annotations

from citytwin.ledger import Log, open_checkpoint
from citytwin.ledger.history import HISTORY_FILE, read_history
from ledger_support import ORIGIN, new_keys


def _log(tmp_path):
    signer, verifier = new_keys()
    return Log.create(tmp_path / "log", ORIGIN, signer, durable=False), verifier


def test_every_publication_is_recorded_in_order_and_verifies(tmp_path):
    log, verifier = _log(tmp_path)
    with log:
        for batch in ([b"a"], [b"b", b"c"], [b"d"] * 300):
            log.append(batch)
        history = log.checkpoint_history()
        sizes = [open_checkpoint(note, verifier)[0].size for _, note in history]
        assert sizes == [0, 1, 3, 303]
        assert history[-1][1] == log.checkpoint.note
        times = [when for when, _ in history]
        assert times == sorted(times) and all(t.tzinfo is not None for t in times)


def test_limit_returns_the_latest_from_the_end_of_a_long_history(tmp_path):
    log, verifier = _log(tmp_path)
    with log:
        for i in range(400):  # ~100 kB of history: more than one block read from the end
            log.append([b"%d" % i])
        latest = log.checkpoint_history(limit=3)
        assert [open_checkpoint(n, verifier)[0].size for _, n in latest] == [398, 399, 400]
        assert len(log.checkpoint_history()) == 401
        assert log.checkpoint_history(limit=0) == []


def test_a_line_torn_by_a_crash_is_skipped_and_later_records_survive(tmp_path):
    log, verifier = _log(tmp_path)
    with log:
        log.append([b"x"])
        with (log.directory / HISTORY_FILE).open("ab") as f:
            f.write(b'{"published": "2026-11-26T00:00:00Z", "note": "trunc')  # no end: a crash mid-write
        log.append([b"y"])
    sizes = [open_checkpoint(n, verifier)[0].size for _, n in read_history(tmp_path / "log")]
    assert sizes == [0, 1, 2]


def test_a_log_without_history_reads_as_empty(tmp_path):
    assert read_history(tmp_path) == []

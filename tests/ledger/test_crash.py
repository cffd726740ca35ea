"""Crash safety: a writer process is SIGKILLed at random points, many times.

After each kill the log must open for writing and verify in full, no two signed checkpoints
(published or pending) of the same size may have different roots, and every checkpoint seen
must be consistent with every later one (its RFC 9162 consistency proof verifies).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from citytwin.ledger import Log, Signer, Verifier, generate_key, merkle
from citytwin.ledger.checkpoint import open_checkpoint
from citytwin.ledger.tiles import parse_tile_path
from ledger_support import ORIGIN

KILLS = 25

WRITER = r"""
import os, random, sys
from pathlib import Path
from citytwin.ledger import Log, Signer
d, key, seed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
log = Log.open(d, Signer.from_text(key))
print("ready", log.tree_size, flush=True)
while True:
    n = rng.choice([1, 7, 255, 256, 300, 511, 1200])
    log.append([os.urandom(rng.randrange(0, 120)) for _ in range(n)])
"""


class Watcher(threading.Thread):
    """Reads the checkpoint and pending files while the writer runs; records what it saw."""

    def __init__(self, directory: Path, verifier: Verifier, seen: dict[int, bytes]) -> None:
        super().__init__(daemon=True)
        self.directory, self.verifier, self.seen = directory, verifier, seen
        self.stop = threading.Event()
        self.errors: list[str] = []

    def record(self, raw: bytes, what: str) -> None:
        cp, _ = open_checkpoint(raw, self.verifier)
        old = self.seen.setdefault(cp.size, cp.root)
        if old != cp.root:
            self.errors.append(f"{what} at size {cp.size}: root {cp.root.hex()} after {old.hex()}")

    def run(self) -> None:
        while not self.stop.is_set():
            for name in ("checkpoint", ".checkpoint.pending"):
                try:
                    raw = (self.directory / name).read_bytes()
                except FileNotFoundError:
                    continue
                try:
                    self.record(raw, name)
                except Exception as e:  # a torn or unsigned file is a failure of the test
                    self.errors.append(f"{name}: {e}")
            time.sleep(0.002)


def test_sigkill_at_random_points(tmp_path):
    priv, vkey = generate_key(ORIGIN)
    signer, verifier = Signer.from_text(priv), Verifier.from_text(vkey)
    d = tmp_path / "log"
    Log.create(d, ORIGIN, signer).close()
    seen: dict[int, bytes] = {}
    published_before: list[tuple[int, bytes]] = []
    rng = random.Random(2026)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    kills_mid_append, stale = 0, set()
    for round_ in range(KILLS):
        watcher = Watcher(d, verifier, seen)
        watcher.start()
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(d), priv, str(round_)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        line = proc.stdout.readline().decode()
        assert line.startswith("ready"), (line, proc.stderr.read().decode())
        time.sleep(rng.uniform(0.02, 0.35))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        watcher.stop.set()
        watcher.join()
        assert not watcher.errors, watcher.errors
        unpublished = _bundles_beyond(d, _signed_size(d, verifier)) - stale
        kills_mid_append += bool(unpublished)
        stale |= unpublished
        # restart: the writer recovers (pending or published head) and the log verifies in full
        with Log.open(d, signer) as log:
            head = (log.tree_size, log.pending)
            log.verify(verifier)
            watcher.record((d / "checkpoint").read_bytes(), "checkpoint after restart")
            if log.pending is not None:
                watcher.record(log.pending, "pending after restart")
            published_before.append((log.size, log.root))
        assert not watcher.errors, watcher.errors
        assert head[0] >= max(seen), f"round {round_}: tree size {head[0]} behind a signed size {max(seen)}"
    # finish: publish whatever was pending, then check every signed head against the final tree
    with Log.open(d, signer) as log:
        log.append([b"final"])
        log.verify(verifier)
        final_size, final_root = log.size, log.root
        sizes = sorted(seen)
        for a, b in zip(sizes, sizes[1:], strict=False):
            merkle.verify_consistency(a, b, seen[a], seen[b], log.consistency_proof(a, b))
        for size in sizes:
            merkle.verify_consistency(
                size, final_size, seen[size], final_root, log.consistency_proof(size, final_size)
            )
        for old, new in zip(published_before, published_before[1:], strict=False):
            merkle.verify_consistency(old[0], new[0], old[1], new[1], log.consistency_proof(old[0], new[0]))
    assert len(seen) >= 5, f"only {len(seen)} checkpoints observed: the writer made no progress"
    # the random points must include kills inside an append (entry bundles written, not signed)
    assert kills_mid_append >= 3, kills_mid_append


def _signed_size(d: Path, verifier: Verifier) -> int:
    sizes = [open_checkpoint((d / "checkpoint").read_bytes(), verifier)[0].size]
    if (d / ".checkpoint.pending").exists():
        sizes.append(open_checkpoint((d / ".checkpoint.pending").read_bytes(), verifier)[0].size)
    return max(sizes)


def _bundles_beyond(d: Path, size: int) -> set[str]:
    """Entry bundle files that hold entries past ``size``: left by an append that was killed."""
    out = set()
    for p in (d / "tile" / "entries").rglob("*"):
        if p.is_file():
            rel = str(p.relative_to(d))
            _, index, width = parse_tile_path(rel)
            if index * 256 + width > size:
                out.add(rel)
    return out

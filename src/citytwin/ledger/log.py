"""A transparency log on disk in the C2SP tlog-tiles layout, with C2SP tlog-checkpoint heads.

Directory layout (tlog-tiles, "Paths"): ``checkpoint``, ``tile/<L>/<N>[.p/<W>]`` and
``tile/entries/<N>[.p/<W>]``; any static web server can serve it. Private files: ``.lock``
(the writer's ``flock``), ``.checkpoint.pending`` (a signed checkpoint not yet published) and
``.checkpoint.history`` (every published checkpoint, :mod:`citytwin.ledger.history`).

Crash safety. An append writes and syncs every new entry bundle and tile, signs the new
checkpoint, persists it as *pending*, collects witness cosignatures if a policy is set, and
only then replaces ``checkpoint`` atomically. Files covered by a signed checkpoint are never
rewritten: a later append only creates tiles of larger index or width. After a crash the
pending (or else the published) checkpoint defines the tree, and the next append overwrites
whatever a failed append left beyond it; a signed tree is always extended, never re-signed
differently at the same size (tlog-checkpoint: a log MUST NOT sign inconsistent checkpoints).
"""

from __future__ import annotations

import os
import struct
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import Protocol

from citytwin.ledger import verify as _verify
from citytwin.ledger._builder import TreeBuilder, tile_levels
from citytwin.ledger._store import FileWriter, acquire_lock, atomic_write, read_file
from citytwin.ledger.checkpoint import Checkpoint, open_checkpoint, parse_checkpoint_body
from citytwin.ledger.errors import (
    BadInputError,
    EntryTooLarge,
    LogCorrupted,
    MalformedError,
    NotFoundError,
    SignatureError,
)
from citytwin.ledger.history import append_history, read_history
from citytwin.ledger.merkle import consistency_proof_nodes, inclusion_proof_nodes
from citytwin.ledger.note import Signer, Verifier, parse_note, sign_note
from citytwin.ledger.proof import format_proof
from citytwin.ledger.tiles import (
    MAX_ENTRY_SIZE,
    TILE_HEIGHT,
    TILE_WIDTH,
    decode_bundle,
    entries_path,
    node_location,
    tile_path,
)

__all__ = ["Log", "WitnessPolicyLike"]

_CHECKPOINT = "checkpoint"
_PENDING = ".checkpoint.pending"
_U16 = struct.Struct(">H").pack
_TILE_CACHE = 1024  # tiles (and their inner levels) kept in memory: at most ~24 MB
_LEAF_HASHER = sha256(b"\x00")


class WitnessPolicyLike(Protocol):
    """What :meth:`Log.append` needs of a witness policy (see ``citytwin.ledger.witness``)."""

    def collect(
        self, signed_checkpoint: bytes, consistency_proof_from: Callable[[int], list[bytes]]
    ) -> list[str]: ...


def _read_checkpoint(directory: Path) -> tuple[bytes, Checkpoint]:
    raw = read_file(directory / _CHECKPOINT)
    if raw is None:
        raise NotFoundError(f"no log at {directory}: expected the file {directory / _CHECKPOINT}")
    body, _ = parse_note(raw)
    return raw, parse_checkpoint_body(body).with_note(raw)


class Log:
    """One log directory. Writable when opened with the log's :class:`Signer` (one writer per
    directory), read-only otherwise. ``origin``, ``size`` and ``root`` are those of the
    published checkpoint. ``durable=False`` skips fsync (for tests and throw-away logs).
    One Log object serves one thread at a time."""

    def __init__(self, directory: Path, signer: Signer | None, witness_policy: WitnessPolicyLike | None,
                 durable: bool, lock_fd: int | None) -> None:
        self.directory = Path(directory)
        self._signer = signer
        self._policy = witness_policy
        self._durable = durable
        self._lock_fd = lock_fd
        self._files = FileWriter(self.directory, durable) if signer is not None else None
        self._checkpoint: Checkpoint | None = None
        self._builder = TreeBuilder()
        self._tail = b""  # encoded entries of the partial entry bundle at the tree size
        self._pending: bytes | None = None
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._trees: OrderedDict[tuple[int, int, int], list[bytes]] = OrderedDict()

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def create(cls, directory: Path, origin: str, signer: Signer,
               witness_policy: WitnessPolicyLike | None = None, *, durable: bool = True) -> Log:
        """Create an empty log and publish its signed size-0 checkpoint."""
        directory = Path(directory)
        if not origin or "\n" in origin:
            raise BadInputError(f"log origin {origin!r}: expected one non-empty line")
        directory.mkdir(parents=True, exist_ok=True)
        lock = acquire_lock(directory)
        log = cls(directory, signer, witness_policy, durable, lock)
        try:
            if (directory / _CHECKPOINT).exists():
                raise BadInputError(f"{directory} already holds a log: {directory / _CHECKPOINT} exists")
            log._origin = origin
            log._sign_pending()
            log._publish()
        except BaseException:
            log.close()
            raise
        return log

    @classmethod
    def open(cls, directory: Path, signer: Signer | None = None,
             witness_policy: WitnessPolicyLike | None = None, *, durable: bool = True) -> Log:
        """Open a log; with ``signer`` it is writable and its checkpoint must verify with that key."""
        directory = Path(directory)
        if not (directory / _CHECKPOINT).is_file():
            raise NotFoundError(f"no log at {directory}: expected the file {directory / _CHECKPOINT}")
        lock = acquire_lock(directory) if signer is not None else None
        log = cls(directory, signer, witness_policy, durable, lock)
        try:
            raw, cp = _read_checkpoint(directory)
            if signer is not None:
                cp, _ = open_checkpoint(raw, signer.verifier())
                log._recover(cp)
            log._checkpoint = cp
            log._origin = cp.origin
        except BaseException:
            log.close()
            raise
        return log

    def _recover(self, published: Checkpoint) -> None:
        """Writer state after open: the pending checkpoint if it extends the published one."""
        head = published
        raw = read_file(self.directory / _PENDING)
        tmp = self.directory / ("." + _PENDING + ".tmp")
        staged = read_file(tmp)
        if staged is not None:  # a crash while storing a signed checkpoint: honour it if whole
            try:
                cp, _ = open_checkpoint(staged, self._signer.verifier())
                known = parse_checkpoint_body(parse_note(raw)[0]).size if raw is not None else -1
                if cp.size > max(published.size, known):
                    atomic_write(self.directory / _PENDING, staged, self._durable)
                    raw = staged
            except (MalformedError, SignatureError):
                pass  # torn: it was never a complete signature
            tmp.unlink(missing_ok=True)  # (atomic_write above reuses this name)
        (self.directory / ("." + _CHECKPOINT + ".tmp")).unlink(missing_ok=True)
        if raw is not None:
            pending, _ = open_checkpoint(raw, self._signer.verifier())
            if pending.size > published.size:
                head, self._pending = pending, raw
            elif pending.size == published.size and pending.root != published.root:
                raise LogCorrupted(f"pending checkpoint at size {pending.size}: expected root "
                                   f"{published.root.hex()} as published, got {pending.root.hex()}")
            else:
                (self.directory / _PENDING).unlink()
        self._checkpoint = published
        rows = []
        level = 0
        while head.size >> (TILE_HEIGHT * level):
            w = (head.size >> (TILE_HEIGHT * level)) & (TILE_WIDTH - 1)
            rows.append(self._tile(level, head.size >> (TILE_HEIGHT * (level + 1)), head.size)[: w * 32]
                        if w else b"")
            level += 1
        self._builder = TreeBuilder(head.size, rows)
        root = self._builder.root()
        if root != head.root:
            raise LogCorrupted(f"root hash at size {head.size}: checkpoint has {head.root.hex()[:16]}…, "
                               f"the right-edge tiles give {root.hex()[:16]}…")
        w0 = head.size & (TILE_WIDTH - 1)
        if w0:
            entries = self._bundle(head.size >> TILE_HEIGHT, head.size)
            hashes = b"".join(sha256(b"\x00" + e).digest() for e in entries)
            if hashes != rows[0]:
                raise LogCorrupted(f"{entries_path(head.size >> TILE_HEIGHT, w0)} does not hash to "
                                   f"{tile_path(0, head.size >> TILE_HEIGHT, w0)}")
            self._tail = b"".join(_U16(len(e)) + e for e in entries)

    def close(self) -> None:
        """Release the writer lock and background threads."""
        if self._files is not None:
            self._files.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Log:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- state --------------------------------------------------------------------------------

    @property
    def checkpoint(self) -> Checkpoint:
        """The published checkpoint (``.text`` is the full signed note, cosignatures included)."""
        return self._checkpoint

    @property
    def origin(self) -> str:
        return self._origin

    @property
    def size(self) -> int:
        return self._checkpoint.size

    @property
    def root(self) -> bytes:
        return self._checkpoint.root

    @property
    def tree_size(self) -> int:
        """Entries on disk under a signature: the pending checkpoint's size if any, else ``size``."""
        return self._builder.size if self._signer is not None else self.size

    @property
    def pending(self) -> bytes | None:
        """The signed checkpoint that awaits publication (e.g. witness quorum not reached), if any."""
        return self._pending

    # -- reading ------------------------------------------------------------------------------

    def _read(self, rel: str, full_rel: str | None, want: int) -> bytes:
        data = self._cache.get(rel)
        if data is None:
            data = read_file(self.directory / rel)
            if data is None and full_rel is not None:  # a partial may be gone once the full tile exists
                full = read_file(self.directory / full_rel)
                data = full[:want] if full is not None else None
            if data is None:
                raise LogCorrupted(f"{rel} is missing from the log at {self.directory}")
            if full_rel is None or len(data) == want:
                self._cache[rel] = data
                if len(self._cache) > _TILE_CACHE:
                    self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(rel)
        return data

    def _tile(self, level: int, index: int, size: int | None = None) -> bytes:
        """Hashes of tile (level, index) in the tree on disk (full, else the partial of ``size``)."""
        size = self.tree_size if size is None else size
        count = size >> (TILE_HEIGHT * level)
        width = min(TILE_WIDTH, count - index * TILE_WIDTH)
        if width <= 0:
            raise NotFoundError(f"tile {level}/{index} is beyond the tree of size {size}")
        full = tile_path(level, index)
        rel = full if width == TILE_WIDTH else tile_path(level, index, width)
        data = self._read(rel, None if width == TILE_WIDTH else full, width * 32)
        if len(data) != width * 32:
            raise LogCorrupted(f"{rel}: expected {width * 32} bytes ({width} hashes), got {len(data)}")
        return data

    def _bundle(self, index: int, size: int | None = None) -> list[bytes]:
        size = self.tree_size if size is None else size
        width = min(TILE_WIDTH, size - index * TILE_WIDTH)
        if width <= 0:
            raise NotFoundError(f"entry bundle {index} is beyond the log of size {size}")
        full = entries_path(index)
        rel = full if width == TILE_WIDTH else entries_path(index, width)
        data, expect = read_file(self.directory / rel), width
        if data is None and width != TILE_WIDTH:  # a partial may be gone once the full bundle exists
            data, expect, rel = read_file(self.directory / full), TILE_WIDTH, full
        if data is None:
            raise LogCorrupted(f"{rel} is missing from the log at {self.directory}")
        try:
            entries = decode_bundle(data)
        except ValueError as e:
            raise LogCorrupted(f"{rel}: {e}") from e
        if len(entries) != expect:
            raise LogCorrupted(f"{rel}: expected {expect} entries, got {len(entries)}")
        return entries[:width]

    def _node(self, height: int, index: int) -> bytes:
        """The node at ``height`` and ``index``: a tile hash, or computed inside its tile."""
        level, tile_index, first, count = node_location(height, index)
        width = min(TILE_WIDTH, (self.tree_size >> (TILE_HEIGHT * level)) - tile_index * TILE_WIDTH)
        key = (level, tile_index, width)
        tree = self._trees.get(key)
        if tree is None:
            tree = self._trees[key] = tile_levels(self._tile(level, tile_index))
            if len(self._trees) > _TILE_CACHE:
                self._trees.popitem(last=False)
        sub = count.bit_length() - 1
        pos = (first >> sub) * 32
        node = tree[sub][pos : pos + 32] if sub < len(tree) else b""
        if len(node) != 32:
            raise LogCorrupted(f"{tile_path(level, tile_index)} lacks hashes {first}..{first + count - 1}")
        return node

    def _check_size(self, size: int, what: str) -> None:
        if not 0 <= size <= self.tree_size:
            raise BadInputError(f"{what} {size}: expected 0..{self.tree_size} (the log's size)")

    def entries(self, start: int, stop: int) -> Iterator[bytes]:
        """Entries ``start`` ≤ i < ``stop``, read from the entry bundles."""
        self._check_size(stop, "stop")
        if not 0 <= start <= stop:
            raise BadInputError(f"start {start}: expected 0..{stop}")
        i = start
        while i < stop:
            n = i >> TILE_HEIGHT
            bundle = self._bundle(n)
            lo = i - n * TILE_WIDTH
            hi = min(TILE_WIDTH, stop - n * TILE_WIDTH)
            yield from bundle[lo:hi]
            i = n * TILE_WIDTH + hi

    def checkpoint_history(self, limit: int | None = None) -> list[tuple[datetime, bytes]]:
        """The checkpoints this log published, as ``(published, signed note)``, oldest first;
        with ``limit`` the latest ones only (:mod:`citytwin.ledger.history`)."""
        return read_history(self.directory, limit)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.3.1 inclusion proof of entry ``index`` in the tree of ``size``
        (default: the published size), read from the hash tiles."""
        size = self.size if size is None else size
        self._check_size(size, "tree size")
        if not 0 <= index < size:
            raise BadInputError(f"entry index {index}: expected 0..{size - 1} (tree size {size})")
        return inclusion_proof_nodes(self._node, index, size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.4.1 consistency proof from ``old_size`` to ``new_size`` (default: published)."""
        new_size = self.size if new_size is None else new_size
        self._check_size(new_size, "new tree size")
        if not 0 <= old_size <= new_size:
            raise BadInputError(f"old tree size {old_size}: expected 0..{new_size}")
        return consistency_proof_nodes(self._node, old_size, new_size)

    def prove(self, index: int, include_entry: bool = True) -> str:
        """A C2SP tlog-proof bundle for entry ``index`` against the published checkpoint."""
        proof = self.inclusion_proof(index)
        extra = next(self.entries(index, index + 1)) if include_entry else None
        return format_proof(index, proof, self._checkpoint.note, extra)

    def verify(self, verifier: Verifier) -> None:
        """Check the checkpoint's signature, then recompute every tile and the root from the
        entries; raise ``VerificationError`` naming the first bad file."""
        raw = read_file(self.directory / _CHECKPOINT)
        if raw is None:
            raise LogCorrupted(f"{self.directory / _CHECKPOINT} is missing")
        try:
            cp, _ = open_checkpoint(raw, verifier)
        except MalformedError as e:
            raise LogCorrupted(f"{self.directory / _CHECKPOINT}: {e}") from e
        _verify.verify_tiles(self.directory, cp.size, cp.root)

    # -- writing ------------------------------------------------------------------------------

    def append(self, entries: Sequence[bytes]) -> int:
        """Append one batch and publish one new checkpoint; return the index of the first entry.

        An empty batch publishes a pending checkpoint if there is one, and appends nothing.
        """
        if self._signer is None:
            raise BadInputError(f"log {self.directory} is open read-only: open it with its signer to append")
        first = self._builder.size
        if not isinstance(entries, list | tuple):
            entries = list(entries)
        if not entries:
            if self._pending is not None:
                self._publish()
            return first
        longest = max(map(len, entries))
        if longest > MAX_ENTRY_SIZE:
            i = next(i for i, e in enumerate(entries) if len(e) == longest)
            raise EntryTooLarge(f"entry {first + i} (item {i} of the batch): {longest} bytes, "
                                f"at most {MAX_ENTRY_SIZE} (C2SP tlog-tiles entry bundle)")
        try:
            tail = self._write_bundles(first, entries)
            start, hashes = _LEAF_HASHER.copy, []
            put = hashes.append
            for e in entries:  # SHA-256(0x00 || entry), RFC 9162 §2.1.1
                h = start()
                h.update(e)
                put(h.digest())
            leaves = b"".join(hashes)
        except TypeError as e:
            self._files.finish()
            raise BadInputError(f"log entries must be bytes: {e}") from e
        builder = self._builder.copy()
        full, top = builder.add(leaves)
        for level, index, data in full:
            self._files.submit(tile_path(level, index), data)
        for level, index, width, data in builder.partials(top):
            self._files.submit(tile_path(level, index, width), data)
        self._files.finish()
        self._builder, self._tail = builder, tail
        self._sign_pending()
        self._publish()
        return first

    def _write_bundles(self, first: int, entries: Sequence[bytes]) -> bytes:
        """Submit the entry bundles of a batch: the partial one completed, whole ones, the new
        partial (tlog-tiles, "Log Entries"); return the encoded entries of the new partial."""
        n = len(entries)
        parts: list = [b""] * (2 * n)
        parts[0::2] = map(_U16, map(len, entries))
        parts[1::2] = entries
        tail, pos, bundle_index = self._tail, 0, first >> TILE_HEIGHT
        have = first & (TILE_WIDTH - 1)
        while pos < n:
            take = min(TILE_WIDTH - have, n - pos)
            data = tail + b"".join(parts[2 * pos : 2 * (pos + take)])
            pos, have = pos + take, have + take
            self._files.submit(entries_path(bundle_index, have), data)
            if have == TILE_WIDTH:
                tail, have, bundle_index = b"", 0, bundle_index + 1
            else:
                tail = data
        return tail

    def _sign_pending(self) -> None:
        cp = Checkpoint(self._origin, self._builder.size, self._builder.root())
        note = sign_note(cp.body, [self._signer])
        atomic_write(self.directory / _PENDING, note, self._durable)
        self._pending = note

    def _publish(self) -> None:
        note = self._pending
        lines: list[str] = []
        if self._policy is not None:
            size = self._builder.size
            lines = self._policy.collect(note, lambda old: self.consistency_proof(old, size))
        text = note + "".join(line.rstrip("\n") + "\n" for line in lines).encode()
        body, _ = parse_note(text)
        cp = parse_checkpoint_body(body).with_note(text)
        atomic_write(self.directory / _CHECKPOINT, text, self._durable)
        append_history(self.directory, text)
        self._checkpoint = cp
        self._pending = None
        (self.directory / _PENDING).unlink(missing_ok=True)

"""Checkpoints: the signed tree heads of a log (C2SP tlog-checkpoint).

The note text is ``<origin>\\n<tree size, decimal>\\n<base64 root hash>\\n[extension lines]``;
the note is signed per C2SP signed-note by the log and, optionally, cosigned by witnesses.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field

from citytwin.ledger.errors import MalformedError, SignatureError
from citytwin.ledger.note import Note, NoteVerifier, open_note, parse_note

__all__ = ["Checkpoint", "open_checkpoint", "parse_checkpoint_body"]

_HASH_SIZE = 32


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint: ``origin``, ``size`` [entries], ``root`` (32-byte SHA-256 root hash),
    ``extensions`` (extra body lines), and, when signed, ``note`` — the full signed note bytes.
    """

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()
    note: bytes | None = field(default=None, compare=False)

    @property
    def body(self) -> bytes:
        """The note text (tlog-checkpoint, "Note text")."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return ("\n".join(lines) + "\n").encode()

    @property
    def text(self) -> str:
        """The full signed note if signed, else the note text."""
        return (self.note if self.note is not None else self.body).decode()

    def with_note(self, note: bytes) -> Checkpoint:
        return Checkpoint(self.origin, self.size, self.root, self.extensions, note)

    def signature_lines(self) -> list[str]:
        """The signature lines of the signed note (empty if unsigned)."""
        if self.note is None:
            return []
        return [s.line for s in parse_note(self.note)[1]]


def parse_checkpoint_body(body: bytes | str) -> Checkpoint:
    """Parse a checkpoint note text (tlog-checkpoint, "Note text"); no signature checks."""
    data = body.encode() if isinstance(body, str) else bytes(body)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MalformedError(f"checkpoint: not valid UTF-8 at byte {e.start}") from e
    if not text.endswith("\n"):
        raise MalformedError("checkpoint: note text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedError(f"checkpoint: expected origin, size and root lines, got {len(lines)} line(s)")
    origin, size_text, root_text, *ext = lines
    if not origin:
        raise MalformedError("checkpoint: empty origin line")
    if not size_text.isascii() or not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
        raise MalformedError(f"checkpoint {origin}: tree size {size_text!r} is not a decimal without "
                             "leading zeros")
    if int(size_text) >= 1 << 64:
        raise MalformedError(f"checkpoint {origin}: tree size {size_text} does not fit in 64 bits")
    try:
        root = base64.b64decode(root_text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as e:
        raise MalformedError(f"checkpoint {origin}: root hash {root_text!r} is not base64") from e
    if len(root) != _HASH_SIZE:
        raise MalformedError(f"checkpoint {origin}: root hash has {len(root)} bytes, expected 32")
    if any(not line for line in ext):
        raise MalformedError(f"checkpoint {origin}: empty extension line")
    return Checkpoint(origin, int(size_text), root, tuple(ext))


def open_checkpoint(
    data: bytes | str,
    verifier: NoteVerifier,
    origin: str | None = None,
    cosigners: Sequence[NoteVerifier] = (),
) -> tuple[Checkpoint, Note]:
    """Verify a signed checkpoint: the log's ``verifier`` must have signed it (tlog-checkpoint).

    ``origin`` defaults to the verifier's key name. Cosignatures of ``cosigners`` that are
    present are verified too; a bad one raises :class:`SignatureError`. Counting a quorum is
    the caller's business (``note.signatures``).
    """
    raw = data.encode() if isinstance(data, str) else bytes(data)
    note = open_note(raw, [verifier, *cosigners])
    if not note.verified_by(verifier):
        raise SignatureError(f"checkpoint is not signed by the log key {verifier.name}+{verifier.key_id:08x}")
    cp = parse_checkpoint_body(note.body)
    want = verifier.name if origin is None else origin
    if cp.origin != want:
        raise SignatureError(f"checkpoint origin: expected {want!r}, got {cp.origin!r}")
    return cp.with_note(raw), note

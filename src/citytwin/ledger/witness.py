"""Witnesses from the log's side: the add-checkpoint wire format, a client, a k-of-n policy.

A log asks each witness of its policy to cosign a new checkpoint (``POST <url>/add-checkpoint``
with a consistency proof from the size the witness last cosigned [1]), checks each returned
cosignature/v1 line against the witness's key [2], and publishes the checkpoint only when at
least ``quorum`` witnesses cosigned it. The server side is :mod:`citytwin.ledger.witness_server`.

A policy is configured as a TOML table (:meth:`WitnessPolicy.from_config`); a standalone
policy file (``citytwin log append --witnesses FILE``) holds it at the top level::

    quorum = 2
    timeout = 10        # [s] per witness request, optional

    [[witness]]
    name = "witness.sanhe.example/w1"
    url = "http://witness.sanhe.example:7380"
    vkey = "witness.sanhe.example/w1+1a2b3c4d+BK..."

and a data directory's ``citytwin.toml`` under ``[log]`` (``quorum`` and ``[[log.witness]]``).

References
----------
[1] C2SP tlog-witness, https://c2sp.org/tlog-witness, section "add-checkpoint".
[2] C2SP tlog-cosignature, https://c2sp.org/tlog-cosignature, "Format" and "Ed25519 signed message".
[3] C2SP signed-note, https://c2sp.org/signed-note, "Signatures" and "Verifier keys".
[4] C2SP tlog-policy, https://c2sp.org/tlog-policy (k-of-n witness groups).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from citytwin.ledger import note as _note
from citytwin.ledger.checkpoint import parse_checkpoint_body
from citytwin.ledger.errors import BadInputError, CityTwinError, MalformedError, QuorumNotReached

__all__ = [
    "ADD_CHECKPOINT_PATH",
    "MAX_PROOF_LINES",
    "SIZE_CONTENT_TYPE",
    "WitnessEndpoint",
    "WitnessPolicy",
    "attach_cosignatures",
    "format_add_checkpoint",
    "parse_add_checkpoint",
]

ADD_CHECKPOINT_PATH = "/add-checkpoint"
# [1]: "The client MUST NOT send more than 63 consistency proof lines."
MAX_PROOF_LINES = 63
# [1]: the 409 response "MUST have a Content-Type of text/x.tlog.size".
SIZE_CONTENT_TYPE = "text/x.tlog.size"
_OLD_LINE = re.compile(rb"old (0|[1-9][0-9]{0,19})")
_SIG_PREFIX = "\u2014 "  # [3]: a signature line starts with U+2014 EM DASH and a space


# --- wire format ---------------------------------------------------------------------------


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], signed_checkpoint: bytes) -> bytes:
    """The body of an add-checkpoint request [1].

    ``old size`` line, one base64 line per proof hash, an empty line, then the signed
    checkpoint note as it is.
    """
    if old_size < 0:
        raise BadInputError(f"old size {old_size}: expected a non-negative integer")
    if len(proof) > MAX_PROOF_LINES:
        raise BadInputError(f"consistency proof of {len(proof)} hashes; at most {MAX_PROOF_LINES}")
    lines = [f"old {old_size}\n".encode()]
    lines += [base64.b64encode(h) + b"\n" for h in proof]
    return b"".join(lines) + b"\n" + signed_checkpoint


def parse_add_checkpoint(body: bytes) -> tuple[int, list[bytes], bytes]:
    """Split an add-checkpoint body [1] into (old size, proof hashes, signed checkpoint).

    Raises MalformedError naming the bad line.
    """
    head, sep, note_bytes = body.partition(b"\n\n")
    if not sep:
        raise MalformedError("add-checkpoint body: expected 'old <size>', proof lines, an empty line, a note")
    lines = head.split(b"\n")
    m = _OLD_LINE.fullmatch(lines[0])
    if m is None:
        raise MalformedError(
            f"add-checkpoint first line {lines[0][:40]!r}: expected 'old <size>' in decimal, no leading zeros"
        )
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise MalformedError(f"{len(proof_lines)} consistency proof lines; at most {MAX_PROOF_LINES}")
    proof = []
    for i, line in enumerate(proof_lines, start=1):
        try:
            h = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError) as e:
            raise MalformedError(f"proof line {i} {line[:60]!r}: not base64") from e
        if len(h) != 32:
            raise MalformedError(f"proof line {i} {line[:60]!r}: {len(h)} bytes, expected a 32-byte hash")
        proof.append(h)
    if not note_bytes:
        raise MalformedError("add-checkpoint body: no checkpoint after the empty line")
    return int(m.group(1)), proof, note_bytes


def attach_cosignatures(signed_checkpoint: bytes, lines: Sequence[str]) -> bytes:
    """The signed checkpoint with cosignature lines appended to its signature block [1], [3].

    Lines already present are not repeated.
    """
    if not signed_checkpoint.endswith(b"\n"):
        raise MalformedError("signed checkpoint: expected a note ending in a newline")
    present = set(signed_checkpoint.decode("utf-8").split("\n"))
    extra = "".join(f"{ln}\n" for ln in lines if ln not in present)
    return signed_checkpoint + extra.encode()


# --- policy --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WitnessEndpoint:
    """One witness: its cosigner ``name``, submission ``url`` prefix and verifier key.

    ``vkey`` is a signed-note verifier key with signature type 0x04, a cosignature/v1
    Ed25519 key [2]; its key name must equal ``name``.
    """

    name: str
    url: str
    vkey: str
    _verifier: object = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            verifier = _note.CosignatureVerifier.from_text(self.vkey)
        except CityTwinError as e:
            raise BadInputError(f"witness {self.name!r}: vkey {self.vkey!r}: {e}") from e
        if verifier.name != self.name:
            raise BadInputError(
                f"witness {self.name!r}: vkey names {verifier.name!r}; "
                f"expected the witness name {self.name!r}"
            )
        if not re.match(r"https?://[^/]", self.url):
            raise BadInputError(
                f"witness {self.name!r}: url {self.url!r}; expected an http:// or https:// URL"
            )
        object.__setattr__(self, "_verifier", verifier)

    def valid_cosignatures(self, body: str, lines: Sequence[str]) -> list[str]:
        """The lines among ``lines`` that are cosignatures of this witness over ``body`` [2].

        Lines of other keys are ignored ([1]: "The client MUST ignore any cosignatures from
        unknown keys").
        """
        v: _note.CosignatureVerifier = self._verifier
        data = body.encode()
        good = []
        for line in lines:
            name, _, b64 = line.removeprefix(_SIG_PREFIX).partition(" ")
            if not line.startswith(_SIG_PREFIX) or name != self.name:
                continue
            try:
                raw = base64.b64decode(b64, validate=True)
            except (binascii.Error, ValueError):
                continue
            # [3]: a signature line is base64(32-bit key ID || signature); [2]: for a cosignature
            # the signature is timestamp || Ed25519 signature over the cosignature/v1 message.
            if len(raw) == 76 and int.from_bytes(raw[:4], "big") == v.key_id and v.verify(data, raw[4:]):
                good.append(line)
        return good


class WitnessPolicy:
    """A k-of-n witness policy: ``quorum`` of ``witnesses`` must cosign a checkpoint [4].

    ``timeout`` [s] bounds each HTTP request to a witness.
    """

    def __init__(self, witnesses: Sequence[WitnessEndpoint], quorum: int, *, timeout: float = 10.0) -> None:
        names = [w.name for w in witnesses]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise BadInputError(f"witness policy names {dup[0]!r} twice; expected distinct witnesses")
        if not isinstance(quorum, int) or isinstance(quorum, bool) or not 1 <= quorum <= len(witnesses):
            raise BadInputError(
                f"witness policy: quorum {quorum!r}; expected an integer from 1 to {len(witnesses)}"
                " (the number of witnesses)"
            )
        if not timeout > 0:
            raise BadInputError(f"witness policy: timeout {timeout!r}; expected a positive number of seconds")
        self.witnesses = tuple(witnesses)
        self.quorum = quorum
        self.timeout = float(timeout)
        self._known: dict[str, int] = {}  # witness name -> size it last cosigned, as it told us
        self._mutex = threading.Lock()

    def __repr__(self) -> str:
        return f"WitnessPolicy({[w.name for w in self.witnesses]!r}, quorum={self.quorum})"

    @property
    def verifiers(self) -> list[_note.CosignatureVerifier]:
        """The witnesses' cosignature verifiers, e.g. for ``proof.verify_proof(witnesses=...)``."""
        return [w._verifier for w in self.witnesses]

    # configuration ---------------------------------------------------------------------

    @classmethod
    def from_config(cls, table: Mapping) -> WitnessPolicy:
        """Build a policy from a parsed TOML table with ``quorum``, ``[[witness]]`` and an
        optional ``timeout`` [s]."""
        if not isinstance(table, Mapping):
            raise BadInputError(f"witness policy: expected a table, got {type(table).__name__}")
        unknown = sorted(set(table) - {"quorum", "witness", "timeout"})
        if unknown:
            raise BadInputError(
                f"witness policy: unknown key {unknown[0]!r}; expected 'quorum', 'witness' or 'timeout'"
            )
        entries = table.get("witness")
        if not isinstance(entries, list) or not entries:
            raise BadInputError(
                f"witness policy: 'witness' has value {entries!r}; expected one or more [[witness]] tables"
            )
        witnesses = []
        for i, entry in enumerate(entries, start=1):
            if not isinstance(entry, Mapping):
                raise BadInputError(f"witness policy: witness {i} is {entry!r}; expected a table")
            for key in ("name", "url", "vkey"):
                if not isinstance(entry.get(key), str) or not entry[key]:
                    raise BadInputError(
                        f"witness policy: witness {i} has {key!r} = {entry.get(key)!r}; expected a string"
                    )
            extra = sorted(set(entry) - {"name", "url", "vkey"})
            if extra:
                raise BadInputError(
                    f"witness policy: witness {i} has unknown key {extra[0]!r}; expected name, url, vkey"
                )
            witnesses.append(WitnessEndpoint(entry["name"], entry["url"], entry["vkey"]))
        if "quorum" not in table:
            raise BadInputError(
                f"witness policy: no 'quorum'; expected an integer from 1 to {len(witnesses)}"
            )
        timeout = table.get("timeout", 10.0)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool):
            raise BadInputError(f"witness policy: 'timeout' has value {timeout!r}; expected seconds")
        return cls(witnesses, table["quorum"], timeout=timeout)

    @classmethod
    def from_toml(cls, text: str) -> WitnessPolicy:
        """Build a policy from TOML text (see the module docstring)."""
        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise BadInputError(f"witness policy: not valid TOML: {e}") from e
        return cls.from_config(table)

    @classmethod
    def from_file(cls, path: str | Path) -> WitnessPolicy:
        """Build a policy from a TOML file."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as e:
            raise BadInputError(f"witness policy file {str(path)!r}: {e.strerror or e}") from e
        return cls.from_toml(text)

    def to_config(self) -> dict:
        """The TOML table of this policy, as :meth:`from_config` reads it."""
        return {
            "quorum": self.quorum,
            "timeout": self.timeout,
            "witness": [{"name": w.name, "url": w.url, "vkey": w.vkey} for w in self.witnesses],
        }

    # use -------------------------------------------------------------------------------

    def collect(
        self,
        signed_checkpoint: bytes,
        consistency_proof_from: Callable[[int], list[bytes]],
        *,
        old_size: int | None = None,
    ) -> list[str]:
        """Ask every witness to cosign ``signed_checkpoint``; return the valid cosignature lines.

        ``consistency_proof_from(m)`` gives the RFC 9162 consistency proof from size ``m`` to
        the checkpoint's size. Each witness is first sent a proof from the size it last told
        this policy it cosigned, else from ``old_size`` (the log's previous published size),
        else from 0; on 409 Conflict the request is retried once from the size in the
        response [1]. Requests run concurrently, each bounded by ``timeout``. Lines (without
        their newline) are those that verify against the witnesses' keys [2], in policy order.

        Raises QuorumNotReached, naming each witness that failed and why, when fewer than
        ``quorum`` witnesses returned a valid cosignature. Its ``failures`` attribute maps
        witness name to reason.
        """
        raw_body, _ = _note.parse_note(signed_checkpoint)
        cp = parse_checkpoint_body(raw_body)
        body, size = raw_body.decode(), cp.size

        def ask(w: WitnessEndpoint) -> list[str]:
            return self._ask(w, body, size, signed_checkpoint, consistency_proof_from, old_size)

        with ThreadPoolExecutor(max_workers=len(self.witnesses)) as pool:
            futures = {w.name: pool.submit(ask, w) for w in self.witnesses}
        cosigs: list[str] = []
        failures: dict[str, str] = {}
        for w in self.witnesses:
            try:
                cosigs += futures[w.name].result()
            except _WitnessFailed as e:
                failures[w.name] = str(e)
            except Exception as e:  # a bug or an unexpected transport error fails this witness only
                failures[w.name] = f"{type(e).__name__}: {e}"
        got = len(self.witnesses) - len(failures)
        if got < self.quorum:
            raise _quorum_error(got, self.quorum, failures, f"checkpoint {cp.origin!r} at size {size}")
        return cosigs

    def verify(self, cosigned_checkpoint: bytes) -> list[str]:
        """Check that at least ``quorum`` witnesses cosigned the checkpoint note; return their names.

        Only the cosignatures are checked here (the log's own signature is the caller's
        part). Raises QuorumNotReached otherwise.
        """
        raw_body, sigs = _note.parse_note(cosigned_checkpoint)
        cp = parse_checkpoint_body(raw_body)
        lines = [s.line.rstrip("\n") for s in sigs]
        ok, failures = [], {}
        for w in self.witnesses:
            if w.valid_cosignatures(raw_body.decode(), lines):
                ok.append(w.name)
            else:
                failures[w.name] = "no valid cosignature in the checkpoint"
        if len(ok) < self.quorum:
            raise _quorum_error(len(ok), self.quorum, failures, f"checkpoint {cp.origin!r} at size {cp.size}")
        return ok

    def _ask(
        self,
        w: WitnessEndpoint,
        body: str,
        size: int,
        signed_checkpoint: bytes,
        proof_from: Callable[[int], list[bytes]],
        old_size: int | None,
    ) -> list[str]:
        with self._mutex:
            old = self._known.get(w.name, old_size if old_size is not None else 0)
        old = min(old, size)
        for attempt in (1, 2):
            proof = proof_from(old) if 0 < old < size else []
            status, ctype, answer = self._post(w, format_add_checkpoint(old, proof, signed_checkpoint))
            if status == 200:
                good = w.valid_cosignatures(body, answer.decode("utf-8", "replace").split("\n"))
                if not good:
                    raise _WitnessFailed(f"answered 200 without a cosignature that verifies with {w.vkey!r}")
                with self._mutex:
                    self._known[w.name] = size
                return good
            if status != 409:
                raise _WitnessFailed(f"refused with HTTP {status}: {_detail(answer)}")
            known = _parse_size(answer, ctype)
            if known is None:
                raise _WitnessFailed(f"409 Conflict without a size in {SIZE_CONTENT_TYPE}: {_detail(answer)}")
            with self._mutex:
                self._known[w.name] = known
            if known > size:
                raise _WitnessFailed(
                    f"has cosigned size {known}, larger than this checkpoint's size {size}"
                    " (a stale checkpoint, or a log that went back)"
                )
            if known == old or attempt == 2:
                raise _WitnessFailed(
                    f"409 Conflict at size {known}: it holds a different checkpoint"
                    + (" of the same size (a fork?)" if known == size else "")
                )
            old = known
        raise AssertionError("unreachable")

    def _post(self, w: WitnessEndpoint, data: bytes) -> tuple[int, str, bytes]:
        req = urllib.request.Request(
            w.url.rstrip("/") + ADD_CHECKPOINT_PATH,
            data=data,
            method="POST",
            headers={"Content-Type": "text/plain; charset=utf-8", "User-Agent": "citytwin-ledger"},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, resp.headers.get("Content-Type", ""), resp.read(1 << 16)
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.headers.get("Content-Type", ""), e.read(1 << 16)
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise _WitnessFailed(f"unreachable at {w.url}: {reason}") from e


class _WitnessFailed(Exception):
    """One witness did not give a valid cosignature (internal to :meth:`WitnessPolicy.collect`)."""


def _parse_size(answer: bytes, ctype: str) -> int | None:
    if ctype.split(";")[0].strip() != SIZE_CONTENT_TYPE:
        return None
    m = re.fullmatch(rb"(0|[1-9][0-9]{0,19})\n", answer)
    return int(m.group(1)) if m else None


def _detail(answer: bytes) -> str:
    """The ``detail`` of an RFC 9457 problem body, else the body's text, shortened."""
    text = answer.decode("utf-8", "replace").strip()
    try:
        doc = json.loads(text)
        text = str(doc["detail"]) if isinstance(doc, dict) and "detail" in doc else text
    except ValueError:
        pass
    return text[:300] or "(empty body)"


def _quorum_error(got: int, needed: int, failures: Mapping[str, str], what: str) -> QuorumNotReached:
    why = "; ".join(f"{name}: {reason}" for name, reason in failures.items())
    e = QuorumNotReached(
        f"{what}: {got} valid witness cosignatures, expected at least {needed}; {why}", got=got, needed=needed
    )
    e.failures = dict(failures)
    return e

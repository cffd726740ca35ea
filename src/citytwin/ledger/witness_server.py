"""A transparency-log witness: the server side of C2SP tlog-witness.

A witness is configured with the verifier keys of the logs it watches. For each log,
identified by its checkpoint origin line, it keeps the latest checkpoint it cosigned, and it
cosigns a new checkpoint only if the log signed it and it extends that one (RFC 9162
consistency proof). It answers ``POST <prefix>/add-checkpoint`` as [1] says:

======  ==========================================================================
status  when ([1], "add-checkpoint")
======  ==========================================================================
200     all checks pass; the body is the witness's cosignature/v1 line(s) [2]
400     malformed body; old size larger than the checkpoint size; proof lines with old 0
403     no signature of a trusted key for that origin verifies
404     the checkpoint origin is unknown to the witness
409     old size is not the size the witness last cosigned (body: that size, with
        ``Content-Type: text/x.tlog.size``), or same size with a different root hash
422     the consistency proof from the old size does not verify
======  ==========================================================================

The check of the old size and the update of the stored checkpoint are one atomic step,
and the state file is written, fsynced and renamed into place before the cosignature is
returned ([1]: "The witness MUST persist the new checkpoint before responding").

References
----------
[1] C2SP tlog-witness, https://c2sp.org/tlog-witness, section "add-checkpoint".
[2] C2SP tlog-cosignature, https://c2sp.org/tlog-cosignature, "Ed25519 signed message".
[3] C2SP signed-note, https://c2sp.org/signed-note.
[4] C2SP tlog-checkpoint, https://c2sp.org/tlog-checkpoint.
[5] RFC 9162, section 2.1.4.2 (verifying consistency between two tree heads).
[6] RFC 9457, problem details for HTTP APIs (the body of every refusal but 409).
[7] transparency-dev/witness-network, docs/log-list-format.md ("logs/v0").
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from citytwin.ledger import merkle as _merkle
from citytwin.ledger import note as _note
from citytwin.ledger._witness_state import WitnessState, read_state
from citytwin.ledger.checkpoint import parse_checkpoint_body
from citytwin.ledger.errors import (
    BadInputError,
    CityTwinError,
    MalformedError,
    NotFoundError,
    ProofError,
    SignatureError,
)
from citytwin.ledger.witness import (
    ADD_CHECKPOINT_PATH,
    SIZE_CONTENT_TYPE,
    parse_add_checkpoint,
)

__all__ = [
    "LogKeys",
    "Witness",
    "WitnessRefusal",
    "WitnessState",
    "make_server",
    "parse_log_vkeys",
    "read_state",
]

_log = logging.getLogger(__name__)

# Bodies above this are refused with 413: a checkpoint note and 63 proof lines fit in a few KiB.
_MAX_BODY = 1 << 18


class WitnessRefusal(CityTwinError):
    """The witness refuses an add-checkpoint request; ``status`` is the HTTP status of [1].

    ``known_size`` is set for a 409 Conflict: the size of the latest checkpoint the witness
    cosigned for that origin, which [1] requires in the response body. ``evidence`` is true
    when the refused checkpoint, signed by the log, contradicts what the witness cosigned (a
    different root at the same size, or no consistency proof): possible log misbehavior.
    """

    def __init__(
        self, status: int, message: str, known_size: int | None = None, evidence: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        self.known_size = known_size
        self.evidence = evidence


# --- configuration: which logs the witness watches -----------------------------------------


@dataclass(frozen=True)
class LogKeys:
    """The trusted verifier keys of the logs a witness watches, by checkpoint origin.

    [1]: "Each witness is configured with a list of supported log public keys. For each log,
    uniquely identified by its origin line ...".
    """

    by_origin: Mapping[str, tuple[str, ...]]

    def verifiers(self, origin: str) -> list[_note.Verifier]:
        """The note verifiers trusted for ``origin``; NotFoundError when the origin is unknown."""
        vkeys = self.by_origin.get(origin)
        if not vkeys:
            raise NotFoundError(
                f"unknown log origin {origin!r}; this witness knows {sorted(self.by_origin)!r}"
            )
        return [_note.Verifier.from_text(v) for v in vkeys]


def parse_log_vkeys(specs: Iterable[str]) -> LogKeys:
    """Parse log verifier keys, each ``VKEY`` or ``VKEY ORIGIN``, or a witness-network log list.

    ``VKEY`` is a signed-note verifier key ``name+hash+base64`` [3]. The origin line of the
    log's checkpoints [4] defaults to the key name; a log whose origin differs gives it after
    the key, separated by one space (the origin may itself hold spaces). Blank lines and
    lines starting with ``#`` are skipped, so the lines of a file may be passed as they are.

    Lines starting with the header ``logs/v0`` are read as a log list of the witness network
    [7]: ``vkey VKEY`` opens a log, ``origin ORIGIN`` (``none``: the key name) sets its
    origin, other lines (``qpd``, ``contact``, ``bastion``) are ignored.
    """
    lines = [ln.strip() for ln in specs]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    pairs: list[tuple[str, str | None]] = []
    if lines and lines[0] == "logs/v0":
        for ln in lines[1:]:
            key, _, value = ln.partition(" ")
            if key == "vkey":
                pairs.append((value.strip(), None))
            elif key == "origin" and pairs and value.strip() != "none":
                pairs[-1] = (pairs[-1][0], value.strip())
    else:
        for ln in lines:
            vkey, _, origin = ln.partition(" ")
            pairs.append((vkey, origin.strip() or None))
    by_origin: dict[str, list[str]] = {}
    for vkey, origin in pairs:
        try:
            verifier = _note.Verifier.from_text(vkey)
        except CityTwinError as e:
            raise BadInputError(f"log verifier key {vkey!r}: {e}") from e
        keys = by_origin.setdefault(origin or verifier.name, [])
        if vkey not in keys:
            keys.append(vkey)
    if not by_origin:
        raise BadInputError("no log verifier key given; expected at least one 'name+hash+base64' key")
    return LogKeys({o: tuple(k) for o, k in by_origin.items()})


# --- the witness ----------------------------------------------------------------------------


class Witness:
    """Checks and cosigns checkpoints; the protocol logic of [1] without HTTP.

    ``signer`` is a :class:`~citytwin.ledger.note.CosignatureSigner`, cosignature/v1 [2] (a
    timestamped Ed25519 key, signature type 0x04); ``log_keys`` the logs it watches;
    ``state`` where it records what it cosigned.
    ``clock`` returns the POSIX time [s] put in cosignatures.
    """

    def __init__(
        self,
        signer: _note.CosignatureSigner,
        log_keys: LogKeys,
        state: WitnessState,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if state.witness is not None and state.witness != signer.verifier_text:
            raise BadInputError(
                f"witness state {str(state.path)!r} belongs to witness {state.witness!r}; "
                f"expected the state of {signer.verifier_text!r}"
            )
        self.signer = signer
        self.log_keys = log_keys
        self.state = state
        self.clock = clock
        self._mutex = threading.Lock()

    def add_checkpoint(self, body: bytes) -> bytes:
        """Handle one add-checkpoint request body [1]; return the cosignature lines.

        Raises :class:`WitnessRefusal` carrying the status code [1] prescribes.
        """
        try:
            old_size, proof, note_bytes = parse_add_checkpoint(body)
        except MalformedError as e:
            raise WitnessRefusal(HTTPStatus.BAD_REQUEST, str(e)) from e
        origin = note_bytes.split(b"\n", 1)[0].decode("utf-8", "replace")
        try:
            verifiers = self.log_keys.verifiers(origin)
        except NotFoundError as e:
            raise WitnessRefusal(HTTPStatus.NOT_FOUND, str(e)) from e
        try:
            text = _note.open_note(note_bytes, verifiers).body
        except SignatureError as e:
            # [1]: "If none of the signatures verify against a trusted public key, the witness
            # MUST respond with a 403 Forbidden".
            raise WitnessRefusal(HTTPStatus.FORBIDDEN, f"log signature of {origin!r}: {e}") from e
        except MalformedError as e:
            raise WitnessRefusal(HTTPStatus.BAD_REQUEST, f"checkpoint note: {e}") from e
        try:
            cp = parse_checkpoint_body(text)
        except MalformedError as e:
            raise WitnessRefusal(HTTPStatus.BAD_REQUEST, f"checkpoint: {e}") from e
        if old_size > cp.size:
            # [1]: "The old size MUST be equal to or lower than the checkpoint size."
            raise WitnessRefusal(
                HTTPStatus.BAD_REQUEST,
                f"old size {old_size} is larger than the checkpoint size {cp.size}; "
                f"expected at most {cp.size}",
            )
        with self._mutex:  # [1]: check of the old size and persisting are one atomic step
            try:
                self._check(cp.origin, old_size, cp.size, cp.root, proof)
            except WitnessRefusal as e:
                if e.evidence:
                    self.state.record_evidence(cp.origin, int(e.status), str(e), body, int(self.clock()))
                    _log.warning("possible misbehavior of log %r: %s", cp.origin, e)
                raise
            now = int(self.clock())
            self.state.record(cp.origin, cp.size, cp.root, note_bytes, now)
            sig = self.signer.signature(text, now)
        _log.debug("cosigned %r at size %d (old %d)", cp.origin, cp.size, old_size)
        return _note.NoteSignature(self.signer.name, self.signer.key_id, sig).line.encode()

    def _check(self, origin: str, old_size: int, size: int, root: bytes, proof: list[bytes]) -> None:
        head = self.state.head(origin)
        known = head.size if head is not None else 0
        if old_size != known:
            # [1]: "If it doesn't match, the witness MUST respond with a 409 Conflict".
            raise WitnessRefusal(
                HTTPStatus.CONFLICT,
                f"old size {old_size} does not match the size {known} last cosigned for {origin!r}",
                known_size=known,
            )
        if old_size == 0:
            # [1]: "The proof MUST be empty if the old size is zero."
            if proof:
                raise WitnessRefusal(
                    HTTPStatus.BAD_REQUEST, f"old size 0 with {len(proof)} proof lines; expected none"
                )
            if head is None or size > 0 or head.root == root:
                return
        if old_size == size:
            # [1]: "If the old size matches the checkpoint size, the witness MUST check that
            # the root hashes are also identical. If they don't match ... 409 Conflict".
            if head is not None and head.root != root:
                raise WitnessRefusal(
                    HTTPStatus.CONFLICT,
                    f"root at size {size} of {origin!r}: expected {_b64(head.root)}, got {_b64(root)}"
                    " (a fork of the log)",
                    known_size=known,
                    evidence=True,
                )
            if proof:
                raise WitnessRefusal(
                    HTTPStatus.UNPROCESSABLE_ENTITY,
                    f"consistency proof from {size} to {size}: expected no hashes, got {len(proof)}",
                )
            return
        assert head is not None
        try:
            _merkle.verify_consistency(old_size, size, head.root, root, proof)
        except ProofError as e:
            # [1]: "If the Merkle Consistency Proof doesn't verify ... 422 Unprocessable Entity".
            raise WitnessRefusal(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                f"consistency proof of {origin!r} from size {old_size} to {size} does not verify: {e}",
                evidence=True,
            ) from e


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


# --- HTTP ------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as [1] recommends
    server_version = "citytwin-witness"
    timeout = 30  # [s] a connection idle or stalled this long is closed
    server: _WitnessHTTPServer

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.split("?", 1)[0] != self.server.prefix + ADD_CHECKPOINT_PATH:
            self._problem(HTTPStatus.NOT_FOUND, f"no such endpoint {self.path!r}")
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._problem(HTTPStatus.LENGTH_REQUIRED, "a Content-Length header is required")
            return
        if int(length) > _MAX_BODY:
            self.close_connection = True
            left = int(length) if int(length) <= 16 * _MAX_BODY else 0
            while left > 0:  # read it, so that the client is not cut off before the answer
                chunk = self.rfile.read(min(1 << 16, left))
                if not chunk:
                    break
                left -= len(chunk)
            self._problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body of {length} bytes; at most {_MAX_BODY}")
            return
        body = self.rfile.read(int(length))
        try:
            cosig = self.server.witness.add_checkpoint(body)
        except WitnessRefusal as e:
            _log.info("refused add-checkpoint: %d %s", e.status, e)
            if e.status == HTTPStatus.CONFLICT:
                self._send(e.status, f"{e.known_size}\n".encode(), SIZE_CONTENT_TYPE)
            else:
                self._problem(HTTPStatus(e.status), str(e))
            return
        except Exception as e:  # never a traceback to the client; log it at debug level
            _log.debug("add-checkpoint failed", exc_info=True)
            self._problem(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(e).__name__}")
            return
        self._send(HTTPStatus.OK, cosig, "text/plain; charset=utf-8")

    def do_GET(self) -> None:  # noqa: N802
        if self.path.split("?", 1)[0] == self.server.prefix + ADD_CHECKPOINT_PATH:
            self._problem(HTTPStatus.METHOD_NOT_ALLOWED, "add-checkpoint takes POST", allow="POST")
        else:
            self._problem(HTTPStatus.NOT_FOUND, f"no such endpoint {self.path!r}")

    def _problem(self, status: HTTPStatus, detail: str, **headers: str) -> None:
        body = json.dumps(
            {"type": "about:blank", "title": status.phrase, "status": int(status), "detail": detail}
        ).encode()
        self._send(status, body, "application/problem+json", **headers)

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers.items():
            self.send_header(k.replace("_", "-").title(), v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        _log.debug("%s " + format, self.address_string(), *args)


class _WitnessHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], witness: Witness, prefix: str) -> None:
        self.witness = witness
        self.prefix = prefix
        super().__init__(address, _Handler)


def make_server(
    witness: Witness, host: str = "127.0.0.1", port: int = 0, prefix: str = ""
) -> ThreadingHTTPServer:
    """An HTTP server answering ``POST <prefix>/add-checkpoint`` for ``witness`` [1].

    Port 0 picks a free port; ``server.server_address`` gives the one bound. Run it with
    ``serve_forever()`` and stop it with ``shutdown()``.
    """
    prefix = prefix.rstrip("/")
    if prefix and not prefix.startswith("/"):
        raise BadInputError(f"URL prefix {prefix!r}: expected a path starting with '/'")
    try:
        return _WitnessHTTPServer((host, port), witness, prefix)
    except OSError as e:
        raise BadInputError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e

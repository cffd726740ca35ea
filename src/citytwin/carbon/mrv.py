"""MRV on the ledger: signed inventory submissions, signed reviews, and proofs of any figure.

An inventory submission is the twin entity ``urn:ngsi-ld:GHGInventory:<jurisdiction>-<year>-<n>``
(type ``GHGInventory``). Version 1 (``status = "submitted"``) holds the inventory document (or,
when its canonical form exceeds :data:`INLINE_LIMIT`, its SHA-256 with the document stored at
``<data>/carbon/documents/<sha256>.json``) and the reporting principal's Ed25519 signature over
the document's canonical bytes (RFC 8785, :func:`citytwin.twin.canonical.canonicalize`). The
verifying bureau approves or returns it as version 2, which adds a ``review`` signed over the
canonical bytes of the decision, the document hash and the submission signature. Every version
is one entry of the transparency log; :func:`prove` bundles the approved version's C2SP
tlog-proof with the document, and :func:`verify_figure` checks the bundle offline (log key,
inclusion, document hash, both signatures) before reading a figure from the document.

Principals' keys are signed-note Ed25519 keys (C2SP signed-note; ``citytwin.ledger.note``),
kept under ``<data>/keys/principals/<name>.key`` (private, mode 0600) and ``<name>.vkey``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from citytwin.carbon.inventory import Inventory
from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.ledger.note import CosignatureVerifier, Signer, Verifier
from citytwin.twin import Entity, Twin
from citytwin.twin.canonical import canonicalize
from citytwin.twin.signed import create_principal, principal_signer

__all__ = [
    "ENTITY_TYPE",
    "INLINE_LIMIT",
    "ProvenFigure",
    "approve",
    "create_principal",
    "prove",
    "return_submission",
    "submit",
    "verify_figure",
]

ENTITY_TYPE = "GHGInventory"
INLINE_LIMIT = 60 * 1024  # bytes of canonical document kept inside the entity (log entries ≤ 64 KiB)
_SUBMISSION_CONTEXT = b"citytwin.carbon.submission/v1\n"
_REVIEW_CONTEXT = b"citytwin.carbon.review/v1\n"


def _sign(signer: Signer, context: bytes, body: bytes) -> str:
    return base64.b64encode(signer.signature(context + body)).decode()


def _check_signature(vkey_text: str, context: bytes, body: bytes, signature_b64: str, what: str) -> None:
    try:
        verifier = Verifier.from_text(vkey_text)
        ok = verifier.verify(context + body, base64.b64decode(signature_b64, validate=True))
    except (ValueError, BadInputError) as e:
        raise VerificationError(f"{what}: bad key or signature encoding ({e})") from e
    if not ok:
        raise VerificationError(f"{what}: the Ed25519 signature by {vkey_text.split('+')[0]!r} does not verify")


def _review_body(entity_id: str, decision: str, reason: str, document_sha256: str, submission_sig: str) -> bytes:
    return canonicalize(
        {
            "entity_id": entity_id,
            "decision": decision,
            "reason": reason,
            "document_sha256": document_sha256,
            "submission_signature": submission_sig,
        }
    )


def _documents_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "carbon" / "documents"


def submit(twin: Twin, inventory: Inventory, principal: str) -> Entity:
    """Sign and commit an inventory as a new submission; returns the committed version.

    The document is checked (its totals recomputed) before anything is written; a refused
    commit leaves neither the entity nor the stored document behind.
    """
    doc = inventory.to_dict()
    Inventory.from_dict(doc)
    body = canonicalize(doc)
    digest = hashlib.sha256(body).hexdigest()
    signer = principal_signer(twin.config.data_dir, principal)
    props = {
        "status": "submitted",
        "document_sha256": digest,
        "document_bytes": len(body),
        "gwp_set": inventory.gwp_set,
        "year": inventory.year,
        "label": inventory.label,
        "totals": inventory.totals(),
        "reporter": {"name": principal, "verifier_key": signer.verifier_text},
        "signature": _sign(signer, _SUBMISSION_CONTEXT, body),
    }
    stored_file = None
    if len(body) <= INLINE_LIMIT:
        props["document"] = doc
    else:
        folder = _documents_dir(twin.config.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        stored_file = folder / f"{digest}.json"
        new_file = not stored_file.exists()
        stored_file.write_bytes(body)
    prefix = f"urn:ngsi-ld:{ENTITY_TYPE}:{inventory.jurisdiction}-{inventory.year}-"
    n = 1 + len(twin.entities(type=ENTITY_TYPE, id_pattern=re.escape(prefix) + r"[0-9]+"))
    entity = Entity(id=f"{prefix}{n}", type=ENTITY_TYPE, jurisdiction=inventory.jurisdiction, properties=props)
    result = twin.commit([entity])
    if result.rejected or not result.accepted:
        if stored_file is not None and new_file:
            stored_file.unlink(missing_ok=True)
        reason = result.rejected[0].reason if result.rejected else "nothing was committed"
        raise BadInputError(f"submission {entity.id} refused: {reason}")
    return twin.entity(entity.id)


def _review(twin: Twin, entity_id: str, principal: str, decision: str, reason: str) -> Entity:
    current = twin.entity(entity_id)
    props = current.properties
    if current.type != ENTITY_TYPE:
        raise BadInputError(f"{entity_id} is a {current.type}, expected a {ENTITY_TYPE}")
    if props.get("status") != "submitted":
        raise BadInputError(f"{entity_id} is {props.get('status')!r}: only a 'submitted' inventory can be reviewed")
    document = _document(twin.config.data_dir, props)
    _check_document(props, document)
    signer = principal_signer(twin.config.data_dir, principal)
    body = _review_body(entity_id, decision, reason, props["document_sha256"], props["signature"])
    review = {
        "decision": decision,
        "reason": reason,
        "reviewer": {"name": principal, "verifier_key": signer.verifier_text},
        "signature": _sign(signer, _REVIEW_CONTEXT, body),
    }
    entity = Entity(
        id=entity_id,
        type=ENTITY_TYPE,
        jurisdiction=current.jurisdiction,
        properties={**props, "status": decision, "review": review},
    )
    result = twin.commit([entity])
    if result.rejected or not result.accepted:
        raise BadInputError(f"review of {entity_id} refused: {result.rejected[0].reason if result.rejected else '?'}")
    return twin.entity(entity_id)


def approve(twin: Twin, entity_id: str, principal: str, reason: str = "") -> Entity:
    """The verifying bureau approves a submission (signed new version, status ``approved``)."""
    return _review(twin, entity_id, principal, "approved", reason)


def return_submission(twin: Twin, entity_id: str, principal: str, reason: str) -> Entity:
    """The verifying bureau returns a submission for correction (``returned``); a reason is required."""
    if not reason.strip():
        raise BadInputError(f"returning {entity_id} needs a reason")
    return _review(twin, entity_id, principal, "returned", reason)


def _document(data_dir: Path, props: dict) -> dict:
    if "document" in props:
        return props["document"]
    path = _documents_dir(data_dir) / f"{props['document_sha256']}.json"
    try:
        return orjson.loads(path.read_bytes())
    except OSError:
        raise NotFoundError(f"inventory document {props['document_sha256']} is not stored at {path}") from None


def _check_document(props: dict, document: dict) -> bytes:
    body = canonicalize(document)
    digest = hashlib.sha256(body).hexdigest()
    if digest != props.get("document_sha256"):
        raise VerificationError(f"inventory document sha256: expected {props.get('document_sha256')}, got {digest}")
    _check_signature(
        props["reporter"]["verifier_key"], _SUBMISSION_CONTEXT, body, props["signature"], "reporter signature"
    )
    return body


def prove(twin: Twin, entity_id: str) -> dict:
    """Proof material of the approved version of ``entity_id``: the C2SP tlog-proof bundle of its
    log entry (the entry itself included), the log's verifier key and the inventory document."""
    approved = [v for v in twin.entity_history(entity_id) if v.properties.get("status") == "approved"]
    if not approved:
        raise NotFoundError(f"{entity_id} has no approved version")
    version = approved[-1]
    return {
        "entity_id": entity_id,
        "version": version.version,
        "log_index": version.log_index,
        "log_verifier_key": twin.config.verifier_key_path.read_text().strip(),
        "proof": twin.log.prove(version.log_index),
        "document": _document(twin.config.data_dir, version.properties),
    }


@dataclass(frozen=True)
class ProvenFigure:
    """A figure read from an approved inventory after every check passed."""

    path: str
    value: object
    entity_id: str
    version: int
    log_index: int
    tree_size: int
    reporter: str
    reviewer: str


def _lookup(document: dict, path: str):
    node = document
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise BadInputError(f"figure {path!r}: no {part!r} in the inventory document")
    return node


def verify_figure(
    bundle: dict,
    path: str,
    log_verifier_key: str | None = None,
    reporter_key: str | None = None,
    reviewer_key: str | None = None,
    witness_keys: Sequence[str] = (),
    quorum: int | None = None,
) -> ProvenFigure:
    """Check a :func:`prove` bundle offline and return the figure at ``path`` (e.g. ``totals.basic_t``).

    Checks: the tlog-proof against the log key (``log_verifier_key``, default the bundle's) and,
    when ``witness_keys`` (cosignature/v1 verifier keys) are given, ``quorum`` of their
    cosignatures (default all); that the proven entry is this entity's approved version; the
    document's SHA-256; the reporter's and the reviewer's signatures (and, when given, that they
    are the expected keys).
    """
    from citytwin.ledger.proof import parse_proof, verify_proof

    verifier = Verifier.from_text(log_verifier_key or bundle["log_verifier_key"])
    witnesses = [CosignatureVerifier.from_text(k.strip()) for k in witness_keys]
    proven = verify_proof(bundle["proof"], verifier, witnesses=witnesses, quorum=quorum)
    entry = orjson.loads(parse_proof(bundle["proof"]).extra)
    props = entry.get("properties", {})
    if entry.get("id") != bundle["entity_id"] or entry.get("type") != ENTITY_TYPE:
        raise VerificationError(f"proven entry is {entry.get('id')!r}, expected {bundle['entity_id']!r}")
    if props.get("status") != "approved":
        raise VerificationError(f"proven version of {bundle['entity_id']} is {props.get('status')!r}, not approved")
    document = bundle["document"]
    _check_document(props, document)
    if "document" in props and props["document"] != document:
        raise VerificationError("the document in the log entry differs from the bundle's document")
    review = props["review"]
    body = _review_body(bundle["entity_id"], "approved", review["reason"], props["document_sha256"], props["signature"])
    _check_signature(
        review["reviewer"]["verifier_key"], _REVIEW_CONTEXT, body, review["signature"], "reviewer signature"
    )
    for expected, got, who in (
        (reporter_key, props["reporter"]["verifier_key"], "reporter"),
        (reviewer_key, review["reviewer"]["verifier_key"], "reviewer"),
    ):
        if expected is not None and expected.strip() != got:
            raise VerificationError(f"{who} key: expected {expected.strip()}, got {got}")
    return ProvenFigure(
        path,
        _lookup(document, path),
        bundle["entity_id"],
        int(entry["version"]),
        proven.index,
        proven.checkpoint.size,
        props["reporter"]["name"],
        review["reviewer"]["name"],
    )

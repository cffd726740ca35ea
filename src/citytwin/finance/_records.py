"""Signed twin records of green finance: each version's properties carry the record, the signer's
name and verifier key and an Ed25519 signature over a context line and the record's RFC 8785
bytes (the scheme of ``citytwin.carbon.mrv``; keys under ``<data>/keys/principals/``)."""

from __future__ import annotations

import base64
import binascii

from citytwin.errors import BadInputError, VerificationError
from citytwin.finance.registry_log import load_signer
from citytwin.ledger.note import Verifier
from citytwin.twin import Entity, Twin
from citytwin.twin.canonical import canonicalize

__all__ = ["check_signed", "commit_signed"]


def commit_signed(twin: Twin, entity_id: str, entity_type: str, principal: str, context: bytes, record: dict,
                  jurisdiction: str | None = None, location: dict | None = None) -> Entity:
    """Sign ``record`` as ``principal`` and commit it as a new version of ``entity_id``."""
    signer = load_signer(twin.config.data_dir, principal)
    signature = base64.b64encode(signer.signature(context + canonicalize(record))).decode()
    props = {"record": record, "signer": principal, "signer_key": signer.verifier_text, "signature": signature}
    result = twin.commit([Entity(id=entity_id, type=entity_type, jurisdiction=jurisdiction, location=location,
                                 properties=props)])
    if result.rejected or not result.accepted:
        reason = result.rejected[0].reason if result.rejected else "nothing changed"
        raise BadInputError(f"{entity_id} refused: {reason}")
    return twin.entity(entity_id)


def check_signed(props: dict, context: bytes, what: str) -> dict:
    """The record of a signed version after its signature verified; raises :class:`VerificationError`."""
    try:
        verifier = Verifier.from_text(props["signer_key"])
        ok = verifier.name == props["signer"] and verifier.verify(
            context + canonicalize(props["record"]), base64.b64decode(props["signature"], validate=True))
    except (KeyError, TypeError, ValueError, binascii.Error, BadInputError) as e:
        raise VerificationError(f"{what}: not a signed record ({e})") from e
    if not ok:
        raise VerificationError(f"{what}: the signature by {props.get('signer')!r} does not verify")
    return props["record"]

"""Offline proof that a serial was retired for a beneficiary (issue 9, "Must hold").

:func:`prove_retirement` bundles two C2SP tlog-proofs (``c2sp.org/tlog-proof@v1``, the entry in
``extra``): the ``retire`` act that covers the serial, and the ``open`` act of the retiring
account, which registered the holder's Ed25519 key. :func:`verify_retirement` needs only the
bundle and the log's verifier key (plus, optionally, witness keys and a quorum): it checks both
inclusion proofs and checkpoint signatures, that the open act precedes the retire act in the log,
that the retiring principal is the account's holder, the holder's signature over the retire act
(the scheme of :mod:`citytwin.finance.registry`), and that the serial and beneficiary match.

What it does not show by itself: that the account still held the serial at that moment. That
follows from the registry committing only acts that apply to the replayed state, which anyone
with the whole log re-checks with ``citytwin finance registry verify``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from citytwin.errors import NotFoundError, VerificationError
from citytwin.finance.registry import CONTEXT, _blocks_in
from citytwin.finance.registry_log import ACT_TYPE, Registry
from citytwin.ledger.note import CosignatureVerifier, Verifier
from citytwin.twin.canonical import canonicalize

__all__ = ["ProvenRetirement", "prove_retirement", "verify_retirement"]


@dataclass(frozen=True)
class ProvenRetirement:
    serial: int
    beneficiary: str
    purpose: str
    claimed_in: str
    account: str
    holder: str
    log_index: int
    tree_size: int


def prove_retirement(registry: Registry, serial: int) -> dict:
    """Proof material for the retirement of ``serial`` (a JSON object)."""
    registry.refresh()
    state = registry.state
    blocks = _blocks_in(state, serial, serial) if 0 <= serial < state.next_serial else []
    if not blocks or blocks[0].status != "retired":
        status = blocks[0].status if blocks else "never issued"
        raise NotFoundError(f"serial {serial} is {status}, expected retired")
    block = blocks[0]
    retire_index = registry.replayed.log_index[block.detail[0]]
    open_index = registry.replayed.log_index[registry.replayed.opened_by[block.account]]
    log = registry.twin.log
    return {
        "serial": serial,
        "log_verifier_key": registry.twin.verifier.text,
        "retire_proof": log.prove(retire_index),
        "open_proof": log.prove(open_index),
    }


def _entry(proof: str, verifier: Verifier, witnesses, quorum) -> tuple[dict, int, int]:
    from citytwin.ledger.proof import parse_proof, verify_proof

    proven = verify_proof(proof, verifier, witnesses=witnesses, quorum=quorum)
    doc = orjson.loads(parse_proof(proof).extra)
    if doc.get("type") != ACT_TYPE:
        raise VerificationError(f"proven entry {proven.index} is a {doc.get('type')!r}, expected a {ACT_TYPE}")
    return doc["properties"], proven.index, proven.checkpoint.size


def verify_retirement(
    bundle: dict,
    serial: int,
    beneficiary: str,
    log_verifier_key: str,
    witness_keys: Sequence[str] = (),
    quorum: int | None = None,
) -> ProvenRetirement:
    """Check a :func:`prove_retirement` bundle offline; raises :class:`VerificationError`."""
    verifier = Verifier.from_text(log_verifier_key.strip())
    witnesses = [CosignatureVerifier.from_text(k.strip()) for k in witness_keys]
    retire, retire_index, size = _entry(bundle["retire_proof"], verifier, witnesses, quorum)
    opened, open_index, _ = _entry(bundle["open_proof"], verifier, witnesses, quorum)
    body, open_body = retire["act"], opened["act"]
    if body.get("act") != "retire" or open_body.get("act") != "open":
        raise VerificationError(f"acts {body.get('act')!r} and {open_body.get('act')!r}: expected retire and open")
    if not body["first"] <= serial <= body["last"]:
        raise VerificationError(f"serial {serial}: the retire act covers {body['first']}-{body['last']}")
    if body["beneficiary"] != beneficiary:
        raise VerificationError(f"beneficiary: expected {beneficiary!r}, got {body['beneficiary']!r}")
    if open_body["account"] != body["account"] or open_body["principal"] != body["principal"]:
        raise VerificationError(f"account {body['account']!r} of {body['principal']!r}: the open act is of "
                                f"{open_body['account']!r} by {open_body['principal']!r}")
    if open_index >= retire_index:
        raise VerificationError(f"open act at {open_index} does not precede the retire act at {retire_index}")
    holder = Verifier.from_text(open_body["key"])
    if not holder.verify(CONTEXT + canonicalize(body), base64.b64decode(retire["signature"])):
        raise VerificationError(f"the retire act's signature does not verify with the key of {body['principal']!r}")
    return ProvenRetirement(serial, body["beneficiary"], body["purpose"], body["claimed_in"], body["account"],
                            body["principal"], retire_index, size)

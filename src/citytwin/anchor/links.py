"""Linking a proof bundle's checkpoint to the chain's anchors, for offline checks.

A C2SP tlog-proof bundle proves entry i under the log's checkpoint (size N, root R). An anchor
(size n > i, root r) on the chain covers the same entry if r is the root of the same tree at n.
The link is the log's RFC 9162 consistency proof between n and N (§2.1.4.1), from the smaller
size to the larger; anyone holding the bundle verifies it (§2.1.4.2) with r and R, no server
needed: entry i is then in a tree whose head the chain recorded at that block.
"""

from __future__ import annotations

from pathlib import Path

from citytwin.anchor.datadir import anchors_covering, open_log
from citytwin.errors import BadInputError
from citytwin.ledger.merkle import verify_consistency

__all__ = ["anchor_links", "verify_anchor_link"]


def _h(text: str, what: str) -> bytes:
    try:
        value = bytes.fromhex(text.removeprefix("0x"))
    except (AttributeError, ValueError) as e:
        raise BadInputError(f"{what} {text!r}: expected 0x followed by 64 hex digits") from e
    if len(value) != 32:
        raise BadInputError(f"{what} {text!r}: expected 32 bytes, got {len(value)}")
    return value


def anchor_links(index: int, data_dir: Path, rpc: str | None = None, contract: str | None = None) -> dict:
    """The log's checkpoint and, per anchor covering entry ``index``, ``{tx, block, size, root,
    consistency}`` where ``consistency`` lists the ``0x`` hex hashes of the proof between the
    anchor's size and the checkpoint's (None for an anchor beyond the log's size)."""
    anchors = anchors_covering(index, data_dir, rpc, contract)
    with open_log(Path(data_dir)) as log:
        size, root = log.size, log.root
        for a in anchors:
            if a["size"] > size:
                a["consistency"] = None
            else:
                a["consistency"] = ["0x" + h.hex() for h in log.consistency_proof(a["size"], size)]
    return {"checkpoint": {"size": size, "root": "0x" + root.hex()}, "anchors": anchors}


def verify_anchor_link(link: dict, checkpoint_size: int, checkpoint_root: bytes) -> None:
    """Check one link of :func:`anchor_links` against a checkpoint (size [entries], root);
    raise ``ProofError`` naming both roots if the anchored tree is not the checkpoint's tree."""
    size, root = int(link["size"]), _h(link["root"], "anchored root")
    proof = [_h(h, "consistency proof hash") for h in link.get("consistency") or []]
    if size <= checkpoint_size:
        verify_consistency(size, checkpoint_size, root, checkpoint_root, proof)
    else:
        verify_consistency(checkpoint_size, size, checkpoint_root, root, proof)

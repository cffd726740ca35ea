"""Anchors of one log on the CheckpointAnchor contract: post, read back, look up.

A log is keyed on the chain by ``SHA-256(origin)`` (the origin line of its C2SP tlog-checkpoint,
UTF-8). The contract keeps the last (tree size, root hash) per key and emits one ``Anchored``
event per accepted checkpoint; the history is read with ``eth_getLogs`` (EIP-1474), in block
ranges of ``chunk`` blocks since many nodes bound the range of one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from citytwin.anchor.account import ChainAccount
from citytwin.anchor.chain import Chain, Receipt, read_journal
from citytwin.anchor.errors import AnchorRefused, ForkDetected
from citytwin.errors import BadInputError

__all__ = ["Anchor", "PostResult", "anchors_covering", "is_poster", "latest", "origin_key", "post_checkpoint",
           "read_anchors", "send_anchor", "set_poster"]

_MAX_SIZE = 2**64 - 1  # uint64 treeSize


@dataclass(frozen=True)
class Anchor:
    """One ``Anchored`` event: the log's key, ``size`` [entries], ``root`` (32 bytes), the poster's
    address, and where it is on the chain (transaction hash, block number, log index)."""

    origin_key: bytes
    size: int
    root: bytes
    poster: str
    tx: str
    block: int
    log_index: int

    def to_json(self) -> dict:
        return {"tx": self.tx, "block": self.block, "size": self.size, "root": "0x" + self.root.hex(),
                "poster": self.poster, "log_index": self.log_index}


@dataclass(frozen=True)
class PostResult:
    """What ``post`` did: ``status`` is "anchored" (a new transaction was mined), "resumed" (a
    transaction kept from an earlier run was mined) or "already" (this size is on the chain)."""

    status: str
    size: int
    root: bytes
    receipt: Receipt | None = None


def origin_key(origin: str) -> bytes:
    """SHA-256 of the origin line [32 bytes]: the log's key in the contract."""
    if not origin or "\n" in origin:
        raise BadInputError(f"log origin {origin!r}: expected one non-empty line")
    return sha256(origin.encode("utf-8")).digest()


def latest(chain: Chain, origin: str) -> tuple[int, bytes]:
    """The last anchored (tree size, root hash) of a log: (0, 32 zero bytes) when none."""
    key = origin_key(origin)
    size, root = chain.rpc_call("eth_call latest", lambda: chain.contract.functions.latest(key).call())
    return int(size), bytes(root)


def _check_checkpoint(size: int, root: bytes) -> None:
    if not 0 < size <= _MAX_SIZE:
        raise BadInputError(f"tree size {size}: expected 1..2^64-1 (an empty log has nothing to anchor)")
    if len(root) != 32:
        raise BadInputError(f"root hash: expected 32 bytes, got {len(root)}")


def send_anchor(chain: Chain, account: ChainAccount, origin: str, size: int, root: bytes,
                journal: Path | None = None) -> Receipt:
    """Send ``anchor(SHA-256(origin), size, root)`` as is, with no check against the chain first;
    the contract refuses a size not larger than the last one, or a sender that is not a poster."""
    _check_checkpoint(size, root)
    what = f"anchoring {origin} at tree size {size}"
    fn = chain.contract.functions.anchor(origin_key(origin), size, bytes(root))
    tx = chain.build(account, what, lambda base: fn.build_transaction(base))
    return chain.send(account, what, tx, journal)


def _resume(chain: Chain, journal: Path) -> Receipt | None:
    """Finish the transaction kept in ``journal`` by an earlier run, if any.

    The same signed bytes are sent again (same hash, same nonce), so the anchor is neither lost nor
    made twice; a transaction whose nonce was used by another one is dropped from the journal.
    """
    record = read_journal(journal)
    if record is None:
        return None
    what = record.get("what", "pending transaction")
    rec = chain.receipt(record["tx"])
    if rec is not None:
        try:
            return chain.finish(rec, what, journal)
        except AnchorRefused:  # reverted (e.g. a larger size was anchored meanwhile): settled, go on
            return None
    try:
        chain.send_raw(bytes.fromhex(record["raw"].removeprefix("0x")), what)
    except BadInputError as e:
        if "nonce" in str(e).lower():  # replaced by another transaction of the account: nothing to wait for
            journal.unlink(missing_ok=True)
            return None
        raise
    try:
        return chain.wait(record["tx"], what, journal)
    except AnchorRefused:
        return None


def post_checkpoint(chain: Chain, account: ChainAccount, origin: str, size: int, root: bytes,
                    journal: Path | None = None) -> PostResult:
    """Anchor the checkpoint (origin, size, root) unless the chain has it already.

    A pending transaction of an earlier run is finished first. If the chain holds a different root
    for this size, or a larger size than the log's, the log and the chain disagree:
    :class:`ForkDetected`.
    """
    _check_checkpoint(size, root)
    chain.require_contract()
    resumed = _resume(chain, journal) if journal is not None else None
    last_size, last_root = latest(chain, origin)
    if last_size == size:
        if last_root != root:
            raise ForkDetected(f"log {origin}: tree size {size} is anchored with root 0x{last_root.hex()}, "
                               f"expected the log's root 0x{root.hex()}: the log forked")
        return PostResult("resumed" if resumed else "already", size, root, resumed)
    if last_size > size:
        raise ForkDetected(f"log {origin}: the chain has tree size {last_size} anchored, expected at most "
                           f"the log's size {size}: the log lost entries or is another log with this origin")
    receipt = send_anchor(chain, account, origin, size, root, journal)
    return PostResult("anchored", size, root, receipt)


def read_anchors(chain: Chain, origin: str, from_block: int = 0, to_block: int | None = None,
                 chunk: int = 5000) -> list[Anchor]:
    """Every ``Anchored`` event of the log in blocks ``from_block``..``to_block`` (default: the
    latest block), in chain order (block, then log index)."""
    chain.require_contract()
    if chunk < 1:
        raise BadInputError(f"log query range {chunk}: expected 1 block or more")
    key = origin_key(origin)
    head = chain.block_number() if to_block is None else to_block
    event = chain.contract.events.Anchored()
    found: list[Anchor] = []
    start = max(0, from_block)
    while start <= head:
        stop = min(head, start + chunk - 1)
        logs = chain.rpc_call("eth_getLogs", lambda a=start, b=stop: event.get_logs(
            argument_filters={"originKey": key}, from_block=a, to_block=b))
        for ev in logs:
            if ev.get("removed"):
                continue
            args = ev["args"]
            found.append(Anchor(bytes(args["originKey"]), int(args["treeSize"]), bytes(args["rootHash"]),
                                str(args["poster"]), "0x" + bytes(ev["transactionHash"]).hex(),
                                int(ev["blockNumber"]), int(ev["logIndex"])))
        start = stop + 1
    found.sort(key=lambda a: (a.block, a.log_index))
    return found


def anchors_covering(anchors: Sequence[Anchor], index: int) -> list[dict]:
    """The anchors whose tree contains entry ``index`` (size > index), smallest first, as
    ``{tx, block, size, root}`` (root as ``0x`` hex)."""
    if index < 0:
        raise BadInputError(f"entry index {index}: expected 0 or more")
    chosen = sorted((a for a in anchors if a.size > index), key=lambda a: (a.size, a.block))
    return [{"tx": a.tx, "block": a.block, "size": a.size, "root": "0x" + a.root.hex()} for a in chosen]


def set_poster(chain: Chain, account: ChainAccount, address: str, allowed: bool = True) -> Receipt:
    """As the contract's owner, authorise (``addPoster``) or revoke (``removePoster``) an account."""
    chain.require_contract()
    if not chain.w3.is_address(address):
        raise BadInputError(f"account address {address!r}: expected 0x followed by 40 hex digits")
    address = chain.w3.to_checksum_address(address)
    what = f"{'authorising' if allowed else 'revoking'} poster {address}"
    fn = (chain.contract.functions.addPoster if allowed else chain.contract.functions.removePoster)(address)
    tx = chain.build(account, what, lambda base: fn.build_transaction(base))
    return chain.send(account, what, tx)


def is_poster(chain: Chain, address: str) -> bool:
    chain.require_contract()
    address = chain.w3.to_checksum_address(address)
    return bool(chain.rpc_call("eth_call isPoster", lambda: chain.contract.functions.isPoster(address).call()))

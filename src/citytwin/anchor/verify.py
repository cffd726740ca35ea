"""Check a log's anchors against the log itself.

For each anchor (tree size n, root r) of the log's origin, in chain order:

1. n must not exceed the log's size N (a larger anchored tree is one the log does not have);
2. r must be the log's root at size n: the log's RFC 9162 consistency proof from n to N
   (§2.1.4.1, read from its tiles) is verified (§2.1.4.2) with r as the old root and the log's
   checkpoint root as the new one. The verification recomputes the root at n from the same
   nodes that give the root at N, so it holds only if r is that root;
3. successive anchors (n1, r1), (n2, r2) must be consistent: the log's proof from n1 to n2
   verifies against r1 and r2, and sizes grow.

The log's own checkpoint should be verified first (``citytwin verify`` / ``Log.verify``): this
module trusts the log's root at its published size and checks the chain against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from citytwin.anchor.anchors import Anchor, origin_key
from citytwin.anchor.errors import ForkDetected
from citytwin.errors import CityTwinError
from citytwin.ledger import Log
from citytwin.ledger.merkle import verify_consistency

__all__ = ["AnchorCheck", "AnchorReport", "check_anchors"]


@dataclass(frozen=True)
class AnchorCheck:
    """The verdict on one anchor: ``ok``, or the reason it is a fork."""

    anchor: Anchor
    ok: bool
    reason: str = ""

    def to_json(self) -> dict:
        return {**self.anchor.to_json(), "ok": self.ok, **({"fork": self.reason} if not self.ok else {})}


@dataclass
class AnchorReport:
    """Every anchor of one log checked against it; ``forks`` names each disagreement."""

    origin: str
    log_size: int
    log_root: bytes
    checks: list[AnchorCheck] = field(default_factory=list)
    forks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.forks

    def to_json(self) -> dict:
        return {"origin": self.origin, "log_size": self.log_size, "log_root": "0x" + self.log_root.hex(),
                "anchors": [c.to_json() for c in self.checks], "ok": self.ok, "forks": self.forks}

    def raise_for_forks(self) -> None:
        if self.forks:
            head = f"{len(self.forks)} of {len(self.checks)} anchors of log {self.origin} disagree with it"
            raise ForkDetected(head + ": " + "; ".join(self.forks), self.forks)


def _where(a: Anchor) -> str:
    return f"anchor at tree size {a.size} (tx {a.tx}, block {a.block})"


def _root_at(log: Log, anchor: Anchor) -> str:
    """Why the anchored root is not the log's root at its size, or '' if it is."""
    try:
        verify_consistency(anchor.size, log.size, anchor.root, log.root, log.consistency_proof(anchor.size))
    except CityTwinError as e:
        return f"{_where(anchor)}: anchored root 0x{anchor.root.hex()} is not the log's root at that size ({e})"
    return ""


def check_anchors(log: Log, anchors: Sequence[Anchor]) -> AnchorReport:
    """Check ``anchors`` (in chain order) against ``log``; the report lists every fork."""
    key = origin_key(log.origin)
    report = AnchorReport(log.origin, log.size, log.root)
    previous: Anchor | None = None
    for a in anchors:
        reason = ""
        if a.origin_key != key:
            reason = f"{_where(a)}: origin key 0x{a.origin_key.hex()}, expected 0x{key.hex()} (SHA-256 of {log.origin})"
        elif a.size > log.size:
            reason = (f"{_where(a)}: anchored size {a.size} is beyond the log's size {log.size}: "
                      "expected a tree the log has (the log lost entries, or is not the anchored one)")
        else:
            reason = _root_at(log, a)
        if not reason and previous is not None:
            if a.size <= previous.size:
                reason = f"{_where(a)}: size {a.size} after an anchor of size {previous.size}: expected it larger"
            else:
                try:
                    verify_consistency(previous.size, a.size, previous.root, a.root,
                                       log.consistency_proof(previous.size, a.size))
                except CityTwinError as e:
                    reason = f"{_where(a)}: not consistent with the {_where(previous)} ({e})"
        report.checks.append(AnchorCheck(a, not reason, reason))
        if reason:
            report.forks.append(reason)
        else:
            previous = a
    return report

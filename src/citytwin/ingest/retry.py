"""Retrying quarantined records: run their raw payloads through the pipeline again.

After a fix — a unit mapping added, an entity committed, a clock corrected at the sender — a
retry stores what is now acceptable and removes it from the quarantine; a record whose
readings are all stored already (e.g. by a redelivery) is removed too. What is still refused
stays, with the new reason and one more attempt counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from citytwin.ingest.pipeline import Pipeline

__all__ = ["RetryReport", "retry"]


@dataclass
class RetryReport:
    """Ids of the quarantined records now stored, found already stored, and still refused (with why)."""

    accepted: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "refused": [{"id": i, "reason": r} for i, r in self.refused]}


def retry(pipeline: Pipeline, ids: Sequence[int] | None = None) -> RetryReport:
    """Retry the quarantined records `ids` (all of them when None)."""
    records = pipeline.quarantine.get(ids)
    # a payload kept truncated (over 64 KiB) can never be accepted: it keeps its reason
    whole = [r for r in records if r.raw is not None and len(r.raw) == r.size]
    report = RetryReport(refused=[(r.id, r.reason) for r in records if r not in whole])
    outcomes = pipeline.evaluate_refusals([r.refusal() for r in whole])
    for record, outcome in zip(whole, outcomes, strict=True):
        if outcome.status == "accepted":
            report.accepted.append(record.id)
        elif outcome.status == "duplicate":
            report.duplicates.append(record.id)
        else:
            report.refused.append((record.id, outcome.reason or record.reason))
    resolved = report.accepted + report.duplicates
    if resolved:
        pipeline.quarantine.drop(resolved)
    pipeline.quarantine.update(report.refused)
    return report

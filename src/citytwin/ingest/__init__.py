"""citytwin.ingest — MQTT, HTTP and file adapters over one pipeline, with quarantine and replay.

Every adapter hands payloads or tables to :class:`Pipeline`, which parses them, maps attribute
names and unit codes, converts mixing ratios of the gases (GB 3095-2012 reference state), takes
timestamps to UTC and commits through the twin; whatever is refused goes to the
:class:`Quarantine` with its raw payload and reason.
"""

from citytwin.ingest.pipeline import IngestResult, Payload, Pipeline, RecordOutcome
from citytwin.ingest.quarantine import Quarantine, QuarantinedRecord, Refusal
from citytwin.ingest.retry import RetryReport, retry

__all__ = ["IngestResult", "Payload", "Pipeline", "Quarantine", "QuarantinedRecord", "RecordOutcome", "Refusal",
           "RetryReport", "retry"]

"""What every importer shares: entity ids, jurisdictions, the all-or-nothing commit, the report.

An import is committed with one :meth:`Twin.commit` call. The twin refuses bad records one by
one and commits the rest, so before that call every entity is checked here exactly as the twin
will check it (URN, type, 6-digit jurisdiction, valid WGS 84 geometry, JSON properties, entry
size); the first failure raises :class:`~citytwin.errors.BadInputError` naming the element or
line it came from, and nothing is committed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from citytwin.errors import BadInputError, CityTwinError
from citytwin.geo.jurisdictions import Jurisdictions
from citytwin.twin.canonical import canonicalize
from citytwin.twin.entries import MAX_ENTRY_BYTES
from citytwin.twin.model import Entity, parse_geometry, validate_entity_id

__all__ = ["ImportReport", "Jurisdictions", "commit_report", "entity_id", "reference_jurisdictions"]


def entity_id(entity_type: str, source: str, local_id: str) -> str:
    """``urn:ngsi-ld:<Type>:<source>-<id>``, with characters a URN may not hold percent-encoded."""
    return f"urn:ngsi-ld:{entity_type}:{quote(source, safe='-_.~')}-{quote(str(local_id), safe='-_.~:/')}"


def reference_jurisdictions() -> Jurisdictions:
    """The default lookup of an import: the reference district's boundaries."""
    from citytwin.datasets.reference import boundaries

    return Jurisdictions(boundaries())


@dataclass
class ImportReport:
    """The entities one file yields, where each came from, what was skipped, and the commit."""

    path: str
    format: str
    entities: list[Entity] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)
    accepted: int = 0
    duplicates: int = 0
    first_index: int | None = None
    log_size: int = 0

    def add(self, entity: Entity, origin: str) -> None:
        """Add one entity; ``origin`` names its element or line for error messages."""
        if entity.id in self.origins:
            raise BadInputError(
                f"{self.path}: {origin} gives entity id {entity.id}, already given by {self.origins[entity.id]}"
            )
        self.entities.append(entity)
        self.origins[entity.id] = origin

    def counts(self) -> dict[str, int]:
        """Entities by type, sorted by type."""
        return dict(sorted(Counter(e.type for e in self.entities).items()))

    def to_dict(self) -> dict:
        return {
            "path": self.path, "format": self.format, "entities": len(self.entities), "by_type": self.counts(),
            "skipped": dict(sorted(self.skipped.items())), "accepted": self.accepted,
            "duplicates": self.duplicates, "first_index": self.first_index, "log_size": self.log_size,
        }


def _check(entity: Entity) -> None:
    """The twin's checks of one entity version, raising BadInputError (``Twin._entity_row``)."""
    id_type = validate_entity_id(entity.id)
    if entity.type != id_type:
        raise BadInputError(f"type {entity.type!r} does not match the type in its id {id_type!r}")
    if entity.jurisdiction is not None and not (entity.jurisdiction.isdigit() and len(entity.jurisdiction) == 6):
        raise BadInputError(f"jurisdiction {entity.jurisdiction!r} is not a 6-digit administrative code")
    if entity.location is not None:
        parse_geometry(entity.location)
    document = {"kind": "entity", "id": entity.id, "version": 1, "type": entity.type,
                "jurisdiction": entity.jurisdiction, "location": entity.location,
                "properties": entity.properties, "valid_from": "2000-01-01T00:00:00.000000Z"}
    size = len(canonicalize(document))  # the log document (twin.entries.entity_document), widest time
    if size > MAX_ENTRY_BYTES:
        raise BadInputError(f"the entity is {size} bytes: at most {MAX_ENTRY_BYTES} expected")


def commit_report(twin, report: ImportReport) -> ImportReport:
    """Check every entity, then commit them all with one ``twin.commit``; fill in the report.

    Raises BadInputError naming the first bad element (nothing committed). A file that yields
    no entity commits nothing and is not an error.
    """
    for entity in report.entities:
        try:
            _check(entity)
        except BadInputError as e:
            raise BadInputError(f"{report.path}: {report.origins[entity.id]}: {e}") from None
    if not report.entities:
        report.log_size = twin.log.size
        return report
    result = twin.commit(report.entities)
    if result.rejected:  # the checks above mirror the twin's, so this means they have drifted apart
        first = result.rejected[0]
        raise CityTwinError(f"{report.path}: the twin refused {len(result.rejected)} checked entities, "
                            f"first {first.record.get('id')!r}: {first.reason}")
    report.accepted, report.duplicates = result.accepted, result.duplicates
    report.first_index, report.log_size = result.first_index, result.log_size
    return report

"""The green project registry (issue 9, point 2): projects as signed, versioned twin entities.

A project is the entity ``urn:ngsi-ld:GreenProject:<id>`` (type ``GreenProject``) with its
location (GeoJSON, WGS84) and jurisdiction in the twin. Each version's ``record`` holds the name
(zh, en), the declared activity and attributes, the catalogue edition and the classification
(:func:`citytwin.finance.classifier.classify`; a project that is not eligible is refused with
the reason), the investment [CNY], the expected and reported impact (``co2e_avoided_t`` [t CO2e],
``energy_mwh`` [MWh], ``green_building_m2`` [m²], ... the core indicators of the ICMA Handbook –
Harmonised Framework for Impact Reporting, 2024) and the status. Every change is a new version
signed by the project's owner (the principal of version 1); :func:`history` re-checks each one.
"""

from __future__ import annotations

from citytwin.errors import BadInputError, NotFoundError, VerificationError
from citytwin.finance.classifier import classify
from citytwin.twin import Entity, Twin
from citytwin.twin.signed import check_signed, commit_signed, first_signer_key, signed_version

__all__ = ["ENTITY_TYPE", "IMPACT_FIELDS", "STATUSES", "history", "project", "register", "update"]

ENTITY_TYPE = "GreenProject"
STATUSES = ("proposed", "approved", "construction", "operating", "closed")
IMPACT_FIELDS = ("co2e_avoided_t", "energy_saved_mwh", "renewable_mwh", "green_building_m2", "forest_ha")
_CONTEXT = b"citytwin.finance.project/v1\n"


def _entity_id(project_id: str) -> str:
    return f"urn:ngsi-ld:{ENTITY_TYPE}:{project_id}"


def _impact(values: dict | None, what: str) -> dict:
    values = dict(values or {})
    for key, value in values.items():
        if key not in IMPACT_FIELDS:
            raise BadInputError(f"{what} {key!r}: expected one of {IMPACT_FIELDS}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise BadInputError(f"{what} {key} = {value!r}: expected a number ≥ 0")
    return values


def register(twin: Twin, principal: str, project_id: str, *, name_zh: str, name_en: str, jurisdiction: str,
             location: dict, activity: str, attributes: dict, investment_cny: float,
             expected_impact: dict | None = None, edition: str = "2025") -> Entity:
    """Classify and register a project (version 1, status ``proposed``), signed by ``principal``."""
    if twin.entities(ids=[_entity_id(project_id)]):
        raise BadInputError(f"project {project_id!r} already exists; use update")
    result = classify(activity, attributes, edition)
    if not result.eligible:
        raise BadInputError(f"project {project_id!r}: {result.reason_en}")
    if isinstance(investment_cny, bool) or not isinstance(investment_cny, int | float) or investment_cny <= 0:
        raise BadInputError(f"investment_cny {investment_cny!r}: expected a positive amount [CNY]")
    record = {
        "project_id": project_id, "name_zh": name_zh, "name_en": name_en, "activity": result.activity,
        "attributes": attributes, "edition": edition, "classification": result.to_dict(),
        "investment_cny": investment_cny, "expected_impact": _impact(expected_impact, "expected impact"),
        "reported_impact": {}, "status": "proposed", "owner": principal,
    }
    return commit_signed(twin, _entity_id(project_id), ENTITY_TYPE, principal, _CONTEXT, record,
                         jurisdiction=jurisdiction, location=location)


def project(twin: Twin, project_id: str) -> dict:
    """The current record of a project, its version and log index, after its signature verified."""
    return signed_version(twin, _entity_id(project_id), _CONTEXT, f"green project {project_id!r}")


def update(twin: Twin, principal: str, project_id: str, *, status: str | None = None,
           reported_impact: dict | None = None) -> Entity:
    """A new signed version with a new status and/or reported impact; only the owner may sign it."""
    current = twin.entity(_entity_id(project_id)) if twin.entities(ids=[_entity_id(project_id)]) else None
    if current is None:
        raise NotFoundError(f"no green project {project_id!r}")
    owner_key = first_signer_key(twin, current.id)
    record = check_signed(current.properties, _CONTEXT, current.id, owner_key)
    if principal != record["owner"]:
        raise BadInputError(f"project {project_id!r} is owned by {record['owner']!r}; {principal!r} may not change it")
    if status is not None and status not in STATUSES:
        raise BadInputError(f"status {status!r}: expected one of {STATUSES}")
    new = dict(record)
    if status is not None:
        new["status"] = status
    if reported_impact is not None:
        new["reported_impact"] = {**record["reported_impact"], **_impact(reported_impact, "reported impact")}
    return commit_signed(twin, current.id, ENTITY_TYPE, principal, _CONTEXT, new,
                         jurisdiction=current.jurisdiction, location=current.location, owner_key=owner_key)


def history(twin: Twin, project_id: str) -> list[dict]:
    """Every version of a project, each signature checked and each signed by the owner."""
    versions = twin.entity_history(_entity_id(project_id))
    if not versions:
        raise NotFoundError(f"no green project {project_id!r}")
    out = []
    for version in versions:
        record = check_signed(version.properties, _CONTEXT, f"{version.id} version {version.version}",
                              owner_key=versions[0].properties.get("signer_key"))
        if version.properties["signer"] != versions[0].properties["signer"]:
            raise VerificationError(f"{version.id} version {version.version}: signed by "
                                    f"{version.properties['signer']!r}, expected the owner")
        out.append({**record, "version": version.version, "log_index": version.log_index})
    return out


def signed_context() -> bytes:
    """The context line of project signatures (for offline verifiers)."""
    return _CONTEXT

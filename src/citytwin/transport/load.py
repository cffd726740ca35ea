"""The metro stations as twin entities, committed with one :meth:`Twin.commit`.

Type ``TransportStation`` (FIWARE Smart Data Models, dataModel.Transportation: "a general
description of urban stations (Metro, Bus, Tram, ...) according to the GTFS standard"), with
``stationType`` ``["subway"]`` from that model's enumeration. Id
``urn:ngsi-ld:TransportStation:<station name>``. A station the coordinate source lacks is stored
without a location and without a jurisdiction, with ``located: false``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from citytwin.datasets.reference import boundaries
from citytwin.errors import BadInputError
from citytwin.transport.network import Network, reference_network
from citytwin.transport.places import station_places
from citytwin.twin import Entity, Twin

__all__ = ["ENTITY_TYPE", "LoadReport", "load_reference", "station_entities", "station_entity_id"]

ENTITY_TYPE = "TransportStation"
_COORDINATE_SOURCE = "Baidu Maps subway map 2023 (BD-09MC → WGS 84, ±0.6 km), © Baidu Maps, research/testing use"
_NETWORK_SOURCE = "Beijing-Subway-Tools, Yihe Li (Mick235711), MIT"


def station_entity_id(name: str) -> str:
    return f"urn:ngsi-ld:{ENTITY_TYPE}:{name}"


@dataclass(frozen=True)
class LoadReport:
    stations: int
    located: int
    accepted: int
    duplicates: int
    unlocated: tuple[str, ...]

    def to_dict(self) -> dict:
        return {**self.__dict__, "unlocated": list(self.unlocated)}


def _point(row: dict) -> dict:
    return {"type": "Point", "coordinates": [round(row["lon"], 6), round(row["lat"], 6)]}


def station_entities(network: Network, places: pd.DataFrame) -> list[Entity]:
    out = []
    for row in places.to_dict("records"):
        located = bool(row["located"])
        out.append(Entity(
            id=station_entity_id(row["station"]), type=ENTITY_TYPE,
            jurisdiction=row["jurisdiction"] if located and isinstance(row["jurisdiction"], str) else None,
            location=_point(row) if located else None,
            properties={"name": row["station"], "stationType": ["subway"], "lines": network.lines_at(row["station"]),
                        "located": located, "source": _NETWORK_SOURCE,
                        "locationSource": _COORDINATE_SOURCE if located else None},
        ))
    return out


def load_reference(twin: Twin) -> LoadReport:
    """Commit the reference network's stations; a second call stores nothing twice."""
    network = reference_network()
    places = station_places(network, boundaries())
    result = twin.commit(station_entities(network, places))
    if result.rejected:
        raise BadInputError(f"{len(result.rejected)} stations refused; first: {result.rejected[0].reason}")
    unlocated = tuple(places.loc[~places["located"], "station"])
    return LoadReport(len(places), int(places["located"].sum()), result.accepted, result.duplicates, unlocated)

"""Records shared by the tests: real station entities of the reference district, and readings."""

from datetime import UTC, datetime

from citytwin.twin import Entity

TONGZHOU_STATION = Entity(
    id="urn:ngsi-ld:AirQualityObserved:tongzhou",
    type="AirQualityObserved",
    jurisdiction="110112",
    location={"type": "Point", "coordinates": [116.663, 39.886]},
    properties={"name_en": "Tongzhou", "name_zh": "通州"},
)
YONGLEDIAN_STATION = Entity(
    id="urn:ngsi-ld:AirQualityObserved:yongledian",
    type="AirQualityObserved",
    jurisdiction="110112",
    location={"type": "Point", "coordinates": [116.783, 39.712]},
    properties={"name_en": "Yongledian", "name_zh": "永乐店"},
)
DONGSI_STATION = Entity(
    id="urn:ngsi-ld:AirQualityObserved:dongsi",
    type="AirQualityObserved",
    jurisdiction="110101",
    location={"type": "Point", "coordinates": [116.417, 39.929]},
    properties={"name_en": "Dongsi", "name_zh": "东四"},
)
STATIONS = [TONGZHOU_STATION, YONGLEDIAN_STATION, DONGSI_STATION]


def reading(entity, attribute, hour, value, unit="ug/m3", source="test"):
    return {"entity_id": entity.id, "attribute": attribute,
            "observed_at": datetime(2024, 1, 1, hour, tzinfo=UTC).isoformat(),
            "value": value, "unit": unit, "source": source}

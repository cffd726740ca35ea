"""Run by test_ngsildclient in its own process, with ngsildclient 0.5.2 and its own pinned
dependencies (httpx 0.23, rich 12) first on the path: a third-party NGSI-LD client talking to a
running `citytwin serve`. Prints one JSON document of what it saw."""

import json
import os
import sys
from datetime import timedelta

from ngsildclient import Client, Entity
from ngsildclient.api.constants import AggrMethod
from ngsildclient.api.helper.temporal import TemporalQuery
from requests.auth import AuthBase


class Bearer(AuthBase):
    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {os.environ['CITYTWIN_KEY']}"
        return request


def main() -> None:
    out = {}
    client = Client(hostname="127.0.0.1", port=int(os.environ["CITYTWIN_PORT"]), custom_auth=Bearer(),
                    verbose=False)
    for n, (lat, lon) in enumerate([(39.90, 116.70), (39.70, 116.90)]):
        entity = Entity("AirQualityObserved", f"ngsildclient-{n}")
        entity.gprop("location", (lat, lon))
        entity.prop("name", f"client station {n}")
        entity.prop("pm25", 30.0 + n, observedat="2024-03-01T00:00:00Z", unitcode="GQ")
        out.setdefault("created", []).append(bool(client.create(entity)))
    out["by_type"] = sorted(e.id for e in client.query(type="AirQualityObserved"))
    out["count"] = client.count(type="AirQualityObserved")
    near = client.alt.query({"type": "Query", "entities": [{"type": "AirQualityObserved"}],
                             "geoQ": {"georel": "near;maxDistance==3000", "geometry": "Point",
                                      "coordinates": [116.70, 39.90]}})
    out["near"] = [e.id for e in near]
    fetched = client.get("urn:ngsi-ld:AirQualityObserved:ngsildclient-0")
    out["fetched_pm25"] = fetched["pm25"]["value"]
    out["fetched_location"] = fetched["location"]["value"]["coordinates"]
    out["temporal"] = client.temporal.get("urn:ngsi-ld:AirQualityObserved:tongzhou", attrs=["pm25"])
    result = client.temporal.aggregate(type="AirQualityObserved", attrs=["pm25"], methods=[AggrMethod.AVERAGE],
                                       period=timedelta(days=1), tq=TemporalQuery().before("2025-01-01T00:00:00Z"))
    out["aggregated"] = result.result
    client.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

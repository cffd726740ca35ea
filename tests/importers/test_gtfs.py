"""A three-stop GTFS feed into the twin, from a directory and a zip, and its malformed variants."""

import shutil
import zipfile

import pytest

from citytwin.errors import BadInputError
from citytwin.importers import import_gtfs
from citytwin.importers.gtfs import read_gtfs

STOPS = [f"urn:ngsi-ld:GtfsStop:gtfs-S{i}" for i in (1, 2, 3)]


def _copy(data, tmp_path):
    feed = tmp_path / "feed"
    shutil.copytree(data / "gtfs", feed)
    return feed


def test_three_stops_one_route(twin, data):
    report = import_gtfs(twin, data / "gtfs")
    assert report.counts() == {"GtfsRoute": 1, "GtfsStop": 3} and twin.log.size == 4
    stop = twin.entity(STOPS[0])
    assert stop.location == {"type": "Point", "coordinates": [116.6557, 39.9174]}
    assert stop.properties["name"] == "通州北关" and stop.jurisdiction == "110112"
    route = twin.entity("urn:ngsi-ld:GtfsRoute:gtfs-R6")
    assert route.properties["hasStop"] == STOPS and route.properties["routeType"] == 1
    assert route.properties["shortName"] == "6" and route.properties["trips"] == 1
    assert route.location == {"type": "LineString",
                              "coordinates": [[116.6557, 39.9174], [116.69, 39.905], [116.72, 39.9]]}


def test_zip_equals_directory(data, tmp_path):
    path = tmp_path / "feed.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in (data / "gtfs").iterdir():
            z.write(f, f"feed/{f.name}")
    from_zip = read_gtfs(path, source="gtfs").entities
    from_dir = read_gtfs(data / "gtfs").entities
    assert [(e.id, e.location, e.properties) for e in from_zip] == [(e.id, e.location, e.properties) for e in from_dir]


def test_a_corrupt_zip_member_is_named_not_a_traceback(data, tmp_path):
    path = tmp_path / "feed.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in sorted((data / "gtfs").iterdir()):
            z.write(f, f.name)
        offset = z.getinfo("stops.txt").header_offset
    raw = bytearray(path.read_bytes())
    start = offset + 30 + len("stops.txt")  # the member's compressed bytes follow its local header
    raw[start:start + 8] = b"\xff" * 8
    path.write_bytes(bytes(raw))
    with pytest.raises(BadInputError, match=r"feed.zip: member stops.txt cannot be read"):
        read_gtfs(path)


def test_stop_sequence_orders_the_route_and_shapes_give_its_line(data, tmp_path):
    feed = _copy(data, tmp_path)
    lines = (feed / "stop_times.txt").read_text().splitlines()
    (feed / "stop_times.txt").write_text("\n".join([lines[0], lines[3], lines[1], lines[2]]) + "\n")
    (feed / "trips.txt").write_text("route_id,service_id,trip_id,shape_id\nR6,WK,T1,SH\n")
    (feed / "shapes.txt").write_text("shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n"
                                     "SH,39.90,116.72,3\nSH,39.9174,116.6557,1\nSH,39.91,116.70,2\n")
    route = [e for e in read_gtfs(feed, source="gtfs").entities if e.type == "GtfsRoute"][0]
    assert route.properties["hasStop"] == STOPS
    assert route.location["coordinates"] == [[116.6557, 39.9174], [116.70, 39.91], [116.72, 39.90]]


def test_missing_stops_file_commits_nothing(twin, data, tmp_path):
    feed = _copy(data, tmp_path)
    (feed / "stops.txt").unlink()
    with pytest.raises(BadInputError, match=r"feed: required file stops\.txt is missing"):
        import_gtfs(twin, feed)
    assert twin.log.size == 0


def test_stop_time_with_unknown_stop_names_file_and_line(twin, data, tmp_path):
    feed = _copy(data, tmp_path)
    text = (feed / "stop_times.txt").read_text()
    (feed / "stop_times.txt").write_text(text.replace("08:03:30,S2,2", "08:03:30,S9,2"))
    with pytest.raises(BadInputError, match=r"feed/stop_times\.txt: line 3: stop_id 'S9' is not in stops\.txt"):
        import_gtfs(twin, feed)
    assert twin.log.size == 0


@pytest.mark.parametrize(("name", "old", "new", "message"), [
    ("stops.txt", "stop_lat", "latitude", r"stops\.txt: line 1: required columns \['stop_lat'\] are missing"),
    ("stops.txt", "39.9050", "north", r"stops\.txt: line 3: stop_lat 'north' is not a number"),
    ("trips.txt", "R6,WK", "R7,WK", r"trips\.txt: line 2: route_id 'R7' is not in routes\.txt"),
    ("routes.txt", ",1\n", ",bus\n", r"routes\.txt: line 2: route_type 'bus' is not a whole number"),
])
def test_malformed_feeds(data, tmp_path, name, old, new, message):
    feed = _copy(data, tmp_path)
    path = feed / name
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(BadInputError, match=message):
        read_gtfs(feed)


def test_station_with_platforms(data, tmp_path):
    feed = _copy(data, tmp_path)
    (feed / "stops.txt").write_text(
        "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
        "ST,通州北关站,39.9174,116.6557,1,\nS1,通州北关,39.9174,116.6557,0,ST\n"
        "S2,北运河西,39.9050,116.6900,,\nS3,郝家府,39.9000,116.7200,0,\nE1,A口,39.9176,116.6555,2,ST\n")
    report = read_gtfs(feed, source="gtfs")
    assert report.counts() == {"GtfsRoute": 1, "GtfsStation": 1, "GtfsStop": 3}
    assert report.skipped == {"stop with location_type 2": 1}
    station = next(e for e in report.entities if e.type == "GtfsStation")
    assert station.properties["hasStop"] == [STOPS[0]]
    stop = next(e for e in report.entities if e.id == STOPS[0])
    assert stop.properties["hasParentStation"] == "urn:ngsi-ld:GtfsStation:gtfs-ST"

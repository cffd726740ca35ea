"""CSV and XLSX facility registries in GCJ-02 into the twin, and their malformed rows."""

import csv

import pytest
from numpy.testing import assert_allclose
from openpyxl import Workbook

from citytwin.errors import BadInputError, NotFoundError
from citytwin.geo import gcj02_to_wgs84
from citytwin.importers import import_facilities, load_mapping
from citytwin.importers.registry import read_registry


@pytest.fixture
def mapping(data):
    return load_mapping(data / "care_homes_mapping.toml")


def _rows(data):
    with open(data / "care_homes_gcj02.csv", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_csv_registry_in_gcj02(twin, data, mapping):
    report = import_facilities(twin, data / "care_homes_gcj02.csv", mapping)
    assert report.counts() == {"PointOfInterest": 3} and twin.log.size == 3
    home = twin.entity("urn:ngsi-ld:PointOfInterest:test-care-homes-CH-001")
    assert home.properties == {"name": "通州区第一养老院", "category": ["nursing_home"], "capacity": 300.0,
                               "occupancy": 240.0, "registryId": "CH-001", "sourceCrs": "gcj02",
                               "source": "test-care-homes", "licence": "test data"}
    assert_allclose(home.location["coordinates"], gcj02_to_wgs84(116.662017, 39.911316), rtol=0, atol=1e-12)
    assert home.jurisdiction == "110112"
    yanjiao = twin.entity("urn:ngsi-ld:PointOfInterest:test-care-homes-CH-002")
    assert yanjiao.jurisdiction == "131082" and yanjiao.properties["occupancy"] is None


def test_xlsx_registry_gives_the_same_entities_as_csv(data, mapping, tmp_path):
    book = Workbook()
    sheet = book.active
    for row in _rows(data):
        sheet.append(row)
    path = tmp_path / "care_homes_gcj02.xlsx"
    book.save(path)
    from_xlsx = read_registry(path, mapping).entities
    from_csv = read_registry(data / "care_homes_gcj02.csv", mapping).entities
    assert [(e.id, e.location, e.jurisdiction, e.properties) for e in from_xlsx] == \
           [(e.id, e.location, e.jurisdiction, e.properties) for e in from_csv]


def test_xlsx_with_numeric_cells(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "name", "kind", "beds", "lon", "lat"])
    sheet.append([1, "school", "school", 40, 116.65, 39.9])
    path = tmp_path / "numbers.xlsx"
    book.save(path)
    mapping = load_mapping(columns={"id": "id", "name": "name", "kind": "kind", "capacity": "beds",
                                    "lon": "lon", "lat": "lat"})
    (entity,) = read_registry(path, mapping).entities
    assert entity.location["coordinates"] == [116.65, 39.9] and entity.properties["capacity"] == 40.0


def test_non_numeric_longitude_names_the_csv_line_and_commits_nothing(twin, data, mapping, tmp_path):
    rows = _rows(data)
    rows[2][5] = "116.8362E"
    path = tmp_path / "bad.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(BadInputError, match=r"bad\.csv: line 3: longitude '116\.8362E' is not a number"):
        import_facilities(twin, path, mapping)
    assert twin.log.size == 0


def test_xlsx_error_names_sheet_and_row(data, mapping, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "养老机构"
    for row in _rows(data):
        sheet.append(row)
    sheet["D4"] = "many"
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(BadInputError, match=r"bad\.xlsx: sheet '养老机构' row 4: capacity 'many' is not a number"):
        read_registry(path, mapping)


def test_repeated_id_names_both_lines(data, mapping, tmp_path):
    rows = _rows(data)
    rows[3][0] = "CH-001"
    path = tmp_path / "twice.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(BadInputError, match=r"line 4 gives entity id .*CH-001, already given by line 2"):
        read_registry(path, mapping)


def test_gbk_registry_is_read(data, mapping, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((data / "care_homes_gcj02.csv").read_text(encoding="utf-8").encode("gb18030"))
    assert read_registry(path, mapping).entities[0].properties["name"] == "通州区第一养老院"


def test_mapping_errors(data, tmp_path):
    with pytest.raises(BadInputError, match="no column given for lon, lat"):
        load_mapping(columns={"id": "a", "name": "b", "kind": "c"})
    with pytest.raises(BadInputError, match="crs 'utm' is not one of wgs84, gcj02, bd09, bd09mc"):
        load_mapping(data / "care_homes_mapping.toml", crs="utm")
    with pytest.raises(NotFoundError, match="mapping file .*nowhere.toml does not exist"):
        load_mapping(tmp_path / "nowhere.toml")
    mapping = load_mapping(data / "care_homes_mapping.toml", columns={"lon": "longitude"})
    with pytest.raises(BadInputError, match=r"columns \['longitude'\] are not in the header"):
        read_registry(data / "care_homes_gcj02.csv", mapping)

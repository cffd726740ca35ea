"""The point-in-polygon jurisdiction lookup shared by the importers, transport and services."""

from citytwin.geo.jurisdictions import Jurisdictions


def _square(x0: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, 0], [x0 + 1, 0], [x0 + 1, 1], [x0, 1], [x0, 0]]]}


AREAS = {"110112": {"geometry": _square(0)}, "131082": {"geometry": _square(1)}}


def test_points_lines_and_outside():
    lookup = Jurisdictions.from_areas(AREAS)
    assert lookup.locate({"type": "Point", "coordinates": [0.5, 0.5]}) == "110112"
    assert lookup.locate({"type": "LineString", "coordinates": [[1.2, 0.5], [1.8, 0.5]]}) == "131082"
    assert lookup.locate({"type": "Point", "coordinates": [5, 5]}) is None
    assert lookup.locate_points([0.5, 1.5, 3.0], [0.5, 0.5, 0.5]) == ["110112", "131082", None]


def test_geojson_features_with_adcodes():
    features = {"features": [{"properties": {"adcode": 110112}, "geometry": _square(0)}]}
    assert Jurisdictions(features).locate_points([0.25], [0.75]) == ["110112"]


def test_overlap_goes_to_the_first_feature_and_a_boundary_line_is_outside():
    big = {"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 3], [0, 3], [0, 0]]]}
    lookup = Jurisdictions({"features": [{"properties": {"adcode": "131082"}, "geometry": _square(1)},
                                         {"properties": {"adcode": "110112"}, "geometry": big}]})
    assert lookup.locate_points([1.5, 0.5, 3.0], [0.5, 0.5, 1.0]) == ["131082", "110112", None]
    reversed_order = Jurisdictions({"features": [{"properties": {"adcode": "110112"}, "geometry": big},
                                                 {"properties": {"adcode": "131082"}, "geometry": _square(1)}]})
    assert reversed_order.locate({"type": "Point", "coordinates": [1.5, 0.5]}) == "110112"
    assert Jurisdictions({"features": []}).locate_points([0.5], [0.5]) == [None]
    assert lookup.locate_points([], []) == []

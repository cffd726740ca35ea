"""The dashboard in real Chromium over a real `citytwin serve`: views load offline with no
console error, the map draws boundaries and stations, the language switch changes the labels."""

import json

import httpx

from citytwin.web import STATIC_DIR


def _rendered(page, layer: str) -> list[dict]:
    return page.evaluate(
        "layer => window.citytwin.map.queryRenderedFeatures({layers: [layer]}).map(f => f.properties)", layer)


def test_overview_draws_the_map_offline(dashboard, server):
    page = dashboard.open("/")
    stations = httpx.get(server + "/api/v1/dashboard/overview").json()["stations"]
    drawn = _rendered(page, "stations")
    # every station of the reference district (the KDD Cup 2018 set: Beijing's 35, one without data)
    assert sorted(f["station_id"] for f in drawn) == sorted(s["station_id"] for s in stations)
    assert len(stations) == 35 and {"dongsi", "tongzhou", "yongledian"} <= {s["station_id"] for s in stations}
    # each circle has the colour the API computed for the station's latest hour (HJ 633)
    colours = {s["station_id"]: s["latest"]["colour"] if s["latest"] else None for s in stations}
    assert {f["station_id"]: f.get("colour") for f in drawn} == colours  # no colour: no data
    assert sum(bool(c and c.startswith("#")) for c in colours.values()) >= 30
    areas = {f["jurisdiction"] for f in _rendered(page, "areas-fill")}
    assert {"110112", "110101"} <= areas
    dashboard.screenshot("overview-zh")
    assert dashboard.errors == []
    assert dashboard.blocked == []


def test_overview_shows_latest_day_jurisdictions_carbon_and_checkpoint(dashboard, server, witness_name):
    page = dashboard.open("/")
    overview = httpx.get(server + "/api/v1/dashboard/overview").json()
    assert overview["day"] == "2018-05-31"
    assert "2018年5月31日" in page.inner_text("[data-testid=latest-day]")
    rows = page.locator("[data-testid=stations] tbody tr")
    assert rows.count() == len(overview["stations"]) == 35
    tongzhou = next(s for s in overview["stations"] if s["station_id"] == "tongzhou")
    row = page.locator("tr[data-station=tongzhou]").inner_text()
    assert "通州" in row and str(tongzhou["latest"]["aqi"]) in row and tongzhou["latest"]["category_zh"] in row
    assert page.locator("[data-testid=jurisdiction-chart] canvas").count() == 1
    assert page.locator("[data-testid=carbon-chart] canvas").count() == 1
    checkpoint = httpx.get(server + "/log/checkpoint").text.split("\n")
    assert page.inner_text("[data-testid=tree-size]").replace(",", "") == checkpoint[1]
    page.wait_for_selector("[data-testid=signatures] li")
    # the log's signature and the witness's cosignature, both checked in the browser
    assert page.locator("[data-testid=signatures] li.ok").count() == 2
    signatures = page.inner_text("[data-testid=signatures]")
    assert "test.citytwin/web" in signatures and witness_name in signatures
    assert dashboard.errors == [] and dashboard.blocked == []


def test_language_switch_changes_labels(dashboard):
    page = dashboard.open("/")
    assert page.inner_text("nav a[href='#/']") == "总览"
    assert page.get_attribute("html", "lang") == "zh-CN"
    page.click("[data-testid=lang]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.inner_text("nav a[href='#/']") == "Overview"
    assert "Latest day with data" in page.inner_text("[data-testid=latest-day]")
    assert "Tongzhou" in page.locator("tr[data-station=tongzhou]").inner_text()
    dashboard.screenshot("overview-en")
    page.click("[data-testid=lang]")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    assert page.inner_text("nav a[href='#/ledger']") == "账本"
    assert dashboard.errors == [] and dashboard.blocked == []


def test_station_and_ledger_views_load(dashboard, server):
    page = dashboard.open("/station/tongzhou", view="station")
    assert "通州" in page.inner_text("[data-testid=station-name]")
    assert page.locator("[data-testid=station-chart] canvas").count() == 1
    assert page.locator("[data-testid=calendar] canvas").count() >= 1
    dashboard.screenshot("station")
    page = dashboard.open("/ledger", view="ledger")
    with_pm25 = [s for s in httpx.get(server + "/api/v1/dashboard/overview").json()["stations"]
                 if s["latest"] and s["latest"]["pm25"] is not None]
    assert page.locator("[data-testid=proof-station] option").count() == len(with_pm25) >= 30
    dashboard.screenshot("ledger")
    assert dashboard.errors == [] and dashboard.blocked == []


def test_every_label_exists_in_both_languages():
    zh = json.loads((STATIC_DIR / "i18n" / "zh-CN.json").read_text(encoding="utf-8"))
    en = json.loads((STATIC_DIR / "i18n" / "en.json").read_text(encoding="utf-8"))
    assert sorted(zh) == sorted(en)
    assert [k for k in zh if not zh[k].strip() or not en[k].strip()] == []
    assert [k for k in zh if zh[k] == en[k] and k not in ("table.aqi",)] == []


def test_time_slider_moves_the_map_through_history(dashboard, server):
    page = dashboard.open("/")
    history = httpx.get(server + "/api/v1/dashboard/history").json()
    # the first hour at which every station has a value (the source data has gaps)
    k = next(i for i in range(len(history["times"])) if all(v[i] for v in history["stations"].values()))
    assert k < len(history["times"]) - 24
    latest_label = page.inner_text("[data-testid=slider-time]")
    page.focus("[data-testid=time-slider]")
    page.keyboard.press("Home")  # keyboard only: the first hour, then k hours on
    for _ in range(k):
        page.keyboard.press("ArrowRight")
    assert page.input_value("[data-testid=time-slider]") == str(k)
    assert page.inner_text("[data-testid=slider-time]") != latest_label
    expected = {s: v[k][1] for s, v in history["stations"].items()}
    page.wait_for_function(
        """expected => window.citytwin.map.queryRenderedFeatures({layers: ['stations']})
             .filter(f => f.properties.station_id in expected)  // a station with no reading at all stays grey
             .every(f => f.state.moved && (f.state.colour ?? null) === expected[f.properties.station_id])""",
        arg=expected)
    dashboard.screenshot("overview-first-hour")
    assert dashboard.errors == [] and dashboard.blocked == []


def test_carbon_view_shows_wedges_sectors_and_costs(dashboard, server):
    page = dashboard.open("/carbon", view="carbon")
    carbon = httpx.get(server + "/api/v1/dashboard/carbon").json()
    assert page.locator("[data-testid=wedges-chart] canvas").count() >= 1
    assert page.locator("[data-testid=sectors-chart] canvas").count() >= 1
    rows = page.locator("[data-testid=mac] tbody tr")
    assert rows.count() == len(carbon["mac"]) > 0
    assert carbon["mac"][0]["name_zh"] in rows.first.inner_text()
    page.click("[data-testid=lang]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert carbon["mac"][0]["name_en"] in rows.first.inner_text()
    assert "Probability of peaking by 2030" in page.inner_text("[data-testid=monte-carlo]")
    dashboard.screenshot("carbon-en")
    assert dashboard.errors == [] and dashboard.blocked == []


def test_air_view_compares_jurisdictions(dashboard, server):
    page = dashboard.open("/air", view="air")
    air = httpx.get(server + "/api/v1/dashboard/air").json()
    rows = page.locator("[data-testid=joint] tbody tr")
    assert rows.count() == len(air["joint"]["jurisdictions"]) == 16  # Beijing's districts with stations
    tongzhou = next(j for j in air["joint"]["jurisdictions"] if j["jurisdiction"] == "110112")
    assert "通州区" in page.inner_text("[data-testid=joint]")
    assert f"{tongzhou['mean_aqi']:.1f}" in page.inner_text("[data-testid=joint]")
    co = air["joint"]["co_exceedance"]
    assert str(co["hours_cross_boundary"]) in page.inner_text("[data-testid=co-exceedance]")
    assert page.locator("[data-testid=episodes] tbody tr").count() == max(len(air["episodes"]), 1)
    dashboard.screenshot("air")
    assert dashboard.errors == [] and dashboard.blocked == []


def test_keyboard_reaches_the_views_and_the_proof_check(dashboard):
    page = dashboard.open("/")
    page.focus("nav a[href='#/ledger']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#main[data-ready=true][data-view=ledger]")
    page.focus("[data-testid=verify]")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=verdict][data-result=verified]")
    page.focus("nav a[href='#/air']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#main[data-ready=true][data-view=air]")
    assert page.evaluate("location.hash") == "#/air"
    assert dashboard.errors == [] and dashboard.blocked == []

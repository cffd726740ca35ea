"""The programs view (issue 11): green space, the metro network on the map with each
jurisdiction's reach, the investment program against its target, services — from their APIs."""

import httpx


def test_programs_view_shows_each_program(dashboard, server):
    page = dashboard.open("/programs", view="programs")
    green = httpx.get(server + "/api/v1/green/indicators").json()
    tongzhou = next(g for g in green if g["zone"] == "110112")
    row = page.inner_text("tr[data-zone='110112']")
    assert "通州区" in row and f"{tongzhou['park_area_m2'] / 1e6:.2f}" in row and tongzhou["parks"] == 1
    # the metro network is drawn: its stations are rendered features of the map
    stations = httpx.get(server + "/api/v1/transport/stations").json()
    located = {s["station"] for s in stations if s["lon"] is not None}
    drawn = page.evaluate("window.citytwin.map.queryRenderedFeatures({layers: ['metro-stations']})"
                          ".map(f => f.properties.station)")
    assert drawn and set(drawn) <= located
    assert "通州北关" in drawn  # a Tongzhou station of line 6, inside the focused boundaries
    assert page.evaluate("window.citytwin.map.queryRenderedFeatures({layers: ['metro-lines']}).length") > 0
    reach = {r["jurisdiction"]: r for r in httpx.get(server + "/api/v1/transport/reach").json()}
    assert f"{reach['110112']['reachable']} 座车站" in page.inner_text("tr[data-jurisdiction='110112']")
    totals = httpx.get(server + "/api/v1/projects/totals").json()
    assert page.locator("[data-testid=investment-totals] tbody tr").count() == len(totals["totals"])
    assert "1,000 亿元" in page.inner_text("[data-testid=investment-target]")
    projects = httpx.get(server + "/api/v1/projects").json()
    assert page.locator("[data-testid=investment-projects] tbody tr").count() == len(projects) > 0
    assert projects[0]["name_zh"] in page.inner_text("[data-testid=investment-projects]")
    assert "尚未加载设施" in page.inner_text("[data-testid=services]")  # none in the test twin, and it says so
    dashboard.screenshot("programs-zh")
    page.click("[data-testid=lang]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Metro reach of each jurisdiction" in page.inner_text("#main")
    assert "Transport" in page.inner_text("[data-testid=investment-projects]")
    dashboard.screenshot("programs-en")
    assert dashboard.errors == [] and dashboard.blocked == []

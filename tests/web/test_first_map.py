"""The overview's first map: the page asks for its data once, as it loads, and asks for what the
rest of the overview shows only after the map is drawn (README, Dashboard, "Speed")."""

FIRST = ["/api/v1/dashboard/overview", "/ngsi-ld/v1/entities?type=AdministrativeArea&limit=1000"]
LATER = ["/api/v1/dashboard/history?days=3", "/api/v1/dashboard/carbon", "/api/v1/dashboard/ledger"]


def test_first_map_data_once_and_the_rest_after_the_map(dashboard):
    asked: list[str] = []
    dashboard.page.on("request", lambda r: asked.append(r.url.removeprefix(dashboard.base)))
    page = dashboard.open("/")
    page.wait_for_selector("[data-testid=signatures] li")  # the last thing the overview fills in
    api = [u for u in asked if u.startswith(("/api/", "/ngsi-ld/"))]
    assert sorted(api) == sorted(FIRST + LATER), api  # each once: the view takes the page's answers
    started = page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('resource')
        .map(e => [e.name.slice(location.origin.length), e.startTime]))""")
    drawn = page.evaluate("performance.getEntriesByName('citytwin:map')[0].startTime")
    assert all(started[u] < drawn for u in FIRST), (started, drawn)
    assert all(started[u] >= drawn for u in LATER), (started, drawn)
    assert dashboard.errors == [] and dashboard.blocked == []


def test_another_view_first_then_the_overview_asks_itself(dashboard):
    """Opened at another view the page asks for nothing of the overview's; going to the overview
    then asks for its data once."""
    asked: list[str] = []
    dashboard.page.on("request", lambda r: asked.append(r.url.removeprefix(dashboard.base)))
    page = dashboard.open("/carbon", view="carbon")
    assert not any(u in asked for u in FIRST), [u for u in asked if not u.startswith("/static")]
    page.click("nav a[href='#/']")
    page.wait_for_selector("#main[data-ready=true][data-view=overview]")
    assert sorted(u for u in asked if u in FIRST) == sorted(FIRST), asked
    assert page.evaluate("window.citytwin.map.queryRenderedFeatures({layers: ['stations']}).length") > 0
    assert dashboard.errors == [] and dashboard.blocked == []

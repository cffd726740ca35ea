"""The carbon view's inventory by sector and scope and its Monte Carlo fan, over the API and in
Chromium."""

import httpx
import pytest

from citytwin.carbon import ceads


def test_inventory_by_sector_and_scope_adds_up(server):
    inv = httpx.get(server + "/api/v1/dashboard/carbon/inventory", params={"reference": "tongzhou"}).json()
    assert (inv["year"], inv["label"], inv["years"]) == (2019, "estimate", [2015, 2016, 2017, 2018, 2019])
    expected = ceads.tongzhou_estimate(2019).sector_totals()
    got = {s["sector"]: sum(s["by_scope_t"].values()) for s in inv["sectors"]}
    assert got == pytest.approx(expected)
    totals = {t["total"]: t["co2e_t"] for t in inv["totals"]}
    assert totals["scope1_t"] == pytest.approx(sum(s["by_scope_t"]["1"] for s in inv["sectors"]))
    assert totals["basic_t"] < totals["basic_plus_t"] <= totals["territorial_t"]
    beijing = httpx.get(server + "/api/v1/dashboard/carbon/inventory",
                        params={"reference": "beijing", "year": 2015}).json()
    assert beijing["label"] == "inventory" and beijing["jurisdiction"] == "110000"
    bad = httpx.get(server + "/api/v1/dashboard/carbon/inventory", params={"reference": "paris"})
    assert bad.status_code == 400 and "expected one of tongzhou, beijing" in bad.json()["detail"]
    assert httpx.get(server + "/api/v1/dashboard/carbon/inventory", params={"year": 2020}).status_code == 400


def test_fan_is_the_monte_carlo_runs_per_year(server):
    c = httpx.get(server + "/api/v1/dashboard/carbon").json()
    fan = c["fan_t"]
    assert sorted(fan) == ["p25", "p5", "p50", "p75", "p95"]
    assert all(len(band) == len(c["years"]) for band in fan.values())
    for i in range(len(c["years"])):
        assert fan["p5"][i] <= fan["p25"][i] <= fan["p50"][i] <= fan["p75"][i] <= fan["p95"][i]
    assert fan["p5"][-1] < fan["p95"][-1]  # the runs differ
    # the same runs as the Monte Carlo summary: its final-year residual is the fan's last year
    residual = c["monte_carlo"]["residual_final_t"]
    assert [fan[p][-1] for p in ("p5", "p50", "p95")] == pytest.approx([residual[p] for p in ("p5", "p50", "p95")])


def test_carbon_view_shows_inventory_and_fan(dashboard, server):
    page = dashboard.open("/carbon", view="carbon")
    page.wait_for_selector("[data-testid=inventory][data-ready=true]")
    assert page.locator("[data-testid=fan-chart] canvas").count() == 1
    assert page.locator("[data-testid=inventory-chart] canvas").count() == 1
    inv = httpx.get(server + "/api/v1/dashboard/carbon/inventory").json()
    rows = page.locator("[data-testid=inventory-totals] tbody tr")
    assert rows.count() == len(inv["totals"]) == 6
    basic = next(t for t in inv["totals"] if t["total"] == "basic_t")
    assert f"{basic['co2e_t'] / 1e6:.3f}" in page.inner_text("tr[data-total=basic_t]")
    assert "BASIC合计" in page.inner_text("tr[data-total=basic_t]")
    assert page.is_visible("[data-testid=inventory-estimate]")
    assert "通州区" in page.inner_text("[data-testid=inventory-name]")
    dashboard.screenshot("carbon-inventory-fan")
    page.select_option("[data-testid=inventory-reference]", "beijing")
    page.wait_for_function("document.querySelector('[data-testid=inventory-name]').textContent.includes('Beijing')")
    page.wait_for_selector("[data-testid=inventory][data-ready=true]")
    assert not page.is_visible("[data-testid=inventory-estimate]")
    page.select_option("[data-testid=inventory-year]", "2015")
    page.wait_for_function("document.querySelector('[data-testid=inventory-name]').textContent.includes('2015')")
    page.click("[data-testid=lang]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "BASIC total" in page.inner_text("tr[data-total=basic_t]")
    assert "Monte Carlo fan" in page.inner_text("#main")
    dashboard.screenshot("carbon-inventory-en")
    assert dashboard.errors == [] and dashboard.blocked == []

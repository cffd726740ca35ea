"""The green finance page: `/api/v1/dashboard/finance` agrees with `/api/v1/finance/...` and the
registry's own invariant (every issued serial is active, retired or cancelled), and the page shows
the registry, the projects and the bond in both languages."""

import httpx


def test_finance_answer_agrees_with_the_finance_api(server):
    f = httpx.get(server + "/api/v1/dashboard/finance", timeout=60).json()
    reg = f["registry"]
    totals = reg["totals_t"]
    assert totals == {"issued": 1000, "active": 750, "retired": 200, "cancelled": 50, "buffer": 100}
    assert totals["issued"] == totals["active"] + totals["retired"] + totals["cancelled"]
    balances = httpx.get(server + "/api/v1/finance/registry/balances").json()["accounts"]
    assert {a["account"]: {k: a[k] for k in ("active", "retired", "cancelled")} for a in reg["accounts"]} == balances
    adjustments = httpx.get(server + "/api/v1/finance/registry/adjustments").json()
    assert reg["adjustments"] == adjustments == [{"act": 7, "jurisdiction": "110112", "vintage": 2025, "co2e_t": 200}]
    assert [p["project_id"] for p in f["projects"]] == ["nzeb-school", "pv-roofs"]
    pv = f["projects"][1]
    history = httpx.get(server + "/api/v1/finance/projects/pv-roofs").json()
    assert (pv["version"], pv["status"], pv["reported_impact"]) == (
        len(history), history[-1]["status"], history[-1]["reported_impact"])
    report = httpx.get(server + "/api/v1/finance/bonds/gb-2025-01/report").json()
    bond = f["bonds"][0]
    assert {k: bond[k] for k in report} == report
    assert bond["impact_totals"]["co2e_avoided_t"] == 0.75 * 11500 + 0.5 * 900  # pro rata of reported/expected


def test_finance_page_shows_registry_projects_and_bond(dashboard):
    page = dashboard.open("/finance", view="finance")
    assert page.inner_text("tr[data-total=issued]").endswith("1,000")
    assert "200" in page.inner_text("tr[data-total=retired]")
    assert "100" in page.inner_text("tr[data-total=buffer]")
    assert "缓冲" in page.inner_text("tr[data-account=buffer]")
    assert "三河市" in page.inner_text("tr[data-account=sh-1]")
    assert "通州区" in page.inner_text("[data-testid=adjustments]")
    pv = page.inner_text("tr[data-project=pv-roofs]")
    assert "城市副中心屋顶光伏" in pv and "运营中" in pv and "80.0" in pv and "能源绿色低碳转型" in pv
    bond = page.inner_text("[data-bond=gb-2025-01]")
    assert "75.0%" in bond and "报告值" in bond and "预期值" in bond and "按比例归属债券的效益" in bond
    assert "9,075" in page.inner_text("[data-bond=gb-2025-01] [data-testid=impact-totals]")
    dashboard.screenshot("finance-zh")
    page.click("[data-testid=lang]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Sub-center rooftop PV" in page.inner_text("tr[data-project=pv-roofs]")
    assert "Operating" in page.inner_text("tr[data-project=pv-roofs]")
    assert "t CO₂e avoided 9,075" in page.inner_text("[data-bond=gb-2025-01] [data-testid=impact-totals]")
    dashboard.screenshot("finance-en")
    page.focus("nav a[href='#/finance']")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#/finance"
    assert dashboard.errors == [] and dashboard.blocked == []

"""Issue 10, point 3 in the dashboard: the proof panel and the ledger view show the chain
transaction and block whose anchored checkpoint covers a record, the anchored tree checked in the
browser against the verified checkpoint (RFC 9162 consistency). Against a real anvil node."""

import httpx
import pytest


@pytest.fixture
def anchored(chain):
    if chain is None:
        pytest.skip("no anvil node (npm ci --prefix contracts installs it)")
    return chain


def _wait_anchors(page):
    page.wait_for_selector("[data-testid=proof-panel] [data-testid=anchors]")
    return page.get_attribute("[data-testid=proof-panel] [data-testid=anchors]", "data-state")


def test_proof_panel_shows_the_covering_anchor(dashboard, server, anchored):
    page = dashboard.open("/station/tongzhou", view="station")
    page.click("[data-testid=verify]")
    page.wait_for_selector("[data-testid=verdict][data-result=verified]")
    assert _wait_anchors(page) == "anchored"
    index = int(httpx.get(server + "/api/v1/proofs/observations", params={
        "entity_id": "urn:ngsi-ld:AirQualityObserved:tongzhou", "attribute": page.inner_text(
            "[data-testid=figure]").split()[0].lower(),
        "observed_at": page.inner_text("[data-testid=proof-panel] code:nth-of-type(2)")}).headers["X-Log-Index"])
    links = httpx.get(server + f"/api/v1/proofs/anchors/{index}").json()
    assert links["configured"] and links["error"] is None and len(links["anchors"]) == 1
    link = links["anchors"][0]
    assert link["size"] < links["checkpoint"]["size"]  # the finance records came after the anchor
    item = page.locator("[data-testid=proof-panel] [data-testid=anchors] li")
    assert item.count() == 1 and item.get_attribute("class") == "ok"
    assert item.locator("[data-testid=anchor-tx]").inner_text() == link["tx"]
    assert f"区块 {link['block']}" in item.inner_text() and "一致性证明" in item.inner_text()
    dashboard.screenshot("proof-anchored")
    assert dashboard.errors == [] and dashboard.blocked == []


def test_a_forged_consistency_proof_fails_in_the_browser(dashboard, anchored):
    page = dashboard.open("/station/tongzhou", view="station")

    def forged(route):
        body = route.fetch().json()
        body["anchors"][0]["consistency"][0] = "0x" + "00" * 32
        route.fulfill(json=body)

    page.route("**/api/v1/proofs/anchors/**", forged)
    page.click("[data-testid=verify]")
    page.wait_for_selector("[data-testid=verdict][data-result=verified]")
    assert _wait_anchors(page) == "anchored"
    item = page.locator("[data-testid=proof-panel] [data-testid=anchors] li")
    assert item.get_attribute("class") == "fail" and "consistency" in item.inner_text()


def test_ledger_view_lists_the_log_anchors(dashboard, server, anchored):
    page = dashboard.open("/ledger", view="ledger")
    links = httpx.get(server + "/api/v1/proofs/anchors/0").json()
    section = page.locator("[data-testid=ledger-anchors] [data-testid=anchors]")
    assert section.get_attribute("data-state") == "anchored"
    assert section.locator("li.ok").count() == len(links["anchors"]) == 1
    page.click("[data-testid=lang]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Chain anchors of this log" in page.inner_text("[data-testid=ledger-anchors]")
    assert dashboard.errors == [] and dashboard.blocked == []


def _serving(answer: dict):
    return lambda route: route.fulfill(json=answer)


def test_panel_says_when_no_anchoring_is_configured_or_the_node_is_down(dashboard):
    page = dashboard.open("/station/tongzhou", view="station")
    for answer, state, text in [
        ({"configured": False, "checkpoint": None, "anchors": [], "error": None}, "not-configured", "未配置链上锚定"),
        ({"configured": True, "checkpoint": None, "anchors": [], "error": "http://127.0.0.1:9 did not answer"},
         "error", "无法连接链节点: http://127.0.0.1:9 did not answer"),
    ]:
        page.route("**/api/v1/proofs/anchors/**", _serving(answer))
        page.click("[data-testid=verify]")
        page.wait_for_selector("[data-testid=verdict][data-result=verified]")
        assert _wait_anchors(page) == state
        assert text in page.inner_text("[data-testid=proof-panel] [data-testid=anchors]")
        page.unroute("**/api/v1/proofs/anchors/**")
    assert dashboard.errors == [] and dashboard.blocked == []

"""Verifying a figure in the browser (WebCrypto SHA-256 and Ed25519): a real proof verifies, an
altered one — a byte of the inclusion proof, of the entry or of the signature — does not."""

import base64


def _verdict(page) -> tuple[str, str]:
    page.wait_for_selector("[data-testid=verdict][data-result=verified], "
                           "[data-testid=verdict][data-result=not-verified]")
    return page.get_attribute("[data-testid=verdict]", "data-result"), page.inner_text("[data-testid=verdict]")


def _index_line(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith("index "))


def _flip(text: str, line_no: int) -> str:
    """The bundle with one byte of base64 line `line_no` changed (prefix kept)."""
    lines = text.split("\n")
    prefix, _, b64 = lines[line_no].rpartition(" ")
    raw = bytearray(base64.b64decode(b64))
    raw[len(raw) // 2] ^= 0x01
    lines[line_no] = (prefix + " " if prefix else "") + base64.b64encode(bytes(raw)).decode()
    return "\n".join(lines)


def test_station_figure_verifies(dashboard, witness_name):
    page = dashboard.open("/station/tongzhou", view="station")
    page.click("[data-testid=verify]")
    result, text = _verdict(page)
    assert result == "verified", text
    assert "已验证" in text
    assert witness_name in page.inner_text(".steps")  # its cosignature counted towards the quorum
    assert page.locator(".steps li.ok").count() == 6 and page.locator(".steps li.fail").count() == 0
    dashboard.screenshot("proof-verified")
    assert dashboard.errors == [] and dashboard.blocked == []


def _altered(text: str, what: str) -> str:
    lines = text.split("\n")
    if what == "inclusion hash":
        return _flip(text, _index_line(lines) + 1)  # the leaf's sibling
    if what == "entry":
        return _flip(text, 1)
    signer = "\u2014 witness." if what == "cosignature" else "\u2014 test.citytwin/web "
    return _flip(text, next(i for i, line in enumerate(lines) if line.startswith(signer)))


def _tamper(what: str):
    """A route handler serving the real proof with one byte of `what` altered."""
    def handler(route):
        text = route.fetch().text()
        altered = _altered(text, what)
        assert altered != text
        route.fulfill(status=200, body=altered, headers={"Content-Type": "text/plain; charset=utf-8"})
    return handler


def test_altered_proof_is_not_verified(dashboard):
    page = dashboard.open("/ledger", view="ledger")
    for what, failed_step in [("inclusion hash", "包含证明"), ("entry", "包含证明"),
                              ("log signature", "检查点 Ed25519 签名"), ("cosignature", "见证联署")]:
        page.route("**/api/v1/proofs/**", _tamper(what))
        page.click("[data-testid=verify]")
        result, text = _verdict(page)
        assert result == "not-verified", (what, text)
        assert "未通过验证" in text
        assert page.locator(".steps li.fail").count() == 1
        assert failed_step in page.inner_text(".steps li.fail"), what
        dashboard.screenshot(f"proof-altered-{what.replace(' ', '-')}")
        page.unroute("**/api/v1/proofs/**")


def test_edited_bundle_fails_then_original_verifies_again(dashboard):
    page = dashboard.open("/ledger", view="ledger")
    page.click("[data-testid=verify]")
    assert _verdict(page)[0] == "verified"
    original = page.input_value("[data-testid=bundle]")
    index_line = _index_line(original.split("\n"))
    page.evaluate("([sel, v]) => { document.querySelector(sel).value = v; }",
                  ["[data-testid=bundle]", _flip(original, index_line + 2)])
    page.click("[data-testid=reverify]")
    page.wait_for_selector("[data-testid=verdict].fail")
    assert page.get_attribute("[data-testid=verdict]", "data-result") == "not-verified"
    assert "root hash" in page.inner_text("[data-testid=verdict]")
    page.evaluate("([sel, v]) => { document.querySelector(sel).value = v; }", ["[data-testid=bundle]", original])
    page.click("[data-testid=reverify]")
    page.wait_for_selector("[data-testid=verdict].ok")
    assert page.get_attribute("[data-testid=verdict]", "data-result") == "verified"

"""Benchmark of the web dashboard (issue 8) in Debian's Chromium, driven by Playwright.

Data: the reference district loaded by ``citytwin demo`` (35 stations, 5.6 M readings) in
``$CITYTWIN_DATA`` (default ``./citytwin-data``); without it the benchmark says so and exits 0.
A real ``citytwin serve`` on 127.0.0.1 serves it; every request leaving 127.0.0.1 is refused.

Prints one JSON line per figure (figure, value, goal, ratio = value / goal; under 1 meets it):

1. time from navigation to the first rendered map (the page's ``citytwin:map`` performance mark,
   set when MapLibre is idle with the boundaries and stations drawn) [s], the median of
   ``WARM_PAGES`` fresh pages (each new, no cache shared) on a server that has answered once (the
   dashboard's API remembers its results until the log grows), with the fastest and slowest; goal 1.5 s;
2. the same on a server that has not answered yet (the twin's latest readings are computed) —
   reported, no goal;
3. a time-slider step: from the slider's input event to the map's next idle frame [ms], the
   median of 20 steps; goal 100 ms.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WARM_PAGES = 7
STEP_JS = """async k => {
  const map = window.citytwin.map, input = document.querySelector('[data-testid=time-slider]');
  const t0 = performance.now();
  input.value = String(k);
  input.dispatchEvent(new Event('input'));
  await new Promise(resolve => map.once('idle', resolve));
  return performance.now() - t0;
}"""


def _serve(data: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([str(Path(sys.executable).parent / "citytwin"), "serve", "--port", str(port),
                                "--log-level", "warning"], env={**os.environ, "CITYTWIN_DATA": str(data)})
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)


def _first_map(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
    page.goto(url + "/")
    page.wait_for_selector("#main[data-ready=true][data-view=overview]", timeout=600_000)
    # the page marks the moment the map has drawn its layers (MapLibre "idle"), from navigation start
    elapsed = page.evaluate("performance.getEntriesByName('citytwin:map')[0].startTime") / 1000
    return elapsed, page


def _emit(figure: str, value: float, goal: float | None, unit: str, **extra) -> None:
    print(json.dumps({"figure": figure, "value": round(value, 3), "unit": unit, "goal": goal,
                      "ratio": round(value / goal, 3) if goal else None, **extra,
                      "load_average": round(os.getloadavg()[0], 2)}))


def main() -> None:
    data = Path(os.environ.get("CITYTWIN_DATA", "citytwin-data"))
    if not (data / "twin.duckdb").exists() or not Path(CHROMIUM).exists():
        print(json.dumps({"skipped": f"needs {data} loaded by `citytwin demo` and {CHROMIUM}"}))
        return
    process, url = _serve(data)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            cold, page = _first_map(browser, url)
            page.close()
            warm = []
            for _ in range(WARM_PAGES):
                elapsed, page = _first_map(browser, url)
                warm.append(elapsed)
                page.close()
            _emit(f"first rendered map, warm server (median of {WARM_PAGES} fresh pages)", statistics.median(warm),
                  1.5, "s", fastest=round(min(warm), 3), slowest=round(max(warm), 3))
            _emit("first rendered map, cold server", cold, None, "s")
            _, page = _first_map(browser, url)
            last = int(page.get_attribute("[data-testid=time-slider]", "max"))
            steps = [page.evaluate(STEP_JS, last - 1 - i % max(last, 1)) for i in range(20)]
            _emit("time-slider step to idle map (median of 20)", statistics.median(steps), 100.0, "ms")
            browser.close()
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()

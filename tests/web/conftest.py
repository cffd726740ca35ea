"""Fixtures of the dashboard tests: a real twin (the reference district's boundaries and every
station, the last six weeks of the KDD Cup 2018 readings, a 24-h PM2.5 forecast model trained on
the first four of them), a real `citytwin serve` on 127.0.0.1, and Debian's Chromium driven by
Playwright. Every request that would leave 127.0.0.1 is blocked and recorded."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from citytwin.air import forecast, source
from citytwin.anchor.account import create_chain_key
from citytwin.carbon import mrv
from citytwin.cli import app
from citytwin.datasets.load import reference_entities, reference_observations
from citytwin.finance import bonds, projects
from citytwin.finance.registry import sign_act
from citytwin.finance.registry_log import Registry, load_signer
from citytwin.green.reference import load_reference as load_parks
from citytwin.ledger.note import ALG_COSIGNATURE_V1, CosignatureSigner, generate_key
from citytwin.ledger.witness_server import Witness, WitnessState, make_server, parse_log_vkeys
from citytwin.projects.load import load_reference as load_projects
from citytwin.transport.load import load_reference as load_stations
from citytwin.twin import Twin
from citytwin.twin.signed import create_principal

sys.path.insert(0, str(Path(__file__).parents[1] / "anchor"))  # the anchoring tests' anvil helper
from anchor_node import Node  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
FIRST_DAY = "2018-04-20"  # UTC: six weeks up to the end of the KDD Cup 2018 data (2018-05-31)
FORECAST_TRAIN_END = dt.date(2018, 5, 17)  # last training target day; the view shows the last week
# A small model, quick to train, for the view's tests (four weeks of data: no better than persistence)
FORECAST_ROUNDS, FORECAST_PARAMS = 40, {"learning_rate": 0.2, "num_leaves": 15}
_DEFAULT_ARTIFACTS = Path(__file__).parents[2] / "build" / "test-artifacts"
ARTIFACTS = Path(os.environ.get("CITYTWIN_TEST_ARTIFACTS", _DEFAULT_ARTIFACTS)) / "web"  # screenshots



WITNESS = "witness.sanhe.test"


@contextmanager
def _witness(directory: Path, log_vkey: str):
    """A real witness (C2SP tlog-witness over HTTP) of the log with `log_vkey`; yields (url, vkey)."""
    private, vkey = generate_key(WITNESS, ALG_COSIGNATURE_V1)
    signer = CosignatureSigner.from_text(private)
    state = WitnessState(directory / "witness-state.json", signer.verifier_text)
    server = make_server(Witness(signer, parse_log_vkeys([log_vkey]), state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", vkey
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def witness_name() -> str:
    """The name of the witness that cosigns the test twin's checkpoints."""
    return WITNESS


@pytest.fixture(scope="session")
def chain():
    """A local anvil node (the anchoring tests' EVM JSON-RPC node), or None where it cannot start."""
    try:
        node = Node()
    except (RuntimeError, OSError, subprocess.SubprocessError):
        yield None
        return
    yield node
    node.stop()


@pytest.fixture(scope="session")
def web_data_dir(tmp_path_factory, chain) -> Path:
    """A data directory with the reference district (every boundary and station) and its last six
    weeks of readings, its checkpoints cosigned by one witness (quorum 1), a forecast model where
    `citytwin air forecast train` puts it, the readings' checkpoint anchored on `chain`, and green
    finance records after it."""
    directory = tmp_path_factory.mktemp("web") / "data"
    Twin.init(directory, origin="test.citytwin/web").close()
    config = directory / "citytwin.toml"
    log_vkey = (directory / "keys" / "log.vkey").read_text().strip()
    with _witness(directory.parent, log_vkey) as (url, vkey):
        text = config.read_text().replace("# quorum = 1", "quorum = 1")
        config.write_text(text + f'\n[[log.witness]]\nname = "{WITNESS}"\nurl = "{url}"\nvkey = "{vkey}"\n')
        _commit_reference(directory)
        if chain is not None:
            _anchor(directory, chain)
        _commit_finance(directory)
        _commit_programs(directory)
    return directory


def _commit_programs(directory: Path) -> None:
    """The other programs' reference data, as `citytwin load reference` commits it: the park, the
    metro stations and the named investment projects."""
    create_principal(directory, "subcenter-planning")
    with Twin.open(directory) as twin:
        assert load_parks(twin)["accepted"] == 1
        assert load_stations(twin).accepted > 0
        assert load_projects(twin, "subcenter-planning").registered > 0


def _anchor(directory: Path, node) -> None:
    """Deploy the anchoring contract on `node` and post the current checkpoint, as a user would."""
    node.fund(create_chain_key(directory / "keys" / "chain.key").address)
    for args in (["deploy", "--rpc", node.rpc], ["post"]):
        result = CliRunner().invoke(app, ["--data-dir", str(directory), "anchor", *args])
        assert result.exit_code == 0, result.output


SITE = {"type": "Point", "coordinates": [116.6564, 39.9097]}  # in Tongzhou


def _commit_finance(directory: Path) -> None:
    """A small green finance story: a credit registry (a synthetic verified reduction of 1,000 t
    issued with a 100 t buffer, a transfer to Sanhe, a retirement there, a cancellation), two green
    projects and a bond allocated to both."""
    for name in ("registry-admin", "tongzhou-invest", "sanhe-heating", "bj-green-bank"):
        mrv.create_principal(directory, name)
    with Twin.open(directory) as twin:
        registry = Registry(twin, check_mrv=False)
        registry.genesis("registry-admin")
        registry.open_account("registry-admin", "buffer", "110112", kind="buffer")
        registry.open_account("tongzhou-invest", "tz-1", "110112")
        registry.open_account("sanhe-heating", "sh-1", "131082")
        admin = load_signer(directory, "registry-admin")
        registry.submit([sign_act(admin, {"seq": registry.state.seq, "principal": "registry-admin",
                                          "act": "reduction", "reduction": "tz-pv-2025", "jurisdiction": "110112",
                                          "vintage": 2025, "verified_t": 1000, "mrv": "synthetic@0"})])
        registry.issue("tz-pv-2025", "tz-1", 900, buffer_quantity=100, buffer_account="buffer")
        registry.transfer("tongzhou-invest", "tz-1", "sh-1", 0, 299)
        registry.retire("sanhe-heating", "sh-1", 0, 199, "Sanhe No. 2 School", "2025 heating season", "131082")
        registry.cancel("tz-1", 800, 849, "metering error found in verification")
        projects.register(twin, "tongzhou-invest", "pv-roofs", name_zh="城市副中心屋顶光伏",
                          name_en="Sub-center rooftop PV", jurisdiction="110112", location=SITE,
                          activity="solar_power", attributes={"capacity_mw": 20}, investment_cny=80e6,
                          expected_impact={"renewable_mwh": 22000, "co2e_avoided_t": 12000})
        projects.register(twin, "tongzhou-invest", "nzeb-school", name_zh="近零能耗学校",
                          name_en="Nearly-zero-energy school", jurisdiction="110112", location=SITE,
                          activity="ultra_low_energy_building", attributes={"energy_standard": "nearly-zero"},
                          investment_cny=40e6, expected_impact={"green_building_m2": 30000, "co2e_avoided_t": 900})
        projects.update(twin, "tongzhou-invest", "pv-roofs", status="operating",
                        reported_impact={"renewable_mwh": 21000, "co2e_avoided_t": 11500})
        bonds.issue(twin, "bj-green-bank", "gb-2025-01", name="Sub-center green bond 2025 (1)", amount_cny=100e6,
                    issued_on="2025-11-03")
        bonds.allocate(twin, "bj-green-bank", "gb-2025-01", "pv-roofs", 60e6)
        bonds.allocate(twin, "bj-green-bank", "gb-2025-01", "nzeb-school", 20e6)


def _commit_reference(directory: Path) -> None:
    with Twin.open(directory) as twin:
        assert twin.commit(reference_entities()).rejected == []
        batch = reference_observations("kdd2018")
        assert twin.commit_observations(batch[batch["observed_at"] >= FIRST_DAY]).rejected == []
        stations = list(source.stations(twin)["entity_id"])
        frame = source.station_frame(twin, stations, weather=True)
    model = forecast.train(forecast.features(frame), train_end=FORECAST_TRAIN_END, rounds=FORECAST_ROUNDS,
                           params=FORECAST_PARAMS)
    forecast.save(model, directory / "models" / "air-forecast")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(web_data_dir):
    """`citytwin serve` on a free 127.0.0.1 port; yields its base URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "citytwin"), "serve", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, "CITYTWIN_DATA": str(web_data_dir)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"citytwin serve exited: {process.stdout.read().decode()}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("citytwin serve did not answer /healthz within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (make deps-debian)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Page:
    """A page of the dashboard with what it logged: console errors, page errors, blocked requests."""

    def __init__(self, page, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.blocked: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.route("**/*", self._only_local)

    def _only_local(self, route) -> None:
        if route.request.url.startswith(self.base + "/") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, fragment: str = "", view: str = "overview"):
        """Open `/#<fragment>` and wait until the view says it is ready."""
        self.page.goto(f"{self.base}/#{fragment}")
        self.page.wait_for_selector(f"#main[data-ready=true][data-view={view}]")
        alerts = self.page.locator("#main [role=alert]")
        assert alerts.count() == 0, alerts.first.inner_text()
        return self.page

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture
def dashboard(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    page = Page(context.new_page(), server)
    yield page
    context.close()


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)


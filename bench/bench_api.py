"""Benchmark of the HTTP API (issue 5): requests/s and p50/p99 latency on one uvicorn worker.

Scenarios, each driven by an async httpx client with a fixed number of requests in flight:

* GET one entity (NGSI-LD, with the latest reading of each attribute);
* a geo-query (stations within 10 km of a point, nearest first);
* a one-year temporal aggregation (daily mean of a station-year of hourly PM2.5, PRSA 2014), also
  with one request at a time, and again driven by wrk when it is installed (the Debian package:
  a C client, whereas the Python client takes about as much CPU per request as the server does
  on the same cores);
* batch POSTs of readings to ``/api/v1/ingest`` (1,000 synthetic readings each, labelled
  ``principal:bench-…``, on a real station, at hours after the reference data ends).

The peer is the published Orion-LD figure of the FIWARE load tests, about 1,800 NGSI-LD updates/s
per CPU, printed beside the readings/s of the batch POSTs; the goal is at least twice that on one
core, and a station-year aggregation under 100 ms at p99. Each line also gives the machine's
1-minute load average, since the figures mean little on a machine busy with other work.
One JSON line per figure:
``{"figure", "value", ..., "peer", "peer_value", "ratio"}``.

Usage: ``python bench/bench_api.py [--dir DATA_DIR] [--requests N] [--concurrency C]``; without
``--dir`` the reference district is loaded into a temporary data directory first (minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np

from citytwin.api.access import Principals

ORION_LD_UPDATES_PER_S_PER_CPU = 1_800  # FIWARE Orion-LD load tests, NGSI-LD updates/s on one CPU
AGGREGATION_GOAL_P99_MS = 100
STATION = "urn:ngsi-ld:AirQualityObserved:dongsi"
SYNTHETIC_START = datetime(2019, 1, 1, tzinfo=UTC)
YEAR_QUERY = {"attrs": "pm25", "aggrMethods": "avg", "aggrPeriodDuration": "P1D", "timerel": "between",
              "timeAt": "2013-12-31T16:00:00Z", "endTimeAt": "2014-12-31T16:00:00Z"}  # 2014 in Asia/Shanghai
_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}  # wrk's latency units, in ms


def _wrk(url: str, key: str, connections: int, seconds: int) -> dict | None:
    """requests/s, p50 and p99 of `url` driven by wrk (the Debian package; a C client that takes
    little of the CPU the server needs) with `connections` requests in flight, or None when wrk is
    not installed."""
    executable = shutil.which("wrk")
    if executable is None:
        return None
    out = subprocess.run([executable, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "-H", f"Authorization: Bearer {key}", url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    latency = {m.group(1): float(m.group(2)) * _WRK_UNITS[m.group(3)]
               for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)$", out, re.MULTILINE)}
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.MULTILINE)
    if set(latency) != {"50", "99"} or rate is None:
        raise RuntimeError(f"wrk output without p50, p99 and Requests/sec:\n{out}")
    return {"figure": "", "requests_per_s": float(rate.group(1)), "p50_ms": round(latency["50"], 2),
            "p99_ms": round(latency["99"], 2), "load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(data_dir: Path | None) -> Path:
    if data_dir is not None:
        return data_dir
    from citytwin.datasets.load import load_reference
    from citytwin.twin import Twin

    path = Path(tempfile.mkdtemp(prefix="citytwin-bench-")) / "data"
    with Twin.init(path, origin="bench.citytwin/district") as twin:
        load_reference(twin)
    return path


async def _drive(client: httpx.AsyncClient, requests: int, concurrency: int, send) -> tuple[np.ndarray, float]:
    latencies = np.zeros(requests)
    counter = iter(range(requests))

    async def worker():
        for i in counter:
            started = time.perf_counter()
            response = await send(client, i)
            latencies[i] = time.perf_counter() - started
            if response.status_code >= 400:
                raise RuntimeError(f"request {i}: {response.status_code} {response.text[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started


def _line(figure: str, latencies: np.ndarray, elapsed: float, **extra) -> dict:
    return {"figure": figure, "requests_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 2),
            "p99_ms": round(float(np.percentile(latencies, 99)) * 1000, 2), **extra,
            "load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}


async def _run(url: str, key: str, requests: int, concurrency: int, batch: int) -> list[dict]:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=concurrency)
    lines = []
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120, limits=limits) as client:
        async def entity(c, i):
            return await c.get(f"/ngsi-ld/v1/entities/{STATION}")

        async def geo(c, i):
            return await c.get("/ngsi-ld/v1/entities", params={
                "type": "AirQualityObserved", "georel": "near;maxDistance==10000", "geometry": "Point",
                "coordinates": "[116.417,39.929]"})

        async def year(c, i):
            return await c.get(f"/ngsi-ld/v1/temporal/entities/{STATION}", params=YEAR_QUERY)

        check = await year(client, 0)
        days = len(check.json()["pm25"]["avg"])
        for label, send in (("GET one entity", entity), ("geo-query near 10 km", geo),
                            (f"temporal aggregation, daily mean of a station-year ({days} days)", year)):
            await send(client, 0)  # warm up
            latencies, elapsed = await _drive(client, requests, concurrency, send)
            line = _line(label, latencies, elapsed)
            if send is year:
                line.update(peer="goal p99 [ms]", peer_value=AGGREGATION_GOAL_P99_MS,
                            ratio=round(AGGREGATION_GOAL_P99_MS / line["p99_ms"], 2))
            lines.append(line)
        if concurrency > 1:  # with C in flight one worker serves them in turn: p99 ≈ C × one request
            latencies, elapsed = await _drive(client, requests, 1, year)
            lines.append(_line(f"temporal aggregation, daily mean of a station-year ({days} days), one request at a "
                               "time", latencies, elapsed, peer="goal p99 [ms]", peer_value=AGGREGATION_GOAL_P99_MS,
                               ratio=round(AGGREGATION_GOAL_P99_MS / float(np.percentile(latencies, 99) * 1000), 2)))

        query = f"/ngsi-ld/v1/temporal/entities/{STATION}?{urlencode(YEAR_QUERY)}"
        line = _wrk(url + query, key, concurrency, seconds=15)
        if line is not None:
            line.update(figure=f"temporal aggregation, daily mean of a station-year ({days} days), wrk client",
                        peer="goal p99 [ms]", peer_value=AGGREGATION_GOAL_P99_MS,
                        ratio=round(AGGREGATION_GOAL_P99_MS / line["p99_ms"], 2))
            lines.append(line)

        posts = max(requests // 10, 8)

        async def ingest(c, i):
            first = SYNTHETIC_START + timedelta(hours=i * batch)
            body = [{"entity_id": STATION, "attribute": "no2", "observed_at": (first + timedelta(hours=k)).isoformat(),
                     "value": float((i * batch + k) % 150), "unit": "ug/m3"} for k in range(batch)]
            return await c.post("/api/v1/ingest", json=body)

        latencies, elapsed = await _drive(client, posts, concurrency, ingest)
        readings_per_s = posts * batch / elapsed
        lines.append(_line(f"batch POST /api/v1/ingest ({batch} synthetic readings each)", latencies, elapsed,
                           readings_per_s=round(readings_per_s),
                           peer="Orion-LD NGSI-LD updates/s per CPU (FIWARE load tests)",
                           peer_value=ORION_LD_UPDATES_PER_S_PER_CPU,
                           ratio=round(readings_per_s / ORION_LD_UPDATES_PER_S_PER_CPU, 2)))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="a data directory with the reference district loaded")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args(argv)
    data_dir = _prepare(args.dir)
    name = f"bench-{secrets.token_hex(4)}"
    principals = Principals(data_dir)
    _, key = principals.add(name, "admin")
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "citytwin"), "--data-dir", str(data_dir), "serve",
                               "--port", str(port), "--log-level", "warning"])
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("citytwin serve did not start")
            time.sleep(0.2)
        for line in asyncio.run(_run(url, key, args.requests, args.concurrency, args.batch)):
            print(json.dumps(line, ensure_ascii=False))
    finally:
        server.terminate()
        server.wait(timeout=30)
        principals.revoke(name)


if __name__ == "__main__":
    main()

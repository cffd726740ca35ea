"""Benchmarks of the district programs (issue #11): nearest facility for many residents.

Each section is a function called from ``main()`` and prints one JSON line per figure: the figure,
the peer measured in the same run, and their ratio.

* Nearest facility: 100,000 residents among 1,000 facilities (synthetic uniform points over a
  40 km × 40 km square, labelled synthetic), with ``citytwin.services.access.nearest`` (k-d tree)
  beside the brute force (numpy all-pairs squared distances, in chunks of residents). The two must
  agree on every distance. Goal: under 1 s, and at least 50× the brute force.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from citytwin.services.access import nearest

GOAL_S = 1.0
GOAL_SPEEDUP = 50.0


def _best_of(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and CPU time of ``repeat`` calls [s], and the last result."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, result


def _brute_force(rx, ry, fx, fy, chunk: int = 2_000) -> np.ndarray:
    """Nearest-facility distance by comparing every resident with every facility [m]."""
    out = np.empty(len(rx))
    for start in range(0, len(rx), chunk):
        dx = rx[start:start + chunk, None] - fx[None, :]
        dy = ry[start:start + chunk, None] - fy[None, :]
        out[start:start + chunk] = np.sqrt((dx * dx + dy * dy).min(axis=1))
    return out


def _emit(figure: str, value: float, peer: str, peer_value: float, ratio: float, **common) -> None:
    print(json.dumps({"figure": figure, "value": round(value, 4), **common, "peer": peer,
                      "peer_value": round(peer_value, 4), "ratio": round(ratio, 2)}))


def bench_nearest_facility(residents: int, facilities: int) -> None:
    rng = np.random.default_rng(11)
    rx, ry = rng.uniform(0, 40_000, residents), rng.uniform(0, 40_000, residents)
    fx, fy = rng.uniform(0, 40_000, facilities), rng.uniform(0, 40_000, facilities)
    tree_s, tree_cpu, (distance, _) = _best_of(lambda: nearest(rx, ry, fx, fy), repeat=5)
    brute_s, brute_cpu, brute = _best_of(lambda: _brute_force(rx, ry, fx, fy), repeat=2)
    np.testing.assert_allclose(distance, brute, rtol=1e-9, atol=1e-6)
    common = {"residents": residents, "facilities": facilities, "data": "synthetic uniform points"}
    peer = "numpy all-pairs brute force, chunked"
    _emit("nearest facility, k-d tree, wall [s]", tree_s, peer, brute_s, brute_s / tree_s, **common)
    _emit("nearest facility, k-d tree, CPU [s]", tree_cpu, peer + ", CPU", brute_cpu, brute_cpu / tree_cpu, **common)
    _emit("nearest facility, k-d tree, wall [s] against the goal", tree_s, "goal", GOAL_S, GOAL_S / tree_s, **common)
    _emit("speed-up over the brute force, wall [x]", brute_s / tree_s, "goal", GOAL_SPEEDUP,
          brute_s / tree_s / GOAL_SPEEDUP, **common)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--facilities", type=int, default=1_000)
    args = parser.parse_args()
    bench_nearest_facility(args.residents, args.facilities)


if __name__ == "__main__":
    main()

"""Benchmark of the carbon pathway Monte Carlo (issue 7).

A 10,000-run Monte Carlo of the shipped 12-measure Tongzhou pathway 2020-2060
(`citytwin/carbon/scenarios/tongzhou.toml`): the vectorised numpy model (`pathway.simulate`)
against the same model as a plain Python loop over the same sampled runs
(`pathway.simulate_loop`), both on one core. The loop is timed on a slice of the runs and scaled
to 10,000 when `--loop-runs` is below that (it says so in its line). The results are checked
equal before timing counts. Goal (issue 7): under 1 s for 10,000 runs and at least 50x the loop.

Prints one JSON line per figure: figure, value, peer, peer_value, ratio.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib import resources

import numpy as np

from citytwin.carbon import pathway

GOAL_S = 1.0
GOAL_SPEEDUP = 50.0


def _best_of(fn, repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU time of ``repeat`` calls [s] (CPU time: a shared machine)."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--loop-runs", type=int, default=10_000, help="runs timed in the Python loop")
    args = parser.parse_args()
    path = resources.files("citytwin.carbon").joinpath("scenarios", "tongzhou.toml")
    with resources.as_file(path) as scenario_file:
        scn = pathway.load_scenario(scenario_file)
    params = pathway.sample(scn, runs=args.runs, seed=1)

    vector_s, vector_cpu = _best_of(lambda: pathway.simulate(scn, params), repeat=7)
    mc_s, mc_cpu = _best_of(lambda: pathway.monte_carlo(scn, runs=args.runs, seed=1), repeat=5)

    loop_runs = min(args.loop_runs, args.runs)
    head = {k: v[:loop_runs] for k, v in params.items()}
    started, started_cpu = time.perf_counter(), time.process_time()
    looped = pathway.simulate_loop(scn, head)
    scale = args.runs / loop_runs
    loop_s = (time.perf_counter() - started) * scale
    loop_cpu = (time.process_time() - started_cpu) * scale
    np.testing.assert_allclose(pathway.simulate(scn, head)["net"], looped, rtol=1e-12)

    common = {"runs": args.runs, "years": len(scn.years), "measures": len(scn.measures)}
    peer = "plain Python loop over the same runs"
    if loop_runs != args.runs:
        peer += f" (timed on {loop_runs} runs, scaled)"
    lines = [
        ("pathway Monte Carlo, vectorised model, wall [s]", vector_s, peer, loop_s, loop_s / vector_s),
        ("pathway Monte Carlo, vectorised model, CPU [s]", vector_cpu, peer + ", CPU", loop_cpu, loop_cpu / vector_cpu),
        ("pathway Monte Carlo incl. sampling and statistics, wall [s]", mc_s, "goal", GOAL_S, GOAL_S / mc_s),
        ("pathway Monte Carlo incl. sampling and statistics, CPU [s]", mc_cpu, "goal", GOAL_S, GOAL_S / mc_cpu),
        (
            "speed-up over the plain loop, CPU [x]",
            loop_cpu / vector_cpu,
            "goal",
            GOAL_SPEEDUP,
            loop_cpu / vector_cpu / GOAL_SPEEDUP,
        ),
    ]
    for figure, value, peer_name, peer_value, ratio in lines:
        print(
            json.dumps(
                {
                    "figure": figure,
                    "value": round(value, 4),
                    **common,
                    "peer": peer_name,
                    "peer_value": round(peer_value, 4),
                    "ratio": round(ratio, 2),
                }
            )
        )


if __name__ == "__main__":
    main()

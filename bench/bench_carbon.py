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


def _best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--loop-runs", type=int, default=10_000, help="runs timed in the Python loop")
    args = parser.parse_args()
    path = resources.files("citytwin.carbon").joinpath("scenarios", "tongzhou.toml")
    with resources.as_file(path) as scenario_file:
        scn = pathway.load_scenario(scenario_file)
    params = pathway.sample(scn, runs=args.runs, seed=1)

    vector_s = _best_of(lambda: pathway.simulate(scn, params), repeat=5)
    mc_s = _best_of(lambda: pathway.monte_carlo(scn, runs=args.runs, seed=1), repeat=3)

    loop_runs = min(args.loop_runs, args.runs)
    head = {k: v[:loop_runs] for k, v in params.items()}
    started = time.perf_counter()
    looped = pathway.simulate_loop(scn, head)
    loop_s = (time.perf_counter() - started) * args.runs / loop_runs
    np.testing.assert_allclose(pathway.simulate(scn, head)["net"], looped, rtol=1e-12)

    common = {"runs": args.runs, "years": len(scn.years), "measures": len(scn.measures)}
    print(
        json.dumps(
            {
                "figure": "pathway Monte Carlo, vectorised model [s]",
                "value": round(vector_s, 4),
                **common,
                "peer": "plain Python loop over the same runs"
                + ("" if loop_runs == args.runs else f" (timed on {loop_runs} runs, scaled)"),
                "peer_value": round(loop_s, 3),
                "ratio": round(loop_s / vector_s, 1),
            }
        )
    )
    print(
        json.dumps(
            {
                "figure": "pathway Monte Carlo incl. sampling and statistics [s]",
                "value": round(mc_s, 4),
                **common,
                "peer": "goal",
                "peer_value": GOAL_S,
                "ratio": round(GOAL_S / mc_s, 2),
            }
        )
    )
    print(
        json.dumps(
            {
                "figure": "speed-up over the plain loop [x]",
                "value": round(loop_s / vector_s, 1),
                **common,
                "peer": "goal",
                "peer_value": GOAL_SPEEDUP,
                "ratio": round(loop_s / vector_s / GOAL_SPEEDUP, 2),
            }
        )
    )


if __name__ == "__main__":
    main()

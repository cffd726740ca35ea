"""Benchmark of the twin store (issue 2): loading the reference pack, and the daily mean per station.

Prints one JSON line per figure: the figure, the peer measured in the same run, and their ratio.
* load: observations/s end to end (validation, canonical encoding, ledger commit with a signed
  checkpoint per batch, DuckDB insert), against the goal of 200,000/s on one core;
* daily mean per station and attribute over all observations (Asia/Shanghai days): the twin's
  query against pandas doing the same aggregation over the same data in memory.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from citytwin.datasets import reference
from citytwin.datasets.load import load_reference, reference_observations
from citytwin.twin import Twin

GOAL_LOAD_PER_S = 200_000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with Twin.init(Path(tmp) / "data") as twin:
            report = load_reference(twin)
            load_s = time.perf_counter() - started
            stored = report.observations.accepted
            print(json.dumps({"figure": "load reference pack [observations/s]", "value": round(stored / load_s),
                              "observations": stored, "seconds": round(load_s, 2),
                              "peer": "goal", "peer_value": GOAL_LOAD_PER_S,
                              "ratio": round(stored / load_s / GOAL_LOAD_PER_S, 3)}))

            started = time.perf_counter()
            twin_result = twin.store.db.execute(
                "SELECT entity_id, attribute, date_trunc('day', timezone('Asia/Shanghai', observed_at)) AS day, "
                "avg(value) AS mean FROM observations GROUP BY ALL").df()
            query_s = time.perf_counter() - started

        frame = __import__("pandas").concat([reference_observations(d) for d in reference.DATASETS])
        started = time.perf_counter()
        day = frame["observed_at"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).dt.floor("D")
        pandas_result = frame.groupby([frame["entity_id"], frame["attribute"], day])["value"].mean()
        pandas_s = time.perf_counter() - started
        assert len(pandas_result) == len(twin_result), (len(pandas_result), len(twin_result))
        print(json.dumps({"figure": "daily mean per station and attribute [s]", "value": round(query_s, 3),
                          "rows": len(twin_result), "peer": "pandas groupby in memory",
                          "peer_value": round(pandas_s, 3), "ratio": round(pandas_s / query_s, 2)}))


if __name__ == "__main__":
    main()

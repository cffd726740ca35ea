"""Crash safety of `Twin.commit`: after SIGKILL at a random point a batch is wholly in the store
and the log, or wholly absent, and the twin verifies."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from citytwin.twin import Twin
from twin_records import STATIONS

BATCH = 2_000
WRITER = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from citytwin.twin import Twin

    directory, first = sys.argv[1], int(sys.argv[2])
    hours = pd.date_range("2020-01-01", periods=1000, freq="h", tz="UTC")
    with Twin.open(directory) as twin:
        for k in range(first, first + 1000):
            batch = pd.DataFrame({
                "entity_id": "urn:ngsi-ld:AirQualityObserved:tongzhou",
                "attribute": ["pm25", "pm10"] * 1000,
                "observed_at": hours.repeat(2),
                "value": [float(k % 1000)] * 2000,
                "unit": "ug/m3",
                "source": f"batch-{k}",
            })
            twin.commit_observations(batch)
            print(k, flush=True)
    """
)


def test_sigkill_during_commits_leaves_whole_batches_and_a_verifying_twin(tmp_path):
    directory = tmp_path / "data"
    with Twin.init(directory) as twin:
        twin.commit(STATIONS)
    rng = random.Random(20261126)
    next_batch = 0
    for _ in range(6):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(directory), str(next_batch)],
                                  stdout=subprocess.PIPE, text=True)
        writer.stdout.readline()  # at least one batch committed: the writer is in its loop
        time.sleep(rng.uniform(0.0, 0.6))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        next_batch += 1000
        with Twin.open(directory) as twin:
            assert twin.store.log_size == twin.log.size
            counts = twin.store.db.execute(
                "SELECT source, count(*) FROM observations GROUP BY source").fetchall()
            assert counts and [c for c in counts if c[1] != BATCH] == []
            assert twin.verify().rows_checked == twin.log.size

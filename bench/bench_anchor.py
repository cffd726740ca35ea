"""Benchmark of chain anchoring (issue 10, "Performance"). One JSON line per figure.

Against a real local EVM JSON-RPC node (anvil from ``contracts/``, automine, 127.0.0.1):

1. gas used per anchor — a log's first anchor and a later one — beside the 21,000 gas of a plain
   value transfer (the floor of any transaction);
2. anchors per second, each signed, sent with ``eth_sendRawTransaction`` and waited for (the
   ``citytwin anchor post`` path), beside the node's bare rate for plain value transfers sent and
   waited for the same way in the same run.

Run: ``.venv/bin/python bench/bench_anchor.py [--count N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "anchor"))
from anchor_node import Node  # noqa: E402

from citytwin.anchor import Chain, ChainAccount, send_anchor  # noqa: E402


def emit(figure: str, value: float, unit: str, peer: str, peer_value: float, goal: str, **extra) -> None:
    line = {"figure": figure, "value": round(value, 3), "unit": unit, "peer": peer,
            "peer_value": round(peer_value, 3), "ratio": round(value / peer_value, 3), "goal": goal, **extra}
    sys.stdout.write(orjson.dumps(line).decode() + "\n")
    sys.stdout.flush()


def transfer(chain: Chain, sender: ChainAccount, to: str) -> int:
    tx = chain.build(sender, "transfer", lambda base: {**base, "to": to, "value": 1, "gas": 21_000})
    return chain.send(sender, "transfer", tx).gas_used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="transactions per rate figure")
    args = parser.parse_args()
    node = Node()
    try:
        chain = Chain(node.rpc, poll=0.005)
        owner, _ = ChainAccount.generate()
        node.fund(owner.address, 10**24)
        chain.deploy(owner)
        root = hashlib.sha256(b"bench").digest()

        first = send_anchor(chain, owner, "bench.citytwin/log", 1, root).gas_used
        later = send_anchor(chain, owner, "bench.citytwin/log", 2, root).gas_used
        plain = transfer(chain, owner, owner.address)
        emit("gas per anchor, a log's first", first, "gas", "plain value transfer", plain, "as low as storage allows")
        emit("gas per anchor, later", later, "gas", "plain value transfer", plain, "as low as storage allows")

        start = time.perf_counter()
        for _ in range(args.count):
            transfer(chain, owner, owner.address)
        transfers = args.count / (time.perf_counter() - start)
        start = time.perf_counter()
        for i in range(args.count):
            send_anchor(chain, owner, "bench.citytwin/log", 3 + i, root)
        anchors = args.count / (time.perf_counter() - start)
        emit("anchors per second, sent and mined one by one", anchors, "1/s",
             "plain value transfers per second, same node and path", transfers, "ratio near 1",
             count=args.count)
    finally:
        node.stop()


if __name__ == "__main__":
    main()

"""A real local EVM JSON-RPC node for the anchoring tests: anvil, from the npm package
``@foundry-rs/anvil`` pinned in ``contracts/package.json`` (installed by ``make test`` with
``npm ci --prefix contracts``; installed here on first use if missing)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
ANVIL = CONTRACTS / "node_modules" / ".bin" / "anvil"
CHAIN_ID = 31337


def ensure_anvil() -> Path:
    if not ANVIL.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("the anchoring tests need Node.js and npm to install anvil (contracts/package.json)")
        subprocess.run([npm, "ci", "--prefix", str(CONTRACTS), "--no-audit", "--no-fund"], check=True,
                       stdout=subprocess.DEVNULL, timeout=300)
    return ANVIL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One anvil process on 127.0.0.1; ``rpc`` is its URL."""

    def __init__(self, *extra: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.rpc = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(ensure_anvil()), "--host", "127.0.0.1", "--port", str(self.port), "--chain-id", str(CHAIN_ID),
             *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.call("eth_chainId") == hex(CHAIN_ID):
                    break
            except requests.RequestException:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"anvil did not start on {self.rpc}")
            time.sleep(0.1)

    def call(self, method: str, *params):
        """One EIP-1474 request; the result, or RuntimeError with the node's error."""
        reply = requests.post(self.rpc, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)},
                              timeout=10).json()
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def fund(self, address: str, wei: int = 10**20) -> None:
        self.call("anvil_setBalance", address, hex(wei))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

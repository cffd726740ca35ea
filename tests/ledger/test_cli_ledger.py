"""`citytwin keys` and `citytwin log`: the commands of issue 3, exit codes, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citytwin.cli import app

CITYTWIN = Path(sys.executable).parent / "citytwin"
runner = CliRunner()


class Result:
    """exit code and output (whitespace-normalised, as the console may wrap lines)."""

    def __init__(self, r) -> None:
        self.exit_code, self.stdout = r.exit_code, r.stdout
        self.output = " ".join(r.output.split())


def run(*args: str) -> Result:
    return Result(runner.invoke(app, [str(a) for a in args]))


@pytest.fixture
def setup(tmp_path):
    key = tmp_path / "log.key"
    r = run("keys", "generate", "log.example/a", "--out", key, "--json")
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    assert info["verifier_key"].startswith("log.example/a+")
    assert key.read_text().startswith("PRIVATE+KEY+log.example/a+")
    assert (key.stat().st_mode & 0o777) == 0o600
    d = tmp_path / "log"
    assert run("log", "init", d, "--origin", "log.example/a", "--key", key).exit_code == 0
    files = []
    for i in range(5):
        f = tmp_path / f"e{i}.json"
        f.write_bytes(b'{"reading": %d}' % i)
        files.append(f)
    r = run("log", "append", d, "--key", key, *files, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["first_index"], out["appended"], out["size"]) == (0, 5, 5)
    return tmp_path, d, key, Path(str(key) + ".pub")


def test_round_trip(setup):
    tmp, d, key, pub = setup
    r = run("log", "verify", d, "--vkey", pub, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["verified"] is True
    r = run("log", "verify", d, "--vkey", pub.read_text().strip())  # the key inline
    assert r.exit_code == 0 and "ok:" in r.stdout
    r = run("log", "prove", d, "--index", "3")
    assert r.exit_code == 0 and r.stdout.startswith("c2sp.org/tlog-proof@v1\n")
    proof = tmp / "e3.tlog-proof"
    proof.write_text(r.stdout)
    r = run("log", "verify-proof", proof, "--vkey", pub, "--entry", tmp / "e3.json", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["index"] == 3
    r = run("log", "verify-proof", proof, "--vkey", pub, "--entry", tmp / "e2.json")
    assert r.exit_code == 1 and "root hash at size 5" in r.output


def test_witness_keys_and_quorum(setup):
    tmp, d, key, pub = setup
    r = run("keys", "generate", "w.example/1", "--witness", "--out", tmp / "w1.key", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["type"] == "cosignature/v1"
    proof = tmp / "p"
    proof.write_text(run("log", "prove", d, "--index", "0").stdout)
    r = run("log", "verify-proof", proof, "--vkey", pub, "--witness", tmp / "w1.key.pub", "--quorum", "1")
    assert r.exit_code == 1 and "expected cosignatures of at least 1 of 1 witnesses, got 0" in r.output
    r = run("log", "verify-proof", proof, "--vkey", pub, "--witness", tmp / "w1.key.pub", "--quorum", "0")
    assert r.exit_code == 0, r.output


def test_bad_input_exit_2(setup, tmp_path):
    tmp, d, key, pub = setup
    big = tmp / "big"
    big.write_bytes(b"x" * 65536)
    r = run("log", "append", d, "--key", key, big)
    assert r.exit_code == 2 and "65536 bytes, at most 65535" in r.output
    r = run("log", "append", d, "--key", key, tmp / "missing.json")
    assert r.exit_code == 2 and "missing.json: no such file" in r.output
    (tmp / "bad.key").write_text("PRIVATE+KEY+nonsense\n")
    r = run("log", "append", d, "--key", tmp / "bad.key", tmp / "e0.json")
    assert r.exit_code == 2 and "private key" in r.output
    r = run("log", "init", d, "--origin", "log.example/a", "--key", key)
    assert r.exit_code == 2 and "already holds a log" in r.output
    garbage = tmp / "garbage.tlog-proof"
    garbage.write_text("c2sp.org/tlog-proof@v1\nindex 1\nnot base64 at all\n\nx\n")
    r = run("log", "verify-proof", garbage, "--vkey", pub)
    assert r.exit_code == 2 and "proof line 3 (inclusion proof hash): expected base64" in r.output
    r = run("log", "prove", d, "--index", "9")
    assert r.exit_code == 2 and "entry index 9: expected 0..4" in r.output
    r = run("keys", "generate", "log.example/a", "--out", key)
    assert r.exit_code == 2 and "refusing to overwrite" in r.output


def test_verification_failures_exit_1(setup):
    tmp, d, key, pub = setup
    tile = d / "tile/0/000.p/5"
    tile.write_bytes(tile.read_bytes()[:50])
    r = run("log", "verify", d, "--vkey", pub)
    assert r.exit_code == 1 and "tile/0/000.p/5: expected 160 bytes (5 hashes), got 50" in r.output
    cp = d / "checkpoint"
    cp.write_text(cp.read_text().replace("\n5\n", "\n6\n"))
    r = run("log", "verify", d, "--vkey", pub)
    assert r.exit_code == 1 and "invalid signature for key log.example/a" in r.output
    cp.write_text("not a checkpoint")
    r = run("log", "verify", d, "--vkey", pub)
    assert r.exit_code == 1 and "checkpoint" in r.output


@pytest.mark.skipif(not CITYTWIN.exists(), reason="console script not installed in this environment")
def test_console_script_errors_have_no_traceback(setup):
    tmp, d, key, pub = setup
    (d / "tile/entries/000.p/5").write_bytes(b"\x00\x09abc")
    for args, code, text in [
        (["log", "verify", d, "--vkey", pub], 1, "tile/entries/000.p/5: entry bundle truncated at byte 0"),
        (["log", "verify-proof", tmp / "e0.json", "--vkey", pub], 2, "proof"),
    ]:
        p = subprocess.run([str(CITYTWIN), *map(str, args)], capture_output=True, text=True, timeout=60)
        assert p.returncode == code, p.stderr
        assert text in p.stderr and "Traceback" not in p.stderr + p.stdout

"""Three witnesses as separate processes on 127.0.0.1, a 2-of-3 policy (issue 3, "Must hold").

Each witness is `citytwin witness serve` started with subprocess; the log side is a small
in-test log (RFC 9162 tree from :mod:`citytwin.ledger.merkle`, checkpoints signed with
:mod:`citytwin.ledger.note`) so that forks and stale checkpoints can be made on purpose.
"""

from __future__ import annotations

import base64
import json
import selectors
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from citytwin.ledger import merkle
from citytwin.ledger.errors import QuorumNotReached
from citytwin.ledger.note import ALG_COSIGNATURE_V1, Signer, generate_key, sign_note
from citytwin.ledger.witness import (
    SIZE_CONTENT_TYPE,
    WitnessEndpoint,
    WitnessPolicy,
    attach_cosignatures,
    format_add_checkpoint,
)
from citytwin.ledger.witness_server import read_state

CITYTWIN = str(Path(sys.executable).with_name("citytwin"))
# One log per test, so that no test depends on what another made the witnesses record. The
# last one's origin differs from its key name ("VKEY ORIGIN" in the witnesses' key file).
LOGS = {
    "final": ("log.tongzhou.example/final", None),
    "fork": ("log.tongzhou.example/fork", None),
    "refusals": ("log.tongzhou.example/refusals", None),
    "restart": ("tongzhou-restart-key", "Tongzhou district log (restart test)"),
    "ledger": ("log.tongzhou.example/ledger", None),
}


class MiniLog:
    """A log in memory: entries, RFC 9162 root, checkpoints signed by ``key``, a published head."""

    def __init__(self, private_key: str, origin: str | None = None) -> None:
        self.signer = Signer.from_text(private_key)
        self.origin = origin or self.signer.name
        self.leaves: list[bytes] = []
        self.published: bytes | None = None  # the last checkpoint published with its cosignatures

    def append(self, *entries: bytes) -> None:
        self.leaves += [merkle.leaf_hash(e) for e in entries]

    def checkpoint(self, size: int | None = None) -> bytes:
        n = len(self.leaves) if size is None else size
        root = merkle.root_hash(self.leaves[:n])
        body = f"{self.origin}\n{n}\n{base64.b64encode(root).decode()}\n"
        return sign_note(body, [self.signer])

    def proof_from(self, old_size: int) -> list[bytes]:
        return merkle.consistency_proof(self.leaves, old_size)

    def publish(self, policy: WitnessPolicy) -> bytes:
        """Publish the current checkpoint only with a quorum of cosignatures."""
        cp = self.checkpoint()
        lines = policy.collect(cp, self.proof_from)
        self.published = attach_cosignatures(cp, lines)
        return self.published


def _spawn(key_file: Path, log_vkey: str, state: Path, port: int = 0) -> subprocess.Popen:
    cmd = [CITYTWIN, "witness", "serve", "--key", str(key_file), "--log-vkey", log_vkey,
           "--listen", f"127.0.0.1:{port}", "--state", str(state)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _ready(proc: subprocess.Popen) -> str:
    """Wait for the witness's first line, ``witness NAME listening on URL``; return the URL."""
    cmd = proc.args
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout=20):
        proc.kill()
        pytest.fail(f"witness did not start within 20 s: {cmd}")
    line = proc.stdout.readline()
    if " listening on " not in line:
        proc.kill()
        pytest.fail(f"witness failed to start: {line!r} {proc.stderr.read()!r}")
    return line.rsplit(" ", 1)[1].strip()


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.stdout.close()
    proc.stderr.close()


def _post(url: str, body: bytes) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url + "/add-checkpoint", data=body, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers.get("Content-Type", ""), e.read()


class Witnesses:
    """Three witness processes w1..w3; each can be stopped (down: connections refused), paused
    with SIGSTOP (hung: connections accepted, never answered) and brought back."""

    def __init__(self, tmp: Path, log_vkeys: Path) -> None:
        self.tmp = tmp
        self.log_vkey = str(log_vkeys)
        self.names = [f"witness{i}.example/w{i}" for i in (1, 2, 3)]
        self.vkeys: dict[str, str] = {}
        self.procs: dict[str, subprocess.Popen] = {}
        self.urls: dict[str, str] = {}
        self.paused: set[str] = set()
        for i, name in enumerate(self.names, 1):
            private, vkey = generate_key(name, ALG_COSIGNATURE_V1)
            (tmp / f"w{i}.key").write_text(private + "\n")
            self.vkeys[name] = vkey
        self.start(*self.names)

    def _files(self, name: str) -> tuple[Path, Path]:
        i = self.names.index(name) + 1
        return self.tmp / f"w{i}.key", self.tmp / f"w{i}-state.json"

    def start(self, *names: str) -> None:
        """Start (or restart, on the same port and state) these witnesses, in parallel."""
        for name in names:
            key, state = self._files(name)
            port = int(self.urls[name].rsplit(":", 1)[1]) if name in self.urls else 0
            self.procs[name] = _spawn(key, self.log_vkey, state, port)
        for name in names:
            self.urls[name] = _ready(self.procs[name])

    def pause(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGSTOP)
        self.paused.add(name)

    def resume(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGCONT)
        self.paused.discard(name)

    def ensure_up(self) -> None:
        """All three running and answering, as every test expects at its start."""
        for name in list(self.paused):
            self.resume(name)
        down = [n for n in self.names if n not in self.procs or self.procs[n].poll() is not None]
        if down:
            self.start(*down)

    def stop(self, *names: str, sig: int = signal.SIGTERM) -> None:
        for name in names:
            if name in self.paused:
                self.resume(name)
        procs = [self.procs.pop(name) for name in names]
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(sig)
        for proc in procs:
            _stop(proc, sig)

    def policy(self, quorum: int = 2) -> WitnessPolicy:
        """A k-of-3 policy; a hung witness counts as failed after 2 s."""
        return WitnessPolicy(
            [WitnessEndpoint(n, self.urls[n], self.vkeys[n]) for n in self.names], quorum, timeout=2
        )

    def close(self) -> None:
        self.stop(*self.procs)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Three witness processes watching the four test logs; yields them and a log maker."""
    tmp = tmp_path_factory.mktemp("witnesses")
    keys, lines = {}, ["# the logs these witnesses watch: VKEY [ORIGIN]"]
    for test, (key_name, origin) in LOGS.items():
        private, vkey = generate_key(key_name)
        keys[test] = (private, origin)
        lines.append(vkey if origin is None else f"{vkey} {origin}")
    (tmp / "logs.txt").write_text("\n".join(lines) + "\n")
    ws = Witnesses(tmp, tmp / "logs.txt")

    def new_log(test: str) -> MiniLog:
        private, origin = keys[test]
        return MiniLog(private, origin)

    yield ws, new_log
    ws.close()


@pytest.fixture(autouse=True)
def _all_witnesses_up(world):
    world[0].ensure_up()


def test_checkpoints_become_final_with_two_of_three_and_never_with_one(world):
    ws, new_log = world
    log = new_log("final")
    policy = ws.policy(quorum=2)
    names = set(ws.names)

    for batch in range(3):  # all three up: every checkpoint carries three valid cosignatures
        log.append(*(f"entry {batch}.{i}".encode() for i in range(5)))
        published = log.publish(policy)
        assert set(policy.verify(published)) == names

    w1, w2, w3 = ws.names
    ws.stop(w3)  # two up: still final, with the cosignatures of w1 and w2
    log.append(b"entry with w3 down")
    published = log.publish(policy)
    assert set(policy.verify(published)) == {w1, w2}

    ws.pause(w2)  # one up (w2 hung, w3 down): never final, the published checkpoint unchanged
    before = log.published
    log.append(b"entry with w2 hung and w3 down")
    with pytest.raises(QuorumNotReached, match=r"1 valid witness cosignatures, expected at least 2") as e:
        log.publish(policy)
    assert e.value.got == 1 and e.value.needed == 2
    assert set(e.value.failures) == {w2, w3}
    assert e.value.failures[w2].startswith(f"unreachable at {ws.urls[w2]}: timed out")
    assert e.value.failures[w3].startswith(f"unreachable at {ws.urls[w3]}: [Errno 111]")
    assert log.published == before
    # the one witness up did cosign, but one cosignature does not make the checkpoint final
    cp = log.checkpoint()
    lone = attach_cosignatures(cp, WitnessPolicy(policy.witnesses[:1], 1).collect(cp, log.proof_from))
    with pytest.raises(QuorumNotReached, match="1 valid witness cosignatures, expected at least 2"):
        policy.verify(lone)

    ws.resume(w2)  # w2 answers again (and may process the request it hung on): final again
    published = log.publish(policy)
    assert set(policy.verify(published)) == {w1, w2}


def test_a_fork_is_refused_by_every_witness(world):
    ws, new_log = world
    log = new_log("fork")
    log.append(*(f"fork base {i}".encode() for i in range(7)))
    policy = ws.policy(quorum=3)
    log.publish(policy)
    size = len(log.leaves)

    # Same origin and size, signed by the same log key, a different root.
    fork = new_log("fork")
    fork.leaves = list(log.leaves[:-1]) + [merkle.leaf_hash(b"forged last entry")]
    forked = fork.checkpoint()
    for name in ws.names:
        status, ctype, body = _post(ws.urls[name], format_add_checkpoint(size, [], forked))
        assert status == 409, (name, status, body)
        assert ctype == SIZE_CONTENT_TYPE and body == f"{size}\n".encode()
    with pytest.raises(QuorumNotReached, match=r"0 valid witness cosignatures") as e:
        fork.publish(ws.policy(quorum=2))
    assert all("same size" in why for why in e.value.failures.values())

    # A fork that grew further: its consistency proof from the witnesses' head cannot verify.
    fork.append(b"fork grows")
    for name in ws.names:
        body = format_add_checkpoint(size, fork.proof_from(size), fork.checkpoint())
        status, ctype, answer = _post(ws.urls[name], body)
        assert status == 422, (name, status, answer)
        assert "does not verify" in json.loads(answer)["detail"]

    # Each witness kept the log-signed fork requests as evidence (tlog-witness allows it).
    for name in ws.names:
        evidence = read_state(ws._files(name)[1])["evidence"]
        assert [e["status"] for e in evidence if e["origin"] == log.origin] == [409, 422]

    # The honest log still gets its next checkpoint cosigned.
    log.append(b"honest next")
    assert len(policy.verify(log.publish(policy))) == 3


def test_bad_signature_unknown_origin_stale_and_malformed_are_refused(world, tmp_path):
    ws, new_log = world
    log = new_log("refusals")
    for _ in range(80):
        log.append(b"x")
    policy = ws.policy(quorum=3)
    log.publish(policy)
    size = len(log.leaves)
    url = ws.urls[ws.names[0]]

    # bad log signature: one byte of the signature flipped -> 403
    cp = bytearray(log.checkpoint())
    sig_start = cp.index(b"\n\n\xe2\x80\x94 ") + 2
    b64 = cp[sig_start:].split(b" ")[2].strip()
    raw = bytearray(base64.b64decode(b64))
    raw[10] ^= 1
    bad = bytes(cp).replace(b64, base64.b64encode(bytes(raw)))
    status, _, body = _post(url, format_add_checkpoint(size, [], bad))
    assert status == 403 and "signature" in json.loads(body)["detail"]
    # signed by another key with the log's name -> no trusted signature -> 403
    impostor, _ = generate_key(log.signer.name)
    status, _, body = _post(url, format_add_checkpoint(size, [], MiniLog(impostor).checkpoint(0)))
    assert status == 403

    # unknown origin -> 404
    other_private, _ = generate_key("log.elsewhere.example/other")
    other = MiniLog(other_private, origin="log.elsewhere.example/other")
    status, _, body = _post(url, format_add_checkpoint(0, [], other.checkpoint(0)))
    assert status == 404 and "log.elsewhere.example/other" in json.loads(body)["detail"]

    # stale: a smaller checkpoint than the witness's, however it is presented
    stale = log.checkpoint(size - 10)
    status, _, body = _post(url, format_add_checkpoint(size, [], stale))
    assert status == 400 and f"larger than the checkpoint size {size - 10}" in json.loads(body)["detail"]
    status, ctype, body = _post(url, format_add_checkpoint(size - 10, [], stale))
    assert (status, ctype, body) == (409, SIZE_CONTENT_TYPE, f"{size}\n".encode())
    with pytest.raises(QuorumNotReached, match=f"has cosigned size {size}, larger than this checkpoint"):
        WitnessPolicy(policy.witnesses, 1).collect(stale, log.proof_from)

    # a proof that does not verify -> 422; malformed bodies -> 400
    log.append(b"y")
    good = log.checkpoint()
    wrong_proof = [bytes(32)] * len(log.proof_from(size))
    assert _post(url, format_add_checkpoint(size, wrong_proof, good))[0] == 422
    assert _post(url, b"old 01\n\n" + good)[0] == 400
    assert _post(url, b"old 5\nnot base64!\n\n" + good)[0] == 400
    assert _post(url, b"old 5\n" + good)[0] == 400
    assert _post(url, b"old 0\n" + base64.b64encode(bytes(32)) + b"\n\n" + good)[0] in (400, 409)


def test_witness_state_survives_a_restart(world):
    ws, new_log = world
    log = new_log("restart")
    for _ in range(100):
        log.append(b"z")
    policy = ws.policy(quorum=3)
    log.publish(policy)
    size = len(log.leaves)
    name = ws.names[0]

    ws.stop(name, sig=signal.SIGKILL)  # no clean shutdown: the state was fsynced before answering
    ws.start(name)
    status, ctype, body = _post(ws.urls[name], format_add_checkpoint(0, [], log.checkpoint()))
    assert (status, ctype, body) == (409, SIZE_CONTENT_TYPE, f"{size}\n".encode())
    fork = new_log("restart")
    fork.leaves = list(log.leaves[:-1]) + [merkle.leaf_hash(b"after restart")]
    assert _post(ws.urls[name], format_add_checkpoint(size, [], fork.checkpoint()))[0] == 409
    # a fresh policy (a new log process) learns the sizes through 409 and goes on
    log.append(b"after restart")
    assert len(ws.policy(quorum=3).verify(log.publish(ws.policy(quorum=3)))) == 3


def test_a_second_witness_cannot_share_a_running_witness_state(world):
    from typer.testing import CliRunner

    from citytwin.cli import app

    ws, _ = world
    key, state = ws._files(ws.names[0])
    result = CliRunner().invoke(app, ["witness", "serve", "--key", str(key), "--log-vkey", ws.log_vkey,
                                      "--listen", "127.0.0.1:0", "--state", str(state)])
    assert result.exit_code == 2
    assert "in use by another witness process" in " ".join(result.output.split())


def test_the_ledger_log_publishes_only_with_a_quorum(world, tmp_path):
    """citytwin.ledger.log.Log with a 2-of-3 policy of witness processes."""
    log_mod = pytest.importorskip("citytwin.ledger.log")
    from citytwin.ledger.note import CosignatureVerifier
    from citytwin.ledger.proof import verify_proof

    ws, new_log = world
    signer = new_log("ledger").signer
    policy = ws.policy(quorum=2)
    directory = tmp_path / "log"
    log = log_mod.Log.create(directory, signer.name, signer, witness_policy=policy)
    try:
        assert len(policy.verify(log.checkpoint.text.encode())) == 3  # the size-0 checkpoint too
        for batch in range(3):
            log.append([f"record {batch}.{i}".encode() for i in range(10)])
            on_disk = (directory / "checkpoint").read_bytes()
            assert on_disk == log.checkpoint.text.encode()
            assert set(policy.verify(on_disk)) == set(ws.names)
        # an offline proof bundle carries the cosignatures and verifies 2-of-3
        witness_keys = [CosignatureVerifier.from_text(ws.vkeys[n]) for n in ws.names]
        proved = verify_proof(log.prove(7), signer.verifier(), witnesses=witness_keys, quorum=2)
        assert set(proved.witnesses) == set(ws.names)
        assert [v.text for v in policy.verifiers] == [v.text for v in witness_keys]

        w1, w2, w3 = ws.names
        ws.stop(w3)
        log.append([b"record with w3 down"])
        assert log.size == 31
        assert set(policy.verify((directory / "checkpoint").read_bytes())) == {w1, w2}

        ws.pause(w2)
        before = (directory / "checkpoint").read_bytes()
        with pytest.raises(QuorumNotReached, match="expected at least 2") as e:
            log.append([b"record with w2 hung and w3 down"])
        assert set(e.value.failures) == {w2, w3}
        assert (directory / "checkpoint").read_bytes() == before
        assert log.size == 31 and log.pending is not None

        ws.resume(w2)
        log.append([])  # publishes the pending checkpoint now that a quorum answers
        assert log.size == 32 and log.pending is None
        assert set(policy.verify((directory / "checkpoint").read_bytes())) == {w1, w2}
    finally:
        log.close()

"""The witness in one process: wire format, the checks of C2SP tlog-witness, the state file,
the k-of-n policy and its configuration, the witness CLI.

The same witness across real processes is tested in ``test_witness_processes.py``.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import urllib.request
from http import HTTPStatus

import pytest
from typer.testing import CliRunner

from citytwin.errors import BadInputError
from citytwin.ledger import merkle
from citytwin.ledger.errors import MalformedError, QuorumNotReached
from citytwin.ledger.note import (
    ALG_COSIGNATURE_V1,
    CosignatureSigner,
    CosignatureVerifier,
    Signer,
    generate_key,
    parse_note,
    sign_note,
)
from citytwin.ledger.witness import (
    MAX_PROOF_LINES,
    WitnessEndpoint,
    WitnessPolicy,
    attach_cosignatures,
    format_add_checkpoint,
    parse_add_checkpoint,
)
from citytwin.ledger.witness_server import (
    Witness,
    WitnessRefusal,
    WitnessState,
    make_server,
    parse_log_vkeys,
    read_state,
)

ORIGIN = "log.tongzhou.example/unit"
LOG_PRIVATE, LOG_VKEY = generate_key(ORIGIN)
T0 = 1_764_000_000  # a fixed cosignature time [s since the epoch]


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(b"entry %d" % i) for i in range(n)]


def _checkpoint(leaves: list[bytes], key: str = LOG_PRIVATE, origin: str = ORIGIN) -> bytes:
    root = base64.b64encode(merkle.root_hash(leaves)).decode()
    return sign_note(f"{origin}\n{len(leaves)}\n{root}\n", [Signer.from_text(key)])


def _witness(tmp_path, name: str = "witness.unit/w1", state: str = "state.json"):
    private, vkey = generate_key(name, ALG_COSIGNATURE_V1)
    st = WitnessState(tmp_path / state)
    w = Witness(CosignatureSigner.from_text(private), parse_log_vkeys([LOG_VKEY]), st, clock=lambda: T0)
    return w, vkey


def _status(w: Witness, body: bytes) -> int:
    try:
        w.add_checkpoint(body)
    except WitnessRefusal as e:
        return e.status
    return 200


# --- wire format ----------------------------------------------------------------------------


def test_add_checkpoint_body_round_trips():
    leaves = _leaves(9)
    proof = merkle.consistency_proof(leaves, 4)
    cp = _checkpoint(leaves)
    body = format_add_checkpoint(4, proof, cp)
    assert body.startswith(b"old 4\n" + base64.b64encode(proof[0]) + b"\n")
    assert parse_add_checkpoint(body) == (4, proof, cp)
    assert parse_add_checkpoint(format_add_checkpoint(0, [], cp)) == (0, [], cp)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"old 4\n", "expected 'old <size>', proof lines, an empty line, a note"),
        (b"old 04\n\nx\n", "no leading zeros"),
        (b"old -1\n\nx\n", "expected 'old <size>'"),
        (b"new 4\n\nx\n", "expected 'old <size>'"),
        (b"old 4\n!!!!\n\nx\n", "proof line 1 .* not base64"),
        (b"old 4\nAAAA\n\nx\n", "proof line 1 .* 3 bytes, expected a 32-byte hash"),
        (b"old 4\n\n", "no checkpoint after the empty line"),
        (b"old 4\n" + (base64.b64encode(bytes(32)) + b"\n") * 64 + b"\nx\n", "64 consistency proof lines"),
    ],
)
def test_malformed_bodies_name_the_bad_line(body, match):
    with pytest.raises(MalformedError, match=match):
        parse_add_checkpoint(body)


def test_format_refuses_what_the_spec_forbids():
    with pytest.raises(BadInputError, match="at most 63"):
        format_add_checkpoint(1, [bytes(32)] * (MAX_PROOF_LINES + 1), b"x\n")
    with pytest.raises(BadInputError, match="old size -1"):
        format_add_checkpoint(-1, [], b"x\n")


# --- the witness's checks (C2SP tlog-witness, add-checkpoint) ----------------------------------


def test_first_checkpoint_is_cosigned_and_recorded(tmp_path):
    w, vkey = _witness(tmp_path)
    leaves = _leaves(5)
    cp = _checkpoint(leaves)
    answer = w.add_checkpoint(format_add_checkpoint(0, [], cp))
    assert answer.startswith("\u2014 witness.unit/w1 ".encode()) and answer.endswith(b"\n")
    body, sigs = parse_note(cp + answer)
    verifier = CosignatureVerifier.from_text(vkey)
    [cosig] = [s for s in sigs if s.name == "witness.unit/w1"]
    assert cosig.key_id == verifier.key_id
    assert verifier.verify(body, cosig.signature)
    assert CosignatureVerifier.timestamp(cosig.signature) == T0
    doc = json.loads((tmp_path / "state.json").read_text())
    assert doc["logs"][ORIGIN]["size"] == 5
    assert doc["logs"][ORIGIN]["root"] == base64.b64encode(merkle.root_hash(leaves)).decode()
    assert doc["logs"][ORIGIN]["checkpoint"] == cp.decode()


def test_statuses_follow_the_spec(tmp_path):
    w, _ = _witness(tmp_path)
    leaves = _leaves(20)
    w.add_checkpoint(format_add_checkpoint(0, [], _checkpoint(leaves[:8])))
    cp12, cp20 = _checkpoint(leaves[:12]), _checkpoint(leaves[:20])

    # 409: old size is not the size last cosigned; the body is that size
    with pytest.raises(WitnessRefusal, match="old size 5 does not match the size 8") as e:
        w.add_checkpoint(format_add_checkpoint(5, merkle.consistency_proof(leaves[:12], 5), cp12))
    assert (e.value.status, e.value.known_size) == (409, 8)
    # 400: old size above the checkpoint size
    with pytest.raises(WitnessRefusal, match="old size 8 is larger than the checkpoint size 4") as e:
        w.add_checkpoint(format_add_checkpoint(8, [], _checkpoint(leaves[:4])))
    assert e.value.status == 400
    # 422: a proof that does not verify, or a right proof for other sizes
    bad = [bytes(32)] * len(merkle.consistency_proof(leaves[:12], 8))
    assert _status(w, format_add_checkpoint(8, bad, cp12)) == 422
    assert _status(w, format_add_checkpoint(8, merkle.consistency_proof(leaves[:20], 8), cp12)) == 422
    # 403: a signature by a key not trusted for this origin; 404: an unknown origin
    other_key, _ = generate_key(ORIGIN)
    assert _status(w, format_add_checkpoint(8, [], _checkpoint(leaves[:8], other_key))) == 403
    stranger, _ = generate_key("log.elsewhere.example/x")
    with pytest.raises(WitnessRefusal, match="unknown log origin 'log.elsewhere.example/x'") as e:
        cp = _checkpoint(leaves[:3], stranger, "log.elsewhere.example/x")
        w.add_checkpoint(format_add_checkpoint(0, [], cp))
    assert e.value.status == 404
    # 200: a good proof, then the same checkpoint again (same size, same root)
    assert _status(w, format_add_checkpoint(8, merkle.consistency_proof(leaves[:12], 8), cp12)) == 200
    assert _status(w, format_add_checkpoint(12, [], cp12)) == 200
    # 409: same size, different root (a fork)
    forked = _leaves(11) + [merkle.leaf_hash(b"forged")]
    fork_msg = r"root at size 12 .* expected .*, got .* \(a fork of the log\)"
    with pytest.raises(WitnessRefusal, match=fork_msg) as e:
        w.add_checkpoint(format_add_checkpoint(12, [], _checkpoint(forked)))
    assert (e.value.status, e.value.known_size) == (409, 12)
    # 400: a proof with old size 0; 422: a proof between equal sizes
    assert _status(w, format_add_checkpoint(0, [bytes(32)], cp20)) in (400, 409)
    assert _status(w, format_add_checkpoint(12, [bytes(32)], cp12)) == 422
    # nothing refused changed the record
    assert w.state.head(ORIGIN).size == 12
    assert _status(w, format_add_checkpoint(12, merkle.consistency_proof(leaves, 12), cp20)) == 200


def test_old_zero_with_a_proof_is_malformed(tmp_path):
    w, _ = _witness(tmp_path)
    with pytest.raises(WitnessRefusal, match="old size 0 with 1 proof lines; expected none") as e:
        w.add_checkpoint(format_add_checkpoint(0, [bytes(32)], _checkpoint(_leaves(3))))
    assert e.value.status == 400


def test_a_flipped_signature_bit_is_403(tmp_path):
    w, _ = _witness(tmp_path)
    cp = _checkpoint(_leaves(3))
    body, [sig] = parse_note(cp)
    raw = bytearray(sig.signature)
    raw[0] ^= 0x80
    forged = body + b"\n" + type(sig)(sig.name, sig.key_id, bytes(raw)).line.encode()
    with pytest.raises(WitnessRefusal, match="log signature of .*invalid signature") as e:
        w.add_checkpoint(format_add_checkpoint(0, [], forged))
    assert e.value.status == HTTPStatus.FORBIDDEN


def test_concurrent_requests_never_roll_the_witness_back(tmp_path):
    """[tlog-witness]: checking the old size and persisting are one atomic step."""
    w, _ = _witness(tmp_path)
    leaves = _leaves(40)
    results: dict[int, int] = {}
    barrier = threading.Barrier(20)

    def submit(size: int) -> None:
        barrier.wait()
        results[size] = _status(w, format_add_checkpoint(0, [], _checkpoint(leaves[:size])))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(21, 41)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = [n for n, s in results.items() if s == 200]
    assert len(accepted) == 1 and sorted(set(results.values())) == [200, 409]
    assert w.state.head(ORIGIN).size == accepted[0]


# --- the state file -------------------------------------------------------------------------


def test_state_survives_reopening_and_is_exclusive(tmp_path):
    w, _ = _witness(tmp_path)
    leaves = _leaves(6)
    w.add_checkpoint(format_add_checkpoint(0, [], _checkpoint(leaves)))
    with pytest.raises(BadInputError, match="in use by another witness process"):
        WitnessState(tmp_path / "state.json")
    w.state.close()
    reopened = WitnessState(tmp_path / "state.json")
    head = reopened.head(ORIGIN)
    assert (head.size, head.root) == (6, merkle.root_hash(leaves))
    assert not (tmp_path / "state.json.tmp").exists()
    reopened.close()


def test_a_state_belongs_to_one_witness(tmp_path):
    priv_a, vkey_a = generate_key("witness.unit/a", ALG_COSIGNATURE_V1)
    _, vkey_b = generate_key("witness.unit/b", ALG_COSIGNATURE_V1)
    st = WitnessState(tmp_path / "s.json", witness=vkey_a)
    assert st.created and read_state(tmp_path / "s.json") == {"witness": vkey_a, "logs": {}, "evidence": []}
    w = Witness(CosignatureSigner.from_text(priv_a), parse_log_vkeys([LOG_VKEY]), st)
    w.add_checkpoint(format_add_checkpoint(0, [], _checkpoint(_leaves(2))))
    st.close()
    with pytest.raises(BadInputError, match=r"belongs to witness 'witness.unit/a\+.*expected the state of "
                                            r"'witness.unit/b\+"):
        WitnessState(tmp_path / "s.json", witness=vkey_b)
    st = WitnessState(tmp_path / "s.json", witness=vkey_a)
    assert not st.created and st.head(ORIGIN).size == 2
    other, _ = generate_key("witness.unit/c", ALG_COSIGNATURE_V1)
    with pytest.raises(BadInputError, match="belongs to witness 'witness.unit/a"):
        Witness(CosignatureSigner.from_text(other), parse_log_vkeys([LOG_VKEY]), st)
    st.close()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"{", "is not readable"),
        (b'{"format": "other/v9", "logs": {}}', "format 'other/v9', expected 'citytwin-witness-state/v1'"),
        (b'{"format": "citytwin-witness-state/v1", "logs": {"o": {"size": -1, "root": ""}}}', "size -1"),
        (b'{"format": "citytwin-witness-state/v1", "logs": {"o": {"size": 1, "root": "AAAA"}}}',
         "not 32 bytes"),
    ],
)
def test_a_damaged_state_file_is_refused(tmp_path, content, match):
    (tmp_path / "s.json").write_bytes(content)
    with pytest.raises(MalformedError, match=match):
        WitnessState(tmp_path / "s.json")


def test_refused_forks_are_kept_as_evidence_once(tmp_path):
    w, _ = _witness(tmp_path)
    leaves = _leaves(10)
    w.add_checkpoint(format_add_checkpoint(0, [], _checkpoint(leaves)))
    fork = format_add_checkpoint(10, [], _checkpoint(_leaves(9) + [merkle.leaf_hash(b"forged")]))
    grown = _leaves(9) + [merkle.leaf_hash(b"forged"), merkle.leaf_hash(b"more")]
    no_proof = format_add_checkpoint(10, merkle.consistency_proof(grown, 10), _checkpoint(grown))
    stale = format_add_checkpoint(4, [], _checkpoint(leaves[:4]))
    assert [_status(w, b) for b in (fork, fork, no_proof, stale)] == [409, 409, 422, 409]
    evidence = read_state(tmp_path / "state.json")["evidence"]
    assert [(e["status"], e["request"].encode()) for e in evidence] == [(409, fork), (422, no_proof)]
    assert "a fork of the log" in evidence[0]["reason"] and evidence[0]["origin"] == ORIGIN
    # a torn last line (a crash while appending) is skipped, and the next entry still lands
    with open(tmp_path / "state.json.evidence", "ab") as f:
        f.write(b'{"origin": "torn')
    w.state.close()
    w2, _ = _witness(tmp_path)
    w2.state.record_evidence(ORIGIN, 422, "again", b"other request", T0)
    assert [e["reason"] for e in read_state(tmp_path / "state.json")["evidence"]][-1] == "again"
    assert not w2.state.record_evidence(ORIGIN, 409, "replayed", fork, T0)


def test_status_command_reads_a_running_witness_state(tmp_path):
    from citytwin.cli import app

    w, _ = _witness(tmp_path)  # holds the state lock, as a running witness does
    w.add_checkpoint(format_add_checkpoint(0, [], _checkpoint(_leaves(3))))
    runner = CliRunner()
    result = runner.invoke(app, ["witness", "status", "--state", str(tmp_path / "state.json"), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["logs"][ORIGIN]["size"] == 3 and doc["logs"][ORIGIN]["cosigned_at"] == T0
    assert doc["evidence"] == [] and doc["witness"] is None  # a state made without a witness key
    result = runner.invoke(app, ["witness", "status", "--state", str(tmp_path / "state.json")])
    assert result.exit_code == 0 and f"{ORIGIN}\tsize 3\t" in result.output
    missing = runner.invoke(app, ["witness", "status", "--state", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "does not exist" in " ".join(missing.output.split())


# The log list of the witness network's format (transparency-dev/witness-network,
# docs/log-list-format.md), as litewitness's tests use it (FiloSottile/torchwood,
# cmd/litewitness/testdata/loglist.txt, "log_list.0" and the expected "list-logs.jsonl").
_VK1 = ("sigsum.org/v1/tree/f48d4a1d0c6370ec189dc537f648ef3bb347b012fbd3c899a630a4cd2e9b8702"
        "+9bc54c7f+AVv6q3xDaHxI2aTemqEb7W6ZcbO7QbTqTr20thOqfqsw")
_VK2 = ("sigsum.org/v1/tree/2ef59132082631d13e353b5ae49b22bc51a9bd59f41a2d570960a9658c1ed151"
        "+e2137795+ATp+37IPHc3SbPGzFMyZmPTOUlClk6PYPH+Ce5JiCb/h")
_LOG_LIST = f"""#
# List:      10qps-100klogs
#
logs/v0

vkey {_VK1}
qpd 86400
contact https://tlog.foo.org/contact
unknown
foo bar

vkey {_VK2}
origin example.com/foo
qpd 24
"""


def test_log_list_of_the_witness_network():
    keys = parse_log_vkeys(_LOG_LIST.splitlines())
    assert dict(keys.by_origin) == {_VK1.split("+")[0]: (_VK1,), "example.com/foo": (_VK2,)}


def test_serve_takes_keys_and_log_lists_together(tmp_path):
    from citytwin.cli.witness import _log_keys

    (tmp_path / "list").write_text(_LOG_LIST)
    (tmp_path / "plain").write_text(f"# ours\n{LOG_VKEY} Tongzhou\n")
    keys = _log_keys([LOG_VKEY, str(tmp_path / "list"), str(tmp_path / "plain")])
    assert sorted(keys.by_origin) == sorted([ORIGIN, "Tongzhou", "example.com/foo", _VK1.split("+")[0]])
    with pytest.raises(BadInputError, match="--log-vkey 'nothing': not a verifier key"):
        _log_keys(["nothing"])


def test_a_checkpoint_signed_by_go_is_cosigned(tmp_path):
    """The add-checkpoint request of litewitness's tests (FiloSottile/torchwood,
    cmd/litewitness/testdata/multi-cosigs-ed25519.txt): a sigsum log's checkpoint signed in Go."""
    pub = bytes.fromhex("52c05edad1bf5feffa81354faae59a655d9a9a1a793ed2f62c39c26c0be2aecd")
    origin = "sigsum.org/v1/tree/985ea163f5af026723561354f51f2ebcdcf2af809ce254ccfb64aa9aadd80f90"
    vkey = f"{origin}+ec1293d2+" + base64.b64encode(b"\x01" + pub).decode()
    request = (
        "old 0\n\n"
        f"{origin}\n1\nKgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n"
        f"\u2014 {origin} 7BKT0gOfNZ1J0So9unY3BZtm2YkPIoNYM/dce0Z2avJDs8dxN6ts9bOSwwrVrbjm6P9K3Zxp"
        "K6jJngOG6YvGGzV/lwo=\n"
    ).encode()
    private, wvkey = generate_key("example.com/witness", ALG_COSIGNATURE_V1)
    w = Witness(CosignatureSigner.from_text(private), parse_log_vkeys([vkey]), WitnessState(tmp_path / "s"))
    answer = w.add_checkpoint(request)
    body = f"{origin}\n1\nKgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    endpoint = WitnessEndpoint("example.com/witness", "http://127.0.0.1:1", wvkey)
    assert endpoint.valid_cosignatures(body, answer.decode().splitlines()) == [answer.decode().rstrip("\n")]
    assert _status(w, request.replace(b"old 0", b"old 1")) == 200  # same size, same root
    w.state.close()


def test_log_vkeys_with_and_without_origin():
    priv, vkey = generate_key("tongzhou-key")
    keys = parse_log_vkeys(["# comment", "", LOG_VKEY, f"{vkey} Tongzhou district log"])
    assert dict(keys.by_origin) == {ORIGIN: (LOG_VKEY,), "Tongzhou district log": (vkey,)}
    with pytest.raises(BadInputError, match="log verifier key 'nope'"):
        parse_log_vkeys(["nope"])
    with pytest.raises(BadInputError, match="no log verifier key given"):
        parse_log_vkeys(["# only a comment"])


# --- HTTP and the policy ------------------------------------------------------------------------


@pytest.fixture
def servers(tmp_path):
    """Three in-process witnesses over HTTP; yields (endpoints, witnesses)."""
    started, endpoints, witnesses = [], [], []
    for i in (1, 2, 3):
        name = f"witness.unit/w{i}"
        w, vkey = _witness(tmp_path, name, f"w{i}.json")
        srv = make_server(w, "127.0.0.1", 0)
        threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
        started.append(srv)
        witnesses.append(w)
        endpoints.append(WitnessEndpoint(name, "http://{}:{}".format(*srv.server_address[:2]), vkey))
    yield endpoints, witnesses
    for srv in started:
        srv.shutdown()
        srv.server_close()
    for w in witnesses:
        w.state.close()


def test_http_statuses_and_content_types(servers):
    endpoints, _ = servers
    url = endpoints[0].url
    leaves = _leaves(4)
    cp = _checkpoint(leaves)

    def post(path: str, data: bytes | None, method: str = "POST"):
        req = urllib.request.Request(url + path, data=data, method=method)
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, r.headers["Content-Type"], r.read()
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.headers["Content-Type"], e.read()

    status, ctype, body = post("/add-checkpoint", format_add_checkpoint(0, [], cp))
    assert status == 200 and body.startswith("\u2014 witness.unit/w1 ".encode())
    assert post("/add-checkpoint", format_add_checkpoint(3, [], cp))[:3] == (409, "text/x.tlog.size", b"4\n")
    status, ctype, body = post("/add-checkpoint", b"garbage")
    assert (status, ctype) == (400, "application/problem+json")
    assert json.loads(body) == {
        "type": "about:blank", "title": "Bad Request", "status": 400,
        "detail": "add-checkpoint body: expected 'old <size>', proof lines, an empty line, a note",
    }
    assert post("/add-checkpoint", None, "GET")[0] == 405
    assert post("/elsewhere", b"x")[0] == 404
    status, _, body = post("/add-checkpoint", b"x" * ((1 << 18) + 1))
    assert status == 413 and "at most 262144" in json.loads(body)["detail"]


def test_a_url_prefix(tmp_path):
    w, vkey = _witness(tmp_path)
    srv = make_server(w, "127.0.0.1", 0, prefix="/witness/v1/")
    threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = "http://{}:{}/witness/v1".format(*srv.server_address[:2])
        lines = WitnessPolicy([WitnessEndpoint("witness.unit/w1", url, vkey)], 1).collect(
            _checkpoint(_leaves(3)), lambda m: []
        )
        assert len(lines) == 1
    finally:
        srv.shutdown()
        srv.server_close()
        w.state.close()
    with pytest.raises(BadInputError, match="URL prefix 'witness': expected a path starting with '/'"):
        make_server(w, prefix="witness")


def test_policy_collects_a_quorum_and_learns_sizes_through_409(servers):
    endpoints, witnesses = servers
    leaves = _leaves(30)
    policy = WitnessPolicy(endpoints, 2)
    lines = policy.collect(_checkpoint(leaves[:10]), lambda m: merkle.consistency_proof(leaves[:10], m))
    assert len(lines) == 3
    # A new policy (another process of the log) does not know the witnesses' sizes: it sends
    # old 0, gets 409 with the size, and retries once with a proof from it.
    fresh = WitnessPolicy(endpoints, 3)
    asked: list[int] = []

    def proof_from(m: int) -> list[bytes]:
        asked.append(m)
        return merkle.consistency_proof(leaves[:25], m)

    cp = _checkpoint(leaves[:25])
    lines = fresh.collect(cp, proof_from)
    assert asked == [10, 10, 10]
    assert fresh.verify(attach_cosignatures(cp, lines)) == [e.name for e in endpoints]
    assert {w.state.head(ORIGIN).size for w in witnesses} == {25}
    # With the log's previous size given, no round trip is lost.
    hinted = WitnessPolicy(endpoints, 3)
    asked.clear()
    hinted.collect(_checkpoint(leaves), lambda m: asked.append(m) or merkle.consistency_proof(leaves, m),
                   old_size=25)
    assert asked == [25, 25, 25]


def test_policy_names_each_failed_witness_and_why(servers, tmp_path):
    endpoints, _ = servers
    leaves = _leaves(5)
    # w2 is configured with a key that is not its own; w3's address has nothing listening
    _, wrong_vkey = generate_key("witness.unit/w2", ALG_COSIGNATURE_V1)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    policy = WitnessPolicy(
        [endpoints[0], WitnessEndpoint("witness.unit/w2", endpoints[1].url, wrong_vkey),
         WitnessEndpoint("witness.unit/w3", f"http://127.0.0.1:{dead_port}", endpoints[2].vkey)],
        2,
        timeout=2,
    )
    with pytest.raises(QuorumNotReached) as e:
        policy.collect(_checkpoint(leaves), lambda m: merkle.consistency_proof(leaves, m))
    assert (e.value.got, e.value.needed) == (1, 2)
    assert "witness.unit/w2: answered 200 without a cosignature that verifies with" in str(e.value)
    assert f"witness.unit/w3: unreachable at http://127.0.0.1:{dead_port}" in str(e.value)
    assert set(e.value.failures) == {"witness.unit/w2", "witness.unit/w3"}


def test_policy_times_out_on_a_silent_witness(servers):
    endpoints, _ = servers
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts connections, never answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        policy = WitnessPolicy([WitnessEndpoint(endpoints[0].name, url, endpoints[0].vkey)], 1, timeout=0.5)
        with pytest.raises(QuorumNotReached, match="unreachable at .*timed out"):
            policy.collect(_checkpoint(_leaves(2)), lambda m: [])
    finally:
        silent.close()


def test_policy_from_toml():
    _, v1 = generate_key("witness.sanhe.example/w1", ALG_COSIGNATURE_V1)
    _, v2 = generate_key("witness.dachang.example/w1", ALG_COSIGNATURE_V1)
    text = f"""
quorum = 2
timeout = 3.5

[[witness]]
name = "witness.sanhe.example/w1"
url = "http://127.0.0.1:7381"
vkey = "{v1}"

[[witness]]
name = "witness.dachang.example/w1"
url = "https://witness.dachang.example/"
vkey = "{v2}"
"""
    policy = WitnessPolicy.from_toml(text)
    assert policy.quorum == 2 and policy.timeout == 3.5
    assert [w.name for w in policy.witnesses] == ["witness.sanhe.example/w1", "witness.dachang.example/w1"]
    assert WitnessPolicy.from_config(policy.to_config()).witnesses == policy.witnesses


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda t, *_: t.replace("quorum = 1", "quorum = 3"), r"quorum 3; expected an integer from 1 to 2"),
        (lambda t, *_: t.replace("quorum = 1", "quorum = 0"), r"quorum 0; expected an integer from 1 to 2"),
        (lambda t, *_: t.replace("quorum = 1", ""), r"no 'quorum'"),
        (lambda t, *_: t.replace("quorum = 1", "quorum = 1\nquorom = 2"), r"unknown key 'quorom'"),
        (lambda t, *_: t.replace('"http://a.example"', '"ftp://a.example"'), r"url 'ftp://a.example'"),
        (lambda t, *_: t.replace('"w.example/a"', '"w.example/z"', 1), "vkey names 'w.example/a'"),
        (lambda t, va, vb: t.replace('"w.example/b"', '"w.example/a"').replace(vb, va), "a' twice"),
        (lambda t, *_: t.replace('vkey = "w.example/b', 'vkey = "w.example/b+00'), r"vkey .*key ID"),
        (lambda t, *_: "quorum = 1\nwitness = 'w.example/a'\n", r"'witness' has value 'w.example/a'"),
        (lambda t, *_: t + "\n[[", r"not valid TOML"),
    ],
)
def test_policy_configuration_errors_name_the_bad_value(edit, match):
    _, va = generate_key("w.example/a", ALG_COSIGNATURE_V1)
    _, vb = generate_key("w.example/b", ALG_COSIGNATURE_V1)
    text = f"""quorum = 1
[[witness]]
name = "w.example/a"
url = "http://a.example"
vkey = "{va}"
[[witness]]
name = "w.example/b"
url = "http://b.example"
vkey = "{vb}"
"""
    WitnessPolicy.from_toml(text)
    with pytest.raises(BadInputError, match=match):
        WitnessPolicy.from_toml(edit(text, va, vb))


def test_attach_cosignatures_does_not_repeat_lines():
    cp = _checkpoint(_leaves(2))
    line = "\u2014 w.example/a AAAA"
    once = attach_cosignatures(cp, [line])
    assert attach_cosignatures(once, [line]) == once == cp + (line + "\n").encode()


# --- CLI ------------------------------------------------------------------------------------


def test_a_key_from_keys_generate_witness_is_a_witness_key(tmp_path):
    """`citytwin keys generate NAME --witness` makes the key `citytwin witness serve` takes."""
    from citytwin.cli import app

    out = tmp_path / "w1.key"
    result = CliRunner().invoke(app, ["keys", "generate", "witness.xianghe.example/w1", "--witness",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    signer = CosignatureSigner.from_text(out.read_text())
    vkey = (tmp_path / "w1.key.pub").read_text().strip()
    assert signer.verifier_text == vkey
    assert base64.b64decode(vkey.split("+", 2)[2])[0] == ALG_COSIGNATURE_V1
    WitnessEndpoint("witness.xianghe.example/w1", "http://127.0.0.1:7380", vkey)

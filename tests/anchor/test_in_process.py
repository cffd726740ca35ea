"""The same contract and checks on an in-process EVM: py-evm through eth-tester (web3.py's
EthereumTesterProvider), over logs built with the ledger alone."""

import pytest
from web3 import EthereumTesterProvider  # needs eth-tester with py-evm: the test extra web3[tester]

from citytwin.anchor import (
    AnchorRefused,
    Chain,
    ChainAccount,
    ForkDetected,
    check_anchors,
    latest,
    post_checkpoint,
    read_anchors,
    send_anchor,
)
from citytwin.ledger import Log, Signer, generate_key

ORIGIN = "in-process.test/log"


@pytest.fixture
def chain():
    return Chain("in-process", provider=EthereumTesterProvider())


def funded(chain: Chain) -> ChainAccount:
    acct, _ = ChainAccount.generate()
    chain.w3.eth.send_transaction({"from": chain.w3.eth.accounts[0], "to": acct.address, "value": 10**19})
    return acct


def entries(tag: str, n: int) -> list[bytes]:
    return [f'{{"reading":{i},"tag":"{tag}"}}'.encode() for i in range(n)]


def test_post_verify_and_a_forged_anchor(tmp_path, chain):
    owner = funded(chain)
    chain.deploy(owner)
    signer = Signer.from_text(generate_key(ORIGIN)[0])
    with Log.create(tmp_path / "a", ORIGIN, signer, durable=False) as log:
        log.append(entries("a", 5))
        first = post_checkpoint(chain, owner, ORIGIN, log.size, log.root)
        assert first.status == "anchored"
        assert post_checkpoint(chain, owner, ORIGIN, log.size, log.root).status == "already"
        log.append(entries("b", 300))  # crosses a full tile of 256 hashes
        assert post_checkpoint(chain, owner, ORIGIN, log.size, log.root).status == "anchored"
        report = check_anchors(log, read_anchors(chain, ORIGIN))
        assert report.ok and [c.anchor.size for c in report.checks] == [5, 305]
        report.raise_for_forks()

        # a second log with the same origin and key, forked at size 310 from size 305
        with Log.create(tmp_path / "b", ORIGIN, signer, durable=False) as other:
            other.append(entries("a", 5) + entries("b", 300) + entries("fork", 5))
            send_anchor(chain, owner, ORIGIN, other.size, other.root)  # an authorised poster forges it
        log.append(entries("c", 7))
        assert log.size == 312
        report = check_anchors(log, read_anchors(chain, ORIGIN))
        assert [c.ok for c in report.checks] == [True, True, False]
        assert report.forks[0].startswith("anchor at tree size 310 (tx 0x")
        with pytest.raises(ForkDetected, match=r"1 of 3 anchors of log in-process.test/log disagree with it: "
                                               r"anchor at tree size 310") as e:
            report.raise_for_forks()
        assert e.value.problems == report.forks
        with pytest.raises(ForkDetected, match="the chain has tree size 310 anchored, expected at most the log's"):
            post_checkpoint(chain, owner, ORIGIN, 308, bytes(32))


def test_contract_rules_in_process(chain):
    owner, stranger = funded(chain), funded(chain)
    chain.deploy(owner)
    with pytest.raises(AnchorRefused, match="NotPoster") as e:
        send_anchor(chain, stranger, ORIGIN, 1, bytes(32))
    assert e.value.error == "NotPoster"
    send_anchor(chain, owner, ORIGIN, 2, b"\x01" * 32)
    for size in (2, 1):
        with pytest.raises(AnchorRefused, match=rf"SizeNotLarger\(0x[0-9a-f]{{64}}, {size}, 2\)"):
            send_anchor(chain, owner, ORIGIN, size, b"\x02" * 32)
    assert latest(chain, ORIGIN) == (2, b"\x01" * 32)

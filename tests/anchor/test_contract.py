"""The contract's rules, on a real anvil node: sizes only grow, only authorised accounts post,
only the owner authorises."""

import pytest
from anchor_support import ORIGIN, funded_account, settings

from citytwin.anchor import (
    AnchorRefused,
    authorize,
    deploy,
    is_poster,
    latest,
    load_chain_key,
    read_anchors,
    send_anchor,
    set_poster,
)
from citytwin.errors import BadInputError

ROOT_A, ROOT_B = bytes(range(32)), bytes(range(32, 64))


@pytest.fixture
def deployed(data_dir, node):
    receipt, owner = deploy(settings(data_dir, node))
    return settings(data_dir, node), owner, receipt


def test_size_must_grow(deployed):
    s, owner, _ = deployed
    chain = s.chain()
    first = send_anchor(chain, owner, ORIGIN, 10, ROOT_A)
    assert latest(chain, ORIGIN) == (10, ROOT_A)
    for size in (10, 9, 1):
        with pytest.raises(AnchorRefused, match=rf"tree size {size}: the contract refused it with "
                                                rf"SizeNotLarger\(0x[0-9a-f]{{64}}, {size}, 10\)") as e:
            send_anchor(chain, owner, ORIGIN, size, ROOT_B)
        assert e.value.error == "SizeNotLarger"
    assert latest(chain, ORIGIN) == (10, ROOT_A)
    send_anchor(chain, owner, ORIGIN, 11, ROOT_B)
    # another origin has its own sequence
    send_anchor(chain, owner, "another.example/log", 3, ROOT_B)
    anchors = read_anchors(chain, ORIGIN, s.from_block)
    assert [(a.size, a.root, a.poster) for a in anchors] == [(10, ROOT_A, owner.address), (11, ROOT_B, owner.address)]
    assert anchors[0].tx == first.tx and anchors[0].block == first.block
    # events are read in ranges: one block per query gives the same history
    assert read_anchors(chain, ORIGIN, s.from_block, chunk=1) == anchors


def test_only_posters_post_and_only_the_owner_authorises(deployed, node):
    s, owner, _ = deployed
    chain = s.chain()
    stranger = funded_account(node)
    assert is_poster(chain, owner.address) and not is_poster(chain, stranger.address)
    with pytest.raises(AnchorRefused, match=rf"refused it with NotPoster\({stranger.address.lower()}\)") as e:
        send_anchor(chain, stranger, ORIGIN, 5, ROOT_A)
    assert e.value.error == "NotPoster"
    with pytest.raises(AnchorRefused, match="NotOwner") as e:
        set_poster(chain, stranger, stranger.address)
    assert e.value.error == "NotOwner"
    assert latest(chain, ORIGIN) == (0, bytes(32))

    authorize(s, stranger.address)
    assert is_poster(chain, stranger.address)
    send_anchor(chain, stranger, ORIGIN, 5, ROOT_A)
    assert [a.poster for a in read_anchors(chain, ORIGIN, s.from_block)] == [stranger.address]

    authorize(s, stranger.address, allowed=False)
    with pytest.raises(AnchorRefused, match="NotPoster"):
        send_anchor(chain, stranger, ORIGIN, 6, ROOT_B)
    assert latest(chain, ORIGIN) == (5, ROOT_A)
    assert load_chain_key(s.key_path).address == owner.address


def test_bad_checkpoints_are_refused_before_the_chain(deployed):
    s, owner, _ = deployed
    chain = s.chain()
    with pytest.raises(BadInputError, match="tree size 0: expected 1..2"):
        send_anchor(chain, owner, ORIGIN, 0, ROOT_A)
    with pytest.raises(BadInputError, match="root hash: expected 32 bytes, got 31"):
        send_anchor(chain, owner, ORIGIN, 1, ROOT_A[:31])
    with pytest.raises(BadInputError, match=r"log origin 'a\\nb': expected one non-empty line"):
        send_anchor(chain, owner, "a\nb", 1, ROOT_A)

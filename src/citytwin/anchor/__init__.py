"""citytwin.anchor — a transparency log's checkpoints anchored on an EVM chain.

The checkpoint (origin, tree size, root hash) of the log is posted to the ``CheckpointAnchor``
contract (``contracts/CheckpointAnchor.sol``, compiled ABI and bytecode in ``CheckpointAnchor.json``)
through standard Ethereum JSON-RPC (EIP-1474) with web3.py, so Hyperledger Besu, FISCO BCOS 3.9+
(Web3 RPC) and public EVM chains all serve. Anyone who trusts the chain's consensus can then check
that the log never forked: every anchored root must be the log's root at that size.

This package imports :mod:`citytwin.ledger` (and :mod:`citytwin.twin.config` for the data
directory); the ledger never imports it, so web3.py is loaded only by those who anchor.
"""

from __future__ import annotations

from citytwin.anchor.account import ChainAccount, create_chain_key, load_chain_key
from citytwin.anchor.anchors import (
    Anchor,
    PostResult,
    is_poster,
    latest,
    origin_key,
    post_checkpoint,
    read_anchors,
    send_anchor,
    set_poster,
)
from citytwin.anchor.chain import Chain, Receipt
from citytwin.anchor.datadir import AnchorSettings, anchors_covering, authorize, deploy, load_settings, post, verify
from citytwin.anchor.errors import AnchorRefused, ChainUnavailable, ForkDetected, NoDeployment
from citytwin.anchor.links import anchor_links, verify_anchor_link
from citytwin.anchor.periodic import post_periodically
from citytwin.anchor.verify import AnchorCheck, AnchorReport, check_anchors

__all__ = [
    "Anchor",
    "AnchorCheck",
    "AnchorRefused",
    "AnchorReport",
    "AnchorSettings",
    "Chain",
    "ChainAccount",
    "ChainUnavailable",
    "ForkDetected",
    "NoDeployment",
    "PostResult",
    "Receipt",
    "anchor_links",
    "anchors_covering",
    "authorize",
    "check_anchors",
    "create_chain_key",
    "deploy",
    "is_poster",
    "latest",
    "load_chain_key",
    "load_settings",
    "origin_key",
    "post",
    "post_checkpoint",
    "post_periodically",
    "read_anchors",
    "send_anchor",
    "set_poster",
    "verify",
    "verify_anchor_link",
]

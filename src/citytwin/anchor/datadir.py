"""Anchoring for a citytwin data directory: settings, the chain key, deploy, post, verify.

Files in the data directory (DESIGN.md: one directory, no state elsewhere)::

    keys/chain.key           the chain account's private key (mode 0600, never printed)
    anchor/deployment.json   the contract's address, chain id, deployment block and transaction
    anchor/pending.json      a signed anchor transaction sent but not yet seen mined (if any)

Settings come from, in order: the arguments (``--rpc``, ``--contract``), the ``[anchor]`` table of
``citytwin.toml`` (``rpc``, ``contract``, ``chain_id``, ``from_block``, ``log_chunk``,
``receipt_timeout``), then ``anchor/deployment.json``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from citytwin.anchor.account import CHAIN_KEY_NAME, ChainAccount, create_chain_key, load_chain_key
from citytwin.anchor.anchors import PostResult, latest, post_checkpoint, read_anchors, set_poster
from citytwin.anchor.anchors import anchors_covering as _covering
from citytwin.anchor.chain import Chain, Receipt
from citytwin.anchor.errors import NoDeployment
from citytwin.anchor.verify import AnchorReport, check_anchors
from citytwin.errors import BadInputError
from citytwin.ledger import Log, Verifier, open_checkpoint
from citytwin.twin.config import Config

__all__ = ["AnchorSettings", "account", "anchors_covering", "authorize", "deploy", "last_anchor", "load_settings",
           "open_log", "post", "verify"]

DEFAULT_RPC = "http://127.0.0.1:8545"
DEPLOYMENT = "anchor/deployment.json"
PENDING = "anchor/pending.json"


@dataclass(frozen=True)
class AnchorSettings:
    """Where and how to anchor one data directory's log."""

    data_dir: Path
    origin: str
    rpc: str
    contract: str | None
    chain_id: int | None
    from_block: int
    log_chunk: int
    receipt_timeout: float

    @property
    def key_path(self) -> Path:
        return self.data_dir / "keys" / CHAIN_KEY_NAME

    def chain(self) -> Chain:
        return Chain(self.rpc, self.contract, chain_id=self.chain_id, receipt_timeout=self.receipt_timeout)


def _int(table: dict, key: str, default: int | None, path: Path) -> int | None:
    value = table.get(key, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise BadInputError(f"{path}: [anchor] {key} = {value!r}: expected a non-negative integer")
    return value


def load_settings(data_dir: Path, rpc: str | None = None, contract: str | None = None) -> AnchorSettings:
    """The anchoring settings of ``data_dir`` (arguments win over the file, which wins over the deployment)."""
    config = Config.load(Path(data_dir))
    toml = config.data_dir / "citytwin.toml"
    table = config.raw.get("anchor", {})
    if not isinstance(table, dict):
        raise BadInputError(f"{toml}: [anchor] must be a table, got {table!r}")
    deployment = _read_deployment(config.data_dir)
    timeout = table.get("receipt_timeout", 120)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise BadInputError(f"{toml}: [anchor] receipt_timeout = {timeout!r}: expected seconds > 0")
    return AnchorSettings(
        data_dir=config.data_dir,
        origin=config.origin,
        rpc=rpc or table.get("rpc") or deployment.get("rpc") or DEFAULT_RPC,
        contract=contract or table.get("contract") or deployment.get("contract"),
        chain_id=_int(table, "chain_id", deployment.get("chain_id"), toml),
        from_block=_int(table, "from_block", deployment.get("block", 0), toml),
        log_chunk=_int(table, "log_chunk", 5000, toml) or 5000,
        receipt_timeout=float(timeout),
    )


def _read_deployment(data_dir: Path) -> dict:
    path = data_dir / DEPLOYMENT
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadInputError(f"{path}: expected JSON written by `citytwin anchor deploy`") from e
    if not isinstance(value, dict):
        raise BadInputError(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


def _bound(settings: AnchorSettings) -> Chain:
    if not settings.contract:
        raise NoDeployment(f"no anchoring contract for {settings.data_dir}: expected --contract ADDR, "
                           f"[anchor] contract in citytwin.toml, or a `citytwin anchor deploy`")
    return settings.chain()


def account(settings: AnchorSettings, create: bool = False) -> ChainAccount:
    """The data directory's chain account; with ``create``, made if missing."""
    if create and not settings.key_path.exists():
        return create_chain_key(settings.key_path)
    return load_chain_key(settings.key_path)


def deploy(settings: AnchorSettings, force: bool = False) -> tuple[Receipt, ChainAccount]:
    """Deploy the contract from the data directory's chain account (created if missing) and write
    ``anchor/deployment.json``; refuses to replace an existing deployment unless ``force``."""
    path = settings.data_dir / DEPLOYMENT
    if path.exists() and not force:
        raise BadInputError(f"{path} exists: this data directory already anchors to "
                            f"{_read_deployment(settings.data_dir).get('contract')}; expected no deployment "
                            "(pass --force to deploy a new contract)")
    acct = account(settings, create=True)
    chain = settings.chain()
    receipt = chain.deploy(acct)
    record = {"contract": receipt.contract, "chain_id": chain.chain_id(), "rpc": settings.rpc,
              "block": receipt.block, "tx": receipt.tx, "owner": acct.address}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return receipt, acct


def open_log(data_dir: Path) -> Log:
    """The data directory's log, read-only, its checkpoint signature checked with ``keys/log.vkey``."""
    config = Config.load(Path(data_dir))
    log = Log.open(config.log_dir)
    try:
        if config.verifier_key_path.exists():
            verifier = Verifier.from_text(config.verifier_key_path.read_text(encoding="utf-8").strip())
            open_checkpoint(log.checkpoint.note, verifier)
    except BaseException:
        log.close()
        raise
    return log


def post(settings: AnchorSettings) -> PostResult:
    """Anchor the log's latest checkpoint (a pending transaction of an earlier run is finished first)."""
    chain = _bound(settings)
    acct = account(settings)
    with open_log(settings.data_dir) as log:
        size, root = log.size, log.root
    return post_checkpoint(chain, acct, settings.origin, size, root, settings.data_dir / PENDING)


def verify(settings: AnchorSettings) -> AnchorReport:
    """Every anchor of the log on the chain, checked against the log (see :mod:`.verify`)."""
    chain = _bound(settings)
    anchors = read_anchors(chain, settings.origin, settings.from_block, chunk=settings.log_chunk)
    with open_log(settings.data_dir) as log:
        return check_anchors(log, anchors)


# anchors already read, per (rpc, contract, origin): (anchors, last block scanned)
_CACHE: dict[tuple[str, str, str], tuple[list, int]] = {}
_CACHE_LOCK = threading.Lock()


def anchors_covering(index: int, data_dir: Path, rpc: str | None = None, contract: str | None = None) -> list[dict]:
    """The anchors whose tree holds entry ``index`` of the data directory's log, as
    ``[{tx, block, size, root}]``, smallest size first; [] when none yet.

    For the proof bundle and the dashboard: events are read once and then only from the last block
    read, so repeated calls cost one ``eth_blockNumber`` and one small ``eth_getLogs``.
    """
    settings = load_settings(data_dir, rpc, contract)
    chain = _bound(settings)
    key = (settings.rpc, chain.contract.address, settings.origin)
    with _CACHE_LOCK:
        known, scanned = _CACHE.get(key, ([], settings.from_block - 1))
        head = chain.block_number()
        if head > scanned:
            known = known + read_anchors(chain, settings.origin, scanned + 1, head, settings.log_chunk)
            _CACHE[key] = (known, head)
    return _covering(known, index)


def last_anchor(settings: AnchorSettings) -> tuple[int, bytes]:
    """The chain's last anchored (tree size, root hash) of the log."""
    chain = _bound(settings)
    chain.require_contract()
    return latest(chain, settings.origin)


def authorize(settings: AnchorSettings, address: str, allowed: bool = True) -> Receipt:
    """As the owner (this data directory's chain account), authorise or revoke a poster."""
    return set_poster(_bound(settings), account(settings), address, allowed)

"""Talking to an EVM chain through standard Ethereum JSON-RPC (EIP-1474), with web3.py.

Only methods every EVM node serves are used — ``eth_chainId``, ``eth_blockNumber``,
``eth_call``, ``eth_estimateGas``, ``eth_gasPrice``, ``eth_getTransactionCount``,
``eth_sendRawTransaction``, ``eth_getTransactionReceipt`` and ``eth_getLogs`` — so the same code
works with Hyperledger Besu, FISCO BCOS 3.9+ (its Web3 RPC), public chains and local nodes.
Transactions are legacy (type 0) transactions with EIP-155 replay protection, signed locally:
the node never sees a key. Calldata, return values, events and errors follow the Solidity ABI
specification.

A node that cannot be reached raises :class:`ChainUnavailable`; a revert raises
:class:`AnchorRefused` with the contract's custom error decoded.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
from web3 import Web3
from web3.exceptions import (
    ContractLogicError,
    TimeExhausted,
    TransactionNotFound,
    Web3RPCError,
)
from web3.middleware import ExtraDataToPOAMiddleware

from citytwin.anchor.account import ChainAccount
from citytwin.anchor.artifact import abi, bytecode, decode_error
from citytwin.anchor.errors import AnchorRefused, ChainUnavailable
from citytwin.errors import BadInputError

__all__ = ["Chain", "Receipt", "read_journal"]

try:  # the in-process EVM of eth-tester reports a revert with its own exception
    from eth_tester.exceptions import TransactionFailed as _TesterRevert
except ImportError:  # eth-tester is optional: only the tests' in-process chain uses it
    _TesterRevert = ()

T = TypeVar("T")
_GAS_MARGIN = 1.25  # headroom over eth_estimateGas
_TRANSPORT_ERRORS = (requests.exceptions.RequestException, OSError)


@dataclass(frozen=True)
class Receipt:
    """A mined transaction: its hash (``0x`` hex), block number and gas used [gas]."""

    tx: str
    block: int
    gas_used: int
    contract: str | None = None


def _hex(b: bytes) -> str:
    return "0x" + bytes(b).hex()


class Chain:
    """One JSON-RPC endpoint and, once known, the anchoring contract on it.

    ``timeout`` [s] bounds each HTTP request, ``receipt_timeout`` [s] the wait for a transaction
    to be mined. ``chain_id``, when given, must equal the node's ``eth_chainId``.
    """

    def __init__(self, rpc: str, contract: str | None = None, *, chain_id: int | None = None,
                 timeout: float = 10.0, receipt_timeout: float = 120.0, poll: float = 0.2,
                 provider: Any = None) -> None:
        if provider is None and (not rpc or not rpc.startswith(("http://", "https://"))):
            raise BadInputError(f"JSON-RPC URL {rpc!r}: expected http:// or https://")
        self.rpc = rpc
        self.receipt_timeout = receipt_timeout
        self.poll = poll
        # ``provider``: any web3.py provider instead of HTTP (e.g. an in-process EthereumTesterProvider)
        self.w3 = Web3(provider or Web3.HTTPProvider(rpc, request_kwargs={"timeout": timeout},
                                                     exception_retry_configuration=None))
        # Besu QBFT and other PoA chains carry more than 32 bytes of extraData in headers.
        self.w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
        self._expected_chain_id = chain_id
        self._chain_id: int | None = None
        self.contract = None
        if contract is not None:
            self.use(contract)

    # -- plumbing -------------------------------------------------------------------------------

    def rpc_call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one JSON-RPC exchange; a transport failure becomes :class:`ChainUnavailable`."""
        try:
            return fn()
        except _TRANSPORT_ERRORS as e:
            raise ChainUnavailable(f"{what}: the JSON-RPC node at {self.rpc} did not answer "
                                   f"({type(e).__name__}); expected a reachable node — retry later") from e

    def use(self, address: str) -> None:
        """Bind the contract at ``address`` (:meth:`require_contract` checks that it holds code)."""
        if not Web3.is_address(address):
            raise BadInputError(f"contract address {address!r}: expected 0x followed by 40 hex digits")
        address = Web3.to_checksum_address(address)
        self.contract = self.w3.eth.contract(address=address, abi=abi())

    def require_contract(self) -> None:
        """Check the chain id (if configured) and that the bound address holds code."""
        if self.contract is None:
            raise BadInputError("no contract address: expected --contract ADDR or a deployment")
        self.chain_id()
        code = self.rpc_call("eth_getCode", lambda: self.w3.eth.get_code(self.contract.address))
        if not code:
            raise BadInputError(f"contract {self.contract.address}: no code on the chain at {self.rpc} "
                                f"(chain id {self.chain_id()}); expected the CheckpointAnchor contract")

    def chain_id(self) -> int:
        """``eth_chainId``, checked against the configured chain id."""
        if self._chain_id is None:
            cid = self.rpc_call("eth_chainId", lambda: self.w3.eth.chain_id)
            if self._expected_chain_id is not None and cid != self._expected_chain_id:
                raise BadInputError(f"chain id of {self.rpc}: expected {self._expected_chain_id} "
                                    f"(configured), got {cid}")
            self._chain_id = cid
        return self._chain_id

    def block_number(self) -> int:
        return self.rpc_call("eth_blockNumber", lambda: self.w3.eth.block_number)

    # -- transactions ---------------------------------------------------------------------------

    def _refused(self, what: str, e: Exception) -> AnchorRefused:
        decoded = decode_error(_revert_data(e))
        if decoded is None:
            return AnchorRefused(f"{what}: the contract reverted ({getattr(e, 'message', None) or e}); "
                                 "expected success")
        name, args = decoded
        shown = ", ".join(_hex(a) if isinstance(a, bytes) else str(a) for a in args)
        return AnchorRefused(f"{what}: the contract refused it with {name}({shown})", name, args)

    def build(self, account: ChainAccount, what: str, tx_fn: Callable[[dict], dict]) -> dict:
        """A complete unsigned transaction from ``account`` (nonce, gas price, gas, chain id)."""
        base = {
            "from": account.address,
            "chainId": self.chain_id(),
            "nonce": self.rpc_call("eth_getTransactionCount",
                                   lambda: self.w3.eth.get_transaction_count(account.address, "pending")),
            "gasPrice": self.rpc_call("eth_gasPrice", lambda: self.w3.eth.gas_price),
            "value": 0,
        }
        try:
            tx = self.rpc_call("eth_estimateGas", lambda: tx_fn(base))
        except (ContractLogicError, _TesterRevert) as e:
            raise self._refused(what, e) from e
        except Web3RPCError as e:
            text = str(e).lower()
            poor = "insufficient funds" in text or "exceeds allowance" in text  # geth/Besu and anvil wording
            hint = f" (fund the account {account.address})" if poor else ""
            raise AnchorRefused(f"{what}: the node refused the transaction from {account.address}{hint}: {e}") from e
        tx["gas"] = int(tx["gas"] * _GAS_MARGIN)
        return tx

    def send(self, account: ChainAccount, what: str, tx: dict, journal: Path | None = None) -> Receipt:
        """Sign, keep the signed bytes in ``journal`` (if given), send, wait for the receipt."""
        raw = account.sign_transaction(tx)
        tx_hash = _hex(Web3.keccak(raw))
        if journal is not None:
            _write_journal(journal, {"tx": tx_hash, "raw": _hex(raw), "what": what})
        self.send_raw(raw, what)
        return self.wait(tx_hash, what, journal)

    def send_raw(self, raw: bytes, what: str) -> None:
        """``eth_sendRawTransaction``; a node that already knows the transaction is fine."""
        try:
            self.rpc_call("eth_sendRawTransaction", lambda: self.w3.eth.send_raw_transaction(raw))
        except (Web3RPCError, ValueError) as e:
            text = str(e).lower()
            if "already known" in text or "already imported" in text or "known transaction" in text:
                return
            raise AnchorRefused(f"{what}: the node refused the transaction: {e}") from e

    def receipt(self, tx_hash: str) -> Any | None:
        try:
            return self.rpc_call("eth_getTransactionReceipt",
                                 lambda: self.w3.eth.get_transaction_receipt(tx_hash))
        except TransactionNotFound:
            return None

    def wait(self, tx_hash: str, what: str, journal: Path | None = None) -> Receipt:
        """Wait for ``tx_hash`` to be mined; a reverted transaction raises :class:`AnchorRefused`."""
        try:
            rec = self.rpc_call("waiting for the receipt", lambda: self.w3.eth.wait_for_transaction_receipt(
                tx_hash, timeout=self.receipt_timeout, poll_latency=self.poll))
        except TimeExhausted as e:
            kept = f"; the signed transaction is kept in {journal} and sent again by the next run" if journal else ""
            raise ChainUnavailable(f"{what}: transaction {tx_hash} was not mined within "
                                   f"{self.receipt_timeout:g} s{kept} — retry later") from e
        return self.finish(rec, what, journal)

    def finish(self, rec: Any, what: str, journal: Path | None = None) -> Receipt:
        if journal is not None:
            journal.unlink(missing_ok=True)
        tx_hash = _hex(rec["transactionHash"])
        if rec["status"] != 1:
            raise AnchorRefused(f"{what}: transaction {tx_hash} reverted in block {rec['blockNumber']}")
        address = rec.get("contractAddress")
        return Receipt(tx_hash, int(rec["blockNumber"]), int(rec["gasUsed"]), address and str(address))

    def deploy(self, account: ChainAccount) -> Receipt:
        """Deploy CheckpointAnchor from ``account`` (which becomes its owner and first poster)."""
        factory = self.w3.eth.contract(abi=abi(), bytecode=bytecode())
        tx = self.build(account, "deploying CheckpointAnchor",
                        lambda base: factory.constructor().build_transaction(base))
        rec = self.send(account, "deploying CheckpointAnchor", tx)
        if not rec.contract:
            raise AnchorRefused(f"deploying CheckpointAnchor: transaction {rec.tx} created no contract")
        self.use(rec.contract)
        return rec


def _revert_data(e: Exception) -> bytes | str | None:
    """The revert data of a failed call: web3.py's ``ContractLogicError.data``, or eth-tester's
    message ``execution reverted: b'...'``."""
    data = getattr(e, "data", None)
    if data is not None:
        return data
    text = str(e)
    prefix = "execution reverted: "
    if text.startswith(prefix + "b'") or text.startswith(prefix + 'b"'):
        try:
            value = ast.literal_eval(text[len(prefix):])
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, bytes) else None
    return None


def _write_journal(path: Path, record: dict) -> None:
    """Persist the signed transaction before it is sent (atomic replace, fsync)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(record, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_journal(path: Path) -> dict | None:
    """The pending-transaction record, or None."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadInputError(f"{path}: expected a JSON pending-transaction record") from e
    if not isinstance(record, dict) or not {"tx", "raw"} <= record.keys():
        raise BadInputError(f"{path}: expected keys 'tx' and 'raw', got {record!r:.80}")
    return record


"""CLI of chain anchoring: ``citytwin anchor deploy|post|verify|authorize|show``.

The log's checkpoints are anchored on an EVM chain through Ethereum JSON-RPC (EIP-1474); see
:mod:`citytwin.anchor`. The chain account's key stays in ``<data>/keys/chain.key`` and is never
printed: only its address is. Exit codes: 0 ok, 1 an anchor disagrees with the log (a fork),
2 bad input, a refused transaction or an unreachable node (retry later: nothing is lost).
"""

from __future__ import annotations

from typing import Annotated

import typer

from citytwin.cli._common import console, data_dir, emit_json, err_console
from citytwin.errors import BadInputError

anchor_app = typer.Typer(
    help="Anchor the log's checkpoints on an EVM chain (Besu, FISCO BCOS, any EVM). 区块链锚定。",
    no_args_is_help=True,
)

RpcOption = Annotated[str | None, typer.Option("--rpc", help="JSON-RPC URL [default: \\[anchor] rpc, or "
                                                             "http://127.0.0.1:8545]. 链节点 JSON-RPC 地址。")]
ContractOption = Annotated[str | None, typer.Option("--contract", help="Contract address [default: \\[anchor] "
                                                                       "contract, or the deployment]. 合约地址。")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON. 输出 JSON。")]


def register(app: typer.Typer) -> None:
    """Mount ``citytwin anchor ...`` on the root app."""
    app.add_typer(anchor_app, name="anchor")


def _settings(ctx: typer.Context, rpc: str | None, contract: str | None = None):
    from citytwin.anchor import load_settings

    return load_settings(data_dir(ctx), rpc, contract)


@anchor_app.command("deploy")
def deploy_cmd(
    ctx: typer.Context,
    rpc: RpcOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing deployment.")] = False,
    json: JsonOption = False,
) -> None:
    """Deploy the anchoring contract; its address goes to <data>/anchor/deployment.json. 部署合约。"""
    from citytwin.anchor import deploy

    settings = _settings(ctx, rpc)
    receipt, acct = deploy(settings, force=force)
    out = {"contract": receipt.contract, "tx": receipt.tx, "block": receipt.block, "owner": acct.address,
           "gas_used": receipt.gas_used, "rpc": settings.rpc}
    if json:
        emit_json(out)
    else:
        console.print(f"deployed CheckpointAnchor at {receipt.contract} (block {receipt.block}, tx {receipt.tx}); "
                      f"owner and poster {acct.address}", highlight=False, soft_wrap=True)


@anchor_app.command("post")
def post_cmd(
    ctx: typer.Context,
    rpc: RpcOption = None,
    contract: ContractOption = None,
    every: Annotated[float | None, typer.Option("--every", help="Post again every SECONDS (beside "
                                                                 "`citytwin serve`); Ctrl-C stops.")] = None,
    rounds: Annotated[int | None, typer.Option("--rounds", help="With --every: stop after N rounds.")] = None,
    json: JsonOption = False,
) -> None:
    """Anchor the log's latest checkpoint (tree size, root hash) on the chain. 锚定最新检查点。"""
    from citytwin.anchor import ChainUnavailable, post, post_periodically

    settings = _settings(ctx, rpc, contract)
    if every is None:
        _show_post(post(settings), json)
        return

    def report(outcome) -> None:
        if isinstance(outcome, ChainUnavailable):
            err_console.print(f"retrying in {every:g} s: {outcome}", highlight=False, markup=False, soft_wrap=True)
        else:
            _show_post(outcome, json)

    try:
        post_periodically(settings, every, report=report, rounds=rounds)
    except KeyboardInterrupt:
        pass


def _show_post(result, json: bool) -> None:
    out = {"status": result.status, "size": result.size, "root": "0x" + result.root.hex()}
    if result.receipt is not None:
        out.update(tx=result.receipt.tx, block=result.receipt.block, gas_used=result.receipt.gas_used)
    if json:
        emit_json(out)
    elif result.status == "already":
        console.print(f"tree size {result.size} is anchored already; nothing to post", highlight=False,
                      soft_wrap=True)
    else:
        console.print(f"{result.status}: tree size {result.size}, root {out['root']} in block "
                      f"{out['block']} (tx {out['tx']})", highlight=False, soft_wrap=True)


@anchor_app.command("verify")
def verify_cmd(ctx: typer.Context, rpc: RpcOption = None, contract: ContractOption = None,
               json: JsonOption = False) -> None:
    """Check every anchored checkpoint against the log; exit 1 naming any fork. 校验链上锚定。"""
    from citytwin.anchor import verify

    report = verify(_settings(ctx, rpc, contract))
    if json:
        emit_json(report.to_json())
    else:
        for check in report.checks:
            a = check.anchor
            mark = "ok  " if check.ok else "FORK"
            console.print(f"{mark} size {a.size:>12}  root 0x{a.root.hex()}  block {a.block}  tx {a.tx}",
                          highlight=False, soft_wrap=True)
        console.print(f"{len(report.checks)} anchors of {report.origin} checked against the log "
                      f"(size {report.log_size}): {'ok' if report.ok else f'{len(report.forks)} forks'}",
                      highlight=False, soft_wrap=True)
    report.raise_for_forks()


@anchor_app.command("authorize")
def authorize_cmd(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The account to authorise (0x...).")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke the account instead.")] = False,
    rpc: RpcOption = None,
    contract: ContractOption = None,
    json: JsonOption = False,
) -> None:
    """As the contract's owner, let an account post anchors (or revoke it). 授权发布账户。"""
    from citytwin.anchor import authorize

    receipt = authorize(_settings(ctx, rpc, contract), address, allowed=not revoke)
    out = {"account": address, "poster": not revoke, "tx": receipt.tx, "block": receipt.block}
    if json:
        emit_json(out)
    else:
        console.print(f"{'revoked' if revoke else 'authorised'} {address} (block {receipt.block}, tx {receipt.tx})",
                      highlight=False, soft_wrap=True)


@anchor_app.command("show")
def show_cmd(
    ctx: typer.Context,
    index: Annotated[int, typer.Argument(
        help="The log index of the record (X-Log-Index of its proof). 记录的日志序号。")],
    rpc: RpcOption = None,
    contract: ContractOption = None,
    json: JsonOption = False,
) -> None:
    """The transactions and blocks whose anchor covers a log entry, each link to the log's
    checkpoint checked with its consistency proof (RFC 9162 §2.1.4.2). 查询覆盖某条记录的链上锚定。"""
    from citytwin.anchor import anchor_links, verify_anchor_link

    settings = _settings(ctx, rpc, contract)
    links = anchor_links(index, settings.data_dir, settings.rpc, settings.contract)
    size, root = links["checkpoint"]["size"], bytes.fromhex(links["checkpoint"]["root"][2:])
    if index >= size:
        raise BadInputError(f"log entry {index}: the log has {size} entries (indexes 0 to {size - 1})")
    for link in links["anchors"]:
        verify_anchor_link(link, size, root)  # a ProofError (exit 1) names a fork
    if json:
        emit_json({"index": index, **links})
        return
    if not links["anchors"]:
        console.print(f"entry {index}: no anchor covers it yet (run `citytwin anchor post`)", highlight=False)
    for link in links["anchors"]:
        console.print(f"entry {index} covered by tree size {link['size']}: block {link['block']}, tx {link['tx']} "
                      f"(consistent with checkpoint {size})", highlight=False, soft_wrap=True)

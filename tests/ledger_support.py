"""Shared pieces of the ledger tests (imported by them): keys and an in-process witness policy."""

from __future__ import annotations

from citytwin.ledger import QuorumNotReached, Signer, Verifier, generate_key
from citytwin.ledger.checkpoint import open_checkpoint
from citytwin.ledger.merkle import EMPTY_ROOT, verify_consistency
from citytwin.ledger.note import ALG_COSIGNATURE_V1, CosignatureSigner, CosignatureVerifier, cosign

ORIGIN = "log.citytwin.example/test"


class LocalWitnesses:
    """A k-of-n policy over in-process witnesses with real keys (C2SP tlog-witness semantics:
    each checks the log signature and a consistency proof from what it cosigned before)."""

    def __init__(self, log_verifier: Verifier, n: int = 3, quorum: int = 2) -> None:
        self.log_verifier = log_verifier
        self.quorum = quorum
        self.signers = [
            CosignatureSigner.from_text(generate_key(f"w{i}.example", ALG_COSIGNATURE_V1)[0])
            for i in range(n)
        ]
        self.up = [True] * n
        self.seen: dict[int, tuple[int, bytes]] = {}

    @property
    def verifiers(self) -> list[CosignatureVerifier]:
        return [s.verifier() for s in self.signers]

    def collect(self, signed_checkpoint: bytes, consistency_proof_from) -> list[str]:
        cp, _ = open_checkpoint(signed_checkpoint, self.log_verifier)
        lines = []
        for i, signer in enumerate(self.signers):
            if not self.up[i]:
                continue
            old_size, old_root = self.seen.get(i, (0, EMPTY_ROOT))
            verify_consistency(old_size, cp.size, old_root, cp.root, consistency_proof_from(old_size))
            self.seen[i] = (cp.size, cp.root)
            lines.append(cosign(signed_checkpoint, signer))
        if len(lines) < self.quorum:
            raise QuorumNotReached(
                f"{len(lines)} of {len(self.signers)} witnesses cosigned, expected at least {self.quorum}",
                got=len(lines),
                needed=self.quorum,
            )
        return lines


def new_keys() -> tuple[Signer, Verifier]:
    priv, vkey = generate_key(ORIGIN)
    return Signer.from_text(priv), Verifier.from_text(vkey)


# transparency-dev/merkle proof/verify_test.go: the eight leaves its roots and proofs are for.
GO_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]

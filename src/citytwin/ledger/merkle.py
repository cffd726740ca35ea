"""The Merkle tree of RFC 9162 §2.1 (SHA-256), its proofs and their verification.

Pure functions over 32-byte hashes; no I/O. The tree is that of RFC 6962, unchanged in
RFC 9162: ``MTH({}) = SHA-256()``, leaves ``SHA-256(0x00 || d)``, inner nodes
``SHA-256(0x01 || left || right)`` with the left subtree holding the largest power of two
smaller than the size.

Proofs are built through a *node getter*: ``get(level, index)`` returns the hash of the
perfect subtree of ``2**level`` leaves starting at leaf ``index * 2**level``. A list of leaf
hashes gives one (:func:`level_getter`); so do stored tiles (:mod:`citytwin.ledger.log`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from hashlib import sha256

from citytwin.ledger.errors import ProofError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "consistency_proof",
    "consistency_proof_nodes",
    "inclusion_proof",
    "inclusion_proof_nodes",
    "leaf_hash",
    "level_getter",
    "node_hash",
    "root_hash",
    "subtree_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
_LEAF_PREFIX = b"\x00"  # RFC 9162 §2.1.1
_NODE_PREFIX = b"\x01"  # RFC 9162 §2.1.1
EMPTY_ROOT = sha256(b"").digest()  # MTH({}), RFC 9162 §2.1.1

NodeGetter = Callable[[int, int], bytes]


def leaf_hash(entry: bytes) -> bytes:
    """``MTH({d}) = SHA-256(0x00 || d)`` (RFC 9162 §2.1.1)."""
    return sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)`` (RFC 9162 §2.1.1)."""
    return sha256(_NODE_PREFIX + left + right).digest()


def _hex(h: bytes) -> str:
    return h.hex()[:16] + "…"


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1), RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


def _levels(leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
    """All complete levels: ``levels[l][i]`` is the perfect subtree of 2**l leaves at i * 2**l."""
    levels = [list(leaf_hashes)]
    row = levels[0]
    while len(row) > 1:
        row = [sha256(_NODE_PREFIX + row[i] + row[i + 1]).digest() for i in range(0, len(row) - 1, 2)]
        levels.append(row)
    return levels


def level_getter(leaf_hashes: Sequence[bytes]) -> NodeGetter:
    """A node getter over an in-memory list of leaf hashes."""
    levels = _levels(leaf_hashes)
    return lambda level, index: levels[level][index]


def subtree_hash(get: NodeGetter, start: int, end: int) -> bytes:
    """``MTH(D[start:end])`` where ``start`` is a multiple of the largest power of two ≤ end - start
    — every range the proofs of RFC 9162 §2.1.3 and §2.1.4 ask for is of this kind."""
    n = end - start
    if n <= 0:
        raise ValueError(f"subtree [{start}, {end}) is empty")
    if n & (n - 1) == 0:
        level = n.bit_length() - 1
        return get(level, start >> level)
    k = _split(n)
    return node_hash(subtree_hash(get, start, start + k), subtree_hash(get, start + k, end))


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """The tree head ``MTH(D[n])`` of a list of leaf hashes (RFC 9162 §2.1.1)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    levels = _levels(leaf_hashes)
    return subtree_hash(lambda level, index: levels[level][index], 0, len(leaf_hashes))


def inclusion_proof_nodes(get: NodeGetter, index: int, size: int) -> list[bytes]:
    """``PATH(index, D[size])`` of RFC 9162 §2.1.3.1, leaf's sibling first, from a node getter."""
    if not 0 <= index < size:
        raise ProofError(f"inclusion proof: leaf index {index} is outside a tree of size {size}")
    proof: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            proof.append(subtree_hash(get, lo + k, hi))
            hi = lo + k
        else:
            proof.append(subtree_hash(get, lo, lo + k))
            lo = lo + k
    proof.reverse()
    return proof


def consistency_proof_nodes(get: NodeGetter, old_size: int, new_size: int) -> list[bytes]:
    """``PROOF(old_size, D[new_size])`` of RFC 9162 §2.1.4.1, from a node getter.

    Empty when ``old_size`` is 0 or equal to ``new_size`` (nothing to prove).
    """
    if not 0 <= old_size <= new_size:
        raise ProofError(f"consistency proof: old size {old_size} must be within 0..{new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    lo, hi, m, whole = 0, new_size, old_size, True  # SUBPROOF(m, D[lo:hi], whole)
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(subtree_hash(get, lo + k, hi))
            hi = lo + k
        else:
            proof.append(subtree_hash(get, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        proof.append(subtree_hash(get, lo, hi))
    proof.reverse()
    return proof


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The inclusion proof of leaf ``index`` in the tree of ``leaf_hashes`` (RFC 9162 §2.1.3.1)."""
    return inclusion_proof_nodes(level_getter(leaf_hashes), index, len(leaf_hashes))


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """The consistency proof from ``old_size`` to ``len(leaf_hashes)`` (RFC 9162 §2.1.4.1)."""
    return consistency_proof_nodes(level_getter(leaf_hashes), old_size, len(leaf_hashes))


def _check_hashes(proof: Sequence[bytes], what: str) -> None:
    for i, h in enumerate(proof):
        if not isinstance(h, bytes | bytearray) or len(h) != HASH_SIZE:
            got = len(h) if isinstance(h, bytes | bytearray) else type(h).__name__
            raise ProofError(f"{what}: proof hash {i} must be 32 bytes, got {got}")


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check an inclusion proof (RFC 9162 §2.1.3.2); raise :class:`ProofError` if it fails."""
    _check_hashes(proof, f"inclusion of leaf {index} in size {size}")
    if len(leaf_hash) != HASH_SIZE:
        raise ProofError(f"inclusion proof: leaf hash must be 32 bytes, got {len(leaf_hash)}")
    if not 0 <= index < size:
        raise ProofError(f"inclusion proof: leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof of leaf {index} in size {size}: "
                             f"expected fewer hashes, got {len(proof)}")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof of leaf {index} in size {size}: expected more hashes, "
                         f"got {len(proof)}")
    if r != root:
        raise ProofError(f"root hash at size {size} from the inclusion proof of leaf {index}: "
                         f"expected {_hex(root)}, got {_hex(r)}")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check a consistency proof (RFC 9162 §2.1.4.2); raise :class:`ProofError` if it fails.

    From size 0 every tree is consistent and the proof must be empty; equal sizes need equal
    roots and an empty proof.
    """
    what = f"consistency proof {old_size} → {new_size}"
    _check_hashes(proof, what)
    if not 0 <= old_size <= new_size:
        raise ProofError(f"{what}: old size must be within 0..new size")
    if old_size == 0 or old_size == new_size:
        if proof:
            raise ProofError(f"{what}: expected an empty proof, got {len(proof)} hashes")
        if old_size == new_size and old_root != new_root:
            raise ProofError(f"root hash at size {new_size}: expected {_hex(old_root)}, got {_hex(new_root)}")
        return
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    if not path:
        raise ProofError(f"{what}: expected at least one hash, got none")
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"{what}: expected fewer hashes, got {len(proof)}")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"{what}: expected more hashes, got {len(proof)}")
    if fr != old_root:
        raise ProofError(f"root hash at size {old_size} from the {what}: "
                         f"expected {_hex(old_root)}, got {_hex(fr)}")
    if sr != new_root:
        raise ProofError(f"root hash at size {new_size} from the {what}: "
                         f"expected {_hex(new_root)}, got {_hex(sr)}")

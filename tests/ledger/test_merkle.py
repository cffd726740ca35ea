"""RFC 9162 §2.1 Merkle tree, proofs and verification: transparency-dev vectors and properties."""

from __future__ import annotations

import base64
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citytwin.ledger import ProofError, merkle
from citytwin.ledger.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    consistency_proof_nodes,
    inclusion_proof,
    inclusion_proof_nodes,
    leaf_hash,
    level_getter,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from ledger_support import GO_LEAVES

# github.com/transparency-dev/merkle proof/verify_test.go: roots[size-1] and proofs of GO_LEAVES.
GO_ROOTS = [
    bytes.fromhex(h)
    for h in [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]
GO_INCLUSION = [  # (leaf index, tree size, proof)
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
GO_CONSISTENCY = [  # (old size, new size, proof)
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
GO_LEAF_HASHES = [leaf_hash(x) for x in GO_LEAVES]


def test_empty_tree_and_prefixes():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_hash([]) == EMPTY_ROOT
    assert leaf_hash(b"") == GO_ROOTS[0]
    assert node_hash(GO_LEAF_HASHES[0], GO_LEAF_HASHES[1]) == GO_ROOTS[1]


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_transparency_dev(size):
    assert root_hash(GO_LEAF_HASHES[:size]) == GO_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), GO_INCLUSION)
def test_inclusion_vectors(index, size, proof):
    want = [bytes.fromhex(h) for h in proof]
    assert inclusion_proof(GO_LEAF_HASHES[:size], index) == want
    verify_inclusion(GO_LEAF_HASHES[index], index, size, want, GO_ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "proof"), GO_CONSISTENCY)
def test_consistency_vectors(old, new, proof):
    want = [bytes.fromhex(h) for h in proof]
    assert consistency_proof(GO_LEAF_HASHES[:new], old) == want
    verify_consistency(old, new, GO_ROOTS[old - 1], GO_ROOTS[new - 1], want)


def test_consistency_testdata_happy_path():
    # transparency-dev/merkle testdata/consistency/1/happy-path.json
    proof = [
        base64.b64decode(h)
        for h in [
            "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
        ]
    ]
    root1 = base64.b64decode("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=")
    root2 = base64.b64decode("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")
    verify_consistency(1, 8, root1, root2, proof)
    with pytest.raises(ProofError, match="root hash at size 8"):
        verify_consistency(1, 8, root1, root1, proof)


def test_trivial_consistency_cases():
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, b"any", b"thing", [])
    with pytest.raises(ProofError, match="expected an empty proof"):
        verify_consistency(0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    with pytest.raises(ProofError, match="root hash at size 1"):
        verify_consistency(1, 1, GO_ROOTS[0], GO_ROOTS[1], [])
    with pytest.raises(ProofError, match="old size must be within"):
        verify_consistency(2, 1, GO_ROOTS[1], GO_ROOTS[0], [])
    with pytest.raises(ProofError, match="expected at least one hash"):
        verify_consistency(3, 4, GO_ROOTS[2], GO_ROOTS[3], [])


def test_bad_arguments_are_named():
    with pytest.raises(ProofError, match="leaf index 3 is outside a tree of size 3"):
        verify_inclusion(GO_LEAF_HASHES[0], 3, 3, [], GO_ROOTS[2])
    with pytest.raises(ProofError, match="leaf hash must be 32 bytes, got 4"):
        verify_inclusion(b"leaf", 0, 1, [], GO_ROOTS[0])
    with pytest.raises(ProofError, match="proof hash 0 must be 32 bytes, got 0"):
        verify_inclusion(GO_LEAF_HASHES[0], 0, 2, [b""], GO_ROOTS[1])
    with pytest.raises(ProofError, match="outside a tree of size 0"):
        inclusion_proof([], 0)


# -- properties over every size 0..300 --------------------------------------------------------

MAX = 300
LEAVES = [leaf_hash(i.to_bytes(4, "big") + b"citytwin") for i in range(MAX)]


@cache
def tree(n: int):
    """(node getter, root) of the first n leaves."""
    return level_getter(LEAVES[:n]), root_hash(LEAVES[:n])


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def path_shape(m: int, n: int) -> list:
    """RFC 9162 §2.1.3.1 PATH(m, D[n]) as ranges, leaf side first; a range reaching the right
    edge is written (lo, 'end') because the verifier cannot tell where the edge is."""
    out: list = []
    lo, hi = 0, n
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < lo + k:
            out.append((lo + k, "end" if hi == n else hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo += k
    return out[::-1]


def subproof_shape(m: int, n: int) -> list:
    """RFC 9162 §2.1.4.1 SUBPROOF ranges; the old root stands for (0, m) when m is a power of 2."""
    out: list = []
    lo, hi, whole = 0, n, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            out.append((lo + k, "end" if hi == n else hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    out.append(("seed", lo, hi) if whole else (lo, "end" if hi == n else hi))
    return out[::-1]


def test_every_proof_of_every_size_verifies():
    """Exhaustive: sizes 0..300, every index and every old size."""
    for n in range(MAX + 1):
        get, root = tree(n)
        for i in range(n):
            proof = inclusion_proof_nodes(get, i, n)
            assert len(proof) == len(path_shape(i, n))
            verify_inclusion(LEAVES[i], i, n, proof, root)
        for m in range(n + 1):
            verify_consistency(m, n, tree(m)[1], root, consistency_proof_nodes(get, m, n))


def _rejects(fn, *args) -> bool:
    try:
        fn(*args)
    except ProofError:
        return True
    return False


def _inclusion_mutations(i, n, proof, root):
    """(description, arguments) of proofs that must fail."""
    leaf = LEAVES[i]
    out = [
        ("wrong root", (leaf, i, n, proof, node_hash(root, root))),
        ("wrong leaf", (node_hash(leaf, leaf), i, n, proof, root)),
        ("hash added at end", (leaf, i, n, [*proof, root], root)),
        ("hash added at front", (leaf, i, n, [root, *proof], root)),
    ]
    for k in range(len(proof)):
        for bit in (0, 7, 255):
            bad = bytearray(proof[k])
            bad[bit // 8] ^= 1 << (bit % 8)
            out.append(
                (f"bit {bit} of hash {k}", (leaf, i, n, [*proof[:k], bytes(bad), *proof[k + 1 :]], root))
            )
        out.append((f"hash {k} removed", (leaf, i, n, proof[:k] + proof[k + 1 :], root)))
    for k in range(len(proof) - 1):
        if proof[k] != proof[k + 1]:
            swapped = [*proof[:k], proof[k + 1], proof[k], *proof[k + 2 :]]
            out.append((f"hashes {k},{k + 1} swapped", (leaf, i, n, swapped, root)))
    for j in {i - 1, i + 1, i ^ 1, i ^ 2, n}:
        if 0 <= j and j != i and LEAVES[j % MAX] != leaf:
            out.append((f"wrong index {j}", (leaf, j, n, proof, root)))
    return out


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_inclusion_mutations_are_rejected(data):
    n = data.draw(st.integers(1, MAX), label="size")
    i = data.draw(st.integers(0, n - 1), label="index")
    get, root = tree(n)
    proof = inclusion_proof_nodes(get, i, n)
    verify_inclusion(LEAVES[i], i, n, proof, root)
    for what, args in _inclusion_mutations(i, n, proof, root):
        assert _rejects(verify_inclusion, *args), what
    # A wrong size is rejected unless the hash computation is literally the same one
    # (same ranges up to the right edge): then the claim holds for some tree of that size.
    for s in {n - 1, n + 1, 2 * n, n // 2, data.draw(st.integers(1, 4 * MAX), label="other size")}:
        if s > i and s != n:
            same = path_shape(i, s) == path_shape(i, n)
            assert _rejects(verify_inclusion, LEAVES[i], i, s, proof, root) != same, s


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_consistency_mutations_are_rejected(data):
    n = data.draw(st.integers(2, MAX), label="new size")
    m = data.draw(st.integers(1, n - 1), label="old size")
    get, new_root = tree(n)
    old_root = tree(m)[1]
    proof = consistency_proof_nodes(get, m, n)
    verify_consistency(m, n, old_root, new_root, proof)
    bad_cases = [
        ("wrong old root", (m, n, node_hash(old_root, old_root), new_root, proof)),
        ("wrong new root", (m, n, old_root, node_hash(new_root, new_root), proof)),
        ("swapped roots", (m, n, new_root, old_root, proof)),
        ("empty proof", (m, n, old_root, new_root, [])),
        ("hash added at end", (m, n, old_root, new_root, [*proof, new_root])),
        ("hash added at front", (m, n, old_root, new_root, [old_root, *proof])),
    ]
    for k in range(len(proof)):
        bad = bytearray(proof[k])
        bad[k % 32] ^= 0x10
        bad_cases.append(
            (
                f"flipped bit in hash {k}",
                (m, n, old_root, new_root, [*proof[:k], bytes(bad), *proof[k + 1 :]]),
            )
        )
        bad_cases.append((f"hash {k} removed", (m, n, old_root, new_root, proof[:k] + proof[k + 1 :])))
    for k in range(len(proof) - 1):
        if proof[k] != proof[k + 1]:
            swapped = [*proof[:k], proof[k + 1], proof[k], *proof[k + 2 :]]
            bad_cases.append((f"hashes {k},{k + 1} swapped", (m, n, old_root, new_root, swapped)))
    for what, args in bad_cases:
        if what == "swapped roots" and old_root == new_root:
            continue
        assert _rejects(verify_consistency, *args), what
    for m2 in {m - 1, m + 1, m ^ 2}:
        if 1 <= m2 < n and m2 != m:
            same = subproof_shape(m2, n) == subproof_shape(m, n)
            assert _rejects(verify_consistency, m2, n, old_root, new_root, proof) != same, ("old size", m2)
    for n2 in {n + 1, 2 * n, n // 2, n - 1}:
        if n2 > m and n2 != n:
            same = subproof_shape(m, n2) == subproof_shape(m, n)
            assert _rejects(verify_consistency, m, n2, old_root, new_root, proof) != same, ("new size", n2)


def test_module_exports_issue_names():
    for name in (
        "leaf_hash",
        "node_hash",
        "root_hash",
        "inclusion_proof",
        "consistency_proof",
        "verify_inclusion",
        "verify_consistency",
    ):
        assert callable(getattr(merkle, name))

"""Exact nearest site for many points in the plane: a grid of cells with candidate lists.

The cell technique (Bentley, Weide and Yao 1980) with a k-d tree for the cells: a grid of about
``CELLS_PER_SITE`` square cells per site covers the points' bounding box, and for each cell, with
centre ``c``, half-widths ``(ex, ey)`` and half-diagonal ``h``:

1. the site ``f1`` nearest to ``c`` (``scipy.spatial.cKDTree``, one query per cell). Every point of
   the cell is within ``d(c, f1) + h`` of ``f1``, so its nearest site lies within
   ``d(c, f1) + 2h`` of ``c`` (one ball query per cell);
2. of those, a site ``f`` is kept only if some point ``p`` of the cell is at least as near to ``f``
   as to ``f1``: ``|p - f1|² - |p - f|²`` is linear in ``p``, so its maximum over the cell is its
   value at ``c`` plus ``2 (ex |fx - f1x| + ey |fy - f1y|)``; ``f`` is kept when that is ≥ 0.

Both tests only drop sites that cannot be nearest, so comparing each point with its cell's
candidates (the same squared distances as comparing it with every site) gives the same minimum.
The comparisons run candidate slot by candidate slot over all points at once, the points ordered by
their cell's number of candidates so that each slot concerns a prefix of them. Points of cells
with more than ``MAX_CANDIDATES`` candidates (sites in tight clusters) are answered by the k-d tree.

References
----------
.. [1] Bentley, J. L., Weide, B. W. and Yao, A. C. (1980). Optimal expected-time algorithms for
   closest point problems. ACM Trans. Math. Softw. 6(4), 563-580.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from scipy.spatial import cKDTree

__all__ = ["nearest_site"]

#: Cells per site (measured fastest among 1, 2, 4, 8 for 100,000 points among 1,000 uniform sites).
CELLS_PER_SITE = 4
#: Points of a cell with more candidate sites than this are answered by the k-d tree.
MAX_CANDIDATES = 32


def _grid(px: np.ndarray, py: np.ndarray, cells: int):
    """About ``cells`` square cells (at most 3 × ``cells`` + 1) covering the points' bounding box:
    origin, side [m], columns and rows."""
    x0, y0 = px.min(), py.min()
    w, h = px.max() - x0, py.max() - y0
    side = max(np.sqrt(w * h / cells), max(w, h) / cells)
    side = side if side > 0 else 1.0  # all points at one place
    return x0, y0, side, max(int(np.ceil(w / side)), 1), max(int(np.ceil(h / side)), 1)


def _candidates(tree: cKDTree, sx, sy, centres: np.ndarray, ex: float, ey: float):
    """Per cell, the sites that can be nearest to one of its points: their count, first index in
    the flat list, and the flat list (each cell's sites in increasing index)."""
    reach = np.hypot(ex, ey)
    d1, f1 = tree.query(centres)
    near = tree.query_ball_point(centres, d1 + 2 * reach)
    count = np.fromiter(map(len, near), np.int64, len(near))
    site = np.fromiter(chain.from_iterable(near), np.int64, int(count.sum()))
    cell = np.repeat(np.arange(len(near)), count)
    first = f1[cell]
    gain = (d1[cell] ** 2 - (sx[site] - centres[cell, 0]) ** 2 - (sy[site] - centres[cell, 1]) ** 2
            + 2 * (ex * np.abs(sx[site] - sx[first]) + ey * np.abs(sy[site] - sy[first])))
    keep = gain >= -1e-9 * (d1[cell] + 2 * reach) ** 2  # a margin for rounding: keeps a few more
    count = np.bincount(cell[keep], minlength=len(near))
    return count, np.cumsum(count) - count, site[keep]


def nearest_site(px: np.ndarray, py: np.ndarray, sx: np.ndarray, sy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance from each point to its nearest site and that site's index (on a tie, one of the
    equally near sites). ``px, py`` and ``sx, sy`` are finite 1-D float arrays, ``sx`` not empty."""
    n = len(px)
    tree = cKDTree(np.column_stack([sx, sy]))
    if n == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    x0, y0, side, gx, gy = _grid(px, py, max(1, min(CELLS_PER_SITE * len(sx), n // 4)))
    cell = np.minimum(((py - y0) / side).astype(np.int32), gy - 1)
    cell *= gx
    cell += np.minimum(((px - x0) / side).astype(np.int32), gx - 1)
    centres = np.column_stack([np.tile(x0 + (np.arange(gx) + 0.5) * side, gy),
                               np.repeat(y0 + (np.arange(gy) + 0.5) * side, gx)])
    # half-widths grown by a margin for points that rounding put in a neighbouring cell
    half = side / 2 + 1e-9 * (abs(x0) + abs(y0) + (gx + gy) * side)
    count, start, site = _candidates(tree, sx, sy, centres, half, half)
    # sort key per cell, most candidates first (an 8-bit key: numpy sorts it by radix)
    key = (MAX_CANDIDATES + 1 - np.minimum(count, MAX_CANDIDATES + 1)).astype(np.uint8)[cell]
    more = np.cumsum(np.bincount(key, minlength=MAX_CANDIDATES + 2))[MAX_CANDIDATES::-1]  # more than j candidates
    order = np.argsort(key, kind="stable")
    cell = cell[order]
    base, x, y = start[cell], px[order], py[order]
    heavy = int(more[MAX_CANDIDATES])
    best, slot = np.empty(n), np.zeros(n, dtype=np.int64)
    dy, better = np.empty(n), np.empty(n, dtype=bool)
    cx, cy = sx[site], sy[site]
    for j in range(min(int(count[cell[0]]), MAX_CANDIDATES)):
        p, q = heavy, int(more[j])  # the points with more than j candidates, past the heavy ones
        d2 = best[p:q] if j == 0 else np.empty(q - p)
        np.subtract(x[p:q], cx[j:][base[p:q]], out=d2)  # cx[j:][base] is cx[base + j]
        np.multiply(d2, d2, out=d2)
        np.subtract(y[p:q], cy[j:][base[p:q]], out=dy[p:q])
        np.multiply(dy[p:q], dy[p:q], out=dy[p:q])
        np.add(d2, dy[p:q], out=d2)
        if j:
            np.less(d2, best[p:q], out=better[p:q])
            np.copyto(best[p:q], d2, where=better[p:q])
            np.copyto(slot[p:q], j, where=better[p:q])
    distance, index = np.empty(n), np.empty(n, dtype=np.int64)
    distance[order[heavy:]] = np.sqrt(best[heavy:], out=best[heavy:])
    base += slot
    index[order[heavy:]] = site[base[heavy:]]
    if heavy:
        distance[order[:heavy]], index[order[:heavy]] = tree.query(np.column_stack([x[:heavy], y[:heavy]]))
    return distance, index

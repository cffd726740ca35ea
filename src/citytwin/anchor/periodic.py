"""Posting the log's checkpoint at a fixed interval, e.g. beside ``citytwin serve``.

Each round is one :func:`citytwin.anchor.datadir.post`. A node that does not answer or a
transaction not yet mined (:class:`ChainUnavailable`) is reported and tried again next round —
the signed transaction is kept, so nothing is lost or posted twice. A refused transaction or a
fork ends the loop with that error: both need a person.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from citytwin.anchor.anchors import PostResult
from citytwin.anchor.datadir import AnchorSettings, post
from citytwin.anchor.errors import ChainUnavailable
from citytwin.errors import BadInputError

__all__ = ["post_periodically"]


def post_periodically(settings: AnchorSettings, interval: float, stop: threading.Event | None = None,
                      report: Callable[[PostResult | ChainUnavailable], None] | None = None,
                      rounds: int | None = None) -> int:
    """Post every ``interval`` [s] until ``stop`` is set or ``rounds`` rounds ran; the rounds run.

    ``report`` receives each round's :class:`PostResult`, or the :class:`ChainUnavailable` error of
    a round that will be retried. To run it beside the API, start it in a daemon thread and set
    ``stop`` on shutdown.
    """
    if not interval > 0:
        raise BadInputError(f"anchoring interval {interval!r}: expected seconds > 0")
    if rounds is not None and rounds < 1:
        raise BadInputError(f"rounds {rounds}: expected 1 or more")
    stop = stop or threading.Event()
    done = 0
    while not stop.is_set():
        try:
            outcome: PostResult | ChainUnavailable = post(settings)
        except ChainUnavailable as e:
            outcome = e
        done += 1
        if report is not None:
            report(outcome)
        if rounds is not None and done >= rounds:
            break
        stop.wait(interval)
    return done

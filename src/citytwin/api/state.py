"""What the application holds: one open `Twin` (the single writer), its locks and readers.

Writes are serialised by one lock around read-modify-commit. Reads run concurrently, each
thread on its own DuckDB connection (``cursor()`` of the store's connection: same database,
its own transaction), wrapped in a `Reader` that has the twin's query methods.
"""

from __future__ import annotations

import threading
from pathlib import Path

from citytwin.api._latest import LatestCache
from citytwin.api.access import Principals
from citytwin.api.metrics import Metrics
from citytwin.errors import BadInputError
from citytwin.twin import Twin
from citytwin.twin.queries import QueryMixin
from citytwin.twin.store import Store

__all__ = ["ApiState", "Reader", "ThreadReader"]


class Reader(QueryMixin):
    """The twin's queries over a connection of the calling thread."""

    def __init__(self, twin: Twin, store: Store, latest_cache: LatestCache) -> None:
        self.config = twin.config
        self.log = twin.log
        self.store = store
        self.latest_cache = latest_cache


class ThreadReader:
    """The `Reader` of whichever thread uses it: FastAPI may resolve a dependency on one worker
    thread and run the endpoint on another, and a DuckDB connection serves one call at a time."""

    def __init__(self, state: ApiState) -> None:
        self._state = state

    def __getattr__(self, name: str):
        return getattr(self._state.reader(), name)


DEFAULT_TEMPORAL_LIMIT = 10_000


def temporal_limit(settings: dict) -> int:
    """The most instances of one attribute in one temporal answer: ``[api] temporal_limit``."""
    value = settings.get("temporal_limit", DEFAULT_TEMPORAL_LIMIT)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadInputError(f"[api] temporal_limit = {value!r} in citytwin.toml: expected a whole number ≥ 1")
    return value


class ApiState:
    """The open twin, the write lock, per-thread readers, principals, settings and metrics."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.twin = Twin.open(self.data_dir)
        self.closed = False
        self._generation = 0
        self.write_lock = threading.Lock()
        self.principals = Principals(self.twin.config.data_dir)
        settings = self.twin.config.raw.get("api", {})
        self.public_read = bool(settings.get("public_read", True))
        self.max_batch = int(settings.get("max_batch", 100_000))
        try:
            temporal_limit(settings)  # a bad setting stops `citytwin serve` at start, not each request
        except BadInputError:
            self.twin.close()
            raise
        self.metrics = Metrics(lambda: self.twin.log.size)
        self.latest_cache = LatestCache()
        self._local = threading.local()
        self._cursors: list = []
        self._cursor_lock = threading.Lock()

    def reader(self) -> Reader:
        """A `Reader` on this thread's own connection to the store."""
        generation, reader = getattr(self._local, "reader", (None, None))
        if reader is None or generation != self._generation:
            cursor = self.twin.store.db.cursor()
            cursor.execute("SET TimeZone = 'UTC'")
            reader = Reader(self.twin, Store(cursor, self.twin.store.path), self.latest_cache)
            self._local.reader = (self._generation, reader)
            with self._cursor_lock:
                self._cursors.append(cursor)
        return reader

    def open(self) -> None:
        """Open the twin again after `close` (an application may be started more than once)."""
        with self.write_lock:
            if self.closed:
                self.twin = Twin.open(self.data_dir)
                self.pipeline = None
                self.latest_cache = LatestCache()
                self._generation += 1
                self.closed = False

    def close(self) -> None:
        with self._cursor_lock:
            for cursor in self._cursors:
                cursor.close()
            self._cursors.clear()
        with self.write_lock:
            if not self.closed:
                self.twin.close()
                self.closed = True

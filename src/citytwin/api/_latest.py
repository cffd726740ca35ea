"""A cache of each entity's latest readings, kept by the one process that writes the twin.

Finding the latest reading of each attribute scans an entity's whole history in the store, while
the answer changes only when that entity gets a reading. The API is the twin's only writer while
it serves (DESIGN.md: one writer per data directory), so it caches the answer per entity and
forgets it whenever it writes to that entity. A value computed by a read that started before a
write is not kept (the write's tick is newer than the read's).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

__all__ = ["LatestCache"]

_MAX_ENTITIES = 50_000


class LatestCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tick = 0
        self._written: dict[str, int] = {}
        self._rows: dict[str, list[dict]] = {}

    def forget(self, entity_ids: Iterable[str]) -> None:
        """Called after a commit that wrote to these entities."""
        with self._lock:
            self._tick += 1
            for entity_id in entity_ids:
                self._written[entity_id] = self._tick
                self._rows.pop(entity_id, None)

    def get(self, entity_ids: list[str], compute: Callable[[list[str]], dict[str, list[dict]]]) -> dict:
        """The latest rows of each of `entity_ids`, computing the missing ones with `compute`."""
        with self._lock:
            tick = self._tick
            found = {i: self._rows[i] for i in entity_ids if i in self._rows}
        missing = [i for i in entity_ids if i not in found]
        if missing:
            fresh = compute(missing)
            with self._lock:
                if len(self._rows) > _MAX_ENTITIES:
                    self._rows.clear()
                for entity_id in missing:
                    rows = fresh.get(entity_id, [])
                    found[entity_id] = rows
                    if self._written.get(entity_id, 0) <= tick:
                        self._rows[entity_id] = rows
        return found

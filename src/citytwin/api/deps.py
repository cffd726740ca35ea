"""Dependencies of the routes, as `Annotated` aliases: the state, a reader, the caller.

* `StateDep` — the application's `ApiState` (the open twin and its write lock);
* `ReaderDep` — a `Reader` on this thread's connection, for queries;
* `CallerDep` — the authenticated `Principal`, or None for an anonymous caller;
* `ReadAccess` — refuses an anonymous caller unless ``[api] public_read`` is true (401);
* `WriteAccess` — the principal of a writer or admin (401 without a key, 403 for other roles).

A key is given as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. A key that is not
known (or revoked) is refused with 401 even where anonymous reading is allowed.

The dependencies are coroutines: they do not wait on anything but a ``stat`` of the principals
file (re-read only when that changes), and FastAPI would otherwise send each through the thread
pool, a hop per dependency per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from citytwin.api.access import Principal
from citytwin.api.problems import Forbidden, Unauthorized
from citytwin.api.state import ApiState, Reader, ThreadReader

__all__ = ["CallerDep", "ReadAccess", "ReaderDep", "StateDep", "WriteAccess"]


async def _state(request: Request) -> ApiState:
    return request.app.state.citytwin


StateDep = Annotated[ApiState, Depends(_state)]


async def _reader(state: StateDep) -> Reader:
    return ThreadReader(state)  # resolved on the endpoint's own thread, at each use


ReaderDep = Annotated[Reader, Depends(_reader)]


async def _caller(
    state: StateDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Principal | None:
    key = x_api_key
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization header: expected 'Bearer <API key>'")
        key = token.strip()
    if key is None:
        return None
    principal = state.principals.authenticate(key)
    if principal is None:
        raise Unauthorized("unknown or revoked API key")
    return principal


CallerDep = Annotated[Principal | None, Depends(_caller)]


async def _read_access(state: StateDep, caller: CallerDep) -> Principal | None:
    if caller is None and not state.public_read:
        raise Unauthorized("this twin is not public: an API key is needed to read it")
    return caller


async def _write_access(caller: CallerDep) -> Principal:
    if caller is None:
        raise Unauthorized("writing needs an API key of a writer or admin")
    if caller.role not in ("writer", "admin"):
        raise Forbidden(f"principal {caller.name!r} has role {caller.role!r}: writing needs writer or admin")
    return caller


ReadAccess = Annotated[Principal | None, Depends(_read_access)]
WriteAccess = Annotated[Principal, Depends(_write_access)]

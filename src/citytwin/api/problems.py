"""RFC 9457 problem details: the one JSON error shape of the API, NGSI-LD included.

Every error answer is ``application/problem+json`` with the members ``type``, ``title``,
``status``, ``detail`` and ``instance`` (RFC 9457 §3.1), plus ``errors`` (a list of
``{"location", "message"}``) when a request failed schema validation. NGSI-LD errors use the
error type URIs of ETSI GS CIM 009 (§5.5.2, table of error types), for example
``https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound``; the access refusals, which NGSI-LD
does not name, use ``urn:citytwin:problem:unauthorized`` and ``...:forbidden``.

Errors raised by the library are mapped once, here: `NotFoundError` → 404 ResourceNotFound,
`BadInputError` → 400 BadRequestData, any other `CityTwinError` → 500 InternalError.
"""

from __future__ import annotations

import logging

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from citytwin.errors import BadInputError, CityTwinError, NotFoundError

__all__ = [
    "AlreadyExists",
    "ApiProblem",
    "BadRequestData",
    "Forbidden",
    "InvalidRequest",
    "OperationNotSupported",
    "PROBLEM_MEDIA_TYPE",
    "ResourceNotFound",
    "TooManyResults",
    "Unauthorized",
    "install",
    "problem_body",
    "problem_response",
]

_log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_NGSI_ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"


class ApiProblem(CityTwinError):
    """An error answered as a problem details document; subclasses fix the status and type."""

    status = 400
    type_uri = _NGSI_ERRORS + "BadRequestData"
    title = "Bad request data"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class InvalidRequest(ApiProblem):
    """The request is not well formed: syntax, parameters or JSON (CIM 009 InvalidRequest)."""

    type_uri = _NGSI_ERRORS + "InvalidRequest"
    title = "Invalid request"


class BadRequestData(ApiProblem):
    """The request is well formed but its data is not acceptable (CIM 009 BadRequestData)."""


class ResourceNotFound(ApiProblem):
    status = 404
    type_uri = _NGSI_ERRORS + "ResourceNotFound"
    title = "Resource not found"


class AlreadyExists(ApiProblem):
    status = 409
    type_uri = _NGSI_ERRORS + "AlreadyExists"
    title = "Already exists"


class OperationNotSupported(ApiProblem):
    status = 422
    type_uri = _NGSI_ERRORS + "OperationNotSupported"
    title = "Operation not supported"


class TooManyResults(ApiProblem):
    status = 403
    type_uri = _NGSI_ERRORS + "TooManyResults"
    title = "Too many results"


class Unauthorized(ApiProblem):
    status = 401
    type_uri = "urn:citytwin:problem:unauthorized"
    title = "Unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="citytwin"'})


class Forbidden(ApiProblem):
    status = 403
    type_uri = "urn:citytwin:problem:forbidden"
    title = "Forbidden"


_BY_STATUS = {
    400: (InvalidRequest.type_uri, InvalidRequest.title),
    401: (Unauthorized.type_uri, Unauthorized.title),
    403: (Forbidden.type_uri, Forbidden.title),
    404: (ResourceNotFound.type_uri, ResourceNotFound.title),
    405: ("about:blank", "Method not allowed"),
    406: ("about:blank", "Not acceptable"),
    409: (AlreadyExists.type_uri, AlreadyExists.title),
    413: ("about:blank", "Request entity too large"),
    415: ("about:blank", "Unsupported media type"),
    422: (OperationNotSupported.type_uri, OperationNotSupported.title),
    500: (_NGSI_ERRORS + "InternalError", "Internal error"),
}


def problem_body(status: int, detail: str, *, type_uri: str | None = None, title: str | None = None,
                 instance: str | None = None, errors: list[dict] | None = None) -> dict:
    """The problem details document (RFC 9457 §3.1) of one error."""
    default_type, default_title = _BY_STATUS.get(status, ("about:blank", "Error"))
    body = {"type": type_uri or default_type, "title": title or default_title, "status": status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def problem_response(status: int, detail: str, *, headers: dict[str, str] | None = None, **members) -> Response:
    return Response(orjson.dumps(problem_body(status, detail, **members)), status_code=status,
                    media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _instance(request: Request) -> str:
    return request.url.path


def _api_problem(request: Request, exc: ApiProblem) -> Response:
    return problem_response(exc.status, exc.detail, type_uri=exc.type_uri, title=exc.title,
                            instance=_instance(request), headers=exc.headers)


def _library_error(request: Request, exc: CityTwinError) -> Response:
    if isinstance(exc, NotFoundError):
        return problem_response(404, str(exc), instance=_instance(request))
    if isinstance(exc, BadInputError):
        return problem_response(400, str(exc), type_uri=BadRequestData.type_uri, title=BadRequestData.title,
                                instance=_instance(request))
    return problem_response(500, str(exc), instance=_instance(request))


def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [{"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
              for e in exc.errors()]
    detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors) or "invalid request"
    return problem_response(400, detail, instance=_instance(request), errors=errors)


def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no resource at {request.url.path}"
    return problem_response(exc.status_code, detail, instance=_instance(request), headers=exc.headers)


def _unexpected(request: Request, exc: Exception) -> Response:
    _log.debug("unexpected error answering %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, f"internal error ({type(exc).__name__})", instance=_instance(request))


def install(app: FastAPI) -> None:
    """Answer every error of `app` with a problem details document."""
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(CityTwinError, _library_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

"""One error family, rendered as RFC 9457 problem+json."""

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope, Send

from app.readstore import CONNECTION_ERRORS, is_connection_error, sqlite_error_name

_log = logging.getLogger("masthead.errors")

PROBLEM_TYPE_BASE = "https://masthead.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


async def send_problem(
    scope: Scope,
    send: Send,
    status: int,
    title: str,
    slug: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """A problem+json answer sent by a plain ASGI layer, before any route (no store:
    it describes this request alone); a HEAD gets the headers without the body."""
    problem: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": scope["path"],
    }
    if errors is not None:
        problem["errors"] = errors
    body = orjson.dumps(problem)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


PROBLEM_SCHEMA_REF = {"$ref": "#/components/schemas/Problem"}


class ProblemError(BaseModel):
    """One invalid field of a request."""

    location: str
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemError] | None = None


class AppError(Exception):
    status = 500
    title = "Internal Server Error"
    slug = "internal"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class BadRequest(AppError):
    status = 400
    title = "Bad Request"
    slug = "bad-request"


class NotFound(AppError):
    status = 404
    title = "Not Found"
    slug = "not-found"


class Conflict(AppError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class Unauthorized(AppError):
    status = 401
    title = "Unauthorized"
    slug = "unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="masthead"'})


class Forbidden(AppError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


class PreconditionFailed(AppError):
    status = 412
    title = "Precondition Failed"
    slug = "precondition-failed"


class UnsupportedMediaType(AppError):
    status = 415
    title = "Unsupported Media Type"
    slug = "unsupported-media-type"


class IdempotencyConflict(AppError):
    status = 422
    title = "Idempotency Key Reused"
    slug = "idempotency-key-reused"


class PreconditionRequired(AppError):
    status = 428
    title = "Precondition Required"
    slug = "precondition-required"


class Unprocessable(AppError):
    status = 422
    title = "Unprocessable Content"
    slug = "validation"


class UnavailableForLegalReasons(AppError):
    status = 451
    title = "Unavailable For Legal Reasons"
    slug = "unavailable-for-legal-reasons"


class ServiceUnavailable(AppError):
    status = 503
    title = "Service Unavailable"
    slug = "unavailable"


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    451: "Unavailable For Legal Reasons",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

_SLUGS = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    422: "validation",
    500: "internal",
    503: "unavailable",
}


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    slug: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (slug or _SLUGS.get(status, str(status))),
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _location(loc: tuple[Any, ...]) -> tuple[str, str]:
    if not loc:
        return "body", ""
    where = str(loc[0])
    field = ".".join(str(part) for part in loc[1:])
    return where, field


def app_error_response(request: Request, exc: AppError) -> Response:
    return problem_response(
        request,
        exc.status,
        exc.detail,
        title=exc.title,
        slug=exc.slug,
        errors=exc.errors,
        headers=exc.headers,
    )


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return app_error_response(request, exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        where, field = _location(tuple(error.get("loc", ())))
        errors.append({"location": where, "field": field, "message": str(error.get("msg", ""))})
    return problem_response(
        request,
        422,
        "The request has invalid parameters; see errors.",
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No resource at this address."
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed here."
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(request, exc.status_code, detail, headers=headers or None)


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path: routing stops at the first route
    whose path matches, and that route's own methods are not all the path allows."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


async def _integrity_error(request: Request, exc: Exception) -> Response:
    return problem_response(
        request,
        409,
        "The change conflicts with what is stored (a duplicate or a missing reference).",
        title="Conflict",
        slug="conflict",
    )


#: What each SQLite error that is no fault of the request tells the client.
_SQLITE_TROUBLE = {
    "SQLITE_FULL": (
        "storage",
        "The database's storage is full; nothing was changed.",
        "60",
    ),
    # What a write cut short by the file system (a full disk, a size limit) gives.
    "SQLITE_IOERR_WRITE": (
        "storage",
        "The database could not write to its storage (full or failing); nothing was changed.",
        "60",
    ),
    "SQLITE_READONLY": (
        "read-only",
        "The database is read-only at the moment; nothing was changed.",
        "60",
    ),
    "SQLITE_BUSY": (
        "busy",
        "The database is busy with other writes; nothing was changed, try again shortly.",
        "1",
    ),
}


def database_error_response(request: Request, exc: BaseException) -> Response | None:
    """The 503 for a database that cannot serve this request now, or None for other errors.

    Nothing of the cause (driver, address, file) is shown, only what a client can act on."""
    if not is_connection_error(exc):
        return None
    slug, detail, retry_after = _SQLITE_TROUBLE.get(
        sqlite_error_name(exc) or "",
        ("unavailable", "The database is unreachable; try again shortly.", "5"),
    )
    return problem_response(
        request,
        503,
        detail,
        title="Service Unavailable",
        slug=slug,
        headers={"Retry-After": retry_after},
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    response = database_error_response(request, exc)
    assert response is not None
    # One line, not a trace: an outage answers many requests the same way.
    _log.warning(
        "database error answered 503",
        extra={"path": request.url.path, "error": f"{type(exc).__name__}: {exc}"[:300]},
    )
    return response


async def _unhandled(request: Request, exc: Exception) -> Response:
    return database_error_response(request, exc) or problem_response(
        request, 500, "The server failed to answer this request."
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    # Handled by class rather than under Exception: Starlette re-raises what its
    # Exception handler answered, and the server then drops the keep-alive connection.
    for error_class in CONNECTION_ERRORS:
        app.add_exception_handler(error_class, _database_error)
    app.add_exception_handler(Exception, _unhandled)


def problem_spec(description: str) -> dict[str, Any]:
    """An OpenAPI ``responses=`` entry for a problem+json answer."""
    return {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": description}


#: The answer of a read withheld where the reader is.
LEGAL_RESPONSE: dict[int | str, dict[str, Any]] = {
    451: problem_spec("Withheld in the reader's country")
}

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: problem_spec(title)
    for status, title in (
        (400, "Bad request"),
        (404, "Not found"),
        (422, "Invalid parameters"),
        (503, "Database unreachable"),
    )
}


def document_problem_media_type(spec: dict[str, Any]) -> None:
    """Move each problem's schema to application/problem+json, the type it is served as.

    FastAPI documents a ``responses=`` model under application/json whatever
    content the entry declares."""
    for methods in spec.get("paths", {}).values():
        for operation in methods.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if content.get("application/json", {}).get("schema") == PROBLEM_SCHEMA_REF and (
                    PROBLEM_MEDIA_TYPE in content
                ):
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")

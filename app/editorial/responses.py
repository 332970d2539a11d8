"""The problem answers editorial writes declare in the spec."""

from typing import Any

from app.errors import problem_spec

_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request",
    401: "No token, or an unknown or revoked one",
    403: "The token may not do this",
    404: "Not found",
    409: "Conflicts with what is stored",
    412: "If-Match is stale",
    413: "The body is too large",
    415: "Not JSON",
    422: "Invalid body or parameters",
    428: "If-Match is missing",
}


def write_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Problem answers for the OpenAPI ``responses=`` of a write."""
    return {status: problem_spec(_DESCRIPTIONS[status]) for status in statuses}


CREATE_RESPONSES = write_responses(400, 401, 403, 409, 413, 422)
UPDATE_RESPONSES = write_responses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428)
DELETE_RESPONSES = write_responses(400, 401, 403, 404, 409, 412, 422, 428)

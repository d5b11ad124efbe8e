"""The kinds of problem the API answers, one per status, each with a `type` URI and a page that explains it.

A problem's `type` (RFC 9457) is `/problems/<name>`: a URI reference, resolved against the address the
request went to, so through the gateway it is the platform's own page (served by the gateway:
gateway/routes/problem_pages.py; listed in docs/problems.md). The status says what kind of trouble it was;
`detail` and `errors` say exactly what, for this request.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGES_PATH = "/problems"


@dataclass(frozen=True)
class ProblemKind:
    status: int
    name: str  # the last part of the type URI
    title: str
    means: str  # when the platform answers it
    to_do: str  # what the caller can do about it

    @property
    def type_uri(self) -> str:
        return f"{PAGES_PATH}/{self.name}"


KINDS: tuple[ProblemKind, ...] = (
    ProblemKind(
        400,
        "bad-request",
        "Bad request",
        "A header or parameter could not be read, for example an If-Match that is neither `*` nor a list "
        'of ETags ("3"), or an X-Request-ID that is not a short token.',
        "Correct the header or parameter that `detail` names, and send the request again.",
    ),
    ProblemKind(
        401,
        "not-signed-in",
        "Not signed in",
        "The request carried no credential, or one that is not valid now: an expired or badly signed "
        "token, a token that lives longer than the platform allows, a revoked API key. The answer has a "
        "`WWW-Authenticate: Bearer` header.",
        "Sign in (POST /api/auth/login) or exchange an API key (POST /api/auth/token), and send "
        "`Authorization: Bearer <token>`, or send the key as `X-API-Key`. Tokens last 15 minutes: refresh "
        "them (POST /api/auth/refresh).",
    ),
    ProblemKind(
        403,
        "not-allowed",
        "Not allowed",
        "You are signed in, but your roles or your council do not let you do this to this object, for "
        "example a staff member closing a round, or a manager of another council recording a measurement.",
        "Ask an admin of your council for the role `detail` names, or ask someone who has it.",
    ),
    ProblemKind(
        404,
        "not-found",
        "Not found",
        "There is nothing at this path, or nothing you may know exists (another council's unpublished "
        "objects are answered as not found, so that their existence is not revealed).",
        "Check the id and the path. Lists (`GET` on the collection) show what you can see.",
    ),
    ProblemKind(
        405,
        "method-not-allowed",
        "Method not allowed",
        "The path exists but does not take this method. The `Allow` header lists the methods it takes.",
        "Use one of the methods in `Allow`.",
    ),
    ProblemKind(
        408,
        "request-timeout",
        "Request timeout",
        "The request's body did not arrive in time (the platform does not hold a connection open for a "
        "body that trickles in).",
        "Send the request again, with the whole body at once.",
    ),
    ProblemKind(
        409,
        "conflict",
        "Conflict",
        "The request is valid but the object is not in a state that allows it: an idea that is already "
        "selected, a round that is closed, a trial that has started, an Idempotency-Key used before for a "
        "different request.",
        "Read the object again (`detail` says what state it is in) and decide; sending the same request "
        "again will get the same answer.",
    ),
    ProblemKind(
        412,
        "precondition-failed",
        "Precondition failed",
        "The If-Match header named a version that is no longer the current one: someone changed the object "
        "after you read it. Nothing was changed.",
        "Read the object again (its ETag is the new version), apply your change to what is there now, and "
        "send it with the new ETag in If-Match.",
    ),
    ProblemKind(
        413,
        "request-too-large",
        "Request too large",
        "The body is larger than the platform accepts (1 MiB unless the operator set otherwise).",
        "Send less: split a large import into several requests.",
    ),
    ProblemKind(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        "The request had a body that is not declared as JSON: its Content-Type was missing or something "
        "other than `application/json` (forms and plain text are not read by the API).",
        "Send the body as JSON with the header `Content-Type: application/json`.",
    ),
    ProblemKind(
        422,
        "invalid-input",
        "Invalid input",
        "The body, a query parameter or a path parameter broke a rule: a missing or unknown field, a text "
        "too short or too long, a number out of range, a date not written YYYY-MM-DD. `errors` lists every "
        "field with its problem.",
        "Correct each field in `errors` (its `field` is the field's name, dotted for nested ones) and send "
        "the request again.",
    ),
    ProblemKind(
        428,
        "precondition-required",
        "Precondition required",
        "Changes to this object must say which version they change, so that two people cannot silently "
        "overwrite each other, and the request had no If-Match header.",
        'Read the object, and send its ETag (for example `"3"`) in If-Match with the change.',
    ),
    ProblemKind(
        429,
        "too-many-requests",
        "Too many requests",
        "You (or your address, when not signed in) sent more requests than the platform's limits allow in "
        "this period. The `Retry-After` header says how many seconds to wait.",
        "Wait the seconds in `Retry-After`, then go on; slow a script down, or sign in for reads.",
    ),
    ProblemKind(
        500,
        "internal-error",
        "Internal error",
        "Something went wrong on the platform's side. It has been logged with the request id (`X-Request-ID`).",
        "Try again later; if it lasts, tell the platform's operators the request id.",
    ),
    ProblemKind(
        502,
        "bad-gateway",
        "Bad gateway",
        "The gateway could not get a sound answer from the part of the platform behind it.",
        "Try again shortly. Creating requests are safe to retry with the same Idempotency-Key.",
    ),
    ProblemKind(
        503,
        "service-unavailable",
        "Service unavailable",
        "A part of the platform or its database is not reachable just now (starting, restarting, or cut "
        "off). Nothing was saved. The `Retry-After` header says when to try again.",
        "Wait the seconds in `Retry-After` and send the same request again (with the same "
        "Idempotency-Key for a create).",
    ),
    ProblemKind(
        504,
        "gateway-timeout",
        "Gateway timeout",
        "A part of the platform did not answer the gateway in time. The request may or may not have been carried out.",
        "Send the same request again with the same Idempotency-Key (a create is then never made twice), or "
        "read the object to see whether it changed.",
    ),
)
BY_STATUS = {kind.status: kind for kind in KINDS}
BY_NAME = {kind.name: kind for kind in KINDS}
OTHER = ProblemKind(0, "other", "Error", "An answer of a status the platform does not document.", "")


def kind_of(status: int) -> ProblemKind:
    return BY_STATUS.get(status, OTHER)


def type_uri(status: int) -> str:
    """The `type` of a problem of this status ("about:blank" for a status the platform never answers)."""
    kind = BY_STATUS.get(status)
    return kind.type_uri if kind else "about:blank"

"""The edge: plain ASGI in front of everything, kept lean because every request pays for it.

For each request it makes or accepts the request id, enforces the body limit, logs one JSON line
and records metrics. Requests for a service's prefix are authenticated here (token or API key),
rate-limited if they write, and forwarded; everything else goes to the gateway's own FastAPI app.

Services' internal routes (`/api/<part>/internal/...`) are not public: the edge answers 404 to
anyone, whatever credential they hold. A service's own credential is for calls between services on
their own addresses, never through the public entry: the edge refuses it (403) on every service route,
so a leaked one cannot read every council's ideas from outside.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Awaitable, Callable

import orjson
from asgi_correlation_id import correlation_id
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.edge.pages import forward_page, is_page
from gateway.edge.proxy import ServiceUnavailable, Upstream, request_headers
from gateway.settings import GatewaySettings
from gateway.state import GatewayState
from platform_core.app import new_request_id, valid_request_id
from platform_core.auth import Principal
from platform_core.limits import BodyTooLarge, body_received, read_body
from platform_core.observe import RequestMetrics
from platform_core.problems import PROBLEM_JSON, WWW_AUTHENTICATE, Problem, problem_body
from platform_core.service_auth import is_internal_path

access_log = logging.getLogger("platform.access")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Open data: the shared library is published under the OGL, so it answers reads without sign-in
# (per-address rate limit). A request that sends credentials is still checked: a bad token is a 401.
OPEN_READ_PREFIX = "/api/followup/library"
READ_METHODS = frozenset({"GET", "HEAD"})
# Each sign-in path counts against its own per-address budget: a flood of junk invitation accepts (or
# key exchanges) from one office address must not block colleagues' password sign-ins.
SIGN_IN_BUDGETS = {
    "/api/auth/login": "login",
    "/api/auth/invitations/accept": "accept",
    "/api/auth/token": "accept",
    "/api/auth/refresh": "accept",
    "/api/auth/logout": "accept",
    "/api/auth/password-reset": "login",
    "/api/auth/password-reset/complete": "accept",
    "/api/auth/sign-on/start": "login",
    "/api/auth/sign-on/complete": "accept",
}
LOGIN_PATHS = frozenset(SIGN_IN_BUDGETS)
# The gateway's own internal routes, exactly so spelt (any other spelling stays a 404 like every
# internal path), each refused to any caller but its one service's credential: the voting service's
# news to mail, and follow-up's daily digest of trial reviews due.
OWN_INTERNAL = frozenset({"/api/gateway/internal/hack-day-news", "/api/gateway/internal/trial-reviews-due"})
SIGN_IN_PAGES = frozenset({"/sign-in", "/sign-in/invitation"})
PREFIXES = {"/api/ideas/": "ideas", "/api/voting/": "voting", "/api/followup/": "followup"}
_SERVICES = {prefix[5:-1]: name for prefix, name in PREFIXES.items()}  # "ideas" -> "ideas"
_NOT_LOGGED = frozenset({"/healthz", "/metrics"})
CLIENT_GONE = 499  # logged when the client went away before its body had arrived (nginx's code)
# What came too often, in the 429's words.
CHANGES = "changes in a short time"
SIGN_IN_ATTEMPTS = "sign-in attempts in a short time"
READS_WITHOUT_SIGN_IN = "reads without signing in from your address"

# A path's own checks before its body is read (rate limits, credentials); they raise a Problem to refuse.
Check = Callable[[], Awaitable[None]]


def client_address(scope: Scope) -> str:
    """The address the connection came from: what per-address limits count."""
    return (scope.get("client") or ("unknown", 0))[0]


def service_for(path: str) -> str | None:
    """The service whose prefix the path is under (`/api/<service>/...`), or None for the gateway."""
    if not path.startswith("/api/"):
        return None
    end = path.find("/", 5)
    return _SERVICES.get(path[5:end]) if end > 0 else None


def _freeze_after_startup(send: Send) -> Send:
    """Once the app has started, move everything it made (modules, routes, models) out of the garbage
    collector's view: a full collection then looks at what requests make, not at the whole app, and
    the occasional pause it causes in some request's answer shrinks accordingly."""

    async def _send(message: Message) -> None:
        if message["type"] == "lifespan.startup.complete":
            gc.collect()
            gc.freeze()
        await send(message)

    return _send


def open_read(method: str, path: str) -> bool:
    """A read of the open library: answered without sign-in."""
    return method in READ_METHODS and (path == OPEN_READ_PREFIX or path.startswith(OPEN_READ_PREFIX + "/"))


def open_council_read(method: str, path: str) -> bool:
    """The gateway's one open read, a council's contact (`/api/councils/{id}/contact`), shown beside its
    published trials: counted in the same budget as the library's reads without sign-in."""
    return method in READ_METHODS and path.startswith("/api/councils/") and path.endswith("/contact")


class Edge:
    # Upstreams, token checks, API-key exchange, limits: set by the app's lifespan at start-up.
    gateway: GatewayState

    def __init__(self, app: ASGIApp, *, settings: GatewaySettings) -> None:
        self.app = app
        self.settings = settings
        self.max_body = settings.max_body_bytes
        self.body_timeout = settings.body_timeout_seconds
        self._metrics = RequestMetrics("gateway")

    # ---- helpers -----------------------------------------------------------------------------
    @staticmethod
    async def _problem(
        send: Send, status: int, detail: str, path: str, rid: str, headers: dict[str, str] | None = None
    ) -> int:
        body = orjson.dumps(problem_body(status, detail, instance=path))
        raw = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", rid.encode()),
        ]
        raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        if status == 401 and not any(name == b"www-authenticate" for name, _ in raw):
            raw.append((b"www-authenticate", WWW_AUTHENTICATE.encode()))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})
        return status

    async def _admit(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes], rid: str, check: Check
    ) -> bytes | int:
        """Run the path's own checks, then read the whole body within the size and time limits.

        Returns the body, or the status already answered: the checks' refusal, 413, 408, or
        CLIENT_GONE when the client went away before its body had arrived."""
        path = scope["path"]
        try:
            await check()
            body = await read_body(
                receive, headers, max_bytes=self.max_body, timeout=self.body_timeout, received=body_received(scope)
            )
        except Problem as problem:
            return await self._refuse(send, problem, path, rid)
        except BodyTooLarge:
            detail = f"The body is larger than {self.max_body} bytes."
            return await self._problem(send, 413, detail, path, rid, {"Connection": "close"})
        except TimeoutError:
            # The rest of the body may still be on its way: the connection is closed after the answer.
            detail = f"The body did not arrive within {self.body_timeout:g} s."
            return await self._problem(send, 408, detail, path, rid, {"Connection": "close"})
        return CLIENT_GONE if body is None else body

    async def _refuse(self, send: Send, problem: Problem, path: str, rid: str) -> int:
        return await self._problem(send, problem.status, problem.detail, path, rid, problem.headers)

    async def _within(self, budget: str, who: str, what: str, hint: str = "") -> None:
        """Refuse (429 with Retry-After) once `who` has spent `budget`; `what` says what came too often."""
        wait = await self.gateway.rate_limits.retry_after(budget, who)
        if wait is not None:
            raise Problem(429, f"Too many {what}; try again in {wait} s{hint}.", headers={"Retry-After": str(wait)})

    async def _authenticate(self, headers: dict[bytes, bytes]) -> tuple[Principal, str]:
        auth = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            token = token.strip()
            return self.gateway.token_verifier.verify(token), token  # it caches verified tokens
        key = headers.get(b"x-api-key")
        if key:
            return await self.gateway.api_keys.exchange(key.decode("latin-1"))
        raise Problem(401, "Sign in first: send 'Authorization: Bearer <token>' or an X-API-Key.")

    # ---- the ASGI entry ----------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, _freeze_after_startup(send))
            else:
                await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        headers = dict(scope["headers"])
        rid_in = headers.get(b"x-request-id")
        rid = rid_in.decode("latin-1") if rid_in else ""
        if not (rid and valid_request_id(rid)):
            rid = new_request_id()
        ctx = correlation_id.set(rid)
        method, path = scope["method"], scope["path"]
        status = 500
        service = service_for(path)
        try:
            if is_internal_path(path) and path not in OWN_INTERNAL:
                status = await self._problem(send, 404, "There is no public route at this path.", path, rid)
            elif service is not None:
                status = await self._forward(scope, receive, send, headers, service, rid)
            elif is_page(path):
                service = "web"
                status = await self._page(scope, receive, send, headers, rid)
            else:
                status = await self._own(scope, receive, send, headers, rid)
        finally:
            elapsed = time.perf_counter() - start
            self._metrics.record(method, service or "gateway", status, elapsed)
            if path not in _NOT_LOGGED:
                access_log.info(
                    "request",
                    extra={"method": method, "path": path, "status": status, "duration_ms": round(elapsed * 1000, 2)},
                )
            correlation_id.reset(ctx)

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes], service: str, rid: str
    ) -> int:
        path = scope["path"]
        token: str | None = None

        async def check() -> None:
            nonlocal token
            if open_read(scope["method"], path) and b"authorization" not in headers and b"x-api-key" not in headers:
                hint = " (or sign in, or use an API key)"
                await self._within("anonymous_reads", client_address(scope), READS_WITHOUT_SIGN_IN, hint)
                return
            principal, token = await self._authenticate(headers)
            if principal.is_service:
                raise Problem(
                    403, "A service's own credential works only between services, not through the public gateway."
                )
            if scope["method"] in WRITE_METHODS:
                await self._within("writes", str(principal.person_id), CHANGES)

        body = await self._admit(scope, receive, send, headers, rid, check)
        if isinstance(body, int):
            return body
        upstream: Upstream = self.gateway.upstreams[service]
        out_headers = request_headers(scope, rid)
        if token is not None:
            out_headers.append(("authorization", "Bearer " + token))
        try:
            return await upstream.forward(
                method=scope["method"],
                raw_path=scope.get("raw_path") or path.encode(),
                query=scope.get("query_string", b""),
                headers=out_headers,
                body=body,
                send=send,
                extra_response_headers=[(b"x-request-id", rid.encode())],
            )
        except ServiceUnavailable as exc:
            return await self._problem(
                send, exc.status, exc.detail, path, rid, {"Retry-After": "5"} if exc.status == 503 else None
            )

    async def _page(self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes], rid: str) -> int:
        """A page: to the web part, with no authentication here (web holds the session)."""

        async def check() -> None:
            if scope["method"] == "POST" and scope["path"] in SIGN_IN_PAGES:
                # Counted per client address here, where the address is the person's, not the web part's.
                await self._within("login", client_address(scope), SIGN_IN_ATTEMPTS)

        body = await self._admit(scope, receive, send, headers, rid, check)
        if isinstance(body, int):
            return body
        return await forward_page(self.gateway.web, scope, body, send, rid)

    async def _own(self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes], rid: str) -> int:
        path, method = scope["path"], scope["method"]

        async def check() -> None:
            if open_council_read(method, path) and b"authorization" not in headers and b"x-api-key" not in headers:
                hint = " (or sign in, or use an API key)"
                await self._within("anonymous_reads", client_address(scope), READS_WITHOUT_SIGN_IN, hint)
                return
            if method not in WRITE_METHODS:
                return
            which = SIGN_IN_BUDGETS.get(path, "writes")
            who = client_address(scope)
            if which == "writes":
                try:
                    who = str((await self._authenticate(headers))[0].person_id)
                except Problem:
                    pass  # the route itself answers 401; limit by address meanwhile
            await self._within(which, who, CHANGES if which == "writes" else SIGN_IN_ATTEMPTS)

        body = await self._admit(scope, receive, send, headers, rid, check)
        if isinstance(body, int):
            return body
        if b"authorization" not in headers and headers.get(b"x-api-key") and path not in LOGIN_PATHS:
            try:
                _, token = await self.gateway.api_keys.exchange(headers[b"x-api-key"].decode("latin-1"))
            except Problem as problem:
                return await self._refuse(send, problem, path, rid)
            scope = dict(scope)
            scope["headers"] = [*scope["headers"], (b"authorization", b"Bearer " + token.encode())]

        sent_body = False

        async def replay() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = dict(message)
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        await self.app(scope, replay, send_with_id)
        return status


class ApiKeyExchange:
    """X-API-Key at the edge becomes a short-lived token, cached briefly so a valid key costs one
    database read a minute. A cached token is used only while its auth version is current: a revoked
    key, or a change to its creator's roles or standing, sends the next request back to the database."""

    CACHE_SECONDS = 60

    def __init__(self, sessionmaker, issuer, versions) -> None:
        self._sessionmaker = sessionmaker
        self._issuer = issuer
        self._versions = versions
        self._cache: dict[str, tuple[Principal, str, float]] = {}

    async def exchange(self, key: str) -> tuple[Principal, str]:
        from gateway.domain import identity

        now = time.time()
        hit = self._cache.get(key)
        if hit is not None and hit[2] > now and self._versions.is_current(hit[0]):
            return hit[0], hit[1]
        async with self._sessionmaker() as session:
            found = await identity.find_api_key(session, key)
            if found is None:
                self._cache.pop(key, None)
                raise Problem(
                    401, "The API key is not valid, has been revoked, or its creator no longer holds its roles."
                )
            api_key, roles = found
            name = await identity.council_name(session, api_key.council_id)
        token = self._issuer.issue(
            subject=api_key.id,
            council_id=api_key.council_id,
            council_name=name,
            roles=roles,
            name=api_key.name,
            kind="api_key",
            auth_version=api_key.auth_version,
            service=identity.service_of(api_key),
        )
        principal = Principal(
            person_id=api_key.id,
            council_id=api_key.council_id,
            roles=frozenset(roles),
            name=api_key.name,
            council_name=name,
            kind="api_key",
            service=identity.service_of(api_key),
            token=token,
            auth_version=api_key.auth_version,
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (principal, token, now + self.CACHE_SECONDS)
        return principal, token

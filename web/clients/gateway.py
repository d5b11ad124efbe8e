"""The gateway's public API, called with the signed-in person's own token: one connection pool for the
app's lifetime, with timeouts. Every rule the services enforce therefore holds for pages too: a page
shows what the API answers and refuses what the API refuses.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import orjson

from platform_core.aiohttp_transport import AiohttpTransport
from web.settings import WebSettings


class ApiError(Exception):
    """The API refused (4xx) or could not answer (503, 504). `errors` name fields: [{field, message}]."""

    def __init__(
        self, status: int, detail: str, errors: list[dict[str, Any]] | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.retry_after = retry_after  # seconds, from the API's Retry-After on a 429


def _problem(response: httpx.Response, tell_outage: bool = False) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = body.get("detail") or body.get("title") or f"The platform answered {response.status_code}."
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    if response.status_code in (502, 503) and tell_outage and body.get("detail"):
        # The gateway's own words about a part outside the platform (a council's identity provider).
        return ApiError(response.status_code, str(detail))
    if response.status_code >= 500:
        return ApiError(503, "Part of the platform is not answering just now. Try again in a minute.")
    wait = response.headers.get("retry-after", "")
    return ApiError(response.status_code, str(detail), errors, int(wait) if wait.isdigit() else None)


class Gateway:
    """The pool, shared by every request; `as_person` binds it to one person's token."""

    def __init__(self, settings: WebSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client = httpx.AsyncClient(
            base_url=settings.gateway_url.rstrip("/"),
            timeout=httpx.Timeout(
                connect=settings.gateway_connect_timeout_seconds,
                read=settings.gateway_read_timeout_seconds,
                write=settings.gateway_read_timeout_seconds,
                pool=settings.gateway_connect_timeout_seconds,
            ),
            trust_env=False,
            # aiohttp's client under httpx's API: a third of httpx's own transport's CPU a call
            # (platform_core/aiohttp_transport.py); tests pass a MockTransport instead.
            transport=transport
            or AiohttpTransport(max_connections=settings.gateway_max_connections, keepalive_seconds=4.0),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        request_id: str | None = None,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        raw: bool = False,
        tell_outage: bool = False,
    ) -> Any:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if request_id:
            sent["X-Request-ID"] = request_id
        content = None
        if json is not None:
            content = orjson.dumps(json)
            sent["Content-Type"] = "application/json"
        try:
            response = await self._client.request(method, path, params=params, content=content, headers=sent)
        except httpx.TimeoutException as exc:
            raise ApiError(504, "The platform took too long to answer. Try again in a minute.") from exc
        except httpx.HTTPError as exc:
            raise ApiError(503, "The platform is not reachable just now. Try again in a minute.") from exc
        if response.status_code >= 400:
            raise _problem(response, tell_outage)
        if raw:
            return response
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # ---- sign-in (no token yet) ------------------------------------------------------------------
    # The gateway throttles failed sign-ins per account and client address. Every page's call comes
    # from web's own address, so `client` (the browser's address, as web's server resolved it from the
    # gateway's X-Forwarded-For) is passed on in X-Forwarded-For; the gateway believes it only when
    # web's address is among its GATEWAY_TRUSTED_PROXIES, and otherwise counts web's address as before.
    @staticmethod
    def _from(client: str | None) -> dict[str, str]:
        return {"X-Forwarded-For": client} if client else {}

    async def sign_in(
        self, email: str, password: str, request_id: str | None = None, client: str | None = None
    ) -> dict[str, Any]:
        return await self.call(
            "POST",
            "/api/auth/login",
            json={"email": email, "password": password},
            request_id=request_id,
            headers=self._from(client),
        )

    async def accept_invitation(
        self, code: str, password: str, request_id: str | None = None, client: str | None = None
    ) -> dict[str, Any]:
        return await self.call(
            "POST",
            "/api/auth/invitations/accept",
            json={"code": code, "password": password},
            request_id=request_id,
            headers=self._from(client),
        )

    async def sign_on_councils(self, request_id: str | None = None) -> list[dict[str, Any]]:
        """The councils whose staff sign in with their own identity provider (a button each)."""
        return await self.call("GET", "/api/auth/sign-on", request_id=request_id)

    async def start_sign_on(self, council: str, request_id: str | None = None) -> dict[str, Any]:
        return await self.call(
            "POST", "/api/auth/sign-on/start", json={"council": council}, request_id=request_id, tell_outage=True
        )

    async def complete_sign_on(self, answer: dict[str, str], request_id: str | None = None) -> dict[str, Any]:
        return await self.call(
            "POST", "/api/auth/sign-on/complete", json=answer, request_id=request_id, tell_outage=True
        )

    async def refresh(self, refresh_token: str, request_id: str | None = None) -> dict[str, Any]:
        """A new access token for a refresh token, when the gateway issues refresh tokens."""
        return await self.call(
            "POST", "/api/auth/refresh", json={"refresh_token": refresh_token}, request_id=request_id
        )

    async def sign_out(self, refresh_token: str, request_id: str | None = None) -> None:
        """End the gateway's session of this refresh token (its access token lapses within minutes)."""
        await self.call("POST", "/api/auth/logout", json={"refresh_token": refresh_token}, request_id=request_id)

    def as_person(self, token: str, request_id: str | None) -> PersonApi:
        return PersonApi(self, token, request_id)


class PersonApi:
    """The API as one signed-in person: each method is one call the pages make."""

    def __init__(self, gateway: Gateway, token: str, request_id: str | None) -> None:
        self._gateway = gateway
        self._token = token
        self._rid = request_id

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        return await self._gateway.call(method, path, token=self._token, request_id=self._rid, **kw)

    async def me(self) -> dict[str, Any]:
        return await self._call("GET", "/api/auth/me")

    async def set_news_mail(self, on: bool) -> dict[str, Any]:
        return await self._call("PUT", "/api/auth/mail-preferences", json={"news_mail": on})

    @staticmethod
    def _key(key: str | None) -> dict[str, str]:
        return {"Idempotency-Key": key} if key else {}

    # ---- hack days and ideas ----------------------------------------------------------------------
    async def hack_days(self) -> list[dict[str, Any]]:
        return (await self._call("GET", "/api/ideas/hack-days", params={"limit": 200}))["items"]

    async def hack_day(self, hack_day_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/ideas/hack-days/{hack_day_id}")

    async def create_hack_day(self, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        return await self._call("POST", "/api/ideas/hack-days", json=body, headers=self._key(key))

    async def move_phase(self, hack_day_id: uuid.UUID, phase: str) -> dict[str, Any]:
        return await self._call("POST", f"/api/ideas/hack-days/{hack_day_id}/phase", json={"phase": phase})

    async def vocabulary(self) -> dict[str, Any]:
        return await self._call("GET", "/api/ideas/vocabulary")

    async def ideas(self, **params: Any) -> dict[str, Any]:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return await self._call("GET", "/api/ideas/ideas", params={"limit": 200, **clean})

    async def idea(self, idea_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/ideas/ideas/{idea_id}")

    async def submit_idea(self, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        return await self._call("POST", "/api/ideas/ideas", json=body, headers=self._key(key))

    async def edit_idea(self, idea_id: uuid.UUID, changes: dict[str, Any], version: int) -> dict[str, Any]:
        """Only if the idea is still at `version` (If-Match): else ApiError 412, nothing overwritten."""
        return await self._call(
            "PATCH", f"/api/ideas/ideas/{idea_id}", json=changes, headers={"If-Match": f'"{version}"'}
        )

    async def withdraw_idea(self, idea_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("POST", f"/api/ideas/ideas/{idea_id}/withdraw", json={})

    async def invite_co_author(self, idea_id: uuid.UUID, person_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("POST", f"/api/ideas/ideas/{idea_id}/co-authors", json={"person_id": str(person_id)})

    async def accept_co_authorship(self, idea_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("POST", f"/api/ideas/ideas/{idea_id}/invitation/accept", json={})

    async def remove_co_author(self, idea_id: uuid.UUID, person_id: uuid.UUID) -> dict[str, Any]:
        """The lead author removes someone or cancels an invitation; anyone leaves (or declines) for themselves."""
        return await self._call("DELETE", f"/api/ideas/ideas/{idea_id}/co-authors/{person_id}")

    async def comments(self, idea_id: uuid.UUID) -> list[dict[str, Any]]:
        return (await self._call("GET", f"/api/ideas/ideas/{idea_id}/comments", params={"limit": 200}))["items"]

    async def add_comment(self, idea_id: uuid.UUID, body: str, key: str | None) -> dict[str, Any]:
        return await self._call(
            "POST", f"/api/ideas/ideas/{idea_id}/comments", json={"body": body}, headers=self._key(key)
        )

    async def person(self, person_id: uuid.UUID) -> dict[str, Any]:
        """A colleague of the same council (another council's people are 404)."""
        return await self._call("GET", f"/api/people/{person_id}")

    async def tried_before(self, draft: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/api/journeys/tried-before", json=draft)

    async def evidence(self, idea_ids: list[str]) -> dict[str, Any]:
        """Tried before? for up to 50 ideas in one call: similar ideas from every council, what became of each."""
        return await self._call("POST", "/api/journeys/tried-before/ideas", json={"idea_ids": idea_ids, "limit": 3})

    async def download(self, path: str) -> httpx.Response:
        """A file the API makes (CSV exports), answered as it came."""
        return await self._call("GET", path, raw=True)

    async def moderate_many(
        self, hack_day_id: uuid.UUID, action: str, body: dict[str, Any], key: str | None
    ) -> dict[str, Any]:
        """shortlist, hide ({reason}) or duplicate ({duplicate_of_id}) up to 200 of a hack day's ideas in one
        call: {shortlisted or moderated: [...], refused: [{idea_id, status, detail}]}; `key` as Idempotency-Key."""
        return await self._call(
            "POST", f"/api/ideas/hack-days/{hack_day_id}/{action}", json=body, headers=self._key(key)
        )

    # ---- people -------------------------------------------------------------------------------------
    async def add_staff(self, council_id: uuid.UUID, people: list[dict[str, str]]) -> dict[str, Any]:
        return await self._call("POST", f"/api/councils/{council_id}/staff", json={"people": people})

    # ---- voting ------------------------------------------------------------------------------------
    async def rounds(self, hack_day_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        params = {"limit": 200, **({"hack_day_id": str(hack_day_id)} if hack_day_id else {})}
        return (await self._call("GET", "/api/voting/rounds", params=params))["items"]

    async def round(self, round_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/voting/rounds/{round_id}")

    async def create_round(self, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        return await self._call("POST", "/api/voting/rounds", json=body, headers=self._key(key))

    async def round_action(self, round_id: uuid.UUID, action: str) -> dict[str, Any]:
        """open, close or publish."""
        return await self._call("POST", f"/api/voting/rounds/{round_id}/{action}", json={})

    async def my_ballot(self, round_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/voting/rounds/{round_id}/ballot")

    async def cast_ballot(self, round_id: uuid.UUID, choices: dict[str, Any], key: str | None) -> dict[str, Any]:
        return await self._call(
            "POST", f"/api/voting/rounds/{round_id}/ballot", json={"choices": choices}, headers=self._key(key)
        )

    async def check_receipt(self, round_id: uuid.UUID, receipt: str) -> dict[str, Any]:
        return await self._call("POST", f"/api/voting/rounds/{round_id}/receipts/check", json={"receipt": receipt})

    async def result(self, round_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/voting/rounds/{round_id}/result")

    # ---- trials (follow-up): a manager's plan, readings, verdict and portfolio ---------------------
    async def followup_vocabulary(self) -> dict[str, Any]:
        return await self._call("GET", "/api/followup/vocabulary")

    async def trials(self, status: str | None = None) -> list[dict[str, Any]]:
        """Every trial the person may read (a council runs hundreds at most), a page of 200 at a time."""
        found: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None and len(found) < 2000:
            params = {"limit": 200, "offset": offset, **({"status": status} if status else {})}
            page = await self._call("GET", "/api/followup/trials", params=params)
            found += page["items"]
            offset = page.get("next_offset")
        return found

    async def trial(self, trial_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/followup/trials/{trial_id}")

    async def trial_with_measurements(self, trial_id: uuid.UUID) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The trial and every measurement entry, corrections included, in one call."""
        trial = await self._call("GET", f"/api/followup/trials/{trial_id}", params={"measurements": "true"})
        entries = trial.get("measurements")
        if entries is None:  # a follow-up from before it could answer both at once, during an upgrade
            entries = await self.measurements(trial_id)
        return trial, entries

    async def open_trial(self, idea_id: uuid.UUID, key: str | None) -> dict[str, Any]:
        """A planned trial of the idea, or the trial it has already (the API answers that one, 200)."""
        return await self._call("POST", "/api/followup/trials", json={"idea_id": str(idea_id)}, headers=self._key(key))

    async def partner_map(self) -> list[dict[str, Any]]:
        """The person's council's map of partners ({id, name, kind}), to name in a trial's plan (200 at most)."""
        return (await self._call("GET", "/api/followup/partners", params={"limit": 200}))["items"]

    async def change_plan(self, trial_id: uuid.UUID, changes: dict[str, Any], version: str) -> dict[str, Any]:
        return await self._call(
            "PATCH", f"/api/followup/trials/{trial_id}", json=changes, headers={"If-Match": f'"{version}"'}
        )

    async def add_metric(self, trial_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", f"/api/followup/trials/{trial_id}/metrics", json=body)

    async def change_metric(
        self, trial_id: uuid.UUID, metric_id: uuid.UUID, changes: dict[str, Any], version: str
    ) -> dict[str, Any]:
        """`version`: the metric's, as the form was opened on (If-Match): a change made since is a 412."""
        return await self._call(
            "PATCH",
            f"/api/followup/trials/{trial_id}/metrics/{metric_id}",
            json=changes,
            headers={"If-Match": f'"{version}"'},
        )

    async def remove_metric(self, trial_id: uuid.UUID, metric_id: uuid.UUID, version: str) -> None:
        await self._call(
            "DELETE", f"/api/followup/trials/{trial_id}/metrics/{metric_id}", headers={"If-Match": f'"{version}"'}
        )

    async def trial_action(self, trial_id: uuid.UUID, action: str, body: dict[str, Any] | None = None) -> Any:
        """start or evaluate."""
        return await self._call("POST", f"/api/followup/trials/{trial_id}/{action}", json=body or {})

    async def measurements(self, trial_id: uuid.UUID) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        offset: int | None = 0
        while offset is not None:
            page = await self._call(
                "GET", f"/api/followup/trials/{trial_id}/measurements", params={"limit": 200, "offset": offset}
            )
            found += page["items"]
            offset = page.get("next_offset")
        return found

    async def record_measurement(self, trial_id: uuid.UUID, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        return await self._call(
            "POST", f"/api/followup/trials/{trial_id}/measurements", json=body, headers=self._key(key)
        )

    async def record_measurements(
        self, trial_id: uuid.UUID, rows: list[dict[str, Any]], key: str | None
    ) -> dict[str, Any]:
        return await self._call(
            "POST",
            f"/api/followup/trials/{trial_id}/measurements/batch",
            json={"measurements": rows},
            headers=self._key(key),
        )

    async def review_checkpoint(self, trial_id: uuid.UUID, checkpoint_id: uuid.UUID, note: str) -> dict[str, Any]:
        return await self._call(
            "POST", f"/api/followup/trials/{trial_id}/checkpoints/{checkpoint_id}/review", json={"note": note}
        )

    async def check_verdict(self, trial_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", f"/api/followup/trials/{trial_id}/verdict/check", json=body)

    async def give_verdict(self, trial_id: uuid.UUID, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        return await self._call("POST", f"/api/followup/trials/{trial_id}/verdict", json=body, headers=self._key(key))

    async def publication_preview(self, trial_id: uuid.UUID) -> dict[str, Any]:
        return await self._call("GET", f"/api/followup/trials/{trial_id}/publish/preview")

    async def publish(self, trial_id: uuid.UUID, key: str | None) -> dict[str, Any]:
        return await self._call("POST", f"/api/followup/trials/{trial_id}/publish", headers=self._key(key))

    async def overdue(self) -> list[dict[str, Any]]:
        return (await self._call("GET", "/api/followup/overdue", params={"limit": 200}))["items"]

    async def portfolio(self) -> dict[str, Any]:
        """The council's report with its overdue list (`overdue_trials`, the first 200), in one call."""
        return await self._call("GET", "/api/followup/portfolio", params={"overdue_trials": "true"})

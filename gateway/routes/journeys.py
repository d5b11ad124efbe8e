"""Views composed across the services for the people who use them (issue: the idea's whole journey).

The gateway owns no domain data: each view asks the services with the caller's own token, so every
service still decides what this caller may see. A part that is down makes its section empty and the
answer says so (`unavailable`), rather than failing the whole view, except the part a view is about.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from asgi_correlation_id import correlation_id
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from gateway.edge.proxy import Upstream
from gateway.state import GATEWAY
from platform_core.auth import CurrentPrincipal
from platform_core.problems import Problem, responses

router = APIRouter(prefix="/api/journeys", tags=["journeys"])
PART_TIMEOUT = 5.0
_TIMEOUT = aiohttp.ClientTimeout(total=PART_TIMEOUT)


class Unavailable(Exception):
    def __init__(self, part: str) -> None:
        self.part = part


@dataclass(frozen=True)
class Answer:
    """A service's answer to one of the views' calls, read whole."""

    status_code: int
    content_type: str
    content: bytes

    def json(self) -> Any:
        return orjson.loads(self.content)


async def _exchange(
    upstream: Upstream, method: str, path: str, *, params: Any, body: bytes | None, headers: dict[str, str]
) -> Answer:
    """One call on the service's kept-alive aiohttp pool (the proxy's own): "tried before?" makes two on every
    keystroke, and httpx cost the gateway about four times as much CPU per call (benchmarks/README.md)."""
    async with upstream.session().request(
        method, upstream.base_url + path, params=params, data=body, headers=headers, timeout=_TIMEOUT
    ) as response:
        return Answer(response.status, response.headers.get("Content-Type", ""), await response.read())


async def _get(
    request: Request, part: str, path: str, params: Any = None, method: str = "GET", json: Any = None
) -> Answer:
    headers = {"Authorization": request.headers.get("authorization", ""), "X-Request-ID": correlation_id.get() or ""}
    body = None
    if json is not None:
        body = orjson.dumps(json)
        headers["Content-Type"] = "application/json"
    try:
        return await _exchange(
            GATEWAY.of(request).upstreams[part], method, path, params=params, body=body, headers=headers
        )
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise Unavailable(part) from exc


def _pass_on(response: Answer) -> None:
    """Answer the caller with the service's own refusal (404, 403, 422...) when a view is about it."""
    if response.status_code >= 500:
        raise Problem(503, "A service could not answer just now; try again shortly.")
    if response.status_code >= 400:
        body = response.json() if response.content_type.split(";")[0].endswith("json") else {}
        raise Problem(response.status_code, body.get("detail") or "Refused.", errors=body.get("errors"))


# ---- tried before? --------------------------------------------------------------------------------


class Draft(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [{"title": "Text reminders for council tax", "problem": "People miss instalments.", "limit": 5}]
        },
    )
    title: str = Field(min_length=1, max_length=200)
    # The same limits as the ideas service's similar-idea search, which this passes the draft to.
    problem: str | None = Field(default=None, max_length=5000)
    proposal: str | None = Field(default=None, max_length=5000)
    limit: int = Field(default=5, ge=1, le=20)


class Outcome(BaseModel):
    """What became of an idea: its trial (if the caller may see it) and, once published, the verdict."""

    source: str = Field(description="'trial' (your council's own) or 'library' (published by a council)")
    trial_status: str | None = None
    verdict: str | None = None
    reasons: list[dict[str, Any]] = Field(default_factory=list, description="[{code, note}] from the taxonomy")
    lessons: dict[str, Any] | None = None
    gain: dict[str, Any] | None = None
    evidence_level: int | None = None
    published_at: str | None = None
    council_name: str | None = None
    library_entry_id: str | None = None
    imported_from: dict[str, Any] | None = Field(
        default=None,
        description="For a verdict imported from another platform (federation): {platform, feed_url, entry_id, "
        "entry_url, version, imported_at}, its place on its own platform; null for this platform's own. "
        "The similar idea then has view 'imported' and carries the licence it was published under.",
    )


# Verdicts that mean "this was tried and did not deliver": a draft like it should be warned.
FAILED_VERDICTS = {"did_not_work": "did not work", "no_change": "made no change", "stopped": "was stopped"}


class TriedBefore(BaseModel):
    score: float = Field(description="How similar the idea is to the draft, 0 to 1 (1: the same text).")
    idea: dict[str, Any]
    outcome: Outcome | None
    warning: bool = Field(
        description="True when this idea was trialled and its verdict was did_not_work, no_change or "
        "stopped: the draft repeats something that failed, and the person should read why first."
    )
    warning_reason: str | None = Field(
        default=None,
        description="Why it is a warning, in words a page can show, e.g. "
        '"Tried by Anytown Council: did not work (adoption)." (a verdict imported from another platform '
        'names it: "Tried by Anytown Council (on Northshire\'s platform): ..."); null when `warning` is false.',
    )


class TriedBeforeAnswer(BaseModel):
    items: list[TriedBefore]
    warning: bool = Field(description="True when any item is a warning (see items[].warning).")
    outcomes_available: bool
    notice: str | None = None


# The answers below are built as plain dicts and sent as they are, in the shape of the models above (which
# document them): building, validating and serialising a pydantic model of every idea and outcome was most of
# the gateway's own CPU per "tried before?" keystroke. tests/journey and tests/ideas check the shape.


def _warning(idea: dict[str, Any], outcome: dict[str, Any] | None) -> str | None:
    """Why a similar idea is a warning (its trial failed), or None."""
    if outcome is None or outcome["verdict"] not in FAILED_VERDICTS:
        return None
    who = outcome["council_name"] or idea.get("council_name") or "your council"
    source = outcome["imported_from"]
    if source and source.get("platform"):
        who = f"{who} (on {source['platform']})"
    reasons = ", ".join(str(r.get("code")) for r in outcome["reasons"] if r.get("code"))
    return f"Tried by {who}: {FAILED_VERDICTS[outcome['verdict']]}" + (f" ({reasons})." if reasons else ".")


def _outcome(
    source: str,
    *,
    trial_status: str | None,
    verdict: str | None,
    reasons: list[dict[str, Any]] | None,
    lessons: dict[str, Any] | None,
    gain: dict[str, Any] | None,
    evidence_level: int | None,
    published_at: str | None = None,
    council_name: str | None = None,
    library_entry_id: str | None = None,
    imported_from: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An `Outcome`, every field in its order."""
    return {
        "source": source,
        "trial_status": trial_status,
        "verdict": verdict,
        "reasons": reasons or [],
        "lessons": lessons,
        "gain": gain,
        "evidence_level": evidence_level,
        "published_at": published_at,
        "council_name": council_name,
        "library_entry_id": library_entry_id,
        "imported_from": imported_from,
    }


def _from_trial(trial: dict[str, Any]) -> dict[str, Any]:
    verdict = trial.get("verdict") or {}
    evidence = trial.get("evidence")
    return _outcome(
        "trial",
        trial_status=trial.get("status"),
        verdict=verdict.get("outcome"),
        reasons=verdict.get("reasons"),
        lessons=verdict.get("lessons"),
        gain=trial.get("gain"),
        evidence_level=evidence.get("level") if isinstance(evidence, dict) else trial.get("evidence_level"),
        library_entry_id=trial.get("library_entry_id"),
    )


def _from_library(entry: dict[str, Any]) -> dict[str, Any]:
    evidence = entry.get("evidence")
    return _outcome(
        "library",
        trial_status=entry.get("trial_status") or entry.get("status"),
        verdict=entry.get("verdict") or entry.get("outcome"),
        reasons=entry.get("reasons"),
        lessons=entry.get("lessons"),
        gain=entry.get("gain"),
        evidence_level=evidence.get("level") if isinstance(evidence, dict) else entry.get("evidence_level"),
        published_at=entry.get("published_at"),
        council_name=entry.get("council_name"),
        library_entry_id=str(entry.get("id")) if entry.get("id") else None,
        imported_from=entry.get("source"),
    )


def _tried(hit: dict[str, Any], outcome: dict[str, Any] | None) -> dict[str, Any]:
    """A `TriedBefore`: the similar idea as the ideas service shaped it, what became of it, and any warning."""
    reason = _warning(hit["idea"], outcome)
    return {
        "score": float(hit["score"]),
        "idea": hit["idea"],
        "outcome": outcome,
        "warning": reason is not None,
        "warning_reason": reason,
    }


def _json(body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


# Follow-up's most ideas a call to /trials/by-ideas (50 queued ideas with 3 similar each fit in one).
TRIALS_A_CALL = 200


async def _own_outcomes(request: Request, ideas: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What became of the caller's own council's ideas: their trials, one call to follow-up for them all
    (it was one call per idea, which made the organiser's queue the slowest page)."""
    found: dict[str, dict[str, Any]] = {}
    ids = [str(i["id"]) for i in ideas]
    for start in range(0, len(ids), TRIALS_A_CALL):
        response = await _get(
            request,
            "followup",
            "/api/followup/trials/by-ideas",
            method="POST",
            json={"idea_ids": ids[start : start + TRIALS_A_CALL]},
        )
        items = response.json().get("items", []) if response.status_code == 200 else []
        found.update({str(trial["idea"]["id"]): _from_trial(trial) for trial in items})
    return found


async def _published_outcomes(request: Request, ideas: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What other councils published about these ideas, in one call to the library."""
    if not ideas:
        return {}
    response = await _get(
        request,
        "followup",
        "/api/followup/library",
        params=[("idea_id", str(i["id"])) for i in ideas] + [("limit", "50")],
    )
    items = response.json().get("items", []) if response.status_code == 200 else []
    return {str(item.get("idea_id") or (item.get("idea") or {}).get("id")): _from_library(item) for item in items}


async def _outcomes(request: Request, principal, ideas: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    council = str(principal.council_id)
    own = [i for i in ideas if council == str(i.get("council_id"))]
    # Another council's idea shown as a summary has no outcome this caller may read: the ideas service
    # shows an idea whose outcome is published in full to every council (view "full"), and an imported
    # verdict as "imported". So the library is asked only about the others, and not at all when every
    # similar idea is such a summary (most keystrokes).
    others = [i for i in ideas if council != str(i.get("council_id")) and i.get("view") != "summary"]
    by_id, published = await asyncio.gather(_own_outcomes(request, own), _published_outcomes(request, others))
    return [by_id.get(str(i["id"])) or published.get(str(i["id"])) for i in ideas]


@router.post(
    "/tried-before",
    response_model=TriedBeforeAnswer,
    summary="While writing an idea: similar ideas from every council, with what became of each",
    responses=responses(401, 422, 503),
)
async def tried_before(draft: Draft, request: Request, principal: CurrentPrincipal) -> Response:
    """While someone writes an idea: the existing ideas most like the draft, from every council, each with what
    became of it (its trial's status or its published verdict), and a warning when a similar idea was trialled
    and did not work. Ideas are shown only as far as you may read them. Anyone signed in may ask. 503 when the
    ideas service cannot be reached; when only follow-up cannot, the ideas are still answered with
    `outcomes_available` false and a notice (follow-up is asked only when a similar idea may have an outcome
    you can read: one of your council's, or one shown in full or imported; another council's summary has
    none). Another council's verdict shows here once the ideas service has heard it was published (its event,
    relayed within seconds of publication); until then its idea is that council's summary."""
    try:
        similar = await _get(
            request,
            "ideas",
            "/api/ideas/similar",
            method="POST",
            json={"title": draft.title, "problem": draft.problem, "proposal": draft.proposal, "limit": draft.limit},
        )
    except Unavailable as exc:
        raise Problem(503, "The ideas service is not reachable just now; similar ideas cannot be shown.") from exc
    _pass_on(similar)
    hits = similar.json()["items"]
    try:
        outcomes = await _outcomes(request, principal, [hit["idea"] for hit in hits])
        available, notice = True, None
    except Unavailable:
        outcomes = [None] * len(hits)
        available = False
        notice = "What became of these ideas cannot be shown just now (the follow-up service is not reachable)."
    items = [_tried(hit, outcome) for hit, outcome in zip(hits, outcomes, strict=True)]
    return _json(
        {
            "items": items,
            "warning": any(i["warning"] for i in items),
            "outcomes_available": available,
            "notice": notice,
        }
    )


class IdeasEvidence(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "idea_ids": ["3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c", "8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"],
                    "limit": 3,
                }
            ]
        },
    )
    idea_ids: list[uuid.UUID] = Field(
        min_length=1,
        max_length=50,
        description="The ideas of a shortlist or a ballot (each at most once) that you may read.",
        examples=[["3f2b8c1e-7a4d-4e8b-9c61-2d5f0a9e1b7c"]],
    )
    limit: int = Field(default=3, ge=1, le=10, description="Similar ideas per idea.")


class IdeaEvidence(BaseModel):
    idea_id: uuid.UUID
    items: list[TriedBefore] = Field(description="Other ideas like it, with what became of them, best first.")
    warning: bool = Field(description="True when any of them is a warning (a trial that failed).")
    warning_reason: str | None = Field(default=None, description="The first warning's reason; null without one.")


class IdeasEvidenceAnswer(BaseModel):
    items: list[IdeaEvidence] = Field(description="One per idea asked for, in the order asked.")
    outcomes_available: bool
    notice: str | None = None


@router.post(
    "/tried-before/ideas",
    response_model=IdeasEvidenceAnswer,
    summary="Tried before? for a list of ideas in one call (a shortlist, a ballot's candidates)",
    responses=responses(401, 404, 422, 503),
)
async def tried_before_for_ideas(body: IdeasEvidence, request: Request, principal: CurrentPrincipal) -> Response:
    """Tried before? for a list of ideas in one call (a shortlist, a ballot's candidates): for each, the other ideas
    most like it with what became of them, and the first warning. Each idea must be one you can read (404 naming
    it). 503 when the ideas service cannot be reached; when only follow-up cannot, `outcomes_available` is false
    with a notice."""
    try:
        similar = await _get(
            request,
            "ideas",
            "/api/ideas/similar/to-ideas",
            method="POST",
            json={"idea_ids": [str(i) for i in body.idea_ids], "limit": body.limit},
        )
    except Unavailable as exc:
        raise Problem(503, "The ideas service is not reachable just now; similar ideas cannot be shown.") from exc
    _pass_on(similar)
    per_idea = similar.json()["items"]
    # Each similar idea's outcome is asked for once, however many of the ideas it resembles.
    unique = list({hit["idea"]["id"]: hit["idea"] for entry in per_idea for hit in entry["items"]}.values())
    outcomes: dict[str, dict[str, Any] | None]
    try:
        found = await _outcomes(request, principal, unique)
        outcomes, available, notice = {str(i["id"]): o for i, o in zip(unique, found, strict=True)}, True, None
    except Unavailable:
        outcomes, available = {}, False
        notice = "What became of these ideas cannot be shown just now (the follow-up service is not reachable)."
    items = []
    for entry in per_idea:
        matches = [_tried(hit, outcomes.get(str(hit["idea"]["id"]))) for hit in entry["items"]]
        first = next((m for m in matches if m["warning"]), None)
        items.append(
            {
                "idea_id": entry["idea_id"],
                "items": matches,
                "warning": first is not None,
                "warning_reason": first["warning_reason"] if first else None,
            }
        )
    return _json({"items": items, "outcomes_available": available, "notice": notice})


# ---- one idea's journey -----------------------------------------------------------------------------


class RoundPlace(BaseModel):
    round_id: str
    title: str | None
    method: str | None
    phase: str | None
    rank: int | None = None
    tied: bool | None = None
    figures: dict[str, Any] | None = None


class IdeaJourney(BaseModel):
    idea: dict[str, Any]
    hack_day: dict[str, Any] | None
    rounds: list[RoundPlace]
    trial: dict[str, Any] | None
    library_entry: dict[str, Any] | None
    unavailable: list[str] = Field(default_factory=list, description="Parts that could not be asked just now")


async def _rounds_for(request: Request, hack_day_id: str) -> list[dict[str, Any]]:
    response = await _get(request, "voting", "/api/voting/rounds", params={"hack_day_id": hack_day_id, "limit": 200})
    return response.json().get("items", []) if response.status_code == 200 else []


async def _result(request: Request, round_id: str) -> dict[str, Any] | None:
    response = await _get(request, "voting", f"/api/voting/rounds/{round_id}/result")
    return response.json() if response.status_code == 200 else None


def _candidate_ids(rnd: dict[str, Any]) -> set[str]:
    return {str(c.get("idea_id")) for c in rnd.get("candidates", [])}


def _place(rnd: dict[str, Any], result: dict[str, Any] | None, idea_id: str) -> RoundPlace:
    place = RoundPlace(
        round_id=str(rnd["id"]), title=rnd.get("title"), method=rnd.get("method"), phase=rnd.get("phase")
    )
    ranking = (result or {}).get("result", result or {}).get("ranking", []) if result else []
    for row in ranking:
        if str(row.get("idea_id")) == idea_id:
            place.rank, place.tied = row.get("rank"), row.get("tied")
            place.figures = {k: v for k, v in row.items() if k not in ("idea_id", "title", "rank", "tied")}
    return place


async def _optional(coro, part: str, unavailable: list[str], default):
    try:
        return await coro
    except Unavailable:
        unavailable.append(part)
        return default


async def _round_places(request: Request, hack_day_id: str, idea_id: str) -> list[RoundPlace]:
    rounds = [r for r in await _rounds_for(request, hack_day_id) if idea_id in _candidate_ids(r)]
    results = await asyncio.gather(*(_result(request, str(r["id"])) for r in rounds))
    return [_place(r, res, idea_id) for r, res in zip(rounds, results, strict=True)]


async def _trial_of(request: Request, idea_id: str) -> dict[str, Any] | None:
    response = await _get(request, "followup", f"/api/followup/trials/by-idea/{idea_id}")
    return response.json() if response.status_code == 200 else None


async def _library_of(request: Request, idea_id: str) -> dict[str, Any] | None:
    response = await _get(request, "followup", "/api/followup/library", params={"idea_id": idea_id, "limit": 1})
    items = response.json().get("items", []) if response.status_code == 200 else []
    return items[0] if items else None


@router.get(
    "/ideas/{idea_id}",
    response_model=IdeaJourney,
    summary="An idea's whole journey: the idea, its hack day, its rounds with rank and count, its trial and verdict",
    responses=responses(401, 403, 404, 422, 503),
)
async def idea_journey(idea_id: uuid.UUID, request: Request, principal: CurrentPrincipal) -> IdeaJourney:
    """An idea's whole journey in one call: the idea, its hack day, the rounds it stood in with its rank and count,
    its trial and its published verdict. Each part is shown only as far as you may read it there; an idea you
    cannot see is a 404. Parts whose service cannot be reached are left out and named in `unavailable`; 503 only
    when the ideas service itself cannot be reached."""
    try:
        idea_response = await _get(request, "ideas", f"/api/ideas/ideas/{idea_id}")
    except Unavailable as exc:
        raise Problem(503, "The ideas service is not reachable just now.") from exc
    _pass_on(idea_response)
    idea = idea_response.json()
    unavailable: list[str] = []

    async def hack_day() -> dict[str, Any] | None:
        if not idea.get("hack_day_id"):
            return None
        response = await _get(request, "ideas", f"/api/ideas/hack-days/{idea['hack_day_id']}")
        return response.json() if response.status_code == 200 else None

    day, places, trial, entry = await asyncio.gather(
        _optional(hack_day(), "ideas", unavailable, None),
        _optional(_round_places(request, str(idea.get("hack_day_id")), str(idea_id)), "voting", unavailable, [])
        if idea.get("hack_day_id")
        else asyncio.sleep(0, []),
        _optional(_trial_of(request, str(idea_id)), "followup", unavailable, None),
        _optional(_library_of(request, str(idea_id)), "followup", unavailable, None),
    )
    return IdeaJourney(
        idea=idea, hack_day=day, rounds=places, trial=trial, library_entry=entry, unavailable=sorted(set(unavailable))
    )


# ---- a hack day, for its organisers -------------------------------------------------------------------


class HackDayIdea(BaseModel):
    idea: dict[str, Any]
    trial: dict[str, Any] | None


class HackDayJourney(BaseModel):
    hack_day: dict[str, Any]
    ideas: list[HackDayIdea]
    rounds: list[dict[str, Any]]
    trials_by_status: dict[str, int]
    unavailable: list[str] = Field(default_factory=list)


@router.get(
    "/hack-days/{hack_day_id}",
    response_model=HackDayJourney,
    summary="A hack day at a glance for its council: ideas, the vote, which ideas are in trial and how they go",
    responses=responses(401, 403, 404, 422, 503),
)
async def hack_day_journey(hack_day_id: uuid.UUID, request: Request, principal: CurrentPrincipal) -> HackDayJourney:
    """A hack day at a glance for its council: its ideas, its rounds with their results as far as you may see them,
    which ideas are in trial and how many trials are at each status. A hack day of another council is a 404.
    Parts whose service cannot be reached are left out and named in `unavailable`; 503 only when the ideas
    service itself cannot be reached."""
    try:
        day = await _get(request, "ideas", f"/api/ideas/hack-days/{hack_day_id}")
        _pass_on(day)
        listed = await _get(
            request, "ideas", "/api/ideas/ideas", params={"hack_day_id": str(hack_day_id), "limit": 200}
        )
    except Unavailable as exc:
        raise Problem(503, "The ideas service is not reachable just now.") from exc
    _pass_on(listed)
    ideas = listed.json().get("items", [])
    unavailable: list[str] = []

    async def rounds_with_results() -> list[dict[str, Any]]:
        rounds = await _rounds_for(request, str(hack_day_id))
        results = await asyncio.gather(*(_result(request, str(r["id"])) for r in rounds))
        return [{**r, "result": res} for r, res in zip(rounds, results, strict=True)]

    async def trials() -> dict[str, dict[str, Any]]:
        response = await _get(request, "followup", "/api/followup/trials", params={"limit": 200})
        items = response.json().get("items", []) if response.status_code == 200 else []
        wanted = {str(i["id"]) for i in ideas}
        return {str(t["idea"]["id"]): t for t in items if str(t.get("idea", {}).get("id")) in wanted}

    rounds, by_idea = await asyncio.gather(
        _optional(rounds_with_results(), "voting", unavailable, []),
        _optional(trials(), "followup", unavailable, {}),
    )
    counts: dict[str, int] = {}
    for trial in by_idea.values():
        counts[trial["status"]] = counts.get(trial["status"], 0) + 1
    return HackDayJourney(
        hack_day=day.json(),
        ideas=[HackDayIdea(idea=i, trial=by_idea.get(str(i["id"]))) for i in ideas],
        rounds=rounds,
        trials_by_status=counts,
        unavailable=sorted(set(unavailable)),
    )

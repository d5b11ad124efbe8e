"""How to make each call of the authorisation matrix: the path, body and headers for a column's
caller (`role`) and a row's `scope`:

- `-`        no object is involved (lists, creating, the caller's own view);
- `own`      an object the caller owns (their idea, their API key, themselves);
- `council`  an object of the caller's council that someone else owns;
- `other`    an object of another council.

When the matrix expects success, the object is made fresh for the call, so that a call that changes
it (a phase moved, an idea withdrawn) leaves nothing behind for the next row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.authz.world import Side, World, ok


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


Recipe = Callable[[World, str, str, bool], Call]
RECIPES: dict[tuple[str, str], Recipe] = {}


def recipe(method: str, path: str) -> Callable[[Recipe], Recipe]:
    def register(fn: Recipe) -> Recipe:
        RECIPES[(method, path)] = fn
        return fn

    return register


def side_of(w: World, scope: str) -> Side:
    return w.away if scope == "other" else w.home


def days_ago(n: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=n)).isoformat()


# ==== the gateway: identity ====================================================================


@recipe("GET", "/api/auth/me")
def _me(w, role, scope, fresh):
    return Call("GET", "/api/auth/me")


@recipe("POST", "/api/auth/login")
def _login(w, role, scope, fresh):
    # Public: a wrong password is refused the same whoever sends it (and a token changes nothing).
    return Call("POST", "/api/auth/login", json={"email": "nobody@example.org", "password": "not-the-password"})


@recipe("POST", "/api/auth/invitations/accept")
def _accept_invitation(w, role, scope, fresh):
    return Call(
        "POST",
        "/api/auth/invitations/accept",
        json={"code": "not-an-invitation-code", "password": "a-long-enough-password"},
    )


@recipe("POST", "/api/auth/token")
def _api_key_token(w, role, scope, fresh):
    return Call("POST", "/api/auth/token", headers={"X-API-Key": "hk_not-a-real-key"})


@recipe("GET", "/api/auth/sign-on")
def _sign_on_councils(w, role, scope, fresh):
    return Call("GET", "/api/auth/sign-on")


@recipe("POST", "/api/auth/sign-on/start")
def _sign_on_start(w, role, scope, fresh):
    # Public: a council without single sign-on is a 404 whoever asks.
    return Call("POST", "/api/auth/sign-on/start", json={"council": "no-such-council"})


@recipe("POST", "/api/auth/sign-on/complete")
def _sign_on_complete(w, role, scope, fresh):
    return Call("POST", "/api/auth/sign-on/complete", json={"state": "s" * 43, "code": "not-a-code"})


SIGN_ON = {
    "issuer": "https://127.0.0.1:9/home-council",  # never reached: no sign-in starts here
    "client_id": "hackday-platform",
    "client_secret": "not-a-real-secret",
    "email_domains": ["home.example.org"],
}


def _sign_on_call(w, role, method: str) -> Call:
    path = f"/api/councils/{w.home.council.id}/sign-on"
    if role == "admin" and w.admin.get(path).status_code == 404:
        ok(w.admin.put(path, json=SIGN_ON))  # there is one to read, change or remove
    if method == "PUT":
        return Call(method, path, json=SIGN_ON, headers={"If-Match": w.etag(path)})
    return Call(method, path)


@recipe("PUT", "/api/councils/{council_id}/sign-on")
def _sign_on_put(w, role, scope, fresh):
    return _sign_on_call(w, role, "PUT")


@recipe("GET", "/api/councils/{council_id}/sign-on")
def _sign_on_get(w, role, scope, fresh):
    return _sign_on_call(w, role, "GET")


@recipe("DELETE", "/api/councils/{council_id}/sign-on")
def _sign_on_delete(w, role, scope, fresh):
    return _sign_on_call(w, role, "DELETE")


@recipe("GET", "/api/councils")
def _councils(w, role, scope, fresh):
    return Call("GET", "/api/councils")


@recipe("POST", "/api/councils")
def _create_council(w, role, scope, fresh):
    slug = f"council-{uuid.uuid4().hex[:10]}"
    return Call("POST", "/api/councils", json={"name": f"{slug.title()} Council", "slug": slug})


@recipe("GET", "/api/councils/{council_id}")
def _council(w, role, scope, fresh):
    return Call("GET", f"/api/councils/{side_of(w, scope).council.id}")


@recipe("PATCH", "/api/councils/{council_id}")
def _change_council(w, role, scope, fresh):
    path = f"/api/councils/{side_of(w, scope).council.id}"
    return Call("PATCH", path, json={"contact_email": "hackday@example.org"}, headers={"If-Match": w.etag(path)})


@recipe("GET", "/api/councils/{council_id}/contact")
def _council_contact(w, role, scope, fresh):
    # Open, as the library it is shown beside: anyone may read whom to ask about a council's trials.
    return Call("GET", f"/api/councils/{side_of(w, scope).council.id}/contact")


@recipe("GET", "/api/councils/{council_id}/people")
def _council_people(w, role, scope, fresh):
    return Call("GET", f"/api/councils/{side_of(w, scope).council.id}/people")


@recipe("POST", "/api/councils/{council_id}/staff")
def _add_staff(w, role, scope, fresh):
    people = [{"email": f"staff-{uuid.uuid4().hex[:10]}@example.org", "name": "New Starter"}]
    return Call("POST", f"/api/councils/{side_of(w, scope).council.id}/staff", json={"people": people})


@recipe("POST", "/api/people")
def _create_person(w, role, scope, fresh):
    return Call(
        "POST",
        "/api/people",
        json={
            "email": f"p-{uuid.uuid4().hex[:10]}@example.org",
            "name": "New Person",
            "council_id": w.home.council.id,
            "roles": ["staff"],
        },
    )


@recipe("GET", "/api/people/{person_id}")
def _person(w, role, scope, fresh):
    if scope == "own":
        return Call("GET", f"/api/people/{w.actor(role).id if role != 'none' else w.home.staff.id}")
    return Call("GET", f"/api/people/{side_of(w, scope).colleague.id}")


@recipe("PUT", "/api/people/{person_id}/roles")
def _set_roles(w, role, scope, fresh):
    person = w.person(side_of(w, scope)) if fresh else side_of(w, scope).colleague
    path = f"/api/people/{person.id}"
    return Call("PUT", f"{path}/roles", json={"roles": ["staff"]}, headers={"If-Match": w.etag(path)})


@recipe("POST", "/api/auth/refresh")
def _refresh(w, role, scope, fresh):
    return Call("POST", "/api/auth/refresh", json={"refresh_token": "hr_not-a-real-refresh-token"})


@recipe("POST", "/api/auth/logout")
def _logout(w, role, scope, fresh):
    return Call("POST", "/api/auth/logout", json={"refresh_token": "hr_not-a-real-refresh-token"})


@recipe("POST", "/api/auth/sign-out-everywhere")
def _sign_out_everywhere(w, role, scope, fresh):
    # A fresh person of the column's role signs out, so the world's people keep their tokens.
    if role == "none":
        return Call("POST", "/api/auth/sign-out-everywhere")
    person = w.person(w.home, role) if role != "admin" else w._new_person(None, "admin")
    return Call("POST", "/api/auth/sign-out-everywhere", headers={"Authorization": f"Bearer {person.token}"})


@recipe("PUT", "/api/auth/password")
def _change_password(w, role, scope, fresh):
    body = {"current_password": "not-the-password", "new_password": "a-long-enough-new-password"}
    return Call("PUT", "/api/auth/password", json=body)


def _switched(w, scope, fresh, action: str) -> Call:
    person = w.person(side_of(w, scope)) if fresh else side_of(w, scope).colleague
    return Call("POST", f"/api/people/{person.id}/{action}")


@recipe("POST", "/api/people/{person_id}/invitation")
def _reissue_invitation(w, role, scope, fresh):
    return _switched(w, scope, fresh, "invitation")


@recipe("PUT", "/api/auth/mail-preferences")
def _mail_preferences(w, role, scope, fresh):
    return Call("PUT", "/api/auth/mail-preferences", json={"news_mail": True})


@recipe("POST", "/api/auth/password-reset")
def _ask_password_reset(w, role, scope, fresh):
    return Call("POST", "/api/auth/password-reset", json={"email": "nobody@example.org"})


@recipe("POST", "/api/auth/password-reset/complete")
def _complete_password_reset(w, role, scope, fresh):
    body = {"code": "pwr_not-a-real-reset-code", "password": "a-long-enough-new-password"}
    return Call("POST", "/api/auth/password-reset/complete", json=body)


@recipe("POST", "/api/people/{person_id}/deactivate")
def _deactivate(w, role, scope, fresh):
    return _switched(w, scope, fresh, "deactivate")


@recipe("POST", "/api/people/{person_id}/reactivate")
def _reactivate(w, role, scope, fresh):
    return _switched(w, scope, fresh, "reactivate")


@recipe("GET", "/api/people/{person_id}/history")
def _history(w, role, scope, fresh):
    if scope == "own":
        return Call("GET", f"/api/people/{w.actor(role).id}/history")
    return Call("GET", f"/api/people/{side_of(w, scope).colleague.id}/history")


@recipe("GET", "/api/api-keys")
def _api_keys(w, role, scope, fresh):
    return Call("GET", "/api/api-keys")


@recipe("POST", "/api/api-keys")
def _create_api_key(w, role, scope, fresh):
    roles = ["staff"] if role in ("none", "admin") else [role]
    return Call("POST", "/api/api-keys", json={"name": f"script {uuid.uuid4().hex[:6]}", "roles": roles})


@recipe("DELETE", "/api/api-keys/{key_id}")
def _revoke_api_key(w, role, scope, fresh):
    owner = w.actor(role) if scope == "own" else side_of(w, scope).manager
    key = ok(owner.post("/api/api-keys", json={"name": "to revoke", "roles": [owner.roles[0]]}), 201)
    return Call("DELETE", f"/api/api-keys/{key['id']}")


for _part in ("ideas", "voting", "followup"):
    recipe("GET", f"/api/{_part}/whoami")(lambda w, role, scope, fresh, _p=_part: Call("GET", f"/api/{_p}/whoami"))

recipe("GET", "/healthz")(lambda w, role, scope, fresh: Call("GET", "/healthz"))
recipe("GET", "/readyz")(lambda w, role, scope, fresh: Call("GET", "/readyz"))


# ==== ideas: hack days ==========================================================================


def _day(w: World, scope: str, fresh: bool, phase: str = "open") -> dict:
    side = side_of(w, scope)
    return w.hack_day(side, phase=phase) if fresh else side.hack_day


@recipe("GET", "/api/ideas/hack-days")
def _hack_days(w, role, scope, fresh):
    return Call("GET", "/api/ideas/hack-days")


@recipe("POST", "/api/ideas/hack-days")
def _create_hack_day(w, role, scope, fresh):
    return Call(
        "POST",
        "/api/ideas/hack-days",
        json={"name": "Spring hack day", "date": "2027-04-01", "themes": ["Less paperwork"]},
    )


@recipe("GET", "/api/ideas/hack-days/{hack_day_id}")
def _hack_day(w, role, scope, fresh):
    return Call("GET", f"/api/ideas/hack-days/{_day(w, scope, False)['id']}")


@recipe("PATCH", "/api/ideas/hack-days/{hack_day_id}")
def _edit_hack_day(w, role, scope, fresh):
    path = f"/api/ideas/hack-days/{_day(w, scope, fresh)['id']}"
    return Call("PATCH", path, json={"name": "Renamed hack day"}, headers={"If-Match": w.etag(path)})


@recipe("GET", "/api/ideas/hack-days/{hack_day_id}/ideas.csv")
def _hack_day_csv(w, role, scope, fresh):
    return Call("GET", f"/api/ideas/hack-days/{_day(w, scope, False)['id']}/ideas.csv")


@recipe("POST", "/api/ideas/hack-days/{hack_day_id}/phase")
def _move_phase(w, role, scope, fresh):
    day = _day(w, scope, True, phase="draft") if fresh else w.hack_day(side_of(w, scope), phase="draft")
    return Call("POST", f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"})


@recipe("POST", "/api/ideas/hack-days/{hack_day_id}/shortlist")
def _shortlist_many(w, role, scope, fresh):
    side = side_of(w, scope)
    idea = w.idea(side, side.colleague) if fresh else side.idea
    return Call("POST", f"/api/ideas/hack-days/{idea['hack_day_id']}/shortlist", json={"idea_ids": [idea["id"]]})


@recipe("POST", "/api/ideas/hack-days/{hack_day_id}/hide")
def _hide_many(w, role, scope, fresh):
    side = side_of(w, scope)
    idea = w.idea(side, side.colleague) if fresh else side.idea
    body = {"idea_ids": [idea["id"]], "reason": "Off topic for the day"}
    return Call("POST", f"/api/ideas/hack-days/{idea['hack_day_id']}/hide", json=body)


@recipe("POST", "/api/ideas/hack-days/{hack_day_id}/duplicate")
def _duplicate_many(w, role, scope, fresh):
    side = side_of(w, scope)
    idea = w.idea(side, side.colleague) if fresh else side.idea  # refused before anything changes
    body = {"idea_ids": [idea["id"]], "duplicate_of_id": side.idea["id"]}
    return Call("POST", f"/api/ideas/hack-days/{idea['hack_day_id']}/duplicate", json=body)


# ==== ideas: ideas, teams, moderation, comments =================================================


def _idea(w: World, role: str, scope: str, fresh: bool) -> dict:
    """`own`: the caller's idea (fresh: theirs to change); `council`: a colleague's; `other`: another council's."""
    side = side_of(w, scope)
    if scope == "own":
        return w.idea(side, w.actor(role))
    return w.idea(side, side.colleague) if fresh else side.idea


@recipe("GET", "/api/ideas/ideas")
def _ideas(w, role, scope, fresh):
    return Call("GET", "/api/ideas/ideas")


@recipe("GET", "/api/ideas/ideas/counts")
def _count_ideas(w, role, scope, fresh):
    return Call("GET", "/api/ideas/ideas/counts")


@recipe("POST", "/api/ideas/ideas")
def _submit_idea(w, role, scope, fresh):
    from tests.authz.world import idea_body

    return Call("POST", "/api/ideas/ideas", json=idea_body(side_of(w, scope).hack_day["id"]))


@recipe("GET", "/api/ideas/ideas/{idea_id}")
def _read_idea(w, role, scope, fresh):
    return Call("GET", f"/api/ideas/ideas/{_idea(w, role, scope, False)['id']}")


@recipe("PATCH", "/api/ideas/ideas/{idea_id}")
def _edit_idea(w, role, scope, fresh):
    path = f"/api/ideas/ideas/{_idea(w, role, scope, fresh)['id']}"
    return Call(
        "PATCH", path, json={"proposal": "Send a text message a week before."}, headers={"If-Match": w.etag(path)}
    )


@recipe("POST", "/api/ideas/ideas/{idea_id}/withdraw")
def _withdraw(w, role, scope, fresh):
    return Call("POST", f"/api/ideas/ideas/{_idea(w, role, scope, fresh)['id']}/withdraw")


@recipe("POST", "/api/ideas/ideas/{idea_id}/co-authors")
def _invite(w, role, scope, fresh):
    idea = _idea(w, role, scope, fresh)
    side = side_of(w, scope)
    return Call("POST", f"/api/ideas/ideas/{idea['id']}/co-authors", json={"person_id": w.person(side).id})


@recipe("POST", "/api/ideas/ideas/{idea_id}/invitation/accept")
def _accept(w, role, scope, fresh):
    """`own`: the caller was invited to a colleague's idea; `council`/`other`: they were not."""
    side = side_of(w, scope)
    idea = w.idea(side, side.colleague)
    if scope == "own" and w.actor(role) is not None and w.actor(role).council_id == side.council.id:
        ok(side.colleague.post(f"/api/ideas/ideas/{idea['id']}/co-authors", json={"person_id": w.actor(role).id}))
    return Call("POST", f"/api/ideas/ideas/{idea['id']}/invitation/accept")


@recipe("DELETE", "/api/ideas/ideas/{idea_id}/co-authors/{person_id}")
def _remove_co_author(w, role, scope, fresh):
    """The lead author (`own`: the caller) takes back an invitation to a colleague."""
    side = side_of(w, scope)
    author = w.actor(role) if scope == "own" else side.colleague
    idea = w.idea(side, author)
    invited = w.person(side)
    ok(author.post(f"/api/ideas/ideas/{idea['id']}/co-authors", json={"person_id": invited.id}))
    return Call("DELETE", f"/api/ideas/ideas/{idea['id']}/co-authors/{invited.id}")


def _moderate(action: str, method: str = "POST", body: Any = None, prepare: str | None = None) -> Recipe:
    def prepared(w: World, side: Side) -> dict:
        idea = w.idea(side, side.colleague)
        if prepare == "hide":
            ok(side.organiser.post(f"/api/ideas/ideas/{idea['id']}/hide", json={"reason": "Off topic for the day"}))
        elif prepare == "duplicate":
            ok(
                side.organiser.post(
                    f"/api/ideas/ideas/{idea['id']}/duplicate", json={"duplicate_of_id": side.idea["id"]}
                )
            )
        elif prepare == "shortlist":
            ok(side.organiser.post(f"/api/ideas/ideas/{idea['id']}/shortlist"))
        return idea

    def make(w, role, scope, fresh):
        side = side_of(w, scope)
        if fresh:
            idea = prepared(w, side) if prepare else w.idea(side, side.colleague)
        else:
            idea = w.shared(("moderated", prepare, scope), lambda: prepared(w, side)) if prepare else side.idea
        payload = body(side) if callable(body) else body
        return Call(method, f"/api/ideas/ideas/{idea['id']}/{action}", json=payload)

    return make


recipe("POST", "/api/ideas/ideas/{idea_id}/hide")(_moderate("hide", body={"reason": "Off topic for the day"}))
recipe("POST", "/api/ideas/ideas/{idea_id}/unhide")(_moderate("unhide", prepare="hide"))
recipe("POST", "/api/ideas/ideas/{idea_id}/duplicate")(
    _moderate("duplicate", body=lambda side: {"duplicate_of_id": side.idea["id"]})
)
recipe("DELETE", "/api/ideas/ideas/{idea_id}/duplicate")(_moderate("duplicate", "DELETE", prepare="duplicate"))
recipe("POST", "/api/ideas/ideas/{idea_id}/shortlist")(_moderate("shortlist"))
recipe("DELETE", "/api/ideas/ideas/{idea_id}/shortlist")(_moderate("shortlist", "DELETE", prepare="shortlist"))


@recipe("GET", "/api/ideas/ideas/{idea_id}/comments")
def _comments(w, role, scope, fresh):
    return Call("GET", f"/api/ideas/ideas/{side_of(w, scope).idea['id']}/comments")


@recipe("POST", "/api/ideas/ideas/{idea_id}/comments")
def _comment(w, role, scope, fresh):
    return Call(
        "POST",
        f"/api/ideas/ideas/{side_of(w, scope).idea['id']}/comments",
        json={"body": "We tried something like this in 2024; happy to share notes."},
    )


@recipe("POST", "/api/ideas/ideas/{idea_id}/comments/{comment_id}/hide")
def _hide_comment(w, role, scope, fresh):
    side = side_of(w, scope)
    comment = ok(
        side.staff.post(f"/api/ideas/ideas/{side.idea['id']}/comments", json={"body": "A comment to moderate."}), 201
    )
    return Call(
        "POST", f"/api/ideas/ideas/{side.idea['id']}/comments/{comment['id']}/hide", json={"reason": "Names a resident"}
    )


@recipe("POST", "/api/ideas/similar")
def _similar(w, role, scope, fresh):
    return Call("POST", "/api/ideas/similar", json={"title": "Text reminders for council tax"})


@recipe("POST", "/api/ideas/similar/to-ideas")
def _similar_to_ideas(w, role, scope, fresh):
    return Call("POST", "/api/ideas/similar/to-ideas", json={"idea_ids": [_idea(w, role, scope, False)["id"]]})


@recipe("GET", "/api/ideas/vocabulary")
def _ideas_vocabulary(w, role, scope, fresh):
    return Call("GET", "/api/ideas/vocabulary")


# ==== voting =====================================================================================


def _round(w: World, scope: str, phase: str, ballot: bool = False, fresh: bool = True) -> dict:
    side = side_of(w, scope)
    # The colleague wrote the candidates, and nobody votes for their own idea: a staff member votes.
    if fresh:
        return w.round(side, phase=phase, ballot_by=side.staff if ballot else None)
    return w.shared(
        ("round", scope, phase, ballot), lambda: w.round(side, phase=phase, ballot_by=side.staff if ballot else None)
    )


@recipe("GET", "/api/voting/rounds")
def _rounds(w, role, scope, fresh):
    return Call("GET", "/api/voting/rounds")


@recipe("POST", "/api/voting/rounds")
def _create_round(w, role, scope, fresh):
    side = side_of(w, scope)
    ideas = [side.idea["id"], w.idea(side, side.colleague)["id"]]
    return Call(
        "POST",
        "/api/voting/rounds",
        json={
            "hack_day_id": side.hack_day["id"],
            "title": "Which to trial",
            "method": "approval",
            "rules": {},
            "idea_ids": ideas,
        },
    )


def _round_call(
    path: str,
    method: str = "GET",
    phase: str = "draft",
    ballot: bool = False,
    body: Any = None,
    changes: bool | None = None,
) -> Recipe:
    changes = method != "GET" if changes is None else changes

    def make(w, role, scope, fresh):
        # Reads change nothing, so they share one round; a change the caller may make gets its own.
        rnd = _round(w, scope, phase, ballot, fresh=fresh and changes)
        call = Call(method, f"/api/voting/rounds/{rnd['id']}{path}", json=body(rnd) if callable(body) else body)
        if method == "PATCH":
            call.headers["If-Match"] = f'"{rnd["version"]}"'
        return call

    return make


recipe("GET", "/api/voting/rounds/{round_id}")(_round_call(""))
recipe("PATCH", "/api/voting/rounds/{round_id}")(_round_call("", "PATCH", body={"title": "Renamed round"}))
recipe("POST", "/api/voting/rounds/{round_id}/open")(_round_call("/open", "POST"))
recipe("POST", "/api/voting/rounds/{round_id}/close")(_round_call("/close", "POST", phase="open"))
recipe("POST", "/api/voting/rounds/{round_id}/publish")(_round_call("/publish", "POST", phase="closed", ballot=True))
recipe("POST", "/api/voting/rounds/{round_id}/ballot")(
    _round_call("/ballot", "POST", phase="open", body=lambda rnd: {"choices": World.approval(rnd)})
)
recipe("GET", "/api/voting/rounds/{round_id}/ballot")(_round_call("/ballot", phase="open"))
recipe("POST", "/api/voting/rounds/{round_id}/receipts/check")(
    _round_call(
        "/receipts/check", "POST", phase="published", ballot=True, body={"receipt": "NOT-A-RECEIPT"}, changes=False
    )
)
recipe("GET", "/api/voting/rounds/{round_id}/result")(_round_call("/result", phase="published", ballot=True))
recipe("GET", "/api/voting/rounds/{round_id}/ballots")(_round_call("/ballots", phase="published", ballot=True))
recipe("GET", "/api/voting/rounds/{round_id}/export/result.csv")(
    _round_call("/export/result.csv", phase="closed", ballot=True)
)
recipe("GET", "/api/voting/rounds/{round_id}/export/ballots.csv")(
    _round_call("/export/ballots.csv", phase="closed", ballot=True)
)
recipe("GET", "/api/voting/rounds/{round_id}/audit")(_round_call("/audit", phase="published", ballot=True))
recipe("GET", "/api/voting/rounds/{round_id}/audit/verify")(
    _round_call("/audit/verify", phase="published", ballot=True)
)


# ==== follow-up ==================================================================================


def _trial(w: World, scope: str, stage: str = "planned", fresh: bool = True) -> dict:
    """A trial of the side's council, taken to `stage`: planned, running, evaluating, concluded, published."""
    if not fresh:
        return w.shared(("trial", scope, stage), lambda: _trial(w, scope, stage))
    side = side_of(w, scope)
    trial = w.trial(side, metric=True)
    manager, tid = side.manager, trial["id"]
    if stage == "planned":
        return trial
    ok(manager.post(f"/api/followup/trials/{tid}/start"))
    trial = ok(manager.get(f"/api/followup/trials/{tid}"))
    if stage == "running":
        return trial
    ok(manager.post(f"/api/followup/trials/{tid}/evaluate"))
    if stage == "evaluating":
        return ok(manager.get(f"/api/followup/trials/{tid}"))
    ok(manager.post(f"/api/followup/trials/{tid}/verdict", json=VERDICT))
    if stage == "published":
        ok(manager.post(f"/api/followup/trials/{tid}/publish", json={}), 201)
    return ok(manager.get(f"/api/followup/trials/{tid}"))


VERDICT = {
    "outcome": "inconclusive",
    "summary": "Too few cases in the period to tell.",
    "reasons": [{"code": "data", "note": "The case system lost a month of records."}],
    "lessons": {
        "what_worked": "",
        "what_did_not": "Measuring by hand.",
        "do_differently": "Automate the count.",
        "conditions_elsewhere": "Councils with case-level reporting.",
    },
}


def _trial_call(
    path: str, method: str = "GET", stage: str = "planned", body: Any = None, if_match: bool = False
) -> Recipe:
    def make(w, role, scope, fresh):
        trial = _trial(w, scope, stage, fresh=fresh and method != "GET")
        resolved = path.format(metric_id=_metric(trial)["id"], checkpoint_id=_checkpoint_id(trial))
        call = Call(
            method, f"/api/followup/trials/{trial['id']}{resolved}", json=body(trial) if callable(body) else body
        )
        if if_match:
            version = _metric(trial)["version"] if "metrics/" in path else trial["version"]
            call.headers["If-Match"] = f'"{version}"'
        return call

    return make


def _metric(trial: dict) -> dict:
    return trial["metrics"][0]


def _checkpoint_id(trial: dict) -> str:
    checkpoints = trial.get("checkpoints") or []
    return checkpoints[0]["id"] if checkpoints else str(uuid.uuid4())


def _measurement(trial: dict) -> dict:
    return {
        "metric_id": _metric(trial)["id"],
        "value": 1.5,
        "period_start": days_ago(28),
        "period_end": days_ago(1),
        "method": "Case system report",
    }


@recipe("GET", "/api/followup/trials")
def _trials(w, role, scope, fresh):
    return Call("GET", "/api/followup/trials")


@recipe("POST", "/api/followup/trials")
def _create_trial(w, role, scope, fresh):
    side = side_of(w, scope)
    return Call(
        "POST",
        "/api/followup/trials",
        json={
            "idea_id": w.idea(side, side.colleague)["id"],
            "scope": "One team",
            "trial_cost_pounds": 500,
            "hypothesis": "If we pre-fill forms, then time per case will fall by a quarter.",
        },
    )


@recipe("GET", "/api/followup/trials/by-idea/{idea_id}")
def _trial_by_idea(w, role, scope, fresh):
    return Call("GET", f"/api/followup/trials/by-idea/{_trial(w, scope, fresh=False)['idea']['id']}")


@recipe("POST", "/api/followup/trials/by-ideas")
def _trials_by_ideas(w, role, scope, fresh):
    # Always 200: a trial the caller may not read is left out of the answer, never refused.
    return Call(
        "POST", "/api/followup/trials/by-ideas", json={"idea_ids": [_trial(w, scope, fresh=False)["idea"]["id"]]}
    )


recipe("GET", "/api/followup/trials/{trial_id}")(_trial_call(""))
recipe("PATCH", "/api/followup/trials/{trial_id}")(_trial_call("", "PATCH", body={"scope": "Two teams"}, if_match=True))
recipe("POST", "/api/followup/trials/{trial_id}/metrics")(
    _trial_call(
        "/metrics", "POST", body={"name": "Days of waiting", "unit": "days_waiting", "direction": "lower_is_better"}
    )
)
recipe("PATCH", "/api/followup/trials/{trial_id}/metrics/{metric_id}")(
    _trial_call("/metrics/{metric_id}", "PATCH", body={"name": "Hours per case, all teams"}, if_match=True)
)
recipe("DELETE", "/api/followup/trials/{trial_id}/metrics/{metric_id}")(_trial_call("/metrics/{metric_id}", "DELETE"))
recipe("POST", "/api/followup/trials/{trial_id}/start")(_trial_call("/start", "POST"))
recipe("POST", "/api/followup/trials/{trial_id}/evaluate")(_trial_call("/evaluate", "POST", stage="running"))
recipe("POST", "/api/followup/trials/{trial_id}/measurements")(
    _trial_call("/measurements", "POST", stage="running", body=_measurement)
)
recipe("GET", "/api/followup/trials/{trial_id}/measurements")(_trial_call("/measurements", stage="running"))
recipe("POST", "/api/followup/trials/{trial_id}/checkpoints/{checkpoint_id}/review")(
    _trial_call("/checkpoints/{checkpoint_id}/review", "POST", stage="running", body={"note": "On track."})
)
recipe("POST", "/api/followup/trials/{trial_id}/verdict")(
    _trial_call("/verdict", "POST", stage="evaluating", body=VERDICT)
)
recipe("POST", "/api/followup/trials/{trial_id}/publish")(_trial_call("/publish", "POST", stage="concluded", body={}))
recipe("POST", "/api/followup/trials/{trial_id}/measurements/batch")(
    _trial_call("/measurements/batch", "POST", stage="running", body=lambda t: {"measurements": [_measurement(t)]})
)
recipe("POST", "/api/followup/trials/{trial_id}/verdict/check")(
    _trial_call("/verdict/check", "POST", stage="evaluating", body=VERDICT)
)
recipe("GET", "/api/followup/trials/{trial_id}/publish/preview")(_trial_call("/publish/preview", stage="concluded"))


for _path in (
    "",
    "/export.csv",
    "/export.json",
    "/feed.json",
    "/feed.atom",
    "/schema.json",
    "/what-works",
    "/federation.json",
):
    recipe("GET", f"/api/followup/library{_path}")(
        lambda w, role, scope, fresh, _p=_path: Call("GET", f"/api/followup/library{_p}")
    )


@recipe("GET", "/api/followup/library/{entry_id}")
def _library_entry(w, role, scope, fresh):
    trial = _trial(w, scope, "published", fresh=False)
    return Call("GET", f"/api/followup/library/{trial['library_entry_id']}")


def _published_entry_call(suffix: str, method: str, body: dict, headers: dict | None = None) -> Recipe:
    def make(w, role, scope, fresh):
        trial = _trial(w, scope, "published", fresh=fresh)
        return Call(
            method, f"/api/followup/library/{trial['library_entry_id']}{suffix}", json=body, headers=headers or {}
        )

    return make


recipe("PATCH", "/api/followup/library/{entry_id}")(
    _published_entry_call("", "PATCH", {"note": "A typo mended.", "summary": "Corrected."}, {"If-Match": "*"})
)
recipe("POST", "/api/followup/library/{entry_id}/withdrawal")(
    _published_entry_call("/withdrawal", "POST", {"reason": "Published by mistake."})
)


def _new_subscription_body() -> dict:
    # Nothing listens on port 9 here: an import fails at once, and says so.
    return {"name": "Another platform", "feed_url": f"http://127.0.0.1:9/{uuid.uuid4().hex}/federation.json"}


def _subscription(w: World) -> dict:
    return w.shared(
        ("subscription",),
        lambda: ok(w.admin.post("/api/followup/federation/subscriptions", json=_new_subscription_body()), 201),
    )


@recipe("GET", "/api/followup/federation/subscriptions")
def _subscriptions(w, role, scope, fresh):
    return Call("GET", "/api/followup/federation/subscriptions")


@recipe("POST", "/api/followup/federation/subscriptions")
def _subscribe(w, role, scope, fresh):
    return Call("POST", "/api/followup/federation/subscriptions", json=_new_subscription_body())


@recipe("GET", "/api/followup/federation/subscriptions/{subscription_id}")
def _one_subscription(w, role, scope, fresh):
    return Call("GET", f"/api/followup/federation/subscriptions/{_subscription(w)['id']}")


@recipe("POST", "/api/followup/federation/subscriptions/{subscription_id}/import")
def _import_now(w, role, scope, fresh):
    return Call("POST", f"/api/followup/federation/subscriptions/{_subscription(w)['id']}/import")


def _changed_subscription(w: World, fresh: bool) -> dict:
    # A call that succeeds pauses or removes its subscription: one of its own, so the others still import.
    if fresh:
        return ok(w.admin.post("/api/followup/federation/subscriptions", json=_new_subscription_body()), 201)
    return _subscription(w)


@recipe("PATCH", "/api/followup/federation/subscriptions/{subscription_id}")
def _pause_subscription(w, role, scope, fresh):
    subscription = _changed_subscription(w, fresh)
    return Call(
        "PATCH",
        f"/api/followup/federation/subscriptions/{subscription['id']}",
        json={"active": False},
        headers={"If-Match": "*"},
    )


@recipe("DELETE", "/api/followup/federation/subscriptions/{subscription_id}")
def _remove_subscription(w, role, scope, fresh):
    subscription = _changed_subscription(w, fresh)
    return Call("DELETE", f"/api/followup/federation/subscriptions/{subscription['id']}", headers={"If-Match": "*"})


def _report(path: str) -> Recipe:
    def make(w, role, scope, fresh):
        # A person of no council names the council to report on; the others get their own.
        params = {"council_id": side_of(w, scope).council.id} if role == "admin" or scope == "other" else {}
        return Call("GET", path, params=params)

    return make


recipe("GET", "/api/followup/overdue")(_report("/api/followup/overdue"))
recipe("GET", "/api/followup/partners")(_report("/api/followup/partners"))


@recipe("POST", "/api/followup/partners")
def _add_partner(w, role, scope, fresh):
    return Call("POST", "/api/followup/partners", json={"name": f"Partner {uuid.uuid4().hex[:8]}", "kind": "charity"})


def _partner(w: World, scope: str) -> dict:
    side = side_of(w, scope)

    def make() -> dict:
        champion = w._new_person(side.council, "staff", "champion")
        body = {"name": f"Mapped {uuid.uuid4().hex[:8]}", "kind": "pharmacy"}
        response = champion.post("/api/followup/partners", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    return w.shared(("partner", scope), make)


@recipe("PATCH", "/api/followup/partners/{partner_id}")
def _change_partner(w, role, scope, fresh):
    partner = _partner(w, scope)
    return Call("PATCH", f"/api/followup/partners/{partner['id']}", json={"note": "x"}, headers={"If-Match": "*"})


@recipe("DELETE", "/api/followup/partners/{partner_id}")
def _remove_partner(w, role, scope, fresh):
    return Call("DELETE", f"/api/followup/partners/{_partner(w, scope)['id']}")


recipe("GET", "/api/followup/portfolio")(_report("/api/followup/portfolio"))
for _path in ("/api/followup/portfolio/sector", "/api/followup/vocabulary"):
    recipe("GET", _path)(lambda w, role, scope, fresh, _p=_path: Call("GET", _p))


# ==== the gateway: the journey views (composed from the services) ================================


@recipe("POST", "/api/journeys/tried-before")
def _tried_before(w, role, scope, fresh):
    return Call("POST", "/api/journeys/tried-before", json={"title": "Text reminders for council tax"})


@recipe("POST", "/api/journeys/tried-before/ideas")
def _tried_before_for_ideas(w, role, scope, fresh):
    return Call("POST", "/api/journeys/tried-before/ideas", json={"idea_ids": [_idea(w, role, scope, False)["id"]]})


@recipe("GET", "/api/journeys/ideas/{idea_id}")
def _idea_journey(w, role, scope, fresh):
    return Call("GET", f"/api/journeys/ideas/{_idea(w, role, scope, False)['id']}")


@recipe("GET", "/api/journeys/hack-days/{hack_day_id}")
def _hack_day_journey(w, role, scope, fresh):
    return Call("GET", f"/api/journeys/hack-days/{side_of(w, scope).hack_day['id']}")

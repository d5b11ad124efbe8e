"""Voting rules and validation, in-process (tests/support/inprocess.py). Creating a round asks the
ideas service for its candidates, so rounds themselves are made in the process tests."""

from __future__ import annotations

import uuid

from tests.support.http import ok, problem


def _round(**extra) -> dict:
    return {"hack_day_id": str(uuid.uuid4()), "title": "Which ideas to trial", "method": "approval", **extra}


def test_only_organisers_create_rounds(voting_app):
    staff = voting_app.person(roles=["staff"])
    problem(staff.post("/api/voting/rounds", json=_round()), 403)


def test_a_round_refuses_unknown_fields_bad_methods_and_nul(voting_app):
    organiser = voting_app.person(roles=["organiser"])
    problem(organiser.post("/api/voting/rounds", json=_round(phase="open")), 422, "phase")
    problem(organiser.post("/api/voting/rounds", json=_round(method="loudest")), 422, "method")
    problem(organiser.post("/api/voting/rounds", json=_round(title="Which\x00ideas")), 422, "title")


def test_rounds_are_listed_per_council_with_one_page_maximum(voting_app):
    organiser = voting_app.person(roles=["organiser"])
    page = ok(organiser.get("/api/voting/rounds", params={"limit": 200}))
    assert page["items"] == [] and page["total"] == 0 and page["next_offset"] is None
    problem(organiser.get("/api/voting/rounds", params={"limit": 201}), 422, "limit")


def test_nobody_sees_a_round_that_is_not_there(voting_app):
    organiser = voting_app.person(roles=["organiser"])
    problem(organiser.get(f"/api/voting/rounds/{uuid.uuid4()}"), 404)
    problem(organiser.post(f"/api/voting/rounds/{uuid.uuid4()}/ballot", json={"choices": {"approve": []}}), 404)


def test_the_application_state_is_typed(voting_app):
    held = vars(voting_app.app.state)["_state"]
    assert "platform" in held and "voting" in held
    assert set(held) <= {"platform", "voting", "outbox_relay", "allowed_methods_table"}, set(held)


# ---- ballots on a round put straight into the database (no ideas service in this process) ----------------------


def _open_round(voting_app, council_id: str, *, authors: dict[str, list[str]], closes_in: int = 3600, **rules) -> str:
    """An open approval round over the ideas in `authors` ({idea id: author ids}), as creating and
    opening it would leave it (the rules normalised, the window given)."""
    import json
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    round_id = uuid.uuid4()
    all_rules = {
        "max_approvals": 2,
        "voter_ids": None,
        "exclude_own_ideas": True,
        "secret": True,
        "results_hidden_until_close": True,
        **rules,
    }
    now = datetime.now(UTC)
    engine = sa.create_engine(voting_app.database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO rounds (id, council_id, hack_day_id, title, method, rules, candidates, phase, closes_at,"
                " selected_count, frozen, audit_seq, audit_head, created_by, created_at, updated_at, opened_at,"
                " version) VALUES (:id, :c, :h, 'In-process round', 'approval', :rules, :cands, 'open', :closes, 1,"
                " 0, 0, '', :by, :now, :now, :now, 2)"
            ),
            {
                "id": round_id.hex,
                "c": uuid.UUID(council_id).hex,
                "h": uuid.uuid4().hex,
                "rules": json.dumps(all_rules),
                "cands": json.dumps(
                    [{"idea_id": i, "title": f"Idea {i[:4]}", "author_ids": a} for i, a in authors.items()]
                ),
                "closes": (now + timedelta(seconds=closes_in)).isoformat(),
                "by": uuid.uuid4().hex,
                "now": now.isoformat(),
            },
        )
    engine.dispose()
    return str(round_id)


def test_a_ballot_is_checked_against_the_rules_and_gets_a_two_part_receipt(voting_app):
    organiser = voting_app.person(roles=["organiser"])
    council = organiser.council_id
    author = voting_app.person(council_id=council)
    voter = voting_app.person(council_id=council)
    mine, theirs, third = (str(uuid.uuid4()) for _ in range(3))
    rnd = _open_round(voting_app, council, authors={mine: [author.id], theirs: [], third: []})
    url = f"/api/voting/rounds/{rnd}/ballot"
    problem(author.post(url, json={"choices": {"approve": [mine]}}), 422, f"choices.approve.{mine}")
    problem(voter.post(url, json={"choices": {"approve": [mine, theirs, third]}}), 422)
    problem(voter.post(url, json={"choices": {"approve": [str(uuid.uuid4())]}}), 422)
    problem(voter.post(url, json={"choices": {"approve": [mine]}, "replaces": "X"}), 422, "replaces")
    first = ok(voter.post(url, json={"choices": {"approve": [mine]}}, headers={"Idempotency-Key": "k1"}), 201)
    assert len(first["receipt"].split("-")) == 8 and first["receipt"].startswith(first["ballot_id"] + "-")
    again = voter.post(url, json={"choices": {"approve": [mine]}}, headers={"Idempotency-Key": "k1"})
    assert again.json() == first and again.headers["idempotent-replayed"] == "true"
    second = ok(voter.post(url, json={"choices": {"approve": [theirs]}}), 201)
    assert second["replaces"] == first["receipt"]
    other = voting_app.person()  # another council: the round is not theirs to see
    problem(other.post(url, json={"choices": {"approve": [theirs]}}), 404)


def test_a_round_past_its_closing_time_takes_no_ballot(voting_app):
    organiser = voting_app.person(roles=["organiser"])
    idea = str(uuid.uuid4())
    rnd = _open_round(voting_app, organiser.council_id, authors={idea: [], str(uuid.uuid4()): []}, closes_in=-1)
    refused = problem(organiser.post(f"/api/voting/rounds/{rnd}/ballot", json={"choices": {"approve": [idea]}}), 409)
    assert "closed" in refused["detail"]


def test_only_services_say_who_joined_an_idea_and_voting_applies_it(voting_app):
    staff = voting_app.person()
    idea, other = str(uuid.uuid4()), str(uuid.uuid4())
    rnd = _open_round(voting_app, staff.council_id, authors={idea: [], other: []})
    body = {"council_id": staff.council_id, "idea_id": idea, "person_id": staff.id}
    problem(staff.post("/api/voting/internal/co-authors", json=body), 403)
    for other_service in ("voting", "followup"):  # who wrote an idea is the ideas service's to say
        problem(voting_app.person(service=other_service).post("/api/voting/internal/co-authors", json=body), 403)
    service = voting_app.person(service="ideas")
    assert ok(service.post("/api/voting/internal/co-authors", json=body))["rounds_updated"] == 1
    assert ok(service.post("/api/voting/internal/co-authors", json=body))["rounds_updated"] == 0  # once
    problem(staff.post(f"/api/voting/rounds/{rnd}/ballot", json={"choices": {"approve": [idea]}}), 422)


def test_the_openapi_document_declares_idempotency_key_and_if_match(voting_app):
    paths = ok(voting_app.anonymous.get("/openapi.json"))["paths"]

    def headers(path: str, method: str) -> set[str]:
        return {p["name"] for p in paths[path][method].get("parameters", []) if p["in"] == "header"}

    assert "Idempotency-Key" in headers("/api/voting/rounds", "post")
    assert "Idempotency-Key" in headers("/api/voting/rounds/{round_id}/ballot", "post")
    assert "If-Match" in headers("/api/voting/rounds/{round_id}", "patch")
    assert "400" in paths["/api/voting/rounds/{round_id}"]["patch"]["responses"]


def test_the_ballot_route_has_an_example_per_method(voting_app):
    body = ok(voting_app.anonymous.get("/openapi.json"))["paths"]["/api/voting/rounds/{round_id}/ballot"]["post"]
    examples = body["requestBody"]["content"]["application/json"]["examples"]
    assert set(examples) == {"dot_voting", "approval", "ranked", "score"}
    assert {next(iter(e["value"]["choices"])) for e in examples.values()} == {"dots", "approve", "ranking", "scores"}


def test_a_service_credential_straight_to_the_voting_service_is_refused_on_every_public_route(voting_app):
    """Issue 12: a service's own credential sent to the voting port passed every public route. No other
    service calls a public voting route with its credential (the ideas service tells voting of a new
    co-author on the internal route), so each refuses one, whichever service it names."""
    staff = voting_app.person()
    idea = str(uuid.uuid4())
    rnd = _open_round(voting_app, staff.council_id, authors={idea: [], str(uuid.uuid4()): []})
    url = f"/api/voting/rounds/{rnd}"
    calls = [
        ("GET", "/api/voting/rounds", None),
        ("POST", "/api/voting/rounds", _round()),
        ("GET", url, None),
        ("PATCH", url, {"title": "Renamed"}),
        ("POST", f"{url}/ballot", {"choices": {"approve": [idea]}}),
        ("GET", f"{url}/ballot", None),
        ("POST", f"{url}/receipts/check", {"receipt": "ABCD-EFGH"}),
        ("GET", f"{url}/result", None),
        ("GET", f"{url}/ballots", None),
        ("GET", f"{url}/audit", None),
        ("GET", f"{url}/audit/verify", None),
        ("GET", f"{url}/export/result.csv", None),
        ("POST", f"{url}/close", None),
    ]
    answers = {
        (service, method, path): voting_app.person(service=service).request(method, path, json=body).status_code
        for service in ("ideas", "voting", "followup")
        for method, path, body in calls
    }
    assert set(answers.values()) == {403}, {call: status for call, status in answers.items() if status != 403}
    ok(staff.get(url))  # the council's own people still read it
    assert ok(staff.get(f"{url}/ballot"))["voted"] is False


def test_a_plain_ballot_takes_the_short_way_and_every_other_cast_is_answered_as_fastapi_answers_it(
    voting_app, monkeypatch
):
    """The cast route answers a plain ballot without FastAPI's dependency solving (routes/ballots.py,
    CastRoute). Each request below is sent once with the short way and once without it, by two voters
    alike: the answers must be the same, and only the plain ballots (and the refusals the cast itself
    makes) may take the short way."""
    import voting.routes.ballots as routes

    real = routes._plain_cast
    took: list[bool] = []
    short = {"on": True}

    async def plain_cast(request):
        if not short["on"]:
            took.append(False)
            return None
        try:
            answer = await real(request)
        except Exception:  # a refusal the cast made (a Problem), answered by the app's handler
            took.append(True)
            raise
        took.append(answer is not None)
        return answer

    monkeypatch.setattr(routes, "_plain_cast", plain_cast)
    staff = voting_app.person()
    council = staff.council_id
    mine, theirs, third = (str(uuid.uuid4()) for _ in range(3))
    rnd = _open_round(voting_app, council, authors={mine: [staff.id], theirs: [], third: []})
    url = f"/api/voting/rounds/{rnd}/ballot"
    ballot = {"choices": {"approve": [theirs]}}
    service = voting_app.person(service="ideas")
    cases = [
        # (what, who, path, request keywords, status, takes the short way)
        ("a plain ballot", "voter", url, {"json": ballot, "headers": {"Idempotency-Key": "k1"}}, 201, True),
        ("its retry", "voter", url, {"json": ballot, "headers": {"Idempotency-Key": "k1"}}, 201, True),
        (
            "the key with another ballot",
            "voter",
            url,
            {"json": {"choices": {"approve": [third]}}, "headers": {"Idempotency-Key": "k1"}},
            422,
            True,
        ),
        ("a replacement", "voter", url, {"json": {"choices": {"approve": [third]}}}, 201, True),
        (
            "an upper-case round id",
            "voter",
            url.upper().replace("/API/VOTING/ROUNDS/", "/api/voting/rounds/").replace("/BALLOT", "/ballot"),
            {"json": ballot},
            201,
            True,
        ),
        ("an own idea", "author", url, {"json": {"choices": {"approve": [mine]}}}, 422, True),
        ("too many approvals", "voter", url, {"json": {"choices": {"approve": [mine, theirs, third]}}}, 422, True),
        ("an empty Idempotency-Key", "voter", url, {"json": ballot, "headers": {"Idempotency-Key": " "}}, 422, True),
        ("another council's round", "stranger", url, {"json": ballot}, 404, True),
        ("no round", "voter", f"/api/voting/rounds/{uuid.uuid4()}/ballot", {"json": ballot}, 404, True),
        ("no token", "anonymous", url, {"json": ballot}, 401, False),
        ("a bad token", "voter", url, {"json": ballot, "headers": {"Authorization": "Bearer x.y.z"}}, 401, False),
        ("a service's credential", "service", url, {"json": ballot}, 403, False),
        (
            "plain text",
            "voter",
            url,
            {"content": b'{"choices": {}}', "headers": {"Content-Type": "text/plain"}},
            415,
            False,
        ),
        ("no Content-Type", "voter", url, {"content": b'{"choices": {}}'}, 415, False),
        ("not JSON", "voter", url, {"content": b"{", "headers": {"Content-Type": "application/json"}}, 422, False),
        ("an unknown field", "voter", url, {"json": {**ballot, "replaces": "X"}}, 422, False),
        ("no choices", "voter", url, {"json": {}}, 422, False),
        ("a NUL", "voter", url, {"json": {"choices": {"approve": ["\x00"]}}}, 422, False),
        ("a malformed round id", "voter", "/api/voting/rounds/not-a-round/ballot", {"json": ballot}, 422, False),
    ]
    people = {
        way: {
            "voter": voting_app.person(council_id=council),
            "author": staff if way == "on" else voting_app.person(council_id=council),
            "stranger": voting_app.person(),
            "service": service,
        }
        for way in ("on", "off")
    }
    # Without the short way, the author is another person, with a round of their own (authors are fixed).
    answers: dict[str, dict] = {}
    for way in ("on", "off"):
        short["on"] = way == "on"
        for what, who, path, kw, status, _ in cases:
            took.clear()
            if who == "anonymous":
                response = voting_app.anonymous.post(path, **kw)
            else:
                actor = people[way][who]
                if way == "off" and who == "author":
                    path = path.replace(
                        rnd, _open_round(voting_app, council, authors={mine: [actor.id], theirs: [], third: []})
                    )
                response = actor.post(path, **kw)
            assert response.status_code == status, (way, what, response.text)
            body = response.json()
            answers.setdefault(what, {})[way] = (
                {k: body[k] for k in ("status", "detail", "errors") if k in body} if status >= 400 else sorted(body)
            )
            if way == "on":
                expected = next(c[5] for c in cases if c[0] == what)
                assert took == [expected], (what, took)
    for what, both in answers.items():
        assert both["on"] == both["off"], (what, both)

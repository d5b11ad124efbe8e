"""Ideas rules in-process (about a second each): the public summary, scoring on readable text only,
similar ideas for a list of ideas. The journeys through the gateway stay in tests/ideas and tests/journey."""

from __future__ import annotations

import time
import uuid

from tests.support.http import ok, problem


def _open_day(organiser) -> dict:
    day = ok(organiser.post("/api/ideas/hack-days", json={"name": "Spring hack day", "date": "2027-04-01"}), 201)
    return ok(organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}))


def _idea(person, day: dict, **fields) -> dict:
    body = {
        "hack_day_id": day["id"],
        "title": "Allotment plot inspections by photo",
        "problem": "Inspectors walk every site twice a year.",
        "proposal": "Tenants send a photo of their plot each quarter.",
        "service_area": "libraries_and_culture",
        **fields,
    }
    return ok(person.post("/api/ideas/ideas", json=body), 201)


def _similar(person, title: str, **fields) -> dict[str, float]:
    deadline = time.monotonic() + 30
    while True:  # the index is built in the background at start-up: 503 until then
        answer = person.post("/api/ideas/similar", json={"title": title, **fields})
        if answer.status_code != 503 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return {i["idea"]["id"]: i["score"] for i in ok(answer)["items"]}


def test_a_public_summary_is_checked_and_shown_to_other_councils(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    day = _open_day(organiser)
    author = ideas_app.person(council_id=organiser.council_id)
    problem(author.post("/api/ideas/ideas", json={"hack_day_id": day["id"], "public_summary": "x" * 501}), 422)
    problem(
        author.post(
            "/api/ideas/ideas",
            json={
                "hack_day_id": day["id"],
                "title": "Some idea",
                "problem": "p",
                "proposal": "q",
                "service_area": "other",
                "public_summary": "A\x00B",
            },
        ),
        422,
        "public_summary",
    )
    idea = _idea(author, day, public_summary="  Photos of allotment plots instead of visits.  ")
    assert idea["public_summary"] == "Photos of allotment plots instead of visits."
    seen = ok(ideas_app.person().get(f"/api/ideas/ideas/{idea['id']}"))
    assert seen["view"] == "summary" and seen["public_summary"] == idea["public_summary"]
    assert "problem" not in seen
    tag = author.get(f"/api/ideas/ideas/{idea['id']}").headers["ETag"]
    cleared = ok(
        author.patch(f"/api/ideas/ideas/{idea['id']}", json={"public_summary": None}, headers={"If-Match": tag})
    )
    assert cleared["public_summary"] is None


def test_a_word_only_in_hidden_text_changes_nothing_another_council_sees(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    day = _open_day(organiser)
    word, secret, decoy = ("zq" + uuid.uuid4().hex[:8] for _ in range(3))
    idea = _idea(
        ideas_app.person(council_id=organiser.council_id),
        day,
        title=f"Allotment {word} plot inspections",
        problem=f"Inspectors check {secret} plots.",
    )
    stranger, colleague = ideas_app.person(), ideas_app.person(council_id=organiser.council_id)
    probe = f"Allotment {word} plot inspections"
    seen = [_similar(stranger, probe, problem=f"{w} plots")[idea["id"]] for w in (secret, decoy)]
    assert seen[0] == seen[1]
    own = [_similar(colleague, probe, problem=f"{w} plots")[idea["id"]] for w in (secret, decoy)]
    assert own[0] > own[1]


def test_similar_ideas_for_a_list_refuses_repeats_unknown_ids_and_too_many(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    idea = _idea(ideas_app.person(council_id=organiser.council_id), _open_day(organiser))
    _similar(organiser, "warm the index up")
    url = "/api/ideas/similar/to-ideas"
    problem(organiser.post(url, json={"idea_ids": [idea["id"], idea["id"]]}), 422, "idea_ids")
    problem(organiser.post(url, json={"idea_ids": [str(uuid.uuid4())]}), 404, "idea_ids")
    problem(organiser.post(url, json={"idea_ids": [str(uuid.uuid4()) for _ in range(51)]}), 422, "idea_ids")
    problem(organiser.post(url, json={"idea_ids": [idea["id"]], "limit": 11}), 422, "limit")
    answer = ok(organiser.post(url, json={"idea_ids": [idea["id"]]}))["items"]
    assert [a["idea_id"] for a in answer] == [idea["id"]]
    assert idea["id"] not in [i["idea"]["id"] for i in answer[0]["items"]]


def test_if_match_and_pages_answer_as_in_every_part(ideas_app):
    organiser = ideas_app.person(roles=["organiser"])
    day = _open_day(organiser)
    idea = _idea(ideas_app.person(council_id=organiser.council_id), day)
    author_url = f"/api/ideas/hack-days/{day['id']}"
    problem(organiser.patch(author_url, json={"name": "Renamed"}, headers={"If-Match": "3"}), 400, "If-Match")
    ok(organiser.patch(author_url, json={"name": "Renamed"}, headers={"If-Match": '"1", "2", "3"'}))
    ok(organiser.patch(author_url, json={"name": "Renamed again"}, headers={"If-Match": "*"}))
    page = ok(organiser.get("/api/ideas/ideas", params={"limit": 1}))
    assert set(page) == {"items", "total", "limit", "offset", "next_offset"} and page["items"][0]["id"] == idea["id"]
    problem(organiser.get("/api/ideas/ideas", params={"limit": 201}), 422, "limit")


def test_a_service_credential_straight_to_the_ideas_service_reads_only_what_its_job_needs(ideas_app):
    """Issue 12's hole: a service's own credential sent to the ideas port read every council's ideas
    in full. Now it is accepted only on the routes meant for that service (follow-up, opening voting's
    trial, reads its hack day), and sees there what any other council sees; every other route refuses
    it. Voting's result relay reads a chosen idea through the internal door meant for it alone."""
    organiser = ideas_app.person(roles=["organiser"])
    author = ideas_app.person(council_id=organiser.council_id)
    day = _open_day(organiser)
    idea = _idea(author, day, partners=["Allotment society"])
    voting, followup = ideas_app.person(service="voting"), ideas_app.person(service="followup")

    # The idea's own council's view, for the trial the vote opens there (its partners included).
    seen = ok(voting.get(f"/api/ideas/internal/ideas/{idea['id']}"))
    assert seen["view"] == "full" and seen["partners"] == idea["partners"], seen
    problem(followup.get(f"/api/ideas/internal/ideas/{idea['id']}"), 403)
    assert ok(voting.get(f"/api/ideas/hack-days/{day['id']}"))["date"] == day["date"]

    refused = {
        (who, path): answer.status_code
        for who, caller in (("voting", voting), ("followup", followup))
        for path in (
            "/api/ideas/ideas",
            f"/api/ideas/ideas/{idea['id']}/comments",
            "/api/ideas/hack-days",
            f"/api/ideas/hack-days/{day['id']}/ideas.csv",
            "/api/ideas/vocabulary",
        )
        if (answer := caller.get(path))
    }
    refused[("voting", "one idea")] = voting.get(f"/api/ideas/ideas/{idea['id']}").status_code
    refused[("followup", "one idea")] = followup.get(f"/api/ideas/ideas/{idea['id']}").status_code
    refused[("followup", "one hack day")] = followup.get(f"/api/ideas/hack-days/{day['id']}").status_code
    refused[("voting", "similar")] = voting.post("/api/ideas/similar", json={"title": "Allotment plots"}).status_code
    assert set(refused.values()) == {403}, refused
    problem(voting.get("/api/ideas/ideas"), 403)


def _imported(version: int, *, record: bool = True, summary: str = "Nobody used the kiosk.") -> dict:
    body = {
        "event_id": str(uuid.uuid4()),
        "topic": "library.imported_verdict_changed",
        "version": version,
        "record": None,
    }
    if record:
        body["record"] = {
            "idea_id": "6d0c4f8e-2b1a-4c3d-9e8f-7a6b5c4d3e2f",
            "council_id": "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
            "council_name": "Northshire Council",
            "title": "Self-service kiosks for allotment waiting lists",
            "hypothesis": "If tenants join the allotment waiting list at a kiosk, calls will fall.",
            "summary": summary,
            "service_area": "libraries_and_culture",
            "outcome": "did_not_work",
            "published_at": "2026-11-02T10:00:00+00:00",
            "platform": "Northshire's platform",
            "entry_url": "https://hackdays.northshire.example/api/followup/library/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
            "licence": {
                "name": "Open Government Licence v3.0",
                "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            },
        }
    return body


def test_a_verdict_imported_from_another_platform_is_found_beside_our_own_until_withdrawn(ideas_app):
    """Follow-up tells the ideas service of each version of an imported verdict: the newest is kept (a
    late, older delivery changes nothing), found by everyone, attributed, and gone once withdrawn."""
    followup, voting = ideas_app.person(service="followup"), ideas_app.person(service="voting")
    reader = ideas_app.person()
    entry = str(uuid.uuid4())
    door = f"/api/ideas/internal/imported-verdicts/{entry}"
    problem(voting.post(door, json=_imported(1)), 403)
    problem(reader.post(door, json=_imported(1)), 403)

    first = _imported(1)
    assert ok(followup.post(door, json=first))["changed"] is True
    assert ok(followup.post(door, json=first))["changed"] is False  # the same event again

    def found() -> dict | None:
        _similar(reader, "Kiosks for allotment waiting lists")  # waits for the index to be built
        items = ok(reader.post("/api/ideas/similar", json={"title": "Kiosks for allotment waiting lists"}))["items"]
        return next((i["idea"] for i in items if i["idea"].get("library_entry_id") == entry), None)

    seen = found()
    assert seen is not None and seen["view"] == "imported", seen
    assert seen["council_name"] == "Northshire Council" and seen["outcome"]["verdict"] == "did_not_work"
    assert seen["source"]["platform"] == "Northshire's platform"
    assert seen["source"]["licence"]["name"] == "Open Government Licence v3.0"

    assert ok(followup.post(door, json=_imported(2, summary="Corrected: nobody used it.")))["changed"] is True
    assert found()["summary"] == "Corrected: nobody used it."
    assert ok(followup.post(door, json=_imported(3, record=False)))["changed"] is True
    assert found() is None
    # A delivery of an older version that comes late does not bring it back.
    assert ok(followup.post(door, json=_imported(2)))["changed"] is False
    assert found() is None

    # Withdrawn before its first version arrived (that delivery failed, and is retried later).
    late = f"/api/ideas/internal/imported-verdicts/{uuid.uuid4()}"
    assert ok(followup.post(late, json=_imported(2, record=False)))["changed"] is True
    assert ok(followup.post(late, json=_imported(1)))["changed"] is False


def test_shortlisting_an_idea_like_a_trial_that_failed_on_another_platform_warns_the_organiser(ideas_app):
    """Issue 16: the organiser's shortlist warning read only this platform's failed trials. A verdict
    imported from another platform (federation) that did not work warns too, naming that platform,
    its council and the record there; one that worked, or one withdrawn at its origin, does not."""
    followup = ideas_app.person(service="followup")
    organiser = ideas_app.person(roles=["organiser"])
    word = "zq" + uuid.uuid4().hex[:8]
    idea = _idea(
        ideas_app.person(council_id=organiser.council_id),
        _open_day(organiser),
        title=f"Self-service {word} kiosks for allotment waiting lists",
        problem=f"Tenants ring the {word} office to join the allotment waiting list.",
        proposal=f"A {word} kiosk in each library where tenants join the waiting list themselves.",
    )
    _similar(organiser, "warm the index up")
    shortlist = f"/api/ideas/ideas/{idea['id']}/shortlist"
    quiet = ok(organiser.post(shortlist))
    assert quiet["warning"] is False and quiet["failed_trials"] == []
    ok(organiser.delete(shortlist))

    def imported(entry: str, version: int, outcome: str | None) -> None:
        body = _imported(version, record=outcome is not None)
        if body["record"]:
            body["record"].update(
                idea_id=str(uuid.uuid5(uuid.NAMESPACE_URL, entry)),
                title=f"Self-service {word} kiosks for allotment waiting lists",
                hypothesis=f"If tenants join the {word} allotment waiting list at a kiosk, calls will fall.",
                outcome=outcome,
            )
        assert ok(followup.post(f"/api/ideas/internal/imported-verdicts/{entry}", json=body))["changed"] is True

    worked, failed = str(uuid.uuid4()), str(uuid.uuid4())
    imported(worked, 1, "worked")
    assert ok(organiser.post(shortlist))["warning"] is False  # a trial that worked elsewhere is no warning
    ok(organiser.delete(shortlist))

    imported(failed, 1, "did_not_work")
    told = ok(organiser.post(shortlist))
    assert told["warning"] is True, told
    (trial,) = told["failed_trials"]
    assert trial["library_entry_id"] == failed and trial["trial_id"] is None and trial["verdict"] == "did_not_work"
    assert trial["idea_id"] == str(uuid.uuid5(uuid.NAMESPACE_URL, failed))
    assert trial["source"]["platform"] == "Northshire's platform"
    assert trial["source"]["licence"]["name"] == "Open Government Licence v3.0"
    assert told["warning_reason"] == (
        f"Like 'Self-service {word} kiosks for allotment waiting lists' (Northshire Council, on Northshire's "
        "platform), whose trial did not work."
    )
    ok(organiser.delete(shortlist))

    # Withdrawn at its origin: no longer a warning. The bulk shortlist answers the same.
    imported(failed, 2, None)
    day_url = f"/api/ideas/hack-days/{idea['hack_day_id']}/shortlist"
    (again,) = ok(organiser.post(day_url, json={"idea_ids": [idea["id"]]}))["shortlisted"]
    assert again["warning"] is False and again["failed_trials"] == []

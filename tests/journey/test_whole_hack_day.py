"""A whole hack day through the gateway only, on the four real processes: people, a hack day, ideas,
the "tried before?" warning with another council's published failure, a vote, its published result,
trials created exactly once by the outbox, measurements, a verdict, a library entry, the journey views."""

from __future__ import annotations

import uuid

from tests.followup.kit import ok
from tests.ideas.ideaskit import hack_day, submit
from tests.journey.hackday import (
    conclude_and_publish,
    ideas_for_the_vote,
    open_to_everyone,
    run_approval_round,
    wait_for,
)


def _draft(place: str) -> dict:
    return {
        "title": f"Text residents in {place} before their council tax is due",
        "problem": "People forget the date and then get a reminder letter and a court summons.",
    }


IDEAS = [
    (
        "Online bulky waste booking with a photo",
        "Residents phone to book bulky waste and describe items badly.",
        "waste_and_recycling",
    ),
    (
        "Pre-filled change of address forms",
        "Officers re-key addresses from emails into three systems.",
        "revenues_and_benefits",
    ),
    (
        "Pothole reports with a map pin",
        "Reports arrive without a location and crews search for the hole.",
        "highways_and_transport",
    ),
    ("Shared rota for home care visits", "Carers swap shifts by text and visits are missed.", "adult_social_care"),
]


def test_a_whole_hack_day(new_council, new_person):
    # Another council tried text reminders, and published honestly that it did not work.
    elsewhere = new_council()
    # A place name of its own keeps this idea apart from the many council-tax ideas other tests make
    # on the same platform; the paraphrase itself ("text ... due" for "SMS ... instalments") is what
    # the search has to bridge.
    place = "Glyncorrwg" + uuid.uuid4().hex[:4]
    old = submit(
        new_person(elsewhere, "staff"),
        hack_day(new_person(elsewhere, "organiser"))["id"],
        title=f"SMS reminders before council tax instalments in {place}",
    )
    failed = conclude_and_publish(
        new_person(elsewhere, "manager"), old["id"], outcome="did_not_work", before=0.5, after=0.55
    )
    assert failed["outcome"] == "did_not_work"

    council = new_council()
    organiser, manager = new_person(council, "organiser"), new_person(council, "manager")
    open_to_everyone(organiser, old["id"])
    staff = [new_person(council, "staff") for _ in range(6)]

    # While writing, a member of staff is told it was tried before, and why it did not work.
    # Other tests' ideas on the same platform may rank beside it: it must be among the answers, warned.
    warned = ok(staff[0].post("/api/journeys/tried-before", json={**_draft(place), "limit": 20}))
    assert warned["outcomes_available"] is True
    top = next((i for i in warned["items"] if i["idea"]["id"] == old["id"]), None)
    assert top is not None, f"the published failure is not among {[i['idea']['title'] for i in warned['items']]}"
    assert top["idea"]["council_name"] == elsewhere.name
    assert top["outcome"]["verdict"] == "did_not_work" and top["outcome"]["source"] == "library"
    assert [r["code"] for r in top["outcome"]["reasons"]] == ["adoption"]
    assert top["outcome"]["lessons"]["do_differently"]
    # The answer says it is a warning, and why, so that no client has to guess from the scores.
    assert warned["warning"] is True and top["warning"] is True
    assert top["warning_reason"] == f"Tried by {elsewhere.name}: did not work (adoption)."

    # The hack day: four ideas shortlisted, a vote, a published result selecting the top two.
    day, ideas = ideas_for_the_vote(organiser, staff[:4], IDEAS)
    a, b, c, d = (i["id"] for i in ideas)
    votes = [
        (staff[4], [a, b]),
        (staff[5], [a, b]),
        (staff[2], [a, b]),
        (staff[3], [a, c]),
        (staff[0], [b, d]),
        (staff[1], [a, d]),
    ]
    outcome = run_approval_round(organiser, day, votes, selected_count=2)
    ranking = ok(organiser.get(f"/api/voting/rounds/{outcome['round']['id']}/result"))["result"]["ranking"]
    assert [r["idea_id"] for r in ranking[:2]] == [a, b]

    # The outbox carries the result: both selected ideas get one planned trial and show as selected.
    for idea_id in (a, b):
        trial = wait_for(
            lambda i=idea_id: (r := manager.get(f"/api/followup/trials/by-idea/{i}")).status_code == 200 and r.json(),
            f"the trial of {idea_id}",
        )
        assert trial["status"] == "planned"
        wait_for(
            lambda i=idea_id: ok(staff[0].get(f"/api/ideas/ideas/{i}"))["status"] == "selected",
            f"{idea_id} marked selected",
        )
    trials = ok(manager.get("/api/followup/trials", params={"limit": 200}))["items"]
    assert sorted(t["idea"]["id"] for t in trials) == sorted([a, b])
    for idea_id in (c, d):
        assert manager.get(f"/api/followup/trials/by-idea/{idea_id}").status_code == 404

    # A manager measures the first trial against its baseline and publishes the verdict.
    entry = conclude_and_publish(manager, a, outcome="worked", before=0.8, after=0.5)
    assert entry["outcome"] == "worked"
    open_to_everyone(new_person(elsewhere, "staff"), a)

    # The idea's whole journey, in one call.
    journey = ok(staff[3].get(f"/api/journeys/ideas/{a}"))
    assert journey["idea"]["id"] == a and journey["hack_day"]["id"] == day["id"]
    assert journey["rounds"][0]["rank"] == 1 and journey["rounds"][0]["figures"]
    assert journey["trial"]["status"] == "concluded"
    assert journey["trial"]["verdict"]["outcome"] == "worked"
    assert journey["library_entry"]["outcome"] == "worked"
    assert journey["unavailable"] == []

    # The hack day at a glance for its organiser.
    glance = ok(organiser.get(f"/api/journeys/hack-days/{day['id']}"))
    assert {i["idea"]["id"] for i in glance["ideas"]} == {a, b, c, d}
    assert len(glance["rounds"]) == 1 and glance["rounds"][0]["result"]
    assert glance["trials_by_status"] == {"concluded": 1, "planned": 1}

    # Another council now finds this success when it writes a similar idea.
    found = ok(
        new_person(elsewhere, "staff").post(
            "/api/journeys/tried-before",
            json={"title": "Online bulky waste booking with a photo", "problem": IDEAS[0][1], "limit": 20},
        )
    )
    success = next((i for i in found["items"] if i["idea"]["id"] == a), None)
    assert success is not None, f"the published success is not among {[i['idea']['title'] for i in found['items']]}"
    assert success["outcome"]["verdict"] == "worked"
    assert success["warning"] is False and success["warning_reason"] is None


def test_a_shortlist_carries_each_ideas_evidence_in_one_call(new_council, new_person):
    elsewhere = new_council()
    place = "Cwmllynfell" + uuid.uuid4().hex[:4]
    old = submit(
        new_person(elsewhere, "staff"),
        hack_day(new_person(elsewhere, "organiser"))["id"],
        title=f"SMS reminders before council tax instalments in {place}",
    )
    conclude_and_publish(new_person(elsewhere, "manager"), old["id"], outcome="did_not_work", before=0.5, after=0.55)

    council = new_council()
    organiser, staff = new_person(council, "organiser"), new_person(council, "staff")
    open_to_everyone(staff, old["id"])
    day = hack_day(organiser)
    like = submit(staff, day["id"], **_draft(place))
    unlike = submit(
        staff,
        day["id"],
        title=f"Community fridge at the {place} library",
        problem="Shops throw away food that is still good while families go without.",
        proposal="A shared fridge that local shops stock and anyone may take from.",
        service_area="climate_and_environment",
    )
    answer = ok(
        organiser.post("/api/journeys/tried-before/ideas", json={"idea_ids": [like["id"], unlike["id"]], "limit": 10})
    )
    assert answer["outcomes_available"] is True
    first, second = answer["items"]
    assert (first["idea_id"], second["idea_id"]) == (like["id"], unlike["id"])
    # Other tests' ideas on the same platform may rank beside it: it must be among the answers, warned.
    failed = next((m for m in first["items"] if m["idea"]["id"] == old["id"]), None)
    assert failed is not None, f"the published failure is not among {[m['idea']['title'] for m in first['items']]}"
    assert failed["warning"] is True and failed["outcome"]["verdict"] == "did_not_work"
    assert first["warning"] is True and first["warning_reason"].startswith("Tried by ")
    assert like["id"] not in [m["idea"]["id"] for m in first["items"]]  # never itself
    assert second["warning"] is False


def test_tried_before_still_helps_when_follow_up_is_down(platform, new_council, new_person):
    council = new_council()
    person = new_person(council, "staff")
    submit(
        person,
        hack_day(new_person(council, "organiser"))["id"],
        title="Webchat for parking permit renewals",
        problem="Permit renewals clog the phone lines.",
    )
    platform.kill("followup")
    try:
        answer = ok(person.post("/api/journeys/tried-before", json={"title": "Parking permit renewals by webchat"}))
        assert answer["outcomes_available"] is False and "follow-up" in answer["notice"]
        assert answer["items"] and answer["items"][0]["outcome"] is None
        assert answer["warning"] is False  # nothing known to have failed: no warning guessed
    finally:
        platform.start("followup")


def test_a_published_idea_is_searchable_in_full_the_moment_it_opens(new_council, new_person):
    """The similar-idea index is told when an outcome opens an idea, not left to its next catch-up
    (every few seconds): once another council reads the idea whole, its problem finds it too."""
    elsewhere = new_council()
    word = "Pontneddfechan" + uuid.uuid4().hex[:6]
    old = submit(
        new_person(elsewhere, "staff"),
        hack_day(new_person(elsewhere, "organiser"))["id"],
        title="Book a recycling centre slot online",
        problem=f"Queues at the {word} tip block the road on Saturdays.",
    )
    reader = new_person(new_council(), "staff")
    hidden = ok(reader.post("/api/ideas/similar", json={"title": f"{word} tip queues", "limit": 20}))
    assert old["id"] not in [i["idea"]["id"] for i in hidden["items"]]  # its problem is not theirs to read
    conclude_and_publish(new_person(elsewhere, "manager"), old["id"], outcome="worked", before=0.8, after=0.5)
    open_to_everyone(reader, old["id"])
    found = ok(reader.post("/api/ideas/similar", json={"title": f"{word} tip queues", "limit": 20}))
    assert old["id"] in [i["idea"]["id"] for i in found["items"]], found

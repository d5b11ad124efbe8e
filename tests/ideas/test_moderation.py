"""Organiser moderation (hide, duplicate, shortlist) and comments, with who may see what."""

from __future__ import annotations

import time
import uuid

from tests.ideas.ideaskit import hack_day, move, ok, problem, submit


def _url(idea: dict) -> str:
    return f"/api/ideas/ideas/{idea['id']}"


def _listed(person, day: dict, **params) -> set[str]:
    page = ok(person.get("/api/ideas/ideas", params={"hack_day_id": day["id"], "limit": 200, **params}))
    return {i["id"] for i in page["items"]}


def test_organisers_hide_an_idea_with_a_reason_and_only_they_and_its_authors_still_see_it(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Idea naming a resident")
    url = _url(idea)
    problem(town.bob.post(f"{url}/hide", json={"reason": "I do not like it"}), 403)
    problem(town.organiser.post(f"{url}/hide", json={}), 422, "reason")
    hidden = ok(town.organiser.post(f"{url}/hide", json={"reason": "Names a resident"}))
    assert hidden["status"] == "hidden" and hidden["moderation"]["hidden_reason"] == "Names a resident"
    problem(town.bob.get(url), 404)
    problem(town.stranger.get(url), 404)
    seen_by_author = ok(town.alice.get(url))
    assert seen_by_author["status"] == "hidden"
    assert seen_by_author["moderation"]["hidden_reason"] == "Names a resident"
    assert idea["id"] not in _listed(town.bob, open_day)
    assert idea["id"] not in _listed(town.bob, open_day, status="hidden")
    assert idea["id"] in _listed(town.organiser, open_day, status="hidden")
    restored = ok(town.organiser.post(f"{url}/unhide"))
    assert restored["status"] == "submitted" and restored["moderation"]["hidden_reason"] is None
    assert ok(town.bob.get(url))["status"] == "submitted"


def test_hiding_puts_a_shortlisted_idea_back_on_the_shortlist_when_undone(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Shortlisted then hidden")
    ok(town.organiser.post(f"{_url(idea)}/shortlist"))
    ok(town.organiser.post(f"{_url(idea)}/hide", json={"reason": "Checking a complaint"}))
    assert ok(town.organiser.post(f"{_url(idea)}/unhide"))["status"] == "shortlisted"


def test_a_duplicate_is_linked_to_the_earlier_idea_not_deleted(town, open_day):
    first = submit(town.alice, open_day["id"], title="Garden waste by subscription")
    second = submit(town.bob, open_day["id"], title="Charge for green bins")
    third = submit(town.carol, open_day["id"], title="Green bin subscriptions online")
    problem(town.bob.post(f"{_url(second)}/duplicate", json={"duplicate_of_id": first["id"]}), 403)
    marked = ok(town.organiser.post(f"{_url(second)}/duplicate", json={"duplicate_of_id": first["id"]}))
    assert marked["status"] == "duplicate" and marked["duplicate_of_id"] == first["id"]
    assert ok(town.carol.get(_url(second)))["duplicate_of_id"] == first["id"]  # still readable
    # A duplicate of a duplicate is linked to the first idea of the chain.
    chained = ok(town.organiser.post(f"{_url(third)}/duplicate", json={"duplicate_of_id": second["id"]}))
    assert chained["duplicate_of_id"] == first["id"]
    problem(
        town.organiser.post(f"{_url(first)}/duplicate", json={"duplicate_of_id": first["id"]}), 409, "duplicate_of_id"
    )
    problem(
        town.organiser.post(f"{_url(first)}/duplicate", json={"duplicate_of_id": str(uuid.uuid4())}),
        404,
        "duplicate_of_id",
    )
    theirs = submit(town.stranger, hack_day(town.other_organiser)["id"], title="Their garden waste idea")
    problem(
        town.organiser.post(f"{_url(first)}/duplicate", json={"duplicate_of_id": theirs["id"]}), 404, "duplicate_of_id"
    )
    unmarked = ok(town.organiser.delete(f"{_url(second)}/duplicate"))
    assert unmarked["status"] == "submitted" and unmarked["duplicate_of_id"] is None


def test_organisers_shortlist_while_open_or_voting_but_not_once_closed(town):
    day = hack_day(town.organiser, "open")
    idea = submit(town.alice, day["id"], title="Shortlist me")
    problem(town.alice.post(f"{_url(idea)}/shortlist"), 403)
    assert ok(town.organiser.post(f"{_url(idea)}/shortlist"))["status"] == "shortlisted"
    assert ok(town.organiser.post(f"{_url(idea)}/shortlist"))["status"] == "shortlisted"  # no-op
    move(town.organiser, day, "voting")
    assert ok(town.organiser.delete(f"{_url(idea)}/shortlist"))["status"] == "submitted"
    move(town.organiser, day, "closed")
    body = problem(town.organiser.post(f"{_url(idea)}/shortlist"), 409)
    assert "closed" in body["detail"]


def test_organisers_shortlist_many_ideas_in_one_call_and_each_refused_idea_says_why(town):
    day, elsewhere = hack_day(town.organiser, "open"), hack_day(town.organiser, "open")
    first, second, hidden, withdrawn = (submit(town.alice, day["id"], title=f"Bulk idea {n}") for n in "ABCD")
    already = submit(town.bob, day["id"], title="Shortlisted before")
    ok(town.organiser.post(f"{_url(already)}/shortlist"))
    ok(town.organiser.post(f"{_url(hidden)}/hide", json={"reason": "Names a resident"}))
    ok(town.alice.post(f"{_url(withdrawn)}/withdraw"))
    other_day = submit(town.carol, elsewhere["id"], title="Of another hack day")
    nowhere = str(uuid.uuid4())
    asked = [first["id"], hidden["id"], already["id"], nowhere, second["id"], withdrawn["id"], other_day["id"]]
    url = f"/api/ideas/hack-days/{day['id']}/shortlist"

    answer = ok(town.organiser.post(url, json={"idea_ids": asked}))
    assert [i["id"] for i in answer["shortlisted"]] == [first["id"], already["id"], second["id"]]
    assert all(i["status"] == "shortlisted" and "warning" in i for i in answer["shortlisted"])
    refused = {r["idea_id"]: r for r in answer["refused"]}
    assert set(refused) == {hidden["id"], nowhere, withdrawn["id"], other_day["id"]}
    assert refused[hidden["id"]]["status"] == 409 and "hidden" in refused[hidden["id"]]["detail"]
    assert refused[withdrawn["id"]]["status"] == 409 and "withdrawn" in refused[withdrawn["id"]]["detail"]
    assert refused[nowhere]["status"] == refused[other_day["id"]]["status"] == 404
    for idea, status in ((first, "shortlisted"), (second, "shortlisted"), (other_day, "submitted")):
        assert ok(town.organiser.get(_url(idea)))["status"] == status
    versions = {i["id"]: i["version"] for i in answer["shortlisted"]}

    # Asked again (a retry): the same answer, and nothing changes a second time.
    again = ok(town.organiser.post(url, json={"idea_ids": asked}))
    assert {i["id"]: i["version"] for i in again["shortlisted"]} == versions
    assert again["refused"] == answer["refused"]


def test_bulk_shortlisting_keeps_the_one_idea_rules(town):
    day = hack_day(town.organiser, "open")
    idea = submit(town.alice, day["id"], title="Bulk rules")
    url = f"/api/ideas/hack-days/{day['id']}/shortlist"
    problem(town.alice.post(url, json={"idea_ids": [idea["id"]]}), 403)
    problem(town.other_organiser.post(url, json={"idea_ids": [idea["id"]]}), 404)
    problem(town.organiser.post(url, json={"idea_ids": []}), 422, "idea_ids")
    problem(town.organiser.post(url, json={"idea_ids": [idea["id"], idea["id"]]}), 422, "idea_ids")
    problem(town.organiser.post(url, json={"idea_ids": [str(uuid.uuid4()) for _ in range(201)]}), 422, "idea_ids")
    move(town.organiser, day, "voting")
    move(town.organiser, day, "closed")
    body = problem(town.organiser.post(url, json={"idea_ids": [idea["id"]]}), 409)
    assert "closed" in body["detail"]
    assert ok(town.alice.get(_url(idea)))["status"] == "submitted"


def test_organisers_hide_many_ideas_in_one_call_with_one_reason_and_each_refused_idea_says_why(town):
    day, elsewhere = hack_day(town.organiser, "open"), hack_day(town.organiser, "open")
    first, second, withdrawn = (submit(town.alice, day["id"], title=f"To hide {n}") for n in "ABC")
    before = submit(town.bob, day["id"], title="Hidden before")
    ok(town.organiser.post(f"{_url(before)}/hide", json={"reason": "Names a resident"}))
    ok(town.alice.post(f"{_url(withdrawn)}/withdraw"))
    other_day = submit(town.carol, elsewhere["id"], title="Of another hack day, not hidden")
    nowhere = str(uuid.uuid4())
    asked = [first["id"], before["id"], nowhere, second["id"], withdrawn["id"], other_day["id"]]
    url = f"/api/ideas/hack-days/{day['id']}/hide"
    key = uuid.uuid4().hex

    answer = ok(
        town.organiser.post(url, json={"idea_ids": asked, "reason": "Off topic"}, headers={"Idempotency-Key": key})
    )
    assert [i["id"] for i in answer["moderated"]] == [first["id"], before["id"], second["id"], withdrawn["id"]]
    reasons = {i["id"]: i["moderation"]["hidden_reason"] for i in answer["moderated"]}
    assert reasons == {first["id"]: "Off topic", before["id"]: "Names a resident", second["id"]: "Off topic",
                       withdrawn["id"]: "Off topic"}  # fmt: skip
    assert {r["idea_id"]: r["status"] for r in answer["refused"]} == {nowhere: 404, other_day["id"]: 404}
    assert first["id"] not in _listed(town.bob, day) and second["id"] not in _listed(town.bob, day)
    assert ok(town.organiser.get(_url(other_day)))["status"] == "submitted"
    assert ok(town.organiser.post(f"{_url(withdrawn)}/unhide"))["status"] == "withdrawn"
    ok(town.organiser.post(f"{_url(withdrawn)}/hide", json={"reason": "Off topic"}))

    # The same request again with its key: the first answer, and nothing changes a second time.
    replayed = town.organiser.post(
        url, json={"idea_ids": asked, "reason": "Off topic"}, headers={"Idempotency-Key": key}
    )
    assert ok(replayed) == answer and replayed.headers["idempotent-replayed"] == "true"
    versions = {i["id"]: ok(town.organiser.get(_url(i)))["version"] for i in (first, second, before)}
    assert versions == {i["id"]: i["version"] for i in answer["moderated"] if i["id"] in versions}
    # The key with another body is refused; without a key, asking again changes nothing either.
    problem(
        town.organiser.post(
            url, json={"idea_ids": [first["id"]], "reason": "Off topic"}, headers={"Idempotency-Key": key}
        ),
        422,
        "Idempotency-Key",
    )
    again = ok(town.organiser.post(url, json={"idea_ids": [first["id"], second["id"]], "reason": "Another reason"}))
    assert [(i["version"], i["moderation"]["hidden_reason"]) for i in again["moderated"]] == [
        (versions[first["id"]], "Off topic"),
        (versions[second["id"]], "Off topic"),
    ]


def test_organisers_mark_many_ideas_duplicates_of_one_earlier_idea_in_one_call(town):
    day = hack_day(town.organiser, "open")
    original = submit(town.alice, day["id"], title="Garden waste by subscription (the first)")
    repeat, again, withdrawn = (submit(town.bob, day["id"], title=f"Green bins again {n}") for n in "ABC")
    ok(town.bob.post(f"{_url(withdrawn)}/withdraw"))
    chained = submit(town.carol, day["id"], title="Chained duplicate")
    ok(town.organiser.post(f"{_url(chained)}/duplicate", json={"duplicate_of_id": repeat["id"]}))
    url = f"/api/ideas/hack-days/{day['id']}/duplicate"
    asked = [repeat["id"], original["id"], again["id"], withdrawn["id"]]

    answer = ok(town.organiser.post(url, json={"idea_ids": asked, "duplicate_of_id": original["id"]}))
    assert [i["id"] for i in answer["moderated"]] == [repeat["id"], again["id"]]
    assert all(i["status"] == "duplicate" and i["duplicate_of_id"] == original["id"] for i in answer["moderated"])
    refused = {r["idea_id"]: r for r in answer["refused"]}
    assert refused[original["id"]]["status"] == 409 and "itself" in refused[original["id"]]["detail"]
    assert refused[withdrawn["id"]]["status"] == 409 and "withdrawn" in refused[withdrawn["id"]]["detail"]
    # Marked again (a retry without a key): nothing changes a second time.
    versions = [i["version"] for i in answer["moderated"]]
    retried = ok(town.organiser.post(url, json={"idea_ids": asked, "duplicate_of_id": original["id"]}))
    assert [i["version"] for i in retried["moderated"]] == versions and retried["refused"] == answer["refused"]
    # Marking duplicates of a duplicate links them to the first idea of the chain, as one at a time does.
    last = submit(town.carol, day["id"], title="Yet another")
    linked = ok(town.organiser.post(url, json={"idea_ids": [last["id"]], "duplicate_of_id": chained["id"]}))
    assert linked["moderated"][0]["duplicate_of_id"] == original["id"]

    # The earlier idea must be there, visible and of the same council: else the whole request is a 404.
    theirs = submit(town.stranger, hack_day(town.other_organiser)["id"], title="Their green bins")
    for missing in (str(uuid.uuid4()), theirs["id"]):
        body = {"idea_ids": [last["id"]], "duplicate_of_id": missing}
        problem(town.organiser.post(url, json=body), 404, "duplicate_of_id")
    hidden = submit(town.alice, day["id"], title="Hidden original")
    ok(town.organiser.post(f"{_url(hidden)}/hide", json={"reason": "Names a resident"}))
    problem(town.organiser.post(url, json={"idea_ids": [last["id"]], "duplicate_of_id": hidden["id"]}), 404)


def test_bulk_hiding_and_marking_keep_the_one_idea_rules(town):
    day = hack_day(town.organiser, "open")
    idea, earlier = submit(town.alice, day["id"], title="Bulk rules (hide)"), submit(town.bob, day["id"])
    hide, duplicate = f"/api/ideas/hack-days/{day['id']}/hide", f"/api/ideas/hack-days/{day['id']}/duplicate"
    hiding, marking = {"reason": "Off topic"}, {"duplicate_of_id": earlier["id"]}
    for url, extra in ((hide, hiding), (duplicate, marking)):
        problem(town.alice.post(url, json={"idea_ids": [idea["id"]], **extra}), 403)
        problem(town.other_organiser.post(url, json={"idea_ids": [idea["id"]], **extra}), 404)
        problem(town.organiser.post(url, json={"idea_ids": [], **extra}), 422, "idea_ids")
        problem(town.organiser.post(url, json={"idea_ids": [idea["id"], idea["id"]], **extra}), 422, "idea_ids")
        problem(town.organiser.post(url, json={"idea_ids": [str(uuid.uuid4()) for _ in range(201)], **extra}), 422)
        problem(town.organiser.post(url, json={"idea_ids": [idea["id"]]}), 422)
    problem(town.organiser.post(hide, json={"idea_ids": [idea["id"]], "reason": "  "}), 422, "reason")
    assert ok(town.alice.get(_url(idea)))["status"] == "submitted"


def test_another_councils_organiser_cannot_moderate(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Our idea")
    problem(town.other_organiser.post(f"{_url(idea)}/hide", json={"reason": "Not theirs to hide"}), 403)
    problem(town.other_organiser.post(f"{_url(idea)}/shortlist"), 403)
    assert ok(town.alice.get(_url(idea)))["status"] == "submitted"


def test_comments_reach_the_authors_and_organisers_and_their_writer_only(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Idea with feedback")
    url = f"{_url(idea)}/comments"
    by_bob = ok(town.bob.post(url, json={"body": "Revenues tried this in 2019; ask Priya."}), 201)
    by_carol = ok(town.carol.post(url, json={"body": "Would residents opt in?"}), 201)
    assert by_bob["author_id"] == town.bob.id and by_bob["author_name"] == "Bob Bryant"

    def bodies(person) -> list[str | None]:
        return [c["body"] for c in ok(person.get(url))["items"]]

    assert bodies(town.alice) == ["Revenues tried this in 2019; ask Priya.", "Would residents opt in?"]
    assert bodies(town.organiser) == bodies(town.alice)
    assert bodies(town.bob) == ["Revenues tried this in 2019; ask Priya."]
    assert bodies(town.carol) == ["Would residents opt in?"]
    problem(town.stranger.get(url), 403)
    problem(town.stranger.post(url, json={"body": "From another council"}), 403)
    problem(town.bob.post(url, json={"body": ""}), 422, "body")
    problem(town.bob.post(url, json={"body": "x" * 2001}), 422, "body")

    hide_url = f"{url}/{by_carol['id']}/hide"
    problem(town.alice.post(hide_url, json={"reason": "Author dislikes it"}), 403)
    hidden = ok(town.organiser.post(hide_url, json={"reason": "Off topic"}))
    assert hidden["hidden"] is True and hidden["body"] is None
    assert hidden["hidden_body"] == "Would residents opt in?"
    assert bodies(town.alice) == ["Revenues tried this in 2019; ask Priya."]
    as_organiser = ok(town.organiser.get(url))["items"]
    assert [c["hidden_reason"] for c in as_organiser] == [None, "Off topic"]
    problem(town.organiser.post(f"{url}/{uuid.uuid4()}/hide", json={"reason": "Missing"}), 404)


def test_a_retried_comment_is_posted_once(town, open_day):
    idea = submit(town.alice, open_day["id"], title="Idea for a retried comment")
    url = f"{_url(idea)}/comments"
    key = uuid.uuid4().hex
    first = ok(town.bob.post(url, json={"body": "Great idea"}, headers={"Idempotency-Key": key}), 201)
    again = ok(town.bob.post(url, json={"body": "Great idea"}, headers={"Idempotency-Key": key}), 201)
    assert again == first
    assert ok(town.alice.get(url))["total"] == 1


def test_shortlisting_an_idea_like_a_failed_trial_elsewhere_says_so(platform, town, open_day, new_person):
    from tests.journey.hackday import conclude_and_publish

    word = "zq" + uuid.uuid4().hex[:8]
    elsewhere = hack_day(town.other_organiser, "open")
    tried = submit(
        town.stranger,
        elsewhere["id"],
        title=f"Parking permits {word} renewed by text message",
        problem=f"Residents forget to renew their {word} parking permit and get fined.",
        proposal=f"Send a text message a week before the {word} permit runs out.",
    )
    mine = submit(
        town.alice,
        open_day["id"],
        title=f"Text message reminders before {word} parking permits expire",
        problem=f"People are fined because their {word} permit ran out without notice.",
        proposal=f"A text a week before each {word} permit expires.",
    )
    # Nothing known to have failed yet: no warning.
    quiet = ok(town.organiser.post(f"{_url(mine)}/shortlist"))
    assert quiet["status"] == "shortlisted" and quiet["warning"] is False and quiet["failed_trials"] == []
    ok(town.organiser.delete(f"{_url(mine)}/shortlist"))

    # The other council's trial is published as a failure (through follow-up, as a manager does);
    # shortlisting again says so, and why.
    manager = new_person(town.other_council, "manager")
    published = conclude_and_publish(manager, tried["id"], outcome="did_not_work", before=10, after=10)
    trial_id = published["trial_id"]
    # The verdict reaches ideas through follow-up's outbox: a moment later, not at once.
    deadline = time.monotonic() + 30
    while True:
        told = ok(town.organiser.post(f"{_url(mine)}/shortlist"))
        if told["warning"] or time.monotonic() > deadline:
            break
        ok(town.organiser.delete(f"{_url(mine)}/shortlist"))
        time.sleep(0.3)
    assert told["status"] == "shortlisted" and told["warning"] is True
    assert [(t["idea_id"], t["verdict"], t["trial_id"]) for t in told["failed_trials"]] == [
        (tried["id"], "did_not_work", trial_id)
    ]
    assert told["warning_reason"] == f"Like '{tried['title']}' ({town.other_council.name}), whose trial did not work."

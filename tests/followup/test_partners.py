"""Partners end to end, through the gateway: an admin makes someone a collaboration champion, the
champion keeps the council's map, a trial names partners from it, the published record carries their
kinds, and what works reads the library by kind of partner."""

from __future__ import annotations

import pytest

from tests.followup.kit import (
    LIBRARY,
    TRIALS,
    add_metric,
    baseline,
    measure,
    ok,
    open_trial,
    problem,
    verdict_body,
)
from tests.support.actors import set_roles

PARTNERS = "/api/followup/partners"


@pytest.fixture(scope="module")
def champion(town, admin, new_person):
    """A member of staff whom an admin made a collaboration champion (the role lives in the gateway)."""
    person = new_person(town.council, "staff")
    given = ok(set_roles(admin, person.id, ["staff", "champion"]))
    assert given["roles"] == ["champion", "staff"]
    return new_person(town.council, "staff", "champion")


def test_a_champion_keeps_the_councils_map_of_partners(town, other_town, champion):
    pharmacy = ok(
        champion.post(PARTNERS, json={"name": "Northgate Pharmacy", "kind": "pharmacy", "note": "Asha, manager"}), 201
    )
    ok(champion.post(PARTNERS, json={"name": "Arriva North", "kind": "bus_operator"}), 201)
    problem(champion.post(PARTNERS, json={"name": "northgate pharmacy", "kind": "pharmacy"}), 409, "name")
    problem(champion.post(PARTNERS, json={"name": "Somewhere", "kind": "spaceport"}), 422, "kind")
    # Only champions keep the map; everyone of the council reads it; another council sees none of it.
    problem(town.manager.post(PARTNERS, json={"name": "Not mine", "kind": "charity"}), 403)
    names = [p["name"] for p in ok(town.staff.get(PARTNERS))["items"]]
    assert names == ["Arriva North", "Northgate Pharmacy"]
    assert "Northgate Pharmacy" not in str(ok(other_town.staff.get(PARTNERS)))
    problem(other_town.staff.get(PARTNERS, params={"council_id": town.council.id}), 403, "council_id")
    url = f"{PARTNERS}/{pharmacy['id']}"
    problem(champion.patch(url, json={"note": "Asha, store manager"}), 428, "If-Match")
    changed = ok(champion.patch(url, json={"note": "Asha, store manager"}, headers={"If-Match": '"1"'}))
    assert changed["note"] == "Asha, store manager" and changed["version"] == 2
    problem(other_town.manager.patch(url, json={"note": "x"}, headers={"If-Match": "*"}), 403)


def test_trials_name_partners_and_what_works_reads_by_kind_of_partner(
    town, other_town, champion, anonymous, new_person
):
    mapped = {p["kind"]: p for p in ok(town.staff.get(PARTNERS))["items"]}
    pharmacy, buses = mapped["pharmacy"], mapped["bus_operator"]
    # Only partners of the council's own map: another council's partner is refused, naming the field.
    theirs = ok(
        new_person(other_town.council, "staff", "champion").post(
            PARTNERS, json={"name": "Southside Housing", "kind": "housing_association"}
        ),
        201,
    )
    idea = town.idea("Pharmacists review repeat prescriptions for care leavers")
    problem(town.manager.post(TRIALS, json={"idea_id": idea["id"], "partner_ids": [theirs["id"]]}), 422, "partner_ids")
    trial = open_trial(town.manager, idea["id"], partner_ids=[pharmacy["id"], buses["id"]], trial_cost_pounds=800)
    assert {p["kind"] for p in trial["partners"]} == {"pharmacy", "bus_operator"}
    metric = add_metric(town.manager, trial["id"], baseline=baseline(2.0), annual_volume=100, hourly_cost_pounds=30)
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/start"))
    measure(town.manager, trial["id"], metric["id"], 1.0)
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/evaluate"))
    ok(town.manager.post(f"{TRIALS}/{trial['id']}/verdict", json=verdict_body("worked", design="before_after")))
    record = ok(town.manager.post(f"{TRIALS}/{trial['id']}/publish"), 201)
    # The record carries the kinds of partner, never the names on a council's map.
    assert record["partner_kinds"] == ["bus_operator", "pharmacy"]
    assert "Northgate Pharmacy" not in str(record) and "Arriva" not in str(record)

    summary = ok(anonymous.get(f"{LIBRARY}/what-works", params={"by": "partner_kind", "council_id": town.council.id}))
    groups = {g["key"]: g for g in summary["groups"]}
    # 1 h × 100 cases × £30 = £3,000 a year; the trial counts under each of its two kinds of partner.
    assert groups["pharmacy"]["trials"] == 1 and groups["pharmacy"]["shares"]["worked"] == 1.0
    assert groups["pharmacy"]["median_annual_pounds"] == 3000.0
    assert groups["bus_operator"]["trials"] == 1
    # Taking a partner off the map leaves the trial's snapshot as it was.
    ok(champion.delete(f"{PARTNERS}/{buses['id']}"), 204)
    assert {p["kind"] for p in ok(town.staff.get(f"{TRIALS}/{trial['id']}"))["partners"]} == {
        "pharmacy",
        "bus_operator",
    }


def test_a_trial_opened_from_an_idea_names_the_mapped_partners_the_idea_names(town, champion):
    """An idea names the organisations it would involve; its trial starts with those on the map."""
    idea = ok(
        town.staff.post(
            "/api/ideas/ideas",
            json={
                "hack_day_id": town.hack_day["id"],
                "title": "Pharmacies hand out bulky-waste booking cards",
                "problem": "Older residents cannot book bulky-waste collections online.",
                "proposal": "Leave booking cards with pharmacies that residents already visit.",
                "service_area": "waste_and_recycling",
                "partners": ["northgate  PHARMACY", "A charity not on the map"],
            },
        ),
        201,
    )
    trial = open_trial(town.manager, idea["id"])
    assert [(p["name"], p["kind"]) for p in trial["partners"]] == [("Northgate Pharmacy", "pharmacy")]
    # An idea that names no partner opens a trial with none.
    other = town.idea("Bus drivers report fly-tipping hot spots")
    assert open_trial(town.manager, other["id"])["partners"] == []


def test_a_trial_opened_by_a_vote_starts_with_the_mapped_partners_the_idea_names(town, champion, new_person):
    """A round selects an idea: the trial the outbox opens takes the idea's partners on the map, as a
    trial opened by hand does."""
    from tests.ideas.ideaskit import hack_day, move, submit
    from tests.journey.hackday import run_approval_round, wait_for

    ok(champion.post(PARTNERS, json={"name": "Eastfield Housing", "kind": "housing_association"}), 201)
    day = hack_day(town.organiser)
    chosen = submit(
        town.staff,
        day["id"],
        title="Housing officers book repairs during tenancy visits",
        partners=["EASTFIELD  housing", "A landlord not on the map"],
    )
    other = submit(town.staff, day["id"], title="Caretakers report broken lifts by text")
    for idea in (chosen, other):  # a round needs two candidates at least
        ok(town.organiser.post(f"/api/ideas/ideas/{idea['id']}/shortlist"))
    move(town.organiser, day, "voting")
    voter = new_person(town.council, "staff")
    run_approval_round(town.organiser, day, [(voter, [chosen["id"]])], selected_count=1)
    trial = wait_for(
        lambda: (r := town.manager.get(f"{TRIALS}/by-idea/{chosen['id']}")).status_code == 200 and r.json(),
        "the trial the vote opens",
    )
    assert trial["origin"] == "vote"
    assert [(p["name"], p["kind"]) for p in trial["partners"]] == [("Eastfield Housing", "housing_association")]


def test_a_started_trials_kind_of_change_and_partners_are_frozen_but_its_sponsor_may_be_replaced(town, champion):
    pharmacy, buses = (
        ok(champion.post(PARTNERS, json={"name": name, "kind": kind}), 201)["id"]
        for name, kind in (("Eastgate Pharmacy", "pharmacy"), ("Eastern Buses", "bus_operator"))
    )
    trial = open_trial(town.manager, town.idea("Frozen partners")["id"], partner_ids=[pharmacy])
    url = f"{TRIALS}/{trial['id']}"
    # While planned, each may change.
    planned = town.manager.get(url)
    changes = {"partner_ids": [pharmacy, buses], "kind_of_change": "partnership", "sponsor": {"name": "Ann Lee"}}
    changed = ok(town.manager.patch(url, json=changes, headers={"If-Match": planned.headers["etag"]}))
    assert [p["id"] for p in changed["partners"]] == [pharmacy, buses] and changed["kind_of_change"] == "partnership"
    metric = add_metric(town.manager, trial["id"], baseline=baseline(2.0))
    ok(town.manager.post(f"{url}/start"))

    # Once started, what it tries and with whom are what it is judged against: a change is 409 naming the
    # field, and nothing else sent with it is saved.
    replacement = {"name": "Bea Khan", "job_title": "Director of place", "consents_to_be_named": True}
    for field, value in (
        ("partner_ids", [pharmacy]),
        ("partner_ids", []),
        ("kind_of_change", "communication"),
    ):
        problem(
            town.manager.patch(url, json={field: value, "sponsor": replacement}, headers={"If-Match": "*"}), 409, field
        )
    assert ok(town.manager.get(url))["sponsor"]["name"] == "Ann Lee"
    # The sponsor is not a goalpost: one who leaves or changes job is replaced while the trial runs.
    running = town.manager.get(url)
    replaced = ok(town.manager.patch(url, json={"sponsor": replacement}, headers={"If-Match": running.headers["etag"]}))
    assert replaced["sponsor"] == replacement and replaced["status"] == "running" and replaced["frozen"] is True
    assert ok(town.manager.patch(url, json={"sponsor": None}, headers={"If-Match": "*"}))["sponsor"] is None
    # The same kind and partners sent again (partners in any order) are not a change; the scope still may change.
    same = {
        "partner_ids": [buses, pharmacy],
        "kind_of_change": "partnership",
        "sponsor": replacement,
        "scope": "Two pharmacies now",
    }
    again = ok(town.manager.patch(url, json=same, headers={"If-Match": "*"}))
    assert again["scope"] == "Two pharmacies now" and again["sponsor"] == replacement

    # After the verdict nothing of the plan changes, the sponsor no more than the owner.
    measure(town.manager, trial["id"], metric["id"], 1.0)
    ok(town.manager.post(f"{url}/evaluate"))
    ok(town.manager.post(f"{url}/verdict", json=verdict_body("worked", design="before_after")))
    for field in ("sponsor", "owner"):
        problem(town.manager.patch(url, json={field: {"name": "Too Late"}}, headers={"If-Match": "*"}), 409)
    assert ok(town.manager.get(url))["sponsor"] == replacement

"""A trial's people and metrics changed in-process, in front of a fake gateway: what each form sends (with
If-Match, the version it was opened on), the API's 412 as a page saying what changed with every word
typed kept and the new version carried, metrics offered for change only while the trial is planned,
removing a metric confirmed first."""

from __future__ import annotations

import uuid

import httpx
import orjson
import pytest

from tests.web.fake import FakeGateway, csrf, in_own_loop, pages, sign_in, token

TRIAL = str(uuid.uuid4())
METRIC = str(uuid.uuid4())
HOURS = {
    "id": METRIC,
    "trial_id": TRIAL,
    "name": "Hours per claim",
    "unit": "hours_per_case",
    "direction": "lower_is_better",
    "baseline": {"value": 2.0, "period_start": "2026-01-01", "period_end": "2026-03-31", "method": "Case report"},
    "target_value": 1.5,
    "annual_volume": 1200.0,
    "hourly_cost_pounds": 25.0,
    "cashable": False,
    "version": 2,
}


KINDS = {"communication": "what residents are told and when", "partnership": "work shared with a partner"}
PARTNERS = [
    {"id": str(uuid.uuid4()), "name": "Arriva North", "kind": "bus_operator"},
    {"id": str(uuid.uuid4()), "name": "Northgate Pharmacy", "kind": "pharmacy"},
]


def trial(version: int = 7, **changes) -> dict:
    return {
        "id": TRIAL,
        "idea": {"id": str(uuid.uuid4()), "title": "Pre-fill claims", "council_name": "Kirkby"},
        "status": "planned",
        "frozen": False,
        "hypothesis": "If we pre-fill claims, time per claim falls.",
        "scope": "",
        "planned_start": None,
        "planned_end": None,
        "review_date": None,
        "trial_cost_pounds": 0.0,
        "version": version,
        "owner": {"name": "Priya Shah", "job_title": "Team leader", "consents_to_be_named": True},
        "sponsor": None,
        "kind_of_change": None,
        "partners": [],
        "team": [{"name": "Lee Jones", "job_title": "Officer", "consents_to_be_named": False}],
        "metrics": [HOURS],
        **changes,
    }


@pytest.fixture
def fake() -> FakeGateway:
    fake = FakeGateway()
    fake.on("GET", f"/api/followup/trials/{TRIAL}", trial())
    fake.on(
        "GET",
        "/api/followup/vocabulary",
        {"units": {"hours_per_case": "Hours per case", "count": "A count"}, "kinds_of_change": KINDS},
    )
    fake.on(
        "GET", "/api/followup/partners", {"items": PARTNERS, "total": 2, "limit": 200, "offset": 0, "next_offset": None}
    )
    fake.on("PATCH", f"/api/followup/trials/{TRIAL}", trial(8))
    fake.on("PATCH", f"/api/followup/trials/{TRIAL}/metrics/{METRIC}", {**HOURS, "version": 3})
    fake.on("DELETE", f"/api/followup/trials/{TRIAL}/metrics/{METRIC}", lambda _r: httpx.Response(204))
    return fake


def _sent(fake: FakeGateway, method: str) -> list[httpx.Request]:
    return [c for c in fake.calls if c.method == method]


def _people_form(form: str, **fields) -> dict:
    return {
        "csrf_token": form,
        "version": "7",
        "was_owner_name": "Priya Shah",
        "was_owner_job_title": "Team leader",
        "was_owner_consents": "yes",
        "was_team-0-name": "Lee Jones",
        "was_team-0-job_title": "Officer",
        "owner_name": "Priya Shah",
        "owner_job_title": "Team leader",
        "owner_consents": "yes",
        "team-0-name": "Lee Jones",
        "team-0-job_title": "Officer",
        "team-1-name": "",
        "team-1-job_title": "",
        **fields,
    }


@in_own_loop
async def test_the_people_form_sends_the_owner_and_team_with_the_version_it_was_opened_on(fake):
    async with pages(fake) as client:
        sign_in(client, token("staff"))
        assert (await client.get(f"/trials/{TRIAL}/people")).status_code == 409  # managers only
        sign_in(client, token("manager"))
        page = (await client.get(f"/trials/{TRIAL}/people")).text
        assert 'name="version" value="7"' in page and 'value="Lee Jones"' in page
        assert 'id="team-2-name"' in page and 'id="team-3-name"' not in page  # the team and two empty rows
        form = await csrf(client, f"/trials/{TRIAL}/people")
        saved = await client.post(
            f"/trials/{TRIAL}/people",
            data=_people_form(form, **{"team-0-name": "", "team-1-name": " Ana  Cole ", "team-1-consents": "yes"}),
        )
        assert saved.status_code == 303
        assert saved.headers["location"] == f"/trials/{TRIAL}?done=people"
        [sent] = _sent(fake, "PATCH")
        assert sent.headers["If-Match"] == '"7"'
        assert orjson.loads(sent.content) == {
            "owner": {"name": "Priya Shah", "job_title": "Team leader", "consents_to_be_named": True},
            "team": [{"name": "Ana Cole", "job_title": "", "consents_to_be_named": True}],
        }
        # An emptied owner is sent as none.
        await client.post(f"/trials/{TRIAL}/people", data=_people_form(form, owner_name="", owner_job_title=""))
        assert orjson.loads(_sent(fake, "PATCH")[-1].content)["owner"] is None
        # The API's refusal of a team member is put on the row it is about (emptied rows are not sent).
        fake.on(
            "PATCH",
            f"/api/followup/trials/{TRIAL}",
            {"status": 422, "detail": "x", "errors": [{"field": "team.0.name", "message": "is too long"}]},
            status=422,
        )
        bad = await client.post(
            f"/trials/{TRIAL}/people", data=_people_form(form, **{"team-0-name": "", "team-1-name": "A" * 201})
        )
        assert bad.status_code == 400 and 'href="#team-1-name"' in bad.text and "Is too long" in bad.text
        assert 'name="version" value="7"' in bad.text  # still the version the form was opened on


@in_own_loop
async def test_people_saved_by_someone_else_meanwhile_are_a_page_saying_what_changed(fake):
    fake.on("PATCH", f"/api/followup/trials/{TRIAL}", {"status": 412, "detail": "changed"}, status=412)
    fake.on(
        "GET",
        f"/api/followup/trials/{TRIAL}",
        trial(9, owner={"name": "Sam Hill", "job_title": "Head of service", "consents_to_be_named": False}),
    )
    async with pages(fake) as client:
        sign_in(client, token("manager"))
        form = await csrf(client, f"/trials/{TRIAL}/people")
        answer = await client.post(f"/trials/{TRIAL}/people", data=_people_form(form, **{"team-1-name": "Ana Cole"}))
    html = answer.text
    assert answer.status_code == 409
    assert "Someone else changed the trial&#39;s people" in html and "Nothing has been overwritten" in html
    assert "Sam Hill, Head of service" in html and "changed by someone else" in html  # the owner, saved now
    assert "Lee Jones, Officer; Ana Cole" in html  # the team as this person wrote it
    assert 'value="Ana Cole"' in html  # every word typed kept
    assert 'name="version" value="9"' in html and "Save my version" in html  # saves over what they saw


@in_own_loop
async def test_a_metric_is_changed_with_its_version_and_emptied_figures_are_cleared(fake):
    async with pages(fake) as client:
        sign_in(client, token("manager"))
        plan = (await client.get(f"/trials/{TRIAL}/plan")).text
        assert f'href="/trials/{TRIAL}/metrics/{METRIC}"' in plan and f"/metrics/{METRIC}/remove" in plan
        page = (await client.get(f"/trials/{TRIAL}/metrics/{METRIC}")).text
        assert 'name="version" value="2"' in page and 'value="Hours per claim"' in page and 'value="1.5"' in page
        form = await csrf(client, f"/trials/{TRIAL}/metrics/{METRIC}")
        fields = {
            "csrf_token": form,
            "version": "2",
            "metric_name": "Hours per claim",
            "unit": "hours_per_case",
            "direction": "lower_is_better",
            "baseline_value": "2",
            "baseline_start": "2026-01-01",
            "baseline_end": "2026-03-31",
            "baseline_method": "Case report",
            "target_value": "1.4",
            "annual_volume": "",
            "hourly_cost_pounds": "25",
        }
        saved = await client.post(f"/trials/{TRIAL}/metrics/{METRIC}", data=fields)
        assert saved.headers["location"] == f"/trials/{TRIAL}/plan?done=metric-changed#metrics"
        [sent] = _sent(fake, "PATCH")
        assert sent.headers["If-Match"] == '"2"'
        body = orjson.loads(sent.content)
        assert body["target_value"] == 1.4 and body["annual_volume"] is None and body["cashable"] is False
        fake.on("PATCH", f"/api/followup/trials/{TRIAL}/metrics/{METRIC}", {"status": 412, "detail": "x"}, status=412)
        fake.on("GET", f"/api/followup/trials/{TRIAL}", trial(metrics=[{**HOURS, "target_value": 1.2, "version": 3}]))
        stale = await client.post(f"/trials/{TRIAL}/metrics/{METRIC}", data={**fields, **{"was_target_value": "1.5"}})
        assert stale.status_code == 409 and "Someone else changed this metric" in stale.text
        assert '<td class="govuk-table__cell">1.2</td>' in stale.text and 'value="1.4"' in stale.text
        assert 'name="version" value="3"' in stale.text


@in_own_loop
async def test_a_started_trials_metrics_are_not_offered_for_change(fake):
    fake.on("GET", f"/api/followup/trials/{TRIAL}", trial(status="running", frozen=True))
    async with pages(fake) as client:
        sign_in(client, token("manager"))
        plan = (await client.get(f"/trials/{TRIAL}/plan")).text
        assert f"/metrics/{METRIC}" not in plan
        refused = await client.get(f"/trials/{TRIAL}/metrics/{METRIC}")
        assert refused.status_code == 409 and "its metrics are frozen" in refused.text
        assert (await client.get(f"/trials/{TRIAL}/metrics/{METRIC}/remove")).status_code == 409
        assert (await client.get(f"/trials/{TRIAL}/people")).status_code == 200  # people still change


@in_own_loop
async def test_removing_a_metric_is_confirmed_then_sent_with_its_version(fake):
    async with pages(fake) as client:
        sign_in(client, token("manager"))
        asked = await client.get(f"/trials/{TRIAL}/metrics/{METRIC}/remove")
        assert "Remove Hours per claim?" in asked.text and not _sent(fake, "DELETE")
        form = await csrf(client, f"/trials/{TRIAL}/metrics/{METRIC}/remove")
        done = await client.post(f"/trials/{TRIAL}/metrics/{METRIC}/remove", data={"csrf_token": form, "version": "2"})
        assert done.headers["location"] == f"/trials/{TRIAL}/plan?done=metric-removed#metrics"
        [sent] = _sent(fake, "DELETE")
        assert sent.headers["If-Match"] == '"2"'
        fake.on("DELETE", f"/api/followup/trials/{TRIAL}/metrics/{METRIC}", {"status": 412, "detail": "x"}, status=412)
        stale = await client.post(f"/trials/{TRIAL}/metrics/{METRIC}/remove", data={"csrf_token": form, "version": "1"})
        assert stale.status_code == 409 and "Someone changed this metric after you opened this page" in stale.text


@in_own_loop
async def test_the_plan_sets_the_sponsor_kind_of_change_and_partners_while_planned(fake):
    arriva, pharmacy = (p["id"] for p in PARTNERS)
    async with pages(fake) as client:
        sign_in(client, token("manager"))
        page = (await client.get(f"/trials/{TRIAL}/plan")).text
        assert 'id="sponsor_name"' in page and 'name="kind_of_change" type="radio" value="partnership"' in page
        assert f'name="partner_ids" type="checkbox" value="{pharmacy}"' in page and "Northgate Pharmacy" in page
        form = await csrf(client, f"/trials/{TRIAL}/plan")
        body = {"csrf_token": form, "version": "7", "hypothesis": "If we pre-fill claims, time per claim falls."}
        fields = {"sponsor_name": " Tom Reed ", "sponsor_job_title": "Head of service", "sponsor_consents": "yes"}
        chosen = {"kind_of_change": "partnership", "partners_shown": "yes", "partner_ids": [arriva, pharmacy]}
        saved = await client.post(f"/trials/{TRIAL}/plan", data={**body, **fields, **chosen})
        assert saved.status_code == 303
        sent = orjson.loads(_sent(fake, "PATCH")[-1].content)
        assert sent["sponsor"] == {"name": "Tom Reed", "job_title": "Head of service", "consents_to_be_named": True}
        assert sent["kind_of_change"] == "partnership" and sent["partner_ids"] == [arriva, pharmacy]
        # No sponsor named and no partner ticked: none sent; no kind chosen: the kind is left as it is.
        await client.post(f"/trials/{TRIAL}/plan", data={**body, "sponsor_name": "", "partners_shown": "yes"})
        sent = orjson.loads(_sent(fake, "PATCH")[-1].content)
        assert sent["sponsor"] is None and sent["partner_ids"] == [] and "kind_of_change" not in sent
        # The API's refusal of a partner is put by the partners, with what was ticked kept.
        why = f"{pharmacy} is not on your council's map of partners"
        refusal = {"status": 422, "detail": why, "errors": [{"field": "partner_ids", "message": why}]}
        fake.on("PATCH", f"/api/followup/trials/{TRIAL}", refusal, status=422)
        refused = await client.post(
            f"/trials/{TRIAL}/plan", data={**body, **fields, "partners_shown": "yes", "partner_ids": pharmacy}
        )
        assert refused.status_code == 400 and f'href="#partner_ids">{why[0].upper()}{why[1:8]}' in refused.text
        assert f'value="{pharmacy}" checked' in refused.text and f'value="{arriva}" checked' not in refused.text


@in_own_loop
async def test_a_manager_replaces_the_sponsor_of_a_running_trial_through_the_plan(fake):
    """The sponsor is not a goalpost: one who leaves or changes job is replaced while the trial runs. The kind
    of change and partners are what it is judged against: shown frozen, never sent."""
    pharmacy = PARTNERS[1]["id"]
    started = trial(
        status="running",
        frozen=True,
        sponsor={"name": "Tom Reed", "job_title": "Head of service", "consents_to_be_named": True},
        kind_of_change="partnership",
        partners=[{"id": pharmacy, "name": "Northgate Pharmacy", "kind": "pharmacy"}],
    )
    fake.on("GET", f"/api/followup/trials/{TRIAL}", started)
    replaced = {"name": "Bea Khan", "job_title": "Director of place", "consents_to_be_named": False}
    fake.on("PATCH", f"/api/followup/trials/{TRIAL}", {**started, "sponsor": replaced, "version": 8})
    async with pages(fake) as client:
        sign_in(client, token("manager"))
        page = (await client.get(f"/trials/{TRIAL}/plan")).text
        # The sponsor is offered with who it is now; the kind of change and partners are shown, not offered.
        assert 'id="sponsor_name"' in page and 'value="Tom Reed"' in page and 'value="Head of service"' in page
        assert "The sponsor may change until the verdict" in page
        assert "Kind of change and partners (frozen at the start)" in page
        assert "Sponsor, kind of change and partners (frozen" not in page
        assert 'name="kind_of_change"' not in page and 'name="partner_ids"' not in page
        assert 'name="partners_shown"' not in page and "Northgate Pharmacy (pharmacy)" in page
        form = await csrf(client, f"/trials/{TRIAL}/plan")
        fields = {"csrf_token": form, "version": "7", "scope": "Two teams"}
        sponsor = {"sponsor_name": " Bea Khan ", "sponsor_job_title": "Director of place"}
        saved = await client.post(f"/trials/{TRIAL}/plan", data={**fields, **sponsor})
        assert saved.status_code == 303 and saved.headers["location"] == f"/trials/{TRIAL}/plan?done=plan"
        [sent] = _sent(fake, "PATCH")
        assert sent.headers["If-Match"] == '"7"'  # with the version the form was opened on, as the scope
        assert orjson.loads(sent.content) == {"scope": "Two teams", "sponsor": replaced}
        # Emptying the name leaves the trial with no sponsor; still nothing of the kind or partners is sent.
        await client.post(f"/trials/{TRIAL}/plan", data={**fields, "sponsor_name": ""})
        assert orjson.loads(_sent(fake, "PATCH")[-1].content) == {"scope": "Two teams", "sponsor": None}
        # Someone replaced the sponsor meanwhile: the 412 page shows the plan as it is now.
        fake.on("PATCH", f"/api/followup/trials/{TRIAL}", {"status": 412, "detail": "x"}, status=412)
        fake.on("GET", f"/api/followup/trials/{TRIAL}", {**started, "sponsor": replaced, "version": 8})
        stale = await client.post(f"/trials/{TRIAL}/plan", data={**fields, **sponsor})
        assert stale.status_code == 400 and "Someone changed this plan after you opened it" in stale.text
        assert 'name="version" value="8"' in stale.text and 'value="Bea Khan"' in stale.text

"""`make screenshots`: the main pages at 375 px (a phone) and 1280 px wide, into docs/screenshots/.
`python -m tools.screenshots managers` makes only the managers' pages (trials, verdict, portfolio).

Starts its own platform on SQLite (free ports, a temporary folder), fills one council's hack day through
the public API, and drives Debian's Chromium with Playwright as a member of staff and an organiser.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from tools.platform_runner import PARTS, REPO, Platform, free_port

OUT = REPO / "docs" / "screenshots"
WIDTHS = (375, 1280)
PASSWORD = "correct horse battery staple"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
IDEAS = [
    ("Text reminders before council tax is due", "revenues_and_benefits",
     "Residents miss instalments and receive reminder letters and summonses.",
     "Send a text message a week before each instalment is due."),
    ("Online booking for bulky waste collections", "waste_and_recycling",
     "Residents queue on the phone to book a collection; the call centre is swamped on Mondays.",
     "Let residents book and pay online, with the next free slots shown."),
    ("Pool cars for social workers", "adult_social_care",
     "Social workers claim mileage for their own cars, and many have none.",
     "Book council pool cars by the hour from the team calendar."),
]  # fmt: skip


ROSTER = (
    b"Full name,Email address,Department\n"
    b"Asha Khan,asha.khan@kirkby.gov.uk,Revenues\n"
    b"Ben Ode,ben.ode at kirkby,Waste\n"
    b"Chloe Price,chloe.price@kirkby.gov.uk,Housing\n"
    b"Dev Patel,,Adult social care\n"
)


def fill(gateway: str, admin: tuple[str, str]) -> dict:
    api = httpx.Client(base_url=gateway, timeout=30)
    token = api.post("/api/auth/login", json={"email": admin[0], "password": admin[1]}).json()["access_token"]
    as_admin = {"Authorization": f"Bearer {token}"}
    council = api.post("/api/councils", json={"name": "Kirkby Borough Council", "slug": "kirkby"}, headers=as_admin)
    council = council.json()

    def person(email: str, name: str, roles: list[str]) -> dict[str, str]:
        body = {"email": email, "name": name, "council_id": council["id"], "roles": roles, "password": PASSWORD}
        assert api.post("/api/people", json=body, headers=as_admin).status_code == 201
        signed = api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()
        return {"Authorization": f"Bearer {signed['access_token']}"}

    olive = person("olive.organiser@kirkby.gov.uk", "Olive Okafor", ["organiser", "staff"])
    sam = person("sam.staff@kirkby.gov.uk", "Sam Shah", ["staff"])
    day = api.post(
        "/api/ideas/hack-days",
        json={"name": "Spring hack day", "date": "2027-03-14", "themes": ["Fewer missed payments", "Less queueing"]},
        headers=olive,
    ).json()
    api.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}, headers=olive)
    ideas = []
    for title, area, problem, proposal in IDEAS:
        body = {
            "hack_day_id": day["id"],
            "title": title,
            "problem": problem,
            "proposal": proposal,
            "service_area": area,
        }
        idea = api.post("/api/ideas/ideas", json=body, headers=olive).json()
        api.post(f"/api/ideas/ideas/{idea['id']}/shortlist", headers=olive)
        ideas.append(idea)
    own = {
        "hack_day_id": day["id"],
        "title": "Shared desk booking by team",
        "problem": "Whole teams come in on the same day and find no desks.",
        "proposal": "A booking page for desks by team, a week ahead.",
        "service_area": "hr",
    }
    sams = api.post("/api/ideas/ideas", json=own, headers=sam).json()
    comment = {"body": "Facilities know which floors have spare desks: ask them first."}
    api.post(f"/api/ideas/ideas/{sams['id']}/comments", json=comment, headers=olive)
    rules = {"dots_per_voter": 5, "max_dots_per_idea": 3, "exclude_own_ideas": False}
    vote = api.post(
        "/api/voting/rounds",
        json={
            "hack_day_id": day["id"],
            "title": "Which ideas should we trial?",
            "method": "dot_voting",
            "rules": rules,
            "selected_count": 1,
        },
        headers=olive,
    ).json()
    api.post(f"/api/voting/rounds/{vote['id']}/open", headers=olive)
    return {
        "day": day, "vote": vote, "ideas": ideas, "olive": olive, "api": api, "sam": sam, "sams": sams,
        "admin": as_admin, "council": council,
    }  # fmt: skip


def fill_trial(world: dict) -> dict:
    """A manager, and a trial of the first idea a year in: three metrics, 36 readings, one corrected."""
    api, council = world["api"], world["council"]
    body = {
        "email": "mina.manager@kirkby.gov.uk",
        "name": "Mina Manager",
        "council_id": council["id"],
        "roles": ["manager", "staff"],
        "password": PASSWORD,
    }
    assert api.post("/api/people", json=body, headers=world["admin"]).status_code == 201
    signed = api.post("/api/auth/login", json={"email": body["email"], "password": PASSWORD}).json()
    mina = {"Authorization": f"Bearer {signed['access_token']}"}
    # A collaboration champion's map of partners, for the plan to name one.
    champion = {**body, "email": "carl.champion@kirkby.gov.uk", "name": "Carl Champion", "roles": ["champion", "staff"]}
    assert api.post("/api/people", json=champion, headers=world["admin"]).status_code == 201
    signed = api.post("/api/auth/login", json={"email": champion["email"], "password": PASSWORD}).json()
    carl = {"Authorization": f"Bearer {signed['access_token']}"}
    partner = api.post(
        "/api/followup/partners", json={"name": "Citizens Advice Kirkby", "kind": "charity"}, headers=carl
    ).json()
    today = date.today()
    plan = {
        "sponsor": {"name": "Dev Patel", "job_title": "Head of revenues", "consents_to_be_named": True},
        "kind_of_change": "communication",
        "partner_ids": [partner["id"]],
        "idea_id": world["ideas"][0]["id"],
        "hypothesis": "If we text residents a week before each instalment, missed payments will fall by a fifth.",
        "scope": "Council tax payers paying by instalment; direct debits left out.",
        "review_date": (today + timedelta(days=60)).isoformat(),
        "trial_cost_pounds": 4000,
    }
    trial = api.post("/api/followup/trials", json=plan, headers=mina).json()
    t = f"/api/followup/trials/{trial['id']}"
    # The vote opened this idea's trial already (answered 200 as it is): the plan is written into it.
    changes = {k: v for k, v in plan.items() if k != "idea_id"}
    api.patch(t, json=changes, headers={**mina, "If-Match": "*"}).raise_for_status()
    year_ago = (today - timedelta(days=400)).isoformat(), (today - timedelta(days=370)).isoformat()
    for name, unit, base, target, extra in (
        ("Officer hours on reminder letters", "hours_per_week", 40, 30, {"hourly_cost_pounds": 28}),
        ("Missed instalments", "count", 900, 720, {}),
        ("Share of calls about reminders", "percent", 12, 9, {}),
    ):
        metric = {
            "name": name,
            "unit": unit,
            "direction": "lower_is_better",
            "target_value": target,
            "baseline": {"value": base, "period_start": year_ago[0], "period_end": year_ago[1], "method": "Report"},
            **extra,
        }
        api.post(f"{t}/metrics", json=metric, headers=mina).raise_for_status()
    api.post(f"{t}/start", json={"started_on": (today - timedelta(days=365)).isoformat()}, headers=mina)
    metrics = api.get(t, headers=mina).json()["metrics"]
    rows = []
    for metric, base in zip(metrics, (40, 900, 12), strict=True):
        for month in range(12):
            end = today - timedelta(days=1 + 30 * (11 - month))
            rows.append(
                {
                    "metric_id": metric["id"],
                    "value": round(base * (1 - 0.025 * month), 1),
                    "period_start": (end - timedelta(days=29)).isoformat(),
                    "period_end": end.isoformat(),
                    "method": "Monthly report",
                    "source": "Revenues system",
                }
            )
    made = api.post(f"{t}/measurements/batch", json={"measurements": rows}, headers=mina).json()
    first = made["items"][0]
    fix = {k: first[k] for k in ("metric_id", "period_start", "period_end", "method", "source")}
    api.post(
        f"{t}/measurements",
        json={**fix, "value": 39, "note": "Double-counted one day", "corrects": first["id"]},
        headers=mina,
    )
    return {"trial": trial, "mina": mina, "names": [m["name"] for m in metrics]}


def managers(browser, gateway: str, world: dict) -> None:
    """The manager's pages: a trial, a CSV preview with errors, the verdict's check, the publication
    preview, the portfolio (and the portfolio as printed)."""
    made = fill_trial(world)
    trial, api, mina = made["trial"], world["api"], made["mina"]
    bad = (
        "metric,period_start,period_end,value\n"
        "Missed instalments,2026-01-01,2026-01-31,n/a\n"
        "Missed instalment,2026-02-01,2026-02-28,700\n"
    )
    for width in WIDTHS:

        def shot(page, name: str, width: int = width) -> None:
            page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)
            print(f"docs/screenshots/{name}-{width}.png")

        page = browser.new_context(base_url=gateway, viewport={"width": width, "height": 900}).new_page()
        page.goto("/sign-in")
        page.get_by_label("Email address").fill("mina.manager@kirkby.gov.uk")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto("/trials")
        shot(page, "trials")
        page.goto(f"/trials/{trial['id']}")
        shot(page, "trial")
        page.goto(f"/trials/{trial['id']}/plan")
        shot(page, "trial-plan")
        page.goto(f"/trials/{trial['id']}/measurements/upload")
        page.get_by_label("CSV file of readings").set_input_files(
            {"name": "readings.csv", "mimeType": "text/csv", "buffer": bad.encode()}
        )
        page.get_by_role("button", name="Check the file").click()
        shot(page, "readings-upload-with-errors")
        if width == WIDTHS[0]:
            api.post(f"/api/followup/trials/{trial['id']}/evaluate", headers=mina)
        page.goto(f"/trials/{trial['id']}/verdict")
        page.get_by_label("Worked", exact=True).check()
        page.get_by_label("The verdict in a sentence or two").fill(
            "Texts a week ahead cut missed instalments by a quarter and freed a day a week of letters."
        )
        page.get_by_label("What worked").fill("A short text with the amount and a payment link.")
        page.get_by_label("Before and after").check()
        page.get_by_role("button", name="Check the verdict").click()
        shot(page, "verdict-check")
        if width == WIDTHS[-1]:
            page.get_by_role("button", name="Give the verdict").click()
            page.goto(f"/trials/{trial['id']}/publish")
            shot(page, "publish-preview")
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            shot(page, "publish-preview", WIDTHS[0])
            page.set_viewport_size({"width": width, "height": 900})
        page.goto("/portfolio")
        shot(page, "portfolio")
        if width == WIDTHS[-1]:
            page.emulate_media(media="print")
            page.set_viewport_size({"width": 720, "height": 1000})  # about an A4 page's printable width
            page.screenshot(path=str(OUT / "portfolio-printed.png"), full_page=True)
            print("docs/screenshots/portfolio-printed.png")
        page.context.close()


def main(only: str | None = None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="hackday-screenshots-"))
    platform = Platform(data_dir=folder, backend="sqlite", environment="test", ports={p: free_port() for p in PARTS},
                        extra_env={"GATEWAY_LOGIN_RATE_LIMIT": "1000/minute"})  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        platform.prepare()
        platform.start_all()
        gateway = platform.url("gateway")
        world = fill(gateway, (platform.admin_email, platform.admin_password))
        day, vote = world["day"], world["vote"]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            if only == "managers":
                managers(browser, gateway, world)
                browser.close()
                return
            for width in WIDTHS:

                def shot(page, name: str, width: int = width) -> None:
                    page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)
                    print(f"docs/screenshots/{name}-{width}.png")

                staff = browser.new_context(base_url=gateway, viewport={"width": width, "height": 900}).new_page()
                staff.goto("/sign-in")
                shot(staff, "sign-in")
                staff.get_by_label("Email address").fill("sam.staff@kirkby.gov.uk")
                staff.get_by_label("Password", exact=True).fill(PASSWORD)
                staff.get_by_role("button", name="Sign in").click()
                shot(staff, "hack-days")
                staff.goto(f"/hack-days/{day['id']}/ideas/new")
                staff.get_by_label("Title").fill("Text message reminders for council tax")
                staff.get_by_role("button", name="Check for similar ideas").click()
                staff.get_by_role("button", name="Submit idea").click()
                shot(staff, "submit-idea-with-errors")
                # An idea of Sam's: its page (team, comments), then an edit saved meanwhile elsewhere.
                mine = f"/ideas/{world['sams']['id']}"
                staff.goto(mine)
                shot(staff, "idea-page")
                staff.goto(mine + "/edit")
                staff.get_by_label("Title").fill("Desk booking by team for hybrid working")
                api, sam = world["api"], world["sam"]
                version = api.get(f"/api{mine.replace('/ideas/', '/ideas/ideas/')}", headers=sam).json()["version"]
                said = {375: "Whole teams find no desks on their office day.", 1280: "Teams find no desks on the day."}
                changed = {"problem": said[width]}
                api.patch(
                    f"/api{mine.replace('/ideas/', '/ideas/ideas/')}",
                    json=changed,
                    headers={**sam, "If-Match": f'"{version}"'},
                )
                staff.get_by_role("button", name="Save changes").click()
                shot(staff, "edit-conflict")
                staff.goto(f"/rounds/{vote['id']}")
                staff.locator(f"#idea-{world['ideas'][0]['id']}").fill("3")
                staff.locator(f"#idea-{world['ideas'][1]['id']}").fill("2")
                shot(staff, "ballot-dot-voting")
                staff.get_by_role("button", name=re.compile("my vote")).click()
                shot(staff, "receipt")
                organiser = browser.new_context(base_url=gateway, viewport={"width": width, "height": 900}).new_page()
                organiser.goto("/sign-in")
                organiser.get_by_label("Email address").fill("olive.organiser@kirkby.gov.uk")
                organiser.get_by_label("Password", exact=True).fill(PASSWORD)
                organiser.get_by_role("button", name="Sign in").click()
                organiser.goto(f"/organise/hack-days/{day['id']}")
                shot(organiser, "organiser-dashboard")
                organiser.goto("/organise/staff")
                organiser.get_by_label("The roster (CSV)").set_input_files(
                    {"name": "hr-export.csv", "mimeType": "text/csv", "buffer": ROSTER}
                )
                organiser.get_by_role("button", name="Check the roster").click()
                shot(organiser, "roster-preview")
                if width == WIDTHS[0]:  # its people are then registered: the second width would add nobody
                    organiser.get_by_role("button", name=re.compile(r"^Add \d+ people$")).click()
                    organiser.locator(".govuk-panel").wait_for()
                    for each in WIDTHS:  # the page is the same at both widths but for its layout
                        organiser.set_viewport_size({"width": each, "height": 900})
                        shot(organiser, "roster-added", each)
                    organiser.set_viewport_size({"width": width, "height": 900})
                organiser.goto(f"/organise/rounds/{vote['id']}/projector")
                shot(organiser, "projector")
                organiser.context.close()
                staff.context.close()
            api, olive = world["api"], world["olive"]
            api.post(f"/api/voting/rounds/{vote['id']}/close", headers=olive)
            api.post(f"/api/voting/rounds/{vote['id']}/publish", json={}, headers=olive)
            for width in WIDTHS:
                page = browser.new_context(base_url=gateway, viewport={"width": width, "height": 900}).new_page()
                page.goto("/sign-in")
                page.get_by_label("Email address").fill("sam.staff@kirkby.gov.uk")
                page.get_by_label("Password", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.goto(f"/rounds/{vote['id']}/results")
                page.screenshot(path=str(OUT / f"results-{width}.png"), full_page=True)
                print(f"docs/screenshots/results-{width}.png")
                page.context.close()
            library_and_admin(browser, gateway, world, (platform.admin_email, platform.admin_password))
            managers(browser, gateway, world)
            browser.close()
    finally:
        platform.stop_all()
        shutil.rmtree(folder, ignore_errors=True)


def publish_trials(world: dict) -> dict:
    """Two of the council's ideas trialled and published: one that worked, one that did not."""
    from datetime import UTC, datetime, timedelta

    api = world["api"]
    today = datetime.now(UTC).date()

    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    email = "mo.manager@kirkby.gov.uk"
    council_id = world["day"]["council_id"]
    body = {"email": email, "name": "Mo Mensah", "council_id": council_id, "roles": ["manager", "staff"],
            "password": PASSWORD}  # fmt: skip
    api.post("/api/people", json=body, headers=world["admin"])
    mo = {
        "Authorization": "Bearer "
        + api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
    }
    published = {}
    for idea, outcome, readings in (
        (world["ideas"][1], "worked", [2.0, 1.8, 1.6, 1.5, 1.4, 1.3]),
        (world["ideas"][2], "did_not_work", [2.1, 2.0, 2.2, 2.1]),
    ):
        trial = api.post("/api/followup/trials", headers=mo, json={
            "idea_id": idea["id"], "kind_of_change": "digital_self_service", "trial_cost_pounds": 4000,
            "owner": {"name": "Mo Mensah", "job_title": "Service manager", "consents_to_be_named": True},
            "hypothesis": "If residents book online, calls and staff time per booking will fall by a third.",
            "scope": "Bulky waste bookings in the north of the borough for six months.",
        }).json()  # fmt: skip
        metric = api.post(f"/api/followup/trials/{trial['id']}/metrics", headers=mo, json={
            "name": "Staff minutes per booking", "unit": "minutes_per_case", "direction": "lower_is_better",
            "baseline": {"value": 2.0 * 6, "period_start": ago(220), "period_end": ago(190), "method": "Call logs"},
            "target_value": 8, "annual_volume": 9000, "hourly_cost_pounds": 24, "cashable": False,
        }).json()  # fmt: skip
        api.post(f"/api/followup/trials/{trial['id']}/start", json={"started_on": ago(185)}, headers=mo)
        for n, value in enumerate(readings):
            end = 1 + 30 * (len(readings) - 1 - n)
            api.post(f"/api/followup/trials/{trial['id']}/measurements", headers=mo, json={
                "metric_id": metric["id"], "value": value * 6, "period_start": ago(end + 29), "period_end": ago(end),
                "method": "Call logs and booking system", "source": "Contact centre telephony", "note": "",
            })  # fmt: skip
        api.post(f"/api/followup/trials/{trial['id']}/evaluate", headers=mo)
        worked = outcome == "worked"
        lessons = {
            "what_worked": "Showing the next free slots.",
            "what_did_not": "Paying by card online at first.",
            "do_differently": "Link the form from the phone line's message.",
            "conditions_elsewhere": "A booking system with an open interface.",
        }
        verdict = {
            "outcome": outcome,
            "design": "before_after",
            "summary": "Online booking halved the calls." if worked else "Few residents used it; calls did not fall.",
            "reasons": [] if worked else [{"code": "adoption", "note": "Residents kept phoning: the form was hidden."}],
            "lessons": lessons,
        }
        api.post(f"/api/followup/trials/{trial['id']}/verdict", headers=mo, json=verdict)
        published[outcome] = api.post(f"/api/followup/trials/{trial['id']}/publish", headers=mo).json()
    return published


def library_and_admin(browser, gateway: str, world: dict, admin: tuple[str, str]) -> None:
    """The public library as a reader without an account, and the admin pages."""
    api = world["api"]
    token = api.post("/api/auth/login", json={"email": admin[0], "password": admin[1]}).json()["access_token"]
    world["admin"] = {"Authorization": f"Bearer {token}"}
    published = publish_trials(world)
    sam = next(
        p
        for p in api.get(f"/api/councils/{world['day']['council_id']}/people", headers=world["admin"]).json()["items"]
        if p["email"].startswith("sam.")
    )
    for width in WIDTHS:

        def shot(page, name: str, width: int = width) -> None:
            page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)
            print(f"docs/screenshots/{name}-{width}.png")

        reader = browser.new_context(base_url=gateway, viewport={"width": width, "height": 900}).new_page()
        reader.goto("/library")
        shot(reader, "library")
        reader.goto(f"/library/{published['did_not_work']['id']}")
        shot(reader, "library-trial-did-not-work")
        reader.goto(f"/library/{published['worked']['id']}")
        shot(reader, "library-trial")
        reader.goto("/library/what-works?by=kind_of_change")
        shot(reader, "what-works")
        reader.context.close()
        page = browser.new_context(base_url=gateway, viewport={"width": width, "height": 900}).new_page()
        page.goto("/sign-in?next=/admin")
        page.get_by_label("Email address").fill(admin[0])
        page.get_by_label("Password", exact=True).fill(admin[1])
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"/admin/people/{sam['id']}")
        shot(page, "admin-person")
        page.get_by_role("button", name="Deactivate a leaver").click()
        shot(page, "admin-deactivate-confirm")
        page.goto("/admin/api-keys")
        page.get_by_label("What the key is for").fill("Monthly trial report")
        page.get_by_label("Manager: run trials").check()
        page.get_by_role("button", name="Make the key").click()
        shot(page, "admin-api-key-made")
        page.context.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)

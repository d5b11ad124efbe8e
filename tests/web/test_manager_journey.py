"""A manager's whole trial in a real browser through the gateway: the plan, the start (the plan frozen), a
year of readings for three metrics uploaded as CSV (a bad file first: its errors per row), a correction
beside its original, the verdict with the keyboard alone (the gain and evidence level shown before it is
given), publishing with its preview; then the portfolio, its CSV, and its print on one A4 page. axe-core
(WCAG 2.2 A and AA) on every page and state; 320 px without horizontal scrolling."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.web.conftest import no_horizontal_scroll, tab_to

TRIALS = "/api/followup/trials"


def _day(days_ago: int) -> str:
    return (datetime.now(UTC).date() - timedelta(days=days_ago)).isoformat()


@pytest.fixture(scope="module")
def council_with_a_trial(new_council, new_person):
    """A council with a manager, an idea from its hack day, and a trial of it just opened (as a vote or a
    manager opens one): the browser does the rest."""
    council = new_council()
    organiser = new_person(council, "organiser", "staff")
    manager = new_person(council, "manager", "staff")
    champion = new_person(council, "staff", "champion")  # keeps the map of partners the plan names from
    for name, kind in (("Northgate Surgery", "gp_surgery"), ("Arriva North", "bus_operator")):
        assert champion.post("/api/followup/partners", json={"name": name, "kind": kind}).status_code == 201
    day = organiser.post(
        "/api/ideas/hack-days", json={"name": "Autumn hack day", "date": _day(400), "themes": []}
    ).json()
    assert organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}).status_code == 200

    def idea(title: str) -> dict:
        made = organiser.post(
            "/api/ideas/ideas",
            json={
                "hack_day_id": day["id"],
                "title": title,
                "problem": "Officers re-key housing benefit claims from emails into the case system.",
                "proposal": "Pre-fill the claim form from the email.",
                "service_area": "revenues_and_benefits",
            },
        )
        assert made.status_code == 201, made.text
        return made.json()

    trial = manager.post(
        TRIALS,
        json={
            "idea_id": idea("Pre-fill housing benefit claims")["id"],
            "trial_cost_pounds": 5000,
            "internal_notes": "Union rep briefed; never published.",
        },
    )
    assert trial.status_code == 201, trial.text
    return {"council": council, "manager": manager, "trial": trial.json(), "idea": idea}


def _year_csv(names: list[str], bad: bool = False) -> bytes:
    """Twelve monthly readings for each metric (36 rows), as a spreadsheet saves them."""
    lines = ["metric,period_start,period_end,value,method,source,note"]
    for n, name in enumerate(names):
        for month in range(12, 0, -1):
            end = datetime.now(UTC).date() - timedelta(days=1 + 30 * (month - 1))
            start = end - timedelta(days=29)
            value = [2.0 - 0.05 * (12 - month), 9 - 0.3 * (12 - month), 0.05][n]
            lines.append(f"{name},{start.isoformat()},{end:%d/%m/%Y},{value:.2f},Case system report,Northgate,")
    if bad:
        lines[3] = lines[3].replace("Hours per claim", "Hours per claims")
        cells = lines[5].split(",")
        lines[5] = ",".join([*cells[:3], "n/a", *cells[4:]])
    return ("\n".join(lines) + "\n").encode()


def test_a_managers_whole_trial(pages, axe, council_with_a_trial):
    manager, trial = council_with_a_trial["manager"], council_with_a_trial["trial"]
    page = pages.open(manager)
    page.goto("/trials")
    axe(page, "the trials list")
    page.get_by_role("link", name="Pre-fill housing benefit claims").click()
    assert page.get_by_role("heading", name="Pre-fill housing benefit claims").is_visible()
    axe(page, "a planned trial")

    # The plan, and a metric (a mistake first: its error next to the field, what was typed kept).
    page.get_by_role("link", name="Change the plan and its metrics").click()
    page.get_by_label("Hypothesis").fill("If we pre-fill claims from the email, time per claim falls by a quarter.")
    page.get_by_label("Review date").fill(_day(-90))
    page.get_by_label("Sponsor's name").fill("Tom Reed")
    page.get_by_label("Sponsor's job title").fill("Head of revenues")
    page.get_by_label("Process redesign").check()
    page.get_by_label("Northgate Surgery").check()
    page.get_by_role("button", name="Save the plan").click()
    assert "The plan is saved" in page.inner_text("main")
    assert page.get_by_label("Northgate Surgery").is_checked() and not page.get_by_label("Arriva North").is_checked()
    assert page.get_by_label("Sponsor's name").input_value() == "Tom Reed"
    axe(page, "the plan with its sponsor, kind of change and partners")
    page.get_by_label("What is measured").fill("Hours per claim")
    page.get_by_label("Baseline: the reading before the trial").fill("2.0")
    page.get_by_role("button", name="Add the metric").click()
    summary = page.locator(".govuk-error-summary")
    assert "Choose the unit it is measured in" in summary.inner_text()
    assert "Enter when the baseline period started" in summary.inner_text()
    assert page.get_by_label("What is measured").input_value() == "Hours per claim"
    axe(page, "the plan with errors in a metric")
    page.get_by_label("Unit", exact=True).select_option("hours_per_case")
    page.get_by_label("Baseline period start").fill(_day(500))
    page.get_by_label("Baseline period end").fill(_day(400))
    page.get_by_label("How the baseline was measured").fill("Case system report, last year")
    page.get_by_label("Target", exact=True).fill("1.5")
    page.get_by_label("Cases a year (for per-case units)").fill("1200")
    page.get_by_label("Cost of one staff hour, on-costs included (for time units)").fill("25")
    page.get_by_role("button", name="Add the metric").click()
    assert "The metric is added" in page.inner_text("main")
    for name, unit, base in (("Days waiting", "days_waiting", 9), ("Error rate", "error_rate", 0.08)):
        body = {
            "name": name,
            "unit": unit,
            "direction": "lower_is_better",
            "baseline": {"value": base, "period_start": _day(500), "period_end": _day(400), "method": "Report"},
        }
        assert manager.post(f"{TRIALS}/{trial['id']}/metrics", json=body).status_code == 201

    # Start: the plan is frozen.
    page.goto(f"/trials/{trial['id']}")
    page.get_by_label("Started on (optional)").fill(_day(365))
    page.get_by_role("button", name="Start the trial").click()
    assert "The plan is frozen" in page.locator(".app-frozen").inner_text()
    assert page.get_by_role("link", name="Change the plan and its metrics").count() == 0
    plan = page.locator("dl.govuk-summary-list").first.inner_text()
    assert "Tom Reed, Head of revenues" in plan and "Process redesign" in plan and "Northgate Surgery" in plan
    axe(page, "a running trial, frozen")
    page.get_by_role("link", name="Change the scope, dates, cost or sponsor").click()
    assert "Kind of change and partners (frozen at the start)" in page.inner_text("main")
    assert page.get_by_label("Northgate Surgery").count() == 0 and page.get_by_label("Process redesign").count() == 0
    axe(page, "a running trial's plan: the sponsor offered, the kind of change and partners frozen")
    # The sponsor is not a goalpost: one who changes job is replaced while the trial runs.
    page.get_by_label("Sponsor's name").fill("Bea Khan")
    page.get_by_label("Sponsor's job title").fill("Director of place")
    page.get_by_role("button", name="Save the plan").click()
    assert "The plan is saved" in page.inner_text("main")
    page.goto(f"/trials/{trial['id']}")
    plan = page.locator("dl.govuk-summary-list").first.inner_text()
    assert "Bea Khan, Director of place" in plan and "Tom Reed" not in plan and "Northgate Surgery" in plan

    # A year of readings from a CSV: a bad file first, each problem on its row, nothing recorded.
    page.get_by_role("link", name="Upload readings from a CSV file").click()
    axe(page, "the upload form")
    names = ["Hours per claim", "Days waiting", "Error rate"]
    page.get_by_label("CSV file of readings").set_input_files(
        {"name": "readings.csv", "mimeType": "text/csv", "buffer": _year_csv(names, bad=True)}
    )
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    assert "Line 4, metric: “Hours per claims” is not a metric of this trial" in summary.inner_text()
    assert "Line 6, value: Enter the reading as a number" in summary.inner_text()
    assert page.locator("#line-6 .govuk-error-message").is_visible()
    axe(page, "the preview of a file with errors")
    assert manager.get(f"{TRIALS}/{trial['id']}/measurements").json()["total"] == 0
    page.get_by_label("CSV file of readings").set_input_files(
        {"name": "readings.csv", "mimeType": "text/csv", "buffer": _year_csv(names)}
    )
    page.get_by_role("button", name="Check the file").click()
    assert page.locator("table.app-preview tbody tr").count() == 36
    axe(page, "the preview of a good file")
    page.get_by_role("button", name="Record these 36 readings").click()
    assert "36 readings are recorded from the file" in page.inner_text("main")
    assert manager.get(f"{TRIALS}/{trial['id']}/measurements").json()["total"] == 36

    # Each metric charted, with its text and table.
    chart = page.locator("svg.app-chart").first
    assert chart.get_attribute("role") == "img" and "Hours per claim" in chart.locator("title").text_content()
    assert "the target of 1.5 was met" in page.inner_text("main")

    # A correction: the original stays beside it.
    page.get_by_role("link", name=re.compile("^Correct")).first.click()
    axe(page, "the correction form")
    page.get_by_label("Reading (hours per case)").fill("1.95")
    page.get_by_label("Why it is corrected").fill("The first month double-counted two claims.")
    page.get_by_role("button", name="Record the correction").click()
    assert "the original stays on record beside it" in page.inner_text("main")
    first_row = page.locator("table", has_text="every reading of hours per claim").locator("tbody tr").first
    assert first_row.locator("s").inner_text() == "2"
    assert "1.95 on" in first_row.inner_text()
    axe(page, "a trial with a correction")
    page.set_viewport_size({"width": 320, "height": 800})
    no_horizontal_scroll(page)
    axe(page, "a trial with a correction at 320 px (its tables scroll in their own regions)")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="End the running phase and evaluate").click()
    page.get_by_role("link", name="Give the verdict").click()

    # The verdict with the keyboard alone: a mistake first, then the check page, then given.
    tab_to(page, "button:has-text('Check the verdict')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Choose what the trial showed" in page.locator(".govuk-error-summary").inner_text()
    axe(page, "the verdict with errors")
    tab_to(page, "#outcome")
    page.keyboard.press("ArrowDown")  # the second choice: partly worked
    assert page.locator("#outcome-2").is_checked()
    tab_to(page, "#summary")
    page.keyboard.type("Pre-filling cut the time per claim by a fifth; two officers kept re-keying.")
    tab_to(page, "#reasons")
    page.keyboard.press("Space")  # adoption
    tab_to(page, "#note_adoption")
    page.keyboard.type("Two officers kept re-keying out of habit.")
    tab_to(page, "#what_worked")
    page.keyboard.type("Pre-filled forms from the email template.")
    tab_to(page, "#design")
    page.keyboard.press("Space")  # before and after
    tab_to(page, "button:has-text('Check the verdict')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/verdict$"))
    assert page.locator(".app-verdict-evidence").inner_text().startswith("Level 2 of 5: Before and after")
    gain = page.locator(".app-gain").inner_text()
    assert "Net of the trial’s cost" in gain and "£" in gain
    axe(page, "the verdict checked")
    page.set_viewport_size({"width": 320, "height": 800})
    no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    tab_to(page, "button:has-text('Give the verdict')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?done=verdict$"))
    given = manager.get(f"{TRIALS}/{trial['id']}").json()
    assert given["status"] == "concluded" and given["verdict"]["evidence"]["level"] == 2

    # Publishing: the preview is the library's own page; nothing internal in it.
    page.get_by_role("link", name="Preview and publish").click()
    main = page.inner_text("main")
    assert "this is exactly what other councils will see" in main and "Union rep" not in main
    assert "Open Government Licence" in main
    axe(page, "the publication preview")
    page.get_by_role("button", name="Publish to the shared library").click()
    assert "Published: other councils can now read it" in page.inner_text("main")
    assert manager.get(f"{TRIALS}/{trial['id']}").json()["library_entry_id"]


def test_the_portfolio_on_screen_as_csv_and_printed_on_one_a4_page(pages, axe, council_with_a_trial):
    manager, idea = council_with_a_trial["manager"], council_with_a_trial["idea"]
    for n in range(12):  # enough overdue trials that the printed page must leave some off
        made = manager.post(TRIALS, json={"idea_id": idea(f"Overdue trial {n}")["id"], "review_date": _day(10)})
        assert made.status_code == 201, made.text
    page = pages.open(manager)
    page.goto("/portfolio")
    chart = page.locator("svg.app-chart")
    assert "from ideas to what worked" in chart.locator("title").text_content()
    rows = page.locator("table.govuk-table").first.locator("tbody tr").all_inner_texts()
    assert rows[0].startswith("Ideas\t") and len(rows) == 5
    assert page.locator(".app-portfolio__overdue tbody tr").count() >= 12
    axe(page, "the portfolio")
    page.set_viewport_size({"width": 320, "height": 800})
    no_horizontal_scroll(page)
    axe(page, "the portfolio at 320 px")

    with page.expect_download() as download:
        page.get_by_role("link", name="download the portfolio (CSV)").click()
    text = open(download.value.path(), encoding="utf-8", newline="").read()
    assert text.startswith("section,figure,value\r\n") and "funnel,trialled," in text
    assert text.count("\r\noverdue,") >= 12

    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    pages_printed = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages_printed == 1, f"the printed portfolio is {pages_printed} A4 pages"


def test_a_manager_opens_a_trial_from_an_idea(pages, axe, council_with_a_trial):
    manager = council_with_a_trial["manager"]
    made = council_with_a_trial["idea"]("Text reminders before bin collections")
    page = pages.open(manager, width=320)
    page.goto(f"/ideas/{made['id']}")
    axe(page, "an idea a manager may trial")
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Open a trial").click()
    assert re.search(r"/trials/[0-9a-f-]{36}\?done=opened$", page.url), page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Text reminders before bin collections"
    assert "The trial is open" in page.locator(".govuk-notification-banner").inner_text()
    axe(page, "a trial just opened from its idea")
    no_horizontal_scroll(page)
    opened = page.url.split("?")[0]
    # Pressed again from the idea (a new form, a new key): the idea's one trial, not a second.
    page.goto(f"/ideas/{made['id']}")
    page.get_by_role("button", name="Open a trial").click()
    assert page.url.split("?")[0] == opened
    assert (
        len([t for t in manager.get(TRIALS, params={"limit": 200}).json()["items"] if t["idea"]["id"] == made["id"]])
        == 1
    )


def test_a_manager_changes_a_planned_trials_metrics_and_its_people_after_someone_else_did(
    pages, axe, council_with_a_trial
):
    manager = council_with_a_trial["manager"]
    made = council_with_a_trial["idea"]("Book pool cars by the hour")
    trial = manager.post(TRIALS, json={"idea_id": made["id"]}).json()
    for name, unit, base in (("Hours per claim", "hours_per_case", 2), ("Days waiting", "days_waiting", 9)):
        body = {
            "name": name,
            "unit": unit,
            "direction": "lower_is_better",
            "baseline": {"value": base, "period_start": _day(500), "period_end": _day(400), "method": "Report"},
            "target_value": base - 0.5,
        }
        assert manager.post(f"{TRIALS}/{trial['id']}/metrics", json=body).status_code == 201
    page = pages.open(manager, width=320)
    page.goto(f"/trials/{trial['id']}/plan")

    # A metric changed while the trial is planned, another removed after a confirmation.
    page.get_by_role("link", name="Change Hours per claim").click()
    axe(page, "a metric's form")
    no_horizontal_scroll(page)
    page.get_by_label("Target", exact=True).fill("1.4")
    page.get_by_role("button", name="Save the metric").click()
    assert "The metric is saved" in page.locator(".govuk-notification-banner").inner_text()
    assert "target 1.4" in page.inner_text("#metrics + ul")
    page.get_by_role("link", name="Remove Days waiting").click()
    axe(page, "removing a metric, asked first")
    page.get_by_role("button", name="Yes, remove Days waiting").click()
    assert "The metric is removed" in page.locator(".govuk-notification-banner").inner_text()
    assert [m["name"] for m in manager.get(f"{TRIALS}/{trial['id']}").json()["metrics"]] == ["Hours per claim"]

    # The owner and team, while a colleague saves the owner meanwhile: the 412 page, then mine saved over it.
    page.goto(f"/trials/{trial['id']}")
    page.get_by_role("link", name="Change the owner and team").click()
    axe(page, "the trial's people")
    no_horizontal_scroll(page)
    page.get_by_label("Owner's name").fill("Priya Shah")
    page.get_by_label("Owner's job title").fill("Revenues team leader")
    page.get_by_label("The owner agreed to be named in the shared library").check()
    page.locator("#team-0-name").fill("Lee Jones")
    page.locator("#team-0-job_title").fill("Benefits officer")
    read = manager.get(f"{TRIALS}/{trial['id']}")
    colleague = {"owner": {"name": "Sam Hill", "job_title": "Head of service", "consents_to_be_named": False}}
    changed = manager.patch(f"{TRIALS}/{trial['id']}", json=colleague, headers={"If-Match": read.headers["ETag"]})
    assert changed.status_code == 200, changed.text
    page.get_by_role("button", name="Save the people").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Someone else changed the trial's people"
    changes = page.locator(".app-changes").inner_text()
    assert "Sam Hill, Head of service" in changes and "changed by someone else" in changes
    assert page.locator("#team-0-name").input_value() == "Lee Jones"  # every word typed kept
    axe(page, "the trial's people changed by someone else")
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Save my version").click()
    assert "The owner and team are saved" in page.locator(".govuk-notification-banner").inner_text()
    saved = manager.get(f"{TRIALS}/{trial['id']}").json()
    assert saved["owner"]["name"] == "Priya Shah" and [p["name"] for p in saved["team"]] == ["Lee Jones"]

    # Started, the metrics are frozen: no longer offered for change (the people still are).
    assert manager.post(f"{TRIALS}/{trial['id']}/start", json={}).status_code == 200
    page.goto(f"/trials/{trial['id']}/plan")
    assert page.get_by_role("link", name="Change Hours per claim").count() == 0
    page.goto(f"/trials/{trial['id']}/metrics/{saved['metrics'][0]['id']}")
    assert "its metrics are frozen" in page.inner_text("main")
    page.goto(f"/trials/{trial['id']}")
    assert page.get_by_role("link", name="Change the owner and team").is_visible()

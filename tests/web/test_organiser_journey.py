"""An organiser runs a hack day from the pages, in a real browser through the gateway: the roster
uploaded (and a colleague's first sign-in with their code), phases with confirmation, the queue with
each idea's "tried before?" evidence and bulk actions, a round created, opened, watched (live
turnout), closed, published, its results and CSV exports; axe (WCAG 2.2 A and AA) on every state."""

from __future__ import annotations

import re
import uuid

from tests.web.conftest import no_horizontal_scroll

PASSWORD = "a long enough pass phrase"


def test_an_organiser_runs_a_hack_day_from_the_pages(pages, axe, new_council, new_person):
    council = new_council()
    organiser = new_person(council, "organiser", "staff")
    page = pages.open(organiser)

    # A hack day, created from the form (an error first).
    page.goto("/organise")
    axe(page, "organise: no hack day yet")
    page.get_by_role("button", name="Create hack day").click()
    assert "Enter a name of 3 characters or more" in page.locator(".govuk-error-summary").inner_text()
    axe(page, "create a hack day: errors")
    page.get_by_label("Name").fill("Autumn hack day")
    page.get_by_label("Date").fill("2027-10-14")
    page.get_by_role("button", name="Create hack day").click()
    page.wait_for_url(re.compile(r"/organise/hack-days/[0-9a-f-]{36}$"))
    dashboard = page.url
    day_id = dashboard.rsplit("/", 1)[1]
    axe(page, "a new hack day's dashboard")

    # The roster: a preview with a refused row, then the people added and their codes downloaded.
    first, second = (f"{unique}@example.org" for unique in (f"r1-{uuid.uuid4().hex[:8]}", f"r2-{uuid.uuid4().hex[:8]}"))
    roster = f"Name,Email address\nAsha Khan,{first}\nBen Ode,{second}\nNo Email,\n".encode()
    page.goto("/organise")
    page.get_by_role("link", name="Add staff from an HR roster (CSV)").click()
    axe(page, "add staff: the upload form")
    page.get_by_role("button", name="Check the roster").click()
    assert "Choose the CSV file exported from HR" in page.locator(".govuk-error-summary").inner_text()
    axe(page, "add staff: no file chosen")
    page.get_by_label("The roster (CSV)").set_input_files(
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": roster}
    )
    page.get_by_role("button", name="Check the roster").click()
    assert "No email address" in page.locator("table.app-roster").inner_text()
    axe(page, "add staff: the preview with a refused row")
    page.set_viewport_size({"width": 320, "height": 800})
    no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Add 2 people").click()
    assert "2 people added" in page.locator(".govuk-panel").inner_text()
    axe(page, "add staff: the people added and their codes")
    tops = "cells => cells.map(c => [...c.querySelectorAll('span')].map(s => s.getBoundingClientRect().top))"
    assert all(first == second for first, second in page.eval_on_selector_all("td.app-code", tops))  # one line
    for width in (375, 320):  # on a phone each person is a block of labelled lines, each code's halves whole
        page.set_viewport_size({"width": width, "height": 800})
        no_horizontal_scroll(page)
        halves = page.eval_on_selector_all("td.app-code span", "spans => spans.map(s => s.getClientRects().length)")
        assert halves == [1, 1, 1, 1], f"a code broke inside a half at {width} px"
        assert page.locator("td.app-stacked__email").first.bounding_box()["width"] > width - 60  # the whole width
        axe(page, f"add staff: the people added and their codes at {width} px")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the invitation codes (CSV)").click()
    codes = open(download.value.path(), encoding="utf-8").read().splitlines()
    assert codes[0] == "name,email,invitation code" and codes[1].startswith(f"Asha Khan,{first},")
    code = codes[1].rsplit(",", 1)[1]

    # Asha signs in for the first time with her code.
    asha = pages.open(width=375)
    asha.goto("/sign-in/invitation")
    asha.get_by_label("Invitation code").fill(code)
    asha.get_by_label("Choose a password").fill(PASSWORD)
    asha.get_by_label("Type the password again").fill(PASSWORD)
    asha.get_by_role("button", name="Sign in", exact=True).click()
    assert "Asha Khan" in asha.locator(".app-sign-out__name").inner_text()

    # Open for ideas, with the confirmation page.
    page.goto(dashboard)
    page.get_by_role("button", name="Move to open").click()
    axe(page, "confirm the next phase")
    page.get_by_role("button", name="Yes, move to open").click()
    assert "moved to its next phase" in page.locator(".govuk-notification-banner").inner_text()

    staff = [new_person(council, "staff") for _ in range(3)]
    titles = [
        "Text reminders before bin collection day",
        "Text message reminders before the bin collection",
        "Pool cars for home care visits",
    ]
    ideas = []
    for person, title in zip(staff, titles, strict=True):
        created = person.post(
            "/api/ideas/ideas",
            json={
                "hack_day_id": day_id,
                "title": title,
                "problem": "Residents miss collections." if "bin" in title else "Carers claim mileage.",
                "proposal": "Send a text the day before." if "bin" in title else "Book pool cars.",
                "service_area": "waste_and_recycling" if "bin" in title else "adult_social_care",
            },
        )
        assert created.status_code == 201, created.text
        ideas.append(created.json())

    # The queue: each idea's evidence beside it; bulk actions, refused then done.
    page.reload()
    queue = page.locator("#queue ~ form").first
    assert "Tried before:" in queue.inner_text()
    evidence = page.locator("details.app-evidence").filter(has_text=titles[1]).first
    evidence.locator("summary").click()  # the duplicate-looking pair find each other
    assert titles[0] in evidence.inner_text()
    axe(page, "the queue with its evidence open")
    page.get_by_label(titles[1]).check()
    page.get_by_label("Hide, with a reason").check()
    page.get_by_role("button", name="Apply to the ticked ideas").click()
    assert "Give the reason for hiding" in page.locator(".govuk-error-summary").inner_text()
    axe(page, "moderation: a reason missing")
    page.get_by_label(titles[1]).check()
    page.get_by_label("Mark as duplicates of an earlier idea").check()
    page.get_by_label("Duplicates of", exact=True).select_option(label=titles[0])
    page.get_by_role("button", name="Apply to the ticked ideas").click()
    assert "marked duplicates" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_label(titles[0]).check()
    page.get_by_label(titles[2]).check()
    page.get_by_label("Shortlist for the vote").check()
    page.get_by_role("button", name="Apply to the ticked ideas").click()
    assert "shortlisted" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("button", name="Move to voting").click()
    page.get_by_role("button", name="Yes, move to voting").click()

    # A round: created (approval), opened, watched as people vote, closed, published.
    page.get_by_label("Title", exact=True).fill("Which ideas should we trial?")
    page.get_by_label("Approval voting", exact=True).check()
    page.get_by_label("Approval voting: most ideas one person may tick").fill("1")
    page.get_by_label("How many ideas are selected for a trial").fill("1")
    page.get_by_role("button", name="Create the vote").click()
    assert "The vote is created" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("button", name="Open the vote").click()
    assert "The vote is open." in page.locator(".govuk-notification-banner").inner_text()
    round_id = organiser.get("/api/voting/rounds", params={"hack_day_id": day_id}).json()["items"][0]["id"]
    axe(page, "the dashboard with an open vote")
    counter = page.locator(f'[data-turnout="/organise/rounds/{round_id}/turnout"] [data-voters]')
    assert counter.inner_text() == "0"
    assert not page.get_by_role("link", name=re.compile("Refresh the count")).is_visible()  # script runs
    ballot = staff[2].post(f"/api/voting/rounds/{round_id}/ballot", json={"choices": {"approve": [ideas[0]["id"]]}})
    assert ballot.status_code == 201, ballot.text
    page.wait_for_function(
        "el => el.textContent === '1'", arg=counter.element_handle(), timeout=20_000
    )  # live, without reloading the page

    without_script = pages.open(organiser, javascript=False)
    without_script.goto(dashboard)
    refresh = without_script.get_by_role("link", name="Refresh the count of Which ideas should we trial?")
    refresh.click()  # without JavaScript the count is as fresh as the page: a link reloads it
    assert without_script.locator(f'[data-turnout="/organise/rounds/{round_id}/turnout"]').inner_text() == (
        "1 person has voted"
    )

    projector = pages.open(organiser)
    projector.goto(f"/organise/rounds/{round_id}/projector")
    assert projector.locator("svg.app-projector__qr").is_visible()
    assert projector.locator("[data-voters]").inner_text() == "1"
    axe(projector, "the projector view")

    page.get_by_role("button", name="Close and count").click()
    assert "closed and counted" in page.locator(".govuk-notification-banner").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Result (CSV) of Which ideas should we trial?").click()
    result_csv = open(download.value.path(), encoding="utf-8").read()
    assert titles[0] in result_csv
    page.get_by_role("button", name="Publish the results").click()
    assert "The results are published." in page.locator(".govuk-notification-banner").inner_text()
    axe(page, "the dashboard after publication")
    page.get_by_role("link", name="Results of Which ideas should we trial?").click()
    assert page.locator("svg.app-chart").is_visible()
    assert titles[0] in page.locator("table.govuk-table").first.inner_text()
    axe(page, "the published results")

"""A member of staff on the day, in a real browser through the gateway: signing in, submitting an idea
with "tried before?", voting with the keyboard alone, the receipt and the results; axe on every state."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import no_horizontal_scroll, tab_to


@pytest.fixture
def hack_day(new_council, new_person):
    """A council with an organiser, an open hack day and one earlier idea (for "tried before?")."""
    council = new_council()
    organiser = new_person(council, "organiser", "staff")
    day = organiser.post(
        "/api/ideas/hack-days",
        json={"name": "Spring hack day", "date": "2027-03-14", "themes": ["Fewer missed payments"]},
    ).json()
    assert organiser.post(f"/api/ideas/hack-days/{day['id']}/phase", json={"phase": "open"}).status_code == 200
    earlier = organiser.post(
        "/api/ideas/ideas",
        json={
            "hack_day_id": day["id"],
            "title": "Text reminders before council tax is due",
            "problem": "Residents miss council tax payments and fall into arrears.",
            "proposal": "Send a text message a week before each instalment is due.",
            "service_area": "revenues_and_benefits",
        },
    )
    assert earlier.status_code == 201, earlier.text
    return {"council": council, "organiser": organiser, "day": day, "earlier": earlier.json()}


def _open_round(organiser, day_id: str, method: str, rules: dict, ideas: list[str]) -> dict:
    for idea in ideas:
        organiser.post(f"/api/ideas/ideas/{idea}/shortlist")
    created = organiser.post(
        "/api/voting/rounds",
        json={
            "hack_day_id": day_id,
            "title": f"The {method.replace('_', ' ')} vote",
            "method": method,
            "rules": rules,
            "selected_count": 1,
        },
    )
    assert created.status_code == 201, created.text
    assert organiser.post(f"/api/voting/rounds/{created.json()['id']}/open").status_code == 200
    return created.json()


def test_staff_sign_in_and_submit_an_idea_without_javascript_with_tried_before(
    pages, axe, hack_day, person_with_password
):
    me = person_with_password(hack_day["council"], "staff")
    page = pages.open(javascript=False, width=375)
    page.goto("/hack-days")
    assert "/sign-in?next=/hack-days" in page.url
    axe(page, "sign-in page")
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.locator(".govuk-error-summary").is_visible()
    axe(page, "sign-in page with errors")
    page.get_by_label("Email address").fill(me["email"])
    page.get_by_label("Password", exact=True).fill(me["password"])
    page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.url.endswith("/hack-days")
    assert page.locator(".govuk-service-navigation").inner_text().startswith(hack_day["council"].name)
    axe(page, "hack days")
    no_horizontal_scroll(page)

    page.get_by_role("link", name="Spring hack day", exact=True).click()
    axe(page, "a hack day")
    page.get_by_role("button", name="Submit an idea").click()
    axe(page, "empty idea form")
    no_horizontal_scroll(page)
    page.get_by_label("Title").fill("Text message reminders for council tax")
    page.get_by_role("button", name="Check for similar ideas").click()
    panel = page.locator(".app-tried-before")
    assert "Text reminders before council tax is due" in panel.inner_text()
    assert page.get_by_label("Title").input_value() == "Text message reminders for council tax"
    axe(page, "idea form with the tried-before panel")

    page.get_by_label("The change you propose").fill("Text a week before each instalment.")
    page.get_by_label("How much a year").fill("lots")
    page.get_by_role("button", name="Submit idea").click()
    summary = page.locator(".govuk-error-summary")
    assert "Describe the problem today" in summary.inner_text()
    assert "Enter the expected benefit as a number" in summary.inner_text()
    assert "Describe the problem today" in page.locator("#problem-error").inner_text()
    assert page.get_by_label("The change you propose").input_value() == "Text a week before each instalment."
    assert page.get_by_label("How much a year").input_value() == "lots"
    assert "Text reminders before council tax is due" in panel.inner_text()  # the panel stays
    axe(page, "idea form with errors")
    no_horizontal_scroll(page)
    summary.get_by_role("link", name="Describe the problem today").click()
    assert page.evaluate("document.activeElement.id") == "problem"

    page.get_by_label("The problem today").fill("Residents forget instalments and get court summonses.")
    page.get_by_label("How much a year").fill("300")
    page.get_by_label("Counted in").select_option("hours")
    page.get_by_label("Residents").check()
    page.get_by_label("Service area").select_option("revenues_and_benefits")
    page.get_by_role("button", name="Submit idea").click()
    assert re.search(r"/ideas/[0-9a-f-]{36}\?submitted=1$", page.url)
    assert "Idea submitted" in page.locator(".govuk-panel").inner_text()
    assert "300 hours a year, for residents" in page.locator(".govuk-summary-list").inner_text()
    axe(page, "the submitted idea")

    # Reload the form's answer: the browser sends the same form again, and still one idea exists.
    mine = hack_day["organiser"].get("/api/ideas/ideas", params={"hack_day_id": hack_day["day"]["id"]}).json()
    assert [i["title"] for i in mine["items"]].count("Text message reminders for council tax") == 1


def test_tried_before_appears_as_you_type_with_javascript(pages, hack_day, new_person):
    staff = new_person(hack_day["council"], "staff")
    page = pages.open(staff)
    page.goto(f"/hack-days/{hack_day['day']['id']}/ideas/new")
    # Worded close to the earlier idea: other tests' council-tax ideas on the same platform share some
    # of these words, and the panel shows only the closest few.
    page.get_by_label("Title").press_sequentially("Text reminders before the council tax is due", delay=10)
    page.locator(".app-tried-before").get_by_text("Text reminders before council tax is due").first.wait_for()


def test_submit_and_vote_with_the_keyboard_alone(pages, axe, hack_day, new_person):
    staff = new_person(hack_day["council"], "staff")
    page = pages.open(staff)
    page.goto(f"/hack-days/{hack_day['day']['id']}/ideas/new")
    tab_to(page, "#title")
    page.keyboard.type("Pool cars for social workers")
    tab_to(page, "#problem")
    page.keyboard.type("Social workers claim mileage for their own cars.")
    tab_to(page, "#proposal")
    page.keyboard.type("Book pool cars by the hour.")
    tab_to(page, "#service_area")
    page.keyboard.type("Adult")  # a select takes typed letters
    tab_to(page, "button[value=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/ideas/[0-9a-f-]{36}\?submitted=1$"))
    mine = page.url.split("/ideas/")[1].split("?")[0]

    organiser = hack_day["organiser"]
    other = organiser.post(
        "/api/ideas/ideas",
        json={
            "hack_day_id": hack_day["day"]["id"],
            "title": "Online bulky waste booking",
            "problem": "Phone queues.",
            "proposal": "Book online.",
            "service_area": "waste_and_recycling",
        },
    ).json()
    round_ = _open_round(
        organiser,
        hack_day["day"]["id"],
        "dot_voting",
        {"dots_per_voter": 5, "max_dots_per_idea": 3},
        [hack_day["earlier"]["id"], other["id"], mine],
    )
    page.goto(f"/rounds/{round_['id']}")
    assert "Your own idea" in page.inner_text("main")  # the rules leave it out: no input is offered
    axe(page, "dot-voting ballot")
    tab_to(page, f"#idea-{hack_day['earlier']['id']}")
    page.keyboard.type("4")
    tab_to(page, "button:has-text('Cast my vote')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "at most 3 may go on one idea" in summary.inner_text()
    assert page.locator(f"#idea-{hack_day['earlier']['id']}").input_value() == "4"
    axe(page, "ballot refused: too many dots on one idea")

    page.locator(f"#idea-{hack_day['earlier']['id']}").fill("")
    tab_to(page, f"#idea-{hack_day['earlier']['id']}")
    page.keyboard.type("3")
    tab_to(page, f"#idea-{other['id']}")
    page.keyboard.type("2")
    assert page.locator("[data-dots-left]").inner_text() == "0"
    tab_to(page, "button:has-text('Cast my vote')")
    page.keyboard.press("Enter")
    page.locator(".govuk-panel").wait_for()
    receipt = page.locator(".govuk-panel .app-receipt").inner_text().strip()
    assert receipt
    axe(page, "the receipt")
    assert organiser.get(f"/api/voting/rounds/{round_['id']}").json()["voters"] == 1

    assert organiser.post(f"/api/voting/rounds/{round_['id']}/close").status_code == 200
    assert organiser.post(f"/api/voting/rounds/{round_['id']}/publish", json={}).status_code == 200
    page.goto(f"/rounds/{round_['id']}/results")
    chart = page.locator("svg.app-chart")
    assert chart.get_attribute("role") == "img" and "dots for each idea" in chart.locator("title").text_content()
    rows = page.locator("table.govuk-table").first.locator("tbody tr").all_inner_texts()
    assert rows[0].split("\t")[:3] == ["1", "Text reminders before council tax is due", "3"]
    axe(page, "the results")
    page.set_viewport_size({"width": 320, "height": 800})
    no_horizontal_scroll(page)

    page.goto(f"/rounds/{round_['id']}/receipt")
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Check").click()
    assert "The ballot with this receipt is counted." in page.inner_text("main")
    axe(page, "a receipt checked")


def test_editing_after_someone_else_saved_co_authors_comments_and_withdrawing(pages, axe, hack_day, new_person):
    lead, colleague = new_person(hack_day["council"], "staff"), new_person(hack_day["council"], "staff")
    created = lead.post(
        "/api/ideas/ideas",
        json={
            "hack_day_id": hack_day["day"]["id"],
            "title": "Shared desk booking for hybrid teams",
            "problem": "Teams come in on the same day and find no desks.",
            "proposal": "A booking page for desks by team.",
            "service_area": "hr",
        },
    )
    assert created.status_code == 201, created.text
    idea = created.json()
    page = pages.open(lead, width=375)
    page.goto(f"/ideas/{idea['id']}")
    axe(page, "an idea of mine")
    page.get_by_role("button", name="Edit the idea").click()
    axe(page, "the edit form")
    page.get_by_label("Title").fill("Desk booking by team for hybrid working")

    # Meanwhile the same idea is saved elsewhere (another tab, a co-author): the form's version is old.
    elsewhere = lead.patch(
        f"/api/ideas/ideas/{idea['id']}",
        json={"problem": "Whole teams find no desks on their office day."},
        headers={"If-Match": f'"{idea["version"]}"'},
    )
    assert elsewhere.status_code == 200, elsewhere.text
    page.get_by_role("button", name="Save changes").click()
    assert page.get_by_role("heading", name="Someone else changed this idea").is_visible()
    changes = page.locator("table.app-changes tbody tr").all_inner_texts()
    assert [c.split("\n")[0].split("\t")[0] for c in changes] == ["Title", "The problem today"]
    assert "Whole teams find no desks on their office day." in changes[1]
    assert page.get_by_label("Title").input_value() == "Desk booking by team for hybrid working"
    assert lead.get(f"/api/ideas/ideas/{idea['id']}").json()["title"] == idea["title"]  # nothing overwritten
    axe(page, "the edit conflict")
    page.set_viewport_size({"width": 320, "height": 800})
    no_horizontal_scroll(page)
    page.get_by_label("The problem today").fill("Whole teams find no desks on their office day.")
    page.get_by_role("button", name="Save my version").click()
    assert "Your changes are saved." in page.locator(".govuk-notification-banner").inner_text()
    saved = lead.get(f"/api/ideas/ideas/{idea['id']}").json()
    assert saved["title"] == "Desk booking by team for hybrid working"
    assert saved["problem"] == "Whole teams find no desks on their office day."

    # Co-authors: the colleague's reference, an invitation, and joining from the address given.
    other = pages.open(colleague, width=375)
    other.goto("/my-ideas")
    reference = other.locator("#my-reference").inner_text().strip()
    axe(other, "my ideas with my reference")
    page.get_by_label("Invite a colleague to co-author").fill("not a reference")
    page.get_by_role("button", name="Invite").click()
    assert "Enter your colleague's reference" in page.locator(".govuk-error-summary").inner_text()
    axe(page, "an invitation refused")
    page.get_by_label("Invite a colleague to co-author").fill(reference)
    page.get_by_role("button", name="Invite").click()
    assert "(invited, not joined yet)" in page.locator("#team + ul").inner_text()
    join = page.locator(".app-receipt").inner_text().strip()
    axe(page, "an invitation made")
    other.goto(join.replace(pages.base, ""))
    axe(other, "the join page")
    other.get_by_role("button", name="Join the team").click()
    assert "You are on the team" in other.locator(".govuk-notification-banner").inner_text()
    assert colleague.id in lead.get(f"/api/ideas/ideas/{idea['id']}").json()["author_ids"]

    # Comments: refused empty, then added once.
    other.get_by_role("button", name="Add comment").click()
    assert "Write your comment" in other.locator("#comment-error").inner_text()
    axe(other, "a comment refused")
    other.get_by_label("Add a comment").fill("Ask facilities which floors have spare desks.")
    other.get_by_role("button", name="Add comment").click()
    assert "Ask facilities which floors" in other.locator(".app-comment").last.inner_text()
    page.reload()
    assert "Ask facilities which floors" in page.locator(".app-comment").last.inner_text()
    axe(page, "an idea with its team and a comment")

    page.get_by_role("button", name="Withdraw the idea").click()
    axe(page, "withdraw: are you sure?")
    page.get_by_role("button", name="Withdraw the idea").click()
    assert "The idea is withdrawn." in page.locator(".govuk-notification-banner").inner_text()
    assert lead.get(f"/api/ideas/ideas/{idea['id']}").json()["status"] == "withdrawn"

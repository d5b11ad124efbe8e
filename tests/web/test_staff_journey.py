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


def _three_candidates(hack_day) -> list[dict]:
    """The earlier idea and two more by the organiser: a ballot of three, none of them the voter's own."""
    made = [hack_day["earlier"]]
    for title in ("Online bulky waste booking", "Pool cars for home care visits"):
        created = hack_day["organiser"].post(
            "/api/ideas/ideas",
            json={
                "hack_day_id": hack_day["day"]["id"],
                "title": title,
                "problem": "Phone queues and mileage claims.",
                "proposal": "Book online; book pool cars.",
                "service_area": "waste_and_recycling",
            },
        )
        assert created.status_code == 201, created.text
        made.append(created.json())
    return made


def _close_and_publish(organiser, round_id: str) -> None:
    assert organiser.post(f"/api/voting/rounds/{round_id}/close").status_code == 200
    assert organiser.post(f"/api/voting/rounds/{round_id}/publish", json={}).status_code == 200


def test_a_ranked_ballot_without_javascript_on_a_small_phone(pages, axe, hack_day, new_person):
    first, second, third = _three_candidates(hack_day)
    round_ = _open_round(
        hack_day["organiser"], hack_day["day"]["id"], "ranked", {}, [i["id"] for i in (first, second, third)]
    )
    staff = new_person(hack_day["council"], "staff")
    page = pages.open(staff, javascript=False, width=320)
    page.goto(f"/rounds/{round_['id']}")
    assert "Rank the ideas: 1 for your first choice" in page.locator("legend").first.inner_text()
    axe(page, "ranked ballot")
    no_horizontal_scroll(page)

    # Two ideas given one rank: refused by the page, every choice kept.
    page.get_by_label(first["title"]).select_option("1")
    page.get_by_label(second["title"]).select_option("1")
    page.get_by_role("button", name="Cast my vote").click()
    summary = page.locator(".govuk-error-summary")
    assert "both have rank 1: give each a different rank" in summary.inner_text()
    (beside,) = page.locator(".app-candidate .govuk-error-message").all()  # by the second of the two
    assert "both have rank 1" in beside.inner_text()
    assert page.get_by_label(first["title"]).input_value() == "1"
    assert page.get_by_label(third["title"]).input_value() == ""
    axe(page, "ranked ballot: two ideas with one rank")
    no_horizontal_scroll(page)

    # Ranked 1 and 2, the third left unranked: counted, with a receipt listing the order.
    page.get_by_label(first["title"]).select_option("2")
    page.get_by_label(second["title"]).select_option("1")
    page.get_by_role("button", name="Cast my vote").click()
    receipt = page.locator(".govuk-panel .app-receipt").inner_text().strip()
    assert receipt
    assert page.locator("main ul").last.inner_text().splitlines() == [f"1. {second['title']}", f"2. {first['title']}"]
    axe(page, "ranked ballot: the receipt")

    # Coming back: a secret ballot is not shown again (only the receipt shows it), and may be changed.
    page.goto(f"/rounds/{round_['id']}")
    assert "You have voted" in page.locator(".govuk-inset-text").inner_text()
    assert page.get_by_label(second["title"]).input_value() == ""
    assert page.get_by_role("button", name="Change my vote").is_visible()
    axe(page, "ranked ballot: already voted")

    _close_and_publish(hack_day["organiser"], round_["id"])
    page.goto(f"/rounds/{round_['id']}/results")
    assert "ideas beaten" in page.locator("svg.app-chart title").text_content()
    pairwise = page.locator("table.govuk-table").nth(1)
    assert "preferred the idea in the row" in pairwise.locator("caption").inner_text()
    assert (
        page.locator("table.govuk-table").first.locator("tbody tr").first.inner_text().split("\t")[1] == second["title"]
    )
    axe(page, "ranked results with the pairwise table")
    no_horizontal_scroll(page)


def test_a_score_ballot_with_the_keyboard_alone(pages, axe, hack_day, new_person):
    first, second, third = _three_candidates(hack_day)
    round_ = _open_round(
        hack_day["organiser"], hack_day["day"]["id"], "score", {}, [i["id"] for i in (first, second, third)]
    )
    staff = new_person(hack_day["council"], "staff")
    page = pages.open(staff, width=375)
    page.goto(f"/rounds/{round_['id']}")
    assert page.locator(f"#idea-{first['id']}").is_checked()  # "No score" until one is given
    axe(page, "score ballot")
    no_horizontal_scroll(page)

    tab_to(page, "button:has-text('Cast my vote')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Score at least one idea" in page.locator(".govuk-error-summary").inner_text()
    axe(page, "score ballot: nothing scored")

    # A radio group is one Tab stop: the arrow keys move the choice along No score, 0, 1, ... 5.
    tab_to(page, f"#idea-{first['id']}")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert page.locator(f"#idea-{first['id']}-4").is_checked()
    tab_to(page, f"#idea-{second['id']}")
    page.keyboard.press("ArrowRight")
    assert page.locator(f"#idea-{second['id']}-0").is_checked()
    tab_to(page, "button:has-text('Cast my vote')")
    page.keyboard.press("Enter")
    page.locator(".govuk-panel").wait_for()
    assert sorted(page.locator("main ul").last.inner_text().splitlines()) == sorted(
        [f"{first['title']}: 4 out of 5", f"{second['title']}: 0 out of 5"]
    )
    axe(page, "score ballot: the receipt")

    # A score given by mistake is taken back with "No score" before the vote is changed.
    page.goto(f"/rounds/{round_['id']}")
    page.locator(f"#idea-{first['id']}-4").check()
    page.locator(f"#idea-{second['id']}-1").check()
    page.locator(f"#idea-{second['id']}").check()
    page.get_by_role("button", name="Change my vote").click()
    page.locator(".govuk-panel").wait_for()
    assert page.locator("main ul").last.inner_text().splitlines() == [f"{first['title']}: 4 out of 5"]

    _close_and_publish(hack_day["organiser"], round_["id"])
    page.goto(f"/rounds/{round_['id']}/results")
    assert "average score" in page.locator("svg.app-chart title").text_content()
    rows = [r.split("\t") for r in page.locator("table.govuk-table").first.locator("tbody tr").all_inner_texts()]
    assert rows[0][1:] == [first["title"], "4.00", "1"]
    assert [first["title"], "4.00", "1"] not in [r[1:] for r in rows[1:]]  # counted once, as changed
    assert next(r for r in rows if r[1] == second["title"])[2:] == ["none", "0"]  # its score taken back
    axe(page, "score results")

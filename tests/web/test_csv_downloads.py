"""Every CSV the pages hand out goes through the platform's one writer (platform_core/csv.py): a cell
someone typed as a formula is shown by a spreadsheet, never run. In-process, in front of a fake gateway."""

from __future__ import annotations

import uuid

from tests.web.fake import FakeGateway, in_own_loop, pages, sign_in, token

FORMULA = "=HYPERLINK(1)"
TRIAL = uuid.uuid4()


@in_own_loop
async def test_a_formula_in_the_portfolio_csv_is_shown_never_run():
    fake = FakeGateway()
    funnel = dict.fromkeys(("ideas", "selected", "opened", "trialled", "concluded", "worked", "partly"), 1)
    report = {
        "council_name": "Kirkby Borough Council",
        "funnel": {**funnel, "partly": None},
        "outcomes": {"worked": 1},
        "realised_gains": {"hours": 12.5},
        "median_days_hack_day_to_verdict": None,
        "honesty": {"failures_published": True},
        "attention": {"overdue": 1},
    }
    fake.on("GET", "/api/followup/portfolio", report)
    fake.on("GET", "/api/followup/overdue", {"items": [{"idea": {"title": FORMULA}, "review_overdue": True}]})
    async with pages(fake) as client:
        sign_in(client, token("manager"))
        answer = await client.get("/portfolio.csv")
    assert answer.status_code == 200, answer.text
    lines = answer.text.split("\r\n")  # CRLF, as RFC 4180 and the platform's other CSVs
    assert lines[0] == "section,figure,value"
    assert f"overdue,'{FORMULA},review date passed" in lines
    assert "funnel,partly," in lines and "honesty,failures_published,true" in lines


@in_own_loop
async def test_a_formula_in_a_metric_name_is_shown_never_run_in_the_readings_template():
    fake = FakeGateway()
    fake.on("GET", f"/api/followup/trials/{TRIAL}", {"id": str(TRIAL), "metrics": [{"name": FORMULA}]})
    async with pages(fake) as client:
        sign_in(client, token("manager"))
        answer = await client.get(f"/trials/{TRIAL}/measurements.csv")
    assert answer.status_code == 200, answer.text
    assert answer.text.split("\r\n")[1].startswith(f"'{FORMULA},2026-01-01")


def test_a_formula_in_a_name_or_email_is_shown_never_run_in_the_invitation_codes():
    from web.roster import codes_csv

    text = codes_csv([{"name": FORMULA, "email": "@evil", "code": "-abc_123"}])
    # The code is written as issued (a person types it), even when it starts with "-".
    assert text.split("\r\n")[1] == f"'{FORMULA},'@evil,-abc_123"

"""A council's portfolio of trials for its managers and committee: the funnel from ideas to what worked as
a chart (with its text and table), realised gains, time from hack day to verdict, the share of failures
published, what is overdue; a CSV of the same figures, and a page that prints on one A4 sheet."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from platform_core import csv as platform_csv
from web.charts import Chart, bars
from web.deps import SignedIn, SignedInDep
from web.rendering import render
from web.routes.trials import needs_attention
from web.trial_words import WORDS, hours, pounds

router = APIRouter(include_in_schema=False)
PRINTED_OVERDUE = 8  # the rest are left off the printed page (it must fit one sheet), and counted


def funnel_chart(funnel: dict[str, Any], council: str) -> Chart:
    stages = [
        ("Ideas", funnel["ideas"]),
        ("Selected by a vote", funnel["selected"]),
        ("Trialled", funnel["trialled"]),
        ("Verdict given", funnel["concluded"]),
        ("Worked or partly worked", funnel["worked"] + funnel["partly"]),
    ]
    known = [(name, value) for name, value in stages if value is not None]
    caption = f"{council}: from ideas to what worked"
    first = known[0][1] if known else 0
    rows = [[name, f"{value:,}", f"{value / first:.0%}" if first else ""] for name, value in known]
    said = ", ".join(f"{value:,} {name.lower()}" for name, value in known)
    missing = [name.lower() for name, value in stages if value is None]
    description = f"Of the council's ideas: {said}." + (
        f" The ideas service could not say how many {' and '.join(missing)} just now." if missing else ""
    )
    return Chart(
        svg=bars(
            [(name, float(value), n == len(known) - 1) for n, (name, value) in enumerate(known)], unit="", title=caption
        ),
        description=description,
        caption=caption,
        headers=["Stage", "How many", "Of the ideas"],
        rows=rows,
        row_header=1,
    )


def figures(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's figures in words, in the order the page, the print and the CSV give them."""
    gains, honesty, days = report["realised_gains"], report["honesty"], report["median_days_hack_day_to_verdict"]
    share = honesty["share_published"]
    return [
        ("Trials that worked or partly worked", f"{gains['trials']:,}"),
        ("Staff time freed a year", f"{hours(gains['annual_hours'])} ({hours(gains['cashable_hours'])} cashable)"),
        ("Money a year", f"{pounds(gains['annual_pounds'])} ({pounds(gains['cashable_pounds'])} cashable)"),
        ("Those trials' cost", pounds(gains["trial_cost_pounds"])),
        ("Net of their cost", pounds(gains["net_pounds"])),
        ("Time from hack day to verdict (median)", f"{days:,.0f} days" if days is not None else "No verdict yet"),
        (
            "Failures published",
            f"{share:.0%}: {honesty['not_worked_published']} of {honesty['not_worked']} that did not work, "
            "made no change or stopped"
            if share is not None
            else "No failure yet",
        ),
        ("Overdue reviews", f"{report['attention']['overdue_reviews']:,}"),
        ("Trials with no reading for six weeks", f"{report['attention']['stale_trials']:,}"),
    ]


async def report_and_overdue(who: SignedIn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The report and its overdue list in one call (follow-up works out the list once for both)."""
    report = await who.api.portfolio()
    overdue = report.get("overdue_trials")
    if overdue is None:  # a follow-up from before it could answer both at once, during an upgrade
        overdue = await who.api.overdue()
    return report, overdue


@router.get("/portfolio")
async def portfolio(request: Request, who: SignedInDep) -> Response:
    report, overdue = await report_and_overdue(who)
    context = {
        "title": "Portfolio of trials",
        "report": report,
        "chart": funnel_chart(report["funnel"], report["council_name"]),
        "figures": figures(report),
        "overdue": [{**item, "said": needs_attention(item)} for item in overdue],
        "printed_overdue": PRINTED_OVERDUE,
        **WORDS,
    }
    return render(request, "portfolio/portfolio.html", context)


@router.get("/portfolio.csv")
async def portfolio_csv(who: SignedInDep) -> Response:
    report, overdue = await report_and_overdue(who)
    # Through the platform's one CSV writer (platform_core/csv.py): a title someone typed as "=..." is
    # shown by a spreadsheet, never run; booleans true/false; CRLF.
    funnel = report["funnel"]
    stages = ("ideas", "selected", "opened", "trialled", "concluded", "worked", "partly")
    rows: list[list[Any]] = [["funnel", stage, funnel[stage]] for stage in stages]
    rows += [["outcomes", outcome, count] for outcome, count in sorted(report["outcomes"].items())]
    rows += [["realised_gains", name, value] for name, value in report["realised_gains"].items()]
    rows.append(["time", "median_days_hack_day_to_verdict", report["median_days_hack_day_to_verdict"]])
    rows += [["honesty", name, value] for name, value in report["honesty"].items()]
    rows += [["attention", name, value] for name, value in report["attention"].items()]
    rows += [["overdue", item["idea"]["title"], "; ".join(needs_attention(item))] for item in overdue]
    content = platform_csv.write(["section", "figure", "value"], rows)
    name = "".join(c if c.isalnum() else "-" for c in report["council_name"].lower()).strip("-") or "council"
    return Response(
        content,
        media_type=platform_csv.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="portfolio-{name}.csv"', "Cache-Control": "no-store"},
    )

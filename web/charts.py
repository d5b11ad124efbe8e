"""Charts drawn on the server as SVG: each with a text alternative and its data as a table, so they need
no JavaScript and say the same thing to a screen reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

WIDTH = 640
BAR_HEIGHT = 24
ROW = 56
LABEL_MAX = 60
COLOURS = ("#1d70b8", "#505a5f")  # selected ideas in blue, the rest in grey: both 4.5:1 on white


@dataclass
class Chart:
    svg: Markup
    description: str
    caption: str
    headers: list[str]
    rows: list[list[str]]
    pairwise: dict[str, Any] | None = field(default=None)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def bars(items: list[tuple[str, float, bool]], *, unit: str, title: str) -> Markup:
    """Horizontal bars: (label, value, highlighted). The label sits above its bar, so long titles fit a phone."""
    top = max((v for _, v, _ in items), default=0) or 1
    height = ROW * len(items) + 10
    parts = [
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{escape(title)}</title>'
    ]
    for n, (name, value, highlighted) in enumerate(items):
        y = n * ROW
        length = max(2, (WIDTH - 120) * value / top)
        colour = COLOURS[0] if highlighted else COLOURS[1]
        shown = f"{value:g} {unit}"
        parts.append(
            f'<text x="0" y="{y + 16}">{escape(_short(name))}</text>'
            f'<rect x="0" y="{y + 22}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{colour}"/>'
            f'<text x="{length + 8:.1f}" y="{y + 40}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def result_chart(round_: dict[str, Any], result: dict[str, Any]) -> Chart:
    """The round's count as bars (dots, approvals, mean score, or Schulze wins), a sentence, a table."""
    method = round_["method"]
    titles = {c["idea_id"]: c["title"] for c in round_["candidates"]}
    selected = round_.get("selected_count") or 0
    ranking = [{**e, "idea": e.get("idea_id") or e.get("idea")} for e in result.get("ranking") or []]
    if method == "dot_voting":
        figure, unit, headers = "dots", "dots", ["Rank", "Idea", "Dots", "Voters"]
        row = lambda e: [str(e["rank"]), titles.get(e["idea"], e["idea"]), str(e["dots"]), str(e["voters"])]  # noqa: E731
    elif method == "approval":
        figure, unit, headers = "approvals", "approvals", ["Rank", "Idea", "Approvals"]
        row = lambda e: [str(e["rank"]), titles.get(e["idea"], e["idea"]), str(e.get("approvals", 0))]  # noqa: E731
    elif method == "score":
        figure, unit, headers = "mean", "average score", ["Rank", "Idea", "Average score", "Ballots scoring it"]
        row = lambda e: [  # noqa: E731
            str(e["rank"]),
            titles.get(e["idea"], e["idea"]),
            "none" if e.get("mean") is None else f"{e['mean']:.2f}",
            str(e.get("votes", 0)),
        ]
    else:
        figure, unit, headers = "wins", "ideas beaten", ["Rank", "Idea", "Ideas it beats"]
        row = lambda e: [str(e["rank"]), titles.get(e["idea"], e["idea"]), str(e.get("wins", 0))]  # noqa: E731
    items = [
        (f"{e['rank']}. {titles.get(e['idea'], e['idea'])}", float(e.get(figure) or 0), e["rank"] <= selected)
        for e in ranking
    ]
    counted = result.get("ballots_counted", 0)
    caption = f"{round_['title']}: {unit} for each idea, from {counted} {'ballot' if counted == 1 else 'ballots'}"
    leaders = [titles.get(e["idea"], e["idea"]) for e in ranking if e["rank"] == 1]
    if not ranking or not counted:
        description = "No ballot was counted."
    else:
        description = (
            f"{' and '.join(leaders)} {'ranks' if len(leaders) == 1 else 'tie'} first with "
            f"{ranking[0].get(figure) or 0:g} {unit}. The table below gives every idea's figures."
        )
    chart = Chart(
        svg=bars(items, unit=unit, title=caption),
        description=description,
        caption=caption,
        headers=headers,
        rows=[row(e) for e in ranking],
    )
    detail = result.get("detail") or {}
    if method == "ranked" and detail.get("pairwise"):
        order = [e["idea"] for e in ranking]
        chart.pairwise = {
            "ideas": [(i, titles.get(i, i)) for i in order],
            "cells": {a: {b: detail["pairwise"][a].get(b) for b in order if b != a} for a in order},
        }
    return chart

"""Charts drawn on the server as SVG: each with a text alternative and its data as a table, so they need
no JavaScript and say the same thing to a screen reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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
    row_header: int = 2  # the column (from 1) that names its row: the idea, or a reading's period


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


# ---- a metric's readings over time --------------------------------------------------------------

SERIES_HEIGHT = 260
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 64, 16, 16, 44
READING_COLOUR, BASELINE_COLOUR, TARGET_COLOUR = "#1d70b8", "#505a5f", "#00703c"  # 4.5:1 or more on white


def _figure(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _short_day(value: str) -> str:
    d = date.fromisoformat(value[:10])
    return f"{d.day} {d:%b %Y}"


def readings_chart(metric: dict[str, Any], chart_id: str) -> Chart:
    """One metric's effective readings as a line over time, with its baseline and target as dashed lines;
    a sentence saying where it went, and every reading in a table. `chart_id` keeps the SVG's ids unique
    when a page has several charts."""
    unit = metric["unit"].replace("_", " ")
    readings = sorted(metric.get("measurements") or [], key=lambda m: (m["period_end"], m["period_start"]))
    baseline = (metric.get("baseline") or {}).get("value")
    target = metric.get("target_value")
    values = [float(m["value"]) for m in readings]
    scale = values + [float(v) for v in (baseline, target) if v is not None]
    low, high = (min(scale), max(scale)) if scale else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    margin = (high - low) * 0.1
    low, high = low - margin, high + margin
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, SERIES_HEIGHT - PAD_TOP - PAD_BOTTOM

    def y(v: float) -> float:
        return PAD_TOP + inner_h * (high - v) / (high - low)

    def x(n: int) -> float:
        # 16 px in from each end, so the first point does not sit on the axis's figures.
        return PAD_LEFT + 16 + ((inner_w - 32) * n / (len(readings) - 1) if len(readings) > 1 else (inner_w - 32) / 2)

    title = f"{metric['name']} ({unit}): readings over time"
    parts = [
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {SERIES_HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{PAD_TOP + inner_h}" stroke="#0b0c0c"/>'
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + inner_h}" x2="{WIDTH - PAD_RIGHT}" y2="{PAD_TOP + inner_h}" '
        'stroke="#0b0c0c"/>'
    ]
    for tick in (low + margin, (low + high) / 2, high - margin):
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{y(tick) + 5:.1f}" text-anchor="end">{_figure(tick)}</text>')
    for name, value, colour in (("Baseline", baseline, BASELINE_COLOUR), ("Target", target, TARGET_COLOUR)):
        if value is not None:
            parts.append(
                f'<line x1="{PAD_LEFT}" y1="{y(value):.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y(value):.1f}" '
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="8 5"/>'
                f'<text x="{WIDTH - PAD_RIGHT}" y="{y(value) - 6:.1f}" text-anchor="end" fill="{colour}">'
                f"{name} {_figure(value)}</text>"
            )
    if readings:
        points = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{READING_COLOUR}" stroke-width="3"/>')
        parts.extend(
            f'<circle cx="{x(n):.1f}" cy="{y(v):.1f}" r="5" fill="{READING_COLOUR}"/>' for n, v in enumerate(values)
        )
        bottom = PAD_TOP + inner_h + 24
        parts.append(f'<text x="{PAD_LEFT}" y="{bottom}">{_short_day(readings[0]["period_end"])}</text>')
        if len(readings) > 1:
            parts.append(
                f'<text x="{WIDTH - PAD_RIGHT}" y="{bottom}" text-anchor="end">'
                f"{_short_day(readings[-1]['period_end'])}</text>"
            )
    parts.append("</svg>")

    direction = "lower" if metric.get("direction") == "lower_is_better" else "higher"
    if not readings:
        description = "No readings were published for this metric."
    else:
        latest = values[-1]
        said = [f"{len(readings)} {'reading' if len(readings) == 1 else 'readings'} ({direction} is better)"]
        if baseline is not None:
            said.append(f"from a baseline of {_figure(baseline)} to {_figure(latest)} in the latest")
        else:
            said.append(f"the latest is {_figure(latest)}; no baseline was published")
        if target is not None:
            met = metric.get("target_met")
            said.append(f"the target of {_figure(target)} was {'met' if met else 'not met'}")
        description = f"{metric['name']}: " + ", ".join(said) + ". The table below gives every reading."
    return Chart(
        svg=Markup("".join(parts)),
        description=description,
        caption=title,
        headers=["Period", f"Value ({unit})", "How it was measured", "Source"],
        rows=[
            [
                f"{_short_day(m['period_start'])} to {_short_day(m['period_end'])}",
                _figure(float(m["value"])),
                m.get("method", ""),
                m.get("source", ""),
            ]
            for m in readings
        ],  # fmt: skip
        row_header=1,
    )

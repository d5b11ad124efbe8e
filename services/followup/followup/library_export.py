"""Exports of the shared library: CSV for spreadsheets and a JSON Feed for subscribers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from followup.models import LibraryEntry
from followup.vocab import OGL_NAME

# ---- exports ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "url",
    "title",
    "council",
    "service_area",
    "outcome",
    "evidence_level",
    "summary",
    "reasons",
    "annual_hours",
    "cashable_pounds",
    "non_cashable_pounds",
    "trial_cost_pounds",
    "net_pounds",
    "started_on",
    "ended_on",
    "published_at",
    "what_worked",
    "what_did_not",
    "do_differently",
    "conditions_elsewhere",
    "licence",
)


def _cell(value: Any) -> Any:
    # A spreadsheet runs a cell starting with = + - @ as a formula: defuse text, keep numbers.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def to_csv(records: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        g, lessons = r["gain"], r["lessons"]
        row = [
            r["id"],
            r["url"],
            r["title"],
            r["council"]["name"],
            r["service_area"],
            r["outcome"],
            r["evidence"]["level"],
            r["summary"],
            ";".join(x["code"] for x in r["reasons"]),
            g["annual_hours"],
            g["cashable_pounds"],
            g["non_cashable_pounds"],
            g["trial_cost_pounds"],
            g["net_pounds"],
            r["started_on"],
            r["ended_on"],
            r["published_at"],
            lessons["what_worked"],
            lessons["what_did_not"],
            lessons["do_differently"],
            lessons["conditions_elsewhere"],
            r["licence"]["name"],
        ]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def json_feed(entries: Sequence[LibraryEntry], base_url: str) -> dict[str, Any]:
    """A JSON Feed 1.1 of the newest entries, for subscribers (https://jsonfeed.org/version/1.1)."""
    base = base_url.rstrip("/")
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Council trials: published verdicts",
        "home_page_url": f"{base}/api/followup/library",
        "feed_url": f"{base}/api/followup/library/feed.json",
        "description": f"Verdicts of council trials, failures included, shared under the {OGL_NAME}.",
        "language": "en-GB",
        "items": [
            {
                "id": str(e.id),
                "url": e.record["url"],
                "title": f"{e.title} ({e.council_name}): {e.outcome.replace('_', ' ')}",
                "content_text": e.record["summary"],
                "date_published": e.record["published_at"],
                "tags": [e.service_area, e.outcome, f"evidence-level-{e.evidence_level}"],
                "_council": {"id": str(e.council_id), "name": e.council_name},
            }
            for e in entries
        ],
    }

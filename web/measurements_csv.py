"""Readings from a spreadsheet: the CSV a manager uploads (one row a reading, the metric named by its
name, not an id), checked row by row before anything is sent, so the preview can show each row's
problem next to it; the API then records all rows or none (POST .../measurements/batch)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from platform_core import csv as platform_csv

COLUMNS = ("metric", "period_start", "period_end", "value", "method", "source", "note")
REQUIRED = ("metric", "period_start", "period_end", "value")
MAX_ROWS = 1000
MAX_BYTES = 512_000
WORDS = {
    "metric": "metric",
    "period_start": "period start",
    "period_end": "period end",
    "value": "value",
    "method": "method",
    "source": "source",
    "note": "note",
}


@dataclass
class Row:
    line: int  # the line of the file, counting the header as line 1, as a spreadsheet numbers it
    cells: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # column -> what is wrong with it
    body: dict[str, Any] | None = None  # what the API is sent, when the row is good


@dataclass
class Upload:
    rows: list[Row]
    problem: str | None = None  # a problem with the whole file (no header, too big, not text)

    @property
    def errors(self) -> list[tuple[Row, str, str]]:
        return [(row, column, message) for row in self.rows for column, message in row.errors.items()]

    @property
    def good(self) -> bool:
        return self.problem is None and bool(self.rows) and not self.errors


def template(metric_names: list[str]) -> str:
    """A file to fill in: the header and one example row per metric."""
    # The platform's one CSV writer: a metric named "=..." is shown by the spreadsheet, never run.
    return platform_csv.write(
        COLUMNS, [[name, "2026-01-01", "2026-01-31", "", "Case system report", "", ""] for name in metric_names]
    )


def _day(text: str) -> date | None:
    """ISO dates (2026-01-31) or the UK's day first (31/01/2026), as spreadsheets save them."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _number(text: str) -> float | None:
    cleaned = text.replace(",", "").replace("£", "").strip()
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def parse(raw: bytes, metrics: dict[str, str]) -> Upload:
    """The rows of the file, each checked; `metrics` maps a metric's name (any case) to its id."""
    if len(raw) > MAX_BYTES:
        return Upload([], f"The file is larger than {MAX_BYTES // 1000} kB: split it into smaller files")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Upload([], "The file is not text saved as CSV (UTF-8): save it as “CSV UTF-8” and upload it again")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower().replace(" ", "_") for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        names = ", ".join(missing)
        return Upload([], f"The first line must name the columns; it lacks {names} (download the template)")
    by_name = {name.strip().lower(): metric_id for name, metric_id in metrics.items()}
    rows: list[Row] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) == MAX_ROWS:
            return Upload(rows, f"The file has more than {MAX_ROWS} readings: split it into smaller files")
        values = {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(header)}
        rows.append(_check(Row(number, {c: values.get(c, "") for c in COLUMNS}), by_name, metrics))
    if not rows:
        return Upload([], "The file has no readings under its first line")
    return Upload(rows)


def _check(row: Row, by_name: dict[str, str], metrics: dict[str, str]) -> Row:
    cells, errors = row.cells, row.errors
    metric_id = by_name.get(cells["metric"].lower())
    if not cells["metric"]:
        errors["metric"] = "Enter the metric’s name"
    elif metric_id is None:
        errors["metric"] = f"“{cells['metric']}” is not a metric of this trial (its metrics: {', '.join(metrics)})"
    start, end = _day(cells["period_start"]), _day(cells["period_end"])
    for column, day in (("period_start", start), ("period_end", end)):
        if day is None:
            errors[column] = f"Enter the {WORDS[column]} as a date, like 2026-01-31"
    if start and end and end < start:
        errors["period_end"] = "The period ends before it starts"
    value = _number(cells["value"])
    if value is None:
        errors["value"] = "Enter the reading as a number, like 1.5"
    if not errors:
        row.body = {
            "metric_id": metric_id,
            "value": value,
            "period_start": start.isoformat() if start else None,
            "period_end": end.isoformat() if end else None,
            "method": cells["method"],
            "source": cells["source"],
            "note": cells["note"],
        }
    return row


def place_api_errors(upload: Upload, errors: list[dict[str, Any]]) -> int:
    """The API's refusals (`measurements.<n>.<field>`, n counting the rows sent) put on their rows;
    returns how many were placed."""
    sent = [row for row in upload.rows if row.body is not None]
    placed = 0
    for error in errors:
        parts = str(error.get("field", "")).split(".")
        if len(parts) < 2 or parts[0] != "measurements" or not parts[1].isdigit() or int(parts[1]) >= len(sent):
            continue
        column = {"metric_id": "metric", "corrects": "metric"}.get(parts[2], parts[2]) if len(parts) > 2 else "value"
        column = column if column in COLUMNS else "value"
        message = str(error.get("message", "is not valid"))
        sent[int(parts[1])].errors.setdefault(column, message[0].upper() + message[1:])
        placed += 1
    return placed

"""The one CSV writer: what a spreadsheet would run as a formula is defused, values written one way.

A cell whose text starts (after any spaces) with `=`, `+`, `-`, `@`, a tab, a carriage return, a line
feed, `|` or `%` may be run as a formula or a command by spreadsheet programs (CSV injection), so it
is written with a leading `'`; numbers stay numbers.
Booleans are `true`/`false`, nothing is empty, dates and times are ISO 8601, lists and maps JSON.
Rows end with CRLF (RFC 4180).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from fastapi import Response

# OWASP's list, plus line feed, `|` (DDE) and `%`, which some spreadsheet programs also act on.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
MEDIA_TYPE = "text/csv; charset=utf-8"


def cell(value: Any) -> str | int | float:
    """One value as a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple)):
        text = json.dumps(value, sort_keys=True, default=str)
    else:
        text = str(value)
    # Spreadsheet programs skip leading spaces before a formula.
    return "'" + text if text.lstrip(" ").startswith(FORMULA_START) else text


def write(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV document: the header, then one line per row, every cell through `cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def csv_response(body: str, filename: str) -> Response:
    """A CSV answer that a browser saves as `filename`."""
    return Response(
        content=body, media_type=MEDIA_TYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )

"""Review checkpoints at set intervals after a trial starts ("6w" = six weeks, "3m" = three months)."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from followup.vocabulary import INTERVAL_PATTERN

INTERVAL = re.compile(INTERVAL_PATTERN)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(start: date, interval: str) -> date:
    match = INTERVAL.match(interval)
    if not match:
        raise ValueError(f"{interval!r} is not an interval like '6w' or '3m'")
    amount, unit = int(match.group(1)), match.group(2)
    return start + timedelta(weeks=amount) if unit == "w" else add_months(start, amount)


def schedule(start: date, intervals: list[str]) -> list[tuple[str, date]]:
    """(label, due date) for each interval, earliest first, duplicates of a date kept once."""
    seen: dict[date, str] = {}
    for interval in intervals:
        seen.setdefault(due_on(start, interval), interval)
    return sorted(((label, day) for day, label in seen.items()), key=lambda pair: pair[1])

"""A staff roster from an HR export (CSV of name and email): read it as HR systems write it, and say
what is wrong with each row before anyone is added. The API checks again; this is for the preview."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from platform_core import csv as platform_csv

MAX_ROWS = 5000  # a large council's whole staff; the API takes 1000 a call (sent in batches)
NAME_MAX = 200  # the gateway's limit on a name
NAME_HEADERS = ("name", "full name", "display name", "employee name", "preferred name")
FIRST_HEADERS = ("first name", "forename", "given name", "first names")
LAST_HEADERS = ("last name", "surname", "family name")


@dataclass
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    name: str
    email: str
    problem: str | None = None


@dataclass
class Roster:
    rows: list[Row] = field(default_factory=list)
    error: str | None = None  # what is wrong with the file as a whole

    @property
    def ready(self) -> list[Row]:
        return [r for r in self.rows if r.problem is None]

    @property
    def refused(self) -> list[Row]:
        return [r for r in self.rows if r.problem is not None]


def _text(data: bytes) -> str:
    # Excel saves "CSV UTF-8" with a byte-order mark, and plain "CSV" in Windows-1252.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _column(headers: list[str], names: tuple[str, ...]) -> int | None:
    return next((i for i, h in enumerate(headers) if h in names), None)


def read(data: bytes) -> Roster:
    text = _text(data)
    if not text.strip():
        return Roster(error="The file is empty: choose the CSV file exported from HR")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = list(csv.reader(io.StringIO(text), dialect))
    headers = [" ".join(h.replace("_", " ").split()).lower() for h in lines[0]]
    email = next((i for i, h in enumerate(headers) if "email" in h or "e-mail" in h), None)
    name = _column(headers, NAME_HEADERS)
    first, last = _column(headers, FIRST_HEADERS), _column(headers, LAST_HEADERS)
    if email is None or (name is None and first is None):
        return Roster(
            error="The first row must name the columns: one with the email address and one with the name "
            "(or first name and last name)"
        )
    if len(lines) - 1 > MAX_ROWS:
        return Roster(error=f"The file has {len(lines) - 1:,} rows: upload at most {MAX_ROWS:,} at a time")
    roster = Roster()
    seen: dict[str, int] = {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines at the end of an export

        def cell(i: int | None, cells: list[str] = cells) -> str:
            return " ".join(cells[i].split()) if i is not None and i < len(cells) else ""

        full = cell(name) if name is not None else f"{cell(first)} {cell(last)}".strip()
        address = cell(email)
        row = Row(number, full, address)
        if not address:
            row.problem = "No email address"
        else:
            try:
                row.email = validate_email(address, check_deliverability=False).normalized
            except EmailNotValidError:
                row.problem = f"“{address}” is not an email address"
        if row.problem is None and not full:
            row.problem = "No name"
        elif row.problem is None and len(full) > NAME_MAX:
            row.problem = f"The name is longer than {NAME_MAX} characters"
        if row.problem is None:
            key = row.email.lower()
            if key in seen:
                row.problem = f"The same email as row {seen[key]}"
            else:
                seen[key] = number
        roster.rows.append(row)
    if not roster.rows:
        roster.error = "The file has a header row but nobody in it"
    return roster


def codes_csv(people: list[dict[str, str]]) -> str:
    """The invitation codes, to hand out until the platform sends email."""
    # Each name and email through the platform's one cell rule (platform_core/csv.py): typed as "=..." it
    # is shown by the spreadsheet, never run. The code is written as issued: it is [A-Za-z0-9_-] and may
    # start with "-", which the rule would prefix with "'", and a person types the code exactly as written.
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["name", "email", "invitation code"])
    writer.writerows(
        [platform_csv.cell(p.get("name", "")), platform_csv.cell(p.get("email", "")), p.get("code", "")] for p in people
    )
    return out.getvalue()

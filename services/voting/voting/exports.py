"""CSV exports of a round's result and ballots, for organisers' spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from voting.models import Round

# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def result_csv(rnd: Round) -> str:
    """One row per idea in result order: rank, tie flag, title and the method's figures."""
    titles = {c["idea_id"]: c["title"] for c in rnd.candidates}
    ranking = (rnd.result or {}).get("ranking", [])
    figures = sorted({k for r in ranking for k in r} - {"idea_id", "rank", "tied"})
    header = ["rank", "tied", "idea_id", "title", *figures]
    rows = [
        [r["rank"], r["tied"], r["idea_id"], titles.get(r["idea_id"], ""), *(r.get(f) for f in figures)]
        for r in ranking
    ]
    return _csv(header, rows)


def ballots_csv(rnd: Round, ballots: list[dict]) -> str:
    """One row per counted ballot: receipt (and voter in open rounds), one column per candidate.

    Cells hold what the ballot gives that idea: dots, 1 for an approval, the rank position or the
    score; empty if nothing. The full ballot is also given as JSON in the last column.
    """
    ids = [c["idea_id"] for c in rnd.candidates]
    key = {"dot_voting": "dots", "approval": "approve", "ranked": "ranking", "score": "scores"}[rnd.method]
    show_voter = not rnd.rules["secret"]
    header = ["receipt", *(["voter_id"] if show_voter else []), *ids, "choices"]
    rows = []
    for b in ballots:
        given = b["choices"][key]
        if rnd.method == "approval":
            cells = {i: 1 for i in given}
        elif rnd.method == "ranked":
            cells = {i: n + 1 for n, i in enumerate(given)}
        else:
            cells = given
        rows.append(
            [
                b["receipt"],
                *([b.get("voter_id") or ""] if show_voter else []),
                *(cells.get(i, "") for i in ids),
                b["choices"],
            ]
        )
    return _csv(header, rows)

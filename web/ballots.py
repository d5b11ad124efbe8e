"""A ballot page's form <-> the API's choices, for each voting method, and the refusals put by each field."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

KEYS = {"dot_voting": "dots", "approval": "approve", "ranked": "ranking", "score": "scores"}
SCORES = range(0, 6)


def field_id(idea_id: str) -> str:
    return f"idea-{idea_id}"


def choices_from_form(method: str, candidates: list[dict[str, Any]], form: FormData) -> tuple[dict, dict[str, str]]:
    """The ballot's choices and the errors a person can fix before it is sent ({field id: message})."""
    errors: dict[str, str] = {}
    ids = [c["idea_id"] for c in candidates]
    titles = {c["idea_id"]: c["title"] for c in candidates}
    if method == "approval":
        picked = [i for i in form.getlist("approve") if i in titles]
        if not picked:
            errors["ballot"] = "Tick at least one idea you would support"
        return {"approve": picked}, errors
    given: dict[str, int] = {}
    for idea in ids:
        raw = form.get(field_id(idea))
        raw = raw.strip() if isinstance(raw, str) else ""
        if raw == "":
            continue
        try:
            given[idea] = int(raw)
        except ValueError:
            errors[field_id(idea)] = f"Enter a whole number for “{titles[idea]}”"
    if method == "dot_voting":
        dots = {i: n for i, n in given.items() if n != 0}
        for i, n in dots.items():
            if n < 0:
                errors[field_id(i)] = f"Dots on “{titles[i]}” cannot be fewer than 0"
        if not dots and not errors:
            errors["ballot"] = "Put at least one dot on an idea"
        return {"dots": dots}, errors
    if method == "score":
        for i, n in given.items():
            if n not in SCORES:
                errors[field_id(i)] = f"Score “{titles[i]}” from 0 to 5"
        if not given and not errors:
            errors["ballot"] = "Score at least one idea"
        return {"scores": given}, errors
    # ranked: rank numbers 1, 2, 3... each used once; ideas without a rank are left out.
    by_rank: dict[int, str] = {}
    for i, n in given.items():
        if n < 1 or n > len(ids):
            errors[field_id(i)] = f"Rank “{titles[i]}” from 1 to {len(ids)}, or leave it unranked"
        elif n in by_rank:
            errors[field_id(i)] = (
                f"“{titles[i]}” and “{titles[by_rank[n]]}” both have rank {n}: give each a different rank"
            )
        else:
            by_rank[n] = i
    if not by_rank and not errors:
        errors["ballot"] = "Rank at least one idea"
    return {"ranking": [by_rank[n] for n in sorted(by_rank)]}, errors


def form_from_choices(method: str, choices: dict[str, Any] | None) -> dict[str, Any]:
    """A ballot already cast, as the form's values, so a person changing their vote starts from it."""
    if not choices:
        return {}
    if method == "approval":
        return {"approve": list(choices.get("approve", []))}
    if method == "ranked":
        return {field_id(i): str(n) for n, i in enumerate(choices.get("ranking", []), start=1)}
    key = KEYS[method]
    return {field_id(i): str(n) for i, n in (choices.get(key) or {}).items()}


def api_errors(
    errors: list[dict[str, Any]], method: str, sent: dict[str, Any], titles: dict[str, str], detail: str
) -> dict[str, str]:
    """The API's refusal, placed by the idea it names: choices.dots.<id>, choices.ranking[2] or the ballot."""
    key = KEYS[method]
    given = sent.get(key)
    listed: list[Any] = given if isinstance(given, list) else []
    out: dict[str, str] = {}
    for err in errors:
        field, message = str(err.get("field", "")), str(err.get("message", "is not allowed"))
        idea = None
        if field.startswith(f"choices.{key}."):
            idea = field.split(".", 2)[2]
        elif field.startswith(f"choices.{key}[") and field.endswith("]"):
            try:
                idea = listed[int(field[len(f"choices.{key}[") : -1])]
            except (ValueError, IndexError):
                idea = None
        if idea in titles:
            out.setdefault(field_id(idea), f"“{titles[idea]}” {message}")
        else:
            out.setdefault("ballot", "Your ballot " + message if field.startswith("choices") else detail)
    return out or {"ballot": detail}

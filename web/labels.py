"""Words people read for the platform's codes (phases, statuses, methods, verdicts), and their tag colours."""

from __future__ import annotations

from markupsafe import Markup, escape

WORDS = {
    "dot_voting": "Dot voting",
    "approval": "Approval voting",
    "ranked": "Ranked voting",
    "score": "Score voting (0 to 5)",
    "schulze": "Schulze (Condorcet)",
    "instant_runoff": "Instant run-off",
    "hr": "HR",
    "it_and_digital": "IT and digital",
    "no_change": "No change",
    "did_not_work": "Did not work",
    "days_waiting": "Days of waiting",
    "errors_avoided": "Errors avoided",
    "pounds": "Pounds (£)",
}
PHASE_COLOURS = {"draft": "grey", "open": "green", "voting": "blue", "closed": "purple", "published": "turquoise"}
STATUS_COLOURS = {
    "submitted": "blue",
    "shortlisted": "green",
    "selected": "turquoise",
    "withdrawn": "grey",
    "hidden": "red",
    "duplicate": "yellow",
    "worked": "green",
    "partly": "yellow",
    "no_change": "grey",
    "did_not_work": "red",
    "stopped": "orange",
    "inconclusive": "grey",
}
METHOD_EXPLAINED = {
    "dot_voting": "Each person spreads a number of dots over the ideas they like, more than one on an idea if "
    "they feel strongly. Ideas with the most dots win.",
    "approval": "Each person ticks every idea they would support, up to a maximum. Ideas ticked most often win.",
    "ranked": "Each person puts the ideas in order of preference. The Schulze method compares every pair of "
    "ideas, so the winner is the idea most people prefer to each other idea.",
    "score": "Each person gives every idea a score from 0 (against) to 5 (strongly for). Ideas with the "
    "highest average win.",
}


def label(code: str | None) -> str:
    if not code:
        return ""
    return WORDS.get(code) or code.replace("_", " ").capitalize()


def tag(text: str, colour: str) -> Markup:
    """A GOV.UK tag: the text escaped, in a colour of the design system's."""
    # An f-string of escaped parts: Markup.format's escaping formatter cost a page of 150 tags some 2 ms.
    return Markup(f'<strong class="govuk-tag govuk-tag--{escape(colour)}">{escape(text)}</strong>')


def _tag(code: str, colours: dict[str, str]) -> Markup:
    return tag(label(code), colours.get(code, "grey"))


def phase_tag(code: str) -> Markup:
    return _tag(code, PHASE_COLOURS)


def status_tag(code: str) -> Markup:
    return _tag(code, STATUS_COLOURS)

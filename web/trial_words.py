"""Words for a trial's codes (statuses, outcomes, designs, evidence), in the council's language."""

from __future__ import annotations

from markupsafe import Markup

from web.labels import tag

STATUS = {
    "planned": ("Planned", "blue"),
    "running": ("Running", "green"),
    "evaluating": ("Evaluating", "purple"),
    "concluded": ("Concluded", "grey"),
    "stopped": ("Stopped", "orange"),
}
OUTCOMES = {
    "worked": ("Worked", "It did what the hypothesis said: the gain is shown against the baseline."),
    "partly": ("Partly worked", "Some of the gain came, or only in part of the scope."),
    "no_change": ("No change", "The measures did not move beyond what they did before."),
    "did_not_work": ("Did not work", "It made things worse, or could not be made to work."),
    "stopped": ("Stopped", "Ended early, before it could be judged (it can be stopped at any stage)."),
    "inconclusive": ("Inconclusive", "The readings cannot say either way (too few cases, poor data)."),
}
OUTCOME_COLOURS = {
    "worked": "green",
    "partly": "yellow",
    "no_change": "grey",
    "did_not_work": "red",
    "stopped": "orange",
    "inconclusive": "grey",
}
DESIGNS = {
    "before_after": ("Before and after", "The readings during the trial compared with the baseline before it."),
    "comparison_group": (
        "Against a comparison group",
        "Compared with a similar team or area that kept working the old way, over the same time.",
    ),
    "randomised": ("Randomised", "Cases or people were allocated to the new or old way by chance."),
}
LESSONS = {
    "what_worked": "What worked",
    "what_did_not": "What did not work",
    "do_differently": "What we would do differently",
    "conditions_elsewhere": "What another council would need for it to work there",
}
DIRECTIONS = {"lower_is_better": "Lower is better", "higher_is_better": "Higher is better"}
UNITS = {
    "hours_per_case": "hours per case",
    "minutes_per_case": "minutes per case",
    "hours_per_week": "hours per week",
    "cost_pounds_per_case": "£ per case",
    "cost_pounds_per_year": "£ per year",
    "days_waiting": "days waiting",
    "cases_per_week": "cases per week",
    "error_rate": "error rate (0 to 1)",
    "percent": "per cent",
    "count": "count",
    "score": "score",
}


def status_tag(code: str) -> Markup:
    text, colour = STATUS.get(code, (code, "grey"))
    return tag(text, colour)


def outcome_tag(code: str | None) -> Markup:
    if not code:
        return Markup("")
    return tag(OUTCOMES.get(code, (code, ""))[0], OUTCOME_COLOURS.get(code, "grey"))


def unit(code: str) -> str:
    return UNITS.get(code, code.replace("_", " "))


def pounds(value: float | None) -> str:
    if value is None:
        return ""
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,.0f}"


def hours(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f} hours" if abs(value) >= 10 or float(value).is_integer() else f"{value:,.1f} hours"


WORDS = {
    "status_tag": status_tag,
    "outcome_tag": outcome_tag,
    "unit_words": unit,
    "pounds": pounds,
    "hours": hours,
    "OUTCOMES": OUTCOMES,
    "DESIGNS": DESIGNS,
    "LESSONS": LESSONS,
    "DIRECTIONS": DIRECTIONS,
}

"""The evidence level of a trial's gain, derived from how it was measured (never typed by anyone).

The scale is modelled on the Nesta Standards of Evidence (levels 1 to 5):

1. The trial is described with a hypothesis and metrics, but no change was measured against a
   baseline (no metric has both a baseline and a measurement, or no design was stated).
2. Before and after: a change was measured against a baseline, but it cannot show the trial caused it.
3. Comparison group or randomised: the change was measured against a group without the trial,
   which shows causality.
4. Level 3, and verified by someone independent of the trial team (named in the verdict).
5. Level 4, and replicated: at least one other council's published trial of the idea, with a gain
   (worked or partly), is named in the verdict.
"""

from __future__ import annotations

from followup.vocabulary import Design


def evidence_level(*, has_data: bool, design: Design | str | None, independent: bool, replicated: bool) -> int:
    """The level the measurement supports; each step needs every step below it."""
    if not has_data or design is None:
        return 1
    if Design(design) == Design.before_after:
        return 2
    if not independent:
        return 3
    return 5 if replicated else 4

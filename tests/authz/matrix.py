"""The authorisation matrix: what each role gets from each public route, by whose object it is.

Columns: the caller has no token (`none`), or is staff, an organiser or a manager of the home council,
or the platform's admin (no council). Scope (the row): `-` no object involved; `own` the caller's own
object; `council` an object of the caller's council owned by someone else; `other` an object of
another council (for the admin, "council" objects are in the home council, which the admin is not in).

A cell is the HTTP status expected; `200s` means 200 with only the summary an outsider may read;
`.` means the combination does not exist (an admin owns no ideas); `!N` after a status marks the
answer the platform SHOULD give where it does not yet: finding N in docs/requests/findings.md
(the cell then runs as a strict xfail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROLES = ("none", "staff", "organiser", "manager", "admin")

MATRIX = """
# method  path                                                          scope    none staff organiser manager admin

# ---- the gateway: sign-in (public: wrong credentials are refused alike, whoever sends them) -----------------
GET     /api/auth/me                                                    -        401  200   200       200     200
POST    /api/auth/login                                                 -        401  401   401       401     401
POST    /api/auth/invitations/accept                                    -        400  400   400       400     400
POST    /api/auth/token                                                 -        401  401   401       401     401
POST    /api/auth/refresh                                               -        401  401   401       401     401
POST    /api/auth/logout                                                -        204  204   204       204     204
POST    /api/auth/sign-out-everywhere                                   -        401  204   204       204     204
PUT     /api/auth/password                                              -        401  400   400       400     400
POST    /api/auth/password-reset                                        -        202  202   202       202     202
PUT     /api/auth/mail-preferences                                      -        401  200   200       200     200
POST    /api/auth/password-reset/complete                               -        400  400   400       400     400
GET     /api/auth/sign-on                                               -        200  200   200       200     200
POST    /api/auth/sign-on/start                                         -        404  404   404       404     404
POST    /api/auth/sign-on/complete                                      -        400  400   400       400     400
PUT     /api/councils/{council_id}/sign-on                              council  401  403   403       403     200
GET     /api/councils/{council_id}/sign-on                              council  401  403   403       403     200
DELETE  /api/councils/{council_id}/sign-on                              council  401  403   403       403     204
GET     /healthz                                                        -        200  200   200       200     200
GET     /readyz                                                         -        200  200   200       200     200
GET     /api/ideas/whoami                                               -        401  200   200       200     200
GET     /api/voting/whoami                                              -        401  200   200       200     200
GET     /api/followup/whoami                                            -        401  200   200       200     200

# ---- the gateway: councils and people (admins make them; organisers add their own council's staff) -----------
GET     /api/councils                                                   -        401  200   200       200     200
POST    /api/councils                                                   -        401  403   403       403     201
GET     /api/councils/{council_id}                                      council  401  200   200       200     200
GET     /api/councils/{council_id}                                      other    401  200   200       200     200
PATCH   /api/councils/{council_id}                                      council  401  403   403       403     200
PATCH   /api/councils/{council_id}                                      other    401  403   403       403     200
GET     /api/councils/{council_id}/contact                              other    200  200   200       200     200
GET     /api/councils/{council_id}/people                               council  401  403   200       200     200
GET     /api/councils/{council_id}/people                               other    401  403   403       403     200
POST    /api/councils/{council_id}/staff                                council  401  403   201       403     201
POST    /api/councils/{council_id}/staff                                other    401  403   403       403     201
POST    /api/people                                                     -        401  403   403       403     201
GET     /api/people/{person_id}                                         own      .    200   200       200     200
GET     /api/people/{person_id}                                         council  401  200   200       200     200
GET     /api/people/{person_id}                                         other    401  404   404       404     200
PUT     /api/people/{person_id}/roles                                   council  401  403   403       403     200
PUT     /api/people/{person_id}/roles                                   other    401  403   403       403     200
POST    /api/people/{person_id}/invitation                              council  401  403   200       403     200
POST    /api/people/{person_id}/invitation                              other    401  404   404       404     200
POST    /api/people/{person_id}/deactivate                              council  401  403   200       403     200
POST    /api/people/{person_id}/deactivate                              other    401  404   404       404     200
POST    /api/people/{person_id}/reactivate                              council  401  403   200       403     200
POST    /api/people/{person_id}/reactivate                              other    401  404   404       404     200
GET     /api/people/{person_id}/history                                 own      .    200   200       200     200
GET     /api/people/{person_id}/history                                 council  401  403   200       200     200
GET     /api/people/{person_id}/history                                 other    401  404   404       404     200

# ---- the gateway: API keys (organisers, managers and admins; a council's keys are its own) -------------------
GET     /api/api-keys                                                   -        401  200   200       200     200
POST    /api/api-keys                                                   -        401  403   201       201     201
DELETE  /api/api-keys/{key_id}                                          own      .    .     204       204     204
DELETE  /api/api-keys/{key_id}                                          council  401  404   204       204     204
DELETE  /api/api-keys/{key_id}                                          other    401  404   404       404     204

# ---- the gateway: journeys composed from the services (another council's idea: the summary only) -------------
POST    /api/journeys/tried-before                                      -        401  200   200       200     200
POST    /api/journeys/tried-before/ideas                                council  401  200   200       200     200
POST    /api/journeys/tried-before/ideas                                other    401  200   200       200     200
GET     /api/journeys/ideas/{idea_id}                                   own      .    200   200       200     .
GET     /api/journeys/ideas/{idea_id}                                   council  401  200   200       200     200
GET     /api/journeys/ideas/{idea_id}                                   other    401  200s  200s      200s    200
GET     /api/journeys/hack-days/{hack_day_id}                           council  401  200   200       200     200
GET     /api/journeys/hack-days/{hack_day_id}                           other    401  404   404       404     200

# ---- ideas: hack days (the council's organisers run them; another council never sees them) ------------------
GET     /api/ideas/hack-days                                            -        401  200   200       200     200
POST    /api/ideas/hack-days                                            -        401  403   201       403     403
GET     /api/ideas/hack-days/{hack_day_id}                              council  401  200   200       200     200
GET     /api/ideas/hack-days/{hack_day_id}                              other    401  404   404       404     200
PATCH   /api/ideas/hack-days/{hack_day_id}                              council  401  403   200       403     200
PATCH   /api/ideas/hack-days/{hack_day_id}                              other    401  404   404       404     200
GET     /api/ideas/hack-days/{hack_day_id}/ideas.csv                    council  401  403   200       403     200
GET     /api/ideas/hack-days/{hack_day_id}/ideas.csv                    other    401  404   404       404     200
POST    /api/ideas/hack-days/{hack_day_id}/phase                        council  401  403   200       403     200
POST    /api/ideas/hack-days/{hack_day_id}/phase                        other    401  404   404       404     200
POST    /api/ideas/hack-days/{hack_day_id}/shortlist                    council  401  403   200       403     200
POST    /api/ideas/hack-days/{hack_day_id}/shortlist                    other    401  404   404       404     200
POST    /api/ideas/hack-days/{hack_day_id}/hide                         council  401  403   200       403     200
POST    /api/ideas/hack-days/{hack_day_id}/hide                         other    401  404   404       404     200
POST    /api/ideas/hack-days/{hack_day_id}/duplicate                    council  401  403   200       403     200
POST    /api/ideas/hack-days/{hack_day_id}/duplicate                    other    401  404   404       404     200

# ---- ideas: ideas and teams (authors edit their own; other councils read a summary; admins submit nothing) ----
GET     /api/ideas/ideas                                                -        401  200   200       200     200
GET     /api/ideas/ideas/counts                                         -        401  200   200       200     200
POST    /api/ideas/ideas                                                -        401  201   201       201     403
POST    /api/ideas/ideas                                                other    401  404   404       404     403
GET     /api/ideas/ideas/{idea_id}                                      own      .    200   200       200     .
GET     /api/ideas/ideas/{idea_id}                                      council  401  200   200       200     200
GET     /api/ideas/ideas/{idea_id}                                      other    401  200s  200s      200s    200
PATCH   /api/ideas/ideas/{idea_id}                                      own      .    200   200       200     .
PATCH   /api/ideas/ideas/{idea_id}                                      council  401  403   403       403     403
PATCH   /api/ideas/ideas/{idea_id}                                      other    401  403   403       403     403
POST    /api/ideas/ideas/{idea_id}/withdraw                             own      .    200   200       200     .
POST    /api/ideas/ideas/{idea_id}/withdraw                             council  401  403   403       403     403
POST    /api/ideas/ideas/{idea_id}/withdraw                             other    401  403   403       403     403
POST    /api/ideas/ideas/{idea_id}/co-authors                           own      .    200   200       200     .
POST    /api/ideas/ideas/{idea_id}/co-authors                           council  401  403   403       403     403
POST    /api/ideas/ideas/{idea_id}/co-authors                           other    401  403   403       403     403
POST    /api/ideas/ideas/{idea_id}/invitation/accept                    own      .    200   200       200     .
POST    /api/ideas/ideas/{idea_id}/invitation/accept                    council  401  403   403       403     403
POST    /api/ideas/ideas/{idea_id}/invitation/accept                    other    401  403   403       403     403
DELETE  /api/ideas/ideas/{idea_id}/co-authors/{person_id}               own      .    200   200       200     .
DELETE  /api/ideas/ideas/{idea_id}/co-authors/{person_id}               council  401  403   403       403     403
DELETE  /api/ideas/ideas/{idea_id}/co-authors/{person_id}               other    401  403   403       403     403
POST    /api/ideas/similar                                              -        401  200   200       200     200
POST    /api/ideas/similar/to-ideas                                     council  401  200   200       200     200
POST    /api/ideas/similar/to-ideas                                     other    401  200   200       200     200
GET     /api/ideas/vocabulary                                           -        401  200   200       200     200

# ---- ideas: moderation (the council's organisers; a hidden idea is invisible, 404, to its council's staff) ----
POST    /api/ideas/ideas/{idea_id}/hide                                 council  401  403   200       403     200
POST    /api/ideas/ideas/{idea_id}/hide                                 other    401  403   403       403     200
POST    /api/ideas/ideas/{idea_id}/unhide                               council  401  404   200       404     200
POST    /api/ideas/ideas/{idea_id}/unhide                               other    401  404   404       404     200
POST    /api/ideas/ideas/{idea_id}/duplicate                            council  401  403   200       403     200
POST    /api/ideas/ideas/{idea_id}/duplicate                            other    401  403   403       403     200
DELETE  /api/ideas/ideas/{idea_id}/duplicate                            council  401  403   200       403     200
DELETE  /api/ideas/ideas/{idea_id}/duplicate                            other    401  403   403       403     200
POST    /api/ideas/ideas/{idea_id}/shortlist                            council  401  403   200       403     200
POST    /api/ideas/ideas/{idea_id}/shortlist                            other    401  403   403       403     200
DELETE  /api/ideas/ideas/{idea_id}/shortlist                            council  401  403   200       403     200
DELETE  /api/ideas/ideas/{idea_id}/shortlist                            other    401  403   403       403     200

# ---- ideas: comments (the council's people write; organisers hide; other councils neither read nor write) ----
GET     /api/ideas/ideas/{idea_id}/comments                             council  401  200   200       200     200
GET     /api/ideas/ideas/{idea_id}/comments                             other    401  403   403       403     200
POST    /api/ideas/ideas/{idea_id}/comments                             council  401  201   201       201     403
POST    /api/ideas/ideas/{idea_id}/comments                             other    401  403   403       403     403
POST    /api/ideas/ideas/{idea_id}/comments/{comment_id}/hide           council  401  403   200       403     200
POST    /api/ideas/ideas/{idea_id}/comments/{comment_id}/hide           other    401  403   403       403     200

# (Services' internal routes are not public: the gateway answers 404 to anyone, and each route lets in only the
# services meant for it on the service's own address; tests/reliability/test_service_credentials.py.)

# ---- voting: rounds (the council's organisers run them; another council never learns they exist, 404) ---------
GET     /api/voting/rounds                                              -        401  200   200       200     200
POST    /api/voting/rounds                                              -        401  403   201       403     403
POST    /api/voting/rounds                                              other    401  403   422       403     403
GET     /api/voting/rounds/{round_id}                                   council  401  200   200       200     200
GET     /api/voting/rounds/{round_id}                                   other    401  404   404       404     200
PATCH   /api/voting/rounds/{round_id}                                   council  401  403   200       403     200
PATCH   /api/voting/rounds/{round_id}                                   other    401  404   404       404     200
POST    /api/voting/rounds/{round_id}/open                              council  401  403   200       403     200
POST    /api/voting/rounds/{round_id}/open                              other    401  404   404       404     200
POST    /api/voting/rounds/{round_id}/close                             council  401  403   200       403     200
POST    /api/voting/rounds/{round_id}/close                             other    401  404   404       404     200
POST    /api/voting/rounds/{round_id}/publish                           council  401  403   200       403     200
POST    /api/voting/rounds/{round_id}/publish                           other    401  404   404       404     200

# ---- voting: ballots and results (the council's people vote; an admin of no council does not) ------------------
POST    /api/voting/rounds/{round_id}/ballot                            council  401  201   201       201     404
POST    /api/voting/rounds/{round_id}/ballot                            other    401  404   404       404     404
GET     /api/voting/rounds/{round_id}/ballot                            council  401  200   200       200     200
GET     /api/voting/rounds/{round_id}/ballot                            other    401  404   404       404     200
POST    /api/voting/rounds/{round_id}/receipts/check                    council  401  200   200       200     200
POST    /api/voting/rounds/{round_id}/receipts/check                    other    401  404   404       404     200
GET     /api/voting/rounds/{round_id}/result                            council  401  200   200       200     200
GET     /api/voting/rounds/{round_id}/result                            other    401  404   404       404     200
GET     /api/voting/rounds/{round_id}/ballots                           council  401  200   200       200     200
GET     /api/voting/rounds/{round_id}/ballots                           other    401  404   404       404     200
GET     /api/voting/rounds/{round_id}/export/result.csv                 council  401  403   200       403     200
GET     /api/voting/rounds/{round_id}/export/result.csv                 other    401  404   404       404     200
GET     /api/voting/rounds/{round_id}/export/ballots.csv                council  401  403   200       403     200
GET     /api/voting/rounds/{round_id}/export/ballots.csv                other    401  404   404       404     200
GET     /api/voting/rounds/{round_id}/audit                             council  401  200   200       200     200
GET     /api/voting/rounds/{round_id}/audit                             other    401  404   404       404     200
GET     /api/voting/rounds/{round_id}/audit/verify                      council  401  200   200       200     200
GET     /api/voting/rounds/{round_id}/audit/verify                      other    401  404   404       404     200

# ---- follow-up: trials (the council's managers run them; admins read but change nothing; others: 404) ----------
GET     /api/followup/trials                                            -        401  200   200       200     200
POST    /api/followup/trials                                            -        401  403   403       201     403
POST    /api/followup/trials                                            other    401  403   403       403     403
GET     /api/followup/trials/by-idea/{idea_id}                          council  401  200   200       200     200
GET     /api/followup/trials/by-idea/{idea_id}                          other    401  404   404       404     200
POST    /api/followup/trials/by-ideas                                   council  401  200   200       200     200
POST    /api/followup/trials/by-ideas                                   other    401  200   200       200     200
GET     /api/followup/trials/{trial_id}                                 council  401  200   200       200     200
GET     /api/followup/trials/{trial_id}                                 other    401  404   404       404     200
PATCH   /api/followup/trials/{trial_id}                                 council  401  403   403       200     403
PATCH   /api/followup/trials/{trial_id}                                 other    401  403   403       404     403
POST    /api/followup/trials/{trial_id}/metrics                         council  401  403   403       201     403
POST    /api/followup/trials/{trial_id}/metrics                         other    401  403   403       404     403
PATCH   /api/followup/trials/{trial_id}/metrics/{metric_id}             council  401  403   403       200     403
PATCH   /api/followup/trials/{trial_id}/metrics/{metric_id}             other    401  403   403       404     403
DELETE  /api/followup/trials/{trial_id}/metrics/{metric_id}             council  401  403   403       204     403
DELETE  /api/followup/trials/{trial_id}/metrics/{metric_id}             other    401  403   403       404     403
POST    /api/followup/trials/{trial_id}/start                           council  401  403   403       200     403
POST    /api/followup/trials/{trial_id}/start                           other    401  403   403       404     403
POST    /api/followup/trials/{trial_id}/evaluate                        council  401  403   403       200     403
POST    /api/followup/trials/{trial_id}/evaluate                        other    401  403   403       404     403
POST    /api/followup/trials/{trial_id}/measurements                    council  401  403   403       201     403
POST    /api/followup/trials/{trial_id}/measurements                    other    401  403   403       404     403
GET     /api/followup/trials/{trial_id}/measurements                    council  401  200   200       200     200
GET     /api/followup/trials/{trial_id}/measurements                    other    401  404   404       404     200
POST    /api/followup/trials/{trial_id}/checkpoints/{checkpoint_id}/review council 401 403 403     200     403
POST    /api/followup/trials/{trial_id}/checkpoints/{checkpoint_id}/review other 401  403   403       404     403
POST    /api/followup/trials/{trial_id}/verdict                         council  401  403   403       200     403
POST    /api/followup/trials/{trial_id}/verdict                         other    401  403   403       404     403
POST    /api/followup/trials/{trial_id}/publish                         council  401  403   403       201     403
POST    /api/followup/trials/{trial_id}/publish                         other    401  403   403       404     403
POST    /api/followup/trials/{trial_id}/measurements/batch              council  401  403   403       201     403
POST    /api/followup/trials/{trial_id}/measurements/batch              other    401  403   403       404     403
POST    /api/followup/trials/{trial_id}/verdict/check                   council  401  403   403       200     403
POST    /api/followup/trials/{trial_id}/verdict/check                   other    401  403   403       404     403
GET     /api/followup/trials/{trial_id}/publish/preview                 council  401  200   200       200     200
GET     /api/followup/trials/{trial_id}/publish/preview                 other    401  404   404       404     200

# ---- follow-up: the shared library (open data: anyone reads what was published) and reports ------------------------
GET     /api/followup/library                                           -        200  200   200       200     200
GET     /api/followup/library/export.csv                                -        200  200   200       200     200
GET     /api/followup/library/export.json                               -        200  200   200       200     200
GET     /api/followup/library/feed.json                                 -        200  200   200       200     200
GET     /api/followup/library/feed.atom                                 -        200  200   200       200     200
GET     /api/followup/library/schema.json                               -        200  200   200       200     200
GET     /api/followup/library/what-works                                -        200  200   200       200     200
GET     /api/followup/library/{entry_id}                                council  200  200   200       200     200
GET     /api/followup/library/{entry_id}                                other    200  200   200       200     200
GET     /api/followup/library/federation.json                           -        200  200   200       200     200
# A published record is corrected or withdrawn by its own council's managers (tests/followup/test_federation.py).
PATCH   /api/followup/library/{entry_id}                                council  401  403   403       200     403
PATCH   /api/followup/library/{entry_id}                                other    401  403   403       403     403
POST    /api/followup/library/{entry_id}/withdrawal                     council  401  403   403       200     403
POST    /api/followup/library/{entry_id}/withdrawal                     other    401  403   403       403     403
# Federation: the platform's admins keep the list of other platforms' libraries it imports.
GET     /api/followup/federation/subscriptions                          -        401  403   403       403     200
POST    /api/followup/federation/subscriptions                          -        401  403   403       403     201
GET     /api/followup/federation/subscriptions/{subscription_id}        -        401  403   403       403     200
POST    /api/followup/federation/subscriptions/{subscription_id}/import -        401  403   403       403     200
PATCH   /api/followup/federation/subscriptions/{subscription_id}        -        401  403   403       403     200
DELETE  /api/followup/federation/subscriptions/{subscription_id}        -        401  403   403       403     204
# A council's map of partners: its people read it, its champions keep it (tests/followup/test_partners.py).
GET     /api/followup/partners                                          -        401  200   200       200     200
GET     /api/followup/partners                                          other    401  403   403       403     200
POST    /api/followup/partners                                          -        401  403   403       403     403
PATCH   /api/followup/partners/{partner_id}                             council  401  403   403       403     403
PATCH   /api/followup/partners/{partner_id}                             other    401  403   403       403     403
DELETE  /api/followup/partners/{partner_id}                             council  401  403   403       403     403
DELETE  /api/followup/partners/{partner_id}                             other    401  403   403       403     403
GET     /api/followup/overdue                                           -        401  200   200       200     200
GET     /api/followup/overdue                                           other    401  403   403       403     200
GET     /api/followup/portfolio                                         -        401  200   200       200     200
GET     /api/followup/portfolio                                         other    401  403   403       403     200
GET     /api/followup/portfolio/sector                                  -        401  200   200       200     200
GET     /api/followup/vocabulary                                        -        401  200   200       200     200
"""


@dataclass(frozen=True)
class Cell:
    status: int | None
    view: str | None = None
    finding: int | None = None


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    scope: str
    cells: tuple[Cell, ...]


_CELL = re.compile(r"^(?P<status>\d{3})(?P<view>s)?(?:!(?P<finding>\d+))?$|^\.$")


def _cell(text: str) -> Cell:
    match = _CELL.match(text)
    if match is None:
        raise ValueError(f"matrix cell {text!r} is not a status, a status with 's' or '!N', or '.'")
    if text == ".":
        return Cell(None)
    return Cell(
        int(match["status"]), "summary" if match["view"] else None, int(match["finding"]) if match["finding"] else None
    )


def parse(text: str) -> list[Row]:
    rows = []
    for line in text.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        method, path, scope, *cells = line.split()
        if len(cells) != len(ROLES) or scope not in ("-", "own", "council", "other"):
            raise ValueError(f"matrix row is malformed: {line!r}")
        rows.append(Row(method, path, scope, tuple(_cell(c) for c in cells)))
    return rows


ROWS = parse(MATRIX)

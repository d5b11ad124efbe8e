"""`make demo`: fill a running platform with a realistic council hack day, through the public API only.

    .venv/bin/python -m tools.demo [--url http://127.0.0.1:8000]
                                   [--admin-email EMAIL --admin-password PASSWORD]
                                   [--size full|small] [--trial-wait SECONDS] [--summary-json FILE]

It talks to the gateway over HTTP like any client would (no database, no signing key), so what it
makes is exactly what people would have made by hand, and every rule of the platform applies to it.
By default it signs in as the first admin that `make run` wrote to .data/first-admin.txt.

What it makes (full size; `--size small` is the same story with fewer staff and voters):
- three fictional councils, an English borough, a Welsh county borough and a Scottish council, each
  with an organiser (and a manager in the first two), and 540 staff registered in bulk between them;
  only the 89 who act (write ideas, comment, vote) accept their invitations, since each acceptance
  hashes a password (about 0.1 s of the gateway's time, more on a busy machine);
- Northbrook's spring hack day, held months ago: two dozen ideas across service areas, written as
  council staff write them, with co-authors, comments, a duplicate marked, one hidden with a reason,
  one withdrawn, a shortlist and a finished dot vote (published, three ideas selected);
- the selected ideas' trials (made by the platform itself when the result is published, or by the
  demo if they do not appear within --trial-wait seconds), with metrics, baselines, targets and
  monthly measurements: one that worked, one that did not (both published to the shared library),
  one stopped early;
- Glanmor's hack day, smaller, with an approval vote: one trial that partly worked (published) and one
  still running, with a checkpoint reviewed and one overdue;
- Inverallan's hack day, open today: a member of staff writing an idea is told that Northbrook tried
  it and it did not work, and why (POST /api/journeys/tried-before).

Safe to run again: each run adds its own set of councils ("... (Example)", then "(Example set 2)",
...). It stops at the first step the platform refuses, prints the problem+json detail, and exits 1.
The gateway's rate limits apply to it like to anyone: when it answers 429 the demo waits as told and
carries on (`make run` allows 600 sign-ins a minute from one address, so the full run takes about a
minute; against a gateway with the production default of 120 a minute it takes a few).
"""

# The stages, in the order they run: people.py (councils, organisers, staff), ideas.py (hack days,
# ideas, comments, moderation), votes.py (shortlists, ballots, results), trials.py (metrics,
# measurements, verdicts, the library), tried_before.py (a new idea warned by an old verdict);
# run.py strings them together, command.py is the command line, councils.py the story's data.
from tools.demo.client import Gateway, Person
from tools.demo.command import main
from tools.demo.councils import INVERALLAN_DRAFT
from tools.demo.run import Demo

__all__ = ["INVERALLAN_DRAFT", "Demo", "Gateway", "Person", "main"]

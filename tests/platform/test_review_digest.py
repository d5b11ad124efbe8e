"""The daily digest of trial reviews due or overdue: follow-up makes it once a day per council and
tells the gateway, which mails it to that council's managers (not to those who turned hack-day news
off, nor to anyone else), read from a real SMTP server's mailbox. However often the schedule runs that
day, and however often the event is delivered, each manager gets it once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from followup.review_digest import event_id

from tests.followup.kit import add_metric, baseline, days_ago, open_hack_day, open_trial, submit_idea, today
from tests.platform.test_mail import smtp_settings
from tests.support.http import ok, service_headers
from tests.support.mailboxes import SmtpMailbox, html_of, text_of

DIGEST = "with a review due"


@pytest.fixture(scope="module")
def mailbox(platform) -> Iterator[SmtpMailbox]:
    """The platform's gateway with mail going to a real SMTP server, and its follow-up checking for the
    day's digests every second from midnight (UTC), for this module; then both as they were."""
    box = SmtpMailbox().start()
    runner = platform.runner
    kept = dict(runner.extra_env)
    runner.extra_env.update(
        {**smtp_settings(box), "FOLLOWUP_REVIEW_DIGEST_CHECK_SECONDS": "1", "FOLLOWUP_REVIEW_DIGEST_HOUR": "0"}
    )
    for part in ("gateway", "followup"):
        runner.stop(part)
        runner.start(part)
    try:
        yield box
    finally:
        runner.extra_env.clear()
        runner.extra_env.update(kept)
        for part in ("gateway", "followup"):
            runner.stop(part)
            runner.start(part)
        box.stop()


def started(manager, idea: dict, *, days: int, **plan) -> dict:
    """A trial started `days` ago: its checkpoints become due at once, in the one request that starts it
    (so a check of the schedule never sees half of what the test arranges)."""
    trial = open_trial(manager, idea["id"], **plan)
    add_metric(manager, trial["id"], baseline=baseline(2.0))
    return ok(manager.post(f"/api/followup/trials/{trial['id']}/start", json={"started_on": days_ago(days)}))


def test_managers_get_one_digest_a_day_of_the_reviews_due_or_overdue(platform, mailbox, new_council, new_person):
    council, elsewhere = new_council(), new_council()
    organiser = new_person(council, "organiser", "staff")
    mia = new_person(council, "manager", name="Mia Manager")
    quiet = new_person(council, "manager", name="Quinn Quiet")
    sam = new_person(council, "staff", name="Sam Staff")
    olu = new_person(elsewhere, "manager", "organiser", "staff", name="Olu Elsewhere")
    assert ok(quiet.put("/api/auth/mail-preferences", json={"news_mail": False}))["news_mail"] is False
    day = open_hack_day(organiser, held_on=days_ago(130))
    started(mia, submit_idea(sam, day["id"], "Nothing due yet"), days=1, checkpoint_schedule=["6w"])
    # 98 days ago: six weeks and three months have passed (overdue), fourteen weeks are today, six
    # months are to come.
    trial = started(
        mia,
        submit_idea(sam, day["id"], "Pre-fill council tax forms"),
        days=98,
        checkpoint_schedule=["6w", "3m", "14w", "6m"],
    )
    # Another council's planned trial whose review date has passed.
    their_day = open_hack_day(olu, held_on=days_ago(60))
    theirs = open_trial(olu, submit_idea(olu, their_day["id"], "Bulky waste by text")["id"], review_date=days_ago(3))

    def digests_to(person, within: float = 0) -> list:
        deadline = time.monotonic() + within
        while True:
            found = [m for m in mailbox.to(person.email) if DIGEST in m["Subject"]]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    [digest] = digests_to(mia, within=30)
    assert digest["Subject"].strip() == f"{council.name}: 1 trial {DIGEST} ({today():%d %B %Y})"
    text, page = text_of(digest), html_of(digest)
    assert "Hello Mia Manager" in text
    start = today() - timedelta(days=98)
    six_weeks = start + timedelta(weeks=6)
    assert f"Pre-fill council tax forms: the 6w checkpoint review, overdue since {six_weeks:%d %B %Y} (56 days)" in text
    assert "the 3m checkpoint review, overdue since" in text and "the 14w checkpoint review, due today" in text
    assert "6m" not in text and "Nothing due yet" not in text and "Bulky waste" not in text
    assert f"https://hackday.council.example/trials/{trial['id']}" in page
    assert "https://hackday.council.example/account/mail" in text

    [their_digest] = digests_to(olu, within=30)
    assert f"Bulky waste by text: its review date, overdue since {(today() - timedelta(days=3)):%d %B %Y} (3 days)" in (
        text_of(their_digest)
    )
    assert f"/trials/{theirs['id']}" in text_of(their_digest) and "Pre-fill" not in text_of(their_digest)

    # The same event delivered again, as a relay retrying after a lost answer would, while the
    # schedule keeps checking (once a second): still one digest each. None to a manager who turned
    # news off (mail about their own account still came), nor to staff.
    again = {
        "event_id": str(event_id(uuid.UUID(council.id), today())),
        "topic": "trial_reviews.due",
        "council_id": council.id,
        "day": today().isoformat(),
        "total": 1,
        "trials": [{"trial_id": trial["id"], "title": "Pre-fill council tax forms", "checkpoints": []}],
    }
    internal = f"{platform.gateway_url}/api/gateway/internal/trial-reviews-due"
    assert httpx.post(internal, json=again, headers=service_headers(platform, "followup")).status_code == 204
    time.sleep(4)
    assert len(digests_to(mia)) == 1 and len(digests_to(olu)) == 1
    assert digests_to(quiet) == [] and digests_to(sam) == []
    assert mailbox.to(quiet.email) and mailbox.to(sam.email)  # their invitations


def test_only_the_follow_up_service_may_tell_the_gateway_of_reviews_due(platform, new_council, new_person, anonymous):
    council = new_council()
    manager = new_person(council, "manager")
    body = {
        "event_id": str(uuid.uuid4()),
        "topic": "trial_reviews.due",
        "council_id": council.id,
        "day": today().isoformat(),
        "total": 0,
        "trials": [],
    }
    path = "/api/gateway/internal/trial-reviews-due"
    assert manager.post(path, json=body).status_code == 403
    assert anonymous.post(path, json=body).status_code == 401
    assert anonymous.post(path, json=body, headers=service_headers(platform, "voting")).status_code == 403
    assert manager.post("/api/gateway/Internal/trial-reviews-due", json=body).status_code == 404

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

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
ADMIN_FILE = REPO / ".data" / "first-admin.txt"
DEFAULT_URL = "http://127.0.0.1:8000"
# A sign-in hashes a password (Argon2, ~0.1 s of the gateway's time, and today on its event loop, so
# sign-ins are served one after another whatever we send): two at a time keeps it busy without a queue.
SIGN_IN_WORKERS = 2
BALLOT_WORKERS = 16
# How long one request may keep waiting on the gateway's rate limits (429 + Retry-After) in all.
MAX_RATE_LIMIT_WAIT = 600.0


class DemoFailed(Exception):
    """A step the demo cannot get past; the message says which step and what the platform answered."""


# ==== talking to the gateway =====================================================================


def describe(response: httpx.Response) -> str:
    """A refusal as a person reads it: status, the problem+json detail and the fields it names."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"{response.status_code} {response.reason_phrase}: {response.text[:300]}"
    text = f"{response.status_code} {body.get('title') or response.reason_phrase}: {body.get('detail', '')}"
    errors = body.get("errors") or []
    if errors:
        text += " (" + "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors[:5]) + ")"
    return text


class Gateway:
    """The platform's public entry. Thread-safe: sign-ins and ballots go out in parallel."""

    def __init__(self, url: str, say: Callable[[str], None], hint: str = "") -> None:
        self.url = url.rstrip("/")
        self.say = say
        self.hint = hint  # what the person can do about the rate limits, if anything
        self.http = httpx.Client(
            base_url=self.url, timeout=60.0, limits=httpx.Limits(max_connections=32, max_keepalive_connections=32)
        )
        self._lock = threading.Lock()
        self._told_about_limits = False

    def close(self) -> None:
        self.http.close()

    def send(
        self, method: str, path: str, *, step: str, token: str | None = None, ok: Iterable[int] = (200, 201), **kw: Any
    ) -> httpx.Response:
        headers = dict(kw.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        waited, attempt = 0.0, 0
        while True:
            attempt += 1
            try:
                response = self.http.request(method, path, headers=headers, **kw)
            except httpx.TransportError as exc:
                raise DemoFailed(
                    f"{step}: no answer from the platform at {self.url} ({type(exc).__name__}). "
                    "Is it running? Start it with `make run` in another terminal."
                ) from exc
            if response.status_code == 429 and waited < MAX_RATE_LIMIT_WAIT:
                # The gateway's rate limits are part of the platform: wait as told, then carry on.
                pause = max(1.0, float(response.headers.get("retry-after", "1")))
                self._tell_about_limits(path, pause)
                time.sleep(pause)
                waited += pause
                continue
            if response.status_code == 503 and attempt <= 5:
                # A service not reachable for a moment (restarting): nothing was done, so ask again.
                time.sleep(1.0)
                continue
            if response.status_code not in ok:
                raise DemoFailed(f"{step}: the platform answered {describe(response)}")
            return response

    def _tell_about_limits(self, path: str, pause: float) -> None:
        with self._lock:
            if self._told_about_limits:
                return
            self._told_about_limits = True
        what = "sign-ins from one address" if path.startswith("/api/auth/") else "changes by one person"
        self.say(
            f"  (the gateway limits {what}; waiting {pause:.0f} s each time it asks, and carrying on. "
            f"For a quicker run: {self.hint}a platform with a higher GATEWAY_LOGIN_RATE_LIMIT.)"
        )


@dataclass
class Person:
    """Someone signed in (or about to be): calls go through the gateway with their own token."""

    gw: Gateway
    id: str
    name: str
    email: str
    roles: list[str]
    token: str = ""
    password: str = ""
    invitation_code: str = ""

    def request(self, method: str, path: str, step: str, ok: Iterable[int] = (200, 201), **kw: Any) -> httpx.Response:
        ok = tuple(ok)
        response = self.gw.send(method, path, step=step, token=self.token, ok=(*ok, 401), **kw)
        if response.status_code == 401 and 401 not in ok:
            if not self.password:
                raise DemoFailed(f"{step}: the platform answered {describe(response)}")
            # Tokens last 15 minutes: a long run (waiting on rate limits) signs in again and carries on.
            self.token = sign_in(self.gw, self.email, self.password).token
            response = self.gw.send(method, path, step=step, token=self.token, ok=ok, **kw)
        return response

    def call(self, method: str, path: str, step: str, **kw: Any) -> Any:
        response = self.request(method, path, step, **kw)
        return response.json() if response.content else None

    def get(self, path: str, step: str, **kw: Any) -> Any:
        return self.call("GET", path, step, **kw)

    def post(self, path: str, step: str, **kw: Any) -> Any:
        return self.call("POST", path, step, **kw)

    def patch(self, path: str, step: str, **kw: Any) -> Any:
        return self.call("PATCH", path, step, **kw)

    def accept_invitation(self) -> None:
        """Choose a password with the one-time code, as a new member of staff does on the day."""
        self.password = secrets.token_urlsafe(15)
        body = self.gw.send(
            "POST",
            "/api/auth/invitations/accept",
            step=f"{self.name} accepts their invitation",
            json={"code": self.invitation_code, "password": self.password},
        ).json()
        self.token = body["access_token"]


def sign_in(gw: Gateway, email: str, password: str) -> Person:
    body = gw.send(
        "POST", "/api/auth/login", step=f"sign in as {email}", json={"email": email, "password": password}
    ).json()
    who = body["person"]
    return Person(
        gw=gw,
        id=who["id"],
        name=who["name"],
        email=who["email"],
        roles=who["roles"],
        token=body["access_token"],
        password=password,
    )


def in_parallel(workers: int, jobs: Iterable[Callable[[], Any]]) -> list[Any]:
    """Run the jobs a few at a time; the first failure stops the demo with its own message."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job) for job in jobs]
        return [f.result() for f in futures]


# ==== what a council's hack day holds (the story; all fictional) ==================================


@dataclass(frozen=True)
class Idea:
    key: str  # the demo's own handle, to refer to this idea below
    area: str  # a service area code of the ideas service
    title: str
    problem: str
    proposal: str
    benefit: tuple[float, str, str, str] | None = None  # amount a year, unit, who gains, how estimated
    tags: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    co_authors: int = 0
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    direction: str
    baseline: float
    baseline_method: str
    target: float
    series: tuple[float, ...]  # one measurement a month from the start, oldest first
    source: str
    annual_volume: float | None = None
    hourly_cost: float | None = None
    cashable: bool = False


@dataclass(frozen=True)
class TrialStory:
    hypothesis: str
    scope: str
    owner: tuple[str, str]  # name, job title (both agreed to be named)
    sponsor: tuple[str, str]
    cost: float
    started_days_ago: int
    metrics: tuple[Metric, ...]
    ending: str  # "concluded", "stopped" or "running"
    verdict: dict[str, Any] | None = None
    publish: bool = False
    review_first_checkpoint: bool = False
    internal_notes: str = ""


@dataclass(frozen=True)
class Vote:
    method: str
    rules: dict[str, Any]
    shortlist: tuple[str, ...]  # idea keys, the favourites first (in the order the staff prefer)
    selected: int


@dataclass(frozen=True)
class CouncilStory:
    name: str
    slug: str
    nation: str
    organiser: tuple[str, str]  # name, email local part
    manager: tuple[str, str] | None
    staff: dict[str, int]  # size -> how many staff are registered
    voters: dict[str, int]  # size -> how many of them sign in to vote (authors sign in anyway)
    authors: dict[str, int]  # size -> how many staff write the ideas between them
    hack_day: str
    held_days_ago: int
    themes: tuple[str, ...]
    ideas: tuple[Idea, ...]
    duplicate: tuple[str, str] | None = None  # (the duplicate, the earlier idea)
    hidden: tuple[str, str] | None = None  # (the idea, the reason)
    withdrawn: str | None = None
    vote: Vote | None = None
    trials: dict[str, TrialStory] = field(default_factory=dict)


FIRST_NAMES = (
    "Aisha",
    "Alan",
    "Amir",
    "Angela",
    "Anwen",
    "Ben",
    "Bethan",
    "Callum",
    "Carys",
    "Chloe",
    "Craig",
    "Daniel",
    "Deborah",
    "Dylan",
    "Eilidh",
    "Emma",
    "Fatima",
    "Fiona",
    "Gareth",
    "Grace",
    "Hamish",
    "Hannah",
    "Harpreet",
    "Ian",
    "Imran",
    "Isla",
    "James",
    "Jasmine",
    "Joanne",
    "Kerry",
    "Kwame",
    "Laura",
    "Lewis",
    "Lowri",
    "Mark",
    "Megan",
    "Mohammed",
    "Morag",
    "Natalie",
    "Niamh",
    "Oliver",
    "Olumide",
    "Owain",
    "Paul",
    "Priya",
    "Rachel",
    "Rhys",
    "Ruth",
    "Sadia",
    "Sarah",
    "Sean",
    "Sian",
    "Simon",
    "Sophie",
    "Stuart",
    "Tariq",
    "Tom",
    "Yasmin",
    "Zoe",
    "Euan",
)
SURNAMES = (
    "Ahmed",
    "Anderson",
    "Bailey",
    "Begum",
    "Bell",
    "Campbell",
    "Chowdhury",
    "Clarke",
    "Davies",
    "Edwards",
    "Evans",
    "Fraser",
    "Graham",
    "Griffiths",
    "Hughes",
    "Hussain",
    "Jenkins",
    "Jones",
    "Kaur",
    "Khan",
    "Lewis",
    "MacDonald",
    "Mackenzie",
    "Mensah",
    "Morgan",
    "Murray",
    "Okafor",
    "Owen",
    "Patel",
    "Phillips",
    "Price",
    "Reid",
    "Roberts",
    "Robertson",
    "Ross",
    "Scott",
    "Shah",
    "Singh",
    "Smith",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Walker",
    "Watson",
    "Williams",
    "Wilson",
    "Wright",
)


def _months(n: int) -> int:
    return n * 30


NORTHBROOK_IDEAS = (
    Idea(
        "ctax_sms",
        "revenues_and_benefits",
        "Text residents before their council tax instalment is due",
        "About 6,800 households a month miss an instalment, mostly because they forget. Each one gets a "
        "posted reminder (about 48p each) and many then phone us; recovery staff spend around 60 hours a "
        "week chasing payments that would have been made with a nudge.",
        "Send an SMS three days before each instalment to residents who pay by cash or card and have given "
        "us a mobile number, with a link to pay online. Keep the posted reminder only for those without one.",
        (38_000, "pounds", "both", "postage and printing of first reminders, plus recovery staff time"),
        ("council-tax", "sms", "reminders", "recovery"),
        ("GOV.UK Notify",),
        1,
        (
            "We tried something like this in 2019 but the numbers on the system were out of date - worth a "
            "data clean first.",
            "Could the text include the amount due? People ring to ask that.",
        ),
    ),
    Idea(
        "chatbot",
        "customer_services",
        "Chatbot on the website to answer council tax and benefits questions",
        "The contact centre takes about 2,100 calls a week on council tax and benefits, a third of them "
        "outside the busiest hours, and callers wait 12 minutes on average in January and March.",
        "Put a chatbot on the council tax and benefits pages that answers common questions 24/7 "
        "(how to pay, discounts, moving home) and hands over to an adviser when it cannot help.",
        (2_600, "hours", "both", "a third of calls answered by the bot at 7 minutes a call"),
        ("chatbot", "contact-centre", "council-tax", "benefits", "24-7"),
        (),
        1,
        ("Most of my calls are 'why has my bill gone up' - a bot would need to see the account.",),
    ),
    Idea(
        "care_devices",
        "adult_social_care",
        "Tablets for home care workers to update care notes during visits",
        "Home care workers write notes on paper during visits, then type them up at the office at the end "
        "of a shift: about 120 hours a week across the service, and notes reach the system a day late.",
        "Give each home care worker a tablet with the care record app so notes are written once, at the "
        "visit, and are there for the next carer straight away.",
        (6_000, "hours", "staff", "120 hours a week of typing up, half of it saved"),
        ("home-care", "mobile-working", "care-records"),
        ("Home care providers",),
        1,
        ("Signal is poor in the villages - the app must work offline.",),
    ),
    Idea(
        "ctax_sms_dup",
        "revenues_and_benefits",
        "SMS nudges for council tax payers",
        "People forget their instalment date and then get a reminder letter, which costs us postage.",
        "Send people a text message a few days before the payment date.",
        None,
        ("council-tax", "sms"),
        (),
    ),
    Idea(
        "missed_bins",
        "waste_and_recycling",
        "Crews photograph bins not put out, to answer missed-bin calls",
        "About 40% of 'missed bin' reports are bins that were not out on time. Each report costs a call, a "
        "return visit and often a complaint, around 350 return trips a month.",
        "Crews take a photo in the in-cab app when a bin is not presented; the contact centre sees it and "
        "can tell the resident at once, and the crew does not go back.",
        (22_000, "pounds", "both", "fewer return trips at about £60 each"),
        ("missed-bins", "in-cab", "failure-demand"),
        (),
        1,
        ("Crews will want to know how the photos are used - talk to the unions early.",),
    ),
    Idea(
        "missed_bins_named",
        "waste_and_recycling",
        "Sort out the repeated missed bins at 14 Mill Lane",
        "Mrs P. Harris at 14 Mill Lane has had her bin missed six times since June and rings every week.",
        "Put a note on the round sheet for this address and check it is collected.",
        None,
        ("missed-bins",),
        (),
    ),
    Idea(
        "garden_waste_renewals",
        "waste_and_recycling",
        "Renew garden waste subscriptions automatically",
        "Every February 14,000 garden waste subscribers must renew by hand; the contact centre takes about "
        "3,000 calls in four weeks and some people lose their collections for a month.",
        "Offer continuous card payment so the subscription renews each year unless cancelled, with an email "
        "a month before.",
        (1_200, "hours", "both", "3,000 calls at 12 minutes, plus fewer lapsed collections"),
        ("garden-waste", "subscriptions", "payments"),
        (),
    ),
    Idea(
        "potholes_photos",
        "highways_and_transport",
        "Let residents report potholes with a photo and a map pin",
        "Pothole reports by phone often give the wrong location, so inspectors spend time finding them; "
        "about one in five inspections cannot find the defect at first.",
        "Use the existing online form with a required map pin and optional photo, and send the report "
        "straight to the inspector's tablet.",
        (900, "hours", "staff", "inspector time finding defects"),
        ("potholes", "reporting", "maps"),
        (),
    ),
    Idea(
        "parking_permits",
        "highways_and_transport",
        "Virtual resident parking permits",
        "We post 9,000 paper permits a year; lost permits, changes of car and renewals take a clerk half her week.",
        "Hold permits against the registration number; enforcement officers check the number plate on "
        "their handhelds. Residents change vehicles online.",
        (14_000, "pounds", "both", "printing, postage and clerical time"),
        ("parking", "permits", "paperless"),
        (),
    ),
    Idea(
        "housing_voids",
        "housing",
        "A shared checklist to turn empty council homes round faster",
        "Empty council homes take 41 days on average to relet; the void inspection, repairs and lettings "
        "teams each keep their own spreadsheet and wait for emails from each other.",
        "One shared checklist per empty home that all three teams update, with the next job flagged to the "
        "right team automatically.",
        (95_000, "pounds", "both", "rent lost on empty homes, at 8 days fewer"),
        ("voids", "lettings", "repairs"),
        (),
        1,
    ),
    Idea(
        "homeless_triage",
        "housing",
        "Online form before a homelessness appointment",
        "Housing options officers spend the first 40 minutes of an appointment collecting facts the person "
        "could give us beforehand, and often have to book a second appointment for documents.",
        "A short online form (or with a library or advice centre volunteer) before the appointment, listing "
        "what documents to bring.",
        (1_500, "hours", "both", "30 minutes saved on 3,000 appointments"),
        ("homelessness", "triage", "forms"),
        ("Citizens Advice", "Libraries"),
    ),
    Idea(
        "planning_validation",
        "planning",
        "Check planning applications for missing documents automatically",
        "Half of planning applications arrive invalid, mostly for a missing plan or fee. Validation officers "
        "spend about 25 minutes on each before writing to the applicant.",
        "Automatic checks when an application arrives from the Planning Portal: missing documents and fees "
        "flagged and the agent emailed the same day.",
        (1_100, "hours", "staff", "25 minutes on 2,600 invalid applications"),
        ("planning", "validation", "automation"),
        ("Planning Portal",),
    ),
    Idea(
        "hr_onboarding",
        "hr",
        "One onboarding checklist for new starters",
        "New starters often arrive without a laptop, a building pass or a system login; managers chase four "
        "teams and new staff lose most of their first week.",
        "A single onboarding request raised at the job offer that creates tasks for IT, facilities and "
        "payroll, with the start date as the deadline.",
        (2_000, "hours", "staff", "three lost days on about 330 new starters"),
        ("onboarding", "new-starters"),
        (),
    ),
    Idea(
        "it_password_resets",
        "it_and_digital",
        "Self-service password resets",
        "A quarter of IT service desk calls are password resets: about 180 a week at 8 minutes each, and "
        "staff cannot work while they wait.",
        "Turn on self-service password reset with two verification methods for every member of staff.",
        (1_250, "hours", "staff", "180 calls a week at 8 minutes, plus waiting time"),
        ("it-service-desk", "passwords"),
        (),
    ),
    Idea(
        "finance_invoices",
        "finance_and_procurement",
        "Scan and match supplier invoices automatically",
        "Accounts payable key in 42,000 invoices a year by hand; 6% are paid late because they sit in a "
        "manager's inbox waiting for approval.",
        "Suppliers send invoices to one mailbox; they are read, matched to the purchase order and sent to "
        "the approver with a reminder after three days.",
        (1_800, "hours", "staff", "3 minutes keying on 36,000 invoices"),
        ("invoices", "accounts-payable", "automation"),
        (),
    ),
    Idea(
        "blue_badge",
        "customer_services",
        "Tell Blue Badge applicants where their application is",
        "Blue Badge applicants wait up to 10 weeks and phone to ask how it is going: about 400 calls a month.",
        "Send a text or email at each stage (received, assessed, printed, posted).",
        (500, "hours", "both", "400 calls a month at 6 minutes"),
        ("blue-badge", "progress-updates"),
        ("GOV.UK Notify",),
    ),
    Idea(
        "library_hubs",
        "libraries_and_culture",
        "Council advice desks in libraries on market days",
        "Residents in the outlying towns travel to the civic centre for help with forms that library staff "
        "could help with.",
        "A council advice desk in three libraries on market days, staffed by trained library staff with a "
        "video link to specialists.",
        None,
        ("libraries", "face-to-face", "rural"),
        ("Town councils",),
    ),
    Idea(
        "registrars_booking",
        "registrars_and_bereavement",
        "Book death registration appointments online",
        "Bereaved families ring to book a death registration appointment, often more than once, at a "
        "hard time; registrars spend 6 hours a week on the phone booking.",
        "Online booking with the documents to bring, and a phone line kept for those who need it.",
        (300, "hours", "both", "6 hours a week of booking calls"),
        ("registration", "bereavement", "booking"),
        (),
    ),
    Idea(
        "env_health_inspections",
        "environmental_health",
        "Inspect food businesses by risk, with a tablet",
        "Food hygiene inspection reports are handwritten then typed; officers lose half a day a week.",
        "Tablet inspection forms that fill in the business's details and produce the letter on site.",
        (700, "hours", "staff", "half a day a week for 7 officers"),
        ("food-hygiene", "inspections", "mobile-working"),
        (),
    ),
    Idea(
        "council_tax_moves",
        "revenues_and_benefits",
        "One form for moving home",
        "When someone moves within the borough they tell us up to four times (council tax, benefits, "
        "electoral register, bins) and the records often do not match.",
        "One 'I am moving' form that updates council tax and benefits and tells electoral services and waste.",
        (1_400, "hours", "both", "duplicate changes of address across four teams"),
        ("moving-home", "council-tax", "tell-us-once"),
        (),
    ),
    Idea(
        "fleet_telematics",
        "property_and_facilities",
        "Use vehicle trackers to plan fewer pool car journeys",
        "The pool car fleet of 40 cars is booked by paper diary; some cars sit idle while staff claim "
        "mileage for their own cars.",
        "Online pool car booking with the tracker data showing use, and reduce the fleet to what is used.",
        (18_000, "pounds", "staff", "mileage claims and two fewer leased cars"),
        ("fleet", "pool-cars", "mileage"),
        (),
    ),
    Idea(
        "children_transport",
        "childrens_services",
        "Plan school transport routes with software",
        "Home-to-school transport routes for children with special needs are planned by hand each summer; "
        "costs went up 18% last year.",
        "Use route planning software to combine routes and set the right vehicle size.",
        (120_000, "pounds", "residents", "5% of the £2.4m budget"),
        ("school-transport", "send", "routing"),
        ("Taxi and minibus operators",),
    ),
    Idea(
        "climate_streetlights",
        "climate_and_environment",
        "Dim street lights after midnight on quiet roads",
        "Street lighting is the council's largest single electricity use.",
        "Dim LED street lights by 50% between midnight and 5am on residential roads, after asking residents "
        "and the police.",
        (45_000, "pounds", "residents", "energy at current prices"),
        ("street-lighting", "energy", "net-zero"),
        ("Police",),
    ),
    Idea(
        "complaints_triage",
        "customer_services",
        "Send complaints to the right team on the first day",
        "Complaints arrive by email and sit in a shared inbox for 3 days on average before a team sees them; "
        "we then miss the 10-day answer time.",
        "A complaint form that asks which service it is about and routes it straight to that team's queue.",
        (600, "hours", "both", "triage time and fewer escalations"),
        ("complaints", "triage"),
        (),
    ),
)

NORTHBROOK_TRIALS = {
    "ctax_sms": TrialStory(
        hypothesis="If we text residents three days before a council tax instalment is due, then fewer "
        "instalments will be missed, fewer reminder letters will be posted and recovery staff will "
        "spend less time chasing.",
        scope="Residents paying by cash or card with a mobile number on record (about 31,000 accounts). "
        "Direct Debit payers are left out: they rarely miss.",
        owner=("Priya Shah", "Revenues team leader"),
        sponsor=("Martin Cole", "Head of Revenues and Benefits"),
        cost=6_500,
        started_days_ago=200,
        ending="concluded",
        publish=True,
        metrics=(
            Metric(
                "First reminder letters posted (annual cost)",
                "cost_pounds_per_year",
                "lower_is_better",
                38_400,
                "Print and postage invoices, 12 months before the trial",
                12_000,
                (30_900, 21_800, 15_100, 11_600, 10_400),
                "Print room invoices",
                cashable=True,
            ),
            Metric(
                "Staff time chasing missed instalments",
                "hours_per_week",
                "lower_is_better",
                64,
                "Recovery team timesheets, average of 13 weeks",
                45,
                (61, 55, 50, 46, 44),
                "Recovery team timesheets",
                hourly_cost=24.5,
            ),
            Metric(
                "Instalments paid late",
                "percent",
                "lower_is_better",
                11.8,
                "Share of instalments paid after the due date, 3 months before",
                9.0,
                (11.0, 10.1, 9.4, 8.9, 8.6),
                "Council tax system report",
            ),
        ),
        verdict={
            "outcome": "worked",
            "summary": "Texts before each instalment cut late payments from 11.8% to 8.6% and first reminder "
            "letters by almost three quarters. Recovery staff time fell by 20 hours a week.",
            "reasons": [
                {
                    "code": "adoption",
                    "note": "Residents used the payment link in the text: 38% paid within a day of it.",
                }
            ],
            "lessons": {
                "what_worked": "A short text with the amount and a payment link, sent three days before.",
                "what_did_not": "Texts sent on Sundays were paid later than weekday ones.",
                "do_differently": "Clean the mobile numbers first: 9% had changed since they were given.",
                "conditions_elsewhere": "Needs mobile numbers for most cash and card payers and a GOV.UK "
                "Notify account; works best where reminder letters are still posted.",
            },
            "design": "comparison_group",
            "verified_by": {
                "name": "Internal Audit",
                "organisation": "Northbrook Borough Council (Example)",
                "independent": True,
                "consents_to_be_named": True,
            },
        },
    ),
    "chatbot": TrialStory(
        hypothesis="If a chatbot answers common council tax and benefits questions on the website, then "
        "calls to the contact centre about them will fall by a fifth.",
        scope="Council tax and benefits pages of the website, all residents; twelve advisers answered handovers.",
        owner=("Daniel Okafor", "Customer services manager"),
        sponsor=("Angela Price", "Director of Resources"),
        cost=14_000,
        started_days_ago=170,
        ending="concluded",
        publish=True,
        internal_notes="Supplier offered a discount for a second year; not taken.",
        metrics=(
            Metric(
                "Calls about council tax and benefits",
                "count",
                "lower_is_better",
                2_150,
                "Weekly average from the telephony system, 8 weeks before",
                1_700,
                (2_190, 2_120, 2_230, 2_170),
                "Telephony system, weekly average",
            ),
            Metric(
                "Chatbot conversations resolved without an adviser",
                "percent",
                "higher_is_better",
                0,
                "No chatbot before the trial",
                40,
                (18, 14, 12, 11),
                "Chatbot supplier's dashboard",
            ),
            Metric(
                "Adviser minutes per call",
                "minutes_per_case",
                "lower_is_better",
                7.5,
                "Average handling time, 8 weeks before",
                6.5,
                (7.6, 7.8, 7.7, 7.9),
                "Telephony system",
                annual_volume=111_800,
                hourly_cost=23.0,
            ),
        ),
        verdict={
            "outcome": "did_not_work",
            "summary": "Calls did not fall (2,150 a week before, 2,170 at the end) and only 11% of chatbot "
            "conversations ended without an adviser. Most questions were about the person's own "
            "bill, which the chatbot could not see.",
            "reasons": [
                {
                    "code": "wrong_problem",
                    "note": "Two thirds of calls were about the caller's own account "
                    "(why has my bill changed), not general questions.",
                },
                {
                    "code": "information_governance",
                    "note": "The DPIA did not allow account look-ups without "
                    "identity verification, which the chatbot lacked.",
                },
                {"code": "adoption", "note": "Residents asked for a person after one or two answers."},
            ],
            "lessons": {
                "what_worked": "The chatbot's logs showed which web pages were unclear; we rewrote six of them.",
                "what_did_not": "General answers do not help people whose question is about their own bill.",
                "do_differently": "Look at what callers actually ask before choosing a tool; start with "
                "signed-in account pages rather than a chatbot.",
                "conditions_elsewhere": "Might work for general enquiries (bins, opening times) or with "
                "verified sign-in to the council tax account.",
            },
            "design": "before_after",
        },
    ),
    "care_devices": TrialStory(
        hypothesis="If home care workers write care notes on a tablet at the visit, then the time spent typing "
        "up notes at the office will halve.",
        scope="The north locality home care team (24 carers).",
        owner=("Fiona Graham", "Home care team manager"),
        sponsor=("Kwame Mensah", "Assistant Director, Adult Care"),
        cost=9_800,
        started_days_ago=45,
        ending="stopped",
        publish=False,
        metrics=(
            Metric(
                "Time typing up visit notes at the office",
                "hours_per_week",
                "lower_is_better",
                120,
                "Timesheets of the north locality team, 6 weeks before",
                60,
                (112,),
                "Team timesheets",
                hourly_cost=19.0,
            ),
        ),
        verdict={
            "outcome": "stopped",
            "summary": "Stopped after six weeks: the tablets could not keep care records offline under our "
            "data protection rules, and replacement devices were not available through the framework.",
            "reasons": [
                {
                    "code": "information_governance",
                    "note": "Offline storage of care records on shared devices "
                    "was not approved by the Caldicott Guardian.",
                },
                {
                    "code": "procurement",
                    "note": "The devices that could encrypt offline data were not on the "
                    "framework; a new procurement would take six months.",
                },
            ],
            "lessons": {
                "do_differently": "Agree the DPIA and the device with information governance before buying.",
                "conditions_elsewhere": "Could work where the care record app supports encrypted offline use.",
            },
        },
    ),
}

GLANMOR_IDEAS = (
    Idea(
        "flytipping_form",
        "environmental_health",
        "Report fly-tipping online with a photo, in Welsh or English",
        "Fly-tipping is reported by phone; officers type up each report (about 14 minutes) and often ring "
        "back for the exact place. About 4,200 reports a year.",
        "A bilingual online form with a photo and a map pin that goes straight to the enforcement officers' "
        "and crews' work queue.",
        (980, "hours", "both", "officer time on 4,200 reports"),
        ("fly-tipping", "bilingual", "reporting"),
        (),
        1,
        ("Make sure the Welsh version is written, not machine translated.",),
    ),
    Idea(
        "repairs_booking",
        "housing",
        "Let tenants book repair appointments online",
        "Tenants ring to book repairs and often again to rearrange; 14% of appointments find nobody in.",
        "Online booking of repair slots with a text reminder the day before, and rearranging by reply.",
        (60_000, "pounds", "both", "wasted visits at £85 each"),
        ("repairs", "appointments", "tenants"),
        ("Housing association partners",),
        1,
    ),
    Idea(
        "school_meals",
        "childrens_services",
        "Free school meals without a separate form",
        "Families entitled to free school meals must apply separately even when we already pay them council "
        "tax reduction; a third of eligible children are not registered.",
        "Use council tax reduction data to register eligible children automatically, with an opt-out.",
        (250_000, "pounds", "residents", "meals and extra school funding claimed"),
        ("free-school-meals", "data-sharing"),
        ("Schools",),
    ),
    Idea(
        "welsh_chat",
        "customer_services",
        "Welsh-language web chat at the contact centre",
        "Welsh speakers wait longer on the phone for a Welsh-speaking adviser.",
        "Web chat in Welsh staffed by the Welsh-speaking advisers at quiet times.",
        None,
        ("welsh-language", "web-chat"),
        (),
    ),
    Idea(
        "grit_routes",
        "highways_and_transport",
        "Grit the routes by live road temperature",
        "Gritters go out on all routes whenever frost is forecast, even when some roads stay above freezing.",
        "Use road sensors to grit only routes that will freeze.",
        (35_000, "pounds", "residents", "salt and drivers' overtime"),
        ("gritting", "winter", "sensors"),
        (),
    ),
    Idea(
        "foster_carers",
        "childrens_services",
        "Answer foster carer enquiries within a day",
        "People who enquire about fostering wait a week for a call back and many go to agencies.",
        "A named officer answers every enquiry the same or next day, and keeps in touch monthly.",
        None,
        ("fostering", "recruitment"),
        (),
    ),
    Idea(
        "hr_sickness",
        "hr",
        "Return-to-work interviews on a simple online form",
        "Return-to-work forms are paper and often lost; HR chase managers every month.",
        "An online form that reminds the manager and records the interview.",
        (400, "hours", "staff", "HR chasing and re-keying"),
        ("sickness-absence", "forms"),
        (),
    ),
    Idea(
        "bulky_waste",
        "waste_and_recycling",
        "Book bulky waste collections online with a photo",
        "Bulky waste bookings by phone often list the wrong items; crews turn up with the wrong vehicle.",
        "Online booking with a photo, and the item list sent to the crew.",
        (8_000, "pounds", "both", "wasted trips"),
        ("bulky-waste", "booking"),
        (),
    ),
)

GLANMOR_TRIALS = {
    "flytipping_form": TrialStory(
        hypothesis="If residents report fly-tipping with a photo and a map pin, then officers will spend less "
        "time on each report and sites will be cleared sooner.",
        scope="The whole county borough; reports by phone stay available.",
        owner=("Rhys Evans", "Enforcement team leader"),
        sponsor=("Sian Morgan", "Head of Neighbourhood Services"),
        cost=3_200,
        started_days_ago=160,
        ending="concluded",
        publish=True,
        metrics=(
            Metric(
                "Officer minutes to log a report",
                "minutes_per_case",
                "lower_is_better",
                14,
                "Timed sample of 60 phone reports",
                6,
                (11, 9, 8.5, 8),
                "Timed sample of 40 reports a month",
                annual_volume=4_200,
                hourly_cost=22.0,
            ),
            Metric(
                "Days from report to clearance",
                "days_waiting",
                "lower_is_better",
                6.5,
                "Average over 3 months before",
                3,
                (6.1, 5.8, 5.9, 5.6),
                "Waste management system",
            ),
        ),
        verdict={
            "outcome": "partly",
            "summary": "Logging a report now takes 8 minutes rather than 14, but sites are cleared only a day "
            "sooner: the crews' rounds did not change.",
            "reasons": [
                {"code": "staffing", "note": "Clearance depends on crew capacity, which the trial did not change."},
                {"code": "data", "note": "One report in six had a photo without a usable location."},
            ],
            "lessons": {
                "what_worked": "The map pin ended the call-backs for locations.",
                "what_did_not": "Faster reports do not mean faster clearance on their own.",
                "do_differently": "Plan the crews' rounds from the reports at the same time.",
                "conditions_elsewhere": "Worth it where officers type up phone reports; bilingual forms "
                "needed in Wales.",
            },
            "design": "before_after",
        },
    ),
    "repairs_booking": TrialStory(
        hypothesis="If tenants book repair slots online with a reminder the day before, then fewer visits will "
        "find nobody in and fewer calls will be made to book or rearrange.",
        scope="Responsive repairs for the 3,100 homes of the southern estates.",
        owner=("Bethan Hughes", "Repairs planner"),
        sponsor=("Gareth Price", "Head of Housing"),
        cost=7_500,
        started_days_ago=100,
        ending="running",
        review_first_checkpoint=True,
        metrics=(
            Metric(
                "Repair visits with nobody in",
                "percent",
                "lower_is_better",
                14,
                "Repairs system, 6 months before",
                8,
                (12.5, 11.0, 10.2),
                "Repairs system",
            ),
            Metric(
                "Calls to book or rearrange repairs",
                "count",
                "lower_is_better",
                900,
                "Weekly average, telephony system, 8 weeks before",
                600,
                (840, 760, 700),
                "Telephony system, weekly average",
            ),
        ),
    ),
}

INVERALLAN_IDEAS = (
    Idea(
        "ferry_tickets",
        "highways_and_transport",
        "Buy island ferry tickets on the phone",
        "Islanders queue at the pier office to buy ferry tickets for the council-run ferry.",
        "Mobile ticketing with a QR code checked by the crew.",
        (12_000, "pounds", "residents", "pier office hours"),
        ("ferry", "tickets", "islands"),
        (),
    ),
    Idea(
        "peat_planning",
        "planning",
        "Pre-application advice online for crofters",
        "Crofters travel up to two hours for pre-application advice about small buildings.",
        "Video-call advice slots and a short online guide for croft buildings.",
        None,
        ("planning", "crofting", "rural"),
        ("Crofting Commission",),
    ),
    Idea(
        "social_work_notes",
        "adult_social_care",
        "Dictate social work case notes",
        "Social workers spend a day a week typing case notes after visits.",
        "Dictation on a phone with transcription into the case record.",
        (3_000, "hours", "staff", "a day a week for 15 social workers"),
        ("case-notes", "dictation"),
        (),
    ),
    Idea(
        "gaelic_signs",
        "communications",
        "Bilingual Gaelic and English templates for letters",
        "Letters are translated one by one for Gaelic speakers, which takes weeks.",
        "Approved bilingual templates for the twenty most common letters.",
        None,
        ("gaelic", "letters"),
        ("Bòrd na Gàidhlig",),
    ),
    Idea(
        "school_transport_islands",
        "childrens_services",
        "Share school transport with community buses",
        "School buses run empty in the middle of the day on the islands.",
        "Let community transport groups use the school buses between runs.",
        None,
        ("school-transport", "community-transport"),
        ("Community transport groups",),
    ),
)

# Written while the platform says what happened elsewhere: close to Northbrook's failed chatbot.
INVERALLAN_DRAFT = Idea(
    "virtual_assistant",
    "customer_services",
    "Virtual assistant for council tax questions in the evening",
    "Residents cannot reach us about council tax after 5pm and the phone lines are busy every morning.",
    "An automated assistant on the website that answers council tax questions in the evening and at weekends.",
    (1_500, "hours", "both", "evening questions answered without a call"),
    ("council-tax", "automation"),
    (),
)
INVERALLAN_REWRITE = (
    "Start with signed-in council tax account pages so residents can see their own bill and payments in the "
    "evening; only then consider an assistant, for general questions. (Northbrook trialled a chatbot for "
    "this and it did not work because most questions were about people's own accounts.)"
)

COUNCILS = (
    CouncilStory(
        name="Northbrook Borough Council",
        slug="northbrook",
        nation="England",
        organiser=("Joanne Clarke", "joanne.clarke"),
        manager=("Martin Cole", "martin.cole"),
        staff={"full": 300, "small": 40},
        voters={"full": 60, "small": 9},
        authors={"full": 14, "small": 6},
        hack_day="Northbrook spring hack day",
        held_days_ago=210,
        themes=(
            "Cut the wait for a council tax answer",
            "Fewer wasted journeys for crews and carers",
            "Give staff back an hour a week",
        ),
        ideas=NORTHBROOK_IDEAS,
        duplicate=("ctax_sms_dup", "ctax_sms"),
        hidden=(
            "missed_bins_named",
            "Names a resident and her address. Please resubmit it as an idea about "
            "repeated missed collections, without personal details.",
        ),
        withdrawn="library_hubs",
        vote=Vote(
            method="dot_voting",
            rules={"dots_per_voter": 5, "max_dots_per_idea": 3},
            shortlist=(
                "ctax_sms",
                "chatbot",
                "care_devices",
                "missed_bins",
                "housing_voids",
                "it_password_resets",
                "planning_validation",
                "finance_invoices",
            ),
            selected=3,
        ),
        trials=NORTHBROOK_TRIALS,
    ),
    CouncilStory(
        name="Glanmor County Borough Council",
        slug="glanmor",
        nation="Wales",
        organiser=("Lowri Davies", "lowri.davies"),
        manager=("Gareth Price", "gareth.price"),
        staff={"full": 150, "small": 20},
        voters={"full": 24, "small": 6},
        authors={"full": 6, "small": 4},
        hack_day="Glanmor hack day: fewer repeat calls",
        held_days_ago=180,
        themes=("Fewer repeat calls", "Bilingual by design"),
        ideas=GLANMOR_IDEAS,
        vote=Vote(
            method="approval",
            rules={"max_approvals": 3},
            shortlist=("flytipping_form", "repairs_booking", "school_meals", "grit_routes", "bulky_waste"),
            selected=2,
        ),
        trials=GLANMOR_TRIALS,
    ),
    CouncilStory(
        name="Inverallan Council",
        slug="inverallan",
        nation="Scotland",
        organiser=("Morag Mackenzie", "morag.mackenzie"),
        manager=None,
        staff={"full": 90, "small": 12},
        voters={"full": 0, "small": 0},
        authors={"full": 5, "small": 3},
        hack_day="Inverallan islands and glens hack day",
        held_days_ago=0,
        themes=("Services that do not need a journey",),
        ideas=INVERALLAN_IDEAS,
    ),
)


# ==== the run ======================================================================================


@dataclass
class Made:
    """What the demo made, for the summary (and --summary-json)."""

    set_number: int = 1
    councils: dict[str, dict[str, Any]] = field(default_factory=dict)
    staff_registered: int = 0
    signed_in: int = 0
    ideas: int = 0
    comments: int = 0
    ballots: int = 0
    rounds: list[dict[str, Any]] = field(default_factory=list)
    trials: list[dict[str, Any]] = field(default_factory=list)
    trials_made_by_platform: int = 0
    library_entries: list[dict[str, Any]] = field(default_factory=list)
    tried_before: dict[str, Any] | None = None
    people: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: float = 0.0


def council_name(story: CouncilStory, set_number: int) -> str:
    return f"{story.name} (Example)" if set_number == 1 else f"{story.name} (Example set {set_number})"


def council_slug(story: CouncilStory, set_number: int) -> str:
    return f"{story.slug}-example" if set_number == 1 else f"{story.slug}-example-{set_number}"


@dataclass
class Team:
    """One council as the demo builds it: its people, and what they made."""

    story: CouncilStory
    council: dict[str, Any]
    domain: str
    organiser: Person
    manager: Person | None = None
    acting: list[Person] = field(default_factory=list)  # the staff who signed in to act
    ideas: dict[str, dict[str, Any]] = field(default_factory=dict)  # idea key -> the idea as answered
    written_by: dict[str, Person] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)  # idea key -> ids of its team
    selected: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (idea key, selected idea)

    @property
    def name(self) -> str:
        return self.council["name"]


class Demo:
    def __init__(
        self,
        url: str,
        admin_email: str,
        admin_password: str,
        size: str,
        trial_wait: float,
        say: Callable[[str], None] = print,
    ) -> None:
        self.gw = Gateway(url, say, hint="--size small, or " if size == "full" else "")
        self.say = say
        self.admin_email, self.admin_password = admin_email, admin_password
        self.size = size
        self.trial_wait = trial_wait
        self.made = Made()
        self.today = date.today()

    def key(self, *parts: str) -> dict[str, str]:
        """An Idempotency-Key for a creating call, the same if the demo repeats the call in this run."""
        return {"Idempotency-Key": "-".join(("demo", str(self.made.set_number), *parts))}

    # ---- the whole story -----------------------------------------------------------------------
    def run(self) -> Made:
        started = time.monotonic()
        try:
            self.check_platform()
            admin = sign_in(self.gw, self.admin_email, self.admin_password)
            self.made.set_number = self.choose_set(admin)
            northbrook, glanmor, inverallan = self.register(admin)
            for team in (northbrook, glanmor):
                self.hack_day_with_vote(team)
            opened = self.wait_for_trials([northbrook, glanmor])
            for team in (northbrook, glanmor):
                self.trials(team, opened)
            self.open_hack_day_and_tried_before(inverallan)
        finally:
            self.gw.close()
            self.made.seconds = round(time.monotonic() - started, 1)
        return self.made

    def check_platform(self) -> None:
        response = self.gw.send("GET", "/readyz", step="check that the platform is running", ok=(200, 503))
        if response.status_code != 200:
            raise DemoFailed(f"the platform at {self.gw.url} is running but not ready: {response.text[:300]}")

    def choose_set(self, admin: Person) -> int:
        """Each run adds its own set of councils: find the first set number not used yet."""
        names: set[str] = set()
        offset = 0
        while True:
            page = admin.get("/api/councils", "list the councils", params={"limit": 200, "offset": offset})
            names |= {c["name"] for c in page["items"]}
            offset += 200
            if offset >= page["total"]:
                break
        number = 1
        while any(council_name(s, number) in names for s in COUNCILS):
            number += 1
        if number > 1:
            earlier = "set 1 is" if number == 2 else f"sets 1-{number - 1} are"
            self.say(f"Demo {earlier} already here; adding set {number}, with its own names.")
        return number

    # ---- councils and people -------------------------------------------------------------------
    def register(self, admin: Person) -> list[Team]:
        """Councils, their organisers and managers (by the admin), then staff in bulk (by the organisers);
        only the people who act accept their invitations."""
        n = self.made.set_number
        teams: list[Team] = []
        for story in COUNCILS:
            name, slug = council_name(story, n), council_slug(story, n)
            council = admin.post("/api/councils", f"create the council {name}", json={"name": name, "slug": slug})
            domain = f"{slug}.example.org"
            chosen: dict[str, Person] = {}
            for role, who in (("organiser", story.organiser), ("manager", story.manager)):
                if who is not None:
                    body = admin.post(
                        "/api/people",
                        f"register {who[0]} as {role} of {name}",
                        json={
                            "email": f"{who[1]}@{domain}",
                            "name": who[0],
                            "council_id": council["id"],
                            "roles": [role],
                        },
                    )
                    chosen[role] = Person(
                        gw=self.gw,
                        id=body["id"],
                        name=body["name"],
                        email=body["email"],
                        roles=body["roles"],
                        invitation_code=body["invitation_code"],
                    )
            teams.append(Team(story=story, council=council, domain=domain, **chosen))
            self.made.councils[story.slug] = {"id": council["id"], "name": name, "nation": story.nation}
        leads = [p for t in teams for p in (t.organiser, t.manager) if p is not None]
        in_parallel(SIGN_IN_WORKERS, [p.accept_invitation for p in leads])
        self.made.signed_in += len(leads)
        self.say(f"Councils: {', '.join(t.name for t in teams)}, each with an organiser (and a manager in two).")

        for team in teams:
            staff = self.staff_list(team.story, team.domain)
            body = team.organiser.post(
                f"/api/councils/{team.council['id']}/staff",
                f"{team.organiser.name} registers {len(staff)} staff of {team.name}",
                json={"people": staff},
            )
            members = [
                Person(
                    gw=self.gw,
                    id=p["id"],
                    name=p["name"],
                    email=p["email"],
                    roles=p["roles"],
                    invitation_code=p["invitation_code"],
                )
                for p in body["created"]
            ]
            self.made.staff_registered += len(members)
            team.acting = members[: max(team.story.authors[self.size], team.story.voters[self.size])]
        acting = [p for t in teams for p in t.acting]
        self.say(
            f"Staff: {self.made.staff_registered} registered in bulk; {len(acting)} of them accept their "
            "invitations now (the ones who write ideas, comment and vote)..."
        )
        in_parallel(SIGN_IN_WORKERS, [p.accept_invitation for p in acting])
        self.made.signed_in += len(acting)
        for team in teams:
            for role, who in (("organiser", team.organiser), ("manager", team.manager), ("staff", team.acting[0])):
                if who is not None:
                    self.made.people[f"{team.story.slug} {role}"] = {"email": who.email, "password": who.password}
        return teams

    def staff_list(self, story: CouncilStory, domain: str) -> list[dict[str, str]]:
        """Plausible names and emails, the same for the same set, never clashing with the leads'."""
        rng = random.Random(f"{story.slug}-{self.made.set_number}")
        taken: set[str] = {story.organiser[1]} | ({story.manager[1]} if story.manager else set())
        people = []
        while len(people) < story.staff[self.size]:
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            local, k = f"{first}.{last}".lower(), 2
            while local in taken:
                local, k = f"{first}.{last}{k}".lower(), k + 1
            taken.add(local)
            people.append({"email": f"{local}@{domain}", "name": f"{first} {last}"})
        return people

    # ---- a hack day from ideas to a published vote -----------------------------------------------
    def create_hack_day(self, team: Team) -> dict[str, Any]:
        story, organiser = team.story, team.organiser
        held_on = self.today - timedelta(days=story.held_days_ago)
        name = f"{story.hack_day} {held_on.year}"
        day = organiser.post(
            "/api/ideas/hack-days",
            f"{organiser.name} creates the hack day '{name}'",
            json={"name": name, "date": held_on.isoformat(), "themes": list(story.themes)},
            headers=self.key(story.slug, "hack-day"),
        )
        self.phase(organiser, day, "open")
        self.made.councils[story.slug].update(hack_day_id=day["id"], hack_day=name)
        return day

    def phase(self, organiser: Person, day: dict[str, Any], phase: str) -> None:
        organiser.post(
            f"/api/ideas/hack-days/{day['id']}/phase", f"move '{day['name']}' to {phase}", json={"phase": phase}
        )

    def submit(self, team: Team, day: dict[str, Any], author: Person, idea: Idea) -> dict[str, Any]:
        body: dict[str, Any] = {
            "hack_day_id": day["id"],
            "title": idea.title,
            "problem": idea.problem,
            "proposal": idea.proposal,
            "service_area": idea.area,
            "tags": list(idea.tags),
            "partners": list(idea.partners),
        }
        if idea.benefit:
            amount, unit, who, note = idea.benefit
            body["expected_benefit"] = {"amount": float(amount), "unit": unit, "beneficiaries": who, "note": note}
        made = author.post(
            "/api/ideas/ideas",
            f"{author.name} submits '{idea.title}'",
            json=body,
            headers=self.key(team.story.slug, idea.key),
        )
        team.ideas[idea.key], team.written_by[idea.key] = made, author
        team.members[idea.key] = {author.id}
        self.made.ideas += 1
        return made

    def write_ideas(self, team: Team, day: dict[str, Any]) -> None:
        """Staff write the ideas (a few each), invite co-authors and comment on each other's."""
        story = team.story
        authors = team.acting[: story.authors[self.size]]
        for i, idea in enumerate(story.ideas):
            self.submit(team, day, authors[i % len(authors)], idea)
        for i, idea in enumerate(story.ideas):
            made, lead = team.ideas[idea.key], team.written_by[idea.key]
            colleagues = [p for p in team.acting if p.id != lead.id]
            for k in range(idea.co_authors):
                colleague = colleagues[(i * 3 + k) % len(colleagues)]
                lead.post(
                    f"/api/ideas/ideas/{made['id']}/co-authors",
                    f"{lead.name} invites {colleague.name} to co-author '{idea.title}'",
                    json={"person_id": colleague.id},
                )
                colleague.post(
                    f"/api/ideas/ideas/{made['id']}/invitation/accept",
                    f"{colleague.name} joins the team of '{idea.title}'",
                )
                team.members[idea.key].add(colleague.id)
            others = [p for p in team.acting if p.id not in team.members[idea.key]]
            for k, text in enumerate(idea.comments):
                commenter = others[(i + 5 * k) % len(others)]
                commenter.post(
                    f"/api/ideas/ideas/{made['id']}/comments",
                    f"{commenter.name} comments on '{idea.title}'",
                    json={"body": text},
                    headers=self.key(idea.key, "comment", str(k)),
                )
                self.made.comments += 1

    def moderate(self, team: Team) -> None:
        """The organiser links a duplicate, hides an idea that names a resident; an author withdraws one."""
        story, organiser, ideas = team.story, team.organiser, team.ideas
        if story.duplicate:
            dup, first = story.duplicate
            organiser.post(
                f"/api/ideas/ideas/{ideas[dup]['id']}/duplicate",
                f"{organiser.name} marks '{ideas[dup]['title']}' a duplicate",
                json={"duplicate_of_id": ideas[first]["id"]},
            )
        if story.hidden:
            key, reason = story.hidden
            organiser.post(
                f"/api/ideas/ideas/{ideas[key]['id']}/hide",
                f"{organiser.name} hides '{ideas[key]['title']}'",
                json={"reason": reason},
            )
        if story.withdrawn:
            author = team.written_by[story.withdrawn]
            author.post(
                f"/api/ideas/ideas/{ideas[story.withdrawn]['id']}/withdraw",
                f"{author.name} withdraws '{ideas[story.withdrawn]['title']}'",
            )

    def hack_day_with_vote(self, team: Team) -> None:
        story, organiser, vote = team.story, team.organiser, team.story.vote
        if vote is None:
            raise DemoFailed(f"the story of {team.name} has no vote")  # a mistake in this file, not the platform
        day = self.create_hack_day(team)
        self.write_ideas(team, day)
        self.moderate(team)
        for key in vote.shortlist:
            organiser.post(
                f"/api/ideas/ideas/{team.ideas[key]['id']}/shortlist",
                f"{organiser.name} shortlists '{team.ideas[key]['title']}'",
            )
        self.phase(organiser, day, "voting")
        self.say(
            f"{team.name}: hack day '{day['name']}' with {len(team.ideas)} ideas "
            f"({sum(i.co_authors for i in story.ideas)} co-authors, "
            f"{sum(len(i.comments) for i in story.ideas)} comments), {len(vote.shortlist)} shortlisted."
        )
        self.vote(team, day, vote)
        self.phase(organiser, day, "closed")

    def vote(self, team: Team, day: dict[str, Any], vote: Vote) -> None:
        """A round over the shortlist; the staff vote (a few at a time); closed, counted and published."""
        organiser = team.organiser
        rnd = organiser.post(
            "/api/voting/rounds",
            f"{organiser.name} creates the vote",
            json={
                "hack_day_id": day["id"],
                "title": f"Which ideas should we trial? ({day['name']})",
                "method": vote.method,
                "rules": vote.rules,
                "selected_count": vote.selected,
            },
            headers=self.key(team.story.slug, "round"),
        )
        organiser.post(f"/api/voting/rounds/{rnd['id']}/open", f"{organiser.name} opens the vote")
        shortlist = [team.ideas[k]["id"] for k in vote.shortlist]
        members = {team.ideas[k]["id"]: team.members[k] for k in vote.shortlist}
        jobs = []
        for i, voter in enumerate(team.acting[: team.story.voters[self.size]]):
            choices = ballot(vote, shortlist, {idea for idea, ids in members.items() if voter.id in ids}, i)
            if choices is None:
                continue  # everything this voter would back is their own: they do not vote

            def cast(voter: Person = voter, choices: dict = choices, i: int = i) -> None:
                voter.post(
                    f"/api/voting/rounds/{rnd['id']}/ballot",
                    f"{voter.name} votes",
                    json={"choices": choices},
                    headers=self.key(team.story.slug, "ballot", str(i)),
                )

            jobs.append(cast)
        in_parallel(BALLOT_WORKERS, jobs)
        self.made.ballots += len(jobs)
        organiser.post(f"/api/voting/rounds/{rnd['id']}/close", f"{organiser.name} closes the vote")
        organiser.post(
            f"/api/voting/rounds/{rnd['id']}/publish",
            f"{organiser.name} publishes the result",
            json={"selected_count": vote.selected},
        )
        result = organiser.get(f"/api/voting/rounds/{rnd['id']}/result", "read the published result")
        selected = result.get("selected") or []
        key_of = {made["id"]: key for key, made in team.ideas.items()}
        team.selected = [(key_of[s["idea_id"]], s) for s in selected]
        self.made.rounds.append(
            {
                "council": team.story.slug,
                "id": rnd["id"],
                "method": vote.method,
                "ballots": len(jobs),
                "selected": [s["title"] for s in selected],
            }
        )
        self.say(
            f"  Vote ({vote.method.replace('_', ' ')}): {len(jobs)} ballots, closed and published; selected: "
            + "; ".join(f"{s['rank']}. {s['title']}" for s in selected)
        )

    # ---- trials ----------------------------------------------------------------------------------
    def wait_for_trials(self, teams: list[Team]) -> dict[str, dict[str, Any]]:
        """Publishing a result opens the selected ideas' trials by itself (voting's outbox relays it to
        follow-up); give it a moment. Trials that do not appear are opened by the managers instead."""
        wanted = [(team.manager, team.ideas[key]["id"]) for team in teams for key, _ in team.selected]
        found: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + self.trial_wait
        while True:
            for manager, idea_id in wanted:
                if idea_id in found or manager is None:
                    continue
                response = manager.request(
                    "GET",
                    f"/api/followup/trials/by-idea/{idea_id}",
                    "look for the trial the platform opens",
                    ok=(200, 404),
                )
                if response.status_code == 200:
                    found[idea_id] = response.json()
            if len(found) == len(wanted) or time.monotonic() >= deadline:
                break
            time.sleep(0.5)
        self.made.trials_made_by_platform = len(found)
        if len(found) < len(wanted):
            self.say(
                f"Trials: the platform opened {len(found)} of {len(wanted)} within {self.trial_wait:g} s; "
                "the managers open the rest themselves (POST /api/followup/trials)."
            )
        return found

    def trials(self, team: Team, found: dict[str, dict[str, Any]]) -> None:
        manager = team.manager
        if manager is None:
            raise DemoFailed(f"the story of {team.name} has trials but no manager")  # a mistake in this file
        for key, chosen in team.selected:
            idea_id = team.ideas[key]["id"]
            trial = found.get(idea_id) or manager.post(
                "/api/followup/trials",
                f"{manager.name} opens a trial of '{chosen['title']}'",
                json={"idea_id": idea_id},
                headers=self.key("trial", key),
            )
            plot = team.story.trials.get(key)
            if plot is None:
                # An idea the staff chose that the story has no script for stays planned, as real ones do.
                self.made.trials.append(
                    {
                        "council": team.story.slug,
                        "id": trial["id"],
                        "idea_id": idea_id,
                        "title": chosen["title"],
                        "status": trial["status"],
                    }
                )
                continue
            self.run_trial(team, manager, trial, chosen["title"], idea_id, plot)
        made_here = [t for t in self.made.trials if t["council"] == team.story.slug]
        self.say(f"{team.name}: trials " + "; ".join(f"'{t['title']}' {trial_state(t)}" for t in made_here))

    def run_trial(
        self, team: Team, manager: Person, trial: dict[str, Any], title: str, idea_id: str, plot: TrialStory
    ) -> None:
        """Plan, metrics with baselines, start (back-dated), monthly measurements, then the ending."""
        base = f"/api/followup/trials/{trial['id']}"
        start = self.today - timedelta(days=plot.started_days_ago)

        def person(who: tuple[str, str]) -> dict[str, Any]:
            return {"name": who[0], "job_title": who[1], "consents_to_be_named": True}

        six_months_on = (start + timedelta(days=_months(6))).isoformat()
        trial = manager.patch(
            base,
            f"{manager.name} plans the trial of '{title}'",
            json={
                "hypothesis": plot.hypothesis,
                "scope": plot.scope,
                "owner": person(plot.owner),
                "sponsor": person(plot.sponsor),
                "trial_cost_pounds": plot.cost,
                "planned_start": start.isoformat(),
                "planned_end": six_months_on,
                "review_date": six_months_on,
                "internal_notes": plot.internal_notes,
            },
            headers={"If-Match": f'"{trial["version"]}"'},
        )
        metric_ids = []
        for m in plot.metrics:
            body: dict[str, Any] = {
                "name": m.name,
                "unit": m.unit,
                "direction": m.direction,
                "target_value": m.target,
                "cashable": m.cashable,
                "baseline": {
                    "value": m.baseline,
                    "method": m.baseline_method,
                    "period_start": (start - timedelta(days=_months(3))).isoformat(),
                    "period_end": (start - timedelta(days=1)).isoformat(),
                },
            }
            if m.annual_volume is not None:
                body["annual_volume"] = m.annual_volume
            if m.hourly_cost is not None:
                body["hourly_cost_pounds"] = m.hourly_cost
            metric_ids.append(manager.post(f"{base}/metrics", f"add the metric '{m.name}'", json=body)["id"])
        trial = manager.post(f"{base}/start", f"start the trial of '{title}'", json={"started_on": start.isoformat()})
        for m, metric_id in zip(plot.metrics, metric_ids, strict=True):
            for month, value in enumerate(m.series):
                period_start = start + timedelta(days=_months(month))
                period_end = min(period_start + timedelta(days=_months(1) - 1), self.today)
                manager.post(
                    f"{base}/measurements",
                    f"record '{m.name}' for month {month + 1}",
                    json={
                        "metric_id": metric_id,
                        "value": value,
                        "period_start": period_start.isoformat(),
                        "period_end": period_end.isoformat(),
                        "method": "Monthly figure",
                        "source": m.source,
                    },
                )
        if plot.review_first_checkpoint and trial.get("checkpoints"):
            first = trial["checkpoints"][0]
            manager.post(
                f"{base}/checkpoints/{first['id']}/review",
                "review the first checkpoint",
                json={"note": "On track: fewer wasted visits already; keep the reminders as they are."},
            )
        record: dict[str, Any] = {"council": team.story.slug, "id": trial["id"], "idea_id": idea_id, "title": title}
        if plot.ending == "concluded":
            manager.post(f"{base}/evaluate", f"begin the evaluation of '{title}'")
        if plot.ending in ("concluded", "stopped"):
            trial = manager.post(f"{base}/verdict", f"give the verdict on '{title}'", json=plot.verdict)
            record.update(
                outcome=trial["verdict"]["outcome"],
                evidence_level=trial["evidence_level"],
                net_pounds=trial["verdict"]["gain"]["net_pounds"],
            )
        if plot.publish:
            entry = manager.post(f"{base}/publish", f"publish '{title}' to the shared library")
            record["library_entry_id"] = entry["id"]
            self.made.library_entries.append(
                {"id": entry["id"], "title": title, "outcome": entry["outcome"], "council": team.story.slug}
            )
        record["status"] = trial["status"]
        self.made.trials.append(record)

    # ---- an open hack day, and "tried before?" -------------------------------------------------------
    def open_hack_day_and_tried_before(self, team: Team) -> None:
        """A hack day open today; someone writing an idea is told another council tried it and it failed."""
        day = self.create_hack_day(team)
        self.write_ideas(team, day)
        writer, draft = team.acting[-1], INVERALLAN_DRAFT
        answer = writer.post(
            "/api/journeys/tried-before",
            f"{writer.name} asks whether it was tried before",
            json={"title": draft.title, "problem": draft.problem, "proposal": draft.proposal, "limit": 20},
        )
        failures = {t["idea_id"] for t in self.made.trials if t.get("outcome") == "did_not_work"}
        warnings = [
            item
            for item in answer["items"]
            if (item.get("outcome") or {}).get("source") == "library"
            and item["outcome"].get("verdict") == "did_not_work"
        ]
        # Earlier demo sets hold the same failure: point at this run's own.
        warning = next((w for w in warnings if w["idea"]["id"] in failures), warnings[0] if warnings else None)
        if warning is None:
            raise DemoFailed(
                "'tried before?' did not show the published failure of a similar idea from another "
                f"council; it answered: {json.dumps(answer)[:600]}"
            )
        line = self.tried_before_line(writer, warning)
        self.made.tried_before = {
            "draft": draft.title,
            "found": warning["idea"].get("title"),
            "idea_id": warning["idea"]["id"],
            "verdict": warning["outcome"]["verdict"],
            "line": line,
            "library_entry_id": warning["outcome"].get("library_entry_id"),
        }
        # Warned, they write it differently, building on what Northbrook learnt.
        rewritten = Idea(
            draft.key,
            draft.area,
            draft.title.replace("Virtual assistant", "Online account pages"),
            draft.problem,
            INVERALLAN_REWRITE,
            draft.benefit,
            draft.tags,
        )
        self.submit(team, day, writer, rewritten)
        self.say(
            f"{team.name}: hack day '{day['name']}' open now with {len(team.ideas)} ideas. "
            f"{writer.name}, writing '{draft.title}', is told: {line}"
        )

    def tried_before_line(self, writer: Person, warning: dict[str, Any]) -> str:
        """ "Tried in 2026 by X: did not work, because ...", as a person writing the idea would read it.
        The reasons come with the outcome; if they do not, they are in the published library entry."""
        outcome = warning["outcome"]
        reasons, council = outcome.get("reasons") or [], outcome.get("council_name")
        published = outcome.get("published_at") or ""
        if (not reasons or not council) and outcome.get("library_entry_id"):
            entry = writer.get(f"/api/followup/library/{outcome['library_entry_id']}", "read the library entry")
            reasons = reasons or entry.get("reasons") or []
            council = council or (entry.get("council") or {}).get("name")
            published = published or entry.get("published_at") or ""
        council = council or warning["idea"].get("council_name", "another council")
        first = reasons[0] if reasons else {}
        because = first.get("note") or first.get("code", "") if isinstance(first, dict) else str(first)
        year = f" in {published[:4]}" if published[:4].isdigit() else ""
        verdict = outcome["verdict"].replace("_", " ")
        because = f", because {because[:1].lower()}{because[1:]}" if because else ""
        return f"tried{year} by {council}: {verdict}{because}"


def trial_state(trial: dict[str, Any]) -> str:
    """'concluded: worked, published', 'stopped', 'running'..."""
    outcome = (trial.get("outcome") or "").replace("_", " ")
    words = [trial["status"] + (f": {outcome}" if outcome and outcome != trial["status"] else "")]
    return ", ".join(words + (["published"] if trial.get("library_entry_id") else []))


def ballot(vote: Vote, shortlist: list[str], mine: set[str], i: int) -> dict[str, Any] | None:
    """Voter i's choices: most staff back the first favourites, the rest spread their votes, and nobody
    votes for their own idea (the round refuses it). Written out rather than random so the story's
    favourites win at any size."""
    favourites, others = shortlist[: vote.selected], shortlist[vote.selected :]
    spread = [others[(i + k) % len(others)] for k in range(len(others))] if others else []
    if vote.method == "dot_voting":
        # 5 dots: 2 on the first favourite, 1-2 on the second, 1 on the third, 1 elsewhere.
        wanted = [(favourites[0], 2)] + [(f, 2 if i % 3 == 0 else 1) for f in favourites[1:2]]
        if len(favourites) > 2 and i % 3 != 0:
            wanted.append((favourites[2], 1))
        wanted += [(spread[0], 1)] if spread else []
        dots = {idea: n for idea, n in wanted if idea not in mine}
        return {"dots": dots} if dots else None
    # Approval: nearly everyone approves the favourites; every other voter also approves one more.
    picks = favourites[:1] + (favourites[1:2] if i % 5 != 4 else []) + (spread[:1] if i % 2 == 0 else [])
    picks = [idea for idea in picks if idea not in mine][: vote.rules.get("max_approvals", 3)]
    return {"approve": picks} if picks else None


# ==== the command ==================================================================================


def summary(made: Made, url: str) -> str:
    url = url.rstrip("/")
    lines = [
        "",
        f"Demo hack days are in (set {made.set_number}, {made.seconds} s):",
        f"  councils      {', '.join(c['name'] for c in made.councils.values())}",
        f"  people        {made.staff_registered} staff registered, {made.signed_in} signed in",
        f"  ideas         {made.ideas} ideas, {made.comments} comments; {made.ballots} ballots in "
        f"{len(made.rounds)} published votes",
        f"  trials        {len(made.trials)} ({made.trials_made_by_platform} opened by the platform itself "
        "when the results were published)",
        f"  library       {len(made.library_entries)} published: "
        + "; ".join(f"{e['title']} ({e['outcome'].replace('_', ' ')})" for e in made.library_entries),
    ]
    if made.tried_before:
        lines.append(f"  tried before  '{made.tried_before['draft']}': {made.tried_before['line']}")
    failed = next((t for t in made.trials if t.get("outcome") == "did_not_work"), None)
    northbrook = made.councils.get("northbrook", {})
    lines += [
        "",
        "Where to look (GET with a token: POST /api/auth/login with an account below):",
        f"  API documentation      {url}/docs",
    ]
    if failed:
        lines.append(f"  an idea's journey      {url}/api/journeys/ideas/{failed['idea_id']}")
    if northbrook.get("hack_day_id"):
        lines.append(
            f"  a hack day at a glance {url}/api/journeys/hack-days/{northbrook['hack_day_id']}"
            "  (Northbrook's organiser)"
        )
    if made.rounds:
        lines.append(f"  a published vote       {url}/api/voting/rounds/{made.rounds[0]['id']}/result")
    lines.append(f"  the shared library     {url}/api/followup/library")
    if failed and failed.get("library_entry_id"):
        lines.append(f"  a published failure    {url}/api/followup/library/{failed['library_entry_id']}")
    if "glanmor" in made.councils:
        lines.append(f"  reviews overdue        {url}/api/followup/overdue  (Glanmor's manager)")
    lines.append(f"  every council's record {url}/api/followup/portfolio/sector")
    lines += ["", "Accounts made by the demo (development data only):"]
    lines += [f"  {who:<22} {p['email']}  {p['password']}" for who, p in made.people.items()]
    return "\n".join(lines)


def read_admin_file(path: Path) -> tuple[str, str]:
    try:
        email, password = path.read_text().split()[:2]
    except (OSError, ValueError) as exc:
        raise DemoFailed(
            f"no admin account given and {path} cannot be read ({exc}). Start the platform with `make run` "
            "(it writes that file), or pass --admin-email and --admin-password."
        ) from exc
    return email, password


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help=f"the gateway (default {DEFAULT_URL})")
    parser.add_argument("--admin-email", help="an admin's email (default: from .data/first-admin.txt)")
    parser.add_argument(
        "--admin-password",
        help="that admin's password (default: from .data/first-admin.txt); "
        "write --admin-password=... if it starts with '-'",
    )
    parser.add_argument(
        "--size",
        choices=("full", "small"),
        default="full",
        help="full: 540 staff, 84 of them voting; small: 72 staff, 15 voting (a quick run for tests)",
    )
    parser.add_argument(
        "--trial-wait",
        type=float,
        default=10.0,
        help="seconds to wait for the platform to open the selected ideas' trials (default 10)",
    )
    parser.add_argument("--summary-json", type=Path, help="also write what was made to this file, as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    run: Demo | None = None
    try:
        if args.admin_email and args.admin_password:
            email, password = args.admin_email, args.admin_password
        elif args.admin_email or args.admin_password:
            raise DemoFailed("give both --admin-email and --admin-password, or neither")
        else:
            email, password = read_admin_file(ADMIN_FILE)
        print(f"Filling the platform at {args.url} with demo hack days ({args.size} size)...", flush=True)
        started = time.monotonic()
        run = Demo(
            args.url,
            email,
            password,
            args.size,
            args.trial_wait,
            say=lambda text: print(f"[{time.monotonic() - started:5.1f} s] {text}", flush=True),
        )
        made = run.run()
    except DemoFailed as exc:
        print(f"\nThe demo stopped: {exc}", file=sys.stderr, flush=True)
        if run is not None and run.made.councils:
            print("\nWhat it made before it stopped:" + summary(run.made, args.url), flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nStopped. What was made so far stays; running the demo again adds a new set.", file=sys.stderr)
        return 130
    print(summary(made, args.url), flush=True)
    if args.summary_json:
        args.summary_json.write_text(json.dumps(made.__dict__, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

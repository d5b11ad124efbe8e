"""Benchmark of similar-idea search at 100,000 ideas: `.venv/bin/python benchmarks/similar_ideas.py`.

Builds one in-memory index, as the ideas service does at start-up, from 100,000 synthetic ideas
generated from templates and council vocabulary (seeded, so every run indexes the same ideas) plus
the earlier ideas of the labelled set, then:
- times the build (all upserts), single upserts, replacements and removals on the full index;
- times searches: every labelled draft, synthetic drafts, and drafts cut short as while typing;
- scores the labelled drafts against the full index (recall@3, precision@1/@3, as in
  ideas.similarity.evaluate), so the quality figures are shown at that size.

The synthetic ideas share the labelled set's service areas and everyday words ("residents",
"online", "council tax", "app", "text message") but describe other processes, so they crowd the
index the way 100,000 real ideas from many councils would, without being unlabelled copies of a
labelled idea. Bounded: about a minute on 2 cores; `--ideas N` for a smaller run.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import resource
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services" / "ideas"))

from ideas.similarity import SimilarityIndex, idea_text
from ideas.similarity.evaluate import HELDOUT_2, fill, idea_id, load, score, text_of
from ideas.similarity.index import FEATURE_WEIGHTS, SCORE_FLOOR
from ideas.similarity.text import MAX_TEXT_CHARS

# Processes by service area. Deliberately not the processes of the labelled ideas.
PROCESSES = {
    "revenues and benefits": [
        "council tax student exemptions",
        "council tax empty homes premium",
        "housing benefit overpayments",
        "council tax band enquiries",
        "business rates appeals",
        "business rates refunds",
        "council tax care leaver discounts",
        "benefit cap cases",
        "council tax disabled band reductions",
        "council tax second homes premium",
        "business rates inspections",
        "council tax refunds",
        "free school meal appeals",
        "housing benefit change of circumstances",
        "council tax moving in forms",
    ],
    "waste": [
        "clinical waste collections",
        "assisted bin collections",
        "trade waste contracts",
        "recycling contamination warnings",
        "street cleansing schedules",
        "litter bin emptying",
        "abandoned vehicle reports",
        "bin replacement requests",
        "commercial waste duty of care checks",
        "glass recycling banks",
        "textile recycling",
        "communal bin stores in flats",
        "waste education visits to schools",
        "depot vehicle checks",
        "dog waste bins",
    ],
    "housing": [
        "gas safety checks",
        "right to buy applications",
        "tenancy sign-ups",
        "anti-social behaviour cases",
        "rent arrears first contact",
        "mutual exchanges",
        "disabled adaptations",
        "fire risk assessments",
        "estate inspections",
        "garage lettings",
        "leaseholder service charges",
        "tenancy audits",
        "sheltered housing alarms",
        "temporary accommodation invoices",
        "aids and adaptations waiting lists",
    ],
    "highways": [
        "road closure notices",
        "skip licences",
        "scaffolding permits",
        "bus shelter cleaning",
        "traffic signal faults",
        "drainage gully cleaning",
        "highway tree pruning",
        "road markings refresh",
        "utility works coordination",
        "bridge inspections",
        "cycle lane maintenance",
        "footway weed spraying",
        "traffic regulation orders",
        "school crossing patrols",
        "flooding reports",
    ],
    "customer services": [
        "complaints handling",
        "compliments recording",
        "freedom of information requests",
        "subject access requests",
        "blue badge applications",
        "concessionary bus passes",
        "member enquiries from councillors",
        "reception visitor sign-in",
        "interpreting bookings",
        "customer account sign-up",
        "corporate complaints stage two",
        "appointment reminders at the hub",
    ],
    "adult social care": [
        "direct payments audits",
        "deprivation of liberty safeguards",
        "care package reviews",
        "occupational therapy equipment",
        "day centre transport",
        "shared lives placements",
        "safeguarding referrals",
        "reablement packages",
        "carers assessments backlog",
        "supported living tenancies",
        "mental health act assessments",
        "provider quality monitoring",
    ],
    "planning": [
        "tree preservation orders",
        "building control inspections",
        "street naming and numbering",
        "local plan consultation",
        "section 106 monitoring",
        "conservation area consents",
        "land charges searches",
        "planning appeals statements",
        "community infrastructure levy",
        "lawful development certificates",
        "discharge of conditions",
        "biodiversity net gain plans",
    ],
    "hr": [
        "annual appraisals",
        "job evaluation",
        "flexible working requests",
        "DBS checks",
        "apprenticeship recruitment",
        "annual leave requests",
        "grievance cases",
        "learning records",
        "staff surveys",
        "occupational health referrals",
        "job adverts",
        "pay slips",
        "agency worker approvals",
        "training bookings",
        "mandatory e-learning completion",
    ],
    "it": [
        "software licences",
        "mobile phone contracts",
        "printer fleet",
        "network outages",
        "intranet search",
        "document storage",
        "shared drives clean-up",
        "starter and leaver accounts",
        "cyber security patching",
        "telephony system",
        "data protection training",
        "backup restores",
        "application licences audit",
        "Microsoft 365 adoption",
        "records retention",
    ],
    "finance": [
        "budget monitoring",
        "bank reconciliation",
        "VAT returns",
        "capital programme reporting",
        "grant claims",
        "income coding",
        "treasury management",
        "year end closedown",
        "supplier set-up",
        "cash collection from machines",
        "insurance renewals",
        "fees and charges review",
        "debtor account queries",
        "petty cash floats",
        "contract register",
    ],
    "parking": [
        "pay and display machines",
        "car park season tickets",
        "penalty charge appeals",
        "suspension of parking bays",
        "disabled parking bays",
        "car park lighting",
    ],
    "environmental health": [
        "pest control bookings",
        "private water supply sampling",
        "air quality monitoring",
        "stray dog collections",
        "contaminated land enquiries",
        "health and safety complaints",
    ],
    "leisure and culture": [
        "sports pitch bookings",
        "museum ticketing",
        "park events permits",
        "leisure centre memberships",
        "library book reservations",
        "community centre hire",
    ],
}

ACTIONS = [
    ("Move {p} online", "An online form for {p} with {extra}."),
    ("Automate {p}", "Automate the routine steps of {p} using {tool}."),
    ("Digital tracking of {p}", "A dashboard that tracks every case of {p} from start to finish."),
    ("Self-service for {p}", "Let {who} handle {p} themselves through the customer account."),
    ("Text message updates on {p}", "Send {who} a text message at each stage of {p}."),
    ("Email confirmation for {p}", "Send an automatic email confirming {p} with a reference number."),
    ("Single team for {p}", "Bring the officers dealing with {p} into one team with one inbox."),
    ("Mobile app for {p}", "Give officers a mobile app for {p} so they record it on site."),
    ("Shared data for {p}", "Share data on {p} with {partner} instead of asking for it again."),
    ("Plain guidance for {p}", "Rewrite the web pages about {p} and add a short video guide."),
    ("Weekly performance report on {p}", "Publish a weekly report on {p} to managers with clear targets."),
    ("Pilot with {partner} on {p}", "Work with {partner} on a three month pilot of a new approach to {p}."),
    ("Stop paper for {p}", "Replace paper files for {p} with electronic records in the case system."),
    ("Triage {p}", "Sort {p} by urgency when they arrive so the most serious are dealt with first."),
    ("Standard templates for {p}", "One set of standard templates and checklists for {p} across teams."),
    ("Map-based view of {p}", "Show {p} on a map so officers can plan their routes and spot clusters."),
    ("Payment online for {p}", "Take card payments online for {p} and reconcile them automatically."),
    ("Appointment booking for {p}", "Let {who} book a time slot for {p} online."),
    ("Chat support for {p}", "Answer questions about {p} through web chat during office hours."),
    ("Training on {p}", "Short training sessions on {p} for frontline staff."),
]
PAINS = [
    "{p} are handled by email and spreadsheets, so cases get lost.",
    "{who} wait {n} weeks for {p} and phone us to chase.",
    "Officers spend {n} hours a week rekeying information about {p}.",
    "We get around {n}00 calls a month about {p}.",
    "Nobody can see how many cases of {p} are open or overdue.",
    "{p} rely on one person who knows the process, which is a risk when they are off.",
    "Paper forms for {p} are often incomplete and have to be sent back.",
    "Complaints about {p} have doubled this year.",
    "Different teams handle {p} in different ways, so {who} get mixed messages.",
    "The process for {p} has {n} steps and several sign-offs.",
    "Our audit found errors in {p} costing money every year.",
]
WHO = [
    "residents",
    "tenants",
    "businesses",
    "staff",
    "applicants",
    "customers",
    "families",
    "older residents",
    "landlords",
    "schools",
    "councillors",
    "managers",
    "contractors",
]
PARTNERS = [
    "the NHS trust",
    "a voluntary group",
    "the police",
    "the fire service",
    "a housing association",
    "neighbouring councils",
    "the DWP",
    "local schools",
    "a university",
    "Citizens Advice",
    "bus operators",
    "pharmacists",
    "a community interest company",
]
TOOLS = [
    "workflow software",
    "robotic process automation",
    "the case management system",
    "low-code forms",
    "Power Automate",
    "the CRM",
]
EXTRAS = [
    "document upload",
    "a progress tracker",
    "card payment",
    "an automatic acknowledgement",
    "address lookup",
    "eligibility questions up front",
]
SUFFIXES = [
    "",
    "",
    " This would free up officer time for complex cases.",
    " Residents have asked for this in surveys.",
    " Another council has done this and halved the time taken.",
    " It could save around {n}0,000 pounds a year.",
    " Staff on the front line suggested this.",
    " It would also reduce our carbon footprint.",
]


def synthetic_ideas(count: int, seed: int = 20261129) -> list[tuple[str, str, str]]:
    """`count` synthetic ideas as (title, problem, proposal), the same for the same seed."""
    rng = random.Random(seed)
    areas = list(PROCESSES)
    ideas = []
    for _ in range(count):
        process = rng.choice(PROCESSES[rng.choice(areas)])
        title_t, proposal_t = rng.choice(ACTIONS)
        fill_in = {
            "p": process,
            "who": rng.choice(WHO),
            "partner": rng.choice(PARTNERS),
            "tool": rng.choice(TOOLS),
            "extra": rng.choice(EXTRAS),
            "n": rng.randint(2, 9),
        }
        problem = rng.choice(PAINS).format(**fill_in)
        problem = problem[0].upper() + problem[1:]
        proposal = proposal_t.format(**fill_in) + rng.choice(SUFFIXES).format(**fill_in)
        ideas.append((title_t.format(**fill_in), problem, proposal))
    return ideas


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed_both(call, *args) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one call: on a shared machine the two differ."""
    wall, cpu = time.perf_counter(), time.thread_time()
    call(*args)
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Similar-idea search benchmark")
    parser.add_argument("--ideas", type=int, default=100_000, help="synthetic ideas to index")
    parser.add_argument("--queries", type=int, default=1_000, help="synthetic drafts to time")
    parser.add_argument(
        "--quality",
        action="store_true",
        help="only the quality figures (labelled set and held-out split 2) at this size, no timings",
    )
    args = parser.parse_args(argv)
    if args.quality:
        return quality_at_size(args.ideas)

    labelled = load()
    print(
        f"similar-idea search benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {platform.python_version()}, {platform.machine()}, {_cpu()}"
    )
    print(
        f"score floor {SCORE_FLOOR}, feature weights {FEATURE_WEIGHTS}; "
        f"load average at start {os.getloadavg()[0]:.1f} on {_cores()} cores"
    )

    started = time.perf_counter()
    ideas = synthetic_ideas(args.ideas)
    texts = [idea_text(*idea) for idea in ideas]
    print(f"generated {len(texts):,} synthetic ideas in {time.perf_counter() - started:.1f} s")

    rss_before = _current_rss_mb()
    index = SimilarityIndex()
    gc.disable()  # the build allocates millions of small objects; the collector only slows it
    started, build_cpu_started = time.perf_counter(), time.process_time()
    ids = [uuid.uuid4() for _ in texts]
    for synthetic_id, text in zip(ids, texts, strict=True):
        index.upsert(synthetic_id, text)
    fill(index, labelled)
    build = time.perf_counter() - started
    build_cpu = time.process_time() - build_cpu_started
    gc.enable()
    gc.collect()
    print(
        f"built index of {len(index):,} ideas in {build:.1f} s wall, {build_cpu:.1f} s CPU "
        f"({build_cpu / len(index) * 1e6:.0f} us CPU per idea); the index takes about "
        f"{_current_rss_mb() - rss_before:.0f} MB (process peak RSS {_rss_mb():.0f} MB)"
    )

    # drafts: the labelled drafts, fresh synthetic ones, and drafts cut short as while typing
    rng = random.Random(7)
    drafts = [text_of(query) for query in labelled["queries"]]
    drafts += [idea_text(*idea) for idea in synthetic_ideas(args.queries, seed=99)]
    drafts += [text[: rng.randint(8, 40)] for text in rng.sample(drafts, min(300, len(drafts)))]
    for draft in drafts[:20]:
        index.search(draft)  # warm caches once, as a running service would be
    timings = [timed_both(index.search, draft) for draft in drafts]
    for name, values in (("wall", [t[0] for t in timings]), ("CPU", [t[1] for t in timings])):
        print(
            f"search over {len(drafts):,} drafts ({name}): median {statistics.median(values):.2f} ms, "
            f"p95 {percentile(values, 0.95):.2f} ms, p99 {percentile(values, 0.99):.2f} ms, "
            f"max {max(values):.2f} ms"
        )

    # the longest draft the engine reads (text.MAX_TEXT_CHARS): a pasted document
    pasted = " ".join(drafts[61:])[:MAX_TEXT_CHARS]
    wall, cpu = zip(*(timed_both(index.search, pasted) for _ in range(5)), strict=True)
    print(
        f"search with a {len(pasted):,}-character draft: median {statistics.median(wall):.1f} ms wall, "
        f"{statistics.median(cpu):.1f} ms CPU"
    )

    # changes on the full index: add new ideas, replace (edit) and remove existing ones
    fresh = synthetic_ideas(500, seed=5)
    step = max(1, len(ids) // 500)
    changes = {
        "upsert (new)": [timed_both(index.upsert, uuid.uuid4(), idea_text(*idea)) for idea in fresh],
        "upsert (replace)": [
            timed_both(index.upsert, ids[i], idea_text(*fresh[i % len(fresh)])) for i in range(0, len(ids), step)
        ],
        "remove": [timed_both(index.remove, ids[i]) for i in range(1, len(ids), step)],
    }
    print(
        "; ".join(
            f"{name} p95 {percentile([t[0] for t in values], 0.95):.3f} ms wall, "
            f"{percentile([t[1] for t in values], 0.95):.3f} ms CPU"
            for name, values in changes.items()
        )
    )

    names = {synthetic_id: f"synthetic: {idea[0]}" for synthetic_id, idea in zip(ids, ideas, strict=True)}
    names.update({idea_id(idea["key"]): idea["key"] for idea in labelled["ideas"]})
    example = "text residents before their council tax is due"
    print(f"example: {example!r} shows")
    for found, found_score in index.search(example, limit=3):
        print(f"  {found_score:.3f}  {names.get(found, found)}")
    print(f"quality at {len(index):,} ideas (labelled drafts against the full index):")
    for split in ("tune", "holdout"):
        result = score(index, [q for q in labelled["queries"] if q["split"] == split], names=names)
        print(f"  {split:8} {result.line()}")
        if split == "tune":  # the held-out drafts' misses stay unseen while tuning
            for miss in result.misses:
                print(f"           miss {miss}")
    for split in ("tune", "holdout"):
        result = score(index, [q for q in labelled["queries"] if q["split"] == split], title_only=True)
        print(f"  {split:8} title only: {result.line()}")
    return 0


def quality_at_size(count: int) -> int:
    """Quality among `count` synthetic ideas: both labelled splits and held-out split 2.

    Every earlier idea of both sets is indexed, so each split's drafts also face the other's ideas.
    A "false warning" is a draft with nothing similar that is shown anything at all.
    """
    labelled, heldout = load(), load(HELDOUT_2)
    index = SimilarityIndex()
    gc.disable()
    for text in (idea_text(*idea) for idea in synthetic_ideas(count)):
        index.upsert(uuid.uuid4(), text)
    fill(index, labelled)
    fill(index, heldout)
    gc.enable()
    names = {idea_id(idea["key"]): idea["key"] for idea in labelled["ideas"] + heldout["ideas"]}
    print(f"quality at {len(index):,} ideas ({count:,} synthetic), score floor {SCORE_FLOOR}:")
    queries = labelled["queries"] + heldout["queries"]
    for split in ("tune", "holdout", "heldout-2"):
        result = score(index, [q for q in queries if q["split"] == split], names=names)
        false_warnings = result.without_match - result.quiet
        print(f"  {split:9} {result.line()}  false warnings {false_warnings}/{result.without_match}")
        if split == "heldout-2":
            low = [(q["key"], _score_of(index, q)) for q in heldout["queries"] if q["matches"]]
            print("            match scores: " + ", ".join(f"{s:.2f}" for _, s in sorted(low, key=lambda x: x[1])))
    return 0


def _score_of(index: SimilarityIndex, query: dict) -> float:
    """The score of a draft's match, however low (0 if not among the first 50)."""
    wanted = {idea_id(key) for key in query["matches"]}
    floor, index.floor = index.floor, 0.0
    try:
        return next((s for found, s in index.search(text_of(query), limit=50) if found in wanted), 0.0)
    finally:
        index.floor = floor


def _current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return _rss_mb()
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} x{_cores()}"
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    raise SystemExit(main())

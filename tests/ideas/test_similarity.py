"""Similar-idea search as a module (no servers): quality on the labelled set, and index semantics."""

from __future__ import annotations

import random
import time
import uuid

import numpy as np
import pytest
from ideas.similarity import SCORE_FLOOR, SimilarityIndex, idea_text
from ideas.similarity import index as index_module
from ideas.similarity.evaluate import fill, idea_id, load, score, text_of
from ideas.similarity.lexicon import parse
from ideas.similarity.text import MAX_TEXT_CHARS, words

LABELLED = load()
CTAX_SMS = idea_id("ctax-sms")


@pytest.fixture(scope="module")
def labelled_index() -> SimilarityIndex:
    index = SimilarityIndex()
    fill(index, LABELLED)
    return index


def queries(split: str) -> list[dict]:
    return [query for query in LABELLED["queries"] if query["split"] == split]


# -- quality -------------------------------------------------------------------------------------


def test_a_text_reminder_draft_finds_the_earlier_sms_idea(labelled_index):
    results = labelled_index.search("text residents before their council tax is due")

    assert results, "nothing shown for the council-tax example"
    assert results[0][0] == CTAX_SMS


def test_a_draft_with_typos_and_abbreviations_still_finds_it(labelled_index):
    results = labelled_index.search("councl tax remiders by txt b4 its due")

    assert results and results[0][0] == CTAX_SMS


@pytest.mark.parametrize("split", ["tune", "holdout"])
def test_quality_on_the_labelled_set_holds(labelled_index, split):
    result = score(labelled_index, queries(split))

    # measured 1.00 on both splits (docs/similar-ideas.md); the issue asks for 0.9 or better
    assert result.recall_at_3 >= 0.9, result.misses
    assert result.precision_at_1 >= 0.85, result.misses
    assert result.quiet_rate >= 0.5, result.misses


def test_plain_word_overlap_would_not_be_enough(labelled_index):
    """Guards the point of the lexicon. Word overlap alone can find the matches in a set this
    small only with a floor so low that it also shows ideas for unrelated drafts: no floor gives
    it both. The chosen scoring has both at its floor."""
    tune = queries("tune")
    words_only = SimilarityIndex(weights={"w": 1.0}, correct_typos=False)
    fill(words_only, LABELLED)

    def good(result) -> bool:
        return result.recall_at_3 >= 0.95 and result.quiet_rate >= 0.75

    assert good(score(labelled_index, tune))
    for floor in [f / 100 for f in range(5, 55, 5)]:
        words_only.floor = floor
        assert not good(score(words_only, tune)), floor


def _match_scores(index: SimilarityIndex, labelled: dict) -> list[float]:
    """Each tune draft's score for its match (0 if it is not among the first 50)."""
    scores = []
    for query in labelled["queries"]:
        if query["split"] == "tune" and query["matches"]:
            wanted = idea_id(query["matches"][0])
            scores.append(next((s for found, s in index.search(text_of(query), 50) if found == wanted), 0.0))
    return scores


@pytest.mark.parametrize(
    "reference", [index_module.IDF_REFERENCE, pytest.param(None, marks=pytest.mark.xfail(strict=True))]
)
def test_scores_do_not_sink_as_the_index_grows(reference):
    """A match scores the same among 1,000 generated ideas as among 6,000 (issue 16 point 6); the
    uncapped IDF (reference None), the scoring that sank, is kept here as a strict xfail."""
    from benchmarks.similar_ideas import synthetic_ideas

    labelled = load()
    index = SimilarityIndex(floor=0.0, idf_reference=reference)
    fill(index, labelled)
    ideas = synthetic_ideas(6_000)
    for idea in ideas[:1_000]:
        index.upsert(uuid.uuid4(), idea_text(*idea))
    small = _match_scores(index, labelled)
    for idea in ideas[1_000:]:
        index.upsert(uuid.uuid4(), idea_text(*idea))
    large = _match_scores(index, labelled)
    drops = sorted(a - b for a, b in zip(small, large, strict=True))
    assert drops[-1] < 0.02, drops[-5:]


def test_the_labelled_set_is_well_formed():
    keys = [idea["key"] for idea in LABELLED["ideas"]]
    pairs = [query for query in LABELLED["queries"] if query["matches"]]
    nothing_similar = [query for query in LABELLED["queries"] if not query["matches"]]

    assert len(keys) == len(set(keys))
    assert len(pairs) >= 40
    assert len(nothing_similar) >= 8
    assert {query["split"] for query in LABELLED["queries"]} == {"tune", "holdout"}
    assert all(match in keys for query in pairs for match in query["matches"])
    distractors = set(keys) - {match for query in pairs for match in query["matches"]}
    assert len(distractors) >= 20


def test_the_lexicon_parses_and_rejects_a_malformed_line():
    lexicon = parse()

    assert "council_tax" in lexicon and "ctax" in lexicon["council_tax"][1]
    with pytest.raises(ValueError, match="no ':'"):
        parse("text_message sms, text")


# -- index semantics ----------------------------------------------------------------------------


def small_index() -> tuple[SimilarityIndex, dict[str, uuid.UUID]]:
    ideas = {
        "sms": "SMS reminders before council tax instalments",
        "bins": "Crews photograph bins that were not put out",
        "potholes": "Detect potholes from bin lorry cameras",
        "password": "Self-service password reset for staff",
    }
    index = SimilarityIndex()
    ids = {}
    for key, title in ideas.items():
        ids[key] = uuid.uuid4()
        index.upsert(ids[key], idea_text(title))
    return index, ids


def test_scores_are_best_first_within_zero_and_one_and_above_the_floor():
    index, ids = small_index()

    results = index.search(idea_text("SMS reminders before council tax instalments"))

    assert results[0] == (ids["sms"], 1.0)
    scores = [s for _, s in results]
    assert scores == sorted(scores, reverse=True)
    assert all(SCORE_FLOOR <= s <= 1.0 for s in scores)
    assert all(isinstance(s, float) for s in scores)


def test_limit_bounds_the_results():
    index, _ = small_index()
    text = "bins council tax potholes password reminders cameras"

    assert len(index.search(text, limit=1)) == 1
    assert index.search(text, limit=0) == []


def test_upsert_replaces_an_ideas_text():
    index, ids = small_index()

    index.upsert(ids["sms"], idea_text("Email reminders for garden waste renewals"))

    assert len(index) == 4
    assert ids["sms"] not in [i for i, _ in index.search("SMS reminders before council tax instalments")]
    assert index.search("garden waste renewal email")[0][0] == ids["sms"]


def test_remove_forgets_an_idea_and_ignores_unknown_ids():
    index, ids = small_index()

    index.remove(ids["bins"])
    index.remove(ids["bins"])
    index.remove(uuid.uuid4())

    assert len(index) == 3 and ids["bins"] not in index
    assert ids["bins"] not in [i for i, _ in index.search("photograph bins not put out")]
    index.upsert(ids["bins"], idea_text("Crews photograph bins that were not put out"))
    assert index.search("photograph bins not put out")[0][0] == ids["bins"]


def test_exclude_leaves_out_the_idea_being_edited():
    index, ids = small_index()

    text = "SMS reminders and photographs of bins and potholes"
    everything = index.search(text)
    results = index.search(text, exclude={ids["sms"], uuid.uuid4()})

    assert ids["sms"] in [i for i, _ in everything]
    assert results == [(i, s) for i, s in everything if i != ids["sms"]]


def test_explain_adds_up_to_the_score(labelled_index):
    draft = "text residents before their council tax is due"
    (best, best_score), *_ = labelled_index.search(draft)

    shares = labelled_index.explain(draft, best)

    assert sum(share for _, share in shares) == pytest.approx(best_score, abs=1e-3)
    assert {"c:text_message", "c:council_tax"} <= {name for name, _ in shares}


def test_an_index_after_many_edits_scores_like_a_fresh_one():
    """Removed and replaced ideas leave postings behind; they must never show or skew scores."""
    churned, fresh = SimilarityIndex(), SimilarityIndex()
    ids = [idea_id(idea["key"]) for idea in LABELLED["ideas"]]
    for _ in range(3):  # enough churn to make every posting list sweep its dead entries
        for idea in LABELLED["ideas"]:
            churned.upsert(idea_id(idea["key"]), "placeholder text about " + idea["title"])
        for idea in LABELLED["ideas"]:
            churned.upsert(idea_id(idea["key"]), text_of(idea))
    for idea in LABELLED["ideas"][:10]:
        churned.remove(idea_id(idea["key"]))
    fill(fresh, {"ideas": LABELLED["ideas"][10:]})

    assert len(churned) == len(fresh) == len(ids) - 10
    for query in LABELLED["queries"][:20]:
        assert churned.search(text_of(query)) == fresh.search(text_of(query))


def test_equal_scores_list_the_older_idea_first():
    index = SimilarityIndex()
    first, second = uuid.uuid4(), uuid.uuid4()
    index.upsert(first, "Garden waste subscription renewal")
    index.upsert(second, "Garden waste subscription renewal")

    assert [i for i, _ in index.search("garden waste subscription renewal")] == [first, second]


# -- the two-stage search against an exhaustive one ----------------------------------------------


def crowded_index(count: int = 1_000) -> SimilarityIndex:
    """The labelled ideas plus `count` ideas stitched from their sentences: many near-duplicates
    and ties, as a busy platform has."""
    rng = random.Random(3)
    ideas = LABELLED["ideas"]
    index = SimilarityIndex(floor=0.0)
    fill(index, LABELLED)
    for _ in range(count):
        a, b, c = rng.choice(ideas), rng.choice(ideas), rng.choice(ideas)
        index.upsert(uuid.uuid4(), idea_text(a["title"], b["problem"], c["proposal"]))
    return index


def exhaustive(index: SimilarityIndex, text: str, limit: int) -> list[uuid.UUID]:
    """The best ideas by exact score over every idea (what stage 1 exists to avoid)."""
    everyone = SimilarityIndex.__new__(SimilarityIndex)
    everyone.__dict__.update(index.__dict__)
    live = np.flatnonzero(index._live[: len(index._ids)] > 0)
    everyone._stage_one = lambda *args: live  # every live idea goes to exact scoring
    return [i for i, _ in everyone.search(text, limit=limit)]


@pytest.fixture(scope="module")
def crowded() -> SimilarityIndex:
    return crowded_index()


@pytest.mark.parametrize("budget", [index_module.POSTINGS_BUDGET, 1_000])
def test_two_stage_search_finds_what_exhaustive_scoring_finds(crowded, monkeypatch, budget):
    """With the real budget and with one small enough that stage 1 must skip common features."""
    monkeypatch.setattr(index_module, "POSTINGS_BUDGET", budget)
    index = crowded
    agree = total = 0
    for query in LABELLED["queries"]:
        text = text_of(query)
        fast = [i for i, _ in index.search(text, limit=3)]
        best = exhaustive(index, text, limit=3)
        total += len(best)
        agree += len(set(fast) & set(best))
        assert fast[:1] == best[:1], query["key"]
    assert agree / total >= 0.95


def test_changes_and_searches_are_cheap_in_cpu():
    """CPU time, not wall clock, so a busy machine does not make this flaky."""
    index = crowded_index(1_000)
    texts = [text_of(query) for query in LABELLED["queries"]]

    upserts = []
    for text in texts:
        started = time.thread_time()
        index.upsert(uuid.uuid4(), text)
        upserts.append(time.thread_time() - started)
    searches = []
    for text in texts:
        started = time.thread_time()
        index.search(text)
        searches.append(time.thread_time() - started)

    assert sorted(upserts)[int(0.95 * len(upserts))] < 0.005
    assert sorted(searches)[int(0.95 * len(searches))] < 0.020


# -- awkward input ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t", "the and of to", "!!! ??? ...", "🙂🙂🙂"])
def test_empty_or_meaningless_drafts_find_nothing(labelled_index, text):
    assert labelled_index.search(text) == []


def test_an_empty_index_finds_nothing_and_empty_ideas_are_harmless():
    index = SimilarityIndex()
    assert index.search("council tax") == []

    index.upsert(uuid.uuid4(), "")
    index.upsert(uuid.uuid4(), idea_text("", "", ""))

    assert len(index) == 2
    assert index.search("council tax") == []


def test_huge_input_is_bounded_and_fast(labelled_index):
    huge = "council tax reminders by text message " * 50_000  # about 2 MB
    index = SimilarityIndex()
    fill(index, LABELLED)

    started = time.perf_counter()
    index.upsert(uuid.uuid4(), huge)
    results = labelled_index.search(huge)
    elapsed = time.perf_counter() - started

    assert len(huge) > 50 * MAX_TEXT_CHARS
    assert elapsed < 2.0
    assert results and results[0][0] == CTAX_SMS


def test_accents_case_and_punctuation_do_not_matter(labelled_index):
    plain = labelled_index.search("cafe food hygiene inspections by video")
    decorated = labelled_index.search("CAFÉ food-hygiene INSPECTIONS, by video!!")

    assert plain and plain == decorated


def test_curly_apostrophes_from_phones_are_read_like_straight_ones():
    assert (
        words("Bins that weren\u2019t put out; the tenant\u2019s boiler")
        == words("Bins that weren't put out; the tenant's boiler")
        == ["bins", "that", "were", "not", "put", "out", "the", "tenant", "boiler"]
    )


def test_it_in_capitals_is_information_technology_not_the_pronoun(labelled_index):
    results = labelled_index.search("IT helpdesk password resets")

    assert results and results[0][0] == idea_id("self-service-password")

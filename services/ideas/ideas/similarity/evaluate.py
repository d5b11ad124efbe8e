"""Measures similar-idea search on the labelled set: `.venv/bin/python -m ideas.similarity.evaluate`.

The labelled set (services/ideas/data/similar_ideas_labelled.json) holds earlier ideas and new
drafts, each draft with the earlier ideas a person would want shown (possibly none). Every draft is
searched against an index of all the earlier ideas, as a person typing it would see it.

Figures, per split ("tune" was used to build the lexicon and choose the weights; "holdout" was
scored only afterwards, so a gap between the two shows overfitting):
- recall@3: of drafts that have a match, the share with a match among the first 3 results shown;
- precision@1: of drafts that were shown anything, the share whose first result is a match
  (a draft with no match that is shown something counts as a miss);
- precision@3: of all results shown in the first 3 places, the share that are matches;
- quiet: of drafts with no match, the share shown nothing at all.
"Title only" repeats the search with each draft's title alone, as while a person is still typing.
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ideas.similarity import SimilarityIndex, idea_text
from ideas.similarity.index import FEATURE_WEIGHTS, SCORE_FLOOR

LABELLED_SET = Path(__file__).resolve().parents[2] / "data" / "similar_ideas_labelled.json"
# Written after the engine was tuned, and never used to tune it (docs/similar-ideas.md, "At scale").
HELDOUT_2 = LABELLED_SET.with_name("similar_ideas_heldout_2.json")
_NAMESPACE = uuid.UUID("6f1d3c1e-5d0e-4b59-9a8e-3c0b8d6f2a10")


def load(path: Path = LABELLED_SET) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def idea_id(key: str) -> uuid.UUID:
    """A stable id for a labelled idea, so runs and the benchmark agree."""
    return uuid.uuid5(_NAMESPACE, key)


def text_of(entry: dict) -> str:
    return idea_text(entry["title"], entry.get("problem", ""), entry.get("proposal", ""))


def fill(index: SimilarityIndex, labelled: dict) -> None:
    """Put every earlier idea of the labelled set into `index`."""
    for idea in labelled["ideas"]:
        index.upsert(idea_id(idea["key"]), text_of(idea))


@dataclass
class Result:
    """Quality figures over one set of drafts."""

    drafts: int = 0
    with_match: int = 0
    found_in_3: int = 0
    shown_any: int = 0
    first_right: int = 0
    shown_in_3: int = 0
    right_in_3: int = 0
    without_match: int = 0
    quiet: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall_at_3(self) -> float:
        return self.found_in_3 / self.with_match if self.with_match else 1.0

    @property
    def precision_at_1(self) -> float:
        return self.first_right / self.shown_any if self.shown_any else 1.0

    @property
    def precision_at_3(self) -> float:
        return self.right_in_3 / self.shown_in_3 if self.shown_in_3 else 1.0

    @property
    def quiet_rate(self) -> float:
        return self.quiet / self.without_match if self.without_match else 1.0

    def line(self) -> str:
        return (
            f"recall@3 {self.recall_at_3:.3f} ({self.found_in_3}/{self.with_match})  "
            f"precision@1 {self.precision_at_1:.3f} ({self.first_right}/{self.shown_any})  "
            f"precision@3 {self.precision_at_3:.3f} ({self.right_in_3}/{self.shown_in_3})  "
            f"quiet {self.quiet_rate:.2f} ({self.quiet}/{self.without_match})"
        )


def score(
    index: SimilarityIndex,
    queries: Iterable[dict],
    *,
    names: dict[uuid.UUID, str] | None = None,
    title_only: bool = False,
) -> Result:
    """Search every draft in `queries` and count what a person would have seen in the top 3.

    `title_only`: search with the draft's title alone, as while the person is still typing it.
    """
    result = Result()
    names = names or {}
    for query in queries:
        expected = {idea_id(key) for key in query["matches"]}
        draft = idea_text(query["title"]) if title_only else text_of(query)
        shown = [found for found, _ in index.search(draft, limit=3)]
        result.drafts += 1
        if shown:
            result.shown_any += 1
            result.first_right += shown[0] in expected
        result.shown_in_3 += len(shown)
        result.right_in_3 += sum(found in expected for found in shown)
        if expected:
            result.with_match += 1
            hit = bool(expected & set(shown))
            result.found_in_3 += hit
            if not hit:
                result.misses.append(f"{query['key']}: shown {[names.get(f, str(f)) for f in shown]}")
        else:
            result.without_match += 1
            result.quiet += not shown
            if shown:
                result.misses.append(f"{query['key']}: nothing expected, shown {[names.get(f, str(f)) for f in shown]}")
    return result


# Alternatives measured against the chosen configuration (docs/similar-ideas.md discusses them).
VARIANTS: dict[str, Callable[[], SimilarityIndex]] = {
    "words only (plain TF-IDF cosine)": lambda: SimilarityIndex(weights={"w": 1.0}, correct_typos=False),
    "words + word pairs": lambda: SimilarityIndex(weights={"w": 1.0, "b": 0.5}, correct_typos=False),
    "concepts only": lambda: SimilarityIndex(weights={"c": 1.0}),
    "mean of separate word/pair/concept cosines": lambda: SimilarityIndex(
        weights={"w": 0.4, "b": 0.1, "c": 0.5}, separate_blocks=True
    ),
    "chosen, without typo mending": lambda: SimilarityIndex(correct_typos=False),
    "chosen": SimilarityIndex,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--misses",
        choices=["tune", "holdout", "all"],
        help="list the drafts whose match was not shown (tune while tuning, please)",
    )
    parser.add_argument("--variants", action="store_true", help="also measure the alternatives")
    args = parser.parse_args(argv)

    labelled = load()
    names = {idea_id(idea["key"]): idea["key"] for idea in labelled["ideas"]}
    variants = VARIANTS if args.variants else {"chosen": SimilarityIndex}
    print(
        f"labelled set: {len(labelled['ideas'])} earlier ideas, {len(labelled['queries'])} drafts; "
        f"score floor {SCORE_FLOOR}, feature weights {FEATURE_WEIGHTS}"
    )
    chosen: dict[str, Result] = {}
    for name, make in variants.items():
        index = make()
        fill(index, labelled)
        print(f"\n{name}")
        for split in ("tune", "holdout"):
            result = score(index, [q for q in labelled["queries"] if q["split"] == split], names=names)
            print(f"  {split:8} {result.line()}")
            if name == "chosen":
                chosen[split] = result
        if name == "chosen":
            for split in ("tune", "holdout"):
                result = score(index, [q for q in labelled["queries"] if q["split"] == split], title_only=True)
                print(f"  {split:8} title only: {result.line()}")
    if args.misses:
        for split, result in chosen.items():
            if args.misses in (split, "all"):
                print(f"\nmisses ({split}):")
                for miss in result.misses:
                    print("  " + miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

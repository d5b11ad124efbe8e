"""What an idea's text is made of, for comparison: its word stems, word pairs and concepts.

A text becomes a sparse bag of weighted features of three kinds (index.py weighs each kind and
compares texts by one cosine over all of them):
- `w:` word stems ("remind", "council", "tax"): what was literally written;
- `b:` adjacent pairs of content stems ("council_tax", "wheeli_bin"): phrases, word order;
- `c:` concepts from the lexicon ("c:text_message", "c:council_tax"): what was meant, so that
  different words for the same thing meet. Broader concepts are added at half weight.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from ideas.similarity.lexicon import parse
from ideas.similarity.text import is_content, stem, words

WORD, PAIR, CONCEPT = "w", "b", "c"
BLOCKS = (WORD, PAIR, CONCEPT)
BROADER_WEIGHT = 0.5
_SWALLOW = "_"

Features = dict[str, float]


class ConceptMatcher:
    """Finds lexicon phrases in a sequence of stems, longest match first, left to right."""

    def __init__(self, lexicon: dict[str, tuple[str | None, tuple[str, ...]]] | None = None) -> None:
        lexicon = parse() if lexicon is None else lexicon
        # phrase stems -> {concept: weight}
        phrases: dict[tuple[str, ...], dict[str, float]] = {}
        for concept, (broader, terms) in lexicon.items():
            for term in terms:
                key = tuple(stem(word) for word in words(term))
                if not key:
                    continue
                found = phrases.setdefault(key, {})
                if concept == _SWALLOW:
                    continue
                found[concept] = 1.0
                if broader:
                    found[broader] = max(found.get(broader, 0.0), BROADER_WEIGHT)
        # first stem -> [(phrase length, {phrase stems: concepts})], longest first
        by_first: dict[str, dict[int, dict[tuple[str, ...], dict[str, float]]]] = {}
        for key, concepts in phrases.items():
            by_first.setdefault(key[0], {}).setdefault(len(key), {})[key] = concepts
        self._by_first = {first: sorted(by_length.items(), reverse=True) for first, by_length in by_first.items()}
        self.surface_words = frozenset(
            word for concept in lexicon.values() for term in concept[1] for word in words(term)
        )

    def concepts(self, stems: list[str]) -> Counter[str]:
        """Concept weights found in `stems` (a phrase's words are used by at most one match)."""
        found: Counter[str] = Counter()
        by_first = self._by_first
        i, n = 0, len(stems)
        while i < n:
            step = 1
            lengths = by_first.get(stems[i])
            if lengths is not None:
                for length, table in lengths:
                    concepts = table.get(tuple(stems[i : i + length])) if i + length <= n else None
                    if concepts is not None:
                        for concept, weight in concepts.items():
                            found[concept] += weight  # type: ignore[assignment]  # float weights: typeshed's Counter counts ints
                        step = length
                        break
            i += step
        return found


class Analyser:
    """Turns a text into weighted features; one instance is shared by an index and its queries."""

    # words remembered with their stem; cleared when full so memory stays bounded
    _CACHE_LIMIT = 300_000

    def __init__(self, matcher: ConceptMatcher | None = None) -> None:
        self.matcher = matcher or ConceptMatcher()
        self._word_cache: dict[str, tuple[str, str | None]] = {}

    def features(self, text: str, correct: Callable[[str], str | None] | None = None) -> Features:
        """Features of `text`. `correct` may replace a misspelt word with a known one (drafts)."""
        tokens = words(text)
        if correct is not None:
            tokens = [correct(token) or token for token in tokens]
        return self.features_of_words(tokens)

    def features_of_words(self, tokens: list[str]) -> Features:
        """Features of a text already split into folded words (see text.words)."""
        cache = self._word_cache
        stems: list[str] = []
        content: list[str] = []  # word features of content words, in order
        for token in tokens:
            known = cache.get(token)
            if known is None:
                if len(cache) >= self._CACHE_LIMIT:
                    cache.clear()
                s = stem(token)
                known = cache[token] = (s, f"{WORD}:{s}" if is_content(token) else None)
            stems.append(known[0])
            if known[1] is not None:
                content.append(known[1])
        counts = Counter(content)
        pairs = zip(content, content[1:], strict=False)
        counts.update(f"{PAIR}:{left[2:]}_{right[2:]}" for left, right in pairs if left != right)
        features = {feature: 1.0 + math.log(n) if n > 1 else 1.0 for feature, n in counts.items()}
        for concept, weight in self.matcher.concepts(stems).items():
            # sub-linear like the words, so a concept named five times does not drown the rest
            features[f"{CONCEPT}:{concept}"] = 1.0 + math.log(weight) if weight >= 1 else weight
        return features

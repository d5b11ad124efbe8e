"""Mends the odd typo in a draft ("recyling", "councl") by the nearest word the index knows."""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable

from ideas.similarity.text import STOP_WORDS

_LETTERS = string.ascii_lowercase
# A word counts as known, and so as a correction, once this many ideas use it (lexicon words
# are known from the start). One-off words are too often someone else's typo.
MIN_COUNT = 2
MIN_LENGTH = 5  # shorter words have too many real neighbours ("bins", "bind", "bine")
MIN_LENGTH_FOR_SUBSTITUTION = 7  # "cafes" -> "cares" is a different word, not a typo


class Speller:
    """A vocabulary of words seen in ideas, with how many ideas used each."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._counts: Counter[str] = Counter({word: MIN_COUNT for word in known})

    def learn(self, words: Iterable[str]) -> None:
        """Count the distinct words of one idea. Never forgotten: a removed idea's words stay known."""
        self._counts.update(set(words))

    def correct(self, word: str) -> str | None:
        """The known word one edit away from an unknown `word`, most used first; None to keep it."""
        if len(word) < MIN_LENGTH or not word.isalpha() or word in STOP_WORDS or self._counts.get(word, 0) > 0:
            return None
        best, best_count = None, MIN_COUNT - 1
        for candidate in _edits(word):
            count = self._counts.get(candidate, 0)
            if count > best_count or (count == best_count and best is not None and candidate < best):
                best, best_count = candidate, count
        return best


def _edits(word: str) -> set[str]:
    """Every string one deletion, transposition, insertion or (long words) substitution away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {left + right[1:] for left, right in splits if right}
    edits |= {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    edits |= {left + letter + right for left, right in splits for letter in _LETTERS}
    if len(word) >= MIN_LENGTH_FOR_SUBSTITUTION:
        edits |= {left + letter + right[1:] for left, right in splits if right for letter in _LETTERS}
    edits.discard(word)
    return edits

"""Turns free text into the word stems that similar-idea search compares.

Staff type on phones in a hurry, in British English, with abbreviations and the odd American
spelling; everything here exists so that two ways of writing the same word end up as one stem.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# A draft longer than this adds nothing to "what is it about" and would only make search slow:
# the ideas API rejects far shorter fields anyway, this guards the index on its own.
MAX_TEXT_CHARS = 20_000

# Upper-case acronyms that collide with everyday words once lower-cased ("IT service desk" is not
# the pronoun, "SEND pupils" is not the verb). Checked before lower-casing.
_CASE_SENSITIVE_ACRONYMS = {
    "IT": "ict",
    "SEND": "sen",
    "SEN": "sen",
    "POs": "po",
}
_ACRONYM_RE = re.compile(r"\b(" + "|".join(sorted(_CASE_SENSITIVE_ACRONYMS, key=len, reverse=True)) + r")\b")

_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`´]")
_NOT_CONTRACTION = re.compile(r"n't\b")
_POSSESSIVE = re.compile(r"'s\b|'\B")
_TOKEN = re.compile(r"[a-z0-9]+")
_LOWER = re.compile(r"[a-z]")

# Words that say nothing about what an idea is. Kept short on purpose: domain words such as
# "council", "residents" or "staff" stay and are simply down-weighted by their frequency.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each etc every few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just let me more most my myself no nor not of off on once only or other our ours ourselves
    out over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours yourself yourselves s t d ll m re ve e g eg ie per via
    get gets got make makes made use used using want wants need needs needed like many much lot lots
    one two three new instead rather still even yet already always often etc within without way ways
    us them thing things stuff able just really quite day days week weeks
    """.split()
)

# American spellings and variants that the stemmer does not fold together.
_WORD_VARIANTS = {
    "color": "colour",
    "center": "centre",
    "centers": "centres",
    "program": "programme",
    "programs": "programmes",
    "license": "licence",
    "licenses": "licences",
    "mold": "mould",
    "moldy": "mouldy",
    "curb": "kerb",
    "curbs": "kerbs",
    "tire": "tyre",
    "tires": "tyres",
    "installment": "instalment",
    "installments": "instalments",
    "enrollment": "enrolment",
    "enroll": "enrol",
    "fulfill": "fulfil",
    "catalog": "catalogue",
    "dialog": "dialogue",
    "favor": "favour",
    "behavior": "behaviour",
    "neighbor": "neighbour",
    "neighbors": "neighbours",
    "labor": "labour",
    "canceled": "cancelled",
    "traveled": "travelled",
    "traveling": "travelling",
    "modeling": "modelling",
    "gray": "grey",
    "aluminum": "aluminium",
}
# -ize/-ise and -yze/-yse: fold to the British -ise except in words where -ize is not a suffix.
_IZE = re.compile(r"(i|y)z(e|es|ed|ing|ation|ations|er|ers)$")
_IZE_EXCEPTIONS = frozenset(
    {
        "size",
        "sizes",
        "sized",
        "sizing",
        "prize",
        "prizes",
        "seize",
        "seized",
        "seizes",
        "seizing",
        "maize",
        "capsize",
        "downsize",
        "downsized",
        "downsizing",
        "resize",
        "resized",
        "resizing",
        "oversize",
        "oversized",
    }
)

_STEMMER = snowballstemmer.stemmer("english")
# Words whose stem would collide with an unrelated word's ("instalments" and "install" both stem
# to "instal"), kept whole instead.
_KEEP_WHOLE = {"instalment": "instalment", "instalments": "instalment"}


def fold(text: str) -> str:
    """Lower-case ASCII text with accents, apostrophes and case-sensitive acronyms resolved."""
    text = text[:MAX_TEXT_CHARS]
    if _LOWER.search(text):  # in a shouted, all-capitals text "SEND" is just the verb
        text = _ACRONYM_RE.sub(lambda m: " " + _CASE_SENSITIVE_ACRONYMS[m.group(1)] + " ", text)
    text = _APOSTROPHES.sub("'", text)  # before the ASCII fold, which would drop a curly one
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = _NOT_CONTRACTION.sub(" not", text)
    text = _POSSESSIVE.sub("", text)
    return text.replace("&", " and ")


def words(text: str) -> list[str]:
    """The words of `text`, folded: letters and digits only, in order."""
    return _TOKEN.findall(fold(text))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """One comparable form of a word: British spelling, then the Snowball (Porter 2) stem."""
    word = _WORD_VARIANTS.get(word, word)
    if word in _KEEP_WHOLE:
        return _KEEP_WHOLE[word]
    if word not in _IZE_EXCEPTIONS and len(word) > 5:
        word = _IZE.sub(r"\1s\2", word)
    return _STEMMER.stemWord(word)


def is_content(word: str) -> bool:
    """Whether a word can say what an idea is about (not a stop word, not a bare number)."""
    return word not in STOP_WORDS and not word.isdigit() and len(word) > 1

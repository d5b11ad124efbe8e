"""Similar-idea search: finds earlier ideas that say the same thing in other words.

Pure and in-process: the ideas service builds one `SimilarityIndex` at start-up from every idea
(`upsert(idea.id, idea_text(idea.title, idea.problem, idea.proposal))`), keeps it current on
create/edit/withdraw, and calls `search(draft_text)` while a person types. How it works, the
lexicon and measured quality and speed: docs/similar-ideas.md.
"""

from ideas.similarity.index import SCORE_FLOOR, SimilarityIndex

__all__ = ["SCORE_FLOOR", "SimilarityIndex", "idea_text"]


def idea_text(title: str, problem: str = "", proposal: str = "") -> str:
    """The text an idea is compared by: its title, the problem today and the proposed change.

    The title is given twice: it is what the author chose to say the idea is about, so its words
    count for more than a passing word in a long description.
    """
    parts = [title, title, problem, proposal]
    return "\n".join(part.strip() for part in parts if part and part.strip())

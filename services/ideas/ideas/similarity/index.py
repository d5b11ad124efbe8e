"""The in-memory similar-idea index: add, replace and remove ideas, and find the closest to a draft.

Score. An idea and a draft are each a TF-IDF vector over their features (word stems, word pairs,
concepts; see features.py), with each kind of feature scaled by its weight in `FEATURE_WEIGHTS`;
the score is the cosine of the two vectors: in [0, 1], 1 for the same text. Concepts are extra
dimensions, so two texts that mean the same in different words still share most of their weight,
while a concept that nearly every idea has (say "residents") carries little, as a common word does.

Speed. A search runs in two stages so that it stays in milliseconds at 100,000 ideas:
1. an inverted index (one posting list per feature, read with numpy) gives every idea an
   approximate score in one pass, using its length normalisation from when it was added;
2. the best few dozen are scored exactly with today's document frequencies.
An upsert appends to posting lists (microseconds); a removed or replaced idea's postings are
skipped through a live mask and swept out of a list once they are a fifth of it.

Not thread-safe: call it from one thread (the service's event loop); a search holds the loop for a
few milliseconds only.
"""

from __future__ import annotations

import math
import uuid
from array import array
from collections.abc import Collection

import numpy as np

from ideas.similarity.features import BLOCKS, Analyser
from ideas.similarity.speller import Speller
from ideas.similarity.text import words

# Results below this score are not shown. On the labelled set, a draft's true match scored above
# it and unrelated ideas below it; docs/similar-ideas.md shows the trade-off behind the choice.
SCORE_FLOOR = 0.4
# How much each kind of feature counts: concepts (what was meant) over words (what was written);
# word pairs add phrase and word-order evidence.
FEATURE_WEIGHTS = {"w": 1.0, "b": 0.5, "c": 2.0}
# Stage 2 scores this many of the best stage-1 candidates exactly (more if more are asked for).
RESCORE_AT_LEAST = 50
# Stage 1 reads at most about this many postings per search (see _stage_one).
POSTINGS_BUDGET = 60_000
_SWEEP_FRACTION = 0.2
# A feature's IDF stops growing once fewer than one idea in this many has it (see `idf`).
IDF_REFERENCE: int | None = 1_000


def idf(df: float, n_ideas: int, reference: int | None = IDF_REFERENCE) -> float:
    """log((N + 1) / (df + 1)) + 1, with the ratio capped at `reference` (None: uncapped).

    Uncapped, the weight of a rare word grows with the size of the index (log N), while a common
    one's stays put, so the words a draft and its match do not share (rare ones, mostly) outweigh
    the concepts they do share more and more as ideas are added: scores sink with size. Capped, a
    word rarer than one idea in `reference` counts the same whatever the size of the index.
    """
    ratio = (n_ideas + 1) / (df + 1)
    return math.log(min(ratio, reference) if reference else ratio) + 1.0


class SimilarityIndex:
    """Ideas by id, searchable by how similar their text is to a draft."""

    def __init__(
        self,
        *,
        floor: float = SCORE_FLOOR,
        weights: dict[str, float] | None = None,
        separate_blocks: bool = False,
        correct_typos: bool = True,
        analyser: Analyser | None = None,
        idf_reference: int | None = IDF_REFERENCE,
    ) -> None:
        """The defaults are the measured choice; the options exist to measure alternatives.

        `separate_blocks` scores the weighted mean of one cosine per kind of feature instead of
        one cosine over all; `correct_typos` mends unknown words of a draft (speller.py).
        """
        self.floor = floor
        self._idf_reference = idf_reference
        self._analyser = analyser or Analyser()
        weights = FEATURE_WEIGHTS if weights is None else weights
        if separate_blocks:
            self._group = list(range(len(BLOCKS)))
            self._block_multiplier = [1.0 if weights.get(block, 0.0) > 0 else 0.0 for block in BLOCKS]
            self._group_weight = np.array([weights.get(block, 0.0) for block in BLOCKS], dtype=np.float64)
        else:
            self._group = [0] * len(BLOCKS)
            self._block_multiplier = [weights.get(block, 0.0) for block in BLOCKS]
            self._group_weight = np.array([1.0] + [0.0] * (len(BLOCKS) - 1))
        self._speller = Speller(self._analyser.matcher.surface_words) if correct_typos else None
        # features: name -> id; by feature id: group, document frequency, posting lists
        self._feature_id: dict[str, int] = {}
        self._feature_group = array("b")
        self._multiplier = array("f")  # the weight of the feature's kind
        self._df = array("i")
        self._post_slots: list[array] = []  # slots of the ideas that have the feature
        self._post_weights: list[array] = []  # the feature's weight / idea's norm when added
        self._post_dead = array("i")  # postings of removed ideas still in the lists
        # ideas: id -> slot; by slot: id and features (None once removed), live flag (1/0)
        self._slot: dict[uuid.UUID, int] = {}
        self._ids: list[uuid.UUID | None] = []
        self._doc_features: list[tuple[np.ndarray, np.ndarray] | None] = []
        self._live = np.zeros(1024, dtype=np.float32)
        self._group_of = np.zeros(1024, dtype=np.int32)  # by slot: the group given at upsert

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, idea_id: object) -> bool:
        return idea_id in self._slot

    # -- changes ------------------------------------------------------------------------------

    def upsert(self, idea_id: uuid.UUID, text: str, *, group: int = 0) -> None:
        """Add an idea, or replace its text if it is already indexed.

        `group`: a number the caller chooses (say, who may read the idea), for `search(skip_groups=)`.
        """
        idea_group = group
        if idea_id in self._slot:
            self.remove(idea_id)
        tokens = words(text)
        if self._speller is not None:
            self._speller.learn(tokens)
        features = self._analyser.features_of_words(tokens)
        slot = len(self._ids)
        n_ideas = len(self._slot) + 1
        feature_id, df, group_of, multiplier = self._feature_id, self._df, self._feature_group, self._multiplier
        fids, tfs, groups = [], [], []
        norm2 = [0.0] * len(BLOCKS)
        for name, tf in features.items():
            fid = feature_id.get(name)
            if fid is None:
                fid = self._new_feature(name)
            group = group_of[fid]
            tf *= multiplier[fid]
            if tf <= 0:
                continue
            df[fid] += 1
            # length normalisation with today's IDF; stage 2 recomputes it exactly when searching
            norm2[group] += (tf * idf(df[fid], n_ideas, self._idf_reference)) ** 2
            fids.append(fid)
            tfs.append(tf)
            groups.append(group)
        norms = [math.sqrt(n) if n > 0 else 1.0 for n in norm2]
        post_slots, post_weights = self._post_slots, self._post_weights
        for fid, tf, group in zip(fids, tfs, groups, strict=True):
            try:
                post_slots[fid].append(slot)
                post_weights[fid].append(tf / norms[group])
            except BufferError:  # a numpy view kept alive by an interrupted search
                self._unpin(fid)
                del post_slots[fid][len(post_weights[fid]) :]
                post_slots[fid].append(slot)
                post_weights[fid].append(tf / norms[group])
        self._slot[idea_id] = slot
        self._ids.append(idea_id)
        self._doc_features.append((np.array(fids, dtype=np.int32), np.array(tfs, dtype=np.float64)))
        if slot >= len(self._live):
            self._live = np.concatenate([self._live, np.zeros(len(self._live), dtype=np.float32)])
            self._group_of = np.concatenate([self._group_of, np.zeros(len(self._group_of), dtype=np.int32)])
        self._live[slot] = 1.0
        self._group_of[slot] = idea_group

    def remove(self, idea_id: uuid.UUID) -> None:
        """Forget an idea; an id that is not indexed is ignored."""
        slot = self._slot.pop(idea_id, None)
        if slot is None:
            return
        features = self._doc_features[slot]
        assert features is not None  # a slot in _slot holds a live idea
        fids, _ = features
        for fid in fids.tolist():
            self._df[fid] -= 1
            self._post_dead[fid] += 1
        self._doc_features[slot] = None
        self._ids[slot] = None
        self._live[slot] = 0.0

    # -- search -------------------------------------------------------------------------------

    def search(
        self,
        text: str,
        limit: int = 10,
        *,
        exclude: Collection[uuid.UUID] = (),
        skip_groups: Collection[int] = (),
    ) -> list[tuple[uuid.UUID, float]]:
        """The ideas most similar to `text`, best first, as (id, score), scores >= the floor.

        `exclude`: ids never to return (say, the idea being edited); `skip_groups`: groups (see
        `upsert`) whose ideas are never returned.
        """
        if limit <= 0 or not self._slot:
            return []
        correct = self._speller.correct if self._speller is not None else None
        features = self._scaled(self._analyser.features(text, correct=correct))
        n_ideas = len(self._slot)
        known = [(self._feature_id[name], weight) for name, weight in features.items() if name in self._feature_id]
        if not known:
            return []
        # The draft's own vector. Features no idea has still count in its length, as they would
        # if the draft were indexed, so a draft mostly about something new does not score high.
        q_norm2 = np.zeros(len(BLOCKS))
        new_idf = idf(0, n_ideas, self._idf_reference)
        for name, weight in features.items():
            if name not in self._feature_id:
                q_norm2[self._group[BLOCKS.index(name[0])]] += (weight * new_idf) ** 2
        q_fids = np.array([fid for fid, _ in known], dtype=np.int32)
        q_groups = np.frombuffer(self._feature_group, dtype=np.int8)[q_fids]
        q_idf = self._idf(q_fids, n_ideas)
        q_weight = np.array([weight for _, weight in known]) * q_idf
        np.add.at(q_norm2, q_groups, q_weight**2)
        q_norm = np.sqrt(q_norm2)
        group_weight = np.where(q_norm > 0, self._group_weight, 0.0)
        if group_weight.sum() <= 0:
            return []
        group_weight /= group_weight.sum()  # kinds of feature the draft lacks are left out
        # each draft feature's share of the score per unit of an idea's normalised weight
        coef = group_weight[q_groups] * q_weight / np.where(q_norm > 0, q_norm, 1.0)[q_groups]

        excluded = [self._slot[idea_id] for idea_id in exclude if idea_id in self._slot]
        candidates = self._stage_one(
            q_fids, coef * q_idf, max(RESCORE_AT_LEAST, 4 * limit), excluded, list(skip_groups)
        )
        if candidates.size == 0:
            return []
        scores = self._exact_scores(candidates, q_fids, coef, n_ideas)
        order = np.lexsort((candidates, -scores))  # best first; equal scores: the older idea first
        return [
            (self._ids[slot], round(min(score, 1.0), 4))
            for slot, score in zip(candidates[order].tolist(), scores[order].tolist(), strict=True)
            if score >= self.floor
        ][:limit]

    def _stage_one(
        self, q_fids: np.ndarray, impact: np.ndarray, keep: int, excluded: list[int], skip_groups: list[int]
    ) -> np.ndarray:
        """Slots of the best approximate matches (live, not excluded, score > 0), `keep` at most.

        Features are read in order of their weight in the score; once the posting lists read
        pass a budget, a feature whose list would overrun it is left to stage 2. Those are the
        features nearly every idea has ("residents", "online"): they hardly change which ideas
        are best, and reading them is most of the cost.
        """
        n_slots = len(self._ids)
        live = self._live[:n_slots]
        slot_parts, score_parts = [], []
        read = 0
        for i in np.argsort(-impact).tolist():
            fid = int(q_fids[i])
            size = len(self._post_slots[fid]) - self._post_dead[fid]
            if read and read + size > POSTINGS_BUDGET:
                continue
            if self._post_dead[fid] > _SWEEP_FRACTION * len(self._post_slots[fid]):
                self._sweep(fid, live)
            if not self._post_slots[fid]:
                continue
            read += size
            slot_parts.append(np.frombuffer(self._post_slots[fid], dtype=np.int32))
            weights = np.frombuffer(self._post_weights[fid], dtype=np.float32)
            score_parts.append(weights * np.float32(impact[i]))
        if not slot_parts:
            return np.empty(0, dtype=np.int64)
        scores = np.bincount(np.concatenate(slot_parts), weights=np.concatenate(score_parts), minlength=n_slots)
        slot_parts.clear()  # release the views on the posting arrays before anyone appends
        del weights
        np.multiply(scores, live, out=scores)
        scores[excluded] = 0.0
        if skip_groups:
            scores[np.isin(self._group_of[:n_slots], skip_groups)] = 0.0
        return _top(scores, keep)

    def _exact_scores(self, slots: np.ndarray, q_fids: np.ndarray, coef: np.ndarray, n_ideas: int) -> np.ndarray:
        """Scores of some ideas against the draft, with today's IDF, in one vectorised pass."""
        docs = [self._doc_features[slot] for slot in slots.tolist()]
        fids = np.concatenate([doc[0] for doc in docs])
        tf = np.concatenate([doc[1] for doc in docs])
        owner = np.repeat(np.arange(len(docs)), [len(doc[0]) for doc in docs])
        groups = np.frombuffer(self._feature_group, dtype=np.int8)[fids].astype(np.int64)
        weight = tf * self._idf(fids, n_ideas)
        cell = owner * len(BLOCKS) + groups  # (idea, group) pairs
        norm = np.sqrt(np.bincount(cell, weights=weight**2, minlength=len(docs) * len(BLOCKS)))
        by_fid = np.argsort(q_fids)
        sorted_fids = q_fids[by_fid]
        at = np.minimum(np.searchsorted(sorted_fids, fids), len(sorted_fids) - 1)
        shared = sorted_fids[at] == fids
        contribution = np.where(shared, coef[by_fid][at] * weight / np.maximum(norm[cell], 1e-12), 0.0)
        return np.bincount(owner, weights=contribution, minlength=len(docs))

    def explain(self, text: str, idea_id: uuid.UUID) -> list[tuple[str, float]]:
        """What an idea's score against `text` is made of: (feature, share of the score), largest
        first. For tuning the lexicon (default scoring, one cosine); not used by search."""
        slot = self._slot.get(idea_id)
        if slot is None:
            return []
        correct = self._speller.correct if self._speller is not None else None
        features = self._scaled(self._analyser.features(text, correct=correct))
        n_ideas = len(self._slot)

        def vector(weights: dict[str, float]) -> dict[str, float]:
            out = {}
            for name, weight in weights.items():
                fid = self._feature_id.get(name)
                df = self._df[fid] if fid is not None else 0
                out[name] = weight * idf(df, n_ideas, self._idf_reference)
            return out

        names = {fid: name for name, fid in self._feature_id.items()}
        stored = self._doc_features[slot]
        assert stored is not None  # a slot in _slot holds a live idea
        fids, tf = stored
        doc = vector({names[fid]: weight for fid, weight in zip(fids.tolist(), tf.tolist(), strict=True)})
        draft = vector(features)
        q_norm = math.sqrt(sum(w * w for w in draft.values()))
        d_norm = math.sqrt(sum(w * w for w in doc.values()))
        shared = [(name, draft[name] * doc[name] / (q_norm * d_norm)) for name in draft if name in doc]
        return sorted(shared, key=lambda item: -item[1])

    # -- bookkeeping --------------------------------------------------------------------------

    def _scaled(self, features: dict[str, float]) -> dict[str, float]:
        """Features multiplied by their kind's weight; kinds weighted 0 are dropped."""
        multiplier = self._block_multiplier
        scaled = {}
        for name, weight in features.items():
            m = multiplier[BLOCKS.index(name[0])]
            if m > 0:
                scaled[name] = weight * m
        return scaled

    def _new_feature(self, name: str) -> int:
        fid = len(self._post_slots)
        self._feature_id[name] = fid
        block = BLOCKS.index(name[0])
        self._feature_group.append(self._group[block])
        self._multiplier.append(self._block_multiplier[block])
        self._df.append(0)
        self._post_slots.append(array("i"))
        self._post_weights.append(array("f"))
        self._post_dead.append(0)
        return fid

    def _idf(self, fids: np.ndarray, n_ideas: int) -> np.ndarray:
        df = np.frombuffer(self._df, dtype=np.int32)[fids]
        ratio = (n_ideas + 1) / (df + 1)
        if self._idf_reference:
            ratio = np.minimum(ratio, self._idf_reference)
        return np.log(ratio) + 1.0

    def _sweep(self, fid: int, live: np.ndarray) -> None:
        """Drop the postings of removed ideas from one feature's lists."""
        slots = np.frombuffer(self._post_slots[fid], dtype=np.int32)
        keep = live[slots] > 0
        kept_slots = slots[keep].tobytes()
        kept_weights = np.frombuffer(self._post_weights[fid], dtype=np.float32)[keep].tobytes()
        del slots, keep
        self._post_slots[fid] = array("i", kept_slots)
        self._post_weights[fid] = array("f", kept_weights)
        self._post_dead[fid] = 0

    def _unpin(self, fid: int) -> None:
        self._post_slots[fid] = array("i", self._post_slots[fid])
        self._post_weights[fid] = array("f", self._post_weights[fid])


def _top(scores: np.ndarray, keep: int) -> np.ndarray:
    """Indexes of the `keep` highest positive scores, in no particular order; ties go to the
    lower index (the older idea).

    A full partition of 100,000 scores costs more than the rest of a search, so a threshold is
    first estimated from every 16th score and only the scores above it are partitioned. Ideas
    written from one template tie by the thousand, and numpy's partition slows down badly on
    ties, so each score is first lowered by a trillionth per index: invisible at the four
    decimals shown, and it makes the older idea win a tie.
    """
    n = len(scores)
    if n > 32 * keep:
        sample_at = np.arange(0, n, 16)
        sample = scores[sample_at] - sample_at * 1e-12
        rank = min(len(sample), max(1, keep // 8))
        threshold = np.partition(sample, len(sample) - rank)[len(sample) - rank]
        candidates = np.flatnonzero(scores >= threshold) if threshold > 0 else np.flatnonzero(scores > 0)
        if len(candidates) >= keep or threshold <= 0:
            return _best_of(scores, candidates, keep)
    return _best_of(scores, np.flatnonzero(scores > 0), keep)


def _best_of(scores: np.ndarray, candidates: np.ndarray, keep: int) -> np.ndarray:
    if len(candidates) <= keep:
        return candidates
    untied = scores[candidates] - candidates * 1e-12
    return candidates[np.argpartition(untied, len(candidates) - keep)[len(candidates) - keep :]]

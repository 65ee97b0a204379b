""""Did you mean": the whole query as the corpus writes it.

Diacritics are restored for all the words together, by a bigram model of the
corpus's own spellings: each word may be any spelling the corpus has of its folded
form (``thanh`` → thanh, thành, thạnh, …), and the chosen sequence is the likeliest
one (Viterbi), with pair counts read from the positions of the spellings in a sample
of the articles that hold each folded word and word pair. ``ha noi thanh nien dot tu``
becomes ``Hà Nội thanh niên đột tử`` because "đột tử" stands together in the corpus
and "đợt tử" does not. What the person typed with diacritics stays as typed. Letter
case comes from how the articles found write the chosen words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from search.spelling import Vocabulary
from search.vectorized import IndexArrays, position_keys
from vietnamese.analysis import QueryWord, compound
from vietnamese.lexicon import is_syllable
from vietnamese.text import fold_word, normalize, normalize_word

TEXT_FIELDS = ("title", "body")
PAIR_FIELDS = ("title_pairs", "body_pairs")
SAMPLE = 200  # articles read per word and per word pair: enough to know how the corpus spells them
SPELLINGS = 5  # accented spellings per word, most frequent first
SMOOTHING = 0.1  # added to each spelling's count
BACKOFF = 1.0  # weight of the spelling's own frequency against what follows the word before it
FRAGMENT = 2  # a last word this short, still being typed, is not a word yet
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n]\s*)$")
_WORD = re.compile(r"[^\W_]+")


class _Counts:
    """How often each spelling stands in a sample of the articles, and each pair of spellings one after the other."""

    def __init__(self, searcher: Searcher, arrays: IndexArrays, candidates: list[list[str]]):
        self.searcher = searcher
        primary = [fold_word(c[0]) for c in candidates]
        docs = [self._sample(arrays, f, TEXT_FIELDS) for c in candidates for f in {fold_word(e) for e in c}]
        docs += [self._sample(arrays, compound([a, b]), PAIR_FIELDS) for a, b in zip(primary, primary[1:])]
        self.docs = np.unique(np.concatenate(docs))
        self.keys = [self._spelled({e: self._keys(e) for e in spellings}) for spellings in candidates]
        self.words = max(1, sum(int(arrays.lengths(searcher, f)[self.docs].sum()) for f in TEXT_FIELDS))

    def _sample(self, arrays: IndexArrays, term: str, fields: Sequence[str]) -> np.ndarray:
        """Up to SAMPLE articles holding ``term`` in one of ``fields``, spread over the index."""
        found = [np.zeros(0, dtype=np.int64)]
        for field in fields:
            btext = self.searcher.schema[field].to_bytes(term)
            if (field, btext) in self.searcher.reader():
                found.append(arrays.postings(self.searcher, field, btext)[0])
        ids = np.unique(np.concatenate(found))
        if len(ids) > SAMPLE:
            ids = ids[np.linspace(0, len(ids) - 1, SAMPLE).astype(np.int64)]
        return ids

    def _keys(self, spelling: str) -> list[np.ndarray]:
        """Per text field, the positions of ``spelling``'s term in the sample."""
        return [
            position_keys(self.searcher, field, self.searcher.schema[field].to_bytes(spelling), self.docs)
            for field in TEXT_FIELDS
        ]

    @staticmethod
    def _spelled(keys: dict[str, list[np.ndarray]]) -> dict[str, list[np.ndarray]]:
        """A folded term stands at the position of every spelling that folds to it: the spelling
        without diacritics is what is left once the accented spellings' positions are taken out."""
        for plain in [e for e in keys if e.isascii()]:
            accented = [k for e, k in keys.items() if e != plain and fold_word(e) == plain]
            if accented:
                keys[plain] = [np.setdiff1d(k, np.concatenate([a[n] for a in accented])) for n, k in enumerate(keys[plain])]
        return keys

    def count(self, i: int, spelling: str) -> float:
        """How often word ``i`` stands in the sample in ``spelling``, smoothed."""
        return sum(map(len, self.keys[i][spelling])) + SMOOTHING

    def pairs(self, i: int) -> dict[tuple[str, str], int]:
        """For each spelling of word ``i`` and of word ``i + 1``, how often they stand one after the other."""
        return {
            (first, second): sum(int(np.count_nonzero(np.isin(a + 1, b))) for a, b in zip(ka, kb))
            for first, ka in self.keys[i].items()
            for second, kb in self.keys[i + 1].items()
        }


def _candidates(word: QueryWord, vocabulary: Vocabulary) -> list[str]:
    """The spellings ``word`` may have: its own when it has diacritics (typed, or a Telex reading) and
    no corrections, else the corpus's spellings of its folded form or of its corrections."""
    if word.accented and not word.alternatives:
        return [word.exact]
    found: list[str] = []
    for folded in (word.folded, *word.alternatives):
        found += [*vocabulary.accented(folded)[:SPELLINGS], folded]
    return list(dict.fromkeys(found))


def _viterbi(counts: _Counts, candidates: list[list[str]]) -> list[str]:
    """The likeliest spelling of every word at once: P(e₁) · Π P(eᵢ₊₁ | eᵢ), by the sample's counts,
    each P(next | word) = (count(word next) + BACKOFF · P(next)) / (count(word) + BACKOFF)."""
    best = {e: (math.log(counts.count(0, e) / counts.words), [e]) for e in candidates[0]}
    for i in range(1, len(candidates)):
        pairs = counts.pairs(i - 1)
        step = {}
        for e in candidates[i]:
            alone = counts.count(i, e) / counts.words
            step[e] = max(
                (score + math.log((pairs[prev, e] + BACKOFF * alone) / (counts.count(i - 1, prev) + BACKOFF)), path + [e])
                for prev, (score, path) in best.items()
            )
        best = step
    return max(best.values())[1]


def _cased(spelled: list[str], typed: list[str], texts: Iterable[str]) -> list[str]:
    """Each chosen spelling in the letter case the articles give it next to its chosen neighbours
    (not at a sentence start, where any word is capitalised); as typed where they never do."""
    forms: list[Counter] = [Counter() for _ in spelled]
    for text in texts:
        tokens = list(_WORD.finditer(text))
        canon = [normalize_word(t.group()) for t in tokens]
        for j, word in enumerate(canon):
            for i, e in enumerate(spelled):
                if word != e or _SENTENCE_START.search(text[: tokens[j].start()]):
                    continue
                near = (i > 0 and j > 0 and canon[j - 1] == spelled[i - 1]) or (
                    i + 1 < len(spelled) and j + 1 < len(canon) and canon[j + 1] == spelled[i + 1]
                )
                if near or len(spelled) == 1:
                    forms[i][tokens[j].group()] += 1
    return [
        f.most_common(1)[0][0] if f else (e.capitalize() if t[:1].isupper() else e)
        for f, e, t in zip(forms, spelled, typed)
    ]


def is_fragment(q: str) -> bool:
    """The query ends in a word still being typed: one or two letters that make no syllable yet
    (``hai ba t``, ``hai ba tr``, but not ``… đột tu``)."""
    last = re.search(r"([^\W_]+)$", q)
    return bool(last) and len(last.group(1)) <= FRAGMENT and not is_syllable(fold_word(last.group(1)))


def suggest(
    words: Sequence[QueryWord],
    vocabulary: Vocabulary,
    searcher: Searcher,
    arrays: IndexArrays,
    found: np.ndarray,
    texts: Iterable[str],
) -> str | None:
    """The query ``words`` as the corpus writes them, when that differs from what was typed and some
    article of ``found`` (a mask) has every word so spelled; else None."""
    if not words:
        return None
    candidates = [_candidates(w, vocabulary) for w in words]
    typed = " ".join(w.typed for w in words)
    if all(len(c) == 1 for c in candidates) and normalize(" ".join(c[0] for c in candidates)) == normalize(typed):
        return None
    spelled = _viterbi(_Counts(searcher, arrays, candidates), candidates)
    if normalize(" ".join(spelled)) == normalize(typed).lower():
        return None
    every_word = wq.And([wq.Or([wq.Term(f, e) for f in TEXT_FIELDS]) for e in dict.fromkeys(spelled)])
    if not (arrays.evaluate(searcher, every_word).mask & found).any():
        return None
    return " ".join(_cased(spelled, [w.typed for w in words], texts))

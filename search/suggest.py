""""Did you mean": the whole query as the corpus writes it.

Diacritics are restored for all the words together, by a bigram model of the
corpus's own spellings: each word may be any spelling the corpus has of its folded
form (``thanh`` → thanh, thành, thạnh, …), and the chosen sequence is the likeliest
one (Viterbi), with pair counts read from the positions of the spellings in the
best-ranked articles the query finds and a sample of those that hold each folded word
and word pair. ``ha noi thanh nien dot tu``
becomes ``Hà Nội thanh niên đột tử`` because "đột tử" stands together in the corpus
and "đợt tử" does not. What the person typed with diacritics stays as typed. Letter
case comes from how the articles found write the chosen words.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from search.spelling import Vocabulary
from search.vectorized import IndexArrays, consecutive, located, position_keys
from vietnamese.analysis import QueryWord, compound
from vietnamese.lexicon import is_syllable
from vietnamese.text import fold_word, normalize

TEXT_FIELDS = ("title", "body")
PAIR_FIELDS = ("title_pairs", "body_pairs")
SPELLED_FIELDS = TEXT_FIELDS  # where spellings are counted
SAMPLE = 50  # articles read per word and per word pair: enough to know how the corpus spells them
SPELLINGS = 5  # accented spellings per word, most frequent first
RARE = 50  # a spelling this many times rarer than the word's commonest is not worth counting
SMOOTHING = 0.1  # added to each spelling's count
BACKOFF = 1.0  # weight of the spelling's own frequency against what follows the word before it
FRAGMENT = 2  # a last word this short, still being typed, is not a word yet
MAX_WORDS = 12  # longer queries are pasted passages, not typed ones: no suggestion, no cost
SENTENCE_ENDS = ".!?:\n"


class _Counts:
    """How often each spelling stands in a sample of the articles, and each pair of spellings one after the other."""

    def __init__(
        self, searcher: Searcher, arrays: IndexArrays, candidates: list[list[str]], top: np.ndarray, sample: bool = True
    ):
        """Counted in ``top`` (the articles the person will see write the query's words best) and,
        with ``sample``, in a sample of the corpus's articles that hold each word and word pair."""
        self.searcher = searcher
        primary = [fold_word(c[0]) for c in candidates]
        docs = [top.astype(np.int64)]
        if sample:
            docs += [self._sample(arrays, f, TEXT_FIELDS) for c in candidates for f in {fold_word(e) for e in c}]
            docs += [self._sample(arrays, compound([a, b]), PAIR_FIELDS) for a, b in zip(primary, primary[1:])]
        self.docs = np.unique(np.concatenate(docs))
        self.words = max(1, sum(int(arrays.lengths(searcher, f)[self.docs].sum()) for f in SPELLED_FIELDS))
        if len(candidates) > 1:  # pairs are counted on positions, and the spellings' counts come with them
            self.keys = [self._spelled({e: self._keys(e) for e in spellings}) for spellings in candidates]
            self.counts = [{e: sum(map(len, keys)) for e, keys in spelled.items()} for spelled in self.keys]
        else:  # one word: how often, not where
            self.counts = [self._spelled({e: self._frequency(arrays, e) for e in spellings}) for spellings in candidates]

    def _sample(self, arrays: IndexArrays, term: str, fields: Sequence[str]) -> np.ndarray:
        """Up to SAMPLE articles holding ``term`` in one of ``fields``, spread over the index."""
        found = [np.zeros(0, dtype=np.int64)]
        for field in fields:
            btext = self.searcher.schema[field].to_bytes(term)
            if (field, btext) in self.searcher.reader():
                # Each field's sample first: a common word's postings are as long as the index, and
                # merging them whole costs more than the rest of the suggestion.
                found.append(_spread(arrays.postings(self.searcher, field, btext)[0]))
        return _spread(np.unique(np.concatenate(found)))

    def _keys(self, spelling: str) -> list[np.ndarray]:
        """Per field counted, the positions of ``spelling``'s term in the sample."""
        return [
            position_keys(self.searcher, field, self.searcher.schema[field].to_bytes(spelling), self.docs)
            for field in SPELLED_FIELDS
        ]

    def _frequency(self, arrays: IndexArrays, spelling: str) -> int:
        """How many times ``spelling``'s term stands in the sample, in all fields counted."""
        found = 0
        for field in SPELLED_FIELDS:
            ids, weights = arrays.postings(self.searcher, field, self.searcher.schema[field].to_bytes(spelling))
            found += int(weights[located(ids, self.docs)].sum())  # a text field's weight counts positions
        return found

    @staticmethod
    def _spelled(found: dict) -> dict:
        """A folded term stands at the position of every spelling that folds to it: the spelling
        without diacritics is what is left once the accented spellings' positions (or counts) are
        taken out."""
        for plain in [e for e in found if e.isascii()]:
            accented = [k for e, k in found.items() if e != plain and fold_word(e) == plain]
            if accented:
                found[plain] = _without(found[plain], accented)
        return found

    def count(self, i: int, spelling: str) -> float:
        """How often word ``i`` stands in the sample in ``spelling``, smoothed."""
        return self.counts[i][spelling] + SMOOTHING

    def pairs(self, i: int) -> dict[tuple[str, str], int]:
        """For each spelling of word ``i`` and of word ``i + 1``, how often they stand one after the other."""
        first, second = list(self.keys[i]), list(self.keys[i + 1])
        counts = np.zeros((len(first), len(second)), dtype=np.int64)
        for field in range(len(SPELLED_FIELDS)):
            before, which = _labelled([self.keys[i][e][field] for e in first])
            after, label = _labelled([self.keys[i + 1][e][field] for e in second])
            order = np.argsort(after)
            after, label = after[order], label[order]
            at = np.minimum(np.searchsorted(after, before + 1), max(len(after) - 1, 0))
            hit = (after[at] == before + 1) if len(after) else np.zeros(len(before), dtype=bool)
            np.add.at(counts, (which[hit], label[at[hit]]), 1)
        return {(a, b): int(counts[x, y]) for x, a in enumerate(first) for y, b in enumerate(second)}


def _without(plain, accented: list):
    """``plain``'s positions (an array per field) or count, without those of the ``accented`` spellings."""
    if isinstance(plain, int):
        return plain - sum(accented)
    return [np.setdiff1d(k, np.concatenate([a[n] for a in accented])) for n, k in enumerate(plain)]


def _spread(ids: np.ndarray) -> np.ndarray:
    """At most :data:`SAMPLE` of the ascending ``ids``, spread evenly over them."""
    return ids[np.linspace(0, len(ids) - 1, SAMPLE).astype(np.int64)] if len(ids) > SAMPLE else ids


def _labelled(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The parts end to end, and for each value the index of its part."""
    values = np.concatenate([np.zeros(0, dtype=np.int64), *parts])
    labels = np.concatenate([np.zeros(0, dtype=np.int64), *(np.full(len(p), n, dtype=np.int64) for n, p in enumerate(parts))])
    return values, labels


def _candidates(word: QueryWord, vocabulary: Vocabulary) -> list[str]:
    """The spellings ``word`` may have: its own when it has diacritics (typed, or a Telex reading) and
    no corrections, else the corpus's spellings of its folded form or of its corrections."""
    if word.accented and not word.alternatives:
        return [word.exact]
    found: list[str] = []
    for folded in (word.folded, *word.alternatives):
        spellings = vocabulary.accented(folded)[:SPELLINGS]
        common = vocabulary.frequency[spellings[0]] / RARE if spellings else 0
        found += [*(e for e in spellings if vocabulary.frequency[e] >= common), folded]
    return list(dict.fromkeys(found))


def _spellings_in(
    word: QueryWord, candidates: list[str], vocabulary: Vocabulary, searcher: Searcher, arrays: IndexArrays, top: np.ndarray
) -> list[str]:
    """The spellings of ``word`` the articles ``top`` have, every one of them however rare in the
    corpus (``đỏ`` of đắt đỏ), and the bare one; ``candidates`` when it is typed with diacritics."""
    if len(candidates) == 1:
        return candidates
    found = []
    for folded in dict.fromkeys(fold_word(c) for c in candidates):
        for spelling in vocabulary.accented(folded):
            for field in TEXT_FIELDS:
                btext = searcher.schema[field].to_bytes(spelling)
                if arrays.holds_any(searcher, field, btext, top):  # cached, an absent term's too
                    found.append(spelling)
                    break
        found.append(folded)
    return found


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
    (not at a sentence start, where any word is capitalised); where they never stand together,
    as the articles write the word alone (``mttq`` → MTTQ); as typed where they never write it."""
    forms: list[Counter] = [Counter() for _ in spelled]
    texts = [unicodedata.normalize("NFC", t) for t in texts]

    def count(group: Sequence[int]) -> None:
        pattern = re.compile(
            r"(?<![^\W_])" + r"[\W_]{1,3}".join(f"({re.escape(spelled[i])})" for i in group) + r"(?![^\W_])",
            re.IGNORECASE,
        )
        for text in texts:
            for m in pattern.finditer(text):
                for n, i in enumerate(group, 1):
                    if not _starts_sentence(text, m.start(n)):
                        forms[i][m.group(n)] += 1

    for i in range(len(spelled) - 1):
        count((i, i + 1))
    for i in [i for i, f in enumerate(forms) if not f]:
        count((i,))
    return [
        f.most_common(1)[0][0] if f else (e.capitalize() if t[:1].isupper() else e)
        for f, e, t in zip(forms, spelled, typed)
    ]


def _starts_sentence(text: str, at: int) -> bool:
    """Whether the word at ``at`` opens the text or a sentence (after . ! ? : or a new line)."""
    before = text[max(0, at - 8) : at].rstrip(" \t")
    return not before or before[-1] in SENTENCE_ENDS


def is_fragment(q: str) -> bool:
    """The query ends in a word still being typed: one or two letters that make no syllable yet
    (``hai ba t``, ``hai ba tr``, but not ``… đột tu`` nor a number, ``… kỷ niệm 46``)."""
    last = re.search(r"([^\W_]+)$", q)
    word = last.group(1) if last else ""
    return 0 < len(word) <= FRAGMENT and not word.isdigit() and not is_syllable(fold_word(word))


def suggest(
    words: Sequence[QueryWord],
    vocabulary: Vocabulary,
    searcher: Searcher,
    arrays: IndexArrays,
    found: np.ndarray,
    top: Sequence[int],
    texts: Iterable[str],
) -> str | None:
    """The query ``words`` as the corpus writes them, when that differs from what was typed and some
    article of ``found`` (a mask) has every word so spelled; else None. ``top``: the best-ranked
    articles found, whose spellings count with the corpus's."""
    if not words or len(words) > MAX_WORDS:
        return None
    candidates = [_candidates(w, vocabulary) for w in words]
    typed = " ".join(w.typed for w in words)
    if all(len(c) == 1 for c in candidates) and normalize(" ".join(c[0] for c in candidates)) == normalize(typed):
        return None
    top = np.unique(np.array(top, dtype=np.int64))

    @cache
    def as_found() -> list[str]:
        """The words as the best articles found write them, with the spellings they have."""
        spellings = [_spellings_in(w, c, vocabulary, searcher, arrays, top) for w, c in zip(words, candidates)]
        local = _Counts(searcher, arrays, spellings, top, sample=False)
        present = [[e for e in c if local.count(i, e) > SMOOTHING] or c for i, c in enumerate(spellings)]
        return _viterbi(local, present)

    # First as the best articles found write the words: where they hold them so spelled as a
    # passage, that is what was meant (the corpus at large may write them otherwise: "nhà khoa"
    # of nhà khoa học, not nha khoa). Else by the corpus's counts too; a lone word is no passage.
    if len(words) > 1 and _written(as_found(), searcher, top):
        spelled = as_found()
    else:
        spelled = _viterbi(_Counts(searcher, arrays, candidates, top), candidates)
        if not _finds(spelled, searcher, arrays, found):
            spelled = as_found()
            if not _finds(spelled, searcher, arrays, found):
                return None
    if normalize(" ".join(spelled)) == normalize(typed).lower():
        return None
    return " ".join(_cased(spelled, [w.typed for w in words], texts))


def _written(spelled: list[str], searcher: Searcher, top: np.ndarray) -> bool:
    """Whether one of the articles ``top`` (ascending) has the words so spelled one after the other."""
    for field in TEXT_FIELDS:
        if len(consecutive(searcher, field, [searcher.schema[field].to_bytes(e) for e in spelled], top)):
            return True
    return False


def _finds(spelled: list[str], searcher: Searcher, arrays: IndexArrays, found: np.ndarray) -> bool:
    """Whether some article of ``found`` has every word in the spelling chosen."""
    every_word = wq.And([wq.Or([wq.Term(f, e) for f in TEXT_FIELDS]) for e in dict.fromkeys(spelled)])
    return bool((arrays.matching(searcher, every_word) & found).any())

""""Did you mean": the query in the corpus's own spelling.

The spelling comes from the articles the query found: the most frequent way
the corpus writes the query's words one after the other (``hai ba trung`` →
``Hai Bà Trưng``), else each word's most frequent spelling.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from search.highlight import Marker, match_spans
from vietnamese.analysis import QueryWord
from vietnamese.text import fold_word, normalize, normalize_word
from vietnamese.text import words as words_of


def _spells(word: QueryWord, exact: str, folded: str) -> bool:
    """Whether a corpus word spells ``word``: with its diacritics when the person typed them, or as
    one of the readings the word was given (a typo's corrections, a Telex reading, the words a
    half-typed last word may become)."""
    if exact in word.alternatives or folded in word.alternatives or folded in _continued(word):
        return True
    if word.accented:
        return exact == word.exact
    return folded == word.folded


def _continued(word: QueryWord) -> frozenset[str]:
    return frozenset(fold_word(c) for c in word.continuations)


def _spellings(texts: Iterable[str], words: Sequence[QueryWord]) -> tuple[Counter, list[Counter]]:
    """How often the corpus writes the whole query one way, and each word one way.

    Only the runs of words the highlighter would mark are read, word by word: the rest of
    an article cannot spell the query.
    """
    whole: Counter = Counter()
    single: list[Counter] = [Counter() for _ in words]
    n = len(words)
    marker = Marker(folded=frozenset(fold_word(f) for w in words for f in (w.folded, *w.alternatives, *w.continuations)))
    for text in texts:
        for start, end, _ in match_spans(text, marker):
            tokens = words_of(text[start:end])
            forms = [(normalize_word(t), fold_word(t)) for t in tokens]
            matched = [[k for k, w in enumerate(words) if _spells(w, exact, folded)] for exact, folded in forms]
            for i, ks in enumerate(matched):
                for k in ks:
                    single[k][tokens[i]] += 1
                if i + n <= len(tokens) and all(k in matched[i + k] for k in range(n)):
                    whole[" ".join(tokens[i : i + n])] += 1
    return whole, single


def suggest(words: Sequence[QueryWord], texts: Iterable[str]) -> str | None:
    """A better spelling of the query ``words``, found in ``texts``, or None when it is spelled as the corpus spells it."""
    if not words:
        return None
    whole, single = _spellings(texts, words)
    if whole:
        spelling = whole.most_common(1)[0][0]
    elif all(single):
        spelling = " ".join(counter.most_common(1)[0][0] for counter in single)
    else:
        return None
    typed = " ".join(w.typed for w in words)
    return spelling if normalize(spelling) != normalize(typed) else None

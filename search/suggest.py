""""Did you mean": the query in the corpus's own spelling.

The spelling comes from the articles the query found: the most frequent way
the corpus writes the query's words next to each other (``hai ba trung`` →
``Hai Bà Trưng``), else each word's most frequent spelling.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from vietnamese.analysis import QueryWord, SyllableTokenizer
from vietnamese.text import fold_word, normalize

_tokenizer = SyllableTokenizer()


def _sequence_spellings(texts: Iterable[str], folded: Sequence[str]) -> tuple[Counter, list[Counter]]:
    whole: Counter = Counter()
    single: list[Counter] = [Counter() for _ in folded]
    position = {f: [i for i, g in enumerate(folded) if g == f] for f in folded}
    n = len(folded)
    for text in texts:
        tokens = [(t.text, t.startchar, t.endchar) for t in _tokenizer(text, chars=True)]
        folds = [fold_word(word) for word, _, _ in tokens]
        for i, f in enumerate(folds):
            for k in position.get(f, ()):
                single[k][tokens[i][0]] += 1
            if folds[i : i + n] == list(folded):
                whole[" ".join(word for word, _, _ in tokens[i : i + n])] += 1
    return whole, single


def suggest(words: Sequence[QueryWord], texts: Iterable[str]) -> str | None:
    """A better spelling of the query ``words``, found in ``texts``, or None when it is spelled as the corpus spells it."""
    if not words:
        return None
    folded = [w.folded for w in words]
    whole, single = _sequence_spellings(texts, folded)
    if whole:
        spelling = whole.most_common(1)[0][0]
    elif all(single):
        spelling = " ".join(counter.most_common(1)[0][0] for counter in single)
    else:
        return None
    typed = " ".join(w.typed for w in words)
    return spelling if normalize(spelling) != normalize(typed) else None

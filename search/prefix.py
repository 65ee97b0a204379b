"""The last word of a query still being typed: the index terms it may go on to become.

Search boxes that update as you type (Meilisearch, Typesense, Algolia) read the
last word as a prefix: ``giao du`` finds giáo dục before the ``c`` is typed. Here
the prefix is expanded into a few index terms, never all of them, so a one-letter
prefix costs what a few common words cost: first the words the corpus has right
after the previous query word (the pair fields are a bigram model of the corpus,
so ``hai ba t`` means trưng, not the letter T), then the most frequent words of
the vocabulary that begin with it. They match below the word as typed
(:mod:`search.match`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from whoosh.reading import IndexReader

from search.query import Either, ParsedQuery, Part, Run
from search.spelling import Vocabulary
from vietnamese.analysis import QueryWord, compound
from vietnamese.text import fold_word

MAX_CONTINUATIONS = 8
# How many of an accented prefix's terms are looked at to learn which folded words it may become.
ACCENTED_POOL = 200

# Folded words that stand right after a folded word in some article and begin with a prefix,
# with in how many articles (title and body counted apart) they do.
Followers = Callable[[str, str], dict[str, int]]


def followers(reader: IndexReader, fields: Sequence[str]) -> Followers:
    """A :data:`Followers` read from index fields of consecutive folded syllable pairs."""

    def find(previous: str, prefix: str) -> dict[str, int]:
        start = compound([previous, ""])
        found: dict[str, int] = {}
        for segment, _ in reader.leaf_readers():
            present = set(segment.indexed_field_names())
            for field in (f for f in fields if f in present):
                for term, info in segment.iter_prefix(field, start + prefix):
                    word = (term.decode("utf-8") if isinstance(term, bytes) else term)[len(start) :]
                    found[word] = found.get(word, 0) + info.doc_frequency()
        return found

    return find


def continuations(
    word: QueryWord, previous: QueryWord | None, vocabulary: Vocabulary, after: Followers, exact: bool = False
) -> tuple[str, ...]:
    """The index terms, other than ``word`` itself, that ``word`` may be the beginning of: those that
    follow ``previous`` in the corpus first (the more often, the earlier), then the most frequent.

    Folded terms, except in an exact search, where they are the canonical spellings that begin
    with the canonical prefix. A prefix typed with diacritics becomes only words that begin with
    those diacritics (``trư`` → trưng, trường, not trụ).
    """
    if exact:
        pool = vocabulary.starting_with(word.exact, ACCENTED_POOL)
        context = after(previous.folded, word.folded) if previous else {}
        ranked = sorted(pool, key=lambda t: -context.get(fold_word(t), 0))  # stable: frequency breaks ties
        return tuple(ranked[:MAX_CONTINUATIONS])
    allowed = None
    if word.accented:
        allowed = {fold_word(t) for t in vocabulary.starting_with(word.exact, ACCENTED_POOL)}
        allowed.discard(word.folded)
    context = after(previous.folded, word.folded) if previous else {}
    fitting = sorted(
        (w for w in context if w != word.folded and w in vocabulary and (allowed is None or w in allowed)),
        key=lambda w: (-context[w], w),
    )
    frequent = sorted(allowed, key=lambda w: (-vocabulary.frequency.get(w, 0), w)) if allowed is not None else (
        vocabulary.starting_with(word.folded, MAX_CONTINUATIONS)
    )
    return tuple(dict.fromkeys(fitting + frequent))[:MAX_CONTINUATIONS]


def open_run(parsed: ParsedQuery) -> Run | None:
    """The run of plain words whose last word is still being typed, if the query ends in one."""
    if not parsed.open_end or not parsed.required:
        return None
    last = parsed.required[-1]
    if isinstance(last, Either):
        last = last.parts[-1]
    return last if isinstance(last, Run) else None


def continue_last_word(parsed: ParsedQuery, vocabulary: Vocabulary, after: Followers, exact: bool = False) -> ParsedQuery:
    """``parsed`` with the last word, when it may be half typed, given its :func:`continuations`."""
    run = open_run(parsed)
    if run is None:
        return parsed
    words = run.words
    previous = words[-2] if len(words) > 1 else None
    last = replace(words[-1], continuations=continuations(words[-1], previous, vocabulary, after, exact))
    continued = Run(words[:-1] + (last,))

    def swap(part: Part) -> Part:
        if part is run:
            return continued
        if isinstance(part, Either):
            return Either(tuple(swap(p) for p in part.parts))  # type: ignore[misc]
        return part

    return replace(parsed, required=parsed.required[:-1] + (swap(parsed.required[-1]),))

"""Completions: the words typed so far, continued into the phrases and names the corpus uses.

Found in the articles themselves, not in a list of past queries: the articles
whose pair fields have the words one after the other (the last one, when still
being typed, as any of its :mod:`search.prefix` continuations) are read, best
first, and every place where their title or opening passage has the words in a
row gives a completion: the words as that article writes them (``hai ba t`` →
*Hai Bà Trưng*), alone and followed by the next word or two. The completions
most articles share come first.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from html import escape
from itertools import product

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.schema import PAIR_FIELDS
from search.highlight import spelling_pattern
from search.model import MAX_COMPLETIONS, Completion
from search.prefix import open_run
from search.query import ParsedQuery, Run
from search.vectorized import IndexArrays
from vietnamese.analysis import QueryWord, compound
from vietnamese.text import fold_word, normalize_word

TITLES_READ = 40  # best articles whose title is read
BODIES_READ = 8  # of those, whose body is read too
BODY_CHARS = 3000  # of a body, the opening read: where an article names what it is about
EXTRA_WORDS = 2  # words a completion may add after the ones typed
MIN_ARTICLES = 2  # a completion that adds words must be used by this many articles
TITLE_WEIGHT = 3  # a title counts as much as this many bodies
_SPACE = r"[^\S\n]+"  # between two words a completion adds: spaces, never a line break or punctuation
# Between two typed words: spaces, or one mark that joins words in a name or a title (Covid-19, Hà Nội: …).
_BETWEEN = r"(?:[^\S\n]*[-–/.:,&][^\S\n]*|[^\S\n]+)"
_WORD = r"[^\W_]+"


def _forms(word: QueryWord) -> tuple[str, ...]:
    """The folded forms a query word may stand for in the pair fields and in text."""
    return tuple(dict.fromkeys([word.folded, *(fold_word(a) for a in word.alternatives)]))


def _candidates(arrays: IndexArrays, searcher: Searcher, words: Sequence[QueryWord], lasts: Sequence[str]) -> list[int]:
    """The articles that have the words one after the other (the last as any of ``lasts``), best first."""
    fields = []
    for field, pairs in PAIR_FIELDS.items():
        boost = TITLE_WEIGHT if field == "title" else 1
        steps = [_forms(w) for w in words[:-1]] + [tuple(lasts)]
        if len(steps) == 1:  # one word: its own terms in the text field
            fields.append(wq.Or([wq.Term(field, form, boost=boost) for form in steps[0]]))
            continue
        links = [
            wq.Or([wq.Term(pairs, compound([a, b]), boost=boost) for a, b in product(first, second)])
            for first, second in zip(steps, steps[1:])
        ]
        fields.append(wq.And(links))
    return [docnum for _, docnum in arrays.evaluate(searcher, wq.Or(fields)).best(TITLES_READ)]


def _pattern(words: Sequence[QueryWord], prefix: bool) -> re.Pattern[str]:
    """The words in a row in text, in any spelling, the last one begun only when ``prefix``; then
    up to EXTRA_WORDS more words of the same phrase (group ``more``)."""
    spelled = ["(?:" + "|".join(spelling_pattern(f) for f in _forms(w)) + ")" for w in words]
    if prefix:
        spelled[-1] = spelling_pattern(words[-1].folded) + r"[^\W_]*"
    core = _BETWEEN.join(spelled)
    return re.compile(rf"(?<![^\W_])(?P<core>{core})(?![^\W_])(?P<more>(?:{_SPACE}{_WORD}){{0,{EXTRA_WORDS}}})", re.IGNORECASE)


def _phrases(text: str, pattern: re.Pattern[str], last: QueryWord, prefix: bool) -> set[str]:
    """The completions ``text`` offers: each place it has the words, alone and with the words after."""
    found = set()
    for m in pattern.finditer(unicodedata.normalize("NFC", text)):
        core = m.group("core")
        if prefix and last.accented and not normalize_word(re.findall(_WORD, core)[-1]).startswith(last.exact):
            continue  # typed with diacritics: only words that begin with them
        found.add(core)
        more = m.group("more").split()
        found.update(" ".join([core, *more[:n]]) for n in range(1, len(more) + 1))
    return found


def _html(text: str, words: Sequence[QueryWord], prefix: bool) -> str:
    """``text`` escaped, the part that was typed in a <mark>."""
    spans = [m.span() for m in re.finditer(_WORD, text)][: len(words)]
    end = spans[-1][1]
    if prefix:
        start = spans[-1][0]
        end = start + min(len(words[-1].typed), spans[-1][1] - start)
    return f"<mark>{escape(text[:end])}</mark>{escape(text[end:])}"


def _spelling(written: Counter[str]) -> str:
    """How the corpus writes a completion most often; capitalised where it also begins a title or a
    sentence so, as a completion begins what is typed into the box."""
    best = written.most_common(1)[0][0]
    capitalised = best[:1].upper() + best[1:]
    return capitalised if capitalised in written else best


def complete(searcher: Searcher, arrays: IndexArrays, parsed: ParsedQuery, size: int = MAX_COMPLETIONS) -> list[Completion]:
    """Up to ``size`` completions of a query of plain words, the ones most articles use first.

    A query that ends in a word completes it; one that ends in a space continues it with the
    words that follow. A query with quotes, exclusions or OR gets none.
    """
    if not parsed.plain or len(parsed.required) != 1:
        return []
    run = parsed.required[0]
    assert isinstance(run, Run)
    words = run.words
    prefix = open_run(parsed) is not None
    last = words[-1]
    lasts = (*_forms(last), *(fold_word(c) for c in last.continuations)) if prefix else _forms(last)
    pattern = _pattern(words, prefix)
    uses: Counter[str] = Counter()  # a completion (lowercase) → articles using it, titles weighted
    articles: Counter[str] = Counter()  # a completion (lowercase) → articles using it
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for n, docnum in enumerate(_candidates(arrays, searcher, words, lasts)):
        stored = searcher.stored_fields(docnum)
        seen: dict[str, int] = {}
        texts = [(stored.get("title") or "", TITLE_WEIGHT)]
        if n < BODIES_READ:
            texts.append(((stored.get("body") or "")[:BODY_CHARS], 1))
        for text, weight in texts:
            for phrase in _phrases(text, pattern, last, prefix):
                key = phrase.lower()
                spellings[key][phrase] += weight
                seen[key] = max(seen.get(key, 0), weight)
        uses.update(seen)
        articles.update(seen.keys())
    longer = {key for key in uses if len(re.findall(_WORD, key)) > len(words)}  # words added to those typed
    ranked = sorted(
        (key for key in uses if key not in longer or articles[key] >= MIN_ARTICLES),
        key=lambda key: (-uses[key], len(key), key),
    )
    if not prefix:  # after a space: only what comes next
        ranked = [key for key in ranked if key in longer]
    chosen = [_spelling(spellings[key]) for key in ranked[:size]]
    return [Completion(text, _html(text, words, prefix)) for text in chosen]

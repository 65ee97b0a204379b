"""What a query word meant, read against the index's own vocabulary.

A word the corpus has, in any spelling that folds to it (typed with diacritics: in
a spelling that is a Vietnamese syllable), is matched as typed: each other reading
would lengthen the list behind the person's back. It is read as something else only
when its neighbours in the query make that far likelier, with the corpus as a bigram
language model (:class:`Context`): a Telex reading (``ddos laf`` → ``đó là``); or,
when the query's words stand together nowhere, a one-edit correction with which some
article holds them as a phrase (:func:`doubts`: ``bốc chá dữ dội`` → cháy). The new
reading then replaces it, and is reported (:class:`Reading`), so the page can say so
and link to the search as typed.

A word the corpus lacks is read as Telex or VNI typed with the input method off
(``Haf`` → ``hà``) when that makes a corpus syllable; else as its one likeliest
correction one edit away, unless it is a Vietnamese syllable the corpus merely lacks
(:mod:`vietnamese.lexicon`); when that reading's query is found as a phrase nowhere,
its next likeliest corrections are tried (:func:`_reread`). A folded reading of a word
typed with diacritics is spelled as those diacritics and the corpus's compound words
suggest (:func:`_nearest`).
"""

from __future__ import annotations

import bisect
import string
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import cached_property, lru_cache

import numpy as np

from whoosh.reading import IndexReader

from search.model import Reading
from search.query import Either, ParsedQuery, Part
from vietnamese.abbreviations import spans
from vietnamese.analysis import QueryWord, compound
from vietnamese.lexicon import is_spelling, is_syllable
from vietnamese.text import fold_word
from vietnamese.typing import decode_telex, decode_vni

TEXT_FIELDS = ("title", "body")
MIN_TYPO_LENGTH = 4
MAX_CORRECTIONS = 3
_LETTERS = string.ascii_lowercase + string.digits
MIN_CONTEXT_WORDS = 2  # a word and one neighbour: enough when the pair is nowhere in the corpus
MIN_REAL_WORD_CORRECTION = 5  # letters: shorter syllables have too many real one-edit neighbours
MIN_SUPPORT = 2  # articles in which a correction of a syllable the corpus lacks stands next to a neighbour
CONTEXT_RATIO = 10.0  # how much likelier in context a reading must be than a real word typed
# The same, for a real word of any length in a query whose words stand together nowhere as typed: on
# held-out titles (phrases right, but not in the index) a ratio of 10 read 1.5-2.8% of them as
# something else, 30 no more than without this reading (0.4-0.5%, bench/corrections.py). A word of
# MIN_REAL_WORD_CORRECTION letters or more that stands next to none of its neighbours anywhere needs
# only CONTEXT_RATIO.
DOUBT_RATIO = 30.0
# A run of this many words or more is its own context: a reading is kept only when some article holds
# the whole run as a phrase, which right words read otherwise almost never make, so a word's reading
# there needs only to fit its neighbours as well and be this much likelier (``với cường bay từ Hà
# Nội`` → đường, ``bốc chá dữ dội`` → cháy). Held-out title windows of 5-7 words: none read
# otherwise (bench/corrections.py).
LONG_RUN = 4
LONG_DOUBT_RATIO = 3.0
MAX_DOUBTS = 4  # the likeliest other readings tried, one at a time, for a query not found as typed
# Longer queries are doubted no more: pasted text or a list of keywords, which no article holds
# side by side anyway, and each word doubted costs a look at its look-alikes (not on the CPU clock).
MAX_DOUBTED_WORDS = 8
SMOOTHING = 0.5  # added to every pair count: a pair the corpus lacks is rare, not impossible
# Reading a word typed with diacritics: the least share of a syllable's articles a spelling of it is
# given, and how much less a spelling counts for each edit (a letter or a mark) past the first from
# the word typed.
SPELLING_FLOOR = 0.01
EXTRA_EDIT = 0.05
AMBIGUOUS_SHARE = 0.2  # two spellings each this good: which was meant is left open
# How much likelier a spelling is when it forms a word the corpus has (pyvi's compounds, with their
# diacritics) with a neighbour as typed: ``tư cácg`` is tư cách, though "từ các" is everywhere.
JOINED = 100.0

# In how many articles two folded syllables stand one after the other.
PairCount = Callable[[str, str], int]


def pair_count(reader: IndexReader, fields: Sequence[str]) -> PairCount:
    """A :data:`PairCount` over index fields of consecutive folded syllable pairs."""
    return lambda first, second: sum(reader.doc_frequency(f, compound([first, second])) for f in fields)


class Vocabulary:
    """Every term of the text fields (canonical and folded spellings) with its document frequency."""

    def __init__(self, reader: IndexReader):
        self.frequency: dict[str, int] = {}
        # Segment by segment: a multi-segment reader's own walk looks every term up in each
        # segment, six times slower, for the same sums.
        for segment, _ in reader.leaf_readers():
            fields = set(segment.indexed_field_names())
            for field in (f for f in TEXT_FIELDS if f in fields):
                for term, info in segment.iter_field(field):
                    text = term.decode("utf-8") if isinstance(term, bytes) else term
                    self.frequency[text] = self.frequency.get(text, 0) + info.doc_frequency()

    def __contains__(self, term: str) -> bool:
        return term in self.frequency

    def starting_with(self, prefix: str, limit: int) -> list[str]:
        """At most ``limit`` terms that begin with ``prefix`` (and are longer), most frequent first.

        Looked up in the terms sorted once per index generation, folded (ASCII) and accented
        apart, so a folded prefix finds folded terms; the few most frequent of even a
        one-letter prefix's thousands are picked with one numpy call.
        """
        terms, counts = self._sorted[prefix.isascii()]
        start = bisect.bisect_right(terms, prefix)
        end = bisect.bisect_left(terms, prefix + "\U0010ffff", start)
        found = counts[start:end]
        best = np.argpartition(-found, limit - 1)[:limit] if len(found) > limit else np.arange(len(found))
        return [terms[start + i] for i in sorted(best.tolist(), key=lambda i: (-found[i], i))]

    @cached_property
    def _sorted(self) -> dict[bool, tuple[list[str], np.ndarray]]:
        """Accented terms (False) and folded ones (True), each sorted, with their frequencies."""
        split: dict[bool, list[str]] = {True: [], False: []}
        for term in sorted(self.frequency):
            split[term.isascii()].append(term)
        return {k: (v, np.array([self.frequency[t] for t in v], dtype=np.int64)) for k, v in split.items()}

    @cached_property
    def _longest(self) -> int:
        return max(map(len, self.frequency), default=0)

    @cached_property
    def _accented(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for term in self.frequency:
            if not term.isascii():
                found.setdefault(fold_word(term), []).append(term)
        for spellings in found.values():
            spellings.sort(key=lambda t: (-self.frequency[t], t))
        return found

    def accented(self, folded: str) -> list[str]:
        """The corpus's spellings with diacritics of a folded syllable, most frequent first."""
        return self._accented.get(folded, [])

    def shares(self, folded: str) -> dict[str, float]:
        """Each spelling of a folded syllable (itself, without marks, included) with the share of the
        syllable's articles it stands in, at least :data:`SPELLING_FLOOR`. The bare spelling's count is
        not kept apart, so it gets what the commonest spelling with marks leaves."""
        total = self.frequency.get(folded, 0) or 1
        found = {spelling: max(self.frequency[spelling] / total, SPELLING_FLOOR) for spelling in self.accented(folded)}
        found[folded] = max(1.0 - max(found.values(), default=0.0), SPELLING_FLOOR)
        return found

    def corrections(
        self,
        typed: tuple[str, ...],
        accept: Callable[[str], bool] = lambda _: True,
        rank: Callable[[str], float] = lambda _: 0,
        short: bool = False,
        limit: int = MAX_CORRECTIONS,
    ) -> tuple[str, ...]:
        """At most ``limit`` folded corpus terms one edit (incl. a swap of neighbours) away from any of
        the folded forms ``typed`` that ``accept`` accepts, highest ``rank`` first, then most frequent;
        ``short``: three-letter words too, where the caller's ``accept`` makes sure they fit."""
        found = {e for folded in typed for e in self._edits(folded, short) if e not in typed and accept(e)}
        return tuple(sorted(found, key=lambda e: (-rank(e), -self.frequency[e], e))[:limit])

    def _edits(self, folded: str, short: bool = False) -> set[str]:
        """Corpus terms one edit away; unless ``short``, the longer of the two has four letters or more
        (``ong`` → ``vong``): shorter syllables are too alike for one edit to tell which was meant.
        A number has none: 55000 is not a typo for 5500. Nor has a word two letters longer than every
        term: a thousand letters pasted would make two hundred thousand strings of them to look up."""
        if len(folded) < MIN_TYPO_LENGTH - 1 or len(folded) > self._longest + 1 or not folded.isascii() or folded.isdigit():
            return set()
        splits = [(folded[:i], folded[i:]) for i in range(len(folded) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        edits |= {a + c + b for a, b in splits for c in _LETTERS}
        long_enough = short or len(folded) >= MIN_TYPO_LENGTH
        return {e for e in edits if (long_enough or len(e) >= MIN_TYPO_LENGTH) and e in self.frequency}


def _decoded(word: QueryWord, vocabulary: Vocabulary) -> str | None:
    """The corpus syllable that ``word`` types in Telex or VNI, if any."""
    for decode in (decode_telex, decode_vni):
        decoded = decode(word.typed)
        if decoded and decoded != word.exact and decoded in vocabulary:
            return decoded
    return None


def _read_as(word: QueryWord, reading: str, vocabulary: Vocabulary, context: Context | None = None) -> QueryWord:
    """``word`` read as another syllable, which replaces it; a folded reading of a word typed with
    diacritics is given the spelling :func:`_nearest` finds (``quậ`` → ``quận``, ``tin lượng`` →
    tin tưởng, a word of the corpus, not tượng)."""
    if word.accented and reading.isascii():
        return QueryWord(word.typed, _nearest(word, reading, vocabulary, context)[1], reading)
    return QueryWord(word.typed, reading, fold_word(reading))


def _distance(a: str, b: str) -> int:
    """Edits between two short words, letter by letter (a letter's marks included): a letter deleted,
    inserted or replaced, or two neighbours swapped (``linê`` → ``liên``)."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


class Context:
    """How well a folded syllable fits in place of query word ``i``, between its neighbours.

    A bigram model of the corpus: ``P(x | before) · P(after | x)``, from the pair
    fields' counts and the vocabulary's, smoothed so that an unseen pair is rare,
    not impossible.
    """

    def __init__(
        self, words: Sequence[QueryWord], i: int, vocabulary: Vocabulary, pairs: PairCount, joined: PairCount | None = None
    ):
        self.before = words[i - 1].folded if i > 0 else None
        self.after = words[i + 1].folded if i + 1 < len(words) else None
        # The neighbours as typed: with them a spelling of a word typed with diacritics may form a
        # compound word of the corpus (a neighbour typed without them, as itself: "tin" of tin tưởng).
        self.spelled = tuple((k, words[k].exact) for k in (i - 1, i + 1) if 0 <= k < len(words))
        self.i = i
        self.vocabulary = vocabulary
        self.pairs = pairs
        self.joined = joined

    def seen(self, folded: str) -> int:
        """How many of the neighbours ``folded`` stands next to in some article."""
        return (self.before is not None and self.pairs(self.before, folded) > 0) + (
            self.after is not None and self.pairs(folded, self.after) > 0
        )

    def likelihood(self, folded: str) -> float:
        count = self.vocabulary.frequency.get(folded, 0)
        left = (self.pairs(self.before, folded) if self.before is not None else count) + SMOOTHING
        right = (self.pairs(folded, self.after) + SMOOTHING) / (count + 1) if self.after is not None else 1.0
        return left * right

    def prefers(self, correction: str, typed: str) -> bool:
        """The correction fits: next to more neighbours than the word typed, or as many and far likelier."""
        seen, seen_typed = self.seen(correction), self.seen(typed)
        if seen != seen_typed:
            return seen > seen_typed
        return seen > 0 and self.likelihood(correction) >= CONTEXT_RATIO * self.likelihood(typed)

    def far_likelier(self, reading: str, typed: str) -> bool:
        """Strong enough to read a word the corpus has as another: the word typed stands next to none
        of its neighbours anywhere in the corpus (``Thu Hương`` is a name, not ``thủ tướng``), the
        reading does, and is far likelier between them."""
        return (
            self.seen(typed) == 0
            and self.seen(reading) > 0
            and self.likelihood(reading) >= CONTEXT_RATIO * self.likelihood(typed)
        )

    def joins(self, spelling: str) -> bool:
        """Whether ``spelling`` forms a compound word of the corpus with a neighbour as typed."""
        if self.joined is None:
            return False
        return any(
            self.joined(*((spelling, other) if k > self.i else (other, spelling))) > 0 for k, other in self.spelled
        )

    def supported(self, folded: str) -> bool:
        """Whether ``folded`` stands next to one of the neighbours in more than one article: enough to
        read a syllable the corpus lacks as it (one article is a coincidence in a small corpus)."""
        return (self.before is not None and self.pairs(self.before, folded) >= MIN_SUPPORT) or (
            self.after is not None and self.pairs(folded, self.after) >= MIN_SUPPORT
        )


def _known(word: QueryWord, vocabulary: Vocabulary, context: Context | None) -> QueryWord:
    """A word the corpus has, in some spelling: read as typed, unless its neighbours make a Telex
    reading of it far likelier (``ddos laf`` → ``đó là``). A one-edit correction of it is only a
    doubt, kept when the query read with it is found as a phrase (:func:`doubts`)."""
    decoded = _decoded(word, vocabulary) if context is not None else None
    if decoded and context.far_likelier(fold_word(decoded), word.folded):
        return _read_as(word, decoded, vocabulary, context)
    return word


def _doubted(
    word: QueryWord, vocabulary: Vocabulary, context: Context, long: bool, viable: Callable[[str], bool]
) -> list[tuple[float, QueryWord]]:
    """A word the corpus has, in a query whose words stand together nowhere, read as its Telex reading
    or a one-edit correction of any length that fits its neighbours :data:`DOUBT_RATIO` times better
    (``Sở Gáo`` → sở giáo, ``Bộ Giao tông`` → thông), or :data:`CONTEXT_RATIO` times for a word of
    five letters or more that stands next to none of them anywhere. In a ``long`` run
    (:data:`LONG_RUN`), next to as many of them: an edit :data:`LONG_DOUBT_RATIO` times likelier, a
    Telex reading (the same keys, no typo) at least as likely (``ung thư ăn gif để`` → gì). Each
    with how much likelier it is; only readings ``viable`` accepts."""
    typed = context.likelihood(word.folded)
    if long:
        telex, least = 1.0, LONG_DOUBT_RATIO
        seen = max(context.seen(word.folded), 1)
        fits: Callable[[str], bool] = lambda c: context.seen(c) >= seen and viable(c)
    else:
        fits = lambda c: context.prefers(c, word.folded) and viable(c)
        # A word of five letters or more standing next to none of its neighbours anywhere: far likelier.
        alone = len(word.folded) >= MIN_REAL_WORD_CORRECTION and not context.seen(word.folded)
        telex = least = CONTEXT_RATIO if alone else DOUBT_RATIO
    readings = {r: telex for r in [_decoded(word, vocabulary)] if r and fits(fold_word(r))}
    for r in vocabulary.corrections((word.folded,), accept=fits, rank=context.likelihood):
        readings.setdefault(r, least)
    found = [(context.likelihood(fold_word(r)) / typed, r, needed) for r, needed in readings.items()]
    return [(ratio, _read_as(word, r, vocabulary, context)) for ratio, r, needed in found if ratio >= needed]


def _reread(
    typed: QueryWord, read: QueryWord, vocabulary: Vocabulary, context: Context, viable: Callable[[str], bool]
) -> list[tuple[float, QueryWord]]:
    """Other readings of a word the corpus lacks, read as ``read``, each with how likely it is against
    that: its other corrections that ``viable`` accepts (``tại NAOT``: nào first, then NATO; ``những
    vah``: vẫn, then vách), and ``read`` without the marks guessed for it, when the letters typed were
    wrong (``đêm trawng`` is trắng, not the trăng its Telex spells)."""
    corrected = _corrected(typed, vocabulary, context, lambda c: c == read.folded or viable(c), MAX_DOUBTS + 1)
    first = dict((c, likely) for likely, c in corrected).get(read.folded) or max((l for l, _ in corrected), default=0.0)
    readings = [(likely / first, _read_as(typed, c, vocabulary, context)) for likely, c in corrected if c != read.folded and first]
    if read.accented and read.folded != typed.folded:
        readings.append((1.0, QueryWord(typed.typed, read.folded, read.folded)))
    return readings


def _unknown(word: QueryWord, vocabulary: Vocabulary, context: Context | None) -> QueryWord:
    """A word the corpus lacks: its Telex or VNI reading; else, unless it is a Vietnamese syllable the
    corpus merely lacks, its one likeliest correction in context, which replaces it and is reported.
    Several corrections at once would each bring their own articles: ``khôg trung`` is ``không trung``,
    not also ``khoa trung`` and ``khỏi trung``."""
    rank = context.likelihood if context else (lambda _: 0)
    decoded = _decoded(word, vocabulary)
    if decoded:
        telex = _read_as(word, decoded, vocabulary)
        if context is None:
            return telex
        # The letters typed may be the typo, not the Telex reading: "Moso" is "Mosuo" more than "mố".
        typos = vocabulary.corrections(
            (fold_word(word.typed),), accept=lambda c: context.prefers(c, telex.folded), rank=rank
        )
        return replace(telex, alternatives=typos)
    if word.folded not in vocabulary and is_syllable(word.folded):
        # "bóng" in five articles without it is no typo for "động" (one article has "động đã"); "xiện tử"
        # in an archive where "điện tử" stands in hundreds is.
        if context is None:
            return word
        return replace(word, alternatives=vocabulary.corrections(
            (word.folded,), accept=context.supported, rank=rank, short=True
        )[:1])
    candidates = _corrected(word, vocabulary, context)
    return _read_as(word, candidates[0][1], vocabulary, context) if candidates else word


def _corrected(
    word: QueryWord,
    vocabulary: Vocabulary,
    context: Context | None,
    accept: Callable[[str], bool] = lambda _: True,
    limit: int = MAX_CORRECTIONS,
) -> list[tuple[float, str]]:
    """At most ``limit`` corrections of a word the corpus lacks that ``accept`` accepts, likeliest
    first, each with how likely it is.

    The correction likeliest between the neighbours, of any length (``giao duk`` → ``dục``); with no
    neighbour in the corpus, the most frequent of four letters or more. A misspelt accented word
    whose letters the corpus has (``quậ``) may be that word with a wrong mark: its letters compete too.
    Typed with diacritics, a correction counts as much as its spelling nearest to them is common
    (``học bhổng``: bổng more than khổng, though "học không" is everywhere)."""
    rank = context.likelihood if context else (lambda _: 0)
    fit = (lambda c: _nearest(word, c, vocabulary, context)[0]) if word.accented else (lambda _: 1.0)

    def likely(c: str) -> float:
        return rank(c) * fit(c)

    candidates: tuple[str, ...] = ()
    if context is not None:
        candidates = vocabulary.corrections(
            (word.folded,), accept=lambda c: context.seen(c) > 0 and accept(c), rank=likely, short=True, limit=limit
        )
        if word.folded in vocabulary and context.seen(word.folded) > 0:
            candidates = (*candidates, word.folded)
    candidates = candidates or vocabulary.corrections((word.folded,), accept=accept, rank=likely, limit=limit)
    return sorted(((likely(c), c) for c in candidates), key=lambda lc: -lc[0])


def _nearest(word: QueryWord, folded: str, vocabulary: Vocabulary, context: Context | None) -> tuple[float, str]:
    """How well ``folded``, read in place of a word typed with diacritics, fits them, and the spelling
    meant: of its spellings, the one with the best share of the syllable's articles, a hundred times
    more when it forms a compound word with a neighbour, far less for each edit past the first from
    what was typed. The spelling is ``folded`` itself, any accents, when two are about as good and
    neither forms a compound (``xiện`` → ``diện`` or ``điện``)."""
    joins = context.joins if context is not None else (lambda _: False)
    # As typed and as normalised: normalising moves the tone mark of a misspelt word anywhere (lưnờg → lừnơg).
    typed = {word.exact, unicodedata.normalize("NFC", word.typed).lower()}
    scored = []
    for spelling, share in vocabulary.shares(folded).items():
        edits = min(_distance(t, spelling) for t in typed)
        joined = joins(spelling)
        scored.append((share * (JOINED if joined else 1.0) * EXTRA_EDIT ** max(edits - 1, 0), joined, spelling))
    scored.sort()
    fit, joined, spelling = scored[-1]
    if len(scored) > 1 and not joined and scored[-2][0] >= AMBIGUOUS_SHARE:
        spelling = folded
    return fit, spelling


def _has(word: QueryWord, vocabulary: Vocabulary) -> bool:
    """Whether the corpus has ``word`` as typed: in any spelling when typed without diacritics; typed
    with them, in a spelling that is a Vietnamese syllable (``quậ`` is no spelling of ``qua``)."""
    return word.folded in vocabulary and (not word.accented or word.exact in vocabulary or is_spelling(word.exact))


def _reading(word: QueryWord) -> Reading | None:
    """What ``word`` was read as, when not as typed."""
    if word.folded != fold_word(word.typed):
        return Reading(word.typed, word.exact)
    if word.alternatives:
        return Reading(word.typed, word.alternatives[0])
    return None


def respell(
    parsed: ParsedQuery,
    vocabulary: Vocabulary,
    pairs: PairCount,
    joined: PairCount | None = None,
    begins: Callable[[QueryWord | None, QueryWord], bool] | None = None,
) -> ParsedQuery:
    """``parsed`` with each word it requires read as the person meant it, and what was read otherwise;
    exclusions stay as typed. ``begins``, while the query is being typed: whether its last word, after
    the one before it, may be the beginning of a word the corpus has there (``hội trườn``); it is then
    left as typed, for :mod:`search.prefix` to continue, not corrected (``sự tht`` is sự thật)."""
    pairs = lru_cache(maxsize=None)(pairs)
    last = parsed.required[-1] if begins and parsed.open_end and parsed.required else None

    def begun(p: Part, w: QueryWord) -> bool:
        if p is not last or w is not p.words[-1]:
            return False
        return begins(p.words[-2] if len(p.words) > 1 else None, w)

    def part(p: Part) -> Part:
        if isinstance(p, Either):
            return Either(tuple(part(sub) for sub in p.parts))
        words = p.words
        read = []
        for i, w in enumerate(words):
            around = Context(words, i, vocabulary, pairs, joined) if len(words) > 1 else None
            if spans((w.folded,)) or begun(p, w):  # an abbreviation means its expansion, which matches with it
                read.append(w)
            elif _has(w, vocabulary):  # to doubt a word the corpus has takes more words around it
                read.append(_known(w, vocabulary, around if len(words) >= MIN_CONTEXT_WORDS else None))
            else:
                read.append(_unknown(w, vocabulary, around))
        return type(p)(tuple(read))

    return _with_readings(replace(parsed, required=tuple(part(p) for p in parsed.required)))


def _in_context(
    parsed: ParsedQuery, respelled: ParsedQuery, vocabulary: Vocabulary, pairs: PairCount, joined: PairCount | None
) -> Iterator[tuple[int, int, QueryWord, Part, Context]]:
    """Each word of a run of :data:`MIN_CONTEXT_WORDS` or more the query requires, but an abbreviation:
    its part's index and its own, the word as typed, its part as read, and its neighbours as read."""
    for n, (typed, read) in enumerate(zip(parsed.required, respelled.required)):
        if isinstance(typed, Either) or len(typed.words) < MIN_CONTEXT_WORDS:
            continue
        for i, w in enumerate(typed.words):
            if not spans((w.folded,)):
                yield n, i, w, read, Context(read.words, i, vocabulary, pairs, joined)


def _with_word(query: ParsedQuery, n: int, i: int, word: QueryWord) -> ParsedQuery:
    """``query`` with word ``i`` of its required part ``n`` replaced by ``word``."""
    words = query.required[n].words
    part = type(query.required[n])((*words[:i], word, *words[i + 1 :]))
    return replace(query, required=(*query.required[:n], part, *query.required[n + 1 :]))


def doubts(
    parsed: ParsedQuery, respelled: ParsedQuery, vocabulary: Vocabulary, pairs: PairCount, joined: PairCount | None = None
) -> list[ParsedQuery]:
    """For a query whose words, as :func:`respell` read them (``respelled``), stand together nowhere:
    the :data:`MAX_DOUBTS` likeliest readings with a word it lacks and corrected read otherwise
    (:func:`_reread`), then with one more word read as another (:func:`_doubted`, or a word read as
    Telex read otherwise), likeliest first. Only readings whose every two neighbouring words stand
    side by side somewhere: the others cannot be held as a phrase. A half-typed last word may be
    doubted too: complete, it is a word of the corpus."""
    if len(parsed.positive_words()) > MAX_DOUBTED_WORDS:
        return []
    pairs = lru_cache(maxsize=None)(pairs)
    found = []
    for n, i, w, read, context in _in_context(parsed, respelled, vocabulary, pairs, joined):
        folded = [r.folded for r in read.words]

        def viable(c: str, i: int = i, folded: list[str] = folded) -> bool:
            run = [*folded[:i], c, *folded[i + 1 :]]
            return all(pairs(a, b) for a, b in zip(run, run[1:]))

        readings: list[tuple[float, QueryWord]] = []
        # A word the corpus lacks and corrected is likelier the typo than the words around it:
        # its readings first. One read as Telex spelled a word the corpus has: no likelier.
        first = False
        if not _has(w, vocabulary):
            readings = _reread(w, read.words[i], vocabulary, context, viable)
            first = not _decoded(w, vocabulary)
        elif read.words[i] is w:
            readings = _doubted(w, vocabulary, context, len(read.words) >= LONG_RUN, viable)
        found += [(not first, -ratio, n, i, reading) for ratio, reading in readings if viable(reading.folded)]
    return [_with_readings(_with_word(respelled, n, i, reading)) for *_, n, i, reading in sorted(found, key=lambda d: d[:2])[:MAX_DOUBTS]]


def unverified(
    parsed: ParsedQuery, respelled: ParsedQuery, vocabulary: Vocabulary, pairs: PairCount, joined: PairCount | None = None
) -> ParsedQuery | None:
    """For a query that finds nothing as read (``respelled``) and no reading of which :func:`doubts`
    finds as a phrase: each word of :data:`MIN_REAL_WORD_CORRECTION` letters or more that stands next
    to none of its neighbours anywhere read as its one-edit correction that does and is
    :data:`CONTEXT_RATIO` times likelier there (``chương trình khuyết mại lớn`` → khuyến, which
    titles and bodies hold only apart); None when no word is."""
    reading = respelled
    for n, i, w, read, context in _in_context(parsed, respelled, vocabulary, lru_cache(maxsize=None)(pairs), joined):
        if read.words[i] is not w or len(w.folded) < MIN_REAL_WORD_CORRECTION:
            continue
        found = vocabulary.corrections(
            (w.folded,), accept=lambda c: context.far_likelier(c, w.folded), rank=context.likelihood
        )
        if found:
            reading = _with_word(reading, n, i, _read_as(w, found[0], vocabulary, context))
    return _with_readings(reading) if reading is not respelled else None


def _with_readings(respelled: ParsedQuery) -> ParsedQuery:
    return replace(respelled, readings=tuple(r for r in map(_reading, respelled.positive_words()) if r))

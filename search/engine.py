"""The search engine: one index, searched with filters, facets, pages, snippets and suggestions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache, wraps
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.index import Index
from whoosh.searching import Searcher

from indexer import integrity
from indexer.schema import INDEX_NAME, PAIR_FIELDS
from search import budget
from search.complete import complete
from search.explain import Explanation, Feature, PartsOf
from search.highlight import Marker, highlight, snippet
from search.mapped import open_index
from search.match import MatchPlan, QueryBuilder
from search.model import (
    MAX_COMPLETIONS,
    MAX_PAGE,
    Completion,
    DocumentView,
    FacetCount,
    Hit,
    IndexDamaged,
    IndexUnavailable,
    SearchError,
    SearchRequest,
    SearchResults,
    Ward,
)
from search.prefix import continue_last_word, followers
from search.query import ParsedQuery, parse_query, read_as
from search.rescore import COMPOUND_FIELD, RESCORE_WINDOW, Holders, phrase_holders, phrase_tiers, preselect, rescore
from search.spelling import PairCount, Vocabulary, doubts, pair_count, respell, unverified
from search.suggest import FRAGMENT, is_fragment, suggest
from search.vectorized import IndexArrays, Matches
from vietnamese.analysis import QueryWord
from vietnamese.lexicon import is_syllable
from vietnamese.places import all_districts, district_by_label, district_label, match_filter
from vietnamese.reform import province_now, provinces_named, ward_by_label, ward_label, wards_named

DISTRICT_FACET = "districts"
PROVINCE_FACET = "provinces"
WARD_FACET = "wards"
WARD_LINKS = "ward_links"  # a document's current units and those its former units became part of
NOTHING_TO_SEARCH = "Câu tìm kiếm không có chữ hay số nào để tìm: hãy gõ một từ."
# Where the suggestion looks for the corpus's spelling: titles and the opening articles of the results.
SUGGESTION_TITLES = 10
SUGGESTION_BODIES = 3
SUGGESTION_SAMPLE = 20  # best-ranked articles whose spellings count in the suggestion's pair counts


# Whoosh stores a missing date as the largest 64-bit value, which would put undated
# articles first when sorting newest first; they go last instead.
_UNDATED = 2**64 - 1


def _newest_first(arrays: IndexArrays, searcher: Searcher) -> np.ndarray:
    days = arrays.column(searcher, "date")
    return np.where(days == _UNDATED, -1, days.astype(np.int64))


class IndexMissing(IndexUnavailable):
    """There is no index where one was expected."""


@dataclass
class _Generation:
    """One generation of one index (``key``: the index's id and the generation number), opened once
    its sizes and TOC checksum were found right; the full check of its files runs in the background."""

    key: str
    ix: Index
    checked: threading.Event = field(default_factory=threading.Event)
    problems: tuple[str, ...] = ()
    checker: threading.Thread | None = None


def _guarded(method: Callable) -> Callable:
    """An unexpected error while reading the index is checked against the checksums: damage is
    reported as :class:`IndexDamaged`. A commit made during the call may have deleted files of the
    generation it read that Whoosh opens only when first needed (a segment's stored fields, merged
    away): the call is made once more, on the new generation. Anything else is a bug, raised as it is."""

    @wraps(method)
    def wrapper(self: SearchEngine, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (SearchError, IndexUnavailable):
            raise
        except Exception as error:
            read = getattr(self._local, "key", None)
            if read is not None and self._latest() != read:
                return method(self, *args, **kwargs)
            verdict = integrity.check(self._dir, full=True)
            if verdict.problems:
                raise IndexDamaged(self._dir, verdict.problems) from error
            raise

    return wrapper


@lru_cache(maxsize=1)
def _known_districts() -> tuple[str, ...]:
    return tuple(map(district_label, all_districts()))


def _elapsed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _keywords(stored: dict, field: str) -> tuple[str, ...]:
    return tuple(v for v in (stored.get(field) or "").split(",") if v)


def _wards(stored: dict) -> tuple[Ward, ...]:
    wards = (ward_by_label(label) for label in _keywords(stored, WARD_FACET))
    return tuple(Ward(w.name, w.province) for w in wards if w is not None)


@lru_cache(maxsize=4096)  # every facet of every search asks again
def _district_province(label: str) -> str | None:
    district = district_by_label(label)
    return province_now(district.province) if district else None


@lru_cache(maxsize=16384)
def _ward_province(label: str) -> str | None:
    ward = ward_by_label(label)
    return ward.province if ward else None


def _facet(names: list[str], counts: np.ndarray, province=None) -> list[FacetCount]:
    """Facet entries of the names counted, most hits first, then by name (the order ``names`` are
    in: a lexicon's); ``province`` gives each name's current province. Done on arrays: the
    generated 100,000 articles name 350 districts, and sorting their objects cost 0.5 ms a search."""
    found = np.flatnonzero(counts)
    found = found[np.argsort(-counts[found], kind="stable")].tolist()
    n = counts.tolist()
    return [FacetCount(names[i], n[i], province(names[i]) if province else None) for i in found if names[i]]


def _terms(field: str, values) -> wq.Query:
    values = list(dict.fromkeys(values))
    return wq.Or([wq.Term(field, v) for v in values]) if values else wq.NullQuery()


def _place_filter(field: str, names: tuple[str, ...], named: Callable[[str], list[str]], unknown: str) -> wq.Query | None:
    """The documents whose ``field`` holds a unit ``named`` finds for any of ``names``; a name it
    finds nothing for is refused with ``unknown`` (formatted with the name)."""
    if not names:
        return None
    wanted: list[str] = []
    for name in names:
        found = named(name)
        if not found:
            raise SearchError(unknown.format(name))
        wanted.extend(found)
    return _terms(field, wanted)


def _pair_counts(reader) -> tuple[PairCount, PairCount]:
    """In how many articles two folded syllables stand side by side, and form one of pyvi's compound words."""
    return pair_count(reader, tuple(PAIR_FIELDS.values())), pair_count(reader, (COMPOUND_FIELD,))


# A query as read, its plan, what it finds, and how many of its runs each document holds as a phrase.
_Reading = tuple[ParsedQuery, MatchPlan, Matches, Holders | None]


def _as_meant(plan: MatchPlan, matches: Matches, holders: Holders | None) -> bool:
    """Whether a reading finds what was meant: some article with every word, and when the query has
    runs of words, one holding them all as phrases in the spellings typed (the words of a query typed
    right stand together somewhere; a mistyped word brings only articles with them scattered, or
    another word: ``Sở Gáo`` is no "số gạo")."""
    if not matches.total:
        return False
    return holders is None or _held_by_any(plan, holders, matches.mask)


def _held_by_any(plan: MatchPlan, holders: Holders, allowed: np.ndarray | None) -> bool:
    """Whether some article (of those ``allowed``) holds every run of the query as a phrase as typed."""
    held = holders.spelled == len(plan.layout.phrases)
    return bool((held if allowed is None else held & allowed).any())


class SearchEngine:
    """Searches the index in ``index_dir``; safe to share between threads.

    Each thread keeps its own Whoosh searcher and replaces it when the index has a
    new commit, so a finished re-index is picked up without a restart. A commit is
    known by the index's id and its generation number: an index folder deleted and
    built again restarts its generations, but not its id.

    Every generation is checked before it is searched (sizes and the TOC's checksum),
    and fully in the background; a damaged one raises :class:`IndexDamaged` until the
    indexer has repaired it.
    """

    def __init__(self, index_dir: Path):
        if integrity.latest_generation(index_dir) < 0:
            raise IndexMissing(f"Chưa có chỉ mục trong {index_dir}: hãy chạy 'vnsearch index' trước.")
        self._dir = index_dir
        self._opened: _Generation | None = None
        self._open_lock = threading.Lock()
        self._local = threading.local()
        self._vocabulary: tuple[str, Vocabulary] | None = None
        self._vocabulary_lock = threading.Lock()
        self._arrays: tuple[str, IndexArrays] | None = None
        self._arrays_lock = threading.Lock()

    def _current(self) -> _Generation:
        """The latest generation, opened (and checked) when it is new."""
        key = self._latest()
        opened = self._opened
        if opened is None or opened.key != key:
            with self._open_lock:
                opened = self._opened
                if opened is None or opened.key != key:
                    opened = self._open(key)
        if opened.checked.is_set() and opened.problems:
            raise IndexDamaged(self._dir, opened.problems)
        return opened

    def _latest(self) -> str | None:
        """The latest generation's key (its index id and number), None when its manifest cannot be read.
        A commit made meanwhile deletes the generation before it: read again."""
        for _ in range(5):
            latest = integrity.latest_generation(self._dir)
            if latest < 0:
                raise IndexMissing(f"Chưa có chỉ mục trong {self._dir}: hãy chạy 'vnsearch index' trước.")
            try:
                key = f"{integrity.read_manifest(self._dir, latest).index_id}.{latest}"
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                key = None
            if integrity.latest_generation(self._dir) == latest:
                break
        return key

    def _open(self, key: str | None) -> _Generation:
        verdict = integrity.check(self._dir, full=False)
        if key is None or verdict.problems:
            if integrity.latest_generation(self._dir) != verdict.generation:  # superseded while checked
                return self._open(self._latest())
            raise IndexDamaged(self._dir, verdict.problems or ("manifest: unreadable",))
        try:
            opened = _Generation(key, open_index(str(self._dir), INDEX_NAME))
        except Exception as error:  # the files checked out, and still Whoosh cannot read them
            raise IndexDamaged(self._dir, (f"{integrity.toc_name(verdict.generation)}: unreadable ({error})",)) from error
        self._opened = opened
        self._start_check(opened)
        return opened

    def _start_check(self, opened: _Generation) -> None:
        opened.checker = threading.Thread(target=self._check_fully, args=(opened,), daemon=True)
        opened.checker.start()

    def _check_fully(self, opened: _Generation) -> None:
        verdict = integrity.check(self._dir, full=True)
        current = integrity.latest_generation(self._dir) == verdict.generation  # not superseded meanwhile
        if current and verdict.manifest and f"{verdict.manifest.index_id}.{verdict.generation}" == opened.key:
            opened.problems = verdict.problems
        opened.checked.set()

    def _searcher(self) -> Searcher:
        """This thread's searcher on the latest commit: a new one rather than Whoosh's refresh(),
        which reuses old segment readers that still show replaced or deleted documents."""
        opened = self._current()
        searcher = getattr(self._local, "searcher", None)
        if searcher is None or self._local.key != opened.key:
            if searcher is not None:
                searcher.close()
            searcher = self._local.searcher = opened.ix.searcher()
            self._local.key = opened.key
        return searcher

    def _vocabulary_of(self, searcher: Searcher) -> Vocabulary:
        """This index generation's vocabulary, shared by all threads."""
        key = self._local.key
        with self._vocabulary_lock:
            if self._vocabulary is None or self._vocabulary[0] != key:
                self._vocabulary = (key, Vocabulary(searcher.reader()))
            return self._vocabulary[1]

    def _parse(
        self, searcher: Searcher, q: str, verbatim: bool = False, prefix: bool = False, exact: bool = False
    ) -> ParsedQuery:
        """The query as the person meant it, read against this index generation's vocabulary;
        ``verbatim``: every word exactly as typed; ``prefix``: a last word that may be half typed
        also matches the words it begins."""
        return self._continued(searcher, self._respelled(searcher, q, verbatim, prefix)[1], prefix, exact)

    def _respelled(self, searcher: Searcher, q: str, verbatim: bool, prefix: bool) -> tuple[ParsedQuery, ParsedQuery]:
        """The query as typed, and as read (:func:`respell`) unless ``verbatim``."""
        parsed = parse_query(q)
        budget.check_words(parsed)
        if verbatim:
            return parsed, parsed
        reader, vocabulary = searcher.reader(), self._vocabulary_of(searcher)
        after = followers(reader, tuple(PAIR_FIELDS.values()))

        def begins(previous: QueryWord | None, word: QueryWord) -> bool:
            if previous is None:
                return bool(vocabulary.starting_with(word.exact if word.accented else word.folded, 1))
            return bool(after(previous.folded, word.folded))

        return parsed, respell(parsed, vocabulary, *_pair_counts(reader), begins if prefix else None)

    def _continued(self, searcher: Searcher, parsed: ParsedQuery, prefix: bool, exact: bool) -> ParsedQuery:
        """``parsed`` with its last word continued when it may be half typed (:mod:`search.prefix`)."""
        if not prefix:
            return parsed
        after = followers(searcher.reader(), tuple(PAIR_FIELDS.values()))
        return continue_last_word(parsed, self._vocabulary_of(searcher), after, exact)

    def _index_arrays(self, searcher: Searcher) -> IndexArrays:
        """This index generation's arrays, shared by all threads."""
        key = self._local.key
        with self._arrays_lock:
            if self._arrays is None or self._arrays[0] != key:
                self._arrays = (key, IndexArrays(searcher, pair_fields=PAIR_FIELDS))
            return self._arrays[1]

    @_guarded
    def generation(self) -> str:
        """What changes with every commit, and with an index built anew in the same folder."""
        self._searcher()
        return self._local.key

    @_guarded
    def document_count(self) -> int:
        return self._searcher().doc_count()

    @_guarded
    def health(self) -> int:
        """The number of documents, once the full check of the current generation has found it whole."""
        opened = self._current()
        with self._open_lock:
            # A worker process forked while the check ran has the check's result to wait for, not
            # its thread (a forked process has only the thread that forked it): it checks again.
            if not opened.checked.is_set() and not (opened.checker and opened.checker.is_alive()):
                self._start_check(opened)
        opened.checked.wait()
        return self.document_count()

    # -- filters -------------------------------------------------------------------------

    def _district_filter(self, searcher: Searcher, names: tuple[str, ...]) -> wq.Query | None:
        if not names:
            return None
        present = self._index_arrays(searcher).keywords(searcher, DISTRICT_FACET)
        wanted: list[str] = []
        for name in names:
            found = match_filter(name, present)
            if not found and not match_filter(name, _known_districts()):
                raise SearchError(f"Không biết quận/huyện '{name}'. Hãy dùng tên như 'Hai Bà Trưng' hoặc 'Quận Hai Bà Trưng'.")
            wanted.extend(found)
        return _terms(DISTRICT_FACET, wanted)

    @staticmethod
    def _province_filter(names: tuple[str, ...]) -> wq.Query | None:
        """Current provinces; a former one (``Vĩnh Phúc``) means the one it is part of now (Phú Thọ)."""
        return _place_filter(
            PROVINCE_FACET, names, provinces_named,
            "Không biết tỉnh/thành phố '{}'. Hãy dùng tên như 'Hà Nội' hoặc 'Tỉnh Thanh Hóa'.",
        )

    @staticmethod
    def _ward_filter(names: tuple[str, ...]) -> wq.Query | None:
        """Current units, matched through the mapping: an article about a former ward they were formed from counts."""
        return _place_filter(
            WARD_LINKS, names, lambda name: [ward_label(w) for w in wards_named(name)],
            "Không biết phường/xã '{}'. Hãy dùng tên như 'Phường Hồng Hà' hoặc 'Hồng Hà, Hà Nội'.",
        )

    @staticmethod
    def _dated(arrays: IndexArrays, searcher: Searcher, request: SearchRequest) -> np.ndarray | None:
        """The documents dated within the request's range, read from the date column (as newest-first
        sorting reads it) rather than by Whoosh's range query, which tests one document at a time."""
        if request.date_from is None and request.date_to is None:
            return None
        days, field = arrays.column(searcher, "date"), searcher.schema["date"]
        mask = days != _UNDATED
        if request.date_from is not None:
            mask &= days >= field.to_column_value(dt.datetime.combine(request.date_from, dt.time.min))
        if request.date_to is not None:
            mask &= days <= field.to_column_value(dt.datetime.combine(request.date_to, dt.time.max))
        return mask

    # -- search --------------------------------------------------------------------------

    @_guarded
    def search(self, request: SearchRequest) -> SearchResults:
        searcher = self._searcher()
        # What a new index generation's first search builds for all the others is not its own cost.
        self._vocabulary_of(searcher)
        self._index_arrays(searcher)
        with budget.Clock() as clock:
            return self._search(searcher, request, clock)

    def _search(self, searcher: Searcher, request: SearchRequest, clock: budget.Clock) -> SearchResults:
        started = time.perf_counter()
        typed, respelled = self._respelled(searcher, request.q, request.verbatim, request.prefix)
        parsed = self._continued(searcher, respelled, request.prefix, request.exact)
        if parsed.unsearchable:
            return SearchResults(request, 0, _elapsed(started), [], [], notice=NOTHING_TO_SEARCH)
        plan = QueryBuilder(exact=request.exact).plan(parsed)
        budget.check_plan(plan.required)
        by_date = request.sort == "date" or parsed.is_empty
        place_filters = {
            DISTRICT_FACET: self._district_filter(searcher, request.districts),
            PROVINCE_FACET: self._province_filter(request.provinces),
            WARD_FACET: self._ward_filter(request.wards),
        }
        arrays = self._index_arrays(searcher)
        dated = self._dated(arrays, searcher, request)
        place_masks = {field: arrays.matching(searcher, query) for field, query in place_filters.items()}
        filters = [m for m in (dated, *place_masks.values()) if m is not None]
        allowed = np.logical_and.reduce(filters) if filters else None
        wanted = request.page * request.size
        partial = False
        found = self._evaluate(arrays, searcher, plan.required, clock)
        parsed, plan, found, holders = self._meant(
            searcher, arrays, (typed, respelled), (parsed, plan, found), request, allowed, clock
        )
        matches = found.filtered(allowed)
        skipped = False  # a fallback too costly to run: the search is as incomplete as one out of time
        if not matches.total and plan.partial is not None and not clock.ran_out:
            skipped = not budget.affordable(plan.partial)
            fallback = found if skipped else self._evaluate(arrays, searcher, plan.partial, clock)
            if fallback.filtered(allowed).total:
                found, matches, partial = fallback, fallback.filtered(allowed), True

        def facet(field: str, province=None) -> list[FacetCount]:
            """A facet's entries: counted in the matches with every filter but its own."""
            if place_masks[field] is None:
                counts = arrays.keyword_counts(searcher, field, matches.mask)
            else:
                others = [m for f, m in place_masks.items() if f != field and m is not None]
                kept = [m for m in (dated, *others) if m is not None]
                counts = arrays.keyword_counts(searcher, field, found.filtered(np.logical_and.reduce(kept) if kept else None).mask)
            return _facet(arrays.keywords(searcher, field), counts, province)

        start = (request.page - 1) * request.size
        features: dict[int, list] | None = {} if request.explain else None
        if by_date:  # ranked by date: each hit still gets its relevance score
            ranked = matches.ordered(_newest_first(arrays, searcher), wanted)
            page_docs = [docnum for _, docnum in ranked[start:wanted]]
            phase_one = [(float(matches.scores[d]), d) for d in page_docs]
            scored = {d: s for s, d in rescore(searcher, phase_one, plan.layout, features=features, clock=clock)}
            page = [(scored[d], d) for d in page_docs]
        else:
            tiers = phrase_tiers(arrays, searcher, plan.layout, holders, clock)
            ranked = preselect(matches, tiers, max(wanted, RESCORE_WINDOW))
            ranked = rescore(searcher, ranked[:RESCORE_WINDOW], plan.layout, tiers, features, clock) + ranked[RESCORE_WINDOW:]
            page = ranked[start:wanted]
        stored = lru_cache(maxsize=None)(searcher.stored_fields)  # the hits' texts serve the suggestion too
        hits = []
        for score, docnum in page:
            clock.pace()  # snippets of many long articles are costly too; whatever the clock, they are shown
            hits.append(self._hit(stored(docnum), score, plan.marker))
        clock.pace()
        if features is not None:
            hits = self._explained(hits, page, features, arrays.evaluation(searcher), plan.partial if partial else plan.required, parsed)
        suggestion = None
        if matches.total and not partial and clock.has_time_for_extras():
            suggestion = self._suggestion(searcher, stored, arrays, request.q, parsed, ranked, matches.mask)
        return SearchResults(
            request=request,
            total=matches.total,
            took_ms=_elapsed(started),
            hits=hits,
            districts=facet(DISTRICT_FACET, _district_province),
            provinces=facet(PROVINCE_FACET),
            wards=facet(WARD_FACET, _ward_province),
            suggestion=suggestion,
            partial=partial,
            incomplete=clock.ran_out or skipped,
            readings=parsed.readings if matches.total else (),
            read_as=read_as(request.q, parsed.readings) if matches.total and parsed.readings else None,
        )

    def _meant(
        self, searcher: Searcher, arrays: IndexArrays, first: tuple[ParsedQuery, ParsedQuery],
        reading: tuple[ParsedQuery, MatchPlan, Matches], request: SearchRequest, allowed: np.ndarray | None,
        clock: budget.Clock,
    ) -> _Reading:
        """``reading`` (the query as read, its plan, its matches) with how many of its runs
        each document holds; when it does not find what was meant (:func:`_as_meant`), the query read
        again doubting one word (:func:`doubts`), the likeliest reading found as meant: ``Bộ Giao
        tông`` typed for Bộ Giao thông finds the ministry's articles, announced as read, not articles
        with "bê tông" somewhere and "giao" elsewhere. When none is and the query finds nothing, its
        long words read as their far likelier corrections (:func:`unverified`), if that finds
        anything. ``first``: the query as typed and as first read."""
        parsed, plan, matches = reading
        read = (parsed, plan, matches, phrase_holders(arrays, searcher, plan.layout, clock))
        shown = matches.filtered(allowed)
        if request.verbatim or self._typing(searcher, parsed) or _as_meant(plan, shown, read[3]):
            return read
        vocabulary, pair_counts = self._vocabulary_of(searcher), _pair_counts(searcher.reader())
        for doubted in doubts(*first, vocabulary, *pair_counts):
            if clock.ran_out:
                break
            if (planned := self._planned(searcher, doubted, request)) is None:
                continue
            parsed, plan = planned
            # Whether an article holds it as a phrase first: far cheaper than scoring it, and most fail.
            holders = phrase_holders(arrays, searcher, plan.layout, clock)
            if holders is not None and not _held_by_any(plan, holders, allowed):
                continue
            found = self._evaluate(arrays, searcher, plan.required, clock)
            if _as_meant(plan, found.filtered(allowed), holders):
                return parsed, plan, found, holders
        if shown.total or clock.ran_out:
            return read
        corrected = unverified(*first, vocabulary, *pair_counts)
        if corrected is not None and (planned := self._planned(searcher, corrected, request)) is not None:
            parsed, plan = planned
            found = self._evaluate(arrays, searcher, plan.required, clock)
            if found.filtered(allowed).total:
                return parsed, plan, found, phrase_holders(arrays, searcher, plan.layout, clock)
        return read

    def _planned(self, searcher: Searcher, reading: ParsedQuery, request: SearchRequest) -> tuple[ParsedQuery, MatchPlan] | None:
        """Another reading of the query, continued and planned; None when it would cost too much."""
        parsed = self._continued(searcher, reading, request.prefix, request.exact)
        plan = QueryBuilder(exact=request.exact).plan(parsed)
        return (parsed, plan) if budget.affordable(plan.required) else None

    @staticmethod
    def _explained(hits: list[Hit], page: list[tuple[float, int]], features: dict[int, list], evaluation, query, parsed) -> list[Hit]:
        """The hits, each with how its score was made (search/explain.py)."""
        parts = PartsOf(evaluation, query, parsed)
        corrections = tuple(f"{r.typed} → {r.read}" for r in parsed.readings)
        return [
            replace(hit, explanation=Explanation(parts(d), tuple(Feature(*f) for f in features.get(d, ())), corrections))
            for hit, (_, d) in zip(hits, page)
        ]

    @staticmethod
    def _evaluate(arrays: IndexArrays, searcher: Searcher, query: wq.Query, clock: budget.Clock):
        """The documents ``query`` matches; none when the search's CPU time runs out first."""
        try:
            return arrays.evaluate(searcher, query, clock)
        except budget.OverBudget:
            return arrays.evaluate(searcher, wq.NullQuery)

    @staticmethod
    def _hit(stored: dict, score: float | None, marker: Marker) -> Hit:
        return Hit(
            id=stored["id"],
            title=stored["title"],
            date=_date(stored.get("date")),
            districts=_keywords(stored, DISTRICT_FACET),
            provinces=_keywords(stored, PROVINCE_FACET),
            wards=_wards(stored),
            url=stored.get("url"),
            score=round(score or 0.0, 4),
            snippet=snippet(stored["body"], marker),
            title_html=highlight(stored["title"], marker)[0],
        )

    def _suggestion(
        self,
        searcher: Searcher,
        stored: Callable[[int], dict],
        arrays: IndexArrays,
        q: str,
        parsed: ParsedQuery,
        ranked: list[tuple[float, int]],
        found: np.ndarray,
    ) -> str | None:
        """The query as the corpus writes it, for plain queries of whole words."""
        if not parsed.plain or parsed.is_empty or is_fragment(q):
            return None

        def texts():  # read only when there is a suggestion to write in the articles' letter case
            for n, (_, docnum) in enumerate(ranked[:SUGGESTION_TITLES]):
                yield stored(docnum)["title"]
                if n < SUGGESTION_BODIES:
                    yield stored(docnum)["body"]

        top = [docnum for _, docnum in ranked[:SUGGESTION_SAMPLE]]
        return suggest(parsed.positive_words(), self._vocabulary_of(searcher), searcher, arrays, found, top, texts())

    def hits_around(self, request: SearchRequest, rank: int) -> dict[int, Hit]:
        """The hits ranked ``rank - 1``, ``rank`` and ``rank + 1`` (1-based) by ``request``, keyed by rank, from
        the pages of ``request.size`` that show them: an article opened from a search links to its neighbours."""
        ranks = [n for n in (rank - 1, rank, rank + 1) if n >= 1]
        found: dict[int, Hit] = {}
        for page in sorted({(n - 1) // request.size + 1 for n in ranks}):
            if page <= MAX_PAGE:
                hits = self.search(dataclasses.replace(request, page=page)).hits
                found.update((n, hit) for n, hit in enumerate(hits, start=(page - 1) * request.size + 1) if n in ranks)
        return found

    # -- completions ---------------------------------------------------------------------

    @_guarded
    def complete(self, q: str, size: int = MAX_COMPLETIONS) -> list[Completion]:
        """What the query typed so far may go on to be (:mod:`search.complete`)."""
        if not 1 <= size <= MAX_COMPLETIONS:
            raise SearchError(f"Số gợi ý phải từ 1 đến {MAX_COMPLETIONS}.")
        searcher = self._searcher()
        return complete(searcher, self._index_arrays(searcher), self._parse(searcher, q, prefix=True), size)

    def _typing(self, searcher: Searcher, parsed: ParsedQuery) -> bool:
        """Whether the query ends in a word still being typed: no word of the corpus yet (``hai ba
        tr``), or one or two letters that make no syllable (``Google chính th``, not ``… và``; a number
        is one, ``sáng nay 26 4``). Its words stand together nowhere until it is done, and doubting
        them would be premature."""
        vocabulary = self._vocabulary_of(searcher)

        def fragment(folded: str) -> bool:
            return len(folded) <= FRAGMENT and not is_syllable(folded) and not folded.isdigit()

        return any(w.continuations and (w.folded not in vocabulary or fragment(w.folded)) for w in parsed.positive_words())

    def _read_for_marks(self, searcher: Searcher, q: str, verbatim: bool, prefix: bool, exact: bool) -> MatchPlan:
        """The plan of ``q`` as its search reads it, doubting a word as the search does (:meth:`_meant`)."""
        typed, respelled = self._respelled(searcher, q, verbatim, prefix)
        parsed = self._continued(searcher, respelled, prefix, exact)
        plan = QueryBuilder(exact=exact).plan(parsed)
        if verbatim or parsed.is_empty or not budget.affordable(plan.required):
            return plan
        arrays = self._index_arrays(searcher)
        request = SearchRequest(q=q, exact=exact, verbatim=verbatim, prefix=prefix)
        with budget.Clock() as clock:
            found = self._evaluate(arrays, searcher, plan.required, clock)
            return self._meant(searcher, arrays, (typed, respelled), (parsed, plan, found), request, None, clock)[1]

    # -- one document --------------------------------------------------------------------

    @_guarded
    def document(
        self, doc_id: str, q: str = "", exact: bool = False, verbatim: bool = False, prefix: bool = True
    ) -> DocumentView | None:
        """The article with id ``doc_id`` (looked up in the index only), its matches of ``q`` marked
        as the search for ``q`` marks them."""
        searcher = self._searcher()
        stored = searcher.document(id=doc_id)
        if stored is None:
            return None
        marker = self._read_for_marks(searcher, q, verbatim, prefix, exact).marker
        body_html, matches = highlight(stored["body"], marker)
        title_html, title_matches = highlight(stored["title"], marker)
        return DocumentView(
            id=stored["id"],
            title=stored["title"],
            date=_date(stored.get("date")),
            districts=_keywords(stored, DISTRICT_FACET),
            provinces=_keywords(stored, PROVINCE_FACET),
            wards=_wards(stored),
            url=stored.get("url"),
            author=stored.get("author"),
            body=stored["body"],
            body_html=body_html,
            title_html=title_html,
            matches=matches + title_matches,
        )

"""What a search asks for and what it answers: plain data shared by the web UI, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from search.explain import Explanation

MAX_PAGE_SIZE = 100
MAX_COMPLETIONS = 10
# Deeper pages make the engine rank page × size hits; nobody reads result 100,000.
MAX_PAGE = 1000
SORTS = ("relevance", "date")
# Of each place filter (district, province, ward): more is no filter anyone means, and each is a lookup.
MAX_PLACE_FILTERS = 30
# The words a flag (``exact``) accepts, as HTML checkboxes and people write them.
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
# The documented forms only: Python's int() and date.fromisoformat() also take other
# scripts' digits (``５``), underscores (``1_000``) and ISO week dates (``2024-W05-1``).
_ASCII_INT = re.compile(r"[0-9]+", re.ASCII)
_ASCII_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class SearchError(ValueError):
    """A request the engine refuses; the message is shown to the person as is."""


def parse_flag(value: str | bool | None, name: str, default: bool = False) -> bool:
    """A yes/no parameter: one of :data:`TRUE_WORDS` or :data:`FALSE_WORDS`, in any case;
    ``default`` when it is absent or empty."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    word = value.strip().lower()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SearchError(f"'{name}' phải là 1 hoặc 0 (true/false, yes/no, on/off), không phải '{value}'.")


class IndexUnavailable(RuntimeError):
    """There is no index to search, or none that can be trusted: no request can be answered until
    someone runs ``vnsearch index``."""


class IndexDamaged(IndexUnavailable):
    """The index's files are not as its checksums say; ``problems`` names each damaged file."""

    def __init__(self, index_dir: object, problems: tuple[str, ...]):
        self.problems = problems
        more = f" và {len(problems) - 1} lỗi khác" if len(problems) > 1 else ""
        super().__init__(
            f"Chỉ mục trong {index_dir} bị hỏng ({problems[0]}{more}): hãy chạy 'vnsearch index' "
            "với các thư mục bài viết để xây dựng lại phần hỏng."
        )


def parse_date(value: str | None, name: str) -> dt.date | None:
    """An ISO date (``2024-01-31``) from user input, or None when empty."""
    if value is None or not value.strip():
        return None
    try:
        if not _ASCII_DATE.fullmatch(value.strip()):
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise SearchError(f"Ngày '{value}' không hợp lệ cho '{name}': hãy dùng dạng YYYY-MM-DD, ví dụ 2024-01-31.") from None


def parse_int(value: str | int | None, name: str, default: int) -> int:
    """A whole number written in ASCII digits (``12``), or ``default`` when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        if isinstance(value, str) and not _ASCII_INT.fullmatch(value.strip()):
            raise ValueError(value)
        return int(value)
    except (TypeError, ValueError):
        raise SearchError(f"'{name}' phải là một số nguyên, không phải '{value}'.") from None


def _values(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v for v in values if v and v.strip())


@dataclass(frozen=True)
class Ward:
    """A current commune-level unit: ``Ward("Phường Hồng Hà", "Thành phố Hà Nội")``."""

    name: str
    province: str


@dataclass(frozen=True)
class SearchRequest:
    """One search: the query text and everything that narrows, orders or pages it."""

    q: str = ""
    districts: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    size: int = 10
    exact: bool = False
    verbatim: bool = False  # every word exactly as typed: no corrections, no Telex readings
    explain: bool = False  # each hit says how its score was made (search/explain.py)
    prefix: bool = True  # the last word, when nothing follows it, also matches the words it begins

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise SearchError(f"Cách sắp xếp '{self.sort}' không hợp lệ: dùng 'relevance' hoặc 'date'.")
        if not 1 <= self.page <= MAX_PAGE:
            raise SearchError(f"Số trang phải từ 1 đến {MAX_PAGE}.")
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise SearchError(f"Số kết quả mỗi trang phải từ 1 đến {MAX_PAGE_SIZE}.")
        for places, kind in ((self.districts, "quận/huyện"), (self.provinces, "tỉnh/thành"), (self.wards, "phường/xã")):
            if len(places) > MAX_PLACE_FILTERS:
                raise SearchError(f"Có quá nhiều {kind} trong bộ lọc: tối đa {MAX_PLACE_FILTERS}.")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise SearchError("Ngày bắt đầu ('from') phải trước ngày kết thúc ('to').")

    @classmethod
    def from_strings(
        cls,
        q: str | None = "",
        districts: list[str] | tuple[str, ...] = (),
        provinces: list[str] | tuple[str, ...] = (),
        wards: list[str] | tuple[str, ...] = (),
        date_from: str | None = None,
        date_to: str | None = None,
        sort: str | None = None,
        page: str | int | None = None,
        size: str | int | None = None,
        exact: str | bool | None = None,
        verbatim: str | bool | None = None,
        explain: str | bool | None = None,
        prefix: str | bool | None = None,
    ) -> "SearchRequest":
        """Build a request from text as it arrives from a URL or a command line; ``prefix`` is on
        unless it says 0, false, no or off."""
        return cls(
            q=q or "",
            districts=_values(districts),
            provinces=_values(provinces),
            wards=_values(wards),
            date_from=parse_date(date_from, "from"),
            date_to=parse_date(date_to, "to"),
            sort=(sort or "relevance").strip() or "relevance",
            page=parse_int(page, "page", 1),
            size=parse_int(size, "size", 10),
            exact=parse_flag(exact, "exact"),
            verbatim=parse_flag(verbatim, "verbatim"),
            prefix=parse_flag(prefix, "prefix", default=True),
            explain=parse_flag(explain, "explain"),
        )



@dataclass(frozen=True)
class Reading:
    """A word the search read as another: a typo's correction or a Telex reading (``Haf`` → ``hà``)."""

    typed: str
    read: str


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    date: dt.date | None
    districts: tuple[str, ...]
    provinces: tuple[str, ...]
    wards: tuple[Ward, ...]
    url: str | None
    score: float
    snippet: str  # HTML: escaped original text, matches in <mark>
    title_html: str  # HTML: escaped title, matches in <mark>
    explanation: Explanation | None = None  # asked for with SearchRequest.explain


@dataclass(frozen=True)
class FacetCount:
    name: str  # what a filter takes back: "Huyện Châu Thành (Tiền Giang)", "Phường Hồng Hà"
    count: int
    province: str | None = None  # the current province of a district or ward


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    total: int
    took_ms: float
    hits: list[Hit]
    districts: list[FacetCount]
    provinces: list[FacetCount] = field(default_factory=list)
    wards: list[FacetCount] = field(default_factory=list)
    suggestion: str | None = None
    partial: bool = False  # nothing matched every word: these are the best partial matches
    incomplete: bool = False  # the search stopped at its cost budget (search/budget.py): hits may be missing
    readings: tuple[Reading, ...] = ()  # words read as others (typos, Telex): the results are for those
    read_as: str | None = None  # the query as it was read, when some word was read as another
    notice: str | None = None  # why there are no results, when the query had nothing to search for

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.request.size)))


@dataclass(frozen=True)
class DocumentView:
    id: str
    title: str
    date: dt.date | None
    districts: tuple[str, ...]
    provinces: tuple[str, ...]
    wards: tuple[Ward, ...]
    url: str | None
    author: str | None
    body: str
    body_html: str  # escaped body, matches of the query in <mark>
    title_html: str
    matches: int = 0


@dataclass(frozen=True)
class Completion:
    """What the words typed may go on to be, as the corpus writes it."""

    text: str
    html: str  # the text escaped, the part typed in <mark>


def completions_to_json(query: str, completions: list[Completion]) -> dict:
    """The JSON shape of ``/api/complete``."""
    return {"query": query, "completions": [{"text": c.text, "html": c.html} for c in completions]}


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


def _wards(wards: tuple[Ward, ...]) -> list[dict]:
    return [{"name": w.name, "province": w.province} for w in wards]


def _facet(counts: list[FacetCount]) -> list[dict]:
    return [{"name": f.name, "count": f.count, **({"province": f.province} if f.province else {})} for f in counts]


def results_to_json(results: SearchResults) -> dict:
    """The JSON shape of a search, shared by the HTTP API and ``vnsearch search --json``."""
    return {
        "query": results.request.q,
        "total": results.total,
        "page": results.request.page,
        "size": results.request.size,
        "took_ms": results.took_ms,
        "hits": [
            {
                "id": h.id,
                "title": h.title,
                "date": _iso(h.date),
                "districts": list(h.districts),
                "provinces": list(h.provinces),
                "wards": _wards(h.wards),
                "url": h.url,
                "score": h.score,
                "snippet": h.snippet,
                "title_html": h.title_html,
                **({"explanation": explanation_to_json(h.explanation)} if h.explanation else {}),
            }
            for h in results.hits
        ],
        "facets": {
            "province": _facet(results.provinces),
            "district": _facet(results.districts),
            "ward": _facet(results.wards),
        },
        "suggestion": results.suggestion,
        "partial": results.partial,
        "read_as": results.read_as,
        "corrections": [{"typed": r.typed, "read": r.read} for r in results.readings],
        "notice": results.notice,
    }


def explanation_to_json(e: Explanation) -> dict:
    """``score = phase_one × multiplier``; ``phase_one`` is the sum of the parts, ``multiplier`` 1 + the features' weights."""
    return {
        "phase_one": round(e.phase_one, 6),
        "parts": [{"field": p.field, "term": p.term, "kind": p.kind, "score": round(p.score, 6)} for p in e.parts],
        "multiplier": round(e.multiplier, 6),
        "features": [{"feature": f.name, "field": f.field, "weight": round(f.weight, 6)} for f in e.features],
        "corrections": list(e.corrections),
    }


def document_to_json(doc: DocumentView) -> dict:
    """The JSON shape of one article, with its matches marked in ``body_html``."""
    return {
        "id": doc.id,
        "title": doc.title,
        "date": _iso(doc.date),
        "districts": list(doc.districts),
        "provinces": list(doc.provinces),
        "wards": _wards(doc.wards),
        "url": doc.url,
        "author": doc.author,
        "body": doc.body,
        "body_html": doc.body_html,
    }

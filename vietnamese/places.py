"""Vietnam's provinces, districts and wards (as before the 2025 reform), and the ways people write them.

The units since 1 July 2025 and their formers are in :mod:`vietnamese.reform`.

The gazetteer is read once, on first use, from vietnam-provinces' JSON; abbreviations and
aliases come from ``data/district_aliases.tsv``. Names are compared token by token on their
folded form, and a token written with diacritics must agree on them too: ``Thanh Tri`` may
be ``Thanh Trì`` or ``Thạnh Trị``, ``Thanh Trì`` is only the former. Case, NFD and old tone
placement (``Hoà``) never matter, since every token goes through :mod:`vietnamese.text`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from vietnamese.text import fold_word, normalize, normalize_word

DISTRICT_KINDS = frozenset({"Quận", "Huyện", "Thị xã", "Thành phố"})
# "Đặc khu" (special zone, an island district made commune-level in 2025) names only new units.
WARD_KINDS = frozenset({"Phường", "Xã", "Thị trấn", "Đặc khu"})
PROVINCE_KINDS = frozenset({"Tỉnh", "Thành phố"})

_ALIASES_PATH = Path(__file__).parent / "data" / "district_aliases.tsv"
# Punctuation that separates names (kept as tokens); hyphens and quotes between words are dropped.
_PUNCTUATION = ",;:()/!?.…\n"
_NUMBERED = re.compile(r"\d+|[IVXLC]+")  # Phường 1, Phường IV

T = TypeVar("T")


@dataclass(frozen=True)
class Ward:
    name: str  # canonical: "Phường Kim Mã"
    bare: str  # "Kim Mã"
    kind: str  # "Phường", "Xã" or "Thị trấn"


@dataclass(frozen=True, eq=False)  # compared by identity: two "Huyện Châu Thành" are different places
class District:
    name: str  # canonical: "Quận Hai Bà Trưng"
    bare: str  # "Hai Bà Trưng"
    kind: str  # one of DISTRICT_KINDS
    province: str  # "Thành phố Hà Nội"
    wards: tuple[Ward, ...]


@dataclass(frozen=True)
class Province:
    name: str  # "Tỉnh Nghệ An"
    bare: str  # "Nghệ An"
    kind: str  # "Tỉnh" or "Thành phố"


class Unit(NamedTuple):
    """What a bare name may designate: a district, or a ward (standing for its district)."""

    name: str  # bare: "Kim Mã", "1"
    kind: str
    district: District
    is_province_name: bool  # "Bắc Ninh" is also a province: after a comma it usually means that


class ProvinceName(NamedTuple):
    province: Province
    needs_kind: bool  # counts only after "tỉnh"/"thành phố"/"TP" (see "person" in the aliases)


class Token(NamedTuple):
    text: str  # as written
    norm: str  # normalize_word(text): lowercase, canonical tone placement
    key: str  # fold_word(text): no diacritics
    is_word: bool  # else punctuation


# -- data --------------------------------------------------------------------------------------


def _split_kind(name: str, kinds: Collection[str]) -> tuple[str, str] | None:
    """``"Thành Phố Bắc Kạn"`` → ``("Thành phố", "Bắc Kạn")``: the data capitalises kinds either way."""
    for kind in kinds:
        if name.casefold().startswith(kind.casefold() + " "):
            return kind, name[len(kind) + 1 :].strip()
    return None


def _kind_and_bare(name: str, kinds: Collection[str]) -> tuple[str, str]:
    found = _split_kind(name, kinds)
    if found is None:
        raise ValueError(f"{name!r} does not start with one of {sorted(kinds)}")
    return found


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[tuple[Province, ...], tuple[District, ...]]:
    with open(NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as f:
        data = json.load(f)
    provinces, districts = [], []
    for p in data:
        kind, bare = _kind_and_bare(p["name"], PROVINCE_KINDS)
        provinces.append(Province(p["name"], bare, kind))
        for d in p["districts"]:
            # The JSON's division_type says "huyện" for every district: the name tells the kind.
            kind, bare = _kind_and_bare(d["name"], DISTRICT_KINDS)
            split = (_kind_and_bare(w["name"], WARD_KINDS) for w in d["wards"])
            wards = tuple(Ward(f"{k} {b}", b, k) for k, b in split)
            districts.append(District(f"{kind} {bare}", bare, kind, p["name"], wards))
    return tuple(provinces), tuple(districts)


def all_provinces() -> tuple[Province, ...]:
    """The 63 provinces and centrally-run cities."""
    return _gazetteer()[0]


def all_districts() -> tuple[District, ...]:
    """Every district-level unit: quận, huyện, thị xã and thành phố thuộc tỉnh."""
    return _gazetteer()[1]


@lru_cache(maxsize=1)
def _alias_rows() -> tuple[tuple[str, str, str], ...]:
    rows = []
    for line in _ALIASES_PATH.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            row_type, written, meaning = (cell.strip() for cell in line.split("\t"))
            rows.append((row_type, written, meaning))
    return tuple(rows)


def _aliases(row_type: str) -> list[tuple[str, str]]:
    return [(written, meaning) for t, written, meaning in _alias_rows() if t == row_type]


def _the(items: Sequence[T], what: str) -> T:
    """The one item an alias row's meaning names; a row that names none or several is a data error."""
    if len(items) != 1:
        raise ValueError(f"{_ALIASES_PATH.name}: {what!r} names {len(items)} units, not one")
    return items[0]


# -- tokens and lexicons ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern[str]:
    # Abbreviations keep their dot ("Q." is not "Q"), so a dot after them never ends a sentence.
    dotted = "|".join(re.escape(w[:-1]) for w, _ in _aliases("kind") if w.endswith("."))
    # An apostrophe between letters belongs to the word: Cư M'gar, Ea H'leo, Đắk R'Lấp.
    return re.compile(rf"(?i:(?<![^\W_])(?:{dotted})\.)|[^\W\d_]+(?:'[^\W\d_]+)*|\d+|[{re.escape(_PUNCTUATION)}]")


@lru_cache(maxsize=65536)
def _token(text: str) -> Token:
    if text[0].isalnum():
        return Token(text, normalize_word(text), fold_word(text), True)
    return Token(text, text, text, False)


def tokens(text: str) -> list[Token]:
    """Words (letters and digits apart: ``Q1`` → ``Q``, ``1``), dotted abbreviations and separating punctuation."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'")  # ’ as typed by phones and word processors
    return list(map(_token, _token_pattern().findall(text)))


def written_as(token: Token, norm: str, strict: bool = False) -> bool:
    """Whether ``token``, already known to fold like ``norm``, may be that word.

    It may if it has the same diacritics or, unless ``strict``, none at all. Text that uses
    diacritics is read strictly: there an unaccented ``xa`` means "far", not ``xã``.
    """
    return token.norm == norm or (not strict and token.norm == token.key)


class Lexicon(Generic[T]):
    """Names as token sequences in a trie keyed by folded words, for longest-match lookups in running text."""

    _END = ""  # no token folds to the empty string

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._root: dict = {}
        for name, value in entries:
            words = tokens(name)
            node = self._root
            for w in words:
                node = node.setdefault(w.key, {})
            node.setdefault(self._END, []).append((tuple(w.norm for w in words), value))

    def first_words(self) -> set[str]:
        """Folded words that begin a name: anything else can be skipped without a lookup."""
        return set(self._root)

    def longest(
        self, toks: Sequence[Token], i: int, keep: Callable[[T], bool] | None = None, strict: bool = False
    ) -> tuple[int, list[T]]:
        """The longest name written at ``toks[i:]`` and all it may stand for, or ``(i, [])``."""
        best: tuple[int, list[T]] = (i, [])
        node = self._root
        for j in range(i, len(toks)):
            node = node.get(toks[j].key)
            if node is None:
                break
            found = [
                value
                for norms, value in node.get(self._END, ())
                if all(written_as(t, n, strict) for t, n in zip(toks[i : j + 1], norms))
                and (keep is None or keep(value))
            ]
            if found:
                best = (j + 1, found)
        return best


@lru_cache(maxsize=1)
def kind_lexicon() -> Lexicon[str | None]:
    """Every way of writing a kind ("quận", "Q.", "Quận ủy") → the kind; "bà xã" (wife) → ``None``."""
    kinds = DISTRICT_KINDS | WARD_KINDS | PROVINCE_KINDS
    entries: list[tuple[str, str | None]] = [(k, k) for k in kinds]
    entries += [(w, _the([k for k in kinds if k == m], m)) for w, m in _aliases("kind")]  # checks the kind exists
    entries += [(w, None) for w, _ in _aliases("not-kind")]
    return Lexicon(entries)


@lru_cache(maxsize=1)
def province_lexicon() -> Lexicon[ProvinceName]:
    """Bare names and aliases of provinces."""

    def province(name: str) -> Province:
        return _the([p for p in all_provinces() if p.name == name], name)

    people = {province(m) for _, m in _aliases("person")}
    entries = [(p.bare, ProvinceName(p, p in people)) for p in all_provinces()]
    entries += [(w, ProvinceName(province(m), False)) for w, m in _aliases("province")]
    return Lexicon(entries)


@lru_cache(maxsize=1)
def unit_lexicon() -> Lexicon[Unit]:
    """Bare names of districts, district aliases and wards; not numbered wards: every city has a Phường 1."""
    province_names = {normalize(p.bare) for p in all_provinces()}

    def unit(kind: str, bare: str, district: District) -> tuple[str, Unit]:
        return bare, Unit(bare, kind, district, normalize(bare) in province_names)

    entries = []
    for d in all_districts():
        entries.append(unit(d.kind, d.bare, d))
        entries += [unit(w.kind, w.bare, d) for w in d.wards if not _NUMBERED.fullmatch(w.bare)]
    for written, meaning in _aliases("district"):
        target = _the([d for d in all_districts() if d.name == meaning], meaning)
        kind, bare = _split_kind(written, DISTRICT_KINDS) or (target.kind, written)
        entries.append(unit(kind, bare, target))
    return Lexicon(entries)


def chosen(units: Iterable[Unit], kinds: frozenset[str]) -> tuple[list[Unit], bool]:
    """The units a name written after ``kinds`` (none: any district) may be, and whether of exactly those kinds.

    Units of exactly those kinds win; failing them, units of a kind they may have been
    promoted to (``thị xã Dĩ An`` is a thành phố since 2020), but never a number: ``TX 1`` is
    no Quận 1.
    """
    exact, promoted = readings(units, kinds)
    return (exact, True) if exact else (promoted, False)


def readings(units: Iterable[Unit], kinds: frozenset[str]) -> tuple[list[Unit], list[Unit]]:
    """The units of exactly ``kinds`` (none: any district), and those of a kind they may have been promoted to."""
    units = list(units)
    if not kinds:
        return [u for u in units if u.kind in DISTRICT_KINDS], []
    later = {new for old, new in _aliases("promoted") if old in kinds}
    return [u for u in units if u.kind in kinds], [u for u in units if u.kind in later and not u.name.isdigit()]


def designated(units: Iterable[Unit], kinds: frozenset[str]) -> list[District]:
    """The districts that units named after ``kinds`` (none: any district) stand for, each once."""
    return list(dict.fromkeys(u.district for u in chosen(units, kinds)[0]))


@lru_cache(maxsize=1)
def _repeated_names() -> frozenset[str]:
    seen: dict[str, int] = {}
    for d in all_districts():
        seen[d.name] = seen.get(d.name, 0) + 1
    return frozenset(name for name, n in seen.items() if n > 1)


def province_bare(name: str) -> str:
    """``"Tỉnh Tiền Giang"`` → ``"Tiền Giang"``."""
    return _kind_and_bare(name, PROVINCE_KINDS)[1]


def district_label(district: District) -> str:
    """The district's name, with its province when other districts share it: ``"Huyện Châu Thành (Tiền Giang)"``."""
    if district.name in _repeated_names():
        return f"{district.name} ({province_bare(district.province)})"
    return district.name


# -- names as people type them ----------------------------------------------------------------


def _words(text: str) -> list[Token]:
    return [t for t in tokens(text) if t.is_word]


def _kind_prefix(toks: list[Token]) -> tuple[int, frozenset[str]]:
    end, kinds = kind_lexicon().longest(toks, 0)
    return end, frozenset(k for k in kinds if k)


def _provinces_in(text: str) -> set[str]:
    toks = _words(text)
    start, _ = _kind_prefix(toks)
    end, found = province_lexicon().longest(toks, start)
    return {p.province.name for p in found} if found and end == len(toks) else set()


@lru_cache(maxsize=4096)
def _resolve(name: str) -> tuple[District, ...]:
    """Every district ``name`` may stand for: ``"Q. Hai Bà Trưng"``, ``"hai ba trung"``, ``"Quận 1, TP HCM"``,
    ``"Huyện Châu Thành (Tiền Giang)"``."""
    head, _, province = name.replace("(", ",").replace(")", " ").partition(",")
    toks = _words(head)
    start, kinds = _kind_prefix(toks)
    end, units = unit_lexicon().longest(toks, start)
    if not units or end != len(toks):
        return ()
    districts = designated(units, kinds)
    if province.strip():
        named = _provinces_in(province)
        districts = [d for d in districts if d.province in named]
    return tuple(districts)


def canonical_districts(names: Iterable[str]) -> tuple[str, ...]:
    """Labels (:func:`district_label`) for district names as feeds write them; unknown and ambiguous ones are dropped."""
    found: dict[str, None] = {}
    for name in names:
        districts = _resolve(name)
        if len(districts) == 1:
            found.setdefault(district_label(districts[0]))
    return tuple(found)


def district_by_label(label: str) -> District | None:
    """The district a :func:`district_label` names."""
    districts = _resolve(label)
    return districts[0] if len(districts) == 1 else None


def match_filter(value: str, candidates: Iterable[str]) -> list[str]:
    """The candidates (district labels present in the index) that what a user typed designates.

    Unlike :func:`canonical_districts`, an ambiguous value keeps every candidate it may mean:
    ``hoang mai`` selects both Quận Hoàng Mai and Thị xã Hoàng Mai.
    """
    wanted = set(_resolve(value))
    return [c for c in dict.fromkeys(candidates) if wanted.intersection(_resolve(c))]

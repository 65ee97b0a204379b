"""Which places an article is about, from the way Vietnamese news names them, across the 2025 reform.

A unit counts only where the text says what it is: after its kind (``quận Hai Bà Trưng``,
``Q.1``, ``Huyện ủy Gia Lâm``, ``phường Hồng Hà``), in a list such a word opens (``quận Cầu
Giấy, Thanh Xuân``, ``các quận trong Cụm (Thanh Xuân, Hà Đông)``). Bare names are left
alone: ``phố Hai Bà Trưng`` is a street, ``hồ Hoàn Kiếm`` a lake. In cased text a name must be
capitalised, so ``thành phố vinh danh`` is not Thành phố Vinh.

A name may be a pre-2025 unit (vietnamese.places) or a current one (vietnamese.reform), in
several provinces. The province decides: the one named right next to it (``phường Hồng Hà,
Hà Nội``, ``(TP Hà Nội)``, ``tỉnh Thanh Hóa``), else those the article names or whose
unambiguous districts it names, else the corpus's home province; a name still ambiguous gives
nothing. From 1 July 2025 an article's names are read as current units first, before it as
former ones; words such as ``cũ`` and ``nay là`` (data/era_markers.tsv) say which is meant.
Lookups go through tries built once: one pass per article.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from vietnamese.places import (
    DISTRICT_KINDS,
    PROVINCE_KINDS,
    WARD_KINDS,
    District,
    Lexicon,
    Token,
    Unit,
    readings,
    kind_lexicon,
    province_lexicon,
    tokens,
    unit_lexicon,
    written_as,
)
from vietnamese.reform import NewWard, new_ward_lexicon, province_now, successors

# The corpus's home province: what a name no other evidence settles is taken to be in.
HOME_PROVINCE = "Thành phố Hà Nội"
REFORM_DAY = dt.date(2025, 7, 1)

_ERA_MARKERS_PATH = Path(__file__).parent.parent / "vietnamese" / "data" / "era_markers.tsv"
_SEPARATOR_MARKS = frozenset(",;/")
_SEPARATOR_WORDS = {"va": "và", "hoac": "hoặc"}  # folded → as written with diacritics
_LIST_OPENERS = frozenset("(:")
_PROVINCE_OPENERS = frozenset(",(-")
# Words allowed between a kind and the list it opens: "các quận trong Cụm (Thanh Xuân, …)".
_LOOKAHEAD = 5
_MARKER_WORDS = 4  # the longest phrase of data/era_markers.tsv, in words


class Places(NamedTuple):
    """What an article is about, each in order of first mention, title first."""

    districts: tuple[District, ...]  # pre-2025 districts: named, or those the current units named came from
    provinces: tuple[str, ...]  # current provinces
    wards: tuple[NewWard, ...]  # current commune-level units named
    links: tuple[NewWard, ...]  # the current units the article's units are or became part of


def find_places(title: str, body: str, date: dt.date | None = None) -> Places:
    """The places the article is about; ``date`` (its publication day) says which system it most likely uses."""
    text = f"{title}\n{body}"
    scan = _Scan(tokens(text), cased=text != text.lower(), current=date is not None and date >= REFORM_DAY)
    scan.run()
    era = None if date is None else ("current" if date >= REFORM_DAY else "former")
    evidence = _Evidence.of(scan)
    districts: dict[District, None] = {}
    provinces: dict[str, None] = {}
    wards: dict[NewWard, None] = {}
    links: dict[NewWard, None] = {}
    for mention in scan.mentions:
        olds, news = mention.resolve(evidence, era)
        for ward in news:
            wards.setdefault(ward)
            links.setdefault(ward)
            provinces.setdefault(ward.province)
            districts.update(dict.fromkeys(ward.districts))
        for unit in olds:
            districts.setdefault(unit.district)
            provinces.setdefault(province_now(unit.district.province))
            if unit.kind in WARD_KINDS:
                links.update(dict.fromkeys(successors(unit.district, f"{unit.kind} {unit.name}")))
    provinces.update(dict.fromkeys(province_now(p) for p in scan.provinces))
    return Places(tuple(districts), tuple(provinces), tuple(wards), tuple(links))


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    """Folded words where a kind or a province's name may begin: the scan looks up nothing else."""
    return frozenset(kind_lexicon().first_words() | province_lexicon().first_words())


@lru_cache(maxsize=1)
def _era_lexicons() -> dict[str, Lexicon[str]]:
    rows = [line.split("\t") for line in _ERA_MARKERS_PATH.read_text(encoding="utf-8").splitlines()]
    rows = [[cell.strip() for cell in row] for row in rows if row[0].strip() and not row[0].startswith("#")]
    # Phrases before a kind are stored backwards, to be read leftwards from the kind.
    return {
        "after": Lexicon((words, era) for where, words, era in rows if where == "after"),
        "before": Lexicon((" ".join(reversed(words.split())), era) for where, words, era in rows if where == "before"),
    }


class _Evidence(NamedTuple):
    """The provinces an article makes likely: as written (pre-2025 names) and as they are now."""

    named: frozenset[str]
    now: frozenset[str]
    districts: frozenset[District] = frozenset()  # districts named unambiguously

    @classmethod
    def of(cls, scan: "_Scan") -> "_Evidence":
        named = set(scan.provinces)
        districts = set()
        for m in scan.mentions:
            if not m.new and m.old and all(u.kind in DISTRICT_KINDS for u in m.old):
                if len({u.district for u in m.old}) == 1:
                    districts.add(m.old[0].district)
                    named.add(m.old[0].district.province)
        return cls(frozenset(named), frozenset(province_now(p) for p in named), frozenset(districts))


@dataclass
class _Mention:
    """A name after a kind, and every unit it may be."""

    old: list[Unit]  # pre-2025 units of the kind written
    promoted: list[Unit]  # pre-2025 units of a kind they were raised to ("xã Quý Lộc", a thị trấn since 2020)
    new: list[NewWard]  # current units
    era: str | None = None  # "former" or "current", when words next to it say so
    near: _Evidence | None = None  # provinces named right next to it

    def resolve(self, evidence: _Evidence, era: str | None) -> tuple[list[Unit], list[NewWard]]:
        """The one unit meant, as (pre-2025 units of one district, current units: at most one), or nothing."""
        era = "former" if self.era == "former" else era or self.era  # "nay là" in 2021 names a unit of 2021
        old = self.old + self.promoted if era is not None or not self.new else self.old
        if era == "current" and self.era == "current" and self.new:
            old = []
        new = [] if self.era == "former" else self.new
        if self.near is not None:
            old, new = _within(old, new, self.near)
        elif evidence.now:
            old, new = _within(old, new, evidence)
            if era == "current" and self.era is None and self.new and not new:
                # Since the reform, "phường Hai Bà Trưng" in an article about Phú Thọ may be Hà Nội's
                # current phường as well as Phúc Yên's former one: nothing, unless its province is named next to it.
                return [], []
        else:  # the article names no province: the home province, else the name's only unit
            home = _within(old, new, _Evidence(frozenset(), frozenset({HOME_PROVINCE})))
            old, new = home if any(home) else (old, new)
        if len(old) + len(new) > 1 and evidence.districts:  # "phường Đồng Tâm" where TP Yên Bái is named
            in_named = [u for u in old if u.district in evidence.districts]
            in_named_new = [w for w in new if evidence.districts.intersection(w.districts)]
            if in_named or in_named_new:
                old, new = in_named, in_named_new
        if era == "current" and new:
            old = []
        elif era == "former" and old:
            new = []
        if any(u in self.old for u in old):  # a unit of the kind written before one since promoted
            old = [u for u in old if u in self.old]
        districts = {u.district for u in old}
        if new and old:  # no date says which: the current unit, when the former one is part of it
            if len(new) == 1 and all(new[0] in successors(u.district, f"{u.kind} {u.name}") for u in old):
                return [], new
            return [], []
        if len(new) > 1 or len(districts) > 1:
            return [], []
        return old, new


def _within(old: list[Unit], new: list[NewWard], provinces: _Evidence) -> tuple[list[Unit], list[NewWard]]:
    """The units that lie in ``provinces``; a former unit in a province named as it was before 2025 first."""
    kept_old = [u for u in old if u.district.province in provinces.named]
    if not kept_old:
        kept_old = [u for u in old if province_now(u.district.province) in provinces.now]
    return kept_old, [w for w in new if w.province in provinces.now]


class _Scan:
    """One left-to-right pass that collects mentions (each with its candidates) and named provinces."""

    def __init__(self, toks: list[Token], cased: bool, current: bool = False) -> None:
        self.toks = toks
        self.cased = cased
        self.current = current  # published since the reform: an address lists wards, not districts
        words = [t for t in toks if t.is_word]
        # Diacritics in over a tenth of the words: the text has them, so unaccented words are meant as written.
        self.strict = 10 * sum(t.norm != t.key for t in words) > len(words)
        self.mentions: list[_Mention] = []
        self.provinces: list[str] = []  # pre-2025 names, in order
        self._kinds = kind_lexicon()
        self._units = unit_lexicon()
        self._new_units = new_ward_lexicon()
        self._province_names = province_lexicon()
        self._starts = _first_words()
        self._eras = _era_lexicons()

    def run(self) -> None:
        i = 0
        while i < len(self.toks):
            if self.toks[i].key not in self._starts:
                i += 1
                continue
            end, kinds = self._kind(i)
            if kinds:
                first, start = len(self.mentions), i
                i = self._after_kind(end, kinds)
                self._mark(first, self._era_before(start))
            elif end > i:  # "bà xã": a kind word that names no unit
                i = end
            else:
                end = self._province(i, after_kind=False)
                i = end if end > i else i + 1

    # -- pieces of text ------------------------------------------------------------------

    def _kind(self, i: int) -> tuple[int, frozenset[str]]:
        """Kind words at ``i``, chained like ``quận, huyện`` or ``quận/huyện``, and where they end."""
        end, found = self._kinds.longest(self.toks, i, strict=self.strict)
        kinds = frozenset(k for k in found if k)
        while kinds and self._is_separator(end):
            more_end, more = self._kinds.longest(self.toks, end + 1, strict=self.strict)
            if not more or not all(more):
                break
            end, kinds = more_end, kinds | frozenset(more)
        return end, kinds

    def _after_kind(self, i: int, kinds: frozenset[str]) -> int:
        """Reads what follows kind words at ``i``; returns where reading should resume."""
        first = len(self.mentions)
        end = self._unit(i, kinds, listed=False)
        if end > i:
            end = self._rest_of_list(end, kinds)
        elif kinds & PROVINCE_KINDS and (end := self._province(i, after_kind=True)) > i:
            return end
        else:
            end = self._opened_list(i, kinds)
        near = self._near_province(end)
        if near is not None:
            for m in self.mentions[first:]:
                m.near = near
        return end

    def _unit(self, i: int, kinds: frozenset[str], listed: bool) -> int:
        """Records the unit named at ``i``; returns its end, or ``i`` if none is."""
        end, units = self._units.longest(self.toks, i, strict=self.strict)
        new_end, news = self._new_units.longest(self.toks, i, keep=lambda w: w.kind in kinds, strict=self.strict)
        if new_end > end:
            end, units = new_end, []
        elif end > new_end:
            news = []
        if not (units or news) or not self._proper(i, end):
            return i
        if listed and (self._is_province_name(i, end) or any(u.is_province_name for u in units)):
            return i  # "thành phố Từ Sơn, Bắc Ninh" ends with the province
        if self.toks[i].key.isdigit() and not self._ends_number(end, strictly=listed or not self.strict):
            return i
        old, promoted = readings(units, kinds)
        if not (old or promoted) and listed and kinds & DISTRICT_KINDS:
            old, promoted = readings(units, frozenset())  # lists mix kinds: "thành phố Thanh Hóa, Thọ Xuân"
        if not (old or promoted or news):
            return i
        self.mentions.append(_Mention(old, promoted, news, era=self._era_after(end)))
        return end

    def _rest_of_list(self, j: int, kinds: frozenset[str]) -> int:
        """Further names of a list that reached ``j``: ``quận Cầu Giấy, Thanh Xuân và Tây Hồ``."""
        while self._is_separator(j):
            k = j + 1
            while self._is_separator(k):  # ", và"
                k += 1
            end = k
            if not kinds & DISTRICT_KINDS:
                # An address goes on from ward to district ("xã Đông Kết, Khoái Châu"); since the reform, to wards.
                order = (kinds, DISTRICT_KINDS) if self.current else (DISTRICT_KINDS, kinds)
                for tried in order:
                    if (end := self._unit(k, tried, listed=True)) > k:
                        kinds = tried
                        break
            else:
                end = self._unit(k, kinds, listed=True)
            if end == k:
                break
            j = end
        return j

    def _opened_list(self, i: int, kinds: frozenset[str]) -> int:
        """A list in parentheses or after a colon, a few words after kind words used as a common noun.

        The word after the kinds must be lowercase, so ``TP HCM: 1 ca`` opens no list.
        """
        k = i
        while k < len(self.toks) and k - i <= _LOOKAHEAD:
            tok = self.toks[k]
            if tok.text in _LIST_OPENERS:
                end = self._unit(k + 1, kinds, listed=True)
                return self._rest_of_list(end, kinds) if end > k + 1 else i
            if not tok.is_word or (k == i and self.cased and not tok.text.islower()) or self._kind(k)[1]:
                break
            k += 1
        return i

    def _province(self, i: int, after_kind: bool) -> int:
        """Records the province named at ``i``; returns its end, or ``i`` if none is."""
        end, found = self._read_province(i, after_kind)
        self.provinces.extend(found)
        return end

    def _read_province(self, i: int, after_kind: bool) -> tuple[int, list[str]]:
        end, found = self._province_names.longest(
            self.toks, i, keep=lambda p: after_kind or not p.needs_kind, strict=self.strict
        )
        if not found or not self._proper(i, end):
            return i, []
        return end, [p.province.name for p in found]

    def _near_province(self, j: int) -> _Evidence | None:
        """The provinces named right after a unit or list ending at ``j``: ``, Hà Nội``, ``(TP Hà Nội)``,
        ``, tỉnh Tiền Giang và tỉnh Bến Tre``."""
        named: list[str] = []
        k = j
        while k < len(self.toks) and (self.toks[k].text in _PROVINCE_OPENERS or (named and self._is_separator(k))):
            k += 1
            start, kinds = self._kind(k)
            if kinds and not kinds & PROVINCE_KINDS:
                break
            # Right after a unit, "(Hồ Chí Minh)" is the city, not the man.
            end, found = self._read_province(start, after_kind=True)
            if not found:
                break
            named += found
            k = end
        if not named:
            return None
        self.provinces.extend(named)
        return _Evidence(frozenset(named), frozenset(map(province_now, named)))

    # -- words that say which system a name belongs to ----------------------------------

    def _era_after(self, end: int) -> str | None:
        k = end + (end < len(self.toks) and self.toks[end].text == "(")
        _, eras = self._eras["after"].longest(self.toks, k, strict=self.strict)
        return eras[0] if eras else None

    def _era_before(self, start: int) -> str | None:
        k = start - 1
        while k >= 0 and self.toks[k].text == "(":
            k -= 1
        backwards = self.toks[max(0, k - _MARKER_WORDS) : k + 1][::-1] if k >= 0 else []
        _, eras = self._eras["before"].longest(backwards, 0, strict=self.strict)
        return eras[0] if eras else None

    def _mark(self, first: int, era: str | None) -> None:
        for m in self.mentions[first:]:
            m.era = m.era or era

    # -- tests on tokens -----------------------------------------------------------------

    def _is_province_name(self, i: int, end: int) -> bool:
        found_end, _ = self._read_province(i, after_kind=True)
        return found_end == end

    def _proper(self, i: int, end: int) -> bool:
        """Whether ``toks[i:end]`` is written as a proper name (when the text uses case at all)."""
        return not self.cased or all(t.text[0].isupper() or t.text[0].isdigit() for t in self.toks[i:end])

    def _is_separator(self, i: int) -> bool:
        if i >= len(self.toks):
            return False
        tok = self.toks[i]
        word = _SEPARATOR_WORDS.get(tok.key)
        return tok.text in _SEPARATOR_MARKS or (word is not None and written_as(tok, word, self.strict))

    def _ends_number(self, i: int, strictly: bool) -> bool:
        """Whether a number ending at ``i`` can be a district's: not ``1/3``; in lists and text without
        diacritics, nothing but punctuation may follow (``quận 7, 10 ngày``, ``truc quan 10 hanh khach``)."""
        if i >= len(self.toks):
            return True
        follower = self.toks[i]
        return follower.text != "/" and (not strictly or not follower.is_word or self._is_separator(i))

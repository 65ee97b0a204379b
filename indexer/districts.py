"""Which districts an article is about, from the way Vietnamese news names places.

A district counts only where the text says what it is: after its kind (``quận Hai Bà
Trưng``, ``Q.1``, ``Huyện ủy Gia Lâm``), in a list such a word opens (``quận Cầu Giấy,
Thanh Xuân``, ``các quận trong Cụm (Thanh Xuân, Hà Đông)``), or through one of its wards
(``phường Kim Mã``). Bare names are left alone: ``phố Hai Bà Trưng`` is a street, ``hồ
Hoàn Kiếm`` a lake. A name that several provinces share is kept only when the article
names exactly one of them. In cased text a name must be capitalised, so ``thành phố vinh
danh`` is not Thành phố Vinh. Lookups go through tries built once: one pass per article.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from vietnamese.places import (
    DISTRICT_KINDS,
    PROVINCE_KINDS,
    District,
    Token,
    designated,
    kind_lexicon,
    province_lexicon,
    tokens,
    unit_lexicon,
    written_as,
)

_SEPARATOR_MARKS = frozenset(",;/")
_SEPARATOR_WORDS = {"va": "và", "hoac": "hoặc"}  # folded → as written with diacritics
_LIST_OPENERS = frozenset("(:")
# Words allowed between a kind and the list it opens: "các quận trong Cụm (Thanh Xuân, …)".
_LOOKAHEAD = 5


def find_districts(title: str, body: str) -> tuple[str, ...]:
    """Canonical names of the districts the article is about, in order of first mention, title first."""
    text = f"{title}\n{body}"
    scan = _Scan(tokens(text), cased=text != text.lower())
    scan.run()
    names: dict[str, None] = {}
    for candidates in scan.mentions:
        district = _pick(candidates, scan.provinces)
        if district is not None:
            names.setdefault(district.name)
    return tuple(names)


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    """Folded words where a kind or a province's name may begin: the scan looks up nothing else."""
    return frozenset(kind_lexicon().first_words() | province_lexicon().first_words())


def _pick(candidates: Sequence[District], provinces: set[str]) -> District | None:
    """The one district meant, using the provinces the article names when the name is shared."""
    if len({d.province for d in candidates}) > 1:
        candidates = [d for d in candidates if d.province in provinces]
    return candidates[0] if len(candidates) == 1 else None


class _Scan:
    """One left-to-right pass that collects district mentions (each a list of candidates) and named provinces."""

    def __init__(self, toks: list[Token], cased: bool) -> None:
        self.toks = toks
        self.cased = cased
        words = [t for t in toks if t.is_word]
        # Diacritics in over a tenth of the words: the text has them, so unaccented words are meant as written.
        self.strict = 10 * sum(t.norm != t.key for t in words) > len(words)
        self.mentions: list[list[District]] = []
        self.provinces: set[str] = set()
        self._kinds = kind_lexicon()
        self._units = unit_lexicon()
        self._province_names = province_lexicon()
        self._starts = _first_words()

    def run(self) -> None:
        i = 0
        while i < len(self.toks):
            if self.toks[i].key not in self._starts:
                i += 1
                continue
            end, kinds = self._kind(i)
            if kinds:
                i = self._after_kind(end, kinds)
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
        end = self._unit(i, kinds, listed=False)
        if end > i:
            return self._rest_of_list(end, kinds)
        if kinds & PROVINCE_KINDS:
            end = self._province(i, after_kind=True)
            if end > i:
                return end
        return self._opened_list(i, kinds)

    def _unit(self, i: int, kinds: frozenset[str], listed: bool) -> int:
        """Records the district or ward named at ``i``; returns its end, or ``i`` if none is."""
        end, units = self._units.longest(self.toks, i, strict=self.strict)
        if not units or not self._proper(i, end):
            return i
        if listed and any(u.is_province_name for u in units):
            return i  # "thành phố Từ Sơn, Bắc Ninh" ends with the province
        if self.toks[i].key.isdigit() and not self._ends_number(end, strictly=listed or not self.strict):
            return i
        districts = designated(units, kinds)
        if not districts and listed and kinds & DISTRICT_KINDS:
            districts = designated(units, frozenset())  # lists mix kinds: "thành phố Thanh Hóa, Thọ Xuân"
        if not districts:
            return i
        self.mentions.append(districts)
        return end

    def _rest_of_list(self, j: int, kinds: frozenset[str]) -> int:
        """Further names of a list that reached ``j``: ``quận Cầu Giấy, Thanh Xuân và Tây Hồ``."""
        while self._is_separator(j):
            k = j + 1
            while self._is_separator(k):  # ", và"
                k += 1
            if not kinds & DISTRICT_KINDS and (end := self._unit(k, DISTRICT_KINDS, listed=True)) > k:
                kinds = DISTRICT_KINDS  # an address goes on from ward to district: "xã Đông Kết, Khoái Châu"
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
        end, found = self._province_names.longest(
            self.toks, i, keep=lambda p: after_kind or not p.needs_kind, strict=self.strict
        )
        if not found or not self._proper(i, end):
            return i
        self.provinces.update(p.province.name for p in found)
        return end

    # -- tests on tokens -----------------------------------------------------------------

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

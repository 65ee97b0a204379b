"""Vietnam's units since the reorganisation of 1 July 2025, and the former units each was made of.

Since that day there are 34 provinces and 3,321 commune-level units (phường, xã, đặc khu)
and no districts. The new units and the mapping from the former wards come from
vietnamadminunits (MIT): its ``dataset.db`` (table ``admin_units``: the new units; table
``admin_units_legacy``: the former ones as of June 2025, with the keys the converter uses)
and ``converter_2025.json`` (new unit ← former wards taken whole, and former wards split
between several new units). Its data files are read directly: importing the package would
pull in its geocoding parser, which nothing here needs. Links the data gets wrong are
dropped by ``data/reform_corrections.tsv``, each with its reason.

Former districts are matched to those of :mod:`vietnamese.places` (vietnam-provinces 0.6.0),
so a new ward's former districts are the same objects the rest of vnsearch already uses.
"""

from __future__ import annotations

import importlib.util
import re
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from vietnamese.places import (
    WARD_KINDS,
    District,
    Lexicon,
    all_districts,
    all_provinces,
    chosen,
    kind_lexicon,
    province_lexicon,
    tokens,
    unit_lexicon,
)
from vietnamese.text import fold

NEW_WARD_KINDS = frozenset({"Phường", "Xã", "Đặc khu"})
_CORRECTIONS_PATH = Path(__file__).parent / "data" / "reform_corrections.tsv"


class Former(NamedTuple):
    """A pre-2025 commune-level unit: its district (vietnam-provinces' object) and its name."""

    district: District
    ward: str  # "Phường Hàng Trống"; empty for an island district that had no wards


@dataclass(frozen=True, eq=False)  # compared by identity, like District
class NewWard:
    name: str  # "Phường Hồng Hà"
    bare: str  # "Hồng Hà"
    kind: str  # one of NEW_WARD_KINDS
    province: str  # "Thành phố Hà Nội"
    formers: tuple[Former, ...]

    @property
    def districts(self) -> tuple[District, ...]:
        """The former districts this unit was made from, each once."""
        return tuple(dict.fromkeys(f.district for f in self.formers))


@dataclass(frozen=True)
class NewProvince:
    name: str  # "Tỉnh Phú Thọ"
    bare: str  # "Phú Thọ"
    formers: tuple[str, ...]  # names of the provinces merged into it, in vietnamese.places' spelling


class Reform(NamedTuple):
    provinces: tuple[NewProvince, ...]
    wards: tuple[NewWard, ...]
    successors: dict[tuple[int, str], tuple[NewWard, ...]]  # (id(former district), folded former ward) → new units
    province_of: dict[str, str]  # former province name → the province it is part of now


def _data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("vietnamadminunits is not installed: run 'make install'.")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _key(name: str) -> str:
    """How vietnamadminunits keys a name: folded, without spaces (``Phường Hồng Hà`` → ``phuonghongha``)."""
    return re.sub(r"[^a-z0-9]", "", fold(name))


def _corrections() -> set[tuple[str, str, str]]:
    """(new province, new unit, former key) of the converter's links to drop."""
    dropped = set()
    for line in _CORRECTIONS_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            province, unit, old_province, old_district, old_ward, _reason = line.split("\t")
            dropped.add((_key(province), _key(unit), "_".join(map(_key, (old_province, old_district, old_ward)))))
    return dropped


def _the_one(districts: list[District], name: str) -> District:
    if len(districts) != 1:
        raise ValueError(f"vietnamadminunits' district {name!r} matches {len(districts)} of vietnam-provinces'")
    return districts[0]


@lru_cache(maxsize=1)
def reform() -> Reform:
    """The new provinces and units with their formers, read once."""
    data = _data_dir()
    with open(data / "converter_2025.json", encoding="utf-8") as f:
        converter = json.load(f)
    db = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
    try:
        legacy = db.execute("SELECT provinceKey, districtKey, districtShort, wardKey, ward FROM admin_units_legacy").fetchall()
        current = db.execute("SELECT provinceKey, wardKey, province, provinceShort, ward, wardShort, wardType FROM admin_units").fetchall()
    finally:
        db.close()

    old_provinces = {_key(p.name): p.name for p in all_provinces()}
    districts = {(_key(d.province), _key(d.name)): d for d in all_districts()}
    # A district raised in 2025 (Huyện Mộc Châu → Thị xã) is found by its bare name, when that is unique.
    bare: dict[tuple[str, str], list[District]] = defaultdict(list)
    for d in all_districts():
        bare[(_key(d.province), _key(d.bare))].append(d)
    formers: dict[str, Former] = {}
    for province_key, district_key, district_bare, ward_key, ward in legacy:
        province = _key(old_provinces[province_key])
        d = districts.get((province, district_key)) or _the_one(bare[(province, _key(district_bare))], district_bare)
        formers[f"{province_key}_{district_key}_{ward_key or ''}"] = Former(d, ward or "")

    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for province_key, units in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for unit_key, former_keys in units.items():
            links[(province_key, unit_key)].extend(former_keys)
    for province_key, split in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for former_key, parts in split.items():
            for part in parts:
                links[(province_key, part["newWardKey"])].append(former_key)
    for province_key, unit_key, former_key in _corrections():
        links[(province_key, unit_key)].remove(former_key)  # ValueError: a correction that corrects nothing

    provinces: dict[str, NewProvince] = {}
    wards = []
    successors: dict[tuple[int, str], list[NewWard]] = defaultdict(list)
    for province_key, unit_key, province, province_bare, name, bare, kind in current:
        if province_key not in provinces:
            merged = tuple(old_provinces[k] for k in converter["DICT_PROVINCE"][province_key])
            provinces[province_key] = NewProvince(province, province_bare, merged)
        ward = NewWard(name, bare, kind, province, tuple(formers[k] for k in dict.fromkeys(links[(province_key, unit_key)])))
        wards.append(ward)
        for former in ward.formers:
            successors[(id(former.district), fold(former.ward))].append(ward)
    province_of = {old: p.name for p in provinces.values() for old in p.formers}
    return Reform(
        tuple(provinces.values()), tuple(wards), {k: tuple(v) for k, v in successors.items()}, province_of
    )


def new_provinces() -> tuple[NewProvince, ...]:
    """The 34 provinces and centrally-run cities since 1 July 2025."""
    return reform().provinces


def new_wards() -> tuple[NewWard, ...]:
    """The 3,321 commune-level units since 1 July 2025."""
    return reform().wards


def province_now(old_province: str) -> str:
    """The current province a pre-2025 province (vietnamese.places' name) is part of."""
    return reform().province_of[old_province]


def successors(district: District, ward: str) -> tuple[NewWard, ...]:
    """The new units a pre-2025 ward (``"Phường Hàng Trống"`` of its district) became part of."""
    return reform().successors.get((id(district), fold(ward)), ())


# -- names -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _labels() -> dict[str, NewWard]:
    counts: dict[str, int] = defaultdict(int)
    for w in new_wards():
        counts[w.name] += 1
    return {w.name if counts[w.name] == 1 else f"{w.name} ({_province_bare(w.province)})": w for w in new_wards()}


@lru_cache(maxsize=1)
def _label_of() -> dict[int, str]:
    return {id(w): label for label, w in _labels().items()}


def _province_bare(name: str) -> str:
    return next(p.bare for p in new_provinces() if p.name == name)


def ward_label(ward: NewWard) -> str:
    """The unit's name, with its province when units elsewhere share it: ``"Xã Tân Long (Cần Thơ)"``."""
    return _label_of()[id(ward)]


def ward_by_label(label: str) -> NewWard | None:
    return _labels().get(label)


@lru_cache(maxsize=1)
def new_ward_lexicon() -> Lexicon[NewWard]:
    """Bare names of the new units, for lookups in running text."""
    return Lexicon((w.bare, w) for w in new_wards())


def provinces_named(value: str) -> tuple[str, ...]:
    """The current provinces a typed name means: ``"Hà Nội"``, ``"tp hcm"``, ``"Vĩnh Phúc"`` (now in Phú Thọ)."""
    toks = [t for t in tokens(value) if t.is_word]
    start, _ = kind_lexicon().longest(toks, 0)
    end, found = province_lexicon().longest(toks, start)
    if not found or end != len(toks):
        return ()
    return tuple(dict.fromkeys(province_now(p.province.name) for p in found))


def wards_named(value: str) -> tuple[NewWard, ...]:
    """The new units a typed name means: ``"Phường Hoàn Kiếm"``, ``"hoan kiem"``, ``"Xã Tân Long (Cần Thơ)"``,
    ``"Hồng Hà, Hà Nội"``; a former ward's name (``"Hàng Trống"``) means the units it became part of."""
    head, _, province = value.replace("(", ",").replace(")", " ").partition(",")
    toks = [t for t in tokens(head) if t.is_word]
    start, kinds = kind_lexicon().longest(toks, 0)
    kinds = [k for k in kinds if k]
    end, found = new_ward_lexicon().longest(toks, start, keep=lambda w: not kinds or w.kind in kinds)
    if not found or end != len(toks):
        end, units = unit_lexicon().longest(toks, start)
        if end != len(toks):
            return ()
        found = [s for u in chosen(units, frozenset(kinds) or WARD_KINDS)[0] for s in successors(u.district, f"{u.kind} {u.name}")]
    if province.strip():
        named = set(provinces_named(province))
        found = [w for w in found if w.province in named]
    return tuple(dict.fromkeys(found))

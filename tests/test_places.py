"""The gazetteer and the two ways names reach it: feeds (canonical_districts) and users (match_filter)."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vietnamese.places import DISTRICT_KINDS, all_districts, canonical_districts, match_filter
from vietnamese.text import fold

HANOI = [d for d in all_districts() if d.province == "Thành phố Hà Nội"]
HANOI_NAMES = [d.name for d in HANOI]


def test_districts_carry_kind_province_and_wards():
    hbt = next(d for d in all_districts() if d.name == "Quận Hai Bà Trưng")
    assert (hbt.bare, hbt.kind, hbt.province) == ("Hai Bà Trưng", "Quận", "Thành phố Hà Nội")
    assert "Phường Bạch Mai" in {w.name for w in hbt.wards}
    assert {w.bare for w in hbt.wards} >= {"Bạch Mai", "Bách Khoa"}


def test_kind_comes_from_the_name_and_is_spelled_one_way():
    assert {d.kind for d in all_districts()} == DISTRICT_KINDS
    # The data writes "Thành Phố Bắc Kạn"; the canonical name uses the usual spelling of the kind.
    assert "Thành phố Bắc Kạn" in {d.name for d in all_districts()}
    assert all(d.name == f"{d.kind} {d.bare}" for d in all_districts())


@pytest.mark.parametrize(
    "written",
    [
        "Quận Hai Bà Trưng",
        "Hai Bà Trưng",
        "quan hai ba trung",
        "QUẬN HAI BÀ TRƯNG",
        "Q. Hai Bà Trưng",
        "Q.Hai Bà Trưng",
        unicodedata.normalize("NFD", "Quận Hai Bà Trưng"),
        "  Quận   Hai Bà Trưng ",
        "HBT",
    ],
)
def test_canonical_districts_reads_the_ways_feeds_write_a_name(written):
    assert canonical_districts([written]) == ("Quận Hai Bà Trưng",)


def test_canonical_districts_accepts_either_tone_placement():
    assert canonical_districts(["Huyện Ứng Hoà"]) == canonical_districts(["Huyện Ứng Hòa"]) == ("Huyện Ứng Hòa",)


def test_canonical_districts_drops_unknown_and_keeps_order_without_duplicates():
    names = ["Cầu Giấy", "Atlantis", "Quận Ba Đình", "cau giay", "Thành phố Hà Nội"]
    assert canonical_districts(names) == ("Quận Cầu Giấy", "Quận Ba Đình")


def test_a_name_several_provinces_share_needs_its_kind_or_province():
    assert canonical_districts(["Hoàng Mai"]) == ()  # a quận of Hà Nội and a thị xã of Nghệ An
    assert canonical_districts(["Quận Hoàng Mai"]) == ("Quận Hoàng Mai",)
    assert canonical_districts(["Huyện Châu Thành"]) == ()
    # Ten districts share that name: each is told apart by its province.
    assert canonical_districts(["Huyện Châu Thành, Tỉnh Tiền Giang"]) == ("Huyện Châu Thành (Tiền Giang)",)
    assert canonical_districts(["Huyện Châu Thành (Tiền Giang)"]) == ("Huyện Châu Thành (Tiền Giang)",)
    assert canonical_districts(["Châu Thành, Tiền Giang"]) == ("Huyện Châu Thành (Tiền Giang)",)
    assert canonical_districts(["Châu Thành, Hà Nội"]) == ()


def test_without_diacritics_a_name_may_mean_several_places():
    assert canonical_districts(["Thanh Trì"]) == ("Huyện Thanh Trì",)
    assert canonical_districts(["Thanh Tri"]) == ()  # also Huyện Thạnh Trị, Sóc Trăng
    assert canonical_districts(["Thanh Tri, Ha Noi"]) == ("Huyện Thanh Trì",)


@pytest.mark.parametrize("written", ["Quận 1, TP Hồ Chí Minh", "Quận 1, TP.HCM", "Q.1", "quan 1, thanh pho ho chi minh"])
def test_numbered_districts(written):
    assert canonical_districts([written]) == ("Quận 1",)


def test_old_names_reach_the_current_unit():
    assert canonical_districts(["Quận 9", "Quận Thủ Đức"]) == ("Thành phố Thủ Đức",)
    assert canonical_districts(["Thị xã Dĩ An"]) == ("Thành phố Dĩ An",)  # a thành phố since 2020
    assert canonical_districts(["Huyện Từ Sơn"]) == ("Thành phố Từ Sơn",)


def test_units_are_promoted_never_demoted():
    assert canonical_districts(["Quận Ba Vì"]) == ()  # Ba Vì is a huyện, and no quận ever became one
    assert canonical_districts(["Thị xã 1"]) == ()  # a number is no promoted Quận 1


@pytest.mark.parametrize(
    "typed", ["hai ba trung", "Hai Bà Trưng", "Quận Hai Bà Trưng", "quận hai bà trưng", "q. hai ba trung", "HBT", "hbt"]
)
def test_match_filter_finds_the_district_however_it_is_typed(typed):
    assert match_filter(typed, ["Quận Ba Đình", "Quận Hai Bà Trưng", "Huyện Đông Anh"]) == ["Quận Hai Bà Trưng"]


def test_match_filter_keeps_every_district_an_ambiguous_value_may_mean():
    present = ["Quận Hoàng Mai", "Thị xã Hoàng Mai", "Quận Cầu Giấy"]
    assert match_filter("hoang mai", present) == ["Quận Hoàng Mai", "Thị xã Hoàng Mai"]
    assert match_filter("thị xã Hoàng Mai", present) == ["Thị xã Hoàng Mai"]
    assert match_filter("thị xã Hoàng Mai", ["Quận Hoàng Mai"]) == []


def test_match_filter_returns_nothing_for_what_is_not_there():
    assert match_filter("Đông Anh", ["Quận Ba Đình"]) == []
    assert match_filter("Atlantis", ["Quận Ba Đình"]) == []
    assert match_filter("", ["Quận Ba Đình"]) == []
    assert match_filter("Hai", ["Quận Hai Bà Trưng"]) == []  # whole names only


def test_match_filter_lists_each_candidate_once_in_the_given_order():
    assert match_filter("Thủ Đức", ["Thành phố Thủ Đức", "Quận 1", "Thành phố Thủ Đức"]) == ["Thành phố Thủ Đức"]


def _forms(d):
    """Ways a user or a feed may write a district of Hà Nội."""
    return st.sampled_from(
        [
            d.name,
            d.name.upper(),
            unicodedata.normalize("NFD", d.name),
            fold(d.name),
            d.bare,
            fold(d.bare),
            unicodedata.normalize("NFD", d.bare),
        ]
    )


@given(st.sampled_from(HANOI).flatmap(lambda d: st.tuples(st.just(d), _forms(d))))
def test_every_form_of_a_hanoi_district_selects_it_in_a_filter(district_and_form):
    district, form = district_and_form
    assert match_filter(form, HANOI_NAMES) == [district.name]


@given(st.sampled_from(HANOI).flatmap(lambda d: st.tuples(st.just(d), _forms(d))))
def test_every_form_of_a_hanoi_district_with_its_city_is_canonical(district_and_form):
    district, form = district_and_form
    assert canonical_districts([f"{form}, Hà Nội"]) == (district.name,)
    assert canonical_districts([f"{form}, thanh pho ha noi"]) == (district.name,)

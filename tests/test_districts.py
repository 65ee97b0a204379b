"""Which districts an article is about: the seeds, then one rule per small sentence."""

import unicodedata
from pathlib import Path

import pytest

from indexer.districts import find_places

CORPUS = Path(__file__).parent.parent / "corpus"
CUM_2 = ("Quận Thanh Xuân", "Quận Hà Đông", "Quận Tây Hồ", "Quận Nam Từ Liêm", "Quận Bắc Từ Liêm", "Quận Cầu Giấy")


def _seed(prefix: str) -> tuple[str, str]:
    """Title = first non-empty line, body = the rest."""
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    lines = path.read_text(encoding="utf-8").strip().split("\n")
    return lines[0], "\n".join(lines[1:])


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        ("000", ("Quận Hai Bà Trưng",)),
        ("001", ("Quận Hoàn Kiếm",)),
        ("002", ("Quận Thanh Xuân",)),
        ("003", CUM_2),
        ("004", ("Quận Thanh Xuân",)),  # "chung cư mini Khương Đình" is a building, not phường Khương Đình
    ],
)
def test_seeds(seed, expected):
    assert find_districts(*_seed(seed)) == expected


def find_districts(title: str, body: str) -> tuple[str, ...]:
    return tuple(d.name for d in find_places(title, body).districts)


def districts(text: str) -> tuple[str, ...]:
    return find_districts("", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cháy nhà ở quận Hai Bà Trưng", "Quận Hai Bà Trưng"),
        ("Người dân huyện Đông Anh đón Tết", "Huyện Đông Anh"),
        ("Hội nghị tại thị xã Sơn Tây", "Thị xã Sơn Tây"),
        ("Dự án ở thành phố Thủ Đức", "Thành phố Thủ Đức"),
        ("QUẬN HAI BÀ TRƯNG RA QUÂN", "Quận Hai Bà Trưng"),
        ("Quận Ba Đình: khai trương", "Quận Ba Đình"),
        ("Trụ sở ở Q. Ba Đình", "Quận Ba Đình"),
        ("Trụ sở ở Q.Ba Đình", "Quận Ba Đình"),
        ("Đường về TX Sơn Tây", "Thị xã Sơn Tây"),
        ("Công an TP. Thủ Đức", "Thành phố Thủ Đức"),
        ("Xã Tân Thông Hội, H. Củ Chi", "Huyện Củ Chi"),
        ("Phó Bí thư Quận ủy Thanh Xuân", "Quận Thanh Xuân"),
        ("Thường trực Huyện ủy Gia Lâm", "Huyện Gia Lâm"),
        ("Bí thư Thị ủy Sơn Tây", "Thị xã Sơn Tây"),
        ("Chủ tịch UBND quận Cầu Giấy", "Quận Cầu Giấy"),
        ("Bệnh viện Quận 10 tiếp nhận", "Quận 10"),
        ("Bệnh viện Quận 2 cũ", "Thành phố Thủ Đức"),  # merged into Thủ Đức in 2021
        ("UBND thị xã Dĩ An", "Thành phố Dĩ An"),  # the kind it had before 2020
    ],
)
def test_a_name_after_its_kind(text, expected):
    assert districts(text) == (expected,)


@pytest.mark.parametrize(
    "text",
    [
        "Ủy ban MTTQ thành phố Hà Nội",  # a province, not a district
        "Thành ủy Hà Nội tặng bằng khen",
        "Nhà số 5 phố Hai Bà Trưng",  # a street
        "Dạo quanh hồ Hoàn Kiếm",  # a lake
        "Hai Bà Trưng khởi nghĩa năm 40",
        "hỗ trợ nạn nhân vụ hỏa hoạn chung cư mini Khương Đình",
        "MTTQ từ quận tới cơ sở",
        "Ủy ban thành phố vinh danh các tập thể",  # not Thành phố Vinh: a name is capitalised
        "Bà xã Thành Trung khoe ảnh con gái",  # his wife, not xã Thành Trung
        "Bài báo Q1 trên tạp chí quốc tế",  # a journal quartile
        "Nhà tôi ở xa Kim Mã",  # "xa" (far) in text with diacritics is not "xã"
    ],
)
def test_no_district(text):
    assert districts(text) == ()


def test_lists_opened_by_a_kind():
    assert districts("trong đó quận Cầu Giấy, Thanh Xuân, Tây Hồ có tỷ lệ cao nhất") == (
        "Quận Cầu Giấy",
        "Quận Thanh Xuân",
        "Quận Tây Hồ",
    )
    assert districts("các huyện Sóc Sơn và Mê Linh") == ("Huyện Sóc Sơn", "Huyện Mê Linh")
    assert districts("Ủy ban MTTQ các quận trong Cụm (Thanh Xuân, Hà Đông, Tây Hồ, Nam Từ Liêm, Bắc Từ Liêm, Cầu Giấy) đã") == CUM_2
    assert districts("ở 5 huyện: Hoài Đức, Đông Anh, Thanh Trì, Gia Lâm và Đan Phượng") == (
        "Huyện Hoài Đức",
        "Huyện Đông Anh",
        "Huyện Thanh Trì",
        "Huyện Gia Lâm",
        "Huyện Đan Phượng",
    )
    assert districts("các quận, huyện Ba Đình, Đông Anh") == ("Quận Ba Đình", "Huyện Đông Anh")


def test_a_list_ends_where_its_names_do():
    assert districts("tại thành phố Từ Sơn, Bắc Ninh") == ("Thành phố Từ Sơn",)  # Bắc Ninh: the province
    assert districts("tại quận 1, 3 và 5") == ("Quận 1", "Quận 3", "Quận 5")
    assert districts("Ở quận 7, 10 ngày sau") == ("Quận 7",)
    assert districts("Công an quận Hoàn Kiếm, Lê Văn Minh cho biết") == ("Quận Hoàn Kiếm",)


def test_title_comes_first_then_order_of_mention():
    assert find_districts("Huyện Gia Lâm mở đường", "Xe từ quận Ba Đình về huyện Gia Lâm") == (
        "Huyện Gia Lâm",
        "Quận Ba Đình",
    )


def test_a_ward_names_its_district():
    assert districts("Công an phường Kim Mã") == ("Quận Ba Đình",)
    assert districts("Công an P. Kim Mã") == ("Quận Ba Đình",)
    assert districts("sống ở xã Thành Trung") == ("Huyện Bình Tân",)
    # An address goes on from ward to district.
    assert districts("tại thị trấn Phong Hải, Bảo Thắng, Lào Cai") == ("Huyện Bảo Thắng",)


def test_a_ward_name_several_districts_share_needs_the_province():
    # Thanh Oai (Hà Nội) and Chợ Mới (Bắc Kạn): with no province named, the corpus's home, Hà Nội.
    assert districts("tại xã Thanh Mai") == ("Huyện Thanh Oai",)
    assert districts("tại xã Thanh Mai, Bắc Kạn") == ("Huyện Chợ Mới",)
    assert districts("Bắc Kạn: lúa chín ở xã Thanh Mai") == ("Huyện Chợ Mới",)
    assert districts("Cao Bằng, Lạng Sơn: lúa chín ở xã Thanh Mai") == ()
    assert districts("ở phường 12, quận 10") == ("Quận 10",)
    assert districts("ở phường 12") == ()


def test_a_shared_district_name_needs_exactly_one_of_its_provinces():
    assert districts("Nông dân huyện Châu Thành thu hoạch lúa") == ()
    assert districts("Nông dân huyện Châu Thành (Tiền Giang) thu hoạch lúa") == ("Huyện Châu Thành",)
    assert districts("Nông dân huyện Châu Thành, tỉnh Tiền Giang và tỉnh Bến Tre") == ()
    assert districts("Lũ ở huyện Tam Nông, Phú Thọ") == ("Huyện Tam Nông",)


def test_provinces_are_named_in_their_usual_forms():
    for province in ["TP Hồ Chí Minh", "TP.HCM", "TPHCM", "Thành phố Hồ Chí Minh"]:
        assert districts(f"{province}: lễ ra quân ở phường Hiệp Tân") == ("Quận Tân Phú",)
    assert districts("Tây Ninh: lễ ra quân ở phường Hiệp Tân") == ("Thị xã Hòa Thành",)
    # Hồ Chí Minh alone is usually the man.
    assert districts("làm theo tư tưởng, phong cách Hồ Chí Minh ở phường Hiệp Tân") == ()


def test_spelling_does_not_matter():
    assert districts("Dan quan Hai Ba Trung don Tet") == ("Quận Hai Bà Trưng",)
    assert districts("nha o phuong Kim Ma") == ("Quận Ba Đình",)
    assert districts("Benh vien tai Quan 12, TP HCM") == ("Quận 12",)
    assert districts("hội nghị ở quận hai bà trưng") == ("Quận Hai Bà Trưng",)  # no capitals anywhere: case says nothing
    assert districts(unicodedata.normalize("NFD", "Lúa ở huyện Ứng Hoà")) == ("Huyện Ứng Hòa",)


@pytest.mark.parametrize(
    "text",
    [
        "Ca si Phuong Thanh chia se",  # Phương Thanh, the singer; and xã Thanh never became a phường
        "Hai quan Quang Binh thong bao",  # Hải quan (customs), not a quận
        "khoi u chiem thuc quan 1/3",  # thực quản (oesophagus), one third
        "hop tai co quan Chu tich nuoc",  # cơ quan (agency)
    ],
)
def test_words_without_diacritics_that_only_look_like_kinds(text):
    assert districts(text) == ()

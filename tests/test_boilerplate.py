"""Site boilerplate never reaches the index, and article text always does."""

from indexer.boilerplate import clean, is_boilerplate


def test_footer_and_everything_after_it_go():
    page = ["Tiêu đề", "Nội dung bài.", "Latest news", "Một tin khác", "Write your comment"]
    assert clean(page) == ["Tiêu đề", "Nội dung bài."]


def test_poll_heading_takes_its_question_with_it():
    page = ["Nội dung bài.", "Bình chọn Bình chọn", "", "Theo bạn Hà Nội có nên xây dựng thành phố thông minh hay không?"]
    assert clean(page) == ["Nội dung bài."]


def test_a_phrase_written_twice_is_a_category_header():
    header = "Thông tin hoạt động Đảng- Tổ chức chính trị xã hội Thông tin hoạt động Đảng- Tổ chức chính trị xã hội"
    assert clean([header, "", "Tiêu đề"]) == ["Tiêu đề"]


def test_a_caption_shown_twice_in_a_row_is_kept_once():
    caption = "Đại diện các tầng lớp Nhân dân chúc mừng Đại hội"
    assert clean(["Đoạn một.", caption, "", caption, "Đoạn hai.", caption]) == ["Đoạn một.", caption, "Đoạn hai.", caption]


def test_matching_ignores_case_spacing_and_tone_placement():
    assert clean(["Nội dung.", "  LATEST\u00a0NEWS ", "bị bỏ"]) == ["Nội dung."]
    assert is_boilerplate("Danh mục tin tức")
    assert is_boilerplate("Kết quả bình chọn Hàng Việt Nam được người tiêu dùng yêu thích 2020")
    assert is_boilerplate("| Lượt xem: 15")
    assert is_boilerplate("Capcha:   L?y l?i m\ufffd b?o m?t")


def test_article_text_is_not_boilerplate():
    assert not is_boilerplate("Bình chọn các tập thể tiêu biểu diễn ra vào sáng nay.")
    assert clean(["  Đoạn có khoảng trắng.  "]) == ["Đoạn có khoảng trắng."]

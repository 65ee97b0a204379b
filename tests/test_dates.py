"""Publication dates: what a user filtering by date relies on. A wrong date is worse than none."""

import datetime as dt

import pytest

from indexer.dates import event_date, parse_date, split_stamp


@pytest.mark.parametrize(
    "line, rest, date",
    [
        ("28/01/2024 - 06:20 PM", "", dt.date(2024, 1, 28)),
        ("12/01/2021 | 16:14  | Lượt xem: 15", "| Lượt xem: 15", dt.date(2021, 1, 12)),
        ("Cụm Thi đua số 2 triển khai nhiệm vụ năm 2023 (21:14 09/11/2022)", "Cụm Thi đua số 2 triển khai nhiệm vụ năm 2023", dt.date(2022, 11, 9)),
        ("31/02/2024 - 10:00", "", None),  # a timestamp, but no such day
    ],
)
def test_timestamps_are_found_and_cut_out(line, rest, date):
    assert split_stamp(line) == (rest, date)


@pytest.mark.parametrize("line", ["Sáng ngày 08/01/2021 tại hội trường", "Năm 2023, lúc 10 giờ", "Tổng số 12/15 đơn vị"])
def test_dates_in_running_text_are_not_timestamps(line):
    assert split_stamp(line) is None


def test_year_of_a_congress_is_the_first_year_of_its_term():
    lead = "Ngày 14/6, Ủy ban MTTQ quận Thanh Xuân tổ chức Đại hội đại biểu lần thứ VI, nhiệm kỳ 2024-2029, với chủ đề…"
    assert event_date(lead, lead) == dt.date(2024, 6, 14)


def test_year_from_the_same_day_written_in_full_elsewhere():
    assert event_date("HNP - Ngày 9/11, tại quận Thanh Xuân", "… báo cáo ngày 9/11/2022 …") == dt.date(2022, 11, 9)


@pytest.mark.parametrize(
    "lead, text",
    [
        ("Ngày 9/11, tại quận Thanh Xuân, hội nghị tổng kết.", ""),  # nothing says which year
        ("Ngày 9/11, hội nghị diễn ra. Đại hội nhiệm kỳ 2024-2029 sẽ…", ""),  # the term is another sentence's
        ("Ngày 9/11, hội nghị diễn ra.", "9/11/2021 và 9/11/2022"),  # two candidate years
        ("Ngày 29/2, Đại hội nhiệm kỳ 2023-2028 khai mạc.", ""),  # 2023 has no 29 February
        ("Theo kế hoạch, đến ngày 30/6/2024 sẽ hoàn thành.", ""),  # a deadline, not the opening
    ],
)
def test_no_date_is_invented(lead, text):
    assert event_date(lead, text) is None


def test_a_full_date_opening_the_lead_is_used():
    assert event_date("Sáng ngày 08/01/2021 tại hội trường, …", "") == dt.date(2021, 1, 8)


@pytest.mark.parametrize(
    "value, date",
    [
        ("20201218", dt.date(2020, 12, 18)),
        ("2020-12-18", dt.date(2020, 12, 18)),
        ("2020-12-18T14:12:49+07:00", dt.date(2020, 12, 18)),
        ("20200231", None),
        ("2020-02-30", None),
        ("18/12/2020", None),
        ("yesterday", None),
    ],
)
def test_metadata_dates(value, date):
    assert parse_date(value) == date

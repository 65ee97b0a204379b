"""Publication dates, from scraped pages and from metadata fields.

Pages print the date as a timestamp next to the title (``28/01/2024 - 06:20 PM``,
``12/01/2021 | 16:14``, ``(21:14 09/11/2022)``). Pages without one usually open
with the day of the event they report (``Ngày 14/6, …``), without a year; the
year is taken only from the text itself, never guessed, since a wrong date is
worse than none for a user filtering by date.
"""

from __future__ import annotations

import datetime as dt
import re

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M\b)?"
# A day/month/year with a time of day before or after it: the page's own timestamp,
# as opposed to dates mentioned in the text, which come without a time.
_STAMP = re.compile(
    rf"\(?\s*(?P<before>(?<!\d){_TIME}\s*[-|,]?\s*)?"
    r"(?<!\d)(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})(?!\d)"
    rf"(?P<after>\s*[-|,]?\s*(?<!\d){_TIME})?\s*\)?",
    re.IGNORECASE,
)
# "ngày 14/6" or "ngày 14/6/2024" opening the report of an event.
_EVENT_DAY = re.compile(
    r"(?<!\w)ngày\s+(?P<day>\d{1,2})/(?P<month>\d{1,2})(?:/(?P<year>\d{4}))?(?![\d/])", re.IGNORECASE
)
_FULL_DATE = re.compile(r"(?<![\d/])(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})(?![\d/])")
# A congress (Đại hội) "nhiệm kỳ 2024-2029" is held in the first year of its term.
_CONGRESS_TERM = re.compile(
    r"đại hội\b[^.!?]*?\bnhiệm kỳ\s*(?P<first>\d{4})\s*[-–—]\s*(?P<last>\d{4})", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
# The opening phrase of a lead ends at its first punctuation: "Ngày 14/6, …", "Sáng ngày 8/1 tại …".
_OPENING_END = re.compile(r"[,;:!?]|\.(?=\s|$)")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_COMPACT_DAY = re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})")


def split_stamp(line: str) -> tuple[str, dt.date | None] | None:
    """``line`` without its first timestamp, and the timestamp's date (None if impossible);
    None when the line has no timestamp."""
    for match in _STAMP.finditer(line):
        if match["before"] or match["after"]:
            rest = (line[: match.start()] + " " + line[match.end() :]).strip()
            return rest, _date(match["year"], match["month"], match["day"])
    return None


def event_date(lead: str, text: str) -> dt.date | None:
    """The date of the event a page's lead paragraph opens with (``Ngày 14/6, …``).

    Only a date in the opening phrase counts: later ones are often deadlines or
    past events (``…, đến ngày 30/6 sẽ hoàn thành``). A missing year comes from
    ``text``: the same day and month written in full elsewhere, else the congress
    term named in the sentence of the date.
    """
    opening = _OPENING_END.split(lead, maxsplit=1)[0]
    match = _EVENT_DAY.search(opening)
    if match is None:
        return None
    day, month = int(match["day"]), int(match["month"])
    year = match["year"] or _year_written(text, day, month) or _congress_year(lead, match.end())
    return _date(year, month, day) if year else None


def parse_date(value: str) -> dt.date | None:
    """A metadata date: ``YYYYMMDD`` (corpus headers) or ISO ``YYYY-MM-DD[THH:MM…]`` (JSON)."""
    value = value.strip()
    if match := _COMPACT_DAY.fullmatch(value):
        return _date(match["year"], match["month"], match["day"])
    if _ISO_DAY.match(value):
        try:
            return dt.datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None


def _year_written(text: str, day: int, month: int) -> int | None:
    """The year of ``day/month/year`` in ``text``, if the text gives exactly one."""
    years = {
        int(m["year"]) for m in _FULL_DATE.finditer(text) if (int(m["day"]), int(m["month"])) == (day, month)
    }
    return years.pop() if len(years) == 1 else None


def _congress_year(lead: str, position: int) -> int | None:
    """First year of the congress term named in the sentence around ``position``."""
    start = max((m.end() for m in _SENTENCE_END.finditer(lead, 0, position)), default=0)
    end_match = _SENTENCE_END.search(lead, position)
    sentence = lead[start : end_match.end() if end_match else len(lead)]
    match = _CONGRESS_TERM.search(sentence)
    if match and int(match["first"]) < int(match["last"]):
        return int(match["first"])
    return None


def _date(year: str | int, month: str | int, day: str | int) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None

"""Corpus files → articles, with a plain-words problem for everything that can't be used.

Four shapes of input: pages scraped from news sites (``.txt`` with boilerplate,
timestamp and byline to take apart), clean exports (``.txt`` with ``# key = value``
header lines), ``.jsonl`` (one article per line) and web pages (``.html``, saved or
crawled, whose main text :mod:`indexer.html` finds). Metadata a file states
(header, JSON field) must be valid, or the article is refused: a silently dropped
date would make the article vanish from date-filtered searches without a trace.
What is only guessed from a scraped page is kept when found and left out otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from html import unescape
from itertools import takewhile

from indexer import boilerplate
from indexer.article import Article, Problem
from indexer.dates import event_date, parse_date, split_stamp
from indexer.decode import DecodeError, decode, decode_lines, looks_vietnamese, nfc
from indexer.html import extract
from indexer.read import HTML_SUFFIXES, MiB, SourceFile

# One JSON record is one article; anything this big is a broken export.
MAX_RECORD_BYTES = 2 * MiB
# Words and signs (each a token of pyvi's, whose tagging is most of an article's analysis) one
# article may have: a long article has 5,000; this many, all different, take 5 s to analyse
# (bench/file_cost.py). Past it, the article is refused rather than tying up the indexer: the
# bytes limit alone allows 2 million tokens (``a.a.a.…``), 15 s and more of analysis.
MAX_ARTICLE_TOKENS = 100_000
_TOKEN = re.compile(r"\w+|[^\w\s]")

_HEADER = re.compile(r"#\s*(?P<key>\w+)\s*=\s*(?P<value>.*)")
_HTTP_URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
# Closing lines of a scraped article: "Nguồn KTĐT: https://…", "(UBMTTQ quận)", "Tin: Bích Ngọc".
_SOURCE = re.compile(r"Nguồn(?:\s+[A-ZĐ]\S*)?\s*:\s*(?P<ref>.*)")
_CREDIT = re.compile(r"\([^()]{1,60}\)")
_BYLINE_ROLE = re.compile(r"(?:tin|bài|ảnh)(?:\s*(?:,|và)\s*(?:tin|bài|ảnh))*\s*:\s*", re.IGNORECASE)


# A page that does not call itself an article (og:type) is taken for one only with a date and this much text.
MIN_UNTYPED_ARTICLE_CHARS = 1000


class Unusable(ValueError):
    """The text can't become an article; the message says why."""


class NotAnArticle(Unusable):
    """A web page that lists or introduces articles (a front page, a section) rather than holding one."""


def parse(source: SourceFile) -> tuple[list[Article], list[Problem]]:
    """The articles in ``source``, and a problem for each part that can't be used."""
    if source.path.suffix.lower() == ".jsonl":
        return _parse_jsonl(source)
    try:
        if source.path.suffix.lower() in HTML_SUFFIXES:
            return [page_article(source.doc_id, decode(source.data))], []
        paragraphs = _paragraphs(decode(source.data))
        if paragraphs and _HEADER.fullmatch(paragraphs[0]):
            article = _headed(source.doc_id, paragraphs)
        else:
            article = _scraped(source.doc_id, paragraphs)
    except (DecodeError, Unusable) as error:
        return [], [Problem(str(source.path), str(error))]
    return [article], []


def _headed(doc_id: str, paragraphs: list[str]) -> Article:
    """An export with ``# key = value`` lines, then the title, then the body.

    The ``doc_id`` header is not used: ids come from file paths, like every .txt article's.
    """
    headers = list(takewhile(_HEADER.fullmatch, paragraphs))
    meta = {m["key"].lower(): m["value"].strip() for m in map(_HEADER.fullmatch, headers)}
    text = paragraphs[len(headers) :]
    if not text:
        raise Unusable("không có tiêu đề hay nội dung sau các dòng đầu")
    return _article(
        doc_id,
        text[0],
        text[1:],
        date=_checked_date(meta.get("date"), "dòng đầu date"),
        url=_checked_url(meta.get("url"), "dòng đầu url"),
    )


def _scraped(doc_id: str, paragraphs: list[str]) -> Article:
    """A news page as scraped: title, timestamp, body, byline, source, site boilerplate."""
    kept: list[str] = []
    stamped: list[dt.date | None] = []
    for line in boilerplate.clean(paragraphs):
        stamp = split_stamp(line)
        if stamp is not None:
            rest, date = stamp
            if not rest or boilerplate.is_boilerplate(rest):  # a date line: "12/01/2021 | 16:14 | Lượt xem: 15"
                stamped.append(date)
                continue
            if not kept:  # the title, ending in its timestamp: "… (21:14 09/11/2022)"
                stamped.append(date)
                line = rest
        kept.append(line)
    if not kept:
        raise Unusable("không tìm thấy nội dung bài viết")
    title, body, author, url = kept[0], *_signature(kept[1:])
    lead = body[0] if body else ""
    date = next((d for d in stamped if d), None) or event_date(lead, "\n".join(kept))
    return _article(doc_id, title, body, date=date, url=url, author=author)


def page_article(doc_id: str, html: str, url: str | None = None, articles_only: bool = False) -> Article:
    """The article on a web page, saved (``.html``) or fetched from ``url``.

    What the page's metadata leaves out comes from its text as in a scraped ``.txt``:
    the byline closing the text, the timestamp or event day the text prints.
    ``articles_only`` refuses pages that are not one article (:class:`NotAnArticle`).
    """
    page = extract(html, url)
    if page is None:
        raise Unusable("không tìm thấy nội dung bài viết trên trang")
    body, author, _ = _signature(page.paragraphs)
    text = "\n".join(body)
    # Many sites keep their template's lang="en": the declared language is believed only when the text agrees.
    if page.language not in (None, "vi") and not looks_vietnamese(text):
        raise Unusable(f"trang không viết bằng tiếng Việt (lang={page.language})")
    date = page.date or page.printed_date or event_date(body[0], text)
    if articles_only and not (page.is_article or (date and len(text) >= MIN_UNTYPED_ARTICLE_CHARS)):
        raise NotAnArticle("không phải trang bài viết")
    title = page.title or (body[0] if len(body) > 1 else None)
    if not title:
        raise Unusable("không tìm thấy tiêu đề trên trang")
    if " ".join(body[0].split()) == " ".join(title.split()):  # the page's headline, repeated in its text
        body = body[1:]
    return _article(
        doc_id, title, body, date=date, url=_http_url(page.url or "") or url, author=page.author or author
    )


def _signature(paragraphs: list[str]) -> tuple[list[str], str | None, str | None]:
    """The body without its closing byline, source and credit lines; the author and url found there.

    Only a person's name counts as a byline. An organisation signing off
    ("Uỷ ban MTTQ quận Thanh Xuân") stays in the body: it can't be told from a
    closing photo caption ("Ủy ban MTTQ quận trao quà"), and keeping it loses nothing.
    """
    body = list(paragraphs)
    author = url = None
    while len(body) > 1:
        last = body[-1]
        source = _SOURCE.fullmatch(last)
        name = None if author else _person(last)
        if source:
            url = url or _http_url(source["ref"].strip())
        elif name:
            author = name
        elif not _CREDIT.fullmatch(last):
            break
        body.pop()
    return body, author, url


def _person(line: str) -> str | None:
    """The name in a byline: 2–4 capitalised syllables, maybe after "Tin:", "Bài:", "Ảnh:"."""
    role = _BYLINE_ROLE.match(line)
    words = line[role.end() if role else 0 :].split()
    if 2 <= len(words) <= 4 and all(w.isalpha() and w[0].isupper() and w[1:] == w[1:].lower() for w in words):
        return " ".join(words)
    return None


def _parse_jsonl(source: SourceFile) -> tuple[list[Article], list[Problem]]:
    articles: list[Article] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(decode_lines(source.data), 1):
        try:
            if isinstance(line, DecodeError):
                raise Unusable(str(line))
            if not line.strip():
                continue
            if len(line.encode("utf-8")) > MAX_RECORD_BYTES:
                raise Unusable(f"dòng lớn hơn giới hạn {MAX_RECORD_BYTES // MiB} MiB cho một bài")
            article = _record(line)
            if article.id in first_line:
                raise Unusable(f"id {_quote(article.id)} đã được dùng ở dòng {first_line[article.id]}")
        except Unusable as error:
            problems.append(Problem(f"{source.path}:{number}", str(error)))
            continue
        first_line[article.id] = number
        articles.append(article)
    return articles, problems


def _record(line: str) -> Article:
    """One JSON line: a :func:`record_article`."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise Unusable(f"không phải JSON hợp lệ (lỗi ở cột {error.colno})") from None
    return record_article(record)


def record_article(record: object) -> Article:
    """A JSON record (a .jsonl line, a write API document): ``id``, ``title``, ``body`` required;
    ``date``, ``url``, ``author``, ``districts`` optional. Every message names the field at fault."""
    if not isinstance(record, dict):
        raise Unusable("không phải một đối tượng JSON")
    raw_id = record.get("id")
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        raw_id = str(raw_id)
    doc_id = _string(raw_id, "id", required=True, kind="một chuỗi hoặc một số nguyên")
    title = unescape(_string(record.get("title"), "title", required=True))
    body = _paragraphs(_string(record.get("body"), "body", required=True))
    districts = record.get("districts")
    if districts is not None and not (isinstance(districts, list) and all(isinstance(d, str) for d in districts)):
        raise Unusable("districts phải là một danh sách tên")
    return _article(
        doc_id,
        title,
        body,
        date=_checked_date(_string(record.get("date"), "date"), "date"),
        url=_checked_url(_string(record.get("url"), "url"), "url"),
        author=_string(record.get("author"), "author"),
        district_names=districts,
    )


def _string(value: object, name: str, required: bool = False, kind: str = "một chuỗi") -> str | None:
    """A text field, NFC and stripped; None when absent or empty and not required."""
    if value is None:
        if required:
            raise Unusable(f"thiếu {name}")
        return None
    if not isinstance(value, str):
        raise Unusable(f"{name} phải là {kind}")
    value = nfc(value).strip()
    if not value and required:
        raise Unusable(f"{name} để trống")
    return value or None


def _checked_date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    date = parse_date(value)
    if date is None:
        raise Unusable(f"{name} {_quote(value)} không phải ngày hợp lệ")
    return date


def _checked_url(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    url = _http_url(value)
    if url is None:
        raise Unusable(f"{name} {_quote(value)} không phải địa chỉ http(s)")
    return url


def _quote(value: str, limit: int = 60) -> str:
    """A value for a problem message, cut short: a broken export can put megabytes in one field."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _http_url(value: str) -> str | None:
    """Only web addresses are kept: anything else (``javascript:``, a file path) is no link to show."""
    return value if _HTTP_URL.fullmatch(value) else None


def _paragraphs(text: str) -> list[str]:
    """The non-blank lines of plain text, stripped, with the HTML character references a scraper
    left in it decoded: ``&quot;`` would be shown as it is, and ``lúc&nbsp11h`` would hide "11h"
    from a search. Legacy references need no semicolon, but nothing else changes: AT&T, R&D."""
    return [line.strip() for line in unescape(text).splitlines() if line.strip()]


def _article(
    doc_id: str,
    title: str,
    body: Sequence[str],
    *,
    date: dt.date | None = None,
    url: str | None = None,
    author: str | None = None,
    district_names: list[str] | None = None,
) -> Article:
    """The article, with its places as found in its text; its districts as the record names them, if it does."""
    from indexer.districts import find_places
    from vietnamese.places import canonical_districts, district_label
    from vietnamese.reform import ward_label

    title = " ".join(title.split())
    text = "\n\n".join(body)
    if not text:
        raise Unusable("không có nội dung sau tiêu đề")
    if any(n > MAX_ARTICLE_TOKENS for n, _ in enumerate(_TOKEN.finditer(f"{title}\n{text}"))):
        raise Unusable(f"hơn {MAX_ARTICLE_TOKENS:,} từ và dấu: quá dài cho một bài báo".replace(",", "."))
    places = find_places(title, text, date)
    if district_names is not None:
        districts = canonical_districts(district_names)
    else:
        districts = tuple(map(district_label, places.districts))
    return Article(
        doc_id,
        title,
        text,
        date=date,
        url=url,
        author=author,
        districts=districts,
        provinces=places.provinces,
        wards=tuple(map(ward_label, places.wards)),
        ward_links=tuple(map(ward_label, places.links)),
    )

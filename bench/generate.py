"""A corpus of N articles grown from dantri-unc and the seed articles, for the performance benchmark.

Forty exact copies of 2,653 articles would index and search unlike a real archive:
identical texts share every posting list and the vocabulary stops growing. Each
article written here is a variation instead: the paragraphs of one source article,
shuffled and partly dropped, mixed with paragraphs of other articles, its numbers
partly changed (so the vocabulary keeps growing, as an archive's does), about half of
them with local-news sentences naming a district and ward of Hà Nội or Hồ Chí Minh
City the way such news does ("Ủy ban MTTQ Việt Nam quận Hai Bà Trưng…"), and a date
spread over 2019–2025. Same seed, same corpus, byte for byte.

    .venv/bin/python -m bench.generate --count 10000 --out /tmp/vnsearch-bench/10k
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.articles import read_articles
from indexer.article import Article
from vietnamese.places import District, all_districts

REPO = Path(__file__).resolve().parents[1]
SOURCES = (REPO / "corpus", REPO.parent / "shared" / "corpora" / "dantri-unc")
MARKER = ".vnsearch-bench"  # hidden: the indexer skips it; says the directory may be replaced
FILES_PER_DIRECTORY = 1000
FIRST_DAY, LAST_DAY = dt.date(2019, 1, 1), dt.date(2025, 12, 31)
CITIES = ("Thành phố Hà Nội", "Thành phố Hồ Chí Minh")
LOCAL_SHARE = 0.5  # articles that get local-news sentences
LOCAL_TITLE_SHARE = 0.3  # of those, titled after the district
NUMBER_CHANGE_SHARE = 0.3
_NUMBER = re.compile(r"\d+")

# Sentences of local news. {district}/{ward}: "quận Hai Bà Trưng", "phường Bạch Đằng".
LOCAL_SENTENCES = (
    "Ủy ban MTTQ Việt Nam {district} đã tổ chức hội nghị tổng kết công tác Mặt trận năm {year}.",
    "Ngày {day}/{month}, UBND {ward} ({district}) phối hợp với các đoàn thể trao {count} suất quà cho hộ nghèo.",
    "Theo lãnh đạo {district}, trong năm qua địa phương đã hoàn thành {percent}% chỉ tiêu được giao.",
    "Người dân {ward}, {district} hưởng ứng Ngày hội Đại đoàn kết toàn dân tộc với {count} hoạt động.",
    "Ban Thường trực Ủy ban MTTQ {district} kiểm tra, giám sát việc thực hiện quy chế dân chủ tại {ward}.",
    "Tại {ward}, {district}, {count} hộ gia đình đã được hỗ trợ xây dựng, sửa chữa nhà ở.",
)


@dataclass(frozen=True)
class Place:
    district: str  # as written in text: "quận Hai Bà Trưng"
    title: str  # as written at the start of a title: "Quận Hai Bà Trưng"
    wards: tuple[str, ...]  # "phường Bạch Đằng"


def _places() -> tuple[Place, ...]:
    def written(kind: str, bare: str) -> str:
        return f"{kind.lower()} {bare}"

    cities: list[District] = [d for d in all_districts() if d.province in CITIES]
    return tuple(
        Place(written(d.kind, d.bare), f"{d.kind} {d.bare}", tuple(written(w.kind, w.bare) for w in d.wards))
        for d in cities
        if d.wards
    )


def load_sources(paths: Sequence[Path] = SOURCES) -> list[Article]:
    """The source articles, read and parsed as the indexer reads them."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise SystemExit(f"source corpus not found: {', '.join(map(str, missing))}")
    return read_articles(paths)


class Generator:
    """Writes article ``n`` of the corpus; deterministic in ``seed`` and ``n``."""

    def __init__(self, sources: Sequence[Article], seed: int):
        self.sources = list(sources)
        self.places = _places()
        self.seed = seed

    def text(self, n: int) -> str:
        rng = random.Random(f"{self.seed}/{n}")
        primary = self.sources[n % len(self.sources)]
        paragraphs = primary.body.split("\n\n")
        lead, rest = paragraphs[0], paragraphs[1:]
        rng.shuffle(rest)
        rest = rest[: max(1, round(len(rest) * rng.uniform(0.6, 1.0)))]
        for _ in range(rng.randint(1, 3)):
            other = rng.choice(self.sources).body.split("\n\n")
            rest.insert(rng.randrange(len(rest) + 1), rng.choice(other))
        title = primary.title
        if rng.random() < LOCAL_SHARE:
            place = rng.choice(self.places)
            for _ in range(rng.randint(1, 2)):
                rest.insert(rng.randrange(len(rest) + 1), self._local_sentence(rng, place))
            if rng.random() < LOCAL_TITLE_SHARE:
                title = f"{place.title}: {title}"
        title, body = (_NUMBER.sub(lambda m: _changed_number(rng, m.group()), t) for t in (title, "\n".join([lead, *rest])))
        date = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
        url = (primary.url or "https://bench.vnsearch.invalid/bai-viet.htm").rsplit(".", 1)[0] + f"-{n}.htm"
        return f"# url = {url}\n# date = {date.isoformat()}\n{title}\n{body}\n"

    @staticmethod
    def _local_sentence(rng: random.Random, place: Place) -> str:
        return rng.choice(LOCAL_SENTENCES).format(
            district=place.district,
            ward=rng.choice(place.wards),
            year=rng.randint(2019, 2025),
            day=rng.randint(1, 28),
            month=rng.randint(1, 12),
            count=rng.randint(5, 500),
            percent=rng.randint(80, 120),
        )


def _changed_number(rng: random.Random, digits: str) -> str:
    """Some numbers another of the same length, so each copy adds a few terms of its own."""
    if rng.random() >= NUMBER_CHANGE_SHARE:
        return digits
    low = 10 ** (len(digits) - 1) if len(digits) > 1 else 0
    return str(rng.randint(low, 10 ** len(digits) - 1))


def article_path(out: Path, n: int) -> Path:
    return out / f"{n // FILES_PER_DIRECTORY:03d}" / f"{n:06d}.txt"


def prepare(out: Path) -> None:
    """An empty ``out``: refuses to replace a directory this module did not write."""
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise SystemExit(f"{out} is not empty and was not written by bench.generate; choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("written by bench.generate; replaced by the next run\n", encoding="utf-8")


def generate(count: int, out: Path, seed: int = 1, sources: Sequence[Article] | None = None) -> int:
    """Writes ``count`` articles under ``out``; returns the bytes written."""
    prepare(out)
    generator = Generator(sources if sources is not None else load_sources(), seed)
    written = 0
    for n in range(count):
        path = article_path(out, n)
        path.parent.mkdir(exist_ok=True)
        data = generator.text(n).encode("utf-8")
        path.write_bytes(data)
        written += len(data)
    return written


def change(out: Path, count: int, share: float, seed: int = 1) -> list[Path]:
    """Edits ``share`` of the ``count`` articles under ``out`` (a paragraph added), as a day of corrections would."""
    rng = random.Random(f"{seed}/change")
    chosen = sorted(rng.sample(range(count), max(1, round(count * share))))
    paths = [article_path(out, n) for n in chosen]
    for n, path in zip(chosen, paths):
        text = path.read_text(encoding="utf-8")
        path.write_text(f"{text}Cập nhật lần {n}: bài viết đã được bổ sung thông tin.\n", encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="directory to (re)create; outside the repository")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    written = generate(args.count, args.out, args.seed)
    print(f"{args.count} articles, {written / 1e6:.1f} MB in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

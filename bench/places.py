"""How well vnsearch reads places across the 2025 reform, on a labelled set of passages.

Reads tests/data/places_labelled.jsonl (passages dated before and after 1 July 2025, each with
the current provinces, current units and former districts it is about) and reports:

- units from a wrong province: a found unit (current ward, former district) whose current
  province is not one of the passage's (the target is none);
- recall of the current units named (name and province), of the provinces and of the former
  districts (for a passage about current wards: the districts those wards were formed from);
- the district filter across the change: the passages are indexed, and each former district
  of a post-2025 passage is used as a filter; the share of such passages it finds.

Run: ``.venv/bin/python -m bench.places`` (a few seconds).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

from indexer.build import build_index
from indexer.districts import REFORM_DAY, find_places
from search.engine import SearchEngine
from search.model import SearchRequest
from vietnamese.places import district_by_label, district_label
from vietnamese.reform import province_now

LABELLED = Path(__file__).parent.parent / "tests" / "data" / "places_labelled.jsonl"


def _ratio(hit: int, total: int) -> str:
    return f"{hit}/{total} = {100 * hit / total:.1f}%" if total else "n/a"


def main() -> int:
    passages = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]
    wrong: list[str] = []
    counts = {"wards": [0, 0], "provinces": [0, 0], "districts": [0, 0]}
    for p in passages:
        date = dt.date.fromisoformat(p["date"])
        found = find_places("", p["text"], date)
        provinces = set(p["provinces"])
        got_wards = {(w.name, w.province) for w in found.wards}
        got_districts = {district_label(d) for d in found.districts}
        for w in found.wards:
            if w.province not in provinces:
                wrong.append(f"{p['id']}: {w.name} ({w.province})")
        for d in found.districts:
            if province_now(d.province) not in provinces:
                wrong.append(f"{p['id']}: {d.name} ({d.province})")
        expected_wards = {(w["name"], w["province"]) for w in p["wards"]}
        for key, expected, got in (
            ("wards", expected_wards, got_wards),
            ("provinces", provinces, set(found.provinces)),
            ("districts", set(p["districts"]), got_districts),
        ):
            counts[key][0] += len(expected & got)
            counts[key][1] += len(expected)
            for missing in sorted(map(str, expected - got)):
                print(f"  missed {key[:-1]} {missing} in {p['id']}", file=sys.stderr)

    after = [p for p in passages if dt.date.fromisoformat(p["date"]) >= REFORM_DAY]
    with tempfile.TemporaryDirectory(prefix="places-bench-") as tmp:
        corpus = Path(tmp) / "passages.jsonl"
        corpus.write_text(
            "".join(
                json.dumps({"id": p["id"], "title": p["id"], "body": p["text"], "date": p["date"]}, ensure_ascii=False) + "\n"
                for p in passages
            ),
            encoding="utf-8",
        )
        report = build_index([corpus], Path(tmp) / "index", progress=False)
        assert not report.problems, report.problems
        engine = SearchEngine(Path(tmp) / "index")
        found_by_filter = total_by_filter = 0
        for label in sorted({d for p in after for d in p["districts"]}):
            assert district_by_label(label) is not None, label
            hits = {h.id for h in engine.search(SearchRequest(districts=(label,), size=100)).hits}
            expected = {p["id"] for p in after if label in p["districts"]}
            found_by_filter += len(expected & hits)
            total_by_filter += len(expected)

    print(f"passages: {len(passages)} ({len(after)} dated on or after {REFORM_DAY}, {len(passages) - len(after)} before)")
    print(f"units from a wrong province: {len(wrong)}")
    for line in wrong:
        print(f"  {line}")
    print(f"current units named (name and province) found: {_ratio(*counts['wards'])}")
    print(f"provinces found: {_ratio(*counts['provinces'])}")
    print(f"former districts found: {_ratio(*counts['districts'])}")
    print(f"post-2025 passages found by filtering on one of their former districts: {_ratio(found_by_filter, total_by_filter)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

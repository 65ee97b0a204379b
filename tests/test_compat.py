"""The libraries' internals vnsearch relies on are checked, and a changed library fails with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest
import whoosh.codec.whoosh3

from compat import internals
from compat.cpus import usable_cpus
from tests.conftest import REPO


def test_the_installed_libraries_have_everything_vnsearch_uses():
    internals.check("whoosh-reloaded", internals.WHOOSH_NEEDS)
    internals.check("pyvi", internals.PYVI_NEEDS)


def test_pyproject_pins_the_versions_the_checks_were_written_for():
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    for distribution, version in internals.TESTED.items():
        assert f"{distribution}=={version}" in dependencies
        assert metadata.version(distribution) == version


def test_a_missing_function_is_named_with_the_version_to_install(monkeypatch):
    monkeypatch.delattr(whoosh.codec.whoosh3, "_lenfield")
    with pytest.raises(internals.IncompatibleDependency) as raised:
        internals.check("whoosh-reloaded", internals.WHOOSH_NEEDS)
    message = str(raised.value)
    assert "whoosh.codec.whoosh3._lenfield" in message
    assert "pip install 'whoosh-reloaded==2.7.5'" in message
    assert "LENGTHS_COLUMN" not in message  # only what is missing


def test_an_attribute_no_longer_set_by_the_class_is_named(monkeypatch):
    # As if a release of Whoosh had renamed the attributes its readers and writers set in __init__.
    monkeypatch.setattr(internals, "_source", lambda module: "")
    with pytest.raises(internals.IncompatibleDependency) as raised:
        internals.check("whoosh-reloaded", internals.WHOOSH_NEEDS)
    assert "whoosh.reading.SegmentReader._perdoc" in str(raised.value)
    assert "whoosh.columns.NumericColumn.Reader._typecode" in str(raised.value)


def test_a_pyvi_model_without_its_tagger_fails_clearly(monkeypatch):
    tokenizer = internals.pyvi_tokenizer()
    monkeypatch.setattr(tokenizer, "model", object())
    internals.pyvi_tokenizer.cache_clear()
    try:
        with pytest.raises(internals.IncompatibleDependency, match=r"pip install 'pyvi==0\.1\.1'"):
            internals.pyvi_tokenizer()
    finally:
        internals.pyvi_tokenizer.cache_clear()


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_importing_the_search_side_with_a_changed_whoosh_stops_at_once_with_the_message():
    done = _python("import whoosh.reading as r; del r.SegmentReader.deleted_docs_set; import search.engine")
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("compat.internals.IncompatibleDependency: vnsearch needs whoosh-reloaded 2.7.5")
    assert "whoosh.reading.SegmentReader.deleted_docs_set" in last


def test_usable_cpus_without_affinity_or_process_cpu_count(monkeypatch):
    # macOS and Windows have no sched_getaffinity; Python before 3.13 has no process_cpu_count.
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    assert usable_cpus() == os.cpu_count()


def test_the_command_line_loads_on_a_system_without_sched_getaffinity():
    # As on macOS or Windows with Python 3.11 or 3.12 (3.13's process_cpu_count calls sched_getaffinity here).
    code = "import os; del os.sched_getaffinity; vars(os).pop('process_cpu_count', None); import vnsearch.cli, indexer.build"
    done = _python(code + "; print(indexer.build.WORKERS)")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == os.cpu_count()


_CHURN = """
import resource, sys, numpy as np
from compat.memory import keep_freed_memory
kept = sys.argv[1] == "kept" and keep_freed_memory()
def search():  # as a search at 100,000 articles: dozens of 800 kB arrays, freed at the end
    arrays = [np.ones(100_000) for _ in range(40)]
    return sum(float(a[0]) for a in arrays)
search()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    search()
print(kept, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) // 10)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_memory_a_search_frees_is_kept_for_the_next_search_without_new_page_faults():
    default = _python(_CHURN.replace("sys.argv[1]", "'default'")).stdout.split()
    kept = _python(_CHURN.replace("sys.argv[1]", "'kept'")).stdout.split()
    if kept[0] != "True":
        pytest.skip("this libc has no mallopt")
    # 40 arrays of 800 kB are ~8,000 pages: touched anew each time by default, mapped already once kept.
    assert int(default[1]) > 4000
    assert int(kept[1]) < 400

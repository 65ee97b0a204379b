"""How many CPUs this process may use, on any operating system."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """The CPUs this process may run on: Python 3.13's ``os.process_cpu_count()``, else the
    scheduler's affinity mask where the system has one (Linux), else every CPU (macOS, Windows)."""
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1

"""Keep the memory a search frees for the next one (glibc's malloc; elsewhere nothing changes).

A search evaluates each term into arrays over all documents (800 kB each at 100,000 articles)
and frees them when it is done. By default glibc maps each such allocation afresh, and
gives the freed top of its heap back to the system once more than a few megabytes are
free, so every search touches new pages again: at 100,000 articles some 3,000 page faults
a search, and a third of its CPU time spent in the kernel (bench/RESULTS.md). Raised
thresholds keep that memory in the process, where the next search finds it mapped.
"""

from __future__ import annotations

import ctypes
import sys

# glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 32 * 1024 * 1024  # allocations below this come from the heap (glibc's largest value)
TRIM_THRESHOLD = 128 * 1024 * 1024  # free memory at the heap's top kept up to this


def keep_freed_memory() -> bool:
    """Raise malloc's mapping and trimming thresholds in this process (and the ones it forks);
    whether it could (glibc on Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))

"""Garbage collection in the processes that sweep."""

import gc


def heap_freeze() -> None:
    """Keep what the process has loaded so far (Django, the apps, start-up caches: it lives as
    long as the process) out of the collector's full passes. A sweep batch allocates enough
    to set off a few full passes each; walking the start-up heap in them cost ~10% of a
    100,000-order sweep's CPU (bench/sweep.py). Garbage is collected first, not frozen."""
    gc.collect()
    gc.freeze()

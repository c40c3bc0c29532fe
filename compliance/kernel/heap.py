"""Garbage collection in the processes that sweep."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def heap_freeze() -> None:
    """Keep what the process has loaded so far (Django, the apps, start-up caches: it lives as
    long as the process) out of the collector's full passes. A sweep batch allocates enough
    to set off a few full passes each; walking the start-up heap in them cost ~10% of a
    100,000-order sweep's CPU (docs/performance.md). Garbage is collected first, not frozen."""
    gc.collect()
    gc.freeze()


@contextmanager
def heap_frozen() -> Iterator[None]:
    """`heap_freeze` for a block, in a process that goes on after it (a command run in tests):
    what was frozen goes back to the collector at the end."""
    heap_freeze()
    try:
        yield
    finally:
        gc.unfreeze()

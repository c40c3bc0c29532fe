"""Waiting on a condition another process brings about (a worker, a server), with a deadline."""

import time
from collections.abc import Callable


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, every: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {what}")
        time.sleep(every)

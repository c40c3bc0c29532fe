"""Sizes of the reliability tests: short in the README's test command, long under `make stress`.

`STRESS=1` (set by `make stress`) selects the issue's full sizes; each number can also be set
on its own (`STRESS_ORDERS=20000 make stress`).
"""

import os

STRESS = os.environ.get("STRESS") == "1"


def size(name: str, *, short: int, stress: int) -> int:
    return int(os.environ.get(f"STRESS_{name}", stress if STRESS else short))


ORDERS = size("ORDERS", short=900, stress=10_000)
ROUNDS = size("ROUNDS", short=1, stress=5)
SWEEPERS = 8
KILLS = size("KILLS", short=10, stress=30)
CRASH_ORDERS = size("CRASH_ORDERS", short=2000, stress=10_000)

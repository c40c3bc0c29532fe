"""Finding 256-bit perceptual hashes within a Hamming distance: FAISS's exhaustive binary index.

`IndexBinaryFlat` compares a query with every stored hash (a popcount over 32 bytes each), so
it finds exactly what a brute-force scan finds, by being one. Measured on this machine
(`make bench`, docs/performance.md), at 1,000,000 hashes one lookup takes about 1.1 ms (p99
about 1.5 ms) in 31 MiB, and 1,000 queries go in one pass over the data. The indexes that
avoid the full scan cost more than they save here: FAISS's `IndexBinaryMultiHash` held 335 MB
at 1,000,000 hashes (over the 256 MB a serving process may use), and a multi-index hash of
our own in NumPy (16 substrings of 16 bits) was no faster at 1,000,000 and only 20% faster
at 10,000,000, in 1 GB instead of 310 MB.

Keys are the caller's (hash-list entry ids); a key may be given to several hashes (a video's
frames), and removing it removes them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import faiss
import numpy as np
import numpy.typing as npt

BITS = 256

Codes = npt.NDArray[np.uint8]  # n x 32 bytes, big-endian bit order (bit 0 = first hex digit)


def hex_to_codes(values: Iterable[str]) -> Codes:
    """256-bit hashes as 64 hex digits each -> an n x 32 array of bytes."""
    joined = "".join(values)
    return np.frombuffer(bytes.fromhex(joined), dtype=np.uint8).reshape(-1, 32)


def hamming(a: Codes, b: Codes) -> npt.NDArray[np.int64]:
    """Distance of each row of `a` to each row of `b` (broadcast: a is n x 32, b is m x 32 or
    1 x 32)."""
    words_a = a.view(">u8").reshape(-1, 4)
    words_b = b.view(">u8").reshape(-1, 4)
    return np.bitwise_count(words_a ^ words_b).sum(axis=1, dtype=np.int64)


@dataclass(frozen=True)
class Hit:
    key: int  # the caller's key for the hash (an entry's id)
    distance: int


class HashIndex:
    """Hashes with keys; `search` returns, for each query, every key within a radius."""

    def __init__(self) -> None:
        self._index = faiss.IndexBinaryIDMap(faiss.IndexBinaryFlat(BITS))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def nbytes(self) -> int:
        """The hashes and their keys."""
        return len(self) * (BITS // 8 + 8)

    def add(self, keys: Iterable[int], codes: Codes) -> None:
        ids = np.fromiter(keys, dtype=np.int64)
        if len(ids) != len(codes):
            raise ValueError("one key per hash")
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(codes, dtype=np.uint8), ids)

    def remove(self, keys: Iterable[int]) -> None:
        gone = np.fromiter(keys, dtype=np.int64)
        if len(gone) and len(self):
            self._index.remove_ids(faiss.IDSelectorBatch(gone))

    def search(self, queries: Codes, radius: int) -> list[list[Hit]]:
        """For each query (one pass over the data for all of them), every key within `radius`,
        nearest first."""
        if not 0 <= radius < BITS:
            raise ValueError(f"radius must be 0 to {BITS - 1}")
        if not len(queries) or not len(self):
            return [[] for _ in queries]
        # FAISS's range is exclusive: distances below it.
        limits, distances, keys = self._index.range_search(
            np.ascontiguousarray(queries, dtype=np.uint8), radius + 1
        )
        found = []
        for n in range(len(queries)):
            part = slice(limits[n], limits[n + 1])
            # Binary range searches report their integer distances as floats.
            found_distances = distances[part].astype(np.int64).tolist()
            pairs = sorted(zip(found_distances, keys[part].tolist(), strict=True))
            found.append([Hit(key=key, distance=distance) for distance, key in pairs])
        return found

"""The index each serving process keeps of the active perceptual hashes, fed from the database.

Why in each web process rather than one matcher service: at 1,000,000 PDQ hashes the index
holds about 40 MB and answers a lookup in about a millisecond (`make bench`), so a serving
process stays well under 256 MB and a call needs no second hop; a separate matcher would pay
off only past the memory each process can spare (docs/performance.md).

It stays current without rebuilding: every change to an entry takes the next number of one
counter, whose row lock makes the numbers commit in order, so "every change after the last
one seen" misses nothing. A call brings the index up to date when it is older than
HASH_INDEX_SYNC_SECONDS (one indexed query); an entry added or withdrawn is therefore matched
or ignored everywhere within that time plus one call. Hits are checked against the database
before they are reported (status, list, threshold), so a withdrawal counts at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np
from django.conf import settings

from fingerprints.index import Codes, HashIndex, Hit, hex_to_codes
from fingerprints.models import MAX_THRESHOLD, MIN_QUALITY, EntryStatus, HashEntry, HashType

CHUNK = 50_000


class Matcher:
    """PDQ hashes of images in one index, the frames of videos in another (keyed by entry)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything: the next call loads the index from the database again."""
        with self._lock:
            self.images = HashIndex()
            self.frames = HashIndex()
            self.seen_seq = 0
            self.synced_at = float("-inf")

    def sync(self, *, force: bool = False) -> None:
        """Apply every change committed since the last one seen (if the index is stale)."""
        if not force and time.monotonic() - self.synced_at < settings.HASH_INDEX_SYNC_SECONDS:
            return
        with self._lock:
            if not force and time.monotonic() - self.synced_at < settings.HASH_INDEX_SYNC_SECONDS:
                return
            started = time.monotonic()
            first_load = self.seen_seq == 0
            for batch in self._changes():
                self._apply(batch, first_load=first_load)
            self.synced_at = started

    def search_images(self, codes: Codes, radius: int = MAX_THRESHOLD) -> list[list[Hit]]:
        # Under the lock: a threaded server must not search while a sync changes the index.
        with self._lock:
            return self.images.search(codes, radius)

    def search_frames(self, codes: Codes, radius: int = MAX_THRESHOLD) -> list[list[Hit]]:
        with self._lock:
            return self.frames.search(codes, radius)

    @property
    def nbytes(self) -> int:
        return self.images.nbytes + self.frames.nbytes

    def _changes(self) -> Iterator[list[tuple[int, str, str, int | None, str, int]]]:
        while True:
            rows = list(
                HashEntry.objects.filter(
                    change_seq__gt=self.seen_seq, hash_type__in=[HashType.PDQ, HashType.VIDEO]
                )
                .order_by("change_seq")
                .values_list("pk", "hash_type", "value", "quality", "status", "change_seq")[:CHUNK]
            )
            if not rows:
                return
            self.seen_seq = rows[-1][-1]
            yield rows

    def _apply(
        self, rows: list[tuple[int, str, str, int | None, str, int]], *, first_load: bool
    ) -> None:
        if not first_load:
            # A change may re-add an entry (released from quarantine): drop the old row first.
            gone = [row[0] for row in rows]
            self.images.remove(gone)
            self.frames.remove(gone)
        matchable = [
            (pk, hash_type, value)
            for pk, hash_type, value, quality, status, _ in rows
            if status == EntryStatus.ACTIVE and (quality is None or quality >= MIN_QUALITY)
        ]
        images = [(pk, value) for pk, hash_type, value in matchable if hash_type == HashType.PDQ]
        if images:
            self.images.add((pk for pk, _ in images), hex_to_codes(v for _, v in images))
        videos = [pk for pk, hash_type, _ in matchable if hash_type == HashType.VIDEO]
        if videos:
            # Frames are read only for the videos (parsing JSON for every image would double
            # the load).
            frames = [
                (pk, frame)
                for pk, listed in HashEntry.objects.filter(pk__in=videos).values_list(
                    "pk", "frames"
                )
                for frame in listed
            ]
            self.frames.add((pk for pk, _ in frames), hex_to_codes(f for _, f in frames))


MATCHER = Matcher()


def frame_shares(query: Codes, entry: Codes, radius: int) -> tuple[float, float]:
    """How much of a video matches another: the share of the query's frames within `radius`
    of some frame of the entry, and the share of the entry's frames within `radius` of some
    frame of the query (vPDQ's two-way comparison)."""
    words_q = query.view(">u8").reshape(-1, 1, 4)
    words_e = entry.view(">u8").reshape(1, -1, 4)
    distances = np.bitwise_count(words_q ^ words_e).sum(axis=2)
    close = distances <= radius
    return float(close.any(axis=1).mean()), float(close.any(axis=0).mean())


def frame_distance(query: Codes, entry: Codes) -> int:
    """A video match's distance: the median, over the query's frames, of each one's distance
    to the nearest frame of the entry."""
    words_q = query.view(">u8").reshape(-1, 1, 4)
    words_e = entry.view(">u8").reshape(1, -1, 4)
    nearest = np.bitwise_count(words_q ^ words_e).sum(axis=2).min(axis=1)
    return int(np.median(nearest))

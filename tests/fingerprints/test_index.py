"""The hash index finds exactly what a brute-force scan finds, at every radius it accepts."""

import faiss
import numpy as np
import pytest

from fingerprints.index import MAX_RADIUS, HashIndex, hamming, hex_to_codes


def uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def flip(rng: np.random.Generator, code: np.ndarray, bits: int) -> np.ndarray:
    """`code` with exactly `bits` of its 256 bits flipped."""
    out = np.unpackbits(code.copy())
    out[rng.choice(256, size=bits, replace=False)] ^= 1
    return np.packbits(out)


def clustered(rng: np.random.Generator, bases: int, per_base: int) -> np.ndarray:
    """Near-duplicates: each base hash with variants a few bits away, as re-encodes give."""
    rows = []
    for base in uniform(rng, bases):
        rows.append(base)
        rows += [flip(rng, base, int(rng.integers(1, 12))) for _ in range(per_base - 1)]
    return np.stack(rows)


def brute_force(codes: np.ndarray, query: np.ndarray, radius: int) -> set[tuple[int, int]]:
    """FAISS's exhaustive binary index, the reference: every (row, distance) within radius."""
    flat = faiss.IndexBinaryFlat(256)
    flat.add(codes)
    lims, distances, labels = flat.range_search(query, radius + 1)  # FAISS: distance < radius
    return set(
        zip(labels[lims[0] : lims[1]].tolist(), distances[lims[0] : lims[1]].tolist(), strict=True)
    )


def queries_near(
    rng: np.random.Generator, codes: np.ndarray, count: int, radius: int
) -> list[np.ndarray]:
    """Queries at every distance up to past the radius from stored hashes, and random ones."""
    picks = rng.choice(len(codes), size=count)
    out = [flip(rng, codes[i], int(rng.integers(0, radius + 9)))[None, :] for i in picks]
    return out + [uniform(rng, 1) for _ in range(count // 4)]


@pytest.mark.parametrize("kind", ["uniform", "clustered"])
@pytest.mark.parametrize("radius", [0, 8, 20, MAX_RADIUS])
def test_recall_equals_a_brute_force_scan(kind, radius):
    rng = np.random.default_rng(7)
    codes = uniform(rng, 20_000) if kind == "uniform" else clustered(rng, 1_000, 20)
    index = HashIndex()
    index.add(range(len(codes)), codes)
    index.rebuild()
    checked = 0
    for query in queries_near(rng, codes, 200, radius):
        found = {(hit.key, hit.distance) for hit in index.search(query, radius)}
        assert found == brute_force(codes, query, radius)
        checked += len(found)
    assert checked > 10  # the queries did land within the radius


def test_additions_match_before_a_rebuild_and_removals_stop_matching():
    rng = np.random.default_rng(3)
    codes = uniform(rng, 5_000)
    index = HashIndex()
    index.add(range(5_000), codes)
    index.rebuild()
    late = uniform(rng, 3)
    index.add([9001, 9002, 9003], late)
    query = flip(rng, late[1], 31)[None, :]
    assert [(h.key, h.distance) for h in index.search(query, 31)] == [(9002, 31)]
    assert index.search(flip(rng, late[1], 32)[None, :], 31) == []

    index.remove([9002, 17])
    assert index.search(query, 31) == []
    assert index.search(codes[17:18], 0) == []
    assert len(index) == 5_001
    index.rebuild()
    assert [h.key for h in index.search(codes[18:19], 0)] == [18]
    assert [h.key for h in index.search(late[2:3], 0)] == [9003]


def test_nearest_first_and_repeated_keys_for_video_frames():
    rng = np.random.default_rng(5)
    base = uniform(rng, 1)[0]
    index = HashIndex()
    index.add([1, 1, 2], np.stack([flip(rng, base, 9), flip(rng, base, 2), flip(rng, base, 5)]))
    index.rebuild()
    hits = index.search(base[None, :], 31)
    assert [(h.key, h.distance) for h in hits] == [(1, 2), (2, 5), (1, 9)]


def test_a_radius_past_the_pigeonhole_bound_is_refused():
    index = HashIndex()
    with pytest.raises(ValueError, match="radius must be 0 to 31"):
        index.search(np.zeros((1, 32), dtype=np.uint8), 32)


def test_hex_and_distance():
    a = "f" * 64
    b = "0" * 63 + "7"
    assert hamming(hex_to_codes([a]), hex_to_codes([b])).tolist() == [253]
    assert hex_to_codes([a, b]).shape == (2, 32)

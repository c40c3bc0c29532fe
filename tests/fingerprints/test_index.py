"""The hash index finds exactly what a brute-force scan finds, at the thresholds lists use,
and follows additions and removals."""

import numpy as np
import pytest

from fingerprints.index import HashIndex, hamming, hex_to_codes


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
    """Every (row, distance) within radius, by comparing with every row in NumPy."""
    distances = hamming(codes, query[None, :])
    return {(int(row), int(distances[row])) for row in np.flatnonzero(distances <= radius)}


@pytest.mark.parametrize("kind", ["uniform", "clustered"])
@pytest.mark.parametrize("radius", [0, 8, 20, 31])
def test_recall_equals_a_brute_force_scan(kind, radius):
    rng = np.random.default_rng(7)
    codes = uniform(rng, 20_000) if kind == "uniform" else clustered(rng, 1_000, 20)
    index = HashIndex()
    index.add(range(len(codes)), codes)
    picks = rng.choice(len(codes), size=200)
    # Queries at every distance up to past the radius from stored hashes, and random ones.
    near = [flip(rng, codes[i], int(rng.integers(0, radius + 9))) for i in picks]
    queries = np.stack(near + list(uniform(rng, 50)))
    results = index.search(queries, radius)
    checked = 0
    for query, hits in zip(queries, results, strict=True):
        found = {(hit.key, hit.distance) for hit in hits}
        assert found == brute_force(codes, query, radius)
        checked += len(found)
    assert checked > 10  # the queries did land within the radius


def test_additions_and_removals():
    rng = np.random.default_rng(3)
    codes = uniform(rng, 5_000)
    index = HashIndex()
    index.add(range(5_000), codes)
    late = uniform(rng, 3)
    index.add([9001, 9002, 9003], late)
    query = flip(rng, late[1], 31)[None, :]
    assert [(h.key, h.distance) for h in index.search(query, 31)[0]] == [(9002, 31)]
    assert index.search(flip(rng, late[1], 32)[None, :], 31) == [[]]

    index.remove([9002, 17])
    assert index.search(query, 31) == [[]]
    assert index.search(codes[17:18], 0) == [[]]
    assert len(index) == 5_001
    assert [h.key for h in index.search(codes[18:19], 0)[0]] == [18]
    assert index.nbytes == 5_001 * 40


def test_nearest_first_and_a_key_for_many_hashes():
    rng = np.random.default_rng(5)
    base = uniform(rng, 1)[0]
    index = HashIndex()
    index.add([1, 1, 2], np.stack([flip(rng, base, 9), flip(rng, base, 2), flip(rng, base, 5)]))
    [hits] = index.search(base[None, :], 31)
    assert [(h.key, h.distance) for h in hits] == [(1, 2), (2, 5), (1, 9)]
    assert all(type(h.distance) is int for h in hits)
    index.remove([1])  # a video withdrawn: all its frames
    assert [h.key for h in index.search(base[None, :], 31)[0]] == [2]


def test_an_empty_index_and_bad_input():
    index = HashIndex()
    assert index.search(np.zeros((2, 32), dtype=np.uint8), 31) == [[], []]
    index.remove([1])
    with pytest.raises(ValueError, match="one key per hash"):
        index.add([1, 2], np.zeros((1, 32), dtype=np.uint8))
    with pytest.raises(ValueError, match="radius must be 0 to 255"):
        index.search(np.zeros((1, 32), dtype=np.uint8), 256)


def test_hex_and_distance():
    a = "f" * 64
    b = "0" * 63 + "7"
    assert hamming(hex_to_codes([a]), hex_to_codes([b])).tolist() == [253]
    assert hex_to_codes([a, b]).shape == (2, 32)

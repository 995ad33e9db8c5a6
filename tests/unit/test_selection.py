"""Delay selection (docs/analysis.md#delay-selection): the worked example of docs/analysis.md#delay-selection, tie and
rounding rules, First Stable.

Expected values are the docs' worked example or computed by hand in the comments; every test runs on both backends.
"""

from __future__ import annotations

import pytest

from vsg_core.analysis.records import ChunkResult
from vsg_core.analysis.selection import (
    MODE_AVERAGE,
    MODE_CLUSTERED,
    MODE_FIRST_STABLE,
    MODE_MOST_COMMON,
    find_first_stable_segment,
    most_common,
    normalise_mode,
    select_delay,
)

BACKENDS = ("python", "rust")


def recs(raws: list[float], accepted: list[bool] | None = None, rounded: list[int] | None = None
         ) -> list[ChunkResult]:
    acc = accepted or [True] * len(raws)
    rnd = rounded or [round(r) for r in raws]
    return [ChunkResult(i + 1, 100.0 * i, rnd[i], r, 90.0, acc[i]) for i, r in enumerate(raws)]


# worked example (docs/analysis.md#delay-selection): accepted raws [−1001.25, −1001.75, −1002.25, −1000.75, −1050.0]
#        → rounded [−1001, −1002, −1002, −1001, −1050]
WORKED = [-1001.25, -1001.75, -1002.25, -1000.75, -1050.0]
WORKED_ROUNDED = [-1001, -1002, -1002, -1001, -1050]


def test_worked_example_rounding_of_records() -> None:
    assert [round(r) for r in WORKED] == WORKED_ROUNDED


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("mode", "rounded", "raw", "label"), [
    (MODE_MOST_COMMON, -1001, -1001.0, "mode"),              # tie −1001/−1002 → −1001 (first seen)
    (MODE_CLUSTERED, -1002, -1001.5, "mode (clustered)"),    # first four, mean −1001.5 → −1002 half-even
    (MODE_AVERAGE, -1011, -1011.2, "average"),               # mean −1011.2 → −1011
    (MODE_FIRST_STABLE, -1002, -1001.5, "first stable"),     # first segment = first four → −1001.5 → −1002
])
def test_worked_example(backend: str, mode: str, rounded: int, raw: float, label: str) -> None:
    s = select_delay(recs(WORKED), mode, backend=backend)  # type: ignore[arg-type]
    assert s is not None
    assert s.delay_ms == rounded
    assert s.raw_delay_ms == pytest.approx(raw, abs=1e-9)
    assert s.label == label
    assert s.lines[-1] == f"Source 2 delay determined: {rounded:+d} ms ({label})."


@pytest.mark.parametrize("backend", BACKENDS)
def test_worked_example_log_lines(backend: str) -> None:
    s = select_delay(recs(WORKED), MODE_CLUSTERED, backend=backend)  # type: ignore[arg-type]
    assert s is not None
    assert s.lines[0] == ("[Delay Selection] Mode (Clustered): most common = -1001ms, "
                          "cluster [-1002 to -1000] contains 4/5 chunks (breakdown: {-1001: 2, -1002: 2}), "
                          "raw avg: -1001.500ms → rounded to -1002ms")
    assert s.lines[1] == "[Delay Selection Raw] Mode (Clustered): 4 chunks in cluster, raw avg: -1001.500ms"
    s = select_delay(recs(WORKED), MODE_AVERAGE, backend=backend)  # type: ignore[arg-type]
    assert s is not None
    assert s.lines[0] == "[Delay Selection] Average of 5 raw values: -1011.200ms → rounded to -1011ms"
    s = select_delay(recs(WORKED), MODE_FIRST_STABLE, backend=backend)  # type: ignore[arg-type]
    assert s is not None
    assert s.lines[0] == ("[First Stable] Found stable segment: 4 chunks at -1002ms (raw avg: -1001.500ms, "
                          "starting at 0.0s)")


def test_most_common_tie_goes_to_first_occurrence() -> None:
    assert most_common([5, 7, 7, 5]) == 5
    assert most_common([7, 5, 5, 7]) == 7
    assert most_common([1, 2, 2, 3, 3, 3]) == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_average_rounds_half_to_even(backend: str) -> None:
    # mean 0.5 → 0, 1.5 → 2, 2.5 → 2, −1.5 → −2 (docs/analysis.md#rounding-and-precision)
    for raws, expected in (([0.5] * 3, 0), ([1.5] * 3, 2), ([2.5] * 3, 2), ([-1.5] * 3, -2),
                           ([2.0, 3.0, 2.0, 3.0], 2)):
        s = select_delay(recs(raws, rounded=[0] * len(raws)), MODE_AVERAGE,
                         backend=backend)  # type: ignore[arg-type]
        assert s is not None and s.delay_ms == expected, raws


@pytest.mark.parametrize("backend", BACKENDS)
def test_rejected_chunks_are_ignored(backend: str) -> None:
    raws = [40.0, 10.0, 40.0, 10.0, 10.0]
    s = select_delay(recs(raws, accepted=[True, False, True, False, True]), MODE_MOST_COMMON,
                     backend=backend)  # type: ignore[arg-type]
    assert s is not None and s.delay_ms == 40 and s.accepted_count == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_too_few_accepted_chunks(backend: str) -> None:
    raws = [10.0, 10.0, 10.0]
    assert select_delay(recs(raws, accepted=[True, True, False]), backend=backend) is None  # type: ignore[arg-type]
    assert select_delay(recs(raws[:2]), min_accepted_chunks=2, backend=backend) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_first_stable_compares_with_the_segments_first_delay(backend: str) -> None:
    # 10, 11, 12: 12 is 2 ms from the segment's first delay (10) → new segment, although only 1 from 11.
    # Segments: [10, 11] (2 chunks), [12, 12, 13] (3 chunks) → the second wins with skip_unstable.
    raws = [10.0, 11.0, 12.0, 12.0, 13.0]
    s = select_delay(recs(raws), MODE_FIRST_STABLE, backend=backend)  # type: ignore[arg-type]
    assert s is not None
    assert (s.delay_ms, s.raw_delay_ms, s.label) == (12, pytest.approx(37.0 / 3.0), "first stable")
    assert s.lines[0] == ("[First Stable] Found stable segment: 3 chunks at +12ms (raw avg: 12.333ms, "
                          "starting at 200.0s)")


@pytest.mark.parametrize("backend", BACKENDS)
def test_first_stable_without_skipping_uses_the_first_segment(backend: str) -> None:
    raws = [10.0, 11.0, 12.0, 12.0, 13.0]
    s = select_delay(recs(raws), MODE_FIRST_STABLE, first_stable_skip_unstable=False,
                     backend=backend)  # type: ignore[arg-type]
    assert s is not None
    assert (s.delay_ms, s.raw_delay_ms) == (10, 10.5)  # round(10.5) = 10 (half-even)
    assert s.lines[0] == ("[First Stable] Warning: First segment has only 2 chunks (minimum: 3), but using "
                          "it anyway (skip_unstable=False)")


@pytest.mark.parametrize("backend", BACKENDS)
def test_first_stable_fallback_raw_averages_like_mode(backend: str) -> None:
    # No segment of 3 → fallback to the most common rounded delay 10; raw = mean(10.25, 10.4) = 10.325
    # (the original took the first record's 10.25, docs/analysis.md#delay-selection).
    raws = [10.25, 50.0, 10.4, 90.0]
    s = select_delay(recs(raws), MODE_FIRST_STABLE, backend=backend)  # type: ignore[arg-type]
    assert s is not None
    assert (s.delay_ms, s.label) == (10, "mode (fallback)")
    assert s.raw_delay_ms == pytest.approx(10.325, abs=1e-12)
    assert "[WARNING] No stable segment found, falling back to mode." in s.lines
    assert "[First Stable] No segment found with minimum 3 chunks. Largest segment: 1 chunks" in s.lines


def test_find_first_stable_segment_needs_min_chunks() -> None:
    seg, lines = find_first_stable_segment(recs([1.0, 1.0]), 3, True)
    assert seg is None and lines == []


def test_mode_names() -> None:
    assert normalise_mode("clustered") == MODE_CLUSTERED
    assert normalise_mode("first-stable") == MODE_FIRST_STABLE
    assert normalise_mode("Average") == MODE_AVERAGE
    assert normalise_mode("something else") == MODE_MOST_COMMON  # unknown → Most Common


@pytest.mark.parametrize("backend", BACKENDS)
def test_unknown_mode_behaves_as_most_common(backend: str) -> None:
    s = select_delay(recs(WORKED), "Median", backend=backend)  # type: ignore[arg-type]
    assert s is not None and (s.delay_ms, s.label, s.mode) == (-1001, "mode", MODE_MOST_COMMON)

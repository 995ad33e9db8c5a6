"""The post-mux audit's window grid, track ends and ffmpeg run split (docs/audit.md#windows), without media."""

from __future__ import annotations

import numpy as np
import pytest

from vsg_core.pipeline import audit as A
from vsg_core.pipeline import presentation as P
from vsg_core.pipeline.presentation import Span

SR = 48_000
WIN = round(A.AUDIT_WINDOW_S * 1000)


@pytest.mark.parametrize(("length_s", "count"), [(8640.0, 73), (7200.0, 61), (1441.514, 13), (1440.0, 13),
                                               (1325.0, 12), (210.0, 12), (100.0, 7), (40.0, 3), (6.0, 2)])
def test_grid_is_spread_over_the_whole_length(length_s: float, count: int) -> None:
    starts = A.window_starts_ms(length_s)
    assert len(starts) == count
    assert len(starts) >= min(A.AUDIT_MAX_WINDOWS, max(2, int(np.ceil(length_s / A.AUDIT_MIN_HOP_S))))
    assert starts[0] == 0 and starts[-1] == int(length_s * 1000) - WIN      # the last window ends at the end
    assert all(isinstance(t, int) for t in starts) and starts == sorted(set(starts))
    gaps = np.diff(starts)
    assert gaps.max() - gaps.min() <= 1                                      # evenly spread (whole ms)
    assert gaps.max() <= A.AUDIT_MAX_HOP_S * 1000                            # never sparser than one per 2 min


def test_grid_of_audio_shorter_than_a_window_is_empty() -> None:
    assert A.window_starts_ms(A.AUDIT_WINDOW_S - 0.001) == []
    assert A.window_starts_ms(A.AUDIT_WINDOW_S) == [0]


def test_plan_decodes_regular_windows_with_margin_and_the_tail() -> None:
    plan = A._Plan.over(1441.514, 250)
    spans = plan.spans()
    assert len(spans) == len(A.window_starts_ms(1441.514)) and plan.tail_ms == 1441514 - round(A.AUDIT_TAIL_S * 1000)
    assert all(s.length_ms == WIN + 500 and s.start_ms == t - 250
               for s, t in zip(spans[:-1], plan.starts_ms, strict=True))
    assert spans[-1] == Span(plan.tail_ms - 250, None)
    # the reference audio ends at 1440 s: every regular window plus one ending there, cut from the tail
    got = plan.windows(1_440_000.0)
    assert got[:-1] == list(plan.starts_ms) and got[-1] == 1_440_000 - WIN
    # a track ending at 70 s: only the regular windows inside it (the tail holds none of its audio)
    assert plan.windows(70_000.0) == [t for t in plan.starts_ms if t + WIN <= 70_000]


def test_plan_cuts_windows_from_regular_spans_and_the_tail() -> None:
    plan = A._Plan(starts_ms=(0, 100_000), tail_ms=190_000, margin_ms=250)
    ms = SR // 1000
    pcm = [np.arange((WIN + 500) * ms, dtype=np.float32) + k * 1e6 for k in range(2)]
    pcm.append(np.arange(15_250 * ms, dtype=np.float32) + 2e6)                 # tail: 189.75 s to 205 s
    assert plan.cut(pcm, 100_000, 0, WIN)[0] == 1e6 + 250 * ms                  # window start past the margin
    assert plan.cut(pcm, 100_000, 250, WIN + 500)[0] == 1e6
    w = plan.cut(pcm, 200_000, 0, WIN)                                          # from the tail
    assert w[0] == 2e6 + (200_000 - 189_750) * ms and w.size == WIN * ms
    w = plan.cut(pcm, 200_000, 250, WIN + 500)                                  # runs past the end: zeros
    assert w[-1] == 0.0 and w[(5_000 - 250 + 500) * ms - 1] != 0.0
    assert plan.cut(pcm, 0, 250, WIN + 500)[0] == 0.0                           # before time 0: the decoded zeros


def test_track_end_from_the_decoded_spans() -> None:
    spans = (Span(0, 1000), Span(5000, 1000), Span(9000, None))
    full = np.ones(SR, np.float32)
    tail = np.ones(SR // 2, np.float32)
    # the end lies in the open-ended tail: exact
    assert A._end_ms(spans, [full, full, tail]) == pytest.approx(9500.0)
    # the tail is empty and the last span with audio is short: the end is inside it
    assert A._end_ms(spans, [full, full[:480], np.zeros(0, np.float32)]) == pytest.approx(5010.0)
    # the last span with audio is complete: the end lies between it and the next span (decode from its end)
    empty = np.zeros(0, np.float32)
    assert A._end_ms(spans, [full, full, empty]) is None
    assert A._probe_from(spans, [full, full, empty]) == 6000
    assert A._end_ms(spans, [empty, empty, empty]) is None and A._probe_from(spans, [empty] * 3) == 0


@pytest.mark.parametrize(("cpus", "tracks", "spans", "runs"),
                         [(2, 2, 12, 1), (2, 1, 12, 2), (8, 2, 12, 3), (8, 2, 5, 1), (1, 3, 12, 1), (4, 2, 0, 1)])
def test_windows_split_over_runs_only_when_cpus_are_left(monkeypatch, cpus: int, tracks: int, spans: int,
                                                         runs: int) -> None:
    monkeypatch.setattr(P, "cpu_count", lambda: cpus)
    groups = P._groups(spans, tracks)
    assert len(groups) == (runs if spans else 0)
    assert [i for g in groups for i in g] == list(range(spans))
    assert all(len(g) >= P.MIN_RUN_WINDOWS for g in groups) or len(groups) <= 1

"""Reach (docs/reach.md) on generated releases: offsets far beyond the ±15 s chunk search and ad breaks.

Requirements (issue 10): every offset case gets its delay within 1 ms rounded and 0.05 ms raw; every ad-break
case reads STEPPING with every region's delay within 1 ms (0.05 ms raw) and every boundary within 0.5 s; the
coarse search never runs, and nothing reads STEPPING, on the constant cases whose chunks agree.

The reach searches only the chunks the chunk search did not place, one region at a time (docs/reach.md):
forced on a constant pair it searches one chunk over ±``FIRST_REACH_S`` and confirms the rest without a
48 kHz refinement; on an ad break it runs one coarse search and refines only the chunks after the break.

Cost: the default run (CI) builds the 5-minute reach programme with two targets (``reach_short_pos40``, AAC;
``reach_short_ad90``, E-AC-3) and reuses the default constant cases: about 3 minutes on an idle 2-core
machine, media generation included. The full set — ten targets on a 12-minute programme (offsets ±40 s and
±5 min, a missing recap, a 2-minute ident, ad breaks of 30 s / 90 s / 3 min inserted and 90 s cut; AAC,
Opus, E-AC-3, AC-3, Opus 96k) and the hard constant pairs — runs only with ``VSG_REACH_FULL=1`` (about 15
minutes more, mostly generation):

    VSG_REACH_FULL=1 .venv/bin/python -m pytest tests/integration/test_reach_media.py
"""

from __future__ import annotations

import os

import pytest

from vsg_core.analysis.coarse import FIRST_REACH_S, REFINE_MARGIN_S
from vsg_core.analysis.correlate import correlate_files
from vsg_core.analysis.correlation_options import CorrelationOptions
from vsg_core.analysis.job import AnalysisSettings, analyze_job
from vsg_core.log import JobLog
from vsg_core.models.enums import DiagnosisKind

pytestmark = [pytest.mark.media, pytest.mark.slow]

FULL = os.environ.get("VSG_REACH_FULL") == "1"
full_only = pytest.mark.skipif(not FULL, reason="full reach set: set VSG_REACH_FULL=1 (see module docstring)")

OFFSETS = ["reach_short_pos40"] + [pytest.param(n, marks=full_only) for n in (
    "reach_pos40", "reach_neg40", "reach_pos300", "reach_neg300", "reach_recap", "reach_ident")]
AD_BREAKS = ["reach_short_ad90"] + [pytest.param(n, marks=full_only) for n in (
    "reach_ad30", "reach_ad90", "reach_ad180", "reach_ad300", "reach_adcut")]
CONSTANT = ["delay_pos", "delay_neg", "dub", "noisy"] + [pytest.param(n, marks=full_only) for n in (
    "const_flac", "const_noisy_mp3", "dub_opus", "dub_ac3_51", "mne_only", "roomtone_gap", "trunc_other",
    "trunc_ref")]


def _analyse(cf, settings: AnalysisSettings | None = None):
    job = analyze_job(cf.reference, [cf.other], settings or AnalysisSettings(), JobLog(), strict=False)
    (src,) = job.sources
    return src


@pytest.mark.parametrize("name", OFFSETS)
def test_offsets_beyond_the_chunk_search(media_case, name: str) -> None:
    cf = media_case(name)
    truth = cf.truth.sync.correlation_delay_ms
    src = _analyse(cf)
    acc = [c for c in src.chunks if c.accepted]
    on_truth = [c for c in acc if abs(c.raw_delay_ms - truth) <= 0.05]
    # a chunk whose content is missing from the target may still match a repeat of it elsewhere (the
    # generator's programme reuses music and effects): an outlier, never the majority
    assert len(on_truth) >= 3 and len(on_truth) >= 0.75 * len(acc), src.chunks
    for c in on_truth:
        # the coarse position only has to fall inside the refining search (±REFINE_MARGIN_S)
        assert c.coarse_delay_ms is not None and abs(c.coarse_delay_ms - truth) <= 1000.0 * REFINE_MARGIN_S
    assert src.diagnosis.kind == DiagnosisKind.UNIFORM, src.diagnosis
    assert src.correlation_delay_ms is not None and src.correlation_raw_delay_ms is not None
    assert abs(src.correlation_delay_ms - truth) <= 1.0
    assert abs(src.correlation_raw_delay_ms - truth) <= 0.05


def test_beyond_the_reach_is_no_match_naming_the_setting(media_case) -> None:
    cf = media_case("reach_short_pos40")
    st = AnalysisSettings(correlation=CorrelationOptions(reach_s=20.0))
    src = _analyse(cf, st)
    assert src.delay_ms is None
    assert src.diagnosis.kind in (DiagnosisKind.NO_MATCH, DiagnosisKind.INSUFFICIENT_DATA)
    assert src.error is not None and "analysis_reach_s" in src.error


# roomtone_gap: one chunk lies in room tone (above the −60 dBFS silence gate) and is rejected with a score of
# 0.5, which the agreement rule cannot tell from content beyond the ±15 s search, so the coarse search runs
# there (and finds no position for that chunk): measured, documented in docs/reach.md.
REACH_RUNS = {"roomtone_gap"}


@pytest.mark.parametrize("name", CONSTANT)
def test_no_coarse_search_when_the_chunks_agree(media_case, name: str) -> None:
    cf = media_case(name)
    run = correlate_files(cf.reference, cf.other, CorrelationOptions())
    if name in REACH_RUNS:
        # the coarse search must not change the answer: every accepted chunk stays on the true delay
        truth = cf.truth.sync.correlation_delay_ms
        acc = [c for c in run.chunks if c.accepted]
        assert len(acc) >= 8 and all(abs(c.raw_delay_ms - truth) <= 0.05 for c in acc), run.chunks
        return
    assert run.reach_s is None, run.chunks
    assert all(c.coarse_delay_ms is None for c in run.chunks)


@pytest.mark.parametrize("name", AD_BREAKS)
def test_ad_breaks_read_as_stepping(media_case, name: str) -> None:
    cf = media_case(name)
    truth = cf.truth.sync
    src = _analyse(cf)
    d = src.diagnosis
    assert d.kind == DiagnosisKind.STEPPING, d
    assert len(d.segments) == len(truth.segments)
    for got, want in zip(d.segments, truth.segments, strict=True):
        assert abs(got.delay_ms - want.delay_ms) <= 1.0, (got, want)
        assert abs(got.raw_delay_ms - want.delay_ms) <= 0.05, (got, want)
    for k in range(len(truth.segments) - 1):     # every boundary within 0.5 s (dense scan)
        assert abs(d.segments[k].end_s - truth.segments[k].ref_end_s) <= 0.5, (k, d.segments)
        assert abs(d.segments[k + 1].start_s - truth.segments[k + 1].ref_start_s) <= 0.5, (k, d.segments)


def test_forced_reach_searches_one_chunk_and_confirms_the_rest(media_case) -> None:
    """Propagation: every chunk agrees, the reach is forced; one narrow coarse search places the first chunk
    and its delay confirms the others from their first-pass records (no 48 kHz refinement)."""
    cf = media_case("delay_pos")
    truth = cf.truth.sync.correlation_delay_ms
    run = correlate_files(cf.reference, cf.other, CorrelationOptions(reach_always=True))
    t = run.timings
    assert run.reach_s is not None
    assert t["coarse_searches"] == 1 and t["refined_chunks"] == 0, t
    # only the narrow step's target span was decoded (the chunk ± FIRST_REACH_S)
    assert t["coarse_span_s"] <= 2 * FIRST_REACH_S + 15.0 + 1.0, t
    acc = [c for c in run.chunks if c.accepted]
    assert len(acc) == len(run.chunks) >= 8 and all(abs(c.raw_delay_ms - truth) <= 0.05 for c in acc)
    assert all(c.coarse_delay_ms is not None and abs(c.coarse_delay_ms - truth) <= 1000.0 * REFINE_MARGIN_S
               for c in acc)


def test_one_coarse_search_per_region(media_case) -> None:
    """A 90 s ad break: the chunks before it are placed by the chunk search, one coarse search places the first
    chunk after it, and its delay places the others; only those are refined."""
    cf = media_case("reach_short_ad90")
    truth = cf.truth.sync
    run = correlate_files(cf.reference, cf.other, CorrelationOptions())
    t = run.timings
    after = [c for c in run.chunks if c.start_s >= truth.segments[0].ref_end_s]
    assert t["coarse_searches"] == 1, t
    assert 0 < t["refined_chunks"] <= len(after), (t, run.chunks)
    assert t["coarse_span_s"] <= 2 * FIRST_REACH_S + 15.0 + 1.0, t
    want = truth.segments[-1].delay_ms
    assert all(c.accepted and abs(c.raw_delay_ms - want) <= 0.05 for c in after), run.chunks

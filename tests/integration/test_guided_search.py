"""The guided first pass (docs/analysis.md#guided-search) on generated releases, real ffmpeg decoding.

Anchors located at 8 kHz and confirmed at 48 kHz (else searched over the full range), the other chunks
confirmed in ±0.25 s windows around the anchors' line, anything that does not confirm searched over the full
range again. Requirements: on a constant delay every
chunk is confirmed and every raw delay equals the full search's to 0.01 ms (both within 0.05 ms of the truth);
on a stepping source the chunks across the step are searched over the full range and land on their segment's
delay, and the records equal the full search's; the log says what happened.
"""

from __future__ import annotations

import pytest

from vsg_core.analysis.correlate import correlate_files
from vsg_core.analysis.correlation_options import CorrelationOptions
from vsg_core.log import JobLog

pytestmark = [pytest.mark.media, pytest.mark.slow]


def _run(cf, guided: bool) -> tuple:
    lines: list[str] = []
    log = JobLog(callbacks=[lines.append])
    run = correlate_files(cf.reference, cf.other, CorrelationOptions(guided=guided), log)
    return run, lines


def _same_records(a, b) -> None:
    assert [c.index for c in a.chunks] == [c.index for c in b.chunks]
    for x, y in zip(a.chunks, b.chunks, strict=True):
        assert x.accepted == y.accepted, (x, y)
        if x.accepted:
            assert abs(x.raw_delay_ms - y.raw_delay_ms) <= 0.01, (x, y)


def test_constant_delay_confirms_every_chunk(media_case) -> None:
    cf = media_case("delay_pos")
    truth = cf.truth.sync.correlation_delay_ms
    guided, lines = _run(cf, True)
    full, _ = _run(cf, False)
    _same_records(guided, full)
    assert all(c.accepted and abs(c.raw_delay_ms - truth) <= 0.05 for c in guided.chunks)
    msg = [x for x in lines if "[Guided]" in x]
    assert msg and "Anchor chunks located at 8 kHz and confirmed at 48 kHz: 2 of 2" in msg[0], msg
    assert "8 of 8 other chunks confirmed" in msg[1], msg


def test_stepping_chunks_across_the_step_are_searched_fully(media_case) -> None:
    cf = media_case("stepping")
    truth = cf.truth.sync
    guided, lines = _run(cf, True)
    full, _ = _run(cf, False)
    _same_records(guided, full)
    for c in guided.chunks:
        inside = truth.delay_at(c.start_s), truth.delay_at(c.start_s + 15.0 - 1e-6)
        if inside[0] == inside[1] and inside[0] is not None:
            assert c.accepted and abs(c.raw_delay_ms - inside[0]) <= 0.05, c
    assert any("[Guided]" in x and ("searched over the full" in x or "do not agree" in x) for x in lines), lines

"""Checks run after each step (docs/pipeline.md#job-steps); a failure stops the job with a clear message."""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import VsgError
from ..models import MAX_DELAY_MS, TrackType
from .context import JobContext


class ValidationError(VsgError):
    pass


def validate_analysis(ctx: JobContext) -> None:
    d = ctx.delays
    if d is None:
        raise ValidationError("the analysis produced no delays")
    if ctx.and_merge and len(ctx.job.sources) > 1:
        missing = [k for k in ctx.job.others if k not in d.source_delays_ms]
        if missing:
            raise ValidationError(f"no delay was found for {', '.join(missing)}")
    for k, v in d.source_delays_ms.items():
        if not isinstance(v, int) or abs(v) > MAX_DELAY_MS:
            raise ValidationError(f"the delay of {k} ({v!r} ms) is not a sane number of milliseconds")
    for k, v in d.raw_source_delays_ms.items():
        if not math.isfinite(v) or abs(v) > MAX_DELAY_MS:
            raise ValidationError(f"the raw delay of {k} ({v!r} ms) is not a sane number of milliseconds")


def validate_extraction(ctx: JobContext) -> None:
    if not ctx.items:
        raise ValidationError("no tracks were planned: the layout is empty")
    for it in ctx.items:
        if it.source_path:  # read by mkvmerge straight from its source
            if not Path(it.source_path).is_file():
                raise ValidationError(f"{it.track.source} track {it.track.id}: source file missing "
                                      f"({it.source_path})")
        elif not it.extracted_path or not Path(it.extracted_path).is_file():
            raise ValidationError(f"{it.track.source} track {it.track.id}: extracted file missing "
                                  f"({it.extracted_path})")


def validate_subtitles(ctx: JobContext) -> None:
    for it in ctx.items:
        if it.track.type is not TrackType.SUBTITLES:
            continue
        p = Path(it.extracted_path or it.source_path or "")
        if not p.is_file():
            raise ValidationError(f"{it.track.source} subtitle track {it.track.id}: file missing ({p})")
        if it.convert_to_ass and p.suffix.lower() not in (".ass", ".ssa"):
            raise ValidationError(f"{it.track.source} subtitle track {it.track.id}: conversion to ASS failed ({p})")


def validate_mux(ctx: JobContext) -> None:
    tokens = ctx.tokens
    if not tokens:
        raise ValidationError("no mkvmerge options were generated")
    inside = False
    for i, tok in enumerate(tokens):
        if tok == "(":
            inside = True
            continue
        if tok == ")":
            inside = False
            continue
        prev = tokens[i - 1] if i else ""
        if (inside or prev in ("--chapters", "--attach-file")) and not Path(tok).exists():
            raise ValidationError(f"mkvmerge input missing: {tok}")

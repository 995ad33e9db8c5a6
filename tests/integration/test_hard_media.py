"""The hard generated release pairs (vsg_core/testmedia/cases_hard.py) against their ground truth.

Per pair, the Rust analysis with the default settings must give the right diagnosis: PAL rates within 2 %,
linear-drift rates within 5 %, constant delays within 1 ms rounded and 0.05 ms raw; every nonsense pair is
refused (NO_MATCH / INSUFFICIENT_DATA, no delay, an error naming the file). ``vsg sync`` refuses a nonsense
pair with exit code 1 and writes nothing. Building the 24 pairs costs a few minutes once (cached).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from vsg_core.analysis.job import AnalysisSettings, analyze_job
from vsg_core.config.defaults import DEFAULTS
from vsg_core.log import JobLog
from vsg_core.models.enums import DiagnosisKind as K
from vsg_core.testmedia.cases_hard import HARD_PAIRS

pytestmark = pytest.mark.slow

REFUSED = {K.NO_MATCH, K.INSUFFICIENT_DATA}


def _analyse(files: Any) -> Any:
    settings = AnalysisSettings.from_settings(dict(DEFAULTS))
    job = analyze_job(files.reference, [files.other], settings, JobLog(), strict=False, backend="rust")
    return job.sources[0]


@pytest.mark.parametrize("name", HARD_PAIRS)
def test_hard_pair(name: str, media_case: Any) -> None:
    files = media_case(name)
    truth = files.truth.targets[0].sync
    src = _analyse(files)
    kind = src.diagnosis.kind
    detail = (name, kind.value, src.diagnosis.reason, src.raw_delay_ms, src.drift_ms_per_s)
    if truth.diagnosis == "NO_MATCH":
        assert kind in REFUSED, detail
        assert src.delay_ms is None and src.error is not None and files.other.name in src.error, detail
        assert "Likely cause" in src.error
        return
    assert kind.value == truth.diagnosis, detail
    if truth.diagnosis == "UNIFORM":
        assert src.raw_delay_ms is not None
        assert abs(src.raw_delay_ms - truth.delay_ms) <= 0.05, detail
        assert abs(src.delay_ms - truth.delay_ms) <= 1.0, detail
    elif truth.diagnosis == "PAL_DRIFT":
        assert src.drift_ms_per_s == pytest.approx(truth.drift_ms_per_s, rel=0.02), detail
    elif truth.diagnosis == "LINEAR_DRIFT":
        assert src.drift_ms_per_s == pytest.approx(truth.drift_ms_per_s, rel=0.05), detail
    if name == "trunc_other":
        cov = src.coverage
        assert cov is not None and cov.partial, cov
        assert cov.end_s == pytest.approx(70.8, abs=1.0), cov
        # no chunk reaches past the end of the sample's audio
        assert src.chunks and all(c.start_s + 15.0 <= cov.end_s + 0.01 for c in src.chunks)


def test_sync_refuses_an_unrelated_programme(media_case: Any, tmp_path: Path) -> None:
    files = media_case("unrelated")
    out = tmp_path / "out.mkv"
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "sync", str(files.reference), str(files.other),
                           "-o", str(out), "--json", "-q"], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    res = json.loads(proc.stdout)
    assert res["status"] == "Failed"
    assert files.other.name in res["error"] and "Likely cause" in res["error"]
    assert not out.exists() and not list(tmp_path.glob("*.mkv"))


def test_sync_of_a_stepping_source_ends_audit_failed(media_case: Any, tmp_path: Path) -> None:
    """With its audio correction switched off, a stepping source is muxed with one delay (its first
    segment's) and is off after the first step: the audit fails, the job ends 'Audit failed' with exit code
    3, the output is kept and the log says where."""
    files = media_case("stepping")
    out = tmp_path / "out.mkv"
    env = dict(os.environ, VSG_SET_CORRECTION_STEPPING_ENABLED="false")
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "sync", str(files.reference), str(files.other),
                           "-o", str(out), "--json", "-q"], capture_output=True, text=True, env=env)
    assert proc.returncode == 3, proc.stderr
    res = json.loads(proc.stdout)
    assert res["status"] == "Audit failed" and out.is_file()
    bad = [r for r in res["audit"]["residuals"] if not r["ok"]]
    assert [r["source"] for r in bad] == ["Source 2"]
    assert "off by more than 5 ms" in bad[0]["reason"]
    offs = {round(w["residual_ms"]) for w in bad[0]["windows"] if w["residual_ms"] is not None}
    assert {0, -2000, 500} <= offs, offs      # first segment in sync, the later ones 2000 / 500 ms off
    assert "audit failed" in res["error"]

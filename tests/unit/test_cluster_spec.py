"""--cluster addresses, the live line and the JSON round trip of job results (what crosses to the client)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from vsg_core.cluster import ClusterError, ClusterSpec, LiveLine, parse_cluster
from vsg_core.pipeline.result import AudioResidual, AuditReport, AuditWindow, JobResult, SourceReport


def test_parse_cluster_forms() -> None:
    assert parse_cluster("local:2") == ClusterSpec(workers=2)
    assert parse_cluster(" local:16 ") == ClusterSpec(workers=16)
    assert parse_cluster("tcp://nas.local:8786") == ClusterSpec(address="tcp://nas.local:8786")
    assert parse_cluster("tcp://10.0.0.5:8786").local is False
    assert parse_cluster("local:1").local is True


@pytest.mark.parametrize("bad", ["local:0", "local:-1", "local:two", "tcp://host", "tcp://:8786", "host:8786",
                                 "http://host:8786", ""])
def test_parse_cluster_rejects_with_the_value(bad: str) -> None:
    with pytest.raises(ClusterError) as e:
        parse_cluster(bad)
    assert repr(bad) in str(e.value)


def test_live_line_prints_on_change_only() -> None:
    out = io.StringIO()
    line = LiveLine(4, out)
    line.show(0, 0, {"0": 1, "1": 1})
    line.show(0, 0, {"1": 1, "0": 1})
    line.show(1, 1, {"0": 1, "1": 0})
    line.close()
    assert out.getvalue().splitlines() == [
        "[Cluster] 0/4 done, 0 failed · running: 0: 1, 1: 1",
        "[Cluster] 1/4 done, 1 failed · running: 0: 1",
    ]


def test_job_result_json_round_trip() -> None:
    res = JobResult(
        "Merged", "Ep01.mkv", Path("/r/Ep01.mkv"), output=Path("/o/Ep01.mkv"), log_path=Path("/o/Ep01.log"),
        sources=[SourceReport("Source 2", Path("/x/Ep01.mkv"), 1235, 1234.567, "UNIFORM", None, 10, 10, 100.0,
                              ({"start_s": 1.0, "delay_ms": 1235},), ({"start_s": 0.0, "delay_ms": 1235},), 1234.5)],
        global_shift_ms=12, warnings=["w"], error=None,
        audit=AuditReport(("issue",), (AudioResidual(1, "Source 2", -0.43, 99.0, True,
                                                     (AuditWindow(10.0, -0.43, 99.0), AuditWindow(25.0, None, 3.0)),
                                                     210.0, ""),), 4),
        corrections=[{"kind": "STEPPING", "segments": [{"action": "kept"}]}])
    back = JobResult.from_json(res.to_json())
    assert back == res

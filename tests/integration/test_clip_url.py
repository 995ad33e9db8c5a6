"""URL inputs: retries with exponential backoff and jitter against a local HTTP server on 127.0.0.1.

The server (a thread in this test, bounded: it stops itself after 120 s and at teardown) serves one generated
file with byte ranges and answers the first N requests with an error. The request times it records show the
backoff: the k-th wait lies in [base·2^(k−1), base·2^(k−1)·1.5 + slack] (jitter stretches it by up to 50 %).
Settings come from VSG_SET_CLIP_… variables, as vsg's precedence allows.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vsg_core.cli import main

pytestmark = pytest.mark.slow
BASE_S = 0.3


@dataclass
class Server:
    data: bytes
    fail_first: int = 0
    fail_status: int = 503
    requests: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, status sent)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""


def _handler(srv: Server) -> type[BaseHTTPRequestHandler]:
    class H(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with srv.lock:
                failing = len(srv.requests) < srv.fail_first
                srv.requests.append((time.monotonic(), srv.fail_status if failing else 200))
            if failing:
                self.send_response(srv.fail_status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            size = len(srv.data)
            m = re.match(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
            lo = int(m.group(1)) if m else 0
            hi = int(m.group(2)) if m and m.group(2) else size - 1
            if lo >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.end_headers()
                return
            body = srv.data[lo:hi + 1]
            self.send_response(206 if m else 200)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Type", "video/x-matroska")
            self.send_header("Content-Length", str(len(body)))
            if m:
                self.send_header("Content-Range", f"bytes {lo}-{hi}/{size}")
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return H


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    p = tmp_path_factory.mktemp("url") / "src.mkv"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", "12", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-y", str(p)],
                   check=True)
    return p.read_bytes()


@pytest.fixture
def server(media: bytes) -> Iterator[Server]:
    srv = Server(media)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(srv))
    httpd.daemon_threads = True
    srv.url = f"http://127.0.0.1:{httpd.server_address[1]}/show/src.mkv?token=abc"
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    stopper = threading.Timer(120, httpd.shutdown)  # bounded even if the test hangs
    stopper.daemon = True
    stopper.start()
    try:
        yield srv
    finally:
        stopper.cancel()
        httpd.shutdown()
        httpd.server_close()
        t.join(timeout=5)


@pytest.fixture(autouse=True)
def _settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("VSG_CLIP_HISTORY", str(state / "h.jsonl"))
    monkeypatch.setenv("VSG_SETTINGS", str(state / "none.json"))
    monkeypatch.setenv("VSG_SET_CLIP_RETRY_BASE_DELAY_S", str(BASE_S))
    monkeypatch.setenv("VSG_SET_CLIP_RETRY_ATTEMPTS", "4")


def test_retries_with_backoff_then_clips(server: Server, tmp_path: Path, capsys) -> None:
    server.fail_first = 2
    rc = main(["clip", server.url, "-s", "2", "-e", "5", "-o", str(tmp_path)])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    assert cap.err.count("retrying in") == 2
    assert [s for _, s in server.requests[:3]] == [503, 503, 200]
    # the announced waits double (with at most +50 % jitter) and the requests are never closer than that;
    # no upper bound on the measured gap: a loaded machine starts the next ffprobe late (no wall-clock limits)
    waits = [float(w) for w in re.findall(r"retrying in ([0-9.]+) s", cap.err)]
    t = [ts for ts, _ in server.requests]
    for k, (gap, wait) in enumerate(zip((t[1] - t[0], t[2] - t[1]), waits, strict=True), start=1):
        low = BASE_S * 2 ** (k - 1)
        assert low <= wait <= low * 1.5 + 0.01, f"announced wait {k}: {wait} s"
        assert gap >= wait - 0.01, f"wait {k}: request after {gap:.3f} s, announced {wait} s"
    out = tmp_path / "src_clip_00-02_to_00-05.mkv"
    assert out.is_file() and out.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_gives_up_after_the_configured_attempts(server: Server, tmp_path: Path, capsys) -> None:
    server.fail_first = 1000
    rc = main(["clip", server.url, "-s", "2", "-e", "5", "-o", str(tmp_path), "--retries", "3"])
    cap = capsys.readouterr()
    assert rc == 1
    assert len(server.requests) == 3  # the CLI flag (3) beats VSG_SET_CLIP_RETRY_ATTEMPTS (4)
    assert "Server returned 5XX" in cap.err and server.url in cap.err
    assert "gave up after 3 attempts" in cap.err
    assert list(tmp_path.iterdir()) == []


def test_a_missing_url_is_not_retried(server: Server, tmp_path: Path, capsys) -> None:
    server.fail_first, server.fail_status = 1000, 404
    rc = main(["clip", server.url, "-s", "2", "-e", "5", "-o", str(tmp_path)])
    cap = capsys.readouterr()
    assert rc == 1 and "404" in cap.err
    assert len(server.requests) == 1
    assert list(tmp_path.iterdir()) == []

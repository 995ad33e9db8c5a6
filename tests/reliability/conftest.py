"""Shared pieces of the reliability suite: private copies of generated media, a sandbox per test (settings file,
temp_root, output folder), a runner for the real ``vsg`` command and the invariants every case asserts:
sources byte-identical, no partial output, no temp folder, no lock file, no traceback."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def sha(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Media:
    """Private copies of the generated media (a bug can never damage the shared cache)."""

    dir: Path
    ref: Path            # H.264 + FLAC + AC-3 + ASS + chapters
    other: Path          # the same programme, constant +1234.567 ms delay
    audio_only: Path     # ref's audio only (no video)
    hashes: dict[Path, str] = field(default_factory=dict)

    def check_unchanged(self) -> None:
        for p, h in self.hashes.items():
            assert sha(p) == h, f"source {p} was modified"


@pytest.fixture(scope="session")
def media(media_case, tmp_path_factory) -> Media:
    case = media_case("delay_pos")
    d = tmp_path_factory.mktemp("sources")
    ref, other = d / "ref.mkv", d / "other.mkv"
    shutil.copyfile(case.reference, ref)
    shutil.copyfile(case.other, other)
    audio_only = d / "ref_audio.mka"
    subprocess.run(["mkvmerge", "-q", "-o", str(audio_only), "-D", "-S", "-B", "-M", "--no-chapters", str(ref)],
                   check=True)
    m = Media(d, ref, other, audio_only)
    m.hashes = {p: sha(p) for p in (ref, other, audio_only)}
    return m


@dataclass
class Sandbox:
    root: Path
    media: Media

    @property
    def temp_root(self) -> Path:
        return self.root / "temp"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("VSG_BACKEND", None)
        env["VSG_SETTINGS"] = str(self.settings_file)
        env["VSG_SET_TEMP_ROOT"] = str(self.temp_root)
        env["VSG_SET_OUTPUT_FOLDER"] = str(self.out)
        env["PYTHONPATH"] = str(ROOT)
        env.update(extra)
        return env

    def settings(self, **values: object) -> None:
        self.settings_file.write_text(json.dumps(values), encoding="utf-8")

    def cmd(self, *args: str | Path) -> list[str]:
        return [sys.executable, "-m", "vsg_core.cli", *map(str, args)]

    def vsg(self, *args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        proc = subprocess.run(self.cmd(*args), capture_output=True, text=True, errors="replace",
                              env=env or self.env(), cwd=cwd or self.root, timeout=timeout)
        assert "Traceback" not in proc.stderr, f"a traceback reached the user:\n{proc.stderr}"
        return proc

    def leftovers(self) -> list[Path]:
        """Partial outputs, lock files and job temp folders anywhere under the sandbox."""
        found = [p for p in self.root.rglob(".vsg-*")]
        if self.temp_root.exists():
            found += [p for p in self.temp_root.iterdir()]
        return found

    def assert_clean(self) -> None:
        self.media.check_unchanged()
        left = self.leftovers()
        assert not left, f"left behind: {left}"


@pytest.fixture
def box(media: Media, tmp_path: Path) -> Sandbox:
    sb = Sandbox(tmp_path, media)
    sb.out.mkdir()
    return sb


def json_error(stdout: str) -> dict:
    """The one JSON object a failed --json run prints on stdout."""
    data = json.loads(stdout)
    assert isinstance(data, dict) and data.get("error"), data
    return data

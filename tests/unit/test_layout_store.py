"""Saved job layouts: atomic save, validated load, copying only between structurally equal jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from vsg_core.errors import SettingsError
from vsg_core.jobs.layout import default_layout
from vsg_core.jobs.layout_store import LayoutStore, job_id
from vsg_core.models import StreamProps, Track, TrackType


def _tracks(n_audio: int = 1) -> dict[str, list[Track]]:
    def t(src: str, i: int, ty: TrackType, codec: str) -> Track:
        return Track(source=src, id=i, type=ty, props=StreamProps(codec_id=codec, lang="eng"))

    return {"Source 1": [t("Source 1", 0, TrackType.VIDEO, "V_MPEG4/ISO/AVC")]
            + [t("Source 1", 1 + k, TrackType.AUDIO, "A_FLAC") for k in range(n_audio)],
            "Source 2": [t("Source 2", 1, TrackType.AUDIO, "A_AC3")]}


def test_job_id_uses_full_paths(tmp_path: Path) -> None:
    a = {"Source 1": tmp_path / "a" / "E01.mkv"}
    b = {"Source 1": tmp_path / "b" / "E01.mkv"}
    assert job_id(a) != job_id(b) and len(job_id(a)) == 16


def test_save_load_copy(tmp_path: Path) -> None:
    store = LayoutStore(tmp_path / "layouts")
    s1 = {"Source 1": tmp_path / "E01.mkv", "Source 2": tmp_path / "x" / "E01.mkv"}
    s2 = {"Source 1": tmp_path / "E02.mkv", "Source 2": tmp_path / "x" / "E02.mkv"}
    lay = default_layout(_tracks())
    store.save(s1, lay, _tracks())
    assert not list((tmp_path / "layouts").glob("*.tmp"))
    loaded, _structure = store.load(s1)
    assert loaded == lay
    store.copy(s1, s2, _tracks())
    assert store.load(s2)[0] == lay
    s3 = {"Source 1": tmp_path / "E03.mkv"}
    with pytest.raises(SettingsError, match="different track structures"):
        store.copy(s1, s3, _tracks(n_audio=2))
    assert store.load(s3) is None


def test_corrupt_saved_layout_is_reported(tmp_path: Path) -> None:
    store = LayoutStore(tmp_path)
    s = {"Source 1": tmp_path / "E01.mkv"}
    store.path_for(job_id(s)).write_text("{", encoding="utf-8")
    with pytest.raises(SettingsError, match="unreadable"):
        store.load(s)

"""Names vsg derives from the user's file names stay within the 255-byte limit (vsg_core/filenames.py)."""

from __future__ import annotations

import os

import pytest

from vsg_core.filenames import NAME_MAX, fit_name, temp_name


def test_short_names_are_unchanged() -> None:
    assert fit_name("Source_1_track_", "My Film", "_3.ass") == "Source_1_track_My Film_3.ass"


@pytest.mark.parametrize("stem", ["A" * 300, "é" * 200, "日本語" * 60, "x" * 240 + "é" * 10,
                                  os.fsdecode(b"\xff" * 250)])
def test_long_stems_are_cut_to_the_limit(stem: str) -> None:
    name = fit_name("Source_1_track_", stem, "_3.ass")
    raw = os.fsencode(name)
    assert len(raw) <= NAME_MAX and len(raw) >= NAME_MAX - 3   # cut on a character boundary, no more
    assert name.startswith("Source_1_track_") and name.endswith("_3.ass")
    raw.decode("utf-8", errors="surrogateescape")             # whole characters kept
    assert stem.startswith(name[len("Source_1_track_"):name.rindex("~")])


def test_two_long_names_that_start_alike_stay_different() -> None:
    a, b = "A" * 300 + "1", "A" * 300 + "2"
    assert fit_name("", a, ".mkv") != fit_name("", b, ".mkv")
    assert fit_name("", a, ".mkv") == fit_name("", a, ".mkv")


def test_fixed_parts_too_long_is_an_error() -> None:
    with pytest.raises(ValueError):
        fit_name("p" * 250, "stem", "s" * 10)


def test_temp_names_have_no_control_characters() -> None:
    assert temp_name("Source_2_track_", "new\nline\tx\x7f", "_2.ass") == "Source_2_track_new_line_x__2.ass"

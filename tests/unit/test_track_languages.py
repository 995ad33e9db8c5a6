"""Track languages are checked against mkvmerge's list before a job runs (mkvmerge used to refuse an unknown one
only at the mux, after the whole analysis)."""

from __future__ import annotations

import pytest

from vsg_core.errors import SettingsError
from vsg_core.pipeline.preflight import check_language


@pytest.mark.parametrize("lang", ["en", "eng", "de", "jpn", "en-US", "pt-BR", "zh-Hant", "sr-Latn-RS", "und",
                                  "mul", "zxx", "qaa", "qtz", "x-foo"])
def test_languages_mkvmerge_accepts_pass(lang: str) -> None:
    check_language(lang, "--lang 2:1")


@pytest.mark.parametrize("lang", ["zzz", "xx", "zzzzz", "english", "en_US", "e n", "", "ñ"])
def test_unknown_languages_are_refused_with_what_to_do(lang: str) -> None:
    with pytest.raises(SettingsError) as e:
        check_language(lang, "--lang 2:1")
    msg = str(e.value)
    assert msg.startswith("--lang 2:1: language") and repr(lang) in msg
    assert "ISO 639" in msg and "BCP 47" in msg

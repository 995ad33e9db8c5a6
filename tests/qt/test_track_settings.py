"""Track Settings: the subtitle options the subtitle step applies (SRT→ASS, rescale, font size multiplier)."""

from __future__ import annotations

from vsg_core.jobs.layout import Layout, LayoutEntry
from vsg_core.models import TrackType
from vsg_qt.track_settings_dialog import TrackSettingsDialog


def test_srt_track_offers_conversion_rescale_and_size(qtbot) -> None:
    entry = LayoutEntry("Source 2", 3, TrackType.SUBTITLES, codec_id="S_TEXT/UTF8", lang="eng")
    dlg = TrackSettingsDialog(entry)
    qtbot.addWidget(dlg)
    assert dlg.subs_box is not None and dlg.convert.isEnabled()
    dlg.convert.setChecked(True)
    dlg.rescale.setChecked(True)
    dlg.size.setValue(1.25)
    dlg.accept()
    opts = dlg.subtitle_options()
    assert opts == {"convert_to_ass": True, "rescale": True, "size_multiplier": 1.25,
                    "style_patch": None}
    # the options survive a layout save/load
    saved = Layout((LayoutEntry(**{**entry.__dict__, **opts}),)).to_json()
    back = Layout.from_json(saved).entries[0]
    assert (back.convert_to_ass, back.rescale, back.size_multiplier) == (True, True, 1.25)


def test_ass_track_cannot_be_converted_and_audio_has_no_subtitle_options(qtbot) -> None:
    ass = LayoutEntry("Source 1", 4, TrackType.SUBTITLES, codec_id="S_TEXT/ASS", convert_to_ass=True,
                      size_multiplier=9.0)
    dlg = TrackSettingsDialog(ass)
    qtbot.addWidget(dlg)
    assert not dlg.convert.isEnabled() and not dlg.convert.isChecked()
    assert dlg.size.value() == 1.0                      # an out-of-range stored value is not shown as valid
    assert dlg.subtitle_options()["convert_to_ass"] is False
    pgs = TrackSettingsDialog(LayoutEntry("Source 1", 5, TrackType.SUBTITLES, codec_id="S_HDMV/PGS"))
    qtbot.addWidget(pgs)
    assert pgs.subs_box is None and pgs.subtitle_options() == {}
    audio = TrackSettingsDialog(LayoutEntry("Source 1", 1, TrackType.AUDIO, codec_id="A_AC3"))
    qtbot.addWidget(audio)
    assert audio.subtitle_options() == {}

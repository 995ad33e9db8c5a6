"""An existing output is replaced only when the user agrees (and then only after the new file passed its audit)."""

from __future__ import annotations

from pathlib import Path

import pytest
from qt_helpers import JOB_TIMEOUT_MS, click


def _start_merge(qtbot, window, case, out: Path) -> None:
    window.ref_field.setText(str(case.reference))
    window.other_fields[0].setText(str(case.other))
    window.out_field.setText(str(out))
    qtbot.waitUntil(window.merge_btn.isEnabled, timeout=30_000)
    click(qtbot, window.merge_btn)
    dlg = window.selection_dialog
    assert dlg is not None and dlg.isVisible()
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()


@pytest.mark.media
def test_existing_output_is_kept_unless_the_user_agrees(qtbot, window, media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    out = tmp_path / "out"
    out.mkdir()
    existing = out / f"{case.reference.stem}.mkv"
    existing.write_bytes(b"the user's earlier file")
    asked: list[list[Path]] = []

    window.confirm_overwrite = lambda files: asked.append(list(files)) or False
    _start_merge(qtbot, window, case, out)
    assert asked == [[existing]]
    assert not window.is_running()
    assert existing.read_bytes() == b"the user's earlier file"

    window.confirm_overwrite = lambda files: asked.append(list(files)) or True
    _start_merge(qtbot, window, case, out)
    assert len(asked) == 2
    assert window.is_running()
    qtbot.waitUntil(lambda: not window.is_running(), timeout=JOB_TIMEOUT_MS)
    result = window.last_results[0]
    assert result.status == "Merged", result.error
    assert result.output == existing
    assert existing.read_bytes()[:4] == b"\x1a\x45\xdf\xa3"   # now the new Matroska file

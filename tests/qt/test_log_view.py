"""The compact log folds commands and stderr blocks under one expandable row; the full log keeps every line."""

from __future__ import annotations

from qt_helpers import click

from vsg_qt.log_view import LogView


def test_commands_are_folded_and_the_full_log_is_one_click_away(qtbot) -> None:
    view = LogView()
    qtbot.addWidget(view)
    view.show()
    lines = ["--- Analysis Phase ---",
             "[12:00:01] $ /usr/bin/ffmpeg -nostdin -v error -i '/media/a b.mkv' -f f32le -",
             "[12:00:02] [!] Command failed with exit code 1",
             "[stderr/tail]\nfirst error line\nsecond error line",
             "[12:00:03] [ERROR] Analysis failed: Only 1 chunks were accepted.",
             "Progress: 40%"]
    for ln in lines:
        view.append_line(ln)
    rows = view.compact.rows()
    assert rows[0] == "--- Analysis Phase ---"
    assert rows[1] == "[12:00:01] $ ffmpeg (8 arguments)"              # folded: program and size only
    cmd = view.compact.topLevelItem(1)
    assert cmd.childCount() == 1 and cmd.child(0).text(0).startswith("/usr/bin/ffmpeg -nostdin")
    assert not cmd.isExpanded()
    tail = view.compact.topLevelItem(3)
    assert tail.text(0) == "stderr/tail (expand to read)"
    assert [tail.child(i).text(0) for i in range(tail.childCount())] == ["first error line", "second error line"]
    assert rows[4].endswith("[ERROR] Analysis failed: Only 1 chunks were accepted.")
    assert view.compact.topLevelItem(4).foreground(0).color().name() == "#c62828"
    assert len(rows) == 5                                              # "Progress: N%" only in the full log
    view.compact.expandItem(cmd)
    assert cmd.isExpanded()

    assert not view.is_full()
    click(qtbot, view.toggle_btn)
    assert view.is_full() and view.toggle_btn.text() == "Show Compact Log"
    full = view.toPlainText().splitlines()
    assert full[1] == lines[1] and "Progress: 40%" in full and "second error line" in full
    click(qtbot, view.toggle_btn)
    assert not view.is_full()

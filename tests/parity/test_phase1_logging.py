"""Parity: the log line formats of vsg_core.log (Python) and vsg_core_rs (Rust) are identical.

Tolerance: exact string equality.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import vsg_core_rs
from vsg_core import log

LEVELS = ["error", "warning", "warn", "info", "debug", "fatal", "!", "ERROR", "Warning"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


@given(st.sampled_from(LEVELS), text)
@settings(max_examples=200)
def test_level_messages(level: str, msg: str) -> None:
    assert vsg_core_rs.format_log_message(level, msg) == log.format_log_message(level, msg)


@given(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), text)
@settings(max_examples=100)
def test_timestamp(h: int, m: int, s: int, msg: str) -> None:
    assert vsg_core_rs.timestamp_prefix(h, m, s, msg) == log.timestamp_prefix(h, m, s, msg)


@given(text)
def test_section(name: str) -> None:
    assert vsg_core_rs.section(name) == log.section(name)


@given(st.floats(allow_nan=True, allow_infinity=True))
@settings(max_examples=300)
def test_progress(p: float) -> None:
    assert vsg_core_rs.progress_line(p) == log.progress_line(p)


LINE = st.text(alphabet="ab \t\r\x0b\x1cé", max_size=6)


@given(st.sampled_from(["stderr", "stdout"]), st.lists(LINE, max_size=12), st.integers(0, 15))
@settings(max_examples=200)
def test_tail(stream: str, lines: list[str], n: int) -> None:
    t = "\n".join(lines)
    assert vsg_core_rs.tail_block(stream, t, n) == log.tail_block(stream, t, n)


def test_unknown_level_rejected_by_both() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown log level"):
        log.format_log_message("loud", "x")
    with pytest.raises(ValueError, match="unknown log level"):
        vsg_core_rs.format_log_message("loud", "x")

"""The one error type of the subtitle core (both backends raise it with the same message)."""

from __future__ import annotations

from ..errors import VsgError


class SubtitleError(VsgError, ValueError):
    """A subtitle file that cannot be read or written; the message names the line or the problem."""

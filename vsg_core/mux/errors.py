"""Errors of the mux layer (messages name the plan item or file and reach the user)."""

from __future__ import annotations

from ..errors import VsgError


class MuxError(VsgError):
    """The plan cannot be turned into mkvmerge options, or the options file cannot be written."""

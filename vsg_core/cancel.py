"""Cooperative cancellation of a running job.

The orchestrator installs a :class:`CancelToken` for the job's thread with :func:`cancel_scope`; long loops call
:func:`check`, and :func:`vsg_core.runner.run` kills a running external command when the token fires, so a
cancelled job stops within a fraction of a second and its cleanup removes every partial file.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator

from .errors import VsgError


class Cancelled(VsgError):
    """The job was cancelled by the user."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("the job was cancelled")


_current: contextvars.ContextVar[CancelToken | None] = contextvars.ContextVar("vsg_cancel", default=None)


def current() -> CancelToken | None:
    return _current.get()


def check() -> None:
    tok = _current.get()
    if tok is not None:
        tok.check()


@contextlib.contextmanager
def cancel_scope(token: CancelToken | None) -> Iterator[CancelToken | None]:
    reset = _current.set(token)
    try:
        yield token
    finally:
        _current.reset(reset)

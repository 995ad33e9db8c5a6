"""Cooperative cancellation of a running job.

The orchestrator installs a :class:`CancelToken` for the job's thread with :func:`cancel_scope`; long loops call
:func:`check`, and :func:`vsg_core.runner.run` kills a running external command when the token fires, so a
cancelled job stops within a fraction of a second and its cleanup removes every partial file.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import contextvars
import signal
import threading
from collections.abc import Iterator
from typing import TypeVar

from .errors import VsgError

T = TypeVar("T")


class Cancelled(VsgError):
    """The job was cancelled by the user."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = "the job was cancelled"
        self.signum: int | None = None

    def cancel(self, reason: str | None = None) -> None:
        if reason and not self._event.is_set():
            self.reason = reason
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled(self.reason)


class LinkedToken(CancelToken):
    """A token that fires with its parent (the job's token) or on its own :meth:`cancel`: work started for a
    job stops when the job is cancelled, and can be stopped alone when the job no longer needs it."""

    def __init__(self, parent: CancelToken | None) -> None:
        self._parent = parent
        super().__init__()

    @property  # type: ignore[override]
    def reason(self) -> str:
        if self._parent is not None and self._parent.cancelled and not self._event.is_set():
            return self._parent.reason
        return self._own_reason

    @reason.setter
    def reason(self, value: str) -> None:
        self._own_reason = value

    @property
    def cancelled(self) -> bool:
        return self._event.is_set() or (self._parent is not None and self._parent.cancelled)

    def check(self) -> None:
        if self._parent is not None and self._parent.cancelled:
            raise Cancelled(self._parent.reason)
        super().check()


_current: contextvars.ContextVar[CancelToken | None] = contextvars.ContextVar("vsg_cancel", default=None)


def current() -> CancelToken | None:
    return _current.get()


def cancelled() -> bool:
    tok = _current.get()
    return tok is not None and tok.cancelled


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


# SIGINT (Ctrl+C), SIGTERM (kill, shutdown) and SIGHUP (terminal closed) all cancel the same way.
CANCEL_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


@contextlib.contextmanager
def signals_cancel(token: CancelToken) -> Iterator[CancelToken]:
    """While inside, SIGINT/SIGTERM/SIGHUP cancel ``token`` (only from the main thread; elsewhere a no-op).

    The job then stops at its next check: running children are killed and waited for, partial and temp files
    are removed, an existing output stays as it was. ``token.signum`` tells which signal came.
    """
    if threading.current_thread() is not threading.main_thread():
        yield token
        return

    def handler(signum: int, _frame: object) -> None:
        if token.signum is None:
            token.signum = signum
        token.cancel(f"the job was cancelled by {signal.Signals(signum).name}")

    previous = {s: signal.signal(s, handler) for s in CANCEL_SIGNALS}
    try:
        yield token
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def wait_result(future: concurrent.futures.Future[T]) -> T:
    """``future.result()`` that wakes the calling thread every 0.2 s.

    A signal may be delivered to any thread; Python runs its handler only when the main thread executes
    bytecode, so a main thread blocked in a plain ``result()`` would not see Ctrl+C until the work ended.
    """
    while True:
        try:
            return future.result(timeout=0.2)
        except concurrent.futures.TimeoutError:
            continue


def exit_code(token: CancelToken | None) -> int:
    """The shell's convention for a run ended by a signal: 128 + its number (130 for Ctrl+C)."""
    return 128 + (token.signum if token is not None and token.signum else signal.SIGINT)

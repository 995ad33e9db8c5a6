"""The one switch between the Rust compute core and the Python reference implementations.

Rust (`vsg_core_rs`) is used by default when it can be imported. Set ``VSG_BACKEND=python`` (or call
:func:`set_backend`) to run the Python reference instead; ``VSG_BACKEND=rust`` makes a missing extension an
error instead of a silent fallback.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Literal

Backend = Literal["rust", "python"]
_ENV = "VSG_BACKEND"
_override: Backend | None = None


class BackendUnavailableError(RuntimeError):
    """The Rust backend was requested but the extension module is not importable."""


def rust_module() -> ModuleType | None:
    """The imported ``vsg_core_rs`` module, or None when it is not built/installed."""
    try:
        return importlib.import_module("vsg_core_rs")
    except ImportError:
        return None


def _normalise(name: str) -> Backend:
    value = name.strip().lower()
    if value not in ("rust", "python"):
        raise ValueError(f"unknown backend {name!r}: use 'rust' or 'python' (environment variable {_ENV})")
    return value  # type: ignore[return-value]


def set_backend(name: str | None) -> None:
    """Force a backend for this process (None returns to the environment/default choice)."""
    global _override
    _override = None if name is None else _normalise(name)
    if _override == "rust" and rust_module() is None:
        raise BackendUnavailableError(
            "the Rust backend was requested but vsg_core_rs is not installed; run ./setup_env.sh to build it"
        )


def active_backend() -> Backend:
    """'rust' or 'python', following set_backend(), then $VSG_BACKEND, then availability."""
    if _override is not None:
        return _override
    env = os.environ.get(_ENV, "").strip()
    if env:
        chosen = _normalise(env)
        if chosen == "rust" and rust_module() is None:
            raise BackendUnavailableError(
                f"{_ENV}=rust but vsg_core_rs is not installed; run ./setup_env.sh to build it"
            )
        return chosen
    return "rust" if rust_module() is not None else "python"


def require_rust() -> ModuleType:
    """The Rust module, or a clear error telling the user how to build it."""
    mod = rust_module()
    if mod is None:
        raise BackendUnavailableError("vsg_core_rs is not installed; run ./setup_env.sh to build it")
    return mod

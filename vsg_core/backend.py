"""The one switch between the Rust compute core and the Python reference implementations.

Rust (`vsg_core_rs`) is used by default when it can be imported. Set ``VSG_BACKEND=python`` (or call
:func:`set_backend`) to run the Python reference instead; ``VSG_BACKEND=rust`` makes a missing extension an
error instead of a silent fallback.

The seam: each compute domain has one module ``vsg_core/<domain>/engine.py`` with a Protocol of its
functions, a Python-reference class and a Rust class (a thin wrapper over ``vsg_core_rs``), and an
``engine()`` that returns the active one. Only those modules ask :func:`active_backend`; the Rust classes get
the extension from :func:`require_rust`, typed as the module described by ``vsg_core_rs.pyi``.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import TYPE_CHECKING, Literal

from .errors import VsgError

if TYPE_CHECKING:
    import vsg_core_rs

Backend = Literal["rust", "python"]
BACKENDS: tuple[Backend, ...] = ("rust", "python")
_ENV = "VSG_BACKEND"
_override: Backend | None = None


class BackendUnavailableError(VsgError):
    """The Rust backend was requested but the extension module is not importable."""


def rust_module() -> ModuleType | None:
    """The imported ``vsg_core_rs`` module, or None when it is not built/installed."""
    try:
        return importlib.import_module("vsg_core_rs")
    except ImportError:
        return None


def _normalise(name: str) -> Backend:
    value = name.strip().lower()
    if value not in BACKENDS:
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


def use_rust(backend: Backend | None = None) -> bool:
    """Whether ``backend`` (None: the active one) is the Rust backend; for the domains' ``engine()``."""
    return (backend or active_backend()) == "rust"


def require_rust() -> vsg_core_rs:  # type: ignore[valid-type]
    """The Rust module (typed by its stub), or a clear error telling the user how to build it."""
    mod = rust_module()
    if mod is None:
        raise BackendUnavailableError("vsg_core_rs is not installed; run ./setup_env.sh to build it")
    return mod  # type: ignore[return-value]

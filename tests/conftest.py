"""Shared fixtures. Generated media are built once (cached under .cache/testmedia) and reused."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator

import pytest

# Qt tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The commands under test read the settings file (`vsg sync`, `vsg analyze`): never the developer's own file or
# VSG_SET_ overrides. Tests that need settings point VSG_SETTINGS at a file of their own.
_settings_dir = tempfile.mkdtemp(prefix="vsg-test-settings-")
atexit.register(shutil.rmtree, _settings_dir, True)
os.environ["VSG_SETTINGS"] = os.path.join(_settings_dir, "settings.json")
for _name in [n for n in os.environ if n.startswith("VSG_SET_")]:
    del os.environ[_name]


@pytest.fixture(scope="session")
def media_case() -> Callable:
    """Factory: ``media_case(name)`` builds (or reuses) a generated case and returns its CaseFiles."""
    from vsg_core.testmedia import build_case

    built: dict[str, object] = {}

    def get(name: str):
        if name not in built:
            built[name] = build_case(name)
        return built[name]

    return get


@pytest.fixture(scope="session")
def media_cases() -> dict:
    """Every default generated case (all but episode24), built once per session: name -> CaseFiles."""
    from vsg_core.testmedia import build_all

    return build_all()


@pytest.fixture(params=["rust", "python"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Runs the test once per backend ('rust', 'python') with that backend active; yields its name."""
    from vsg_core.backend import set_backend

    set_backend(request.param)
    try:
        yield request.param
    finally:
        set_backend(None)
